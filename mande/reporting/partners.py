"""The partner figures of a reporting period, the same on the Partners page, in the annex and in
the draft: relationship quality by partner type (bootstrap seeds per group from the policy),
reliability between coders, and the robust-operation model with the data window it was fitted on.
Each figure carries its small-number flag.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mande.reporting.policy import ReportingPolicy

__all__ = ["PartnerFigures", "interviews_with_periods", "partner_figures", "partner_quality"]


@dataclass(frozen=True)
class PartnerFigures:
    """One period's partner figures (see :func:`partner_figures`).

    rqi
        One row per partner type of the period: ``partner_type``, ``period``, ``n_interviews``,
        ``n_partners``, ``rqi`` (0-100), ``rqi_ci_low``, ``rqi_ci_high``, ``few_partners``,
        ``few_interviews``, ``small`` and the dimension means.
    reliability
        Krippendorff's alpha per dimension from the period's double-coded interviews, with
        ``few_units``; None without double coding.
    model
        The robust-operation model (:class:`mande.partners.model.PartnerModelResult`) fitted on
        every interview from ``model_window[0]`` to ``model_window[1]`` (the end of the period), or
        None when it cannot be fitted.
    """

    period: Any  # ReportingPeriod
    rqi: pd.DataFrame
    reliability: pd.DataFrame | None
    model: Any | None
    model_window: tuple[dt.date, dt.date] | None
    n_interviews: int
    policy: ReportingPolicy

    def model_window_text(self, lang: str = "en") -> str:
        """The model's data window as text: "interviews from 3 March 2025 to 31 May 2026"."""
        from mande.report.style import date_range

        if self.model_window is None:
            return ""
        start, end = self.model_window
        head = "entretiens " if lang == "fr" else "interviews "
        return head + date_range(start, end, lang)


def interviews_with_periods(interviews: Any, mission: Any) -> pd.DataFrame:
    """Each interview's reporting period by its date (the one rule of
    :func:`mande.report.periods.assign_periods`), whatever period the file or the store gave."""
    from mande.report.periods import assign_periods

    frame = getattr(interviews, "interviews", interviews)
    return assign_periods(
        frame.drop(columns=["period"], errors="ignore"), mission, date_column="date"
    )


def partner_quality(
    interviews: Any,
    mission: Any,
    by: tuple[str, ...] = ("partner_type", "period"),
    *,
    policy: ReportingPolicy | None = None,
) -> pd.DataFrame:
    """Relationship quality by ``by`` over every interview, periods by date, seeds and
    small-number thresholds from the policy (:func:`mande.relationship_quality`)."""
    from mande.partners.quality import relationship_quality

    policy = policy or getattr(mission, "policy", None) or ReportingPolicy()
    frame = interviews_with_periods(interviews, mission)
    if "period" in by:
        frame = frame[frame["period"].notna()]
    return relationship_quality(
        frame, by=by, level=policy.level, n_boot=policy.n_boot, seed=policy.seed,
        min_partners=policy.min_partners, min_interviews=policy.min_interviews,
    )  # fmt: skip


def partner_figures(
    interviews: Any,
    mission: Any,
    period: str | dt.date | Any | None = None,
    *,
    policy: ReportingPolicy | None = None,
) -> PartnerFigures:
    """The partner figures of ``period`` (None: the latest period holding interviews).

    - relationship quality by partner type: the period's interviews (cluster bootstrap, one
      generator per partner type and period, derived from the policy's seed);
    - reliability between coders: the period's double-coded interviews (flag below the policy's
      ``min_double_coded`` units);
    - the robust-operation model: every interview up to the end of the period, with period fixed
      effects; its window is returned with it.
    """
    from mande.errors import EstimationError
    from mande.partners.model import partner_model
    from mande.report.periods import get_period, reporting_periods
    from mande.stats.reliability import reliability_table

    policy = policy or getattr(mission, "policy", None) or ReportingPolicy()
    frame = interviews_with_periods(interviews, mission)
    if period is None:
        placed = frame.dropna(subset=["period"])
        if placed.empty:
            raise EstimationError("no interview falls in the mission's reporting calendar")
        order = {q.id: q.index for q in reporting_periods(mission)}
        period = max(placed["period"].unique(), key=lambda x: order[x])
    p = get_period(mission, period)
    order = {q.id: q.index for q in reporting_periods(mission)}
    here = frame[frame["period"] == p.id]
    upto = frame[frame["period"].map(order).fillna(-1).astype(int).between(0, p.index)]
    empty = pd.DataFrame(columns=["partner_type", "period", "n_interviews", "rqi", "small"])
    if here.empty:
        return PartnerFigures(p, empty, None, None, None, 0, policy)
    rq = partner_quality(here, mission, ("partner_type", "period"), policy=policy)
    rel = None
    if "coder_rank" in here.columns and (here["coder_rank"] > 1).any():
        try:
            rel = reliability_table(here, min_units=policy.min_double_coded)
        except EstimationError:
            rel = None
    model = None
    window = None
    try:
        model = partner_model(upto, level=policy.level)
        days = pd.to_datetime(upto["date"], errors="coerce").dropna()
        window = (days.min().date(), p.end) if len(days) else None
    except (EstimationError, ValueError, np.linalg.LinAlgError):
        model = None
    n = int((here["coder_rank"] == 1).sum()) if "coder_rank" in here.columns else len(here)
    return PartnerFigures(p, rq.reset_index(drop=True), rel, model, window, n, policy)
