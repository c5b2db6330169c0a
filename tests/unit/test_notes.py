"""The footnote under every chart (mande.notes): its source and n, in English and French."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import mande
from mande import notes
from mande.errors import EstimationError
from mande.report.style import NBSP, NNBSP

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
ROUNDS = ["round1_2024-11", "round2_2025-05", "round3_2025-11", "round4_2026-05"]


@pytest.fixture(scope="module")
def mission() -> mande.MissionConfig:
    return mande.load_mission(SAMPLE / "mission.yaml")


def _survey(ns: dict[str, list[int]]) -> pd.DataFrame:
    rows = [(r, g, n) for r, groups in ns.items() for g, n in enumerate(groups)]
    return pd.DataFrame(rows, columns=["round", "group", "n"])


def test_one_round_names_the_mission_the_round_its_month_and_n(
    mission: mande.MissionConfig,
) -> None:
    # a breakdown: the round's n is the sum over its groups
    rows = _survey({"round4_2026-05": [700, 504]})
    assert notes.source_note(rows, mission, order=ROUNDS) == (
        "Source: MINUSVA perception survey, round 4 (May 2026); n = 1,204 respondents."
    )
    assert notes.source_note(rows, mission, order=ROUNDS, lang="fr") == (
        f"Source{NBSP}: enquête de perception de la MINUSVA, vague 4 (mai 2026){NNBSP}; "
        f"n = 1{NBSP}204 personnes interrogées."
    )


def test_several_rounds_give_the_span_and_the_range_of_n(mission: mande.MissionConfig) -> None:
    rows = _survey({r: [n] for r, n in zip(ROUNDS, [2965, 3158, 3114, 2951], strict=True)})
    assert notes.source_note(rows, mission, order=ROUNDS) == (
        "Source: MINUSVA perception survey, rounds 1–4 (November 2024 to May 2026); "
        "n = 2,951 to 3,158 respondents per round."
    )
    fr = notes.source_note(rows, mission, order=ROUNDS, lang="fr")
    assert "vagues 1 à 4 (novembre 2024 à mai 2026)" in fr
    assert f"de 2{NBSP}951 à 3{NBSP}158 personnes interrogées par vague" in fr
    same = _survey({r: [500] for r in ROUNDS[1:3]})
    assert notes.source_note(same, mission, order=ROUNDS).endswith(
        "rounds 2–3 (May 2025 to November 2025); n = 500 respondents."
    )


def test_without_a_mission_rounds_keep_their_labels() -> None:
    rows = _survey({"R1": [10], "R2": [12]})
    assert notes.source_note(rows) == (
        "Source: the mission's perception survey, rounds 1–2 (R1 to R2); "
        "n = 10 to 12 respondents per round."
    )


def test_partner_interviews_count_interviews_once_and_partners(
    mission: mande.MissionConfig,
) -> None:
    iv = pd.DataFrame(
        {
            "interview_id": ["a", "a", "b", "c", "d"],
            "coder_rank": [1, 2, 1, 1, 1],  # "a" coded twice: one interview
            "partner_id": ["P1", "P1", "P1", "P2", "P3"],
            "date": pd.to_datetime(
                ["2025-03-02", "2025-03-02", "2025-07-01", "2026-06-10", "2026-09-30"]
            ),
            "period": ["wrong", "wrong", "wrong", "wrong", "wrong"],  # placed again by date
        }
    )
    assert notes.source_note(iv, mission, source="partners") == (
        "Source: MINUSVA partner interviews, 1 February 2025–30 September 2026; "
        "n = 4 interviews with 3 partner organisations."
    )
    fr = notes.source_note(iv, mission, source="partners", lang="fr")
    assert fr.startswith(
        f"Source{NBSP}: entretiens avec les partenaires de la MINUSVA, 1er février"
    )
    assert "4 entretiens avec 3 organisations partenaires" in fr


def test_what_a_note_cannot_be_built_from_is_said() -> None:
    with pytest.raises(EstimationError, match="'n'"):
        notes.source_note(pd.DataFrame({"round": ["R1"]}))
    with pytest.raises(EstimationError, match="every n is 0"):
        notes.source_note(_survey({"R1": [0]}))
    with pytest.raises(EstimationError, match="partner_id"):
        notes.source_note(pd.DataFrame({"interview_id": [1]}), source="partners")
    with pytest.raises(EstimationError, match="'survey' or 'partners'"):
        notes.source_note(_survey({"R1": [1]}), source="census")  # type: ignore[arg-type]
