"""Engines, write transactions and schema upgrades, the same on SQLite and PostgreSQL.

SQLite (the embedded default) runs in WAL mode (readers never wait for a writer) with foreign keys
on and a busy timeout; a write transaction starts with ``BEGIN IMMEDIATE`` so that two writers
queue for the lock instead of failing halfway. PostgreSQL serialises version numbers by locking the
round's row (``SELECT ... FOR UPDATE``). On both, a transaction that still fails on a lock or a
unique version number is retried from the start.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from mande.errors import StoreError, redact
from mande.store._faults import missing_stamp, translate

__all__ = ["head_revision", "make_engine", "read", "stamp", "upgrade", "write"]

T = TypeVar("T")

BUSY_TIMEOUT_MS = 30_000
MIGRATIONS = Path(__file__).with_name("migrations")
_UPGRADE_LOCK = 0x6D616E6465  # PostgreSQL advisory lock key for schema upgrades ("mande")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout and its folder."""
    try:
        parsed = sa.make_url(url)
    except Exception:
        raise StoreError(
            f"MANDE_DATABASE_URL is not a database URL (received {redact(url)!r}); expected e.g. "
            "sqlite:////path/mande.db or postgresql+psycopg://user@host:5432/mande"
        ) from None  # the parser's own message would repeat the URL, password included
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        _sqlite_events(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        try:
            return sa.create_engine(parsed, pool_pre_ping=True)
        except ImportError as exc:
            raise StoreError(
                f"the PostgreSQL driver is not installed ({exc}); install it with "
                '`pip install "mande[postgres]"` (psycopg) and use postgresql+psycopg://...'
            ) from exc
    raise StoreError(
        f"database {parsed.get_backend_name()!r} is not supported; use SQLite (the default) or "
        "PostgreSQL (postgresql+psycopg://...)"
    )


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite otherwise defers it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        if conn.get_execution_options().get("mande_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, sa.exc.IntegrityError):
        text = str(exc.orig).lower()
        return "unique" in text or "duplicate key" in text
    if isinstance(exc, sa.exc.OperationalError):
        text = str(exc.orig).lower()
        return any(
            s in text
            for s in ("database is locked", "database is busy", "deadlock", "could not serialize")
        )
    return False


def write(
    engine: Engine,
    work: Callable[[Connection], T],
    *,
    attempts: int = 8,
    actor: tuple[str, str] | None = None,
) -> T:
    """Run ``work(conn)`` in one write transaction: all of it is committed, or none of it.

    Retried from the start (with a short random back-off) when the database is locked or a
    concurrent writer took the same unique key (e.g. the same version number). On PostgreSQL,
    ``actor`` (user, role) is set as the transaction's ``mande.actor`` and ``mande.role``, which the
    database honours for the dashboard's service login only (mande/store/_access.py).
    """
    for attempt in range(1, attempts + 1):
        try:
            with engine.connect().execution_options(mande_write=True) as conn, conn.begin():
                if actor is not None and not is_sqlite(conn):
                    conn.execute(
                        sa.text(
                            "SELECT set_config('mande.actor', :u, true), "
                            "set_config('mande.role', :r, true)"
                        ),
                        {"u": actor[0], "r": actor[1]},
                    )
                return work(conn)
        except (sa.exc.OperationalError, sa.exc.IntegrityError) as exc:
            if attempt == attempts or not _retryable(exc):
                fault = translate(exc, engine.url)
                if fault is not None:
                    raise fault from exc
                raise
            time.sleep(random.uniform(0.02, 0.1) * attempt)
        except (sa.exc.DatabaseError, OSError) as exc:
            fault = translate(exc, engine.url)
            if fault is not None:
                raise fault from exc
            raise
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction (a consistent snapshot on both databases)."""
    try:
        with engine.connect() as conn, conn.begin():
            yield conn
    except (sa.exc.DatabaseError, OSError) as exc:
        fault = translate(exc, engine.url)
        if fault is not None:
            raise fault from exc
        raise


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)  # type: ignore[arg-type]
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if head is None:
        raise StoreError("the store's migrations have no head revision; the installation is broken")
    return head


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the schema to ``revision`` (default: the newest); returns (before, after).

    Safe when several processes open a new store at once: SQLite takes the write lock first,
    PostgreSQL an advisory transaction lock, and the migrations run in that one transaction.
    """
    from alembic import command

    target = head_revision() if revision == "head" else revision
    try:
        with engine.connect().execution_options(mande_write=True) as conn, conn.begin():
            if not is_sqlite(conn):
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _UPGRADE_LOCK})
            before = current_revision(conn)
            if before is None and sa.inspect(conn).has_table("rounds"):
                raise missing_stamp(engine.url)
            if before != target:
                command.upgrade(_alembic_config(conn), revision)
            after = current_revision(conn)
    except (sa.exc.DatabaseError, OSError) as exc:
        fault = translate(exc, engine.url)
        if fault is not None:
            raise fault from exc
        raise
    return before, after or target


def stamp(engine: Engine, revision: str = "head") -> str:
    """Record ``revision`` (default: the newest) as the store's schema version without migrating;
    for a store whose stamp was lost. Returns the revision stamped."""
    from alembic import command

    with engine.connect().execution_options(mande_write=True) as conn, conn.begin():
        command.stamp(_alembic_config(conn), revision)
        return current_revision(conn) or revision


def needs_upgrade(engine: Engine) -> bool:
    with engine.connect() as conn:
        return current_revision(conn) != head_revision()
