"""The store: SQLite by default, PostgreSQL for a team; versioned uploads, results, audit log."""

from __future__ import annotations

from mande.store.repository import (
    DEFAULT_BREAKDOWNS,
    SourceFile,
    Store,
    UploadResult,
    catalogue_version,
    check_no_personal_data,
)

__all__ = [
    "DEFAULT_BREAKDOWNS",
    "SourceFile",
    "Store",
    "UploadResult",
    "catalogue_version",
    "check_no_personal_data",
]
