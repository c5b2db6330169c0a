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
from mande.indicators.items import standard_items
from mande.roles import allowed, require
from mande.stats.design import SurveyDesign

__all__ = [
    "ConfigError",
    "DataValidationError",
    "DefinitionError",
    "DesignError",
    "EstimationError",
    "MandeError",
    "MissionConfig",
    "PermissionDenied",
    "Problem",
    "Settings",
    "StoreError",
    "SurveyDesign",
    "__version__",
    "allowed",
    "load_mission",
    "require",
    "standard_items",
]
