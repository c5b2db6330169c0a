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
  trailing columns (no header, no data) are dropped silently.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import re
import zipfile
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
    header = ["" if v is None else str(v).strip() for v in rows[0]]
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
    return frame


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


def _formula_problems(path: Path, sheet_name: str, index: int) -> list[Problem]:
    """Scan one sheet's XML for formula cells (cheap: a regex over the decompressed stream)."""
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
) -> dict[str, Table]:
    """Read the sheets of a spreadsheet (or the one table of a CSV) after :func:`check_file`.

    Parameters
    ----------
    sheets:
        Read only the first ``sheets`` sheets (None: all).
    allow_empty:
        Return an empty frame for an empty sheet instead of refusing it (XLSForm sheets).

    Returns
    -------
    dict sheet name -> :class:`Table`, in the workbook's order. A CSV gives one table named after
    the file.

    Raises
    ------
    DataValidationError
        Every case :func:`check_file` refuses, plus ``corrupt`` (the reader failed), ``empty_sheet``,
        ``blank_header``, ``duplicate_header`` and ``formula_without_value``.
    """
    path = Path(path)
    kind = kind or check_file(path, max_bytes)
    if kind == "csv":
        return {path.stem: Table(path.stem, _read_csv(path))}
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
    except PasswordError:
        _fail(
            f"{path.name} is protected by a password; remove the password in Excel and upload the "
            "unprotected copy",
            "password_protected",
        )
        raise
    except Exception as exc:  # calamine raises several kinds on a damaged file
        _fail(
            f"{path.name} could not be read as a workbook ({type(exc).__name__}: {exc}); the file "
            "is damaged. Export it again or re-save it in Excel.",
            "corrupt",
        )
        raise
    if not names:
        _fail(f"{path.name} has no sheets", "empty_sheet")
    out: dict[str, Table] = {}
    for i, name in enumerate(names[:sheets] if sheets else names):
        try:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            _fail(
                f"{path.name}: sheet '{name}' could not be read ({type(exc).__name__}: {exc}); "
                "the file is damaged. Export it again or re-save it in Excel.",
                "corrupt",
            )
            raise
        # drop trailing empty rows (formatting left by Excel)
        while rows and all(v in ("", None) for v in rows[-1]):
            rows.pop()
        frame = _frame(rows, name, path.name, allow_empty)
        warnings: list[Problem] = []
        if kind == "xlsx":
            fp = _formula_problems(path, name, i)
            errs = [p for p in fp if p.severity == "error"]
            if errs:
                raise DataValidationError(
                    f"{path.name}: sheet '{name}' has formulas without saved values", fp
                )
            warnings = fp
        out[name] = Table(name, frame, tuple(warnings))
    return out


def open_table(
    path: str | Path, *, max_bytes: int | None = DEFAULT_MAX_BYTES
) -> dict[str, pd.DataFrame]:
    """Every sheet of a spreadsheet as a DataFrame (cells as Python values, '' when empty).

    The guard shared by every reader: :func:`check_file` (size, zip bomb, password, type sniffed
    from the bytes), then header checks. Raises :class:`~mande.errors.DataValidationError`.
    """
    return {name: t.frame for name, t in read_tables(path, max_bytes=max_bytes).items()}


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    text = None
    for enc in _ENCODINGS:
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None:  # cp1252 decodes almost anything; keep mypy and the odd byte happy
        text = raw.decode("latin-1")
    if not text.strip():
        _fail(f"{path.name} is empty; export the data with its header row", "empty_sheet")
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delim = max(counts, key=lambda d: counts[d])
    if counts[delim] == 0:
        try:
            delim = csv.Sniffer().sniff(text[:65536], delimiters=",;\t").delimiter
        except csv.Error:
            delim = ","
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delim,
            dtype=str,
            keep_default_na=False,
            header=None,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        _fail(
            f"{path.name} is not a readable CSV ({exc}); export it again as CSV with a header row",
            "corrupt",
        )
        raise
    rows = df.astype(object).values.tolist()
    return _frame(rows, path.stem, path.name)
