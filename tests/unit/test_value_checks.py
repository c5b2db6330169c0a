"""Values checked before they are stored: labels, file names, weights, dates, booleans, and a
round that cannot be estimated."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mande.errors import DataValidationError
from mande.ingest.checks import (
    check_estimable,
    check_label,
    mission_years,
    safe_file_name,
    suggest_label,
)
from mande.ingest.survey import read_survey
from mande.ingest.xlsform import read_xlsform
from mande.output import DANGEROUS_PREFIXES
from mande.stats.design import SurveyDesign

DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("label", ["2025-R1", "round1_2024-11", "Tour 3 été", "R2"])
def test_valid_labels(label: str) -> None:
    assert check_label(label) == label


@pytest.mark.parametrize(
    "label",
    [*(c + "HYPERLINK(1)" for c in DANGEROUS), "a/b", "x" * 101, "", "r1\u200b", "a;b", "_x"],
)
def test_invalid_labels_are_refused_with_a_suggestion(label: str) -> None:
    with pytest.raises(DataValidationError) as err:
        check_label(label)
    p = err.value.problems[0]
    assert p.code == "invalid_label" and p.value is None
    assert "letters, digits" in p.message and "for example" in p.message
    check_label(suggest_label(label))  # the suggestion is itself valid


@pytest.mark.parametrize("c", DANGEROUS)
def test_file_names_are_recorded_safely(c: str) -> None:
    name = safe_file_name(c + "cmd|' /C calc'!A0 (1).xlsx")
    assert not name.startswith(DANGEROUS_PREFIXES)
    assert name.endswith(".xlsx") and set(name) <= set("cmdCcalA0_1 .xlsx")


# --- survey values ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def export(sample_dir: Path) -> pd.DataFrame:
    df = pd.read_csv(
        sample_dir / "rounds" / "round3_2025-11.csv", sep=";", dtype=str, keep_default_na=False
    )
    consent = next(c for c in df.columns if c.endswith("consent"))
    df = df[~df[consent].isin(["0", "Non", "No"])].head(200).reset_index(drop=True)
    if not any(c.endswith("weight_final") for c in df.columns):  # the sample is weighted on load
        df["weight_final"] = [f"{1 + (i % 7) * 0.25:g}" for i in range(len(df))]
    return df


@pytest.fixture(scope="module")
def form(sample_dir: Path):  # type: ignore[no-untyped-def]
    return read_xlsform(sample_dir / "forms" / "perception_survey.xlsx")


def _write(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, sep=";", index=False, quoting=csv.QUOTE_ALL)
    return path


def _errors(path: Path, form, **kw):  # type: ignore[no-untyped-def]
    with pytest.raises(DataValidationError) as err:
        read_survey(path, form, secret=b"k", **kw)
    return err.value.errors


def _weight_column(df: pd.DataFrame) -> str:
    return next(c for c in df.columns if c.endswith("weight_final"))


def test_an_infinite_weight_is_an_error(export, form, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    df = export.copy()
    df.loc[4, _weight_column(df)] = "inf"
    (p,) = _errors(_write(df, tmp_path / "inf.csv"), form)
    assert (p.code, p.row, p.value) == ("invalid_weight", 6, "infinity")
    assert "not a finite number" in p.message


def test_a_weight_far_from_the_median_is_an_error(export, form, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    df = export.copy()
    df.loc[7, _weight_column(df)] = "1e300"
    (p,) = _errors(_write(df, tmp_path / "huge.csv"), form)
    assert p.code == "invalid_weight" and p.row == 9 and "times from the median" in p.message
    # the ratio is a setting
    rnd = read_survey(
        _write(df, tmp_path / "huge.csv"), form, secret=b"k", max_weight_ratio=float("inf")
    )
    assert rnd.responses["weight"].max() == 1e300


def test_a_boolean_is_never_read_as_a_weight(export, form, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    df = export.copy()
    wcol = _weight_column(df)
    df[wcol] = pd.to_numeric(df[wcol]).astype(object)
    df.loc[3, wcol] = True
    path = tmp_path / "bool.xlsx"
    df.to_excel(path, index=False)
    (p,) = _errors(path, form)
    assert p.code == "invalid_weight" and p.row == 5 and "not a number" in p.message


def test_dates_out_of_bounds_and_outside_the_missions_years(export, form, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    df = export.copy()
    df.loc[2, "today"] = "9999-12-31"
    df.loc[5, "today"] = "0001-01-01"
    probs = _errors(_write(df, tmp_path / "dates.csv"), form)
    assert [(p.code, p.row) for p in probs] == [("invalid_date", 4), ("invalid_date", 7)]
    assert "1900 to 2100" in probs[0].message and probs[0].value == "9999-12-31"

    df = export.copy()
    df.loc[2, "today"] = "2031-01-01"
    (p,) = _errors(_write(df, tmp_path / "late.csv"), form, years=(2024, 2027))
    assert (p.code, p.row, p.value) == ("date_out_of_range", 4, "2031-01-01")
    assert "outside the mission's years (2024 to 2027)" in p.message


def test_mission_years(sample_dir: Path) -> None:
    from mande.config import load_mission

    lo, hi = mission_years(load_mission(sample_dir / "mission.yaml"))  # type: ignore[misc]
    assert lo <= 2024 and hi >= 2026
    assert mission_years(None) is None


def test_a_round_that_cannot_be_estimated() -> None:
    design = SurveyDesign(weight="w", strata="s", psu="p")
    frame = pd.DataFrame(
        {"w": [1.0, 2.0, np.inf, 1.0], "s": ["a", "a", "b", "b"], "p": ["1", "2", "3", "4"]}
    )
    with pytest.raises(DataValidationError) as err:
        check_estimable(frame, design)
    assert err.value.problems[0].code == "not_estimable"
    assert "current version is unchanged" in str(err.value)
    check_estimable(frame.assign(w=1.0), design)
