"""mande.calibrate / trim_weights: checks that need no R (R's values: tests/reference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mande
from mande.errors import DesignError
from mande.stats._linearize import design_index, design_vcov


def _sample(n: int = 600, seed: int = 3, rounds: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "round": rng.integers(1, rounds + 1, n),
            "region": rng.choice(["A", "B", "C"], n),
            "sex": rng.choice(["female", "male"], n, p=[0.6, 0.4]),
            "age": rng.choice(["18-34", "35+"], n),
            "w": rng.uniform(20, 60, n),
            "y": rng.normal(50, 10, n),
            "b": rng.integers(0, 2, n).astype(float),
        }
    )
    df["psu"] = df["region"] + "-" + rng.integers(0, 8, n).astype(str)
    df.loc[rng.random(n) < 0.1, "b"] = np.nan
    df["grp"] = rng.choice(["x", "y", "z"], n)
    return df


MARGINS = {
    "region": {"A": 10_000.0, "B": 9_000.0, "C": 11_000.0},
    "sex": {"female": 15_500.0, "male": 14_500.0},
    "age": {"18-34": 16_000.0, "35+": 14_000.0},
}
DESIGN = mande.SurveyDesign(weight="w", strata="region", psu="psu")


@pytest.mark.parametrize("method", ["raking", "linear"])
def test_domain_variances_equal_one_domain_at_a_time(method: str) -> None:
    """The one-pass variance of every domain equals residualising each domain's influence values
    separately and taking the design variance (what R's svyby does domain by domain)."""
    res = mande.calibrate(_sample(), DESIGN, MARGINS, method=method)
    df, des = res.data, res.design
    out = mande.estimate(df, des, "b", kind="proportion", by=["grp", "sex"])
    index = design_index(df, des)
    w = index.weights
    for row in out.itertuples():
        dom = (df["grp"] == row.grp).to_numpy() & (df["sex"] == row.sex).to_numpy()
        dom &= df["b"].notna().to_numpy()
        y = df["b"].fillna(0).to_numpy()
        p = (w * y)[dom].sum() / w[dom].sum()
        z = np.where(dom, w * (y - p) / w[dom].sum(), 0.0)
        v = design_vcov(z, index)[0, 0]
        assert row.se == pytest.approx(np.sqrt(v), rel=1e-10)


def test_calibrated_se_is_smaller_for_a_calibration_variable() -> None:
    """Calibrating on sex removes the sampling variance of the share of women (SE ~ 0)."""
    res = mande.calibrate(_sample(), DESIGN, MARGINS, method="raking")
    df = res.data.assign(female=(res.data["sex"] == "female").astype(float))
    before = mande.estimate(df, DESIGN, "female", kind="proportion")
    after = mande.estimate(df, res.design, "female", kind="proportion")
    assert after["estimate"].iloc[0] == pytest.approx(15_500 / 30_000, rel=1e-9)
    assert after["se"].iloc[0] < 1e-9 < before["se"].iloc[0]


def test_rounds_calibrated_within_stack_as_separate_calibrations() -> None:
    """Calibrating each round (within='round') and stacking gives each round's estimate and SE
    as calibrating that round alone."""
    df = _sample(n=900, rounds=2)
    both = mande.calibrate(df, DESIGN, MARGINS, method="raking", within="round")
    stacked, sdes = mande.stack_rounds(both.data, both.design)
    assert sdes.calibration is not None and sdes.calibration.within == "round"
    together = mande.estimate(stacked, sdes, "y", kind="mean", by="round")
    for r in (1, 2):
        alone = mande.calibrate(df[df["round"] == r], DESIGN, MARGINS, method="raking")
        one = mande.estimate(alone.data, alone.design, "y", kind="mean")
        got = together[together["round"] == r].iloc[0]
        assert got["estimate"] == pytest.approx(one["estimate"].iloc[0], rel=1e-10)
        assert got["se"] == pytest.approx(one["se"].iloc[0], rel=1e-8)


def test_design_round_trips_through_json() -> None:
    res = mande.calibrate(_sample(), DESIGN, MARGINS, method="linear", bounds=(0.5, 2))
    d = res.design.to_dict()
    import json

    again = mande.SurveyDesign(**json.loads(json.dumps(d)))
    assert again == res.design


def test_margins_that_disagree_are_refused() -> None:
    bad = {**MARGINS, "sex": {"female": 15_000.0, "male": 14_000.0}}
    with pytest.raises(DesignError, match="same population"):
        mande.calibrate(_sample(), DESIGN, bad)


def test_a_level_without_population_is_named() -> None:
    bad = {**MARGINS, "region": {"A": 15_000.0, "B": 15_000.0}}
    with pytest.raises(DesignError, match="'C'"):
        mande.calibrate(_sample(), DESIGN, bad)


def test_bounds_too_tight_fail_clearly() -> None:
    skew = {**MARGINS, "sex": {"female": 5_000.0, "male": 25_000.0}}
    with pytest.raises(DesignError, match="did not meet the margins"):
        mande.calibrate(_sample(), DESIGN, skew, bounds=(0.9, 1.1))


def test_trim_keeps_the_total_and_the_bounds() -> None:
    res = mande.calibrate(_sample(), DESIGN, MARGINS)
    w = res.data[res.design.weight]
    upper = float(w.quantile(0.9))
    tr = mande.trim_weights(res.data, res.design, upper=upper, strict=True)
    nw = tr.data[tr.design.weight]
    assert nw.sum() == pytest.approx(w.sum(), rel=1e-12)
    assert nw.max() <= upper * (1 + 1e-12)
    assert tr.design.calibration == res.design.calibration
    assert tr.report.iterations >= 1


def test_stacked_copies_give_each_measure_its_own_calibrated_se() -> None:
    """compute_indicators stacks one copy of the design per measure (rows of the other measures
    are outside the domain): with a calibrated design every (measure, group) still gets the
    estimate and SE of a separate call, since the stacked calibration spans the same space."""
    res = mande.calibrate(_sample(), DESIGN, MARGINS, method="raking")
    df = res.data
    df["b2"] = (df["y"] > 50).astype(float)
    stacked = pd.concat(
        [df.assign(_k=0, _s=df["b"]), df.assign(_k=1, _s=df["b2"])], ignore_index=True
    )
    both = mande.estimate(stacked, res.design, "_s", kind="proportion", by=["_k", "sex"])
    for k, col in ((0, "b"), (1, "b2")):
        alone = mande.estimate(df, res.design, col, kind="proportion", by="sex")
        got = both[both["_k"] == k].reset_index(drop=True)
        np.testing.assert_allclose(got["estimate"], alone["estimate"], rtol=1e-12)
        np.testing.assert_allclose(got["se"], alone["se"], rtol=1e-9)
