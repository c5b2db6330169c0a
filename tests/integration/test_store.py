"""The store on SQLite and PostgreSQL: versioning, rollback, atomic and concurrent uploads, failed
validation, audit, roles, results cache."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from mande import DataValidationError, PermissionDenied, StoreError
from mande.store import SourceFile, Store
from mande.store import schema as t

from ._fakes import FakeCatalogue, FakeRound, fake_compute, make_responses

ROOT = Path(__file__).resolve().parents[2]
MISSION = ROOT / "sample_data" / "mission.yaml"
DATA_TABLES = [
    tbl
    for tbl in t.metadata.sorted_tables
    if tbl.name not in ("audit_log",)  # the audit log records refused attempts on purpose
]


def upload(store: Store, seed: int, n: int = 200, label: str = "2025-R1", **kw: object):
    rnd = FakeRound(make_responses(n, seed, label), label=label)
    src = SourceFile.from_bytes(f"export_{seed}.xlsx", f"file {seed} {n} {label}".encode())
    return store.add_round(rnd, label, source=src, **kw)  # type: ignore[arg-type]


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            tbl.name: conn.execute(sa.select(sa.func.count()).select_from(tbl)).scalar_one()
            for tbl in t.metadata.sorted_tables
        }


def results(store: Store, label: str | None = None, catalogue: object = None) -> pd.DataFrame:
    return store.results(
        label, by=["sex", "region"], catalogue=catalogue or FakeCatalogue(), compute=fake_compute
    )


def test_new_store_is_created_and_at_head(store: Store) -> None:
    from mande.store._engine import current_revision, head_revision

    with store.engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        names = set(sa.inspect(conn).get_table_names())
        views = set(sa.inspect(conn).get_view_names())
    assert {tbl.name for tbl in t.metadata.sorted_tables} <= names
    assert "current_results" in views
    assert store.rounds().empty


def test_reupload_keeps_both_versions(store: Store) -> None:
    first = upload(store, seed=1, n=150)
    second = upload(store, seed=2, n=180)
    assert (first.version, second.version) == (1, 2)
    assert first.created and second.created
    versions = store.versions("2025-R1")
    assert versions["version"].tolist() == [1, 2]
    assert versions["current"].tolist() == [False, True]
    assert versions["n_respondents"].tolist() == [150, 180]
    rounds = store.rounds()
    assert rounds.loc[0, "current_version"] == 2
    assert rounds.loc[0, "n_versions"] == 2
    assert rounds.loc[0, "n_respondents"] == 180
    pd.testing.assert_frame_equal(store.responses("2025-R1", 1), make_responses(150, 1))
    pd.testing.assert_frame_equal(store.responses("2025-R1"), make_responses(180, 2))


def test_same_content_same_data_version(store: Store) -> None:
    upload(store, seed=1)
    before = counts(store)
    again = upload(store, seed=1)
    # add_round stores what it is given (ingest_survey is the one that skips a file already
    # stored); the two versions share one data version
    assert again.status == "created"
    versions = store.versions("2025-R1")
    assert versions["data_version"].nunique() == 1
    assert counts(store)["round_versions"] == before["round_versions"] + 1


def test_rollback_restores_old_figures_exactly(store: Store) -> None:
    upload(store, seed=1, n=300)
    old = results(store)
    upload(store, seed=2, n=300)
    new = results(store)
    assert not new["estimate"].equals(old["estimate"])
    assert set(new["round_version"]) == {2}

    store.as_user("chief", "admin").set_current("2025-R1", 1)
    calls: list[int] = []

    def counting(*args: object, **kw: object) -> pd.DataFrame:
        calls.append(1)
        return fake_compute(*args, **kw)  # type: ignore[arg-type]

    back = store.results(
        "2025-R1", by=["sex", "region"], catalogue=FakeCatalogue(), compute=counting
    )
    assert calls == []  # served from the stored rows of version 1
    pd.testing.assert_frame_equal(back, old)
    # and they are exactly what a fresh computation on version 1's responses gives
    fresh = fake_compute(
        store.responses("2025-R1"), None, by=["sex", "region"], design=store.design("2025-R1")
    )
    assert back["estimate"].tolist() == fresh["estimate"].tolist()
    assert back["n"].astype(int).tolist() == fresh["n"].tolist()
    assert back["unit"].tolist() == fresh["unit"].tolist()  # extra columns come back too
    # the view for Power BI / Excel shows version 1 only
    with store.engine.connect() as conn:
        view = pd.read_sql(sa.text("SELECT * FROM current_results ORDER BY indicator"), conn)
    assert set(view["round_version"]) == {1}
    assert sorted(view["estimate"]) == sorted(old["estimate"])


def test_results_cache_keys_on_catalogue_version(store: Store) -> None:
    upload(store, seed=3)
    a = results(store, catalogue=FakeCatalogue("v1"))
    b = results(store, catalogue=FakeCatalogue("v2"))
    assert set(a["catalogue_version"]) == {"v1"} and set(b["catalogue_version"]) == {"v2"}
    with store.engine.connect() as conn:
        runs = conn.execute(sa.select(t.result_runs.c.catalogue_version)).scalars().all()
    assert sorted(runs) == ["v1", "v2"]
    # a new current version is a new key: recomputed, never the old rows
    upload(store, seed=4)
    c = results(store, catalogue=FakeCatalogue("v2"))
    assert set(c["round_version"]) == {2}
    assert set(c["data_version"]) == {store.versions("2025-R1")["data_version"].iloc[1]}


KILL_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    import mande.store.repository as repo
    from mande import Settings
    from mande.store import SourceFile, Store
    from tests.integration._fakes import FakeRound, make_responses

    marker = Path({marker!r})

    def stop_here(stage):
        marker.write_text(stage)
        time.sleep(120)  # the parent kills us here, mid-transaction

    repo._checkpoint = stop_here
    settings = Settings.from_env({{"MANDE_DATA_DIR": {data!r}, "MANDE_SECRET": "t",
                                  "MANDE_USER": "killed", "MANDE_ROLE": "officer"}})
    store = Store.open({url!r}, settings)
    rnd = FakeRound(make_responses(500, 99), label="2025-R1")
    store.add_round(rnd, "2025-R1", source=SourceFile.from_bytes("big.xlsx", b"big upload"))
    """
)


def test_kill_during_upload_leaves_previous_state(store: Store, backend, tmp_path: Path) -> None:
    upload(store, seed=1, n=120)
    before = counts(store)
    audit_before = len(store.as_user("a", "admin").audit_log())
    marker = tmp_path / "marker"
    script = KILL_CHILD.format(
        root=str(ROOT), marker=str(marker), data=str(tmp_path / "child"), url=backend.url
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, "the child ended before reaching the checkpoint"
            assert time.monotonic() < deadline, "the child never reached the checkpoint"
            time.sleep(0.05)
        assert marker.read_text() == "responses_written"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # the store is as it was: readable, consistent, the half-written version is gone
    assert counts(store) == before
    assert store.versions("2025-R1")["version"].tolist() == [1]
    pd.testing.assert_frame_equal(store.responses("2025-R1"), make_responses(120, 1))
    assert len(store.as_user("a", "admin").audit_log()) == audit_before
    # and the lock the dead process held is gone: the next upload gets version 2
    assert upload(store, seed=5).version == 2


def test_eight_concurrent_uploads_all_land(store: Store) -> None:
    jobs = [(label, seed, 100 + 10 * seed) for seed, label in enumerate(["2025-R1", "2025-R2"] * 4)]
    errors: list[BaseException] = []
    done: list[object] = []
    barrier = threading.Barrier(len(jobs))

    def run(label: str, seed: int, n: int) -> None:
        try:
            barrier.wait()
            done.append(upload(store.as_user(f"officer{seed}", "officer"), seed, n=n, label=label))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors, errors
    assert len(done) == 8
    for label in ("2025-R1", "2025-R2"):
        versions = store.versions(label)
        assert versions["version"].tolist() == [1, 2, 3, 4]
        expected = sorted(n for lab, _, n in jobs if lab == label)
        assert sorted(versions["n_respondents"]) == expected
        assert versions["current"].sum() == 1
    c = counts(store)
    assert c["uploads"] == 8 and c["round_versions"] == 8 and c["responses"] == 8
    audit = store.as_user("a", "admin").audit_log()
    assert (audit["action"] == "upload").sum() == 8
    for label, _seed, n in jobs:
        v = store.versions(label)
        row = v[v["n_respondents"] == n].iloc[0]
        assert len(store.responses(label, int(row["version"]))) == n


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda df: df.assign(phone_number="+236 70 00 00 00"), id="phone-column"),
        pytest.param(lambda df: df.assign(Nom_enquete="Jean"), id="name-column"),
        pytest.param(lambda df: df.assign(_gps_latitude=4.36), id="gps-column"),
        pytest.param(lambda df: df.assign(note="write to a.b@example.org"), id="email-value"),
        pytest.param(lambda df: pd.concat([df, df.iloc[:3]]), id="duplicate-ids"),
        pytest.param(lambda df: df.drop(columns="weight"), id="design-column-missing"),
    ],
)
def test_failed_validation_leaves_no_row_behind(store: Store, bad) -> None:
    upload(store, seed=1)
    before = counts(store)
    rnd = FakeRound(bad(make_responses(50, 7)), label="2025-R1")
    src = SourceFile.from_bytes("bad.xlsx", b"a bad file")
    with pytest.raises(DataValidationError) as err:
        store.add_round(rnd, "2025-R1", source=src)
    assert err.value.problems
    after = counts(store)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }
    assert after["audit_log"] == before["audit_log"] + 1  # the refused attempt, on its own
    last = store.as_user("a", "admin").audit_log().iloc[0]
    assert (last["action"], bool(last["ok"]), last["file_sha256"]) == ("upload", False, src.sha256)
    assert last["details"]["refused"] == "validation failed"


def test_audit_log_records_each_action_with_file_hash(store: Store) -> None:
    admin = store.as_user("chief", "admin")
    assert admin.set_mission(MISSION) == "created"
    assert admin.set_mission(MISSION) == "unchanged"
    r1 = upload(store, seed=1)
    r2 = upload(store, seed=2)
    admin.set_current("2025-R1", 1)
    admin.purge("2025-R1", 2, reason="wrong file")
    log = admin.audit_log().iloc[::-1].reset_index(drop=True)
    assert log["action"].tolist() == ["set_mission", "upload", "upload", "set_current", "purge"]
    assert log["user"].tolist() == ["chief", "officer1", "officer1", "chief", "chief"]
    mission_sha = SourceFile.from_path(MISSION).sha256
    assert log["file_sha256"].tolist() == [
        mission_sha,
        r1.file_sha256,
        r2.file_sha256,
        r1.file_sha256,
        r2.file_sha256,
    ]
    assert log.loc[3, "details"] == {"version": 1, "previous": 2}
    assert log.loc[4, "details"]["reason"] == "wrong file"
    assert log["ok"].all()
    assert str(log["at"].dt.tz) == "UTC" and log["at"].is_monotonic_increasing
    assert str(store.history()["uploaded_at"].dt.tz) == "UTC"
    history = store.history()
    assert history["status"].tolist() == ["purged", "accepted"]


def test_roles_are_enforced(store: Store) -> None:
    viewer = store.as_user("srsg", "viewer")
    officer = store.as_user("me", "officer")
    admin = store.as_user("chief", "admin")
    with pytest.raises(PermissionDenied, match="needs the 'officer' role"):
        upload(viewer, seed=1)
    upload(officer, seed=1)
    upload(officer, seed=2)
    with pytest.raises(PermissionDenied):
        officer.set_current("2025-R1", 1)
    with pytest.raises(PermissionDenied):
        officer.purge("2025-R1", 1)
    with pytest.raises(PermissionDenied):
        officer.audit_log()
    with pytest.raises(PermissionDenied):
        officer.set_mission(MISSION)
    # a role passed per call overrides the store's
    with pytest.raises(PermissionDenied):
        admin.set_current("2025-R1", 1, "someone", role="viewer")
    assert viewer.rounds().loc[0, "current_version"] == 2
    assert len(viewer.responses("2025-R1")) == 200
    admin.set_current("2025-R1", 1)
    assert viewer.rounds().loc[0, "current_version"] == 1
    log = admin.audit_log()
    refused = log[~log["ok"]]
    assert len(refused) == 6
    assert set(refused["details"].map(lambda d: d["refused"])) == {"permission denied"}
    assert store.versions("2025-R1")["version"].tolist() == [1, 2]


def test_purge(store: Store) -> None:
    admin = store.as_user("chief", "admin")
    upload(store, seed=1)
    upload(store, seed=2)
    results(store)
    with pytest.raises(StoreError, match="current version"):
        admin.purge("2025-R1", 2)
    assert admin.purge("2025-R1", 1) == 1
    assert store.versions("2025-R1")["version"].tolist() == [2]
    with pytest.raises(StoreError, match="no version 1"):
        store.responses("2025-R1", 1)
    assert upload(store, seed=3).version == 3  # version numbers are never reused
    assert admin.purge("2025-R1") == 2
    assert store.rounds().empty
    c = counts(store)
    assert c["round_versions"] == c["responses"] == c["results"] == c["result_runs"] == 0
    assert c["uploads"] == 3  # the history keeps the uploads, marked purged
    assert set(store.history()["status"]) == {"purged"}


def test_mission_period_and_fieldwork(store: Store) -> None:
    store.as_user("chief", "admin").set_mission(MISSION)
    upload(store, seed=1)
    mission = store.mission()
    assert mission is not None and mission.code == "MINUSVA"
    row = store.rounds().iloc[0]
    df = make_responses(200, 1)
    assert row["fieldwork_start"] == df["interview_date"].min().date()
    assert row["fieldwork_end"] == df["interview_date"].max().date()
    assert row["period"] == "2025-02"  # four-month periods from 2024-10: Feb-May 2025


def test_interviews_keep_only_consented_quotes(store: Store) -> None:
    class Iv:
        interviews = pd.DataFrame(
            {"interview_id": ["i1", "i2", "i3"], "partner_type": ["ngo", "local", "un"],
             "trust": [4, 2, 5]}
        )  # fmt: skip
        quotes = pd.DataFrame(
            {"interview_id": ["i1", "i2", "i3"], "text": ["yes please", "no", "ok"],
             "consent": [True, False, True]}
        )  # fmt: skip
        report = None

    class Iv2(Iv):
        interviews = Iv.interviews.assign(trust=[1, 1, 1])

    src = SourceFile.from_bytes("sheet.xlsx", b"interviews")
    res = store.add_interviews(Iv(), "2025-P1", source=src)
    assert (res.version, res.n_rows) == (1, 3)
    assert store.quotes()["text"].tolist() == ["yes please", "ok"]
    assert store.interviews()["trust"].tolist() == [4, 2, 5]
    assert store.interview_sheets().loc[0, "n_quotes"] == 2
    assert store.history().loc[0, "kind"] == "interviews"
    # versioned like rounds: a corrected sheet, then back to the first one
    store.add_interviews(Iv2(), "2025-P1", source=SourceFile.from_bytes("sheet.xlsx", b"v2"))
    assert store.interviews()["trust"].tolist() == [1, 1, 1]
    admin = store.as_user("chief", "admin")
    with pytest.raises(PermissionDenied):
        store.set_current_interviews("2025-P1", 1)
    admin.set_current_interviews("2025-P1", 1)
    assert store.interviews()["trust"].tolist() == [4, 2, 5]
    assert store.interview_versions("2025-P1")["current"].tolist() == [True, False]
    assert admin.purge_interviews("2025-P1", 2, reason="test") == 1
    assert store.interview_versions("2025-P1")["version"].tolist() == [1]
    assert admin.purge_interviews("2025-P1") == 1

    class Leaky(Iv):
        quotes = Iv.quotes.assign(text=["call me: someone@example.org", "no", "ok"])

    before = counts(store)
    with pytest.raises(DataValidationError, match="personal data"):
        store.add_interviews(Leaky(), "2025-P2", source=SourceFile.from_bytes("x.xlsx", b"leak"))
    assert {k: v for k, v in counts(store).items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }
    assert store.interviews().empty and store.interview_sheets().empty


def test_data_version_changes_with_current_version(store: Store) -> None:
    v0 = store.data_version()
    upload(store, seed=1)
    v1 = store.data_version()
    upload(store, seed=2)
    v2 = store.data_version()
    store.as_user("chief", "admin").set_current("2025-R1", 1)
    v3 = store.data_version()
    assert len({v0, v1, v2, v3}) == 4
    assert store.data_version() == v3


def test_schema_behind_needs_upgrade(backend, settings) -> None:
    from mande.store import _engine

    engine = _engine.make_engine(backend.url)
    try:
        with pytest.raises(StoreError, match="mande db upgrade"):
            Store.open(backend.url, settings, upgrade=False)
        before, after = _engine.upgrade(engine)
        assert before is None and after == _engine.head_revision()
        assert _engine.upgrade(engine) == (after, after)  # idempotent
        Store.open(backend.url, settings, upgrade=False).close()
    finally:
        engine.dispose()


def test_sqlite_pragmas(tmp_path: Path, settings) -> None:
    s = Store.open(f"sqlite:///{tmp_path / 'x' / 'mande.db'}", settings)
    try:
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        s.close()


def test_results_rows_are_plain_for_other_tools(store: Store) -> None:
    upload(store, seed=1)
    out = results(store)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM results")).mappings().all()
    assert len(rows) == len(out)
    first = rows[0]
    assert isinstance(first["estimate"], float) and isinstance(first["n"], int)
    assert first["round_label"] == "2025-R1" and first["indicator"].startswith("X-")
    assert first["unit"] == "proportion"  # a known column is typed
    assert json.loads(first["extra_json"]) == {"design_note": "fake"}  # others kept as JSON
    assert "group_value" in first and "catalogue_version" in first


def test_unusable_urls_say_how_to_fix(settings) -> None:
    with pytest.raises(StoreError, match="not supported"):
        Store.open("mysql://someone@localhost/mande", settings)
    with pytest.raises(StoreError, match="not a database URL"):
        Store.open("not a url", settings)
    with pytest.raises(StoreError, match=r"cannot open the store.*server is running"):
        Store.open("postgresql+psycopg://nobody@127.0.0.1:1/mande", settings)


def test_migrations_down_and_up_keep_the_data(store: Store, backend) -> None:
    from alembic import command

    from mande.store import _engine

    upload(store, seed=1)
    before = results(store)
    engine = store.engine
    with engine.connect() as conn, conn.begin():
        command.downgrade(_engine._alembic_config(conn), "0001")
    with engine.connect() as conn:
        assert _engine.current_revision(conn) == "0001"
        cols = {c["name"] for c in sa.inspect(conn).get_columns("results")}
        n_view = conn.execute(sa.text("SELECT COUNT(*) FROM current_results")).scalar_one()
    assert "name" not in cols and n_view == len(before)
    assert _engine.upgrade(engine) == ("0001", _engine.head_revision())
    after = results(store)
    pd.testing.assert_frame_equal(after, before)


def test_default_store_is_sqlite_in_data_dir_with_env_user(
    mande_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANDE_USER", "srsg.office")
    monkeypatch.setenv("MANDE_ROLE", "viewer")
    with Store.open() as store:
        assert (mande_env / "mande.db").exists()
        assert (store.user, store.role) == ("srsg.office", "viewer")
        with pytest.raises(PermissionDenied, match=r"srsg\.office \(viewer\)"):
            upload(store, seed=1)
        log = store.as_user("chief", "admin").audit_log()
    assert log.loc[0, "user"] == "srsg.office" and not log.loc[0, "ok"]
