"""Opening uploaded spreadsheets safely: size limit, zip-bomb guard, type sniffing, header checks.

Shared by every reader of uploaded files (survey exports, XLSForms, partner coding sheets). Nothing
here trusts the file name: the type is read from the file's first bytes.

Decisions
---------
- A file larger than ``max_bytes`` (``Settings.max_upload_bytes``, 200 MB by default) is refused
  before anything is read.
- An ``.xlsx`` is a zip archive: its directory is read first and the workbook refused when the
  members would expand to more than ``max_uncompressed_bytes`` (2 GB by default) or when a member
  larger than 1 MB expands more than ``max_ratio`` times (200 by default; real exports expand 5 to
  30 times). Nothing is decompressed before that check.
- A password-protected workbook is an OLE (CFB) container holding an ``EncryptedPackage`` stream:
  refused with a message asking for an unprotected copy.
- Formulas: calamine returns the value Excel cached when the file was last saved. A formula cell
  with a cached value is reported as a warning and its value used; a formula cell without a cached
  value (a file written by a program that never calculated it) is an error, since its value is
  unknown. Formulas are found by a cheap scan of the sheet XML for ``<f>`` elements.
- Headers: a blank header over a column holding data, or the same header twice, is an error. Blank
  trailing columns (no header, no data) are dropped silently. Invisible characters in a header
  (zero-width spaces, byte-order marks, control characters) are removed with a warning, so that a
  header that looks like ``age`` is read as ``age``.
- Bounded work: the width of a table is checked before it is parsed. A CSV line longer than
  ``max_line_chars`` (1,000,000 by default) or a header of more than ``max_columns`` columns (5,000
  by default) is refused from a scan of the raw bytes; an ``.xlsx`` sheet is refused from a scan
  of its cell references before the workbook is loaded. Blank rows are dropped while reading (a
  warning says how many were inside the data, since row numbers in later messages then skip them).
- Hidden sheets: a survey export's data is read from its first *visible* sheet, and a warning names
  each hidden sheet; an export whose sheets are all hidden is refused. A reader of every sheet (an
  XLSForm) reads them all, and the warning names the hidden ones.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

import pandas as pd

from mande.errors import DataValidationError, Problem

__all__ = [
    "FileKind",
    "Table",
    "check_file",
    "open_table",
    "read_tables",
    "sha256_file",
]

FileKind = Literal["xlsx", "xls", "csv"]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED = 2 * 1024 * 1024 * 1024
DEFAULT_MAX_RATIO = 200.0
DEFAULT_MAX_COLUMNS = 5_000
DEFAULT_MAX_LINE_CHARS = 1_000_000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_KNOWN_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"MZ": "a Windows program",
    b"\x7fELF": "a program",
}
_ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass(frozen=True)
class Table:
    """One sheet read from a file: the cells under the header, and what was noticed on the way.

    ``frame`` has one column per header (object dtype, cells as Python values: str, float, bool,
    date/datetime; '' for an empty cell). Row ``i`` of the frame is spreadsheet row ``i + 2``.
    """

    sheet: str
    frame: pd.DataFrame
    warnings: tuple[Problem, ...] = field(default=())


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fail(
    message: str,
    code: str,
    *,
    expected: str | None = None,
    value: str | None = None,
    sheet: str | None = None,
) -> NoReturn:
    raise DataValidationError(
        message,
        [Problem(message, code=code, expected=expected, value=value, sheet=sheet)],
    )


def check_file(
    path: str | Path,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    *,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> FileKind:
    """Check that ``path`` is a spreadsheet mande may open, and say which kind.

    Reads the first bytes (not the extension), the size, and for ``.xlsx`` the zip directory.

    Returns
    -------
    "xlsx", "xls" or "csv"

    Raises
    ------
    DataValidationError
        Missing or empty file, too large, a zip bomb, password-protected, corrupt, or not a
        spreadsheet. Each with one :class:`~mande.errors.Problem` whose ``code`` names the case:
        ``file_not_found``, ``empty_file``, ``too_large``, ``zip_bomb``, ``password_protected``,
        ``corrupt``, ``not_a_spreadsheet``.
    """
    path = Path(path)
    if not path.is_file():
        _fail(f"file {str(path)!r} not found; give the path of the exported file", "file_not_found")
    size = path.stat().st_size
    if size == 0:
        _fail(
            f"{path.name} is empty (0 bytes); export the data again from the collection tool",
            "empty_file",
        )
    if max_bytes is not None and size > max_bytes:
        _fail(
            f"{path.name} is {size / 1e6:.1f} MB, larger than the {max_bytes / 1e6:.1f} MB "
            "accepted; split the export by date or region, or raise MANDE_MAX_UPLOAD_MB",
            "too_large",
            value=str(size),
            expected=f"at most {max_bytes} bytes",
        )
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if head.startswith(_ZIP_MAGIC):
        _check_zip(path, max_uncompressed_bytes, max_ratio)
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        data = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data:
            _fail(
                f"{path.name} is protected by a password; open it in Excel, remove the password "
                "(File > Info > Protect Workbook) and upload the unprotected copy",
                "password_protected",
            )
        return "xls"
    for magic, what in _KNOWN_MAGIC.items():
        if head.startswith(magic):
            _fail(
                f"{path.name} is {what}, not a spreadsheet; upload the .xlsx, .xls or .csv export",
                "not_a_spreadsheet",
                expected="an .xlsx, .xls or .csv file",
            )
    if b"\x00" in head or _text_encoding(head) is None:
        _fail(
            f"{path.name} is not a spreadsheet (binary content of an unknown kind); upload the "
            ".xlsx, .xls or .csv export",
            "not_a_spreadsheet",
            expected="an .xlsx, .xls or .csv file",
        )
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<?xml")):
        _fail(
            f"{path.name} is a web page or XML document, not a spreadsheet; download the export "
            "itself (.xlsx, .xls or .csv)",
            "not_a_spreadsheet",
            expected="an .xlsx, .xls or .csv file",
        )
    return "csv"


def _text_encoding(head: bytes) -> str | None:
    for enc in _ENCODINGS:
        dec = codecs.getincrementaldecoder(enc)()
        try:
            dec.decode(head, final=False)
            return enc
        except UnicodeDecodeError:
            continue
    return None


def _check_zip(path: Path, max_uncompressed: int, max_ratio: float) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError) as exc:
        _fail(
            f"{path.name} is a damaged zip/xlsx file ({exc}); export it again or re-save it in Excel",
            "corrupt",
        )
        return
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        what = (
            "a Word document"
            if "word/document.xml" in names
            else "a PowerPoint file"
            if "ppt/presentation.xml" in names
            else "a zip archive"
        )
        _fail(
            f"{path.name} is {what}, not an Excel workbook; upload the .xlsx, .xls or .csv export",
            "not_a_spreadsheet",
            expected="an .xlsx, .xls or .csv file",
        )
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        _fail(
            f"{path.name} would expand to {total / 1e9:.2f} GB when opened, more than the "
            f"{max_uncompressed / 1e9:.2f} GB allowed; this looks like a zip bomb or a damaged "
            "file. Export the data again.",
            "zip_bomb",
            value=str(total),
            expected=f"at most {max_uncompressed} bytes uncompressed",
        )
    for info in infos:
        if info.file_size > 1 << 20:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > max_ratio:
                _fail(
                    f"{path.name}: member {info.filename} expands {ratio:.0f} times "
                    f"({info.compress_size} -> {info.file_size} bytes), more than the "
                    f"{max_ratio:.0f} times a real export does; this looks like a zip bomb. "
                    "Export the data again.",
                    "zip_bomb",
                    value=f"ratio {ratio:.0f}",
                    expected=f"a compression ratio of at most {max_ratio:.0f}",
                )


# --------------------------------------------------------------------------------------------
# Reading


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _frame(
    rows: list[list[Any]], sheet: str, source: str, allow_empty: bool = False
) -> pd.DataFrame:
    """Header checks, then a DataFrame of the cells under the header (object dtype)."""
    if not rows or all(all(v in ("", None) for v in r) for r in rows):
        if allow_empty:
            return pd.DataFrame()
        _fail(
            f"{source}: sheet '{sheet}' is empty; export the data with its header row",
            "empty_sheet",
            sheet=sheet,
        )
    header, header_warnings = _clean_headers(rows[0], sheet)
    body = rows[1:]
    width = len(header)
    problems: list[Problem] = []
    keep: list[int] = []
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        if name == "":
            has_data = any(j < len(r) and r[j] not in ("", None) for r in body)
            if has_data and j == 0 and _row_names(body):
                continue  # R's or pandas' row names, written without a header
            if has_data:
                problems.append(
                    Problem(
                        f"column {_col_letter(j)} has data but no header; give it a name or "
                        "delete it",
                        code="blank_header",
                        sheet=sheet,
                        row=1,
                        column=_col_letter(j),
                        value="",
                        expected="a column name",
                    )
                )
            continue
        if name in seen:
            problems.append(
                Problem(
                    f"header '{name}' appears twice (columns {_col_letter(seen[name])} and "
                    f"{_col_letter(j)}); rename or delete one",
                    code="duplicate_header",
                    sheet=sheet,
                    row=1,
                    column=name,
                    value=name,
                    expected="unique column names",
                )
            )
            continue
        seen[name] = j
        keep.append(j)
    if problems:
        raise DataValidationError(
            f"{source}: the header row of sheet '{sheet}' is invalid", problems
        )
    if not body:
        if allow_empty:
            return pd.DataFrame(columns=[header[j] for j in keep])
        _fail(
            f"{source}: sheet '{sheet}' has a header but no data rows",
            "empty_sheet",
            sheet=sheet,
        )
    frame = pd.DataFrame(body, columns=range(width) if body and len(body[0]) == width else None)
    if frame.shape[1] < width:
        for j in range(frame.shape[1], width):
            frame[j] = ""
    frame = frame.iloc[:, keep]
    frame.columns = [header[j] for j in keep]
    frame = frame.reset_index(drop=True)
    frame.attrs["warnings"] = header_warnings
    return frame


_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn"}


def _clean_headers(cells: list[Any], sheet: str) -> tuple[list[str], list[Problem]]:
    """Headers as text without invisible characters (zero-width, control, BOM), each removal
    reported as a warning."""
    out: list[str] = []
    warnings: list[Problem] = []
    for j, v in enumerate(cells):
        raw = "" if v is None else str(v)
        gone = [ch for ch in raw if unicodedata.category(ch) in _INVISIBLE and ch not in " \t"]
        text = "".join(ch for ch in raw if ch not in gone) if gone else raw
        text = " ".join(text.split())
        if gone:
            codes = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in gone}))
            warnings.append(
                Problem(
                    f"header '{text}' held invisible characters ({codes}); they were removed and "
                    "the column is read as '" + text + "'",
                    severity="warning",
                    code="invisible_characters",
                    sheet=sheet,
                    row=1,
                    column=_col_letter(j),
                    value=text,
                    expected="a header without invisible characters",
                )
            )
        out.append(text)
    return out, warnings


def _drop_blank_rows(
    rows: Iterable[list[Any]], sheet: str, max_columns: int, source: str, *, text: bool = False
) -> tuple[list[list[Any]], list[Problem]]:
    """The rows that hold something (the header row is always kept), and a warning when blank rows
    inside the data were dropped. Refuses a row wider than ``max_columns``. ``text``: every cell is
    a str (a CSV), which allows a faster test."""
    kept: list[list[Any]] = []
    n_inner = n_pending = 0
    first_inner: list[int] = []
    pending_first: list[int] = []
    for i, row in enumerate(rows, start=1):
        if len(row) > max_columns and any(v not in ("", None) for v in row[max_columns:]):
            _too_wide(source, sheet, len(row), max_columns)
        blank = (
            not "".join(row).strip()
            if text
            else not any(row)  # C-speed for rows with data; whitespace-only text kept as data
            and all(v is None or (isinstance(v, str) and not v.strip()) for v in row)
        )
        if blank and kept:
            if len(pending_first) < 5:
                pending_first.append(i)
            n_pending += 1
            continue
        if n_pending:
            n_inner += n_pending
            first_inner += pending_first[: 5 - len(first_inner)]
            n_pending, pending_first = 0, []
        kept.append(row)
    warnings: list[Problem] = []
    if n_inner:
        shown = ", ".join(str(r) for r in first_inner) + (" ..." if n_inner > 5 else "")
        warnings.append(
            Problem(
                f"{n_inner} blank row(s) inside the data were skipped (rows {shown}); row "
                "numbers in the messages that follow count the rows with data only",
                severity="warning",
                code="blank_rows",
                sheet=sheet,
                value=str(n_inner),
                expected="no blank rows between the data rows",
            )
        )
    return kept, warnings


def _too_wide(source: str, sheet: str | None, width: int, max_columns: int) -> NoReturn:
    _fail(
        f"{source}: {'sheet ' + repr(sheet) + ' has' if sheet else 'the table has'} {width} "
        f"columns, more than the {max_columns} accepted; this is not a survey export (a real one "
        "has a few hundred). Export the data again, or raise max_columns",
        "too_wide",
        value=str(width),
        expected=f"at most {max_columns} columns",
        sheet=sheet,
    )


def _row_names(body: list[list[Any]]) -> bool:
    """True when the first cell of each row is a whole number, strictly increasing from 0 or 1:
    the row names that R's ``write.csv`` or pandas' ``to_csv`` write under an empty header (with
    gaps where rows were filtered out)."""
    try:
        values = [float(r[0]) for r in body]
    except (TypeError, ValueError, IndexError):
        return False
    if not values or values[0] not in (0.0, 1.0):
        return False
    return all(v.is_integer() for v in values) and all(b > a for a, b in itertools.pairwise(values))


_FORMULA = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?>\s*<f[ >/]')
_FORMULA_EMPTY = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*?>\s*<f[^>]*?(?:/>|>[^<]*</f>)\s*(?:<v>\s*</v>|<v/>)?\s*</c>'
)


def _formula_problems(
    path: Path, sheet_name: str, index: int, width: list[int] | None = None
) -> list[Problem]:
    """Scan one sheet's XML for formula cells (cheap: a regex over the decompressed stream).

    In the same pass, ``width`` (when given) receives the sheet's number of columns: from its
    ``<dimension>`` element and every cell reference with a three-letter column (the only ones past
    column 702), so that a wide sheet is refused before it is loaded.
    """
    widest = 0
    try:
        with zipfile.ZipFile(path) as zf:
            member = _sheet_member(zf, sheet_name, index)
            if member is None:
                return []
            found: list[tuple[str, int]] = []
            empty: list[tuple[str, int]] = []
            tail = b""
            with zf.open(member) as fh:
                while True:
                    chunk = fh.read(1 << 22)
                    if not chunk:
                        break
                    data = tail + chunk
                    if width is not None:
                        if not widest:
                            dim = _DIMENSION.search(data[:4096])
                            widest = _col_index(dim.group(1)) if dim else 1
                        for m in _WIDE_REF.finditer(data):
                            widest = max(widest, _col_index(m.group(1)))
                    if b"<f" in data:
                        cut = data.rfind(b"<c ")
                        scan, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
                        found += [(m[1].decode(), int(m[2])) for m in _FORMULA.finditer(scan)]
                        empty += [(m[1].decode(), int(m[2])) for m in _FORMULA_EMPTY.finditer(scan)]
                    else:
                        tail = data[-256:]
            if tail:
                found += [(m[1].decode(), int(m[2])) for m in _FORMULA.finditer(tail)]
                empty += [(m[1].decode(), int(m[2])) for m in _FORMULA_EMPTY.finditer(tail)]
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
    if width is not None:
        width.append(widest)
    found = sorted(set(found), key=lambda t: (t[1], t[0]))
    empty_set = set(empty)
    problems: list[Problem] = []
    for col, row in found:
        if (col, row) in empty_set:
            problems.append(
                Problem(
                    f"cell {col}{row} holds a formula without a saved value; replace the formula "
                    "by its value (copy, paste special > values) and save again",
                    code="formula_without_value",
                    sheet=sheet_name,
                    row=row,
                    column=col,
                    expected="a value, not a formula",
                )
            )
        else:
            problems.append(
                Problem(
                    f"cell {col}{row} holds a formula; its saved value is used",
                    severity="warning",
                    code="formula",
                    sheet=sheet_name,
                    row=row,
                    column=col,
                    expected="a value, not a formula",
                )
            )
    return problems


def _sheet_member(zf: zipfile.ZipFile, sheet_name: str, index: int) -> str | None:
    """The zip member holding a sheet, from workbook.xml and its relationships."""
    try:
        wb = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    sheets = re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", wb)
    rid = None
    for i, tag in enumerate(sheets):
        name = re.search(rb'name="([^"]*)"', tag)
        if (name and name.group(1).decode("utf-8", "replace") == sheet_name) or (
            rid is None and i == index
        ):
            m = re.search(rb'r:id="([^"]*)"', tag) or re.search(rb'\bid="([^"]*)"', tag)
            rid = m.group(1) if m else None
            if name and name.group(1).decode("utf-8", "replace") == sheet_name:
                break
    if rid is None:
        return None
    for rel in re.findall(rb"<Relationship\b[^>]*>", rels):
        if re.search(rb'Id="' + re.escape(rid) + rb'"', rel):
            target = re.search(rb'Target="([^"]*)"', rel)
            if target:
                t = target.group(1).decode()
                t = t.lstrip("/")
                return t if t.startswith("xl/") else "xl/" + t
    return None


def read_tables(
    path: str | Path,
    *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    sheets: int | None = None,
    kind: FileKind | None = None,
    allow_empty: bool = False,
    max_columns: int = DEFAULT_MAX_COLUMNS,
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS,
) -> dict[str, Table]:
    """Read the sheets of a spreadsheet (or the one table of a CSV) after :func:`check_file`.

    Parameters
    ----------
    sheets:
        Read only the first ``sheets`` visible sheets (None: all).
    allow_empty:
        Return an empty frame for an empty sheet instead of refusing it (XLSForm sheets).
    max_columns:
        Refuse a table wider than this, before parsing it.
    max_line_chars:
        Refuse a CSV with a line longer than this many characters, before parsing it.

    Returns
    -------
    dict sheet name -> :class:`Table`, in the workbook's order. A CSV gives one table named after
    the file. Hidden sheets are left out and named in a warning of the first table.

    Raises
    ------
    DataValidationError
        Every case :func:`check_file` refuses, plus ``corrupt`` (the reader failed), ``empty_sheet``,
        ``blank_header``, ``duplicate_header``, ``formula_without_value``, ``too_wide``,
        ``line_too_long`` and ``hidden_sheets`` (every sheet is hidden).
    """
    path = Path(path)
    kind = kind or check_file(path, max_bytes)
    if kind == "csv":
        frame, csv_warnings = _read_csv(path, max_columns, max_line_chars)
        return {path.stem: Table(path.stem, frame, tuple(csv_warnings))}
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
        hidden = _hidden_sheets(wb)
    except PasswordError:
        _fail(
            f"{path.name} is protected by a password; remove the password in Excel and upload the "
            "unprotected copy",
            "password_protected",
        )
        raise
    except Exception as exc:  # calamine raises several kinds on a damaged file
        _fail(
            f"{path.name} could not be read as a workbook ({type(exc).__name__}); the file "
            "is damaged. Export it again or re-save it in Excel.",
            "corrupt",
        )
        raise
    if not names:
        _fail(f"{path.name} has no sheets", "empty_sheet")
    # the data sheet of an export is the first visible one; a reader of every sheet (an XLSForm)
    # gets the hidden ones too, named in a warning
    visible = [(i, n) for i, n in enumerate(names) if n not in hidden or not sheets]
    if not visible:
        _fail(
            f"{path.name}: every sheet is hidden ({', '.join(repr(n) for n in names)}); unhide "
            "the sheet that holds the data (Format > Sheet > Unhide) and save again",
            "hidden_sheets",
            expected="a visible sheet with the data",
        )
    notes: list[Problem] = []
    if hidden:
        notes.append(
            Problem(
                "hidden sheet(s) "
                + ", ".join(repr(n) for n in names if n in hidden)
                + (
                    " were not read; the data is read from the first visible sheet "
                    + repr(visible[0][1])
                    + ". Unhide a sheet and move it first if it holds the data"
                    if sheets
                    else " were read although Excel does not show them; check what they hold"
                ),
                severity="warning",
                code="hidden_sheets",
                value=", ".join(n for n in names if n in hidden),
                expected="the data in the first visible sheet",
            )
        )
    out: dict[str, Table] = {}
    for i, name in visible[:sheets] if sheets else visible:
        fp: list[Problem] = []
        if kind == "xlsx":  # one pass over the sheet's XML before it is loaded: width, formulas
            width: list[int] = []
            fp = _formula_problems(path, name, i, width)
            if width and width[0] > max_columns:
                _too_wide(path.name, name, width[0], max_columns)
        try:
            sheet = wb.get_sheet_by_name(name)
            if sheet.width > max_columns:
                _too_wide(path.name, name, sheet.width, max_columns)
            rows, blank_warnings = _drop_blank_rows(sheet.iter_rows(), name, max_columns, path.name)
        except DataValidationError:
            raise
        except Exception as exc:
            _fail(
                f"{path.name}: sheet '{name}' could not be read ({type(exc).__name__}); "
                "the file is damaged. Export it again or re-save it in Excel.",
                "corrupt",
            )
            raise
        frame = _frame(rows, name, path.name, allow_empty)
        warnings: list[Problem] = [*notes, *frame.attrs.pop("warnings", []), *blank_warnings]
        notes = []
        if kind == "xlsx":
            errs = [p for p in fp if p.severity == "error"]
            if errs:
                raise DataValidationError(
                    f"{path.name}: sheet '{name}' has formulas without saved values", fp
                )
            warnings += fp
        out[name] = Table(name, frame, tuple(warnings))
    return out


def _hidden_sheets(wb: Any) -> set[str]:
    """Names of the hidden and very hidden sheets of a calamine workbook."""
    out: set[str] = set()
    for meta in getattr(wb, "sheets_metadata", None) or []:
        state = str(getattr(meta, "visible", "")).lower()
        if "hidden" in state:
            out.add(str(meta.name))
    return out


_WIDE_REF = re.compile(rb'<c r="([A-Z]{3})\d')
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:([A-Z]+)\d+"')


def _col_index(letters: bytes | str) -> int:
    text = letters.decode() if isinstance(letters, bytes) else letters
    n = 0
    for ch in text:
        n = n * 26 + (ord(ch) - 64)
    return n


def open_table(
    path: str | Path, *, max_bytes: int | None = DEFAULT_MAX_BYTES
) -> dict[str, pd.DataFrame]:
    """Every sheet of a spreadsheet as a DataFrame (cells as Python values, '' when empty).

    The guard shared by every reader: :func:`check_file` (size, zip bomb, password, type sniffed
    from the bytes), then header checks. Raises :class:`~mande.errors.DataValidationError`.
    """
    return {name: t.frame for name, t in read_tables(path, max_bytes=max_bytes).items()}


def _longest_line(raw: bytes) -> tuple[int, int]:
    """(length in bytes, 1-based number) of the longest line of ``raw``, without splitting it."""
    import numpy as np

    buf = np.frombuffer(raw, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    bounds = np.concatenate(([-1], ends, [len(buf)]))
    lengths = np.diff(bounds) - 1
    i = int(np.argmax(lengths))
    return int(lengths[i]), i + 1


def _read_csv(
    path: Path, max_columns: int = DEFAULT_MAX_COLUMNS, max_line_chars: int = DEFAULT_MAX_LINE_CHARS
) -> tuple[pd.DataFrame, list[Problem]]:
    raw = path.read_bytes()
    body = raw.lstrip(b"\r\n")
    cut = body.find(b"\n")
    header_line = body[: cut if cut >= 0 else len(body)]
    widest = max(header_line.count(d) for d in (b",", b";", b"\t")) + 1
    if widest > max_columns:  # before anything is parsed or decoded
        _too_wide(path.name, None, widest, max_columns)
    del body, header_line
    longest, line_no = _longest_line(raw)
    if longest > max_line_chars:
        # bytes >= characters: count the characters of that line only
        start = 0
        for _ in range(line_no - 1):
            start = raw.index(b"\n", start) + 1
        end = raw.find(b"\n", start)
        line = raw[start : None if end < 0 else end]
        chars = len(line.decode("utf-8", "replace"))
        if chars > max_line_chars:
            _fail(
                f"{path.name}: line {line_no} is {chars} characters long, more than the "
                f"{max_line_chars} accepted; this is not a survey export. Export the data again, "
                "or raise max_line_chars",
                "line_too_long",
                value=str(chars),
                expected=f"lines of at most {max_line_chars} characters",
            )
    text = None
    for enc in _ENCODINGS:
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None:  # cp1252 decodes almost anything; keep mypy and the odd byte happy
        text = raw.decode("latin-1")
    del raw
    if not text.strip():
        _fail(f"{path.name} is empty; export the data with its header row", "empty_sheet")
    stripped = text.lstrip("\r\n")
    first = stripped[: stripped.find("\n")] if "\n" in stripped else stripped
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delim = max(counts, key=lambda d: counts[d])
    if counts[delim] == 0:
        try:
            delim = csv.Sniffer().sniff(text[:65536], delimiters=",;\t").delimiter
        except csv.Error:
            delim = ","
    if counts[delim] + 1 > max_columns:
        _too_wide(path.name, None, counts[delim] + 1, max_columns)
    previous = csv.field_size_limit()
    csv.field_size_limit(max(max_line_chars, 1))
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delim)
        rows, warnings = _drop_blank_rows(reader, path.stem, max_columns, path.name, text=True)
    except csv.Error as exc:
        _fail(
            f"{path.name} is not a readable CSV ({exc}); export it again as CSV with a header row",
            "corrupt",
        )
        raise
    finally:
        csv.field_size_limit(previous)
    del text
    width = len(rows[0]) if rows else 0
    for k, row in enumerate(rows[1:], start=2):
        if len(row) > width and any(v.strip() for v in row[width:]):
            _fail(
                f"{path.name}: data row {k} has {len(row)} cells but the header has {width}; "
                "a separator inside a value is probably not quoted. Export the data again as CSV",
                "corrupt",
                value=str(len(row)),
                expected=f"at most {width} cells per row",
            )
    frame = _frame(rows, path.stem, path.name)
    return frame, [*frame.attrs.pop("warnings", []), *warnings]
