"""The true population model the sample survey rounds are drawn from.

Every ordinal answer is a cut of a latent score ``y* = eta + u_village + e_person + eps`` where

- ``eta`` is the linear predictor: an intercept, a region effect, effects of the respondent's sex,
  displacement status, area type, disability and age, and effects of the mission's dated events
  (features computed from ``mission.yaml`` at the round's reference date, see :func:`event_features`);
- ``u_village ~ N(0, sigma_v^2)`` is the village's effect for the item's domain (70 % of its variance
  persistent across rounds, 30 % new each round), which makes answers cluster within PSUs;
- ``e_person ~ N(0, sigma_p^2)`` is the person's effect for the domain, shared by the domain's items;
- ``eps`` is standard logistic.

The cut points put 0 between the favourable and the unfavourable answers, so that, given ``eta``
and the random effects, the probability of a favourable answer (safe or very safe; satisfied; a
lot or somewhat of trust ...) is ``logistic(eta + u + e)``. Non-substantive answers (don't know,
refused, does not apply, never goes out alone) are drawn independently of ``y*``, so the true
proportion among substantive answers is the model's. The true population values are computed
by :func:`mande.demo.survey.true_values` by Monte Carlo over the whole frame.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mande.config import MissionConfig

__all__ = [
    "DOMAIN_SIGMA",
    "OUTCOMES",
    "Outcome",
    "event_features",
    "linear_predictor",
]

# (sigma_village, sigma_person) of each domain's random effects, on the logit scale.
DOMAIN_SIGMA: dict[str, tuple[float, float]] = {
    "security": (0.65, 0.8),
    "victim": (0.45, 0.3),
    "inclusion": (0.5, 0.8),
    "state": (0.5, 0.8),
    "services": (0.5, 0.6),
    "mission": (0.55, 0.9),
}
PERSISTENT_SHARE = 0.7  # share of a village effect's variance that persists across rounds

SAFETY_CUTS = (1.8, 0.0, -1.8)
FOUR_CUTS = (1.6, 0.0, -1.6)


@dataclass(frozen=True)
class Outcome:
    """One item's model: ``eta`` coefficients, domain, answer codes and cut points.

    ``codes`` run from the most favourable answer to the least; ``cuts`` (decreasing) split the
    latent score between them: ``codes[0]`` when ``y* > cuts[0]``, ..., ``codes[-1]`` when
    ``y* <= cuts[-1]``. The favourable group is the codes above the cut equal to 0.
    ``dk``, ``refused``, ``not_applicable``: rates of the non-substantive answers 98, 99, 97.
    """

    name: str
    domain: str
    intercept: float
    codes: tuple[int, ...]
    cuts: tuple[float, ...]
    region: Mapping[str, float] = field(default_factory=dict)
    female: float = 0.0
    displaced: float = 0.0
    returnee: float = 0.0
    urban: float = 0.0
    disability: float = 0.0
    age10: float = 0.0  # per 10 years of age above 40
    events: Mapping[str, float] = field(default_factory=dict)
    region_trend: Mapping[str, float] = field(
        default_factory=dict
    )  # per year since reporting start
    sign: float = 1.0  # how the domain's random effects enter (-1: an unfavourable item)
    dk: float = 0.02
    refused: float = 0.004
    not_applicable: float = 0.0

    @property
    def favourable(self) -> tuple[int, ...]:
        k = self.cuts.index(0.0)
        return self.codes[: k + 1]


_REG0 = {"VD01": 0.0, "VD02": 0.0, "VD03": 0.0, "VD04": 0.0, "VD05": 0.0, "VD06": 0.0}


def _r(**kw: float) -> dict[str, float]:
    return {**_REG0, **kw}


OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in (
        Outcome(
            "safe_dark", "security", 0.0, (1, 2, 3, 4), SAFETY_CUTS,
            region=_r(VD01=0.35, VD02=-0.35, VD03=-0.75, VD04=-0.55, VD05=-0.25, VD06=0.05),
            female=-0.55, displaced=-0.5, returnee=-0.2, urban=0.15, disability=-0.2, age10=-0.03,
            events={"deploy_ramp": 0.95, "op_during": -0.35, "op_recovery": 0.3, "incident": -1.2},
            region_trend={"VD06": -0.25}, dk=0.01,
        ),
        Outcome(
            "safe_day", "security", 1.5, (1, 2, 3, 4), SAFETY_CUTS,
            region=_r(VD01=0.35, VD02=-0.35, VD03=-0.75, VD04=-0.55, VD05=-0.25, VD06=0.05),
            female=-0.25, displaced=-0.3, returnee=-0.1, urban=0.1, disability=-0.1,
            events={"deploy_ramp": 0.65, "op_during": -0.25, "op_recovery": 0.2, "incident": -1.2},
            region_trend={"VD06": -0.15}, dk=0.01,
        ),
        Outcome(
            "security_trend", "security", -0.9, (1, 2, 3), (0.0, -1.8),
            region=_r(VD02=-0.1, VD03=-0.2, VD04=-0.1, VD06=-0.2), displaced=-0.2,
            events={
                "pre_deploy": -0.3, "deploy_fresh": 2.0, "op_during": -0.8, "op_fresh": 0.7,
                "incident": -2.2,
            },
            region_trend={"VD06": -0.15}, dk=0.03,
        ),
        Outcome(
            "victim", "victim", -1.75, (1, 0), (0.0,),
            region=_r(VD02=0.3, VD03=0.5, VD04=0.35, VD05=0.2, VD06=0.4),
            female=-0.15, displaced=0.5, returnee=0.2, urban=0.1, age10=-0.08,
            events={"deploy_ramp": -0.35, "op_during": 0.25}, dk=0.005, refused=0.01,
        ),
        Outcome(
            "victim_reported", "state", -0.55, (1, 0), (0.0,),
            region=_r(VD01=0.6, VD02=-0.2, VD03=-0.3, VD04=-0.2, VD05=-0.1, VD06=-0.5),
            female=-0.2, displaced=-0.2, events={"deploy_ramp": 0.3}, dk=0.02, refused=0.02,
        ),
        Outcome(
            "say_government", "inclusion", -0.15, (5, 4, 3, 2, 1), (2.0, 1.0, 0.0, -1.2),
            region=_r(VD01=0.3, VD02=-0.2, VD03=-0.3, VD04=-0.2, VD05=-0.1, VD06=-0.5),
            female=-0.3, displaced=-0.4, urban=0.1, age10=0.03, dk=0.04,
        ),
        Outcome(
            "influence_politics", "inclusion", -0.45, (5, 4, 3, 2, 1), (2.0, 1.0, 0.0, -1.2),
            region=_r(VD01=0.3, VD02=-0.2, VD03=-0.3, VD04=-0.2, VD05=-0.1, VD06=-0.5),
            female=-0.35, displaced=-0.4, urban=0.1, dk=0.05,
        ),
        Outcome(
            "discrimination", "inclusion", -1.45, (1, 0), (0.0,),
            region=_r(VD01=-0.2, VD02=0.2, VD03=0.2, VD04=0.1, VD06=0.45),
            female=0.2, displaced=0.85, returnee=0.4, disability=0.6, sign=-1.0,
            dk=0.02, refused=0.006,
        ),
        Outcome(
            "identity", "state", 0.65, (5, 4, 3, 2, 1), (2.2, 1.2, 0.0, -1.3),
            region=_r(VD01=0.4, VD02=-0.3, VD03=-0.1, VD04=-0.1, VD05=0.1, VD06=-0.6),
            displaced=-0.3, urban=0.2, dk=0.04,
        ),
        Outcome(
            "unfair_treatment", "state", -1.1, (3, 2, 1, 0), (1.5, 0.0, -1.6),
            region=_r(VD01=-0.3, VD02=0.4, VD03=0.3, VD04=0.2, VD05=0.1, VD06=0.8),
            displaced=0.5, sign=-1.0, dk=0.05, refused=0.008,
        ),
        Outcome(
            "trust_police", "state", 0.0, (3, 2, 1, 0), FOUR_CUTS,
            region=_r(VD01=0.4, VD02=-0.5, VD03=-0.3, VD04=-0.2, VD05=-0.4, VD06=-0.8),
            female=-0.1, displaced=-0.2, urban=0.1, events={"deploy_ramp": 0.2}, dk=0.03,
        ),
        Outcome(
            "trust_courts", "state", -0.35, (3, 2, 1, 0), FOUR_CUTS,
            region=_r(VD01=0.1, VD02=-0.7, VD03=-0.5, VD04=-0.5, VD05=-0.6, VD06=-1.0),
            displaced=-0.2, dk=0.05,
        ),
        Outcome(
            "trust_local_admin", "state", 0.2, (3, 2, 1, 0), FOUR_CUTS,
            region=_r(VD01=0.2, VD02=0.3, VD04=0.2, VD05=0.1, VD06=0.4), dk=0.03,
        ),
        Outcome(
            "trust_army", "state", 0.3, (3, 2, 1, 0), FOUR_CUTS,
            region=_r(VD01=0.3, VD02=-0.2, VD03=-0.6, VD04=-0.4, VD05=0.1, VD06=-0.9),
            female=-0.15, events={"op_during": 0.3, "incident": -0.6}, dk=0.04,
        ),
        Outcome(
            "sat_health", "services", -0.1, (1, 2, 3, 4), FOUR_CUTS,
            region=_r(VD01=0.4, VD02=-0.2, VD03=-0.3, VD04=-0.2, VD06=-0.6),
            urban=0.3, events={"deploy_ramp": 0.2}, dk=0.015, not_applicable=0.22,
        ),
        Outcome(
            "sat_education", "services", 0.15, (1, 2, 3, 4), FOUR_CUTS,
            region=_r(VD01=0.3, VD02=-0.2, VD03=-0.4, VD04=-0.3, VD06=-0.5),
            urban=0.2, dk=0.015, not_applicable=0.38,
        ),
        Outcome(
            "sat_admin", "services", -0.35, (1, 2, 3, 4), FOUR_CUTS,
            region=_r(VD01=0.5, VD02=-0.3, VD03=-0.3, VD04=-0.2, VD05=-0.1, VD06=-0.6),
            urban=0.3, dk=0.015, not_applicable=0.45,
        ),
        Outcome(
            "mission_satisfaction", "mission", 1.7, (1, 2, 3, 4), FOUR_CUTS,
            region=_r(VD01=-0.25, VD02=0.1, VD04=0.05, VD05=0.1, VD06=-0.3),
            female=-0.1, displaced=0.2, urban=-0.2,
            events={"years_presence": -0.48, "no_presence": -1.1, "op_during": -0.3, "op_fresh": -0.2},
            dk=0.06,
        ),
        Outcome(
            "mission_stay", "mission", 2.1, (1, 2, 3, 4), FOUR_CUTS,
            region=_r(VD01=-0.3, VD02=0.1, VD05=0.1, VD06=-0.2),
            displaced=0.3, urban=-0.2,
            events={"years_presence": -0.48, "no_presence": -1.1, "op_during": -0.25},
            dk=0.07,
        ),
        Outcome(
            "mission_impartial", "mission", 0.9, (1, 2, 3, 4), FOUR_CUTS,
            region=_r(VD01=-0.2, VD06=-0.3), displaced=-0.1,
            events={
                "years_presence": -0.2, "no_presence": -0.9, "op_during": -0.5, "op_fresh": -0.3,
                "incident": -0.5,
            },
            dk=0.07,
        ),
        Outcome(
            "warn_mission", "mission", 1.5, (1, 0), (0.0,),
            region=_r(VD01=-0.2, VD06=-0.2), female=-0.2,
            events={"years_presence": -0.15, "no_presence": -0.8, "op_during": -0.2},
            dk=0.05,
        ),
    )
}  # fmt: skip

# Mission items: more "don't know" where the mission had no presence, and among women.
MISSION_DK_NO_PRESENCE = 0.07
MISSION_DK_FEMALE = 0.02
# "Never goes out alone after dark" (code 7) rates.
NEVER_OUT_FEMALE = 0.10
NEVER_OUT_MALE = 0.02
NEVER_OUT_FEMALE_NO_PRESENCE = 0.06  # added where the mission had no presence

# Washington Group short set: logit of "at least some difficulty" at age 40, and its age slope.
WG_BASE = {
    "wg_seeing": -2.3,
    "wg_hearing": -2.9,
    "wg_walking": -2.4,
    "wg_cognition": -2.8,
    "wg_selfcare": -3.6,
    "wg_communication": -3.8,
}
WG_AGE10 = 0.45
WG_A_LOT = 0.28  # P(a lot of difficulty or worse | some difficulty or worse)
WG_CANNOT = 0.2  # P(cannot do at all | a lot of difficulty or worse)

# Discrimination grounds, given discriminated against: base weights, and what adds to them.
GROUND_WEIGHTS = {
    "sex": 0.08,
    "age": 0.07,
    "ethnicity": 0.33,
    "religion": 0.12,
    "disability": 0.02,
    "displacement": 0.03,
    "political": 0.10,
    "economic": 0.25,
    "other": 0.04,
}
GROUND_EXTRA = {"sex": ("female", 0.22), "disability": ("disability", 0.4)}
GROUND_DISPLACEMENT = {"displaced": 0.5, "returnee": 0.25}
N_GROUNDS_P = (0.70, 0.25, 0.05)  # one, two or three grounds

EVENT_FEATURES = (
    "pre_deploy",
    "deploy_ramp",
    "deploy_fresh",
    "op_during",
    "op_recovery",
    "op_fresh",
    "incident",
    "years_presence",
    "no_presence",
    "years",
)


def _months(a: dt.date, b: dt.date) -> float:
    return (b - a).days / 30.4375


def event_features(mission: MissionConfig, region: str, day: dt.date) -> dict[str, float]:
    """The event features of a region at a date, from the mission's dated events.

    ``pre_deploy``
        1 before a ``deployment`` event in the region, else 0.
    ``deploy_ramp``
        ``1 - exp(-m / 5)``, m months since the deployment (0 before): security builds up.
    ``deploy_fresh``
        ``exp(-m / 8)`` after the deployment: the feeling that things *just* improved fades.
    ``op_during``
        1 while a ``robust_operation`` runs in the region.
    ``op_recovery``
        ``1 - exp(-(m + 1) / 3)``, m months since the operation ended (0 before the end).
    ``op_fresh``
        ``exp(-m / 6)`` after the operation ended.
    ``incident``
        ``exp(-m / 6)``, m months since a ``security_incident`` event in the region (0 before): the
        fear attacks leave fades over the following months.
    ``years_presence``
        Years since the mission has been present in the region (its first deployment in the
        country, ``mission.deployed``, or the region's ``deployment`` event); 0 without presence.
    ``no_presence``
        1 before the region's ``deployment`` event, else 0.
    ``years``
        Years since the start of the reporting calendar (for regional linear trends).
    """
    f = dict.fromkeys(EVENT_FEATURES, 0.0)
    deployed = mission.raw.get("mission", {}).get("deployed")
    presence = dt.date.fromisoformat(str(deployed)) if deployed else mission.periods[0].start
    for e in mission.events:
        if region not in e.regions:
            continue
        if e.kind == "deployment":
            presence = e.date
            if day < e.date:
                f["pre_deploy"] = 1.0
                f["no_presence"] = 1.0
            else:
                m = _months(e.date, day)
                f["deploy_ramp"] = 1 - np.exp(-m / 5)
                f["deploy_fresh"] = float(np.exp(-m / 8))
        elif e.kind == "robust_operation":
            end = e.end or e.date
            if e.date <= day <= end:
                f["op_during"] = 1.0
            elif day > end:
                m = _months(end, day)
                f["op_recovery"] = 1 - np.exp(-(m + 1) / 3)
                f["op_fresh"] = float(np.exp(-m / 6))
        elif e.kind == "security_incident" and day >= e.date:
            f["incident"] = max(f["incident"], float(np.exp(-_months(e.date, day) / 6)))
    if not f["no_presence"]:
        f["years_presence"] = max((day - presence).days / 365.25, 0.0)
    f["years"] = (day - mission.periods[0].start).days / 365.25
    return {k: float(v) for k, v in f.items()}


def linear_predictor(
    outcome: Outcome, people: pd.DataFrame, features: Mapping[str, Mapping[str, float]]
) -> np.ndarray:
    """``eta`` for each person (without random effects).

    ``people`` needs ``region``, ``female``, ``displaced``, ``returnee``, ``urban``,
    ``disability`` (booleans) and ``age``; ``features`` maps region -> :func:`event_features`.
    """
    codes, uniques = pd.factorize(people["region"])
    shifts = np.zeros(len(uniques) + 1)  # the last entry (index -1) stands for a missing region
    for i, r in enumerate(uniques):
        feats = features[r]
        shift = outcome.region.get(r, 0.0)
        shift += sum(outcome.events.get(k, 0.0) * v for k, v in feats.items())
        shift += outcome.region_trend.get(r, 0.0) * feats["years"]
        shifts[i] = shift
    eta = outcome.intercept + shifts[codes]
    for col in ("female", "displaced", "returnee", "urban", "disability"):
        coef = getattr(outcome, col)
        if coef:
            eta += coef * people[col].to_numpy(dtype=float)
    if outcome.age10:
        eta += outcome.age10 * (people["age"].to_numpy(dtype=float) - 40) / 10
    return eta
