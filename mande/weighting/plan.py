"""A round's sample plan: the PSUs drawn, their inclusion probabilities and the households.

The plan is a CSV or xlsx file with one row per selected PSU (village, quartier, enumeration area):

==========================  ========  =============================================================
column                      required  meaning
==========================  ========  =============================================================
``stratum``                 yes       the stratum (region code) as in the round's export
``psu``                     yes       the PSU id as in the export's PSU column (``cluster_id``)
``inclusion_prob``          yes       first-stage inclusion probability of the PSU, 0 < p <= 1
``households_listed``       yes       households listed in the PSU by the team
``households_selected``     yes       households drawn for interview
``households_interviewed``  yes       households with a completed interview
``nonresponse_class``       no        weighting class for the non-response adjustment
                                      (default: the stratum), e.g. ``Nord-urban``
``urban_rural``, ``admin2``,  no      descriptive; ``round`` if one file holds several rounds
``village``, ``round``
==========================  ========  =============================================================

Reading is as guarded as any upload (size, type sniffed from the bytes, zip bombs, formulas);
every problem is collected and reported with its row, as for survey exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, Problem

__all__ = ["OPTIONAL_COLUMNS", "PLAN_COLUMNS", "SamplePlan", "read_plan"]

PLAN_COLUMNS: tuple[str, ...] = (
    "stratum",
    "psu",
    "inclusion_prob",
    "households_listed",
    "households_selected",
    "households_interviewed",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "nonresponse_class",
    "urban_rural",
    "admin2",
    "village",
    "round",
)
_COUNTS = ("households_listed", "households_selected", "households_interviewed")


@dataclass(frozen=True)
class SamplePlan:
    """A checked sample plan: ``table`` has the columns above (``nonresponse_class`` filled)."""

    table: pd.DataFrame
    source: str | None = None

    def for_round(self, label: str | None) -> SamplePlan:
        """The rows of one round when the plan has a ``round`` column (else the plan itself)."""
        if label is None or "round" not in self.table.columns:
            return self
        named = {str(r) for r in self.table["round"] if str(r).strip()}
        if len(named) <= 1:  # a plan of one round (or rounds not named): all of it
            return self
        rows = self.table[self.table["round"].astype(str) == str(label)]
        if rows.empty:
            found = ", ".join(sorted(self.table["round"].astype(str).unique())[:10])
            raise DataValidationError(
                f"the sample plan has no row for round {label!r}",
                [
                    Problem(
                        f"no PSU of round {label!r} in the plan (rounds in it: {found}); upload "
                        "the plan of this round",
                        code="plan_round_missing",
                        column="round",
                    )
                ],
            )
        return SamplePlan(rows.reset_index(drop=True), self.source)


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_plan(source: str | Path | pd.DataFrame, *, max_bytes: int | None = None) -> SamplePlan:
    """Read and check a sample plan (CSV, xlsx or a DataFrame).

    Raises
    ------
    DataValidationError
        With one problem per fault: a missing column; a PSU id or stratum missing; a PSU listed
        twice; an inclusion probability not in (0, 1]; household counts that are not whole
        numbers >= 0, or with interviewed > selected > listed, or none selected.
    """
    from mande.ingest._files import DEFAULT_MAX_BYTES, read_tables

    name: str | None = None
    sheet = None
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        name = Path(source).name
        tables = read_tables(source, max_bytes=max_bytes or DEFAULT_MAX_BYTES, sheets=1)
        table = next(iter(tables.values()))
        sheet, frame = table.sheet, table.frame
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    problems: list[Problem] = []
    missing = [c for c in PLAN_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"the sample plan {name or ''} lacks columns: {', '.join(missing)}".replace("  ", " "),
            [
                Problem(
                    f"column '{c}' not found; a sample plan has one row per selected PSU with "
                    f"columns {', '.join(PLAN_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)})",
                    code="missing_column",
                    sheet=sheet,
                    row=1,
                    column=c,
                )
                for c in missing
            ],
        )
    out = pd.DataFrame(index=frame.index)
    for col in ("stratum", "psu"):
        out[col] = frame[col].map(_text)
        for i in np.flatnonzero(out[col].to_numpy() == ""):
            problems.append(
                Problem(
                    f"{col} is missing",
                    code="missing_value",
                    sheet=sheet,
                    row=int(i) + 2,
                    column=col,
                    expected=f"a {col} id",
                )
            )
    prob = pd.to_numeric(frame["inclusion_prob"].map(lambda v: _text(v) or None), errors="coerce")
    for i in np.flatnonzero(~((prob > 0) & (prob <= 1)).to_numpy()):
        problems.append(
            Problem(
                f"inclusion probability {frame['inclusion_prob'].iloc[i]!r} is not a number in (0, 1]",
                code="invalid_probability",
                sheet=sheet,
                row=int(i) + 2,
                column="inclusion_prob",
                value=_text(frame["inclusion_prob"].iloc[i]),
                expected="a probability 0 < p <= 1",
            )
        )
    out["inclusion_prob"] = prob
    when = {
        "households_listed": "the households the team listed in the PSU",
        "households_selected": "the households drawn for interview",
        "households_interviewed": "the households interviewed, after fieldwork",
    }
    for col in _COUNTS:
        text = frame[col].map(_text)
        v = pd.to_numeric(text.where(text != "", None), errors="coerce")
        empty = (text == "").to_numpy()
        bad = (~(v >= 0) | (v.fillna(0) % 1 != 0)).to_numpy() & ~empty
        if empty.any():
            rows = np.flatnonzero(empty)
            problems.append(
                Problem(
                    f"{col} is empty on {len(rows)} row(s) (first: row {int(rows[0]) + 2}); fill "
                    f"in {when[col]} before weighting",
                    code="missing_count",
                    sheet=sheet,
                    row=int(rows[0]) + 2,
                    column=col,
                    expected="a count of households",
                )
            )
        for i in np.flatnonzero(bad):
            problems.append(
                Problem(
                    f"{col} {frame[col].iloc[i]!r} is not a whole number >= 0",
                    code="invalid_count",
                    sheet=sheet,
                    row=int(i) + 2,
                    column=col,
                    value=_text(frame[col].iloc[i]),
                    expected="a count of households",
                )
            )
        out[col] = v
    listed, selected, done = (out[c].to_numpy(dtype=float) for c in _COUNTS)
    with np.errstate(invalid="ignore"):
        checks = (
            (selected <= 0, "households_selected", "no household selected in the PSU"),
            (selected > listed, "households_selected", "more households selected than listed"),
            (
                done > selected,
                "households_interviewed",
                "more households interviewed than selected",
            ),
        )
    for mask, col, msg in checks:
        for i in np.flatnonzero(mask):
            problems.append(
                Problem(msg, code="invalid_count", sheet=sheet, row=int(i) + 2, column=col)
            )
    for col in OPTIONAL_COLUMNS:
        if col in frame.columns:
            out[col] = frame[col].map(_text)
    if "nonresponse_class" not in out.columns:
        out["nonresponse_class"] = out["stratum"]
    else:
        out["nonresponse_class"] = out["nonresponse_class"].where(
            out["nonresponse_class"] != "", out["stratum"]
        )
    key = ["round", "stratum", "psu"] if "round" in out.columns else ["stratum", "psu"]
    dup = out.duplicated(key, keep="first").to_numpy()
    for i in np.flatnonzero(dup):
        problems.append(
            Problem(
                f"PSU {out['psu'].iloc[i]!r} of stratum {out['stratum'].iloc[i]!r} is listed twice",
                code="duplicate_psu",
                sheet=sheet,
                row=int(i) + 2,
                column="psu",
            )
        )
    if problems:
        raise DataValidationError(
            f"the sample plan {name or ''} has {len(problems)} problem(s)".replace("  ", " "),
            problems,
        )
    return SamplePlan(out.reset_index(drop=True), name)
