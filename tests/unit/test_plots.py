"""Figure builders: what is drawn (traces, bands, gaps, event markers, labels), not pixels."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
    assert band.fill == "toself" and band.mode == "lines" and line.mode == "lines+markers"
    np.testing.assert_allclose(line.y, [40, 42, 44, 46])  # per cent
    np.testing.assert_allclose(band.y[:4], [44, 46, 48, 50])  # upper bound, then lower reversed
    assert fig.layout.title.text == "Feel safe walking alone after dark"
    assert fig.layout.yaxis.title.text == "Per cent"
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    spans = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(lines) == 2 and len(spans) == 1
    assert pd.Timestamp(lines[0].x0) == pd.Timestamp("2024-12-01")
    marker = fig.layout.annotations[0]
    assert marker.text == "<b>1</b>" and "Bases opened" in marker.hovertext
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
    assert any("Bases ouvertes" in (a.hovertext or "") for a in fig.layout.annotations)


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
    # a value sits inside its bar, where the interval's whisker cannot cross it
    assert list(fig.data[0].textposition) == ["outside", "inside"]
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


# --- charts that read right: bands, event markers, small multiples ------------------------------


def _regions(k: int) -> pd.DataFrame:
    """Results for ``k`` regions over the four rounds, and the overall rows."""
    rows = []
    for i, rnd in enumerate(ROUNDS):
        rows.append(("total", "total", rnd, 0.40 + 0.01 * i))
        rows += [("region", f"VD0{g + 1}", rnd, 0.30 + 0.05 * g + 0.01 * i) for g in range(k)]
    df = pd.DataFrame(rows, columns=["breakdown", "group", "round", "estimate"])
    return df.assign(
        indicator="SAF-01", kind="proportion", ci_low=df["estimate"] - 0.04,
        ci_high=df["estimate"] + 0.04, n=250, suppressed=False,
    )  # fmt: skip


def _bands(fig: go.Figure) -> list[Any]:
    return [t for t in fig.data if t.fill == "toself"]


@pytest.mark.parametrize("k", [1, 3, 5])
def test_bands_are_areas_only_in_their_line_colour(k: int) -> None:
    res = _regions(k)
    rows = res[res["breakdown"] == "region"]
    fig = plots.trend_figure(
        rows, "SAF-01", by="group", reference=res, events=EVENTS,
        round_dates=dict(zip(ROUNDS, pd.to_datetime([f"{r}-15" for r in ROUNDS]), strict=True)),
    )  # fmt: skip
    bands = _bands(fig)
    assert len(bands) == k
    lines = {t.name: t for t in fig.data if t.fill != "toself" and t.legendgroup != "reference"}
    for band in bands:
        # no marker at the band's corners, no hover, not in the legend
        assert band.mode == "lines" and "markers" not in band.mode
        assert band.hoverinfo == "skip" and band.showlegend is False
        assert band.line.width == 0
        assert band.name.endswith("95 per cent confidence interval")
        colour = lines[band.legendgroup].line.color
        assert band.line.color == colour
        assert band.fillcolor == plots._rgba(colour, 0.18)


def test_three_groups_share_one_panel_more_are_small_multiples() -> None:
    three = _regions(3)
    fig = plots.trend_figure(three[three["breakdown"] == "region"], "SAF-01", by="group")
    assert [k for k in fig.layout if k.startswith("xaxis")] == ["xaxis"]
    res = _regions(5)
    fig = plots.trend_figure(
        res[res["breakdown"] == "region"], "SAF-01", by="group", reference=res, lang="fr"
    )
    panels = [k for k in fig.layout if k.startswith("xaxis") and fig.layout[k].visible is not False]
    assert len(panels) == 5  # one panel per group, the grid's sixth cell left empty
    titles = sorted(a.text for a in fig.layout.annotations)
    assert titles == ["VD01", "VD02", "VD03", "VD04", "VD05"]
    # each panel: the overall line in grey (once in the legend), the group's band and line
    ref = [t for t in fig.data if t.legendgroup == "reference"]
    assert len(ref) == 5 and sum(bool(t.showlegend) for t in ref) == 1
    assert {t.line.color for t in ref} == {plots._REFERENCE}
    assert ref[0].name == "Ensemble des personnes interrogées"  # items.yaml, the total's label
    np.testing.assert_allclose(ref[0].y, [40, 41, 42, 43])
    assert {t.xaxis for t in fig.data} == {"x", "x2", "x3", "x4", "x5"}
    assert len(fig.data) == 15  # three traces per panel, no more


def _event(i: int, day: dt.date, end: dt.date | None = None) -> Event:
    return Event(id=f"e{i}", date=day, kind="other", label={"en": f"Event {i}"}, end=end)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def test_event_markers_sit_above_the_plot_and_never_overlap() -> None:
    # four events within three weeks, one alone: the close ones are staggered into rows
    close = [_event(i, dt.date(2025, 3, 1) + dt.timedelta(days=7 * i)) for i in range(4)]
    events = [*close, _event(9, dt.date(2025, 11, 20), end=dt.date(2026, 1, 10))]
    res = _results()
    dates = dict(zip(ROUNDS, pd.to_datetime([f"{r}-28" for r in ROUNDS]), strict=True))
    fig = plots.trend_figure(res, "SAF-01", events=events, round_dates=dates)
    markers = [a for a in fig.layout.annotations if (a.name or "").startswith("event-")]
    assert [a.text for a in markers] == [f"<b>{k}</b>" for k in range(1, 6)]
    assert all(a.yref == "paper" and a.y == 1 and a.yanchor == "bottom" for a in markers)
    for width in (260, 600, 1400):  # a phone to a wide screen
        boxes = plots.event_marker_boxes(fig, plot_px=width)
        assert len(boxes) == 5
        assert all(box[2] > 0 for box in boxes)  # above the plot area: never over the data
        pairs = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]]
        assert not any(_overlap(a, b) for a, b in pairs)
    assert len({a.yshift for a in markers[:4]}) > 1  # close in time: different rows
    # the strip makes room: the top margin grows with its rows, the title sits above it
    assert fig.layout.margin.t >= 40 + max(a.yshift for a in markers) + 22
    assert fig.layout.title.yanchor == "bottom" and fig.layout.title.pad.b > max(
        a.yshift for a in markers
    )
    # every event's line stays inside the plot area (paper 0-1 of its axis)
    assert all(s.y0 == 0 and s.y1 == 1 for s in fig.layout.shapes)


def test_marker_rows_are_greedy_and_reuse_free_rows() -> None:
    assert plots._marker_rows([0.1, 0.12, 0.14, 0.5], 0.05) == [0, 1, 2, 0]
    assert plots._marker_rows([0.1, 0.3, 0.5], 0.05) == [0, 0, 0]


def test_events_far_from_the_rounds_are_left_off_and_numbers_match_the_key() -> None:
    from mande import notes

    far = _event(0, dt.date(2019, 1, 1))
    events = [far, *EVENTS]
    dates = dict(zip(ROUNDS, pd.to_datetime([f"{r}-28" for r in ROUNDS]), strict=True))
    fig = plots.trend_figure(_results(), "SAF-01", events=events, round_dates=dates)
    numbered = notes.events_on_axis(events, dates.values())
    assert [e.id for _, e in numbered] == ["deploy-east", "op"]
    hover = [a.hovertext for a in fig.layout.annotations if (a.name or "").startswith("event-")]
    assert hover == ["1: Bases opened in Mbali", "2: Operation Bouclier"]
    key = notes.event_key(numbered, "en")
    assert key == (
        "Events: 1 (1 December 2024) Bases opened in Mbali; "
        "2 (1 March–31 October 2025) Operation Bouclier."
    )
    assert pd.Timestamp(fig.layout.xaxis.range[0]) > pd.Timestamp("2024-01-01")
    fr = notes.event_key(numbered, "fr")
    assert fr.startswith(
        "Événements\u00a0: 1 (1er décembre 2024) Bases ouvertes à Mbali\u202f; 2 ("
    )


def test_round_names_label_the_axis() -> None:
    dates = dict(zip(ROUNDS, pd.to_datetime([f"{r}-28" for r in ROUNDS]), strict=True))
    names = {"2024-11": "November 2024", "2025-05": "May 2025"}
    fig = plots.trend_figure(_results(), "SAF-01", round_dates=dates, round_names=names)
    assert list(fig.layout.xaxis.ticktext) == ["November 2024", "May 2025", "2025-11", "2026-05"]


def test_small_multiples_keep_their_event_markers_apart_on_narrow_panels() -> None:
    res = _regions(6)
    dates = dict(zip(ROUNDS, pd.to_datetime([f"{r}-28" for r in ROUNDS]), strict=True))
    events = [_event(i, dt.date(2025, 1, 1) + dt.timedelta(days=40 * i)) for i in range(5)]
    fig = plots.trend_figure(
        res[res["breakdown"] == "region"], "SAF-01", by="group", reference=res,
        events=events, round_dates=dates,
    )  # fmt: skip
    # markers above the top row of panels only (one strip per column), lines in every panel
    markers = [a for a in fig.layout.annotations if (a.name or "").startswith("event-")]
    assert len(markers) == 5 * 2 and {a.xref for a in markers} == {"x", "x2"}
    assert len([s for s in fig.layout.shapes if s.type == "line"]) == 5 * 6
    top = max(fig.layout[k].domain[1] for k in fig.layout if k.startswith("yaxis"))
    assert all(a.y == top and a.yshift >= 22 for a in markers)  # above the panels' titles
    boxes = plots.event_marker_boxes(fig, plot_px=130)  # half a phone's plot
    pairs = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]]
    assert len(boxes) == 5 and not any(_overlap(a, b) for a, b in pairs)
