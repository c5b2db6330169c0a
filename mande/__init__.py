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
from mande.ingest.interviews import InterviewReport, Interviews, read_interviews
from mande.ingest.mapping import Mapping, load_mapping, suggest_mapping
from mande.ingest.survey import SurveyRound, read_survey
from mande.ingest.validate import ValidationReport
from mande.ingest.xlsform import Form, read_xlsform
from mande.partners.model import PartnerModelResult, partner_model
from mande.partners.quality import (
    interview_rqi,
    relationship_quality,
    select_quotes,
    theme_frequencies,
)
from mande.partners.rubric import Rubric, load_rubric
from mande.partners.template import write_interview_template
from mande.plan import (
    RoundPlan,
    allocate,
    expected_moe,
    inclusion_probabilities,
    plan_round,
    read_frame,
    sample_size,
    select_psus,
    write_field_list,
    write_plan,
)
from mande.report import (
    ReportData,
    ReportInputs,
    build_report_data,
    make_report,
    write_annex,
    write_narrative,
)
from mande.reporting import (
    ReportingPolicy,
    change_table,
    partner_figures,
    period_figures,
)
from mande.roles import allowed, require
from mande.stats.calibrate import CalibrationReport, CalibrationResult, calibrate, trim_weights
from mande.stats.change import changes_between, compare_rounds
from mande.stats.design import SurveyDesign
from mande.stats.estimate import estimate
from mande.stats.reliability import krippendorff_alpha, reliability_table
from mande.stats.trends import (
    TrendFit,
    interrupted_time_series,
    linear_trends,
    stack_rounds,
    trend_model,
)
from mande.store import Store, UploadResult
from mande.weighting import SamplePlan, read_plan, weight_round

__all__ = [
    "CalibrationReport",
    "CalibrationResult",
    "Catalogue",
    "ConfigError",
    "DataValidationError",
    "DefinitionError",
    "DesignError",
    "EstimationError",
    "Form",
    "Indicator",
    "InterviewReport",
    "Interviews",
    "MandeError",
    "Mapping",
    "MissionConfig",
    "PartnerModelResult",
    "PermissionDenied",
    "Problem",
    "ReportData",
    "ReportInputs",
    "ReportingPolicy",
    "RoundPlan",
    "Rubric",
    "SamplePlan",
    "Settings",
    "Store",
    "StoreError",
    "SurveyDesign",
    "SurveyRound",
    "TrendFit",
    "UploadResult",
    "ValidationReport",
    "__version__",
    "allocate",
    "allowed",
    "build_report_data",
    "calibrate",
    "change_table",
    "changes_between",
    "compare_rounds",
    "compute_indicators",
    "estimate",
    "expected_moe",
    "inclusion_probabilities",
    "interrupted_time_series",
    "interview_rqi",
    "krippendorff_alpha",
    "linear_trends",
    "load_catalogue",
    "load_mapping",
    "load_mission",
    "load_rubric",
    "make_report",
    "partner_figures",
    "partner_model",
    "period_figures",
    "plan_round",
    "read_frame",
    "read_interviews",
    "read_plan",
    "read_survey",
    "read_xlsform",
    "relationship_quality",
    "reliability_table",
    "require",
    "sample_size",
    "select_psus",
    "select_quotes",
    "stack_rounds",
    "standard_items",
    "suggest_mapping",
    "theme_frequencies",
    "trend_model",
    "trim_weights",
    "weight_round",
    "write_annex",
    "write_field_list",
    "write_interview_template",
    "write_narrative",
    "write_plan",
]
