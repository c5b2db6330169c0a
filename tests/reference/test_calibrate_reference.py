"""mande.calibrate, mande.trim_weights and the calibrated variance against R survey 4.1.1.

Fixtures made by ``make_calibrate_fixtures.R``: a stratified cluster sample
(``svydesign(id=~psu, strata=~region, weights=~w0, nest=TRUE)``) calibrated with
``calibrate(calfun="linear" | "raking", bounds=)``, ``postStratify`` and ``trimWeights``. Weights,
estimates, SEs and CI ends of means, proportions and totals (overall and by domain, as ``svyby``)
and ``svyglm`` coefficients and SEs must agree to 1e-8 relative; n and degrees of freedom exactly.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mande
from mande.stats.calibrate import CalibrationResult

FIXTURES = Path(__file__).parent / "fixtures"
RTOL = 1e-8


@cache
def _expected() -> dict[str, Any]:
    return json.loads((FIXTURES / "calibrate_expected.json").read_text(encoding="utf-8"))


@cache
def _data() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "calibrate_data.csv", keep_default_na=False, na_values=[""])


def _design() -> mande.SurveyDesign:
    spec = _expected()["design"]
    return mande.SurveyDesign(weight=spec["weight"], strata=spec["strata"], psu=spec["psu"])


def _margins() -> dict[Any, dict[Any, float]]:
    m = _expected()["margins"]
    return {k: {lv: float(v) for lv, v in m[k].items()} for k in ("region", "sex", "age_group")}


def _cells() -> dict[Any, dict[Any, float]]:
    cells = _expected()["margins"]["cells"]
    return {("sex", "age_group"): {(c["sex"], c["age_group"]): float(c["Freq"]) for c in cells}}


@cache
def _calibrated(method: str) -> CalibrationResult:
    df, des = _data(), _design()
    bounds = _expected()["bounds"]
    if method == "linear":
        return mande.calibrate(df, des, _margins(), method="linear")
    if method == "raking":
        return mande.calibrate(df, des, _margins(), method="raking")
    if method in ("linear_b", "raking_b"):
        lo, hi = bounds[method]
        return mande.calibrate(df, des, _margins(), method=method[:-2], bounds=(lo, hi))
    if method == "post":
        return mande.calibrate(df, des, _cells(), method="poststratify")
    spec = _expected()["trim"][method]
    raked = _calibrated("raking")
    return mande.trim_weights(
        raked.data, raked.design, lower=spec["lower"], upper=spec["upper"], strict=spec["strict"]
    )


METHODS = ("linear", "linear_b", "raking", "raking_b", "post", "trim", "trim_strict")


@pytest.mark.parametrize("method", METHODS)
def test_weights_match_r(method: str) -> None:
    """R: weights(calibrate(...)), weights(postStratify(...)), weights(trimWeights(...))."""
    res = _calibrated(method)
    ours = res.data[res.design.weight].to_numpy()
    theirs = _data()[f"w_{method}"].to_numpy()
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=0)


def _close(ours: float, theirs: float | None) -> bool:
    if theirs is None:
        return math.isnan(ours)
    return bool(np.isclose(ours, theirs, rtol=RTOL, atol=0.0))


def _estimate_cases() -> list[Any]:
    return [pytest.param(c, id=c["id"]) for c in _expected()["cases"]]


@pytest.mark.parametrize("case", _estimate_cases())
def test_estimates_ses_and_cis_match_r(case: dict[str, Any]) -> None:
    """R: svyby(~y, ~by, <calibrated design>, svymean | svytotal, na.rm=TRUE), with CIs on the
    domain's degf and svyciprop's logit interval for proportions."""
    res = _calibrated(case["method"])
    result = mande.estimate(
        res.data,
        res.design,
        case["variable"],
        kind=case["kind"],
        by=case["by"],
        level=case["level"],
    )
    by = case["by"] or []
    assert len(result) == len(case["rows"]), case["r_call"]
    for row in case["rows"]:
        mask = np.ones(len(result), dtype=bool)
        for col in by:
            mask &= result[col].astype(str).to_numpy() == str(row["by"][col])
        assert mask.sum() == 1, f"domain {row['by']} of {case['r_call']}"
        ours = result[mask].iloc[0]
        where = f"{case['id']} {row['by']}: R call {case['r_call']}"
        for col in ("estimate", "se", "ci_low", "ci_high"):
            assert _close(float(ours[col]), row[col]), (
                f"{col}: ours {ours[col]!r}, R {row[col]!r} ({where})"
            )
        assert int(ours["n"]) == row["n"], where
        assert int(ours["df"]) == row["df"], where


def _glm_cases() -> list[Any]:
    return [pytest.param(c, id=c["id"]) for c in _expected()["glms"]]


_TERMS = {
    "(Intercept)": "Intercept",
    "x1": "x1",
    "sexmale": "C(sex)[T.male]",
    "age_group30-44": "C(age_group)[T.30-44]",
    "age_group45-59": "C(age_group)[T.45-59]",
    "age_group60+": "C(age_group)[T.60+]",
}


@pytest.mark.parametrize("case", _glm_cases())
def test_svyglm_on_calibrated_design_matches_r(case: dict[str, Any]) -> None:
    """R: svyglm(b ~ x1 + sex, <calibrated design>, family=quasibinomial) and
    svyglm(y ~ x1 + age_group, ..., family=gaussian), control=glm.control(epsilon=1e-14)."""
    res = _calibrated(case["method"])
    rhs = (
        case["formula"].split("~")[1].replace("sex", "C(sex)").replace("age_group", "C(age_group)")
    )
    formula = case["formula"].split("~")[0] + "~" + rhs
    fit = mande.trend_model(res.data, res.design, formula, family=case["family"])
    for term, coef, se in zip(case["terms"], case["coef"], case["se"], strict=True):
        name = _TERMS[term]
        assert _close(float(fit.params[name]), coef), (case["id"], term, fit.params[name], coef)
        assert _close(float(fit.bse[name]), se), (case["id"], term, fit.bse[name], se)


def test_calibration_report_margins_met_and_design_effect() -> None:
    """The report: margins after calibration equal the population; Kish's deff = n sum w^2 /
    (sum w)^2; the g-weights of the bounded raking lie in the bounds."""
    res = _calibrated("raking_b")
    rep = res.report
    np.testing.assert_allclose(rep.margins["after"], rep.margins["population"], rtol=1e-9)
    w = res.data[res.design.weight].to_numpy()
    assert rep.deff_after == pytest.approx(len(w) * (w**2).sum() / w.sum() ** 2, rel=1e-12)
    assert rep.g_min >= 0.75 - 1e-12 and rep.g_max <= 1.35 + 1e-12
    assert rep.converged and rep.iterations > 0
    stored = rep.to_dict()
    assert stored["method"] == "raking" and len(stored["margins"]) == len(rep.margins)
