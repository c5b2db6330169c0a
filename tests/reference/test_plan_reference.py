"""Inclusion probabilities and the systematic draw against R's sampling package.

Fixtures: ``tests/reference/make_plan_fixtures.R`` (run it from the repository root to rewrite
``fixtures/plan_inclusion.csv`` and ``fixtures/plan_systematic.csv``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mande
from mande.plan import inclusion_probabilities, systematic_sample

FIXTURES = Path(__file__).parent / "fixtures"
INCLUSION = pd.read_csv(FIXTURES / "plan_inclusion.csv")
SYSTEMATIC = pd.read_csv(FIXTURES / "plan_systematic.csv")
CASES = sorted(INCLUSION["case"].unique())


def test_fixtures_hold_certainty_units() -> None:
    certain = INCLUSION[INCLUSION["pik"] == 1].groupby("case").size()
    # every kind of certainty is represented: first pass, later passes, a cascade, all taken
    assert {"two_towns", "second_pass", "cascade", "zeros", "all_taken", "exactly_one"} <= set(
        certain.index
    )
    assert certain["cascade"] >= 3


@pytest.mark.parametrize("case", CASES)
def test_inclusion_probabilities_equal_r(case: str) -> None:
    # R: sampling::inclusionprobabilities(size, n)
    g = INCLUSION[INCLUSION["case"] == case]
    n = int(g["n"].iloc[0])
    got = inclusion_probabilities(g["size"].to_numpy(), n)
    want = g["pik"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-15)
    # the units taken with certainty are exactly R's, and they are exactly 1
    np.testing.assert_array_equal(got == 1.0, want == 1.0)
    assert got.sum() == pytest.approx(n, abs=1e-9)


@pytest.mark.parametrize("case", CASES)
def test_select_psus_gives_r_probabilities_per_stratum(case: str) -> None:
    # the fixtures' cases as strata of one frame: select_psus computes R's pik within each
    frame = INCLUSION[["case", "unit", "size"]].copy()
    n = INCLUSION.groupby("case")["n"].first().to_dict()
    out = mande.select_psus(frame, n, strata="case", size="size", seed=11)
    g = out[out["case"] == case]
    want = INCLUSION.loc[INCLUSION["case"] == case, "pik"].to_numpy()
    np.testing.assert_allclose(g["inclusion_prob"].to_numpy(), want, rtol=1e-8, atol=1e-15)
    np.testing.assert_array_equal(g["certainty"].to_numpy(), want == 1.0)
    assert g["selected"].sum() == n[case]
    assert g.loc[g["certainty"], "selected"].all()


@pytest.mark.parametrize(("case", "u"), sorted(SYSTEMATIC.groupby(["case", "u"]).groups))
def test_systematic_draw_equals_r_upsystematic_for_the_same_start(case: str, u: float) -> None:
    # R: the body of sampling::UPsystematic(pik) with runif(1) replaced by u
    pik = INCLUSION.loc[INCLUSION["case"] == case, "pik"].to_numpy()
    want = SYSTEMATIC[(SYSTEMATIC["case"] == case) & (SYSTEMATIC["u"] == u)]["selected"]
    got = systematic_sample(pik, u)
    np.testing.assert_array_equal(got.astype(int), want.to_numpy())
