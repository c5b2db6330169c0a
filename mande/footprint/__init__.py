"""The mission's footprint joined to perceptions: where peacekeepers go and how people respond.

- :mod:`mande.footprint.data`: reading deployments, the activity log and Geo-PKO location-years;
- :mod:`mande.footprint.places`: admin areas from the mission's boundaries, point in polygon,
  distances;
- :mod:`mande.footprint.exposure`: exposure per admin area and survey round;
- :mod:`mande.footprint.analysis`: perceptions against exposure with design-based models, the
  duration-of-presence curve, exposed against not exposed areas, sentences and caveats;
- :mod:`mande.footprint.plots`: the footprint map and the duration curve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mande._lazy import lazy_module

if TYPE_CHECKING:
    from mande.footprint.analysis import (
        Effect,
        FootprintAnalysis,
        footprint_analysis,
        join_exposure,
        population_from_weights,
        score_indicator,
    )
    from mande.footprint.data import (
        ACTIVITY_TYPES,
        DEPLOYMENT_TYPES,
        Activities,
        Deployments,
        FootprintReport,
        read_activities,
        read_deployments,
        read_geopko,
    )
    from mande.footprint.exposure import EXPOSURE_COLUMNS, exposure, place_deployments, region_of
    from mande.footprint.places import Areas, haversine_km

# Public name -> the module that defines it; loaded on first use (PEP 562), so that the command
# line can register this package's commands without importing pandas. One name per line, sorted.
_LAZY: dict[str, str] = {
    "ACTIVITY_TYPES": "mande.footprint.data",
    "Activities": "mande.footprint.data",
    "Areas": "mande.footprint.places",
    "DEPLOYMENT_TYPES": "mande.footprint.data",
    "Deployments": "mande.footprint.data",
    "EXPOSURE_COLUMNS": "mande.footprint.exposure",
    "Effect": "mande.footprint.analysis",
    "FootprintAnalysis": "mande.footprint.analysis",
    "FootprintReport": "mande.footprint.data",
    "exposure": "mande.footprint.exposure",
    "footprint_analysis": "mande.footprint.analysis",
    "haversine_km": "mande.footprint.places",
    "join_exposure": "mande.footprint.analysis",
    "place_deployments": "mande.footprint.exposure",
    "population_from_weights": "mande.footprint.analysis",
    "read_activities": "mande.footprint.data",
    "read_deployments": "mande.footprint.data",
    "read_geopko": "mande.footprint.data",
    "region_of": "mande.footprint.exposure",
    "score_indicator": "mande.footprint.analysis",
}

__getattr__, __dir__ = lazy_module(__name__, _LAZY, globals())

__all__ = [
    "ACTIVITY_TYPES",
    "DEPLOYMENT_TYPES",
    "EXPOSURE_COLUMNS",
    "Activities",
    "Areas",
    "Deployments",
    "Effect",
    "FootprintAnalysis",
    "FootprintReport",
    "exposure",
    "footprint_analysis",
    "haversine_km",
    "join_exposure",
    "place_deployments",
    "population_from_weights",
    "read_activities",
    "read_deployments",
    "read_geopko",
    "region_of",
    "score_indicator",
]
