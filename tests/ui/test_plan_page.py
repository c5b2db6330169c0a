"""The Plan page (Streamlit AppTest): an officer uploads the frame, sees the allocation and the map,
downloads the field list and the plan file; a viewer cannot plan."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import mande
from mande.plan import PLAN_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
FRAME = ROOT / "sample_data" / "frame.csv"


def _open_plan(at: AppTest) -> AppTest:
    at.switch_page("views/plan.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with ``column``."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}")


def test_menu_offers_plan_to_officers_and_admins_only() -> None:
    from dashboard.navigation import pages_for

    assert "plan" in [p.key for p in pages_for("officer")]
    assert "plan" in [p.key for p in pages_for("admin")]
    assert "plan" not in [p.key for p in pages_for("viewer")]
    assert mande.allowed("officer", "plan") and not mande.allowed("viewer", "plan")


def test_officer_plans_a_round(app: Callable[..., AppTest]) -> None:
    at = _open_plan(app(role="officer"))
    assert at.title[0].value == "Plan a round"
    assert at.info[0].value.startswith("Upload the mission's village frame")
    at.file_uploader(key="plan_frame").set_value((FRAME.name, FRAME.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    at.number_input(key="plan_seed").set_value(7)
    at.number_input(key="plan_moe").set_value(6.0)
    at.text_input(key="plan_round").input("2026-R5")
    at.run()
    assert not at.exception, [e.message for e in at.exception]

    # the same plan as the library's, for the same frame and settings
    frame = mande.read_frame(FRAME)
    want = mande.plan_round(
        frame, moe=0.06, seed=7, interviews_per_village=12, replacements=2, deff=2.0, p=0.5,
        response_rate=0.85, round_label="2026-R5",
    )  # fmt: skip
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Interviews"] == f"{want.settings['total_interviews']:,}"
    assert metrics["Villages to visit"] == f"{len(want.selected):,}"
    assert metrics["Replacements"] == "12"
    alloc = _table(at, "Villages to visit")
    assert alloc["Region"].tolist()[0] == "Bangora"
    assert alloc["Villages to visit"].tolist() == want.allocation["villages"].tolist()
    assert at.success[0].value == "Every region reaches its target margin of error."
    villages = _table(at, "Probability of selection")
    assert villages["Village id"].tolist() == want.selected["psu"].tolist()
    assert villages["Probability of selection"].tolist() == pytest.approx(
        want.selected["inclusion_prob"].tolist(), rel=1e-12
    )
    # the map: region polygons and the drawn villages as markers
    chart = at.get("plotly_chart")
    assert chart and "Drawn" in chart[0].proto.spec

    # downloads: the field list workbook and the plan file with the agreed columns
    buttons = {b.proto.label: b for b in at.get("download_button")}
    assert set(buttons) == {"Download the field list (.xlsx)", "Download the plan file (.csv)"}
    assert buttons["Download the plan file (.csv)"].proto.url


def test_plan_page_downloads_match_the_library(tmp_path: Path) -> None:
    """What the page's download buttons serve: dashboard.data's bytes, from mande's writers."""
    frame = mande.read_frame(FRAME)
    plan = mande.plan_round(frame, moe=0.06, seed=7, response_rate=0.85, round_label="2026-R5")
    from dashboard import data

    blob = data.plan_file_bytes(plan)
    table = pd.read_csv(io.BytesIO(blob))
    assert tuple(table.columns) == PLAN_COLUMNS
    assert table["psu"].tolist() == plan.selected["psu"].tolist()


def test_a_bad_frame_is_refused_with_its_problems(app: Callable[..., AppTest]) -> None:
    at = _open_plan(app(role="officer"))
    bad = b"psu,village,region,admin2,urban_rural,population\nA1,Kolo,VD01,VD0101,rural,-4\n"
    at.file_uploader(key="plan_frame").set_value(("frame.csv", bad, "text/csv"))
    at.run()
    assert not at.exception
    assert "problem" in at.error[0].value
    problems = _table(at, "code")
    assert problems["code"].tolist() == ["bad_population"]
    assert not at.get("download_button")


def test_viewer_cannot_plan(sample_store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.session import Identity

    monkeypatch.setenv("MANDE_DATA_DIR", str(sample_store_dir))
    at = AppTest.from_file("../../dashboard/views/plan.py", default_timeout=120)
    at.session_state["identity"] = Identity(user="v", role="viewer", signed_in=False)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Your role does not allow this page."]
    assert "Plan a round" not in [x.value for x in at.title]  # nothing of the page ran
    assert not at.get("file_uploader")


def test_field_list_bytes_open_in_openpyxl() -> None:
    frame = mande.read_frame(FRAME)
    plan = mande.plan_round(frame, moe=0.08, seed=3)
    from dashboard import data

    wb = openpyxl.load_workbook(io.BytesIO(data.field_list_bytes(plan, "fr")))
    assert wb.sheetnames == ["Villages", "Remplacements", "Répartition", "À propos"]
