"""Round versions keep how their weights were built (sample plan, non-response adjustment,
calibration to the mission's population margins) and the weighting diagnostics.

Revision ID: 0005_weighting
Revises: 0004_access
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_weighting"
down_revision: str | None = "0004_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("round_versions") as batch:
        batch.add_column(sa.Column("weighting_json", sa.Text(), nullable=True))


def downgrade() -> None:
    import sqlite3

    if op.get_bind().dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 35):
        # SQLite 3.35+ drops a column in place; a batch copy would drop and re-create
        # round_versions, which its children's foreign keys refuse inside the migration's
        # transaction
        op.execute("ALTER TABLE round_versions DROP COLUMN weighting_json")
        return
    with op.batch_alter_table("round_versions") as batch:
        batch.drop_column("weighting_json")
