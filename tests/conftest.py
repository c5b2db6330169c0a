"""Shared fixtures. Services (PostgreSQL, Chromium) are real; in CI a missing one fails the run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session", autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> object:
    """No test reads or writes a real data folder (the user's, or the demo's that the Makefile
    names): every test starts with a private one; tests that need a store of their own set theirs."""
    mp = pytest.MonkeyPatch()
    mp.setenv("MANDE_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))
    yield None
    mp.undo()


def _missing(what: str, how: str) -> None:
    """Skip on a developer's machine; fail in CI, where the service must be there."""
    msg = f"{what} is not available: {how}"
    if IN_CI:
        pytest.fail(f"CI: {msg}", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a PostgreSQL database for tests (`.ci/run` starts one and sets the variable)."""
    url = os.environ.get("MANDE_TEST_POSTGRES_URL")
    if not url:
        _missing(
            "PostgreSQL",
            "set MANDE_TEST_POSTGRES_URL=postgresql+psycopg://user@127.0.0.1:PORT/db (see .ci/run)",
        )
    return url  # type: ignore[return-value]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the Chromium binary that Playwright drives (Debian's package)."""
    path = os.environ.get("MANDE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        _missing("Chromium", "apt-get install chromium (or set MANDE_CHROMIUM)")
    return path


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture()
def mande_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data folder and SQLite store for one test."""
    monkeypatch.setenv("MANDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MANDE_SECRET", "test-secret")
    monkeypatch.delenv("MANDE_DATABASE_URL", raising=False)
    return tmp_path / "data"


@pytest.fixture(scope="session")
def sample_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose SQLite store holds the sample mission, results and the latest period's
    figures computed once (as `make demo` leaves it). Shared by the dashboard and report tests; treat it as read-only."""
    from mande.demo.load import load_sample
    from mande.store import Store

    data_dir = tmp_path_factory.mktemp("sample-store")
    mp = pytest.MonkeyPatch()
    mp.setenv("MANDE_DATA_DIR", str(data_dir))
    mp.setenv("MANDE_SECRET", "sample-store-tests")
    mp.delenv("MANDE_DATABASE_URL", raising=False)
    try:
        store = Store.open()
        load_sample(SAMPLE, store)
        store.precompute()  # the results and the latest period's figures, as `mande demo load`
        store.close()
    finally:
        mp.undo()
    return data_dir
