"""The trend models of the annex's Trends sheet, computed by the function the dashboard's Trends page
calls (:func:`mande.indicator_trends.indicator_trends`), so that the two show the same figures.

For each headline indicator: the design-based linear trend per round, overall and by region
(:func:`mande.linear_trends`), over the survey rounds up to the reported period (a report never
looks at later rounds); and, around the mission's latest event with a round before and a round
after it, the interrupted time series (:func:`mande.interrupted_time_series`) with its caveats.
(Each model is about a second to fit; the dashboard's Trends page fits any other event on demand.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mande.errors import EstimationError

__all__ = ["ModelTrends", "model_trends"]


@dataclass(frozen=True)
class ModelTrends:
    """What the Trends sheet shows of the trend models.

    slopes:
        One :class:`mande.indicator_trends.IndicatorTrends` per indicator (no event): its
        ``slopes`` table (overall and by region) and its ``rounds``.
    its:
        One per indicator x event (``its`` and ``event`` set).
    skipped:
        Indicator id -> why no trend could be estimated (e.g. not a 0/1 or a mean score).
    lang:
        The language of the labels (verdicts, caveats, round names).
    """

    slopes: tuple[Any, ...] = ()
    its: tuple[Any, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    lang: str = "en"


class _RoundsUpTo:
    """A read-only view of a store that holds only some of its rounds (the rounds of the reported
    period and before), so that a report's trend never includes later rounds."""

    def __init__(self, store: Any, keep: Sequence[str]) -> None:
        self._store = store
        self._keep = [str(r) for r in keep]

    def rounds(self) -> Any:
        rounds = self._store.rounds()
        return rounds[rounds["round"].astype(str).isin(self._keep)].reset_index(drop=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _events_within(mission: Any, rounds: Any) -> list[Any]:
    """The mission's events with at least one round ending before and one starting after them."""
    import pandas as pd

    if mission is None or rounds is None or len(rounds) < 2:
        return []
    ends = [pd.Timestamp(v).date() for v in rounds["fieldwork_end"]]
    starts = [pd.Timestamp(v).date() for v in rounds["fieldwork_start"]]
    out = []
    for event in getattr(mission, "events", ()):
        day: dt.date = event.date
        if any(e < day for e in ends) and any(s >= day for s in starts):
            out.append(event)
    return sorted(out, key=lambda e: e.date)


def model_trends(
    store: Any,
    indicators: Sequence[str],
    rounds: Sequence[str],
    lang: str = "en",
    *,
    level: float = 0.95,
) -> ModelTrends:
    """The trend models of ``indicators`` over ``rounds`` (ids, fieldwork order) of ``store``.

    Every figure is :func:`mande.indicator_trends.indicator_trends`'s, as the Trends page shows
    it; an indicator the models cannot take (fewer than two rounds, a score that is neither 0/1
    nor a mean) is listed in ``skipped`` with the reason.
    """
    from mande.indicator_trends import indicator_trends
    from mande.indicators.catalogue import load_catalogue

    if len(rounds) < 2 or not all(hasattr(store, a) for a in ("responses", "design", "mission")):
        return ModelTrends(lang=lang)  # no survey rounds to fit on (a store of results only)
    view = _RoundsUpTo(store, rounds)
    catalogue = load_catalogue()
    # the latest event with rounds on both sides: the one a report of this period is asked about
    events = _events_within(store.mission(), view.rounds())[-1:]
    event = events[0] if events else None
    slopes, its, skipped = [], [], []
    for ind in indicators:
        tr = None
        if event is not None:  # one fit gives the slopes and the time series around the event
            try:
                tr = indicator_trends(
                    view, ind, catalogue, event_id=event.id, lang=lang, level=level
                )
            except EstimationError:
                tr = None  # the event leaves too few rounds on one side for this indicator
        if tr is None:
            try:
                tr = indicator_trends(view, ind, catalogue, lang=lang, level=level)
            except EstimationError as exc:
                skipped.append((str(ind), str(exc)))
                continue
        slopes.append(tr)
        if tr.its is not None and not tr.its.empty:
            its.append(tr)
    return ModelTrends(tuple(slopes), tuple(its), tuple(skipped), lang)
