"""mande.trend_model, linear_trends and interrupted_time_series against R survey::svyglm.

The reference values come from tests/reference/make_svyglm_fixtures.R (R 4.2, survey 4.1); each case
below quotes the R call it mirrors (also stored in the fixture's r_call column). Every R fit used
control = glm.control(epsilon = 1e-14, maxit = 100).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mande
from mande.config import Event
from mande.stats.design import SurveyDesign

HERE = Path(__file__).parent
REF = pd.read_csv(HERE / "svyglm_reference.csv")
RTOL = 1e-6


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / f"svyglm_{name}.csv")


STRAT = SurveyDesign(weight="pw", strata="stype", fpc="fpc")
CLUS1 = SurveyDesign(weight="pw", psu="dnum", fpc="fpc")
CLUS2 = SurveyDesign(weight="pw", psu="dnum")
SIM = SurveyDesign(weight="w", strata="stratum", psu="psu", fpc="fpc")
SIM_NOFPC = SurveyDesign(weight="w", strata="stratum", psu="psu")
LONELY = SurveyDesign(weight="w", strata="stratum", psu="psu", lonely_psu="adjust")

# case: (data, design, formula, family)  -- the R call is in the fixture (r_call)
CASES = {
    # svyglm(api00 ~ ell + meals + mobility, design = dstrat, family = gaussian())
    "strat_gaussian": ("api_strat", STRAT, "api00 ~ ell + meals + mobility", "gaussian"),
    # svyglm(sch_wide ~ ell + meals + stype, design = dstrat, family = quasibinomial())
    "strat_quasibinomial": ("api_strat", STRAT, "sch_wide ~ ell + meals + stype", "binomial"),
    # svyglm(api00 ~ ell + acs_k3, design = dstrat): acs_k3 is missing for 103 schools (na.omit)
    "strat_na_gaussian": ("api_strat", STRAT, "api00 ~ ell + acs_k3", "gaussian"),
    # svyglm(api00 ~ ell + meals + avg_ed, design = dclus1): one-stage cluster with fpc, NAs
    "clus1_gaussian": ("api_clus1", CLUS1, "api00 ~ ell + meals + avg_ed", "gaussian"),
    # svyglm(sch_wide ~ ell + meals + stype, design = dclus1, family = quasibinomial())
    "clus1_quasibinomial": ("api_clus1", CLUS1, "sch_wide ~ ell + meals + stype", "binomial"),
    # svyglm(api00 ~ ell + meals + enroll, design = dclus2): svydesign(id = ~dnum + snum), ultimate
    # cluster
    "clus2_gaussian": ("api_clus2", CLUS2, "api00 ~ ell + meals + enroll", "gaussian"),
    # svyglm(sch_wide ~ meals + acs_k3, design = dclus2, family = quasibinomial())
    "clus2_quasibinomial": ("api_clus2", CLUS2, "sch_wide ~ meals + acs_k3", "binomial"),
    # svyglm(y ~ factor(round) + region + sex, design = dsim, family = quasibinomial())
    "sim_quasibinomial_round_factor": (
        "sim_rounds",
        SIM,
        "y ~ C(round) + region + sex",
        "binomial",
    ),
    # svyglm(y ~ round * treated, design = dsim, family = quasibinomial())
    "sim_quasibinomial_time": ("sim_rounds", SIM, "y ~ round * treated", "binomial"),
    # svyglm(score ~ round + region, design = dsim_nofpc, family = gaussian())
    "sim_gaussian_score": ("sim_rounds", SIM_NOFPC, "score ~ round + region", "gaussian"),
    # options(survey.lonely.psu = "adjust"); svyglm(y ~ round + treated, design = dlonely,
    # family = quasibinomial())
    "lonely_adjust_quasibinomial": ("sim_lonely", LONELY, "y ~ round + treated", "binomial"),
}


def _py_term(r_term: str) -> str:
    """R's coefficient name -> patsy's (stypeH -> stype[T.H], factor(round)1 -> C(round)[T.1])."""
    if r_term == "(Intercept)":
        return "Intercept"
    m = re.fullmatch(r"factor\((\w+)\)(.+)", r_term)
    if m:
        return f"C({m[1]})[T.{m[2]}]"
    m = re.fullmatch(r"(stype|region|sex)(.+)", r_term)
    if m:
        return f"{m[1]}[T.{m[2]}]"
    return r_term


def _ref(case: str) -> pd.DataFrame:
    ref = REF[REF["case"] == case].copy()
    assert len(ref) > 0, case
    ref["py_term"] = ref["term"].map(_py_term)
    return ref.set_index("py_term")


@pytest.mark.parametrize("case", sorted(CASES))
def test_trend_model_matches_svyglm(case: str) -> None:
    data, design, formula, family = CASES[case]
    ref = _ref(case)
    fit = mande.trend_model(_csv(data), design, formula, family=family)
    assert sorted(fit.params.index) == sorted(ref.index)
    terms = list(ref.index)
    np.testing.assert_allclose(fit.params[terms], ref["estimate"], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(fit.bse[terms], ref["se"], rtol=RTOL)
    np.testing.assert_allclose(fit.tvalues[terms], ref["t"], rtol=RTOL)
    np.testing.assert_allclose(fit.pvalues[terms], ref["p"], rtol=1e-5, atol=1e-300)
    np.testing.assert_allclose(fit.conf_int.loc[terms, "ci_low"], ref["ci_low"], rtol=RTOL)
    np.testing.assert_allclose(fit.conf_int.loc[terms, "ci_high"], ref["ci_high"], rtol=RTOL)
    assert fit.df_resid == ref["df_resid"].iloc[0]
    assert fit.n == ref["n"].iloc[0]
    table = fit.table()
    assert list(table.columns[:3]) == ["term", "estimate", "se"]
    assert len(table) == len(ref)


def test_linear_trend_per_region_matches_svyglm_on_domain() -> None:
    # svyglm(y ~ round, design = subset(dsim, region == "R1"), family = gaussian())
    # svyglm(y ~ round, design = subset(dsim, region == "R3"), family = gaussian())
    table = mande.linear_trends(_csv("sim_rounds"), SIM, {"SAF": "y"}, time="round", by="region")
    for region in ("R1", "R3"):
        ref = _ref(f"sim_trend_{region}").loc["round"]
        row = table[(table["breakdown"] == "region") & (table["group"] == region)].iloc[0]
        assert row["unit"] == "percentage points per round"
        np.testing.assert_allclose(row["estimate"], 100 * ref["estimate"], rtol=RTOL)
        np.testing.assert_allclose(row["se"], 100 * ref["se"], rtol=RTOL)
        np.testing.assert_allclose(row["p_value"], ref["p"], rtol=1e-5)
        np.testing.assert_allclose(row["ci_low"], 100 * ref["ci_low"], rtol=RTOL)
        assert row["df"] == ref["df_resid"]


ROUND_DATES = {0: "2024-11-15", 1: "2025-05-15", 2: "2025-11-15", 3: "2026-05-15"}
EVENT = Event(
    id="deploy",
    date=dt.date(2024, 12, 1),
    kind="deployment",
    label={"en": "Bases opened", "fr": "Bases ouvertes"},
    regions=("R3", "R4"),
)


@pytest.mark.parametrize(
    ("comparison", "case", "terms"),
    [
        # svyglm(y ~ post + time_after, design = subset(dsim, treated == 1), family = gaussian())
        (False, "sim_its_single", {"level_change": "post", "slope_change": "time_after"}),
        # svyglm(y ~ factor(round) + treated + treated:post + treated:time_after, design = dsim)
        (
            True,
            "sim_its_comparison",
            {"level_change": "treated:post", "slope_change": "treated:time_after"},
        ),
    ],
)
def test_interrupted_time_series_matches_svyglm(
    comparison: bool, case: str, terms: dict[str, str]
) -> None:
    table = mande.interrupted_time_series(
        _csv("sim_rounds"),
        SIM,
        {"SAF": "y"},
        EVENT,
        round_dates=ROUND_DATES,
        comparison=comparison,
    )
    ref = _ref(case)
    assert set(table["term"]) == set(terms)
    for term, r_term in terms.items():
        row = table[table["term"] == term].iloc[0]
        np.testing.assert_allclose(row["estimate"], 100 * ref.loc[r_term, "estimate"], rtol=RTOL)
        np.testing.assert_allclose(row["se"], 100 * ref.loc[r_term, "se"], rtol=RTOL)
        assert row["df"] == ref.loc[r_term, "df_resid"]
        assert row["n_pre"] == 1 and row["n_post"] == 3
