"""Results describe their indicator: name, short name, kind, unit, polarity, domain, SG report
section, SDG, minimum n, confidence level and Cronbach's alpha as typed columns (they were in
extra_json), and the view current_results shows them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import json
import runpy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("cronbach_alpha", sa.Double()),
    ("name", sa.Text()),
    ("short_name", sa.String(length=200)),
    ("kind", sa.String(length=40)),
    ("unit", sa.String(length=40)),
    ("polarity", sa.String(length=20)),
    ("domain", sa.String(length=100)),
    ("sg_section", sa.String(length=100)),
    ("sdg", sa.String(length=100)),
    ("min_n", sa.Integer()),
    ("level", sa.Double()),
)

# A frozen copy of the view at this revision.
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


def _results(bind: sa.engine.Connection, names: list[str]) -> sa.Table:
    return sa.Table(
        "results",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("extra_json", sa.Text),
        *(sa.Column(n, t) for n, t in COLUMNS if n in names),
    )


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS current_results")
    for name, type_ in COLUMNS:
        op.add_column("results", sa.Column(name, type_, nullable=True))
    # move the values out of extra_json into their typed columns
    bind = op.get_bind()
    names = [n for n, _ in COLUMNS]
    table = _results(bind, names)
    rows = bind.execute(
        sa.select(table.c.id, table.c.extra_json).where(table.c.extra_json.is_not(None))
    ).all()
    for row in rows:
        extra = json.loads(row.extra_json)
        moved = {n: extra.pop(n) for n in names if n in extra}
        if moved:
            values = {"extra_json": json.dumps(extra, sort_keys=True) if extra else None, **moved}
            bind.execute(table.update().where(table.c.id == row.id).values(**values))
    op.execute(CURRENT_RESULTS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS current_results")
    # keep the values: back into extra_json
    bind = op.get_bind()
    names = [n for n, _ in COLUMNS]
    table = _results(bind, names)
    for row in bind.execute(sa.select(table)).mappings().all():
        kept = {n: row[n] for n in names if row[n] is not None}
        if kept:
            extra = json.loads(row["extra_json"]) if row["extra_json"] else {}
            extra.update(kept)
            bind.execute(
                table.update()
                .where(table.c.id == row["id"])
                .values(extra_json=json.dumps(extra, sort_keys=True))
            )
    with op.batch_alter_table("results") as batch_op:
        for name in reversed(names):
            batch_op.drop_column(name)
    previous = runpy.run_path(str(Path(__file__).with_name("0001_initial.py")))
    op.execute(previous["CURRENT_RESULTS_VIEW"])
