"""The narrative draft: paragraphs per SG-report section in UN style (snapshots), the change rule,
suppression, French conventions, and the Word file."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from _report_example import check_snapshot, inputs
from docx import Document

from mande.report.build import ReportData, build_report_data
from mande.report.narrative import (
    SUBJECTS,
    narrative_paragraphs,
    paragraphs_text,
    write_narrative,
)
from mande.report.style import NBSP


@pytest.fixture(scope="module")
def data() -> ReportData:
    return build_report_data(inputs(), "2026-06")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_paragraphs_snapshot(data: ReportData, lang: str) -> None:
    check_snapshot(f"narrative_{lang}.txt", paragraphs_text(narrative_paragraphs(data, lang)))


def test_change_stated_only_when_significant(data: ReportData) -> None:
    text = " ".join(p.text for p in narrative_paragraphs(data, "en"))
    s = data.summary.set_index("indicator")
    # significance after the policy's one FDR family (every comparison of the period)
    assert bool(s.loc["DIS-01", "significant"]) and not bool(s.loc["SAF-02", "significant"])
    # DIS-01 fell significantly: a decrease, with its size in percentage points (one decimal)
    pp = f"{abs(s.loc['DIS-01', 'change']) * 100:.1f}"
    assert f"fell to 30{NBSP}per cent, a decrease of {pp}{NBSP}percentage points" in text
    flat = text.replace(". The ", ". the ")  # subjects as written mid-sentence
    for ind, rec in s.iterrows():
        subject = SUBJECTS[str(ind)]["en"].format(m="MINUSVA")
        value = f"{round(rec['estimate'] * 100)}{NBSP}per cent"
        if rec["significant"]:
            verb = "rose to" if rec["change"] > 0 else "fell to"
            assert f"{subject} {verb} {value}, a" in flat
    # the absence of a significant change is never written as stability
    body = " ".join(p.text for p in narrative_paragraphs(data, "en") if p.section != "note")
    assert "stable" not in body
    assert text.count("Other indicators in this section showed no statistically significant") == 1
    assert text.count("According to the perception survey") == 1
    for t in text.split(". "):
        assert not re.match(r"\d", t), "a sentence starts with a figure"


def test_suppressed_estimates_are_not_cited(data: ReportData) -> None:
    summary = data.summary.copy()
    summary.loc[summary["indicator"] == "DIS-01", "suppressed"] = True
    texts = " ".join(p.text for p in narrative_paragraphs(replace(data, summary=summary), "en"))
    assert f"fell to 30{NBSP}per cent" not in texts  # the significant total, now suppressed
    assert "after dark" in texts


def test_without_previous_period_figures_stand_alone() -> None:
    first = build_report_data(inputs(), "2025-02")
    assert first.previous is None
    paras = narrative_paragraphs(first, "en")
    body = " ".join(p.text for p in paras if p.section != "note")
    assert "stood at" in body and "stable" not in body and "increase" not in body
    assert "No earlier period has a survey round" in paras[-1].text


def test_french_conventions(data: ReportData) -> None:
    text = " ".join(p.text for p in narrative_paragraphs(data, "fr"))
    assert f"1{NBSP}256 personnes" in text
    assert "du 29 juin au 17 juillet 2026" in text
    assert f"{NBSP}points de pourcentage" in text and "," in text
    assert re.search(r"\d,\d\u00a0points de pourcentage", text)
    assert " ;" not in text and " :" not in text  # no breaking space before double punctuation


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_word_draft(data: ReportData, tmp_path: Path, lang: str) -> None:
    path = write_narrative(data, tmp_path / f"draft_{lang}.docx", lang)
    doc = Document(str(path))
    body = [p.text for p in doc.paragraphs]
    paras = narrative_paragraphs(data, lang)
    styles = {p.text: p.style.name for p in doc.paragraphs}
    for p in [p for p in paras if p.section != "note"]:
        # Word's own numbering and heading styles, so the text drops into the report template
        assert styles[p.text] == "List Number"
        assert styles[p.heading] == "Heading 2"
        for note in p.notes:
            assert styles[note] == "Drafting Note"
    numbered = [p for p in doc.paragraphs if p.style.name == "List Number"]
    assert numbered and all(
        p.style.paragraph_format.element.pPr.numPr is not None for p in numbered[:1]
    )
    assert paras[-1].text in body
    assert doc.core_properties.language == ("fr-FR" if lang == "fr" else "en-GB")
    assert doc.styles["Normal"].font.name == "Times New Roman"


def test_significant_regional_changes_are_stated(data: ReportData) -> None:
    regions = data.breakdowns["region"].copy()
    saf = regions["indicator"] == "SAF-02"
    first, second = regions.index[saf][:2]
    regions["significant"] = False
    regions.loc[[first, second], ["significant", "change"]] = [[True, -0.153], [True, -0.2]]
    regions.loc[first, "estimate"] = 0.214
    regions.loc[second, "suppressed"] = True  # never cited, significant or not
    data2 = replace(data, breakdowns={**data.breakdowns, "region": regions})
    text = " ".join(p.text for p in narrative_paragraphs(data2, "en"))
    region = regions.loc[first, "group_en"]
    assert (
        f"In {region}, the proportion who felt safe walking alone in their area during the day "
        f"fell to 21{NBSP}per cent, a decrease of 15.3{NBSP}percentage points." in text
    )
    assert regions.loc[second, "group_en"] + ", the" not in text
    fr = " ".join(p.text for p in narrative_paragraphs(data2, "fr"))
    assert f"Dans la région de {regions.loc[first, 'group_fr']}, la proportion" in fr
    assert "est tombée à 21" in fr


def test_group_findings_lead_with_the_largest(data: ReportData) -> None:
    paras = {p.section: p for p in narrative_paragraphs(data, "en")}
    security = paras["security"].text
    # the section's group findings, largest change first, each with its group
    assert security.index("In rural areas") < security.index("Among women")
    assert "Among women, the proportion who felt safe walking alone" in security
    # every cited figure is in the paragraph's drafting note, with its q-value
    note = paras["security"].notes[0]
    assert "SAF-02 (Women)" in note and "q = " in note
