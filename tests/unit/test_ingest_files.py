"""Hostile and malformed files: each gets a clear DataValidationError, never a traceback or a hang."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from _ingest_forms import write_xlsx

from mande.errors import DataValidationError
from mande.ingest._files import check_file, open_table, read_tables


def _problem(err: pytest.ExceptionInfo[DataValidationError]):  # type: ignore[no-untyped-def]
    assert err.value.problems, "a DataValidationError carries its problems"
    return err.value.problems[0]


def test_size_limit(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "big.xlsx", [("s", [["a"], *[[i] for i in range(2000)]])])
    with pytest.raises(DataValidationError) as err:
        check_file(path, max_bytes=1000)
    p = _problem(err)
    assert p.code == "too_large"
    assert "larger than the 0.0 MB accepted" in p.message
    assert "MANDE_MAX_UPLOAD_MB" in p.message


def test_zip_bomb_by_ratio_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 << 20))
    with pytest.raises(DataValidationError) as err:
        open_table(path)
    p = _problem(err)
    assert p.code == "zip_bomb"
    assert "xl/worksheets/sheet1.xml expands" in p.message
    assert "looks like a zip bomb" in p.message


def test_zip_bomb_by_total_size(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "ok.xlsx", [("s", [["a"], [1]])])
    with pytest.raises(DataValidationError) as err:
        check_file(path, max_uncompressed_bytes=1000)
    p = _problem(err)
    assert p.code == "zip_bomb"
    assert "would expand to" in p.message and "more than the" in p.message


def test_password_protected_workbook(tmp_path: Path) -> None:
    # An encrypted .xlsx is an OLE compound file holding an 'EncryptedPackage' stream.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    ole += "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000
    path = tmp_path / "locked.xlsx"
    path.write_bytes(ole)
    with pytest.raises(DataValidationError) as err:
        open_table(path)
    p = _problem(err)
    assert p.code == "password_protected"
    assert "protected by a password" in p.message and "unprotected copy" in p.message


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a PNG image"),
        (bytes(range(256)) * 4, "binary content of an unknown kind"),
        (b"<!DOCTYPE html><html><body>Login</body></html>", "a web page"),
    ],
)
def test_files_that_are_not_spreadsheets_whatever_their_extension(
    tmp_path: Path, content: bytes, what: str
) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    with pytest.raises(DataValidationError) as err:
        open_table(path)
    p = _problem(err)
    assert p.code == "not_a_spreadsheet"
    assert what in p.message


def test_a_word_document_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(DataValidationError) as err:
        open_table(path)
    assert "is a Word document, not an Excel workbook" in _problem(err).message


def test_corrupt_workbooks(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.xlsx"
    good = write_xlsx(tmp_path / "good.xlsx", [("s", [["a"], [1]])])
    truncated.write_bytes(good.read_bytes()[:300])
    with pytest.raises(DataValidationError) as err:
        open_table(truncated)
    p = _problem(err)
    assert p.code == "corrupt" and "damaged" in p.message

    garbage = tmp_path / "garbage.xlsx"
    with zipfile.ZipFile(garbage, "w") as zf:
        zf.writestr("xl/workbook.xml", "this is not xml <<<")
    with pytest.raises(DataValidationError) as err:
        open_table(garbage)
    p = _problem(err)
    assert p.code == "corrupt" and "could not be read as a workbook" in p.message


def test_empty_file_and_empty_sheet(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataValidationError) as err:
        open_table(empty)
    assert "is empty (0 bytes)" in _problem(err).message

    path = write_xlsx(tmp_path / "blank.xlsx", [("data", [])])
    with pytest.raises(DataValidationError) as err:
        open_table(path)
    p = _problem(err)
    assert p.code == "empty_sheet" and p.sheet == "data"
    assert "sheet 'data' is empty" in p.message

    header_only = write_xlsx(tmp_path / "header.xlsx", [("data", [["a", "b"]])])
    with pytest.raises(DataValidationError, match="has a header but no data rows"):
        open_table(header_only)


def test_duplicate_and_blank_headers_are_all_listed(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "h.xlsx",
        [("data", [["a", "b", "a", None, "c", None], [1, 2, 3, 4, 5, None]])],
    )
    with pytest.raises(DataValidationError) as err:
        open_table(path)
    probs = err.value.problems
    assert [p.code for p in probs] == ["duplicate_header", "blank_header"]
    assert probs[0].message == "header 'a' appears twice (columns A and C); rename or delete one"
    assert probs[0].row == 1
    assert probs[1].message == "column D has data but no header; give it a name or delete it"
    assert probs[1].column == "D"


def test_trailing_blank_columns_and_rows_are_ignored(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx", [("data", [["a", "b", None], [1, "x", None], [None, None, None]])]
    )
    frame = open_table(path)["data"]
    assert list(frame.columns) == ["a", "b"]
    assert len(frame) == 1


def _with_formula(tmp_path: Path, cached: str | None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(["a", "b"])
    ws.append([1, "=A2*2"])
    src = tmp_path / "src.xlsx"
    wb.save(src)
    out = tmp_path / "formula.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml" and cached is not None:
                data = re.sub(
                    rb"<f>A2\*2</f><v\s*/?>(</v>)?",
                    b"<f>A2*2</f><v>" + cached.encode() + b"</v>",
                    data,
                )
            zout.writestr(info, data)
    return out


def test_formula_with_a_saved_value_is_a_warning_and_the_value_is_used(tmp_path: Path) -> None:
    tables = read_tables(_with_formula(tmp_path, "2"))
    t = tables["data"]
    assert t.frame.loc[0, "b"] == 2.0
    (w,) = t.warnings
    assert (w.severity, w.code, w.row, w.column) == ("warning", "formula", 2, "B")
    assert w.message == "cell B2 holds a formula; its saved value is used"


def test_formula_without_a_saved_value_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError) as err:
        read_tables(_with_formula(tmp_path, None))
    p = _problem(err)
    assert (p.code, p.row, p.column) == ("formula_without_value", 2, "B")
    assert "holds a formula without a saved value" in p.message


def test_csv_delimiters_and_encodings_are_sniffed(tmp_path: Path) -> None:
    semi = tmp_path / "a.csv"
    semi.write_bytes("nom;région\nÉlodie;Bangora\n".encode("cp1252"))
    f = open_table(semi)["a"]
    assert list(f.columns) == ["nom", "région"] and f.iloc[0, 0] == "Élodie"
    tab = tmp_path / "b.txt"
    tab.write_bytes("\ufeffx\ty\n1\t2\n".encode())
    f = open_table(tab)["b"]
    assert list(f.columns) == ["x", "y"] and f.iloc[0, 1] == "2"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="not found"):
        check_file(tmp_path / "nope.xlsx")
