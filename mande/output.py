"""The one writer of the tables mande hands out as CSV or Excel: no cell is ever a live formula.

Text that comes from users (round labels, file names, partner types, quotes, free-text answers) may
start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, which Excel, LibreOffice and Google
Sheets evaluate or treat as the start of a formula when the file is opened (CSV or formula
injection; OWASP, "CSV Injection"). Every table the toolkit writes goes through this module: the CLI
(``mande results --out``), the dashboard's downloads (Explorer and Partners CSV) and the Excel annex.

Decisions
---------
- CSV: a text cell that starts with one of :data:`DANGEROUS_PREFIXES` is written with a leading
  apostrophe (``'=1+1``), OWASP's recommendation; spreadsheets then show it as text. Numbers,
  booleans and dates are written as such (a negative number is a number, not text).
- Excel: a text cell is always a string cell (``data_type = "s"``, never ``"f"``); when it starts
  with a dangerous character the cell's ``quotePrefix`` is set, which is what Excel itself records
  when a user types an apostrophe before a value. Control characters that XML forbids are removed and
  text is cut to Excel's 32,767 characters.
- The same rule is used for every output, so :func:`is_live` tells a test or a reviewer whether a
  written cell would be evaluated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "DANGEROUS_PREFIXES",
    "csv_bytes",
    "is_live",
    "neutralise",
    "put",
    "safe_text",
    "write_csv",
    "write_table",
    "write_xlsx",
    "xlsx_bytes",
]

#: A text cell starting with one of these is escaped (OWASP's list, plus a line feed).
DANGEROUS_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n")

_MAX_CELL = 32_767  # Excel's limit on characters in a cell


def neutralise(value: Any) -> Any:
    """A CSV cell value that no spreadsheet evaluates: dangerous text gets a leading apostrophe.

    Anything that is not text is returned unchanged.

    >>> neutralise("=HYPERLINK(1)"), neutralise("-cmd"), neutralise(-1.5), neutralise("ok")
    ("'=HYPERLINK(1)", "'-cmd", -1.5, 'ok')
    """
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def is_live(value: Any, *, quote_prefix: bool = False, data_type: str | None = None) -> bool:
    """Whether a written cell would be evaluated by a spreadsheet: a formula cell, or text that
    starts with a dangerous character without an escape (apostrophe or Excel's quote prefix)."""
    if data_type == "f":
        return True
    return isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES) and not quote_prefix


def safe_text(value: object) -> str:
    """Text fit for an Excel cell: illegal XML control characters removed, cut to 32,767 chars."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text[:_MAX_CELL]


def _neutral_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out[col] = s.map(neutralise)
    return out


def write_csv(
    frame: pd.DataFrame,
    path_or_buffer: str | Path | IO[str],
    *,
    float_format: str | None = None,
    lineterminator: str = "\r\n",
) -> None:
    """Write ``frame`` as CSV (UTF-8, comma, CRLF as RFC 4180 unless ``lineterminator`` says
    otherwise, header row, no index) with dangerous text escaped; a value holding a line break or a
    carriage return is quoted."""
    _neutral_frame(frame).to_csv(
        path_or_buffer,
        index=False,
        quoting=csv.QUOTE_MINIMAL,
        lineterminator=lineterminator,
        float_format=float_format,
    )


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV bytes (UTF-8 with a byte-order mark, so that Excel reads accents)."""
    buf = io.StringIO()
    write_csv(frame, buf)
    return buf.getvalue().encode("utf-8-sig")


def put(ws: Worksheet, row: int, column: int, value: Any, **style: Any) -> Any:
    """Write ``value`` into ``ws`` at (row, column) safely and return the cell.

    Numbers, booleans and dates are written as such (NaN and None leave the cell empty); anything
    else is written as text, never as a formula. ``style`` sets cell attributes (``font``,
    ``number_format``, ``alignment``, ``fill``, ``border``).
    """
    cell = ws.cell(row=row, column=column)
    if value is None or value is pd.NaT or value is pd.NA:
        pass
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            cell.value = None
        else:
            cell.value = value
    elif isinstance(value, pd.Timestamp):
        cell.value = value.to_pydatetime()
    elif isinstance(value, dt.datetime | dt.date):
        cell.value = value
    elif hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return put(ws, row, column, value.item(), **style)
    else:
        text = safe_text(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl made it "f" if it starts with "="
        if text.startswith(DANGEROUS_PREFIXES):
            cell.quotePrefix = True
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def _sheet_title(name: str, taken: set[str]) -> str:
    base = "".join(ch for ch in safe_text(name) if ch not in "[]:*?/\\'")[:31].strip() or "Sheet"
    title, i = base, 1
    while title in taken:
        i += 1
        title = f"{base[:28]}_{i}"
    taken.add(title)
    return title


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame] | pd.DataFrame, path_or_buffer: str | Path | IO[bytes]
) -> None:
    """Write one table (or several, one sheet each) as an Excel workbook with :func:`put`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    tables = {"results": sheets} if isinstance(sheets, pd.DataFrame) else dict(sheets)
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    taken: set[str] = set()
    bold = Font(bold=True)
    for name, frame in tables.items():
        ws = wb.create_sheet(_sheet_title(str(name), taken))
        for j, col in enumerate(frame.columns, start=1):
            put(ws, 1, j, str(col), font=bold)
        for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
            for j, value in enumerate(row, start=1):
                if isinstance(value, float) and math.isnan(value):
                    continue
                put(ws, i, j, value)
    wb.save(path_or_buffer)  # type: ignore[arg-type]


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame] | pd.DataFrame) -> bytes:
    """:func:`write_xlsx` into memory (for a download button)."""
    buf = io.BytesIO()
    write_xlsx(sheets, buf)
    return buf.getvalue()


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to ``path`` as Excel when it ends in ``.xlsx``, else as CSV."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        write_xlsx(frame, path)
    else:
        write_csv(frame, path)
    return path
