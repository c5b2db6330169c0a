"""UN editorial style for figures, dates and periods, in English and French.

The Secretary-General's reports write figures in a fixed way, and a draft that does not is sent back:

- percentages in running text are whole numbers spelled with "per cent" ("62 per cent"); French
  writes "62 pour cent" with a non-breaking space between the figure and the words;
- changes between two proportions are in "percentage points", with one decimal ("3.4 percentage
  points"; French "3,4 points de pourcentage", singular below 2: "1,5 point de pourcentage");
- tables show proportions with one decimal ("62.4%"; the annex writes the number and lets the cell
  format '0.0%' display it);
- dates are written day, month, year without a comma ("1 June 2026"; French "1er juin 2026"), and a
  period "from 1 June to 30 September 2026" ("du 1er juin au 30 septembre 2026"); the year is
  repeated only when the two dates fall in different years;
- numbers of four digits and more take a thousands separator ("1,250"; French "1 250" with a
  non-breaking space) and French uses a decimal comma.

Rounding is half away from zero, as the report rounds (62.5 per cent is written "63 per cent"), not
Python's round-half-to-even.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal

from mande.errors import ConfigError

__all__ = [
    "LANGUAGES",
    "NBSP",
    "NNBSP",
    "check_lang",
    "clean_zero",
    "date_range",
    "date_text",
    "fr_typography",
    "number",
    "per_cent",
    "percentage_points",
    "round_half_up",
    "signed",
]

LANGUAGES: tuple[str, ...] = ("en", "fr")
NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space, before ; : ! ? in French

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if the report can be written in it, else raise :class:`ConfigError`."""
    if lang not in LANGUAGES:
        raise ConfigError(
            f"language {lang!r} is not available for reports; expected one of "
            f"{', '.join(LANGUAGES)} (e.g. --lang fr)"
        )
    return lang


def round_half_up(value: float, decimals: int = 0) -> Decimal:
    """Round ``value`` half away from zero to ``decimals`` places, as printed reports round.

    The float is first read through its shortest decimal representation (``repr``), so that
    0.625 * 100 = 62.5 rounds to 63 and 2.675 rounds to 2.68, as a reader of the table expects.
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot round {value!r}: the figure is missing or infinite")
    exp = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(exp, rounding=ROUND_HALF_UP)


def number(value: float, lang: str = "en", decimals: int = 0) -> str:
    """A number as the report writes it: "1,250.5" (en), "1 250,5" (fr, non-breaking space)."""
    check_lang(lang)
    d = round_half_up(value, decimals)
    if d == 0:
        d = abs(d)  # never "-0"
    text = f"{d:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NBSP).replace(".", ",")
    return text


def clean_zero(value: float, decimals: int) -> float:
    """``value``, or exactly ``0.0`` when it rounds to zero at ``decimals`` places.

    A tiny negative figure (an interval bound of -0.0004 points) would otherwise be displayed as
    "-0.0" by a cell format such as ``+0.0;-0.0;0.0``; the annex writes every signed figure
    through this, so that "-0.0" never prints. NaN and infinities are returned unchanged.
    """
    if not math.isfinite(value):
        return value
    return 0.0 if round_half_up(value, decimals) == 0 else float(value)


def signed(value: float, lang: str = "en", decimals: int = 1, *, zero: str = "") -> str:
    """A change with its sign: "+3.4", "-1.2" (ASCII minus), and ``zero`` + "0.0" for a figure that
    rounds to zero (never "-0.0" nor "+0.0"); French "+3,4". The one signed-number formatter of
    the annex, the draft and the dashboard."""
    d = round_half_up(value, decimals)
    if d == 0:
        return f"{zero}{number(0.0, lang, decimals)}"
    return ("+" if d > 0 else "-") + number(float(abs(d)), lang, decimals)


def per_cent(proportion: float, lang: str = "en", decimals: int = 0) -> str:
    """A proportion (0-1) as running text: "62 per cent" / "62 pour cent".

    Whole per cent by default, as the report's text rounds; the space before the words is a
    non-breaking space so that the figure and its unit never split across lines.
    """
    words = "pour cent" if check_lang(lang) == "fr" else "per cent"
    return f"{number(proportion * 100, lang, decimals)}{NBSP}{words}"


def percentage_points(difference: float, lang: str = "en", decimals: int = 1) -> str:
    """The size of a change between two proportions (0-1 scale), without its sign.

    "3.4 percentage points"; "1 percentage point" (en singular only for exactly one);
    "3,4 points de pourcentage"; "1,5 point de pourcentage" (fr singular below two).
    """
    check_lang(lang)
    d = abs(round_half_up(difference * 100, decimals))
    figure = number(float(d), lang, decimals)
    if lang == "fr":
        words = "point de pourcentage" if d < 2 else "points de pourcentage"
    else:
        words = "percentage point" if d == 1 else "percentage points"
    return f"{figure}{NBSP}{words}"


def date_text(day: dt.date, lang: str = "en", *, year: bool = True) -> str:
    """A date as the report writes it: "1 June 2026" / "1er juin 2026"."""
    check_lang(lang)
    d = "1er" if (lang == "fr" and day.day == 1) else str(day.day)
    text = f"{d} {MONTHS[lang][day.month - 1]}"
    return f"{text} {day.year}" if year else text


def date_range(start: dt.date, end: dt.date, lang: str = "en", *, prefix: bool = True) -> str:
    """A period as the report writes it.

    ``prefix=True``: "from 1 June to 30 September 2026" / "du 1er juin au 30 septembre 2026".
    ``prefix=False`` (titles, table headings): "1 June–30 September 2026" /
    "1er juin–30 septembre 2026". The first year is written only when the years differ, the first
    month only when the months differ ("from 4 to 24 May 2026").
    """
    check_lang(lang)
    if end < start:
        raise ConfigError(
            f"a period ends ({end.isoformat()}) before it starts ({start.isoformat()}); "
            "check the reporting calendar in mission.yaml"
        )
    if (start.year, start.month) == (end.year, end.month) and start != end:
        first = "1er" if (lang == "fr" and start.day == 1) else str(start.day)
    else:
        first = date_text(start, lang, year=start.year != end.year)
    last = date_text(end, lang)
    if not prefix:
        return f"{first}–{last}"
    if lang == "fr":
        return f"du {first} au {last}"
    return f"from {first} to {last}"


_SPACES = "[ \t\u00a0\u202f]*"
# double punctuation that ends a word: followed by a space, a closing mark or the end (so that
# "14:30", "https://" and "a:b" codes are left alone)
_FR_PUNCT = re.compile(r"(?<=[^\s(\[])" + _SPACES + r"([;:!?])(?=[\s»)\]]|$)")
_FR_CLOSE = re.compile(_SPACES + "»")
_FR_OPEN = re.compile("«" + _SPACES)
_FR_PERCENT = re.compile(r"(?<=\d)[ \u00a0\u202f]*(%|pour cent)")


def fr_typography(text: str) -> str:
    """French spacing: a narrow no-break space (U+202F) before ; ! ? and a no-break space (U+00A0)
    before : and inside « guillemets », so that the punctuation never starts a line; a no-break
    space between a figure and "%" or "pour cent" ("62\u00a0%", "62\u00a0pour cent").

    Idempotent; a colon inside a word or a figure ("14:30", "https://") is left as it is.
    """
    text = _FR_PUNCT.sub(lambda m: (NBSP if m.group(1) == ":" else NNBSP) + m.group(1), text)
    text = _FR_CLOSE.sub(NBSP + "»", text)
    text = _FR_PERCENT.sub(lambda m: NBSP + m.group(1), text)
    return _FR_OPEN.sub("«" + NBSP, text)


#: A French double punctuation mark without its no-break space before it (what
#: :func:`fr_typography` fixes); used by the tests that scan every French output.
FR_MISSING_SPACE = re.compile(
    r"(?<![\u00a0\u202f(\[])[;:!?](?=[\s»)\]]|$)|«(?!\u00a0)|(?<!\u00a0)»"
)
