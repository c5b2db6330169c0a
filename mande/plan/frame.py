"""Reading a sampling frame: the villages (PSUs) a round may draw, with their size measure.

A frame is a CSV or spreadsheet with one row per village. Required columns: ``psu`` (the village's
id, unique), ``village`` (its name), ``region`` (the stratum), ``admin2``, ``urban_rural``
(``urban`` or ``rural``) and ``population`` (census population, the size measure). Optional:
``households`` (census households; pre-fills ``households_listed`` in the plan), ``lon`` and
``lat`` (the village centre, to place it on the map). Other columns are kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, Problem

__all__ = ["FRAME_COLUMNS", "OPTIONAL_FRAME_COLUMNS", "check_frame", "read_frame"]

FRAME_COLUMNS = ("psu", "village", "region", "admin2", "urban_rural", "population")
OPTIONAL_FRAME_COLUMNS = ("households", "lon", "lat")
_NUMERIC = ("population", "households", "lon", "lat")
_MAX_LISTED = 50


def check_frame(frame: pd.DataFrame, *, sheet: str | None = None) -> pd.DataFrame:
    """Check a frame and return a clean copy (ids and names as text, numbers as numbers).

    Raises
    ------
    DataValidationError
        Every problem found: a required column missing, a village id missing or repeated, a
        population missing, not a number or negative, ``urban_rural`` other than urban / rural, a
        coordinate that is not a number. Rows are the spreadsheet's (header = row 1).
    """
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"the frame has no column {', '.join(map(repr, missing))}; a frame needs "
            f"{', '.join(FRAME_COLUMNS)} (its columns: {', '.join(map(str, frame.columns))})",
            [
                Problem(
                    f"column {c!r} not found", code="missing_column", sheet=sheet, column=c,
                    expected="a frame column",
                )
                for c in missing
            ],
        )  # fmt: skip
    out = frame.reset_index(drop=True).copy()
    problems: list[Problem] = []

    def flag(rows: np.ndarray, column: str, message: str, code: str, expected: str) -> None:
        for i in rows[:_MAX_LISTED]:
            problems.append(
                Problem(
                    message, code=code, sheet=sheet, row=int(i) + 2, column=column,
                    value=str(frame.iloc[i][column]), expected=expected,
                )
            )  # fmt: skip
        if len(rows) > _MAX_LISTED:
            problems.append(
                Problem(f"... and {len(rows) - _MAX_LISTED} more rows", sheet=sheet, column=column)
            )

    for col in ("psu", "village", "region", "admin2", "urban_rural"):
        text = out[col].map(lambda v: "" if v is None or v != v else str(v).strip())
        # ids written as numbers by a spreadsheet (12.0) read back as 12
        text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
        out[col] = text
        blank = np.flatnonzero((text == "").to_numpy())
        if len(blank) and col in ("psu", "region"):
            flag(blank, col, f"the village has no {col}", f"missing_{col}", f"the village's {col}")
    dup = np.flatnonzero(out["psu"].duplicated(keep=False).to_numpy() & (out["psu"] != ""))
    flag(dup, "psu", "the village id appears more than once", "duplicate_psu", "a unique id")
    out["urban_rural"] = out["urban_rural"].str.lower()
    wrong = np.flatnonzero((~out["urban_rural"].isin(["urban", "rural"])).to_numpy())
    flag(wrong, "urban_rural", "area type not known", "bad_urban_rural", "urban or rural")
    for col in _NUMERIC:
        if col not in out.columns:
            continue
        raw = out[col].map(lambda v: np.nan if v is None or v == "" else v)
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna()
        if col == "population":
            bad = bad | num.isna() | (num < 0)
        elif col == "households":
            bad = bad | (num < 0)
        flag(
            np.flatnonzero(bad.to_numpy()), col,
            f"{col} is missing, not a number or negative" if col == "population"
            else f"{col} is not a number" + (" or is negative" if col == "households" else ""),
            f"bad_{col}", "a number" + (", 0 or more" if col in ("population", "households") else ""),
        )  # fmt: skip
        out[col] = num.astype(float)
    if problems:
        raise DataValidationError(
            f"the frame has {len(problems)} problem(s); fix the rows listed and load it again",
            problems,
        )
    return out


def read_frame(path: str | Path) -> pd.DataFrame:
    """Read a sampling frame (CSV or spreadsheet; first sheet) and check it (:func:`check_frame`).

    The file goes through the guard every upload goes through (size, zip bomb, password, type
    sniffed from the bytes, formulas).
    """
    from mande.ingest._files import read_tables

    tables = read_tables(path, sheets=1)
    table = next(iter(tables.values()))
    return check_frame(table.frame, sheet=table.sheet if Path(path).suffix != ".csv" else None)
