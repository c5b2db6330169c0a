"""trend_model, stack_rounds, linear_trends and interrupted_time_series on simulated rounds.

The simulated mission mirrors the sample mission: four rounds (Nov 2024 .. May 2026), six regions,
villages as PSUs. True values: feeling safe rises by 10 points per round in VD03 and VD04 after the
December 2024 deployment and does not move elsewhere (VD01: 50 per cent throughout); acceptance of
the mission falls by 6 points per round everywhere.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mande
from mande.config import Event
from mande.errors import DesignError, EstimationError

ROUNDS = ["2024-11", "2025-05", "2025-11", "2026-05"]
ROUND_DATES = {
    "2024-11": dt.date(2024, 11, 15),
    "2025-05": dt.date(2025, 5, 15),
    "2025-11": dt.date(2025, 11, 15),
    "2026-05": dt.date(2026, 5, 15),
}
REGIONS = ["VD01", "VD02", "VD03", "VD04", "VD05", "VD06"]
VILLAGES = 20


def _p_safe(region: str, r: int) -> float:
    if region in ("VD03", "VD04"):
        return 0.35 + 0.10 * r
    return {"VD01": 0.50}.get(region, 0.45)


def _simulate(seed: int = 1, villages: int = VILLAGES, per_village: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for r, rnd in enumerate(ROUNDS):
        for region in REGIONS:
            for v in range(villages):
                shift = rng.normal(0, 0.04)  # village effect
                p_safe = np.clip(_p_safe(region, r) + shift, 0.02, 0.98)
                p_accept = np.clip(0.75 - 0.06 * r + shift, 0.02, 0.98)
                w = rng.uniform(50, 150, per_village)
                rows.append(
                    pd.DataFrame(
                        {
                            "round": rnd,
                            "region": region,
                            "village": f"v{v:02d}",  # the same labels in every round
                            "w": w,
                            "feels_safe": rng.binomial(1, p_safe, per_village).astype(float),
                            "accepts": rng.binomial(1, p_accept, per_village).astype(float),
                        }
                    )
                )
    df = pd.concat(rows, ignore_index=True)
    df.loc[rng.choice(len(df), 80, replace=False), "feels_safe"] = np.nan  # don't know
    return df


@pytest.fixture(scope="module")
def stacked() -> tuple[pd.DataFrame, mande.SurveyDesign]:
    design = mande.SurveyDesign(weight="w", strata="region", psu="village")
    return mande.stack_rounds(_simulate(), design, round="round")


@pytest.fixture(scope="module")
def mission() -> mande.MissionConfig:
    return mande.load_mission(Path(__file__).resolve().parents[2] / "sample_data" / "mission.yaml")


def test_stack_rounds_makes_strata_and_psus_unique_per_round(stacked) -> None:
    df, design = stacked
    assert (design.strata, design.psu, design.weight) == ("_stratum", "_psu", "w")
    assert df["_stratum"].nunique() == len(ROUNDS) * len(REGIONS)
    assert df["_psu"].nunique() == len(ROUNDS) * len(REGIONS) * VILLAGES
    assert df.groupby("_psu")["round"].nunique().max() == 1
    with pytest.raises(EstimationError, match="'wave'"):
        mande.stack_rounds(df, design, round="wave")


def test_linear_trends_find_the_true_trends(stacked) -> None:
    df, design = stacked
    table = mande.linear_trends(
        df,
        design,
        {"SAF-01": "feels_safe", "MIS-02": "accepts"},
        time="round",
        by="region",
        polarity={"SAF-01": "up", "MIS-02": "up"},
    )
    assert len(table) == 2 * (1 + len(REGIONS))
    saf = table[(table["indicator"] == "SAF-01") & (table["breakdown"] == "region")]
    saf = saf.set_index("group")
    for region in ("VD03", "VD04"):
        row = saf.loc[region]
        assert row["verdict"] == "improved", row
        assert row["ci_low"] < 10 < row["ci_high"]  # true slope: 10 points per round
        assert row["unit"] == "percentage points per round"
        assert (row["first_round"], row["last_round"], row["n_rounds"]) == ("2024-11", "2026-05", 4)
    assert saf.loc["VD01", "verdict"] == "no_change"
    assert saf.loc["VD01", "ci_low"] < 0 < saf.loc["VD01", "ci_high"]
    acc = table[(table["indicator"] == "MIS-02") & (table["breakdown"] == "all")].iloc[0]
    assert acc["verdict"] == "deteriorated"
    assert acc["ci_low"] < -6 < acc["ci_high"]
    # every row took part in one Benjamini-Hochberg family
    assert table["q_value"].notna().all() and (table["q_value"] >= table["p_value"]).all()
    # design degrees of freedom of a region: 4 rounds x VILLAGES villages - 4 strata, minus 1
    assert saf.loc["VD01", "df"] == 4 * VILLAGES - 4 - 1


def test_linear_trend_slope_is_the_line_through_round_estimates(stacked) -> None:
    # with one group and time only, the weighted least-squares slope is a fixed function of the
    # per-round weighted means: check it against numpy's weighted polyfit on respondents
    df, design = stacked
    sub = df[(df["region"] == "VD02") & df["feels_safe"].notna()]
    t = sub["round"].map({r: i for i, r in enumerate(ROUNDS)}).to_numpy(float)
    slope = np.polyfit(t, sub["feels_safe"].to_numpy(), 1, w=np.sqrt(sub["w"].to_numpy()))[0]
    table = mande.linear_trends(df, design, "feels_safe", by="region")
    row = table[table["group"] == "VD02"].iloc[0]
    assert row["estimate"] == pytest.approx(100 * slope, rel=1e-9)


def test_linear_trends_with_one_round_is_not_compared(stacked) -> None:
    df, design = stacked
    df = df.copy()
    df.loc[(df["region"] == "VD06") & (df["round"] != "2024-11"), "feels_safe"] = np.nan
    table = mande.linear_trends(df, design, "feels_safe", by="region", lang="fr")
    row = table[table["group"] == "VD06"].iloc[0]
    assert row["verdict"] == "not_compared" and row["verdict_label"] == "non comparé"
    assert row["n_rounds"] == 1 and np.isnan(row["estimate"])


def test_its_around_the_deployment_with_comparison_regions(stacked, mission) -> None:
    df, design = stacked
    event = next(e for e in mission.events if e.id == "deploy-east")
    table = mande.interrupted_time_series(
        df, design, {"SAF-01": "feels_safe"}, event, round_dates=ROUND_DATES
    )
    assert set(table["model"]) == {"comparison group"}
    assert set(table["regions"]) == {"VD03, VD04"}
    assert list(table["term"]) == ["level_change", "slope_change"]  # one round before: no pre-trend
    level = table.set_index("term").loc["level_change"]
    slope = table.set_index("term").loc["slope_change"]
    # truth, relative to the others: +10 at the first round after, +10 per round after that
    assert level["ci_low"] < 10 < level["ci_high"] and level["p_value"] < 0.05
    assert slope["ci_low"] < 10 < slope["ci_high"]
    assert (level["n_pre"], level["n_post"]) == (1, 3)
    caveat = level["caveat"]
    for phrase in ("Few time points", "single round before", "not proof", "comparison regions"):
        assert phrase in caveat
    fr = mande.interrupted_time_series(
        df, design, "feels_safe", event, round_dates=ROUND_DATES, lang="fr"
    )
    assert "non d'une preuve" in fr["caveat"].iloc[0]
    single = mande.interrupted_time_series(
        df, design, "feels_safe", event, round_dates=ROUND_DATES, comparison=False
    )
    assert set(single["model"]) == {"single series"}
    assert "comparison regions" not in single["caveat"].iloc[0]
    # without the comparison, the level change is the jump from round 1 to round 2 in VD03/VD04
    assert single.set_index("term").loc["level_change", "ci_low"] < 10


def test_its_mission_wide_event_with_two_rounds_before(stacked) -> None:
    df, design = stacked
    event = Event(
        id="mandate",
        date=dt.date(2025, 9, 1),
        kind="mandate_renewal",
        label={"en": "Mandate renewed"},
    )
    table = mande.interrupted_time_series(df, design, "accepts", event, round_dates=ROUND_DATES)
    assert set(table["model"]) == {"single series"} and set(table["regions"]) == {"all"}
    assert list(table["term"]) == ["pre_trend", "level_change", "slope_change"]
    pre = table.set_index("term").loc["pre_trend"]
    assert pre["ci_low"] < -6 < pre["ci_high"] and pre["unit"] == "percentage points per round"
    assert "single round before" not in pre["caveat"]
    # rounds given as dates need no round_dates
    dated = df.assign(round=pd.to_datetime(df["round"].map(ROUND_DATES)))
    again = mande.interrupted_time_series(dated, design, "accepts", event)
    np.testing.assert_allclose(again["estimate"], table["estimate"], rtol=1e-12)


def test_its_errors(stacked) -> None:
    df, design = stacked
    early = Event(id="x", date=dt.date(2020, 1, 1), kind="k", label={"en": "x"})
    with pytest.raises(EstimationError, match="both sides"):
        mande.interrupted_time_series(df, design, "accepts", early, round_dates=ROUND_DATES)
    labelled = df.assign(round=df["round"].map(dict(zip(ROUNDS, "ABCD", strict=True))))
    with pytest.raises(EstimationError, match="round_dates"):
        mande.interrupted_time_series(labelled, design, "accepts", early)
    nowhere = dataclasses.replace(early, date=dt.date(2025, 1, 1), regions=("VD99",))
    with pytest.raises(EstimationError, match="VD99"):
        mande.interrupted_time_series(df, design, "accepts", nowhere, round_dates=ROUND_DATES)


def test_trend_model_fit_is_a_frozen_value_with_a_tidy_table(stacked) -> None:
    df, design = stacked
    fit = mande.trend_model(df, design, "feels_safe ~ C(round) + region", family="binomial")
    assert isinstance(fit, mande.TrendFit)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.n = 3  # type: ignore[misc]
    table = fit.table()
    assert list(table.columns) == [
        "term",
        "estimate",
        "se",
        "t",
        "p_value",
        "ci_low",
        "ci_high",
        "df",
        "n",
    ]
    assert fit.n == df["feels_safe"].notna().sum()
    assert fit.df_resid == 24 * VILLAGES - 24 + 1 - len(fit.params)
    assert (fit.conf_int["ci_low"] < fit.params).all()
    np.testing.assert_allclose(np.sqrt(np.diag(fit.vcov)), fit.bse)


def test_trend_model_errors(stacked) -> None:
    df, design = stacked
    with pytest.raises(EstimationError, match="family"):
        mande.trend_model(df, design, "feels_safe ~ region", family="poisson")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="between 0 and 1"):
        mande.trend_model(df.assign(y=df["feels_safe"] * 4), design, "y ~ region")
    with pytest.raises(EstimationError, match="collinear"):
        mande.trend_model(df.assign(r2=df["region"]), design, "feels_safe ~ region + r2")
    with pytest.raises(EstimationError, match="nope"):
        mande.trend_model(df, design, "feels_safe ~ nope")
    with pytest.raises(EstimationError, match="empty"):
        mande.trend_model(df, design, "feels_safe ~ 1", domain=np.zeros(len(df), dtype=bool))
    with pytest.raises(DesignError):
        mande.trend_model(df.drop(columns="w"), design, "feels_safe ~ region")
    lonely = df[~((df["_stratum"] == "2025-05|VD02") & (df["village"] != "v00"))]
    with pytest.raises(DesignError):
        mande.trend_model(lonely, design, "feels_safe ~ region")
    adjust = dataclasses.replace(design, lonely_psu="adjust")
    assert np.isfinite(mande.trend_model(lonely, adjust, "feels_safe ~ region").bse).all()
