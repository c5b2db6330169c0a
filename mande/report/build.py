"""Assemble what a report for one period shows: :func:`build_report_data` -> :class:`ReportData`.

The annex (:mod:`mande.report.annex`) and the narrative (:mod:`mande.report.narrative`) only lay out
a :class:`ReportData`; every figure they write is taken from it, and every figure in it is a value
from the indicator results (the store's rows) or from the change tests, never recomputed by the
writers.

Inputs come either from a store (``Store``: rounds, results, mission, interviews) or as a
:class:`ReportInputs` of plain data frames, which is what tests and notebooks pass.

Data frames read
----------------
rounds
    One row per survey round: ``round`` (id), ``fieldwork_start``, ``fieldwork_end`` (dates);
    optional ``label``, ``n`` (respondents), ``data_version``, ``source`` (file name).
results
    Tidy indicator results, one row per indicator x round x breakdown x group, as
    ``compute_indicators`` returns them: ``indicator``, ``round``, ``breakdown`` ("total" or a
    dimension), ``group``, ``estimate`` (0-1 for proportions), ``se``, ``ci_low``, ``ci_high``, ``n``,
    ``suppressed``; optional ``df``, ``low_precision``, ``kind``, ``polarity``, ``sg_section``,
    ``n_dont_know``, ``n_refused``.
changes (optional)
    Change tests between the previous period's round and this period's: ``indicator``,
    ``breakdown``, ``group``, ``difference``, ``ci_low``, ``ci_high``, ``p_value``, ``q_value``
    (Benjamini-Hochberg adjusted), ``significant``. When absent they are computed by
    :func:`compare_periods` (:func:`mande.stats.change.compare_rounds`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mande.config import MissionConfig
from mande.errors import DataValidationError, Problem
from mande.indicators.items import standard_items
from mande.report.periods import (
    ReportingPeriod,
    assign_periods,
    get_period,
    reporting_periods,
)
from mande.report.style import check_lang
from mande.reporting.changes import period_comparison
from mande.reporting.policy import ReportingPolicy

__all__ = [
    "BREAKDOWNS",
    "SECTIONS",
    "PartnersInputs",
    "ReportData",
    "ReportInputs",
    "build_report_data",
    "compare_periods",
    "indicator_table",
    "partners_inputs",
]

#: The Secretary-General report's sections, in the report's order, with their headings.
SECTIONS: dict[str, dict[str, str]] = {
    "political": {"en": "Political situation", "fr": "Situation politique"},
    "security": {"en": "Security situation", "fr": "Situation en matière de sécurité"},
    "protection_of_civilians": {"en": "Protection of civilians", "fr": "Protection des civils"},
    "state_authority": {
        "en": "Extension of State authority and State-society relations",
        "fr": "Extension de l'autorité de l'État et relations entre l'État et la société",
    },
    "human_rights": {"en": "Human rights", "fr": "Droits de l'homme"},
    "partnerships": {"en": "Partnerships", "fr": "Partenariats"},
    "mission_performance": {"en": "Mission performance", "fr": "Performance de la mission"},
}

#: The standard breakdowns, in the annex's order, with their sheet names (items.yaml).
BREAKDOWNS: dict[str, dict[str, str]] = {
    name: dict(b.sheet) for name, b in standard_items().breakdowns.items()
}

#: Indicators charted in the annex when the catalogue marks none as headline.
DEFAULT_HEADLINE: tuple[str, ...] = ("SAF-01", "SAF-03", "TRU-01", "ID-01", "MIS-01", "MIS-02")

#: The change columns of a report table (see :func:`compare_periods`).
CHANGE_FIELDS = (
    "change", "change_ci_low", "change_ci_high", "change_ci_level", "change_ci_low_unadjusted",
    "change_ci_high_unadjusted", "p_value", "q_value",
)  # fmt: skip

_RESULT_COLUMNS = ("indicator", "round", "breakdown", "group", "estimate", "ci_low", "ci_high", "n")


@dataclass(frozen=True)
class PartnersInputs:
    """What the partners sheet and paragraph show, as computed by :mod:`mande.partners`.

    rqi
        One row per partner type (and period): ``partner_type``, optional ``period``, ``rqi``
        (0-100), ``ci_low``, ``ci_high``, ``n``, and one column per dimension (1-5 means), optional
        ``coercion_cooperation``.
    reliability
        ``dimension``, ``alpha`` (Krippendorff, ordinal), ``n_units``, optional ``n_coders``.
    robust
        The robust-context model: ``sentence_en``, ``sentence_fr``, optional ``estimate``,
        ``ci_low``, ``ci_high``, ``p_value``, ``n``.
    quotes
        ``partner_type``, ``quote``, ``consent`` (only rows with consent are ever shown), optional
        ``date``.
    partner_labels
        Partner type code -> {"en": ..., "fr": ...}.
    """

    rqi: pd.DataFrame | None = None
    reliability: pd.DataFrame | None = None
    robust: Mapping[str, Any] | None = None
    quotes: pd.DataFrame | None = None
    n_interviews: int | None = None
    partner_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    dimension_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report is built from, as plain data frames (see the module's docstring)."""

    mission: MissionConfig
    rounds: pd.DataFrame
    results: pd.DataFrame
    indicators: pd.DataFrame | None = None
    changes: pd.DataFrame | None = None
    partners: PartnersInputs | None = None
    produced_by: str = "mande"
    produced_at: dt.datetime | None = None
    data_versions: Mapping[str, str] = field(default_factory=dict)
    # round label -> how its weights were built (Store.weighting), for the methods sheet
    weighting: Mapping[str, Any] = field(default_factory=dict)
    footprint: Any = None  # mande.report.footprint.FootprintSection


@dataclass(frozen=True)
class ReportData:
    """One period's report, ready to lay out. Frames hold numbers on the 0-1 scale for
    proportions; labels are kept in both languages (``name_en``, ``name_fr``, ...)."""

    mission_code: str
    mission_name: Mapping[str, str]
    country: Mapping[str, str]
    lang: str
    period: ReportingPeriod
    previous: ReportingPeriod | None
    current_round: str | None
    previous_round: str | None
    sources: pd.DataFrame
    indicators: pd.DataFrame
    summary: pd.DataFrame
    breakdowns: Mapping[str, pd.DataFrame]
    trends: pd.DataFrame
    partners: PartnersInputs | None
    level: float
    fdr: float
    produced_by: str
    produced_at: dt.datetime
    mande_version: str
    data_versions: Mapping[str, str]
    periods: tuple[ReportingPeriod, ...] = ()
    weighting: Mapping[str, Any] | None = None  # the current round's (Store.weighting)
    footprint: Any = None  # mande.report.footprint.FootprintSection
    policy: ReportingPolicy = field(default_factory=ReportingPolicy)
    # the trend models of the Trends sheet (mande.report.trend_models.ModelTrends), from a store
    model_trends: Any = None

    def comparison_label(self, lang: str | None = None) -> str:
        """The comparison period by its dates ("1 February–31 May 2026"), "" without one."""
        return self.previous.title(lang or self.lang) if self.previous is not None else ""


def _nonsub_text(indicator: Any, lang: str) -> str:
    from mande.indicators.items import standard_items

    labels = standard_items().non_substantive
    sc = getattr(indicator, "scoring", None)
    if sc is None:
        return ""

    def names(codes: Any) -> str:
        return ", ".join(labels.get(c, {}).get(lang, str(c)) for c in codes)

    parts = []
    if getattr(sc, "exclude", ()):
        head = "Exclus du dénominateur" if lang == "fr" else "Left out of the denominator"
        parts.append(f"{head}: {names(sc.exclude)}")
    if getattr(sc, "count_as_failure", ()):
        head = "Comptés comme échec" if lang == "fr" else "Counted as not meeting the indicator"
        parts.append(f"{head}: {names(sc.count_as_failure)}")
    text = ". ".join(parts) + ("." if parts else "")
    return text.replace(": ", "\u00a0: ") if lang == "fr" else text


def indicator_table(catalogue: Any) -> pd.DataFrame:
    """The catalogue's measures as a frame: ``indicator`` (measure id: ``SAF-01``,
    ``TRU-01.police``), ``name_en``, ``name_fr``, ``sg_section``, ``polarity``, ``kind``, ``unit``,
    ``min_n``, ``definition_en``, ``definition_fr``, ``non_substantive_en``,
    ``non_substantive_fr``, ``headline``, ``order``.

    Accepts a :class:`~mande.indicators.catalogue.Catalogue` (every measure of every survey
    indicator, in catalogue order) or a frame with those columns (completed with defaults).
    """
    if isinstance(catalogue, pd.DataFrame):
        df = catalogue.copy()
    else:
        rows = []
        measures = catalogue.measures(data=None) if hasattr(catalogue, "measures") else ()
        for m in measures:
            ind = m.indicator
            rows.append(
                {
                    "indicator": m.id,
                    "name_en": m.name("en"),
                    "name_fr": m.name("fr"),
                    "sg_section": ind.sg_section,
                    "polarity": ind.polarity,
                    "kind": ind.kind,
                    "unit": getattr(ind, "unit", "percent"),
                    "min_n": ind.min_n,
                    "definition_en": ind.text("description", "en"),
                    "definition_fr": ind.text("description", "fr"),
                    "non_substantive_en": _nonsub_text(ind, "en"),
                    "non_substantive_fr": _nonsub_text(ind, "fr"),
                    "headline": bool(getattr(ind, "headline", False)),
                }
            )
        df = pd.DataFrame(rows)
    defaults: dict[str, Any] = {
        "name_en": None,
        "name_fr": None,
        "sg_section": "",
        "polarity": "up",
        "kind": "proportion",
        "unit": "percent",
        "min_n": 30,
        "definition_en": "",
        "definition_fr": "",
        "non_substantive_en": "",
        "non_substantive_fr": "",
        "headline": False,
    }
    if "indicator" not in df.columns:
        raise DataValidationError(
            "the indicator table needs an 'indicator' column",
            [Problem("column 'indicator' not found", code="missing_column", column="indicator")],
        )
    for col, default in defaults.items():
        if col not in df.columns:
            df[col] = default
    df["name_en"] = df["name_en"].fillna(df["indicator"]).astype(str)
    df["name_fr"] = df["name_fr"].fillna(df["name_en"]).astype(str)
    if "order" not in df.columns:
        df["order"] = range(len(df))
    return df.reset_index(drop=True)


def _check_columns(df: pd.DataFrame, required: Sequence[str], what: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataValidationError(
            f"the {what} lack columns {missing}",
            [
                Problem(
                    f"column '{c}' not found; columns present: {', '.join(map(str, df.columns))}",
                    code="missing_column",
                    column=c,
                    expected=", ".join(required),
                )
                for c in missing
            ],
        )


def compare_periods(
    results: pd.DataFrame,
    current: str,
    previous: str,
    *,
    level: float | None = None,
    fdr: float | None = None,
    policy: ReportingPolicy | None = None,
) -> pd.DataFrame:
    """Changes of every indicator x breakdown x group from round ``previous`` to ``current``, as
    the report lays them out: the change table of :func:`mande.reporting.change_table` (one FDR
    family as the policy states; false-coverage-rate adjusted intervals) on the estimate's own
    scale (0-1 for proportions, as the results) in ``difference``, ``ci_low``, ``ci_high``
    (adjusted, at ``ci_level``), ``ci_low_unadjusted``, ``ci_high_unadjusted``, with ``p_value``,
    ``q_value``, ``significant`` and ``verdict`` (improved, deteriorated, stable; None when not
    compared).
    """
    from mande.reporting import change_table

    policy = _override(policy or ReportingPolicy(), level, fdr)
    ch = change_table(results, str(current), str(previous), policy)
    scale = np.where(ch["unit"].astype(str) == "percentage points", 100.0, 1.0)
    verdicts = {"improved": "improved", "deteriorated": "deteriorated", "no_change": "stable"}

    def scaled(col: str) -> np.ndarray:
        return pd.to_numeric(ch[col], errors="coerce").to_numpy(float) / scale

    return pd.DataFrame(
        {
            "indicator": ch["indicator"].astype(str),
            "breakdown": ch["breakdown"].astype(str),
            "group": ch["group"].astype(str),
            "difference": scaled("estimate"),
            "ci_low": scaled("ci_low"),
            "ci_high": scaled("ci_high"),
            "ci_level": pd.to_numeric(ch["ci_level"], errors="coerce").to_numpy(float),
            "ci_low_unadjusted": scaled("ci_low_unadjusted"),
            "ci_high_unadjusted": scaled("ci_high_unadjusted"),
            "p_value": pd.to_numeric(ch["p_value"], errors="coerce").to_numpy(float),
            "q_value": pd.to_numeric(ch["q_value"], errors="coerce").to_numpy(float),
            "significant": ch["significant"].astype(bool).to_numpy(),
            "verdict": ch["verdict"].map(verdicts).to_numpy(),
        }
    )


def _override(policy: ReportingPolicy, level: float | None, fdr: float | None) -> ReportingPolicy:
    """The policy with an explicit level or rate given by a caller (the CLI's options)."""
    changes: dict[str, Any] = {}
    if level is not None:
        changes["level"] = level
    if fdr is not None:
        changes["fdr"] = fdr
    return policy.replace(**changes) if changes else policy


def _normalise_changes(changes: pd.DataFrame, fdr: float) -> pd.DataFrame:
    ch = changes.copy()
    renames = {"diff": "difference", "p": "p_value", "p_adjusted": "q_value", "p_adj": "q_value"}
    ch = ch.rename(columns={k: v for k, v in renames.items() if k in ch.columns})
    _check_columns(ch, ("indicator", "breakdown", "group", "difference"), "changes")
    for col in ("ci_low", "ci_high", "ci_level", "p_value", "q_value"):
        if col not in ch.columns:
            ch[col] = np.nan
    for col in ("ci_low", "ci_high"):
        if f"{col}_unadjusted" not in ch.columns:
            ch[f"{col}_unadjusted"] = ch[col]
    if "significant" not in ch.columns:
        ch["significant"] = ch["q_value"].fillna(1.0) < fdr
    return ch


def _verdict(difference: float, significant: bool, polarity: str) -> str:
    if not significant or not math.isfinite(difference) or difference == 0:
        return "stable"
    good = difference > 0 if polarity != "down" else difference < 0
    return "improved" if good else "deteriorated"


def group_label(breakdown: str, group: Any, mission: MissionConfig, lang: str) -> str:
    """A breakdown group as a report writes it: a region's name, \"Women\", \"18–24\" (labels
    from ``reported_breakdowns`` in items.yaml; regions from the mission)."""
    g = str(group)
    items = standard_items()
    if breakdown == "region":
        try:
            return mission.region(g).label(lang)
        except Exception:
            return g
    if breakdown == "total":
        return items.breakdown_label("total", lang)
    b = items.breakdowns.get(breakdown)
    return b.group_label(g, lang) if b is not None else g


def partners_inputs(
    interviews: Any,
    mission: MissionConfig,
    period: str | dt.date | ReportingPeriod,
    *,
    quotes: pd.DataFrame | None = None,
    max_quotes: int = 12,
    policy: ReportingPolicy | None = None,
) -> PartnersInputs:
    """The partners part of a report, from coded interviews (:class:`mande.Interviews` or its
    ``.interviews`` frame, as the store returns it).

    The figures are :func:`mande.reporting.partner_figures` (the same the Partners page shows):
    relationship quality by partner type with small-number flags, reliability between coders with
    its flag, the robust-operation model with its data window. Quotes: at most ``max_quotes``
    consented quotes of the period, spread over themes (:func:`mande.select_quotes` with the
    policy's seed, so that the annex is reproducible).
    """
    from mande.partners.quality import select_quotes
    from mande.reporting import partner_figures

    policy = policy or mission.policy
    p = get_period(mission, period)
    if quotes is None:
        quotes = getattr(interviews, "quotes", None)
    fig = partner_figures(interviews, mission, p, policy=policy)
    if fig.n_interviews == 0:
        return PartnersInputs(n_interviews=0)
    rq = fig.rqi.rename(
        columns={"rqi_ci_low": "ci_low", "rqi_ci_high": "ci_high", "n_interviews": "n"}
    )
    robust: dict[str, Any] | None = None
    if fig.model is not None:
        m = fig.model
        robust = {
            "sentence_en": m.sentence_en,
            "sentence_fr": m.sentence_fr,
            "estimate": m.estimate,
            "ci_low": m.ci_low,
            "ci_high": m.ci_high,
            "p_value": m.p_value,
            "n": m.n_interviews,
            "window_en": fig.model_window_text("en"),
            "window_fr": fig.model_window_text("fr"),
        }
    q = None
    if quotes is not None and len(quotes):
        qp = assign_periods(
            quotes.drop(columns=["period"], errors="ignore"), mission, date_column="date"
        )
        # a reproducible selection spread over themes, not every quote of the period
        sel = select_quotes(qp[qp["period"] == p.id], n=max_quotes, seed=policy.seed)
        q = sel.rename(columns={"text": "quote"})[["partner_type", "quote", "consent", "date"]]
    return PartnersInputs(
        rqi=rq, reliability=fig.reliability, robust=robust, quotes=q, n_interviews=fig.n_interviews
    )


#: Account names that say nothing about who produced a report (a container's or a service's).
_SYSTEM_USERS = frozenset({"root", "admin", "administrator", "nobody", "local", ""})


def _who(store: Any = None) -> str:
    """Who produces the report: the signed-in user (MANDE_USER), else the store's user, else the
    OS user; never a system account such as "root" (then "mande")."""
    import contextlib
    import getpass
    import os

    candidates = [os.environ.get("MANDE_USER"), getattr(store, "user", None)]
    with contextlib.suppress(Exception):  # no login name in some containers
        candidates.append(getpass.getuser())
    for name in candidates:
        if name and str(name).strip().lower() not in _SYSTEM_USERS:
            return str(name).strip()
    return "mande"


def _inputs_from_store(store: Any, period: str | dt.date | ReportingPeriod) -> ReportInputs:
    """Read a store's mission, rounds, results and interviews into :class:`ReportInputs`."""
    from mande.errors import StoreError
    from mande.indicators.catalogue import load_catalogue

    mission = store.mission()
    if mission is None:
        raise StoreError(
            "the store holds no mission configuration; load one first "
            "(`mande demo load sample_data`, or set the mission with the store's set_mission)"
        )
    from mande.report.footprint import footprint_section

    rounds = store.rounds().rename(columns={"n_respondents": "n", "file_name": "source"})
    rounds = rounds.drop(columns=["period"], errors="ignore")
    catalogue = load_catalogue()
    results = store.results(catalogue=catalogue)
    interviews = store.interviews()
    partners = None
    if interviews is not None and len(interviews):
        partners = partners_inputs(interviews, mission, period, quotes=store.quotes())
    versions = {
        str(r): str(v)[:12] for r, v in zip(rounds["round"], rounds["data_version"], strict=True)
    }
    versions["catalogue"] = str(getattr(catalogue, "version", ""))[:12]
    return ReportInputs(
        mission=mission,
        rounds=rounds,
        results=results,
        indicators=indicator_table(catalogue),
        partners=partners,
        produced_by=_who(store),
        data_versions=versions,
        weighting={
            str(r): w for r in rounds["round"] if (w := store.weighting(str(r))) is not None
        },
        footprint=footprint_section(store),
    )


def build_report_data(
    store_or_inputs: Any,
    period: str | dt.date | ReportingPeriod,
    lang: str = "en",
    *,
    level: float | None = None,
    fdr: float | None = None,
    headline: Sequence[str] | None = None,
    trend_models: bool = False,
) -> ReportData:
    """Assemble the report for ``period``: its rounds, the comparison period, every figure.

    Parameters
    ----------
    store_or_inputs:
        A :class:`ReportInputs`, or a store (anything with ``mission()``, ``rounds()`` and
        ``results()``).
    period:
        A period id of the mission's calendar ("2026-06"), or a date inside it.
    lang:
        The language the report will be written in ("en" or "fr"); both languages' labels are kept.
    level, fdr:
        Confidence level of the intervals shown; false discovery rate of the change tests. Default:
        the mission's reporting policy (``policy:`` in mission.yaml,
        :class:`mande.reporting.ReportingPolicy`), which also states the FDR family.
    headline:
        Indicator ids charted as headline trends (default: the catalogue's headline indicators,
        else SAF-01, SAF-03, TRU-01, ID-01, MIS-01, MIS-02 where present).
    trend_models:
        With a store: also compute the headline indicators' trend models over the rounds up to
        this period (:func:`mande.report.trend_models.model_trends`: linear trend per round overall
        and by region, interrupted time series around the mission's events), as the dashboard's
        Trends page computes them. Off by default: about a second per indicator and event.

    Raises
    ------
    ConfigError
        When the period is not in the calendar.
    DataValidationError
        When a table lacks a column it needs, or the period holds no survey round.
    """
    check_lang(lang)
    inputs = (
        store_or_inputs
        if isinstance(store_or_inputs, ReportInputs)
        else _inputs_from_store(store_or_inputs, period)
    )
    mission = inputs.mission
    p = get_period(mission, period)
    _check_columns(inputs.rounds, ("round", "fieldwork_start", "fieldwork_end"), "survey rounds")
    _check_columns(inputs.results, _RESULT_COLUMNS, "indicator results")
    policy = _override(mission.policy, level, fdr)
    level, fdr = policy.level, policy.fdr
    try:
        comparison = period_comparison(inputs.rounds, mission, p)
    except DataValidationError:
        # a period with partner interviews and no survey gives a report of the partner sections
        partners = _partners_for_period(inputs.partners, p)
        if partners is None or not partners.n_interviews:
            raise
        return _partners_only(inputs, p, lang, policy, partners)
    rounds = comparison.rounds
    current_round = comparison.current_round
    prev = comparison.previous
    previous_round = comparison.previous_round

    results = inputs.results.copy()
    results["round"] = results["round"].astype(str)
    results["breakdown"] = results["breakdown"].astype(str)
    results["group"] = results["group"].astype(str)
    if "suppressed" not in results.columns:
        results["suppressed"] = False
    if "low_precision" not in results.columns:
        results["low_precision"] = False
    results["suppressed"] = results["suppressed"].fillna(False).astype(bool)
    results["low_precision"] = results["low_precision"].fillna(False).astype(bool)

    ind = indicator_table(
        inputs.indicators if inputs.indicators is not None else _from_results(results)
    )
    meta_cols = ("sg_section", "polarity", "kind", "unit")
    for col in meta_cols:  # the catalogue wins; results fill what it lacks
        if col in results.columns:
            fill = results.drop_duplicates("indicator").set_index("indicator")[col]
            ind[col] = ind[col].where(ind[col].astype(bool), ind["indicator"].map(fill)).fillna("")
    ind = ind[ind["indicator"].isin(results["indicator"].unique())]
    section_rank = {s: i for i, s in enumerate(SECTIONS)}
    ind = ind.assign(
        _s=ind["sg_section"].map(section_rank).fillna(len(SECTIONS)), _o=ind["order"]
    ).sort_values(["_s", "_o"], kind="stable")
    ind = ind.drop(columns=["_s", "_o"]).reset_index(drop=True)
    polarity = dict(zip(ind["indicator"], ind["polarity"], strict=True))

    if inputs.changes is not None:
        changes = _normalise_changes(inputs.changes, fdr)
    elif previous_round is not None:
        changes = compare_periods(results, current_round, previous_round, policy=policy)
    else:
        changes = None

    cur = results[results["round"] == current_round]
    prv = results[results["round"] == previous_round] if previous_round else cur.iloc[0:0]

    def table(breakdown: str) -> pd.DataFrame:
        c = cur[cur["breakdown"] == breakdown]
        keep = [
            "indicator",
            "group",
            "estimate",
            "ci_low",
            "ci_high",
            "n",
            "suppressed",
            "low_precision",
        ]
        extra = [
            x for x in ("se", "df", "cv", "deff", "n_dont_know", "n_refused") if x in c.columns
        ]
        t = ind[
            ["indicator", "sg_section", "name_en", "name_fr", "kind", "unit", "polarity"]
        ].merge(c[keep + extra], on="indicator", how="inner")
        pv = prv[prv["breakdown"] == breakdown][["indicator", "group", "estimate", "suppressed"]]
        pv = pv.rename(
            columns={"estimate": "previous_estimate", "suppressed": "previous_suppressed"}
        )
        t = t.merge(pv, on=["indicator", "group"], how="left")
        if changes is not None:
            ch = changes[changes["breakdown"].astype(str) == breakdown][
                [
                    "indicator",
                    "group",
                    "difference",
                    "ci_low",
                    "ci_high",
                    "ci_level",
                    "ci_low_unadjusted",
                    "ci_high_unadjusted",
                    "p_value",
                    "q_value",
                    "significant",
                ]
            ].rename(
                columns={
                    "ci_low": "change_ci_low",
                    "ci_high": "change_ci_high",
                    "ci_level": "change_ci_level",
                    "ci_low_unadjusted": "change_ci_low_unadjusted",
                    "ci_high_unadjusted": "change_ci_high_unadjusted",
                    "difference": "change",
                }
            )
            ch = ch.assign(group=ch["group"].astype(str))
            t = t.merge(ch, on=["indicator", "group"], how="left")
        else:
            for col in CHANGE_FIELDS:
                t[col] = np.nan
            t["significant"] = False
        t["significant"] = t["significant"].astype("boolean").fillna(False).astype(bool)
        supp = t["suppressed"] | t["previous_suppressed"].astype("boolean").fillna(False).astype(
            bool
        )
        for col in CHANGE_FIELDS:
            if col not in t.columns:
                t[col] = np.nan
            t.loc[supp, col] = np.nan
        t.loc[supp, "significant"] = False
        t["verdict"] = [
            _verdict(float(d) if pd.notna(d) else math.nan, bool(s), polarity.get(i, "up"))
            for d, s, i in zip(t["change"], t["significant"], t["indicator"], strict=True)
        ]
        t["group_en"] = [group_label(breakdown, g, mission, "en") for g in t["group"]]
        t["group_fr"] = [group_label(breakdown, g, mission, "fr") for g in t["group"]]
        t["breakdown"] = breakdown
        return t.reset_index(drop=True)

    summary = table("total")
    breakdowns = {b: table(b) for b in BREAKDOWNS if (cur["breakdown"] == b).any()}
    for b, t in breakdowns.items():
        known = (
            [r.pcode for r in mission.regions]
            if b == "region"
            else list(standard_items().breakdowns[b].groups)
        )
        order = {g.lower(): i for i, g in enumerate(known)}
        groups = sorted(set(t["group"]), key=lambda g: (order.get(g.lower(), len(order)), g))
        rank = t["group"].map({g: i for i, g in enumerate(groups)})
        ind_rank = t["indicator"].map({k: i for i, k in enumerate(ind["indicator"])})
        breakdowns[b] = (
            t.assign(_i=ind_rank, _g=rank).sort_values(["_i", "_g"]).drop(columns=["_i", "_g"])
        ).reset_index(drop=True)

    # Headline trends: the total of each headline indicator in every period up to this one.
    if headline is None:
        marked = ind.loc[ind["headline"].astype(bool), "indicator"].tolist()
        headline = marked or [h for h in DEFAULT_HEADLINE if h in set(ind["indicator"])]
    periods = reporting_periods(mission)
    latest = rounds.dropna(subset=["period"]).groupby("period", sort=False).tail(1)
    latest = latest[latest["period"].map({q.id: q.index for q in periods}) <= p.index]
    tot = results[(results["breakdown"] == "total") & results["indicator"].isin(headline)]
    tot = tot.drop(columns=["period"], errors="ignore")
    trends = latest[["period", "round"]].merge(tot, on="round", how="inner")
    trends = trends[
        ["indicator", "period", "round", "estimate", "ci_low", "ci_high", "n", "suppressed"]
    ].reset_index(drop=True)
    trends["indicator"] = pd.Categorical(
        trends["indicator"], categories=list(headline), ordered=True
    )
    trends = trends.sort_values(["indicator", "period"]).reset_index(drop=True)
    trends["indicator"] = trends["indicator"].astype(str)

    # Data sources: every round of this period, the comparison round, and interviews.
    role = {current_round: "current", previous_round: "previous"}
    src = rounds[(rounds["period"] == p.id) | (rounds["round"] == previous_round)].copy()
    src["role"] = [role.get(r, "not_used") for r in src["round"]]
    if "n" not in src.columns:
        totals = results[results["breakdown"] == "total"].groupby("round")["n"].max()
        src["n"] = src["round"].map(totals)
    for col in ("label", "data_version", "source"):
        if col not in src.columns:
            src[col] = None
    src["label"] = src["label"].fillna(src["round"])
    src["kind"] = "survey"
    if "design" not in src.columns:
        src["design"] = "columns"
    src["design"] = src["design"].fillna("columns")
    sources = src[
        [
            "kind",
            "round",
            "label",
            "fieldwork_start",
            "fieldwork_end",
            "n",
            "period",
            "role",
            "data_version",
            "source",
            "design",
        ]
    ].reset_index(drop=True)

    models = None
    if trend_models and not isinstance(store_or_inputs, ReportInputs):
        from mande.report.trend_models import model_trends

        up_to = rounds[rounds["period"].map({q.id: q.index for q in periods}) <= p.index]
        models = model_trends(
            store_or_inputs, list(headline), list(up_to["round"].astype(str)), lang, level=level
        )

    from mande import __version__

    produced_at = inputs.produced_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    return ReportData(
        mission_code=mission.code,
        mission_name=dict(mission.name),
        country=dict(mission.country),
        lang=lang,
        period=p,
        previous=prev,
        current_round=current_round,
        previous_round=previous_round,
        sources=sources,
        indicators=ind,
        summary=summary,
        breakdowns=breakdowns,
        trends=trends,
        partners=_partners_for_period(inputs.partners, p),
        level=level,
        fdr=fdr,
        produced_by=inputs.produced_by,
        produced_at=produced_at,
        mande_version=__version__,
        data_versions=dict(inputs.data_versions),
        periods=periods,
        weighting=inputs.weighting.get(current_round) if current_round else None,
        footprint=inputs.footprint,
        policy=policy,
        model_trends=models,
    )


def _partners_only(
    inputs: ReportInputs,
    p: ReportingPeriod,
    lang: str,
    policy: ReportingPolicy,
    partners: PartnersInputs,
) -> ReportData:
    """The report of a period with partner interviews and no survey round: the partner sections
    only (``current_round`` None, empty survey tables), which the annex and the draft state."""
    from mande import __version__

    mission = inputs.mission
    ind = indicator_table(
        inputs.indicators if inputs.indicators is not None else _from_results(inputs.results)
    )
    summary = pd.DataFrame(
        columns=[
            "indicator", "sg_section", "name_en", "name_fr", "kind", "unit", "polarity", "group",
            "estimate", "ci_low", "ci_high", "n", "suppressed", "low_precision",
            "previous_estimate", "previous_suppressed", *CHANGE_FIELDS, "significant", "verdict",
            "group_en", "group_fr", "breakdown",
        ]
    )  # fmt: skip
    sources = pd.DataFrame(
        columns=[
            "kind", "round", "label", "fieldwork_start", "fieldwork_end", "n", "period", "role",
            "data_version", "source",
        ]
    )  # fmt: skip
    trends = pd.DataFrame(
        columns=["indicator", "period", "round", "estimate", "ci_low", "ci_high", "n", "suppressed"]
    )
    return ReportData(
        mission_code=mission.code,
        mission_name=dict(mission.name),
        country=dict(mission.country),
        lang=lang,
        period=p,
        previous=None,
        current_round=None,
        previous_round=None,
        sources=sources,
        indicators=ind,
        summary=summary,
        breakdowns={},
        trends=trends,
        partners=partners,
        level=policy.level,
        fdr=policy.fdr,
        produced_by=inputs.produced_by,
        produced_at=inputs.produced_at or dt.datetime.now(dt.UTC).replace(microsecond=0),
        mande_version=__version__,
        data_versions=dict(inputs.data_versions),
        periods=reporting_periods(mission),
        footprint=inputs.footprint,
        policy=policy,
    )


def _from_results(results: pd.DataFrame) -> pd.DataFrame:
    cols = [
        c
        for c in ("indicator", "sg_section", "polarity", "kind", "unit", "min_n")
        if c in results.columns
    ]
    return results[cols].drop_duplicates("indicator").reset_index(drop=True)


def _partners_for_period(pi: PartnersInputs | None, p: ReportingPeriod) -> PartnersInputs | None:
    if pi is None:
        return None
    rqi = pi.rqi
    if rqi is not None and "period" in rqi.columns:
        rqi = rqi[rqi["period"].astype(str) == p.id].reset_index(drop=True)
    quotes = pi.quotes
    if quotes is not None:
        consent = (
            quotes["consent"]
            if "consent" in quotes.columns
            else pd.Series(False, index=quotes.index)
        )
        quotes = quotes[consent.fillna(False).astype(bool)]
        if "date" in quotes.columns:
            days = pd.to_datetime(quotes["date"], errors="coerce").dt.date
            quotes = quotes[[isinstance(d, dt.date) and p.contains(d) for d in days]]
        quotes = quotes[[c for c in ("partner_type", "quote", "date") if c in quotes.columns]]
        quotes = quotes.reset_index(drop=True)
    return PartnersInputs(
        rqi=rqi,
        reliability=pi.reliability,
        robust=pi.robust,
        quotes=quotes,
        n_interviews=pi.n_interviews,
        partner_labels=pi.partner_labels,
        dimension_labels=pi.dimension_labels,
    )
