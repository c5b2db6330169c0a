"""Export shapes (Kobo, ODK Central, R), surveys without sample design, the report in French."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _ingest_forms import write_xlsx

from mande.errors import DataValidationError, DefinitionError, Problem
from mande.ingest import _decode as dec
from mande.ingest.exports import normalise_headers, read_export
from mande.ingest.mapping import mapping_from_dict
from mande.ingest.report_text import problem_message, report_frame
from mande.ingest.sample_design import parse_design, with_design_type
from mande.ingest.survey import read_survey

SECRET = b"unit"


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small non-standard form: a select_one in a group, a select_multiple, a number, a text,
    a geopoint, and a repeat group."""
    path = tmp_path_factory.mktemp("form") / "form.xlsx"
    survey = [
        ["type", "name", "label::English (en)"],
        ["start", "start", ""],
        ["begin_group", "grp", "Group"],
        ["select_one yn", "safe", "Do you feel safe?"],
        ["end_group", "", ""],
        ["select_multiple fruit", "fruits", "Fruits"],
        ["integer", "members", "Members"],
        ["text", "comment", "Comment"],
        ["geopoint", "where", "Where"],
        ["begin_repeat", "people", "People"],
        ["select_one yn", "works", "Works?"],
        ["end_repeat", "", ""],
    ]
    choices = [
        ["list_name", "name", "label::English (en)"],
        ["yn", "yes", "Yes"],
        ["yn", "no", "No"],
        ["fruit", "apple", "Apple"],
        ["fruit", "pear", "Pear"],
    ]
    settings = [["form_id", "version"], ["unit_form", "1"]]
    return write_xlsx(path, [("survey", survey), ("choices", choices), ("settings", settings)])


def _csv(path: Path, text: str) -> Path:
    path.write_text(text.replace("\n", "\r\n"), encoding="utf-8")
    return path


def test_parse_design_srs_and_blank_keys() -> None:
    assert parse_design({"type": "srs"})["type"] == "srs"
    assert "weight" not in parse_design({"type": "srs"})
    assert parse_design(None)["weight"] == "weight_final"
    for bad in ({"weight": None}, {"psu": ""}, {"strata": "  "}):
        with pytest.raises(DefinitionError, match="type: srs"):
            parse_design(bad)
    with pytest.raises(DefinitionError, match="takes no weight"):
        parse_design({"type": "srs", "weight": "w"})
    with pytest.raises(DefinitionError, match="not known"):
        parse_design({"type": "cluster"})
    with pytest.raises(DefinitionError, match="unknown design key"):
        parse_design({"weights": "w"})
    # the mapping file goes through the same check: never a column named "None"
    with pytest.raises(DefinitionError, match=r"design\.weight is empty"):
        mapping_from_dict({"design": {"weight": None}})
    assert with_design_type({"weight": "w", "strata": "s"}, "srs") == {"type": "srs"}


def test_central_export_srs(form: Path, tmp_path: Path) -> None:
    """ODK Central's submissions.csv: KEY hashed, submitter and GPS parts removed, - groups."""
    path = _csv(
        tmp_path / "central.csv",
        "SubmissionDate,start,grp-safe,fruits,fruits/apple,fruits/pear,members,comment,"
        "where-Latitude,where-Longitude,where-Altitude,where-Accuracy,meta-instanceID,KEY,"
        "SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,Status,ReviewState,"
        "DeviceID,Edits,FormVersion\n"
        "2025-03-02T10:00:00.000Z,2025-03-01,yes,apple,1,0,4,fine,1.5,2.5,100,5,uuid:a1,uuid:a1,"
        "7,Alice Enumerator,0,0,,,collect:xyz,0,1\n"
        "2025-03-03T10:00:00.000Z,2025-03-02,no,apple pear,1,1,NA,,1.6,2.6,101,6,uuid:a2,uuid:a2,"
        "7,Alice Enumerator,0,0,,approved,collect:xyz,0,1\n",
    )
    rnd = read_survey(path, form, None, design="srs", secret=SECRET, round_label="R1")
    out = rnd.responses
    assert (out["weight"] == 1.0).all() and out["stratum"].isna().all()
    assert (out["psu"] == out["respondent_id"]).all()
    assert rnd.design.strata is None and rnd.design.psu is None
    assert rnd.design_note is not None
    assert rnd.report.problems[0].code == "no_sample_design"
    assert rnd.report.problems[1].code == "missing_breakdown"
    assert out["safe"].tolist() == ["yes", "no"]
    assert out[["fruits__apple", "fruits__pear"]].to_numpy().tolist() == [[1, 0], [1, 1]]
    assert out["members"].iloc[0] == 4 and np.isnan(out["members"].iloc[1])  # R's NA
    removed = {r.column for r in rnd.report.removed}
    assert {"KEY", "SubmitterID", "SubmitterName", "DeviceID", "where-Latitude"} <= removed
    assert {"where-Longitude", "where-Altitude", "where-Accuracy"} <= removed
    text = out.astype(str).to_numpy().ravel().tolist()
    assert not {"uuid:a1", "uuid:a2", "Alice Enumerator", "1.5", "2.5"} & set(text)
    assert rnd.fieldwork_start == dt.date(2025, 3, 1)


def test_r_processed_export(form: Path, tmp_path: Path) -> None:
    """After R: X_uuid, X.U.FEFF.start, dots for slashes, TRUE/FALSE, 1.0 codes, row names."""
    path = _csv(
        tmp_path / "r.csv",
        ',"X.U.FEFF.start","grp.safe","fruits","fruits.apple","fruits.pear","members",'
        '"X_uuid","X_submitted_by","X_where_latitude"\n'
        '1,"2025-03-01","yes","apple",TRUE,FALSE,4.0,"u-1","enum1",1.5\n'
        '2,"2025-03-02","no","pear",FALSE,TRUE,NA,"u-2","enum1",1.6\n',
    )
    _frame, renamed = normalise_headers(read_export(path).main.frame)
    assert renamed == {}  # read_export already renamed them
    export = read_export(path)
    assert {"X_uuid": "_uuid", "X.U.FEFF.start": "start"}.items() <= export.renamed.items()
    rnd = read_survey(path, form, {"design": {"type": "srs"}}, secret=SECRET)
    out = rnd.responses
    assert out[["fruits__apple", "fruits__pear"]].to_numpy().tolist() == [[1, 0], [0, 1]]
    assert out["members"].iloc[0] == 4.0
    assert {"_uuid", "_submitted_by", "_where_latitude"} <= {r.column for r in rnd.report.removed}
    assert out["respondent_id"].str.len().eq(64).all()


def test_kobo_workbook_hxl_and_repeats(form: Path, tmp_path: Path) -> None:
    """Kobo's xlsx: an HXL row under the header, a repeat group on its own sheet, linked."""
    main = [
        ["start", "Do you feel safe?", "Fruits", "Fruits/Apple", "Fruits/Pear", "_uuid", "_index"],
        ["#date", "#indicator+safe", "", "", "", "", ""],
        ["2025-03-01", "Yes", "Apple", 1, 0, "u-1", 1],
        ["2025-03-02", "Maybe", "Pear", 0, 1, "u-2", 2],
    ]
    rep = [
        ["Works?", "_index", "_parent_table_name", "_parent_index", "_submission__uuid"],
        ["Yes", 1, "unit_form", 1, "u-1"],
        ["No", 2, "unit_form", 1, "u-1"],
        ["No", 3, "unit_form", 2, "u-2"],
    ]
    path = write_xlsx(tmp_path / "kobo.xlsx", [("unit form", main), ("people", rep)])
    # "Maybe" is not a choice of an unmapped question: a warning, read as missing, row 4
    rnd = read_survey(path, form, {"design": {"type": "srs"}}, secret=SECRET)
    bad = [p for p in rnd.report.problems if p.code == "invalid_answer"]
    assert len(bad) == 1 and bad[0].severity == "warning" and bad[0].row == 4
    people = rnd.repeats["people"]
    assert people["works"].tolist() == ["yes", "no", "no"]
    ids = rnd.responses["respondent_id"].tolist()
    assert people["respondent_id"].tolist() == [ids[0], ids[0], ids[1]]
    assert "_submission__uuid" not in people.columns
    assert not {"u-1", "u-2"} & set(people.astype(str).to_numpy().ravel())


def test_unmapped_answer_blocks_only_when_mapped(form: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path / "x.csv", "start,safe,_uuid\n2025-03-01,maybe,u-1\n")
    mapping = {"design": {"type": "srs"}, "questions": {"safe": {"item": "safe_dark",
               "choices": {"yes": 1, "no": 4}}}}  # fmt: skip
    with pytest.raises(DataValidationError) as info:
        read_survey(path, form, mapping, secret=SECRET)
    assert [p.code for p in info.value.errors] == ["invalid_answer"]


def test_no_design_columns_says_how_to_declare(form: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path / "x.csv", "start,safe,_uuid\n2025-03-01,yes,u-1\n")
    with pytest.raises(DataValidationError) as info:
        read_survey(path, form, None, secret=SECRET)
    (err,) = info.value.errors
    assert err.code == "no_design" and "design: {type: srs}" in err.message
    assert "--design srs" in err.message


def test_excel_serial_dates_and_codes() -> None:
    d, bad = dec.dates(pd.Series([45717.0, "2025-03-01", "NA", "", "soon"], dtype=object))
    assert d.iloc[0] == pd.Timestamp("2025-03-01") and d.iloc[1] == pd.Timestamp("2025-03-01")
    assert bad.tolist() == [False, False, False, False, True]
    assert dec.vkey(1.0) == "1" and dec.vkey(np.True_) == "1"


def test_report_in_french() -> None:
    problems = [
        Problem("weird", severity="warning", code="missing_breakdown", column="region, sex"),
        Problem(
            "'abc' is not a number",
            code="invalid_number",
            sheet="data",
            row=4,
            column="age",
            value="abc",
            expected="a number",
        ),
    ]
    frame = report_frame(problems, "fr")
    assert list(frame.columns) == [
        "gravité", "code", "feuille", "ligne", "colonne", "valeur", "attendu", "message (que faire)"
    ]  # fmt: skip
    first = frame.iloc[0]
    assert first["gravité"] == "erreur" and first["attendu"] == "un nombre"
    assert first["message (que faire)"].startswith("« abc » n'est pas un nombre")
    assert "région, sexe" in problem_message(problems[0], "fr")
    assert report_frame(problems, "en").iloc[0]["message (what to do)"] == "'abc' is not a number"


def test_counts_with_region_names(form: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path / "x.csv", "start,safe,_uuid\n2025-03-01,yes,u-1\n2025-03-01,no,u-2\n")
    rnd = read_survey(path, form, {"design": {"type": "srs"}}, secret=SECRET)
    rnd.responses["region"] = ["CF-01", np.nan]
    table = rnd.counts("region", labels={"CF-01": "Bangui"}, missing="–")
    assert table["region"].tolist() == ["Bangui", "–"]
    assert table["weighted_share"].tolist() == [50.0, 50.0]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_srs_round_says_so_in_annex_and_draft(tmp_path: Path, lang: str) -> None:
    """A round read without a sample design carries the warning onto the annex and the draft."""
    from dataclasses import replace

    from _report_example import inputs
    from openpyxl import load_workbook

    from mande.ingest.sample_design import srs_note
    from mande.report.annex import write_annex
    from mande.report.build import build_report_data
    from mande.report.narrative import narrative_paragraphs, paragraphs_text

    base = inputs()
    rounds = base.rounds.assign(design="columns")
    data = build_report_data(replace(base, rounds=rounds), "2026-06")
    current = data.current_round
    assert srs_note(lang) not in paragraphs_text(narrative_paragraphs(data, lang))
    rounds.loc[rounds["round"] == current, "design"] = "srs"
    data = build_report_data(replace(base, rounds=rounds), "2026-06")
    path = write_annex(data, tmp_path / "annex.xlsx", lang)
    cover = load_workbook(path).worksheets[0]
    cells = [str(c.value) for row in cover.iter_rows() for c in row if c.value]
    expected = f"{current}: {srs_note(lang)}"
    if lang == "fr":  # the French annex takes French typography (no-break spaces before : and ;)
        from mande.report.style import fr_typography

        expected = fr_typography(expected)
    assert expected in cells
    text = paragraphs_text(narrative_paragraphs(data, lang))
    text = text.replace("\u00a0", " ").replace("\u202f", " ")  # French typography
    assert srs_note(lang)[1:] in text


def test_row_names_with_gaps_and_camel_case_names(tmp_path: Path) -> None:
    from mande.ingest._files import read_tables
    from mande.ingest.privacy import personal_by_name

    path = _csv(tmp_path / "rn.csv", ",a,b\n0,x,1\n1,y,2\n3,z,3\n")  # pandas: row 2 filtered out
    frame = next(iter(read_tables(path).values())).frame
    assert list(frame.columns) == ["a", "b"]
    not_names = _csv(tmp_path / "nn.csv", ",a\n5,x\n2,y\n")
    with pytest.raises(DataValidationError, match="has data but no header"):
        read_tables(not_names)
    assert personal_by_name("EnumeratorDetails.EnumeratorName") is not None
    assert personal_by_name("HHName") is not None
    assert personal_by_name("NoRooms") is None
