"""Figures of the dashboard's Overview and Partners pages, drawn from the sample mission's files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import mande
from mande import plots

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(scope="module")
def mission() -> mande.MissionConfig:
    return mande.load_mission(SAMPLE / "mission.yaml")


@pytest.fixture(scope="module")
def geo() -> dict[str, object]:
    return dict(json.loads((SAMPLE / "regions.geojson").read_text(encoding="utf-8")))


def test_rqi_heatmap_and_partner_figures() -> None:
    rqi = pd.DataFrame(
        {
            "partner_type": ["local_authority", "local_authority", "national_ngo", "national_ngo"],
            "period": ["2025-02", "2025-06", "2025-02", "2025-06"],
            "rqi": [55.0, 48.5, 70.0, None],
            "coercion_cooperation": [3.2, 2.9, 4.1, 4.0],
            "trust": [3.1, 2.8, 3.9, 3.8],
            "cooperation": [3.3, 3.0, 4.0, 4.1],
        }
    )
    labels = {"2025-02": "1 February–31 May 2025", "2025-06": "1 June–30 September 2025"}
    heat = plots.rqi_heatmap(rqi, lang="en", period_labels=labels)
    z = heat.data[0].z
    assert len(z) == 2 and len(z[0]) == 2
    assert heat.data[0].text[1][1] == ""  # a missing RQI is left blank, not drawn as 0
    # columns are the reporting periods by their titles, on a category axis (not read as dates)
    assert list(heat.data[0].x) == ["1 February–<br>31 May 2025", "1 June–<br>30 September 2025"]
    assert heat.layout.xaxis.type == "category"
    assert list(heat.data[0].y) == ["Local authority", "National NGO / civil<br>society"]
    pos = plots.positions_figure(rqi, lang="fr", period_labels=labels)
    assert list(pos.data[0].y) == ["Autorité locale", "ONG nationale / société<br>civile"]
    assert (pos.data[0].zmin, pos.data[0].zmid, pos.data[0].zmax) == (1, 3, 5)
    assert list(pos.data[0].x) == list(heat.data[0].x)
    dims = plots.dimensions_figure(rqi.drop_duplicates("partner_type"), lang="en")
    assert list(dims.data[0].x) == ["Trust", "Cooperation"]  # names, not codes
    assert list(dims.data[0].y) == list(heat.data[0].y)


def _rgb(colour: str) -> tuple[int, int, int]:
    from plotly.colors import hex_to_rgb, unlabel_rgb

    if colour.startswith("#"):
        return hex_to_rgb(colour)
    r, g, b = unlabel_rgb(colour)
    return int(r), int(g), int(b)


def _red_and_green(scale: object) -> bool:
    """A scale holding both a saturated red and a saturated green (what deuteranopes confuse)."""
    colours = [_rgb(c) for _, c in scale]  # type: ignore[attr-defined]
    red = any(r > 150 and g < 100 and b < 100 for r, g, b in colours)
    green = any(g > 120 and r < 110 and b < 110 for r, g, b in colours)
    return red and green


def test_partner_figures_use_colour_blind_safe_scales_and_names() -> None:
    from mande.partners.rubric import load_rubric

    rubric = load_rubric()
    rqi = pd.DataFrame(
        {
            "partner_type": list(rubric.partner_types)[:3] * 2,
            "period": ["2025-02"] * 3 + ["2025-06"] * 3,
            "rqi": [55.0, 48.5, 70.0, 61.0, 52.0, 40.0],
            "coercion_cooperation": [3.2, 2.9, 4.1, 4.0, 1.5, 3.0],
            "small": [False, True, False, False, False, False],
            **{d: [3.0, 3.5, 2.5, 4.0, 3.1, 2.2] for d in rubric.dimensions},
        }
    )
    figs = [
        plots.rqi_heatmap(rqi),
        plots.dimensions_figure(rqi.drop_duplicates("partner_type")),
        plots.positions_figure(rqi),
    ]
    assert _red_and_green(plotly_scale("RdYlGn"))  # the check can see a red-green scale
    for fig in figs:
        assert not _red_and_green(fig.data[0].colorscale)
    codes = set(rubric.partner_types) | set(rubric.dimensions) | {"rqi", "period"}
    for fig in figs:
        labels = [*map(str, fig.data[0].x), *map(str, fig.data[0].y)]
        assert not codes & {lab.replace("<br>", " ") for lab in labels}, labels
    cells = [c for row in figs[0].data[0].text for c in row]
    assert sum(c.startswith("(") for c in cells) == 1  # the one small cell, in brackets
    matrix = pd.DataFrame(
        {"Local authority": [47.0, 28.0], "UN agency / country team": [30.0, 41.0]},
        index=pd.Index(["Information sharing", "Joint activities"], name="theme"),
    )
    themes = plots.themes_figure(matrix)
    assert list(themes.data[0].y) == ["Information sharing", "Joint activities"]
    assert list(themes.data[0].x) == ["Local<br>authority", "UN agency /<br>country team"]
    assert not _red_and_green(themes.data[0].colorscale)


def plotly_scale(name: str) -> list[tuple[float, str]]:
    from plotly.colors import get_colorscale

    return [(float(p), str(c)) for p, c in get_colorscale(name)]
