"""The validation report of an ingested survey round, and the checks that fill it.

Errors block an upload: missing design columns, a weight that is missing or not above zero, answer
codes that are not in the form, duplicate or missing respondent ids, dates that cannot be read, a
round that mixes form versions. Warnings do not block: strata with a single PSU, very unequal
weights (Kish's design effect), high item non-response, interviews outside the fieldwork dates,
formulas in cells. Every problem names the sheet, the spreadsheet row (header = 1), the column as it
is in the file, the value found and what was expected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import Problem
from mande.ingest.privacy import Removed

__all__ = [
    "ValidationReport",
    "kish_deff",
    "row_problems",
]

#: At most this many problems of one kind in one column are listed; a last one counts the rest.
MAX_PER_COLUMN = 200


@dataclass(frozen=True)
class ValidationReport:
    """What ingest found in a file.

    Attributes
    ----------
    problems:
        Every problem found. On a round that was accepted these are warnings only.
    removed:
        The columns removed as personal data or submission metadata, each with its reason.
    counts:
        ``rows``, ``columns`` (in the file), ``items_mapped``, ``questions_kept`` (unmapped,
        kept), ``columns_removed``, ``errors``, ``warnings``.
    columns:
        Standard column -> the file's column it was read from.
    """

    problems: tuple[Problem, ...] = ()
    removed: tuple[Removed, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame (one row per problem)."""
        cols = ["severity", "code", "sheet", "row", "column", "value", "expected", "message"]
        return pd.DataFrame([p.as_dict() for p in self.problems], columns=cols)

    def feeds(self, catalogue: Any = None) -> pd.DataFrame:
        """Which indicators each question read into a standard item feeds.

        One row per standard item read from the file: ``column`` (as in the file), ``item``,
        ``indicators`` (ids, comma-separated; empty for a breakdown, which splits every
        indicator) and ``breakdown`` (bool). ``catalogue``: default the standard catalogue.
        """
        from mande.indicators.items import standard_items
        from mande.ingest.mapping import indicators_of_items

        items = standard_items()
        read = {c: h for c, h in self.columns.items() if c in items}
        fed = indicators_of_items(read, catalogue)
        rows = [
            {
                "column": header,
                "item": item,
                "indicators": ", ".join(fed[item]),
                "breakdown": items[item].role == "breakdown",
            }
            for item, header in read.items()
        ]
        return pd.DataFrame(rows, columns=["column", "item", "indicators", "breakdown"])

    def removed_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"column": r.column, "reason": r.reason} for r in self.removed],
            columns=["column", "reason"],
        )


def row_problems(
    mask: pd.Series | np.ndarray,
    values: pd.Series,
    *,
    message: str,
    code: str,
    sheet: str,
    column: str,
    expected: str,
    severity: str = "error",
    limit: int = MAX_PER_COLUMN,
    first_row: int = 2,
) -> list[Problem]:
    """One problem per flagged row (spreadsheet row = position + ``first_row``: 2 under the header,
    3 under a header and an HXL hashtag row), at most ``limit`` then a count."""
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    out: list[Problem] = []
    for i in idx[:limit]:
        v = values.iloc[i]
        out.append(
            Problem(
                message.format(value=_text(v)),
                severity=severity,  # type: ignore[arg-type]
                code=code,
                sheet=sheet,
                row=int(i) + first_row,
                column=column,
                value=_text(v),
                expected=expected,
            )
        )
    if len(idx) > limit:
        out.append(
            Problem(
                f"... and {len(idx) - limit} more rows with the same problem in column '{column}'",
                severity=severity,  # type: ignore[arg-type]
                code=code,
                sheet=sheet,
                column=column,
                expected=expected,
            )
        )
    return out


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def kish_deff(weights: pd.Series | np.ndarray) -> float:
    """Kish's design effect due to unequal weights.

    Notes
    -----
    .. math:: \\mathrm{deff}_w = 1 + \\mathrm{CV}^2(w) = n \\sum w_i^2 / (\\sum w_i)^2,

    with CV the coefficient of variation of the weights (population variance). Reference: Kish,
    L. (1965), *Survey Sampling*, section 11.7; Kish (1992), "Weighting for unequal Pi",
    *Journal of Official Statistics* 8(2). Checked by hand: equal weights give 1.
    """
    w = np.asarray(weights, dtype=float)
    w = w[np.isfinite(w)]
    if w.size == 0 or w.sum() <= 0:
        return float("nan")
    w = w / np.abs(w).max()  # deff is scale-free; scaling keeps w**2 finite for huge weights
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def design_warnings(
    strata: pd.Series | None,
    psu: pd.Series | None,
    weight: pd.Series,
    *,
    sheet: str,
    columns: dict[str, str],
    max_deff: float,
) -> list[Problem]:
    out: list[Problem] = []
    if strata is not None and psu is not None:
        counts = pd.DataFrame({"s": strata, "p": psu}).dropna().groupby("s")["p"].nunique()
        for s, n in counts.items():
            if n == 1:
                out.append(
                    Problem(
                        f"stratum '{s}' has a single PSU; its variance cannot be estimated "
                        "(lonely PSU); the design's lonely_psu option decides what is done",
                        severity="warning",
                        code="single_psu",
                        sheet=sheet,
                        column=columns.get("psu"),
                        value=str(s),
                        expected="at least two PSUs per stratum",
                    )
                )
    deff = kish_deff(weight)
    if np.isfinite(deff) and deff > max_deff:
        w = pd.to_numeric(weight, errors="coerce")
        out.append(
            Problem(
                f"weights are very unequal: Kish's design effect 1 + CV² = {deff:.2f} (weights "
                f"from {w.min():.4g} to {w.max():.4g}); estimates will be imprecise. Check the "
                "weighting, or trim extreme weights",
                severity="warning",
                code="unequal_weights",
                sheet=sheet,
                column=columns.get("weight"),
                value=f"{deff:.2f}",
                expected=f"a design effect of at most {max_deff:g}",
            )
        )
    return out


def nonresponse_warnings(
    frame: pd.DataFrame,
    items: Sequence[tuple[str, str]],
    *,
    sheet: str,
    max_share: float,
    missing_codes: tuple[Any, ...] = (98, 99),
) -> list[Problem]:
    """Warn for items whose share of missing, don't know or refused answers is over ``max_share``.

    ``items`` holds (standard column, file column) pairs of questions asked of everyone.
    """
    out: list[Problem] = []
    n = len(frame)
    if n == 0:
        return out
    for col, source in items:
        s = frame[col]
        miss = s.isna() | s.isin(missing_codes)
        share = float(miss.mean())
        if share > max_share:
            out.append(
                Problem(
                    f"{share:.0%} of respondents gave no substantive answer to '{col}' (missing, "
                    "don't know or refused)",
                    severity="warning",
                    code="item_nonresponse",
                    sheet=sheet,
                    column=source,
                    value=f"{share:.3f}",
                    expected=f"at most {max_share:.0%}",
                )
            )
    return out


def fieldwork_warnings(
    dates: pd.Series,
    fieldwork: tuple[dt.date, dt.date],
    *,
    sheet: str,
    column: str,
    first_row: int = 2,
) -> list[Problem]:
    start, end = fieldwork
    d = pd.to_datetime(dates, errors="coerce")
    mask = d.notna() & ((d < pd.Timestamp(start)) | (d > pd.Timestamp(end)))
    return row_problems(
        mask.to_numpy(),
        dates,
        message="interview dated {value}, outside the fieldwork " + f"({start} to {end})",
        code="outside_fieldwork",
        sheet=sheet,
        column=column,
        expected=f"a date from {start} to {end}",
        severity="warning",
        first_row=first_row,
    )


#: The breakdowns the dashboard and the annex show every indicator by.
STANDARD_BREAKDOWNS: tuple[str, ...] = (
    "sex",
    "age_group",
    "region",
    "urban_rural",
    "displacement",
    "disability",
)
_BREAKDOWN_SOURCE = {
    "age_group": "age",
    "disability": "wg_*",
}


def missing_breakdowns(
    frame: pd.DataFrame, breakdowns: Sequence[str] = STANDARD_BREAKDOWNS
) -> list[str]:
    """The standard breakdowns ``frame`` lacks (no column, or every value missing)."""
    return [b for b in breakdowns if b not in frame.columns or not frame[b].notna().any()]


def breakdown_warnings(
    frame: pd.DataFrame,
    *,
    sheet: str | None = None,
    breakdowns: Sequence[str] = STANDARD_BREAKDOWNS,
) -> list[Problem]:
    """A warning naming the standard breakdowns the round lacks and what the dashboard and the
    annex will therefore not show (code ``missing_breakdown``); none when it has them all."""
    missing = missing_breakdowns(frame, breakdowns)
    if not missing:
        return []
    names = ", ".join(b.replace("_", " ") for b in missing)
    sources = ", ".join(_BREAKDOWN_SOURCE.get(b, b) for b in missing)
    return [
        Problem(
            f"the round has no {names}: the dashboard and the annex will show no indicator by "
            f"{names} for this round. If the form asks them, map its questions to the standard "
            f"items ({sources}) in the mapping file",
            severity="warning",
            code="missing_breakdown",
            sheet=sheet,
            column=", ".join(missing),
            expected="questions mapped to " + sources,
        )
    ]
