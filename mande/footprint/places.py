"""Placing points in the mission's admin areas (point in polygon) and measuring distances.

The areas are the polygons of the mission's boundaries (``regions.geojson``, property ``pcode``),
read with shapely; nothing is fetched from a map service, so this works on an isolated network.

Distances are great-circle distances (haversine, Earth radius 6,371.0088 km) between a point and
the nearest point of an area's polygon, found in longitude-latitude with the longitude scaled by the
cosine of the latitude (an equirectangular projection; error well under 1 % at the scale of a
mission's regions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, Problem

__all__ = ["EARTH_RADIUS_KM", "Areas", "haversine_km"]

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Great-circle distance in km between points given in decimal degrees (arrays broadcast).

    Notes
    -----
    :math:`d = 2R \\arcsin\\sqrt{\\sin^2(\\Delta\\phi/2) + \\cos\\phi_1\\cos\\phi_2\\sin^2(\\Delta\\lambda/2)}`
    with the mean Earth radius :math:`R` = 6,371.0088 km (IUGG).
    """
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1))))


@dataclass(frozen=True)
class Areas:
    """The mission's admin areas as shapely polygons, by p-code."""

    pcodes: tuple[str, ...]
    shapes: tuple[Any, ...]  # shapely geometries, same order

    @classmethod
    def from_geojson(cls, geojson: Mapping[str, Any], key: str = "pcode") -> Areas:
        """Read a GeoJSON FeatureCollection whose features carry ``properties[key]``.

        Raises
        ------
        DataValidationError
            A feature without the key, with an invalid geometry, or the same p-code twice.
        """
        from shapely.geometry import shape
        from shapely.validation import explain_validity

        problems: list[Problem] = []
        pcodes: list[str] = []
        shapes: list[Any] = []
        for i, feature in enumerate(geojson.get("features") or []):
            code = (feature.get("properties") or {}).get(key)
            if code in (None, ""):
                problems.append(
                    Problem(f"feature {i} has no '{key}' property", code="missing_pcode")
                )
                continue
            try:
                geom = shape(feature.get("geometry") or {})
            except Exception as exc:  # shapely raises several kinds on bad coordinates
                problems.append(
                    Problem(f"area {code}: geometry cannot be read ({exc})", code="bad_geometry")
                )
                continue
            if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
                problems.append(
                    Problem(
                        f"area {code}: a {geom.geom_type} is not a polygon", code="bad_geometry"
                    )
                )
                continue
            if not geom.is_valid:
                problems.append(
                    Problem(
                        f"area {code}: invalid polygon ({explain_validity(geom)}); fix it in a GIS",
                        code="bad_geometry",
                    )
                )
                continue
            if str(code) in pcodes:
                problems.append(Problem(f"area {code} appears twice", code="duplicate_pcode"))
                continue
            pcodes.append(str(code))
            shapes.append(geom)
        if problems or not pcodes:
            raise DataValidationError(
                "the boundaries cannot be used to place points"
                + ("" if pcodes else ": no polygon with a p-code"),
                problems,
            )
        return cls(tuple(pcodes), tuple(shapes))

    def locate(
        self, longitude: Sequence[float] | np.ndarray, latitude: Sequence[float] | np.ndarray
    ) -> np.ndarray:
        """The p-code of the area holding each point ('' outside every area or when missing).

        A point on a border shared by two areas goes to the first area in the file's order.
        """
        import shapely

        lon = np.asarray(longitude, dtype=float)
        lat = np.asarray(latitude, dtype=float)
        out = np.full(len(lon), "", dtype=object)
        ok = ~(np.isnan(lon) | np.isnan(lat))
        pts = shapely.points(lon[ok], lat[ok])
        found = np.full(ok.sum(), "", dtype=object)
        for code, geom in zip(self.pcodes, self.shapes, strict=True):
            shapely.prepare(geom)
            hit = shapely.covers(geom, pts) & (found == "")
            found[hit] = code
        out[ok] = found
        return out

    def distance_km(self, pcode: str, longitude: Any, latitude: Any) -> np.ndarray:
        """Distance (km) from each point to the nearest point of area ``pcode`` (0 inside it)."""
        import shapely
        from shapely import affinity

        geom = self.shapes[self.pcodes.index(pcode)]
        lon = np.asarray(longitude, dtype=float)
        lat = np.asarray(latitude, dtype=float)
        if lon.size == 0:
            return np.zeros(0)
        # nearest point in a locally equirectangular plane, then the haversine distance to it
        c = float(np.cos(np.radians(geom.centroid.y)))
        scaled = affinity.scale(geom, xfact=c, yfact=1.0, origin=(0, 0))
        pts = shapely.points(lon * c, lat)
        near = shapely.shortest_line(scaled, pts)
        start = shapely.get_coordinates(shapely.get_point(near, 0))
        inside = shapely.covers(scaled, pts)
        d = haversine_km(start[:, 0] / c, start[:, 1], lon, lat)
        return np.where(inside, 0.0, d)

    def representative_points(self) -> pd.DataFrame:
        """A point inside each area (for labels): ``pcode``, ``longitude``, ``latitude``."""
        pts = [g.representative_point() for g in self.shapes]
        return pd.DataFrame(
            {
                "pcode": list(self.pcodes),
                "longitude": [p.x for p in pts],
                "latitude": [p.y for p in pts],
            }
        )
