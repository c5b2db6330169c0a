"""compute_indicators: the same numbers as mande.estimate on the scored column, on the full design."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import mande
from mande.demo.load import read_sample_round
from mande.errors import DataValidationError, DesignError
from mande.indicators.compute import RESULT_COLUMNS, STANDARD_BREAKDOWNS
from mande.indicators.items import standard_items
from mande.indicators.scoring import score_measure
from mande.stats.estimate import estimate

DESIGN = mande.SurveyDesign(weight="weight", strata="stratum", psu="psu")
STATS = ["estimate", "se", "ci_low", "ci_high", "n", "df", "deff"]


def synthetic(n: int = 900, seed: int = 7) -> pd.DataFrame:
    """Responses with every standard column: 4 strata x 10 PSUs, codes incl. non-substantive."""
    rng = np.random.default_rng(seed)
    items = standard_items()
    strata = rng.integers(0, 4, n)
    df = pd.DataFrame(
        {
            "stratum": [f"S{s}" for s in strata],
            "psu": strata * 100 + rng.integers(0, 10, n),
            "weight": rng.uniform(0.5, 3.0, n),
            "sex": rng.choice(["female", "male"], n),
            "age": rng.integers(18, 80, n),
            "region": rng.choice(["VD01", "VD02", "VD03"], n),
            "urban_rural": rng.choice(["urban", "rural"], n),
            "displacement": rng.choice(
                ["resident", "displaced", "returnee"], n, p=[0.75, 0.2, 0.05]
            ),
        }
    )
    for name, it in items.items.items():
        if it.role == "item" or name.startswith("wg_"):
            if it.kind == "select_one":
                codes = list(it.choices or {}) + list(it.non_substantive)
                p = np.array([8.0] * len(it.choices or {}) + [1.0] * len(it.non_substantive))
                df[name] = rng.choice(codes, n, p=p / p.sum())
            elif it.kind == "select_multiple":
                ch = list(it.choices or {})
                pick = rng.choice(ch, n, p=[0.06] * 9 + [0.36, 0.05, 0.05])
                for c in ch:
                    df[f"{name}__{c}"] = (pick == c).astype(int)
    df.loc[df["victim"] != 1, "victim_reported"] = np.nan
    df.loc[rng.random(n) < 0.03, "safe_day"] = np.nan
    return df


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return synthetic()


@pytest.fixture(scope="module")
def table(df: pd.DataFrame) -> pd.DataFrame:
    return mande.compute_indicators(
        df, mande.load_catalogue(), by=list(STANDARD_BREAKDOWNS), design=DESIGN, round_label="R1"
    )


def direct(
    df: pd.DataFrame, measure_id: str, by: str | None, kind: str = "proportion"
) -> pd.DataFrame:
    """estimate() called by hand on the scored column, on the full design."""
    cat = mande.load_catalogue()
    frame = df.copy()
    frame["score"] = score_measure(df, cat.measure(measure_id), cat).score
    if by in ("age_group", "disability"):
        from mande.ingest.survey import derive_breakdowns

        frame[by] = derive_breakdowns(df)[by]
    return estimate(frame, DESIGN, "score", kind=kind, by=[by] if by else None)


def rows(table: pd.DataFrame, measure_id: str, breakdown: str) -> pd.DataFrame:
    return table[(table.indicator == measure_id) & (table.breakdown == breakdown)]


def test_table_shape_columns_and_total_rows(table: pd.DataFrame, df: pd.DataFrame) -> None:
    assert list(table.columns) == list(RESULT_COLUMNS)
    cat = mande.load_catalogue()
    measures = [m.id for m in cat.measures()]
    assert list(dict.fromkeys(table.indicator)) == measures
    assert (table["round"] == "R1").all()
    groups_per_dim = {"total": 1, "sex": 2, "age_group": 5, "region": 3, "urban_rural": 2}
    groups_per_dim |= {"displacement": 3, "disability": 2}
    for m in measures:
        sub = table[table.indicator == m]
        assert sub.iloc[0][["breakdown", "group"]].tolist() == ["total", "total"]
        assert sub.groupby("breakdown").size().to_dict() == groups_per_dim
    assert set(table.kind) == {"proportion", "mean_of_indicators"}
    assert table.estimate.between(0, 1).all()  # proportions on the 0-1 scale


@pytest.mark.parametrize(
    ("measure", "by"),
    [
        ("SAF-01", None),
        ("SAF-01", "region"),
        ("VIC-01", "sex"),
        ("DIS-01", "displacement"),
        ("DIS-01.economic", "urban_rural"),
        ("TRU-01.police", "age_group"),
        ("SRV-01.admin", "disability"),
        ("SAF-02", "region"),
    ],
)
def test_same_numbers_as_estimate_on_the_scored_column(
    table: pd.DataFrame, df: pd.DataFrame, measure: str, by: str | None
) -> None:
    ours = rows(table, measure, by or "total").reset_index(drop=True)
    ref = direct(df, measure, by)
    assert len(ours) == len(ref)
    if by:
        assert ours.group.tolist() == [str(v) for v in ref[by]]
    for col in STATS:
        np.testing.assert_allclose(ours[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-12)
    assert ours.suppressed.tolist() == ref.suppressed.tolist()
    assert ours.single_psu.tolist() == ref.single_psu.tolist()


def test_composite_is_the_mean_of_the_respondent_scores(
    table: pd.DataFrame, df: pd.DataFrame
) -> None:
    say = df.say_government.where(~df.say_government.isin([98, 99]))
    infl = df.influence_politics.where(~df.influence_politics.isin([98, 99]))
    frame = df.assign(score=((say >= 3).astype(float) + (infl >= 3).astype(float)) / 2)
    frame.loc[say.isna() | infl.isna(), "score"] = np.nan
    ref = estimate(frame, DESIGN, "score", kind="mean", by=["sex"])
    ours = rows(table, "INC-03", "sex").reset_index(drop=True)
    for col in STATS:
        np.testing.assert_allclose(ours[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-12)
    # Cronbach's alpha of the two 0/1 items among women who answered both
    women = frame[(frame.sex == "female") & frame.score.notna()]
    items = pd.DataFrame({"a": (say[women.index] >= 3) * 1.0, "b": (infl[women.index] >= 3) * 1.0})
    k_var = items.var(ddof=1).sum()
    t_var = items.sum(axis=1).var(ddof=1)
    assert ours.loc[ours.group == "female", "cronbach_alpha"].item() == pytest.approx(
        2 * (1 - k_var / t_var), rel=1e-12
    )
    assert rows(table, "SAF-01", "sex").cronbach_alpha.isna().all()


def test_domains_use_the_full_design_not_filtered_rows(df: pd.DataFrame) -> None:
    # A PSU without victims: filtering the victims first drops it from the variance (its stratum
    # then has one PSU fewer); the table must give the full-design domain estimate, as svyby does.
    data = df.copy()
    first_psu = data.psu == data.psu.min()
    data.loc[first_psu, "victim"] = 0
    data.loc[first_psu, "victim_reported"] = np.nan
    cat = mande.load_catalogue().select(["VIC-01"])
    ours = mande.compute_indicators(data, cat, design=DESIGN).iloc[0]
    full = direct(data, "VIC-01", None).iloc[0]
    assert ours.estimate == pytest.approx(full.estimate, rel=1e-12)
    assert ours.se == pytest.approx(full.se, rel=1e-12)
    victims = data[data.victim == 1].copy()
    victims["score"] = victims.victim_reported.map({1: 1.0, 0: 0.0})
    filtered = estimate(victims, DESIGN, "score", kind="proportion").iloc[0]
    assert ours.estimate == pytest.approx(filtered.estimate, rel=1e-12)
    assert abs(ours.se - filtered.se) > 1e-6 * ours.se


def test_counts_of_non_substantive_answers(table: pd.DataFrame, df: pd.DataFrame) -> None:
    sub = rows(table, "SAF-01", "region").set_index("group")
    for region, g in df.groupby("region"):
        r = sub.loc[region]
        assert r.n_dont_know == (g.safe_dark == 98).sum()
        assert r.n_refused == (g.safe_dark == 99).sum()
        assert r.n_never_alone == (g.safe_dark == 7).sum()
        assert r.n_excluded == g.safe_dark.isin([98, 99]).sum()
        assert r.n == g.safe_dark.isin([1, 2, 3, 4, 7]).sum()
    srv = rows(table, "SRV-01.health", "total").iloc[0]
    assert srv.n_not_applicable == (df.sat_health == 97).sum()
    assert srv.n_excluded == df.sat_health.isin([97, 98, 99]).sum()
    # everyone in the universe is scored, excluded or missing
    universe = {"VIC-01": int((df.victim == 1).sum())}
    for m, size in {**universe, "SAF-02": len(df), "DIS-01": len(df), "INC-03": len(df)}.items():
        r = rows(table, m, "total").iloc[0]
        assert r.n + r.n_excluded + r.n_missing == size, m
    assert rows(table, "SAF-02", "total").iloc[0].n_missing == df.safe_day.isna().sum()


def test_suppression_flags_small_groups_and_keeps_the_estimate(table: pd.DataFrame) -> None:
    small = table[table.n < table.min_n]
    assert len(small) > 0  # returnees (5 per cent of 900) answering VIC-01 are few
    assert small.suppressed.all() and small.estimate.notna().all()
    assert not table[table.n >= table.min_n].suppressed.any()


def test_survey_round_duck_type_language_and_rounds(df: pd.DataFrame) -> None:
    cat = mande.load_catalogue().select(["SAF-01", "TRU-01"])
    rnd = SimpleNamespace(responses=df, design=DESIGN, label="2025-R2")
    out = mande.compute_indicators(rnd, cat, by="sex", lang="fr")
    assert (out["round"] == "2025-R2").all()
    assert out.indicator.unique().tolist() == [
        "SAF-01",
        "TRU-01.police",
        "TRU-01.courts",
        "TRU-01.local_admin",
        "TRU-01.army",
    ]
    assert out.name.iloc[0] == "Se sentent en sécurité en marchant seul(e) la nuit"
    assert out.variant.iloc[0] is None or pd.isna(out.variant.iloc[0])
    assert out[out.indicator == "TRU-01.army"].base_indicator.unique().tolist() == ["TRU-01"]
    # a stacked frame with a round column: one set of rows per round, each a domain
    stacked = pd.concat([df.assign(round="R1"), df.assign(round="R2")], ignore_index=True)
    stacked["stratum"] = stacked["round"] + stacked["stratum"]
    two = mande.compute_indicators(stacked, cat.select(["SAF-01"]), by=["sex"], design=DESIGN)
    assert two.groupby("round").size().to_dict() == {"R1": 3, "R2": 3}
    one = out[out.indicator == "SAF-01"].estimate.to_numpy()
    np.testing.assert_allclose(two[two["round"] == "R2"].estimate.to_numpy(), one, rtol=1e-12)


def test_missing_columns_design_and_bad_codes(df: pd.DataFrame) -> None:
    cat = mande.load_catalogue().select(["SAF-01", "MIS-04"])
    with pytest.raises(DesignError, match="needs the survey design"):
        mande.compute_indicators(df, cat)
    lacking = df.drop(columns=["warn_mission"])
    with pytest.raises(DataValidationError) as info:
        mande.compute_indicators(lacking, cat, by=["sex", "caste"], design=DESIGN)
    assert {p.column for p in info.value.problems} == {"warn_mission", "caste"}
    out = mande.compute_indicators(
        lacking, cat, by=["sex", "caste"], design=DESIGN, on_missing="skip"
    )
    assert set(out.indicator) == {"SAF-01"} and set(out.breakdown) == {"total", "sex"}
    bad = df.copy()
    bad.loc[bad.index[:3], "safe_dark"] = 6
    with pytest.raises(DataValidationError, match="'safe_dark'") as info:
        mande.compute_indicators(bad, cat, design=DESIGN)
    assert info.value.problems[0].value == "6"


@pytest.mark.parametrize("lonely", ["adjust", "average", "remove", "certainty"])
def test_stacked_estimation_matches_estimate_with_fpc_and_lonely_psu(
    df: pd.DataFrame, lonely: str
) -> None:
    data = df.copy()
    data.loc[data.psu == data.psu.max(), "stratum"] = "lonely"  # a stratum with one PSU
    data["fpc"] = 60
    design = mande.SurveyDesign(
        weight="weight", strata="stratum", psu="psu", fpc="fpc", lonely_psu=lonely
    )
    cat = mande.load_catalogue().select(["SAF-01", "TRU-01", "INC-03"])
    table = mande.compute_indicators(data, cat, by=["region"], design=design)
    checks = [("SAF-01", "proportion"), ("TRU-01.army", "proportion"), ("INC-03", "mean")]
    for measure, kind in checks:
        frame = data.copy()
        frame["score"] = score_measure(data, cat.measure(measure), cat).score
        ref = estimate(frame, design, "score", kind=kind, by=["region"])
        ours = rows(table, measure, "region").reset_index(drop=True)
        for col in STATS:
            np.testing.assert_allclose(
                ours[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-12, err_msg=measure
            )
        assert ours.single_psu.tolist() == ref.single_psu.tolist()


SAMPLE_ROUNDS = sorted(
    (Path(__file__).resolve().parents[2] / "sample_data" / "rounds").glob("round*")
)


@pytest.mark.slow
@pytest.mark.parametrize("path", SAMPLE_ROUNDS, ids=[p.name for p in SAMPLE_ROUNDS])
def test_every_standard_indicator_on_each_sample_round(path: Path) -> None:
    assert len(SAMPLE_ROUNDS) == 4
    form = mande.read_xlsform(path.parents[1] / "forms" / "perception_survey.xlsx")
    rnd = read_sample_round(path, form, secret=b"test-secret")  # weighted from its plan
    cat = mande.load_catalogue()
    out = mande.compute_indicators(rnd, cat, by=list(STANDARD_BREAKDOWNS))
    responses = rnd.responses
    assert (out["round"] == rnd.label).all()
    measures = [m.id for m in cat.measures()]
    assert list(dict.fromkeys(out.indicator)) == measures
    for dim in STANDARD_BREAKDOWNS:
        groups = sorted(str(g) for g in responses[dim].dropna().unique())
        for m in measures:
            assert sorted(out[(out.indicator == m) & (out.breakdown == dim)].group) == groups
    assert len(out) == len(measures) * (
        1 + sum(responses[d].nunique() for d in STANDARD_BREAKDOWNS)
    )
    # suppression applied: flagged exactly where n is under the indicator's minimum
    assert (out.suppressed == (out.n < out.min_n)).all()
    assert out.estimate.between(0, 1).all() and (out.ci_low <= out.estimate).all()
    assert (out.estimate <= out.ci_high).all()
    total = out[out.breakdown == "total"].set_index("indicator")
    assert total.loc["SAF-01"].n + total.loc["SAF-01"].n_excluded + total.loc[
        "SAF-01"
    ].n_missing == len(responses)
    assert total.loc["SAF-01"].n_never_alone == (responses.safe_dark == 7).sum()
    victims = (responses.victim == 1).sum()
    vic = total.loc["VIC-01"]
    assert vic.n + vic.n_excluded + vic.n_missing == victims
    assert 0 < total.loc["INC-03"].cronbach_alpha < 1
