"""The store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

The schema is created and upgraded by the Alembic migrations in ``mande/store/migrations``; this
module describes it for the queries. A change here needs a new migration (``versions/``).

Tables
------
``missions``        the mission configuration (``mission.yaml``): code, names, the file's text.
``forms``           each XLSForm used by an upload: file SHA-256, form version, the parsed form as
                    JSON and the file itself (small; kept so that a round can be re-read later).
``mappings``        each mapping (a mission's own questions onto the standard items), as JSON.
``uploads``         each accepted upload: file name, SHA-256, size, kind, who, when, status.
``rounds``          survey rounds by label, with the number of their current version.
``round_versions``  each upload of a round is a new version (never overwritten): fieldwork dates,
                    period, counts, the design, the content hash (the *data version*).
``responses``       one row per round version: the tidy responses as a Parquet blob (zstd).
``interview_sheets`` / ``interview_versions`` / ``interview_data``
                    partner-interview coding sheets, versioned like rounds; only consented quotes
                    are kept.
``footprint_files`` / ``footprint_versions``
                    the mission's footprint (deployments, activity log), by label and kind,
                    versioned like rounds: each version holds its table as a Parquet blob.
``result_runs``     one row per computation of the indicators: round version, catalogue version,
                    breakdowns; the cache key.
``results``         indicator results as plain rows (one per indicator x breakdown x group) for
                    Power BI, Excel or SQL; the view ``current_results`` shows those of the current
                    versions.
``period_figures``  what the Overview shows, computed once for the data held: the change table of
                    the latest reporting period (Parquet blob) per language, keyed by the current
                    round versions, the mission file and the catalogue (``figures_key``).
``audit_log``       who did what, when, with which file (SHA-256), including refused attempts;
                    each row carries the previous row's hash and its own (a hash chain).
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "CURRENT_RESULTS_VIEW",
    "RESULT_CORE_COLUMNS",
    "audit_log",
    "footprint_files",
    "footprint_versions",
    "forms",
    "interview_data",
    "interview_sheets",
    "interview_versions",
    "mappings",
    "metadata",
    "missions",
    "period_figures",
    "responses",
    "result_runs",
    "results",
    "round_versions",
    "rounds",
    "uploads",
]

# Explicit constraint names, so that migrations are the same on every database.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_TS = sa.DateTime(timezone=True)
_SHA = sa.String(64)

missions = sa.Table(
    "missions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("name_fr", sa.Text),
    sa.Column("names_json", sa.Text, nullable=False),
    sa.Column("config_text", sa.Text, nullable=False),
    sa.Column("config_sha256", _SHA, nullable=False),
    sa.Column("loaded_at", _TS, nullable=False),
    sa.Column("loaded_by", sa.String(200), nullable=False),
    sa.Column("boundaries_geojson", sa.Text),  # the regions' polygons, for the map
)

forms = sa.Table(
    "forms",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", _SHA, nullable=False, unique=True),
    sa.Column("file_name", sa.String(400), nullable=False),
    sa.Column("form_id", sa.String(200)),
    sa.Column("version", sa.String(100)),
    sa.Column("title", sa.Text),
    sa.Column("form_json", sa.Text, nullable=False),
    sa.Column("file_bytes", sa.LargeBinary),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
)

mappings = sa.Table(
    "mappings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", _SHA, nullable=False, unique=True),
    sa.Column("mapping_json", sa.Text, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
)

uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # survey | interviews
    sa.Column("target_label", sa.String(200), nullable=False),
    sa.Column("file_name", sa.String(400), nullable=False),
    sa.Column("sha256", _SHA, nullable=False, index=True),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("user_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("uploaded_at", _TS, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # accepted | purged
    sa.Column("n_problems", sa.Integer, nullable=False, server_default="0"),
    sa.Column("n_warnings", sa.Integer, nullable=False, server_default="0"),
)

rounds = sa.Table(
    "rounds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("label", sa.String(200), nullable=False, unique=True),
    sa.Column("mission_id", sa.Integer, sa.ForeignKey("missions.id")),
    sa.Column("current_version", sa.Integer),
    sa.Column("created_at", _TS, nullable=False),
)

round_versions = sa.Table(
    "round_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
    sa.Column("form_id", sa.Integer, sa.ForeignKey("forms.id")),
    sa.Column("mapping_id", sa.Integer, sa.ForeignKey("mappings.id")),
    sa.Column("content_sha256", _SHA, nullable=False),
    sa.Column("source_sha256", _SHA, nullable=False),
    sa.Column("n_respondents", sa.Integer, nullable=False),
    sa.Column("n_columns", sa.Integer, nullable=False),
    sa.Column("fieldwork_start", sa.Date),
    sa.Column("fieldwork_end", sa.Date),
    sa.Column("period_id", sa.String(40)),
    sa.Column("design_json", sa.Text, nullable=False),
    sa.Column("report_json", sa.Text, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    # how the weights were built (sample plan, non-response, calibration) and their diagnostics;
    # NULL when the export carried its own weights
    sa.Column("weighting_json", sa.Text),
    sa.UniqueConstraint("round_id", "version", name="uq_round_versions_round_version"),
)

responses = sa.Table(
    "responses",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("round_versions.id"), primary_key=True),
    sa.Column("format", sa.String(20), nullable=False),  # parquet-zstd
    sa.Column("columns_json", sa.Text, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

interview_sheets = sa.Table(
    "interview_sheets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("label", sa.String(200), nullable=False, unique=True),
    sa.Column("mission_id", sa.Integer, sa.ForeignKey("missions.id")),
    sa.Column("current_version", sa.Integer),
    sa.Column("created_at", _TS, nullable=False),
)

interview_versions = sa.Table(
    "interview_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sheet_id", sa.Integer, sa.ForeignKey("interview_sheets.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
    sa.Column("content_sha256", _SHA, nullable=False),
    sa.Column("source_sha256", _SHA, nullable=False),
    sa.Column("n_interviews", sa.Integer, nullable=False),
    sa.Column("n_quotes", sa.Integer, nullable=False),
    sa.Column("report_json", sa.Text, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("sheet_id", "version", name="uq_interview_versions_sheet_version"),
)

interview_data = sa.Table(
    "interview_data",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("interview_versions.id"), primary_key=True),
    sa.Column("format", sa.String(20), nullable=False),
    sa.Column("interviews", sa.LargeBinary, nullable=False),
    sa.Column("quotes", sa.LargeBinary, nullable=False),  # consented quotes only
)

footprint_files = sa.Table(
    "footprint_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("label", sa.String(200), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),  # deployments | activities
    sa.Column("mission_id", sa.Integer, sa.ForeignKey("missions.id")),
    sa.Column("current_version", sa.Integer),
    sa.Column("created_at", _TS, nullable=False),
)

footprint_versions = sa.Table(
    "footprint_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("file_id", sa.Integer, sa.ForeignKey("footprint_files.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
    sa.Column("content_sha256", _SHA, nullable=False),
    sa.Column("source_sha256", _SHA, nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("report_json", sa.Text, nullable=False),
    sa.Column("format", sa.String(20), nullable=False),  # parquet-zstd
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("file_id", "version", name="uq_footprint_versions_file_version"),
)

result_runs = sa.Table(
    "result_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("round_version_id", sa.Integer, sa.ForeignKey("round_versions.id"), nullable=False),
    sa.Column("data_version", _SHA, nullable=False),
    sa.Column("catalogue_version", _SHA, nullable=False),
    sa.Column("by_key", sa.String(400), nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("computed_at", _TS, nullable=False),
    sa.Column("computed_by", sa.String(200), nullable=False),
    sa.UniqueConstraint(
        "round_version_id", "catalogue_version", "by_key", name="uq_result_runs_key"
    ),
)

# The latest period's change table, computed when a round is committed or a version made current
# (mande.store._figures), so that a page only reads it. ``figures_key`` hashes what the figures
# depend on (the current round versions, the mission file, the catalogue); one row per language.
period_figures = sa.Table(
    "period_figures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("figures_key", _SHA, nullable=False),
    sa.Column("lang", sa.String(8), nullable=False),
    sa.Column("period_id", sa.String(100), nullable=False),
    sa.Column("current_round", sa.String(200), nullable=False),
    sa.Column("previous_round", sa.String(200), nullable=True),
    sa.Column("format", sa.String(20), nullable=False),  # parquet-zstd
    sa.Column("changes", sa.LargeBinary, nullable=False),
    sa.Column("dtypes_json", sa.Text, nullable=False),  # each column's pandas type, restored
    sa.Column("computed_at", _TS, nullable=False),
    sa.Column("computed_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("figures_key", "lang", name="uq_period_figures_key_lang"),
)

# The core columns of an indicator result, stored as typed columns (name in the results frame ->
# column here). Any other column the indicator computation returns is kept in ``extra_json``.
RESULT_CORE_COLUMNS: dict[str, str] = {
    "indicator": "indicator",
    "base_indicator": "base_indicator",
    "variant": "variant",
    "breakdown": "breakdown",
    "group": "group_value",
    "estimate": "estimate",
    "se": "se",
    "ci_low": "ci_low",
    "ci_high": "ci_high",
    "n": "n",
    "df": "df",
    "deff": "deff",
    "cv": "cv",
    "n_dont_know": "n_dont_know",
    "n_refused": "n_refused",
    "n_not_applicable": "n_not_applicable",
    "n_never_alone": "n_never_alone",
    "n_excluded": "n_excluded",
    "n_missing": "n_missing",
    "suppressed": "suppressed",
    "low_precision": "low_precision",
    "single_psu": "single_psu",
    # describing the indicator (migration 0002), so that a table tool needs no catalogue
    "cronbach_alpha": "cronbach_alpha",
    "name": "name",
    "short_name": "short_name",
    "kind": "kind",
    "unit": "unit",
    "polarity": "polarity",
    "domain": "domain",
    "sg_section": "sg_section",
    "sdg": "sdg",
    "min_n": "min_n",
    "level": "level",
}

results = sa.Table(
    "results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("result_runs.id"), nullable=False, index=True),
    sa.Column("round_version_id", sa.Integer, sa.ForeignKey("round_versions.id"), nullable=False),
    sa.Column("round_label", sa.String(200), nullable=False),
    sa.Column("round_version", sa.Integer, nullable=False),
    sa.Column("period_id", sa.String(40)),
    sa.Column("indicator", sa.String(100), nullable=False),
    sa.Column("base_indicator", sa.String(100)),
    sa.Column("variant", sa.String(100)),
    sa.Column("breakdown", sa.String(100)),
    sa.Column("group_value", sa.String(200)),
    sa.Column("estimate", sa.Double),
    sa.Column("se", sa.Double),
    sa.Column("ci_low", sa.Double),
    sa.Column("ci_high", sa.Double),
    sa.Column("n", sa.Integer),
    sa.Column("df", sa.Double),
    sa.Column("deff", sa.Double),
    sa.Column("cv", sa.Double),
    sa.Column("n_dont_know", sa.Integer),
    sa.Column("n_refused", sa.Integer),
    sa.Column("n_not_applicable", sa.Integer),
    sa.Column("n_never_alone", sa.Integer),
    sa.Column("n_excluded", sa.Integer),
    sa.Column("n_missing", sa.Integer),
    sa.Column("suppressed", sa.Boolean),
    sa.Column("low_precision", sa.Boolean),
    sa.Column("single_psu", sa.Boolean),
    sa.Column("extra_json", sa.Text),
    sa.Column("data_version", _SHA, nullable=False),
    sa.Column("catalogue_version", _SHA, nullable=False),
    # migration 0002
    sa.Column("cronbach_alpha", sa.Double),
    sa.Column("name", sa.Text),
    sa.Column("short_name", sa.String(200)),
    sa.Column("kind", sa.String(40)),
    sa.Column("unit", sa.String(40)),
    sa.Column("polarity", sa.String(20)),
    sa.Column("domain", sa.String(100)),
    sa.Column("sg_section", sa.String(100)),
    sa.Column("sdg", sa.String(100)),
    sa.Column("min_n", sa.Integer),
    sa.Column("level", sa.Double),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", _TS, nullable=False),
    sa.Column("user_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_label", sa.String(400)),
    sa.Column("file_sha256", _SHA),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("details_json", sa.Text, nullable=False),
    # migration 0004: the hash chain (mande/store/_access.py)
    sa.Column("prev_hash", _SHA),
    sa.Column("row_hash", _SHA),
    # inserting needs no RETURNING: roles below admin may add an entry but not read the log
    implicit_returning=False,
)

# Results of the current version of each round, from the latest computation for each set of
# breakdowns. Power BI, Excel (ODBC) or any SQL client can read it as a table.
CURRENT_RESULTS_VIEW = """
CREATE VIEW current_results AS
SELECT r.round_label AS round_label,
       r.round_version AS round_version,
       r.period_id AS period_id,
       r.indicator AS indicator,
       r.name AS name,
       r.short_name AS short_name,
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
       r.cronbach_alpha AS cronbach_alpha,
       r.kind AS kind,
       r.unit AS unit,
       r.polarity AS polarity,
       r.domain AS domain,
       r.sg_section AS sg_section,
       r.sdg AS sdg,
       r.min_n AS min_n,
       r.level AS level,
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
