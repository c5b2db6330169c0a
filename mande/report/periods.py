"""Reporting periods: the Secretary-General's calendar from ``mission.yaml``.

A report covers one period. What falls in it:

- a **survey round** belongs to the period that contains its *fieldwork end date* (the day the last
  interview was done: the data describe the situation up to that day, and a round that straddles two
  periods is reported once, in the period in which it was completed). A round whose fieldwork ends
  outside every period of the calendar is in no period and is never reported;
- a **partner interview** belongs to the period that contains its interview date;
- the **previous period** a report compares with is the latest earlier period that holds a survey
  round (a period without fieldwork is skipped, and the report says which period it compares with).

When several rounds end in the same period, the report's estimates come from the latest of them (by
fieldwork end date); every round is still listed among the data sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from mande.config import MissionConfig, Period
from mande.dates import parse_date
from mande.errors import ConfigError, DataValidationError, Problem
from mande.report.style import date_range

__all__ = [
    "ReportingPeriod",
    "assign_periods",
    "get_period",
    "interviews_in_period",
    "previous_period",
    "reporting_periods",
    "round_period",
    "rounds_in_period",
]

ROUND_COLUMNS = ("round", "fieldwork_start", "fieldwork_end")


@dataclass(frozen=True)
class ReportingPeriod:
    """One period of the reporting calendar, with its place in it.

    ``start`` and ``end`` are inclusive; ``index`` counts from 0 in calendar order.
    """

    id: str
    start: dt.date
    end: dt.date
    index: int

    def label(self, lang: str = "en") -> str:
        """As the report's text writes it: "from 1 June to 30 September 2026"."""
        return date_range(self.start, self.end, lang)

    def title(self, lang: str = "en") -> str:
        """As a heading writes it: "1 June–30 September 2026"."""
        return date_range(self.start, self.end, lang, prefix=False)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def round_period(
    mission: MissionConfig, fieldwork_start: object, fieldwork_end: object
) -> str | None:
    """The one rule for which period a round belongs to: the period containing its fieldwork end
    date (its start date when the end is unknown); None outside the calendar."""
    day = _as_date(fieldwork_end) or _as_date(fieldwork_start)
    if day is None:
        return None
    return next((p.id for p in reporting_periods(mission) if p.contains(day)), None)


def reporting_periods(mission: MissionConfig) -> tuple[ReportingPeriod, ...]:
    """The mission's reporting periods, in calendar order."""
    ordered: list[Period] = sorted(mission.periods, key=lambda p: p.start)
    return tuple(ReportingPeriod(p.id, p.start, p.end, i) for i, p in enumerate(ordered))


def get_period(mission: MissionConfig, period: str | dt.date | ReportingPeriod) -> ReportingPeriod:
    """Find a period by its id ("2026-06"), or the period containing a date ("2026-07-15").

    Raises
    ------
    ConfigError
        When nothing matches; the message lists the periods of the calendar.
    """
    periods = reporting_periods(mission)
    if isinstance(period, ReportingPeriod):
        period = period.id
    if isinstance(period, str):
        for p in periods:
            if p.id == period:
                return p
        try:
            day: dt.date | None = dt.date.fromisoformat(period)
        except ValueError:
            day = None
    else:
        day = period
    if day is not None:
        for p in periods:
            if p.contains(day):
                return p
    known = ", ".join(f"{p.id} ({p.start.isoformat()} to {p.end.isoformat()})" for p in periods)
    raise ConfigError(
        f"period {period!s} is not in the mission's reporting calendar; give a period id or a date "
        f"inside one of: {known or '(no periods: add reporting: to mission.yaml)'}"
    )


def _as_date(value: object) -> dt.date | None:
    """A round's or an interview's date (:func:`mande.dates.parse_date`); raises ValueError."""
    return parse_date(value)


def assign_periods(
    rounds: pd.DataFrame, mission: MissionConfig, *, date_column: str = "fieldwork_end"
) -> pd.DataFrame:
    """Add a ``period`` column: the id of the period containing each row's ``date_column``.

    Rows whose date falls outside the calendar get ``None``. Returns a new frame.

    Raises
    ------
    DataValidationError
        When the date column is missing or a date does not parse.
    """
    if date_column not in rounds.columns:
        raise DataValidationError(
            f"cannot place rows in reporting periods: column '{date_column}' is missing",
            [
                Problem(
                    f"column '{date_column}' not found; columns: {', '.join(map(str, rounds.columns))}",
                    code="missing_column",
                    column=date_column,
                )
            ],
        )
    periods = reporting_periods(mission)
    out = rounds.copy()
    ids: list[str | None] = []
    problems: list[Problem] = []
    starts = (
        out["fieldwork_start"].tolist()
        if date_column == "fieldwork_end" and "fieldwork_start" in out.columns
        else [None] * len(out)
    )
    for i, value in enumerate(out[date_column].tolist()):
        try:
            # a round whose end is unknown falls by its start (the rule of round_period)
            day = _as_date(value) or _as_date(starts[i])
        except (ValueError, TypeError):
            problems.append(
                Problem(
                    f"'{value}' is not a date (expected YYYY-MM-DD)",
                    code="bad_date",
                    row=i,
                    column=date_column,
                    value=str(value),
                )
            )
            ids.append(None)
            continue
        ids.append(next((p.id for p in periods if day and p.contains(day)), None))
    if problems:
        raise DataValidationError(f"dates in '{date_column}' do not parse", problems)
    out["period"] = pd.Series(ids, index=out.index, dtype="object")
    return out


def rounds_in_period(
    rounds: pd.DataFrame, mission: MissionConfig, period: str | ReportingPeriod
) -> pd.DataFrame:
    """The survey rounds whose fieldwork ends in ``period``, latest fieldwork end last."""
    p = get_period(mission, period)
    placed = assign_periods(rounds, mission)
    sel = placed[placed["period"] == p.id]
    return sel.sort_values("fieldwork_end", kind="stable").reset_index(drop=True)


def interviews_in_period(
    interviews: pd.DataFrame,
    mission: MissionConfig,
    period: str | ReportingPeriod,
    *,
    date_column: str = "date",
) -> pd.DataFrame:
    """The partner interviews held in ``period`` (by ``date_column``)."""
    p = get_period(mission, period)
    placed = assign_periods(interviews, mission, date_column=date_column)
    return placed[placed["period"] == p.id].drop(columns="period").reset_index(drop=True)


def previous_period(
    mission: MissionConfig,
    period: str | ReportingPeriod,
    rounds: pd.DataFrame | Iterable[str] | None = None,
) -> ReportingPeriod | None:
    """The period a report compares with: the latest earlier period holding a survey round.

    ``rounds`` is the rounds table (with ``fieldwork_end``) or an iterable of period ids that hold a
    round. Without it, the calendar's immediately preceding period is returned.
    """
    p = get_period(mission, period)
    earlier = [q for q in reporting_periods(mission) if q.index < p.index]
    if rounds is None:
        return earlier[-1] if earlier else None
    if isinstance(rounds, pd.DataFrame):
        with_round = set(assign_periods(rounds, mission)["period"].dropna())
    else:
        with_round = set(rounds)
    for q in reversed(earlier):
        if q.id in with_round:
            return q
    return None
