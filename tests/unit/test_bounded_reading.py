"""Bounded work and clean headers when reading uploads: width and line length refused before
parsing, blank rows dropped while reading, invisible characters in headers, hidden sheets."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest

from mande.errors import DataValidationError
from mande.ingest._files import read_tables

ROOT = Path(__file__).resolve().parents[2]
GB = 1024**3


def _one(path: Path, **kw: object):  # type: ignore[no-untyped-def]
    return next(iter(read_tables(path, sheets=1, **kw).values()))  # type: ignore[arg-type]


def test_zero_width_and_control_characters_in_headers(tmp_path: Path) -> None:
    path = tmp_path / "zw.csv"
    path.write_text("id,age\u200b,\ufeffsex\x07\n1,30,f\n", encoding="utf-8")
    table = _one(path)
    assert list(table.frame.columns) == ["id", "age", "sex"]
    warn = [p for p in table.warnings if p.code == "invisible_characters"]
    assert [p.column for p in warn] == ["B", "C"]
    assert all(p.severity == "warning" for p in warn)
    assert "U+200B" in warn[0].message and "read as 'age'" in warn[0].message


def test_a_hidden_first_sheet_is_not_read_and_is_named(tmp_path: Path) -> None:
    path = tmp_path / "hidden.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "old_data"
    ws.append(["id", "age"])
    ws.append(["x", 99])
    ws.sheet_state = "hidden"
    data = wb.create_sheet("data")
    data.append(["id", "age"])
    data.append(["a", 30])
    wb.save(path)
    table = _one(path)
    assert table.sheet == "data" and table.frame["age"].tolist() == [30]
    (hidden,) = [p for p in table.warnings if p.code == "hidden_sheets"]
    assert "'old_data'" in hidden.message and "not read" in hidden.message


def test_blank_rows_are_dropped_while_reading(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("id,age\n1,30\n,\n\n \n2,40\n,,\n", encoding="utf-8")
    table = _one(path)
    assert table.frame["id"].tolist() == ["1", "2"]
    (blank,) = [p for p in table.warnings if p.code == "blank_rows"]
    assert blank.value == "3"


def test_limits_are_settings(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text(",".join(f"c{i}" for i in range(30)) + "\n" + ",".join("1" * 30) + "\n")
    assert _one(path).frame.shape == (1, 30)
    with pytest.raises(DataValidationError) as err:
        _one(path, max_columns=20)
    assert err.value.problems[0].code == "too_wide"
    with pytest.raises(DataValidationError) as err:
        _one(path, max_line_chars=50)
    assert err.value.problems[0].code == "line_too_long"


def test_a_wide_workbook_is_refused_before_it_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.append([f"c{i}" for i in range(6000)])
    ws.append([1] * 6000)
    wb.save(path)
    with pytest.raises(DataValidationError) as err:
        _one(path)
    p = err.value.problems[0]
    assert p.code == "too_wide" and "6000 columns" in p.message and "5000" in p.message


# --- the hostile files of the adversarial test, each read in its own process ----------------

_MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time
    from mande.errors import DataValidationError
    from mande.ingest.survey import read_survey
    from mande.ingest.xlsform import read_xlsform

    form = read_xlsform(sys.argv[2])
    t0 = time.perf_counter()
    try:
        rnd = read_survey(sys.argv[1], form, secret=b"k")
        outcome = {"ok": True, "rows": len(rnd.responses)}
    except DataValidationError as exc:
        outcome = {"ok": False, "codes": sorted({p.code for p in exc.errors})}
    outcome["seconds"] = time.perf_counter() - t0
    outcome["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(outcome))
    """
)


def _measure(path: Path, form: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), str(form)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _wide(path: Path) -> Path:  # 200,000 columns, 1.9 MB
    header = ",".join(f"c{i}" for i in range(200_000))
    path.write_text(header[:1_900_000] + "\n", encoding="utf-8")
    return path


def _one_line(path: Path) -> Path:  # a 6 MB line
    path.write_text("a," + "x" * (6 * 1024 * 1024) + "\n", encoding="utf-8")
    return path


def _blank_lines(path: Path, sample_dir: Path) -> Path:  # a real export, then a million blank lines
    import pandas as pd

    df = pd.read_csv(
        sample_dir / "rounds" / "round3_2025-11.csv", sep=";", dtype=str, keep_default_na=False
    ).head(60)
    if "weight_final" not in df:
        df["weight_final"] = "1"
    lines = df.to_csv(sep=";", index=False).splitlines()
    body = "\n".join(lines[:60]) + "\n" + ";\n" * 1_000_000 + lines[60] + "\n"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["wide", "one_line", "blank_lines"])
def test_hostile_shapes_within_10_s_and_1_gb(tmp_path: Path, sample_dir: Path, kind: str) -> None:
    form = sample_dir / "forms" / "perception_survey.xlsx"
    path = {
        "wide": lambda: _wide(tmp_path / "wide.csv"),
        "one_line": lambda: _one_line(tmp_path / "line.csv"),
        "blank_lines": lambda: _blank_lines(tmp_path / "blank.csv", sample_dir),
    }[kind]()
    out = _measure(path, form)
    print(kind, out)
    assert out["seconds"] < 10, out  # type: ignore[operator]
    assert out["peak_bytes"] < GB, out  # type: ignore[operator]
    if kind == "wide":
        assert out == {**out, "ok": False, "codes": ["too_wide"]}
    elif kind == "one_line":
        assert out == {**out, "ok": False, "codes": ["line_too_long"]}
    else:  # read, with the million blank lines dropped: 60 interviews
        assert out["ok"] is True and out["rows"] == 60, out


def test_a_hidden_coding_sheet_is_refused(tmp_path: Path) -> None:
    from mande.ingest.interviews import read_interviews

    path = tmp_path / "hidden.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "interviews"
    ws.append(["Interview ID", "Coder", "Interview date"])
    ws.sheet_state = "hidden"
    wb.create_sheet("notes").append(["nothing here"])
    wb.save(path)
    with pytest.raises(DataValidationError) as err:
        read_interviews(path, secret=b"k")
    assert err.value.problems[0].code == "hidden_sheets"
    assert "hidden" in str(err.value) and "Unhide" in str(err.value)


def test_read_survey_passes_the_limits_on(tmp_path: Path, sample_dir: Path) -> None:
    from mande.ingest.survey import read_survey

    path = tmp_path / "w.csv"
    path.write_text(",".join(f"c{i}" for i in range(40)) + "\n" + ",".join("1" * 40) + "\n")
    with pytest.raises(DataValidationError) as err:
        read_survey(
            path, sample_dir / "forms" / "perception_survey.xlsx", secret=b"k", max_columns=30
        )
    assert [p.code for p in err.value.problems] == ["too_wide"]
