"""The values the store hands back: an uploaded file and what an upload did."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mande.errors import StoreError


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
        return cls.from_bytes(p.name, data, keep=keep)

    @classmethod
    def from_bytes(cls, name: str, data: bytes, *, keep: bool = False) -> SourceFile:
        """The file's name is recorded as :func:`mande.ingest.checks.safe_file_name` gives it."""
        from mande.ingest.checks import safe_file_name

        return cls(
            safe_file_name(name), hashlib.sha256(data).hexdigest(), len(data),
            data if keep else None,
        )  # fmt: skip


@dataclass(frozen=True)
class UploadResult:
    """What an upload did.

    ``status`` is ``"created"`` (a new version, now current) or ``"unchanged"`` (this file was
    already stored as ``version`` of ``label``; nothing was written).
    """

    status: Literal["created", "unchanged"]
    kind: Literal["survey", "interviews", "deployments", "activities"]
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
