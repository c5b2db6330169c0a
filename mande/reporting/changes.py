"""The change table of a reporting period: every indicator x breakdown x group compared with the
previous period, tested with false-discovery-rate control over the family the policy states, each
verdict printed with its false-coverage-rate adjusted interval.

This is the one place that decides which rounds a period compares and which changes are called
significant; the Overview and Explorer pages, the annex and the draft all read this table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, EstimationError, Problem
from mande.reporting.policy import ReportingPolicy

__all__ = [
    "CHANGE_COLUMNS",
    "PeriodComparison",
    "PeriodFigures",
    "change_table",
    "period_comparison",
    "period_figures",
]

#: The columns of :func:`change_table`, in order.
CHANGE_COLUMNS = (
    "indicator", "breakdown", "group", "round_from", "round_to", "estimate_from", "estimate_to",
    "estimate", "se", "df", "ci_low", "ci_high", "ci_level", "ci_low_unadjusted",
    "ci_high_unadjusted", "p_value", "q_value", "significant", "verdict", "verdict_label",
    "not_compared_reason", "polarity", "unit", "n_from", "n_to", "family",
)  # fmt: skip


@dataclass(frozen=True)
class PeriodComparison:
    """Which rounds a period's figures come from and which period they are compared with.

    ``period`` holds ``current_round`` (the latest round whose fieldwork ends in it);
    ``previous`` is the latest earlier period holding a round (a period without fieldwork is
    skipped) and ``previous_round`` its latest round; both None when no earlier period has one.
    """

    period: Any  # ReportingPeriod
    previous: Any | None
    current_round: str
    previous_round: str | None
    rounds: pd.DataFrame  # every round with its ``period``, in fieldwork order

    def comparison_label(self, lang: str = "en") -> str:
        """The comparison period by its dates ("1 February–31 May 2026"), "" without one."""
        return self.previous.title(lang) if self.previous is not None else ""


def period_comparison(
    rounds: pd.DataFrame, mission: Any, period: str | dt.date | Any | None = None
) -> PeriodComparison:
    """The rounds a period reports and compares, by the one rule of
    :mod:`mande.report.periods`: a round belongs to the period containing its fieldwork end date.

    Parameters
    ----------
    rounds:
        One row per round: ``round``, ``fieldwork_start``, ``fieldwork_end``.
    mission:
        The mission configuration (its reporting calendar).
    period:
        A period id, a date inside one, a ``ReportingPeriod``; None for the latest period that
        holds a round.

    Raises
    ------
    DataValidationError
        When the period holds no round (the message lists where each round falls).
    """
    from mande.report.periods import assign_periods, get_period, previous_period

    placed = assign_periods(rounds.drop(columns=["period"], errors="ignore"), mission)
    placed["round"] = placed["round"].astype(str)
    placed = placed.sort_values(["fieldwork_end", "round"], kind="stable").reset_index(drop=True)
    if period is None:
        with_period = placed.dropna(subset=["period"])
        if with_period.empty:
            raise DataValidationError(
                "no survey round ends inside the mission's reporting calendar",
                [Problem("load a round, or extend reporting: in mission.yaml", code="no_round")],
            )
        period = str(with_period["period"].iloc[-1])
    p = get_period(mission, period)
    here = placed[placed["period"] == p.id]
    if here.empty:
        where = ", ".join(
            f"{r} ({e})"
            for r, e in zip(placed["round"], placed["period"].fillna("none"), strict=True)
        )
        raise DataValidationError(
            f"no survey round ends in period {p.id} ({p.label('en')})",
            [
                Problem(
                    f"rounds and the periods their fieldwork ends in: {where or 'no rounds'}; "
                    "load a round whose fieldwork ends in this period or choose another period",
                    code="no_round_in_period",
                )
            ],
        )
    prev = previous_period(mission, p, set(placed["period"].dropna()))
    prev_round = str(placed.loc[placed["period"] == prev.id, "round"].iloc[-1]) if prev else None
    return PeriodComparison(
        period=p,
        previous=prev,
        current_round=str(here["round"].iloc[-1]),
        previous_round=prev_round,
        rounds=placed,
    )


def change_table(
    results: pd.DataFrame,
    current_round: str,
    previous_round: str | None,
    policy: ReportingPolicy | None = None,
    *,
    lang: str = "en",
) -> pd.DataFrame:
    """Every indicator x breakdown x group of ``current_round`` compared with ``previous_round``.

    Parameters
    ----------
    results:
        Indicator results (``mande.compute_indicators`` rows or the store's results) of at least
        the two rounds: indicator, round, breakdown, group, estimate, se, and optionally df, n,
        kind, polarity, suppressed.
    current_round, previous_round:
        The rounds compared (``current - previous``); with ``previous_round`` None the table is
        empty (nothing to compare).
    policy:
        The reporting policy (FDR family, q, level); default :class:`ReportingPolicy()`.
    lang:
        Language of ``verdict_label``.

    Returns
    -------
    DataFrame
        :data:`CHANGE_COLUMNS`: ``estimate`` is the change (percentage points for proportions,
        points for means, as ``unit`` says); ``ci_low``/``ci_high`` the false-coverage-rate adjusted
        interval at ``ci_level`` (it excludes zero exactly when ``significant``);
        ``ci_low_unadjusted``/``ci_high_unadjusted`` the unadjusted interval at the policy's level,
        for analysts; ``family`` names the FDR family each row was tested in.

    Notes
    -----
    Each change is tested by :func:`mande.stats.change.compare_rounds` (independent samples, t on
    the smaller design df). The Benjamini-Hochberg control runs over the family the policy states
    (``fdr_family``): with ``"period"`` over every comparison of the period, totals and breakdowns
    together; with ``"table"`` over each breakdown's rows apart. Cells suppressed in either round
    are not compared and are not part of any family.
    """
    from mande.stats.change import compare_rounds

    policy = policy or ReportingPolicy()
    if previous_round is None:
        return pd.DataFrame(columns=list(CHANGE_COLUMNS))
    needed = {"indicator", "round", "breakdown", "group", "estimate", "se"}
    missing = sorted(needed - set(results.columns))
    if missing:
        raise EstimationError(
            f"the results table lacks {missing}; expected the table of mande.compute_indicators"
        )
    res = results.assign(
        round=results["round"].astype(str),
        breakdown=results["breakdown"].astype(str),
        group=results["group"].astype(str),
    )
    two = res[res["round"].isin([str(previous_round), str(current_round)])]
    present = set(two["round"])
    for r in (str(previous_round), str(current_round)):
        if r not in present:
            raise EstimationError(
                f"round {r!r} has no results; rounds with results: {sorted(set(res['round']))}"
            )
    # a declared break in a series (question wording, sample design) ending at this round: the
    # comparison is not made, so that it is in no family and never called significant
    broken = {
        i: b
        for i in two["indicator"].astype(str).unique()
        if (b := policy.series_break(i, str(current_round))) is not None
    }
    if broken:
        cut = (two["round"] == str(current_round)) & two["indicator"].astype(str).isin(broken)
        two = two.assign(se=two["se"].where(~cut))
    if policy.fdr_family == "period":
        parts = [("period", two)]
    else:
        parts = [(f"table:{b}", part) for b, part in two.groupby("breakdown", sort=False)]
    tables = []
    for family, part in parts:
        ch = compare_rounds(
            part, str(previous_round), str(current_round), level=policy.level, q=policy.fdr,
            lang=lang,
        )  # fmt: skip
        ch["family"] = family
        tables.append(ch)
    out = pd.concat(tables, ignore_index=True)
    for col in ("breakdown", "group"):
        out[col] = out[col].astype(str)
    for ind, brk in broken.items():
        out.loc[out["indicator"].astype(str) == ind, "not_compared_reason"] = (
            f"series break in {current_round}: the {brk.kind} changed (policy: breaks)"
        )
    return out[list(CHANGE_COLUMNS)]


@dataclass(frozen=True)
class PeriodFigures:
    """A period's comparison and its change table (see :func:`period_figures`)."""

    comparison: PeriodComparison
    changes: pd.DataFrame
    policy: ReportingPolicy

    @property
    def current_round(self) -> str:
        return self.comparison.current_round

    @property
    def previous_round(self) -> str | None:
        return self.comparison.previous_round


def period_figures(
    results: pd.DataFrame,
    rounds: pd.DataFrame,
    mission: Any,
    period: str | dt.date | Any | None = None,
    *,
    policy: ReportingPolicy | None = None,
    lang: str = "en",
) -> PeriodFigures:
    """The figures every view shows for ``period`` (None: the latest period holding a round).

    ``policy`` defaults to the mission's (``mission.policy``). See :func:`period_comparison` and
    :func:`change_table`.
    """
    policy = policy or getattr(mission, "policy", None) or ReportingPolicy()
    comp = period_comparison(rounds, mission, period)
    changes = change_table(results, comp.current_round, comp.previous_round, policy, lang=lang)
    return PeriodFigures(comparison=comp, changes=changes, policy=policy)


def _as_bool(s: pd.Series) -> np.ndarray:
    return s.astype("boolean").fillna(False).astype(bool).to_numpy()
