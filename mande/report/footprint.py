"""The annex's Footprint sheet: acceptance of the mission against the mission's presence.

Self-contained: :func:`footprint_section` computes what the sheet shows from a store (the same
:mod:`mande.footprint.build` calls as the dashboard's Footprint page), and
:func:`write_footprint_sheet` lays it out. Every cell is written with
:func:`mande.report._cells.put` (values, never formulas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.workbook import Workbook

from mande.report._cells import put

__all__ = ["FootprintSection", "footprint_section", "write_footprint_sheet"]

_TEXT = {
    "sheet": {"en": "Footprint", "fr": "Empreinte"},
    "title": {
        "en": "Acceptance of the mission and the mission's presence",
        "fr": "Acceptation de la mission et présence de la mission",
    },
    "findings": {"en": "Findings", "fr": "Constats"},
    "caveats": {"en": "Read with care", "fr": "À lire avec prudence"},
    "model": {"en": "Model (design-based, svyglm)", "fr": "Modèle (fondé sur le plan, svyglm)"},
    "curve": {"en": "Duration of presence", "fr": "Durée de la présence"},
    "exposure": {"en": "Exposure by area and round", "fr": "Exposition par zone et vague"},
}
_MODEL_HEAD = {
    "en": ["Term", "Log odds ratio", "SE", "Odds ratio", "CI low", "CI high", "p-value"],
    "fr": ["Terme", "Log du rapport de cotes", "Erreur type", "Rapport de cotes", "IC bas",
           "IC haut", "Valeur p"],
}  # fmt: skip
_CURVE_HEAD = {
    "en": ["Years of presence", "Predicted %", "CI low", "CI high"],
    "fr": ["Années de présence", "% prédit", "IC bas", "IC haut"],
}
_EXPOSURE_COLUMNS = (
    "round", "pcode", "base_present", "years_present", "troop_months", "patrols", "meetings",
    "qips", "patrols_per_1000", "meetings_per_1000", "distance_km",
)  # fmt: skip
_TERMS = {
    "base_present": {"en": "Base present", "fr": "Base présente"},
    "years_present": {"en": "Per year of presence", "fr": "Par année de présence"},
}


@dataclass(frozen=True)
class FootprintSection:
    """What the Footprint sheet shows: the analysis of acceptance and the exposure table."""

    analysis: Any  # mande.footprint.FootprintAnalysis
    exposure: pd.DataFrame


def footprint_section(store: Any, indicator: str | None = None) -> FootprintSection | None:
    """The footprint analysis of acceptance (MIS-02 by default) from a store, or None when the
    store holds no deployments, boundaries or rounds."""
    from mande.footprint.build import ACCEPTANCE, analyse_footprint, load_footprint
    from mande.indicators.catalogue import load_catalogue

    inputs = load_footprint(store)
    if inputs is None:
        return None
    analysis = analyse_footprint(inputs, indicator or ACCEPTANCE, load_catalogue())
    return FootprintSection(analysis, inputs.exposure)


def write_footprint_sheet(wb: Workbook, section: FootprintSection, lang: str = "en") -> None:
    """Add the Footprint sheet to ``wb``."""
    lg = "fr" if lang == "fr" else "en"
    a = section.analysis
    ws = wb.create_sheet(_TEXT["sheet"][lg])
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    put(ws, 1, 1, f"{_TEXT['title'][lg]}: {a.name.get(lg, a.indicator)} ({a.indicator})",
        font=Font(bold=True, size=13))  # fmt: skip
    row = 3
    for heading, lines in ((_TEXT["findings"][lg], a.sentences(lg)),
                           (_TEXT["caveats"][lg], a.caveats(lg))):  # fmt: skip
        put(ws, row, 1, heading, font=bold)
        row += 1
        for line in lines:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
            put(ws, row, 1, line, alignment=wrap)
            ws.row_dimensions[row].height = 15 * (1 + len(line) // 110)
            row += 1
        row += 1
    put(ws, row, 1, f"{_TEXT['model'][lg]}: {a.formula}", font=bold)
    row += 1
    for j, label in enumerate(_MODEL_HEAD[lg], start=1):
        put(ws, row, j, label, font=bold)
    row += 1
    for effect in (a.presence, a.duration):
        if effect is None:
            continue
        values = [
            _TERMS.get(effect.term, {}).get(lg, effect.term), effect.estimate, effect.se,
            float(np.exp(effect.estimate)), float(np.exp(effect.ci_low)),
            float(np.exp(effect.ci_high)), effect.p_value,
        ]  # fmt: skip
        for j, v in enumerate(values, start=1):
            put(ws, row, j, v, number_format="0.000" if j > 1 else "General")
        row += 1
    row += 1
    put(ws, row, 1, _TEXT["curve"][lg], font=bold)
    row += 1
    for j, label in enumerate(_CURVE_HEAD[lg], start=1):
        put(ws, row, j, label, font=bold)
    row += 1
    for rec in a.curve.iloc[::4].to_dict("records"):
        for j, v in enumerate((rec["years"], rec["estimate"], rec["ci_low"], rec["ci_high"]), 1):
            put(ws, row, j, v, number_format="0.0" if j == 1 else "0.0%")
        row += 1
    row += 1
    put(ws, row, 1, _TEXT["exposure"][lg], font=bold)
    row += 1
    for j, label in enumerate(_EXPOSURE_COLUMNS, start=1):
        put(ws, row, j, label, font=bold)
    row += 1
    for rec in section.exposure[list(_EXPOSURE_COLUMNS)].to_dict("records"):
        for j, col in enumerate(_EXPOSURE_COLUMNS, start=1):
            v = rec[col]
            fmt = "0.00" if isinstance(v, float) else "General"
            put(ws, row, j, v, number_format=fmt)
        row += 1
    for j, width in enumerate((26, 16, 12, 14, 12, 12, 12, 10, 16, 18, 12), start=1):
        ws.column_dimensions[chr(64 + j)].width = width
