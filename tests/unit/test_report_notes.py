"""The Notes columns of the annex: every row carries the notes the reporting policy's rules give
it (mande.reporting.notes), in English and French; a declared series break stops the change test."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from _report_example import inputs
from openpyxl import load_workbook

from mande.report.annex import note_context, write_annex
from mande.report.build import build_report_data
from mande.reporting import ReportingPolicy, change_table
from mande.reporting.notes import NOTES, NoteContext, notes_text, row_notes
from mande.reporting.policy import SeriesBreak

POLICY = ReportingPolicy(breaks=(SeriesBreak(round="R5", kind="wording", indicators=("SAF-02",)),))
CTX = NoteContext(POLICY, "R5", "R4", calibrated=True)
BASE = {
    "indicator": "SAF-01", "estimate": 0.5, "ci_low": 0.45, "ci_high": 0.55, "n": 800,
    "suppressed": False, "low_precision": False, "cv": 0.05, "deff": 1.4, "unit": "percent",
    "kind": "proportion", "previous_estimate": 0.48, "change": 0.02, "q_value": 0.3, "min_n": 30,
}  # fmt: skip


def keys(rec: dict, ctx: NoteContext = CTX) -> list[str]:
    return [n.key for n in row_notes(rec, ctx)]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, ["calibrated", "fdr"]),
        ({"suppressed": True, "estimate": None, "n": 12}, ["suppressed", "calibrated", "fdr"]),
        ({"cv": 0.45}, ["low_precision", "calibrated", "fdr"]),  # coefficient of variation
        ({"ci_low": 0.3, "ci_high": 0.7}, ["low_precision", "calibrated", "fdr"]),  # wide CI
        ({"low_precision": True}, ["low_precision", "calibrated", "fdr"]),
        ({"deff": 3.25}, ["design_effect", "calibrated", "fdr"]),
        ({"unit": "score", "kind": "mean"}, ["mean", "calibrated", "fdr"]),
        (
            {"indicator": "SAF-02", "q_value": None, "change": None},
            ["wording_change", "not_comparable", "calibrated"],
        ),
        ({"q_value": None, "previous_estimate": None}, ["calibrated", "not_measured"]),
        ({"q_value": None, "previous_suppressed": True}, ["calibrated", "previous_suppressed"]),
    ],
)
def test_each_rule_gives_its_note(change: dict, expected: list[str]) -> None:
    assert keys({**BASE, **change}) == expected


def test_context_rules() -> None:
    assert keys(BASE, NoteContext(POLICY, "R5", None)) == ["no_previous"]
    assert keys(BASE, NoteContext(POLICY, "R5", "R4", design_changed=True)) == [
        "design_change", "fdr",
    ]  # fmt: skip
    brk = ReportingPolicy(breaks=(SeriesBreak(round="R5", kind="design"),))
    assert keys(BASE, NoteContext(brk, "R5", "R4")) == ["design_change", "not_comparable"]
    assert keys(BASE, NoteContext(brk, "R6", "R5")) == ["fdr"]  # the break is behind


def test_note_texts_in_both_languages() -> None:
    notes = row_notes({**BASE, "deff": 2.46, "cv": 0.5}, CTX)
    assert notes_text(notes, "en") == (
        "Low precision (wide CI); Design effect 2.5; Weighted by calibration to the population; "
        "Change FDR-adjusted"
    )
    fr = notes_text(notes, "fr")
    assert fr == (
        "Précision faible (IC large)\u202f; Effet de plan 2,5\u202f; Pondéré par calage sur la "
        "population\u202f; Variation ajustée (FDR)"
    )
    assert set(NOTES) == {k for v in NOTES.values() for k in [*NOTES]}  # every note has texts
    assert all(set(v) == {"en", "fr"} for v in NOTES.values())


def test_break_is_not_compared_nor_in_the_family() -> None:
    res = inputs().results
    plain = change_table(res, "R5", "R4", ReportingPolicy())
    cut = change_table(res, "R5", "R4", POLICY)
    saf2 = cut[cut["indicator"] == "SAF-02"]
    assert saf2["q_value"].isna().all() and not saf2["significant"].any()
    assert saf2["not_compared_reason"].str.contains("series break").all()
    assert cut["q_value"].notna().sum() == plain["q_value"].notna().sum() - len(saf2)


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = inputs()
    mission = dataclasses.replace(base.mission, policy=POLICY)
    weighting = {"R5": {"spec": {"method": "raking"}, "calibration": {"deff_after": 1.3}}}
    data = build_report_data(
        dataclasses.replace(base, mission=mission, weighting=weighting), "2026-06"
    )
    out = tmp_path_factory.mktemp("notes")
    return {
        "data": data,  # type: ignore[dict-item]
        **{lang: write_annex(data, out / f"annex_{lang}.xlsx", lang) for lang in ("en", "fr")},
    }


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_annex_notes_filled_per_rule(calibrated: dict, lang: str) -> None:
    data = calibrated["data"]
    ctx = note_context(data)
    assert ctx.calibrated
    wb = load_workbook(calibrated[lang])
    ws = wb["Summary" if lang == "en" else "Synthèse"]
    col = [c.value for c in ws[4]].index("Notes") + 1
    by_id = data.summary.set_index("indicator")
    minn = dict(zip(data.indicators["indicator"], data.indicators["min_n"], strict=True))
    seen = 0
    for row in ws.iter_rows(min_row=5):
        ind = row[0].value
        if ind not in by_id.index:
            continue
        rec = {**by_id.loc[ind].to_dict(), "indicator": ind, "min_n": minn[ind]}
        expected = notes_text(row_notes(rec, ctx), lang)
        assert expected and row[col - 1].value == expected, ind
        seen += 1
    assert seen == len(data.summary)
    text = {r[col - 1].value for r in ws.iter_rows(min_row=5)}
    word = {"en": ("Weighted by calibration", "Not comparable", "Question wording"),
            "fr": ("Pondéré par calage", "Non comparable", "Formulation de la question")}[lang]  # fmt: skip
    for w in word:
        assert any(w in str(t) for t in text), w
    changes = wb["Changes" if lang == "en" else "Variations"]
    saf2 = next(r for r in changes.iter_rows(min_row=5) if r[0].value == "SAF-02")
    assert saf2[4].value is None  # the change across the break is not shown, nor tested


def test_policy_declares_the_rules_in_mission_yaml() -> None:
    pol = ReportingPolicy.from_mapping(
        {"max_cv": 0.25, "max_deff": 3, "breaks": [{"round": "R5", "indicators": ["TRU-01"]}]}
    )
    assert pol.max_cv == 0.25 and pol.max_deff == 3 and pol.max_ci_width == 0.2
    assert pol.series_break("TRU-01.police", "R5") == SeriesBreak(
        round="R5", indicators=("TRU-01",)
    )
    assert pol.series_break("SAF-01", "R5") is None
    from mande.errors import ConfigError

    with pytest.raises(ConfigError, match="breaks"):
        ReportingPolicy.from_mapping({"breaks": [{"round": "R5", "kind": "moon"}]})
