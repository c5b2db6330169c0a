"""Every export of the real-world corpus read as an officer would read it.

Each Kobo / ODK Central / R-processed export in ``../shared/realworld/exports/`` is read with its
form (``manifest.json`` pairs them), the suggested mapping, and the design declared ``srs`` (no file
of the corpus carries design columns). Checked on each: no traceback; accepted unless listed in
:data:`REFUSED` (then refused with that code and a message that says how to fix it); no raw id,
account name or GPS coordinate left in the responses or the repeat-group tables; select_multiple
answers split into 0/1 columns; repeat-group sheets read as tables linked to their respondents;
``compute_indicators`` runs.

The corpus is never copied into the project; these tests skip when it is absent on a developer's
machine and fail in CI (``CI=true``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from mande.cli import app
from mande.errors import DataValidationError, DefinitionError
from mande.indicators.compute import compute_indicators
from mande.ingest._files import read_tables
from mande.ingest.mapping import Mapping, suggest_mapping
from mande.ingest.survey import SurveyRound, read_survey
from mande.ingest.xlsform import Form, read_xlsform

from .conftest import _read_manifest, corpus_dir

SECRET = b"realworld-test"


def _corpus_dir() -> Path:
    return corpus_dir()


def _need_corpus() -> dict[str, Any]:
    data = _read_manifest()
    if data is None:  # the autouse fixture of conftest.py has skipped (failed in CI) already
        pytest.skip("corpus absent")
    return data


#: Exports that must be refused, with the code of the error and why.
REFUSED = {
    "exports/kobo_nested_grouped_repeatable__labels.xlsx": (
        "duplicate_id",
        "the same two submissions appear twice (same _id, _uuid and times)",
    ),
}

#: Columns whose values are raw ids or accounts, on every platform (after R: X_uuid ...).
_ID_COLUMNS = re.compile(
    r"^(X?_uuid|KEY|meta[-/.]instanceID|instanceID|X?_submission__uuid|uuid)$", re.IGNORECASE
)
_ACCOUNT_COLUMNS = re.compile(
    r"^(X?_submitted_by|X?_submission__submitted_by|SubmitterID|SubmitterName|DeviceID|deviceid|"
    r"username|imei|phonenumber)$",
    re.IGNORECASE,
)
_GPS_COLUMN = re.compile(
    r"(^X?_.+_(latitude|longitude|altitude|precision)$|[-/.](latitude|longitude|altitude|accuracy)$"
    r"|^X?_geolocation$)",
    re.IGNORECASE,
)


@functools.cache
def _form(rel: str) -> Form:
    """The form as Kobo deployed it (read_xlsform(strict=False): today's pyxform may be stricter)."""
    return read_xlsform(_corpus_dir() / rel, strict=False)


_READ: dict[tuple[str, str | None], tuple[SurveyRound, Mapping]] = {}


def _read(rel: str, entry: dict[str, Any]) -> tuple[SurveyRound, Mapping]:
    """The export read as an officer would: the suggested mapping, the design declared srs.

    Read once per test session (the checks below share it)."""
    key = (rel, entry.get("respondent_id"))
    if key not in _READ:
        _READ[key] = _read_uncached(rel, entry)
    return _READ[key]


def _read_uncached(rel: str, entry: dict[str, Any]) -> tuple[SurveyRound, Mapping]:
    path = _corpus_dir() / rel
    form = _form(entry["form"])
    headers = [str(c) for c in next(iter(read_tables(path, sheets=1).values())).frame.columns]
    mapping = suggest_mapping(form, columns=headers)
    spec = mapping.to_dict()
    spec["design"] = {"type": "srs"}
    if entry.get("respondent_id"):
        spec["design"]["respondent_id"] = entry["respondent_id"]
    rnd = read_survey(path, form, spec, round_label="R1", secret=SECRET)
    return rnd, mapping


def _raw_values(path: Path, pattern: re.Pattern[str]) -> set[str]:
    """Every value of the columns whose header matches ``pattern``, in every sheet."""
    out: set[str] = set()
    for table in read_tables(path).values():
        for col in table.frame.columns:
            if pattern.search(str(col)):
                for v in table.frame[col].tolist():
                    s = str(v).strip()
                    if s and s.lower() not in ("nan", "na", "none"):
                        out.add(s)
    return out


def _cells(rnd: SurveyRound) -> set[str]:
    """Every cell of the responses and the repeat tables, as text (ids are hashed, so excluded)."""
    out: set[str] = set()
    for frame in (rnd.responses, *rnd.repeats.values()):
        for col in frame.columns:
            if col in ("respondent_id", "psu"):
                continue
            out.update(str(v).strip() for v in frame[col].dropna().unique())
    return out


def test_export_is_read_or_refused(export_entry: tuple[str, dict[str, Any]]) -> None:
    rel, entry = export_entry
    if rel in REFUSED:
        code, why = REFUSED[rel]
        with pytest.raises(DataValidationError) as info:
            _read(rel, entry)
        errors = [p for p in info.value.problems if p.severity == "error"]
        assert errors and {p.code for p in errors} == {code}, why
        assert all(p.row and p.column and p.expected for p in errors)
        return
    rnd, _mapping = _read(rel, entry)
    assert len(rnd.responses) > 0
    assert rnd.design.strata is None and rnd.design.psu is None
    assert (rnd.responses["weight"] == 1.0).all()
    assert rnd.design_note is not None and "srs" in rnd.design_note
    codes = [p.code for p in rnd.report.problems]
    assert codes[0] == "no_sample_design" and "missing_breakdown" in codes[:2]


def test_no_personal_data_left(export_entry: tuple[str, dict[str, Any]]) -> None:
    rel, entry = export_entry
    if rel in REFUSED:  # nothing to check in a refused file but that it stays refused
        with pytest.raises(DataValidationError):
            _read(rel, entry)
        return
    path = _corpus_dir() / rel
    rnd, _ = _read(rel, entry)
    columns = [str(c) for f in (rnd.responses, *rnd.repeats.values()) for c in f.columns]
    assert not [c for c in columns if _ID_COLUMNS.match(c) or _ACCOUNT_COLUMNS.match(c)]
    assert not [c for c in columns if _GPS_COLUMN.search(c)]
    cells = _cells(rnd)
    ids = {v for v in _raw_values(path, _ID_COLUMNS) if len(v) >= 6}
    if entry.get("respondent_id"):
        ids |= {
            v
            for v in _raw_values(path, re.compile(f"^{re.escape(entry['respondent_id'])}$"))
            if len(v) >= 6
        }
    assert not (ids & cells), "raw ids left"
    accounts = {v for v in _raw_values(path, _ACCOUNT_COLUMNS) if len(v) >= 3}
    assert not (accounts & cells), "account names left"
    gps = _raw_values(path, _GPS_COLUMN)
    assert not (gps & cells), "GPS coordinates left"
    form = _form(entry["form"])
    for q in form.questions:
        if q.type in ("geopoint", "geotrace", "geoshape"):
            assert q.name not in columns
    hashed = rnd.responses["respondent_id"]
    assert hashed.notna().all() and hashed.str.fullmatch(r"[0-9a-f]{64}").all()


def test_select_multiple_split_and_repeats_linked(export_entry: tuple[str, dict[str, Any]]) -> None:
    rel, entry = export_entry
    if rel in REFUSED:  # nothing to check in a refused file but that it stays refused
        with pytest.raises(DataValidationError):
            _read(rel, entry)
        return
    rnd, mapping = _read(rel, entry)
    form = _form(entry["form"])
    out = rnd.responses
    for q in form.questions:
        if q.type != "select_multiple" or q.repeat is not None:
            continue
        m = mapping.item_of(q.name)
        prefix = f"{m.item}__" if m is not None else f"{q.name}__"
        split = [c for c in out.columns if str(c).startswith(prefix)]
        if not split:
            continue  # not in this export (a column subset, or another version)
        values = pd.unique(out[split].to_numpy().ravel())
        assert {v for v in values if v == v} <= {0.0, 1.0}, q.name
    workbook = _corpus_dir() / rel
    repeat_sheets = [
        t
        for i, t in enumerate(read_tables(workbook).values())
        if i > 0 and "_parent_index" in t.frame.columns
    ]
    assert len(rnd.repeats) == len(repeat_sheets)
    ids = set(out["respondent_id"])
    for name, table in rnd.repeats.items():
        assert {"respondent_id", "index", "parent_index"} <= set(table.columns), name
        assert table["respondent_id"].notna().all(), name
        assert set(table["respondent_id"]) <= ids, name


def test_indicators_run_and_no_unrelated_question_scored(
    export_entry: tuple[str, dict[str, Any]],
) -> None:
    rel, entry = export_entry
    if rel in REFUSED:  # nothing to check in a refused file but that it stays refused
        with pytest.raises(DataValidationError):
            _read(rel, entry)
        return
    rnd, _mapping = _read(rel, entry)
    table = compute_indicators(rnd, on_missing="skip")
    assert isinstance(table, pd.DataFrame)
    if entry.get("perception_items_expected") is False and len(table):
        computed = table[table["estimate"].notna()] if "estimate" in table else table
        assert computed.empty, "standard indicators computed from a non-perception form: " + (
            ", ".join(sorted(set(computed.get("indicator", pd.Series(dtype=str)))))
        )


def test_nested_repeat_groups_linked_to_respondents() -> None:
    """Kobo's nested repeats (tree > nest > egg): every row linked to its respondent."""
    data = _need_corpus()
    rel = "exports/kobo_nested_grouped_repeatable__labels.xlsx"
    entry = dict(data["exports"][rel], respondent_id="_index")  # its _uuid repeats (see REFUSED)
    rnd, _ = _read(rel, entry)
    assert set(rnd.repeats) == {"group_tree", "group_nest", "group_egg"}
    ids = set(rnd.responses["respondent_id"])
    for table in rnd.repeats.values():
        assert table["respondent_id"].notna().all() and set(table["respondent_id"]) <= ids
    nest, tree = rnd.repeats["group_nest"], rnd.repeats["group_tree"]
    # a nest's respondent is its tree's respondent
    by_tree = dict(zip(tree["index"], tree["respondent_id"], strict=True))
    assert [by_tree[p] for p in nest["parent_index"]] == nest["respondent_id"].tolist()


def test_blank_design_key_is_an_error_that_says_how_to_declare(tmp_path: Path) -> None:
    data = _need_corpus()
    rel = "exports/kobo_customer_satisfaction__labels.csv"
    form = _form(data["exports"][rel]["form"])
    for design in ({"weight": None}, {"weight": ""}, {"strata": "   "}):
        with pytest.raises(DefinitionError, match=re.escape("design: {type: srs}")):
            read_survey(_corpus_dir() / rel, form, {"design": design}, secret=SECRET)


def test_validate_raw_export_without_design_says_how_to_declare() -> None:
    data = _need_corpus()
    rel = "exports/kobo_customer_satisfaction__labels.csv"
    form = _corpus_dir() / data["exports"][rel]["form"]
    runner = CliRunner()
    res = runner.invoke(app, ["validate", str(_corpus_dir() / rel), "--form", str(form)])
    assert res.exit_code == 1
    text = " ".join(res.output.split())
    assert "no sample design" in text and "design: {type: srs}" in text
    assert "--design srs" in text
    ok = runner.invoke(
        app, ["validate", str(_corpus_dir() / rel), "--form", str(form), "--design", "srs"]
    )
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output


def test_mixed_versions_found_without_a_version_column() -> None:
    """favorite_coffee's export holds an older version's choice (Italian) the form lacks; the
    literacy test's extra reading-grid columns are not another version."""
    data = _need_corpus()
    rel = "exports/kobo_favorite_coffee__labels.xlsx"
    rnd, _ = _read(rel, data["exports"][rel])
    mixed = [p for p in rnd.report.problems if p.code == "mixed_versions"]
    assert len(mixed) == 1 and "Italian" in (mixed[0].column or "")
    rel = "exports/kobo_literacy_test__xml.csv"
    rnd, _ = _read(rel, data["exports"][rel])
    assert "mixed_versions" not in {p.code for p in rnd.report.problems}


def test_central_and_r_exports_hash_their_ids() -> None:
    """ODK Central's KEY / meta-instanceID and R's X_uuid become the keyed hash, never kept."""
    data = _need_corpus()
    for rel, column in (
        ("exports/central_simple.csv", "meta-instanceID"),
        ("exports/reach_cleaningtools_raw_data.xlsx", "_uuid"),
    ):
        rnd, _ = _read(rel, data["exports"][rel])
        assert rnd.report.columns["respondent_id"] == column
        removed = {r.column for r in rnd.report.removed}
        assert column in removed
