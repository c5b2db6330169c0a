"""On the sample mission, the footprint analysis recovers the true effect of presence and the true
decline of acceptance with years of presence, from the store, as the dashboard and annex do."""

from __future__ import annotations

from pathlib import Path

import pytest

import mande
from mande.config import load_mission
from mande.demo import DEFAULT_SEED
from mande.demo.footprint import true_effects
from mande.footprint.build import ACCEPTANCE, analyse_footprint, load_footprint

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(scope="module")
def inputs(sample_store_dir: Path):  # type: ignore[no-untyped-def]
    mp = pytest.MonkeyPatch()
    mp.setenv("MANDE_DATA_DIR", str(sample_store_dir))
    mp.setenv("MANDE_SECRET", "sample-store-tests")
    mp.delenv("MANDE_DATABASE_URL", raising=False)
    try:
        store = mande.Store.open()
        out = load_footprint(store)
        store.close()
    finally:
        mp.undo()
    assert out is not None
    return out


@pytest.fixture(scope="module")
def truth():  # type: ignore[no-untyped-def]
    mission = load_mission(SAMPLE / "mission.yaml")
    return true_effects(mission, SAMPLE, DEFAULT_SEED).set_index(["indicator", "term"])


def test_acceptance_presence_and_duration_contain_their_true_values(inputs, truth) -> None:  # type: ignore[no-untyped-def]
    a = analyse_footprint(inputs, ACCEPTANCE, mande.load_catalogue())
    assert a.indicator == "MIS-02" and a.family == "binomial"
    assert a.presence is not None and a.duration is not None
    true_presence = truth.loc[("MIS-02", "base_present"), "true_value"]
    true_slope = truth.loc[("MIS-02", "years_present"), "true_value"]
    assert a.presence.ci_low < true_presence < a.presence.ci_high
    assert a.duration.ci_low < true_slope < a.duration.ci_high
    # and they are found: presence goes with acceptance, acceptance wears off with the years
    assert a.presence.significant and a.presence.estimate > 0
    assert a.duration.significant and a.duration.estimate < 0
    # the design: 4 rounds x 6 regions, two area-rounds without a base (Mbali and Lake Tora, round 1)
    assert (a.n_areas, a.n_area_rounds, a.n_not_exposed) == (6, 24, 2)
    curve = a.curve
    assert curve["estimate"].is_monotonic_decreasing
    assert ((curve["ci_low"] < curve["estimate"]) & (curve["estimate"] < curve["ci_high"])).all()


def test_true_values_are_those_documented(truth) -> None:  # type: ignore[no-untyped-def]
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    for (indicator, term), row in truth.iterrows():
        assert f"| {indicator} | `{term}` | {row['true_value']:.3f} |" in readme


def test_sentences_and_caveats_in_both_languages(inputs) -> None:  # type: ignore[no-untyped-def]
    a = analyse_footprint(inputs, ACCEPTANCE, mande.load_catalogue())
    en, fr = a.sentences("en"), a.sentences("fr")
    assert len(en) == len(fr) == 3
    assert "not an effect" in en[0] and "non un effet" in fr[0]
    assert "lower the share answering favourably" in en[1]
    caveats = " ".join(a.caveats("en"))
    assert "Deployment follows violence" in caveats
    assert "6 areas and 24 area-rounds, 2 of them without a base" in caveats
    assert "Sample composition" in caveats
    assert "Le déploiement suit la violence" in " ".join(a.caveats("fr"))


def test_any_catalogue_indicator_can_be_analysed(inputs) -> None:  # type: ignore[no-untyped-def]
    cat = mande.load_catalogue()
    safe = analyse_footprint(inputs, "SAF-01", cat)
    assert safe.presence is not None and safe.presence.estimate > 0  # safer where bases opened
    police = analyse_footprint(inputs, "TRU-01.police", cat)
    assert police.n > 10_000
    with pytest.raises(mande.EstimationError, match="XYZ-99"):
        analyse_footprint(inputs, "XYZ-99", cat)


def test_annex_has_the_footprint_sheet(sample_store_dir: Path, inputs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    from mande.report.annex import write_annex
    from mande.report.build import build_report_data

    mp = pytest.MonkeyPatch()
    mp.setenv("MANDE_DATA_DIR", str(sample_store_dir))
    mp.setenv("MANDE_SECRET", "sample-store-tests")
    mp.delenv("MANDE_DATABASE_URL", raising=False)
    try:
        store = mande.Store.open()
        data = build_report_data(store, "2026-02", "fr")
        store.close()
    finally:
        mp.undo()
    path = write_annex(data, tmp_path / "annex.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[-2:] == ["Empreinte", "Méthodes et notes"]
    ws = wb["Empreinte"]
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any("non un effet" in t for t in texts)
    assert "Base présente" in texts and "Par année de présence" in texts
    a = analyse_footprint(inputs, ACCEPTANCE, mande.load_catalogue())
    row = texts.index("Base présente") + 1
    cells = {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}
    assert ws.cell(cells["Base présente"], 2).value == pytest.approx(a.presence.estimate)
    assert row > 0
