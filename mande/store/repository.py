"""The store: versioned uploads, tidy responses, indicator results and an audit log.

:class:`Store` is the one entry point. It opens SQLite in the user's data folder by default (or
``MANDE_DATABASE_URL``), upgrades the schema on first use, and checks the acting user's role on
every write.

Rules it keeps
--------------
- Each upload of a round is a new version; the newest becomes current; nothing is overwritten.
  An admin can make an older version current again; only an explicit, audited purge deletes.
- One transaction per upload: the upload, the round version, its responses, the new current
  version and the audit entry are committed together or not at all (a process killed mid-upload
  leaves the store as it was).
- A file that fails validation writes nothing to the data tables; the refused attempt is recorded
  in the audit log only, in a transaction of its own.
- The same file uploaded again for the same round (same SHA-256, same form and mapping) changes
  nothing and is reported as ``"unchanged"``.
- Responses never hold personal data (ingest strips it); the store checks again and refuses
  columns named like names, phone numbers, e-mail addresses or GPS coordinates.
- Indicator results are cached per (round version, catalogue version, breakdowns): a change of
  current version or of the catalogue's definitions is a different key, so results are never stale.
- What the pages read first (the results and the latest period's change table, per language) is
  precomputed after a commit, a reweighting or a change of current version (:meth:`precompute`,
  called by ``mande ingest``, ``mande demo load``, the Upload and Data audit pages) and kept under
  a key of the current round versions, the mission file and the catalogue (:meth:`period_figures`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mande.config import MissionConfig, Settings, load_mission
from mande.errors import StoreError
from mande.roles import ROLES
from mande.store import _access, _engine
from mande.store import schema as t
from mande.store._base import _as_date, _now, _period_of
from mande.store._blobs import _json
from mande.store._blobs import catalogue_version as catalogue_version
from mande.store._blobs import content_hash as content_hash
from mande.store._faults import translate
from mande.store._figures import _Figures
from mande.store._footprint import _Footprint
from mande.store._interviews import _Interviews
from mande.store._privacy import check_no_personal_data as check_no_personal_data
from mande.store._records import SourceFile as SourceFile
from mande.store._records import UploadResult as UploadResult
from mande.store._results import DEFAULT_BREAKDOWNS as DEFAULT_BREAKDOWNS

__all__ = [
    "DEFAULT_BREAKDOWNS",
    "SourceFile",
    "Store",
    "UploadResult",
    "catalogue_version",
    "check_no_personal_data",
]


def _checkpoint(stage: str) -> None:
    """A named point inside a write transaction (does nothing; tests interrupt the process here)."""


class Store(_Figures, _Interviews, _Footprint):
    """The mission's database: survey rounds and interview sheets, versioned; results; audit.

    Open with :meth:`Store.open`. Each write checks the acting user's role (``viewer`` may read,
    ``officer`` may also upload, ``admin`` may also make an older version current, purge, load the
    mission configuration and read the audit log), given per call or taken from the settings.
    """

    def _reached(self, stage: str) -> None:
        _checkpoint(stage)  # looked up when called, so a test can replace the module's hook

    # ---- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str | None = None,
        settings: Settings | None = None,
        *,
        user: str | None = None,
        role: str | None = None,
        upgrade: bool = True,
    ) -> Store:
        """Open the store at ``url`` (default: ``settings.database_url``), creating or upgrading
        its schema on first use.

        Parameters
        ----------
        url:
            SQLAlchemy URL: ``sqlite:////path/mande.db`` or ``postgresql+psycopg://...``.
        settings:
            Default :meth:`mande.Settings.from_env`.
        user, role:
            Who acts by default (default: ``settings.user`` and ``settings.role``).
        upgrade:
            Run pending migrations (default). With False, a store whose schema is behind raises
            :class:`mande.StoreError` asking for ``mande db upgrade``.
        """
        settings = settings or Settings.from_env()
        engine = _engine.make_engine(url or settings.database_url)
        try:
            if upgrade:
                _engine.upgrade(engine)
            elif _engine.needs_upgrade(engine):
                raise StoreError(
                    "the store's schema is older than this version of mande; run `mande db upgrade`"
                )
        except sa.exc.ProgrammingError as exc:  # e.g. a personal login may not migrate
            engine.dispose()
            raise StoreError(
                f"cannot upgrade the store's schema at "
                f"{engine.url.render_as_string(hide_password=True)}: "
                f"{' '.join(str(exc.orig).split())}. Ask the database's owner to run "
                "`mande db upgrade`"
            ) from exc
        except sa.exc.DatabaseError as exc:
            engine.dispose()
            fault = translate(exc, engine.url)
            if fault is not None:
                raise fault from exc
            raise StoreError(
                f"cannot open the store at {engine.url.render_as_string(hide_password=True)}: "
                f"{' '.join(str(exc.orig).split())} Check MANDE_DATABASE_URL and that the database "
                "server is running"
            ) from exc
        if not _engine.is_sqlite(engine):
            with _engine.read(engine) as conn:
                who = _access.session_identity(conn)
            if not who.trusted:
                # A personal login acts as itself, with its group's role, whatever was asked.
                if who.role is None:
                    engine.dispose()
                    raise StoreError(
                        f"the database login {who.login!r} has no mande role; an admin can give it "
                        f"one with `mande users add {who.login} --role viewer` (or officer, admin)"
                    )
                return cls(engine, settings, user=who.login, role=who.role, fixed=True)
        role = role or settings.role
        if role not in ROLES:
            raise StoreError(f"role {role!r} is not a role; expected one of {', '.join(ROLES)}")
        return cls(engine, settings, user=user or settings.user, role=role)

    def as_user(self, user: str, role: str) -> Store:
        """The same store (same connections) acting as ``user`` with ``role``.

        On PostgreSQL with a personal login this changes nothing: the login acts as itself.
        """
        if role not in ROLES:
            raise StoreError(f"role {role!r} is not a role; expected one of {', '.join(ROLES)}")
        if self._fixed:
            return self
        return Store(self._engine, self.settings, user=user, role=role)

    @property
    def acts_as_login(self) -> bool:
        """Whether the store acts as its database login (PostgreSQL, a personal login) rather
        than for the user and role it is given (SQLite, the dashboard's service login)."""
        return self._fixed

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def url(self) -> str:
        return self._engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r}, user={self.user!r}, role={self.role!r})"

    # ---- mission ---------------------------------------------------------------------------

    def set_mission(
        self, path: str | Path, *, user: str | None = None, role: str | None = None
    ) -> Literal["created", "updated", "unchanged"]:
        """Store the mission configuration (``mission.yaml``), validated first (admin)."""
        actor = self._actor(user, role)
        src = SourceFile.from_path(path, keep=True)
        self._require(actor, "configure", object_type="mission", label=src.name, sha256=src.sha256)
        config = load_mission(path)
        if src.data is None:  # SourceFile.from_path(keep=True) keeps the bytes
            raise StoreError(f"{src.name}: the mission file's content could not be read")
        text = _inline_population(src.data.decode("utf-8"), config)
        boundaries = _read_boundaries(config)
        digest = hashlib.sha256(text.encode() + (boundaries or "").encode()).hexdigest()

        def work(conn: Connection) -> Literal["created", "updated", "unchanged"]:
            row = conn.execute(
                sa.select(t.missions.c.id, t.missions.c.config_sha256).where(
                    t.missions.c.code == config.code
                )
            ).first()
            values = {
                "code": config.code,
                "name_en": config.title("en"),
                "name_fr": config.name.get("fr"),
                "names_json": _json(config.name),
                "config_text": text,
                "config_sha256": digest,
                "boundaries_geojson": boundaries,
                "loaded_at": _now(),
                "loaded_by": actor.user,
            }
            if row is not None and row.config_sha256 == digest:
                return "unchanged"
            if row is None:
                conn.execute(t.missions.insert().values(**values))
                status: Literal["created", "updated", "unchanged"] = "created"
            else:
                conn.execute(t.missions.update().where(t.missions.c.id == row.id).values(**values))
                status = "updated"
            moved = _replace_periods(conn, config)
            self._audit(
                conn, actor, "set_mission", "mission", config.code, src.sha256,
                details={"file_name": src.name, "status": status, "versions_moved": moved},
            )  # fmt: skip
            return status

        return self._write(actor, work)

    def boundaries(self, code: str | None = None) -> dict[str, Any] | None:
        """The mission's regions as GeoJSON (from ``boundaries:`` in mission.yaml), or None."""
        q = sa.select(t.missions.c.boundaries_geojson)
        if code:
            q = q.where(t.missions.c.code == code)
        q = q.order_by(t.missions.c.loaded_at.desc(), t.missions.c.id.desc()).limit(1)
        with _engine.read(self._engine) as conn:
            text = conn.execute(q).scalar()
        return dict(json.loads(text)) if text else None

    # ---- what changed ----------------------------------------------------------------------

    def data_version(self) -> str:
        """A key that changes whenever an upload, a current version or the mission changes."""
        with _engine.read(self._engine) as conn:
            audit_head = (
                sa.select(sa.func.max(t.audit_log.c.id))
                if _engine.is_sqlite(conn)
                else sa.select(sa.func.mande_audit_head())  # viewers may not read the log itself
            )
            parts = [
                conn.execute(audit_head).scalar(),
                conn.execute(sa.select(sa.func.max(t.uploads.c.id))).scalar(),
                [
                    tuple(r)
                    for r in conn.execute(
                        sa.select(t.rounds.c.id, t.rounds.c.current_version).order_by(t.rounds.c.id)
                    )
                ],
                [
                    tuple(r)
                    for r in conn.execute(
                        sa.select(
                            t.interview_sheets.c.id, t.interview_sheets.c.current_version
                        ).order_by(t.interview_sheets.c.id)
                    )
                ],
                list(conn.execute(sa.select(t.missions.c.config_sha256)).scalars()),
                self._footprint_state(conn),
            ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]

    # ---- history and audit -----------------------------------------------------------------

    def history(self) -> pd.DataFrame:
        """Every accepted upload, newest first: when, who, what, which file (SHA-256), status."""
        u = t.uploads
        v, iv, fv = t.round_versions, t.interview_versions, t.footprint_versions
        q = (
            sa.select(
                u.c.uploaded_at, u.c.user_name.label("user"), u.c.role, u.c.kind,
                u.c.target_label.label("label"),
                sa.func.coalesce(v.c.version, iv.c.version, fv.c.version).label("version"),
                u.c.file_name, u.c.sha256.label("file_sha256"), u.c.size_bytes, u.c.status,
                u.c.n_warnings,
            )
            .outerjoin(v, v.c.upload_id == u.c.id)
            .outerjoin(iv, iv.c.upload_id == u.c.id)
            .outerjoin(fv, fv.c.upload_id == u.c.id)
            .order_by(u.c.id.desc())
        )  # fmt: skip
        return self._frame(q)

    def audit_log(self, user: str | None = None, *, role: str | None = None) -> pd.DataFrame:
        """The audit log, newest first (admin): who, when, action, object, file SHA-256, details."""
        actor = self._actor(user, role)
        self._require(actor, "audit", object_type="audit log")
        a = t.audit_log
        q = sa.select(
            a.c.id, a.c.at, a.c.user_name.label("user"), a.c.role, a.c.action, a.c.object_type,
            a.c.object_label, a.c.file_sha256, a.c.ok, a.c.details_json.label("details"),
        ).order_by(a.c.id.desc())  # fmt: skip
        out = self._frame(q)
        out["ok"] = out["ok"].astype(bool)
        out["details"] = out["details"].map(json.loads)
        return out

    def verify_audit(
        self, user: str | None = None, *, role: str | None = None
    ) -> list[_access.ChainBreak]:
        """Check the audit log's hash chain (admin): an empty list when no entry was deleted,
        edited or reordered; otherwise each break found, with the entry's id.

        Each entry carries the previous entry's hash and the hash of its own fields
        (:func:`mande.store._access.audit_hash`), so a deleted entry breaks the link of the one
        after it and an edited entry no longer matches its own hash.
        """
        actor = self._actor(user, role)
        self._require(actor, "audit", object_type="audit log")
        a = t.audit_log
        with _engine.read(self._engine) as conn:
            rows = conn.execute(sa.select(a).order_by(a.c.id)).all()
        return _access.verify_chain(rows)

    def has_file(self, sha256: str, kind: str | None = None) -> bool:
        """Whether an accepted upload (not purged) came from a file with this SHA-256."""
        u = t.uploads
        q = sa.select(sa.func.count()).where(u.c.sha256 == sha256, u.c.status == "accepted")
        if kind:
            q = q.where(u.c.kind == kind)
        with _engine.read(self._engine) as conn:
            return bool(conn.execute(q).scalar())


def _replace_periods(conn: Connection, mission: MissionConfig) -> int:
    """Place every round version in the (new) reporting calendar; returns how many moved.

    The stored results carry the period too, and follow.
    """
    v = t.round_versions
    moved = 0
    for row in conn.execute(
        sa.select(v.c.id, v.c.fieldwork_start, v.c.fieldwork_end, v.c.period_id)
    ):
        period = _period_of(mission, _as_date(row.fieldwork_start), _as_date(row.fieldwork_end))
        if period != row.period_id:
            conn.execute(v.update().where(v.c.id == row.id).values(period_id=period))
            conn.execute(
                t.results.update().where(t.results.c.round_version_id == row.id)
                .values(period_id=period)
            )  # fmt: skip
            moved += 1
    return moved


def _inline_population(text: str, config: MissionConfig) -> str:
    """The mission's text with population margins read from a CSV (``population: file:``) written
    into it, so that the stored configuration stands alone (the file is not kept)."""
    pop = config.population
    if pop is None or not getattr(pop, "file", None):
        return text
    import yaml

    raw = yaml.safe_load(text)
    raw["population"] = {"source": pop.source, "year": pop.year, "margins": pop.margins}
    return str(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))


def _read_boundaries(config: MissionConfig) -> str | None:
    """The GeoJSON file named by ``boundaries:`` in mission.yaml (relative to it), checked."""
    rel = config.raw.get("boundaries")
    if not rel or config.path is None:
        return None
    path = Path(config.path).parent / str(rel)
    try:
        text = path.read_text(encoding="utf-8")
        geo = json.loads(text)
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"{config.path}: boundaries: {rel} cannot be read as GeoJSON ({exc}); give the path of "
            "a GeoJSON FeatureCollection beside mission.yaml"
        ) from exc
    pcodes = {f.get("properties", {}).get("pcode") for f in geo.get("features", [])}
    missing = sorted({r.pcode for r in config.regions} - pcodes)
    if geo.get("type") != "FeatureCollection" or missing:
        raise StoreError(
            f"{path}: expected a GeoJSON FeatureCollection with a 'pcode' property for every region; "
            f"regions without a polygon: {missing or 'none'}"
        )
    return text
