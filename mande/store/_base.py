"""What every part of the store shares: connection, roles, audit, mission, queries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mande._definitions import FileCache
from mande.config import MissionConfig, Settings, load_mission
from mande.dates import as_date
from mande.errors import DataValidationError, PermissionDenied, StoreError
from mande.gate import screen_problems
from mande.roles import ACTIONS, allowed
from mande.store import _access, _engine
from mande.store import schema as t
from mande.store._blobs import _json_safe
from mande.store._records import SourceFile, _Actor

_TIMESTAMPS = frozenset({"at", "uploaded_at", "created_at", "computed_at", "loaded_at"})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _insert_ignore(
    conn: Connection, table: sa.Table, values: dict[str, Any], keys: list[str]
) -> None:
    if _engine.is_sqlite(conn):
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(
            sqlite_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
        )
    else:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys))


def _lock_row(conn: Connection, table: sa.Table, row_id: int) -> None:
    """Serialise writers of one round on PostgreSQL (SQLite's BEGIN IMMEDIATE already does)."""
    if not _engine.is_sqlite(conn):
        conn.execute(sa.select(table.c.id).where(table.c.id == row_id).with_for_update())


def _n_warnings(report: Any) -> int:
    if report is None:
        return 0
    for attr in ("warnings", "problems"):
        value = getattr(report, attr, None)
        if value is not None and not callable(value):
            try:
                return len(value)
            except TypeError:
                continue
    return 0


def _n_problems(report: Any) -> int:
    """Every problem a report holds (on an accepted upload: its warnings)."""
    value = getattr(report, "problems", None)
    if value is not None and not callable(value):
        try:
            return len(value)
        except TypeError:
            pass
    return _n_warnings(report)


def _as_date(value: Any) -> dt.date | None:
    return as_date(value)


def _period_of(
    mission: MissionConfig | None, start: dt.date | None, end: dt.date | None
) -> str | None:
    """The reporting period of a round: :func:`mande.report.periods.round_period`."""
    from mande.report.periods import round_period

    return round_period(mission, start, end) if mission is not None else None


@dataclass(frozen=True)
class _Versioned:
    """A kind of versioned upload (survey rounds, interview sheets) as a purge handles it."""

    parent: sa.Table  # one row per round or sheet, with its current_version
    versions: sa.Table  # one row per version: id, version, upload_id, source_sha256
    parent_key: str  # the column of ``versions`` naming the round or sheet
    object_type: str  # in the audit log
    noun: str  # in messages
    whole: str  # the audit detail saying the whole round or sheet went
    hint: str  # how to purge the current version instead
    delete_data: Callable[[Connection, list[int]], None]  # what hangs on the versions


class _StoreBase:
    """The engine, settings and acting user; role checks and the audit log."""

    def __init__(
        self, engine: Engine, settings: Settings, *, user: str, role: str, fixed: bool = False
    ) -> None:
        self._engine = engine
        self.settings = settings
        self.user = user
        self.role = role
        # On PostgreSQL with a personal login, who acts is the login itself, with its group's
        # role: a user or role given per call (or by MANDE_USER / MANDE_ROLE) is ignored.
        self._fixed = fixed

    def _reached(self, stage: str) -> None:
        """A named point inside a write transaction (:class:`Store` calls the module hook
        ``mande.store.repository._checkpoint`` here, where tests interrupt the process)."""

    # ---- roles and audit -------------------------------------------------------------------

    def _actor(self, user: str | None, role: str | None) -> _Actor:
        if self._fixed:
            return _Actor(self.user, self.role)
        return _Actor(user or self.user, role or self.role)

    def _write(self, actor: _Actor, work: Callable[[Connection], Any]) -> Any:
        """One write transaction acting as ``actor`` (:func:`mande.store._engine.write`)."""
        return _engine.write(self._engine, work, actor=(actor.user, actor.role))

    def _require(
        self,
        actor: _Actor,
        action: str,
        *,
        object_type: str,
        label: str | None = None,
        sha256: str | None = None,
    ) -> None:
        ok = actor.role == "admin" if action == "configure" else allowed(actor.role, action)
        if ok:
            return
        self._audit_alone(
            actor,
            action,
            object_type,
            label,
            sha256,
            ok=False,
            details={"refused": "permission denied", "role": actor.role},
        )
        least = "admin" if action == "configure" else ACTIONS.get(action, "admin")
        raise PermissionDenied(
            f"{actor.user} ({actor.role}) may not {action.replace('_', ' ')} "
            f"{object_type} {label or ''}".rstrip()
            + f"; it needs the '{least}' role. Ask an admin to grant it in mission.yaml (roles:)."
        )

    @staticmethod
    def _audit(
        conn: Connection,
        actor: _Actor,
        action: str,
        object_type: str,
        label: str | None,
        sha256: str | None,
        *,
        ok: bool = True,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "at": _now(),
            "user_name": actor.user,
            "role": actor.role,
            "action": action,
            "object_type": object_type,
            "object_label": label,
            "file_sha256": sha256,
            "ok": ok,
            "details_json": _json_safe(dict(details or {})),
        }
        if _engine.is_sqlite(conn):
            # The chain on the single-user store (the write lock is held); on PostgreSQL the
            # database's trigger sets who, when and the hashes, whatever the client sends.
            prev = conn.execute(
                sa.select(t.audit_log.c.row_hash).order_by(t.audit_log.c.id.desc()).limit(1)
            ).scalar()
            values["prev_hash"] = prev or ""
            values["row_hash"] = _access.audit_hash(prev or "", values)
        conn.execute(t.audit_log.insert().values(**values))

    def _audit_alone(
        self,
        actor: _Actor,
        action: str,
        object_type: str,
        label: str | None,
        sha256: str | None,
        *,
        ok: bool,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """An audit entry in a transaction of its own (for refused attempts)."""
        self._write(
            actor,
            lambda conn: self._audit(
                conn, actor, action, object_type, label, sha256, ok=ok, details=details
            ),
        )

    # ---- the mission (uploads place rounds in its reporting periods) -----------------------

    def mission(self, code: str | None = None) -> MissionConfig | None:
        """The stored mission configuration (the most recently loaded, or by ``code``)."""
        q = sa.select(t.missions.c.config_text, t.missions.c.code)
        if code:
            q = q.where(t.missions.c.code == code)
        q = q.order_by(t.missions.c.loaded_at.desc(), t.missions.c.id.desc()).limit(1)
        with _engine.read(self._engine) as conn:
            row = conn.execute(q).first()
        if row is None:
            return None
        text = str(row.config_text)
        key = hashlib.sha256(text.encode()).digest()
        return cast(MissionConfig, _MISSIONS.get(key, lambda: _mission_from_text(text)))

    def _mission_id(self, conn: Connection) -> int | None:
        return conn.execute(
            sa.select(t.missions.c.id)
            .order_by(t.missions.c.loaded_at.desc(), t.missions.c.id.desc())
            .limit(1)
        ).scalar()

    # ---- uploads, versions ------------------------------------------------------------------

    def _refused(
        self, actor: _Actor, object_type: str, label: str, src: SourceFile, exc: DataValidationError
    ) -> None:
        self._audit_alone(
            actor,
            "upload",
            object_type,
            label,
            src.sha256,
            ok=False,
            details={
                "refused": "validation failed",
                "file_name": src.name,
                "size_bytes": src.size,
                "n_errors": len(exc.errors),
                "n_problems": len(exc.problems),
                # through the personal-data gate: a refused file's cells never reach the log
                "first_errors": [str(p) for p in screen_problems(exc.errors[:5])],
            },
        )

    def _purge_versions(
        self,
        conn: Connection,
        kind: _Versioned,
        parent_id: int,
        label: str,
        version: int | None,
        actor: _Actor,
        reason: str,
    ) -> int:
        """Delete one version of a round or sheet, or all of them and the round or sheet itself
        when ``version`` is None, within ``conn``'s transaction; returns how many versions went.

        Their uploads stay in the history, marked ``purged``; each version purged is audited.
        """
        p, v = kind.parent, kind.versions
        _lock_row(conn, p, parent_id)
        current = conn.execute(sa.select(p.c.current_version).where(p.c.id == parent_id)).scalar()
        q = sa.select(v.c.id, v.c.version, v.c.upload_id, v.c.source_sha256).where(
            v.c[kind.parent_key] == parent_id
        )
        if version is not None:
            if version == current:
                raise StoreError(
                    f"version {version} is the current version of {kind.noun} {label!r}; "
                    + kind.hint
                )
            q = q.where(v.c.version == version)
        rows = conn.execute(q).all()
        if not rows:
            raise StoreError(f"{kind.noun} {label!r} has no version {version}")
        ids = [x.id for x in rows]
        kind.delete_data(conn, ids)
        conn.execute(v.delete().where(v.c.id.in_(ids)))
        conn.execute(
            t.uploads.update()
            .where(t.uploads.c.id.in_([x.upload_id for x in rows]))
            .values(status="purged")
        )
        if version is None:
            conn.execute(p.delete().where(p.c.id == parent_id))
        for x in rows:
            self._audit(
                conn, actor, "purge", kind.object_type, label, x.source_sha256,
                details={"version": x.version, "reason": reason, kind.whole: version is None},
            )  # fmt: skip
        return len(rows)

    # ---- helpers ---------------------------------------------------------------------------

    def _frame(self, query: Any, *, dates: Iterable[str] = ()) -> pd.DataFrame:
        with _engine.read(self._engine) as conn:
            result = conn.execute(query)
            out = pd.DataFrame(result.all(), columns=list(result.keys()))
        for col in dates:
            out[col] = out[col].map(_as_date)
        for col in _TIMESTAMPS.intersection(out.columns):
            # stored in UTC; PostgreSQL returns them aware, SQLite naive: the same on both
            out[col] = pd.to_datetime(out[col], utc=True)
        return out


#: Stored mission configurations by the hash of their text: each parsed once per process.
_MISSIONS = FileCache()


def _mission_from_text(text: str) -> MissionConfig:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mission.yaml"
        path.write_text(text, encoding="utf-8")
        config = load_mission(path)
    return dataclasses.replace(config, path=None)
