"""The mission's footprint in the store: deployments and activity logs, versioned like rounds.

Each upload of a label (``deployments``, ``activities``, or an officer's own label) is a new
version that becomes current; nothing is overwritten; the same file uploaded again for the same
label changes nothing. A file refused by validation writes nothing but its audit entry. The tables
hold no personal data: readers keep only the known columns (an activity log's notes are dropped
on reading), and the store checks again, every column but the sites' coordinates (the mission's
own installations, not people).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mande.errors import DataValidationError, StoreError
from mande.store import _engine
from mande.store import schema as t
from mande.store._base import _insert_ignore, _lock_row, _now, _StoreBase
from mande.store._blobs import BLOB_FORMAT, _blob_to_frame, _frame_to_blob, _json_safe, content_hash
from mande.store._privacy import check_no_personal_data
from mande.store._records import SourceFile, UploadResult

FootprintKind = Literal["deployments", "activities", "geopko"]
_KINDS = ("deployments", "activities", "geopko")
_SITE_COORDINATES = ("latitude", "longitude")


class _Footprint(_StoreBase):
    """Deployments and activity logs: upload, read the current version, list versions."""

    def ingest_footprint(
        self,
        path: str | Path,
        kind: FootprintKind,
        user: str | None = None,
        *,
        label: str | None = None,
        role: str | None = None,
        **read_options: Any,
    ) -> UploadResult:
        """Read a deployments sheet, an activity log or a Geo-PKO table and store it as a version.

        ``kind``: ``"deployments"`` (:func:`mande.footprint.read_deployments`), ``"activities"``
        (:func:`mande.footprint.read_activities`) or ``"geopko"``
        (:func:`mande.footprint.read_geopko`, stored as deployments). ``label`` names the upload
        (default: the kind, so that each new upload replaces the current one as a new version).
        """
        from mande.footprint.data import read_activities, read_deployments, read_geopko

        if kind not in _KINDS:
            raise StoreError(f"kind={kind!r}; expected one of {', '.join(_KINDS)}")
        stored_kind: Literal["deployments", "activities"] = (
            "activities" if kind == "activities" else "deployments"
        )
        label = label or stored_kind
        actor = self._actor(user, role)
        src = SourceFile.from_path(path)
        self._require(actor, "upload", object_type="footprint", label=label, sha256=src.sha256)
        found = self._find_footprint_version(label, src.sha256)
        if found is not None:
            return found
        read_options.setdefault("max_bytes", self.settings.max_upload_bytes)
        read: Any
        try:
            if kind == "geopko":
                read = read_geopko(path, **read_options)
            else:
                read_options.setdefault("mission", self.mission())
                reader = read_deployments if kind == "deployments" else read_activities
                read = reader(path, **read_options)
        except DataValidationError as exc:
            self._refused(actor, "footprint", label, src, exc)
            raise
        return self.add_footprint(
            read.frame, label, kind=stored_kind, source=src, report=read.report,
            user=actor.user, role=actor.role,
        )  # fmt: skip

    def _find_footprint_version(self, label: str, sha256: str) -> UploadResult | None:
        f, v = t.footprint_files, t.footprint_versions
        with _engine.read(self._engine) as conn:
            row = conn.execute(
                sa.select(v.c.version, v.c.n_rows, v.c.upload_id, f.c.current_version, f.c.kind)
                .join(f, f.c.id == v.c.file_id)
                .where(f.c.label == label, v.c.source_sha256 == sha256)
                .order_by(v.c.version.desc())
            ).first()
        if row is None:
            return None
        return UploadResult(
            status="unchanged", kind=row.kind, label=label, version=row.version,
            file_sha256=sha256, n_rows=row.n_rows, current=row.current_version == row.version,
            upload_id=row.upload_id,
        )  # fmt: skip

    def add_footprint(
        self,
        frame: pd.DataFrame,
        label: str,
        *,
        kind: Literal["deployments", "activities"],
        source: SourceFile,
        report: Any = None,
        user: str | None = None,
        role: str | None = None,
    ) -> UploadResult:
        """Store a footprint table already read as a new version of ``label``."""
        actor = self._actor(user, role)
        self._require(actor, "upload", object_type="footprint", label=label, sha256=source.sha256)
        try:
            # a site's coordinates locate the mission's own installation, not a person: they are
            # kept; every other column is checked
            check_no_personal_data(
                frame.drop(columns=[c for c in _SITE_COORDINATES if c in frame.columns]),
                what=kind,
            )
        except DataValidationError as exc:
            self._refused(actor, "footprint", label, source, exc)
            raise
        stored = frame.copy()
        for col in ("start", "end", "date"):
            if col in stored.columns:
                stored[col] = stored[col].map(lambda d: None if d is None else d.isoformat())
        blob = _frame_to_blob(stored)
        content = content_hash(stored, kind)
        n_warnings = len(getattr(report, "warnings", ()) or ())

        def work(conn: Connection) -> UploadResult:
            now = _now()
            f, v = t.footprint_files, t.footprint_versions
            _insert_ignore(
                conn, f,
                {"label": label, "kind": kind, "mission_id": self._mission_id(conn),
                 "created_at": now},
                ["label"],
            )  # fmt: skip
            file_id, have = conn.execute(
                sa.select(f.c.id, f.c.kind).where(f.c.label == label)
            ).one()
            if have != kind:
                raise StoreError(
                    f"{label!r} holds {have}, not {kind}; upload the {kind} under another label"
                )
            _lock_row(conn, f, file_id)
            version = (
                conn.execute(
                    sa.select(sa.func.max(v.c.version)).where(v.c.file_id == file_id)
                ).scalar()
                or 0
            ) + 1
            upload_id = conn.execute(
                t.uploads.insert()
                .values(
                    kind=kind, target_label=label, file_name=source.name, sha256=source.sha256,
                    size_bytes=source.size, user_name=actor.user, role=actor.role,
                    uploaded_at=now, status="accepted", n_problems=0, n_warnings=n_warnings,
                )
                .returning(t.uploads.c.id)
            ).scalar_one()  # fmt: skip
            conn.execute(
                v.insert().values(
                    file_id=file_id, version=version, upload_id=upload_id,
                    content_sha256=content, source_sha256=source.sha256, n_rows=len(stored),
                    report_json=_json_safe(report), format=BLOB_FORMAT, data=blob,
                    created_at=now, created_by=actor.user,
                )
            )  # fmt: skip
            conn.execute(f.update().where(f.c.id == file_id).values(current_version=version))
            self._audit(
                conn, actor, "upload", "footprint", label, source.sha256,
                details={"kind": kind, "version": version, "file_name": source.name,
                         "n_rows": len(stored),
                         "content_sha256": content},
            )  # fmt: skip
            return UploadResult(
                status="created", kind=kind, label=label, version=version,
                file_sha256=source.sha256, n_rows=len(stored), n_warnings=n_warnings,
                upload_id=upload_id,
            )  # fmt: skip

        return self._write(actor, work)

    def footprint(self, kind: Literal["deployments", "activities"]) -> pd.DataFrame:
        """The current version of every footprint upload of ``kind``, stacked (``label`` first).

        Dates come back as ``datetime.date``; an empty frame when nothing was uploaded.
        """
        import datetime as dt

        f, v = t.footprint_files, t.footprint_versions
        q = (
            sa.select(f.c.label, v.c.data)
            .join(v, sa.and_(v.c.file_id == f.c.id, v.c.version == f.c.current_version))
            .where(f.c.kind == kind)
            .order_by(f.c.label)
        )
        with _engine.read(self._engine) as conn:
            rows = conn.execute(q).all()
        frames = []
        for row in rows:
            frame = _blob_to_frame(row.data)
            for col in ("start", "end", "date"):
                if col in frame.columns:
                    frame[col] = frame[col].map(
                        lambda s: None if s is None or s != s else dt.date.fromisoformat(str(s))
                    )
            frame.insert(0, "label", row.label)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def footprint_versions(self, label: str) -> pd.DataFrame:
        """Every version of a footprint upload, oldest first."""
        f, v, u = t.footprint_files, t.footprint_versions, t.uploads
        q = (
            sa.select(
                v.c.version, (v.c.version == f.c.current_version).label("current"), f.c.kind,
                u.c.file_name, u.c.sha256.label("file_sha256"), u.c.user_name.label("uploaded_by"),
                u.c.uploaded_at, v.c.n_rows, v.c.content_sha256.label("data_version"),
            )
            .join(f, f.c.id == v.c.file_id)
            .join(u, u.c.id == v.c.upload_id)
            .where(f.c.label == label)
            .order_by(v.c.version)
        )  # fmt: skip
        out = self._frame(q)
        if out.empty:
            raise StoreError(f"no footprint upload is labelled {label!r}")
        out["current"] = out["current"].astype(bool)
        return out

    def _footprint_state(self, conn: Connection) -> list[tuple[Any, ...]]:
        """(id, current version) of every footprint upload, for the data version."""
        f = t.footprint_files
        return [
            tuple(r) for r in conn.execute(sa.select(f.c.id, f.c.current_version).order_by(f.c.id))
        ]
