"""The notes under a chart: where its figures come from and how many people they rest on, and the
key to the numbered mission events drawn on a time axis.

Every chart of the dashboard carries a footnote built here, from the data the chart draws, so that
the same chart says the same thing on every page and in both languages::

    Source: MINUSVA perception survey, round 4 (May 2026); n = 2,951 respondents.
    Source : enquête de perception de la MINUSVA, vague 4 (mai 2026) ; n = 2 951 personnes interrogées.

Rounds are named by their fieldwork month from ``mission.yaml``
(:func:`mande.indicator_trends.round_label`) and numbered by their place among the rounds; partner
figures by the reporting periods of the mission's calendar (:mod:`mande.report.periods`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import pandas as pd

from mande.dates import as_date
from mande.errors import EstimationError

__all__ = ["EVENT_WINDOW_DAYS", "event_key", "events_on_axis", "source_note"]

# Events this many days before the first round or after the last one are still drawn (and keyed);
# older or later events would only squeeze the rounds into a corner of the axis.
EVENT_WINDOW_DAYS = 183

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "survey": "Source: {mission} perception survey, {rounds}; n = {n}.",
        "partners": "Source: {mission} partner interviews, {periods}; n = {n}.",
        "round": "round {k} ({label})",
        "rounds": "rounds {first}–{last} ({start} to {end})",
        "respondents": "{n} respondents",
        "per_round": "{low} to {high} respondents per round",
        "interviews": "{n} interviews with {partners} partner organisations",
        "events": "Events: {items}.",
        "the_mission": "the mission's",
    },
    "fr": {
        "survey": "Source : enquête de perception de la {mission}, {rounds} ; n = {n}.",
        "partners": "Source : entretiens avec les partenaires de la {mission}, {periods} ; n = {n}.",
        "round": "vague {k} ({label})",
        "rounds": "vagues {first} à {last} ({start} à {end})",
        "respondents": "{n} personnes interrogées",
        "per_round": "de {low} à {high} personnes interrogées par vague",
        "interviews": "{n} entretiens avec {partners} organisations partenaires",
        "events": "Événements : {items}.",
        "the_mission": "mission",
    },
}


#: What every view writes in place of an estimate suppressed for too few respondents (the
#: Explorer's chart and table, the maps, the Overview's cards), in English and French.
SUPPRESSED = {"en": "suppressed (n too small)", "fr": "masqué (effectif trop faible)"}


def _text(lang: str) -> dict[str, str]:
    return _TEXT["fr" if lang == "fr" else "en"]


def _number(value: float, lang: str) -> str:
    from mande.report.style import number

    return number(float(value), "fr" if lang == "fr" else "en")


def _mission_name(mission: Any, lang: str) -> str:
    code = getattr(mission, "code", None)
    return str(code) if code else _text(lang)["the_mission"]


def source_note(
    data: pd.DataFrame,
    mission: Any = None,
    *,
    source: Literal["survey", "partners"] = "survey",
    order: Sequence[Any] | None = None,
    lang: str = "en",
) -> str:
    """The footnote of a chart: its source and its n, in English or French.

    Parameters
    ----------
    data:
        What the chart draws. ``source="survey"``: indicator results (``round``, ``n``; one row per
        round and group, as :func:`mande.compute_indicators` returns them); the n of a round is the
        sum over the rows of that round (the groups of one breakdown, or the overall row).
        ``source="partners"``: the coded interviews (``interview_id``, ``partner_id``, ``period``,
        optionally ``coder_rank``: a second coder's sheet of the same interview is not counted
        again).
    mission:
        The mission (:class:`mande.MissionConfig`): its code names the source, its fieldwork
        windows name the rounds, its reporting calendar names the periods. ``None``: "the
        mission's", rounds by their stored label, periods by their id.
    order:
        Every round label in time order, to number the rounds ("round 4"); default: the rounds in
        ``data``, sorted.
    lang:
        ``"en"`` or ``"fr"``.

    Returns
    -------
    str
        "Source: MINUSVA perception survey, round 4 (May 2026); n = 2,951 respondents." or, for
        several rounds, "Source: MINUSVA perception survey, rounds 1–4 (November 2024 to May
        2026); n = 2,951 to 3,158 respondents per round."; for partner interviews "Source: MINUSVA
        partner interviews, 1 October 2024–30 September 2026; n = 337 interviews with 82 partner
        organisations."
    """
    if source == "partners":
        return _partner_note(data, mission, lang)
    if source != "survey":
        raise EstimationError(f"source_note got source={source!r}; expected 'survey' or 'partners'")
    for col in ("round", "n"):
        if col not in data.columns:
            raise EstimationError(
                f"source_note needs column {col!r} in the survey rows it describes; columns "
                f"present: {list(data.columns)}"
            )
    from mande.indicator_trends import round_label

    text = _text(lang)
    counts = pd.to_numeric(data["n"], errors="coerce").groupby(data["round"].astype(str)).sum()
    counts = counts[counts > 0]
    if counts.empty:
        raise EstimationError("source_note got no survey rows with respondents (every n is 0)")
    everyone = [str(r) for r in order] if order is not None else sorted(counts.index)
    shown = [r for r in everyone if r in counts.index] + [
        r for r in sorted(counts.index) if r not in everyone
    ]
    number = {r: everyone.index(r) + 1 if r in everyone else None for r in shown}

    def label(r: str) -> str:
        return round_label(r, mission, lang)

    if len(shown) == 1:
        r = shown[0]
        rounds = text["round"].format(k=number[r], label=label(r)) if number[r] else label(r)
        n = text["respondents"].format(n=_number(counts[r], lang))
    else:
        first, last = shown[0], shown[-1]
        rounds = text["rounds"].format(
            first=number[first] or label(first),
            last=number[last] or label(last),
            start=label(first),
            end=label(last),
        )
        low, high = counts[shown].min(), counts[shown].max()
        n = (
            text["respondents"].format(n=_number(low, lang))
            if low == high
            else text["per_round"].format(low=_number(low, lang), high=_number(high, lang))
        )
    return _typography(
        text["survey"].format(mission=_mission_name(mission, lang), rounds=rounds, n=n), lang
    )


def _partner_note(interviews: pd.DataFrame, mission: Any, lang: str) -> str:
    for col in ("interview_id", "partner_id"):
        if col not in interviews.columns:
            raise EstimationError(
                f"source_note(source='partners') needs column {col!r} of the coded interviews; "
                f"columns present: {list(interviews.columns)}"
            )
    text = _text(lang)
    frame = interviews
    if mission is not None and "date" in frame.columns:  # the period its date falls in
        from mande.reporting.partners import interviews_with_periods

        frame = interviews_with_periods(frame, mission)
    if "coder_rank" in frame.columns:
        rank = pd.to_numeric(frame["coder_rank"], errors="coerce").fillna(1)
        frame = frame[rank <= 1]
    if frame.empty:
        raise EstimationError("source_note got no partner interview to describe")
    n_interviews = frame["interview_id"].nunique()
    n_partners = frame["partner_id"].nunique()
    held = [str(p) for p in frame["period"].dropna().unique()] if "period" in frame else []
    periods = ", ".join(sorted(held))
    if mission is not None and held:
        from mande.report.periods import reporting_periods
        from mande.report.style import date_range

        calendar = [p for p in reporting_periods(mission) if p.id in set(held)]
        if calendar:
            periods = date_range(calendar[0].start, calendar[-1].end, lang, prefix=False)
    n = text["interviews"].format(n=_number(n_interviews, lang), partners=_number(n_partners, lang))
    return _typography(
        text["partners"].format(mission=_mission_name(mission, lang), periods=periods, n=n), lang
    )


def _typography(text: str, lang: str) -> str:
    if lang != "fr":
        return text
    from mande.report.style import NBSP, NNBSP

    return text.replace(" : ", f"{NBSP}: ").replace(" ; ", f"{NNBSP}; ")


def events_on_axis(
    events: Iterable[Any] | None, dates: Iterable[Any], *, window_days: int = EVENT_WINDOW_DAYS
) -> list[tuple[int, Any]]:
    """The mission events a time axis over ``dates`` (the rounds' dates) shows, numbered from 1 in
    date order: those that overlap the rounds' span widened by ``window_days`` on each side.

    The chart's numbered markers (:func:`mande.charts.trends.trend_svg`) and the key under it
    (:func:`event_key`) both come from this list, so that a number means one event.
    """
    days = [d for d in (as_date(v) for v in dates) if d is not None]
    if not events or not days:
        return []
    low = min(days) - dt.timedelta(days=window_days)
    high = max(days) + dt.timedelta(days=window_days)
    kept = []
    for e in events:
        start = as_date(getattr(e, "date", None))
        if start is None:
            continue
        end = as_date(getattr(e, "end", None)) or start
        if end >= low and start <= high:
            kept.append((start, e))
    kept.sort(key=lambda pair: pair[0])
    return [(k, e) for k, (_, e) in enumerate(kept, start=1)]


def event_key(numbered: Sequence[tuple[int, Any]], lang: str = "en") -> str:
    """The key to a chart's event markers: "Events: 1 (1 December 2024) Temporary operating bases
    opened in Mbali and Lake Tora; 2 (1 March–31 October 2025) Operation Bouclier…". Empty when
    no event is drawn."""
    if not numbered:
        return ""
    from mande.report.style import date_range, date_text

    code = "fr" if lang == "fr" else "en"
    items = []
    for k, e in numbered:
        start = as_date(e.date)
        end = as_date(getattr(e, "end", None))
        if start is None:
            continue
        when = date_range(start, end, code, prefix=False) if end else date_text(start, code)
        label = e.text(code) if hasattr(e, "text") else str(getattr(e, "id", ""))
        items.append(f"{k} ({when}) {label}")
    sep = " ; " if lang == "fr" else "; "
    return _typography(_text(lang)["events"].format(items=sep.join(items)), lang)
