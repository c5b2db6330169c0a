"""Unit tests of mande.estimate and the linearised-variance machinery (no R needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import mande
from mande.errors import DesignError, EstimationError
from mande.stats._linearize import design_df, design_index, design_vcov, domain_variance
from mande.stats.estimate import ESTIMATE_COLUMNS


def _survey(seed: int = 1, n_strata: int = 4, psu_per: int = 5, size: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(n_strata):
        for j in range(psu_per):
            u = rng.normal(0, 0.7)
            for _ in range(size):
                rows.append(
                    {
                        "stratum": f"S{h}",
                        "psu": j,  # repeats across strata: nested
                        "w": rng.uniform(1, 5) * (1 + h),
                        "y": rng.normal(10 + h + u, 3),
                        "b": float(rng.random() < 1 / (1 + np.exp(-(u + 0.2 * h)))),
                        "sex": rng.choice(["f", "m"]),
                        "region": rng.choice(["east", "north", "west"]),
                    }
                )
    df = pd.DataFrame(rows)
    df.loc[rng.random(len(df)) < 0.1, "b"] = np.nan
    return df


DESIGN = mande.SurveyDesign(weight="w", strata="stratum", psu="psu")


def _direct(df: pd.DataFrame, design: mande.SurveyDesign, y: str, mask: np.ndarray) -> tuple:
    """A domain's mean and variance from design_vcov with masked scores (no vectorisation)."""
    index = design_index(df, design)
    v = df[y].to_numpy(dtype=float)
    dom = mask & ~np.isnan(v)
    w = index.weights
    wsum = w[dom].sum()
    mean = (w[dom] * v[dom]).sum() / wsum
    scores = np.where(dom, w * (np.nan_to_num(v) - mean) / wsum, 0.0)
    var = design_vcov(scores, index, present=dom)[0, 0]
    return mean, var, design_df(index, dom)


# ---- output shape and domains -----------------------------------------------------------------


def test_columns_and_sort_order_with_several_by_columns() -> None:
    df = _survey()
    out = mande.estimate(df, DESIGN, "b", kind="proportion", by=["sex", "region"])
    assert list(out.columns) == ["sex", "region", *ESTIMATE_COLUMNS]
    assert len(out) == 6
    assert list(zip(out["sex"], out["region"], strict=True)) == sorted(
        zip(out["sex"], out["region"], strict=True)
    )
    assert out["n"].dtype == np.int64 and out["df"].dtype == np.int64
    assert out[["suppressed", "low_precision", "single_psu"]].dtypes.eq(bool).all()
    # the unweighted n counts valid answers only
    valid = df.dropna(subset=["b"])
    counts = valid.groupby(["sex", "region"]).size().to_numpy()
    assert out["n"].tolist() == counts.tolist()


def test_no_by_gives_one_row_for_the_whole_sample() -> None:
    df = _survey()
    out = mande.estimate(df, DESIGN, "y", kind="mean")
    assert list(out.columns) == list(ESTIMATE_COLUMNS)
    assert len(out) == 1
    w, y = df["w"].to_numpy(), df["y"].to_numpy()
    assert out["estimate"].iloc[0] == pytest.approx((w * y).sum() / w.sum(), rel=1e-12)
    assert out["df"].iloc[0] == 4 * 5 - 4


@pytest.mark.parametrize("rule", ["remove", "certainty", "adjust", "average"])
@pytest.mark.parametrize("fpc", [None, "N"])
def test_vectorised_domains_equal_one_domain_at_a_time(rule: str, fpc: str | None) -> None:
    df = _survey(seed=3)
    # stratum S4 with a single PSU, and a stratum-level population size
    extra = df[df["stratum"] == "S0"].iloc[:9].assign(stratum="S4", psu=0)
    df = pd.concat([df, extra], ignore_index=True)
    df["N"] = df["stratum"].map({"S0": 40, "S1": 12, "S2": 9, "S3": 100, "S4": 7})
    design = mande.SurveyDesign(weight="w", strata="stratum", psu="psu", fpc=fpc, lonely_psu=rule)
    out = mande.estimate(df, design, "b", kind="mean", by=["region", "sex"])
    for _, row in out.iterrows():
        mask = ((df["region"] == row["region"]) & (df["sex"] == row["sex"])).to_numpy()
        mean, var, dof = _direct(df, design, "b", mask)
        assert row["estimate"] == pytest.approx(mean, rel=1e-12)
        assert row["se"] ** 2 == pytest.approx(var, rel=1e-10)
        assert row["df"] == dof


def test_missing_by_values_are_in_no_domain_but_stay_in_the_design() -> None:
    df = _survey(seed=4)
    with_na = df.copy()
    with_na.loc[with_na.index[::7], "region"] = np.nan
    as_level = with_na.fillna({"region": "zz-missing"})
    a = mande.estimate(with_na, DESIGN, "y", kind="mean", by="region")
    b = mande.estimate(as_level, DESIGN, "y", kind="mean", by="region")
    assert list(a["region"]) == ["east", "north", "west"]  # no NaN group
    b = b[b["region"] != "zz-missing"].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_domain_is_not_estimated_by_filtering_rows() -> None:
    # a domain's SE counts the PSUs of each stratum that hold none of its members; filtering
    # rows first would drop them and change the variance
    df = _survey(seed=5)
    df.loc[(df["stratum"] == "S0") & (df["psu"] < 3), "region"] = "rare"
    dom = mande.estimate(df, DESIGN, "y", kind="mean", by="region")
    rare = dom[dom["region"] == "rare"].iloc[0]
    filtered = mande.estimate(df[df["region"] == "rare"], DESIGN, "y", kind="mean")
    assert rare["estimate"] == pytest.approx(filtered["estimate"].iloc[0], rel=1e-12)
    assert abs(rare["se"] - filtered["se"].iloc[0]) > 1e-3 * rare["se"]
    _, var, _ = _direct(df, DESIGN, "y", (df["region"] == "rare").to_numpy())
    assert rare["se"] == pytest.approx(np.sqrt(var), rel=1e-12)


def test_domain_with_no_valid_answer_is_reported_and_suppressed() -> None:
    df = _survey(seed=6)
    df.loc[df["region"] == "west", "b"] = np.nan
    out = mande.estimate(df, DESIGN, "b", kind="proportion", by="region")
    west = out[out["region"] == "west"].iloc[0]
    assert west["n"] == 0 and np.isnan(west["estimate"]) and west["suppressed"]


# ---- proportions and intervals ----------------------------------------------------------------


def test_proportion_logit_interval_formula() -> None:
    df = _survey(seed=7)
    out = mande.estimate(df, DESIGN, "b", kind="proportion", level=0.9).iloc[0]
    p, se, dof = out["estimate"], out["se"], out["df"]
    q = stats.t.ppf(0.95, dof)
    centre = np.log(p / (1 - p))
    half = q * se / (p * (1 - p))
    assert out["ci_low"] == pytest.approx(1 / (1 + np.exp(-(centre - half))), rel=1e-12)
    assert out["ci_high"] == pytest.approx(1 / (1 + np.exp(-(centre + half))), rel=1e-12)
    assert out["ci_low"] < p < out["ci_high"]


def test_mean_and_total_intervals_use_t_on_domain_df() -> None:
    df = _survey(seed=8)
    for kind in ("mean", "total"):
        out = mande.estimate(df, DESIGN, "y", kind=kind, by="sex")
        q = stats.t.ppf(0.975, out["df"].to_numpy())
        np.testing.assert_allclose(out["ci_low"], out["estimate"] - q * out["se"], rtol=1e-12)
        np.testing.assert_allclose(out["ci_high"], out["estimate"] + q * out["se"], rtol=1e-12)


@pytest.mark.parametrize(("value", "bounds"), [(0.0, (0.0, 0.0)), (1.0, (1.0, 1.0))])
def test_proportion_of_exactly_zero_or_one_has_a_point_interval(
    value: float, bounds: tuple[float, float]
) -> None:
    df = _survey(seed=9).assign(c=value)
    out = mande.estimate(df, DESIGN, "c", kind="proportion").iloc[0]
    assert out["estimate"] == value and out["se"] == 0
    assert (out["ci_low"], out["ci_high"]) == bounds
    assert np.isnan(out["deff"])  # 0 / 0, as R


def test_total_is_horvitz_thompson() -> None:
    df = _survey(seed=10)
    out = mande.estimate(df, DESIGN, "b", kind="total", by="sex")
    valid = df.dropna(subset=["b"])
    expected = (valid["w"] * valid["b"]).groupby(valid["sex"]).sum()
    np.testing.assert_allclose(out["estimate"], expected.to_numpy(), rtol=1e-12)


def test_boolean_variable_is_a_proportion() -> None:
    df = _survey(seed=11)
    df["flag"] = df["y"] > 11
    a = mande.estimate(df, DESIGN, "flag")
    b = mande.estimate(df.assign(flag=df["flag"].astype(float)), DESIGN, "flag")
    pd.testing.assert_frame_equal(a, b)


# ---- flags -----------------------------------------------------------------------------------


def test_suppressed_and_low_precision_flags() -> None:
    df = _survey(seed=12)
    out = mande.estimate(df, DESIGN, "y", kind="mean", by="region", min_n=10_000)
    assert out["suppressed"].all()
    out = mande.estimate(df, DESIGN, "y", kind="mean", by="region")
    assert not out["suppressed"].any()
    assert not out["low_precision"].any()
    np.testing.assert_allclose(out["cv"], out["se"] / out["estimate"].abs())
    assert mande.estimate(df, DESIGN, "y", kind="mean", by="region", max_cv=1e-6)[
        "low_precision"
    ].all()
    wide = mande.estimate(df, DESIGN, "y", kind="mean", by="region", max_ci_width=1e-3)
    assert wide["low_precision"].all()


def test_single_psu_flag_and_zero_df_fallback() -> None:
    df = _survey(seed=13)
    df["spot"] = "elsewhere"
    df.loc[(df["stratum"] == "S1") & (df["psu"] == 2), "spot"] = "one psu"
    out = mande.estimate(df, DESIGN, "y", kind="mean", by="spot").set_index("spot")
    one = out.loc["one psu"]
    assert one["single_psu"] and one["df"] == 0
    # R's t quantile on 0 df is NaN; mande uses 1 df and flags the row
    q = stats.t.ppf(0.975, 1)
    assert one["ci_high"] == pytest.approx(one["estimate"] + q * one["se"], rel=1e-12)
    assert not out.loc["elsewhere", "single_psu"]


def test_single_psu_flag_for_a_lonely_stratum() -> None:
    df = _survey(seed=14)
    df.loc[df["stratum"] == "S3", "psu"] = 0
    design = mande.SurveyDesign(weight="w", strata="stratum", psu="psu", lonely_psu="adjust")
    out = mande.estimate(df, design, "y", kind="mean", by="stratum").set_index("stratum")
    assert out.loc["S3", "single_psu"]
    assert not out.loc["S0", "single_psu"]


def test_unclustered_design_has_one_psu_per_row() -> None:
    df = _survey(seed=15)
    design = mande.SurveyDesign(weight="w", strata="stratum")
    out = mande.estimate(df, design, "y", kind="mean", by="sex")
    counts = df.groupby("sex").agg(n=("y", "size"), h=("stratum", "nunique"))
    assert out["df"].tolist() == (counts["n"] - counts["h"]).tolist()


# ---- properties ------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    scale=st.floats(min_value=1e-3, max_value=1e4, allow_nan=False),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_scaling_weights_leaves_means_unchanged_and_scales_totals(scale: float, seed: int) -> None:
    df = _survey(seed=seed, n_strata=3, psu_per=3, size=6)
    scaled = df.assign(w=df["w"] * scale)
    a = mande.estimate(df, DESIGN, "y", kind="mean", by="sex")
    b = mande.estimate(scaled, DESIGN, "y", kind="mean", by="sex")
    np.testing.assert_allclose(b["estimate"], a["estimate"], rtol=1e-10)
    np.testing.assert_allclose(b["se"], a["se"], rtol=1e-8)
    np.testing.assert_allclose(b["ci_low"], a["ci_low"], rtol=1e-8)
    t_a = mande.estimate(df, DESIGN, "y", kind="total", by="sex")
    t_b = mande.estimate(scaled, DESIGN, "y", kind="total", by="sex")
    np.testing.assert_allclose(t_b["estimate"], scale * t_a["estimate"], rtol=1e-10)
    np.testing.assert_allclose(t_b["se"], scale * t_a["se"], rtol=1e-8)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_row_order_does_not_matter(seed: int) -> None:
    df = _survey(seed=seed, n_strata=3, psu_per=3, size=6)
    shuffled = df.sample(frac=1.0, random_state=seed)
    a = mande.estimate(df, DESIGN, "b", by=["region"])
    b = mande.estimate(shuffled, DESIGN, "b", by=["region"])
    pd.testing.assert_frame_equal(a, b, rtol=1e-10)


# ---- errors ----------------------------------------------------------------------------------


def test_missing_weight_column_suggests_weight_like_columns() -> None:
    df = _survey().rename(columns={"w": "weight_final"})
    with pytest.raises(DesignError, match=r"'w' not found.*look like weights: 'weight_final'"):
        mande.estimate(df, DESIGN, "y", kind="mean")


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan])
def test_bad_weights_are_refused(bad: float) -> None:
    df = _survey()
    df.loc[5, "w"] = bad
    with pytest.raises(DesignError, match=r"weight column 'w' has 1 value.*rows 5"):
        mande.estimate(df, DESIGN, "y", kind="mean")


def test_non_binary_proportion_lists_the_offending_values() -> None:
    df = _survey()
    df.loc[3, "b"] = 2
    df.loc[4, "b"] = 98
    with pytest.raises(EstimationError, match=r"other than 0 and 1: 2\.0, 98\.0"):
        mande.estimate(df, DESIGN, "b", kind="proportion")
    # the same column is fine as a mean
    assert len(mande.estimate(df, DESIGN, "b", kind="mean")) == 1


def test_unknown_kind_and_bad_level() -> None:
    df = _survey()
    with pytest.raises(EstimationError, match=r"kind='median'.*proportion, mean, total"):
        mande.estimate(df, DESIGN, "y", kind="median")
    with pytest.raises(EstimationError, match="level=95"):
        mande.estimate(df, DESIGN, "y", kind="mean", level=95)


def test_missing_variable_or_by_column_suggests_close_names() -> None:
    df = _survey()
    with pytest.raises(EstimationError, match=r"'regoin' not found.*did you mean 'region'"):
        mande.estimate(df, DESIGN, "y", kind="mean", by="regoin")
    with pytest.raises(EstimationError, match="'yy' not found"):
        mande.estimate(df, DESIGN, "yy", kind="mean")


def test_text_variable_is_refused() -> None:
    df = _survey().assign(t="yes")
    with pytest.raises(EstimationError, match="not numbers: 'yes'"):
        mande.estimate(df, DESIGN, "t", kind="mean")


def test_lonely_psu_fail_names_the_stratum() -> None:
    df = _survey()
    df.loc[df["stratum"] == "S2", "psu"] = 0
    with pytest.raises(DesignError, match="stratum 'S2' has only one PSU"):
        mande.estimate(df, DESIGN, "y", kind="mean")
    # a domain that does not reach the lonely stratum is estimated, as R does per subset
    df["part"] = pd.Series("rest", index=df.index).where(df["stratum"] != "S2")
    out = mande.estimate(df, DESIGN, "y", kind="mean", by="part")
    assert out["part"].tolist() == ["rest"]


def test_lonely_psu_sampled_with_certainty_does_not_fail() -> None:
    # R: a stratum whose fpc says its one PSU is the whole population adds no variance
    df = _survey()
    df.loc[df["stratum"] == "S2", "psu"] = 0
    df["N"] = df["stratum"].map({"S0": 50, "S1": 50, "S2": 1, "S3": 50})
    design = mande.SurveyDesign(weight="w", strata="stratum", psu="psu", fpc="N")
    assert np.isfinite(mande.estimate(df, design, "y", kind="mean")["se"]).all()


def test_fpc_errors() -> None:
    df = _survey()
    design = mande.SurveyDesign(weight="w", strata="stratum", psu="psu", fpc="N")
    with pytest.raises(DesignError, match="varies within stratum 'S0'"):
        mande.estimate(df.assign(N=np.arange(len(df)) + 10.0), design, "y", kind="mean")
    mixed = df.assign(N=np.where(df["stratum"] == "S0", 0.5, 40.0))
    with pytest.raises(DesignError, match="mixes population sizes"):
        mande.estimate(mixed, design, "y", kind="mean")
    with pytest.raises(DesignError, match="more than 100 per cent"):
        mande.estimate(df.assign(N=3.0), design, "y", kind="mean")
    # a fraction and the population size it implies give the same answer
    a = mande.estimate(df.assign(N=5 / 20), design, "y", kind="mean")
    b = mande.estimate(df.assign(N=20.0), design, "y", kind="mean")
    np.testing.assert_allclose(a["se"], b["se"], rtol=1e-12)


def test_missing_strata_or_psu_ids_are_refused() -> None:
    df = _survey()
    df.loc[2, "psu"] = np.nan
    with pytest.raises(DesignError, match="PSU column 'psu' is missing on 1 row"):
        mande.estimate(df, DESIGN, "y", kind="mean")


# ---- the design ------------------------------------------------------------------------------


def test_design_check_and_summary() -> None:
    df = _survey()
    DESIGN.check(df)
    summary = DESIGN.summary(df)
    assert (summary.n, summary.n_strata, summary.n_psu, summary.df) == (len(df), 4, 20, 16)
    assert summary.lonely_strata == ()
    assert summary.weight_sum == pytest.approx(df["w"].sum())
    with pytest.raises(DesignError, match="not a column name"):
        mande.SurveyDesign(weight="w", strata=3)  # type: ignore[arg-type]


def test_design_vcov_of_several_columns() -> None:
    df = _survey(seed=16)
    index = design_index(df, DESIGN)
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(len(df), 3))
    v = design_vcov(scores, df, DESIGN)
    assert v.shape == (3, 3)
    np.testing.assert_allclose(v, v.T)
    for k in range(3):
        single = design_vcov(scores[:, k], index)
        assert single[0, 0] == pytest.approx(v[k, k], rel=1e-12)
        dv = domain_variance(scores[:, k], np.zeros(len(df), dtype=np.int64), 1, index)
        assert dv.variance[0] == pytest.approx(v[k, k], rel=1e-10)
    assert design_df(index) == 16


def test_sparse_and_dense_domain_totals_agree() -> None:
    df = _survey(seed=17)
    index = design_index(df, DESIGN)
    rng = np.random.default_rng(1)
    scores = rng.normal(size=len(df))
    domain = rng.integers(-1, 7, len(df))
    dense = domain_variance(scores, domain, 7, index)
    hashed = domain_variance(scores, domain, 7, index, dense_limit=0)
    np.testing.assert_allclose(hashed.variance, dense.variance, rtol=1e-12)
    np.testing.assert_array_equal(hashed.df, dense.df)


def test_categorical_by_keeps_category_order_and_many_by_columns_work() -> None:
    df = _survey(seed=18)
    df["age"] = pd.Categorical(
        np.where(df["y"] > 11, "35+", "18-34"), categories=["35+", "18-34"], ordered=True
    )
    out = mande.estimate(df, DESIGN, "y", kind="mean", by=["age", "sex"])
    assert out["age"].tolist() == ["35+", "35+", "18-34", "18-34"]
    assert isinstance(out["age"].dtype, pd.CategoricalDtype)
    # more by-combinations than one integer can index: grouped by hashing, same answer
    small = _survey(seed=19, n_strata=2, psu_per=3, size=100)
    rng = np.random.default_rng(2)
    cols = [f"k{i}" for i in range(7)]
    for c in cols:
        small[c] = rng.permutation(len(small))
    many = mande.estimate(small, DESIGN, "y", kind="mean", by=cols)
    assert len(many) == len(small) and (many["n"] == 1).all()
    assert many[cols].equals(many[cols].sort_values(cols).reset_index(drop=True))


def test_psu_ids_as_text_or_large_numbers_give_the_same_answer() -> None:
    df = _survey(seed=20)
    base = mande.estimate(df, DESIGN, "b", by="sex")
    as_text = mande.estimate(df.assign(psu="c" + df["psu"].astype(str)), DESIGN, "b", by="sex")
    as_big = mande.estimate(df.assign(psu=df["psu"] * 10**12 + 7), DESIGN, "b", by="sex")
    pd.testing.assert_frame_equal(as_text, base)
    pd.testing.assert_frame_equal(as_big, base)


def test_dense_codes_counting_and_hashing_agree() -> None:
    from mande.stats._linearize import dense_codes

    key = np.array([5, -1, 3, 5, 0, 3])
    codes, present = dense_codes(key, 6)
    assert codes.tolist() == [2, -1, 1, 2, 0, 1] and present.tolist() == [0, 3, 5]
    codes_h, present_h = dense_codes(key * 10**9, 10**16)
    assert codes_h.tolist() == codes.tolist()
    assert present_h.tolist() == [0, 3 * 10**9, 5 * 10**9]
