"""Store faults as clear errors (a full disk, a damaged file, a lost schema stamp), and a round that
cannot be estimated is never stored or made current."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from typer.testing import CliRunner

import mande
from mande.cli import app
from mande.errors import DataValidationError, StoreError
from mande.ingest.survey import read_survey
from mande.store import SourceFile, Store

from .test_hostile_uploads import export_file
from .test_store_ingest import counts


def test_a_full_disk_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, settings: mande.Settings, sample_files: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'full.db'}"
    store = Store.open(url, settings)
    try:
        before = counts(store)
        pages = sqlite3.connect(tmp_path / "full.db").execute("PRAGMA page_count").fetchone()[0]

        @event.listens_for(store.engine, "connect")
        def _small_disk(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.execute(f"PRAGMA max_page_count={pages + 3}")

        store.engine.dispose()
        export = export_file(sample_files, tmp_path / "r.csv", n=300)
        with pytest.raises(StoreError) as err:
            store.ingest_survey(export, sample_files / "forms" / "perception_survey.xlsx", "R1")
        msg = str(err.value)
        assert "is full" in msg and "nothing was written" in msg and "Free disk space" in msg
        assert "Traceback" not in msg
        event.remove(store.engine, "connect", _small_disk)
        store.engine.dispose()
        after = counts(store)
        assert {k: v for k, v in after.items() if k != "audit_log"} == {
            k: v for k, v in before.items() if k != "audit_log"
        }
    finally:
        store.close()


def test_a_damaged_store_file(tmp_path: Path, settings: mande.Settings) -> None:
    path = tmp_path / "mande.db"
    path.write_bytes(b"this is not a database, it was overwritten by something else" * 100)
    with pytest.raises(StoreError) as err:
        Store.open(f"sqlite:///{path}", settings)
    msg = str(err.value)
    assert str(path) in msg and "is damaged" in msg and "backup" in msg
    assert "mande db upgrade" in msg


def test_a_lost_schema_stamp_and_its_remedy(tmp_path: Path, settings: mande.Settings) -> None:
    url = f"sqlite:///{tmp_path / 'stamp.db'}"
    Store.open(url, settings).close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
    engine.dispose()
    with pytest.raises(StoreError) as err:
        Store.open(url, settings)
    assert "no schema version stamp" in str(err.value) and "mande db stamp" in str(err.value)
    res = CliRunner().invoke(app, ["db", "stamp", "--url", url])
    assert res.exit_code == 0, res.output
    Store.open(url, settings).close()


def test_a_round_that_cannot_be_estimated_is_never_made_current(
    store: Store, sample_files: Path, tmp_path: Path
) -> None:
    form = sample_files / "forms" / "perception_survey.xlsx"
    export = export_file(sample_files, tmp_path / "r.csv", n=200)
    store.ingest_survey(export, form, "R1")
    rnd = read_survey(export, form, secret=b"test")
    weights = rnd.responses["weight"].to_numpy().copy()
    weights[3] = np.inf
    bad = dataclasses.replace(rnd, responses=rnd.responses.assign(weight=weights))
    with pytest.raises(DataValidationError) as err:
        store.add_round(bad, "R1", source=SourceFile.from_bytes("bad.csv", b"other bytes"))
    assert err.value.problems[0].code == "not_estimable"
    rounds = store.rounds()
    assert rounds.loc[rounds["round"] == "R1", "current_version"].tolist() == [1]
    assert len(store.versions("R1")) == 1


def test_a_stored_version_that_cannot_be_estimated_is_never_made_current_again(
    store: Store, sample_files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mande.store._surveys as surveys

    form = sample_files / "forms" / "perception_survey.xlsx"
    export = export_file(sample_files, tmp_path / "r.csv", n=200)
    store.ingest_survey(export, form, "R1")
    rnd = read_survey(export, form, secret=b"test")
    weights = rnd.responses["weight"].to_numpy().copy()
    weights[0] = np.inf
    bad = dataclasses.replace(rnd, responses=rnd.responses.assign(weight=weights))
    with monkeypatch.context() as m:  # a version stored before the check existed
        m.setattr(surveys, "check_estimable", lambda frame, design: None)
        store.add_round(bad, "R1", source=SourceFile.from_bytes("old.csv", b"old bytes"))
    admin = store.as_user("chief", "admin")
    admin.set_current("R1", 1)
    with pytest.raises(DataValidationError) as err:
        admin.set_current("R1", 2)
    assert err.value.problems[0].code == "not_estimable"
    rounds = store.rounds()
    assert rounds.loc[rounds["round"] == "R1", "current_version"].tolist() == [1]
