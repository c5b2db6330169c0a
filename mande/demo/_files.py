"""Writing spreadsheets that come out byte-identical from one run to the next.

openpyxl stamps the workbook with the current time (document properties) and the zip entries with
the time of writing. Both are fixed here, so that re-generating the sample data leaves git clean.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

__all__ = ["FIXED_TIME", "write_xlsx"]

FIXED_TIME = dt.datetime(2024, 10, 1, 0, 0, 0)
"""The time written into every generated workbook (document properties and zip entries)."""


def write_xlsx(
    path: Path,
    sheets: Sequence[tuple[str, Iterable[Sequence[Any]]]],
    *,
    creator: str = "mande demo generator",
    title: str | None = None,
) -> Path:
    """Write rows to an ``.xlsx`` file, one sheet per ``(name, rows)``; the first row is the header.

    ``None`` is written as an empty cell. The file's bytes depend only on the rows.
    """
    wb = Workbook(write_only=True)
    wb.properties.creator = creator
    wb.properties.lastModifiedBy = creator
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    if title:
        wb.properties.title = title
    for name, rows in sheets:
        ws = wb.create_sheet(title=name)
        for row in rows:
            ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_normalise_zip(buffer.getvalue()))
    return path


def _normalise_zip(data: bytes) -> bytes:
    """Re-pack a zip with fixed entry times (and fixed modified time in docProps/core.xml)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fix_core_times(content, stamp)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()


def _fix_core_times(xml: bytes, stamp: str) -> bytes:
    import re

    text = xml.decode("utf-8")
    for tag in ("dcterms:created", "dcterms:modified"):
        text = re.sub(
            rf"(<{tag}[^>]*>)[^<]*(</{tag}>)", lambda m: f"{m.group(1)}{stamp}{m.group(2)}", text
        )
    return text.encode("utf-8")
