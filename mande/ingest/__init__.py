"""Reading what officers upload: XLSForms, survey exports, partner coding sheets."""
