"""The personal-data gate: every text bound for the store, the audit log or an output passes here.

Ingest removes personal data from the data itself (:mod:`mande.ingest.privacy`: columns found by
their form type, their name and their content). What remains are the *texts about* the data: the
warnings and errors of an upload (which quote the cell they are about), the audit log's details of
a refused upload, free-text answers kept as unmapped questions and the partners' quotes. This module
is the one place that decides what of those may leave ingest.

What the content scan finds (:func:`find_personal`)
---------------------------------------------------
- e-mail addresses, also obfuscated (``name [at] host [dot] org``, ``name (at) host.org``);
- phone numbers (7 to 15 digits with spaces, dots, dashes or brackets; dates are not phones);
- ID, passport and card numbers (``AB1234567``, ``passeport n° ...``, ``CNI: ...``);
- coordinates: a number with four decimals or more between -180 and 180;
- names: a title or role followed by a capitalised word (``Mme Léa``, ``Témoin: Paul``,
  ``présidente NGAÏKOSSÉ``), an all-caps surname next to a capitalised given name (``NGAÏKOSSÉ
  Léa``), and any word of the mission's name lists and partner organisations
  (:class:`Gazetteer`, from ``privacy:`` in ``mission.yaml``).

Decisions
---------
- A problem (warning or error) keeps its row, column, code and reason; its ``value`` is withheld,
  and removed from its message, when its column can hold personal data (free text, a removed
  column, a quote, a name) or when the value itself looks personal (the scan above, or two
  capitalised words, which is how a name typed into the wrong column looks)
  (:func:`screen_problems`).
- Free text kept in a survey round is dropped as a column when any cell is found personal; a quote
  is kept with each finding replaced by ``[name]``, ``[phone]``, ``[email]``, ``[id]``,
  ``[coordinates]`` (:func:`scrub`).
- A number column whose values mostly carry four decimals or more within -180..180 is dropped as
  coordinates, whatever its name (columns named as weights excepted).
- ``village`` (and ``localite``, ``quartier``, ``hamlet``) is replaced by a keyed hash, unless the
  mission lists it under ``privacy.public``; a household number (``hh_number``, ``household``,
  ``menage``) is dropped: with the village it names a household.
- The store passes every JSON text it keeps about an upload (validation report, audit details)
  through :func:`screen_json` as a last line of defence.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import Problem

__all__ = [
    "WITHHELD",
    "Gazetteer",
    "find_personal",
    "screen_columns",
    "screen_json",
    "screen_problems",
    "scrub",
]

WITHHELD = "[withheld]"

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_EMAIL_OBFUSCATED = re.compile(
    r"[\w.+\-]+\s*(?:\[\s*(?:at|@|arobase)\s*\]|\(\s*(?:at|@|arobase)\s*\)|\{\s*(?:at|@)\s*\}"
    r"|\s(?:at|arobase)\s)\s*[\w\-]+(?:\s*(?:\[\s*(?:dot|point)\s*\]|\(\s*(?:dot|point)\s*\)"
    r"|\s(?:dot|point)\s|\.)\s*[\w\-]+)+",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\w/.,])(?:\+|00)?\d(?:[\s.\-()]{0,2}\d){7,14}(?![\w/])")
_DATE_LIKE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}"
)
_ID_KEYWORD = re.compile(
    r"\b(?:passport|passeport|cni|nin|id|carte|card|identit[ée]|matricule|permis)"
    r"[\w'’ ]{0,20}?(?:n[o°º]\.?|num[ée]ro|number|#|:)\s*[A-Z0-9][A-Z0-9\-/ ]{4,}[0-9]",
    re.IGNORECASE,
)
_ID_STRICT = re.compile(r"\b[A-Z]{1,3}[\- ]?\d{6,10}\b")
_COORD = re.compile(r"(?<![\w.])-?\d{1,3}\.\d{4,}(?![\w.])")

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LOWER = "a-zß-öø-ÿā-ž"
_TITLES = (
    "M|MM|Mme|Mmes|Mlle|Mr|Mrs|Ms|Dr|Pr|Monsieur|Madame|Mademoiselle|Colonel|Col|Commandant|Cdt|"
    "Capitaine|Capt|Cap|Lieutenant|Lt|Général|General|Gal|Major|Sergent|Adjudant|Chef|Sultan|"
    "Lamido|Imam|Abbé|Père|Pasteur|Révérend|Reverend|Mgr|Maire|Préfet|Sous-préfet|Ministre|"
    "Minister|Mayor|Prefect|Chief|Président|Présidente|President|Presidente|Témoin|Temoin|"
    "Witness|Victime|Victim|Directeur|Directrice|Director|Coordinateur|Coordinatrice|"
    "Coordinator|Secrétaire|Secretary|Député|Sénateur|Juge|Judge|Docteur|Doctor|Frère|Soeur|"
    "Sœur|Brother|Sister|Mama|Papa|Maman"
)
_TITLED = re.compile(
    rf"\b(?i:{_TITLES})\b\.?\s*:?\s+(?:[{_UPPER}][\w'’\-]+)(?:\s+[{_UPPER}][\w'’\-]+)*"
)
_CAP_WORD = rf"[{_UPPER}][{_LOWER}][{_LOWER}'’\-]+"
_CAPS_WORD = rf"[{_UPPER}]{{3,}}(?:[\-'’][{_UPPER}]{{2,}})*"
_CAPS_NAME = re.compile(
    rf"(?<![\w\[])(?:(?P<a>{_CAPS_WORD})\s+{_CAP_WORD}|(?P<g>{_CAP_WORD})\s+(?P<b>{_CAPS_WORD}))"
    r"(?![\w\]])"
)
_TWO_CAPS = re.compile(rf"\b[{_UPPER}][{_LOWER}]+\s+[{_UPPER}][{_LOWER}]+")
#: All-caps words that are not surnames (acronyms), and capitalised words that are not given names.
_ACRONYMS = frozenset(
    [
        "ONU",
        "UN",
        "UNDP",
        "UNICEF",
        "UNHCR",
        "OCHA",
        "MINUSCA",
        "MINUSMA",
        "MONUSCO",
        "UNMISS",
        "UNIFIL",
        "ONG",
        "NGO",
        "FACA",
        "FSI",
        "PNC",
        "CSV",
        "XLS",
        "XLSX",
        "ODK",
        "KOBO",
        "PSU",
        "GPS",
        "SMS",
        "HIV",
        "SIDA",
        "AIDS",
        "COVID",
        "OMS",
        "WHO",
        "PAM",
        "WFP",
        "CICR",
        "ICRC",
        "MSF",
        "RCA",
        "CAR",
        "RDC",
        "DRC",
        "USA",
        "EU",
        "UE",
        "FMI",
        "IMF",
        "CPI",
        "ICC",
        "DDR",
        "DDRR",
        "SSR",
        "RSS",
        "ANE",
        "CNI",
        "PDF",
        "URL",
        "API",
        "SDG",
        "ODD",
    ]
)
_NOT_GIVEN = frozenset(
    [
        "la",
        "le",
        "les",
        "the",
        "a",
        "an",
        "une",
        "un",
        "des",
        "du",
        "de",
        "au",
        "aux",
        "et",
        "and",
        "of",
        "in",
        "en",
        "sur",
        "pour",
        "par",
        "avec",
        "dans",
        "ce",
        "cette",
        "nous",
        "vous",
        "ils",
        "elles",
        "they",
        "we",
        "notre",
        "our",
        "leur",
        "their",
    ]
)
_HH = r"(?:hh|household|menage|foyer)"
_NUMBER = r"(?:number|num|no|nr|n|id|code|numero)"
_HOUSEHOLD = re.compile(
    rf"(?:^|[_\W]){_HH}[_\W]*{_NUMBER}(?:$|[_\W])|(?:^|[_\W]){_NUMBER}[_\W]*{_HH}(?:$|[_\W])"
)
_VILLAGE = re.compile(
    r"(?:^|[_\W])(?:village|villages|localite|locality|quartier|hamlet)(?:$|[_\W])"
)
_WEIGHT_NAME = re.compile(r"weight|poids|pond|\bwt\b", re.IGNORECASE)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@dataclass(frozen=True)
class Gazetteer:
    """Words that name people or partners in a mission: matched whole, without case or accents.

    Built from ``mission.yaml``::

        privacy:
          names: [Ngaïkossé, Yakité, ...]   # given names and surnames common in the mission area
          partners: [Association des femmes de Bria, ...]
          acronyms: [FACA, ...]             # all-caps words that are not surnames
          public: [village]                 # columns that may be kept in clear
    """

    names: frozenset[str] = frozenset()
    partners: tuple[str, ...] = ()
    acronyms: frozenset[str] = frozenset()
    public: frozenset[str] = frozenset()
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(
        cls,
        names: Iterable[str] = (),
        partners: Iterable[str] = (),
        acronyms: Iterable[str] = (),
        public: Iterable[str] = (),
    ) -> Gazetteer:
        words = {_fold(w) for n in names for w in re.findall(r"[\w'’\-]{3,}", str(n))}
        words = {w for w in words if w and w not in _NOT_GIVEN}
        parts = tuple(sorted({str(p).strip() for p in partners if len(str(p).strip()) >= 3}))
        pattern = (
            re.compile(
                r"(?<!\w)(?:"
                + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                + r")(?!\w)"
            )
            if words
            else None
        )
        return cls(
            frozenset(words),
            parts,
            frozenset(a.upper() for a in acronyms),
            frozenset(_fold(p) for p in public),
            pattern,
        )

    @classmethod
    def from_mission(cls, mission: Any) -> Gazetteer:
        """The mission's lists (``privacy:`` in ``mission.yaml``); an empty gazetteer without."""
        raw = getattr(mission, "raw", None) or {}
        spec = raw.get("privacy") or {} if isinstance(raw, Mapping) else {}
        if not isinstance(spec, Mapping):
            spec = {}
        code = str(getattr(mission, "code", "") or "")
        return cls.of(
            [str(x) for x in spec.get("names") or []],
            [str(x) for x in spec.get("partners") or []],
            [*(str(x) for x in spec.get("acronyms") or []), *([code] if code else [])],
            [str(x) for x in spec.get("public") or []],
        )

    def extended(self, names: Iterable[str] = (), partners: Iterable[str] = ()) -> Gazetteer:
        """This gazetteer with more names and partners (those read from the file itself)."""
        return Gazetteer.of(
            [*self.names, *names],
            [*self.partners, *partners],
            self.acronyms,
            self.public,
        )

    def name_in(self, text: str) -> bool:
        return self._pattern is not None and self._pattern.search(_fold(text)) is not None


_EMPTY = Gazetteer()


def _phones(text: str) -> list[re.Match[str]]:
    dates = [m.span() for m in _DATE_LIKE.finditer(text)]
    return [
        m for m in _PHONE.finditer(text) if not any(a < m.end() and m.start() < b for a, b in dates)
    ]


def _caps_names(text: str, gz: Gazetteer) -> list[tuple[int, int]]:
    out = []
    for m in _CAPS_NAME.finditer(text):
        caps = m.group("a") or m.group("b")
        given = m.group("g") or m.group(0).split()[-1]
        if caps.upper() in _ACRONYMS or caps.upper() in gz.acronyms:
            continue
        if given.lower() in _NOT_GIVEN:
            continue
        out.append((m.start(), m.end()))
    return out


def _coords(text: str) -> list[re.Match[str]]:
    return [m for m in _COORD.finditer(text) if abs(float(m.group(0))) <= 180]


def find_personal(text: Any, gazetteer: Gazetteer | None = None) -> str | None:
    """Why ``text`` holds personal data, or None (the scan is in the module's docstring)."""
    if text is None:
        return None
    s = str(text)
    if not s.strip():
        return None
    gz = gazetteer or _EMPTY
    if _EMAIL.search(s) or _EMAIL_OBFUSCATED.search(s):
        return "an e-mail address"
    if _ID_KEYWORD.search(s) or _ID_STRICT.search(s):
        return "an ID or passport number"
    if _coords(s):
        return "coordinates"
    if _phones(s):
        return "a phone number"
    if _TITLED.search(s) or _caps_names(s, gz):
        return "a person's name"
    if gz.name_in(s):
        return "a name from the mission's name lists"
    for p in gz.partners:
        if _fold(p) in _fold(s):
            return "a partner organisation's name"
    return None


def scrub(text: str, gazetteer: Gazetteer | None = None) -> str:
    """``text`` with every finding of the scan replaced by a marker (``[name]``, ``[phone]``, ...)."""
    gz = gazetteer or _EMPTY
    out = str(text)
    for p in sorted(gz.partners, key=len, reverse=True):
        out = re.sub(re.escape(p), "[partner]", out, flags=re.IGNORECASE)
    out = _EMAIL_OBFUSCATED.sub("[email]", out)
    out = _EMAIL.sub("[email]", out)
    out = _ID_KEYWORD.sub("[id]", out)
    out = _ID_STRICT.sub("[id]", out)
    for m in reversed(_coords(out)):
        out = out[: m.start()] + "[coordinates]" + out[m.end() :]
    for m in reversed(_phones(out)):
        out = out[: m.start()] + "[phone]" + out[m.end() :]
    out = _TITLED.sub(lambda m: m.group(0).split()[0].rstrip(":") + " [name]", out)
    for a, b in reversed(_caps_names(out, gz)):
        out = out[:a] + "[name]" + out[b:]
    if gz._pattern is not None:
        folded = _fold(out)
        if len(folded) == len(out):  # positions line up (no characters decomposed away)
            for m in reversed(list(gz._pattern.finditer(folded))):
                out = out[: m.start()] + "[name]" + out[m.end() :]
        else:
            for w in sorted(gz.names, key=len, reverse=True):
                out = re.sub(rf"(?<!\w){re.escape(w)}(?!\w)", "[name]", out, flags=re.IGNORECASE)
    return re.sub(r"\[name\](?:\s+\[name\])+", "[name]", out)


def _looks_like_a_name(value: str) -> bool:
    return bool(_TWO_CAPS.search(value)) or len(value) > 60


def screen_problems(
    problems: Iterable[Problem],
    personal_columns: Iterable[str | None] = (),
    gazetteer: Gazetteer | None = None,
) -> list[Problem]:
    """Problems fit to be stored, logged and shown: values withheld where they may be personal.

    A problem keeps its severity, code, sheet, row, column and reason. Its ``value`` (and
    ``expected``, when that quotes another cell) is withheld and cut out of its message when its
    column is in ``personal_columns`` or the value itself looks personal; every text left is then
    :func:`scrub`-bed.
    """
    gz = gazetteer or _EMPTY
    personal = {str(c) for c in personal_columns if c is not None}
    out: list[Problem] = []
    for p in problems:
        message, value, expected = p.message, p.value, p.expected
        hidden = [v for v in (value,) if v and (
            p.column in personal or find_personal(v, gz) or _looks_like_a_name(v)
        )]  # fmt: skip
        if p.code in ("codings_disagree",) and p.column in personal and expected:
            hidden.append(expected)
        for v in sorted(hidden, key=len, reverse=True):
            message = message.replace(v, WITHHELD)
            if expected == v:
                expected = None
        if value in hidden:
            value = None
            if WITHHELD not in message:
                message = f"{message} (value withheld: it may hold personal data)"
        out.append(
            replace(
                p,
                message=scrub(message, gz),
                value=None if value is None else scrub(value, gz),
                expected=None if expected is None else scrub(expected, gz),
            )
        )
    return out


def screen_json(obj: Any, gazetteer: Gazetteer | None = None) -> Any:
    """Plain JSON values (dicts, lists, text, numbers) with every text :func:`scrub`-bed."""
    if isinstance(obj, str):
        return scrub(obj, gazetteer)
    if isinstance(obj, Mapping):
        return {k: screen_json(v, gazetteer) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [screen_json(v, gazetteer) for v in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return screen_json(
            {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}, gazetteer
        )
    return obj


# --------------------------------------------------------------------------------------------
# Columns of a survey round


def _mostly_coordinates(s: pd.Series) -> bool:
    x = pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype="float64")
    x = x[np.isfinite(x)]
    if x.size == 0 or (np.abs(x) > 180).any():
        return False
    four_decimals = np.abs(x * 1e3 - np.round(x * 1e3)) > 1e-6
    return float(np.mean(four_decimals)) >= 0.5


def _keyed(values: pd.Series, secret: bytes, prefix: str) -> pd.Series:
    def code(v: Any) -> str:  # letters only: no run of digits that reads like a phone number
        digest = hmac.new(secret, _fold(str(v)).strip().encode(), hashlib.sha256).hexdigest()
        return prefix + "".join(chr(97 + int(c, 16)) for c in digest[:12])

    table = {v: code(v) for v in values.dropna().unique()}
    return values.map(table)


def screen_columns(
    frame: pd.DataFrame,
    *,
    secret: bytes,
    gazetteer: Gazetteer | None = None,
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Kept (non-standard) columns of a survey round, screened: returns (frame, removed).

    Drops text columns in which any cell is found personal, number columns of coordinates and
    household numbers; replaces villages by a keyed hash (``V`` + 12 letters) unless public.
    ``removed`` lists (column, reason).
    """
    gz = gazetteer or _EMPTY
    out = frame.copy()
    removed: list[tuple[str, str]] = []
    for col in list(out.columns):
        name = _fold(str(col))
        s = out[col]
        if _HOUSEHOLD.search(name):
            removed.append((str(col), "household number (with the village it names a household)"))
            del out[col]
            continue
        tokens = set(re.split(r"[_\W]+", name))
        if _VILLAGE.search(name) and not (gz.public & (tokens | {name})):
            out[col] = _keyed(s.astype(object).where(s.notna(), None), secret, "V")
            continue
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            if not _WEIGHT_NAME.search(str(col)) and _mostly_coordinates(s):
                removed.append((str(col), "coordinates (numbers with four decimals or more)"))
                del out[col]
            continue
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            uniq = pd.Series(s.dropna().astype(str).unique())
            reason = next((r for r in (find_personal(v, gz) for v in uniq) if r), None)
            if reason:
                removed.append((str(col), f"free text holding {reason}"))
                del out[col]
    return out, removed
