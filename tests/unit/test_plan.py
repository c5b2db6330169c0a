"""Planning a round: sample size, allocation, PPS selection, the plan file and the field list."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import mande
from mande.errors import DataValidationError, DesignError
from mande.plan import PLAN_COLUMNS, SELECTION_COLUMNS

IN_CI = __import__("os").environ.get("CI", "").lower() in ("1", "true", "yes")
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
Z95 = 1.959963984540054  # qnorm(0.975)
Z90 = 1.6448536269514722  # qnorm(0.95)


# ------------------------------------------------------------------------------------------
# sample_size and expected_moe (Cochran 1977, 4.4 and 4.6), computed by hand


def test_sample_size_cochran_by_hand() -> None:
    # n0 = 1.96^2 * 0.25 / 0.05^2 = 384.15 -> 385, Cochran's classic figure
    assert mande.sample_size(0.05, deff=1.0) == 385
    # design effect 2: n0 = 768.29 -> 769
    assert mande.sample_size(0.05) == 769
    # and an 85 % response rate: 768.29 / 0.85 = 903.87 -> 904
    assert mande.sample_size(0.05, deff=2.0, response_rate=0.85) == 904
    # finite population N = 1000: 384.15 / (1 + 383.15 / 1000) = 277.74 -> 278
    assert mande.sample_size(0.05, deff=1.0, population=1000) == 278
    # 90 % level, p = 0.3, moe 0.03: 1.6449^2 * 0.21 / 0.0009 = 631.30 -> 632
    assert mande.sample_size(0.03, p=0.3, deff=1.0, level=0.90) == 632
    n0 = Z90**2 * 0.21 / 0.03**2
    assert math.ceil(n0) == 632


def test_expected_moe_is_the_inverse_of_sample_size() -> None:
    assert mande.expected_moe(Z95**2 * 0.25 / 0.05**2, deff=1.0) == pytest.approx(0.05, rel=1e-12)
    # 400 completed interviews, deff 2, N = 5000: 1.96 * sqrt(0.5 (5000 - 400) / (400 * 4999))
    want = Z95 * math.sqrt(0.25 * 2 * (5000 - 400) / (400 * 4999))
    assert mande.expected_moe(500, response_rate=0.8, population=5000) == pytest.approx(want)
    assert mande.expected_moe(0) == math.inf
    for moe in (0.03, 0.05, 0.08):
        n = mande.sample_size(moe, population=20000, response_rate=0.9)
        assert mande.expected_moe(n, population=20000, response_rate=0.9) <= moe
        assert mande.expected_moe(n - 1, population=20000, response_rate=0.9) > moe


@pytest.mark.parametrize(
    "kwargs",
    [
        {"moe": 0}, {"moe": 1.2}, {"moe": 0.05, "p": 1.0}, {"moe": 0.05, "deff": 0},
        {"moe": 0.05, "response_rate": 0}, {"moe": 0.05, "level": 95},
        {"moe": 0.05, "population": 0},
    ],
)  # fmt: skip
def test_sample_size_refuses_out_of_range(kwargs: dict[str, float]) -> None:
    with pytest.raises(DesignError):
        mande.sample_size(**kwargs)


# ------------------------------------------------------------------------------------------
# allocate

POP = {"A": 5000, "B": 3000, "C": 1500, "D": 500}


def test_proportional_allocation_by_hand() -> None:
    out = mande.allocate(1000, POP)
    # 1000 x (0.5, 0.3, 0.15, 0.05): exact
    assert out["n"].tolist() == [500, 300, 150, 50]
    assert out["n"].sum() == 1000
    assert out["share"].tolist() == [0.5, 0.3, 0.15, 0.05]


def test_minimum_per_stratum_then_proportional_by_hand() -> None:
    out = mande.allocate(1000, POP, min_per_stratum=100, max_moe=0.10)
    # D is raised to 100; 900 shared over 9500: 473.68, 284.21, 142.11 -> 473, 284, 142 and the
    # one left by the floors goes to the largest remainder (A, .68)
    assert out["n"].tolist() == [474, 284, 142, 100]
    # expected margin for D: 1.96 sqrt(0.25 * 2 * (500 - 100) / (100 * 499)) = 0.1241
    d = out.set_index("stratum").loc["D"]
    assert d["expected_moe"] == pytest.approx(Z95 * math.sqrt(0.5 * 400 / (100 * 499)))
    assert out["reportable"].tolist() == [True, True, False, False]


def test_power_allocation_by_hand() -> None:
    out = mande.allocate(1000, POP, method="power", power=0.5)
    # sqrt(N): 70.71, 54.77, 38.73, 22.36 (sum 186.57) -> ideal 379.00, 293.57, 207.58, 119.85;
    # floors 379 + 293 + 207 + 119 = 998, the two largest remainders (D .85, C .58) get one more
    assert out["n"].tolist() == [379, 293, 208, 120]


def test_equal_and_neyman_allocations() -> None:
    assert mande.allocate(10, POP, method="equal")["n"].tolist() == [3, 3, 2, 2]
    # Neyman with S_h: N_h S_h = 5000 x 0.1, 3000 x 0.5, 1500 x 0.5, 500 x 1.0 = 500, 1500, 750, 500
    sd = {"A": 0.1, "B": 0.5, "C": 0.5, "D": 1.0}
    assert mande.allocate(650, POP, method="neyman", sd=sd)["n"].tolist() == [100, 300, 150, 100]
    # without sd every stratum has sqrt(p(1-p)): Neyman is proportional
    assert (
        mande.allocate(1000, POP, method="neyman")["n"].tolist()
        == mande.allocate(1000, POP)["n"].tolist()
    )


def test_allocation_never_exceeds_a_population_and_refuses_the_impossible() -> None:
    out = mande.allocate(60, {"A": 1000, "B": 20}, method="equal")
    assert out["n"].tolist() == [40, 20]
    with pytest.raises(DesignError, match="cannot give 300"):
        mande.allocate(1000, POP, min_per_stratum=300)
    with pytest.raises(DesignError, match="method"):
        mande.allocate(100, POP, method="optimal")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# select_psus


def _frame() -> pd.DataFrame:
    """Two strata with certainty units: 'Nord' has two towns, one reaching 1 only on a second
    pass; 'Sud' has none."""
    rng = np.random.default_rng(2024)
    nord = np.r_[np.round(rng.lognormal(6.0, 0.7, 22)), 9000.0, 5200.0]
    sud = np.round(rng.lognormal(6.0, 0.5, 16))
    return pd.DataFrame(
        {
            "village": [f"v{i:02d}" for i in range(len(nord) + len(sud))],
            "region": ["Nord"] * len(nord) + ["Sud"] * len(sud),
            "admin2": (["N1", "N2"] * 12) + (["S1", "S2"] * 8),
            "population": np.r_[nord, sud],
        }
    )


N = {"Nord": 6, "Sud": 5}


def test_select_psus_returns_the_frame_with_its_columns() -> None:
    frame = _frame()
    out = mande.select_psus(frame, n=N, strata="region", size="population", seed=7)
    assert list(out.columns) == [*frame.columns, *SELECTION_COLUMNS]
    assert out.index.equals(frame.index)
    pd.testing.assert_frame_equal(out[frame.columns], frame)
    assert out.groupby("region")["selected"].sum().to_dict() == N
    assert out.groupby("region")["inclusion_prob"].sum().to_dict() == pytest.approx(N)
    nord = out[out["region"] == "Nord"]
    assert nord["certainty"].sum() == 2  # 9000 in the first pass, 5200 in the second
    assert out.loc[out["certainty"], "inclusion_prob"].eq(1.0).all()
    orders = out[out["selected"]].groupby("region")["selection_order"].apply(sorted)
    assert orders.to_dict() == {h: list(range(1, k + 1)) for h, k in N.items()}
    assert out.loc[~out["selected"], "selection_order"].isna().all()


def test_each_village_is_drawn_as_often_as_its_probability_says() -> None:
    """4000 draws with seeds 0..3999. For each village, the number of draws that take it is
    Binomial(4000, pi_i) if the draw is right; we allow 4 standard deviations,
    |count - 4000 pi| <= 4 sqrt(4000 pi (1 - pi)) (+1 for the discreteness), which a correct draw
    fails for one of the 40 villages with probability under 0.3 %. Every draw takes exactly n per
    stratum and every certainty unit."""
    frame = _frame()
    draws = 4000
    counts = np.zeros(len(frame))
    first = mande.select_psus(frame, n=N, strata="region", size="population", seed=0)
    pik = first["inclusion_prob"].to_numpy()
    certain = first["certainty"].to_numpy()
    assert certain.sum() == 2
    masks = {h: (frame["region"] == h).to_numpy() for h in N}
    for seed in range(draws):
        out = mande.select_psus(frame, n=N, strata="region", size="population", seed=seed)
        sel = out["selected"].to_numpy()
        counts += sel
        for h, k in N.items():
            assert sel[masks[h]].sum() == k, (seed, h)
        assert sel[certain].all(), seed
    expected = draws * pik
    tolerance = 4 * np.sqrt(draws * pik * (1 - pik)) + 1
    worst = np.abs(counts - expected) - tolerance
    assert (worst <= 0).all(), pd.DataFrame({"count": counts, "expected": expected})[worst > 0]


def test_without_size_every_village_has_the_same_probability() -> None:
    frame = _frame()
    out = mande.select_psus(frame, n=N, strata="region", seed=3)
    for h, k in N.items():
        g = out[out["region"] == h]
        assert g["inclusion_prob"].to_numpy() == pytest.approx(k / len(g))
        assert g["selected"].sum() == k
        assert not g["certainty"].any()
    # one stratum and one number
    one = mande.select_psus(frame, n=8, seed=3)
    assert one["selected"].sum() == 8
    assert one["inclusion_prob"].to_numpy() == pytest.approx(8 / len(frame))


def test_the_seed_reproduces_the_draw_and_strata_draw_independently() -> None:
    frame = _frame()
    a = mande.select_psus(frame, N, strata="region", size="population", seed=7)
    b = mande.select_psus(frame, N, strata="region", size="population", seed=7)
    pd.testing.assert_frame_equal(a, b)
    c = mande.select_psus(frame, N, strata="region", size="population", seed=8)
    assert not a["selected"].equals(c["selected"])
    # a stratum's draw depends only on the seed and its own villages
    sud = frame[frame["region"] == "Sud"]
    alone = mande.select_psus(sud, {"Sud": 5}, strata="region", size="population", seed=7)
    assert alone["selected"].tolist() == a.loc[sud.index, "selected"].tolist()
    assert a.attrs["seed"] == 7
    assert isinstance(mande.select_psus(frame, N, strata="region").attrs["seed"], int)


def test_replacements_are_drawn_apart_among_the_villages_not_selected() -> None:
    frame = _frame()
    out = mande.select_psus(
        frame, N, strata="region", size="population", seed=5, replacements={"Nord": 2, "Sud": 3}
    )
    assert not (out["selected"] & out["replacement"]).any()
    assert out.groupby("region")["replacement"].sum().to_dict() == {"Nord": 2, "Sud": 3}
    orders = out[out["replacement"]].groupby("region")["replacement_order"].apply(sorted)
    assert orders.to_dict() == {"Nord": [1, 2], "Sud": [1, 2, 3]}
    # the main draw is the same with or without replacements
    plain = mande.select_psus(frame, N, strata="region", size="population", seed=5)
    assert plain["selected"].equals(out["selected"])
    assert not plain["replacement"].any()


def test_sort_by_orders_the_list_for_implicit_stratification() -> None:
    frame = _frame()
    out = mande.select_psus(
        frame, N, strata="region", size="population", seed=1, sort_by=["admin2"]
    )
    for _, g in out[out["selected"]].groupby("region"):
        by_order = g.sort_values("selection_order")["admin2"].tolist()
        assert by_order == sorted(by_order)  # the list runs admin area by admin area


def test_select_psus_refuses_what_cannot_be_drawn() -> None:
    frame = _frame()
    with pytest.raises(DesignError, match="no number for stratum 'Sud'"):
        mande.select_psus(frame, {"Nord": 3}, strata="region", size="population")
    with pytest.raises(DesignError, match="strata not in the frame: 'Est'"):
        mande.select_psus(frame, {**N, "Est": 2}, strata="region", size="population")
    with pytest.raises(DesignError, match="16 village"):
        mande.select_psus(frame, {"Nord": 3, "Sud": 17}, strata="region", size="population")
    bad = frame.copy()
    bad.loc[3, "population"] = -5
    bad.loc[4, "population"] = np.nan
    with pytest.raises(DataValidationError) as err:
        mande.select_psus(bad, N, strata="region", size="population")
    assert [p.row for p in err.value.problems] == [5, 6]
    with pytest.raises(DataValidationError, match="no column 'pop'"):
        mande.select_psus(frame, N, strata="region", size="pop")


# ------------------------------------------------------------------------------------------
# The sample mission's frame, a round's plan, the plan file and the field list


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return mande.read_frame(SAMPLE / "frame.csv")


@pytest.fixture(scope="module")
def plan(frame: pd.DataFrame) -> mande.RoundPlan:
    return mande.plan_round(frame, moe=0.06, seed=7, round_label="2026-R5", replacements=2)


def test_sample_frame_holds_the_villages_the_rounds_drew(frame: pd.DataFrame) -> None:
    from mande.demo import DEFAULT_SEED
    from mande.demo._frame import build_frame

    assert len(frame) == 1200 and frame["psu"].is_unique
    assert set(frame["region"]) == {"VD01", "VD02", "VD03", "VD04", "VD05", "VD06"}
    assert (frame["population"] >= frame["households"]).all()
    # the generator's own frame, which every sample round draws from
    built = build_frame(mande.load_mission(SAMPLE / "mission.yaml"), DEFAULT_SEED)
    assert frame["psu"].tolist() == built["cluster_id"].tolist()
    assert frame["village"].tolist() == built["village"].tolist()
    assert frame["households"].tolist() == built["households"].astype(float).tolist()
    assert (frame["urban_rural"] == np.where(built["urban"], "urban", "rural")).all()
    # and the villages of a delivered round are in it, with the same names and regions
    rnd = pd.read_csv(SAMPLE / "rounds" / "round3_2025-11.csv", sep=";", dtype=str)
    rnd.columns = [c.rsplit("/", 1)[-1] for c in rnd.columns]  # Kobo's group paths
    villages = rnd[["cluster_id", "village", "region"]].dropna().drop_duplicates()
    merged = villages.merge(frame, left_on="cluster_id", right_on="psu", how="left")
    assert merged["psu"].notna().all()
    assert (merged["village_x"] == merged["village_y"]).all()
    assert (merged["region_x"] == merged["region_y"]).all()


def test_plan_round_meets_the_targets(plan: mande.RoundPlan, frame: pd.DataFrame) -> None:
    alloc = plan.allocation.set_index("stratum")
    for h, row in alloc.iterrows():
        pop = frame.loc[frame["region"] == h, "population"].sum()
        assert row["interviews_needed"] == mande.sample_size(0.06, population=pop)
        assert row["villages"] == math.ceil(row["interviews_needed"] / 12)
        assert row["interviews"] == row["villages"] * 12
        assert row["expected_moe"] <= 0.06 and row["reportable"]
    assert plan.selected.groupby("region").size().to_dict() == alloc["villages"].to_dict()
    assert (plan.replacements.groupby("region").size() == 2).all()
    again = mande.plan_round(frame, moe=0.06, seed=7, round_label="2026-R5", replacements=2)
    pd.testing.assert_frame_equal(again.selection, plan.selection)


def test_plan_round_by_total_and_method(frame: pd.DataFrame) -> None:
    p = mande.plan_round(frame, n=2400, method="equal", interviews_per_village=15, seed=1,
                         max_moe=0.08)  # fmt: skip
    assert p.allocation["interviews_needed"].tolist() == [400] * 6
    assert p.allocation["villages"].tolist() == [27] * 6
    assert p.allocation["reportable"].all()
    with pytest.raises(DesignError, match="too few villages"):
        mande.plan_round(frame, moe=0.01)
    with pytest.raises(DesignError, match="either moe"):
        mande.plan_round(frame)


def test_plan_file_has_the_agreed_columns(plan: mande.RoundPlan, tmp_path: Path) -> None:
    table = plan.plan_table()
    assert tuple(table.columns) == PLAN_COLUMNS
    assert len(table) == plan.allocation["villages"].sum()
    assert table["households_interviewed"].isna().all()
    assert (table["households_selected"] == 12).all()
    assert table["round"].eq("2026-R5").all()
    sel = plan.selected
    assert table["psu"].tolist() == sel["psu"].tolist()
    assert table["inclusion_prob"].tolist() == sel["inclusion_prob"].tolist()
    assert table["households_listed"].tolist() == sel["households"].astype(int).tolist()
    csv = mande.write_plan(plan, tmp_path / "plan.csv")
    back = pd.read_csv(csv)
    assert tuple(back.columns) == PLAN_COLUMNS
    # probabilities survive the round trip exactly (17 significant digits)
    assert back["inclusion_prob"].tolist() == table["inclusion_prob"].tolist()
    xlsx = mande.write_plan(plan, tmp_path / "plan.xlsx")
    ws = openpyxl.load_workbook(xlsx)["plan"]
    assert [c.value for c in ws[1]] == list(PLAN_COLUMNS)
    assert ws.max_row == len(table) + 1


def test_field_list_sheets_and_values(plan: mande.RoundPlan, tmp_path: Path) -> None:
    mission = mande.load_mission(SAMPLE / "mission.yaml")
    path = mande.write_field_list(plan, tmp_path / "field.xlsx", mission=mission)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Villages", "Replacements", "Allocation", "About"]
    villages = wb["Villages"]
    assert villages["A1"].value == "No." and villages["G1"].value == "Interviews to do"
    assert villages.max_row == len(plan.selected) + 1
    first = plan.selected.iloc[0]
    assert villages["B2"].value == "Bangora"  # the region's name, not its p-code
    assert villages["D2"].value == first["village"] and villages["E2"].value == first["psu"]
    assert villages["G2"].value == 12
    assert wb["Replacements"].max_row == len(plan.replacements) + 1
    assert wb["About"]["B2"].value == 7  # the seed
    fr = mande.write_field_list(plan, tmp_path / "terrain.xlsx", mission=mission, lang="fr")
    assert openpyxl.load_workbook(fr).sheetnames[1] == "Remplacements"


def test_field_list_never_holds_a_formula(frame: pd.DataFrame, tmp_path: Path) -> None:
    hostile = frame.copy()
    names = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)"]
    hostile.loc[hostile.index[:4], "village"] = names
    hostile.loc[hostile.index[:4], "population"] = 1e7  # certainty: sure to be in the list
    p = mande.plan_round(hostile, moe=0.08, seed=2)
    path = mande.write_field_list(p, tmp_path / "field.xlsx")
    ws = openpyxl.load_workbook(path)["Villages"]
    cells = {c.value: c for row in ws.iter_rows(min_col=4, max_col=4) for c in row}
    for name in names:
        assert cells[name].data_type == "s" and cells[name].quotePrefix
    from mande.report._cells import foreign_formulas

    assert foreign_formulas(path) == []


def test_field_list_opens_in_libreoffice(plan: mande.RoundPlan, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        msg = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc"
        if IN_CI:
            pytest.fail(f"CI: {msg}", pytrace=False)
        pytest.skip(msg)
    path = mande.write_field_list(plan, tmp_path / "field_list.xlsx")
    profile = (tmp_path / "lo-profile").as_uri()
    cmd = [
        soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
        "--outdir", str(tmp_path), str(path),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "field_list.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 20_000  # 271 villages on several pages, not an empty sheet
    # and LibreOffice reads the values: its CSV of the first sheet lists the villages
    cmd[cmd.index("pdf")] = "csv:Text - txt - csv (StarCalc):44,34,76"
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    text = (tmp_path / "field_list.csv").read_text(encoding="utf-8")
    assert "Interviews to do" in text.splitlines()[0]
    assert all(str(v) in text for v in plan.selected["psu"])


def test_read_frame_refuses_a_bad_frame(tmp_path: Path) -> None:
    path = tmp_path / "frame.csv"
    path.write_text(
        "psu,village,region,admin2,urban_rural,population\n"
        "A1,Kolo,R1,R1a,rural,300\nA1,Sara,R1,R1a,town,x\n,Mbe,R1,R1a,urban,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        mande.read_frame(path)
    found = {(p.code, p.row) for p in err.value.problems}
    assert {("duplicate_psu", 2), ("duplicate_psu", 3), ("bad_urban_rural", 3),
            ("bad_population", 3), ("bad_population", 4), ("missing_psu", 4)} <= found  # fmt: skip
    (tmp_path / "fake.csv").write_bytes(b"%PDF-1.4 not a frame")
    with pytest.raises(DataValidationError, match="not a spreadsheet"):
        mande.read_frame(tmp_path / "fake.csv")


def test_the_weighting_step_reads_the_plan_file(plan: mande.RoundPlan, tmp_path: Path) -> None:
    """After fieldwork the officer fills households_interviewed; mande.weighting reads the file."""
    from mande.weighting import read_plan

    table = plan.plan_table()
    table["households_interviewed"] = table["households_selected"] - 1
    for suffix in ("csv", "xlsx"):
        path = mande.write_plan(table, tmp_path / f"plan.{suffix}")
        read = read_plan(path).table
        assert read["psu"].tolist() == table["psu"].tolist()
        assert read["inclusion_prob"].tolist() == pytest.approx(table["inclusion_prob"].tolist())
        assert read_plan(path).for_round("2026-R5").table.shape[0] == len(table)


def test_cli_plan_commands(frame: pd.DataFrame, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mande.cli import app

    runner = CliRunner()
    size = runner.invoke(app, ["plan", "size", "--moe", "0.05", "--response-rate", "0.85"])
    assert size.exit_code == 0 and size.output.strip() == "904"
    alloc = runner.invoke(
        app, ["plan", "allocate", "3000", "--frame", str(SAMPLE / "frame.csv"), "--method", "equal"]
    )
    assert alloc.exit_code == 0, alloc.output
    assert alloc.output.count(" 500 ") == 6
    out = tmp_path / "plans"
    draw = runner.invoke(
        app,
        [
            "plan", "draw", str(SAMPLE / "frame.csv"), "--moe", "0.07", "--moe-for", "VD01=0.05",
            "--seed", "7", "--round", "2026-R5", "--out-dir", str(out),
            "--mission", str(SAMPLE / "mission.yaml"), "--lang", "fr",
        ],
    )  # fmt: skip
    assert draw.exit_code == 0, draw.output
    want = mande.plan_round(frame, moe={"VD01": 0.05, **dict.fromkeys(
        ["VD02", "VD03", "VD04", "VD05", "VD06"], 0.07)}, seed=7, round_label="2026-R5")  # fmt: skip
    table = pd.read_csv(out / "plan_2026-R5.csv")
    assert table["psu"].tolist() == want.selected["psu"].tolist()
    wb = openpyxl.load_workbook(out / "field_list_2026-R5.xlsx")
    assert wb.sheetnames[0] == "Villages" and wb["Villages"]["B2"].value == "Bangora"
    bad = runner.invoke(app, ["plan", "draw", str(SAMPLE / "frame.csv"), "--moe", "0.005"])
    assert bad.exit_code == 1 and "too few villages" in bad.output
