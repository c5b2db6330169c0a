"""The server-drawn maps (`mande.charts.maps`): the Overview's regional map from the sample
mission's boundaries (each area's path, tooltip with round, estimate, CI and n; suppressed areas
hatched, areas without data grey; the legend's bounds; French; hostile names escaped), the
projection (holes, latitude scaling) and the Footprint map drawn by the same drawer."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace as NS
from typing import Any

import pandas as pd
import pytest

import mande
from mande import draw
from mande.charts import maps
from mande.errors import EstimationError
from mande.footprint.plots import footprint_map

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def mission() -> mande.MissionConfig:
    return mande.load_mission(SAMPLE / "mission.yaml")


@pytest.fixture(scope="module")
def geo() -> dict[str, Any]:
    return dict(json.loads((SAMPLE / "regions.geojson").read_text(encoding="utf-8")))


def _svg(markup: str) -> ET.Element:
    """The map's SVG, parsed (it must be well-formed XML)."""
    found = re.search(r"<svg [^>]*class=\"mande-chart.*</svg>", markup, re.S)
    assert found, markup[:200]
    return ET.fromstring(found.group(0))


def _areas(markup: str) -> dict[str, ET.Element]:
    return {
        p.get("data-pcode"): p for p in _svg(markup).iter(f"{SVG}path") if p.get("class") == "area"
    }


def _tip(path: ET.Element) -> str:
    title = path.find(f"{SVG}title")
    assert title is not None
    return str(title.text)


def _labels(markup: str) -> list[str]:
    return [
        "".join(t.itertext()).replace(_tip(t), "", 1)
        for t in _svg(markup).iter(f"{SVG}text")
        if t.get("class") == "area-label"
    ]


def _legend(markup: str) -> str:
    found = re.search(r'<div class="mande-legend" data-legend="map">.*?</div>', markup, re.S)
    assert found
    return found.group(0)


def _values(**over: Any) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "region": ["VD01", "VD02", "VD03", "VD04", "VD05", "VD06"],
            "level": ["admin1"] * 6,
            "estimate": [0.51, 0.40, 0.45, 0.50, 0.38, 0.20],
            "ci_low": [0.46, 0.35, 0.40, 0.44, 0.33, 0.15],
            "ci_high": [0.56, 0.45, 0.50, 0.56, 0.43, 0.26],
            "n": [500, 510, 480, 20, 470, 430],
            "suppressed": [False, False, False, True, False, False],
        }
    )
    for col, value in over.items():
        frame[col] = value
    return frame


def test_region_map_draws_each_region_with_its_tooltip_and_hatches_suppressed_ones(
    mission: mande.MissionConfig, geo: dict[str, Any]
) -> None:
    markup = maps.region_map(
        _values(), geo, mission, title="En sécurité la nuit", lang="fr", round_label="mai 2026"
    )
    assert 'data-chart="map"' in markup and "<figure" in markup
    areas = _areas(markup)
    assert sorted(areas) == sorted(r.pcode for r in mission.regions)
    for path in areas.values():  # a real outline, with holes drawn as holes
        assert re.fullmatch(r"(M[\d.,L-]+Z)+", path.get("d", "")), path.get("d")
        assert path.get("fill-rule") == "evenodd"
    # fill on the fixed 0-100 scale (51 % is 0.51 of the ramp), not stretched to the round
    assert areas["VD01"].get("fill") == draw.sequential(0.51)
    assert areas["VD06"].get("fill") == draw.sequential(0.20)
    assert areas["VD06"].get("fill") != areas["VD01"].get("fill")
    assert _tip(areas["VD06"]) == ("Kodjari\nmai 2026\n20,0\u202f% (IC à 95 % 15,0–26,0)\nn = 430")
    # the suppressed region: hatched grey, says so, with its n; no estimate given away
    assert areas["VD04"].get("fill") == "url(#mande-hatch-map)"
    assert _tip(areas["VD04"]) == "Lac Tora\nmai 2026\nmasqué (effectif trop faible)\nn = 20"
    assert "50,0" not in _tip(areas["VD04"])
    assert _svg(markup).find(f"{SVG}defs/{SVG}pattern[@id='mande-hatch-map']") is not None
    # names and figures written on the areas, the suppressed one by name only
    labels = _labels(markup)
    assert "Kodjari" in labels and "20\u202f%" in labels and "51\u202f%" in labels
    assert "Lac Tora" in labels
    # the legend: the indicator, the scale's bounds, the hatching; no "no data" entry
    legend = _legend(markup)
    assert "En sécurité la nuit" in legend
    assert '<span class="lo">0\u202f%</span>' in legend
    assert '<span class="hi">100\u202f%</span>' in legend
    assert "masqué (effectif trop faible)" in legend and "pas de données" not in legend
    # one line: a line break would end the HTML block in Streamlit's Markdown
    assert "\n" not in markup and "&#10;" in markup
    # nothing but drawn markup: no script, no handler, no remote reference
    assert "<script" not in markup and " on" not in re.sub(r">[^<]*<", "><", markup)
    assert "http" not in markup.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_region_without_figures_is_plain_grey_and_the_legend_says_so(
    mission: mande.MissionConfig, geo: dict[str, Any]
) -> None:
    values = _values().iloc[:5].assign(suppressed=False)  # VD06 has no figure this round
    markup = maps.region_map(values, geo, mission, lang="en", round_label="May 2026")
    areas = _areas(markup)
    assert areas["VD06"].get("fill") == maps.NO_DATA
    assert _tip(areas["VD06"]) == "Kodjari\nMay 2026\nno data"
    assert _tip(areas["VD04"]) == "Lake Tora\nMay 2026\n50.0% (95% CI 44.0–56.0)\nn = 20"
    legend = _legend(markup)
    assert "no data" in legend and "suppressed" not in legend
    assert '<span class="lo">0%</span>' in legend and '<span class="hi">100%</span>' in legend


def test_a_mean_is_coloured_on_its_scale_range(
    mission: mande.MissionConfig, geo: dict[str, Any]
) -> None:
    values = _values(estimate=[3.0, 2.0, 4.0, 1.0, 5.0, 3.5], ci_low=2.5, ci_high=3.5,
                     suppressed=False)  # fmt: skip
    markup = maps.region_map(values, geo, mission, kind="mean", value_range=(1.0, 5.0))
    areas = _areas(markup)
    assert areas["VD01"].get("fill") == draw.sequential(0.5)
    assert areas["VD04"].get("fill") == draw.sequential(0.0)
    assert _tip(areas["VD01"]) == "Bangora\n3.0 (95% CI 2.5–3.5)\nn = 500"
    legend = _legend(markup)
    assert '<span class="lo">1</span>' in legend and '<span class="hi">5</span>' in legend


def test_hostile_names_and_codes_are_escaped(geo: dict[str, Any]) -> None:
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\n\n# heading'
    mission = NS(regions=[NS(pcode="VD01", admin2=(), label=lambda lang: evil)])
    hostile = {
        "type": "FeatureCollection",
        "features": [
            {**geo["features"][0], "properties": {"pcode": "VD01"}},
            {**geo["features"][1], "properties": {"pcode": 'X"><svg onload=alert(3)>'}},
        ],
    }
    markup = maps.region_map(_values(), hostile, mission, title=evil, round_label=evil)
    assert "<script" not in markup and "<img" not in markup and "<svg onload" not in markup
    assert "\n" not in markup  # a blank line would let the rest be read as Markdown
    areas = _areas(markup)  # still well-formed XML, the texts intact once unescaped
    assert _tip(areas["VD01"]).startswith(f"{evil}\n{evil}\n51.0%")
    assert 'X"><svg onload=alert(3)>' in areas


def test_projection_keeps_holes_and_shrinks_longitudes_by_the_middle_latitude() -> None:
    outer = [[0, 59.5], [2, 59.5], [2, 60.5], [0, 60.5], [0, 59.5]]
    hole = [[0.5, 59.8], [1.5, 59.8], [1.5, 60.2], [0.5, 60.2], [0.5, 59.8]]
    island = [[3, 60], [3.5, 60], [3.5, 60.3], [3, 60]]
    geometry = {"type": "MultiPolygon", "coordinates": [[outer, hole], [island]]}
    assert [len(p) for p in maps.polygons(geometry)] == [2, 1]
    proj = maps.Projection([geometry], (0, 0, 1000, 1000))
    # at 60 degrees a degree of longitude is half a degree of latitude
    x0, y0 = proj(0, 60.5)
    x1, y1 = proj(2, 59.5)
    assert (x1 - x0) / (y1 - y0) == pytest.approx(2 * 0.5, rel=1e-9)
    assert proj.path(geometry).count("M") == 3  # the outer ring, its hole, the island
    # the label goes to the centroid of the largest outer ring
    assert maps.label_point(geometry) == pytest.approx((1.0, 60.0))
    markup = maps.choropleth(
        [maps.Area("A", geometry, "#123456", "A\nlake inside")], label="test", key="t"
    )
    path = _areas(markup)["A"]
    assert path.get("fill-rule") == "evenodd" and path.get("d", "").count("Z") == 3


def test_malformed_boundaries_are_read_or_refused() -> None:
    broken = {"type": "Polygon", "coordinates": [[[0, 0], ["x", 1], [1, 0], [1, 1], [None]]]}
    assert maps.polygons(broken) == [[[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]]]
    assert maps.polygons({"type": "Point", "coordinates": [0, 0]}) == []
    assert maps.polygons(None) == []
    with pytest.raises(EstimationError, match="no Polygon or MultiPolygon"):
        maps.choropleth([maps.Area("A", {"type": "Point"}, "#fff", "A")], label="x", key="x")


def test_admin2_units_are_drawn_in_place_of_their_region(mission: mande.MissionConfig) -> None:
    units = [c for c, _ in mission.regions[0].admin2]
    assert units, "the sample mission lists admin 2 units for its first region"

    def square(pcode: str, x: float, size: float = 1.0) -> dict[str, Any]:
        ring = [[x, 0], [x + size, 0], [x + size, size], [x, size], [x, 0]]
        return {"type": "Feature", "properties": {"pcode": pcode},
                "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip

    geo = {
        "type": "FeatureCollection",
        "features": [square(r.pcode, i) for i, r in enumerate(mission.regions)]
        + [square(c, j / len(units), 1 / len(units)) for j, c in enumerate(units)],
    }
    unit_rows = pd.DataFrame(
        {"region": units, "level": "admin2", "estimate": 0.4, "ci_low": 0.3, "ci_high": 0.5,
         "n": 150, "suppressed": False}
    )  # fmt: skip
    values = pd.concat([_values().iloc[1:], unit_rows], ignore_index=True)
    markup = maps.region_map(values, geo, mission, lang="en", round_label="May 2026")
    areas = _areas(markup)
    assert sorted(areas) == sorted([r.pcode for r in mission.regions[1:]] + units)
    name = mission.regions[0].admin2[0][1]["en"]
    assert _tip(areas[units[0]]) == f"{name}\nMay 2026\n40.0% (95% CI 30.0–50.0)\nn = 150"


def test_footprint_map_uses_the_same_drawer_with_its_sites(
    mission: mande.MissionConfig, geo: dict[str, Any]
) -> None:
    areas = pd.DataFrame(
        {"pcode": ["VD01", "VD02", "VD03"], "perception": [0.6, 0.3, None],
         "patrols_per_1000": [2.0, 4.0, 1.0], "patrols": [12, 30, 5], "meetings": [3, 4, 1],
         "years_present": [2.5, 0.0, 1.0]}
    )  # fmt: skip
    sites = pd.DataFrame(
        {"site": ["Camp <Alpha>", "TS Beta"], "type": ["hq", "team_site"],
         "longitude": [geo["features"][0]["geometry"]["coordinates"][0][0][0] + 0.1, float("nan")],
         "latitude": [geo["features"][0]["geometry"]["coordinates"][0][0][1] + 0.1, 1.0],
         "troops": [850, 40]}
    )  # fmt: skip
    names = {r.pcode: r.label("fr") for r in mission.regions}
    markup = footprint_map(geo, areas, sites, names=names, lang="fr")
    assert 'data-chart="fp_map"' in markup
    drawn = _areas(markup)
    assert drawn["VD01"].get("fill") == draw.sequential(0.6)
    assert _tip(drawn["VD01"]) == (
        "Bangora\nPerception (% favorable) : 60\u202f%\npatrouilles : 12, réunions : 3\n"
        "années de présence : 2,5"
    )
    assert drawn["VD03"].get("fill") == maps.NO_DATA
    assert drawn["VD04"].get("fill") == maps.NO_DATA  # no row at all
    sites_drawn = [p for p in _svg(markup).iter(f"{SVG}path") if p.get("class") == "site"]
    # the site without coordinates is left out
    assert [_tip(p) for p in sites_drawn] == ["Camp <Alpha>\nQuartier général\ntroupes : 850"]
    legend = _legend(markup)
    assert "Quartier général" in legend and "Site d&#x27;équipe" in legend
    assert '<span class="hi">100\u202f%</span>' in legend and "pas de données" in legend
    # another layer: from 0 to the largest area's value
    patrols = footprint_map(geo, areas, sites, layer="patrols_per_1000", names=names)
    assert _areas(patrols)["VD02"].get("fill") == draw.sequential(1.0)
    assert _areas(patrols)["VD01"].get("fill") == draw.sequential(0.5)
    assert '<span class="hi">4.0</span>' in _legend(patrols)


def test_a_name_moves_off_a_site_and_is_left_out_where_it_cannot_fit() -> None:
    big = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 3], [0, 3], [0, 0]]]}
    sliver = {"type": "Polygon", "coordinates": [[[4, 0], [4.05, 0], [4.05, 3], [4, 3], [4, 0]]]}
    areas = [
        maps.Area("BIG", big, "#ffffd9", "Big", "Big region", "42%"),
        maps.Area("THIN", sliver, "#0c2c84", "Thin", "A very long name", "7%"),
    ]
    site = maps.Marker(2.0, 1.5, "square", "Camp")  # at the big area's centroid
    markup = maps.choropleth(areas, label="test", key="t", markers=[site])
    svg = _svg(markup)
    (mark,) = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "site"]
    sx, sy = (float(v) for v in re.findall(r"[\d.]+", mark.get("d", ""))[:2])
    texts = {
        "".join(t.itertext()).replace(_tip(t), "", 1): (float(t.get("x", 0)), float(t.get("y", 0)))
        for t in svg.iter(f"{SVG}text")
        if t.get("class") == "area-label"
    }
    assert set(texts) == {"Big region", "42%"}  # nothing fits in the sliver
    for x, y in texts.values():
        assert abs(y - (sy + 5.2)) > 15 or abs(x - (sx + 5.2)) > 60  # clear of the site
