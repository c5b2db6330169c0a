"""An officer's session end to end in headless Chromium: upload a survey round, read the validation
report, commit, see the overview change, download the annex. The screenshots of the Overview and
the Indicator explorer in the README come from this test (MANDE_UPDATE_SCREENSHOTS=1 rewrites
docs/screenshots/)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._server import ROOT, load_sample, serve_dashboard, shots_dir, store_env, wait_idle

pytestmark = pytest.mark.browser

HELD_BACK = "round4_2026-05.xlsx"


@pytest.fixture(scope="module")
def three_round_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over a store holding the sample mission without its latest round."""
    tmp = tmp_path_factory.mktemp("flow")
    sample = tmp / "sample"
    shutil.copytree(ROOT / "sample_data", sample)
    (sample / "rounds" / HELD_BACK).unlink()
    env = store_env(tmp, "e2e-flow")
    load_sample(sample, env)
    with serve_dashboard(tmp, env, role="officer", user="officer.e2e") as url:
        yield url


def test_upload_commit_overview_annex(
    three_round_server: str, browser: Any, tmp_path: Path
) -> None:
    url = three_round_server
    shots = shots_dir(tmp_path)
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(120_000)

    # 1. The overview before: three rounds, the latest is round 3.
    page.goto(url + "/?lang=en", wait_until="domcontentloaded")
    page.get_by_text("Latest round: November 2025").wait_for()

    # 2. Upload the held-back round as an officer.
    page.goto(url + "/upload?lang=en", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Téléversement").or_(
        page.get_by_role("heading", name="Upload")
    ).first.wait_for()
    page.locator('input[type="file"]').first.set_input_files(
        str(ROOT / "sample_data" / "rounds" / HELD_BACK)
    )
    # the export carries no weights: its sample plan weights it (plan + the mission's margins)
    page.locator('[data-testid="stFileUploader"]').filter(
        has_text=re.compile("Sample plan|Plan d'échantillonnage")
    ).locator('input[type="file"]').set_input_files(
        str(ROOT / "sample_data" / "plans" / (Path(HELD_BACK).stem + ".csv"))
    )
    # 3. The validation report: accepted, with its warnings listed.
    page.get_by_text("respondents ready to commit").or_(
        page.get_by_text("enquêtés prêts à être enregistrés")
    ).first.wait_for()
    page.get_by_text("g-weights (min – max)").or_(
        page.get_by_text("Rapports de poids g (min – max)")
    ).first.wait_for()
    body = page.inner_text("body")
    assert "2997" in body.replace(",", "").replace("\u202f", "").replace(" ", "")
    page.screenshot(path=str(shots / "upload.png"), full_page=True)

    # 4. Commit.
    page.get_by_role("button", name="Commit to the store").or_(
        page.get_by_role("button", name="Enregistrer dans la base")
    ).first.click()
    page.get_by_text("version 1").first.wait_for()
    wait_idle(page)

    # 5. The overview changed: the uploaded round is now the latest.
    page.goto(url + "/?lang=en", wait_until="domcontentloaded")
    page.get_by_text("Latest round: May 2026").first.wait_for()
    page.locator(".mande-card").nth(15).wait_for()
    page.locator("figure[data-chart='map'] path.area").first.wait_for()
    wait_idle(page)
    page.screenshot(path=str(shots / "overview.png"), full_page=False)

    # 6. The indicator explorer, for the README.
    page.goto(url + "/explorer?lang=en", wait_until="domcontentloaded")
    page.locator("figure[data-chart='trend'] svg").locator("visible=true").first.wait_for()
    wait_idle(page)
    page.screenshot(path=str(shots / "explorer.png"), full_page=False)

    # 7. Download the annex for the latest period.
    page.goto(url + "/reports?lang=en", wait_until="domcontentloaded")
    page.get_by_role("button", name="Build the annex and the draft").or_(
        page.get_by_role("button", name="Produire l'annexe et le projet de texte")
    ).first.click()
    annex_button = (
        page.get_by_role("button", name="Download the Excel annex")
        .or_(page.get_by_role("button", name="Télécharger l'annexe Excel"))
        .first
    )
    annex_button.wait_for(timeout=180_000)
    with page.expect_download() as info:
        annex_button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(str(target))
    import openpyxl

    wb = openpyxl.load_workbook(target)
    assert len(wb.sheetnames) >= 5
    ctx.close()
