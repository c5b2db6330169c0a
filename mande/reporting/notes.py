"""The notes beside a figure: which caveats a row of a table carries, by the reporting policy.

One place decides them (:func:`row_notes`) and words them (:data:`NOTES`, English and French), so
that the annex's Notes columns, and any other view listing a figure's caveats, say the same:

========================  ==================================================================
``suppressed``            fewer valid answers than the indicator's minimum (``min_n``): the
                          estimate is not shown
``low_precision``         coefficient of variation above ``policy.max_cv``, or a proportion's
                          interval wider than ``policy.max_ci_width``, or flagged so when computed
``design_effect``         design effect above ``policy.max_deff``
``mean``                  a mean score (its change is in points, not percentage points)
``wording_change``        ``policy.breaks``: the question was worded differently from this round
``design_change``         ``policy.breaks`` (kind ``design``), or the round was read with another
                          sample design than the previous one
``not_comparable``        either change above: the change is not tested
``calibrated``            the round's weights were calibrated to the population margins
``fdr``                   the change was tested with false-discovery-rate control
``no_previous``           no earlier period with a survey round
``not_measured``          the indicator has no estimate in the previous round
``previous_suppressed``   the previous round's estimate was suppressed
========================  ==================================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mande.reporting.policy import ReportingPolicy

__all__ = ["NOTES", "Note", "NoteContext", "notes_text", "row_notes"]

#: The wording of each note, in English and French (French typography applied when written).
NOTES: dict[str, dict[str, str]] = {
    "suppressed": {"en": "Suppressed (n < {min_n})", "fr": "Masqué (n < {min_n})"},
    "low_precision": {"en": "Low precision (wide CI)", "fr": "Précision faible (IC large)"},
    "design_effect": {"en": "Design effect {deff}", "fr": "Effet de plan {deff}"},
    "mean": {"en": "Mean score; change in points", "fr": "Score moyen ; variation en points"},
    "wording_change": {
        "en": "Question wording changed in this round",
        "fr": "Formulation de la question modifiée dans cette vague",
    },
    "design_change": {
        "en": "Sample design changed since the previous round",
        "fr": "Plan de sondage modifié depuis la vague précédente",
    },
    "not_comparable": {
        "en": "Not comparable with the previous round",
        "fr": "Non comparable à la vague précédente",
    },
    "calibrated": {
        "en": "Weighted by calibration to the population",
        "fr": "Pondéré par calage sur la population",
    },
    "fdr": {"en": "Change FDR-adjusted", "fr": "Variation ajustée (FDR)"},
    "no_previous": {"en": "No previous round", "fr": "Pas de vague précédente"},
    "not_measured": {
        "en": "Not measured in the previous round",
        "fr": "Non mesuré lors de la vague précédente",
    },
    "previous_suppressed": {
        "en": "Previous estimate suppressed",
        "fr": "Estimation précédente masquée",
    },
}


@dataclass(frozen=True)
class Note:
    """One note of a row: its key in :data:`NOTES` and the figures it quotes."""

    key: str
    values: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str = "en") -> str:
        from mande.report.style import number

        kw = {
            k: number(v, lang, 1) if isinstance(v, float) else v
            for k, v in dict(self.values).items()
        }
        texts = NOTES[self.key]
        return texts.get(lang, texts["en"]).format(**kw)


@dataclass(frozen=True)
class NoteContext:
    """What a row's notes depend on beyond the row itself.

    policy:
        The reporting policy (thresholds, declared breaks).
    current_round, previous_round:
        The rounds compared (``previous_round`` None: no earlier period with a survey).
    calibrated:
        The current round's weights were calibrated to population margins.
    design_changed:
        The current round was read with another kind of sample design than the previous one.
    """

    policy: ReportingPolicy
    current_round: str | None
    previous_round: str | None
    calibrated: bool = False
    design_changed: bool = False


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _flag(value: Any) -> bool:
    return bool(value) if _float(value) is not None or isinstance(value, bool) else False


def row_notes(rec: Mapping[Any, Any], ctx: NoteContext) -> list[Note]:
    """The notes of one row of a report table, in the order they are printed.

    ``rec`` holds the row's ``indicator``, ``estimate``, ``ci_low``, ``ci_high``, ``n``,
    ``suppressed``, ``min_n`` and, when known, ``cv``, ``deff``, ``low_precision``, ``unit`` or
    ``kind``, ``previous_estimate``, ``previous_suppressed``, ``change`` and ``q_value``. A rule
    whose input is missing gives no note.
    """
    pol = ctx.policy
    notes: list[Note] = []
    percent = str(rec.get("unit") or "percent") == "percent" and str(
        rec.get("kind") or "proportion"
    ) in ("proportion", "mean_of_indicators", "")
    suppressed = _flag(rec.get("suppressed"))
    if suppressed:
        min_n = _float(rec.get("min_n"))
        notes.append(Note("suppressed", (("min_n", int(min_n) if min_n else 30),)))
    else:
        cv = _float(rec.get("cv"))
        low, high = _float(rec.get("ci_low")), _float(rec.get("ci_high"))
        wide = percent and low is not None and high is not None and high - low > pol.max_ci_width
        if _flag(rec.get("low_precision")) or (cv is not None and cv > pol.max_cv) or wide:
            notes.append(Note("low_precision"))
        deff = _float(rec.get("deff"))
        if deff is not None and deff > pol.max_deff:
            notes.append(Note("design_effect", (("deff", deff),)))
    if not percent:
        notes.append(Note("mean"))
    brk = pol.series_break(str(rec.get("indicator", "")), ctx.current_round)
    if ctx.previous_round is not None:
        if brk is not None:
            notes.append(Note("wording_change" if brk.kind == "wording" else "design_change"))
        if ctx.design_changed and (brk is None or brk.kind != "design"):
            notes.append(Note("design_change"))
        if brk is not None:
            notes.append(Note("not_comparable"))
    if ctx.calibrated:
        notes.append(Note("calibrated"))
    if ctx.previous_round is None:
        notes.append(Note("no_previous"))
    elif brk is None:
        if _float(rec.get("q_value")) is not None:
            notes.append(Note("fdr"))
        elif _flag(rec.get("previous_suppressed")):
            notes.append(Note("previous_suppressed"))
        elif _float(rec.get("previous_estimate")) is None and not suppressed:
            notes.append(Note("not_measured"))
    return notes


def notes_text(notes: Sequence[Note], lang: str = "en") -> str:
    """The notes of a row as one cell's text ("Low precision (wide CI); Change FDR-adjusted"),
    with French typography in French."""
    text = "; ".join(n.text(lang) for n in notes)
    if lang == "fr":
        from mande.report.style import fr_typography

        text = fr_typography(text)
    return text
