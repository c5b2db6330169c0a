"""The sample mission's four survey rounds (sample_data/rounds) ingest to the same standard table.

Round 2 is exported with French labels, round 3 as CSV; all four must give the same columns, dtypes
and codes. Counts per region and a few respondents' answers are checked against the raw files read
independently here; no name, phone number, e-mail or exact GPS of the raw files may remain.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mande
from mande.config import load_mission
from mande.demo.load import read_sample_round

SECRET = b"sample-secret"


@pytest.fixture(scope="module")
def form(sample_dir: Path) -> mande.Form:
    return mande.read_xlsform(sample_dir / "forms" / "perception_survey.xlsx")


@pytest.fixture(scope="module")
def round_files(sample_dir: Path) -> list[Path]:
    files = sorted((sample_dir / "rounds").glob("round*"))
    assert len(files) == 4, files
    return files


@pytest.fixture(scope="module")
def rounds(form: mande.Form, round_files: list[Path]) -> dict[str, mande.SurveyRound]:
    return {p.name: read_sample_round(p, form, secret=SECRET, max_bytes=10**8) for p in round_files}


_RAW: dict[Path, pd.DataFrame] = {}


def _raw(path: Path) -> pd.DataFrame:
    """The raw file read independently of mande (pandas), once per test module."""
    if path not in _RAW:
        _RAW[path] = _read_raw(path)
    return _RAW[path].copy()


def _read_raw(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(
            path,
            sep=None,
            engine="python",
            dtype=str,
            keep_default_na=False,
            encoding_errors="replace",
        )
    return pd.read_excel(path, engine="calamine", dtype=object)


def test_all_rounds_have_the_same_standard_columns_and_codes(
    rounds: dict[str, mande.SurveyRound],
) -> None:
    items = mande.standard_items()
    frames = [r.responses for r in rounds.values()]
    first = frames[0]
    for df in frames[1:]:
        assert list(df.columns) == list(first.columns)
        assert df.dtypes.astype(str).to_dict() == first.dtypes.astype(str).to_dict()
    for name, item in items.items.items():
        if item.kind == "select_multiple":
            for col in item.columns():
                for df in frames:
                    assert set(df[col].dropna().unique()) <= {0.0, 1.0}
        elif item.kind == "select_one" and item.choices:
            valid = {float(c) if isinstance(c, int) else c for c in item.codes}
            seen = [set(df[name].dropna().unique()) for df in frames]
            for s in seen:
                assert s <= valid, (name, s - valid)
            # each round uses the same codes (labels in round 2 decoded to the same codes)
            assert all(s == seen[0] for s in seen[1:]) or name == "victim_reported", name
    regions = {"VD01", "VD02", "VD03", "VD04", "VD05", "VD06"}
    for df in frames:
        assert set(df["region"].unique()) == regions
        assert set(df["age_group"].dropna().unique()) <= {"18-24", "25-34", "35-49", "50-64", "65+"}
        assert set(df["disability"].dropna().unique()) == {"with disability", "without disability"}
        assert df["weight"].gt(0).all() and df["respondent_id"].is_unique
    for r in rounds.values():
        assert r.report.ok and not r.report.errors


def _region_names(sample_dir: Path) -> dict[str, str]:
    mission = load_mission(sample_dir / "mission.yaml")
    out = {}
    for reg in mission.regions:
        out[reg.pcode] = reg.pcode
        for name in reg.name.values():
            out[name] = reg.pcode
    return out


def test_counts_per_region_match_the_raw_files(
    rounds: dict[str, mande.SurveyRound], round_files: list[Path], sample_dir: Path
) -> None:
    names = _region_names(sample_dir)
    for path in round_files:
        raw = _raw(path)
        want = raw["location/region"].map(lambda v: names[str(v).strip()]).value_counts()
        got = rounds[path.name].responses["region"].value_counts()
        pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)


def test_a_few_respondents_coded_answers(
    rounds: dict[str, mande.SurveyRound], round_files: list[Path]
) -> None:
    """Raw cell (code, or French label in round 2) -> the standard code, decoded by hand here."""
    items = mande.standard_items()
    fr_to_code: dict[str, dict[str, object]] = {}
    for name, item in items.items.items():
        table: dict[str, object] = {}
        for code, labels in (item.choices or {}).items():
            table[labels["fr"]] = code
        for code in item.non_substantive:
            table[items.non_substantive[code]["fr"]] = code
        fr_to_code[name] = table
    checked = 0
    for path in round_files:
        raw = _raw(path)
        df = rounds[path.name].responses
        french = path.name.startswith("round2")
        for i in (0, 17, 250, len(raw) - 1):
            for name in ("safe_dark", "trust_police", "mission_stay", "sex", "victim"):
                cell = raw[
                    f"{'security' if name in ('safe_dark', 'victim') else 'state' if name == 'trust_police' else 'mission' if name == 'mission_stay' else 'respondent'}/{name}"
                ].iloc[i]
                got = df[name].iloc[i]
                if cell is None or (isinstance(cell, float) and np.isnan(cell)) or cell == "":
                    assert pd.isna(got)
                    continue
                if french:
                    want = fr_to_code[name][str(cell).strip()]
                elif name == "sex":
                    want = str(cell)
                else:
                    want = int(float(cell))
                assert got == (float(want) if isinstance(want, int) else want), (path.name, i, name)
                checked += 1
    assert checked > 60


def test_no_personal_data_from_the_sample_files_remains(
    rounds: dict[str, mande.SurveyRound], round_files: list[Path]
) -> None:
    email = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
    phone = re.compile(r"(?:\+|00)?\d(?:[\s.\-]?\d){7,14}")
    for path in round_files:
        raw = _raw(path)
        personal: set[str] = set()
        for col in raw.columns:
            base = col.rsplit("/", 1)[-1]
            if base in ("resp_name", "resp_phone", "gps", "deviceid", "_uuid", "_submitted_by"):
                personal |= {
                    str(v).strip() for v in raw[col] if str(v).strip() not in ("", "nan", "None")
                }
        for text in raw.get("comments", pd.Series(dtype=str)).dropna().map(str):
            personal |= set(email.findall(text)) | {m.strip() for m in phone.findall(text)}
        coords = set()
        for col in ("location/_gps_latitude", "location/_gps_longitude"):
            coords |= {float(v) for v in raw[col] if str(v).strip() not in ("", "nan")}
        names = {
            str(v).strip() for v in raw["respondent/resp_name"] if str(v).strip() not in ("", "nan")
        }
        name_words = {w for n in names for w in re.findall(r"[^\W\d_]{4,}", n.lower())}
        assert len(personal) > 1000 and coords and names

        df = rounds[path.name].responses
        for col in df.columns:
            s = df[col].dropna()
            if s.dtype.kind == "f":
                assert not set(s.unique()) & coords, (path.name, col)
                continue
            cells = {str(v) for v in s.unique()}
            assert not cells & personal, (path.name, col)
            for cell in cells:
                assert not email.search(cell), (path.name, col, cell)
                if col not in ("respondent_id",) and s.dtype.kind != "M":
                    assert not phone.search(cell), (path.name, col, cell)
                    # a village may share a word with a family name; a full name never appears
                    assert not any(n.lower() in cell.lower() for n in names), (path.name, col, cell)
        assert not any(c in name_words for c in df.columns)
        removed = {r.column for r in rounds[path.name].report.removed}
        assert {
            "respondent/resp_name",
            "respondent/resp_phone",
            "location/gps",
            "location/_gps_latitude",
            "deviceid",
            "_uuid",
        } <= removed
