"""The audit log's hash chain on SQLite (the laptop store) and through the migration that added it;
PostgreSQL's, where the database computes it, is tested with each role's login in
test_access_postgres.py."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from mande import Settings
from mande.cli import app
from mande.store import Store, _access, _engine

from ._fakes import FakeRound, make_responses

ROOT = Path(__file__).resolve().parents[2]


def _store(tmp_path: Path) -> tuple[Store, str]:
    url = f"sqlite:///{tmp_path / 'mande.db'}"
    settings = Settings.from_env({"MANDE_DATA_DIR": str(tmp_path), "MANDE_SECRET": "t"})
    return Store.open(url, settings, user="ada", role="admin"), url


def _some_history(store: Store) -> None:
    from mande.store import SourceFile

    store.set_mission(ROOT / "sample_data" / "mission.yaml")
    for seed in (1, 2):
        src = SourceFile.from_bytes(f"e{seed}.xlsx", f"file {seed}".encode())
        store.add_round(FakeRound(make_responses(80, seed)), "2025-R1", source=src)  # type: ignore[arg-type]
    store.set_current("2025-R1", 1)
    store.set_current("2025-R1", 2)


def test_sqlite_chain_finds_a_deleted_and_an_edited_entry(tmp_path: Path) -> None:
    store, url = _store(tmp_path)
    _some_history(store)
    assert store.verify_audit() == []
    log = store.audit_log().sort_values("id")
    assert len(log) == 5
    store.close()
    env = {"MANDE_DATABASE_URL": url, "MANDE_DATA_DIR": str(tmp_path), "MANDE_ROLE": "admin"}
    ok = CliRunner().invoke(app, ["history", "--verify"], env=env)
    assert ok.exit_code == 0 and "audit log intact: 5 entries" in ok.output

    ids = log["id"].tolist()
    with sqlite3.connect(tmp_path / "mande.db") as db:
        db.execute("DELETE FROM audit_log WHERE id = ?", (ids[1],))
        db.execute("UPDATE audit_log SET details_json = '{}' WHERE id = ?", (ids[3],))
    bad = CliRunner().invoke(app, ["history", "--verify"], env=env)
    assert bad.exit_code == 1
    assert f"entry {ids[2]} does not follow the entry before it" in bad.output
    assert f"entry {ids[3]} was edited" in bad.output
    breaks = Store.open(url, Settings.from_env(env)).verify_audit()
    assert [(b.id, b.kind) for b in breaks] == [(ids[2], "missing"), (ids[3], "edited")]


def test_a_viewer_may_not_verify(tmp_path: Path) -> None:
    store, url = _store(tmp_path)
    store.close()
    env = {"MANDE_DATABASE_URL": url, "MANDE_DATA_DIR": str(tmp_path), "MANDE_ROLE": "viewer",
           "MANDE_USER": "vi"}  # fmt: skip
    res = CliRunner().invoke(app, ["history", "--verify"], env=env)
    assert res.exit_code == 1
    assert "vi (viewer) may not audit" in res.output


def test_the_migration_chains_entries_written_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = _engine.make_engine(url)
    _engine.upgrade(engine, "0003")
    with engine.begin() as conn:
        for i in range(3):
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (at, user_name, role, action, object_type, ok, "
                    "details_json) VALUES (:at, 'old', 'admin', 'upload', 'round', 1, :d)"
                ),
                {"at": dt.datetime(2025, 1, 1 + i, 12, 0, 0, 123456), "d": json.dumps({"i": i})},
            )
    _engine.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM audit_log ORDER BY id")).all()
    engine.dispose()
    assert rows[0].prev_hash == ""
    assert _access.verify_chain(rows) == []
    assert rows[1].prev_hash == rows[0].row_hash
