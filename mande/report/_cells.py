"""Safe cell writing for the annex: text from users is never a formula.

openpyxl stores any string that starts with "=" as a formula. Text that comes from users (round
labels, partner types, quotes, file names, free-text answers) may start with "=", "+", "-", "@", a
tab or a carriage return, which Excel and LibreOffice would evaluate or treat as a formula on entry
(CSV/formula injection, OWASP). Every text written through :func:`put` (which is
:func:`mande.output.put`, the one writer of every CSV and Excel output) is stored as a plain string
cell (``data_type = "s"``) and, when it starts with one of those characters, with the cell style's
``quotePrefix`` set, which is what Excel itself does when a user types an apostrophe before a value.

The toolkit writes no formulas of its own in worksheets. :func:`foreign_formulas` reads a saved
workbook's XML and lists every formula found in a worksheet, and every chart reference that does not
point at one of the workbook's own sheets; :func:`~mande.report.annex.write_annex` refuses to leave a
file behind when that list is not empty.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from mande.output import DANGEROUS_PREFIXES, put, safe_text

__all__ = ["DANGEROUS_PREFIXES", "SUPPRESSED", "foreign_formulas", "put", "safe_text"]

SUPPRESSED = "–"  # en dash: the annex's mark for a suppressed estimate


_SHEET_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CHART_REF = re.compile(rb"<c:f>(.*?)</c:f>", re.S)
_OWN_REF = re.compile(r"^'?([^'!]+)'?!\$[A-Z]{1,3}\$\d+(:\$[A-Z]{1,3}\$\d+)?$")


def foreign_formulas(path: str | Path, sheet_titles: set[str] | None = None) -> list[str]:
    """Every formula in a saved workbook that the toolkit did not write itself.

    The toolkit writes no worksheet formulas, so any ``<f>`` element in a worksheet is listed; in
    charts, only plain references to the workbook's own sheets (``'Summary'!$B$2:$B$8``) are the
    toolkit's and every other ``<c:f>`` is listed. Returns descriptions ("xl/worksheets/sheet2.xml:
    formula"), empty when the file is clean.
    """
    found: list[str] = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                data = zf.read(name)
                if _SHEET_FORMULA.search(data):
                    found.append(f"{name}: worksheet formula")
            elif name.startswith("xl/charts/") and name.endswith(".xml"):
                for m in _CHART_REF.finditer(zf.read(name)):
                    ref = m.group(1).decode("utf-8", "replace")
                    own = _OWN_REF.match(ref)
                    if not own or (sheet_titles is not None and own.group(1) not in sheet_titles):
                        found.append(f"{name}: chart reference {ref!r}")
            elif name.startswith("xl/externalLinks/"):
                found.append(f"{name}: external link")
    return found
