"""Weighting a survey round from its sample plan and the mission's population margins.

- :mod:`~mande.weighting.plan`: the sample plan file (one row per selected PSU);
- :mod:`~mande.weighting.population`: the adult population margins of ``mission.yaml``;
- :mod:`~mande.weighting.weights`: base weights, non-response adjustment, calibration.

The calibration itself (and its variance) is :func:`mande.calibrate` in :mod:`mande.stats`.
"""

from mande.weighting.plan import OPTIONAL_COLUMNS, PLAN_COLUMNS, SamplePlan, read_plan
from mande.weighting.population import MARGIN_VARIABLES, Population, parse_population
from mande.weighting.round import read_survey_with_plan, weigh_survey_round
from mande.weighting.weights import (
    WEIGHT_COLUMNS,
    WeightingReport,
    WeightingResult,
    describe_weighting,
    weight_round,
)

__all__ = [
    "MARGIN_VARIABLES",
    "OPTIONAL_COLUMNS",
    "PLAN_COLUMNS",
    "WEIGHT_COLUMNS",
    "Population",
    "SamplePlan",
    "WeightingReport",
    "WeightingResult",
    "describe_weighting",
    "parse_population",
    "read_plan",
    "read_survey_with_plan",
    "weigh_survey_round",
    "weight_round",
]
