"""Exposure to the mission per admin area and survey round: where the bases were and what was done.

:func:`place_deployments` puts each site in an admin area (point in polygon; a site given by p-code
only goes to that p-code's area). :func:`exposure` then measures, for every area and round:

``base_present``
    1 when a base of the mission was open in the area at some time in the ``window_months``
    before fieldwork began (``[start - window, start)``), else 0.
``n_bases``
    Sites open in the area at the round's mid-fieldwork date.
``months_present``, ``years_present``
    Months (years) from the first opening of a site in the area to the round's mid-fieldwork date;
    0 where the mission never had a site there (or only after that date).
``troop_months``
    Sum over the area's sites of troops times the months each was open within the window
    (personnel-months of presence just before fieldwork).
``patrols``, ``meetings``, ``qips``, ``partner_types_met``
    Activities logged in the area within the window (an admin 2 p-code counts for its region); the
    number of distinct partner types met in meetings.
``population``, ``patrols_per_1000``, ``meetings_per_1000``
    Patrols and meetings per 1,000 inhabitants, when the area's population is given.
``distance_km``
    Great-circle distance from the area to the nearest site open at mid-fieldwork (0 when the area
    holds one; NaN when none is open anywhere).

A month is 30.4375 days (a 365.25-day year over 12).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, Problem
from mande.footprint.places import Areas

if TYPE_CHECKING:
    from mande.config import MissionConfig

__all__ = ["DAYS_PER_MONTH", "EXPOSURE_COLUMNS", "exposure", "place_deployments", "region_of"]

DAYS_PER_MONTH = 30.4375
EXPOSURE_COLUMNS = (
    "round", "pcode", "reference_date", "window_start", "base_present", "n_bases",
    "months_present", "years_present", "troop_months", "patrols", "meetings", "qips",
    "partner_types_met", "population", "patrols_per_1000", "meetings_per_1000", "distance_km",
)  # fmt: skip


def region_of(mission: MissionConfig | None) -> dict[str, str]:
    """Admin p-code (admin 1 or admin 2) -> its admin 1 p-code, from the mission's regions."""
    out: dict[str, str] = {}
    for r in getattr(mission, "regions", ()) or ():
        out[r.pcode] = r.pcode
        for code, _ in r.admin2:
            out[code] = r.pcode
    return out


def _as_date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _months(a: dt.date, b: dt.date) -> float:
    return (b - a).days / DAYS_PER_MONTH


def _minus_months(day: dt.date, months: float) -> dt.date:
    return day - dt.timedelta(days=round(months * DAYS_PER_MONTH))


def place_deployments(
    deployments: pd.DataFrame, areas: Areas, mission: MissionConfig | None = None
) -> pd.DataFrame:
    """Each deployment with its ``area`` (the p-code of the polygon holding it, '' outside).

    Sites given by coordinates are placed by point in polygon; sites given only by a p-code take
    that p-code's area (an admin 2 p-code its region) and the area's representative point as
    coordinates (``located_by`` says which). A site whose coordinates fall in another area than its
    own p-code says is placed by its coordinates and flagged in ``pcode_mismatch``.
    """
    frame = deployments.copy()
    regions = region_of(mission)
    lon = pd.to_numeric(frame["longitude"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(frame["latitude"], errors="coerce").to_numpy(dtype=float)
    located = areas.locate(lon, lat)
    given = frame.get("pcode", pd.Series("", index=frame.index)).fillna("").astype(str)
    given_area = given.map(lambda c: regions.get(c, c))
    reps = areas.representative_points().set_index("pcode")
    by_coords = ~(np.isnan(lon) | np.isnan(lat))
    area = np.where(by_coords, located, given_area.to_numpy())
    unknown = [c for c in set(given_area[~by_coords]) if c and c not in areas.pcodes]
    if unknown:
        raise DataValidationError(
            f"deployment p-code(s) {sorted(unknown)} are not areas of the boundaries "
            f"({', '.join(areas.pcodes)}); give coordinates or an area's p-code",
            [Problem(f"p-code {c!r} is not an area", code="unknown_pcode") for c in unknown],
        )
    for i in np.flatnonzero(~by_coords):
        lon[i], lat[i] = reps.loc[area[i], ["longitude", "latitude"]]
    frame["area"] = area
    frame["longitude"], frame["latitude"] = lon, lat
    frame["located_by"] = np.where(by_coords, "coordinates", "pcode")
    frame["pcode_mismatch"] = (
        by_coords & (given_area.to_numpy() != "") & (given_area.to_numpy() != area)
    )
    return frame


def exposure(
    deployments: pd.DataFrame,
    rounds: pd.DataFrame,
    areas: Areas,
    *,
    activities: pd.DataFrame | None = None,
    mission: MissionConfig | None = None,
    population: Mapping[str, float] | pd.DataFrame | None = None,
    window_months: float = 3.0,
) -> pd.DataFrame:
    """The mission's footprint per admin area and survey round (see the module's description).

    Parameters
    ----------
    deployments:
        :attr:`Deployments.frame` (``site``, ``latitude``, ``longitude``, ``pcode``, ``start``,
        ``end``, ``troops``, ...), placed or not (:func:`place_deployments` is applied when the
        frame has no ``area`` column).
    rounds:
        One row per round: ``round``, ``fieldwork_start``, ``fieldwork_end`` (as
        :meth:`mande.store.Store.rounds` gives).
    areas:
        The admin areas (:meth:`Areas.from_geojson` of the mission's boundaries).
    activities:
        :attr:`Activities.frame` (``date``, ``pcode``, ``type``, ``partner_types``, ``count``).
    mission:
        Maps admin 2 p-codes to their regions.
    population:
        Inhabitants per area (p-code -> number), or a frame ``round``, ``pcode``, ``population``;
        the rates per 1,000 are NaN without it.
    window_months:
        The months before fieldwork that count as "recent" presence and activity.

    Returns
    -------
    DataFrame
        One row per round and area, the columns of :data:`EXPOSURE_COLUMNS`.
    """
    for name in ("round", "fieldwork_start", "fieldwork_end"):
        if name not in rounds.columns:
            raise DataValidationError(
                f"rounds need a column {name!r} (round, fieldwork_start, fieldwork_end); "
                f"columns present: {', '.join(map(str, rounds.columns))}",
                [Problem(f"column {name!r} missing", code="missing_column", column=name)],
            )
    placed = (
        deployments
        if "area" in deployments.columns
        else place_deployments(deployments, areas, mission)
    )
    regions = region_of(mission)
    starts = [_as_date(v) for v in placed["start"]]
    ends = [_as_date(v) for v in placed["end"]]
    troops = (
        pd.to_numeric(placed["troops"], errors="coerce").fillna(0).to_numpy(dtype=float)
        if "troops" in placed.columns
        else np.zeros(len(placed))
    )
    site_area = placed["area"].astype(str).to_numpy()
    acts = (
        activities.copy()
        if activities is not None
        else pd.DataFrame(columns=["date", "pcode", "type", "partner_types", "count"])
    )
    acts["area"] = acts["pcode"].astype(str).map(lambda c: regions.get(c, c))
    acts["day"] = [_as_date(v) for v in acts["date"]]
    rows: list[dict[str, Any]] = []
    for rec in rounds.to_dict("records"):
        f0, f1 = _as_date(rec["fieldwork_start"]), _as_date(rec["fieldwork_end"])
        if f0 is None or f1 is None:
            raise DataValidationError(
                f"round {rec['round']!r} has no fieldwork dates; exposure is measured before "
                "fieldwork",
                [Problem("fieldwork dates missing", code="missing_value", value=str(rec["round"]))],
            )
        mid = f0 + (f1 - f0) / 2
        w0 = _minus_months(f0, window_months)
        open_mid = np.array(
            [
                s is not None and s <= mid and (e is None or e >= mid)
                for s, e in zip(starts, ends, strict=True)
            ]
        )
        in_window = np.array(
            [
                s is not None and s < f0 and (e is None or e >= w0)
                for s, e in zip(starts, ends, strict=True)
            ]
        )
        overlap = np.array(
            [
                0.0 if s is None else max(_months(max(s, w0), min(e or f0, f0)), 0.0)
                for s, e in zip(starts, ends, strict=True)
            ]
        )
        amask = np.array([d is not None and w0 <= d < f0 for d in acts["day"]], dtype=bool)
        recent = acts[amask]
        for pcode in areas.pcodes:
            here = site_area == pcode
            first = [
                s for s, h in zip(starts, here, strict=True) if h and s is not None and s <= mid
            ]
            months = _months(min(first), mid) if first else 0.0
            mine = recent[recent["area"] == pcode]
            counts = mine.groupby("type")["count"].sum() if len(mine) else pd.Series(dtype=float)
            met = {
                p
                for s in mine.loc[mine["type"] == "meeting", "partner_types"].astype(str)
                for p in s.split()
            }
            if open_mid.any():
                dist = areas.distance_km(
                    pcode,
                    placed["longitude"].to_numpy(dtype=float)[open_mid],
                    placed["latitude"].to_numpy(dtype=float)[open_mid],
                )
                distance = float(np.min(dist))
            else:
                distance = np.nan
            rows.append(
                {
                    "round": rec["round"], "pcode": pcode, "reference_date": mid,
                    "window_start": w0, "base_present": int((here & in_window).any()),
                    "n_bases": int((here & open_mid).sum()), "months_present": months,
                    "years_present": months / 12, "troop_months": float(
                        np.sum(troops[here] * overlap[here])
                    ),
                    "patrols": int(counts.get("patrol", 0)),
                    "meetings": int(counts.get("meeting", 0)),
                    "qips": int(counts.get("qip", 0)), "partner_types_met": len(met),
                    "population": _population(population, rec["round"], pcode),
                    "distance_km": distance,
                }
            )  # fmt: skip
    out = pd.DataFrame(rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["patrols_per_1000"] = out["patrols"] / out["population"] * 1000
        out["meetings_per_1000"] = out["meetings"] / out["population"] * 1000
    return out[list(EXPOSURE_COLUMNS)]


def _population(
    population: Mapping[str, float] | pd.DataFrame | None, round_label: Any, pcode: str
) -> float:
    if population is None:
        return float("nan")
    if isinstance(population, pd.DataFrame):
        sel = population[
            (population["pcode"].astype(str) == pcode)
            & (population["round"].astype(str) == str(round_label))
        ]
        return float(sel["population"].iloc[0]) if len(sel) else float("nan")
    value = population.get(pcode)
    return float(value) if value is not None else float("nan")
