"""Values checked before they are stored: labels, file names, weights, dates, a round's design.

One bad value must not poison everyone: a weight of ``inf`` or ``1e300`` made current breaks every
estimate of every user; a date of 9999-12-31 wraps silently to 1816 in a nanosecond timestamp; a
round label or a file name that starts with ``=`` becomes a live formula in a spreadsheet. These
checks run on entry, before anything is stored.

Decisions
---------
- Round labels and sheet labels: letters (any script), digits, ``-``, ``_`` and spaces, starting
  with a letter or a digit, at most 100 characters. Anything else is refused with the nearest valid
  label suggested (:func:`suggest_label`).
- File names are recorded, not trusted: :func:`safe_file_name` keeps letters, digits, ``-``, ``_``,
  spaces and the extension's dot, replaces every other character with ``_`` and makes the name
  start with a letter or a digit. The file's SHA-256 identifies it.
- Weights: finite, above zero, and within ``max_ratio`` (1,000 by default, configurable) of their
  median in either direction. Real design weights vary 10 to 100 times; a weight 1,000 times the
  median is a typing or export error.
- Dates: a year outside 1900-2100 is never converted (it would overflow pandas' nanosecond
  timestamps); an interview date outside the mission's years (:func:`mission_years`) is an error.
- A round is *estimable* when its weights are finite and above zero, every respondent has a
  stratum and a PSU, and a design-based mean of a constant can be computed with its design
  (:func:`check_estimable`); the store never makes a round current otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, Problem

if TYPE_CHECKING:
    from mande.config import MissionConfig

__all__ = [
    "DATE_YEARS",
    "DEFAULT_MAX_WEIGHT_RATIO",
    "check_estimable",
    "check_label",
    "date_range_problems",
    "mission_years",
    "safe_file_name",
    "suggest_label",
    "weight_problems",
]

DEFAULT_MAX_WEIGHT_RATIO = 1000.0
#: Years a date may have at all (pandas' nanosecond timestamps hold 1677-2262).
DATE_YEARS = (1900, 2100)
MAX_LABEL = 100

_LABEL_RE = re.compile(r"[^\W_][\w\- ]*")
_BAD_LABEL_CHARS = re.compile(r"[^\w\- ]+")


def suggest_label(text: str) -> str:
    """The nearest valid label: other characters replaced by ``_``, leading ones dropped.

    >>> suggest_label("=HYPERLINK(x) round 1.xlsx")
    'HYPERLINK_x_ round 1_xlsx'
    """
    clean = "".join(ch for ch in str(text) if unicodedata.category(ch)[0] != "C")
    clean = _BAD_LABEL_CHARS.sub("_", clean)
    clean = re.sub(r"^[\W_]+", "", clean).strip()
    return clean[:MAX_LABEL].strip() or "round"


def check_label(label: Any, *, what: str = "round label") -> str:
    """Return ``label`` when it is a valid label, else raise a clear error.

    Raises
    ------
    DataValidationError
        ``code="invalid_label"``: the label holds another character, starts with something other
        than a letter or a digit, or is longer than 100 characters.
    """
    text = "" if label is None else str(label)
    if len(text) <= MAX_LABEL and _LABEL_RE.fullmatch(text):
        return text
    hint = suggest_label(text)
    message = (
        f"the {what} is not valid: use letters, digits, '-', '_' and spaces, starting with a letter "
        f"or a digit, at most {MAX_LABEL} characters; for example '{hint}'"
    )
    raise DataValidationError(
        message,
        [
            Problem(
                message,
                code="invalid_label",
                value=None,  # never echoed: it may be a formula or hold anything
                expected="letters, digits, '-', '_' and spaces",
            )
        ],
    )


def safe_file_name(name: str) -> str:
    """A file name as the store records it: letters, digits, ``-``, ``_``, spaces, one dot.

    >>> safe_file_name("=cmd|' calc'!A0.csv")
    "cmd_ calc_A0.csv"
    """
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,8}", ext):
        stem, ext = base, ""
    stem = suggest_label(stem) if stem.strip() else "file"
    stem = re.sub(r"_+", "_", stem)[:200]
    return f"{stem}.{ext.lower()}" if ext else stem


# --------------------------------------------------------------------------------------------
# Weights


def weight_problems(
    raw: pd.Series,
    weights: pd.Series,
    *,
    sheet: str | None,
    column: str,
    max_ratio: float = DEFAULT_MAX_WEIGHT_RATIO,
) -> tuple[list[Problem], np.ndarray]:
    """Weights that are not finite, or further than ``max_ratio`` times from the median.

    ``weights`` are the numbers read from ``raw`` (NaN where missing or not a number; those are
    reported elsewhere). Returns (problems, mask of the rows concerned); at most 20 rows are listed
    one by one, then a count.
    """
    w = pd.to_numeric(weights, errors="coerce").to_numpy(dtype="float64")
    infinite = np.isinf(w)
    finite = w[np.isfinite(w) & (w > 0)]
    too_far = np.zeros(len(w), dtype=bool)
    median = float(np.median(finite)) if finite.size else math.nan
    if finite.size and median > 0:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            ratio = np.where(np.isfinite(w) & (w > 0), np.maximum(w / median, median / w), 1.0)
        too_far = ratio > max_ratio
    problems: list[Problem] = []
    for mask, message, expected in (
        (infinite, "weight {value} is not a finite number", "a finite number above 0"),
        (
            too_far,
            "weight {value} is more than "
            f"{max_ratio:g} times from the median weight {median:.4g}; check the weighting "
            "(or raise max_weight_ratio when such weights are intended)",
            f"within {max_ratio:g} times the median weight {median:.4g}",
        ),
    ):
        problems += _per_row(
            np.flatnonzero(mask),
            lambda i: _number_text(w[i]),
            message,
            lambda n: f"... and {n} more rows with the same problem in column '{column}'",
            code="invalid_weight", sheet=sheet, column=column, expected=expected,
        )  # fmt: skip
    return problems, infinite | too_far


def _per_row(
    idx: np.ndarray,
    value_of: Callable[[int], str],
    message: str,
    more: Callable[[int], str],
    *,
    code: str,
    sheet: str | None,
    column: str,
    expected: str,
    listed: int = 20,
) -> list[Problem]:
    """One problem per row of ``idx`` (0-based data rows; the sheet row is 2 more, after the
    header) for the first ``listed``, then one that counts the rest. ``message`` has a ``{value}``
    slot; ``more`` words the count of the rest."""
    problems = []
    for i in idx[:listed]:
        value = value_of(int(i))
        problems.append(
            Problem(
                message.format(value=value), code=code, sheet=sheet, row=int(i) + 2,
                column=column, value=value, expected=expected,
            )
        )  # fmt: skip
    if len(idx) > listed:
        problems.append(
            Problem(
                more(len(idx) - listed), code=code, sheet=sheet, column=column,
                expected=expected,
            )
        )  # fmt: skip
    return problems


def _number_text(x: float) -> str:
    if math.isinf(x):
        return "infinity" if x > 0 else "-infinity"
    return f"{x:.6g}"


# --------------------------------------------------------------------------------------------
# Dates


def mission_years(mission: MissionConfig | None, margin: int = 1) -> tuple[int, int] | None:
    """The years a mission's interviews may fall in: its reporting periods and planned fieldwork,
    ``margin`` years either side; None without a mission."""
    if mission is None:
        return None
    days: list[dt.date] = []
    for p in mission.periods:
        days += [p.start, p.end]
    for start, end in mission.fieldwork.values():
        days += [start, end]
    if not days:
        return None
    return min(d.year for d in days) - margin, max(d.year for d in days) + margin


def date_range_problems(
    dates: pd.Series,
    *,
    years: tuple[int, int],
    sheet: str | None,
    column: str,
) -> tuple[list[Problem], np.ndarray]:
    """Interview dates outside ``years`` (inclusive): one error per row (20 listed, then a count)."""
    d = pd.to_datetime(dates, errors="coerce")
    lo, hi = years
    mask = (d.notna() & ((d.dt.year < lo) | (d.dt.year > hi))).to_numpy()
    problems = _per_row(
        np.flatnonzero(mask),
        lambda i: str(d.iloc[i].date()),
        f"date {{value}} is outside the mission's years ({lo} to {hi}); correct the date "
        "or the mission's reporting periods",
        lambda n: f"... and {n} more dates outside {lo} to {hi} in column '{column}'",
        code="date_out_of_range", sheet=sheet, column=column, expected=f"a date from {lo} to {hi}",
    )  # fmt: skip
    return problems, mask


def out_of_bounds_year(day: dt.date) -> bool:
    """Whether a date's year is outside :data:`DATE_YEARS` (never converted to a timestamp)."""
    return not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]


# --------------------------------------------------------------------------------------------
# A round that can be estimated


def check_estimable(frame: pd.DataFrame, design: Any) -> None:
    """Refuse a round whose design cannot give an estimate.

    Checks that the weights are finite and above zero, that strata and PSUs are present, and that
    :func:`mande.estimate` computes the mean of a constant with the round's design (this runs the
    lonely-PSU rule and the variance computation once).

    Raises
    ------
    DataValidationError
        ``code="not_estimable"``, saying what is wrong and that nothing was stored.
    """
    from mande.errors import MandeError
    from mande.stats.design import SurveyDesign
    from mande.stats.estimate import estimate

    d = design if isinstance(design, SurveyDesign) else SurveyDesign(**dict(design))
    problems: list[Problem] = []
    if d.weight is not None and d.weight in frame.columns:
        w = pd.to_numeric(frame[d.weight], errors="coerce").to_numpy(dtype="float64")
        bad = ~np.isfinite(w) | (w <= 0)
        if bad.any():
            problems.append(
                Problem(
                    f"{int(bad.sum())} weights are missing, not finite or not above zero",
                    code="not_estimable",
                    column=d.weight,
                    expected="finite weights above 0",
                )
            )
    for col in (d.strata, d.psu):
        if col is not None and col in frame.columns and frame[col].isna().any():
            problems.append(
                Problem(
                    f"{int(frame[col].isna().sum())} respondents have no '{col}'",
                    code="not_estimable",
                    column=col,
                    expected=f"a {col} for every respondent",
                )
            )
    if not problems and len(frame):
        probe = "__mande_probe__"
        try:
            res = estimate(frame.assign(**{probe: 1.0}), d, probe, kind="mean")
            ok = bool(np.isfinite(res["estimate"]).all())
        except (MandeError, ValueError, ZeroDivisionError, FloatingPointError) as exc:
            ok = False
            problems.append(
                Problem(
                    f"the design cannot be estimated ({exc})",
                    code="not_estimable",
                    expected="a design that gives estimates",
                )
            )
        if ok is False and not problems:
            problems.append(
                Problem(
                    "the design gives no finite estimate",
                    code="not_estimable",
                    expected="a design that gives estimates",
                )
            )
    if problems:
        raise DataValidationError(
            "the round cannot be estimated, so it was not stored and the current version is "
            "unchanged; fix the weights or the design columns and upload again",
            problems,
        )
