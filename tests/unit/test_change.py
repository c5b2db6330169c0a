"""compare_rounds: differences between two rounds, BH control, verdicts respecting polarity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mande
from mande.errors import EstimationError
from mande.stats.change import add_verdicts


def _results(rows: list[tuple[str, str, str, float, float, float, float]]) -> pd.DataFrame:
    """rows: (indicator, group, polarity, est_1, se_1, est_2, se_2) -> a two-round results table."""
    out = []
    for ind, group, pol, e1, s1, e2, s2 in rows:
        for rnd, e, s in (("2025-05", e1, s1), ("2025-11", e2, s2)):
            out.append(
                {
                    "indicator": ind,
                    "round": rnd,
                    "breakdown": "region",
                    "group": group,
                    "estimate": e,
                    "se": s,
                    "ci_low": max(e - 2 * s, 0.0),
                    "ci_high": min(e + 2 * s, 1.0),
                    "n": 400,
                    "df": 30,
                    "polarity": pol,
                    "suppressed": False,
                }
            )
    return pd.DataFrame(out)


def test_difference_se_ci_and_p_value() -> None:
    res = _results([("SAF-01", "VD03", "up", 0.40, 0.03, 0.52, 0.04)])
    out = mande.compare_rounds(res, ci="t")
    row = out.iloc[0]
    se = 100 * np.hypot(0.03, 0.04)
    assert row["round_from"] == "2025-05" and row["round_to"] == "2025-11"
    assert row["unit"] == "percentage points"
    assert row["estimate"] == pytest.approx(12.0)
    assert row["se"] == pytest.approx(se)
    assert row["df"] == 30
    t = 12.0 / se
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(t, 30))
    assert row["ci_low"] == pytest.approx(12.0 - stats.t.ppf(0.975, 30) * se)
    assert row["ci_high"] == pytest.approx(12.0 + stats.t.ppf(0.975, 30) * se)
    assert row["estimate_from"] == pytest.approx(40.0)
    assert row["verdict"] == "improved"


def test_ci_methods_normal_and_satterthwaite() -> None:
    res = _results([("SAF-01", "VD03", "up", 0.40, 0.03, 0.52, 0.04)])
    res.loc[res["round"] == "2025-11", "df"] = 10
    normal = mande.compare_rounds(res, ci="normal").iloc[0]
    assert np.isinf(normal["df"])
    se = 100 * np.hypot(0.03, 0.04)
    assert normal["p_value"] == pytest.approx(2 * stats.norm.sf(12.0 / se))
    sat = mande.compare_rounds(res, ci="satterthwaite").iloc[0]
    v1, v2 = 0.03**2, 0.04**2
    assert sat["df"] == pytest.approx((v1 + v2) ** 2 / (v1**2 / 30 + v2**2 / 10))
    assert mande.compare_rounds(res, ci="t").iloc[0]["df"] == 10
    with pytest.raises(EstimationError, match="satterthwaite"):
        mande.compare_rounds(res, ci="bootstrap")  # type: ignore[arg-type]


def test_benjamini_hochberg_changes_a_verdict() -> None:
    # three comparisons built so that the first has p = 0.04 on its own (< 0.05) but
    # BH at q = 0.05 needs p_(1) <= 0.05 / 3: it is no longer significant.
    z = stats.norm.isf(np.array([0.04, 0.045, 0.30]) / 2)
    se = 0.02
    rows = [
        ("SAF-01", f"VD0{i + 1}", "up", 0.5, se / np.sqrt(2), 0.5 + zi * se, se / np.sqrt(2))
        for i, zi in enumerate(z)
    ]
    out = mande.compare_rounds(_results(rows), ci="normal")
    first = out[out["group"] == "VD01"].iloc[0]
    assert first["p_value"] == pytest.approx(0.04)
    assert first["p_value"] < 0.05  # significant if tested alone ...
    assert not first["significant"]  # ... but not after false-discovery-rate control
    assert first["q_value"] == pytest.approx(0.045 * 3 / 2)
    assert first["verdict"] == "no_change"
    alone = mande.compare_rounds(_results(rows[:1]), ci="normal").iloc[0]
    assert alone["significant"] and alone["verdict"] == "improved"


def test_polarity_down_and_deterioration() -> None:
    res = _results(
        [
            ("DIS-01", "VD01", "down", 0.30, 0.01, 0.20, 0.01),  # fewer discriminated: improved
            ("SAF-01", "VD01", "up", 0.60, 0.01, 0.45, 0.01),  # fewer feel safe: deteriorated
            ("COH-01", "VD01", "down", 0.20, 0.01, 0.30, 0.01),  # more unfair: deteriorated
            ("MIS-01", "VD01", "up", 0.50, 0.05, 0.51, 0.05),  # noise
        ]
    )
    out = mande.compare_rounds(res).set_index("indicator")
    assert out.loc["DIS-01", "verdict"] == "improved"
    assert out.loc["DIS-01", "estimate"] == pytest.approx(-10.0)
    assert out.loc["SAF-01", "verdict"] == "deteriorated"
    assert out.loc["COH-01", "verdict"] == "deteriorated"
    assert out.loc["MIS-01", "verdict"] == "no_change"
    assert out.loc["MIS-01", "verdict_label"] == "no significant change"
    fr = mande.compare_rounds(res, lang="fr").set_index("indicator")
    assert fr.loc["DIS-01", "verdict_label"] == "amélioration"


def test_suppressed_and_missing_cells_are_not_compared_nor_counted_in_bh() -> None:
    res = _results(
        [
            ("SAF-01", "VD01", "up", 0.5, 0.01, 0.6, 0.01),
            ("SAF-01", "VD02", "up", 0.5, 0.01, 0.9, 0.01),
        ]
    )
    res.loc[(res["group"] == "VD02") & (res["round"] == "2025-11"), "suppressed"] = True
    extra = res[res["group"] == "VD01"].iloc[[0]].assign(group="VD05")  # only in the first round
    out = mande.compare_rounds(pd.concat([res, extra])).set_index("group")
    assert out.loc["VD02", "verdict"] == "not_compared"
    assert "suppressed in round 2025-11" in out.loc["VD02", "not_compared_reason"]
    assert np.isnan(out.loc["VD02", "estimate"]) and np.isnan(out.loc["VD02", "q_value"])
    assert out.loc["VD05", "verdict"] == "not_compared"
    assert "no estimate in round 2025-11" in out.loc["VD05", "not_compared_reason"]
    # one comparison only took part in BH: its q-value equals its p-value
    assert out.loc["VD01", "q_value"] == pytest.approx(out.loc["VD01", "p_value"])


def test_means_stay_in_their_units_and_kind_column_is_honoured() -> None:
    res = _results([("INC-03", "VD01", "up", 0.4, 0.1, 0.7, 0.1)])
    res["kind"] = "mean"
    row = mande.compare_rounds(res).iloc[0]
    assert row["unit"] == "units" and row["estimate"] == pytest.approx(0.3)
    pct = _results([("SAF-01", "VD01", "up", 0.4, 0.01, 0.5, 0.01)])
    pct[["estimate", "se", "ci_low", "ci_high"]] *= 100  # already in per cent
    pct["kind"] = "proportion"
    row = mande.compare_rounds(pct).iloc[0]
    assert row["unit"] == "percentage points" and row["estimate"] == pytest.approx(10.0)


def test_rounds_chosen_and_errors() -> None:
    res = _results([("SAF-01", "VD01", "up", 0.4, 0.01, 0.5, 0.01)])
    three = pd.concat([res, res[res["round"] == "2025-05"].assign(round="2024-11", estimate=0.2)])
    latest = mande.compare_rounds(three).iloc[0]
    assert (latest["round_from"], latest["round_to"]) == ("2025-05", "2025-11")
    explicit = mande.compare_rounds(three, "2024-11", "2025-11").iloc[0]
    assert explicit["estimate"] == pytest.approx(30.0)
    assert mande.changes_between is mande.compare_rounds
    with pytest.raises(EstimationError, match="2023-01"):
        mande.compare_rounds(res, "2023-01", "2025-11")
    with pytest.raises(EstimationError, match="lacks column"):
        mande.compare_rounds(res.drop(columns="se"))
    with pytest.raises(EstimationError, match="several rows"):
        mande.compare_rounds(pd.concat([res, res]))
    period = res.rename(columns={"round": "period"})
    assert mande.compare_rounds(period, round="period").iloc[0]["verdict"] == "improved"


def test_add_verdicts_rejects_bad_polarity() -> None:
    table = pd.DataFrame({"estimate": [1.0], "p_value": [0.01], "polarity": ["sideways"]})
    with pytest.raises(EstimationError, match="polarity"):
        add_verdicts(table)
