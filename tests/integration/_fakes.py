"""Stand-ins for what the store receives from ingest and the indicator computation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mande import SurveyDesign

DESIGN = SurveyDesign(weight="weight", strata="stratum", psu="psu")


@dataclass
class FakeRound:
    """What the store needs of a mande.SurveyRound."""

    responses: pd.DataFrame
    design: SurveyDesign = DESIGN
    label: str = "2025-R1"
    report: Any = None
    fieldwork_start: Any = None
    fieldwork_end: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def make_responses(
    n: int, seed: int, round_label: str = "2025-R1", n_items: int = 6
) -> pd.DataFrame:
    """A tidy responses table like ingest's: hashed ids, design, breakdowns, item codes."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "respondent_id": [f"{seed:04d}{i:08x}" for i in range(n)],
            "round": round_label,
            "interview_date": pd.Timestamp("2025-02-10")
            + pd.to_timedelta(rng.integers(0, 20, n), unit="D"),
            "stratum": rng.choice(["VD01", "VD02", "VD03"], n),
            "psu": rng.integers(1, 30, n),
            "weight": rng.uniform(0.5, 2.0, n),
            "sex": rng.choice(["female", "male"], n),
            "region": rng.choice(["VD01", "VD02", "VD03"], n),
        }
    )
    for j in range(n_items):
        df[f"item{j}"] = rng.integers(1, 5, n).astype(float)
    df["discrimination__ethnicity"] = rng.integers(0, 2, n)
    return df


def fake_compute(
    frame: pd.DataFrame, catalogue: Any, *, by: list[str], design: SurveyDesign
) -> pd.DataFrame:
    """A stand-in for compute_indicators: weighted share of code 1-2 per item, overall and by."""
    rows = []
    items = [c for c in frame.columns if c.startswith("item")]
    w = frame[design.weight]
    for item in items:
        ok = frame[item].le(2).astype(float)
        for breakdown in ["all", *by]:
            groups = (
                [("all", frame.index)]
                if breakdown == "all"
                else list(frame.groupby(breakdown).groups.items())
            )
            for group, idx in groups:
                est = float((ok[idx] * w[idx]).sum() / w[idx].sum())
                rows.append(
                    {
                        "indicator": f"X-{item}",
                        "round": frame["round"].iloc[0],
                        "breakdown": breakdown,
                        "group": group,
                        "estimate": est,
                        "se": est / 10,
                        "ci_low": est - 0.05,
                        "ci_high": est + 0.05,
                        "n": len(idx),
                        "df": 27.0,
                        "deff": float("nan"),
                        "n_dont_know": 0,
                        "n_refused": 1,
                        "suppressed": len(idx) < 30,
                        "low_precision": False,
                        "single_psu": False,
                        "unit": "proportion",
                        "design_note": "fake",
                    }
                )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class FakeCatalogue:
    version: str = "cat-v1"
