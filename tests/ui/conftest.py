"""The dashboard tested in-process with Streamlit's AppTest, on a store holding the sample mission."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"


@pytest.fixture()
def app(
    sample_store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., AppTest]]:
    """``app(role="viewer", lang="en")`` -> an AppTest of the dashboard, run once."""
    monkeypatch.setenv("MANDE_DATA_DIR", str(sample_store_dir))
    monkeypatch.setenv("MANDE_SECRET", "sample-store-tests")
    monkeypatch.delenv("MANDE_DATABASE_URL", raising=False)

    def make(role: str = "admin", lang: str = "en", user: str = "tester") -> AppTest:
        monkeypatch.setenv("MANDE_ROLE", role)
        monkeypatch.setenv("MANDE_USER", user)
        at = AppTest.from_file(str(APP), default_timeout=240)
        at.session_state["lang"] = lang
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    yield make
