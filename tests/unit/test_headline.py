"""The Overview's headline sentences, from a small table of rounds and significant changes."""

from __future__ import annotations

import pandas as pd

from mande.headline import headline_sentences

ROUNDS = pd.DataFrame(
    {
        "round": ["r1", "r2"],
        "n_respondents": [3100, 2997],
        "fieldwork_start": [pd.Timestamp("2025-11-03"), pd.Timestamp("2026-05-04")],
        "fieldwork_end": [pd.Timestamp("2025-11-23"), pd.Timestamp("2026-05-24")],
    }
)


def _change(ind: str, breakdown: str, group: str, est: float, verdict: str) -> dict[str, object]:
    return {
        "indicator": ind, "short_name": ind.lower(), "breakdown": breakdown, "group": group,
        "estimate": est, "unit": "percentage points", "verdict": verdict,
    }  # fmt: skip


CHANGES = pd.DataFrame(
    [
        _change("SAF-03", "total", "total", -8.0, "deteriorated"),
        _change("MIS-01", "total", "total", -6.3, "deteriorated"),
        _change("SAF-03", "sex", "female", -9.9, "deteriorated"),
        _change("SAF-03", "region", "VD06", -14.2, "deteriorated"),
        _change("SAF-01", "region", "VD06", -20.5, "deteriorated"),
    ]
)


def test_headline_names_the_survey_the_largest_changes_and_the_group() -> None:
    lines = headline_sentences(ROUNDS, CHANGES, None, "en")
    assert lines[0] == (
        "The latest survey, May 2026, interviewed 2,997 people between 4 May 2026 and 24 May 2026."
    )
    assert lines[1] == (
        "Since November 2025, 2 indicators changed significantly for all respondents: "
        "saf-03 \u22128.0 points (significant in 2 groups) and mis-01 \u22126.3 points."
    )
    assert len(lines) == 2  # without a mission, no group is named


def test_headline_in_french_without_changes() -> None:
    lines = headline_sentences(ROUNDS, CHANGES.iloc[0:0], None, "fr")
    assert lines[0].startswith("La dernière enquête, mai 2026, a interrogé 2\u202f997 personnes")
    assert lines[1] == (
        "Depuis novembre 2025, aucun indicateur n'a varié de manière significative pour "
        "l'ensemble des répondants."
    )
