"""The Indicator explorer's SVG charts (mande.charts.trends): what is drawn and where, read back
from the SVG's elements and coordinates."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from mande import draw, notes
from mande.charts import trends
from mande.config import Event
from mande.errors import EstimationError

NS = "{http://www.w3.org/2000/svg}"
ROUNDS = ["2024-11", "2025-05", "2025-11", "2026-05"]
DATES = {r: dt.date(int(r[:4]), int(r[5:]), 28) for r in ROUNDS}
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
    df["n"] = 1300
    return df


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


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def _cls(e: ET.Element) -> list[str]:
    return e.get("class", "").split()


def _of(svg: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in svg.iter(f"{NS}{tag}") if cls in _cls(e)]


def _points(e: ET.Element) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in (p.split(",") for p in e.get("points", "").split())]


def _title(e: ET.Element) -> str:
    return e.findtext(f"{NS}title") or ""


def _content(t: ET.Element) -> str:
    """A text element's words, without its tooltip."""
    title = t.find(f"{NS}title")
    return (title.tail if title is not None else t.text) or ""


def _texts(svg: ET.Element) -> list[str]:
    return [_content(t) for t in svg.iter(f"{NS}text")]


def _data_top(svg: ET.Element) -> float:
    """The highest (smallest y) point of any data mark: bands, lines, dots."""
    ys = [
        y for tag in ("polygon", "polyline") for e in svg.iter(f"{NS}{tag}") for _, y in _points(e)
    ]
    ys += [float(c.get("cy", 0)) - float(c.get("r", 0)) for c in svg.iter(f"{NS}circle")]
    ys += [min(float(e.get("y1", 0)), float(e.get("y2", 0))) for e in _of(svg, "line", "band")]
    return min(ys)


def _boxes(svg: ET.Element) -> list[tuple[float, float, float, float]]:
    """Event markers' boxes: (left, right, top, bottom)."""
    out = []
    for r in _of(svg, "rect", "event"):
        x, y, w, h = (float(r.get(k, 0)) for k in ("x", "y", "width", "height"))
        out.append((x, x + w, y, y + h))
    return out


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def test_overall_trend_band_line_dots_and_events() -> None:
    svg_text, legend = trends.trend_svg(_results(), "SAF-01", events=EVENTS, round_dates=DATES)
    svg = _svg(svg_text)
    assert legend == ""  # one line: nothing to tell apart
    (band,) = svg.iter(f"{NS}polygon")
    (line,) = _of(svg, "polyline", "line")
    dots = list(svg.iter(f"{NS}circle"))
    # the band is an area only: no stroke, and no mark at any of its corners
    assert band.get("stroke") == "none" and "band" in _cls(band)
    assert len(_points(band)) == 8  # four upper bounds, then four lower ones
    assert len(dots) == 4 and all(_cls(d) == ["pt"] for d in dots)
    corners = set(_points(band))
    assert not {(float(d.get("cx", 0)), float(d.get("cy", 0))) for d in dots} & corners
    # the dots sit on the line, in per cent on a fixed 0-100 axis
    assert [(float(d.get("cx", 0)), float(d.get("cy", 0))) for d in dots] == _points(line)
    assert {"0%", "25%", "50%", "75%", "100%"} <= set(_texts(svg))
    assert "Feel safe walking alone after dark" in _texts(svg) and "Per cent" in _texts(svg)
    ys = [y for _, y in _points(line)]
    assert ys == sorted(ys, reverse=True)  # rising: 40, 42, 44, 46 per cent
    # the tooltip: round, estimate, interval and n
    assert _title(dots[0]) == "2024-11: 40.0% (95% CI 36.0–44.0%), n = 1,300"
    # events: a dashed line each, a shaded span for the operation, a numbered marker each
    assert len(_of(svg, "line", "event-line")) == 2 and len(_of(svg, "rect", "event-span")) == 1
    markers = _of(svg, "rect", "event")
    assert [_title(m) for m in markers] == [
        "Event 1: Bases opened in Mbali",
        "Event 2: Operation Bouclier",
    ]
    assert [_content(t) for t in _of(svg, "text", "event-num")] == ["1", "2"]
    # the round ticks: the labels, in order
    assert [t for t in _texts(svg) if t in ROUNDS] == ROUNDS


def test_a_suppressed_round_splits_the_band_and_is_labelled() -> None:
    res = _results()
    res.loc[(res["breakdown"] == "total") & (res["round"] == "2025-05"), "suppressed"] = True
    svg = _svg(trends.trend_svg(res, "SAF-01")[0])
    # round 1 alone (a short bar), rounds 3-4 (an area): the gap stays a gap
    assert [len(_points(p)) for p in svg.iter(f"{NS}polygon")] == [4]
    assert len(_of(svg, "line", "band")) == 1
    assert [len(_points(p)) for p in _of(svg, "polyline", "line")] == [2]
    assert len(list(svg.iter(f"{NS}circle"))) == 3
    (label,) = _of(svg, "text", "suppressed")
    assert _content(label) == "suppressed"
    assert _title(label) == "2025-05: suppressed (n too small)"


def test_groups_in_one_panel_in_french_with_a_suppressed_cell() -> None:
    res = _results()
    res.loc[(res["group"] == "VD03") & (res["round"] == "2025-05"), "suppressed"] = True
    rows = res[res["breakdown"] == "region"]
    svg_text, legend = trends.trend_svg(
        rows, "SAF-01", by="group", events=EVENTS, round_dates=DATES, lang="fr"
    )
    svg = _svg(svg_text)
    # two lines in two colour-blind-safe colours, each with its band in its colour
    lines = _of(svg, "polyline", "line")
    # VD03: round 1, a gap, rounds 3-4 (a lone round is a dot, not a line)
    assert [(_title(p), len(_points(p))) for p in lines] == [("VD01", 4), ("VD03", 2)]
    assert {p.get("stroke") for p in lines} == set(draw.OKABE_ITO[:2])
    assert {b.get("fill") for b in svg.iter(f"{NS}polygon")} == set(draw.OKABE_ITO[:2])
    assert "VD01" in legend and "VD03" in legend and "IC à 95\u202f%" in legend
    tips = [_title(c) for c in svg.iter(f"{NS}circle")]
    assert (
        "VD01, 2024-11\u202f: 50,0\u202f% (IC à 95\u202f%\u202f: 44,0–56,0\u202f%), n = 1\u00a0300"
        in tips
    )
    (label,) = _of(svg, "text", "suppressed")
    assert "masqué (effectif trop faible)" in _title(label) and _content(label) == "masqué"
    assert label.get("style") == f"fill:{draw.OKABE_ITO[1]}"  # VD03's colour: whose round it is
    assert "Pourcentage" in _texts(svg)
    markers = [_title(m) for m in _of(svg, "rect", "event")]
    assert markers[0] == "Événement 1: Bases ouvertes à Mbali"


def test_without_dates_no_events_and_the_given_order() -> None:
    res = _results()
    res["round"] = res["round"].map(dict(zip(ROUNDS, ["R1", "R2", "R3", "R4"], strict=True)))
    order = ["R1", "R2", "R3", "R4"]
    svg = _svg(trends.trend_svg(res, "SAF-01", events=EVENTS, order=order)[0])
    assert not _of(svg, "rect", "event") and not _of(svg, "line", "event-line")
    assert [t for t in _texts(svg) if t in order] == order
    xs = [x for x, _ in _points(_of(svg, "polyline", "line")[0])]
    assert xs == sorted(xs) and len({round(xs[i + 1] - xs[i], 2) for i in range(3)}) == 1
    dated = _svg(
        trends.trend_svg(
            res, "SAF-01", events=EVENTS, order=order,
            round_dates=dict(zip(order, DATES.values(), strict=True)),
        )[0]
    )  # fmt: skip
    assert len(_of(dated, "line", "event-line")) == 2 and len(_of(dated, "rect", "event")) == 2


def test_means_stay_in_units_and_errors() -> None:
    res = _results().assign(kind="mean", estimate=lambda d: d["estimate"] * 5)
    res["ci_low"], res["ci_high"] = res["estimate"] - 0.1, res["estimate"] + 0.1
    svg = _svg(trends.trend_svg(res, "SAF-01")[0])
    assert "Value" in _texts(svg) and not any(t.endswith("%") for t in _texts(svg))
    assert _title(next(svg.iter(f"{NS}circle"))).startswith("2024-11: 2.0 (95% CI 1.9–2.1)")
    with pytest.raises(EstimationError, match="MIS-01"):
        trends.trend_svg(res, "MIS-01")
    with pytest.raises(EstimationError, match="ci_low"):
        trends.trend_svg(res.drop(columns="ci_low"), "SAF-01")


def test_three_groups_share_one_panel_five_are_small_multiples() -> None:
    three = _regions(3)
    svg_text, legend = trends.trend_svg(
        three[three["breakdown"] == "region"], "SAF-01", by="group", reference=three
    )
    svg = _svg(svg_text)
    assert _texts(svg).count("100%") == 1  # one panel
    assert len(list(svg.iter(f"{NS}polygon"))) == 3
    # the overall line once, in grey, drawn behind the groups and named in the legend
    (ref,) = _of(svg, "polyline", "reference")
    assert ref.get("stroke") == trends.REFERENCE and "All respondents" in legend
    marks = [e for e in svg.iter() if e.tag in (f"{NS}polyline", f"{NS}polygon")]
    assert marks.index(ref) == 0
    assert (
        _of(_svg(trends.trend_svg(three, "SAF-01", reference=three)[0]), "polyline", "reference")
        == []
    )
    res = _regions(5)
    for width, columns in ((trends.WIDE, 3), (trends.NARROW, 1)):
        svg_text, legend = trends.trend_svg(
            res[res["breakdown"] == "region"], "SAF-01", by="group", reference=res, lang="fr",
            width=width,
        )  # fmt: skip
        svg = _svg(svg_text)
        # one panel per group, titled by its name, each on the same 0-100 scale
        assert _texts(svg).count("100\u202f%") == 5 and _texts(svg).count("0\u202f%") == 5
        assert [t for t in _texts(svg) if t.startswith("VD0")] == [f"VD0{g}" for g in range(1, 6)]
        bands = list(svg.iter(f"{NS}polygon"))
        assert len(bands) == 5 and {b.get("fill") for b in bands} == {draw.OKABE_ITO[0]}
        # the overall line in grey behind each, named in the legend once
        ref = _of(svg, "polyline", "reference")
        assert len(ref) == 5 and {p.get("stroke") for p in ref} == {trends.REFERENCE}
        assert legend.count("Ensemble des personnes interrogées") == 1
        # panels side by side on a desktop, one under the other on a phone
        lefts = sorted({min(x for x, _ in _points(p)) for p in ref})
        assert len(lefts) == columns


def _event(i: int, day: dt.date, end: dt.date | None = None) -> Event:
    return Event(id=f"e{i}", date=day, kind="other", label={"en": f"Event {i}"}, end=end)


@pytest.mark.parametrize("width", [trends.WIDE, trends.NARROW])
@pytest.mark.parametrize("groups", [0, 2, 6])
def test_event_markers_never_overlap_each_other_or_the_data(width: int, groups: int) -> None:
    # four events within three weeks, one alone: the close ones are staggered into rows
    close = [_event(i, dt.date(2025, 3, 1) + dt.timedelta(days=7 * i)) for i in range(4)]
    events = [*close, _event(9, dt.date(2025, 11, 20), end=dt.date(2026, 1, 10))]
    res = _regions(groups or 1)
    rows = res if not groups else res[res["breakdown"] == "region"]
    svg = _svg(
        trends.trend_svg(
            rows, "SAF-01", by="group" if groups else None, events=events, round_dates=DATES,
            reference=res, width=width,
        )[0]
    )  # fmt: skip
    boxes = _boxes(svg)
    columns = 1 if groups <= 3 or width == trends.NARROW else 3
    assert len(boxes) == 5 * columns  # a strip above each column's top panel
    pairs = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]]
    assert not any(_overlap(a, b) for a, b in pairs)
    top = _data_top(svg)
    assert all(box[3] < top for box in boxes)  # above every band, line and dot
    assert len({box[2] for box in boxes}) > 1  # close in time: different rows
    assert all(box[0] >= 0 and box[1] <= width and box[2] >= 0 for box in boxes)


def test_marker_rows_are_greedy_and_reuse_free_rows() -> None:
    assert trends.marker_rows([10, 12, 14, 50], 5) == [0, 1, 2, 0]
    assert trends.marker_rows([10, 30, 50], 5) == [0, 0, 0]


def test_events_far_from_the_rounds_are_left_off_and_numbers_match_the_key() -> None:
    events = [_event(0, dt.date(2019, 1, 1)), *EVENTS]
    svg = _svg(trends.trend_svg(_results(), "SAF-01", events=events, round_dates=DATES)[0])
    numbered = notes.events_on_axis(events, DATES.values())
    assert [e.id for _, e in numbered] == ["deploy-east", "op"]
    assert [_title(m) for m in _of(svg, "rect", "event")] == [
        "Event 1: Bases opened in Mbali", "Event 2: Operation Bouclier",
    ]  # fmt: skip
    assert notes.event_key(numbered, "en") == (
        "Events: 1 (1 December 2024) Bases opened in Mbali; "
        "2 (1 March–31 October 2025) Operation Bouclier."
    )
    # the axis was not stretched back to 2019: the first round is near the plot's left edge
    first = _points(_of(svg, "polyline", "line")[0])[0][0]
    assert first < 0.2 * float(svg.get("viewBox", "0 0 900 1").split()[2])


def test_round_names_label_the_axis_on_two_lines_when_narrow() -> None:
    names = {"2024-11": "November 2024", "2025-05": "May 2025"}
    svg = _svg(trends.trend_svg(_results(), "SAF-01", round_dates=DATES, round_names=names)[0])
    assert [t for t in _texts(svg) if t in (*names.values(), "2025-11", "2026-05")] == [
        "November 2024", "May 2025", "2025-11", "2026-05",
    ]  # fmt: skip
    res = _regions(6)
    small = _svg(
        trends.trend_svg(
            res[res["breakdown"] == "region"], "SAF-01", by="group", round_dates=DATES,
            round_names={r: pd.Timestamp(d).strftime("%B %Y") for r, d in DATES.items()},
            width=trends.NARROW,
        )[0]
    )  # fmt: skip
    assert "November" in _texts(small) and "2024" in _texts(small)


def test_hostile_group_names_are_escaped() -> None:
    res = _regions(2)
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    res.loc[res["group"] == "VD01", "group"] = hostile
    rows = res[res["breakdown"] == "region"]
    html = trends.trend_figure(rows, "SAF-01", by="group", round_dates=DATES)
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    figure = ET.fromstring(html)  # well-formed: the name never breaks out of its element
    assert any(hostile == "".join(e.itertext()) for e in figure.iter("span"))
    assert any(_title(c).startswith(hostile) for c in figure.iter(f"{NS}circle"))
    bars = trends.breakdown_figure(rows[rows["round"] == ROUNDS[-1]])
    assert "<script" not in bars and hostile in [
        "".join(t.itertext()) for t in ET.fromstring(bars).iter(f"{NS}text")
    ]


def test_trend_figure_holds_a_desktop_and_a_phone_drawing() -> None:
    html = trends.trend_figure(_results(), "SAF-01", events=EVENTS, round_dates=DATES)
    fig = ET.fromstring(html)
    assert fig.tag == "figure" and fig.get("data-chart") == "trend"
    svgs = list(fig.iter(f"{NS}svg"))
    assert [s.get("viewBox", "").split()[2] for s in svgs] == [str(trends.WIDE), str(trends.NARROW)]
    assert ["for-wide" in _cls(svgs[0]), "for-narrow" in _cls(svgs[1])] == [True, True]
    assert ".mande-fig svg.for-narrow{display:none}" in draw.STYLE


def test_breakdown_bars_whiskers_and_suppressed_groups() -> None:
    res = _results()
    cur = res[(res["breakdown"] == "region") & (res["round"] == "2026-05")].copy()
    cur.loc[cur["group"] == "VD01", "suppressed"] = True
    html = trends.breakdown_figure(cur, lang="en")
    fig = ET.fromstring(html)
    assert fig.get("data-chart") == "breakdown"
    svg = next(fig.iter(f"{NS}svg"))
    texts = _texts(svg)
    # groups by name in the given order, the suppressed one said so, without a bar
    assert texts.index("VD01") < texts.index("VD03")
    assert "suppressed (n too small)" in texts
    (bar,) = _of(svg, "rect", "bar")
    assert _title(bar) == "VD03: 60.0% (95% CI 54.0–66.0%), n = 1,300"
    whiskers = _of(svg, "line", "whisker")
    assert len(whiskers) == 3  # the interval and its two caps
    x0, x1 = float(bar.get("x", 0)), float(bar.get("x", 0)) + float(bar.get("width", 0))
    span = sorted(float(whiskers[0].get(k, 0)) for k in ("x1", "x2"))
    assert span[0] < x1 < span[1] and x0 < span[0]  # the whisker spans the bar's end
    # the value sits past the whisker's end, never under it
    (value,) = _of(svg, "text", "value")
    assert _content(value) == "60.0%" and float(value.get("x", 0)) > span[1]
    assert {"0%", "100%"} <= set(texts)
    fr = _svg(trends.breakdown_svg(cur, lang="fr"))
    assert "masqué (effectif trop faible)" in _texts(fr)
    assert "Pourcentage (intervalle de confiance à 95\u202f%)" in _texts(fr)
    means = cur.assign(kind="mean", estimate=3.2, ci_low=3.0, ci_high=3.4)
    m = _svg(trends.breakdown_svg(means))
    assert not _of(m, "rect", "bar") and len(list(m.iter(f"{NS}circle"))) == 1  # a dot per mean
    with pytest.raises(EstimationError, match="group"):
        trends.breakdown_svg(cur.drop(columns="group"))


def test_a_long_name_wraps_on_a_phone_above_the_markers() -> None:
    res = _results()
    res["name"] = "Trust in institutions: the local administration of the region where one lives"
    svg = _svg(
        trends.trend_svg(res, "SAF-01", events=EVENTS, round_dates=DATES, width=trends.NARROW)[0]
    )
    lines = [_content(t) for t in svg.iter(f"{NS}text") if t.get("font-weight") == "600"][:3]
    assert " ".join(lines) == res["name"].iloc[0] and len(lines) == 3  # in full, never cut
    last = max(float(t.get("y", 0)) for t in svg.iter(f"{NS}text") if _content(t) in lines)
    assert all(box[2] > last for box in _boxes(svg))  # the markers below the title
