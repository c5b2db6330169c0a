"""Figures of the dashboard's Overview page, drawn from the sample mission's files (the Partners
page's: tests/unit/test_charts_partners.py)."""

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


def test_region_map_fills_every_region_and_greys_suppressed_ones(
    mission: mande.MissionConfig, geo: dict[str, object]
) -> None:
    values = pd.DataFrame(
        {
            "region": ["VD01", "VD02", "VD03", "VD04", "VD05", "VD06"],
            "estimate": [0.51, 0.40, 0.45, 0.50, 0.38, 0.20],
            "ci_low": [0.46, 0.35, 0.40, 0.44, 0.33, 0.15],
            "ci_high": [0.56, 0.45, 0.50, 0.56, 0.43, 0.26],
            "n": [500, 510, 480, 20, 470, 430],
            "suppressed": [False, False, False, True, False, False],
        }
    )
    fig = plots.region_map(values, geo, mission, title="Safe after dark", lang="fr")
    shapes = [t for t in fig.data if t.fill == "toself"]
    assert sorted(t.name for t in shapes) == sorted(r.label("fr") for r in mission.regions)
    lac = next(t for t in shapes if t.name == "Lac Tora")
    assert lac.fillcolor == "#d9d9d9" and "masqué" in lac.text
    kodjari = next(t for t in shapes if t.name == "Kodjari")
    assert "20,0\u202f%" in kodjari.text and "n = 430" in kodjari.text
    assert kodjari.fillcolor != next(t for t in shapes if t.name == "Bangora").fillcolor
    # labels at the centroids, and no map tiles or remote map data: plain axes only
    assert any(t.mode == "text" and "Kodjari" in t.text[0] for t in fig.data)
    assert all(t.type == "scatter" for t in fig.data)
