"""The latest period's figures, precomputed by the store (SQLite and PostgreSQL): written after a
load, an ingest or a change of current version, read back value for value as
``mande.reporting.period_figures`` computes them, never stale (a new current version is a new key),
and read without computing anything."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import mande.reporting
from mande.cli import app
from mande.demo.load import load_sample
from mande.store import Store
from mande.store import schema as t
from tests.integration.conftest import Backend

LATEST = "round4_2026-05"


def _rows(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        return [
            (r.figures_key, r.lang)
            for r in conn.execute(sa.select(t.period_figures).order_by(t.period_figures.c.id))
        ]


def _computed(store: Store, lang: str) -> mande.reporting.PeriodFigures:
    """The figures as every view computes them (one truth), from the store's results."""
    return mande.reporting.period_figures(
        store.results(), store.rounds(), store.mission(), None, lang=lang
    )


def _no_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the figures were computed, not read")

    monkeypatch.setattr(mande.reporting, "period_figures", refuse)
    monkeypatch.setattr(mande.reporting, "change_table", refuse)


def test_precompute_keeps_the_figures_of_each_language_as_computed(
    store: Store, small_sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = store.as_user("admin1", "admin")
    load_sample(small_sample, admin)
    assert _rows(store) == []
    store.precompute()
    key = store.figures_key()
    assert sorted(_rows(store)) == [(key, "en"), (key, "fr")]

    expected = {lang: _computed(store, lang) for lang in ("en", "fr")}
    _no_computing(monkeypatch)  # the page path only reads
    for lang, want in expected.items():
        got = store.period_figures(lang)
        assert got.current_round == want.current_round == LATEST
        assert got.previous_round == want.previous_round == "round3_2025-11"
        assert got.comparison.period.id == want.comparison.period.id
        assert got.policy == want.policy
        assert len(got.changes) > 0
        pd.testing.assert_frame_equal(got.changes, want.changes, check_exact=True)
        # text columns hold the same Python values (None stays None)
        for col in [c for c in want.changes.columns if want.changes[c].dtype == np.dtype(object)]:
            assert got.changes[col].map(type).tolist() == want.changes[col].map(type).tolist()
    # one row per language: the verdicts are worded in each
    assert "pas de changement significatif" in set(expected["fr"].changes["verdict_label"])
    assert "no significant change" in set(expected["en"].changes["verdict_label"])
    store.precompute()  # again: read back, nothing new written
    assert len(_rows(store)) == 2


def test_a_new_current_version_is_a_new_key(
    store: Store, small_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = store.as_user("admin1", "admin")
    load_sample(small_sample, admin)
    store.precompute(["en"])
    first_key = store.figures_key()
    before = store.period_figures("en")

    frame = pd.read_excel(
        small_sample / "rounds" / f"{LATEST}.xlsx", dtype=object, engine="openpyxl"
    )
    smaller = tmp_path / f"{LATEST}_v2.xlsx"
    frame.iloc[40:].to_excel(smaller, index=False)
    res = store.ingest_survey(
        smaller, small_sample / "forms" / "perception_survey.xlsx", LATEST,
        plan=small_sample / "plans" / f"{LATEST}.csv",
    )  # fmt: skip
    assert res.created and res.version == 2
    second_key = store.figures_key()
    assert second_key != first_key
    after = store.period_figures("en")  # not precomputed: computed on first read, then kept
    assert (second_key, "en") in _rows(store)
    pd.testing.assert_frame_equal(after.changes, _computed(store, "en").changes, check_exact=True)
    assert not after.changes["n_to"].equals(before.changes["n_to"])

    admin.set_current(LATEST, 1)  # back to the first version: its figures are read again
    assert store.figures_key() == first_key
    _no_computing(monkeypatch)
    again = store.period_figures("en")
    pd.testing.assert_frame_equal(again.changes, before.changes, check_exact=True)

    admin.purge(LATEST, 2, reason="test")  # a purge drops the figures that may rest on it
    assert _rows(store) == []


def test_demo_load_and_ingest_precompute(
    backend: Backend, small_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANDE_DATABASE_URL", backend.url)
    monkeypatch.setenv("MANDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MANDE_SECRET", "test")
    monkeypatch.setenv("MANDE_ROLE", "admin")
    runner = CliRunner()
    out = runner.invoke(app, ["demo", "load", str(small_sample)])
    assert out.exit_code == 0, out.output
    store = Store.open(backend.url)
    try:
        key = store.figures_key()
        assert sorted(_rows(store)) == [(key, "en"), (key, "fr")]

        frame = pd.read_excel(
            small_sample / "rounds" / f"{LATEST}.xlsx", dtype=object, engine="openpyxl"
        )
        smaller = tmp_path / f"{LATEST}_v2.xlsx"
        frame.iloc[25:].to_excel(smaller, index=False)
        out = runner.invoke(app, [
            "ingest", str(smaller), "--form", str(small_sample / "forms" / "perception_survey.xlsx"),
            "--round", LATEST, "--plan", str(small_sample / "plans" / f"{LATEST}.csv"),
        ])  # fmt: skip
        assert out.exit_code == 0, out.output
        new_key = store.figures_key()
        assert new_key != key
        assert {(new_key, "en"), (new_key, "fr")} <= set(_rows(store))
    finally:
        store.close()
