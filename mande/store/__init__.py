"""The store: SQLite by default, PostgreSQL for a team; versioned uploads, results, audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mande._lazy import lazy_module

if TYPE_CHECKING:
    from mande.store.repository import (
        DEFAULT_BREAKDOWNS,
        SourceFile,
        Store,
        UploadResult,
        catalogue_version,
        check_no_personal_data,
    )

# Public name -> the module that defines it; loaded on first use (PEP 562), so that the command
# line can register this package's commands without importing pandas. One name per line, sorted.
_LAZY: dict[str, str] = {
    "DEFAULT_BREAKDOWNS": "mande.store.repository",
    "SourceFile": "mande.store.repository",
    "Store": "mande.store.repository",
    "UploadResult": "mande.store.repository",
    "catalogue_version": "mande.store.repository",
    "check_no_personal_data": "mande.store.repository",
}

__getattr__, __dir__ = lazy_module(__name__, _LAZY, globals())

__all__ = [
    "DEFAULT_BREAKDOWNS",
    "SourceFile",
    "Store",
    "UploadResult",
    "catalogue_version",
    "check_no_personal_data",
]
