"""The one writer of CSV and Excel outputs: no cell a spreadsheet would evaluate."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from mande.output import (
    DANGEROUS_PREFIXES,
    csv_bytes,
    is_live,
    neutralise,
    write_csv,
    write_table,
    xlsx_bytes,
)

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx"]


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "round": HOSTILE,
            "estimate": [-0.5, 0.25, 1.0, -2.0, 0.0, 3.5],
            "=label": ["ok", "plain", "a-b", "x@y", "tab\tinside", "fine"],
        }
    )


def test_neutralise() -> None:
    assert [neutralise(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert neutralise(-1.5) == -1.5 and neutralise("plain") == "plain"


def test_csv_cells_are_never_live(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_csv(frame(), path)
    for data in (path.read_bytes().decode("utf-8"), csv_bytes(frame()).decode("utf-8-sig")):
        rows = list(csv.reader(io.StringIO(data, newline="")))
        assert rows[0] == ["round", "estimate", "'=label"]
        cells = [c for r in rows for c in r]
        assert not [c for c in cells if is_live(c) and not _is_number(c)]
        assert [r[0] for r in rows[1:]] == ["'" + v for v in HOSTILE]
        assert [float(r[1]) for r in rows[1:]] == [-0.5, 0.25, 1.0, -2.0, 0.0, 3.5]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_write_table_by_suffix(tmp_path: Path, suffix: str) -> None:
    path = write_table(frame(), tmp_path / f"out{suffix}")
    assert path.exists() and path.stat().st_size > 0


def test_xlsx_cells_are_strings_with_the_quote_prefix(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    path.write_bytes(xlsx_bytes({"=sheet": frame()}))
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    texts = 0
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                texts += 1
                live = is_live(cell.value, quote_prefix=cell.quotePrefix, data_type=cell.data_type)
                assert not live, cell.coordinate
                if cell.value.startswith(DANGEROUS_PREFIXES):
                    assert cell.quotePrefix
    assert texts == 3 + 12
    assert [c.value for c in ws["B"]][1:] == [-0.5, 0.25, 1.0, -2.0, 0.0, 3.5]
