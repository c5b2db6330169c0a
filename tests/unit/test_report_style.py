"""UN editorial style: per cent, percentage points, dates and periods, in English and French."""

from __future__ import annotations

import datetime as dt

import pytest

from mande.errors import ConfigError
from mande.report.style import (
    NBSP,
    date_range,
    date_text,
    fr_typography,
    number,
    per_cent,
    percentage_points,
    round_half_up,
)


def test_per_cent_whole_in_text() -> None:
    assert per_cent(0.62) == f"62{NBSP}per cent"
    assert per_cent(0.625) == f"63{NBSP}per cent"  # half away from zero, as the report rounds
    assert per_cent(0.6249) == f"62{NBSP}per cent"
    assert per_cent(0.62, "fr") == f"62{NBSP}pour cent"
    assert per_cent(0.624, "fr", decimals=1) == f"62,4{NBSP}pour cent"


def test_percentage_points_one_decimal_and_agreement() -> None:
    assert percentage_points(0.034) == f"3.4{NBSP}percentage points"
    assert percentage_points(-0.034) == f"3.4{NBSP}percentage points"  # the verb carries the sign
    assert percentage_points(0.01) == f"1.0{NBSP}percentage point"
    assert percentage_points(0.034, "fr") == f"3,4{NBSP}points de pourcentage"
    assert percentage_points(0.015, "fr") == f"1,5{NBSP}point de pourcentage"


def test_round_half_up_reads_the_decimal_figure() -> None:
    assert (
        str(round_half_up(2.675, 2)) == "2.68"
    )  # float 2.675 is 2.67499...; the table shows 2.675
    assert str(round_half_up(0.5)) == "1"
    assert str(round_half_up(-0.5)) == "-1"
    with pytest.raises(ValueError, match="missing"):
        round_half_up(float("nan"))


def test_numbers_thousands_and_decimal_comma() -> None:
    assert number(1256) == "1,256"
    assert number(1256, "fr") == f"1{NBSP}256"
    assert number(-0.01, "en", 1) == "0.0"  # never "-0.0"
    assert number(1234.56, "fr", 1) == f"1{NBSP}234,6"


def test_dates_and_periods_as_the_report_writes_them() -> None:
    start, end = dt.date(2026, 6, 1), dt.date(2026, 9, 30)
    assert date_text(start) == "1 June 2026"
    assert date_text(start, "fr") == "1er juin 2026"
    assert date_range(start, end) == "from 1 June to 30 September 2026"
    assert date_range(start, end, "fr") == "du 1er juin au 30 septembre 2026"
    assert date_range(start, end, prefix=False) == "1 June–30 September 2026"
    across = date_range(dt.date(2025, 10, 1), dt.date(2026, 1, 31))
    assert across == "from 1 October 2025 to 31 January 2026"
    assert date_range(dt.date(2025, 10, 1), dt.date(2026, 1, 31), "fr") == (
        "du 1er octobre 2025 au 31 janvier 2026"
    )
    with pytest.raises(ConfigError, match="ends"):
        date_range(end, start)


def test_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(ConfigError, match="en, fr"):
        per_cent(0.5, "es")


def test_french_typography() -> None:
    text = fr_typography("Note : voir « annexe » ; fin ?")
    assert text == "Note\u00a0: voir «\u00a0annexe\u00a0»\u202f; fin\u202f?"


def test_range_within_one_month() -> None:
    assert date_range(dt.date(2026, 5, 4), dt.date(2026, 5, 24)) == "from 4 to 24 May 2026"
    assert date_range(dt.date(2026, 5, 1), dt.date(2026, 5, 24), "fr") == "du 1er au 24 mai 2026"
