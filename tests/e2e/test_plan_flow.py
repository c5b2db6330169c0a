"""An officer plans a round end to end in headless Chromium: upload the village frame, set the
seed and the target, read the allocation, see the villages on the map, download the field list
and the plan file. The README's screenshot of the Plan page comes from this test
(MANDE_UPDATE_SCREENSHOTS=1 rewrites docs/screenshots/plan.png)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

import mande
from mande.plan import PLAN_COLUMNS

from ._server import ROOT, load_sample, serve_dashboard, shots_dir, store_env, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def officer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over a store holding the sample mission's configuration and regions only
    (planning needs no survey round), served to an officer."""
    tmp = tmp_path_factory.mktemp("plan")
    sample = tmp / "sample"
    sample.mkdir()
    for name in ("mission.yaml", "regions.geojson"):
        shutil.copy(ROOT / "sample_data" / name, sample / name)
    shutil.copytree(ROOT / "sample_data" / "forms", sample / "forms")
    (sample / "rounds").mkdir()
    (sample / "interviews").mkdir()
    env = store_env(tmp, "e2e-plan")
    load_sample(sample, env)
    with serve_dashboard(tmp, env, role="officer", user="officer.plan") as url:
        yield url


def test_officer_plans_a_round_in_the_browser(
    officer_server: str, browser: Any, tmp_path: Path
) -> None:
    ctx = browser.new_context(viewport={"width": 1440, "height": 1100}, accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    page.goto(officer_server + "/plan?lang=en", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Plan a round").wait_for()
    frame_file = ROOT / "sample_data" / "frame.csv"
    page.locator('input[type="file"]').first.set_input_files(str(frame_file))
    page.get_by_text("1,200 villages in 6 regions").wait_for()
    wait_idle(page)

    # a fixed seed, so that the browser's plan is the library's
    seed = page.get_by_label("Seed of the draw")
    seed.fill("7")
    seed.press("Enter")
    wait_idle(page)
    page.get_by_text("Every region reaches its target margin of error.").wait_for()
    want = mande.plan_round(
        mande.read_frame(frame_file), moe=0.06, seed=7, response_rate=0.85, replacements=2
    )
    # the metrics may be drawn after the sentence above: wait for both before reading them
    for value in (want.settings["total_interviews"], len(want.selected)):
        page.locator('[data-testid="stMetricValue"]', has_text=f"{value:,}").first.wait_for()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert f"{want.settings['total_interviews']:,}" in metrics
    assert f"{len(want.selected):,}" in metrics
    # the map of the villages drawn
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for()
    chart.scroll_into_view_if_needed()
    wait_idle(page)
    page.screenshot(path=str(shots_dir(tmp_path) / "plan.png"), full_page=False)

    # the field list for the teams
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the field list (.xlsx)").click()
    field = tmp_path / info.value.suggested_filename
    info.value.save_as(str(field))
    wb = openpyxl.load_workbook(field)
    assert wb.sheetnames == ["Villages", "Replacements", "Allocation", "About"]
    assert wb["Villages"].max_row == len(want.selected) + 1
    assert wb["About"]["B2"].value == 7

    # the plan file the weighting step reads
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the plan file (.csv)").click()
    plan_path = tmp_path / info.value.suggested_filename
    info.value.save_as(str(plan_path))
    plan = pd.read_csv(plan_path)
    assert tuple(plan.columns) == PLAN_COLUMNS
    assert plan["psu"].tolist() == want.selected["psu"].tolist()
    assert plan["inclusion_prob"].tolist() == want.selected["inclusion_prob"].tolist()
    ctx.close()
