"""How a survey declares its sample design: design columns of the export, or none (``srs``).

One place reads the ``design:`` block of a mapping file and the ``--design`` option of the
command line, so that every way of declaring a design (columns of the export, a simple random or
convenience sample, a sample plan) is checked once and spoken of in the same words.

Declarations::

    design:                      # the export carries the design
      weight: poids_final
      strata: strate
      psu: grappe
      respondent_id: _uuid
      interview_date: today

    design:                      # a simple random or convenience sample: no design columns
      type: srs
      respondent_id: _uuid       # optional, as above

``type: srs`` means equal weights (1 per respondent), no strata, each respondent its own PSU. The
estimates are then those of a simple random sample with replacement; when the sample was in fact
clustered or unequally drawn their confidence intervals are too narrow, which is why every round
read this way carries the warning :data:`SRS_WARNING` (code ``no_sample_design``) in its report,
stored with the round.

A key given with an empty value (``weight:`` or ``weight: null``) is an error that says how to
declare a survey without design columns; it never becomes a column named "None".
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from typing import Any

from mande.errors import DefinitionError, Problem

__all__ = [
    "DEFAULT_DESIGN",
    "DESIGN_COLUMN_KEYS",
    "DESIGN_KEYS",
    "DESIGN_TYPES",
    "HOW_TO_DECLARE",
    "SRS_TEXT",
    "SRS_WARNING",
    "design_type_of",
    "is_srs",
    "parse_design",
    "srs_note",
    "srs_problem",
    "with_design_type",
]

#: Keys naming a column of the export.
DESIGN_COLUMN_KEYS = ("weight", "strata", "psu", "respondent_id", "interview_date")
#: Every key of the ``design:`` block.
DESIGN_KEYS = (*DESIGN_COLUMN_KEYS, "type")
#: ``columns``: the export carries weight, strata and PSU; ``srs``: no sample design.
DESIGN_TYPES = ("columns", "srs")

DEFAULT_DESIGN: dict[str, str] = {
    "weight": "weight_final",
    "strata": "stratum",
    "psu": "cluster_id",
    "respondent_id": "_uuid",
    "interview_date": "today",
}

#: How to declare a survey's design, quoted by every message that finds none.
HOW_TO_DECLARE = (
    "Declare the sample design: name the export's weight, strata and PSU columns in the mapping "
    "file (design: {weight: ..., strata: ..., psu: ...}), or, for a simple random or convenience "
    "sample without design columns, write 'design: {type: srs}' in the mapping file or pass "
    "'--design srs' to mande validate / mande ingest"
)

#: The warning every round read without a sample design carries, in English and French.
SRS_TEXT: dict[str, str] = {
    "en": (
        "no sample design declared (design type srs): every respondent has weight 1, there are no "
        "strata and each respondent is its own PSU. Estimates are those of a simple random sample; "
        "if the sample was clustered or drawn with unequal probabilities their confidence "
        "intervals are too narrow"
    ),
    "fr": (
        "aucun plan de sondage déclaré (type srs) : chaque répondant pèse 1, sans strates, chaque "
        "répondant est sa propre unité primaire. Les estimations sont celles d'un échantillon "
        "aléatoire simple ; si l'échantillon était en grappes ou à probabilités inégales, leurs "
        "intervalles de confiance sont trop étroits"
    ),
}
SRS_WARNING = SRS_TEXT["en"]


def srs_note(lang: str = "en") -> str:
    """The no-sample-design warning in ``lang`` (English when there is no translation)."""
    return SRS_TEXT.get(lang, SRS_TEXT["en"])


def design_type_of(design: MappingABC[str, Any] | None) -> str:
    """``srs`` for a stored design without strata and PSUs (every respondent its own PSU, equal
    weights), else ``columns``. ``design`` is a stored ``SurveyDesign`` as a dict."""
    if not design:
        return "columns"
    return "srs" if not design.get("strata") and not design.get("psu") else "columns"


def parse_design(raw: Any, *, path: str = "mapping") -> dict[str, str]:
    """Check a ``design:`` block and return it with defaults filled in.

    Parameters
    ----------
    raw:
        The block as read from YAML (a dict, or None when absent).
    path:
        The file it came from, for messages.

    Returns
    -------
    dict
        ``type`` (``columns`` or ``srs``) and the column keys. For ``srs`` the weight, strata and
        PSU keys are absent.

    Raises
    ------
    DefinitionError
        An unknown key or type, a key with an empty value, or an ``srs`` design that still names
        weight, strata or PSU columns.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, MappingABC):
        raise DefinitionError(
            f"design must be a mapping of keys to column names, got {raw!r}. " + HOW_TO_DECLARE,
            path=path,
            field="design",
        )
    for key in raw:
        if key not in DESIGN_KEYS:
            raise DefinitionError(
                f"unknown design key '{key}'; expected {', '.join(DESIGN_KEYS)}",
                path=path,
                field=f"design.{key}",
            )
    dtype = raw.get("type", "columns")
    if dtype is None or str(dtype).strip().lower() not in DESIGN_TYPES:
        raise DefinitionError(
            f"design type {dtype!r} is not known; expected one of {', '.join(DESIGN_TYPES)} "
            "('srs': a simple random or convenience sample without design columns)",
            path=path,
            field="design.type",
        )
    dtype = str(dtype).strip().lower()
    for key in DESIGN_COLUMN_KEYS:
        if key in raw and (raw[key] is None or not str(raw[key]).strip()):
            raise DefinitionError(
                f"design.{key} is empty. " + HOW_TO_DECLARE,
                path=path,
                field=f"design.{key}",
            )
    design = {"type": dtype}
    if dtype == "srs":
        named = [k for k in ("weight", "strata", "psu") if k in raw]
        if named:
            raise DefinitionError(
                f"design type srs takes no {', '.join(named)}: a survey without sample design has "
                "equal weights, no strata and one respondent per PSU; remove "
                + ", ".join(f"design.{k}" for k in named)
                + " or remove 'type: srs'",
                path=path,
                field="design.type",
            )
        for key in ("respondent_id", "interview_date"):
            design[key] = str(raw.get(key, DEFAULT_DESIGN[key])).strip()
        return design
    for key in DESIGN_COLUMN_KEYS:
        design[key] = str(raw.get(key, DEFAULT_DESIGN[key])).strip()
    return design


def is_srs(design: MappingABC[str, Any]) -> bool:
    """True when ``design`` declares no sample design (``type: srs``)."""
    return str(design.get("type", "columns")).lower() == "srs"


def with_design_type(design: MappingABC[str, Any], dtype: str | None) -> dict[str, str]:
    """``design`` with its type overridden (``--design srs`` on the command line); None: as is.

    Raises
    ------
    DefinitionError
        An unknown type.
    """
    out = {k: str(v) for k, v in design.items()}
    if dtype is None:
        return out
    dtype = dtype.strip().lower()
    if dtype not in DESIGN_TYPES:
        raise DefinitionError(
            f"--design {dtype!r} is not known; expected one of {', '.join(DESIGN_TYPES)}",
            field="--design",
        )
    out["type"] = dtype
    if dtype == "srs":
        for key in ("weight", "strata", "psu"):
            out.pop(key, None)
    else:
        for key in ("weight", "strata", "psu"):
            out.setdefault(key, DEFAULT_DESIGN[key])
    return out


def srs_problem() -> Problem:
    """The warning every round read without a sample design carries (code ``no_sample_design``)."""
    return Problem(SRS_WARNING, severity="warning", code="no_sample_design")
