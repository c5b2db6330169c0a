"""A survey round's plan, from the frame and the targets: interviews and villages per stratum, the
villages drawn and their replacements. The CLI (``mande plan draw``) and the dashboard's Plan page
both call :func:`plan_round`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import DesignError
from mande.plan.allocate import Method, allocate
from mande.plan.sample_size import expected_moe, sample_size
from mande.plan.select import select_psus

__all__ = ["RoundPlan", "plan_round"]


@dataclass(frozen=True)
class RoundPlan:
    """A round's plan (a value: nothing is written until asked).

    Attributes
    ----------
    allocation:
        One row per stratum: ``stratum``, ``population`` (sum of the size measure),
        ``villages_in_frame``, ``target_moe`` (when planned by targets), ``interviews_needed``
        (:func:`mande.sample_size` for the target, or the stratum's share of the total),
        ``villages`` (to visit), ``interviews`` (``villages x interviews_per_village``),
        ``expected_moe`` (with those interviews) and ``reportable`` (expected margin within the
        target or ``max_moe``).
    selection:
        The frame with the columns :func:`mande.select_psus` adds.
    settings:
        What the plan was made with: ``strata``, ``size``, ``p``, ``deff``, ``level``,
        ``response_rate``, ``interviews_per_village``, ``replacements``, ``seed``, ``round``,
        ``method``, ``sort_by``.
    """

    allocation: pd.DataFrame
    selection: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def selected(self) -> pd.DataFrame:
        """The villages drawn, by stratum and selection order."""
        s = self.selection
        keys = [self.settings["strata"], "selection_order"]
        return s[s["selected"]].sort_values(keys, kind="stable")

    @property
    def replacements(self) -> pd.DataFrame:
        """The replacement villages, by stratum and the order in which to use them."""
        s = self.selection
        keys = [self.settings["strata"], "replacement_order"]
        return s[s["replacement"]].sort_values(keys, kind="stable")

    def plan_table(self) -> pd.DataFrame:
        """The plan file's rows (one per selected village); see :mod:`mande.plan.plan_file`."""
        from mande.plan.plan_file import plan_table

        return plan_table(self)


def _targets(moe: float | Mapping[Any, float], strata: list[Any]) -> dict[Any, float]:
    if isinstance(moe, Mapping):
        missing = [h for h in strata if h not in moe]
        if missing:
            raise DesignError(
                f"moe gives no target for stratum {', '.join(map(repr, missing))}; give one margin "
                "of error per stratum (e.g. 0.06 for plus or minus 6 points)"
            )
        return {h: float(moe[h]) for h in strata}
    return dict.fromkeys(strata, float(moe))


def plan_round(
    frame: pd.DataFrame,
    moe: float | Mapping[Any, float] | None = None,
    *,
    n: int | None = None,
    method: Method = "proportional",
    min_per_stratum: int = 0,
    max_moe: float | None = None,
    strata: str = "region",
    size: str | None = "population",
    p: float = 0.5,
    deff: float = 2.0,
    level: float = 0.95,
    response_rate: float = 1.0,
    interviews_per_village: int = 12,
    replacements: int | Mapping[Any, int] = 2,
    sort_by: tuple[str, ...] | None = ("admin2", "urban_rural"),
    seed: int | None = None,
    round_label: str | None = None,
) -> RoundPlan:
    """Plan a round: interviews per stratum, villages to visit, and the villages drawn.

    Give either ``moe`` (a target margin of error, one number or ``{stratum: moe}``: each stratum
    gets :func:`mande.sample_size` with its population) or ``n`` (a total number of interviews,
    shared by :func:`mande.allocate` with ``method`` and ``min_per_stratum``).

    Each stratum then needs ``ceil(interviews / interviews_per_village)`` villages, drawn by
    :func:`mande.select_psus` (PPS systematic on ``size`` within ``strata``, the frame sorted by
    ``sort_by``), with ``replacements`` replacement villages per stratum. The expected margin of
    error of each stratum is computed for the interviews actually planned (villages x interviews
    per village), with the finite-population correction for the stratum's population.

    ``seed`` None picks one (recorded in ``settings``), so that every plan can be drawn again.

    Raises
    ------
    DesignError
        Neither or both of ``moe`` and ``n``; a stratum that needs more villages than its frame
        holds; parameters out of range.
    DataValidationError
        The frame lacks the columns named, or has sizes that are missing or negative.
    """
    if (moe is None) == (n is None):
        raise DesignError(
            "give either moe (a target margin of error per stratum) or n (a total number of "
            "interviews to share), not both and not neither"
        )
    if int(interviews_per_village) != interviews_per_village or interviews_per_village < 1:
        raise DesignError(
            f"interviews_per_village={interviews_per_village!r}: give a whole number, 1 or more"
        )
    take = int(interviews_per_village)
    for col in (strata, size):
        if col is not None and col not in frame.columns:
            raise DesignError(
                f"the frame has no column {col!r}; its columns are {', '.join(map(str, frame))}"
            )
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0] % 1_000_000)
    labels = frame[strata]
    levels = sorted(labels.dropna().unique(), key=str)
    weight = (
        pd.Series(1.0, index=frame.index)
        if size is None
        else pd.to_numeric(frame[size], errors="coerce")
    )
    population = weight.groupby(labels).sum().reindex(levels).astype(float)
    n_frame = labels.value_counts().reindex(levels).fillna(0).astype(int)
    n_positive = (weight > 0).groupby(labels).sum().reindex(levels).fillna(0).astype(int)

    rows: list[dict[str, Any]] = []
    if moe is not None:
        target = _targets(moe, levels)
        needed = {
            h: sample_size(target[h], p, deff, level, response_rate, population[h] or None)
            for h in levels
        }
    else:
        if n is None:  # unreachable (checked above); keeps the type checker informed
            raise DesignError("give n, the total number of interviews")
        alloc = allocate(
            n, population, method=method, min_per_stratum=min_per_stratum, p=p, deff=deff,
            level=level, response_rate=response_rate,
        )  # fmt: skip
        needed = dict(zip(alloc["stratum"], alloc["n"].astype(int), strict=True))
        target = dict.fromkeys(levels, math.nan if max_moe is None else float(max_moe))
    r_h = replacements if isinstance(replacements, Mapping) else dict.fromkeys(levels, replacements)
    too_many = []
    villages: dict[Any, int] = {}
    for h in levels:
        v = math.ceil(needed[h] / take) if needed[h] else 0
        villages[h] = v
        if v + int(r_h.get(h, 0)) > n_positive[h]:
            too_many.append(
                f"{h}: {needed[h]} interviews need {v} villages (and {int(r_h.get(h, 0))} "
                f"replacements) but the frame has {n_positive[h]}"
            )
    if too_many:
        raise DesignError(
            "the frame has too few villages: " + "; ".join(too_many) + ". Raise the interviews "
            "per village, relax the target margin of error, or lower the replacements"
        )
    selection = select_psus(
        frame, villages, strata=strata, size=size, seed=seed, replacements=r_h,
        sort_by=[c for c in (sort_by or ()) if c in frame.columns] or None,
    )  # fmt: skip
    for h in levels:
        interviews = villages[h] * take
        e = expected_moe(interviews, p, deff, level, response_rate, population[h] or None)
        rows.append(
            {
                "stratum": h,
                "population": population[h],
                "villages_in_frame": int(n_frame[h]),
                "target_moe": target[h],
                "interviews_needed": int(needed[h]),
                "villages": villages[h],
                "interviews": interviews,
                "expected_moe": e,
                "reportable": bool(e <= target[h]) if not math.isnan(target[h]) else None,
            }
        )
    allocation = pd.DataFrame(rows)
    settings = {
        "strata": strata, "size": size, "p": p, "deff": deff, "level": level,
        "response_rate": response_rate, "interviews_per_village": take,
        "replacements": {h: int(r_h.get(h, 0)) for h in levels}, "seed": int(seed),
        "round": round_label, "method": "targets" if moe is not None else method,
        "sort_by": list(sort_by or ()), "total_interviews": int(allocation["interviews"].sum()),
    }  # fmt: skip
    return RoundPlan(allocation=allocation, selection=selection, settings=settings)
