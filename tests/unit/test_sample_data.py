"""The sample mission's generated files: reproducible, valid, and telling the documented story.

One module-scoped fixture regenerates the whole sample folder into a temporary directory (about
15 s of CPU) and every committed file is compared with its regenerated twin, by content.
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

import mande
from mande.config import MissionConfig, load_mission
from mande.demo import DEFAULT_SEED, MISSION_PATH, generate
from mande.demo._geo import REGION_RINGS, points_in_ring
from mande.demo.load import plan_of, read_sample_round
from mande.demo.survey import (
    ROUNDS,
    WEIGHT_COLUMNS,
    delivered,
    draw_round,
    true_values,
    true_values_markdown,
)
from mande.demo.xlsform import FORM_ID, build_form, kobo_columns
from mande.indicators.items import standard_items

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
ROUND_FILES = [SAMPLE / "rounds" / s.filename for s in ROUNDS]
NON_SUBSTANTIVE = {"7", "97", "98", "99"}


def _sheets(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def _read_round(path: Path) -> pd.DataFrame:
    """A round as text cells (empty cells as NaN)."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh, delimiter=";"))
    else:
        rows = next(iter(_sheets(path).values()))
    df = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    return df.map(lambda x: np.nan if x == "" or x is None else x)


def _with_generator_weights(df: pd.DataFrame, spec: Any, mission: MissionConfig) -> pd.DataFrame:
    """The export with the generator's own weights (the export carries none), row for row."""
    gen = delivered(draw_round(mission, spec, DEFAULT_SEED))
    assert (gen["_uuid"].to_numpy() == df["_uuid"].to_numpy()).all()
    out = df.copy()
    for w in WEIGHT_COLUMNS:
        out[w] = gen[w].to_numpy(dtype=float)
    return out


@pytest.fixture(scope="module")
def mission() -> MissionConfig:
    return load_mission(SAMPLE / "mission.yaml")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("sample")
    return out, generate(out)


@pytest.fixture(scope="module")
def rounds(mission: MissionConfig) -> dict[int, pd.DataFrame]:
    return {
        s.number: _with_generator_weights(_read_round(SAMPLE / "rounds" / s.filename), s, mission)
        for s in ROUNDS
    }


@pytest.fixture(scope="module")
def truth(mission: MissionConfig) -> pd.DataFrame:
    return true_values(mission, DEFAULT_SEED)


def _codes(df: pd.DataFrame, column: str, item: str, mission: MissionConfig) -> pd.Series:
    """A select_one column as codes (text), mapping French labels back to codes."""
    field = build_form(mission).get(item)
    back = {labels["fr"]: code for code, labels in field.choices}
    return df[column].map(lambda x: back.get(x, x))


def _favourable(
    df: pd.DataFrame, item: str, group: str, codes: set[str], mission: MissionConfig
) -> pd.Series:
    v = _codes(df, f"{group}/{item}", item, mission)
    return pd.Series(
        np.where(v.isna() | v.isin(NON_SUBSTANTIVE), np.nan, v.isin(codes).astype(float)),
        index=df.index,
    )


def _estimate(
    df: pd.DataFrame, y: pd.Series, domain: np.ndarray | None = None
) -> tuple[float, float, float]:
    """Weighted proportion with its linearised SE (strata, PSUs with replacement), and the deff."""
    w = df["weight_final"].to_numpy(dtype=float)
    yy = y.to_numpy(dtype=float)
    ok = ~np.isnan(yy) if domain is None else ~np.isnan(yy) & domain
    wz, yz = np.where(ok, w, 0.0), np.where(ok, yy, 0.0)
    p = (wz * yz).sum() / wz.sum()
    z = pd.DataFrame(
        {
            "h": df["location/stratum"],
            "c": df["location/cluster_id"],
            "z": wz * (yz - p) / wz.sum(),
        }
    )
    totals = z.groupby(["h", "c"])["z"].sum()
    var = 0.0
    for _, t in totals.groupby(level="h"):
        n = len(t)
        var += n / (n - 1) * float(((t - t.mean()) ** 2).sum())
    return p, np.sqrt(var), var / (p * (1 - p) / ok.sum())


# --------------------------------------------------------------------------------------------
# Reproducibility


def test_regenerating_reproduces_every_committed_file(
    regenerated: tuple[Path, list[Path]],
) -> None:
    out, paths = regenerated
    names = {p.relative_to(out).as_posix() for p in paths}
    assert {"forms/perception_survey.xlsx", "regions.geojson"} <= names
    assert {f"rounds/{s.filename}" for s in ROUNDS} <= names
    assert any(n.startswith("interviews/") for n in names)
    assert {"footprint/deployments.xlsx", "footprint/activities.csv"} <= names
    for rel in sorted(names):
        committed, fresh = SAMPLE / rel, out / rel
        assert committed.exists(), f"{rel} is generated but not committed"
        if fresh.suffix == ".xlsx":
            assert _sheets(fresh) == _sheets(committed), f"{rel} differs from the committed file"
        else:
            assert fresh.read_bytes() == committed.read_bytes(), f"{rel} differs"


def test_workbooks_are_byte_identical_from_run_to_run(
    regenerated: tuple[Path, list[Path]], mission: MissionConfig, tmp_path: Path
) -> None:
    from mande.demo.xlsform import write_form

    out, _ = regenerated
    again = write_form(tmp_path / "form.xlsx", mission)
    assert again.read_bytes() == (out / "forms" / "perception_survey.xlsx").read_bytes()


def test_a_round_depends_only_on_the_seed(mission: MissionConfig) -> None:
    a = draw_round(mission, ROUNDS[0], seed=7)
    b = draw_round(mission, ROUNDS[0], seed=7)
    c = draw_round(mission, ROUNDS[0], seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a["_uuid"].equals(c["_uuid"])


def test_packaged_mission_is_the_sample_mission() -> None:
    assert MISSION_PATH.read_bytes() == (SAMPLE / "mission.yaml").read_bytes()


def test_cli_generate_defaults_to_the_committed_seed() -> None:
    import inspect

    from mande.cli import demo_generate_cmd

    seed = inspect.signature(demo_generate_cmd).parameters["seed"].default
    assert seed == DEFAULT_SEED
    from typer.testing import CliRunner

    from mande.cli import app

    result = CliRunner().invoke(app, ["demo", "generate", "--help"])
    assert result.exit_code == 0
    assert "--seed" in result.output


# --------------------------------------------------------------------------------------------
# The form


def test_form_converts_with_pyxform(tmp_path: Path) -> None:
    from pyxform.xls2xform import xls2xform_convert

    warnings = xls2xform_convert(
        SAMPLE / "forms" / "perception_survey.xlsx", tmp_path / "form.xml", validate=False
    )
    assert warnings == []
    xml = (tmp_path / "form.xml").read_text(encoding="utf-8")
    assert 'lang="French (fr)"' in xml and 'lang="English (en)"' in xml


def test_form_carries_every_standard_item_with_its_codes() -> None:
    sheets = _sheets(SAMPLE / "forms" / "perception_survey.xlsx")
    assert list(sheets) == ["survey", "choices", "settings"]
    survey = pd.DataFrame(sheets["survey"][1:], columns=sheets["survey"][0])
    choices = pd.DataFrame(sheets["choices"][1:], columns=sheets["choices"][0])
    for col in ("label::English (en)", "label::French (fr)", "relevant", "constraint"):
        assert col in survey.columns
    rows = survey.set_index("name")
    items = standard_items()
    for name, item in items.items.items():
        assert name in rows.index, name
        kind, _, list_name = str(rows.at[name, "type"]).partition(" ")
        assert kind == item.kind, name
        if kind.startswith("select") and item.scale not in ("region", "admin2"):
            codes = choices.loc[choices["list_name"] == list_name, "name"].astype(str).tolist()
            assert codes == [str(c) for c in item.codes], name
            labels = choices.loc[choices["list_name"] == list_name, "label::French (fr)"]
            assert labels.is_unique, f"French labels of {list_name} must map back to one code"
    assert rows.at["victim_reported", "relevant"] == "${victim} = 1"
    assert rows.at["admin2", "choice_filter"] == "region=${region}"
    assert str(rows.at["age", "constraint"]).startswith(". >= 18")
    assert rows.at["discrimination", "type"].startswith("select_multiple")
    for personal in ("resp_name", "resp_phone", "gps", "comments", "cluster_id", "stratum"):
        assert personal in rows.index
    settings = dict(zip(*sheets["settings"], strict=True))
    assert settings["form_id"] == FORM_ID and settings["version"]


# --------------------------------------------------------------------------------------------
# The rounds


@pytest.mark.parametrize("spec", ROUNDS, ids=lambda s: s.filename)
def test_round_is_a_kobo_export_with_design_and_personal_data(
    spec: Any, rounds: dict[int, pd.DataFrame], mission: MissionConfig
) -> None:
    df = rounds[spec.number]
    header = [h for h, _, _ in kobo_columns(build_form(mission))]
    assert list(_read_round(SAMPLE / "rounds" / spec.filename).columns) == header  # no weights
    assert [c for c in df.columns if c not in WEIGHT_COLUMNS] == header
    assert 2500 <= len(df) <= 4000
    for col in (
        "location/stratum",
        "location/cluster_id",
        "location/hh_number",
        *WEIGHT_COLUMNS,
        "_uuid",
        "_submission_time",
        "_index",
        "start",
        "end",
        "state/discrimination/ethnicity",
    ):
        assert df[col].notna().all(), col
    assert (df["weight_final"] > 0).all()
    assert (df["weight_final"] / df["weight_nr"]).between(0.5, 2).all()
    assert df["_uuid"].is_unique
    assert df.groupby("location/stratum")["location/cluster_id"].nunique().between(25, 45).all()
    # personal data that ingest must strip
    assert df["respondent/resp_name"].notna().mean() > 0.95
    assert df["respondent/resp_phone"].dropna().str.contains(r"7\d(?: ?\d\d){3}$").all()
    assert df["location/gps"].notna().mean() > 0.9
    comments = df["comments"].dropna()
    assert comments.str.contains("@").any() and comments.str.contains(r"7\d \d\d").any()
    # the 0/1 columns agree with the space-separated column (round 2: French labels)
    multi = _codes(df, "state/discrimination", "discrimination", mission)
    if spec.values == "xml":
        has_ethnicity = multi.str.split().map(lambda xs: "ethnicity" in xs)
        assert (has_ethnicity == (df["state/discrimination/ethnicity"].astype(str) == "1")).all()


def test_round_2_holds_french_labels_and_round_3_is_kobo_csv(
    rounds: dict[int, pd.DataFrame], mission: MissionConfig
) -> None:
    form = build_form(mission)
    safe = form.get("safe_dark")
    french = {labels["fr"] for _, labels in safe.choices}
    assert set(rounds[2]["security/safe_dark"].dropna()) <= french
    assert set(rounds[1]["security/safe_dark"].dropna()) <= {c for c, _ in safe.choices}
    assert set(rounds[2]["respondent/sex"]) == {"Femme", "Homme"}
    first = (SAMPLE / "rounds" / ROUNDS[2].filename).read_text(encoding="utf-8").split("\r\n")[0]
    assert first.startswith('"start";"end";"today";"deviceid";')
    workbook = CalamineWorkbook.from_path(str(SAMPLE / "rounds" / ROUNDS[0].filename))
    assert workbook.sheet_names == [FORM_ID]


def test_non_substantive_answers_are_realistic(rounds: dict[int, pd.DataFrame]) -> None:
    df = rounds[1]
    mission_dk = (df["mission/mission_satisfaction"] == "98").mean()
    assert 0.05 <= mission_dk <= 0.10
    women = df["respondent/sex"] == "female"
    never_out = df["security/safe_dark"] == "7"
    assert never_out[women].mean() > 3 * never_out[~women].mean() > 0
    assert (df["security/safe_dark"] == "99").mean() < 0.01
    assert df["security/victim_reported"].notna().sum() == (df["security/victim"] == "1").sum()


# --------------------------------------------------------------------------------------------
# The story


def test_safety_rises_where_the_mission_deployed_and_not_in_the_capital(
    rounds: dict[int, pd.DataFrame], mission: MissionConfig
) -> None:
    safe = {
        r: (df, _favourable(df, "safe_dark", "security", {"1", "2"}, mission))
        for r, df in rounds.items()
    }

    def est(r: int, region: str) -> tuple[float, float]:
        df, y = safe[r]
        p, se, _ = _estimate(df, y, (df["location/stratum"] == region).to_numpy())
        return p, se

    for region in ("VD03", "VD04"):
        (p1, se1), (p4, se4) = est(1, region), est(4, region)
        assert p4 - p1 > 0.10, region
        assert (p4 - p1) / np.hypot(se1, se4) > 2.5, region
    (p1, se1), (p4, se4) = est(1, "VD01"), est(4, "VD01")
    assert abs(p4 - p1) / np.hypot(se1, se4) < 1.96  # no true change in the capital


def test_women_feel_less_safe_and_acceptance_declines(
    rounds: dict[int, pd.DataFrame], mission: MissionConfig
) -> None:
    for df in rounds.values():
        y = _favourable(df, "safe_dark", "security", {"1", "2"}, mission)
        women = _codes(df, "respondent/sex", "sex", mission).eq("female").to_numpy()
        p_women, _, _ = _estimate(df, y, women)
        p_men, _, _ = _estimate(df, y, ~women)
        assert p_men - p_women > 0.05
    old = []
    for r in (1, 4):
        df = rounds[r]
        y = _favourable(df, "mission_satisfaction", "mission", {"1", "2"}, mission)
        longstanding = ~df["location/stratum"].isin(["VD03", "VD04"]).to_numpy()
        old.append(_estimate(df, y, longstanding)[0])
    assert old[0] - old[1] > 0.04


def test_estimates_agree_with_the_true_values_and_design_effects_are_realistic(
    rounds: dict[int, pd.DataFrame], mission: MissionConfig, truth: pd.DataFrame
) -> None:
    z, deffs = [], []
    for r, df in rounds.items():
        y = _favourable(df, "safe_dark", "security", {"1", "2"}, mission)
        for region in [x.pcode for x in mission.regions]:
            p, se, deff = _estimate(df, y, (df["location/stratum"] == region).to_numpy())
            sel = truth[
                (truth["item"] == "safe_dark")
                & (truth["round"] == r)
                & (truth["region"] == region)
                & (truth["group"] == "all")
            ]
            z.append((p - sel["value"].iloc[0]) / se)
            deffs.append(deff)
    assert np.max(np.abs(z)) < 4
    assert abs(np.mean(z)) < 0.6  # no systematic bias: the weights undo the design
    assert 1.5 <= np.median(deffs) <= 3


def test_readme_documents_the_true_values(truth: pd.DataFrame, mission: MissionConfig) -> None:
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- true-values:", 1)[1].split("-->", 1)[1]
    block = block.split("<!-- end true-values -->", 1)[0]
    assert block.strip() == true_values_markdown(truth, mission).strip()
    for heading in ("## Partner-interview coding sheets", "### Columns", "## `regions.geojson`"):
        assert heading in text


# --------------------------------------------------------------------------------------------
# Geography


def test_regions_geojson_is_six_adjacent_non_overlapping_polygons(
    mission: MissionConfig, rounds: dict[int, pd.DataFrame]
) -> None:
    data = json.loads((SAMPLE / "regions.geojson").read_text(encoding="utf-8"))
    features = data["features"]
    assert sorted(f["properties"]["pcode"] for f in features) == [r.pcode for r in mission.regions]
    rings = {}
    for f in features:
        assert {"name_en", "name_fr"} <= set(f["properties"])
        ring = np.array(f["geometry"]["coordinates"][0])
        assert (ring[0] == ring[-1]).all()
        x, y = ring[:, 0], ring[:, 1]
        assert np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]) > 0  # counter-clockwise
        assert (x >= 15).all() and (x <= 26).all() and (y >= 3).all() and (y <= 11).all()
        rings[f["properties"]["pcode"]] = ring
    gx, gy = np.meshgrid(np.linspace(15, 25.3, 120), np.linspace(3, 10.2, 90))
    inside = np.array([points_in_ring(gx.ravel(), gy.ravel(), r) for r in rings.values()])
    assert inside.sum(axis=0).max() == 1  # no overlap
    assert inside.any(axis=1).all()
    for a, b in itertools.combinations(rings, 2):
        shared = {tuple(p) for p in rings[a][:-1]} & {tuple(p) for p in rings[b][:-1]}
        if len(shared) >= 2:
            break
    else:
        pytest.fail("no two regions share a border")
    neighbours = {
        a: sum(
            len({tuple(p) for p in rings[a][:-1]} & {tuple(p) for p in rings[b][:-1]}) >= 2
            for b in rings
            if b != a
        )
        for a in rings
    }
    assert min(neighbours.values()) >= 2
    assert set(rings) == set(REGION_RINGS)
    df = rounds[4]
    for region, ring in rings.items():
        sel = df[(df["location/stratum"] == region) & df["location/_gps_latitude"].notna()]
        lat = sel["location/_gps_latitude"].astype(float).to_numpy()
        lon = sel["location/_gps_longitude"].astype(float).to_numpy()
        assert points_in_ring(lon, lat, ring).all(), region


def test_public_reading_of_a_round_works(mission: MissionConfig) -> None:
    """The standard form and a round go through mande's own reader, weighted from the round's
    plan and the mission's margins as the demo loads them; the base and non-response-adjusted
    weights are the generator's own."""
    form = mande.read_xlsform(SAMPLE / "forms" / "perception_survey.xlsx")
    rnd = read_sample_round(ROUND_FILES[2], form=form)
    assert len(rnd.responses) == len(_read_round(ROUND_FILES[2]))
    gen = delivered(draw_round(mission, ROUNDS[2], DEFAULT_SEED))
    np.testing.assert_allclose(rnd.responses["weight_base"], gen["weight_design"], rtol=2e-6)
    np.testing.assert_allclose(rnd.responses["weight_nr"], gen["weight_nr"], rtol=2e-6)
    assert rnd.design.calibration is not None
    w = rnd.responses["weight"]
    assert w.sum() == pytest.approx(sum(mission.population.margins["sex"].values()), rel=1e-9)


@pytest.mark.parametrize("spec", ROUNDS, ids=[s.filename for s in ROUNDS])
def test_each_round_has_its_sample_plan(spec: Any) -> None:
    """plans/<round>.csv: one row per PSU of the export, with the interviews the export holds."""
    plan = mande.read_plan(plan_of(SAMPLE / "rounds" / spec.filename)).table
    df = _read_round(SAMPLE / "rounds" / spec.filename)
    counts = df.groupby(["location/stratum", "location/cluster_id"]).size()
    got = plan.set_index(["stratum", "psu"])["households_interviewed"]
    assert set(counts.index) <= set(got.index)
    assert (got.reindex(counts.index) == counts).all()
    assert plan["inclusion_prob"].between(0, 1, inclusive="right").all()
    assert (plan["households_selected"] <= plan["households_listed"]).all()
