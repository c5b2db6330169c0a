"""Weights from the sample plan: the plan file, the population margins, base weights and
non-response adjustment (the calibration itself is checked against R in tests/reference)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mande
from mande.errors import ConfigError, DataValidationError
from mande.weighting import Population, parse_population, read_plan, weight_round

PLAN = pd.DataFrame(
    {
        "stratum": ["N", "N", "S", "S"],
        "psu": ["n1", "n2", "s1", "s2"],
        "inclusion_prob": [0.2, 0.4, 0.5, 0.25],
        "households_listed": [100, 200, 80, 120],
        "households_selected": [10, 10, 8, 12],
        "households_interviewed": [8, 10, 6, 12],
        "nonresponse_class": ["N", "N", "S-all", "S-all"],
    }
)
POP = Population(
    margins={"sex": {"female": 5_200.0, "male": 4_800.0}, "region": {"N": 6_000.0, "S": 4_000.0}},
    source="test census",
    year=2025,
)


def _responses() -> pd.DataFrame:
    rows = []
    rng = np.random.default_rng(5)
    for _, p in PLAN.iterrows():
        for k in range(int(p.households_interviewed)):
            rows.append(
                {
                    "stratum": p.stratum,
                    "psu": p.psu,
                    "region": p.stratum,
                    "sex": "female" if k % 2 else "male",
                    "hh_adults": 1 + k % 3,
                    "y": float(rng.integers(0, 2)),
                }
            )
    return pd.DataFrame(rows)


def test_base_weights_and_nonresponse_adjustment() -> None:
    """d = 1 / (pi m/M) x adults; f_c = sum h m / sum h r over the class's PSUs."""
    res = weight_round(_responses(), read_plan(PLAN), POP)
    df = res.data
    h = 1 / (PLAN.inclusion_prob * PLAN.households_selected / PLAN.households_listed)
    h_of = dict(zip(PLAN.psu, h, strict=True))
    expected = df["psu"].map(h_of) * df["hh_adults"]
    np.testing.assert_allclose(df["weight_base"], expected, rtol=1e-12)
    f_n = (h[:2] * PLAN.households_selected[:2]).sum() / (
        h[:2] * PLAN.households_interviewed[:2]
    ).sum()
    n_rows = df["stratum"] == "N"
    np.testing.assert_allclose(df.loc[n_rows, "weight_nr"], expected[n_rows] * f_n, rtol=1e-12)
    rates = res.report.response.set_index("nonresponse_class")
    assert rates.loc["S-all", "response_rate"] == pytest.approx(18 / 20)
    assert rates.loc["N", "adjustment"] == pytest.approx(f_n)
    # calibrated to the margins; the design carries the calibration from weight_nr
    assert df.groupby("sex")["weight"].sum()["female"] == pytest.approx(5_200)
    assert res.design.calibration is not None
    assert res.design.calibration.base_weight == "weight_nr"
    est = mande.estimate(df, res.design, "y", kind="proportion")
    assert 0 < est["se"].iloc[0] < 0.2
    assert "raking" in res.report.describe() and "test census" in res.report.describe("fr")


def test_respondent_in_a_psu_missing_from_the_plan_is_refused() -> None:
    df = _responses()
    df.loc[0, "psu"] = "n9"
    with pytest.raises(DataValidationError) as err:
        weight_round(df, read_plan(PLAN), POP)
    assert err.value.errors[0].code == "psu_not_in_plan" and "n9" in str(err.value)


def test_count_mismatch_is_a_warning() -> None:
    df = _responses().iloc[1:]
    res = weight_round(df, read_plan(PLAN), POP)
    assert [w.code for w in res.report.warnings] == ["plan_count_mismatch"]


def test_plan_problems_are_listed_with_rows(tmp_path: Path) -> None:
    bad = PLAN.copy()
    bad.loc[1, "inclusion_prob"] = 1.5
    bad.loc[2, "households_interviewed"] = 9  # more than selected
    bad.loc[3, "psu"] = "s1"  # twice
    path = tmp_path / "plan.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        read_plan(path)
    got = {(p.code, p.row) for p in err.value.errors}
    assert ("invalid_probability", 3) in got
    assert ("invalid_count", 4) in got
    assert ("duplicate_psu", 5) in got


def test_plan_missing_columns_named(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    PLAN.drop(columns=["households_listed"]).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="households_listed"):
        read_plan(path)


def test_plan_reads_xlsx_and_defaults_the_class_to_the_stratum(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    PLAN.drop(columns=["nonresponse_class"]).to_excel(path, index=False)
    plan = read_plan(path)
    assert plan.table["nonresponse_class"].tolist() == ["N", "N", "S", "S"]


REGIONS = ["VD01", "VD02"]


def _pop(**margins: object) -> dict[str, object]:
    return {"source": "census", "year": 2025, "margins": margins}


def test_population_margins_are_checked() -> None:
    ok = _pop(region={"VD01": 60, "VD02": 40}, sex={"female": 52, "male": 48})
    pop = parse_population(ok, path=Path("mission.yaml"), regions=REGIONS)
    assert pop.total == 100
    with pytest.raises(ConfigError, match="same adults"):
        parse_population(
            _pop(region={"VD01": 60, "VD02": 40}, sex={"female": 50, "male": 48}),
            path=Path("m.yaml"),
            regions=REGIONS,
        )
    with pytest.raises(ConfigError, match="VD02 missing"):
        parse_population(_pop(region={"VD01": 100}), path=Path("m.yaml"), regions=REGIONS)
    with pytest.raises(ConfigError, match="unknown level"):
        parse_population(
            _pop(sex={"female": 50, "male": 40, "other": 10}), path=Path("m.yaml"), regions=[]
        )
    with pytest.raises(ConfigError, match="standard breakdown"):
        parse_population(_pop(caste={"a": 1}), path=Path("m.yaml"), regions=REGIONS)
    with pytest.raises(ConfigError, match="source"):
        parse_population({"year": 2025, "margins": {}}, path=Path("m.yaml"), regions=REGIONS)


def test_population_from_a_csv(tmp_path: Path) -> None:
    (tmp_path / "population.csv").write_text(
        "variable,level,population\nregion,VD01,60\nregion,VD02,40\nage_group,18-24,10\n"
        "age_group,25-34,20\nage_group,35-49,30\nage_group,50-64,25\nage_group,65+,15\n",
        encoding="utf-8",
    )
    pop = parse_population(
        {"source": "census", "year": 2024, "file": "population.csv"},
        path=tmp_path / "mission.yaml",
        regions=REGIONS,
    )
    assert pop.margins["age_group"]["65+"] == 15 and pop.file == "population.csv"


def test_sample_mission_declares_its_population(sample_dir: Path) -> None:
    mission = mande.load_mission(sample_dir / "mission.yaml")
    pop = mission.population
    assert pop is not None and set(pop.margins) == {"region", "sex", "age_group"}
    assert pop.year == 2025 and pop.total > 500_000


def test_plan_written_by_the_planning_step_is_read_after_fieldwork(
    sample_dir: Path, tmp_path: Path
) -> None:
    """mande.write_plan writes the file before fieldwork (households_interviewed empty): reading it
    for weighting says what to fill in; filled in, it reads as is (both xlsx and CSV)."""
    frame = mande.read_frame(sample_dir / "frame.csv")
    plan = mande.plan_round(frame, moe=0.08, seed=3, round_label="2026-R5")
    before = mande.write_plan(plan, tmp_path / "plan.xlsx")
    with pytest.raises(DataValidationError) as err:
        read_plan(before)
    assert [p.code for p in err.value.errors] == ["missing_count"]
    assert "households_interviewed" in str(err.value)
    table = pd.read_excel(before, engine="calamine")
    table["households_interviewed"] = table["households_selected"] - 1
    after = tmp_path / "plan_done.csv"
    table.to_csv(after, index=False)
    got = read_plan(after)
    assert got.table["psu"].tolist() == table["psu"].astype(str).tolist()
    assert got.for_round("2026-R5").table.shape[0] == len(table)
    assert (got.table["nonresponse_class"] == got.table["stratum"]).all()
