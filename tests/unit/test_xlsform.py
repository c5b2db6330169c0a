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
        ],
        [["yn", "1", "Yes", "Oui"]],
    )
    with pytest.raises(DataValidationError) as err:
        mande.read_xlsform(path)
    probs = {(p.sheet, p.row): p for p in err.value.problems}
    assert (
        "choice list 'nolist' of question 'q1' is not in the choices sheet"
        in probs[("survey", 2)].message
    )
    assert "name 'q2' is used twice (rows 3 and 4)" in probs[("survey", 4)].message
    assert "unknown question type 'frobnicate'" in probs[("survey", 5)].message
    assert len(err.value.problems) == 3


def test_unbalanced_group_is_refused(tmp_path: Path) -> None:
    path = _form(
        tmp_path, [["begin group", "g", "G", "G", "", ""], ["integer", "q", "Q", "Q", "", ""]], []
    )
    with pytest.raises(DataValidationError) as err:
        mande.read_xlsform(path)
    (p,) = err.value.problems
    assert p.row == 2 and "'begin group' 'g' has no matching 'end group'" in p.message


def test_pyxform_catches_what_ode_would_refuse(tmp_path: Path) -> None:
    path = _form(tmp_path, [["integer", "1bad", "Q", "Q", "", ""]], [["yn", "1", "Yes", "Oui"]])
    with pytest.raises(DataValidationError) as err:
        mande.read_xlsform(path)
    (p,) = err.value.problems
    assert p.sheet == "survey" and p.row == 2
    assert p.message.startswith("pyxform refuses the form:")
    assert "Names must begin with a letter or underscore" in p.message


def test_a_workbook_without_survey_sheet_is_not_a_form(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", [("data", [["a", "b"], [1, 2]])])
    with pytest.raises(DataValidationError, match="has no 'survey' sheet"):
        mande.read_xlsform(path)
