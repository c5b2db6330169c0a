"""The personal-data gate: what the content scan finds, what it leaves alone, and how problems are
screened before they are stored or shown."""

from __future__ import annotations

import pandas as pd
import pytest

from mande.errors import Problem
from mande.gate import Gazetteer, find_personal, screen_columns, screen_json, screen_problems, scrub


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("écrire à jean.yakite [at] gmail [dot] com", "an e-mail address"),
        ("contact: awa (at) ong-bria.org", "an e-mail address"),
        ("awa.doko@example.org", "an e-mail address"),
        ("appeler le +236 75 12 34 56", "a phone number"),
        ("tel 72001122 le soir", "a phone number"),
        ("passeport n° AB1234567", "an ID or passport number"),
        ("CNI: 12-345-678", "an ID or passport number"),
        ("P 4455667 délivré à Bangui", "an ID or passport number"),
        ("vu à 4.361234, 18.555678", "coordinates"),
        ("Témoin: Paul Gbangou a tout vu", "a person's name"),
        ("selon la présidente NGAÏKOSSÉ Léa", "a person's name"),
        ("Léa NGAÏKOSSÉ est partie", "a person's name"),
        ("Mme Zanga dit que", "a person's name"),
    ],
)
def test_the_scan_finds(text: str, reason: str) -> None:
    assert find_personal(text) == reason
    cleaned = scrub(text)
    assert find_personal(cleaned) is None, cleaned


@pytest.mark.parametrize(
    "text",
    [
        "La MINUSCA patrouille la nuit",
        "les gens du quartier ont peur",
        "interview dated 2025-03-14 00:00:00, outside the fieldwork (2025-03-01 to 2025-03-31)",
        "the file mixes form versions: 2024.3 (28 rows, first at row 22)",
        "weights are very unequal: Kish's design effect 1 + CV² = 2.31",
        "answer 'maybe' is not a choice of 'safe_dark'",
        "42",
    ],
)
def test_the_scan_leaves_ordinary_text_alone(text: str) -> None:
    assert find_personal(text) is None
    assert scrub(text) == text


def test_the_missions_name_lists_and_partners() -> None:
    gz = Gazetteer.of(names=["Yakité", "Ngaïkossé"], partners=["Association Femmes Debout"])
    assert find_personal("yakite est venu", gz) == "a name from the mission's name lists"
    assert find_personal("l'association femmes debout a aidé", gz) is not None
    assert "Yakité" not in scrub("Yakité est venu", gz)
    assert "Femmes Debout" not in scrub("Association Femmes Debout a aidé", gz)
    assert find_personal("yakite est venu") is None  # not without the list


def test_problems_keep_where_and_why_but_not_the_cell() -> None:
    problems = [
        Problem(
            "'Marie-Claire KOYASSÉ 75123456' is not a number",
            column="age",
            row=7,
            value="Marie-Claire KOYASSÉ 75123456",
            code="invalid_number",
            expected="a number",
        ),
        Problem(
            "the cell holds a formula",
            column="Quote",
            row=3,
            value="=Mme Odette Zanga a tout vu",
            severity="warning",
            code="formula_as_text",
        ),
        Problem("answer 'maybe' is not a choice", column="safe_dark", row=2, value="maybe"),
    ]
    out = screen_problems(problems, personal_columns=["Quote"])
    assert [(p.row, p.column, p.code) for p in out] == [
        (7, "age", "invalid_number"),
        (3, "Quote", "formula_as_text"),
        (2, "safe_dark", "invalid"),
    ]
    assert out[0].value is None and "KOYASS" not in out[0].message and "7512" not in out[0].message
    assert out[1].value is None and "Zanga" not in out[1].message
    assert out[2].value == "maybe" and "maybe" in out[2].message


def test_screen_json_scrubs_every_text() -> None:
    obj = {"first_errors": ["row 3: tel +236 75 12 34 56"], "n": 3, "nested": [{"m": "M. Doko"}]}
    out = screen_json(obj)
    assert out["n"] == 3
    assert "75 12" not in str(out) and "Doko" not in str(out)


def test_columns_coordinates_households_villages_and_free_text() -> None:
    frame = pd.DataFrame(
        {
            "x_coord": [18.555678, 18.561234, 18.549876],
            "weight_design": [1.23456, 0.98765, 1.11111],
            "hh_number": [1.0, 2.0, 3.0],
            "hh_size": [4.0, 5.0, 6.0],
            "village": ["Ndjoko", "Bria-Centre", "Ndjoko"],
            "comments": ["rien", "Témoin: Paul Gbangou", None],
            "other_text": ["oui", "non", "peut-être"],
        }
    )
    out, removed = screen_columns(frame, secret=b"k")
    gone = dict(removed)
    assert set(gone) == {"x_coord", "hh_number", "comments"}
    assert list(out.columns) == ["weight_design", "hh_size", "village", "other_text"]
    assert out["village"].iloc[0] == out["village"].iloc[2] != "Ndjoko"
    assert out["village"].str.fullmatch(r"V[a-p]{12}").all()
    public, _ = screen_columns(frame, secret=b"k", gazetteer=Gazetteer.of(public=["village"]))
    assert list(public["village"]) == ["Ndjoko", "Bria-Centre", "Ndjoko"]
