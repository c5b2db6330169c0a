"""Store faults as clear errors: a full disk, a damaged database file, a lost schema stamp.

The database driver's own exception (SQLite's ``database or disk is full``, PostgreSQL's
``DiskFull``, ``file is not a database``, ``database disk image is malformed``) is turned into a
:class:`~mande.errors.StoreError` that says what happened, that nothing was written, and what to
do; the driver's exception is kept as its cause for whoever debugs.
"""

from __future__ import annotations

import errno
from typing import Any

import sqlalchemy as sa

from mande.errors import StoreError

__all__ = ["missing_stamp", "translate"]


def _where(url: Any) -> str:
    try:
        parsed = sa.make_url(str(url)) if not isinstance(url, sa.URL) else url
    except Exception:
        return "the store"
    if parsed.get_backend_name() == "sqlite":
        return f"the store file {parsed.database}"
    return f"the store at {parsed.render_as_string(hide_password=True)}"


def translate(exc: BaseException, url: Any) -> StoreError | None:
    """A clear :class:`StoreError` for a known store fault, or None for any other exception."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split()).lower()
    name = type(orig).__name__.lower()
    where = _where(url)
    if (
        "disk is full" in text
        or "no space left" in text
        or "could not extend file" in text
        or "diskfull" in name
        or (isinstance(orig, OSError) and orig.errno == errno.ENOSPC)
    ):
        return StoreError(
            f"the disk holding {where} is full, so nothing was written (the upload or change was "
            "rolled back). Free disk space, or move the store to a larger disk "
            "(MANDE_DATA_DIR or MANDE_DATABASE_URL), then try again"
        )
    if (
        "file is not a database" in text
        or "malformed" in text
        or "file is encrypted" in text
        or "database corruption" in text
    ):
        return StoreError(
            f"{where} is damaged ({' '.join(str(orig).split())}) and cannot be read; nothing was "
            "changed. Restore it from your latest backup; or move the damaged file aside, run "
            "`mande db upgrade` to create an empty store and upload the files again"
        )
    if "readonly database" in text or "read-only" in text or "read only" in text:
        return StoreError(
            f"{where} is read-only for this user, so nothing was written; give the user write "
            "access to the file and its folder, or point MANDE_DATABASE_URL at a writable store"
        )
    return None


def missing_stamp(url: Any) -> StoreError:
    """The error for a store that has mande's tables but no Alembic revision stamp."""
    return StoreError(
        f"{_where(url)} holds mande's tables but no schema version stamp (the alembic_version "
        "table is missing or empty), so it cannot be upgraded safely; nothing was changed. If the "
        "store was last used with this version of mande, run `mande db stamp` to record its "
        "schema version; otherwise restore the store from a backup"
    )
