"""One way to read a date, wherever a date comes from: a cell of an export or a coding sheet, a
value in mission.yaml, a column of the store.

``parse_date`` reads ``date``/``datetime``/``Timestamp`` values, ISO text (``2026-05-31``, with or
without a time), day-first text (``31/05/2026``, ``31.05.2026``, ``31-05-2026``, ``31/05/26``),
``2026/05/31``, and, when asked, Excel serial day numbers. Empty values are ``None``; text that is
not a date raises ``ValueError`` (``as_date`` returns ``None`` instead).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

__all__ = ["DATE_FORMATS", "as_date", "parse_date"]

#: Text formats tried after ISO 8601, in order (day first, as UN missions write dates).
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%d/%m/%y",
)


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def parse_date(value: Any, *, excel_serial: bool = False, free_text: bool = True) -> dt.date | None:
    """The calendar day of ``value``; None when empty.

    Parameters
    ----------
    value:
        A date, datetime, pandas Timestamp, text, or (with ``excel_serial``) a number.
    excel_serial:
        Read a number between 20000 and 80000 as an Excel serial day (1954-2119), as spreadsheets
        store dates in cells formatted as numbers.
    free_text:
        After the formats above, let pandas read other spellings ("31 May 2026"); False keeps to
        the formats (coding sheets, whose dates must be written one way).

    Raises
    ------
    ValueError
        When ``value`` is not empty and not a date.
    """
    if _empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if excel_serial and 20000 < value < 80000:
            from openpyxl.utils.datetime import from_excel

            out = from_excel(value)
            if isinstance(out, dt.datetime):
                return out.date()
        raise ValueError(f"{value!r} is a number, not a date; expected YYYY-MM-DD")
    text = str(value).strip()
    head = re.split(r"[T ]", text, maxsplit=1)[0] if ("T" in text or " " in text) else text
    try:
        return dt.date.fromisoformat(head[:10])
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    if not free_text:
        raise ValueError(f"{value!r} is not a date; expected YYYY-MM-DD")
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"{value!r} is not a date; expected YYYY-MM-DD") from None
    if pd.isna(ts):
        return None
    return ts.date()


def as_date(value: Any, *, excel_serial: bool = False, free_text: bool = True) -> dt.date | None:
    """:func:`parse_date`, with None for anything that is not a date."""
    try:
        return parse_date(value, excel_serial=excel_serial, free_text=free_text)
    except ValueError:
        return None
