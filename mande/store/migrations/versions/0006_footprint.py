"""The mission's footprint: deployments and activity logs, versioned like survey rounds; on
PostgreSQL the group roles' grants and the audit triggers cover the new tables.

Revision ID: 0006_footprint
Revises: 0005_weighting
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mande.store import _access

revision: str = "0006_footprint"
down_revision: str | None = "0005_weighting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "footprint_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name="fk_footprint_files_mission_id_missions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_footprint_files"),
        sa.UniqueConstraint("label", name="uq_footprint_files_label"),
    )
    op.create_table(
        "footprint_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("report_json", sa.Text, nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["footprint_files.id"],
            name="fk_footprint_versions_file_id_footprint_files",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"], name="fk_footprint_versions_upload_id_uploads"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_footprint_versions"),
        sa.UniqueConstraint("file_id", "version", name="uq_footprint_versions_file_version"),
    )
    _access.install(op.get_bind())  # grants and triggers on the new tables (PostgreSQL)


def downgrade() -> None:
    op.drop_table("footprint_versions")
    op.drop_table("footprint_files")
