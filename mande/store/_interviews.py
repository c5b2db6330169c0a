"""Partner-interview sheets in the store: uploads, versions, reading, current version, purge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mande.errors import DataValidationError, StoreError
from mande.gate import screen_json
from mande.ingest.checks import check_label, suggest_label
from mande.store import _engine
from mande.store import schema as t
from mande.store._base import (
    _insert_ignore,
    _lock_row,
    _n_problems,
    _n_warnings,
    _now,
    _StoreBase,
    _Versioned,
)
from mande.store._blobs import (
    BLOB_FORMAT,
    _blob_to_frame,
    _frame_to_blob,
    _json,
    content_hash,
)
from mande.store._privacy import check_no_personal_data
from mande.store._records import SourceFile, UploadResult


def _delete_interview_data(conn: Connection, ids: list[int]) -> None:
    """The interviews and quotes of these sheet versions."""
    conn.execute(t.interview_data.delete().where(t.interview_data.c.version_id.in_(ids)))


_SHEETS = _Versioned(
    parent=t.interview_sheets,
    versions=t.interview_versions,
    parent_key="sheet_id",
    object_type="interviews",
    noun="interview sheet",
    whole="whole_sheet",
    hint="make another version current first, or purge the sheet",
    delete_data=_delete_interview_data,
)


class _Interviews(_StoreBase):
    """Interview coding sheets: each upload a new version; only consented quotes are kept."""

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
        label = check_label(label, what="sheet label") if label else suggest_label(Path(path).stem)
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
        label = check_label(label, what="sheet label")
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
                    report_json=_json(screen_json(report)), created_at=now, created_by=actor.user,
                )
                .returning(v.c.id)
            ).scalar_one()  # fmt: skip
            conn.execute(
                t.interview_data.insert().values(
                    version_id=version_id, format=BLOB_FORMAT, interviews=iv_blob, quotes=q_blob
                )
            )
            self._reached("interviews_written")
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

        return self._write(actor, work)

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

        self._write(actor, work)

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
            sheet_id = self._sheet_id(conn, label)
            return self._purge_versions(conn, _SHEETS, sheet_id, label, version, actor, reason)

        return self._write(actor, work)

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
