"""The draft for the sample's last period is selective and significance-aware: it cites every
significant change of the period's headline table and the largest significant group finding, as
the one reporting policy (``mande.reporting.period_figures``) computes them, and never offers the
absence of a significant change as evidence of stability."""

from __future__ import annotations

from pathlib import Path

import pytest

from mande.report.build import build_report_data, group_label
from mande.report.narrative import GROUP_OPENERS, narrative_paragraphs
from mande.report.style import per_cent, percentage_points
from mande.reporting import period_figures
from mande.store import Store


@pytest.fixture(scope="module")
def store(sample_store_dir: Path) -> Store:
    mp = pytest.MonkeyPatch()
    mp.setenv("MANDE_DATA_DIR", str(sample_store_dir))
    mp.setenv("MANDE_SECRET", "sample-store-tests")
    mp.delenv("MANDE_DATABASE_URL", raising=False)
    try:
        return Store.open(role="viewer")
    finally:
        mp.undo()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_last_period_draft_cites_what_is_significant(store: Store, lang: str) -> None:
    mission = store.mission()
    figures = period_figures(store.results(), store.rounds(), mission)
    period = figures.comparison.period.id
    data = build_report_data(store, period, lang)
    paragraphs = narrative_paragraphs(data, lang)
    text = " ".join(p.text for p in paragraphs)
    ch = figures.changes
    sig = ch[ch["significant"].astype(bool) & (ch["unit"] == "percentage points")]
    headline = sig[sig["breakdown"] == "total"]
    assert not headline.empty, "the sample's last period should have a significant change"
    for _, r in headline.iterrows():
        value = per_cent(float(r["estimate_to"]) / 100, lang)
        size = percentage_points(float(r["estimate"]) / 100, lang)
        assert f"{value}, " in text and size in text, (r["indicator"], value, size)
    groups = sig[sig["breakdown"] != "total"]
    top = groups.loc[groups["estimate"].abs().idxmax()]
    label = group_label(str(top["breakdown"]), top["group"], mission, lang)
    opener = GROUP_OPENERS[str(top["breakdown"])][lang].split("{")[0]
    size = percentage_points(float(top["estimate"]) / 100, lang)
    value = per_cent(float(top["estimate_to"]) / 100, lang)
    assert f"{opener}{label}, " in text or f"{opener}{label.lower()}" in text, (opener, label)
    assert f"{value}, " in text and size in text
    stable = "remained stable" if lang == "en" else "restée stable"
    by_section: dict[str, list[str]] = {}
    for p in paragraphs:
        by_section.setdefault(p.section, []).append(p.text)
    assert len(by_section) >= 3
    for section, texts in by_section.items():  # never more than once per section
        sentences = [s for t in texts for s in t.split(". ") if stable in s]
        assert len(sentences) <= 1, (section, sentences)
    survey = (
        "According to the perception survey" if lang == "en" else "Selon l'enquête de perception"
    )
    assert text.count(survey) == 1  # the survey is introduced once
    # the comparison period is named by its dates
    assert data.previous is not None and data.previous.label(lang) in text
