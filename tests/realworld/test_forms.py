"""Every XLSForm of the real-world corpus is accepted or refused as pyxform does, and the mapping
suggestion never offers a question of these forms (none is a perception survey) as a standard
perception item."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import mande
from mande.errors import DataValidationError
from mande.indicators.items import standard_items
from mande.ingest.mapping import AUTO_USE, MIN_CONFIDENCE, standard_mapping
from mande.ingest.xlsform import Form

from .conftest import corpus_dir

ROOT = Path(__file__).resolve().parents[2]
VERDICT = "pyxform_4_5_0"


@cache
def _read(rel: str, strict: bool) -> Form | DataValidationError:
    """The form read once per test session (pyxform's parse of the largest takes seconds)."""
    try:
        return mande.read_xlsform(corpus_dir() / rel, strict=strict)
    except DataValidationError as exc:
        return exc


def test_each_form_is_accepted_or_refused_as_pyxform_does(form_entry: tuple[str, Any]) -> None:
    rel, entry = form_entry
    verdict: str = entry[VERDICT]
    got = _read(rel, True)
    if verdict == "valid":
        assert isinstance(got, Form), f"{rel}: pyxform accepts it, mande refuses: {got}"
        assert not got.warnings
        return
    assert isinstance(got, DataValidationError), f"{rel}: pyxform refuses it ({verdict})"
    assert got.problems and all(p.severity == "error" for p in got.problems)
    # pyxform's own reason, and its row when it gives one
    reason = verdict.split(": ", 2)[-1]
    row = re.match(r"\[row\s*:\s*(\d+)\]\s*", reason)
    text = reason[row.end() :] if row else reason
    first = next((p for p in got.problems if text[:50] in p.message), None)
    assert first is not None, f"{rel}: {text[:50]!r} not in {[p.message for p in got.problems]}"
    if row:
        assert first.row == int(row.group(1)) and first.sheet


def test_forms_kobo_deployed_stay_readable_for_their_exports(manifest: dict[str, Any]) -> None:
    """A real deployed form that today's pyxform refuses is read with strict=False, each broken
    rule a warning with sheet and row."""
    refused = [
        rel
        for rel, entry in manifest["forms"].items()
        if rel.startswith("forms/real/") and entry[VERDICT] != "valid"
    ]
    assert refused  # the corpus holds such forms (EPFL, UNHCR)
    for rel in refused:
        got = _read(rel, False)
        assert isinstance(got, Form), f"{rel}: {got}"
        assert got.questions and got.warnings
        assert all(p.severity == "warning" and p.sheet and p.row for p in got.warnings)


def test_no_question_of_a_real_form_is_suggested_as_a_perception_item(
    form_entry: tuple[str, Any],
) -> None:
    rel, entry = form_entry
    form = _read(rel, False)
    if not isinstance(form, Form):  # refused even read as Kobo did: nothing to map
        assert entry[VERDICT] != "valid"
        return
    items = standard_items()
    m = mande.suggest_mapping(form)
    wrong = {
        q: (e.item, e.confidence)
        for q, e in m.questions.items()
        if e.item is not None and items[e.item].role == "item"
    }
    assert not wrong, f"{rel}: unrelated questions suggested as standard items: {wrong}"
    assert all(e.confidence >= MIN_CONFIDENCE for e in m.questions.values() if e.item)


def test_the_sample_missions_form_still_maps_fully() -> None:
    form = mande.read_xlsform(ROOT / "sample_data" / "forms" / "perception_survey.xlsx")
    items = standard_items()
    suggested = mande.suggest_mapping(form)
    mapped = {e.item for e in suggested.questions.values() if e.item}
    assert mapped == set(items.items)
    usable = suggested.usable()
    assert {e.item for e in usable.questions.values() if e.item} == set(items.items)
    assert all(e.confidence >= AUTO_USE for e in suggested.questions.values() if e.item)
    assert standard_mapping(form).questions.keys() == {e for e in items.items}
