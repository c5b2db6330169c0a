"""Benchmark: what a person waits for in the browser, page by page, on a fresh and a warm server.

The job: headless Chromium (Debian's, through Playwright) opens the Overview, the Indicator explorer
and the Partners page of the dashboard as ``make demo`` serves it (``streamlit run
dashboard/serve.py``, which warms the server before it reports itself healthy, on a free loopback
port, over a store loaded with the sample mission by ``mande demo load``). Each page is timed from
navigation until its main content is visible and Streamlit reports the script finished (no
"Running" status widget).

- "Cold": the first visit after the server starts (a fresh server for each page), in a new browser
  context (an empty HTTP cache: Streamlit's JavaScript is downloaded and compiled).
- "Revisit": a later visit in the same tab (the person opens the page again from a bookmark or the
  address bar, or reloads it): a new Streamlit session, the browser's caches warm, the server's
  shared caches filled; the best of three.
- "New tab": a later visit in a new tab of the same browser: as "revisit", plus the cost of a new
  renderer process for the tab; the best of three.
- "Menu": the page chosen in the sidebar's menu from another page of the dashboard (the same
  session, no page load: what a person does most); the best of three. Not timed for the bare page,
  which has no menu.

Every page is timed until all of its charts and tables are drawn (the selectors in ``PAGES``), not
just its first element.

Baseline, in the same run: a bare Streamlit page (one title) served the same way, cold and warm: the
framework's own cost of drawing a page in this browser on this machine, so the ratios say what
mande adds (absolute times grow with the machine's load, the ratios much less).

Targets (the sample mission, a quiet 2-core machine): each page under 3 s cold and 1 s on a revisit;
the new-tab figures are printed beside the bare page's, whose own new-tab time is the floor.
Run: ``.venv/bin/python benchmarks/dashboard_browser.py`` (needs Chromium: MANDE_CHROMIUM, default
/usr/bin/chromium). Nothing is left running.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e._server import CHROMIUM_ARGS, free_port, stop, wait_healthy  # noqa: E402

BIN = Path(sys.executable).parent
# page -> (URL path, what must be visible once it is drawn: every chart and table of the page)
PAGES = {
    "Overview": ("/?lang=en", (".mande-card", "figure[data-chart='map'] svg")),
    "Explorer": (
        "/explorer?lang=en",
        ("figure[data-chart='trend'] svg", "table[data-table='breakdown_table']"),
    ),
    "Partners": (
        "/partners?lang=en",
        (
            "[data-chart='heatmap']",
            "table[data-table='partner_table']",
            "figure[data-chart='themes'] table",
        ),
    ),
}
# page -> (the page a person comes from, the URL path of the menu's link to this page)
MENU = {
    "Overview": ("/explorer?lang=en", ""),  # the default page: its link is the root
    "Explorer": ("/?lang=en", "explorer"),
    "Partners": ("/?lang=en", "partners"),
}
BARE = "import streamlit as st\n\nst.title('Bare page')\n"
WARM_REPEATS = 3


@contextmanager
def serve(script: Path, env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(BIN / "streamlit"), "run", str(script), "--server.headless", "true",
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        stop(proc)


def _visit(page: Any, url: str, selectors: tuple[str, ...]) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    for selector in selectors:
        page.locator(selector).first.wait_for(state="visible", timeout=180_000)
    _idle(page)
    return time.perf_counter() - start


def _menu(page: Any, url: str, start_path: str, link: str, selectors: tuple[str, ...]) -> float:
    """Seconds from a click on ``link`` in the sidebar's menu, on the page at ``start_path``, until
    ``selectors`` are visible and the script has finished."""
    page.goto(url + start_path, wait_until="commit")
    page.locator("[data-testid='stSidebarNav'] a").first.wait_for(state="visible", timeout=180_000)
    _idle(page)
    start = time.perf_counter()
    page.locator(f"[data-testid='stSidebarNav'] a[href$='/{link}']").first.click()
    for selector in selectors:
        page.locator(selector).first.wait_for(state="visible", timeout=180_000)
    _idle(page)
    return time.perf_counter() - start


def _idle(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=180_000
    )


def time_page(
    browser: Any, url: str, path: str, selectors: tuple[str, ...], menu: tuple[str, str] | None
) -> tuple[float, ...]:
    """(cold, revisit, new tab[, menu]) seconds: the first visit in a new browser context, then
    the best of ``WARM_REPEATS`` later visits in the same tab, then the best of ``WARM_REPEATS`` in
    new tabs of the same context, then (``menu`` = (path of another page, the link's URL path))
    the best of ``WARM_REPEATS`` arrivals from another page through the sidebar's menu. Each visit
    is a new Streamlit session."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page = ctx.new_page()
        cold = _visit(page, url + path, selectors)
        revisit = min(_visit(page, url + path, selectors) for _ in range(WARM_REPEATS))
        page.close()
        tabs = []
        for _ in range(WARM_REPEATS):
            tab = ctx.new_page()
            tabs.append(_visit(tab, url + path, selectors))
            tab.close()
        if menu is None:
            return cold, revisit, min(tabs)
        page = ctx.new_page()
        switch = min(_menu(page, url, *menu, selectors) for _ in range(WARM_REPEATS))
        return cold, revisit, min(tabs), switch
    finally:
        ctx.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("MANDE_CHROMIUM", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory(prefix="mande-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = dict(os.environ, MANDE_DATA_DIR=str(tmp / "data"), MANDE_SECRET="bench")
        for key in ("MANDE_DATABASE_URL", "MANDE_ROLE"):
            env.pop(key, None)
        subprocess.run(
            [str(BIN / "mande"), "demo", "load", str(ROOT / "sample_data")],
            env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        bare = tmp / "bare.py"
        bare.write_text(BARE)
        rows: list[tuple[Any, ...]] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            try:
                with serve(bare, env, tmp / "bare.log") as url:
                    base = time_page(browser, url, "/", ("h1",), None)
                for name, (path, selectors) in PAGES.items():
                    # a fresh server for each page: "cold" is the first visitor after a restart
                    with serve(ROOT / "dashboard" / "serve.py", env, tmp / f"{name}.log") as url:
                        rows.append((name, *time_page(browser, url, path, selectors, MENU[name])))
            finally:
                browser.close()
    columns = ("cold s", "revisit", "new tab")
    head = f"{'page':<12}" + "".join(f"{c:>9}{'x bare':>8}" for c in columns) + f"{'menu s':>9}"
    print(head + "   target: 3 s cold, 1 s revisit")
    print(f"{'bare page':<12}" + "".join(f"{v:>9.2f}{1:>8.1f}" for v in base) + f"{'-':>9}")
    for name, *times in rows:
        ok = "ok" if times[0] < 3 and times[1] < 1 else "MISSED"
        cells = "".join(f"{v:>9.2f}{v / b:>8.1f}" for v, b in zip(times[:3], base, strict=True))
        print(f"{name:<12}{cells}{times[3]:>9.2f}   {ok}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
