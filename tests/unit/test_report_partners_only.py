"""A period with partner interviews and no survey round gives a report of the partner sections,
saying that no survey fell in the period (annex and draft)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from _report_example import inputs
from docx import Document
from openpyxl import load_workbook

from mande.errors import DataValidationError
from mande.report.annex import write_annex
from mande.report.build import ReportData, build_report_data
from mande.report.narrative import narrative_paragraphs, write_narrative


def _without_last_round() -> object:
    inp = inputs()
    return replace(
        inp,
        rounds=inp.rounds[inp.rounds["round"] != "R5"],
        results=inp.results[inp.results["round"] != "R5"],
    )


@pytest.fixture(scope="module")
def data() -> ReportData:
    return build_report_data(_without_last_round(), "2026-06")


def test_partner_only_period_is_reported(data: ReportData) -> None:
    assert data.current_round is None and data.previous is None
    assert data.summary.empty and not data.breakdowns
    assert data.partners is not None and data.partners.rqi is not None
    assert not data.partners.rqi.empty


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_draft_has_the_partner_section_and_says_no_survey(
    data: ReportData, lang: str, tmp_path: Path
) -> None:
    paras = narrative_paragraphs(data, lang)
    assert [p.section for p in paras] == ["partnerships", "note"]
    said = "No perception survey was conducted" if lang == "en" else "Aucune enquête de perception"
    assert paras[0].text.startswith(said)
    doc = Document(str(write_narrative(data, tmp_path / "draft.docx", lang)))
    assert any(p.text.startswith(said) for p in doc.paragraphs)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_annex_has_the_partner_sheet_and_says_no_survey(
    data: ReportData, lang: str, tmp_path: Path
) -> None:
    wb = load_workbook(write_annex(data, tmp_path / "annex.xlsx", lang))
    assert ("Partners" if lang == "en" else "Partenaires") in wb.sheetnames
    cover = [c.value for r in wb.worksheets[0].iter_rows() for c in r if isinstance(c.value, str)]
    said = "No survey round" if lang == "en" else "Aucune enquête"
    assert any(v.startswith(said) for v in cover)


def test_a_period_with_neither_is_refused() -> None:
    inp = _without_last_round()
    with pytest.raises(DataValidationError):
        build_report_data(replace(inp, partners=None), "2026-06")  # type: ignore[type-var]
