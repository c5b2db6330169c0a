"""`make demo` serves the dashboard with the sample mission, seen in a real browser."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_health_endpoint_answers(demo_server: Any) -> None:
    with urllib.request.urlopen(demo_server.url + "/_stcore/health", timeout=5) as r:
        assert r.read().strip() == b"ok"


def test_page_shows_the_sample_mission(demo_server: Any, browser: Any, tmp_path: Any) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(demo_server.url, wait_until="domcontentloaded")
    # The mission's name, in the mission's default language (French for MINUSVA).
    page.get_by_role("heading", name="Valdorie").first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert (
        "Mission multidimensionnelle intégrée des Nations Unies pour la stabilisation en Valdorie"
        in body
    )
    page.close()
