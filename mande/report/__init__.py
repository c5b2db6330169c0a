"""Secretary-General reporting: periods, the Excel annex, the narrative draft."""
