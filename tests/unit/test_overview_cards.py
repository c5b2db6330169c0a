"""The Overview's building blocks: fixed-scale sparklines with their band, cards grouped by the
Secretary-General report's sections (significant changes first), and the map's areas (admin 2 where
the sample supports it) with each area's round, interval and n in its tooltip."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mande
from mande import overview, plots
from mande.charts import maps
from mande.errors import EstimationError
from mande.report.build import SECTIONS
from mande.reporting import ReportingPolicy

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
SVG = "{http://www.w3.org/2000/svg}"


def _points(attr: str) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in (p.split(",") for p in attr.split())]


# --- sparkline ---------------------------------------------------------------------------------


def test_sparkline_is_on_the_fixed_scale_so_a_5_point_fall_is_5_percent_of_the_height() -> None:
    svg = plots.sparkline_svg([60, 55], lo=0, hi=100, width=200, height=40)
    root = ET.fromstring(svg)
    (line,) = root.iter(f"{SVG}polyline")
    (y0, y1) = [p[1] for p in _points(line.get("points", ""))]
    assert y1 - y0 == pytest.approx(0.05 * 40)  # 5 points of 100 = 5% of the height
    assert y0 == pytest.approx(0.40 * 40)  # 60 sits 60% of the way up
    # the same fall drawn around 20 is just as tall: the scale does not follow the data
    (other,) = ET.fromstring(plots.sparkline_svg([20, 15], height=40)).iter(f"{SVG}polyline")
    ys = [p[1] for p in _points(other.get("points", ""))]
    assert ys[1] - ys[0] == pytest.approx(2.0)
    # a mean on a 1-5 scale: half a point is an eighth of the height
    (mean,) = ET.fromstring(plots.sparkline_svg([3.0, 2.5], lo=1, hi=5, height=40)).iter(
        f"{SVG}polyline"
    )
    ys = [p[1] for p in _points(mean.get("points", ""))]
    assert ys[1] - ys[0] == pytest.approx(40 / 8)


def test_sparkline_draws_the_confidence_band_and_breaks_at_missing_rounds() -> None:
    svg = plots.sparkline_svg(
        [50, 45, None, 40, 42], [45, 40, None, 35, 37], [55, 50, None, 45, 47], height=100
    )
    root = ET.fromstring(svg)
    bands = list(root.iter(f"{SVG}polygon"))
    assert len(bands) == 2  # rounds 1-2 and 4-5: no band across the missing round
    first = _points(bands[0].get("points", ""))
    assert [y for _, y in first] == pytest.approx([45, 50, 60, 55])  # upper, then lower reversed
    assert len(list(root.iter(f"{SVG}polyline"))) == 2
    (dot,) = root.iter(f"{SVG}circle")
    assert float(dot.get("cy", "nan")) == pytest.approx(58)  # the latest value, 42
    # a single round with bounds: a vertical band segment, no line
    one = ET.fromstring(plots.sparkline_svg([50], [45], [55], height=100))
    assert [el.get("class") for el in one.iter(f"{SVG}line")] == ["mid", "band"]
    assert not list(one.iter(f"{SVG}polyline"))


def test_sparkline_clips_to_the_frame_and_is_accessible_and_escaped() -> None:
    svg = plots.sparkline_svg(
        [120, -5], label='Safe <b>"after"</b> dark & more', colour='red" onload="x()'
    )
    root = ET.fromstring(svg)  # well-formed XML whatever the label
    assert root.get("role") == "img"
    assert root.get("aria-label") == 'Safe <b>"after"</b> dark & more'
    assert root.find(f"{SVG}title").text == 'Safe <b>"after"</b> dark & more'  # type: ignore[union-attr]
    assert "<b>" not in svg and 'onload="x()"' not in svg and "<script" not in svg
    (line,) = root.iter(f"{SVG}polyline")
    ys = [y for _, y in _points(line.get("points", ""))]
    assert ys == pytest.approx([0, 36])  # clipped to the top and bottom edges
    with pytest.raises(EstimationError, match="expected lo < hi"):
        plots.sparkline_svg([1, 2], lo=5, hi=5)
    with pytest.raises(EstimationError, match="one bound of each per value"):
        plots.sparkline_svg([1, 2], [1], [2, 3])
    assert "nan" not in plots.sparkline_svg([np.nan, 40.0, float("nan")])


def test_sparkline_scale_per_kind() -> None:
    assert overview.sparkline_scale("proportion") == (100.0, 0.0, 100.0)
    assert overview.sparkline_scale("mean_of_indicators") == (100.0, 0.0, 100.0)
    assert overview.sparkline_scale("index_0_100") == (1.0, 0.0, 100.0)
    assert overview.sparkline_scale("mean", (1.0, 5.0)) == (1.0, 1.0, 5.0)
    assert overview.sparkline_scale("mean") is None  # no auto-scaled line


# --- cards grouped by report section -------------------------------------------------------------


def _card(ind: str, section: str, arrow: str = "", change: float = 0.0) -> dict[str, Any]:
    return {"indicator": ind, "sg_section": section, "arrow": arrow, "change": change}


def test_cards_significant_first_largest_first_then_sections_in_report_order() -> None:
    head = pd.DataFrame(
        [
            _card("SAF-01", "protection_of_civilians"),
            _card("SAF-03", "security", "down", -8.0),
            _card("INC-01", "political"),
            _card("TRU-01.police", "state_authority", "up", 3.0),
            _card("MIS-01", "mission_performance", "down", -6.3),
            _card("MIS-03", "mission_performance"),
            _card("NEW-01", ""),
        ]
    )
    groups = overview.card_groups(head, "en")
    assert [g.key for g in groups] == [
        "significant", "political", "protection_of_civilians", "mission_performance", "",
    ]  # fmt: skip
    assert list(groups[0].cards["indicator"]) == ["SAF-03", "MIS-01", "TRU-01.police"]
    assert list(groups[0].cards["section_label"]) == [
        "Security situation", "Mission performance",
        "Extension of State authority and State-society relations",
    ]  # fmt: skip
    assert groups[1].title == SECTIONS["political"]["en"]
    assert groups[-1].title == "Other indicators"
    every = [i for g in groups for i in g.cards["indicator"]]
    assert sorted(every) == sorted(head["indicator"])  # each card once
    assert overview.card_groups(head, "en", previous="November 2025")[0].title == (
        "Changed significantly since November 2025"
    )
    fr = overview.card_groups(head, "fr")
    assert fr[0].title == "Évolutions significatives"
    assert fr[2].title == "Protection des civils"
    assert overview.card_groups(head.assign(arrow=""), "en")[0].key == "political"
    assert overview.card_groups(pd.DataFrame(), "en") == []


def test_sections_come_from_the_catalogue() -> None:
    cat = mande.load_catalogue()
    sections = {ind.sg_section for ind in cat.survey()}
    assert sections <= set(SECTIONS)
    assert overview.card_ranges(cat) == {}  # the standard catalogue has no plain means


# --- the map -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mission() -> mande.MissionConfig:
    return mande.load_mission(SAMPLE / "mission.yaml")


def _square(pcode: str, x: float, y: float, size: float = 1.0) -> dict[str, Any]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {
        "type": "Feature",
        "properties": {"pcode": pcode},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _results(mission: mande.MissionConfig, n_admin2: dict[str, int]) -> pd.DataFrame:
    rows = []
    for i, region in enumerate(mission.regions):
        rows.append(
            {"indicator": "SAF-01", "round": "r4", "breakdown": "region", "group": region.pcode,
             "estimate": 0.3 + i / 20, "ci_low": 0.25, "ci_high": 0.45, "n": 500,
             "suppressed": False}
        )  # fmt: skip
        for code, _ in region.admin2:
            n = n_admin2.get(code, 150)
            rows.append(
                {"indicator": "SAF-01", "round": "r4", "breakdown": "admin2", "group": code,
                 "estimate": 0.4, "ci_low": 0.3, "ci_high": 0.5, "n": n, "suppressed": n < 30}
            )  # fmt: skip
    return pd.DataFrame(rows)


def test_map_areas_use_admin2_only_where_the_sample_supports_it(
    mission: mande.MissionConfig,
) -> None:
    vd01 = [c for c, _ in mission.regions[0].admin2]
    vd02 = [c for c, _ in mission.regions[1].admin2]
    geo = {
        "type": "FeatureCollection",
        "features": [_square(r.pcode, i, 0) for i, r in enumerate(mission.regions)]
        + [_square(c, j / 3, 0, 1 / 3) for j, c in enumerate(vd01)]
        + [_square(c, 1 + j / 3, 0, 1 / 3) for j, c in enumerate(vd02)],
    }
    # VD01: every unit has enough respondents; VD02: one unit falls short of the policy's minimum
    results = _results(mission, {vd02[1]: 80})
    assert ReportingPolicy().min_n_admin2 == 100
    areas = overview.map_areas(results, "SAF-01", "r4", mission, geo)
    assert set(areas.loc[areas["level"] == "admin2", "region"]) == set(vd01)
    assert set(areas.loc[areas["level"] == "admin2", "parent"]) == {"VD01"}
    assert "VD01" not in set(areas["region"])
    assert {"VD02", "VD03", "VD06"} <= set(areas.loc[areas["level"] == "admin1", "region"])
    # a lower minimum from the mission's policy lets VD02 split too
    lower = overview.map_areas(results, "SAF-01", "r4", mission, geo, min_n=50)
    assert set(lower.loc[lower["level"] == "admin2", "parent"]) == {"VD01", "VD02"}
    # regions without admin 2 polygons (VD03-VD06) or results without the breakdown stay whole
    whole = overview.map_areas(
        results[results["breakdown"] != "admin2"], "SAF-01", "r4", mission, geo
    )
    assert set(whole["level"]) == {"admin1"} and len(whole) == 6
    assert set(overview.map_areas(results, "SAF-01", "r4", mission, None)["level"]) == {"admin1"}

    # the SVG map draws VD01's units in its place (tests/unit/test_maps.py checks the drawing)
    markup = maps.region_map(areas, geo, mission, lang="en", round_label="May 2026")
    drawn = re.findall(r'<path class="area" data-pcode="([^"]+)"', markup)
    assert sorted(drawn) == sorted([r.pcode for r in mission.regions[1:]] + vd01)
    tip = re.search(rf'data-pcode="{vd01[0]}"[^>]*><title>([^<]*)</title>', markup)
    assert tip and html.unescape(tip.group(1)) == (
        f"{mission.regions[0].admin2[0][1]['en']}\nMay 2026\n40.0% (95% CI 30.0–50.0)\nn = 150"
    )


def test_region_map_tooltip_gives_round_estimate_ci_and_n(mission: mande.MissionConfig) -> None:
    geo = json.loads((SAMPLE / "regions.geojson").read_text(encoding="utf-8"))
    values = overview.map_areas(_results(mission, {}), "SAF-01", "r4", mission, geo)
    assert set(values["level"]) == {"admin1"}  # the sample's boundaries are admin 1 only
    values.loc[values["region"] == "VD04", "suppressed"] = True
    markup = maps.region_map(values, geo, mission, lang="fr", round_label="mai 2026")
    found = re.findall(r'data-pcode="([^"]+)"[^>]*><title>([^<]*)</title>', markup)
    tips = {code: html.unescape(tip) for code, tip in found}
    assert tips["VD01"] == "Bangora\nmai 2026\n30,0\u202f% (IC à 95 % 25,0–45,0)\nn = 500"
    assert tips["VD04"] == "Lac Tora\nmai 2026\nmasqué (effectif trop faible)\nn = 500"


def test_a_mean_is_drawn_on_its_scale_range() -> None:
    from types import SimpleNamespace as NS

    def ind(id_: str, kind: str, scoring: Any) -> Any:
        return NS(id=id_, kind=kind, scoring=scoring, measures=lambda: [NS(id=id_)])

    cat = NS(
        survey=lambda: [
            ind("M-01", "mean", NS(range=(1, 5), values=())),
            ind("M-02", "mean", NS(range=None, values=((1, 0.0), (2, 0.5), (3, 1.0)))),
            ind("M-03", "mean", NS(range=None, values=())),
            ind("P-01", "proportion", NS(range=None, values=())),
        ]
    )
    ranges = overview.card_ranges(cat)
    assert ranges == {"M-01": (1.0, 5.0), "M-02": (0.0, 1.0)}
    assert overview.sparkline_scale("mean", ranges.get("M-01")) == (1.0, 1.0, 5.0)
    assert overview.sparkline_scale("mean", ranges.get("M-03")) is None
