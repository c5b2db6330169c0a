"""mande: monitoring and evaluation for UN peace operations.

The public API is listed in ``__all__``; everything else is private and may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from mande._lazy import lazy_module

if TYPE_CHECKING:
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

# Public name -> the module that defines it; loaded on first use (PEP 562). One name per line, sorted.
_LAZY: dict[str, str] = {
    "CalibrationReport": "mande.stats.calibrate",
    "CalibrationResult": "mande.stats.calibrate",
    "Catalogue": "mande.indicators.catalogue",
    "ConfigError": "mande.errors",
    "DataValidationError": "mande.errors",
    "DefinitionError": "mande.errors",
    "DesignError": "mande.errors",
    "EstimationError": "mande.errors",
    "Form": "mande.ingest.xlsform",
    "Indicator": "mande.indicators.catalogue",
    "InterviewReport": "mande.ingest.interviews",
    "Interviews": "mande.ingest.interviews",
    "MandeError": "mande.errors",
    "Mapping": "mande.ingest.mapping",
    "MissionConfig": "mande.config",
    "PartnerModelResult": "mande.partners.model",
    "PermissionDenied": "mande.errors",
    "Problem": "mande.errors",
    "ReportData": "mande.report",
    "ReportInputs": "mande.report",
    "ReportingPolicy": "mande.reporting",
    "RoundPlan": "mande.plan",
    "Rubric": "mande.partners.rubric",
    "SamplePlan": "mande.weighting",
    "Settings": "mande.config",
    "Store": "mande.store",
    "StoreError": "mande.errors",
    "SurveyDesign": "mande.stats.design",
    "SurveyRound": "mande.ingest.survey",
    "TrendFit": "mande.stats.trends",
    "UploadResult": "mande.store",
    "ValidationReport": "mande.ingest.validate",
    "allocate": "mande.plan",
    "allowed": "mande.roles",
    "build_report_data": "mande.report",
    "calibrate": "mande.stats.calibrate",
    "change_table": "mande.reporting",
    "changes_between": "mande.stats.change",
    "compare_rounds": "mande.stats.change",
    "compute_indicators": "mande.indicators.compute",
    "estimate": "mande.stats.estimate",
    "expected_moe": "mande.plan",
    "inclusion_probabilities": "mande.plan",
    "interrupted_time_series": "mande.stats.trends",
    "interview_rqi": "mande.partners.quality",
    "krippendorff_alpha": "mande.stats.reliability",
    "linear_trends": "mande.stats.trends",
    "load_catalogue": "mande.indicators.catalogue",
    "load_mapping": "mande.ingest.mapping",
    "load_mission": "mande.config",
    "load_rubric": "mande.partners.rubric",
    "make_report": "mande.report",
    "partner_figures": "mande.reporting",
    "partner_model": "mande.partners.model",
    "period_figures": "mande.reporting",
    "plan_round": "mande.plan",
    "read_frame": "mande.plan",
    "read_interviews": "mande.ingest.interviews",
    "read_plan": "mande.weighting",
    "read_survey": "mande.ingest.survey",
    "read_xlsform": "mande.ingest.xlsform",
    "relationship_quality": "mande.partners.quality",
    "reliability_table": "mande.stats.reliability",
    "require": "mande.roles",
    "sample_size": "mande.plan",
    "select_psus": "mande.plan",
    "select_quotes": "mande.partners.quality",
    "stack_rounds": "mande.stats.trends",
    "standard_items": "mande.indicators.items",
    "suggest_mapping": "mande.ingest.mapping",
    "theme_frequencies": "mande.partners.quality",
    "trend_model": "mande.stats.trends",
    "trim_weights": "mande.stats.calibrate",
    "weight_round": "mande.weighting",
    "write_annex": "mande.report",
    "write_field_list": "mande.plan",
    "write_interview_template": "mande.partners.template",
    "write_narrative": "mande.report",
    "write_plan": "mande.plan",
}

__getattr__, __dir__ = lazy_module(__name__, _LAZY, globals())

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
