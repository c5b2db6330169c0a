"""Invented names in the style of the sample mission's (francophone, central African) country.

Every name is built from syllables or drawn from common given names; none refers to a real person or
place on purpose.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "FEMALE_GIVEN",
    "MALE_GIVEN",
    "family_names",
    "person_names",
    "phone_numbers",
    "place_names",
]

FEMALE_GIVEN = (
    "Marie", "Aïcha", "Fatimé", "Clarisse", "Odette", "Brigitte", "Mireille", "Zénabou",
    "Hadjara", "Solange", "Pélagie", "Grâce", "Chantal", "Rachel", "Esther", "Léontine",
    "Nadège", "Raïssa", "Mariam", "Hawa", "Joséphine", "Bernadette", "Prisca", "Albertine",
    "Ruth", "Yvette", "Micheline", "Sylvie", "Khadidja", "Ornella",
)  # fmt: skip
MALE_GIVEN = (
    "Jean-Pierre", "Moussa", "Abdoulaye", "Thierry", "Didier", "Fidèle", "Prosper", "Hervé",
    "Ibrahim", "Mahamat", "Serge", "Rodrigue", "Evrard", "Blaise", "Gervais", "Ousmane",
    "Aristide", "Joseph", "Bienvenu", "Crépin", "Arsène", "Hassan", "Firmin", "Landry",
    "Saturnin", "Alphonse", "Issa", "Modeste", "Romaric", "Célestin",
)  # fmt: skip
_FAMILY_HEAD = (
    "Nga", "Yaka", "Mbo", "Dou", "Zan", "Kpa", "Fei", "Nda", "Gba", "Wa", "Sé", "Ko", "Ya",
    "Bé", "Ndo", "Sa", "Gou", "Mo",
)  # fmt: skip
_FAMILY_TAIL = (
    "ïkoua", "mandé", "dakala", "nguéré", "bada", "lingba", "yangou", "kassa", "ndji", "wana",
    "malé", "rabé", "zoui", "mbona", "tiko", "goumba", "ssélé", "kandji",
)  # fmt: skip
_PLACE_HEAD = (
    "Ba", "Bo", "Ka", "Ko", "Nda", "Ngo", "Mba", "Zé", "Gou", "Sa", "Bé", "Ma", "Ya", "Dé",
    "Ou", "Bi", "Ki", "Lo", "Mo", "Ta", "Do", "Ga", "Kou", "Ndi", "Se", "Wo",
)  # fmt: skip
_PLACE_MID = (
    "ngo", "la", "ko", "mba", "ssa", "ra", "bi", "ndi", "lé", "ka", "ya", "nga", "mo", "dji",
    "go", "ba", "ro", "zi", "",
)  # fmt: skip
_PLACE_TAIL = ("", "a", "é", "ou", "i", "ro", "ngui", "ba", "lo", "mé", "da", "kro")


def place_names(rng: np.random.Generator, n: int, taken: set[str] | None = None) -> list[str]:
    """``n`` distinct invented place names (also distinct from ``taken``, which is updated)."""
    taken = set() if taken is None else taken
    out: list[str] = []
    while len(out) < n:
        name = (
            _PLACE_HEAD[rng.integers(len(_PLACE_HEAD))]
            + _PLACE_MID[rng.integers(len(_PLACE_MID))]
            + _PLACE_TAIL[rng.integers(len(_PLACE_TAIL))]
        )
        if len(name) < 4 or name in taken:
            continue
        if rng.random() < 0.08:  # a few compound names, as "Ndakala-Gbé"
            name = f"{name}-{_PLACE_HEAD[rng.integers(len(_PLACE_HEAD))]}{_PLACE_TAIL[rng.integers(1, len(_PLACE_TAIL))]}"
            if name in taken:
                continue
        taken.add(name)
        out.append(name)
    return out


def family_names(rng: np.random.Generator, n: int) -> np.ndarray:
    head = np.array(_FAMILY_HEAD)[rng.integers(len(_FAMILY_HEAD), size=n)]
    tail = np.array(_FAMILY_TAIL)[rng.integers(len(_FAMILY_TAIL), size=n)]
    return np.char.add(head.astype(str), tail.astype(str))


def person_names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """Full names ("Clarisse Ndakala"), given name by sex; some written family name first, in capitals."""
    n = len(female)
    given = np.where(
        female,
        np.array(FEMALE_GIVEN)[rng.integers(len(FEMALE_GIVEN), size=n)],
        np.array(MALE_GIVEN)[rng.integers(len(MALE_GIVEN), size=n)],
    )
    family = family_names(rng, n)
    upper_first = rng.random(n) < 0.3  # "NDAKALA Clarisse", as often written on forms
    return np.array(
        [
            f"{f.upper()} {g}" if u else f"{g} {f}"
            for g, f, u in zip(given, family, upper_first, strict=True)
        ],
        dtype=object,
    )


def phone_numbers(rng: np.random.Generator, n: int, style: np.ndarray | None = None) -> np.ndarray:
    """Mobile numbers of the form ``+236 7x xx xx xx``.

    ``style`` (0, 1 or 2 per number) chooses the writing: 0 ``+236 72 14 55 08``,
    1 ``72 14 55 08``, 2 ``+23672145508``.
    """
    digits = rng.integers(0, 10, size=(n, 7))
    second = rng.choice(np.array([0, 2, 5, 7, 2, 5]), size=n)
    style = np.zeros(n, dtype=int) if style is None else style
    out = np.empty(n, dtype=object)
    for i in range(n):
        d = "".join(str(x) for x in digits[i])
        local = f"7{second[i]} {d[0:2]} {d[2:4]} {d[4:6]}"
        if style[i] == 1:
            out[i] = local
        elif style[i] == 2:
            out[i] = "+236" + local.replace(" ", "")
        else:
            out[i] = "+236 " + local
    return out
