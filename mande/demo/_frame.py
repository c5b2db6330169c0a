"""The sampling frame of the sample mission: named villages and quartiers with household counts.

The frame is fixed by the seed (``default_rng([seed, 0])``): every round draws its PSUs from the
same villages. Each village carries persistent random effects (one per domain of the population
model), so that a village that feels unsafe in one round tends to feel unsafe in the next.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mande.config import MissionConfig
from mande.demo._geo import REGION_RINGS, points_in_ring
from mande.demo._names import place_names

__all__ = ["DOMAINS", "FRAME_SIZES", "build_frame"]

# Villages (PSUs) in the frame, per region.
FRAME_SIZES = {"VD01": 110, "VD02": 220, "VD03": 240, "VD04": 210, "VD05": 230, "VD06": 190}
# Share of the frame's villages that are displacement sites (most of their households displaced).
IDP_SITE_SHARE = {
    "VD01": 0.03,
    "VD02": 0.12,
    "VD03": 0.15,
    "VD04": 0.12,
    "VD05": 0.08,
    "VD06": 0.05,
}
# Share of villages that are urban quartiers (VD01, the capital: its first admin 2 all urban, 15 %
# of the rest; the VD01 entry is not used).
URBAN_SHARE = {"VD01": 0.55, "VD02": 0.12, "VD03": 0.10, "VD04": 0.12, "VD05": 0.15, "VD06": 0.08}
DOMAINS = ("security", "victim", "inclusion", "state", "services", "mission")
MAX_PSUS = 45  # the largest number of PSUs a round draws in a region (caps village sizes)


def _points_inside(
    rng: np.random.Generator, ring: np.ndarray, n: int, margin: float = 0.08
) -> np.ndarray:
    """``n`` random points inside a ring, at least ``margin`` degrees from its border."""
    lo, hi = ring.min(axis=0), ring.max(axis=0)
    out = np.empty((0, 2))
    while len(out) < n:
        cand = rng.uniform(lo, hi, size=(4 * n, 2))
        ok = points_in_ring(cand[:, 0], cand[:, 1], ring)
        for dx, dy in ((margin, 0), (-margin, 0), (0, margin), (0, -margin)):
            ok &= points_in_ring(cand[:, 0] + dx, cand[:, 1] + dy, ring)
        out = np.vstack([out, cand[ok]])
    return out[:n]


def build_frame(mission: MissionConfig, seed: int) -> pd.DataFrame:
    """The village frame: one row per village or quartier.

    Columns: ``region``, ``admin2``, ``cluster_id`` (``VD0301-014``), ``village`` (its name),
    ``urban`` (bool), ``households`` (listed at the last census), ``idp_share`` and ``ret_share``
    (shares of displaced and returnee households), ``lon``, ``lat`` (the village centre), and
    ``re_<domain>`` (the village's persistent random effect, standard normal, per domain).
    """
    rng = np.random.default_rng([seed, 0])
    taken: set[str] = set()
    parts = []
    for region in mission.regions:
        r = region.pcode
        n = FRAME_SIZES[r]
        pts = _points_inside(rng, REGION_RINGS[r], n)
        pts = pts[np.argsort(pts[:, 0], kind="stable")]  # west to east: admin 2 by longitude
        admin2_codes = [code for code, _ in region.admin2]
        a2 = np.array(admin2_codes)[np.minimum(np.arange(n) * len(admin2_codes) // n, 2)]
        if r == "VD01":  # the capital: its first admin 2 is the city, all quartiers urban
            urban = (a2 == admin2_codes[0]) | (rng.random(n) < 0.15)
        else:
            urban = rng.random(n) < URBAN_SHARE[r]
        households = np.where(
            urban,
            rng.lognormal(np.log(480), 0.45, n),
            rng.lognormal(np.log(135), 0.55, n),
        )
        households = np.maximum(households, 30)
        for _ in range(5):  # no village so large that PPS would select it with certainty
            cap = 0.9 * households.sum() / MAX_PSUS
            households = np.minimum(households, cap)
        households = np.round(households).astype(int)
        idp_site = rng.random(n) < IDP_SITE_SHARE[r]
        idp_share = np.where(idp_site, rng.uniform(0.5, 0.9, n), rng.beta(1.2, 14, n))
        ret_share = np.where(idp_site, 0.02, rng.beta(1.0, 18, n))
        names = place_names(rng, n, taken)
        names = [f"Quartier {nm}" if u else nm for nm, u in zip(names, urban, strict=True)]
        serial = pd.Series(a2).groupby(a2).cumcount().to_numpy() + 1
        frame = pd.DataFrame(
            {
                "region": r,
                "admin2": a2,
                "cluster_id": [f"{a}-{s:03d}" for a, s in zip(a2, serial, strict=True)],
                "village": names,
                "urban": urban,
                "households": households,
                "idp_share": idp_share.round(3),
                "ret_share": ret_share.round(3),
                "lon": pts[:, 0].round(5),
                "lat": pts[:, 1].round(5),
            }
        )
        for d in DOMAINS:
            frame[f"re_{d}"] = rng.standard_normal(n)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)
