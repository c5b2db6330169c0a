"""`mande demo load` weights the sample rounds from their plans and the mission's margins, and the
figures the overview shows recover the generator's true values.

The sample exports carry no weights (as real Kobo exports): each round is weighted on upload from
``sample_data/plans/<round>.csv`` (base weights, non-response adjustment by region) and raked to
the adult population by region, sex and age group of ``mission.yaml``. The true values are the
generator's population values (:func:`mande.demo.survey.true_values`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mande.config import load_mission
from mande.demo import DEFAULT_SEED
from mande.demo.survey import ROUNDS, true_values
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


def test_every_round_is_weighted_from_its_plan_and_the_margins(store: Store) -> None:
    mission = store.mission()
    assert mission is not None and mission.population is not None
    for label in store.rounds()["round"]:
        weighting = store.weighting(label)
        assert weighting is not None, label
        spec = weighting["spec"]
        assert spec["source"] == "plan" and spec["method"] == "raking"
        assert spec["margins"] == ["region", "sex", "age_group"]
        margins = pd.DataFrame(weighting["calibration"]["margins"])
        np.testing.assert_allclose(margins["after"], margins["population"], rtol=1e-8)
        rates = pd.DataFrame(weighting["response"])
        assert rates["response_rate"].between(0.7, 1).all()
        design = store.design(label)
        assert design.calibration is not None and design.calibration.base_weight == "weight_nr"
        w = store.responses(label)["weight"]
        assert w.sum() == pytest.approx(mission.population.total, rel=1e-9)


def test_overview_figures_recover_the_true_values(store: Store, sample_dir: Path) -> None:
    """Every indicator with a true value, every round, overall and by region: the true value lies
    within the 95% CI at about the nominal rate, with no bias. SAF-01 is left out: it counts those
    who never go out alone after dark as not feeling safe (SDG 16.1.4), while the generator's true
    value is among substantive answers only."""
    results = store.results()
    truth = true_values(load_mission(sample_dir / "mission.yaml"), DEFAULT_SEED)
    truth = truth[truth["group"] == "all"].copy()
    truth["indicator"] = (
        truth["indicator"].str.replace(" ", ".").str.replace("local.admin", "local_admin")
    )
    rounds = {Path(s.filename).stem: s.number for s in ROUNDS}
    res = results[results["breakdown"].isin(["total", "region"])].copy()
    res["number"] = res["round"].map(rounds)
    res["region"] = np.where(res["breakdown"] == "total", "all", res["group"])
    both = res.merge(
        truth, left_on=["indicator", "number", "region"], right_on=["indicator", "round", "region"]
    )
    both = both[both["indicator"] != "SAF-01"]
    assert len(both) == 19 * 4 * 7
    inside = (both["ci_low"] <= both["value"]) & (both["value"] <= both["ci_high"])
    z = (both["estimate"] - both["value"]) / both["se"]
    assert inside.mean() >= 0.9
    assert z.abs().max() < 3.5
    assert abs(z.mean()) < 0.25  # the weights undo the design: no systematic bias
    overall = both["region"] == "all"
    assert inside[overall].mean() >= 0.9


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_annex_methods_sheet_says_how_the_weights_were_built(
    store: Store, lang: str, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    import mande

    out = tmp_path / "annex.xlsx"
    data = mande.make_report(
        store, "2026-02", out, docx=tmp_path / "draft.docx", lang=lang, trend_models=False
    )
    assert data.weighting is not None
    sheet = load_workbook(out)["Methods and notes" if lang == "en" else "Méthodes et notes"]
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    population = data.weighting["spec"]["population_source"]
    assert population in text
    assert ("raking" in text) if lang == "en" else ("calage par raking" in text)
    assert ("sample plan" in text) if lang == "en" else ("plan d'échantillonnage" in text)
