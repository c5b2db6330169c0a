"""Starting and stopping a dashboard server for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"the server exited with {proc.returncode}:\n{log.read_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200 and r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(
        f"no answer from {url}/_stcore/health in {timeout} s:\n{log.read_text()[-4000:]}"
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started in its own process group (no error if it already exited)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


def load_sample(sample: Path, env: dict[str, str], *options: str) -> None:
    """``mande demo load`` of a sample folder into the store ``env`` points at. Loading the mission
    needs an admin (the laptop's local user), so any ``MANDE_ROLE`` is left out of the load."""
    load_env = {k: v for k, v in env.items() if k != "MANDE_ROLE"}
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(
        [str(bin_dir / "mande"), "demo", "load", str(sample), *options],
        env=load_env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise AssertionError(
            f"mande demo load exited with {done.returncode}:\n{done.stderr[-4000:]}"
        )


def store_env(tmp: Path, secret: str) -> dict[str, str]:
    """The environment of a server with its own embedded store under ``tmp``."""
    env = dict(os.environ, MANDE_DATA_DIR=str(tmp / "data"), MANDE_SECRET=secret)
    env.pop("MANDE_DATABASE_URL", None)
    env.pop("MANDE_ROLE", None)
    return env


@contextmanager
def serve_dashboard(tmp: Path, env: dict[str, str], *, role: str, user: str) -> Iterator[str]:
    """``streamlit run dashboard/app.py`` on a free loopback port, signed in as ``user`` with
    ``role``; yields its URL once healthy and stops it (its whole process group) afterwards."""
    env = dict(env, MANDE_ROLE=role, MANDE_USER=user)
    bin_dir = Path(sys.executable).parent
    port = free_port()
    log = tmp / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(bin_dir / "streamlit"), "run", str(ROOT / "dashboard" / "app.py"),
                "--server.headless", "true", "--server.port", str(port),
                "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        stop(proc)


def shots_dir(tmp_path: Path) -> Path:
    """docs/screenshots/ when MANDE_UPDATE_SCREENSHOTS=1 (the README shows the pages), else tmp."""
    if os.environ.get("MANDE_UPDATE_SCREENSHOTS") == "1":
        out = ROOT / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        return out
    return tmp_path


def wait_idle(page: Any, timeout: float = 240_000) -> None:
    """Wait until Streamlit has finished running the script (no 'Running...' status widget)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout
    )
