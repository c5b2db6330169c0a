"""The latest period's figures, precomputed: the change table the Overview reads, per language,
keyed by what it depends on; on PostgreSQL the group roles' grants and the stamp trigger cover it.

Revision ID: 0007_period_figures
Revises: 0006_footprint
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mande.store import _access

revision: str = "0007_period_figures"
down_revision: str | None = "0006_footprint"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "period_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("figures_key", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("period_id", sa.String(100), nullable=False),
        sa.Column("current_round", sa.String(200), nullable=False),
        sa.Column("previous_round", sa.String(200), nullable=True),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("changes", sa.LargeBinary, nullable=False),
        sa.Column("dtypes_json", sa.Text, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_period_figures"),
        sa.UniqueConstraint("figures_key", "lang", name="uq_period_figures_key_lang"),
    )
    _access.install(op.get_bind())  # grants and the stamp trigger on the new table (PostgreSQL)


def downgrade() -> None:
    op.drop_table("period_figures")
