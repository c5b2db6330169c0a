"""Short figures for cards and tables ("62.3%", "+4.1 pp"), in English or French."""

from __future__ import annotations

import math
from typing import Any

from mande.report.style import number, signed

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
    # ASCII signs: Streamlit's st.metric reads the leading "-" to point the arrow down; a change
    # that rounds to zero is "±0.0", never "-0.0" (mande's one signed-number formatter)
    unit = (
        (" pp" if lang == "en" else " pts") if kind in ("proportion", "mean_of_indicators") else ""
    )
    return f"{signed(float(points), lang, 1, zero='±')}{unit}"


def change_interval(low: Any, high: Any, kind: str, lang: str) -> str:
    """A change's interval, signed, in the change's unit: "-7.5 to -0.7 pp"."""
    if _nan(low) or _nan(high):
        return "–"
    word = " à " if lang == "fr" else " to "
    return f"{change(low, kind, lang).split(' ')[0]}{word}{change(high, kind, lang)}"


def percent(share: Any, lang: str) -> str:
    """A share (0-1) in per cent with the decimals it needs: 0.95 -> "95%", 0.99992 -> "99.992%"."""
    if _nan(share):
        return "–"
    pct = float(share) * 100
    decimals = next((d for d in range(0, 3) if abs(round(pct, d) - pct) < 1e-9), 3)
    space = NNBSP if lang == "fr" else ""
    return f"{number(pct, lang, decimals)}{space}%"


def fdr_note(changes: Any, policy: Any, lang: str) -> str:
    """How significance was decided, under a table of changes: the policy's family, its size, q
    and the level of the false-coverage-rate adjusted intervals."""
    from dashboard.i18n import t

    tested = changes[changes["q_value"].notna()] if "q_value" in changes.columns else changes
    level = float(tested["ci_level"].iloc[0]) if len(tested) else float("nan")
    return t("fdr_note", lang).format(
        q=number(policy.fdr, lang, 2),
        family=policy.family_text(lang),
        m=len(tested),
        level=percent(level, lang),
    )


__all__ = ["change", "change_interval", "fdr_note", "interval", "number", "percent", "value"]
