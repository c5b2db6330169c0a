"""Fixtures for the store's tests: the same tests run on SQLite and on PostgreSQL.

PostgreSQL comes from the ``postgres_url`` fixture (tests/conftest.py): skipped on a developer's
machine without a server, a failure in CI. Each test gets a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from mande import Settings
from mande.store import Store


@dataclass(frozen=True)
class Backend:
    name: str
    url: str


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield Backend("sqlite", f"sqlite:///{tmp_path / 'mande.db'}")
        return
    base = request.getfixturevalue("postgres_url")
    schema = f"mande_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield Backend("postgres", f"{base}{sep}options=-csearch_path%3D{schema}")
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def sample_files(sample_dir: Path) -> Path:
    """The sample mission's files (``MANDE_TEST_SAMPLE_DIR`` points elsewhere while developing)."""
    path = Path(os.environ.get("MANDE_TEST_SAMPLE_DIR") or sample_dir)
    if not (path / "rounds").is_dir():
        pytest.fail(f"{path} has no rounds/: run `make sample-data`", pytrace=False)
    return path


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(
        {"MANDE_DATA_DIR": str(tmp_path / "data"), "MANDE_SECRET": "test", "MANDE_USER": "officer1",
         "MANDE_ROLE": "officer"}
    )  # fmt: skip


@pytest.fixture()
def store(backend: Backend, settings: Settings) -> Iterator[Store]:
    """A store acting as an officer (``officer1``); ``store.as_user(...)`` for other roles."""
    s = Store.open(backend.url, settings)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture()
def small_sample(sample_files: Path, tmp_path: Path) -> Path:
    """The sample mission with its last two rounds only (enough for a change), no interviews."""
    out = tmp_path / "sample"
    (out / "rounds").mkdir(parents=True)
    shutil.copy(sample_files / "mission.yaml", out / "mission.yaml")
    shutil.copy(sample_files / "regions.geojson", out / "regions.geojson")
    shutil.copytree(sample_files / "forms", out / "forms")
    (out / "plans").mkdir()
    for name in ("round3_2025-11.csv", "round4_2026-05.xlsx"):
        shutil.copy(sample_files / "rounds" / name, out / "rounds" / name)
        plan = f"{Path(name).stem}.csv"
        shutil.copy(sample_files / "plans" / plan, out / "plans" / plan)
    return out
