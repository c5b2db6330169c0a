"""Reading a survey export that carries no weights, and weighting it from its sample plan.

Kobo and ODK exports carry no survey weights. A round collected under a sample plan is read with
the export's ``adults`` column (number of adults in the household, one of whom was interviewed) in
place of a weight column, then weighted by :func:`mande.weighting.weight_round`: base weights from
the plan, non-response adjustment, calibration to the mission's population margins.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from mande.weighting.plan import SamplePlan, read_plan
from mande.weighting.population import Population
from mande.weighting.weights import WeightingReport, weight_round

__all__ = ["DEFAULT_ADULTS", "read_survey_with_plan", "weigh_survey_round"]

#: The export's column with the number of adults in the household (the standard form's name).
DEFAULT_ADULTS = "hh_adults"


def _mapping_reading_adults(mapping: Any, form: Any, adults: str) -> Any:
    """The round's mapping, with the adults column read in the place of the weight column."""
    from mande.ingest.mapping import Mapping, load_mapping, mapping_from_dict, standard_mapping

    if mapping is None:
        m = standard_mapping(form)
    elif isinstance(mapping, Mapping):
        m = mapping
    elif isinstance(mapping, dict):
        m = mapping_from_dict(mapping)
    else:
        m = load_mapping(mapping)
    # the adults column is declared here, not guessed: its guess's confidence no longer applies
    confidence = {k: v for k, v in m.design_confidence.items() if k != "weight"}
    return replace(m, design={**m.design, "weight": adults}, design_confidence=confidence)


def read_survey_with_plan(
    path: str | Path,
    form: Any,
    plan: SamplePlan | str | Path,
    population: Population,
    mapping: Any = None,
    *,
    adults: str = DEFAULT_ADULTS,
    method: str = "raking",
    bounds: tuple[float, float] | None = None,
    margins: list[str] | None = None,
    **read_options: Any,
) -> tuple[Any, WeightingReport]:
    """Read an export without weights and weight it from its sample plan.

    Parameters
    ----------
    path, form, mapping, read_options:
        As :func:`mande.read_survey`. The export needs the stratum and PSU columns the mapping
        names, and the ``adults`` column.
    plan:
        The round's sample plan (a :class:`SamplePlan` or its file).
    population:
        The mission's population margins (``MissionConfig.population``).
    adults, method, bounds, margins:
        As :func:`mande.weighting.weight_round`.

    Returns
    -------
    (SurveyRound, WeightingReport)
        The round with ``weight_base``, ``weight_nr`` and the calibrated ``weight``, its design
        carrying the calibration, and the weighting report.

    Raises
    ------
    DataValidationError
        The export or the plan failed validation, or they do not match.
    """
    from mande.ingest.survey import read_survey
    from mande.ingest.xlsform import read_xlsform

    form_obj = read_xlsform(form, strict=False) if isinstance(form, str | Path) else form
    plan_obj = (
        plan
        if isinstance(plan, SamplePlan)
        else read_plan(plan, max_bytes=read_options.get("max_bytes"))
    )
    m = _mapping_reading_adults(mapping, form_obj, adults)
    rnd = read_survey(path, form_obj, m, **read_options)
    return weigh_survey_round(
        rnd, plan_obj, population, adults="weight", method=method, bounds=bounds, margins=margins
    )


def weigh_survey_round(
    rnd: Any,
    plan: SamplePlan,
    population: Population,
    *,
    adults: str = DEFAULT_ADULTS,
    method: str = "raking",
    bounds: tuple[float, float] | None = None,
    margins: list[str] | None = None,
) -> tuple[Any, WeightingReport]:
    """Weight a read round (``SurveyRound``) from its plan; see :func:`read_survey_with_plan`."""
    responses = rnd.responses
    if adults != DEFAULT_ADULTS:
        responses = responses.assign(**{DEFAULT_ADULTS: responses[adults]})
    result = weight_round(
        responses,
        plan.for_round(rnd.label),
        population,
        adults=DEFAULT_ADULTS,
        strata=rnd.design.strata or "stratum",
        psu=rnd.design.psu or "psu",
        method=method,
        bounds=bounds,
        margins=margins,
        lonely_psu=rnd.design.lonely_psu,
    )
    return replace(rnd, responses=result.data, design=result.design), result.report
