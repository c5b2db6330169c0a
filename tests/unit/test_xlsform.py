"""Reading XLSForms: questions, groups, repeats, labels per language, choices, settings; invalid forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from _ingest_forms import standard_form, write_xlsx

import mande
from mande.errors import DataValidationError

SURVEY = ["type", "name", "label::English (en)", "label::fr", "relevant", "required"]
CHOICES = ["list_name", "name", "label::English (en)", "label::fr"]


def _form(
    tmp_path: Path,
    survey: list[list[str]],
    choices: list[list[str]] | None = None,
    settings: list[list[str]] | None = None,
) -> Path:
    sheets = [("survey", [SURVEY, *survey])]
    if choices is not None:
        sheets.append(("choices", [CHOICES, *choices]))
    if settings is not None:
        sheets.append(("settings", settings))
    return write_xlsx(tmp_path / "form.xlsx", sheets)


def test_standard_form_is_read_with_groups_labels_and_choices(tmp_path: Path) -> None:
    form = mande.read_xlsform(standard_form(tmp_path / "std.xlsx", version="2025.1"))
    assert form.form_id == "perception_survey"
    assert form.version == "2025.1"
    assert form.default_language == "en"
    assert form.languages == ("en", "fr")
    q = form.question("safe_dark")
    assert q.type == "select_one"
    assert q.list_name == "safe_dark"
    assert q.group == ("security",)
    assert q.path == "security/safe_dark"
    assert q.required is True
    assert q.labels["fr"].startswith("À quel point vous sentez-vous en sécurité")
    names = [c.name for c in form.choices_of(q)]
    assert names == ["1", "2", "3", "4", "7", "98", "99"]
    assert form.choices_of(q)[0].labels == {"en": "Very safe", "fr": "Très en sécurité"}
    assert form.question("victim_reported").relevant == "${victim} = 1"
    assert form.question("discrimination").type == "select_multiple"
    assert form.question("start").is_metadata
    assert form.question("gps").type == "geopoint"
    assert form.question("age").type == "integer"


def test_or_other_repeat_note_calculate_and_plain_label(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        [
            (
                "survey",
                [
                    ["type", "name", "label", "calculation"],
                    ["note", "intro", "Hello", ""],
                    ["select_one yn or_other", "q1", "Q1", ""],
                    ["begin repeat", "members", "Members", ""],
                    ["integer", "m_age", "Age", ""],
                    ["end repeat", "", "", ""],
                    ["calculate", "c1", "", "1 + 1"],
                    ["date", "d1", "Date", ""],
                    ["decimal", "x", "X", ""],
                ],
            ),
            ("choices", [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]),
        ],
    )
    form = mande.read_xlsform(path)
    q1 = form.question("q1")
    assert (q1.type, q1.list_name, q1.or_other) == ("select_one", "yn", True)
    assert form.question("q1_other").type == "text"
    assert form.question("m_age").repeat == "members"
    assert form.question("m_age").group == ("members",)
    assert form.question("c1").type == "calculate"
    assert form.question("intro").type == "note"
    assert form.languages == ("default",)
    assert form.choices["yn"][0].labels == {"default": "Yes"}


def test_invalid_form_lists_every_problem_with_sheet_and_row(tmp_path: Path) -> None:
    path = _form(
        tmp_path,
        [
            ["select_one nolist", "q1", "Q1", "Q1", "", ""],
            ["integer", "q2", "Q2", "Q2", "", ""],
            ["integer", "q2", "Q2 again", "Q2", "", ""],
            ["frobnicate", "q3", "Q3", "Q3", "", ""],
            ["integer", "q4", "Q4", "Q4", "${nothere} > 1", ""],
        ],
        [["yn", "1", "Yes", "Oui"]],
    )
    with pytest.raises(DataValidationError) as err:
        mande.read_xlsform(path)
    probs = {(p.sheet, p.row): p for p in err.value.problems}
    assert set(probs) == {("survey", 2), ("survey", 4), ("survey", 5), ("survey", 6)}
    assert all(p.message.startswith("pyxform refuses the form:") for p in probs.values())
    assert "List name not in choices sheet: nolist" in probs[("survey", 2)].message
    assert "the 'name' value 'q2' is invalid" in probs[("survey", 4)].message
    assert "strict=False" in probs[("survey", 4)].message  # a rule Kobo once allowed
    assert "Unknown question type 'frobnicate'" in probs[("survey", 5)].message
    assert "Could not find the name 'nothere'" in probs[("survey", 6)].message
    assert probs[("survey", 6)].column == "relevant"


def test_unbalanced_group_is_refused(tmp_path: Path) -> None:
    path = _form(
        tmp_path, [["begin group", "g", "G", "G", "", ""], ["integer", "q", "Q", "Q", "", ""]], []
    )
    with pytest.raises(DataValidationError) as err:
        mande.read_xlsform(path)
    (p,) = err.value.problems
    assert p.row == 2 and "Unmatched 'begin_group'" in p.message and "'g'" in p.message


def test_pyxform_catches_what_ode_would_refuse(tmp_path: Path) -> None:
    path = _form(tmp_path, [["integer", "1bad", "Q", "Q", "", ""]], [["yn", "1", "Yes", "Oui"]])
    with pytest.raises(DataValidationError) as err:
        mande.read_xlsform(path)
    (p,) = err.value.problems
    assert p.sheet == "survey" and p.row == 2 and p.column == "name"
    assert p.message.startswith("pyxform refuses the form:")
    assert "Names must begin with a letter or underscore" in p.message


def test_a_workbook_without_survey_sheet_is_not_a_form(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "x.xlsx", [("data", [["a", "b"], [1, 2]]), ("other", [["c"], [3]])]
    )
    with pytest.raises(DataValidationError, match="You must have a sheet named 'survey'"):
        mande.read_xlsform(path)
    one = write_xlsx(tmp_path / "y.xlsx", [("data", [["a", "b"], [1, 2]])])
    with pytest.raises(DataValidationError, match="required column headers were not found"):
        mande.read_xlsform(one)


def test_what_pyxform_accepts_is_read(tmp_path: Path) -> None:
    """Aliases, legacy syntax, comment rows and columns, extra sheets, nameless notes, loops."""
    path = write_xlsx(
        tmp_path / "f.xlsx",
        [
            ("Start here", [["Read me first"], ["This sheet is not part of the form"]]),
            (
                "survey",
                [
                    ["type", "name", "label", "", "my notes"],
                    ["string", "s", "S", "", "a comment column"],
                    ["gps", "where", "Where", "", ""],
                    ["phone number", "tel", "Phone", "", ""],
                    ["uri:deviceid", "dev", "", "", ""],
                    ["int", "n", "N", "", ""],
                    ["select one from yn", "legacy", "Legacy", "", ""],
                    ["select all that apply from yn", "many", "Many", "", ""],
                    ["", "", "", "", "a comment row"],
                    ["note", "", "A note without a name", "", ""],
                    ["begin loop over yn", "lp", "Loop", "", ""],
                    ["integer", "count", "How many", "", ""],
                    ["end loop", "", "", "", ""],
                    ["select_one c or_other", "oth", "Other?", "", ""],
                ],
            ),
            (
                "choices",
                [
                    ["list_name", "name", "label"],
                    ["yn", "yes", "Yes"],
                    ["yn", "no", "No"],
                    ["c", "a", "A"],
                ],
            ),
        ],
    )
    form = mande.read_xlsform(path)
    types = {q.name: q.type for q in form.questions}
    assert types["s"] == "text" and types["where"] == "geopoint"
    assert types["tel"] == "phonenumber" and types["dev"] == "deviceid"
    assert form.question("tel").is_metadata and form.question("dev").is_metadata
    assert types["n"] == "integer"
    assert (form.question("legacy").type, form.question("legacy").list_name) == ("select_one", "yn")
    assert form.question("many").type == "select_multiple"
    assert form.question("legacy").row == 7
    notes = [q for q in form.questions if q.type == "note"]
    assert len(notes) == 1 and notes[0].row == 10
    loop = [q for q in form.questions if q.name == "count"]
    assert [q.path for q in loop] == ["lp/yes/count", "lp/no/count"]
    assert form.question("oth").or_other and form.question("oth_other").type == "text"
    assert "instanceID" not in form  # pyxform's own meta field is not a question of the form
    assert not form.warnings


def test_one_sheet_of_any_name_is_the_survey(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx", [("Sheet1", [["type", "name", "label"], ["text", "a", "A"]])]
    )
    form = mande.read_xlsform(path)
    assert form.names == ("a",)


def _dup_form(tmp_path: Path, allow: bool = False) -> Path:
    settings = [["form_id", "allow_choice_duplicates"], ["old", "yes" if allow else "no"]]
    return write_xlsx(
        tmp_path / "dup.xlsx",
        [
            (
                "survey",
                [
                    ["type", "name", "label", "relevant"],
                    ["integer", "age", "Age", ""],
                    ["select_multiple a", "hands", "Hands (child)", "${age} < 5"],
                    ["select_multiple b", "hands", "Hands (adult)", "${age} >= 5"],
                ],
            ),
            (
                "choices",
                [
                    ["list_name", "name", "label"],
                    ["a", "food", "Food"],
                    ["a", "food", "Eating"],
                    ["b", "toilet", "Toilet"],
                ],
            ),
            ("settings", settings),
        ],
    )


def test_rules_kobo_once_allowed_are_warnings_with_strict_false(tmp_path: Path) -> None:
    path = _dup_form(tmp_path)
    with pytest.raises(DataValidationError) as err:
        mande.read_xlsform(path)
    where = {(p.sheet, p.row) for p in err.value.problems}
    assert where == {("survey", 4), ("choices", 3)}
    form = mande.read_xlsform(path, strict=False)
    assert {(p.sheet, p.row, p.severity) for p in form.warnings} == {
        ("survey", 4, "warning"),
        ("choices", 3, "warning"),
    }
    assert all("strict=False" in p.message for p in form.warnings)
    first = form.question("hands")
    assert (first.row, first.list_name) == (3, "a")  # the export's column is the first question's
    assert [c.name for c in form.choices["a"]] == ["food", "food"]


def test_allowed_choice_duplicates_are_read(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        [
            ("survey", [["type", "name", "label"], ["select_one a", "q", "Q"]]),
            ("choices", [["list_name", "name", "label"], ["a", "x", "X"], ["a", "x", "X2"]]),
            ("settings", [["allow_choice_duplicates"], ["yes"]]),
        ],
    )
    form = mande.read_xlsform(path)
    assert not form.warnings and len(form.choices["a"]) == 2
