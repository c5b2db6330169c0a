"""Hand-made geography of Valdoria, the sample mission's invented country.

Six regions tile a rough rectangle between 15 and 25 degrees east and 3 and 10 degrees north, in
two rows of three. Neighbouring regions share their border vertices exactly, so the polygons are
adjacent and do not overlap. Rings are closed and counter-clockwise (RFC 7946).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from mande.config import MissionConfig
from mande.errors import ConfigError

__all__ = ["REGION_RINGS", "points_in_ring", "region_geojson", "write_regions_geojson"]

# Shared vertices (lon, lat). South edge a-d, middle line e-h, north edge i-l, plus border bends.
_V: dict[str, tuple[float, float]] = {
    "a": (15.0, 3.5),
    "b": (18.0, 3.2),
    "c": (21.0, 4.0),
    "d": (24.5, 4.8),
    "e": (15.3, 6.5),
    "f": (18.2, 6.2),
    "g": (21.3, 6.8),
    "h": (25.0, 7.2),
    "i": (15.8, 9.5),
    "j": (18.5, 9.8),
    "k": (21.5, 9.6),
    "l": (24.0, 9.9),
    "ab": (16.6, 3.0),  # south coast bends
    "cd": (22.8, 4.1),
    "ef": (16.8, 6.0),  # middle-line bends
    "fg": (19.8, 6.9),
    "gh": (23.0, 6.6),
    "bf": (17.6, 4.8),  # north-south borders
    "cg": (21.6, 5.3),
    "fj": (18.9, 8.0),
    "gk": (20.9, 8.2),
    "ij": (17.2, 10.0),  # north edge bends
    "kl": (22.8, 10.2),
    "ei": (15.2, 8.0),  # west edge
    "dh": (25.3, 6.0),  # east edge
}

# Counter-clockwise rings, by vertex name (first vertex not repeated here).
_RINGS: dict[str, tuple[str, ...]] = {
    "VD01": ("a", "ab", "b", "bf", "f", "ef", "e"),  # Bangora (capital), south-west
    "VD03": ("b", "c", "cg", "g", "fg", "f", "bf"),  # Mbali, south-centre
    "VD06": ("c", "cd", "d", "dh", "h", "gh", "g", "cg"),  # Kodjari, south-east
    "VD05": ("e", "ef", "f", "fj", "j", "ij", "i", "ei"),  # Ouassa, north-west
    "VD02": ("f", "fg", "g", "gk", "k", "j", "fj"),  # Upper Kessi, north-centre
    "VD04": ("g", "gh", "h", "l", "kl", "k", "gk"),  # Lake Tora, north-east
}

REGION_RINGS: dict[str, np.ndarray] = {
    pcode: np.array([_V[v] for v in (*names, names[0])], dtype=float)
    for pcode, names in _RINGS.items()
}
"""Each region's closed ring as an (n, 2) array of (lon, lat)."""


def points_in_ring(lon: np.ndarray, lat: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Whether each point lies inside a closed ring (even-odd ray casting), as a boolean array."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    inside = np.zeros(lon.shape, dtype=bool)
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        crosses = (y1 > lat) != (y2 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (lon < x_at)
    return inside


def _check_mission(mission: MissionConfig) -> None:
    pcodes = [r.pcode for r in mission.regions]
    if sorted(pcodes) != sorted(REGION_RINGS):
        raise ConfigError(
            f"the sample-mission generator draws the regions {sorted(REGION_RINGS)}, but the mission "
            f"configuration has {sorted(pcodes)}; generate from the sample mission's mission.yaml"
        )


def region_geojson(mission: MissionConfig) -> dict[str, object]:
    """The six regions as a GeoJSON FeatureCollection with ``pcode``, ``name_en``, ``name_fr``."""
    _check_mission(mission)
    features = []
    for region in mission.regions:
        ring = REGION_RINGS[region.pcode]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "pcode": region.pcode,
                    "name_en": region.label("en"),
                    "name_fr": region.label("fr"),
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[float(x), float(y)] for x, y in ring]],
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "name": f"{mission.code} regions (admin 1)",
        "features": features,
    }


def write_regions_geojson(path: Path, mission: MissionConfig) -> Path:
    """Write :func:`region_geojson` to ``path`` (UTF-8, stable formatting)."""
    text = json.dumps(region_geojson(mission), ensure_ascii=False, indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path
