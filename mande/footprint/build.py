"""The footprint analysis from the store: the one place the dashboard's page and the annex call.

:func:`load_footprint` gathers what is stored (the current deployments and activity logs, the
mission's boundaries, the rounds and their respondents) and measures the exposure;
:func:`analyse_footprint` runs :func:`mande.footprint.footprint_analysis` for one indicator;
:func:`area_layer` gives the map's values for one round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from mande.errors import EstimationError
from mande.footprint.analysis import FootprintAnalysis, footprint_analysis, population_from_weights
from mande.footprint.exposure import exposure, place_deployments
from mande.footprint.places import Areas
from mande.stats.design import SurveyDesign

__all__ = [
    "ACCEPTANCE",
    "FootprintInputs",
    "analyse_footprint",
    "area_layer",
    "load_footprint",
]

ACCEPTANCE = "MIS-02"
"""The catalogue measure read as acceptance of the mission: favourable to the mission staying."""
WINDOW_MONTHS = 3.0


@dataclass(frozen=True)
class FootprintInputs:
    """Everything the footprint analysis reads, gathered once."""

    geojson: dict[str, Any]
    areas: Areas
    sites: pd.DataFrame  # placed deployments
    activities: pd.DataFrame
    rounds: pd.DataFrame
    responses: pd.DataFrame  # every round stacked, ``round`` = the round's label
    design: SurveyDesign
    exposure: pd.DataFrame
    names: dict[str, dict[str, str]]  # lang -> pcode -> region name


def load_footprint(store: Any, *, window_months: float = WINDOW_MONTHS) -> FootprintInputs | None:
    """The stored footprint joined to the stored rounds, or None when something is missing
    (no deployments, no boundaries or no survey round)."""
    mission = store.mission()
    geojson = store.boundaries()
    deployments = store.footprint("deployments")
    rounds = store.rounds()
    if mission is None or not geojson or deployments.empty or rounds.empty:
        return None
    activities = store.footprint("activities")
    areas = Areas.from_geojson(geojson)
    sites = place_deployments(deployments, areas, mission)
    frames, designs = [], []
    for label in rounds["round"]:
        frame = store.responses(label).copy()
        frame["round"] = label
        frames.append(frame)
        designs.append(store.design(label))
    design = designs[0]
    if any(
        (d.weight, d.strata, d.psu) != (design.weight, design.strata, design.psu) for d in designs
    ):
        raise EstimationError(
            "the rounds' designs name different columns "
            f"({sorted({(d.weight, d.strata, d.psu) for d in designs}, key=str)}); the footprint "
            "models stack the rounds and need the same weight, strata and PSU columns"
        )
    responses = pd.concat(frames, ignore_index=True)
    population = population_from_weights(responses, design)
    ex = exposure(
        sites, rounds, areas, activities=activities if not activities.empty else None,
        mission=mission, population=population, window_months=window_months,
    )  # fmt: skip
    names = {lg: {r.pcode: r.label(lg) for r in mission.regions} for lg in ("en", "fr")}
    return FootprintInputs(geojson, areas, sites, activities, rounds, responses, design, ex, names)


def analyse_footprint(
    inputs: FootprintInputs, indicator: str, catalogue: Any, *, level: float = 0.95
) -> FootprintAnalysis:
    """:func:`mande.footprint.footprint_analysis` of one catalogue measure on the stored rounds."""
    return footprint_analysis(
        inputs.responses, inputs.design, inputs.exposure, indicator, catalogue, level=level,
        window_months=WINDOW_MONTHS,
    )  # fmt: skip


def area_layer(
    inputs: FootprintInputs, indicator: str, catalogue: Any, round_label: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The map of one round: per area its exposure and the indicator's estimate (``perception``,
    :func:`mande.estimate` by region, domains on the full design); and the sites open at the
    round's mid-fieldwork."""
    from mande.footprint.analysis import score_indicator
    from mande.stats.estimate import estimate

    sel = inputs.responses[inputs.responses["round"] == round_label].copy()
    ex = inputs.exposure[inputs.exposure["round"] == round_label].copy()
    if sel.empty or ex.empty:
        raise EstimationError(f"round {round_label!r} is not among the stored rounds")
    score, measure = score_indicator(sel, catalogue, indicator)
    sel["_y"] = score.to_numpy()
    kind = "proportion" if measure.indicator.kind == "proportion" else "mean"
    est = estimate(sel, inputs.design, "_y", kind=kind, by="region")
    est = est.rename(columns={"region": "pcode", "estimate": "perception"})
    if "suppressed" in est.columns:
        est["perception"] = est["perception"].where(~est["suppressed"].astype(bool))
    layer = ex.merge(est[["pcode", "perception", "ci_low", "ci_high", "n"]], on="pcode", how="left")
    mid = ex["reference_date"].iloc[0]
    s = inputs.sites
    open_ = s[(s["start"] <= mid) & s["end"].map(lambda e: e is None or e >= mid)]
    return layer, open_
