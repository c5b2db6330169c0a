"""Access that holds: the audit log's hash chain, and on PostgreSQL the group roles mande_viewer,
mande_officer, mande_admin and mande_service with least privilege, and the triggers that keep the
rules whatever client writes (see mande/store/_access.py).

Revision ID: 0004_access
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mande.store import _access

revision: str = "0004_access"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FUNCTIONS = (
    "mande_require_audit()", "mande_current_version()", "mande_stamp_actor()",
    "mande_audit_frozen()", "mande_audit_insert()", "mande_role_allows(text, text)",
    "mande_actor_role()", "mande_audit_head()", "mande_actor()", "mande_login_role()", "mande_trusted()",
)  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("row_hash", sa.String(64), nullable=True))
    conn = op.get_bind()
    columns = (
        "id", "at", "user_name", "role", "action", "object_type", "object_label",
        "file_sha256", "ok", "details_json", "prev_hash", "row_hash",
    )  # fmt: skip
    audit = sa.table("audit_log", *(sa.column(c) for c in columns))
    prev = ""
    for row in conn.execute(sa.select(audit).order_by(audit.c.id)).all():
        digest = _access.audit_hash(prev, row)
        conn.execute(
            audit.update().where(audit.c.id == row.id).values(prev_hash=prev, row_hash=digest)
        )
        prev = digest
    _access.install(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for table, name in (
            ("audit_log", "mande_audit_insert"), ("audit_log", "mande_audit_frozen"),
            ("audit_log", "mande_audit_truncate"), ("uploads", "mande_stamp"),
            ("round_versions", "mande_stamp"), ("interview_versions", "mande_stamp"),
            ("forms", "mande_stamp"), ("mappings", "mande_stamp"), ("missions", "mande_stamp"),
            ("result_runs", "mande_stamp"), ("rounds", "mande_current"),
            ("interview_sheets", "mande_current"), ("round_versions", "mande_audited_upload"),
            ("interview_versions", "mande_audited_upload"),
            ("round_versions", "mande_audited_purge"),
            ("interview_versions", "mande_audited_purge"), ("rounds", "mande_audited_current"),
            ("interview_sheets", "mande_audited_current"),
        ):  # fmt: skip
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for fn in _FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")
        # The group roles are shared by the server's databases and stay; their grants on these
        # tables go with the tables' next owner's choices.
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("row_hash")
        batch.drop_column("prev_hash")
