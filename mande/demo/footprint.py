"""The sample mission's footprint: its deployments and activity log, consistent with its story.

Written by :func:`generate_footprint` (called by :func:`mande.demo.generate`):

- ``footprint/deployments.xlsx``: the mission's sites (:data:`SITES`): its headquarters and bases
  in Bangora, Ouassa, Upper Kessi and Kodjari since the mission deployed (1 April 2021; a team
  site in Kodjari from 1 September 2022), temporary operating bases in Mbali and Lake Tora from
  1 December 2024 (the ``deploy-east`` event), and the temporary bases of Operation Bouclier in
  Upper Kessi and Ouassa (1 March to 31 October 2025);
- ``footprint/activities.csv``: patrols, community engagement meetings (with the partner types
  met) and quick-impact projects, drawn month by month from the rates of :func:`_rates`, from
  July 2024 to May 2026.

The survey rounds carry the true effect of presence through the population model the generator
already uses (:mod:`mande.demo._model`): acceptance of the mission (``mission_satisfaction``,
``mission_stay``) is lower by 1.1 on the logit scale where the mission had no presence
(``no_presence``) and declines by 0.48 per year of presence (``years_presence``), both given
the village and person effects. The deployments here are the presence those features describe,
so the exposure :func:`mande.footprint.exposure` measures from them is the model's.

:func:`true_effects` gives the values a design-based model must recover: the coefficients of the
*population* (census) logistic regression of the model's true proportions on the exposure
measured from these files, with the same terms as :func:`mande.footprint.footprint_analysis`
(an intercept per region, ``base_present``, ``years_present``). They are smaller in size than the
generating values because a logistic model averaged over village and person effects is
attenuated, and because the working model leaves out the robust operation's own effect.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mande.config import MissionConfig

__all__ = [
    "ACTIVITIES_FILE",
    "DEPLOYMENTS_FILE",
    "SITES",
    "Site",
    "generate_footprint",
    "true_effects",
]

DEPLOYMENTS_FILE = Path("footprint") / "deployments.xlsx"
ACTIVITIES_FILE = Path("footprint") / "activities.csv"
LOG_START = dt.date(2024, 7, 1)
LOG_END = dt.date(2026, 5, 31)


@dataclass(frozen=True)
class Site:
    site: str
    type: str
    longitude: float
    latitude: float
    pcode: str  # admin 2
    start: dt.date
    end: dt.date | None
    troops: int
    police: int


_D0 = dt.date(2021, 4, 1)
_DEPLOY = dt.date(2024, 12, 1)
_OP = (dt.date(2025, 3, 1), dt.date(2025, 10, 31))

SITES: tuple[Site, ...] = (
    Site("Bangora HQ", "hq", 16.45, 4.62, "VD0101", _D0, None, 1800, 0),
    Site("Bangora police post", "police_post", 16.62, 4.40, "VD0101", _D0, None, 0, 420),
    Site("Ouassa-Ville", "base", 16.85, 7.80, "VD0501", _D0, None, 650, 60),
    Site("Ndjoko", "base", 19.90, 8.30, "VD0201", _D0, None, 650, 60),
    Site("Kodjari", "base", 23.20, 5.50, "VD0601", _D0, None, 650, 60),
    Site("Obo-Nord", "team_site", 24.20, 6.10, "VD0602", dt.date(2022, 9, 1), None, 150, 0),
    Site("Mbali-Centre", "temporary_base", 19.55, 5.05, "VD0301", _DEPLOY, None, 450, 0),
    Site("Gounda", "temporary_base", 20.60, 4.60, "VD0302", _DEPLOY, None, 300, 0),
    Site("Tora", "temporary_base", 23.00, 8.40, "VD0401", _DEPLOY, None, 450, 0),
    Site("Birao-Sud", "temporary_base", 22.20, 7.50, "VD0402", _DEPLOY, None, 300, 0),
    Site("Bria-Kessi", "temporary_base", 20.30, 7.40, "VD0202", *_OP, 400, 0),
    Site("Bossembé", "temporary_base", 17.50, 8.80, "VD0502", *_OP, 400, 0),
)  # fmt: skip
"""The sample mission's sites (admin 2 p-codes as in ``mission.yaml``)."""

DEPLOYMENT_HEADER = (
    "site", "type", "latitude", "longitude", "pcode", "start", "end", "troops", "police",
)  # fmt: skip
ACTIVITY_HEADER = ("date", "pcode", "type", "partner_types")
# partner types met in community engagement meetings, and how often each is among those met
_MEETING_PARTNERS = {
    "local_authority": 0.45, "traditional_leaders": 0.45, "women_youth": 0.35,
    "national_ngo": 0.25, "security_forces": 0.15, "un_agency": 0.10, "ingo": 0.08,
}  # fmt: skip


def _month_starts() -> list[dt.date]:
    out, d = [], LOG_START
    while d <= LOG_END:
        out.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def _rates(region: str, month: dt.date, mission: MissionConfig) -> dict[str, float]:
    """Expected patrols, meetings and quick-impact projects in ``region`` during ``month``."""
    east = region in ("VD03", "VD04")
    op_region = region in ("VD02", "VD05")
    if east and month < _DEPLOY:
        return {"patrol": 3.0, "meeting": 0.5, "qip": 0.0}  # long-range patrols only
    rates = {"patrol": 30.0, "meeting": 6.0, "qip": 0.5}
    if region == "VD01":
        rates["patrol"] = 40.0
    if east:
        fresh = (month - _DEPLOY).days < 183
        rates = {"patrol": 45.0, "meeting": 11.0 if fresh else 6.0, "qip": 1.5 if fresh else 0.5}
    if op_region and _OP[0] <= month <= _OP[1]:
        rates = {"patrol": 95.0, "meeting": 2.0, "qip": 0.0}
    for e in mission.events:
        if e.kind == "security_incident" and region in e.regions and month >= e.date.replace(day=1):
            rates["patrol"] += 30.0
            rates["meeting"] += 3.0
    return rates


def _activities(mission: MissionConfig, seed: int) -> list[tuple[str, str, str, str]]:
    rng = np.random.default_rng([seed, 2000])
    partners = list(_MEETING_PARTNERS)
    probs = np.array(list(_MEETING_PARTNERS.values()))
    rows: list[tuple[dt.date, str, str, str]] = []
    for month in _month_starts():
        nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        days = (nxt - month).days
        for region in mission.regions:
            admin2 = [code for code, _ in region.admin2] or [region.pcode]
            for kind, rate in _rates(region.pcode, month, mission).items():
                for _ in range(int(rng.poisson(rate))):
                    day = month + dt.timedelta(days=int(rng.integers(days)))
                    pcode = admin2[int(rng.integers(len(admin2)))]
                    met = ""
                    if kind == "meeting":
                        chosen = [
                            p for p, q in zip(partners, probs, strict=True) if rng.random() < q
                        ]
                        met = " ".join(chosen or [partners[int(rng.integers(len(partners)))]])
                    rows.append((day, pcode, kind, met))
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    return [(d.isoformat(), p, k, m) for d, p, k, m in rows]


def _check_sites(mission: MissionConfig) -> None:
    """Every site lies in the region its p-code names (a guard on the hand-made coordinates)."""
    from mande.demo._geo import region_geojson
    from mande.errors import ConfigError
    from mande.footprint.exposure import region_of
    from mande.footprint.places import Areas

    areas = Areas.from_geojson(region_geojson(mission))
    regions = region_of(mission)
    found = areas.locate([s.longitude for s in SITES], [s.latitude for s in SITES])
    wrong = [s.site for s, a in zip(SITES, found, strict=True) if regions.get(s.pcode) != a]
    if wrong:
        raise ConfigError(f"sample sites outside their region's polygon: {wrong}")


def generate_footprint(out_dir: Path, mission: MissionConfig, seed: int) -> list[Path]:
    """Write ``footprint/deployments.xlsx`` and ``footprint/activities.csv`` into ``out_dir``."""
    from mande.demo._files import write_xlsx

    _check_sites(mission)
    rows = [
        (s.site, s.type, s.latitude, s.longitude, s.pcode, s.start.isoformat(),
         s.end.isoformat() if s.end else None, s.troops, s.police)
        for s in SITES
    ]  # fmt: skip
    dep = write_xlsx(
        out_dir / DEPLOYMENTS_FILE,
        [("deployments", [DEPLOYMENT_HEADER, *rows])],
        title=f"{mission.code} deployments",
    )
    act = out_dir / ACTIVITIES_FILE
    act.parent.mkdir(parents=True, exist_ok=True)
    with act.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(ACTIVITY_HEADER)
        writer.writerows(_activities(mission, seed))
    return [dep, act]


def sample_exposure(mission: MissionConfig, out_dir: Path, seed: int | None = None) -> pd.DataFrame:
    """The exposure of the sample rounds (planned fieldwork of :data:`mande.demo.survey.ROUNDS`)
    measured from the footprint files in ``out_dir`` and the regions' polygons."""
    from mande.demo._geo import region_geojson
    from mande.demo.survey import ROUNDS
    from mande.footprint.data import read_activities, read_deployments
    from mande.footprint.exposure import exposure
    from mande.footprint.places import Areas

    dep = read_deployments(out_dir / DEPLOYMENTS_FILE, mission=mission)
    act = read_activities(out_dir / ACTIVITIES_FILE, mission=mission)
    rounds = pd.DataFrame(
        {
            "round": [Path(s.filename).stem for s in ROUNDS],
            "number": [s.number for s in ROUNDS],
            "fieldwork_start": [s.start for s in ROUNDS],
            "fieldwork_end": [s.end for s in ROUNDS],
        }
    )
    ex = exposure(
        dep.frame, rounds, Areas.from_geojson(region_geojson(mission)),
        activities=act.frame, mission=mission,
    )  # fmt: skip
    return ex.merge(rounds[["round", "number"]], on="round")


def true_effects(
    mission: MissionConfig, out_dir: Path, seed: int, *, n_per_cell: int = 60_000
) -> pd.DataFrame:
    """The population coefficients the footprint model estimates on the sample, per item.

    For ``mission_satisfaction`` (MIS-01) and ``mission_stay`` (MIS-02): the logistic regression
    of the true proportion favourable in each region and round (:func:`mande.demo.survey.true_values`,
    Monte Carlo over the frame) on ``base_present``, ``years_present`` and one intercept per
    region, each region-round weighted by its adult population: the census parameter that
    ``svyglm`` on the samples estimates.

    Returns a frame: ``indicator``, ``item``, ``term`` (``base_present``, ``years_present``),
    ``true_value`` (log odds ratio), ``generating_value`` (the model's conditional coefficient).
    """
    import statsmodels.api as sm

    from mande.demo._frame import build_frame
    from mande.demo._model import OUTCOMES
    from mande.demo.survey import ADULTS_MEAN_EXTRA, true_values

    frame = build_frame(mission, seed)
    adults = (
        (
            frame["households"]
            * (
                1
                + (1 - frame["idp_share"] - frame["ret_share"]) * ADULTS_MEAN_EXTRA["resident"]
                + frame["idp_share"] * ADULTS_MEAN_EXTRA["displaced"]
                + frame["ret_share"] * ADULTS_MEAN_EXTRA["returnee"]
            )
        )
        .groupby(frame["region"])
        .sum()
    )
    truth = true_values(mission, seed, n_per_cell=n_per_cell, frame=frame)
    ex = sample_exposure(mission, out_dir, seed)
    rows = []
    for indicator, item in (("MIS-01", "mission_satisfaction"), ("MIS-02", "mission_stay")):
        t = truth[(truth["item"] == item) & (truth["group"] == "all") & (truth["region"] != "all")]
        cells = ex.merge(t, left_on=["number", "pcode"], right_on=["round", "region"])
        x = pd.get_dummies(cells["pcode"], dtype=float)
        x["base_present"] = cells["base_present"].astype(float)
        x["years_present"] = cells["years_present"].astype(float)
        w = cells["pcode"].map(adults).to_numpy(dtype=float)
        fit = sm.GLM(
            cells["value"].to_numpy(dtype=float), x, family=sm.families.Binomial(), var_weights=w
        ).fit(tol=1e-12)
        oc = OUTCOMES[item]
        rows.append(
            (
                indicator,
                item,
                "base_present",
                float(fit.params["base_present"]),
                -oc.events.get("no_presence", 0.0),
            )
        )
        rows.append((indicator, item, "years_present", float(fit.params["years_present"]),
                     oc.events.get("years_presence", 0.0)))  # fmt: skip
    return pd.DataFrame(
        rows, columns=["indicator", "item", "term", "true_value", "generating_value"]
    )
