"""The sample mission's perception-survey rounds: a stratified two-stage cluster sample.

Design (every round)
--------------------
- Strata: the six regions.
- PSUs: villages / quartiers of a fixed frame (:func:`mande.demo._frame.build_frame`), drawn with
  probability proportional to their household count (systematic PPS, frame ordered by admin 2 and
  area type), ``PSU_ALLOCATION`` per region (plus or minus two from round to round).
- In each PSU the team re-lists the households (``M'``) and draws ``HOUSEHOLDS_PER_PSU`` of them by
  simple random sampling; in each household one adult is chosen at random (Kish table).
- Some households do not respond: nobody home (no submission) or the selected adult refuses (a
  submission with ``consent_grp/consent = 0`` and nothing else).

Weights and the sample plan
---------------------------
The exports carry no weights, as real Kobo/ODK exports: each round comes with its sample plan
(``plans/<round>.csv``, format in :mod:`mande.weighting.plan`): per PSU drawn, the stratum, the
PSU id (the village's ``cluster_id``), ``inclusion_prob = n_h M_i / sum_h M``, the households
listed (``M'_i``), selected (``m_i``) and interviewed, and the non-response class (the region).
``mande demo load`` weights every round from its plan and the population margins of
``mission.yaml`` (:func:`mande.weighting.weight_round`): base weight ``1 / (pi_village *
pi_household * pi_adult)`` with ``pi_household = m_i / M'_i``, ``pi_adult = 1 / adults``; the
non-response adjustment within region; raking to the adult population by region, sex and age
group. The generator's own weights (``weight_design``, ``weight_nr``, ``weight_final``:
post-stratified by region and sex) stay in :func:`draw_round`'s frame for checks.

The true population model is in :mod:`mande.demo._model`; :func:`true_values` computes the true
population values it implies, per indicator, region and round.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from mande.config import MissionConfig
from mande.demo import _model as model
from mande.demo._files import write_xlsx
from mande.demo._frame import DOMAINS, build_frame
from mande.demo._geo import REGION_RINGS, points_in_ring
from mande.demo._names import family_names, person_names, phone_numbers
from mande.demo.xlsform import FORM_ID, StandardForm, build_form, kobo_columns

__all__ = [
    "HOUSEHOLDS_PER_PSU",
    "PSU_ALLOCATION",
    "ROUNDS",
    "WEIGHT_COLUMNS",
    "RoundSpec",
    "delivered",
    "draw_round",
    "draw_round_and_plan",
    "generate_survey",
    "plan_filename",
    "true_values",
    "true_values_markdown",
    "write_plan",
    "write_round",
]

PSU_ALLOCATION = {"VD01": 36, "VD02": 32, "VD03": 34, "VD04": 32, "VD05": 30, "VD06": 28}
HOUSEHOLDS_PER_PSU = 18
WEIGHT_COLUMNS = ("weight_design", "weight_nr", "weight_final")
FEMALE_CENSUS = 0.51  # share of women among adults (census), used to post-stratify
FEMALE_SAMPLE = 0.55  # share of women among respondents (women are more often at home)
ADULTS_MEAN_EXTRA = {"resident": 1.3, "returnee": 1.5, "displaced": 2.0}  # adults = 1 + Poisson
RESPONSE_RATE = {"rural": 0.92, "urban": 0.84, "capital_urban": 0.80}
REFUSAL_SHARE = 0.3  # of non-responding households, the share that refused (a consent = 0 row)
ENUMERATORS_PER_REGION = 4
TZ = dt.timezone(dt.timedelta(hours=1))  # Valdoria time, UTC+01:00


@dataclass(frozen=True)
class RoundSpec:
    """One survey round: fieldwork dates and how its export was written.

    ``values``: ``"xml"`` (choice names, i.e. codes) or ``"labels"`` (French labels);
    ``file_format``: ``"xlsx"`` or ``"csv"`` (Kobo's CSV: ``;`` separated, every field quoted);
    ``numbers_as_text``: Kobo's "store numbers as text" export option (xlsx only).
    """

    number: int
    start: dt.date
    end: dt.date
    filename: str
    values: Literal["xml", "labels"] = "xml"
    file_format: Literal["xlsx", "csv"] = "xlsx"
    numbers_as_text: bool = True
    kobo_version: str = "vQ7mZk2pRb3xLh9TfW4cNa"
    first_id: int = 246118402

    @property
    def reference_date(self) -> dt.date:
        """The middle of fieldwork: the date the population model is evaluated at."""
        return self.start + (self.end - self.start) / 2


ROUNDS: tuple[RoundSpec, ...] = (
    RoundSpec(1, dt.date(2024, 11, 4), dt.date(2024, 11, 24), "round1_2024-11.xlsx"),
    RoundSpec(
        2,
        dt.date(2025, 5, 5),
        dt.date(2025, 5, 25),
        "round2_2025-05.xlsx",
        values="labels",
        first_id=301774915,
    ),
    RoundSpec(
        3,
        dt.date(2025, 11, 3),
        dt.date(2025, 11, 23),
        "round3_2025-11.csv",
        file_format="csv",
        kobo_version="vX3hD8nLq2TgPw6yRc9mEu",
        first_id=352906311,
    ),
    RoundSpec(
        4,
        dt.date(2026, 5, 4),
        dt.date(2026, 5, 24),
        "round4_2026-05.xlsx",
        numbers_as_text=False,
        kobo_version="vX3hD8nLq2TgPw6yRc9mEu",
        first_id=408513077,
    ),
)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# ------------------------------------------------------------------------------------------
# People: the covariates of sampled respondents and of the Monte Carlo population


def _households(rng: np.random.Generator, villages: pd.DataFrame, idx: np.ndarray) -> pd.DataFrame:
    """Displacement status and number of adults of households in villages ``idx`` (frame rows)."""
    v = villages.iloc[idx]
    u = rng.random(len(idx))
    idp = v["idp_share"].to_numpy()
    ret = v["ret_share"].to_numpy()
    status = np.where(u < idp, "displaced", np.where(u < idp + ret, "returnee", "resident"))
    extra = np.select(
        [status == k for k in ADULTS_MEAN_EXTRA], list(ADULTS_MEAN_EXTRA.values()), 0.0
    )
    adults = np.minimum(1 + rng.poisson(extra), 12)
    return pd.DataFrame(
        {
            "frame_row": idx,
            "region": v["region"].to_numpy(),
            "urban": v["urban"].to_numpy(),
            "displacement": status,
            "displaced": status == "displaced",
            "returnee": status == "returnee",
            "hh_adults": adults,
        }
    )


def _persons(rng: np.random.Generator, hh: pd.DataFrame, female_share: float) -> pd.DataFrame:
    """Add sex, age and the Washington Group answers (codes 1-4) and the disability flag."""
    n = len(hh)
    out = hh.copy()
    out["female"] = rng.random(n) < female_share
    out["age"] = np.minimum(18 + np.floor(rng.gamma(1.8, 12.0, n)), 95).astype(int)
    age10 = (out["age"].to_numpy() - 40) / 10
    disabled = np.zeros(n, dtype=bool)
    for name, base in model.WG_BASE.items():
        some = rng.random(n) < _logistic(base + model.WG_AGE10 * age10)
        a_lot = some & (rng.random(n) < model.WG_A_LOT)
        cannot = a_lot & (rng.random(n) < model.WG_CANNOT)
        out[name] = 1 + some.astype(int) + a_lot.astype(int) + cannot.astype(int)
        disabled |= a_lot
    out["disability"] = disabled
    return out


def _effects(
    rng: np.random.Generator, frame: pd.DataFrame, round_re: pd.DataFrame, people: pd.DataFrame
) -> dict[str, np.ndarray]:
    """Village + person random effect per domain, on the logit scale."""
    rows = people["frame_row"].to_numpy()
    out = {}
    for d in DOMAINS:
        sv, sp = model.DOMAIN_SIGMA[d]
        village = sv * (
            np.sqrt(model.PERSISTENT_SHARE) * frame[f"re_{d}"].to_numpy()[rows]
            + np.sqrt(1 - model.PERSISTENT_SHARE) * round_re[d].to_numpy()[rows]
        )
        out[d] = village + sp * rng.standard_normal(len(people))
    return out


def _round_effects(frame: pd.DataFrame, seed: int, number: int) -> pd.DataFrame:
    """Every frame village's round-specific random effects (standard normal, per domain)."""
    rng = np.random.default_rng([seed, 1000 + number])
    return pd.DataFrame({d: rng.standard_normal(len(frame)) for d in DOMAINS})


def _features(mission: MissionConfig, day: dt.date) -> dict[str, dict[str, float]]:
    return {r.pcode: model.event_features(mission, r.pcode, day) for r in mission.regions}


# ------------------------------------------------------------------------------------------
# Answers


def _ordinal(
    rng: np.random.Generator, outcome: model.Outcome, latent_mean: np.ndarray
) -> np.ndarray:
    ystar = latent_mean + rng.logistic(size=len(latent_mean))
    codes = np.full(len(ystar), outcome.codes[-1])
    for code, cut in reversed(list(zip(outcome.codes[:-1], outcome.cuts, strict=True))):
        codes = np.where(ystar > cut, code, codes)
    return codes


def _answers(
    rng: np.random.Generator,
    people: pd.DataFrame,
    effects: dict[str, np.ndarray],
    features: dict[str, dict[str, float]],
) -> pd.DataFrame:
    """Every item's answer code for each person (object columns; None when not asked)."""
    n = len(people)
    out: dict[str, Any] = {}
    no_presence = people["region"].map({r: f["no_presence"] for r, f in features.items()})
    no_presence_arr = no_presence.to_numpy(dtype=float)
    female = people["female"].to_numpy()
    for name, oc in model.OUTCOMES.items():
        eta = model.linear_predictor(oc, people, features) + oc.sign * effects[oc.domain]
        codes = _ordinal(rng, oc, eta).astype(object)
        dk = np.full(n, oc.dk)
        if oc.domain == "mission":
            dk = dk + model.MISSION_DK_NO_PRESENCE * no_presence_arr
            dk = dk + model.MISSION_DK_FEMALE * female
        u = rng.random(n)
        special = np.full(n, None, dtype=object)
        special[u < oc.refused] = 99
        lo = np.full(n, oc.refused)
        special[(u >= lo) & (u < lo + dk)] = 98
        lo = lo + dk
        if oc.not_applicable:
            special[(u >= lo) & (u < lo + oc.not_applicable)] = 97
            lo = lo + oc.not_applicable
        if name == "safe_dark":
            never = np.where(
                female,
                model.NEVER_OUT_FEMALE + model.NEVER_OUT_FEMALE_NO_PRESENCE * no_presence_arr,
                model.NEVER_OUT_MALE,
            )
            special[(u >= lo) & (u < lo + never)] = 7
        codes = np.where(special != None, special, codes)  # noqa: E711
        out[name] = codes
    # victim_reported is asked of victims only
    out["victim_reported"] = np.where(out["victim"] == 1, out["victim_reported"], None)
    out["discrimination"] = _grounds(rng, people, out.pop("discrimination"))
    return pd.DataFrame(out, index=people.index)


def _grounds(rng: np.random.Generator, people: pd.DataFrame, any_code: np.ndarray) -> np.ndarray:
    """The discrimination select_multiple: space-separated grounds, or none / dk / refused."""
    n = len(people)
    names = list(model.GROUND_WEIGHTS)
    w = np.tile(np.array([model.GROUND_WEIGHTS[g] for g in names]), (n, 1))
    for g, (col, add) in model.GROUND_EXTRA.items():
        w[:, names.index(g)] += add * people[col].to_numpy(dtype=float)
    for col, add in model.GROUND_DISPLACEMENT.items():
        w[:, names.index("displacement")] += add * people[col].to_numpy(dtype=float)
    keys = np.log(w) + rng.gumbel(size=w.shape)  # Gumbel top-k: sampling without replacement
    order = np.argsort(-keys, axis=1)
    k = rng.choice(np.arange(1, 4), p=model.N_GROUNDS_P, size=n)
    out = np.empty(n, dtype=object)
    for i in range(n):
        code = any_code[i]
        if code == 1:
            chosen = sorted(order[i, : k[i]])
            out[i] = " ".join(names[j] for j in chosen)
        elif code == 0:
            out[i] = "none"
        elif code == 98:
            out[i] = "dk"
        else:
            out[i] = "refused"
    return out


# ------------------------------------------------------------------------------------------
# A round


def _pps_systematic(rng: np.random.Generator, sizes: np.ndarray, n: int) -> np.ndarray:
    """Positions of ``n`` units drawn by systematic PPS (sizes must all be below total / n)."""
    cum = np.cumsum(sizes)
    step = cum[-1] / n
    points = rng.uniform(0, step) + step * np.arange(n)
    return np.searchsorted(cum, points, side="right")


def draw_round(
    mission: MissionConfig,
    spec: RoundSpec,
    seed: int,
    frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Draw one round: one row per submission, with codes (not labels) and the weights.

    As :func:`draw_round_and_plan` without the plan.
    """
    return draw_round_and_plan(mission, spec, seed, frame)[0]


def _plan(hh: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The round's sample plan (format of :mod:`mande.weighting.plan`): one row per PSU drawn."""
    g = hh.groupby("frame_row", sort=False)
    first = g.first()
    v = frame.loc[first.index]
    plan = pd.DataFrame(
        {
            "stratum": first["region"].to_numpy(),
            "psu": v["cluster_id"].to_numpy(),
            "inclusion_prob": first["pi_village"].round(8).to_numpy(),
            "households_listed": first["listed"].astype(int).to_numpy(),
            "households_selected": first["selected"].astype(int).to_numpy(),
            "households_interviewed": g["outcome"]
            .apply(lambda o: int((o == "respond").sum()))
            .to_numpy(),
            "nonresponse_class": first["region"].to_numpy(),
            "urban_rural": np.where(v["urban"].to_numpy(), "urban", "rural"),
            "admin2": v["admin2"].to_numpy(),
            "village": v["village"].to_numpy(),
        }
    )
    return plan.sort_values(["stratum", "psu"], kind="stable").reset_index(drop=True)


def draw_round_and_plan(
    mission: MissionConfig,
    spec: RoundSpec,
    seed: int,
    frame: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw one round and its sample plan: one row per submission, with codes (not labels) and
    the weights the survey team's generator knows (never written to the export), and one row
    per PSU drawn (stratum, psu, inclusion_prob, households listed, selected, interviewed).

    Submissions include the refusals (``consent`` 0: only the location fields, no weights);
    :func:`write_round` writes the completed interviews only, as the survey team delivers them.

    Columns are the form's field names (``region``, ``safe_dark``, ``discrimination`` as
    space-separated codes, ...), the Kobo metadata (``start``, ``_uuid`` ...), and
    ``weight_design``, ``weight_nr``, ``weight_final``. Rows are in submission order.
    Reproducible: the round's draws come from ``default_rng([seed, round number])``.
    """
    frame = build_frame(mission, seed) if frame is None else frame
    rng = np.random.default_rng([seed, spec.number])
    features = _features(mission, spec.reference_date)
    round_re = _round_effects(frame, seed, spec.number)

    # -- stage 1 and 2: PSUs by PPS, households by SRS within the re-listed PSU
    hh_parts = []
    census = {}
    for region in mission.regions:
        r = region.pcode
        fr = frame[frame["region"] == r]
        census[r] = float(
            (
                fr["households"]
                * (
                    1
                    + (1 - fr["idp_share"] - fr["ret_share"]) * ADULTS_MEAN_EXTRA["resident"]
                    + fr["idp_share"] * ADULTS_MEAN_EXTRA["displaced"]
                    + fr["ret_share"] * ADULTS_MEAN_EXTRA["returnee"]
                )
            ).sum()
        )
        order = np.lexsort((rng.random(len(fr)), fr["urban"].to_numpy(), fr["admin2"].to_numpy()))
        fr = fr.iloc[order]
        n_h = PSU_ALLOCATION[r] + int(rng.integers(-2, 3))
        sizes = fr["households"].to_numpy(dtype=float)
        total = sizes.sum()
        picked = _pps_systematic(rng, sizes, n_h)
        idp_share = fr["idp_share"].to_numpy()
        urban = fr["urban"].to_numpy()
        for day, pos in enumerate(picked):
            drift = 0.3 if idp_share[pos] > 0.4 else 0.12
            listed = max(round(float(sizes[pos] * np.exp(rng.normal(0, drift)))), 20)
            m = min(HOUSEHOLDS_PER_PSU, listed)
            numbers = np.sort(rng.choice(np.arange(1, listed + 1), size=m, replace=False))
            pi_v = n_h * sizes[pos] / total
            if urban[pos]:
                p = RESPONSE_RATE["capital_urban" if r == "VD01" else "urban"]
            else:
                p = RESPONSE_RATE["rural"]
            u = rng.random(m)
            outcome = np.where(
                u < p, "respond", np.where(u < p + (1 - p) * REFUSAL_SHARE, "refuse", "absent")
            )
            hh_parts.append(
                pd.DataFrame(
                    {
                        "frame_row": int(fr.index[pos]),
                        "hh_number": numbers,
                        "d_hh": 1.0 / (pi_v * m / listed),
                        "psu_order": day,
                        "n_psu": n_h,
                        "outcome": outcome,
                        "pi_village": pi_v,
                        "listed": listed,
                        "selected": m,
                    }
                )
            )
    design = pd.concat(hh_parts, ignore_index=True)
    hh = pd.concat(
        [_households(rng, frame, design["frame_row"].to_numpy()).drop(columns="frame_row"), design],
        axis=1,
    )

    # -- non-response adjustment within stratum (on household weights)
    all_d = hh.groupby("region")["d_hh"].sum()
    resp_d = hh[hh["outcome"] == "respond"].groupby("region")["d_hh"].sum()
    nr_factor = all_d / resp_d

    sub = hh[hh["outcome"] != "absent"].reset_index(drop=True)
    people = _persons(rng, sub, FEMALE_SAMPLE)
    effects = _effects(rng, frame, round_re, people)
    answers = _answers(rng, people, effects, features)
    consent = (sub["outcome"] == "respond").to_numpy()

    df = pd.DataFrame(index=sub.index)
    v = frame.iloc[sub["frame_row"].to_numpy()]
    df["region"] = sub["region"]
    df["admin2"] = v["admin2"].to_numpy()
    df["urban_rural"] = np.where(v["urban"].to_numpy(), "urban", "rural")
    df["stratum"] = sub["region"]
    df["cluster_id"] = v["cluster_id"].to_numpy()
    df["village"] = v["village"].to_numpy()
    df["hh_number"] = sub["hh_number"]
    df["consent"] = np.where(consent, 1, 0)
    df["sex"] = np.where(people["female"], "female", "male")
    df["age"] = people["age"]
    df["hh_adults"] = people["hh_adults"]
    df["displacement"] = people["displacement"]
    for col in answers.columns:
        df[col] = answers[col]
    for name in model.WG_BASE:
        wg = people[name].to_numpy().astype(object)
        u = rng.random(len(df))
        wg[u < 0.008] = 98
        wg[u < 0.003] = 99
        df[name] = wg
    _personal(rng, df, v, consent)

    # -- weights
    d_hh = sub["d_hh"].to_numpy()
    w_design = d_hh * df["hh_adults"].to_numpy(dtype=float)
    w_nr = w_design * sub["region"].map(nr_factor).to_numpy()
    key = df["region"] + ":" + df["sex"]
    totals = {f"{r}:female": FEMALE_CENSUS * c for r, c in census.items()}
    totals |= {f"{r}:male": (1 - FEMALE_CENSUS) * c for r, c in census.items()}
    sums = pd.Series(np.where(consent, w_nr, 0.0)).groupby(key.to_numpy()).sum()
    w_final = w_nr * key.map(lambda k: totals[k] / sums[k]).to_numpy()
    df["weight_design"] = np.where(consent, w_design.round(4), np.nan)
    df["weight_nr"] = np.where(consent, w_nr.round(4), np.nan)
    df["weight_final"] = np.where(consent, w_final.round(4), np.nan)

    # -- non-consent rows carry only what was recorded before the consent question
    after_consent = [
        c
        for c in df.columns
        if c
        not in (
            "region",
            "admin2",
            "urban_rural",
            "stratum",
            "cluster_id",
            "village",
            "hh_number",
            "gps",
            "_gps_parts",
            "consent",
            *WEIGHT_COLUMNS,
        )
    ]
    df.loc[~consent, after_consent] = None

    _kobo_meta(rng, df, sub, spec, mission, consent, seed)
    plan = _plan(hh, frame)
    return df.sort_values("_submission_time", kind="stable").pipe(_number_submissions, spec), plan


def _personal(
    rng: np.random.Generator, df: pd.DataFrame, villages: pd.DataFrame, consent: np.ndarray
) -> None:
    """Respondent name and phone, GPS, and enumerators' comments (some with contact details)."""
    n = len(df)
    female = (df["sex"] == "female").to_numpy()
    df["resp_name"] = person_names(rng, female)
    style = rng.choice(np.arange(3), p=[0.75, 0.18, 0.07], size=n)
    phones = phone_numbers(rng, n, style)
    df["resp_phone"] = [
        p if keep else None for p, keep in zip(phones, rng.random(n) < 0.74, strict=True)
    ]

    lon0 = villages["lon"].to_numpy()
    lat0 = villages["lat"].to_numpy()
    lon = lon0 + rng.normal(0, 0.012, n)
    lat = lat0 + rng.normal(0, 0.012, n)
    for r, ring in REGION_RINGS.items():  # keep every point inside its region
        sel = (df["region"] == r).to_numpy()
        outside = sel & ~points_in_ring(lon, lat, ring)
        lon[outside], lat[outside] = lon0[outside], lat0[outside]
    alt = 420 + 180 * (lat - 3) / 7 + rng.normal(0, 25, n)
    prec = rng.gamma(3.0, 1.6, n) + 1.5
    has_gps = rng.random(n) > 0.03
    df["gps"] = [
        f"{la:.7f} {lo:.7f} {al:.1f} {pr:.1f}" if ok else None
        for la, lo, al, pr, ok in zip(lat, lon, alt, prec, has_gps, strict=True)
    ]
    df["_gps_parts"] = pd.Series(
        [
            (round(la, 7), round(lo, 7), round(al, 1), round(pr, 1)) if ok else None
            for la, lo, al, pr, ok in zip(lat, lon, alt, prec, has_gps, strict=True)
        ],
        index=df.index,
        dtype=object,
    )

    given = np.array(["Alain", "Clarisse", "Moussa", "Odette", "Serge", "Mariam"])
    fam = family_names(rng, n)
    contact_phones = phone_numbers(rng, n, rng.choice(np.arange(3), size=n))
    comments: list[str | None] = []
    kinds = rng.choice(np.arange(10), size=n)
    has = rng.random(n) < 0.09
    for i in range(n):
        if not has[i] or not consent[i]:
            comments.append(None)
            continue
        email = f"{given[i % len(given)].lower()}.{fam[i].lower()}@valdonet.example"
        templates = (
            "RAS",
            "Entretien interrompu puis repris plus tard dans la journée.",
            "Présence du mari pendant une partie de l'entretien.",
            f"L'enquêté(e) souhaite être recontacté(e) au {contact_phones[i]}",
            f"Respondent asked for the results; e-mail: {email}",
            f"Chef de village joignable au {contact_phones[i]}",
            "Respondent was tired, last questions answered quickly.",
            f"Demande une copie du rapport : {email}",
            "Ménage de déplacés arrivé il y a deux mois.",
            "Pluie forte, entretien réalisé sous la véranda.",
        )
        comments.append(templates[kinds[i]])
    df["comments"] = comments


def _kobo_meta(
    rng: np.random.Generator,
    df: pd.DataFrame,
    sub: pd.DataFrame,
    spec: RoundSpec,
    mission: MissionConfig,
    consent: np.ndarray,
    seed: int,
) -> None:
    """start, end, today, deviceid and Kobo's submission metadata."""
    n = len(df)
    dev_rng = np.random.default_rng([seed, 7])  # the same devices every round
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
    devices = {
        (r.pcode, k): "collect:" + "".join(dev_rng.choice(alphabet, size=16))
        for r in mission.regions
        for k in range(1, ENUMERATORS_PER_REGION + 1)
    }
    days = (spec.end - spec.start).days + 1
    enum_k = rng.integers(1, ENUMERATORS_PER_REGION + 1, size=n)
    region = sub["region"].to_numpy().astype(str)
    psu_order = sub["psu_order"].to_numpy()
    n_psu = sub["n_psu"].to_numpy()
    offsets = rng.uniform(0, 40, size=n)
    seconds = rng.uniform(0, 59, size=n)
    minutes = np.where(consent, rng.uniform(24, 52, size=n), rng.uniform(2, 5, size=n))
    millis = rng.integers(0, 999, size=n)
    walk = rng.uniform(8, 25, size=n)
    delay_h = rng.choice([0.3, 4, 10, 30, 55], p=[0.35, 0.25, 0.2, 0.15, 0.05], size=n)
    delay_m = rng.uniform(0, 50, size=n)
    starts, ends, subs = [], [], []
    clock: dict[tuple[str, int, int], dt.datetime] = {}
    for i in range(n):
        day = spec.start + dt.timedelta(days=int(psu_order[i] * days // n_psu[i]))
        key = (region[i], int(psu_order[i]), int(enum_k[i]))
        t0 = clock.get(key) or dt.datetime.combine(day, dt.time(7, 30), TZ) + dt.timedelta(
            minutes=float(offsets[i])
        )
        start = t0 + dt.timedelta(seconds=float(seconds[i]))
        end = start + dt.timedelta(minutes=float(minutes[i]), milliseconds=float(millis[i]))
        clock[key] = end + dt.timedelta(minutes=float(walk[i]))
        delay = dt.timedelta(hours=float(delay_h[i]), minutes=float(delay_m[i]))
        starts.append(start)
        ends.append(end)
        subs.append((end + delay).astimezone(dt.UTC).replace(tzinfo=None))
    df["start"] = [s.isoformat(timespec="milliseconds") for s in starts]
    df["end"] = [e.isoformat(timespec="milliseconds") for e in ends]
    df["today"] = [s.date().isoformat() for s in starts]
    df["deviceid"] = [devices[(r, int(k))] for r, k in zip(region, enum_k, strict=True)]
    df["_submitted_by"] = [f"enq_{r.lower()}_{int(k)}" for r, k in zip(region, enum_k, strict=True)]
    df["_submission_time"] = [s.isoformat(timespec="seconds") for s in subs]
    df["_uuid"] = [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(n)]
    approved = rng.random(n) < 0.65
    df["_validation_status"] = ["validation_status_approved" if a else None for a in approved]
    df["_notes"] = None
    df["_status"] = "submitted_via_web"
    df["__version__"] = spec.kobo_version
    df["_tags"] = None
    df["_gap"] = rng.integers(1, 4, size=n)  # Kobo ids are increasing, not consecutive


def _number_submissions(df: pd.DataFrame, spec: RoundSpec) -> pd.DataFrame:
    df = df.reset_index(drop=True)
    df["_id"] = spec.first_id + np.cumsum(df.pop("_gap").to_numpy())
    return df


def delivered(df: pd.DataFrame) -> pd.DataFrame:
    """The rows the survey team delivers: completed interviews (consent = 1), with Kobo's
    ``_index`` numbering them 1..n. Refusals keep their ``_id`` gaps."""
    out = df[df["consent"] == 1].reset_index(drop=True)
    out["_index"] = np.arange(1, len(out) + 1)
    return out


# ------------------------------------------------------------------------------------------
# Export, the way KoboToolbox writes it


def kobo_table(
    df: pd.DataFrame, form: StandardForm, spec: RoundSpec
) -> tuple[list[str], list[list[Any]]]:
    """The export's header and rows (Python values; ``None`` is an empty cell)."""
    columns = kobo_columns(form)
    header = [h for h, _, _ in columns]
    labels = spec.values == "labels"
    numeric_fields = {"age", "hh_adults", "hh_number"}
    gps_index = {"latitude": 0, "longitude": 1, "altitude": 2, "precision": 3}
    records = df.to_dict("records")
    rows: list[list[Any]] = []
    for rec in records:
        row: list[Any] = []
        for _header, f, part in columns:
            if f is None:  # Kobo metadata
                value = rec.get(part)
                if part == "_validation_status" and value and labels:
                    value = "Approved"
                if part in ("_id", "_index") and spec.numbers_as_text:
                    value = str(value)
                row.append(_cell(value))
                continue
            value = rec.get(f.name)
            if f.type == "geopoint":
                if part == "value":
                    row.append(_cell(value))
                else:
                    parts = rec.get("_gps_parts")
                    x = None if parts is None else parts[gps_index[part]]
                    row.append(_number(x, spec.numbers_as_text))
                continue
            if f.type == "select_multiple":
                if _missing(value):
                    row.append(None)
                elif part == "value":
                    codes = str(value).split()
                    row.append(" ".join(f.label_of(c) for c in codes) if labels else value)
                else:
                    row.append("1" if part in str(value).split() else "0")
                continue
            if _missing(value):
                row.append(None)
            elif f.type == "select_one":
                code = str(int(value)) if isinstance(value, float) else str(value)
                row.append(f.label_of(code) if labels else code)
            elif f.name in numeric_fields:
                row.append(_number(int(value), spec.numbers_as_text))  # type: ignore[arg-type]
            else:
                row.append(_cell(value))
        rows.append(row)
    return header, rows


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _cell(value: Any) -> Any:
    if _missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _number(value: Any, as_text: bool) -> Any:
    if _missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    return str(value) if as_text else value


def write_round(path: Path, df: pd.DataFrame, form: StandardForm, spec: RoundSpec) -> Path:
    """Write a round as delivered: the Kobo export of the completed interviews (see
    :func:`delivered`), without weights (they come from the plan); xlsx (one sheet named after
    the form) or CSV."""
    header, rows = kobo_table(delivered(df), form, spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    if spec.file_format == "csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(["" if x is None else _csv_text(x) for x in row])
        return path
    return write_xlsx(path, [(FORM_ID, [header, *rows])], creator="KoboToolbox", title=FORM_ID)


def _csv_text(x: Any) -> str:
    if isinstance(x, float):
        return repr(x)
    return str(x)


def generate_survey(
    out_dir: Path,
    mission: MissionConfig,
    seed: int,
    rounds: Iterable[int] | None = None,
) -> list[Path]:
    """Write the rounds (all by default) to ``out_dir/rounds/``; return the paths written."""
    form = build_form(mission)
    frame = build_frame(mission, seed)
    wanted = set(rounds) if rounds is not None else {s.number for s in ROUNDS}
    paths = []
    for spec in ROUNDS:
        if spec.number not in wanted:
            continue
        df, plan = draw_round_and_plan(mission, spec, seed, frame)
        paths.append(write_round(Path(out_dir) / "rounds" / spec.filename, df, form, spec))
        paths.append(write_plan(Path(out_dir) / "plans" / plan_filename(spec), plan))
    return paths


def plan_filename(spec: RoundSpec) -> str:
    """The plan file of a round: ``plans/<round file stem>.csv``."""
    return Path(spec.filename).stem + ".csv"


def write_plan(path: Path, plan: pd.DataFrame) -> Path:
    """Write a round's sample plan as CSV (comma-separated, UTF-8, one row per PSU)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(list(plan.columns))
        for row in plan.itertuples(index=False):
            writer.writerow([_csv_text(x.item() if isinstance(x, np.generic) else x) for x in row])
    return path


# ------------------------------------------------------------------------------------------
# The truth


INDICATORS: tuple[tuple[str, str, str], ...] = (
    (
        "SAF-01",
        "safe_dark",
        "% very safe or safe walking alone after dark (of substantive answers)",
    ),
    ("SAF-02", "safe_day", "% very safe or safe during the day"),
    ("SAF-03", "security_trend", "% security improved in the last 3 months"),
    ("VIC-01", "victim_reported", "% of victims of violence in 12 months who reported it"),
    ("INC-01", "say_government", "% some, a lot or a great deal of say in what government does"),
    ("INC-02", "influence_politics", "% some, a lot or a great deal of influence on politics"),
    ("DIS-01", "discrimination", "% felt discriminated against on any ground (past 12 months)"),
    ("SRV-01 health", "sat_health", "% very satisfied or satisfied, health (of users)"),
    (
        "SRV-01 education",
        "sat_education",
        "% very satisfied or satisfied, primary education (of users)",
    ),
    (
        "SRV-01 admin",
        "sat_admin",
        "% very satisfied or satisfied, administrative services (of users)",
    ),
    ("TRU-01 police", "trust_police", "% trust the police somewhat or a lot"),
    ("TRU-01 courts", "trust_courts", "% trust the courts somewhat or a lot"),
    (
        "TRU-01 local admin",
        "trust_local_admin",
        "% trust the local administration somewhat or a lot",
    ),
    ("TRU-01 army", "trust_army", "% trust the army somewhat or a lot"),
    ("ID-01", "identity", "% equally or more national than group identity"),
    ("COH-01", "unfair_treatment", "% say their group is often or always treated unfairly"),
    ("MIS-01", "mission_satisfaction", "% very or rather satisfied with the mission"),
    ("MIS-02", "mission_stay", "% very or rather favourable to the mission staying"),
    ("MIS-03", "mission_impartial", "% agree the mission treats all communities equally"),
    ("MIS-04", "warn_mission", "% would warn the mission of a threat"),
)


def true_values(
    mission: MissionConfig, seed: int, n_per_cell: int = 60_000, frame: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The true population values the rounds are drawn from, by Monte Carlo over the frame.

    For every round, region and item of :data:`INDICATORS`, the proportion of the adult population
    who would give a favourable answer among substantive answers (the model's
    ``E[logistic(eta + u + e)]``, adults weighted as in the population), plus ``region="all"``
    (population-weighted) and, for ``safe_dark``, by sex (``group`` column: all, female, male).
    Monte Carlo error is below 0.3 percentage points with the default ``n_per_cell``.

    Returns a DataFrame: ``indicator``, ``item``, ``round``, ``region``, ``group``, ``value``.
    """
    frame = build_frame(mission, seed) if frame is None else frame
    rows = []
    for spec in ROUNDS:
        rng = np.random.default_rng([seed, 9000 + spec.number])
        features = _features(mission, spec.reference_date)
        round_re = _round_effects(frame, seed, spec.number)
        parts = []
        for region in mission.regions:
            fr = frame[frame["region"] == region.pcode]
            p = fr["households"].to_numpy(dtype=float)
            idx = rng.choice(fr.index.to_numpy(), size=n_per_cell, p=p / p.sum())
            hh = _households(rng, frame, idx)
            people = _persons(rng, hh, FEMALE_CENSUS)
            # a household's draw stands for its adults; scale to the region's adult population
            w = people["hh_adults"].to_numpy(dtype=float)
            people["w"] = w / w.sum() * float((fr["households"]).sum() * w.mean())
            parts.append(people)
        people = pd.concat(parts, ignore_index=True)
        effects = _effects(rng, frame, round_re, people)
        probs = {}
        for name, oc in model.OUTCOMES.items():
            eta = model.linear_predictor(oc, people, features) + oc.sign * effects[oc.domain]
            probs[name] = _logistic(eta)
        probs["victim_reported"] = probs["victim_reported"] * probs["victim"]
        w = people["w"].to_numpy()
        female = people["female"].to_numpy()
        region_of = people["region"].to_numpy().astype(str)
        masks = {r.pcode: region_of == r.pcode for r in mission.regions}
        masks["all"] = np.ones(len(people), dtype=bool)
        for indicator, item, _ in INDICATORS:
            groups: list[tuple[str, np.ndarray]] = [("all", masks["all"])]
            if item == "safe_dark":
                groups += [("female", female), ("male", ~female)]
            for gname, gmask in groups:
                for rname, rmask in masks.items():
                    mask = gmask & rmask
                    num = np.sum(w[mask] * probs[item][mask])
                    den = np.sum(
                        w[mask] * (probs["victim"][mask] if item == "victim_reported" else 1)
                    )
                    rows.append((indicator, item, spec.number, rname, gname, num / den))
    return pd.DataFrame(rows, columns=["indicator", "item", "round", "region", "group", "value"])


def true_values_markdown(values: pd.DataFrame, mission: MissionConfig) -> str:
    """The true values as Markdown tables (one per indicator: region x round, in per cent)."""
    lines: list[str] = []
    rounds = sorted(values["round"].unique())
    head = "| region | " + " | ".join(f"round {r}" for r in rounds) + " |"
    sep = "|---|" + "---:|" * len(rounds)
    names = {r.pcode: f"{r.pcode} {r.label('en')}" for r in mission.regions} | {
        "all": "all regions"
    }
    for indicator, item, text in INDICATORS:
        for group in ("all", "female", "male"):
            sel = values[(values["indicator"] == indicator) & (values["group"] == group)]
            if sel.empty:
                continue
            title = f"**{indicator}** ({item}): {text}"
            if group != "all":
                title += f"; {group} respondents"
            lines += ["", title, "", head, sep]
            for region in [*(r.pcode for r in mission.regions), "all"]:
                cells = [
                    f"{100 * sel[(sel['region'] == region) & (sel['round'] == rnd)]['value'].iloc[0]:.1f}"
                    for rnd in rounds
                ]
                lines.append(f"| {names[region]} | " + " | ".join(cells) + " |")
    return "\n".join(lines).strip() + "\n"
