"""read_survey on exports built here: every header and answer style, validation errors and warnings."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _ingest_forms import answers, kobo_export, standard_form, write_xlsx
from typer.testing import CliRunner

import mande
from mande.cli import app
from mande.errors import DataValidationError
from mande.ingest.survey import derive_breakdowns

SECRET = b"test-secret"
N = 48


@pytest.fixture(scope="module")
def recs() -> list[dict[str, Any]]:
    return answers(N, seed=3)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, recs: list[dict[str, Any]]) -> Path:
    """A folder with the form (form.xlsx) and an export of it with XML values (values.xlsx)."""
    folder = tmp_path_factory.mktemp("ingest")
    standard_form(folder / "form.xlsx")
    kobo_export(folder / "values.xlsx", recs)
    return folder


@pytest.fixture(scope="module")
def form(workdir: Path) -> mande.Form:
    return mande.read_xlsform(workdir / "form.xlsx")


def _read(path: Path, form: mande.Form, **kw: Any) -> mande.SurveyRound:
    return mande.read_survey(path, form, secret=SECRET, max_bytes=10**8, **kw)


@pytest.fixture(scope="module")
def base(workdir: Path, form: mande.Form, recs: list[dict[str, Any]]) -> mande.SurveyRound:
    return _read(workdir / "values.xlsx", form, round_label="R1")


STYLES = {
    "names.xlsx": {"header": "name"},
    "dash.xlsx": {"header": "dash"},
    "dot_space_separated.xlsx": {"header": "dot", "split_multiple": False},
    "labels_fr.xlsx": {"labels": "fr"},
    "labels_fr_headers.xlsx": {"labels": "fr", "header": "label"},
    "labels_en_space_separated.csv": {"labels": "en", "header": "label", "split_multiple": False},
    "labels_fr_semicolon_cp1252.csv": {"labels": "fr"},
}


@pytest.mark.parametrize("name", sorted(STYLES))
def test_every_export_style_gives_the_same_standard_table(
    workdir: Path, form: mande.Form, recs: list[dict[str, Any]], base: mande.SurveyRound, name: str
) -> None:
    rnd = _read(kobo_export(workdir / name, recs, **STYLES[name]), form, round_label="R1")
    a, b = base.responses.copy(), rnd.responses.copy()
    assert list(a.columns) == list(b.columns)
    # openpyxl stores floats with 15 significant digits, CSV with 17
    pd.testing.assert_series_equal(a.pop("weight"), b.pop("weight"), rtol=1e-12)
    pd.testing.assert_frame_equal(a, b)


def test_codes_of_a_few_respondents(base: mande.SurveyRound, recs: list[dict[str, Any]]) -> None:
    df = base.responses
    items = mande.standard_items()
    for i in (0, 7, 31):
        r, rec = df.iloc[i], recs[i]
        for name, item in items.items.items():
            if item.kind == "select_multiple":
                for code in item.choices or {}:
                    assert r[f"{name}__{code}"] == float(code in rec[name]), (i, name, code)
            elif name in ("region", "admin2", "sex", "urban_rural", "displacement"):
                assert r[name] == rec[name]
            elif rec[name] is None:
                assert np.isnan(r[name])
            else:
                assert r[name] == float(rec[name]), (i, name)
        assert r["psu"] == rec["cluster_id"] and r["stratum"] == rec["stratum"]
        assert r["weight"] == pytest.approx(rec["weight_final"], rel=1e-12)
        assert r["interview_date"] == pd.Timestamp(rec["today"])
        assert r["round"] == "R1"


def test_tidy_columns_and_types(base: mande.SurveyRound) -> None:
    df = base.responses
    assert list(df.columns[:6]) == [
        "respondent_id",
        "round",
        "interview_date",
        "stratum",
        "psu",
        "weight",
    ]
    assert df["safe_dark"].dtype == "float64"
    assert df["discrimination__ethnicity"].dtype == "float64"
    assert df["weight"].dtype == "float64"
    assert pd.api.types.is_string_dtype(df["region"])
    assert df["interview_date"].dtype.kind == "M"
    assert base.design == mande.SurveyDesign(
        weight="weight", strata="stratum", psu="psu", lonely_psu="adjust"
    )
    # unmapped questions are kept under their own names
    assert "hh_size" in df and df["hh_size"].dtype == "float64"
    assert base.fieldwork_start == dt.date(2025, 3, 1) and base.fieldwork_end == dt.date(
        2025, 3, 20
    )
    assert base.report.counts["rows"] == N
    counts = df.groupby("region").size().to_dict()
    assert counts == {"VD01": 16, "VD02": 16, "VD03": 16}


def test_respondent_id_is_a_keyed_hash(
    base: mande.SurveyRound, recs: list[dict[str, Any]], workdir: Path, form: mande.Form
) -> None:
    want = hmac.new(SECRET, recs[0]["_uuid"].encode(), hashlib.sha256).hexdigest()
    assert base.responses["respondent_id"].iloc[0] == want
    other = mande.read_survey(workdir / "values.xlsx", form, secret=b"another", max_bytes=10**8)
    assert other.responses["respondent_id"].iloc[0] != want
    assert base.source_sha256 == hashlib.sha256((workdir / "values.xlsx").read_bytes()).hexdigest()
    assert other.label == "values"


def test_secret_and_size_limit_default_to_the_settings(
    workdir: Path, form: mande.Form, mande_env: Path
) -> None:
    rnd = mande.read_survey(workdir / "values.xlsx", form)
    uuid = pd.read_excel(workdir / "values.xlsx", engine="calamine")["_uuid"].iloc[0]
    assert (
        rnd.responses["respondent_id"].iloc[0]
        == hmac.new(b"test-secret", uuid.encode(), hashlib.sha256).hexdigest()
    )


def test_derived_age_groups_and_disability() -> None:
    df = pd.DataFrame(
        {
            "age": [17, 18, 24, 25, 34, 35, 49, 50, 64, 65, np.nan],
            "wg_seeing": [1, 2, 3, 4, 98, np.nan, 1, 2, 99, 1, np.nan],
            "wg_hearing": [1, 2, 1, 1, 98, np.nan, 1, 2, 99, 4, np.nan],
        }
    )
    out = derive_breakdowns(df)
    assert out["age_group"].tolist()[1:10] == [
        "18-24",
        "18-24",
        "25-34",
        "25-34",
        "35-49",
        "35-49",
        "50-64",
        "50-64",
        "65+",
    ]
    assert pd.isna(out["age_group"].iloc[0]) and pd.isna(out["age_group"].iloc[10])
    assert out["disability"].tolist()[:4] == [
        "without disability",
        "without disability",
        "with disability",
        "with disability",
    ]
    assert pd.isna(out["disability"].iloc[4])  # only don't know
    assert pd.isna(out["disability"].iloc[5])  # all missing
    assert out["disability"].iloc[9] == "with disability"


# --------------------------------------------------------------------------------------------
# Validation errors: each names sheet, row, column, value and what was expected


def _edit(path: Path, out: Path, edit: Any) -> Path:
    df = pd.read_excel(path, engine="calamine", dtype=object)
    df = edit(df)
    rows = [list(df.columns)] + [
        [None if (isinstance(v, float) and np.isnan(v)) else v for v in r]
        for r in df.itertuples(index=False)
    ]
    return write_xlsx(out, [("perception_survey", rows)])


def _errors(path: Path, form: mande.Form, **kw: Any) -> list[mande.Problem]:
    with pytest.raises(DataValidationError) as err:
        _read(path, form, **kw)
    return [p for p in err.value.problems if p.severity == "error"]


def test_missing_design_column(workdir: Path, form: mande.Form) -> None:
    path = _edit(
        workdir / "values.xlsx",
        workdir / "noweight.xlsx",
        lambda d: d.rename(columns={"weight_final": "poids_final"}),
    )
    (p,) = _errors(path, form)
    assert p.code == "missing_column" and p.column == "weight_final" and p.row == 1
    assert p.message.startswith(
        "column 'weight_final' not found; the design names weight='weight_final'"
    )
    assert "columns that look like it: 'poids_final'" in p.message


def test_bad_weights(workdir: Path, form: mande.Form) -> None:
    def edit(d: pd.DataFrame) -> pd.DataFrame:
        d.loc[2, "weight_final"] = 0
        d.loc[5, "weight_final"] = -3.5
        d.loc[9, "weight_final"] = None
        d.loc[11, "weight_final"] = "abc"
        return d

    probs = _errors(_edit(workdir / "values.xlsx", workdir / "badw.xlsx", edit), form)
    got = {(p.row, p.value, p.message) for p in probs}
    assert got == {
        (4, "0", "weight 0 is not above zero"),
        (7, "-3.5", "weight -3.5 is not above zero"),
        (11, "", "weight is missing"),
        (13, "abc", "weight 'abc' is not a number"),
    }
    assert all(p.column == "weight_final" and p.expected == "a number above 0" for p in probs)
    assert all(p.sheet == "perception_survey" for p in probs)


def test_answer_codes_not_in_the_form(workdir: Path, form: mande.Form) -> None:
    def edit(d: pd.DataFrame) -> pd.DataFrame:
        d.loc[3, "security/safe_dark"] = 5
        d.loc[4, "state/trust_police"] = "beaucoup trop"
        d.loc[6, "state/discrimination/sex"] = 2
        return d

    probs = _errors(_edit(workdir / "values.xlsx", workdir / "badcode.xlsx", edit), form)
    by_col = {p.column: p for p in probs}
    p = by_col["security/safe_dark"]
    assert (p.row, p.value, p.code) == (5, "5", "invalid_answer")
    assert p.message == "answer '5' is not a choice of 'safe_dark'"
    assert p.expected.startswith("one of 1, 2, 3, 4, 7, 98, 99")
    assert by_col["state/trust_police"].row == 6
    p = by_col["state/discrimination/sex"]
    assert (p.row, p.value) == (8, "2")
    assert p.message == "'2' is not 0 or 1 in a select-multiple choice column"


def test_space_separated_answers_not_in_the_form(
    workdir: Path, form: mande.Form, recs: list[dict[str, Any]]
) -> None:
    path = kobo_export(workdir / "space.xlsx", recs, split_multiple=False)

    def edit(d: pd.DataFrame) -> pd.DataFrame:
        d.loc[6, "state/discrimination"] = "sex martian"
        return d

    (p,) = _errors(_edit(path, workdir / "space_bad.xlsx", edit), form)
    assert (p.row, p.column, p.value) == (8, "state/discrimination", "sex martian")
    assert p.message == "'sex martian' holds answers that are not choices of 'discrimination'"


def test_duplicate_respondent_ids(workdir: Path, form: mande.Form) -> None:
    def edit(d: pd.DataFrame) -> pd.DataFrame:
        d.loc[10, "_uuid"] = d.loc[1, "_uuid"]
        return d

    probs = _errors(_edit(workdir / "values.xlsx", workdir / "dup.xlsx", edit), form)
    assert [(p.row, p.column, p.code) for p in probs] == [
        (3, "_uuid", "duplicate_id"),
        (12, "_uuid", "duplicate_id"),
    ]
    # a raw respondent id is personal data: the personal-data gate withholds it (row and column
    # say where it is)
    assert probs[0].message == "respondent id '[withheld]' appears in more than one row"
    assert probs[0].value is None


def test_unreadable_dates(workdir: Path, form: mande.Form) -> None:
    def edit(d: pd.DataFrame) -> pd.DataFrame:
        d["today"] = d["today"].astype(object)
        d.loc[0, "today"] = "le 3 mars"
        d.loc[1, "today"] = "2025-13-45"
        return d

    probs = _errors(_edit(workdir / "values.xlsx", workdir / "dates.xlsx", edit), form)
    assert [(p.row, p.value, p.message) for p in probs] == [
        (2, "le 3 mars", "date 'le 3 mars' cannot be read as a date from 1900 to 2100"),
        (3, "2025-13-45", "date '2025-13-45' cannot be read as a date from 1900 to 2100"),
    ]
    assert probs[0].column == "today" and probs[0].expected == "a date such as 2025-03-14"


def test_a_round_mixing_form_versions(workdir: Path, form: mande.Form) -> None:
    def edit(d: pd.DataFrame) -> pd.DataFrame:
        d.loc[20:, "__version__"] = "2024.3"
        return d

    (p,) = _errors(_edit(workdir / "values.xlsx", workdir / "versions.xlsx", edit), form)
    assert p.code == "mixed_versions" and p.column == "__version__"
    assert p.message.startswith(
        "the file mixes form versions: 2024.3 (28 rows, first at row 22), 2025.1 (20 rows, first at row 2)"
    )


def test_errors_are_all_collected(workdir: Path, form: mande.Form) -> None:
    def edit(d: pd.DataFrame) -> pd.DataFrame:
        d.loc[2, "weight_final"] = 0
        d.loc[10, "_uuid"] = d.loc[1, "_uuid"]
        d.loc[3, "security/safe_dark"] = 5
        return d

    probs = _errors(_edit(workdir / "values.xlsx", workdir / "many.xlsx", edit), form)
    assert {p.code for p in probs} == {"invalid_weight", "duplicate_id", "invalid_answer"}


# --------------------------------------------------------------------------------------------
# Warnings do not block


def test_warnings(workdir: Path, form: mande.Form) -> None:
    def edit(d: pd.DataFrame) -> pd.DataFrame:
        d.loc[d["stratum"] == "VD01-R", "cluster_id"] = "ONLY"
        d.loc[0, "weight_final"] = 5000.0
        d.loc[:30, "security/safe_day"] = None
        return d

    rnd = _read(
        _edit(workdir / "values.xlsx", workdir / "warn.xlsx", edit),
        form,
        fieldwork=(dt.date(2025, 3, 1), dt.date(2025, 3, 15)),
    )
    w = {}
    for p in rnd.report.warnings:
        w.setdefault(p.code, []).append(p)
    (single,) = [p for p in w["single_psu"] if p.value == "VD01-R"]
    assert "stratum 'VD01-R' has a single PSU" in single.message
    (deff,) = w["unequal_weights"]
    assert deff.message.startswith("weights are very unequal: Kish's design effect 1 + CV² = ")
    assert deff.column == "weight_final"
    (nr,) = [p for p in w["item_nonresponse"] if p.column == "security/safe_day"]
    day = rnd.responses["safe_day"]
    share = (day.isna() | day.isin([98, 99])).mean()
    assert share > 0.2
    assert nr.message == (
        f"{share:.0%} of respondents gave no substantive answer to 'safe_day' (missing, don't "
        "know or refused)"
    )
    out = w["outside_fieldwork"]
    assert {p.row for p in out} == {i + 2 for i in range(N) if (i % 20) + 1 > 15}
    assert "outside the fieldwork (2025-03-01 to 2025-03-15)" in out[0].message


def test_kish_design_effect() -> None:
    from mande.ingest.validate import kish_deff

    assert kish_deff(np.ones(10)) == pytest.approx(1.0)
    w = np.array([1.0, 2.0, 3.0, 4.0])
    cv2 = w.var() / w.mean() ** 2
    assert kish_deff(w) == pytest.approx(1 + cv2)


# --------------------------------------------------------------------------------------------
# CLI


def test_cli_validate_prints_problems_and_exits_non_zero(workdir: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        app,
        ["validate", str(workdir / "values.xlsx"), "--form", str(workdir / "form.xlsx")],
        env={"MANDE_SECRET": "x", "MANDE_DATA_DIR": str(workdir / "data")},
    )
    assert ok.exit_code == 0, ok.output
    assert "OK: 48 respondents" in ok.output
    assert "resp_name" in ok.output  # the removed personal columns are listed
    bad = runner.invoke(
        app,
        ["validate", str(workdir / "dup.xlsx"), "--form", str(workdir / "form.xlsx")],
        env={"MANDE_SECRET": "x", "MANDE_DATA_DIR": str(workdir / "data")},
    )
    assert bad.exit_code == 1
    assert "duplicate" not in bad.output or "appears in more than one row" in bad.output
    assert "uuid-3-00001" not in bad.output and "the file is refused" in bad.output


def test_legacy_xls_export_gives_the_same_standard_table(
    form: mande.Form, base: mande.SurveyRound
) -> None:
    """An export re-saved as Excel 97-2003 (.xls): the same respondents as ``values.xlsx``
    (``answers(48, seed=3)``), converted once with LibreOffice and kept in tests/unit/fixtures/."""
    path = Path(__file__).parent / "fixtures" / "kobo_export_seed3_n48.xls"
    rnd = _read(path, form, round_label="R1")
    a, b = base.responses.copy(), rnd.responses.copy()
    assert list(a.columns) == list(b.columns)
    assert len(b) == N
    pd.testing.assert_series_equal(a.pop("weight"), b.pop("weight"), rtol=1e-12)
    pd.testing.assert_frame_equal(a, b)


def test_counts_per_group_for_the_upload_check(base: mande.SurveyRound) -> None:
    table = base.counts("region")
    assert list(table.columns) == ["region", "n", "weighted_share"]
    assert table["n"].sum() == N
    assert table["weighted_share"].sum() == pytest.approx(100)
    with pytest.raises(mande.DataValidationError, match="column 'nope' is not in the round"):
        base.counts("nope")
