"""Initial schema: missions, forms, mappings, uploads, rounds and versions, responses,
interviews, indicator results (and the view current_results), audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:32:00.686132
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A frozen copy of the view (later migrations replace it; they never edit this one).
CURRENT_RESULTS_VIEW = """
CREATE VIEW current_results AS
SELECT r.round_label AS round_label,
       r.round_version AS round_version,
       r.period_id AS period_id,
       r.indicator AS indicator,
       r.base_indicator AS base_indicator,
       r.variant AS variant,
       r.breakdown AS breakdown,
       r.group_value AS group_value,
       r.estimate AS estimate,
       r.se AS se,
       r.ci_low AS ci_low,
       r.ci_high AS ci_high,
       r.n AS n,
       r.df AS df,
       r.deff AS deff,
       r.cv AS cv,
       r.n_dont_know AS n_dont_know,
       r.n_refused AS n_refused,
       r.n_not_applicable AS n_not_applicable,
       r.n_never_alone AS n_never_alone,
       r.n_excluded AS n_excluded,
       r.n_missing AS n_missing,
       r.suppressed AS suppressed,
       r.low_precision AS low_precision,
       r.single_psu AS single_psu,
       r.extra_json AS extra_json,
       r.data_version AS data_version,
       r.catalogue_version AS catalogue_version,
       rr.by_key AS by_key,
       rr.computed_at AS computed_at
FROM results r
JOIN result_runs rr ON rr.id = r.run_id
JOIN round_versions v ON v.id = r.round_version_id
JOIN rounds ro ON ro.id = v.round_id AND ro.current_version = v.version
WHERE rr.id = (
    SELECT MAX(r2.id) FROM result_runs r2
    WHERE r2.round_version_id = rr.round_version_id AND r2.by_key = rr.by_key
)
"""


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_label", sa.String(length=400), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("details_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=400), nullable=False),
        sa.Column("form_id", sa.String(length=200), nullable=True),
        sa.Column("version", sa.String(length=100), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("form_json", sa.Text(), nullable=False),
        sa.Column("file_bytes", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forms")),
        sa.UniqueConstraint("sha256", name=op.f("uq_forms_sha256")),
    )
    op.create_table(
        "mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mapping_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mappings")),
        sa.UniqueConstraint("sha256", name=op.f("uq_mappings_sha256")),
    )
    op.create_table(
        "missions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_fr", sa.Text(), nullable=True),
        sa.Column("names_json", sa.Text(), nullable=False),
        sa.Column("config_text", sa.Text(), nullable=False),
        sa.Column("config_sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missions")),
        sa.UniqueConstraint("code", name=op.f("uq_missions_code")),
    )
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_label", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.String(length=400), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n_problems", sa.Integer(), server_default="0", nullable=False),
        sa.Column("n_warnings", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
    )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_uploads_sha256"), ["sha256"], unique=False)

    op.create_table(
        "interview_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_interview_sheets_mission_id_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_sheets")),
        sa.UniqueConstraint("label", name=op.f("uq_interview_sheets_label")),
    )
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_rounds_mission_id_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
        sa.UniqueConstraint("label", name=op.f("uq_rounds_label")),
    )
    op.create_table(
        "interview_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("n_interviews", sa.Integer(), nullable=False),
        sa.Column("n_quotes", sa.Integer(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["sheet_id"],
            ["interview_sheets.id"],
            name=op.f("fk_interview_versions_sheet_id_interview_sheets"),
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"], name=op.f("fk_interview_versions_upload_id_uploads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_versions")),
        sa.UniqueConstraint("sheet_id", "version", name="uq_interview_versions_sheet_version"),
    )
    op.create_table(
        "round_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=True),
        sa.Column("mapping_id", sa.Integer(), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("n_respondents", sa.Integer(), nullable=False),
        sa.Column("n_columns", sa.Integer(), nullable=False),
        sa.Column("fieldwork_start", sa.Date(), nullable=True),
        sa.Column("fieldwork_end", sa.Date(), nullable=True),
        sa.Column("period_id", sa.String(length=40), nullable=True),
        sa.Column("design_json", sa.Text(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"], ["forms.id"], name=op.f("fk_round_versions_form_id_forms")
        ),
        sa.ForeignKeyConstraint(
            ["mapping_id"], ["mappings.id"], name=op.f("fk_round_versions_mapping_id_mappings")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_round_versions_round_id_rounds")
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"], name=op.f("fk_round_versions_upload_id_uploads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_versions")),
        sa.UniqueConstraint("round_id", "version", name="uq_round_versions_round_version"),
    )
    op.create_table(
        "interview_data",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("interviews", sa.LargeBinary(), nullable=False),
        sa.Column("quotes", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["interview_versions.id"],
            name=op.f("fk_interview_data_version_id_interview_versions"),
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_interview_data")),
    )
    op.create_table(
        "responses",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("columns_json", sa.Text(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["round_versions.id"],
            name=op.f("fk_responses_version_id_round_versions"),
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_responses")),
    )
    op.create_table(
        "result_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_version_id", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column("catalogue_version", sa.String(length=64), nullable=False),
        sa.Column("by_key", sa.String(length=400), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_version_id"],
            ["round_versions.id"],
            name=op.f("fk_result_runs_round_version_id_round_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_runs")),
        sa.UniqueConstraint(
            "round_version_id", "catalogue_version", "by_key", name="uq_result_runs_key"
        ),
    )
    op.create_table(
        "results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("round_version_id", sa.Integer(), nullable=False),
        sa.Column("round_label", sa.String(length=200), nullable=False),
        sa.Column("round_version", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.String(length=40), nullable=True),
        sa.Column("indicator", sa.String(length=100), nullable=False),
        sa.Column("base_indicator", sa.String(length=100), nullable=True),
        sa.Column("variant", sa.String(length=100), nullable=True),
        sa.Column("breakdown", sa.String(length=100), nullable=True),
        sa.Column("group_value", sa.String(length=200), nullable=True),
        sa.Column("estimate", sa.Double(), nullable=True),
        sa.Column("se", sa.Double(), nullable=True),
        sa.Column("ci_low", sa.Double(), nullable=True),
        sa.Column("ci_high", sa.Double(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.Column("df", sa.Double(), nullable=True),
        sa.Column("deff", sa.Double(), nullable=True),
        sa.Column("cv", sa.Double(), nullable=True),
        sa.Column("n_dont_know", sa.Integer(), nullable=True),
        sa.Column("n_refused", sa.Integer(), nullable=True),
        sa.Column("n_not_applicable", sa.Integer(), nullable=True),
        sa.Column("n_never_alone", sa.Integer(), nullable=True),
        sa.Column("n_excluded", sa.Integer(), nullable=True),
        sa.Column("n_missing", sa.Integer(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=True),
        sa.Column("low_precision", sa.Boolean(), nullable=True),
        sa.Column("single_psu", sa.Boolean(), nullable=True),
        sa.Column("extra_json", sa.Text(), nullable=True),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column("catalogue_version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_version_id"],
            ["round_versions.id"],
            name=op.f("fk_results_round_version_id_round_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["result_runs.id"], name=op.f("fk_results_run_id_result_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results")),
    )
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_results_run_id"), ["run_id"], unique=False)

    op.execute(CURRENT_RESULTS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS current_results")
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_results_run_id"))

    op.drop_table("results")
    op.drop_table("result_runs")
    op.drop_table("responses")
    op.drop_table("interview_data")
    op.drop_table("round_versions")
    op.drop_table("interview_versions")
    op.drop_table("rounds")
    op.drop_table("interview_sheets")
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_uploads_sha256"))

    op.drop_table("uploads")
    op.drop_table("missions")
    op.drop_table("mappings")
    op.drop_table("forms")
    op.drop_table("audit_log")
