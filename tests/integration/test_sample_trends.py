"""The trends the sample-mission generator put in are found in its four survey rounds.

Generator: mande/demo/_model.py (safe_dark: deploy_ramp +0.95 on the logit scale in VD03 and VD04
after the December 2024 deployment; no event and no regional trend in VD01). Feeling safe after
dark is scored here as very safe or safe among those who answered 1-4 (SAF-01's substantive
answers).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mande
from mande.demo.load import read_sample_round


@pytest.fixture(scope="module")
def stacked(sample_dir: Path) -> tuple[pd.DataFrame, mande.SurveyDesign, dict]:
    form = mande.read_xlsform(sample_dir / "forms" / "perception_survey.xlsx")
    files = sorted((sample_dir / "rounds").iterdir())
    rounds = [read_sample_round(f, form) for f in files]  # weighted from plans and margins
    assert len(rounds) == 4
    df = pd.concat([r.responses for r in rounds], ignore_index=True)
    code = pd.to_numeric(df["safe_dark"], errors="coerce")
    df["feels_safe"] = np.where(code.isin([1, 2]), 1.0, np.where(code.isin([3, 4]), 0.0, np.nan))
    dates = {
        r.responses["round"].iloc[0]: r.fieldwork_start + (r.fieldwork_end - r.fieldwork_start) / 2
        for r in rounds
    }
    data, design = mande.stack_rounds(df, rounds[0].design, round="round")
    return data, design, dates


def test_safety_trend_found_in_deployment_regions_and_none_in_vd01(stacked) -> None:
    data, design, _ = stacked
    table = mande.linear_trends(
        data, design, {"SAF-01": "feels_safe"}, by="region", polarity={"SAF-01": "up"}
    )
    rows = table[table["breakdown"] == "region"].set_index("group")
    for region in ("VD03", "VD04"):
        assert rows.loc[region, "verdict"] == "improved"
        assert rows.loc[region, "estimate"] > 2  # percentage points per round
    assert rows.loc["VD01", "verdict"] == "no_change"
    assert rows.loc["VD01", "ci_low"] < 0 < rows.loc["VD01", "ci_high"]


def test_deployment_level_change_against_the_other_regions(stacked, sample_dir: Path) -> None:
    data, design, dates = stacked
    mission = mande.load_mission(sample_dir / "mission.yaml")
    event = next(e for e in mission.events if e.id == "deploy-east")
    its = mande.interrupted_time_series(
        data, design, {"SAF-01": "feels_safe"}, event, round_dates=dates
    ).set_index("term")
    assert its.loc["level_change", "model"] == "comparison group"
    assert its.loc["level_change", "estimate"] > 0
    assert its.loc["level_change", "p_value"] < 0.05
    assert "not proof" in its.loc["level_change", "caveat"]


def test_acceptance_of_the_mission_declines_with_time(stacked) -> None:
    """sample_data/README.md: satisfaction with the mission (MIS-01, very or rather satisfied)
    declines with time since deployment, about -3 percentage points per round overall."""
    data, design, _ = stacked
    code = pd.to_numeric(data["mission_satisfaction"], errors="coerce")
    data = data.assign(
        satisfied=np.where(code.isin([1, 2]), 1.0, np.where(code.isin([3, 4]), 0.0, np.nan))
    )
    table = mande.linear_trends(data, design, {"MIS-01": "satisfied"}, polarity={"MIS-01": "up"})
    overall = table[table["breakdown"].isin(["total", "all"])].iloc[0]
    assert overall["verdict"] == "deteriorated"
    assert -6 < overall["estimate"] < -1
    assert overall["ci_high"] < 0
