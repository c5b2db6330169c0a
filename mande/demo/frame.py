"""The sample mission's sampling frame as a file: ``sample_data/frame.csv``.

The villages are those every sample round draws from (:func:`mande.demo._frame.build_frame`, fixed
by the seed); the file keeps what a national statistics office would hand a mission (ids, names,
admin areas, area type, census counts, the village centre) and leaves out the population model's
hidden quantities (displacement shares, random effects).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mande.config import MissionConfig
from mande.demo._frame import build_frame

__all__ = ["FRAME_FILE", "frame_table", "write_frame"]

FRAME_FILE = "frame.csv"

# Adults per household beyond the first, by displacement status (as the rounds' census counts).
_ADULTS_EXTRA = {"resident": 1.3, "returnee": 1.5, "displaced": 2.0}


def frame_table(mission: MissionConfig, seed: int) -> pd.DataFrame:
    """The frame file's rows: one per village, in the generator's order.

    Columns: ``psu`` (the village id, the rounds' ``cluster_id``), ``village``, ``region``,
    ``admin2``, ``urban_rural``, ``households`` (census households), ``population`` (census adults:
    households times the expected adults per household given the village's displaced and returnee
    shares, rounded), ``lon``, ``lat`` (the village centre, 5 decimals).
    """
    fr = build_frame(mission, seed)
    idp = fr["idp_share"].to_numpy()
    ret = fr["ret_share"].to_numpy()
    adults_per_hh = (
        1
        + (1 - idp - ret) * _ADULTS_EXTRA["resident"]
        + idp * _ADULTS_EXTRA["displaced"]
        + ret * _ADULTS_EXTRA["returnee"]
    )
    return pd.DataFrame(
        {
            "psu": fr["cluster_id"],
            "village": fr["village"],
            "region": fr["region"],
            "admin2": fr["admin2"],
            "urban_rural": np.where(fr["urban"], "urban", "rural"),
            "households": fr["households"].astype(int),
            "population": np.round(fr["households"].to_numpy() * adults_per_hh).astype(int),
            "lon": fr["lon"].map(lambda v: f"{v:.5f}"),
            "lat": fr["lat"].map(lambda v: f"{v:.5f}"),
        }
    )


def write_frame(out_dir: Path, mission: MissionConfig, seed: int) -> Path:
    """Write ``out_dir/frame.csv`` (UTF-8, comma-separated, ``\\n`` line ends) and return its path."""
    path = Path(out_dir) / FRAME_FILE
    frame_table(mission, seed).to_csv(path, index=False, lineterminator="\n")
    return path
