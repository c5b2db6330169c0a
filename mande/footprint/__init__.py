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
