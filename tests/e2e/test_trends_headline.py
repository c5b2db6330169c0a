"""Leadership's first minute, in headless Chromium against `make demo`: the Overview's headline and
its cards (grouped by report section, significant changes first; two per row on a phone, the
table of changes keeping change and verdict in view), then the Trends page with a region's slope and its confidence interval, at desktop width and on a
phone (390 px). The screenshots in the README come from this test (MANDE_UPDATE_SCREENSHOTS=1
rewrites docs/screenshots/)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ._server import shots_dir, wait_idle

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1440, "height": 1000}, "phone": {"width": 390, "height": 844}}
# "+6.0 pp (3.2 to 8.8)": a slope in points per round with its 95% CI
SLOPE = re.compile(r"[+\-±]\d+\.\d pp \(-?\d+\.\d to -?\d+\.\d\)")


def _check_cards_and_changes(page: Any, width: str) -> None:
    """Cards grouped, significant first, names whole; two per row on a phone; the table of
    changes keeps the change and the verdict in view; the page far shorter than 7,300 px."""
    groups = page.locator(".mande-group")
    assert groups.first.get_attribute("data-group") == "significant"
    assert groups.first.locator("h4").inner_text() == "Changed significantly since November 2025"
    cards = page.locator(".mande-card")
    boxes = [cards.nth(i).bounding_box() for i in range(cards.count())]
    assert len(boxes) >= 16
    lefts = sorted({round(b["x"]) for b in boxes})
    view = WIDTHS[width]["width"]
    if width == "phone":
        assert len(lefts) == 2, lefts  # two per row
        assert all(b["x"] + b["width"] <= view + 0.5 for b in boxes)
    else:
        assert len(lefts) >= 3, lefts
    for i in range(cards.count()):  # names wrap, never cut
        name = cards.nth(i).locator(".name")
        assert name.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), name.inner_text()
    assert cards.nth(0).locator("svg[role=img]").get_attribute("aria-label")
    row = page.locator("table.mande-changes tbody tr").first
    for cell in (row.locator("td").nth(1), row.locator("td").nth(2)):  # change, verdict
        cell.scroll_into_view_if_needed()
        box = cell.bounding_box()
        assert cell.is_visible() and box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= view + 0.5, (cell.inner_text(), box)
    assert re.fullmatch(r"[+\-]\d+\.\d pp", row.locator("td").nth(1).inner_text().strip())
    assert row.locator("td").nth(2).inner_text().strip() in ("improved", "deteriorated")
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    assert height < 6000, height


def _check_map_tooltip(page: Any, width: str) -> None:
    """The map is drawn on the server: each region a path whose tooltip gives its round, estimate
    with its CI, and n; the legend states the scale's bounds; on a phone the map scrolls sideways
    rather than shrink its names; the source note below."""
    chart = page.locator("figure[data-chart='map']")
    chart.scroll_into_view_if_needed()
    areas = chart.locator("path.area")
    assert areas.count() == 6
    tips = chart.locator("path.area > title").all_text_contents()
    kodjari = next(t for t in tips if t.startswith("Kodjari"))
    assert re.fullmatch(
        r"Kodjari\nMay 2026\n\d+\.\d% \(95% CI \d+\.\d–\d+\.\d\)\nn = [\d,]+", kodjari
    )
    box = areas.first.bounding_box()
    assert box is not None and box["width"] > 40 and box["height"] > 40
    legend = chart.locator("[data-legend='map']").inner_text()
    assert "0%" in legend and "100%" in legend
    svg = chart.locator("svg.mande-chart").bounding_box()
    assert svg is not None and svg["width"] >= 440, svg  # never squeezed below legibility
    if width == "phone":
        assert chart.evaluate("e => e.scrollWidth > e.clientWidth")  # it scrolls sideways
        assert chart.evaluate("e => e.getBoundingClientRect().right") <= WIDTHS[width]["width"]
    page.get_by_text("Source: MINUSVA perception survey, round 4 (May 2026)").wait_for()


def _element_shot(page: Any, selector: str, path: Path, width: str) -> None:
    """A whole element, however tall: the page scrolls inside Streamlit's main container, so the
    viewport is made as tall as that container for the shot, then put back."""
    tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": WIDTHS[width]["width"], "height": int(tall) + 50})
    try:
        page.wait_for_timeout(500)
        page.locator(selector).screenshot(path=str(path))
    finally:
        page.set_viewport_size(WIDTHS[width])


@pytest.mark.parametrize("width", list(WIDTHS))
def test_headline_then_trends(demo_server: Any, browser: Any, tmp_path: Path, width: str) -> None:
    shots = shots_dir(tmp_path)
    ctx = browser.new_context(viewport=WIDTHS[width])
    page = ctx.new_page()
    try:
        page.goto(demo_server.url + "/?lang=en", wait_until="domcontentloaded")
        headline = page.locator(".st-key-headline")
        headline.get_by_text("The latest survey").wait_for(state="visible", timeout=240_000)
        wait_idle(page)
        text = headline.inner_text()
        assert "The latest survey, May 2026, interviewed 2,997 people" in text
        assert "changed significantly for all respondents" in text
        page.screenshot(path=str(shots / f"overview_headline_{width}.png"))
        _check_cards_and_changes(page, width)
        _element_shot(page, ".st-key-cards", shots / f"overview_cards_{width}.png", width)
        _check_map_tooltip(page, width)

        page.goto(demo_server.url + "/trends?lang=en", wait_until="domcontentloaded")
        table = page.locator(".st-key-tr_slopes table")
        table.get_by_text("Kodjari").wait_for(state="visible", timeout=240_000)
        wait_idle(page)
        row = table.locator("tr", has_text="Kodjari")
        assert SLOPE.search(row.inner_text()), row.inner_text()
        page.screenshot(path=str(shots / f"trends_{width}.png"), full_page=width == "phone")
    finally:
        ctx.close()
