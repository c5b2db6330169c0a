"""A viewer opens the Footprint page in headless Chromium: the map, the models' sentences with the
effect of presence and the duration slope, the duration curve and the caveats."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from ._server import ROOT, load_sample, serve_dashboard, store_env

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def viewer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over a store holding the sample mission, for a viewer."""
    tmp = tmp_path_factory.mktemp("footprint")
    env = store_env(tmp, "e2e-footprint")
    load_sample(ROOT / "sample_data", env, "--no-results")
    with serve_dashboard(tmp, env, role="viewer", user="viewer.e2e") as url:
        yield url


def test_viewer_opens_the_footprint_page(viewer_server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(180_000)
    page.goto(viewer_server + "/footprint?lang=en", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Footprint").first.wait_for()
    page.get_by_text("each year of presence multiplies the odds by").first.wait_for()
    # the map, drawn on the server (one path per area, a symbol per site), then the duration curve
    page.locator("figure[data-chart='fp_map'] path.area").first.wait_for()
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    # the caveats are drawn after the charts: wait for them rather than read a half-drawn page
    page.get_by_text("Deployment follows violence").first.wait_for()
    body = page.inner_text("body")
    assert re.search(r"the odds of a favourable answer were \d\.\d\d times", body)
    assert re.search(r"multiplies the odds by 0\.\d\d \(95 per cent CI: 0\.\d\d to 0\.\d\d\)", body)
    assert "Deployment follows violence" in body
    fp_map = page.locator("figure[data-chart='fp_map']")
    assert fp_map.locator("path.area").count() == 6 and fp_map.locator("path.site").count() >= 1
    tips = fp_map.locator("path.area > title").all_text_contents()
    assert any(re.search(r"\nPerception \(% favourable\): \d+%", t) for t in tips), tips
    assert "Headquarters" in fp_map.locator("[data-legend='map']").inner_text()
    box = fp_map.locator("svg.mande-chart").bounding_box()
    assert box is not None and box["height"] > 200  # drawn at its size, not collapsed
    # a viewer's menu: no upload, no audit
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Footprint" in nav and "Upload" not in nav and "Data & audit" not in nav
    page.close()
