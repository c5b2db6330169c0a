"""End-to-end fixtures: the dashboard served by `make demo`, driven by headless Chromium."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._server import CHROMIUM_ARGS, ROOT, free_port, stop, wait_healthy


class DemoServer:
    def __init__(self, url: str, data_dir: Path, log: Path) -> None:
        self.url = url
        self.data_dir = data_dir
        self.log = log


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """`make demo` on a free port with its own data folder; stopped at the end of the session."""
    tmp = tmp_path_factory.mktemp("demo")
    port = free_port()
    log = tmp / "demo.log"
    env = dict(os.environ, MANDE_DATA_DIR=str(tmp / "data"), MANDE_SECRET="e2e-secret")
    env.pop("MANDE_DATABASE_URL", None)
    env.pop("MANDE_ROLE", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "demo", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield DemoServer(url, tmp / "data", log)
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
