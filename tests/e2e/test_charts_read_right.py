"""Charts that read right, as drawn in headless Chromium against `make demo`: the Explorer's event
markers never overlap each other or sit over the data, at desktop and phone widths; the Explorer's
and the Partners page's tables and heatmaps fit a 1,400 px window without scrolling sideways, in
English and French; every chart has its source under it."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

IDLE = (
    '() => !document.querySelector(\'[data-testid="stStatusWidget"], [data-testid="stSpinner"]\')'
)
DRAWN = (
    "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
    ".every(e => e.querySelector('.main-svg .trace, .main-svg .hm'))"
)
# Each event marker's box (annotations whose text is a number) and the top of the plot areas.
MARKERS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].slice(0, 1)
  .map(chart => {
    const boxes = [...chart.querySelectorAll('g.annotation')]
      .filter(a => /^\\d+$/.test(a.textContent.trim()))
      .map(a => { const r = a.querySelector('rect.bg').getBoundingClientRect();
                  return [r.left, r.right, r.top, r.bottom]; });
    const areas = [...chart.querySelectorAll('rect.nsewdrag')]
      .map(r => r.getBoundingClientRect().top);
    return {boxes, top: Math.min(...areas)};
  })[0]"""
PARTNER_CHARTS = ("heatmap", "dimensions", "positions", "themes")
# Each drawn table (by its data-table, or its figure's data-chart) -> how far it scrolls sideways.
PARTNER_TABLES = """() => Object.fromEntries([...document.querySelectorAll('table.mande-table')]
  .map(t => [t.dataset.table && !t.closest('figure') ? t.dataset.table
             : t.closest('figure').dataset.chart,
             t.closest('.mande-table-wrap').scrollWidth - t.closest('.mande-table-wrap').clientWidth]))"""
SIDEWAYS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
  .map(s => s.scrollWidth - s.clientWidth)"""


def _settle(page: Any) -> None:
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE, timeout=240_000)
    page.wait_for_function(DRAWN, timeout=120_000)
    page.wait_for_timeout(800)


def _choose_breakdown(page: Any, name: str) -> None:
    page.locator(".st-key-breakdown").get_by_role("combobox").click()
    page.get_by_role("option", name=name, exact=True).click()
    _settle(page)


@pytest.mark.parametrize("width", [1400, 390])
def test_event_markers_never_overlap_or_cover_the_data(
    demo_server: Any, browser: Any, width: int
) -> None:
    ctx = browser.new_context(viewport={"width": width, "height": 1000})
    page = ctx.new_page()
    try:
        page.goto(demo_server.url + "/explorer?lang=en", wait_until="domcontentloaded")
        page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=240_000)
        _settle(page)
        for breakdown in ("All respondents", "Region"):
            if breakdown != "All respondents":
                _choose_breakdown(page, breakdown)
            page.locator("[data-testid='stPlotlyChart']").first.scroll_into_view_if_needed()
            drawn = page.evaluate(MARKERS)
            boxes = drawn["boxes"]
            assert len(boxes) >= 4, drawn  # the sample mission's four events
            for i, a in enumerate(boxes):
                assert a[3] <= drawn["top"] + 0.5, (breakdown, width, a, drawn["top"])
                for b in boxes[i + 1 :]:
                    apart = a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]
                    assert apart, (breakdown, width, a, b)
            captions = page.locator("[data-testid='stCaptionContainer']").all_inner_texts()
            assert any(c.startswith("Source: MINUSVA perception survey") for c in captions)
    finally:
        ctx.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_tables_fit_a_desktop_window(demo_server: Any, browser: Any, lang: str) -> None:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    try:
        page.goto(demo_server.url + f"/partners?lang={lang}", wait_until="domcontentloaded")
        page.locator("table[data-table='reliability']").wait_for(timeout=240_000)
        _settle(page)
        # the Partners page draws its charts and tables on the server: no chart library, no grid
        assert (
            page.locator("[data-testid='stPlotlyChart'], [data-testid='stDataFrame']").count() == 0
        )
        tables = page.evaluate(PARTNER_TABLES)
        assert set(tables) >= {*PARTNER_CHARTS, "partner_table", "reliability"}, tables
        assert all(extra <= 0 for extra in tables.values()), tables  # none scrolls sideways
        source = "Source: MINUSVA" if lang == "en" else "Source\u00a0: entretiens"
        captions = page.locator("[data-testid='stCaptionContainer']").all_inner_texts()
        assert sum(source in c for c in captions) == len(PARTNER_CHARTS)
        # the heatmap: periods by their dates across the top; each cell's CI and n on hover
        heat = page.locator("[data-chart='heatmap'] table")
        headers = heat.locator("thead th").all_inner_texts()
        first = "1 October 2024" if lang == "en" else "1er octobre 2024"
        assert first in " ".join(headers).replace("\u00a0", " ").replace("\n", " ")
        tip = heat.locator("tbody td[title]").first.get_attribute("title") or ""
        assert ("95% CI" if lang == "en" else "IC à 95 %") in tip and "n = " in tip, tip
        page.goto(demo_server.url + f"/explorer?lang={lang}", wait_until="domcontentloaded")
        page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=240_000)
        _settle(page)
        _choose_breakdown(page, "Region" if lang == "en" else "Région")
        for _ in range(6):
            page.mouse.wheel(0, 600)
            page.wait_for_timeout(250)
        page.wait_for_timeout(800)
        sideways = page.evaluate(SIDEWAYS)
        assert len(sideways) == 1 and sideways[0] <= 0, sideways
    finally:
        ctx.close()


def test_partners_page_on_a_phone(demo_server: Any, browser: Any) -> None:
    """At 390 px the period's table and the coders' table fit (their less important columns left
    out); the heatmaps scroll sideways with the partner types kept in view."""
    ctx = browser.new_context(viewport={"width": 390, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(demo_server.url + "/partners?lang=fr", wait_until="domcontentloaded")
        page.locator("table[data-table='reliability']").wait_for(timeout=240_000)
        _settle(page)
        tables = page.evaluate(PARTNER_TABLES)
        assert tables["partner_table"] <= 0 and tables["reliability"] <= 0, tables
        table = page.locator("table[data-table='partner_table']")
        shown = [h for h in table.locator("thead th").all() if h.is_visible()]
        assert [h.inner_text() for h in shown][:2] == [
            "Type de partenaire",
            "Qualité de la relation (0-100)",
        ]
        assert not table.locator("thead th.wide").first.is_visible()
        # a heatmap scrolled sideways keeps its partner types in view
        wrap = page.locator("[data-chart='heatmap'] .mande-table-wrap")
        name = page.locator("[data-chart='heatmap'] tbody td.sticky").first
        left = name.bounding_box()["x"]  # type: ignore[index]
        wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
        page.wait_for_timeout(200)
        assert abs(name.bounding_box()["x"] - left) < 1  # type: ignore[index]
    finally:
        ctx.close()
