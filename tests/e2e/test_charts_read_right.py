"""Charts that read right, as drawn in headless Chromium against `make demo`: the Explorer's event
markers never overlap each other or sit over the data, its bands carry no stray marker at their
corners and more than three groups are small multiples, at desktop and phone widths; the Explorer's
and the Partners page's tables and heatmaps fit a 1,400 px window without scrolling sideways (on a
phone the Explorer's table keeps its change and verdict), in English and French; every chart has
its source under it."""

from __future__ import annotations

from pathlib import Path
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
# The Explorer's trend as the screen shows it (the desktop's or the phone's drawing): each event
# marker's box, the top of the data (bands, lines, dots), the dots that sit on a band's corner, the
# panels (one overall line each in small multiples) and the drawing's width on the screen.
TREND = "figure[data-chart='trend'] svg"
MARKERS = """() => {
  const svg = [...document.querySelectorAll("figure[data-chart='trend'] svg")]
    .find(s => s.getBoundingClientRect().width > 0);
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; };
  const boxes = [...svg.querySelectorAll('rect.event')].map(box);
  const data = [...svg.querySelectorAll('.band, polyline.line, polyline.reference, circle.pt')];
  const corners = new Set([...svg.querySelectorAll('polygon.band')].flatMap(
    p => [...p.points].map(q => `${q.x.toFixed(1)},${q.y.toFixed(1)}`)));
  const stray = [...svg.querySelectorAll('circle')].filter(
    c => corners.has(`${c.cx.baseVal.value.toFixed(1)},${c.cy.baseVal.value.toFixed(1)}`)).length;
  return {boxes, top: Math.min(...data.map(e => e.getBoundingClientRect().top)),
          bands: svg.querySelectorAll('polygon.band').length, stray,
          panels: svg.querySelectorAll('polyline.reference').length,
          width: svg.getBoundingClientRect().width, narrow: svg.classList.contains('for-narrow')};
}"""
PARTNER_CHARTS = ("heatmap", "dimensions", "positions", "themes")
# Each drawn table (by its data-table, or its figure's data-chart) -> how far it scrolls sideways.
PARTNER_TABLES = """() => Object.fromEntries([...document.querySelectorAll('table.mande-table')]
  .map(t => [t.dataset.table && !t.closest('figure') ? t.dataset.table
             : t.closest('figure').dataset.chart,
             t.closest('.mande-table-wrap').scrollWidth - t.closest('.mande-table-wrap').clientWidth]))"""


def _settle(page: Any) -> None:
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE, timeout=240_000)
    page.wait_for_function(DRAWN, timeout=120_000)
    page.wait_for_timeout(800)


def _choose_breakdown(page: Any, name: str, settle: Any = _settle) -> None:
    page.locator(".st-key-breakdown").get_by_role("combobox").click()
    page.get_by_role("option", name=name, exact=True).click()
    settle(page)


def _settle_explorer(page: Any) -> None:
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE, timeout=240_000)
    page.locator(TREND).locator("visible=true").first.wait_for(timeout=120_000)
    page.wait_for_timeout(300)


@pytest.mark.parametrize("width", [1400, 390])
def test_event_markers_never_overlap_or_cover_the_data(
    demo_server: Any, browser: Any, width: int
) -> None:
    ctx = browser.new_context(viewport={"width": width, "height": 1000})
    page = ctx.new_page()
    try:
        page.goto(demo_server.url + "/explorer?lang=en", wait_until="domcontentloaded")
        page.locator(TREND).first.wait_for(state="attached", timeout=240_000)
        _settle_explorer(page)
        # drawn on the server: no chart or grid component on the page
        assert not page.locator(
            "[data-testid='stPlotlyChart'], [data-testid='stDataFrame']"
        ).count()
        for breakdown in ("All respondents", "Region"):
            if breakdown != "All respondents":
                _choose_breakdown(page, breakdown, _settle_explorer)
            page.locator(TREND).locator("visible=true").first.scroll_into_view_if_needed()
            drawn = page.evaluate(MARKERS)
            assert drawn["narrow"] == (width < 640), drawn
            assert drawn["width"] <= width, drawn  # the whole drawing fits the screen
            boxes = drawn["boxes"]
            assert len(boxes) >= 4, drawn  # the sample mission's four events
            for i, a in enumerate(boxes):
                assert a[3] <= drawn["top"] + 0.5, (breakdown, width, a, drawn["top"])
                for b in boxes[i + 1 :]:
                    apart = a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]
                    assert apart, (breakdown, width, a, b)
            # bands only: no dot at any corner of a band
            assert drawn["bands"] >= 1 and drawn["stray"] == 0, drawn
            # six regions: six small panels, each with the overall line
            assert drawn["panels"] == (6 if breakdown == "Region" else 0), drawn
            captions = page.locator("[data-testid='stCaptionContainer']").all_inner_texts()
            assert any(c.startswith("Source: MINUSVA perception survey") for c in captions)
    finally:
        ctx.close()


# The Explorer's table: how far it would scroll sideways, and which headers the screen shows.
TABLE = """() => {
  const wrap = document.querySelector('.mande-table-wrap:has([data-table="breakdown_table"])');
  const shown = [...wrap.querySelectorAll('th')].filter(th => th.getBoundingClientRect().width > 0)
    .map(th => [th.textContent, th.getBoundingClientRect().right]);
  return {sideways: wrap.scrollWidth - wrap.clientWidth, shown};
}"""


@pytest.mark.parametrize(("lang", "width"), [("en", 1400), ("fr", 1400), ("en", 390)])
def test_explorer_table_fits_and_keeps_change_and_verdict(
    demo_server: Any, browser: Any, lang: str, width: int
) -> None:
    ctx = browser.new_context(viewport={"width": width, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    try:
        page.goto(demo_server.url + f"/explorer?lang={lang}", wait_until="domcontentloaded")
        page.locator("[data-table='breakdown_table']").wait_for(timeout=240_000)
        _settle_explorer(page)
        _choose_breakdown(page, "Region" if lang == "en" else "Région", _settle_explorer)
        page.locator("figure[data-chart='breakdown']").wait_for()
        page.locator("[data-table='breakdown_table']").scroll_into_view_if_needed()
        table = page.evaluate(TABLE)
        assert table["sideways"] <= 0, table
        headers = [h for h, _ in table["shown"]]
        change, verdict = ("Change", "Verdict") if lang == "en" else ("Évolution", "Appréciation")
        assert change in headers and verdict in headers, headers
        assert all(right <= width for _, right in table["shown"]), table
        if width < 640:  # a phone: the intervals and n hidden, the rest kept
            assert len(headers) == 4, headers
        else:
            assert len(headers) == 8, headers
        if lang == "en" and width > 640:  # the CSV is written when the button is pressed
            with page.expect_download() as info:
                page.get_by_role("button", name="Download as CSV").click()
            text = Path(info.value.path()).read_text(encoding="utf-8-sig")
            header = text.splitlines()[0].split(",")
            assert {"indicator", "group", "estimate", "ci_low", "ci_high"} <= set(header), header
            assert len(text.splitlines()) >= 1 + 6 * 4  # six regions over four rounds
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
