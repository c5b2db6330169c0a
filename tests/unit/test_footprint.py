"""Reading the mission's footprint (deployments, activity logs, Geo-PKO), placing sites in admin
areas, and measuring exposure per area and round."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mande.config import load_mission
from mande.demo.footprint import SITES, sample_exposure
from mande.errors import DataValidationError
from mande.footprint import (
    Areas,
    exposure,
    haversine_km,
    place_deployments,
    read_activities,
    read_deployments,
    read_geopko,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
GEOPKO = ROOT.parent / "shared" / "realworld" / "deployments" / "geopko_v2.3_frontmap_4missions.csv"
# Country-level bounding boxes (lon_min, lat_min, lon_max, lat_max), from the countries' extents.
CAR_BOX = (14.4, 2.2, 27.5, 11.0)
MALI_BOX = (-12.3, 10.1, 4.3, 25.0)


def _needs_geopko() -> None:
    if not GEOPKO.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{GEOPKO} is missing; CI must provide ../shared/realworld")
        pytest.skip("the Geo-PKO extract (../shared/realworld) is not on this machine")


def _box(code: str, box: tuple[float, float, float, float]) -> dict[str, object]:
    x0, y0, x1, y1 = box
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {
        "type": "Feature",
        "properties": {"pcode": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


@pytest.fixture(scope="module")
def mission():  # type: ignore[no-untyped-def]
    return load_mission(SAMPLE / "mission.yaml")


@pytest.fixture(scope="module")
def areas() -> Areas:
    return Areas.from_geojson(json.loads((SAMPLE / "regions.geojson").read_text()))


# ---- Geo-PKO -------------------------------------------------------------------------------------


def test_geopko_extract_loads_and_minusca_sites_fall_in_the_central_african_republic() -> None:
    _needs_geopko()
    dep = read_geopko(GEOPKO)
    frame = dep.frame
    assert set(frame["mission"]) == {"MINUSCA", "MINUSMA", "MONUSCO", "UNMISS"}
    assert len(frame) == 1516
    boxes = Areas.from_geojson(
        {"type": "FeatureCollection", "features": [_box("CAF", CAR_BOX), _box("MLI", MALI_BOX)]}
    )
    minusca = frame[frame["mission"] == "MINUSCA"]
    assert len(minusca) == 239
    placed = boxes.locate(minusca["longitude"], minusca["latitude"])
    assert (placed == "CAF").all()
    minusma = frame[frame["mission"] == "MINUSMA"]
    assert (boxes.locate(minusma["longitude"], minusma["latitude"]) == "MLI").all()
    # a location-year becomes a deployment over its calendar year; Bangui is the headquarters
    bangui = minusca[(minusca["site"] == "Bangui") & (minusca["year"] == 2014)].iloc[0]
    assert bangui["start"] == dt.date(2014, 1, 1) and bangui["end"] == dt.date(2014, 12, 31)
    assert bangui["type"] == "hq" and bangui["troops"] == 1600
    # NA is unknown: NoTroops NA falls back on ave.no.troops
    mbuji = frame[(frame["site"] == "Mbuji-Mayi") & (frame["year"] == 2014)].iloc[0]
    assert mbuji["troops"] == 150
    only = read_geopko(GEOPKO, missions=["MINUSCA"])
    assert len(only.frame) == 239


def test_geopko_bad_rows_get_clear_errors(tmp_path: Path) -> None:
    header = (
        "mission,year,country,location,latitude,longitude,Infantry,NoTroops,Reserve,hq,UNPOL,Med,"
        "Av,UNMO,ave.no.troops"
    )
    rows = [
        "MINUSCA,2015,Central African Republic,Bria,6.53,21.98,650,650,0,0,0,0,0,0,650",
        "MINUSCA,twenty,Central African Republic,Bria,6.53,21.98,650,650,0,0,0,0,0,0,650",
        "MINUSCA,2015,Central African Republic,Ndele,96.5,20.6,650,650,0,0,0,0,0,0,650",
        "MINUSCA,2015,Central African Republic,,6.5,20.6,650,-5,0,0,0,0,0,0,650",
        "MINUSCA,2015,Central African Republic,Obo,NA,26.5,650,650,0,0,0,0,0,0,650",
    ]
    path = tmp_path / "geopko.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        read_geopko(path)
    problems = {(p.row, p.column, p.code) for p in err.value.errors}
    assert problems == {
        (3, "year", "invalid_year"),
        (4, "latitude", "invalid_coordinate"),
        (5, "location", "missing_value"),
        (5, "NoTroops", "invalid_number"),
        (6, "latitude", "invalid_coordinate"),
    }
    assert "nothing was read" in str(err.value)
    assert "'twenty' is not a year" in str(err.value)
    missing = tmp_path / "missing.csv"
    missing.write_text("mission,year,location\nMINUSCA,2015,Bria\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="column 'latitude' not found"):
        read_geopko(missing)


# ---- deployments and activity logs -----------------------------------------------------------------


def test_sample_deployments_and_activities_read_and_place(mission, areas: Areas) -> None:  # type: ignore[no-untyped-def]
    dep = read_deployments(SAMPLE / "footprint" / "deployments.xlsx", mission=mission)
    assert len(dep.frame) == len(SITES)
    assert dep.frame["start"].map(type).eq(dt.date).all()
    placed = place_deployments(dep.frame, areas, mission)
    assert (placed["area"] == placed["pcode"].str[:4]).all()
    assert not placed["pcode_mismatch"].any()
    act = read_activities(SAMPLE / "footprint" / "activities.csv", mission=mission)
    assert set(act.frame["type"]) == {"patrol", "meeting", "qip"}
    meetings = act.frame[act.frame["type"] == "meeting"]
    assert (meetings["partner_types"] != "").all()
    assert (act.frame.loc[act.frame["type"] != "meeting", "partner_types"] == "").all()


def test_deployment_rows_are_checked_one_by_one(tmp_path: Path, mission) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "deployments.csv"
    path.write_text(
        "Site;Type;Latitude;Longitude;P-code;Début;Fin;Troupes;Notes\n"
        "Mbali;TOB;5,05;19,55;VD0301;01/12/2024;;450;colonel X\n"
        ";base;5.0;19.5;;2024-12-01;;450;\n"
        "Gounda;fortress;5.0;19.5;;2024-12-01;;450;\n"
        "Tora;base;;;VD99;2024-12-01;;450;\n"
        "Kaga;base;8.4;23.0;;2025-12-01;2025-01-01;-3;\n"
        "Birao;base;8.4;23.0;;soon;;;\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        read_deployments(path, mission=mission)
    got = {(p.row, p.code) for p in err.value.errors}
    assert got == {
        (3, "missing_value"),
        (4, "invalid_type"),
        (5, "unknown_pcode"),
        (6, "end_before_start"),
        (6, "invalid_number"),
        (7, "invalid_date"),
    }
    ok = tmp_path / "ok.csv"
    ok.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n" +
                  path.read_text(encoding="utf-8").splitlines()[1] + "\n", encoding="utf-8")  # fmt: skip
    dep = read_deployments(ok, mission=mission)
    row = dep.frame.iloc[0]
    assert row["type"] == "temporary_base" and row["latitude"] == 5.05
    assert row["start"] == dt.date(2024, 12, 1) and row["end"] is None
    # the free-text notes never go further than reading
    assert "Notes" in dep.report.dropped_columns and "Notes" not in dep.frame.columns


def test_activity_rows_are_checked(tmp_path: Path, mission) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "log.csv"
    path.write_text(
        "date,pcode,type,partner_types,count\n"
        "2025-03-02,VD0201,patrol,,2\n"
        "2025-03-02,VD0201,réunion,local_authority women_youth,1\n"
        "2025-13-40,VD0201,patrol,,1\n"
        "2025-03-02,VD77,patrol,,1\n"
        "2025-03-02,VD0201,meeting,warlords,1\n"
        "2025-03-02,VD0201,patrol,,0\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        read_activities(path, mission=mission)
    assert {(p.row, p.code) for p in err.value.errors} == {
        (4, "invalid_date"), (5, "unknown_pcode"), (6, "invalid_partner_type"), (7, "invalid_number"),
    }  # fmt: skip
    good = tmp_path / "good.csv"
    good.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:3]) + "\n")
    act = read_activities(good, mission=mission)
    assert list(act.frame["count"]) == [2, 1]
    assert act.frame["type"].tolist() == ["patrol", "meeting"]


def test_hostile_files_are_refused_by_the_shared_guard(tmp_path: Path) -> None:
    pdf = tmp_path / "deployments.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    with pytest.raises(DataValidationError) as err:
        read_deployments(pdf)
    assert err.value.errors[0].code == "not_a_spreadsheet"
    big = tmp_path / "log.csv"
    big.write_text("date,pcode,type\n" + "2025-01-01,VD01,patrol\n" * 50, encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        read_activities(big, max_bytes=100)
    assert err.value.errors[0].code == "too_large"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataValidationError, match="empty"):
        read_geopko(empty)


# ---- places and exposure ---------------------------------------------------------------------------


def test_distances_and_point_in_polygon(areas: Areas) -> None:
    # one degree of latitude is 111.19 km on the mean-radius sphere
    assert haversine_km(20, 5, 20, 6) == pytest.approx(111.195, abs=0.01)
    assert areas.locate([19.55, 50.0, np.nan], [5.05, 5.0, 5.0]).tolist() == ["VD03", "", ""]
    inside = areas.distance_km("VD03", [19.55], [5.05])
    assert inside.tolist() == [0.0]
    far = areas.distance_km("VD01", [19.55], [5.05])[0]
    assert 100 < far < 250  # Mbali-Centre to the Bangora region's eastern border


def test_sample_exposure_tells_the_story(mission) -> None:  # type: ignore[no-untyped-def]
    ex = sample_exposure(mission, SAMPLE).set_index(["number", "pcode"])
    # bases opened in Mbali and Lake Tora in December 2024: none before round 1, present after
    for pcode in ("VD03", "VD04"):
        assert ex.loc[(1, pcode), "base_present"] == 0
        assert ex.loc[(1, pcode), "years_present"] == 0
        assert ex.loc[(1, pcode), "distance_km"] > 50
        assert ex.loc[(2, pcode), "base_present"] == 1
        assert ex.loc[(2, pcode), "years_present"] == pytest.approx(165 / 365.25, abs=0.01)
    # the mission deployed on 1 April 2021 elsewhere
    assert ex.loc[(1, "VD01"), "years_present"] == pytest.approx(1323 / 365.25, abs=0.01)
    # Operation Bouclier (March-October 2025): more patrols and troops in Upper Kessi and Ouassa
    for pcode in ("VD02", "VD05"):
        assert ex.loc[(2, pcode), "patrols"] > 2 * ex.loc[(1, pcode), "patrols"]
        assert ex.loc[(2, pcode), "troop_months"] > ex.loc[(1, pcode), "troop_months"]
    assert (ex["distance_km"][ex["base_present"] == 1] == 0).all()


def test_rates_per_1000_need_a_population(mission, areas: Areas) -> None:  # type: ignore[no-untyped-def]
    dep = read_deployments(SAMPLE / "footprint" / "deployments.xlsx", mission=mission)
    rounds = pd.DataFrame(
        {
            "round": ["r"],
            "fieldwork_start": [dt.date(2025, 5, 5)],
            "fieldwork_end": [dt.date(2025, 5, 25)],
        }
    )
    act = pd.DataFrame(
        {"date": [dt.date(2025, 4, 1)] * 3, "pcode": ["VD0101", "VD01", "VD0301"],
         "type": ["patrol", "patrol", "meeting"], "partner_types": ["", "", "women_youth"],
         "count": [1, 4, 1]}
    )  # fmt: skip
    ex = exposure(dep.frame, rounds, areas, activities=act, mission=mission,
                  population={"VD01": 50_000, "VD03": 20_000}).set_index("pcode")  # fmt: skip
    assert ex.loc["VD01", "patrols"] == 5
    assert ex.loc["VD01", "patrols_per_1000"] == pytest.approx(0.1)
    assert ex.loc["VD03", "meetings_per_1000"] == pytest.approx(0.05)
    assert ex.loc["VD03", "partner_types_met"] == 1
    assert np.isnan(ex.loc["VD02", "patrols_per_1000"])
    with pytest.raises(DataValidationError, match="fieldwork_start"):
        exposure(dep.frame, rounds.drop(columns="fieldwork_start"), areas)
