"""A small, fixed set of report inputs for the sample mission (MINUSVA), used by the report tests.

Figures are drawn once from a seeded generator; they are inputs, not expected results: the tests
compare what the annex and the narrative show with these frames.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from mande.config import MissionConfig, load_mission
from mande.report.build import PartnersInputs, ReportInputs

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"

INDICATORS = [
    # id, en, fr, section, polarity, kind
    (
        "SAF-01",
        "Feel safe walking alone after dark",
        "Se sentent en sécurité la nuit",
        "security",
        "up",
        "proportion",
    ),
    (
        "SAF-02",
        "Feel safe during the day",
        "Se sentent en sécurité le jour",
        "security",
        "up",
        "proportion",
    ),
    (
        "SAF-03",
        "Security improved in the last 3 months",
        "Sécurité améliorée (3 derniers mois)",
        "security",
        "up",
        "proportion",
    ),
    (
        "VIC-01",
        "Crime reported to authorities",
        "Crimes signalés aux autorités",
        "protection_of_civilians",
        "up",
        "proportion",
    ),
    (
        "INC-01",
        "Have a say in what government does",
        "Ont leur mot à dire sur l'action du gouvernement",
        "state_authority",
        "up",
        "proportion",
    ),
    (
        "TRU-01",
        "Trust in state institutions",
        "Confiance dans les institutions de l'État",
        "state_authority",
        "up",
        "proportion",
    ),
    (
        "ID-01",
        "Identification with the state",
        "Identification à l'État",
        "state_authority",
        "up",
        "proportion",
    ),
    (
        "DIS-01",
        "Felt discriminated against",
        "Se sont sentis discriminés",
        "human_rights",
        "down",
        "proportion",
    ),
    (
        "MIS-01",
        "Satisfaction with the mission",
        "Satisfaction à l'égard de la mission",
        "mission_performance",
        "up",
        "proportion",
    ),
    (
        "MIS-02",
        "Mission should stay",
        "La mission devrait rester",
        "mission_performance",
        "up",
        "proportion",
    ),
]

ROUNDS = [
    # round, label, fieldwork start, end, n
    ("R1", "Round 1 (March 2025)", dt.date(2025, 3, 3), dt.date(2025, 3, 21), 1180),
    ("R2", "Round 2 (July 2025)", dt.date(2025, 7, 7), dt.date(2025, 7, 25), 1215),
    ("R3", "Round 3 (November 2025)", dt.date(2025, 11, 3), dt.date(2025, 11, 21), 1202),
    (
        "R4",
        '=HYPERLINK("http://evil.example","Round 4")',
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 20),
        1240,
    ),
    ("R5", "Round 5 (July 2026)", dt.date(2026, 6, 29), dt.date(2026, 7, 17), 1256),
]

GROUPS = {
    "sex": ["female", "male"],
    "age_group": ["18-24", "25-34", "35-49", "50-64", "65+"],
    "region": ["VD01", "VD02", "VD03", "VD04", "VD05", "VD06"],
    "urban_rural": ["urban", "rural"],
    "displacement": ["resident", "displaced", "returnee"],
    "disability": ["with disability", "without disability"],
}


def mission() -> MissionConfig:
    return load_mission(SAMPLE / "mission.yaml")


def indicators() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator": i,
                "name_en": en,
                "name_fr": fr,
                "sg_section": s,
                "polarity": pol,
                "kind": k,
                "min_n": 30,
                "definition_en": f"Share of respondents: {en.lower()}.",
                "definition_fr": f"Part des personnes interrogées : {fr.lower()}.",
                "non_substantive_en": "Don't know and refused are left out of the denominator and counted.",
                "non_substantive_fr": "Ne sait pas et refus sont exclus du dénominateur et comptés.",
            }
            for i, en, fr, s, pol, k in INDICATORS
        ]
    )


def results(seed: int = 20260801) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for j, (ind, *_rest) in enumerate(INDICATORS):
        base = 0.35 + 0.04 * j
        for r, (rid, _label, _s, _e, n_total) in enumerate(ROUNDS):
            # a clear rise for SAF-01 and MIS-01, a fall for DIS-01, noise elsewhere
            trend = {"SAF-01": 0.09, "DIS-01": -0.08, "MIS-02": -0.08}.get(ind, 0.0)
            level = base + trend * r + rng.normal(0, 0.006)
            cells = [("total", "total", n_total)]
            for b, groups in GROUPS.items():
                share = n_total / len(groups)
                for g in groups:
                    n = int(share * rng.uniform(0.8, 1.2))
                    if b == "disability" and g == "with disability":
                        n = 24 if ind == "VIC-01" else int(rng.uniform(60, 90))
                    cells.append((b, g, n))
            for b, g, n in cells:
                est = float(
                    np.clip(level + (0 if b == "total" else rng.normal(0, 0.04)), 0.02, 0.98)
                )
                se = float(np.sqrt(est * (1 - est) / n) * 1.4)
                dfree = 60 if b == "total" else 40
                rows.append(
                    {
                        "indicator": ind,
                        "round": rid,
                        "breakdown": b,
                        "group": g,
                        "estimate": est,
                        "se": se,
                        "ci_low": max(0.0, est - 2.0 * se),
                        "ci_high": min(1.0, est + 2.0 * se),
                        "n": n,
                        "df": dfree,
                        "n_dont_know": int(n * 0.04),
                        "n_refused": int(n * 0.01),
                        "suppressed": n < 30,
                        "low_precision": se / est > 0.3,
                    }
                )
    return pd.DataFrame(rows)


def rounds() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "round": r,
                "label": label,
                "fieldwork_start": s,
                "fieldwork_end": e,
                "n": n,
                "data_version": f"v{i + 1}",
                "source": f"perception_survey_{r}.xlsx" if r != "R3" else "-cmd|' /C calc'!A0.xlsx",
            }
            for i, (r, label, s, e, n) in enumerate(ROUNDS)
        ]
    )


def partners() -> PartnersInputs:
    types = [
        "national_authority",
        "local_authority",
        "security_forces",
        "un_agency",
        "national_ngo",
    ]
    dims = [
        "trust",
        "mutual_benefit",
        "cooperation",
        "information_sharing",
        "communication",
        "impartiality",
        "acceptance",
        "local_ownership",
    ]
    rng = np.random.default_rng(7)
    rows = []
    for period in ("2026-02", "2026-06"):
        for t in types:
            vals = {d: float(np.round(rng.uniform(2.2, 4.3), 2)) for d in dims}
            rqi = (
                (np.mean([vals["trust"], vals["mutual_benefit"], vals["cooperation"]]) - 1)
                / 4
                * 100
            )
            rows.append(
                {
                    "partner_type": t,
                    "period": period,
                    "rqi": float(rqi),
                    "ci_low": float(rqi - 8.5),
                    "ci_high": float(rqi + 7.9),
                    "n": int(rng.integers(6, 15)),
                    **vals,
                    "coercion_cooperation": float(np.round(rng.uniform(2.5, 4.5), 2)),
                }
            )
    reliability = pd.DataFrame(
        {
            "dimension": dims,
            "alpha": [0.81, 0.74, 0.78, 0.69, 0.72, 0.66, 0.71, 0.63],
            "n_units": [18] * len(dims),
            "n_coders": [2] * len(dims),
        }
    )
    quotes = pd.DataFrame(
        {
            "partner_type": ["local_authority", "national_ngo", "security_forces", "un_agency"],
            "quote": [
                '=HYPERLINK("http://evil.example","click")',
                "The patrols now stop to talk with the village committee.",
                "+SUM(1,2) we share information every week",
                "Not for publication.",
            ],
            "consent": [True, True, True, False],
            "date": [
                dt.date(2026, 7, 2),
                dt.date(2026, 8, 12),
                dt.date(2026, 6, 20),
                dt.date(2026, 7, 9),
            ],
        }
    )
    robust = {
        "sentence_en": "Where the mission ran robust operations, the relationship-quality index was "
        "6 points lower (95% CI 1 to 11 points), other things being equal.",
        "sentence_fr": "Là où la mission a mené des opérations robustes, l'indice de qualité de la "
        "relation était inférieur de 6 points (IC à 95 % : 1 à 11 points), toutes choses égales par ailleurs.",
        "estimate": -6.1,
        "ci_low": -11.2,
        "ci_high": -1.0,
        "p_value": 0.019,
        "n": 64,
    }
    return PartnersInputs(
        rqi=pd.DataFrame(rows),
        reliability=reliability,
        robust=robust,
        quotes=quotes,
        n_interviews=64,
    )


def inputs() -> ReportInputs:
    return ReportInputs(
        mission=mission(),
        rounds=rounds(),
        results=results(),
        indicators=indicators(),
        partners=partners(),
        produced_by="M&E Unit, MINUSVA",
        produced_at=dt.datetime(2026, 10, 5, 9, 30, tzinfo=dt.UTC),
        data_versions={"R4": "v4", "R5": "v5", "catalogue": "1"},
    )


SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
UPDATE_ENV = "MANDE_UPDATE_SNAPSHOTS"


def check_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/snapshots/<name>``; rewrite it when MANDE_UPDATE_SNAPSHOTS=1.

    A missing snapshot is written and the test fails, so that a new snapshot is always reviewed.
    """
    import os

    import pytest

    path = SNAPSHOTS / name
    if os.environ.get(UPDATE_ENV) == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if os.environ.get(UPDATE_ENV) != "1":
            pytest.fail(f"snapshot {name} did not exist and was written: review and commit it")
        return
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        import difflib

        diff = "\n".join(
            difflib.unified_diff(
                expected.splitlines(), text.splitlines(), "snapshot", "now", lineterm=""
            )
        )
        pytest.fail(
            f"{name} differs from its snapshot (set {UPDATE_ENV}=1 to accept):\n{diff[:6000]}"
        )
