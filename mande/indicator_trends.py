"""An indicator's trend across the stored survey rounds: what the Trends page and the annex show.

One place computes, for a catalogue indicator, from the store:

- the design-based linear trend per round, overall and by region (:func:`mande.linear_trends`: the
  slope in percentage points per round with its confidence interval and verdict);
- the interrupted time series around a dated mission event (:func:`mande.interrupted_time_series`)
  with its caveats;
- the model-based line over the observed rounds: the fitted values of the same linear model
  :math:`E[y] = \\beta_0 + \\beta_1 t` with their pointwise confidence band
  :math:`x_t^\\top\\hat\\beta \\pm t_{df,1-\\alpha/2}\\sqrt{x_t^\\top \\hat V x_t}`, where
  :math:`\\hat V` is the design-based (linearization) covariance of :func:`mande.trend_model`,
  beside each round's own design-based estimate.

Rounds are named by :func:`round_label`: the mission's fieldwork month (``"May 2026"``), from
``mission.yaml``, never the file name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mande.errors import EstimationError

if TYPE_CHECKING:
    import pandas as pd

    from mande.config import Event, MissionConfig

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
}


def fieldwork_month(day: dt.date, lang: str = "en") -> str:
    """``"May 2026"`` / ``"mai 2026"``: the month of a fieldwork date."""
    return f"{_MONTHS['fr' if lang == 'fr' else 'en'].split()[day.month - 1]} {day.year}"


def round_label(
    round_id: str,
    mission: MissionConfig | None,
    lang: str = "en",
    start: Any = None,
) -> str:
    """A round as people name it: its fieldwork month from ``mission.yaml`` (else from ``start``,
    the stored fieldwork start), else the stored label."""
    from mande.dates import as_date  # pandas: not imported when the CLI starts

    window = mission.fieldwork.get(round_id) if mission is not None else None
    day = window[0] if window else as_date(start)
    return fieldwork_month(day, lang) if day is not None else str(round_id)


@dataclass(frozen=True)
class IndicatorTrends:
    """The trend figures of one indicator (every table is in percentage points for a proportion).

    Attributes
    ----------
    indicator, name, unit:
        Catalogue id, name in the requested language, ``"pp"`` or the score's unit.
    rounds:
        One row per round in date order: round, label (fieldwork month), t (0, 1, ...), date,
        estimate, ci_low, ci_high, n (the round's design-based estimate), fit, fit_low, fit_high
        (the model-based line and its band).
    slopes:
        :func:`mande.linear_trends` overall and by region, with a ``label`` column.
    its:
        :func:`mande.interrupted_time_series` around ``event`` (None without an event).
    event:
        The event, or None.
    """

    indicator: str
    name: str
    unit: str
    rounds: pd.DataFrame
    slopes: pd.DataFrame
    its: pd.DataFrame | None
    event: Event | None


def _stacked(store: Any, indicator: str, catalogue: Any) -> tuple[Any, Any, Any, Any]:
    import pandas as pd

    from mande.footprint.analysis import score_indicator
    from mande.stats.trends import stack_rounds

    rounds = store.rounds()
    if len(rounds) < 2:
        raise EstimationError(
            f"a trend needs two survey rounds or more; the store holds {len(rounds)}. Upload "
            "another round first."
        )
    frames = []
    design = store.design(rounds["round"].iloc[0])
    for label in rounds["round"]:
        frame = store.responses(label).copy()
        frame["round"] = label
        frame["_y"], measure = score_indicator(frame, catalogue, indicator)
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    data, stacked_design = stack_rounds(data, design, round="round")
    return data, stacked_design, rounds, measure


def indicator_trends(
    store: Any,
    indicator: str,
    catalogue: Any,
    *,
    event_id: str | None = None,
    lang: str = "en",
    level: float = 0.95,
) -> IndicatorTrends:
    """The trend figures of ``indicator`` over the store's current rounds (see the module).

    Raises :class:`mande.errors.EstimationError` with fewer than two rounds, or for an unknown
    event.
    """
    import numpy as np
    import pandas as pd
    from scipy import stats

    from mande.dates import as_date
    from mande.stats.estimate import estimate
    from mande.stats.trends import interrupted_time_series, linear_trends, trend_model

    data, design, rounds, measure = _stacked(store, indicator, catalogue)
    mission = store.mission()
    order = list(rounds["round"])
    t_of = {r: i for i, r in enumerate(order)}
    data["_t"] = data["round"].map(t_of).astype(float)
    proportion = bool(set(pd.unique(data["_y"].dropna())) <= {0.0, 1.0})
    scale = 100.0 if proportion else 1.0
    polarity = measure.indicator.polarity
    slopes = linear_trends(
        data, design, {indicator: "_y"}, by="region", order=order,
        polarity={indicator: polarity}, level=level, lang=lang,
    )  # fmt: skip
    slopes["label"] = slopes["group"].astype(str)

    fit = trend_model(data, design, "_y ~ _t", family="gaussian", level=level)
    beta = fit.params.to_numpy()
    vcov = fit.vcov.to_numpy()
    crit = float(stats.t.ppf(0.5 + level / 2, fit.df_resid))
    rows = []
    for r, start, end in zip(
        rounds["round"], rounds["fieldwork_start"], rounds["fieldwork_end"], strict=True
    ):
        own = data[data["round"] == r]
        est = estimate(own, design, "_y", level=level)
        x = np.array([1.0, float(t_of[r])])
        centre, half = float(x @ beta), crit * float(np.sqrt(x @ vcov @ x))
        first, last = as_date(start), as_date(end)
        mid = first + (last - first) / 2 if first and last else first
        rows.append({
            "round": r, "label": round_label(r, mission, lang, start), "t": t_of[r], "date": mid,
            "estimate": float(est["estimate"].iloc[0]) * scale,
            "ci_low": float(est["ci_low"].iloc[0]) * scale,
            "ci_high": float(est["ci_high"].iloc[0]) * scale,
            "n": int(own["_y"].notna().sum()),
            "fit": centre * scale, "fit_low": (centre - half) * scale,
            "fit_high": (centre + half) * scale,
        })  # fmt: skip
    its = None
    event = None
    if event_id is not None:
        events = {e.id: e for e in (mission.events if mission is not None else ())}
        if event_id not in events:
            raise EstimationError(
                f"mission event {event_id!r} not found; expected one of {sorted(events)} "
                "(mission.yaml, events)"
            )
        event = events[event_id]
        dates = {row["round"]: row["date"] for row in rows}
        its = interrupted_time_series(
            data, design, {indicator: "_y"}, event, round_dates=dates, level=level, lang=lang
        )
    name = measure.name(lang)
    return IndicatorTrends(
        indicator=indicator,
        name=str(name or indicator),
        unit="pp" if proportion else "",
        rounds=pd.DataFrame(rows),
        slopes=slopes,
        its=its,
        event=event,
    )
