"""Nothing stale: the dashboard, running, sees a change another process makes to the store on the
next page load (SQLite and PostgreSQL).

The app runs in this process (Streamlit's AppTest); a child process opens the same store and
stores a new version of the latest round with ten respondents fewer (weighted from its sample plan,
as ``mande demo load`` does). The next run of the Overview
page must show the new round's respondents and the figures the store now holds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from mande import Settings
from mande.demo.load import load_sample
from mande.store import Store
from tests.integration.conftest import Backend
from tests.ui._cards import overview_cards

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
LATEST = "round4_2026-05"
SECRET = "staleness-test"


@pytest.fixture()
def env(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    values = {
        "MANDE_DATABASE_URL": backend.url,
        "MANDE_DATA_DIR": str(tmp_path / "data"),
        "MANDE_SECRET": SECRET,
        "MANDE_ROLE": "admin",
        "MANDE_USER": "officer1",
    }
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    yield values


def _caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if "Latest round" in str(c.value))


def _cards(at: AppTest) -> dict[str, str]:
    return {c["name"]: c["value"] for c in overview_cards(at).cards}


def _expected_cards(store: Store) -> dict[str, str]:
    """The cards' values computed from what the store holds now (not through the dashboard)."""
    from dashboard import format
    from mande import load_catalogue, overview

    cat = load_catalogue()
    res = store.results(catalogue=cat)
    res = res.assign(short_name=[cat.measure(i).name("en", short=True) for i in res["indicator"]])
    head = overview.headline(
        res, overview.round_order(store.rounds()), measures=overview.card_measures(cat)
    )
    return {
        str(r["short_name"]): format.value(r["estimate"], str(r["kind"]), "en")
        for r in head.to_dict("records")
    }


def test_a_change_from_another_process_shows_on_the_next_page_load(
    env: dict[str, str], small_sample: Path, tmp_path: Path
) -> None:
    settings = Settings.from_env(env)
    store = Store.open(env["MANDE_DATABASE_URL"], settings)
    try:
        load_sample(small_sample, store)
        n_before = int(store.rounds().set_index("round").loc[LATEST, "n_respondents"])
        version_before = store.data_version()

        at = AppTest.from_file(str(APP), default_timeout=300)
        at.session_state["lang"] = "en"
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        assert f"May 2026 ({n_before} respondents)" in _caption(at)
        cards_before = _cards(at)
        assert cards_before == _expected_cards(store)

        # Another process stores a new version of the latest round: ten respondents fewer.
        frame = pd.read_excel(
            small_sample / "rounds" / f"{LATEST}.xlsx", dtype=object, engine="openpyxl"
        )
        smaller = tmp_path / f"{LATEST}_v2.xlsx"
        frame.iloc[10:].to_excel(smaller, index=False)
        script = (
            "import sys\n"
            "from mande.store import Store\n"
            "url, path, form, plan, label = sys.argv[1:]\n"
            "store = Store.open(url)\n"
            "res = store.ingest_survey(path, form, label, plan=plan)\n"
            "print(f'stored {res.label} version {res.version}')\n"
            "store.close()\n"
        )
        form = small_sample / "forms" / "perception_survey.xlsx"
        plan = small_sample / "plans" / f"{LATEST}.csv"
        cmd = [sys.executable, "-c", script, env["MANDE_DATABASE_URL"], str(smaller), str(form),
               str(plan), LATEST]  # fmt: skip
        done = subprocess.run(
            cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr
        assert f"stored {LATEST} version 2" in done.stdout

        assert store.data_version() != version_before
        n_after = int(store.rounds().set_index("round").loc[LATEST, "n_respondents"])
        assert n_after == n_before - 10

        at.run()  # the next page load, same server process, same session
        assert not at.exception, [e.message for e in at.exception]
        assert f"May 2026 ({n_after} respondents)" in _caption(at)
        cards_after = _cards(at)
        assert cards_after == _expected_cards(store)
        assert cards_after != cards_before  # the figures moved with the data
    finally:
        store.close()
