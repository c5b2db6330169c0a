"""Short figures for cards and tables ("62.3%", "+4.1 pp"), in English or French."""

from __future__ import annotations

import math
from typing import Any

from mande.report.style import number

NNBSP = "\u202f"  # narrow no-break space: French puts one before "%"


def _nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def value(estimate: Any, kind: str, lang: str) -> str:
    """An estimate as a card shows it: a proportion in per cent with one decimal, else 1 decimal."""
    if _nan(estimate):
        return "–"
    if kind in ("proportion", "mean_of_indicators"):
        space = NNBSP if lang == "fr" else ""
        return f"{number(float(estimate) * 100, lang, 1)}{space}%"
    return number(float(estimate), lang, 1)


def interval(low: Any, high: Any, kind: str, lang: str) -> str:
    if _nan(low) or _nan(high):
        return "–"
    sep = " – "
    return f"{value(low, kind, lang)}{sep}{value(high, kind, lang)}"


def change(points: Any, kind: str, lang: str) -> str:
    """A change already in percentage points (proportions) or in units (means), signed."""
    if _nan(points):
        return "–"
    # ASCII signs: Streamlit's st.metric reads the leading "-" to point the arrow down.
    sign = "+" if points > 0 else "-" if points < 0 else "±"
    unit = (
        (" pp" if lang == "en" else " pts") if kind in ("proportion", "mean_of_indicators") else ""
    )
    return f"{sign}{number(abs(float(points)), lang, 1)}{unit}"
