"""Figure builders: what is drawn (traces, bands, gaps, event markers, labels), not pixels."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from mande import plots
from mande.config import Event
from mande.errors import EstimationError

ROUNDS = ["2024-11", "2025-05", "2025-11", "2026-05"]
EVENTS = (
    Event(
        id="deploy-east",
        date=dt.date(2024, 12, 1),
        kind="deployment",
        label={"en": "Bases opened in Mbali", "fr": "Bases ouvertes à Mbali"},
        regions=("VD03",),
    ),
    Event(
        id="op",
        date=dt.date(2025, 3, 1),
        end=dt.date(2025, 10, 31),
        kind="robust_operation",
        label={"en": "Operation Bouclier", "fr": "Opération Bouclier"},
    ),
)


def _results() -> pd.DataFrame:
    rows = []
    for i, rnd in enumerate(ROUNDS):
        rows.append(("total", "total", rnd, 0.40 + 0.02 * i, 0.02, False))
        for g, base in (("VD01", 0.5), ("VD03", 0.3)):
            rows.append(("region", g, rnd, base + (0.1 * i if g == "VD03" else 0), 0.03, False))
    df = pd.DataFrame(rows, columns=["breakdown", "group", "round", "estimate", "se", "suppressed"])
    df["indicator"] = "SAF-01"
    df["name"] = "Feel safe walking alone after dark"
    df["kind"] = "proportion"
    df["ci_low"] = df["estimate"] - 2 * df["se"]
    df["ci_high"] = df["estimate"] + 2 * df["se"]
    df["n"] = 300
    return df


def test_trend_figure_overall_line_band_and_events() -> None:
    fig = plots.trend_figure(_results(), "SAF-01", events=EVENTS)
    assert isinstance(fig, go.Figure)
    band, line = fig.data
    assert band.fill == "toself" and line.mode == "lines+markers"
    np.testing.assert_allclose(line.y, [40, 42, 44, 46])  # per cent
    np.testing.assert_allclose(band.y[:4], [44, 46, 48, 50])  # upper bound, then lower reversed
    assert fig.layout.title.text == "Feel safe walking alone after dark"
    assert fig.layout.yaxis.title.text == "Per cent"
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    spans = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(lines) == 2 and len(spans) == 1
    assert pd.Timestamp(lines[0].x0) == pd.Timestamp("2024-12-01")
    assert "Bases opened" in fig.layout.annotations[0].text
    assert list(fig.layout.xaxis.ticktext) == ROUNDS


def test_trend_figure_by_group_in_french_with_a_suppressed_cell() -> None:
    res = _results()
    res.loc[(res["group"] == "VD03") & (res["round"] == "2025-05"), "suppressed"] = True
    rows = res[res["breakdown"] == "region"]
    fig = plots.trend_figure(rows, "SAF-01", by="group", events=EVENTS, lang="fr")
    names = [t.name for t in fig.data if t.mode == "lines+markers"]
    assert names == ["VD01", "VD03"]
    vd03 = next(t for t in fig.data if t.name == "VD03")
    assert np.isnan(vd03.y[1]) and "masqué" in vd03.text[1]
    assert fig.layout.xaxis.title.text == "Cycle d'enquête"
    assert any("Bases ouvertes" in a.text for a in fig.layout.annotations)


def test_trend_figure_without_dates_draws_no_events_and_keeps_order() -> None:
    res = _results()
    res["round"] = res["round"].map(dict(zip(ROUNDS, ["R1", "R2", "R3", "R4"], strict=True)))
    fig = plots.trend_figure(res, "SAF-01", events=EVENTS, order=["R1", "R2", "R3", "R4"])
    assert not fig.layout.shapes
    assert list(fig.data[-1].x) == ["R1", "R2", "R3", "R4"]
    dated = plots.trend_figure(
        res, "SAF-01", events=EVENTS,
        round_dates={"R1": dt.date(2024, 11, 15), "R2": dt.date(2025, 5, 15),
                     "R3": dt.date(2025, 11, 15), "R4": dt.date(2026, 5, 15)},
    )  # fmt: skip
    assert len(dated.layout.shapes) == 3


def test_trend_figure_means_stay_in_units_and_errors() -> None:
    res = _results().assign(kind="mean", estimate=lambda d: d["estimate"] * 5)
    res["ci_low"], res["ci_high"] = res["estimate"] - 0.1, res["estimate"] + 0.1
    fig = plots.trend_figure(res, "SAF-01")
    assert fig.layout.yaxis.title.text == "Value"
    np.testing.assert_allclose(fig.data[-1].y, [2.0, 2.1, 2.2, 2.3])
    with pytest.raises(EstimationError, match="MIS-01"):
        plots.trend_figure(res, "MIS-01")
    with pytest.raises(EstimationError, match="ci_low"):
        plots.trend_figure(res.drop(columns="ci_low"), "SAF-01")


def test_breakdown_and_change_figures() -> None:
    res = _results()
    cur = res[(res["breakdown"] == "region") & (res["round"] == "2026-05")].copy()
    cur.loc[cur["group"] == "VD01", "suppressed"] = True
    fig = plots.breakdown_figure(cur, lang="en")
    assert list(fig.data[0].y) == ["VD01", "VD03"]
    assert np.isnan(fig.data[0].x[0]) and fig.data[0].text[0].startswith("suppressed")
    changes = pd.DataFrame(
        {
            "indicator": ["SAF-01", "DIS-01", "MIS-01"],
            "estimate": [5.0, -3.0, 1.0],
            "ci_low": [2.0, -5.0, -2.0],
            "ci_high": [8.0, -1.0, 4.0],
            "verdict": ["improved", "improved", "no_change"],
            "unit": "percentage points",
        }
    )
    fig = plots.change_figure(changes, lang="fr")
    assert [t.name for t in fig.data] == ["Amélioration", "Pas de changement significatif"]
    assert fig.layout.xaxis.title.text == "Variation (points de pourcentage)"


def test_a_suppressed_round_splits_the_band() -> None:
    res = _results()
    res.loc[(res["breakdown"] == "total") & (res["round"] == "2025-05"), "suppressed"] = True
    fig = plots.trend_figure(res, "SAF-01")
    bands = [t for t in fig.data if t.fill == "toself"]
    assert [len(b.x) for b in bands] == [2, 4]  # round 1 alone, rounds 3-4
