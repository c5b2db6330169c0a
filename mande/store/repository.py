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
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mande.config import MissionConfig, Settings, load_mission
from mande.errors import DataValidationError, PermissionDenied, Problem, StoreError
from mande.roles import ACTIONS, ROLES, allowed
from mande.stats.design import SurveyDesign
from mande.store import _engine
from mande.store import schema as t

__all__ = [
    "DEFAULT_BREAKDOWNS",
    "SourceFile",
    "Store",
    "UploadResult",
    "catalogue_version",
    "check_no_personal_data",
]

DEFAULT_BREAKDOWNS: tuple[str, ...] = (
    "sex",
    "age_group",
    "region",
    "urban_rural",
    "displacement",
    "disability",
)

BLOB_FORMAT = "parquet-zstd"
_TIMESTAMPS = frozenset({"at", "uploaded_at", "created_at", "computed_at", "loaded_at"})

# Words that mark a column as personal data, whatever the language of the form.
_PERSONAL_TOKENS = frozenset(
    {
        "name", "names", "fullname", "firstname", "lastname", "surname", "givenname",
        "nom", "noms", "prenom", "prénom", "prenoms", "prénoms",
        "phone", "phones", "telephone", "téléphone", "tel", "tél", "mobile", "msisdn",
        "whatsapp", "cellphone", "portable",
        "email", "emails", "mail", "courriel", "e-mail",
        "gps", "geopoint", "geolocation", "géolocalisation", "latitude", "longitude",
        "lat", "lon", "lng", "coordinates", "coordonnees", "coordonnées", "altitude",
    }
)  # fmt: skip
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def _checkpoint(stage: str) -> None:
    """A named point inside a write transaction (does nothing; tests interrupt the process here)."""


# --------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class SourceFile:
    """An uploaded file as the store records it: name, SHA-256 and size (and its bytes, if kept)."""

    name: str
    sha256: str
    size: int
    data: bytes | None = None

    @classmethod
    def from_path(cls, path: str | Path, *, keep: bool = False) -> SourceFile:
        p = Path(path)
        try:
            data = p.read_bytes()
        except FileNotFoundError as exc:
            raise StoreError(f"file {p} not found; give the path of the file to upload") from exc
        return cls(p.name, hashlib.sha256(data).hexdigest(), len(data), data if keep else None)

    @classmethod
    def from_bytes(cls, name: str, data: bytes, *, keep: bool = False) -> SourceFile:
        return cls(name, hashlib.sha256(data).hexdigest(), len(data), data if keep else None)


@dataclass(frozen=True)
class UploadResult:
    """What an upload did.

    ``status`` is ``"created"`` (a new version, now current) or ``"unchanged"`` (this file was
    already stored as ``version`` of ``label``; nothing was written).
    """

    status: Literal["created", "unchanged"]
    kind: Literal["survey", "interviews"]
    label: str
    version: int
    file_sha256: str
    n_rows: int
    n_warnings: int = 0
    current: bool = True
    upload_id: int | None = None

    @property
    def created(self) -> bool:
        return self.status == "created"


@dataclass(frozen=True)
class _Actor:
    user: str
    role: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _default(obj: Any) -> Any:
    """JSON for the values mande's objects hold (dataclasses, dates, frames, paths, sets)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if isinstance(obj, pd.DataFrame):
        return json.loads(obj.to_json(orient="split", date_format="iso", index=False))
    if isinstance(obj, pd.Series):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, bytes):
        return hashlib.sha256(obj).hexdigest()
    for attr in ("to_dict", "as_dict"):
        fn = getattr(obj, attr, None)
        if callable(fn):
            try:
                return fn()
            except TypeError:
                pass
    if hasattr(obj, "__dict__"):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    return repr(obj)


def _plain(obj: Any, depth: int = 0) -> Any:
    """``obj`` as plain JSON values: text keys, no NaN or infinity (they become null)."""
    if depth > 50:
        return repr(obj)
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {str(k): _plain(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v, depth + 1) for v in obj]
    return _plain(_default(obj), depth + 1)


def _json(obj: Any) -> str:
    """Canonical JSON text (sorted keys) of mande's values; NaN and infinity become null."""
    return json.dumps(_plain(obj), sort_keys=True, ensure_ascii=False, allow_nan=False)


_json_safe = _json


def catalogue_version(catalogue: Any) -> str:
    """The SHA-256 of a catalogue's definitions: the cache key part that changes with them."""
    for attr in ("version", "version_hash", "sha256", "fingerprint"):
        value = getattr(catalogue, attr, None)
        if isinstance(value, str) and value:
            return value
    text = json.dumps(catalogue, default=_default, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def check_no_personal_data(frame: pd.DataFrame, *, what: str = "responses") -> None:
    """Refuse a frame with columns named like names, phones, e-mails or GPS, or e-mail values.

    Raises
    ------
    DataValidationError
        Listing every offending column.
    """
    problems: list[Problem] = []
    for col in frame.columns:
        tokens = {tok for tok in re.split(r"[^0-9a-zà-ÿ]+|__", str(col).lower()) if tok}
        base = str(col).split("__", 1)[0].lower()
        hit = tokens & _PERSONAL_TOKENS
        if hit or base in _PERSONAL_TOKENS:
            problems.append(
                Problem(
                    f"column '{col}' looks like personal data ({', '.join(sorted(hit)) or base}); "
                    "the store keeps no names, phone numbers, e-mail addresses or GPS points. "
                    "Drop the column before upload, or map it to a standard item",
                    code="personal_data",
                    column=str(col),
                    expected="no personal data",
                )
            )
    for col in frame.columns:
        s = frame[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            sample = s.dropna().astype(str)
            found = sample[sample.str.contains(_EMAIL, regex=True)]
            if len(found):
                problems.append(
                    Problem(
                        f"column '{col}' holds e-mail addresses ({len(found)} rows); the store "
                        "keeps no personal data. Drop or blank the column before upload",
                        code="personal_data",
                        column=str(col),
                        value=f"{len(found)} e-mail addresses",
                        expected="no personal data",
                    )
                )
    if problems:
        raise DataValidationError(
            f"the {what} hold personal data; nothing was stored", problems=problems
        )


def _frame_to_blob(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    try:
        frame.to_parquet(buf, engine="pyarrow", compression="zstd", index=False)
    except Exception as first:  # pyarrow refuses mixed-type text columns
        fixed = frame.copy()
        for col in fixed.columns:
            if fixed[col].dtype == object:
                fixed[col] = fixed[col].map(
                    lambda v: (
                        None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                    )
                )
        buf = io.BytesIO()
        try:
            fixed.to_parquet(buf, engine="pyarrow", compression="zstd", index=False)
        except Exception as exc:
            raise StoreError(f"could not store the table: {exc}") from first
    return buf.getvalue()


def _blob_to_frame(blob: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(blob), engine="pyarrow")


def content_hash(frame: pd.DataFrame, extra: str = "") -> str:
    """SHA-256 of a table's content (column names, types and values) and ``extra`` text."""
    h = hashlib.sha256()
    for col in sorted(map(str, frame.columns)):
        s = frame[col]
        h.update(col.encode())
        h.update(str(s.dtype).encode())
        h.update(pd.util.hash_pandas_object(s, index=False).to_numpy().tobytes())
    h.update(extra.encode())
    return h.hexdigest()


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
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    ts = pd.Timestamp(value)
    return None if pd.isna(ts) else ts.date()


# --------------------------------------------------------------------------------------------
# The store


class Store:
    """The mission's database: survey rounds and interview sheets, versioned; results; audit.

    Open with :meth:`Store.open`. Each write checks the acting user's role (``viewer`` may read,
    ``officer`` may also upload, ``admin`` may also make an older version current, purge, load the
    mission configuration and read the audit log), given per call or taken from the settings.
    """

    def __init__(self, engine: Engine, settings: Settings, *, user: str, role: str) -> None:
        self._engine = engine
        self.settings = settings
        self.user = user
        self.role = role

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
        except sa.exc.OperationalError as exc:
            engine.dispose()
            raise StoreError(
                f"cannot open the store at {engine.url.render_as_string(hide_password=True)}: "
                f"{' '.join(str(exc.orig).split())} Check MANDE_DATABASE_URL and that the database "
                "server is running"
            ) from exc
        role = role or settings.role
        if role not in ROLES:
            raise StoreError(f"role {role!r} is not a role; expected one of {', '.join(ROLES)}")
        return cls(engine, settings, user=user or settings.user, role=role)

    def as_user(self, user: str, role: str) -> Store:
        """The same store (same connections) acting as ``user`` with ``role``."""
        if role not in ROLES:
            raise StoreError(f"role {role!r} is not a role; expected one of {', '.join(ROLES)}")
        return Store(self._engine, self.settings, user=user, role=role)

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

    # ---- roles and audit -------------------------------------------------------------------

    def _actor(self, user: str | None, role: str | None) -> _Actor:
        return _Actor(user or self.user, role or self.role)

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
        conn.execute(
            t.audit_log.insert().values(
                at=_now(),
                user_name=actor.user,
                role=actor.role,
                action=action,
                object_type=object_type,
                object_label=label,
                file_sha256=sha256,
                ok=ok,
                details_json=_json_safe(dict(details or {})),
            )
        )

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
        _engine.write(
            self._engine,
            lambda conn: self._audit(
                conn, actor, action, object_type, label, sha256, ok=ok, details=details
            ),
        )

    # ---- mission ---------------------------------------------------------------------------

    def set_mission(
        self, path: str | Path, *, user: str | None = None, role: str | None = None
    ) -> Literal["created", "updated", "unchanged"]:
        """Store the mission configuration (``mission.yaml``), validated first (admin)."""
        actor = self._actor(user, role)
        src = SourceFile.from_path(path, keep=True)
        self._require(actor, "configure", object_type="mission", label=src.name, sha256=src.sha256)
        config = load_mission(path)
        assert src.data is not None
        text = src.data.decode("utf-8")
        boundaries = _read_boundaries(config)
        digest = hashlib.sha256(src.data + (boundaries or "").encode()).hexdigest()

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

        return _engine.write(self._engine, work)

    def boundaries(self, code: str | None = None) -> dict[str, Any] | None:
        """The mission's regions as GeoJSON (from ``boundaries:`` in mission.yaml), or None."""
        q = sa.select(t.missions.c.boundaries_geojson)
        if code:
            q = q.where(t.missions.c.code == code)
        q = q.order_by(t.missions.c.loaded_at.desc(), t.missions.c.id.desc()).limit(1)
        with _engine.read(self._engine) as conn:
            text = conn.execute(q).scalar()
        return dict(json.loads(text)) if text else None

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
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "mission.yaml"
            path.write_text(row.config_text, encoding="utf-8")
            config = load_mission(path)
        return dataclasses.replace(config, path=None)

    def _mission_id(self, conn: Connection) -> int | None:
        return conn.execute(
            sa.select(t.missions.c.id)
            .order_by(t.missions.c.loaded_at.desc(), t.missions.c.id.desc())
            .limit(1)
        ).scalar()

    # ---- survey uploads --------------------------------------------------------------------

    def ingest_survey(
        self,
        path: str | Path,
        form: Any,
        round_label: str,
        user: str | None = None,
        mapping: Any = None,
        *,
        role: str | None = None,
        **read_options: Any,
    ) -> UploadResult:
        """Read a survey export with :func:`mande.read_survey` and store it as a new version.

        Parameters
        ----------
        path:
            The Kobo/ODK export (.xlsx/.csv).
        form:
            The XLSForm: a path, or a form from :func:`mande.read_xlsform`.
        round_label:
            The round, e.g. ``"2025-R2"``. Uploading a round again makes a new version.
        user, role:
            Who acts (default: the store's user and role). Needs ``officer``.
        mapping:
            The mapping of a mission's own form onto the standard items (path or dict), if any.

        Raises
        ------
        DataValidationError
            The file failed validation; nothing was stored (the attempt is in the audit log).
        PermissionDenied
            The role may not upload.
        """
        from mande.ingest.survey import read_survey
        from mande.ingest.xlsform import read_xlsform

        actor = self._actor(user, role)
        src = SourceFile.from_path(path)
        self._require(actor, "upload", object_type="round", label=round_label, sha256=src.sha256)
        form_src: SourceFile | None = None
        if isinstance(form, str | Path):
            form_src = SourceFile.from_path(form, keep=True)
        mapping_obj = _load_mapping(mapping)
        found = self._find_round_version(round_label, src.sha256, form_src, mapping_obj)
        if found is not None:
            return found
        read_options.setdefault("secret", self.settings.secret)
        read_options.setdefault("max_bytes", self.settings.max_upload_bytes)
        if "fieldwork" not in read_options:
            # interviews dated outside the round's planned fieldwork (mission.yaml) are flagged
            mission = self.mission()
            window = mission.fieldwork_of(round_label) if mission is not None else None
            if window is not None:
                read_options["fieldwork"] = window
        form_obj = form
        try:
            if form_src is not None:
                form_obj = read_xlsform(form)
            rnd = read_survey(path, form_obj, mapping, round_label=round_label, **read_options)
        except DataValidationError as exc:
            self._refused(actor, "round", round_label, src, exc)
            raise
        return self.add_round(
            rnd,
            round_label,
            source=src,
            form_source=form_src,
            form=form_obj,
            mapping=mapping_obj,
            user=actor.user,
            role=actor.role,
        )

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
                "first_errors": [str(p) for p in exc.errors[:5]],
            },
        )

    def _find_round_version(
        self, label: str, sha256: str, form_src: SourceFile | None, mapping: Any
    ) -> UploadResult | None:
        """The version of ``label`` that came from this very file (with the same form/mapping)."""
        v, r = t.round_versions, t.rounds
        q = (
            sa.select(
                v.c.version, v.c.n_respondents, v.c.report_json, v.c.upload_id,
                r.c.current_version, t.forms.c.sha256.label("form_sha"),
                t.mappings.c.sha256.label("mapping_sha"),
            )
            .join(r, r.c.id == v.c.round_id)
            .outerjoin(t.forms, t.forms.c.id == v.c.form_id)
            .outerjoin(t.mappings, t.mappings.c.id == v.c.mapping_id)
            .where(r.c.label == label, v.c.source_sha256 == sha256)
            .order_by(v.c.version.desc())
        )  # fmt: skip
        mapping_sha = _mapping_sha(mapping)
        with _engine.read(self._engine) as conn:
            rows = conn.execute(q).all()
        for row in rows:
            if form_src is not None and row.form_sha not in (None, form_src.sha256):
                continue
            if row.mapping_sha != mapping_sha:
                continue
            return UploadResult(
                status="unchanged",
                kind="survey",
                label=label,
                version=row.version,
                file_sha256=sha256,
                n_rows=row.n_respondents,
                current=row.current_version == row.version,
                upload_id=row.upload_id,
            )
        return None

    def add_round(
        self,
        rnd: Any,
        round_label: str | None = None,
        *,
        source: SourceFile,
        form_source: SourceFile | None = None,
        form: Any = None,
        mapping: Any = None,
        user: str | None = None,
        role: str | None = None,
    ) -> UploadResult:
        """Store a survey round already read (a :class:`mande.SurveyRound`) as a new version.

        ``rnd`` needs ``.responses`` (a DataFrame with ``respondent_id``) and ``.design`` (a
        :class:`mande.SurveyDesign`); ``.report``, ``.form``, ``.label``, ``.fieldwork_start`` and
        ``.fieldwork_end`` are used when present. ``source`` describes the uploaded file.
        """
        actor = self._actor(user, role)
        label = round_label or getattr(rnd, "label", None)
        if not label:
            raise StoreError("a survey round needs a label; give round_label='2025-R1'")
        label = str(label)
        self._require(actor, "upload", object_type="round", label=label, sha256=source.sha256)
        try:
            frame, design = _check_round(rnd)
        except DataValidationError as exc:
            self._refused(actor, "round", label, source, exc)
            raise
        design_json = _json(design)
        content = content_hash(frame, design_json)
        blob = _frame_to_blob(frame)
        start = _as_date(getattr(rnd, "fieldwork_start", None))
        end = _as_date(getattr(rnd, "fieldwork_end", None))
        if (start is None or end is None) and "interview_date" in frame.columns:
            dates = pd.to_datetime(frame["interview_date"], errors="coerce").dropna()
            if len(dates):
                start = start or dates.min().date()
                end = end or dates.max().date()
        mission = self.mission()
        period = _period_of(mission, start, end)
        report = getattr(rnd, "report", None)
        n_warn = _n_warnings(report)
        n_problems = _n_problems(report)
        form = form if form is not None else getattr(rnd, "form", None)
        mapping_sha = _mapping_sha(mapping)

        def work(conn: Connection) -> UploadResult:
            now = _now()
            mission_id = self._mission_id(conn)
            _insert_ignore(
                conn, t.rounds,
                {"label": label, "mission_id": mission_id, "created_at": now}, ["label"],
            )  # fmt: skip
            round_id = conn.execute(
                sa.select(t.rounds.c.id).where(t.rounds.c.label == label)
            ).scalar_one()
            _lock_row(conn, t.rounds, round_id)
            version = (
                conn.execute(
                    sa.select(sa.func.max(t.round_versions.c.version)).where(
                        t.round_versions.c.round_id == round_id
                    )
                ).scalar()
                or 0
            ) + 1
            form_id = self._form_id(conn, form_source, form, actor, now)
            mapping_id = None
            if mapping_sha is not None:
                _insert_ignore(
                    conn, t.mappings,
                    {"sha256": mapping_sha, "mapping_json": _json(mapping), "created_at": now,
                     "created_by": actor.user},
                    ["sha256"],
                )  # fmt: skip
                mapping_id = conn.execute(
                    sa.select(t.mappings.c.id).where(t.mappings.c.sha256 == mapping_sha)
                ).scalar_one()
            upload_id = conn.execute(
                t.uploads.insert()
                .values(
                    kind="survey", target_label=label, file_name=source.name,
                    sha256=source.sha256, size_bytes=source.size, user_name=actor.user,
                    role=actor.role, uploaded_at=now, status="accepted", n_problems=n_problems,
                    n_warnings=n_warn,
                )
                .returning(t.uploads.c.id)
            ).scalar_one()  # fmt: skip
            version_id = conn.execute(
                t.round_versions.insert()
                .values(
                    round_id=round_id, version=version, upload_id=upload_id, form_id=form_id,
                    mapping_id=mapping_id, content_sha256=content, source_sha256=source.sha256,
                    n_respondents=len(frame), n_columns=frame.shape[1], fieldwork_start=start,
                    fieldwork_end=end, period_id=period, design_json=design_json,
                    report_json=_json_safe(report), created_at=now, created_by=actor.user,
                )
                .returning(t.round_versions.c.id)
            ).scalar_one()  # fmt: skip
            conn.execute(
                t.responses.insert().values(
                    version_id=version_id,
                    format=BLOB_FORMAT,
                    columns_json=_json([str(c) for c in frame.columns]),
                    data=blob,
                )
            )
            _checkpoint("responses_written")
            conn.execute(
                t.rounds.update().where(t.rounds.c.id == round_id).values(current_version=version)
            )
            self._audit(
                conn, actor, "upload", "round", label, source.sha256,
                details={
                    "version": version, "file_name": source.name, "size_bytes": source.size,
                    "n_respondents": len(frame), "n_columns": frame.shape[1],
                    "content_sha256": content, "n_warnings": n_warn, "period": period,
                },
            )  # fmt: skip
            return UploadResult(
                status="created", kind="survey", label=label, version=version,
                file_sha256=source.sha256, n_rows=len(frame), n_warnings=n_warn, current=True,
                upload_id=upload_id,
            )  # fmt: skip

        return _engine.write(self._engine, work)

    @staticmethod
    def _form_id(
        conn: Connection, src: SourceFile | None, form: Any, actor: _Actor, now: dt.datetime
    ) -> int | None:
        if src is None and form is None:
            return None
        form_json = _json_safe(form) if form is not None else "null"
        sha = src.sha256 if src is not None else hashlib.sha256(form_json.encode()).hexdigest()
        settings = getattr(form, "settings", None)
        version = getattr(form, "version", None)
        if version is None and isinstance(settings, Mapping):
            version = settings.get("version")
        form_id = getattr(form, "form_id", None) or getattr(form, "id_string", None)
        title = getattr(form, "title", None)
        _insert_ignore(
            conn, t.forms,
            {"sha256": sha, "file_name": src.name if src else "(form object)",
             "form_id": None if form_id is None else str(form_id),
             "version": None if version is None else str(version),
             "title": None if title is None else str(title) if not isinstance(title, Mapping)
             else _json(title),
             "form_json": form_json, "file_bytes": src.data if src else None,
             "created_at": now, "created_by": actor.user},
            ["sha256"],
        )  # fmt: skip
        return conn.execute(sa.select(t.forms.c.id).where(t.forms.c.sha256 == sha)).scalar_one()

    def forms(self) -> pd.DataFrame:
        """The XLSForms the store holds, newest first: SHA-256, file, form id, version, title."""
        f = t.forms
        used = (
            sa.select(sa.func.count())
            .where(t.round_versions.c.form_id == f.c.id)
            .correlate(f)
            .scalar_subquery()
        )
        q = sa.select(
            f.c.sha256, f.c.file_name, f.c.form_id, f.c.version, f.c.title, f.c.created_at,
            f.c.created_by, used.label("n_round_versions"),
        ).order_by(f.c.id.desc())  # fmt: skip
        return self._frame(q)

    def form_bytes(self, sha256: str) -> bytes:
        """The XLSForm file stored under ``sha256`` (to download it again)."""
        with _engine.read(self._engine) as conn:
            data = conn.execute(
                sa.select(t.forms.c.file_bytes).where(t.forms.c.sha256 == sha256)
            ).scalar()
        if data is None:
            raise StoreError(
                f"no form file with SHA-256 {sha256[:12]}... in the store; see Store.forms()"
            )
        return bytes(data)

    # ---- reading rounds --------------------------------------------------------------------

    def rounds(self) -> pd.DataFrame:
        """One row per survey round: label, current version, respondents, fieldwork, period."""
        r, v, u = t.rounds, t.round_versions, t.uploads
        n_versions = (
            sa.select(sa.func.count()).where(v.c.round_id == r.c.id).correlate(r).scalar_subquery()
        )
        q = (
            sa.select(
                r.c.label.label("round"),
                r.c.current_version,
                n_versions.label("n_versions"),
                v.c.n_respondents,
                v.c.fieldwork_start,
                v.c.fieldwork_end,
                v.c.period_id.label("period"),
                v.c.content_sha256.label("data_version"),
                u.c.file_name,
                u.c.user_name.label("uploaded_by"),
                u.c.uploaded_at,
            )
            .join(v, sa.and_(v.c.round_id == r.c.id, v.c.version == r.c.current_version))
            .join(u, u.c.id == v.c.upload_id)
            .order_by(v.c.fieldwork_start, r.c.label)
        )
        return self._frame(q, dates=("fieldwork_start", "fieldwork_end"))

    def versions(self, round_label: str) -> pd.DataFrame:
        """Every version of a round, oldest first, with who uploaded which file when."""
        r, v, u = t.rounds, t.round_versions, t.uploads
        self._round_id(round_label)
        q = (
            sa.select(
                v.c.version,
                (v.c.version == r.c.current_version).label("current"),
                u.c.file_name,
                u.c.sha256.label("file_sha256"),
                u.c.size_bytes,
                u.c.user_name.label("uploaded_by"),
                u.c.uploaded_at,
                v.c.n_respondents,
                v.c.n_columns,
                v.c.fieldwork_start,
                v.c.fieldwork_end,
                v.c.period_id.label("period"),
                v.c.content_sha256.label("data_version"),
            )
            .join(r, r.c.id == v.c.round_id)
            .join(u, u.c.id == v.c.upload_id)
            .where(r.c.label == round_label)
            .order_by(v.c.version)
        )
        out = self._frame(q, dates=("fieldwork_start", "fieldwork_end"))
        out["current"] = out["current"].astype(bool)
        return out

    def _round_id(self, label: str, conn: Connection | None = None) -> int:
        q = sa.select(t.rounds.c.id).where(t.rounds.c.label == label)
        if conn is None:
            with _engine.read(self._engine) as c:
                found = c.execute(q).scalar()
                known = (
                    []
                    if found is not None
                    else list(
                        c.execute(sa.select(t.rounds.c.label).order_by(t.rounds.c.label)).scalars()
                    )
                )
        else:
            found = conn.execute(q).scalar()
            known = (
                []
                if found is not None
                else list(
                    conn.execute(sa.select(t.rounds.c.label).order_by(t.rounds.c.label)).scalars()
                )
            )
        if found is None:
            raise StoreError(
                f"round {label!r} is not in the store; rounds stored: "
                f"{', '.join(known) if known else 'none (upload one with `mande ingest`)'}"
            )
        return int(found)

    def _version_row(self, conn: Connection, label: str, version: int | None) -> Any:
        r, v = t.rounds, t.round_versions
        round_id = self._round_id(label, conn)
        cur = conn.execute(sa.select(r.c.current_version).where(r.c.id == round_id)).scalar()
        want = cur if version is None else version
        row = conn.execute(
            sa.select(v).where(v.c.round_id == round_id, v.c.version == want)
        ).first()
        if row is None:
            have = conn.execute(
                sa.select(v.c.version).where(v.c.round_id == round_id).order_by(v.c.version)
            ).scalars()
            raise StoreError(
                f"round {label!r} has no version {want}; versions: "
                f"{', '.join(map(str, have)) or 'none'}"
            )
        return row

    def responses(self, round_label: str, version: int | None = None) -> pd.DataFrame:
        """The tidy responses of a round's current version (or of ``version``)."""
        with _engine.read(self._engine) as conn:
            row = self._version_row(conn, round_label, version)
            blob = conn.execute(
                sa.select(t.responses.c.data).where(t.responses.c.version_id == row.id)
            ).scalar_one()
        return _blob_to_frame(blob)

    def design(self, round_label: str, version: int | None = None) -> SurveyDesign:
        """The survey design stored with a round version."""
        with _engine.read(self._engine) as conn:
            row = self._version_row(conn, round_label, version)
        return SurveyDesign(**json.loads(row.design_json))

    def data_version(self) -> str:
        """A key that changes whenever an upload, a current version or the mission changes."""
        with _engine.read(self._engine) as conn:
            parts = [
                conn.execute(sa.select(sa.func.max(t.audit_log.c.id))).scalar(),
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
            ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]

    # ---- admin: current version, purge -----------------------------------------------------

    def set_current(
        self, round_label: str, version: int, user: str | None = None, *, role: str | None = None
    ) -> None:
        """Make ``version`` the current version of a round (admin). Results follow."""
        actor = self._actor(user, role)
        self._require(actor, "set_current", object_type="round", label=round_label)

        def work(conn: Connection) -> None:
            round_id = self._round_id(round_label, conn)
            _lock_row(conn, t.rounds, round_id)
            row = self._version_row(conn, round_label, version)
            before = conn.execute(
                sa.select(t.rounds.c.current_version).where(t.rounds.c.id == round_id)
            ).scalar()
            conn.execute(
                t.rounds.update().where(t.rounds.c.id == round_id).values(current_version=version)
            )
            self._audit(
                conn, actor, "set_current", "round", round_label, row.source_sha256,
                details={"version": version, "previous": before},
            )  # fmt: skip

        _engine.write(self._engine, work)

    def purge(
        self,
        round_label: str,
        version: int | None = None,
        user: str | None = None,
        *,
        role: str | None = None,
        reason: str = "",
    ) -> int:
        """Delete a round version, or a whole round when ``version`` is None (admin, audited).

        The current version cannot be purged alone: make another version current first. Returns
        the number of versions deleted. The uploads stay in the history, marked ``purged``.
        """
        actor = self._actor(user, role)
        self._require(actor, "purge", object_type="round", label=round_label)

        def work(conn: Connection) -> int:
            r, v = t.rounds, t.round_versions
            round_id = self._round_id(round_label, conn)
            _lock_row(conn, r, round_id)
            current = conn.execute(
                sa.select(r.c.current_version).where(r.c.id == round_id)
            ).scalar()
            q = sa.select(v.c.id, v.c.version, v.c.upload_id, v.c.source_sha256).where(
                v.c.round_id == round_id
            )
            if version is not None:
                if version == current:
                    raise StoreError(
                        f"version {version} is the current version of round {round_label!r}; "
                        "make another version current first (set_current), or purge the round"
                    )
                q = q.where(v.c.version == version)
            rows = conn.execute(q).all()
            if not rows:
                raise StoreError(f"round {round_label!r} has no version {version}")
            ids = [x.id for x in rows]
            runs = sa.select(t.result_runs.c.id).where(t.result_runs.c.round_version_id.in_(ids))
            conn.execute(t.results.delete().where(t.results.c.run_id.in_(runs)))
            conn.execute(t.result_runs.delete().where(t.result_runs.c.round_version_id.in_(ids)))
            conn.execute(t.responses.delete().where(t.responses.c.version_id.in_(ids)))
            conn.execute(v.delete().where(v.c.id.in_(ids)))
            conn.execute(
                t.uploads.update()
                .where(t.uploads.c.id.in_([x.upload_id for x in rows]))
                .values(status="purged")
            )
            if version is None:
                conn.execute(r.delete().where(r.c.id == round_id))
            for x in rows:
                self._audit(
                    conn, actor, "purge", "round", round_label, x.source_sha256,
                    details={"version": x.version, "reason": reason,
                             "whole_round": version is None},
                )  # fmt: skip
            return len(rows)

        return _engine.write(self._engine, work)

    # ---- interviews ------------------------------------------------------------------------

    def ingest_interviews(
        self,
        path: str | Path,
        user: str | None = None,
        *,
        label: str | None = None,
        role: str | None = None,
        **read_options: Any,
    ) -> UploadResult:
        """Read a partner-interview coding sheet (:func:`mande.read_interviews`) and store it.

        ``label`` names the sheet (default: the file name without extension); uploading the same
        label again makes a new version. Only quotes with consent are kept.
        """
        from mande.ingest.interviews import read_interviews

        actor = self._actor(user, role)
        src = SourceFile.from_path(path)
        label = label or Path(path).stem
        self._require(actor, "upload", object_type="interviews", label=label, sha256=src.sha256)
        found = self._find_interview_version(label, src.sha256)
        if found is not None:
            return found
        try:
            read_options.setdefault("secret", self.settings.secret)
            read_options.setdefault("max_bytes", self.settings.max_upload_bytes)
            read_options.setdefault("mission", self.mission())
            iv = read_interviews(path, **read_options)
        except DataValidationError as exc:
            self._refused(actor, "interviews", label, src, exc)
            raise
        return self.add_interviews(iv, label, source=src, user=actor.user, role=actor.role)

    def _find_interview_version(self, label: str, sha256: str) -> UploadResult | None:
        s, v = t.interview_sheets, t.interview_versions
        with _engine.read(self._engine) as conn:
            row = conn.execute(
                sa.select(v.c.version, v.c.n_interviews, v.c.upload_id, s.c.current_version)
                .join(s, s.c.id == v.c.sheet_id)
                .where(s.c.label == label, v.c.source_sha256 == sha256)
                .order_by(v.c.version.desc())
            ).first()
        if row is None:
            return None
        return UploadResult(
            status="unchanged", kind="interviews", label=label, version=row.version,
            file_sha256=sha256, n_rows=row.n_interviews,
            current=row.current_version == row.version, upload_id=row.upload_id,
        )  # fmt: skip

    def add_interviews(
        self,
        iv: Any,
        label: str,
        *,
        source: SourceFile,
        user: str | None = None,
        role: str | None = None,
    ) -> UploadResult:
        """Store interviews already read (``.interviews`` and ``.quotes`` frames) as a version."""
        actor = self._actor(user, role)
        self._require(actor, "upload", object_type="interviews", label=label, sha256=source.sha256)
        frame = getattr(iv, "interviews", None)
        if not isinstance(frame, pd.DataFrame):
            raise StoreError(
                "interviews need an .interviews DataFrame (from mande.read_interviews)"
            )
        quotes = getattr(iv, "quotes", None)
        quotes = quotes if isinstance(quotes, pd.DataFrame) else pd.DataFrame()
        quotes = _consented(quotes)
        try:
            check_no_personal_data(frame, what="interviews")
            check_no_personal_data(quotes, what="quotes")
        except DataValidationError as exc:
            self._refused(actor, "interviews", label, source, exc)
            raise
        content = content_hash(frame, content_hash(quotes))
        iv_blob, q_blob = _frame_to_blob(frame), _frame_to_blob(quotes)
        report = getattr(iv, "report", None)

        def work(conn: Connection) -> UploadResult:
            now = _now()
            s, v = t.interview_sheets, t.interview_versions
            _insert_ignore(
                conn, s,
                {"label": label, "mission_id": self._mission_id(conn), "created_at": now},
                ["label"],
            )  # fmt: skip
            sheet_id = conn.execute(sa.select(s.c.id).where(s.c.label == label)).scalar_one()
            _lock_row(conn, s, sheet_id)
            version = (
                conn.execute(
                    sa.select(sa.func.max(v.c.version)).where(v.c.sheet_id == sheet_id)
                ).scalar()
                or 0
            ) + 1
            upload_id = conn.execute(
                t.uploads.insert()
                .values(
                    kind="interviews", target_label=label, file_name=source.name,
                    sha256=source.sha256, size_bytes=source.size, user_name=actor.user,
                    role=actor.role, uploaded_at=now, status="accepted",
                    n_problems=_n_problems(report), n_warnings=_n_warnings(report),
                )
                .returning(t.uploads.c.id)
            ).scalar_one()  # fmt: skip
            version_id = conn.execute(
                v.insert()
                .values(
                    sheet_id=sheet_id, version=version, upload_id=upload_id,
                    content_sha256=content, source_sha256=source.sha256,
                    n_interviews=len(frame), n_quotes=len(quotes),
                    report_json=_json_safe(report), created_at=now, created_by=actor.user,
                )
                .returning(v.c.id)
            ).scalar_one()  # fmt: skip
            conn.execute(
                t.interview_data.insert().values(
                    version_id=version_id, format=BLOB_FORMAT, interviews=iv_blob, quotes=q_blob
                )
            )
            _checkpoint("interviews_written")
            conn.execute(s.update().where(s.c.id == sheet_id).values(current_version=version))
            self._audit(
                conn, actor, "upload", "interviews", label, source.sha256,
                details={"version": version, "file_name": source.name,
                         "size_bytes": source.size, "n_interviews": len(frame),
                         "n_quotes": len(quotes), "content_sha256": content},
            )  # fmt: skip
            return UploadResult(
                status="created", kind="interviews", label=label, version=version,
                file_sha256=source.sha256, n_rows=len(frame), n_warnings=_n_warnings(report),
                upload_id=upload_id,
            )  # fmt: skip

        return _engine.write(self._engine, work)

    def _interview_blobs(self, column: str, label: str | None) -> pd.DataFrame:
        s, v, d = t.interview_sheets, t.interview_versions, t.interview_data
        q = (
            sa.select(s.c.label, d.c[column])
            .join(v, sa.and_(v.c.sheet_id == s.c.id, v.c.version == s.c.current_version))
            .join(d, d.c.version_id == v.c.id)
            .order_by(s.c.label)
        )
        if label is not None:
            q = q.where(s.c.label == label)
        with _engine.read(self._engine) as conn:
            rows = conn.execute(q).all()
        frames = []
        for row in rows:
            f = _blob_to_frame(row[1])
            f.insert(0, "sheet", row.label)
            frames.append(f)
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True)

    def _sheet_id(self, conn: Connection, label: str) -> int:
        s = t.interview_sheets
        found = conn.execute(sa.select(s.c.id).where(s.c.label == label)).scalar()
        if found is None:
            known = list(conn.execute(sa.select(s.c.label).order_by(s.c.label)).scalars())
            raise StoreError(
                f"interview sheet {label!r} is not in the store; sheets stored: "
                f"{', '.join(known) if known else 'none'}"
            )
        return int(found)

    def interview_versions(self, label: str) -> pd.DataFrame:
        """Every version of an interview sheet, oldest first."""
        s, v, u = t.interview_sheets, t.interview_versions, t.uploads
        with _engine.read(self._engine) as conn:
            self._sheet_id(conn, label)
        q = (
            sa.select(
                v.c.version, (v.c.version == s.c.current_version).label("current"),
                u.c.file_name, u.c.sha256.label("file_sha256"), u.c.user_name.label("uploaded_by"),
                u.c.uploaded_at, v.c.n_interviews, v.c.n_quotes,
                v.c.content_sha256.label("data_version"),
            )
            .join(s, s.c.id == v.c.sheet_id)
            .join(u, u.c.id == v.c.upload_id)
            .where(s.c.label == label)
            .order_by(v.c.version)
        )  # fmt: skip
        out = self._frame(q)
        out["current"] = out["current"].astype(bool)
        return out

    def set_current_interviews(
        self, label: str, version: int, user: str | None = None, *, role: str | None = None
    ) -> None:
        """Make ``version`` the current version of an interview sheet (admin)."""
        actor = self._actor(user, role)
        self._require(actor, "set_current", object_type="interviews", label=label)

        def work(conn: Connection) -> None:
            s, v = t.interview_sheets, t.interview_versions
            sheet_id = self._sheet_id(conn, label)
            _lock_row(conn, s, sheet_id)
            row = conn.execute(
                sa.select(v.c.source_sha256).where(v.c.sheet_id == sheet_id, v.c.version == version)
            ).first()
            if row is None:
                raise StoreError(f"interview sheet {label!r} has no version {version}")
            before = conn.execute(sa.select(s.c.current_version).where(s.c.id == sheet_id)).scalar()
            conn.execute(s.update().where(s.c.id == sheet_id).values(current_version=version))
            self._audit(
                conn, actor, "set_current", "interviews", label, row.source_sha256,
                details={"version": version, "previous": before},
            )  # fmt: skip

        _engine.write(self._engine, work)

    def purge_interviews(
        self,
        label: str,
        version: int | None = None,
        user: str | None = None,
        *,
        role: str | None = None,
        reason: str = "",
    ) -> int:
        """Delete an interview-sheet version, or the whole sheet (admin, audited)."""
        actor = self._actor(user, role)
        self._require(actor, "purge", object_type="interviews", label=label)

        def work(conn: Connection) -> int:
            s, v = t.interview_sheets, t.interview_versions
            sheet_id = self._sheet_id(conn, label)
            _lock_row(conn, s, sheet_id)
            current = conn.execute(
                sa.select(s.c.current_version).where(s.c.id == sheet_id)
            ).scalar()
            q = sa.select(v.c.id, v.c.version, v.c.upload_id, v.c.source_sha256).where(
                v.c.sheet_id == sheet_id
            )
            if version is not None:
                if version == current:
                    raise StoreError(
                        f"version {version} is the current version of interview sheet {label!r}; "
                        "make another version current first, or purge the sheet"
                    )
                q = q.where(v.c.version == version)
            rows = conn.execute(q).all()
            if not rows:
                raise StoreError(f"interview sheet {label!r} has no version {version}")
            ids = [x.id for x in rows]
            conn.execute(t.interview_data.delete().where(t.interview_data.c.version_id.in_(ids)))
            conn.execute(v.delete().where(v.c.id.in_(ids)))
            conn.execute(
                t.uploads.update()
                .where(t.uploads.c.id.in_([x.upload_id for x in rows]))
                .values(status="purged")
            )
            if version is None:
                conn.execute(s.delete().where(s.c.id == sheet_id))
            for x in rows:
                self._audit(
                    conn, actor, "purge", "interviews", label, x.source_sha256,
                    details={"version": x.version, "reason": reason, "whole_sheet": version is None},
                )  # fmt: skip
            return len(rows)

        return _engine.write(self._engine, work)

    def interviews(self, label: str | None = None) -> pd.DataFrame:
        """The interviews of the current version of every sheet (or of ``label``)."""
        return self._interview_blobs("interviews", label)

    def quotes(self, label: str | None = None) -> pd.DataFrame:
        """The consented quotes of the current version of every sheet (or of ``label``)."""
        return self._interview_blobs("quotes", label)

    def interview_sheets(self) -> pd.DataFrame:
        """One row per interview sheet: label, current version, interviews, quotes."""
        s, v, u = t.interview_sheets, t.interview_versions, t.uploads
        q = (
            sa.select(
                s.c.label.label("sheet"), s.c.current_version, v.c.n_interviews, v.c.n_quotes,
                u.c.file_name, u.c.user_name.label("uploaded_by"), u.c.uploaded_at,
            )
            .join(v, sa.and_(v.c.sheet_id == s.c.id, v.c.version == s.c.current_version))
            .join(u, u.c.id == v.c.upload_id)
            .order_by(s.c.label)
        )  # fmt: skip
        return self._frame(q)

    # ---- results ---------------------------------------------------------------------------

    def results(
        self,
        round_label: str | None = None,
        *,
        by: Sequence[str] | None = None,
        catalogue: Any = None,
        compute: Callable[..., pd.DataFrame] | None = None,
        user: str | None = None,
        role: str | None = None,
    ) -> pd.DataFrame:
        """Indicator results of the current version of each round (or of ``round_label``).

        Returned from the stored rows when they were computed from the same data version and
        catalogue version with the same breakdowns; otherwise computed with
        :func:`mande.compute_indicators`, stored, and returned. Never stale: a change of current
        version or of the catalogue is a different key.

        Parameters
        ----------
        by:
            Breakdowns (default: those of :data:`DEFAULT_BREAKDOWNS` the responses hold).
        catalogue:
            The indicator catalogue (default :func:`mande.load_catalogue`). Its ``version`` (a
            hash of the definitions) is part of the cache key.
        compute:
            ``compute(responses, catalogue, by=[...], design=SurveyDesign)`` returning the results
            frame (default :func:`mande.compute_indicators`).
        """
        actor = self._actor(user, role)
        self._require(actor, "view", object_type="results", label=round_label)
        if catalogue is None:
            from mande.indicators.catalogue import load_catalogue

            catalogue = load_catalogue()
        cat_version = catalogue_version(catalogue)
        with _engine.read(self._engine) as conn:
            if round_label is None:
                labels = list(
                    conn.execute(
                        sa.select(t.rounds.c.label)
                        .join(t.round_versions, sa.and_(
                            t.round_versions.c.round_id == t.rounds.c.id,
                            t.round_versions.c.version == t.rounds.c.current_version))
                        .order_by(t.round_versions.c.fieldwork_start, t.rounds.c.label)
                    ).scalars()
                )  # fmt: skip
            else:
                labels = [round_label]
        frames = [
            self._results_of(label, by, catalogue, cat_version, actor, compute) for label in labels
        ]
        frames = [f for f in frames if len(f)]
        if not frames:
            return _results_frame([])
        return pd.concat(frames, ignore_index=True)

    def _results_of(
        self,
        label: str,
        by: Sequence[str] | None,
        catalogue: Any,
        cat_version: str,
        actor: _Actor,
        compute: Callable[..., pd.DataFrame] | None,
    ) -> pd.DataFrame:
        with _engine.read(self._engine) as conn:
            row = self._version_row(conn, label, None)
            columns = json.loads(
                conn.execute(
                    sa.select(t.responses.c.columns_json).where(t.responses.c.version_id == row.id)
                ).scalar_one()
            )
        by_eff = list(by) if by is not None else _default_by(columns)
        by_key = ",".join(by_eff)
        stored = self._stored_results(row.id, cat_version, by_key)
        if stored is not None:
            return stored
        computed = self._compute(label, row, by_eff, catalogue, compute)
        self._store_results(row, label, by_key, cat_version, computed, actor)
        stored = self._stored_results(row.id, cat_version, by_key)
        assert stored is not None
        return stored

    def _compute(
        self,
        label: str,
        row: Any,
        by: list[str],
        catalogue: Any,
        compute: Callable[..., pd.DataFrame] | None,
    ) -> pd.DataFrame:
        frame = self.responses(label, row.version)
        design = SurveyDesign(**json.loads(row.design_json))
        if compute is None:
            from mande.indicators.compute import compute_indicators

            # a mission's own form may lack some standard items: leave those indicators out
            return compute_indicators(
                frame, catalogue, by=by, design=design, on_missing="skip", round_label=label
            )
        return compute(frame, catalogue, by=by, design=design)

    def _stored_results(
        self, version_id: int, cat_version: str, by_key: str
    ) -> pd.DataFrame | None:
        rr, r = t.result_runs, t.results
        with _engine.read(self._engine) as conn:
            run_id = conn.execute(
                sa.select(rr.c.id).where(
                    rr.c.round_version_id == version_id,
                    rr.c.catalogue_version == cat_version,
                    rr.c.by_key == by_key,
                )
            ).scalar()
            if run_id is None:
                return None
            rows = conn.execute(sa.select(r).where(r.c.run_id == run_id).order_by(r.c.id)).all()
        return _results_frame([dict(row._mapping) for row in rows])

    def _store_results(
        self, row: Any, label: str, by_key: str, cat_version: str, frame: pd.DataFrame,
        actor: _Actor,
    ) -> None:  # fmt: skip
        records = _result_records(frame)
        base = {
            "round_version_id": row.id, "round_label": label, "round_version": row.version,
            "period_id": row.period_id, "data_version": row.content_sha256,
            "catalogue_version": cat_version,
        }  # fmt: skip

        def work(conn: Connection) -> None:
            rr = t.result_runs
            exists = conn.execute(
                sa.select(rr.c.id).where(
                    rr.c.round_version_id == row.id,
                    rr.c.catalogue_version == cat_version,
                    rr.c.by_key == by_key,
                )
            ).scalar()
            if exists is not None:  # another process computed it meanwhile
                return
            run_id = conn.execute(
                rr.insert()
                .values(
                    round_version_id=row.id, data_version=row.content_sha256,
                    catalogue_version=cat_version, by_key=by_key, n_rows=len(records),
                    computed_at=_now(), computed_by=actor.user,
                )
                .returning(rr.c.id)
            ).scalar_one()  # fmt: skip
            if records:
                conn.execute(
                    t.results.insert(), [{**base, **rec, "run_id": run_id} for rec in records]
                )

        _engine.write(self._engine, work)

    # ---- history and audit -----------------------------------------------------------------

    def history(self) -> pd.DataFrame:
        """Every accepted upload, newest first: when, who, what, which file (SHA-256), status."""
        u = t.uploads
        v, iv = t.round_versions, t.interview_versions
        q = (
            sa.select(
                u.c.uploaded_at, u.c.user_name.label("user"), u.c.role, u.c.kind,
                u.c.target_label.label("label"),
                sa.func.coalesce(v.c.version, iv.c.version).label("version"),
                u.c.file_name, u.c.sha256.label("file_sha256"), u.c.size_bytes, u.c.status,
                u.c.n_warnings,
            )
            .outerjoin(v, v.c.upload_id == u.c.id)
            .outerjoin(iv, iv.c.upload_id == u.c.id)
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

    def has_file(self, sha256: str, kind: str | None = None) -> bool:
        """Whether an accepted upload (not purged) came from a file with this SHA-256."""
        u = t.uploads
        q = sa.select(sa.func.count()).where(u.c.sha256 == sha256, u.c.status == "accepted")
        if kind:
            q = q.where(u.c.kind == kind)
        with _engine.read(self._engine) as conn:
            return bool(conn.execute(q).scalar())

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


def _default_by(columns: Sequence[str]) -> list[str]:
    """The standard breakdowns the responses hold (age group and disability can be derived)."""
    have = set(columns)
    derivable = {
        "age_group": "age" in have,
        "disability": any(c.startswith("wg_") for c in have),
    }
    return [c for c in DEFAULT_BREAKDOWNS if c in have or derivable.get(c, False)]


def _check_round(rnd: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    frame = getattr(rnd, "responses", None)
    if not isinstance(frame, pd.DataFrame):
        raise StoreError("a survey round needs .responses, a DataFrame (from mande.read_survey)")
    design = getattr(rnd, "design", None)
    if isinstance(design, SurveyDesign):
        design_d = dataclasses.asdict(design)
    elif isinstance(design, Mapping):
        design_d = dict(design)
    else:
        raise StoreError("a survey round needs .design, a mande.SurveyDesign")
    problems: list[Problem] = []
    if "respondent_id" not in frame.columns:
        problems.append(
            Problem(
                "the responses have no respondent_id column; read the file with mande.read_survey",
                code="missing_column",
                column="respondent_id",
            )
        )
    else:
        ids = frame["respondent_id"]
        dup = ids[ids.duplicated(keep=False) & ids.notna()]
        if ids.isna().any():
            problems.append(
                Problem(
                    f"{int(ids.isna().sum())} responses have no respondent_id",
                    code="missing_id",
                    column="respondent_id",
                )
            )
        if len(dup):
            problems.append(
                Problem(
                    f"respondent_id is not unique: {dup.nunique()} ids appear more than once "
                    f"(e.g. {dup.iloc[0]!r})",
                    code="duplicate_id",
                    column="respondent_id",
                )
            )
    for col in SurveyDesign(**design_d).columns:
        if col not in frame.columns:
            problems.append(
                Problem(
                    f"the design names column '{col}' but the responses lack it",
                    code="missing_column",
                    column=col,
                )
            )
    if problems:
        raise DataValidationError("the survey round cannot be stored", problems=problems)
    check_no_personal_data(frame)
    return frame, design_d


def _consented(quotes: pd.DataFrame) -> pd.DataFrame:
    """Only the quotes whose speaker consented to their use."""
    if quotes.empty:
        return quotes.reset_index(drop=True)
    for col in ("consent", "quote_consent", "consented"):
        if col in quotes.columns:
            keep = quotes[col].map(
                lambda v: v is True or v == 1 or str(v).lower() in ("yes", "true", "oui")
            )
            return quotes[keep.astype(bool)].reset_index(drop=True)
    raise StoreError(
        "the quotes have no consent column; only quotes with consent may be stored "
        "(expected a column 'consent')"
    )


def _load_mapping(mapping: Any) -> Any:
    if mapping is None:
        return None
    if isinstance(mapping, str | Path):
        import yaml

        p = Path(mapping)
        if p.suffix.lower() in (".yaml", ".yml", ".json"):
            return yaml.safe_load(p.read_text(encoding="utf-8"))
        return {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
    return mapping


def _mapping_sha(mapping: Any) -> str | None:
    if mapping is None:
        return None
    return hashlib.sha256(_json_safe(mapping).encode()).hexdigest()


def _period_of(
    mission: MissionConfig | None, start: dt.date | None, end: dt.date | None
) -> str | None:
    """The reporting period holding the end of the fieldwork (as mande.report.periods places
    rounds), or its start when the end is unknown."""
    day = end or start
    if mission is None or day is None:
        return None
    period = mission.period_of(day)
    return period.id if period else None


_RESULT_INTS = (
    "n", "n_dont_know", "n_refused", "n_not_applicable", "n_never_alone", "n_excluded", "n_missing",
    "min_n",
)  # fmt: skip
_RESULT_BOOLS = ("suppressed", "low_precision", "single_psu")
_RESULT_TEXT = (
    "indicator", "base_indicator", "variant", "breakdown", "group", "name", "short_name", "kind",
    "unit", "polarity", "domain", "sg_section", "sdg",
)  # fmt: skip


def _py(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _result_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a results frame as values for the ``results`` table."""
    core = t.RESULT_CORE_COLUMNS
    extra_cols = [c for c in frame.columns if c not in core and c != "round"]
    out = []
    for rec in frame.to_dict(orient="records"):
        row: dict[str, Any] = {}
        for name, col in core.items():
            v = _py(rec.get(name))
            if v is not None:
                if name in _RESULT_INTS:
                    v = int(v)
                elif name in _RESULT_BOOLS:
                    v = bool(v)
                elif name in _RESULT_TEXT:
                    v = str(v)
                else:
                    v = float(v)
            row[col] = v
        extra = {str(c): _py(rec.get(c)) for c in extra_cols}
        row["extra_json"] = _json_safe(extra) if extra else None
        out.append(row)
    return out


_RESULT_ORDER = [
    "round", "round_version", "period", "indicator", "base_indicator", "variant", "breakdown",
    "group", "estimate", "se", "ci_low", "ci_high", "n", "df", "deff", "cv", "n_dont_know",
    "n_refused", "n_not_applicable", "n_never_alone", "n_excluded", "n_missing", "suppressed",
    "low_precision", "single_psu", "cronbach_alpha", "name", "short_name", "kind", "unit",
    "polarity", "domain", "sg_section", "sdg", "min_n", "level",
]  # fmt: skip


def _results_frame(rows: list[Mapping[str, Any]]) -> pd.DataFrame:
    """Stored result rows back as a results frame (extra columns expanded)."""
    rename = {v: k for k, v in t.RESULT_CORE_COLUMNS.items()}
    rename.update({"round_label": "round", "period_id": "period"})
    if not rows:
        return pd.DataFrame(columns=[*_RESULT_ORDER, "data_version", "catalogue_version"])
    df = pd.DataFrame([dict(r) for r in rows]).rename(columns=rename)
    extras = df["extra_json"].map(lambda s: json.loads(s) if s else {})
    extra_df = pd.DataFrame(extras.tolist(), index=df.index)
    for col in _RESULT_BOOLS:
        df[col] = df[col].astype("boolean")
    for col in (
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "df",
        "deff",
        "cv",
        "cronbach_alpha",
        "level",
    ):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    for col in _RESULT_INTS:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    for col in [c for c in extra_df.columns if c in df.columns]:
        # rows stored before a column was typed keep its value in extra_json
        df[col] = df[col].where(df[col].notna(), extra_df[col]).infer_objects()
    extra_df = extra_df[[c for c in extra_df.columns if c not in df.columns]]
    out = pd.concat(
        [df[_RESULT_ORDER], extra_df, df[["data_version", "catalogue_version"]]], axis=1
    )
    return out


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
