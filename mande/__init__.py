"""mande: monitoring and evaluation for UN peace operations.

The public API is listed in ``__all__``; everything else is private and may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

from mande.config import MissionConfig, Settings, load_mission
from mande.errors import (
    ConfigError,
    DataValidationError,
    DefinitionError,
    DesignError,
    EstimationError,
    MandeError,
    PermissionDenied,
    Problem,
    StoreError,
)
from mande.indicators.catalogue import Catalogue, Indicator, load_catalogue
from mande.indicators.compute import compute_indicators
from mande.indicators.items import standard_items
from mande.ingest.mapping import Mapping, load_mapping, suggest_mapping
from mande.ingest.survey import SurveyRound, read_survey
from mande.ingest.validate import ValidationReport
from mande.ingest.xlsform import Form, read_xlsform
from mande.roles import allowed, require
from mande.stats.change import changes_between, compare_rounds
from mande.stats.design import SurveyDesign
from mande.stats.estimate import estimate
from mande.stats.trends import (
    TrendFit,
    interrupted_time_series,
    linear_trends,
    stack_rounds,
    trend_model,
)

__all__ = [
    "Catalogue",
    "ConfigError",
    "DataValidationError",
    "DefinitionError",
    "DesignError",
    "EstimationError",
    "Form",
    "Indicator",
    "MandeError",
    "Mapping",
    "MissionConfig",
    "PermissionDenied",
    "Problem",
    "Settings",
    "StoreError",
    "SurveyDesign",
    "SurveyRound",
    "TrendFit",
    "ValidationReport",
    "__version__",
    "estimate",
    "allowed",
    "changes_between",
    "compare_rounds",
    "compute_indicators",
    "interrupted_time_series",
    "linear_trends",
    "load_catalogue",
    "load_mapping",
    "load_mission",
    "read_survey",
    "read_xlsform",
    "require",
    "stack_rounds",
    "standard_items",
    "suggest_mapping",
    "trend_model",
]
