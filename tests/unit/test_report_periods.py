"""Reporting periods: labels, which rounds and interviews fall in a period, the comparison period."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from _report_example import mission, rounds

from mande.errors import ConfigError, DataValidationError
from mande.report.periods import (
    assign_periods,
    get_period,
    interviews_in_period,
    previous_period,
    reporting_periods,
    rounds_in_period,
)


def test_sample_calendar_and_labels() -> None:
    periods = reporting_periods(mission())
    assert [p.id for p in periods] == [
        "2024-10", "2025-02", "2025-06", "2025-10", "2026-02", "2026-06", "2026-10"
    ]  # fmt: skip
    p = get_period(mission(), "2026-06")
    assert p.label("en") == "from 1 June to 30 September 2026"
    assert p.label("fr") == "du 1er juin au 30 septembre 2026"
    assert get_period(mission(), "2025-12-24").id == "2025-10"
    assert get_period(mission(), dt.date(2025, 12, 24)).label("en") == (
        "from 1 October 2025 to 31 January 2026"
    )


def test_unknown_period_lists_the_calendar() -> None:
    with pytest.raises(ConfigError, match=r"2026-06 \(2026-06-01 to 2026-09-30\)"):
        get_period(mission(), "2027-01")


def test_round_belongs_to_the_period_of_its_fieldwork_end() -> None:
    straddling = pd.DataFrame(
        {
            "round": ["A", "B", "C"],
            "fieldwork_start": ["2026-05-20", "2026-06-02", "2030-01-01"],
            "fieldwork_end": ["2026-06-10", "2026-06-20", "2030-01-20"],
        }
    )
    placed = assign_periods(straddling, mission())
    assert placed["period"].tolist() == ["2026-06", "2026-06", None]
    assert rounds_in_period(straddling, mission(), "2026-06")["round"].tolist() == ["A", "B"]


def test_previous_period_is_the_latest_earlier_one_with_a_round() -> None:
    r = rounds()
    assert previous_period(mission(), "2026-06", r).id == "2026-02"
    skipping = r[r["round"] != "R4"]  # no round in 2026-02: compare with 2025-10
    assert previous_period(mission(), "2026-06", skipping).id == "2025-10"
    assert previous_period(mission(), "2025-02", r) is None
    assert previous_period(mission(), "2026-06").id == "2026-02"  # calendar only


def test_interviews_in_period_by_date() -> None:
    iv = pd.DataFrame({"date": ["2026-05-31", "2026-06-01", "2026-09-30", "2026-10-01"]})
    got = interviews_in_period(iv, mission(), "2026-06")
    assert got["date"].tolist() == ["2026-06-01", "2026-09-30"]


def test_bad_dates_are_all_reported() -> None:
    bad = pd.DataFrame({"round": ["A", "B"], "fieldwork_end": ["2026-13-01", "soon"]})
    with pytest.raises(DataValidationError) as err:
        assign_periods(bad, mission())
    assert len(err.value.problems) == 2
    with pytest.raises(DataValidationError, match="fieldwork_end"):
        assign_periods(bad.drop(columns="fieldwork_end"), mission())
