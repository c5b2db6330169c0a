"""The plan file: the selected villages of a round with their first-stage probabilities.

The weighting step reads it (base weights = 1 / (village probability x household probability)).
One row per selected village (PSU); columns, in this order:

``stratum``
    The stratum the village was drawn in (the region's p-code).
``psu``
    The village's id in the frame (the survey's ``cluster_id``).
``inclusion_prob``
    The village's first-stage inclusion probability (R ``sampling::inclusionprobabilities``);
    1 for a village taken with certainty.
``households_listed``
    Households in the village: the census count from the frame when it has ``households``, to be
    replaced by the count the team lists on arrival; empty when the frame has no count.
``households_selected``
    Households the team draws (one adult interviewed in each): the interviews to do.
``households_interviewed``
    Households where the interview was completed: empty in a plan before fieldwork, filled after.
``urban_rural``, ``admin2``, ``village``
    Where the village is (for non-response classes and for reading the file).
``round``
    The round's label (empty when none was given).

A village that replaces one that could not be reached takes its row: change ``psu``, ``village``
and ``admin2`` and keep the replaced village's ``inclusion_prob`` (the field list's replacements
sheet gives them in the order to use).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mande.errors import DesignError

if TYPE_CHECKING:
    from mande.plan.round_plan import RoundPlan

__all__ = ["PLAN_COLUMNS", "plan_table", "write_plan"]

PLAN_COLUMNS = (
    "stratum",
    "psu",
    "inclusion_prob",
    "households_listed",
    "households_selected",
    "households_interviewed",
    "urban_rural",
    "admin2",
    "village",
    "round",
)


def plan_table(plan: RoundPlan) -> pd.DataFrame:
    """The plan file's rows for ``plan``: one per selected village, in stratum and selection order."""
    sel = plan.selected
    take = int(plan.settings["interviews_per_village"])
    n = len(sel)

    def col(name: str) -> pd.Series:
        return sel[name].reset_index(drop=True) if name in sel.columns else pd.Series([None] * n)

    listed = col("households")
    listed = pd.to_numeric(listed, errors="coerce").round().astype("Int64")
    selected = pd.Series([take] * n, dtype="Int64")
    if listed.notna().any():  # never more households than the village has
        selected = pd.Series(
            np.where(listed.notna(), np.minimum(listed.fillna(take), take), take), dtype="Int64"
        )
    return pd.DataFrame(
        {
            "stratum": col(plan.settings["strata"]).astype(str),
            "psu": col("psu").astype(str) if "psu" in sel.columns else sel.index.astype(str),
            "inclusion_prob": col("inclusion_prob").astype(float),
            "households_listed": listed,
            "households_selected": selected,
            "households_interviewed": pd.Series([pd.NA] * n, dtype="Int64"),
            "urban_rural": col("urban_rural"),
            "admin2": col("admin2"),
            "village": col("village"),
            "round": plan.settings.get("round") or None,
        },
        columns=list(PLAN_COLUMNS),
    )


def write_plan(plan: RoundPlan | pd.DataFrame, path: str | Path) -> Path:
    """Write the plan file: ``.csv`` (UTF-8, comma-separated) or ``.xlsx`` (one sheet, ``plan``).

    Probabilities are written with 17 significant digits (a weight is their inverse). In the
    ``.xlsx`` every text cell is written as text, never as a formula.
    """
    table = plan if isinstance(plan, pd.DataFrame) else plan_table(plan)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        from mande.output import write_csv

        write_csv(table, path, float_format="%.17g", lineterminator="\n")
    elif path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        from mande.report._cells import put

        wb = Workbook()
        ws = wb.active
        ws.title = "plan"
        for j, name in enumerate(table.columns, start=1):
            put(ws, 1, j, name)
        for i, row in enumerate(table.itertuples(index=False), start=2):
            for j, value in enumerate(row, start=1):
                put(ws, i, j, None if value is pd.NA or value is None else value)
        wb.save(path)
    else:
        raise DesignError(f"{path.name}: write the plan as .csv or .xlsx")
    return path
