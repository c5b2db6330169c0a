"""Leadership's first minute, in headless Chromium against `make demo`: the Overview's headline,
then the Trends page with a region's slope and its confidence interval, at desktop width and on a
phone (390 px). The screenshots in the README come from this test (MANDE_UPDATE_SCREENSHOTS=1
rewrites docs/screenshots/)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from ._server import ROOT

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1440, "height": 1000}, "phone": {"width": 390, "height": 844}}
# "+6.0 pp (3.2 to 8.8)": a slope in points per round with its 95% CI
SLOPE = re.compile(r"[+\-±]\d+\.\d pp \(-?\d+\.\d to -?\d+\.\d\)")


def _shots(tmp_path: Path) -> Path:
    if os.environ.get("MANDE_UPDATE_SCREENSHOTS") == "1":
        out = ROOT / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        return out
    return tmp_path


def _wait_idle(page: Any) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=240_000
    )


@pytest.mark.parametrize("width", list(WIDTHS))
def test_headline_then_trends(demo_server: Any, browser: Any, tmp_path: Path, width: str) -> None:
    shots = _shots(tmp_path)
    ctx = browser.new_context(viewport=WIDTHS[width])
    page = ctx.new_page()
    try:
        page.goto(demo_server.url + "/?lang=en", wait_until="domcontentloaded")
        headline = page.locator(".st-key-headline")
        headline.get_by_text("The latest survey").wait_for(state="visible", timeout=240_000)
        _wait_idle(page)
        text = headline.inner_text()
        assert "The latest survey, May 2026, interviewed 2,997 people" in text
        assert "changed significantly for all respondents" in text
        page.screenshot(path=str(shots / f"overview_headline_{width}.png"))

        page.goto(demo_server.url + "/trends?lang=en", wait_until="domcontentloaded")
        table = page.locator(".st-key-tr_slopes table")
        table.get_by_text("Kodjari").wait_for(state="visible", timeout=240_000)
        _wait_idle(page)
        row = table.locator("tr", has_text="Kodjari")
        assert SLOPE.search(row.inner_text()), row.inner_text()
        page.screenshot(path=str(shots / f"trends_{width}.png"), full_page=width == "phone")
    finally:
        ctx.close()
