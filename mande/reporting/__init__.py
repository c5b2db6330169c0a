"""One reporting policy for every view: the dashboard's pages, the annex, the draft and the CLI
read their figures from here, so that the same figure is the same everywhere.

- :class:`ReportingPolicy` (``policy:`` in mission.yaml): the false-discovery-rate family and rate,
  the confidence level, the bootstrap seed (one generator per group: :func:`group_rng`) and the
  small-number thresholds;
- :func:`period_figures`: which rounds a period compares (:func:`period_comparison`) and its change
  table (:func:`change_table`): every indicator x breakdown x group, Benjamini-Hochberg over the
  policy's family, each change with its false-coverage-rate adjusted interval (it excludes zero
  exactly when the change is called significant) and its unadjusted interval, labelled;
- :func:`partner_figures`: relationship quality, reliability and the robust-operation model of a
  period, with the model's data window and small-number flags.
"""

from __future__ import annotations

from mande.reporting.changes import (
    CHANGE_COLUMNS,
    PeriodComparison,
    PeriodFigures,
    change_table,
    period_comparison,
    period_figures,
)
from mande.reporting.partners import (
    PartnerFigures,
    interviews_with_periods,
    partner_figures,
    partner_quality,
)
from mande.reporting.policy import FDR_FAMILIES, ReportingPolicy, group_rng, group_seed

__all__ = [
    "CHANGE_COLUMNS",
    "FDR_FAMILIES",
    "PartnerFigures",
    "PeriodComparison",
    "PeriodFigures",
    "ReportingPolicy",
    "change_table",
    "group_rng",
    "group_seed",
    "interviews_with_periods",
    "partner_figures",
    "partner_quality",
    "period_comparison",
    "period_figures",
]
