"""The headline view leadership open before a briefing: one card per indicator, what changed since
the previous period (tested, with false-discovery-rate control), and where.

The changes are those of the reporting policy's change table (:func:`mande.reporting.change_table`,
one FDR family for the period, false-coverage-rate adjusted intervals), the same the annex and the
draft print.

Shared by the dashboard's Overview page and anything else that needs the same headline; the
dashboard only lays these tables out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import EstimationError
from mande.reporting import ReportingPolicy, change_table

__all__ = [
    "FAMILY_ORDER",
    "CardGroup",
    "card_groups",
    "card_measures",
    "card_ranges",
    "headline",
    "map_areas",
    "measure_order",
    "regional_values",
    "round_order",
    "significant_changes",
    "sparkline_scale",
]


def round_order(rounds: pd.DataFrame) -> list[str]:
    """Round labels in fieldwork order, from a table like :meth:`Store.rounds` (``round`` column,
    optionally ``fieldwork_end``)."""
    if rounds.empty:
        return []
    if "fieldwork_end" in rounds.columns:
        rounds = rounds.sort_values(["fieldwork_end", "round"], kind="stable")
    return [str(r) for r in rounds["round"]]


#: Indicator families in the order DOMAIN.md lists them: safety first, the mission last.
FAMILY_ORDER = ("SAF", "VIC", "INC", "DIS", "SRV", "TRU", "ID", "COH", "MIS", "PAR")


def _indicators_in_order(catalogue: Any) -> list[Any]:
    def key(ind: Any) -> tuple[int, str]:
        family = str(ind.id).split("-")[0]
        rank = FAMILY_ORDER.index(family) if family in FAMILY_ORDER else len(FAMILY_ORDER)
        return rank, str(ind.id)

    return sorted(catalogue.survey(), key=key)


def measure_order(catalogue: Any) -> list[str]:
    """Every survey measure (headlines and variants) in display order."""
    return [m.id for ind in _indicators_in_order(catalogue) for m in ind.measures()]


def card_measures(catalogue: Any) -> list[str]:
    """The measures that get a card, in display order: each indicator's headline, or, for an
    indicator without one (trust per institution, satisfaction per service), each variant."""
    out: list[str] = []
    for ind in _indicators_in_order(catalogue):
        measures = ind.measures()
        out.extend(m.id for m in (measures[:1] if ind.has_headline else measures))
    return out


def _check(results: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    needed = {"indicator", "round", "breakdown", "group", "estimate", "se"}
    missing = sorted(needed - set(results.columns))
    if missing:
        raise EstimationError(
            f"the results table lacks {missing}; expected the table of mande.compute_indicators"
        )
    unknown = sorted(set(results["round"].astype(str)) - set(order))
    if unknown:
        raise EstimationError(f"rounds {unknown} are not in the round order {list(order)}")
    return results.assign(round=results["round"].astype(str))


def headline(
    results: pd.DataFrame,
    order: Sequence[str],
    *,
    measures: Sequence[str] | None = None,
    changes: pd.DataFrame | None = None,
    q: float = 0.05,
    lang: str = "en",
) -> pd.DataFrame:
    """One row per indicator (overall, all respondents) for the latest round, with its change.

    Parameters
    ----------
    results:
        Indicator results of several rounds (``mande.compute_indicators`` rows, any breakdowns).
    order:
        Round labels in time order (see :func:`round_order`); the last is "latest".
    measures:
        The measures to show, in display order (see :func:`card_measures`); default every
        measure in the results, in their order.
    changes:
        The period's change table (:func:`mande.reporting.change_table`, as
        :func:`mande.reporting.period_figures` gives it): its ``round_to`` is "latest" and its
        ``round_from`` the round compared with. Default: the change table of the last two rounds
        of ``order`` under a default policy with rate ``q``.
    q:
        False-discovery rate when ``changes`` is not given.
    lang:
        Language of ``verdict_label``.

    Returns
    -------
    DataFrame
        indicator, name, short_name, sg_section, domain, polarity, kind, round, estimate, ci_low,
        ci_high, n, suppressed, low_precision, previous_round, change, change_ci_low,
        change_ci_high, p_value, q_value, significant, verdict, verdict_label, arrow ("up",
        "down" or "" when the change is not significant), history (estimates in round order,
        None where a round has no estimate or is suppressed), history_ci_low and
        history_ci_high (each round's confidence bounds, likewise).
    """
    results = _check(results, order)
    total = results[results["breakdown"] == "total"]
    if measures is not None:
        total = total[total["indicator"].isin(list(measures))]
    if total.empty or not order:
        return pd.DataFrame()
    changes = _changes(results, order, changes, q, lang)
    latest, previous = _pair(order, changes)
    current = total[total["round"] == latest].copy()
    hidden = (
        total["suppressed"].fillna(False).astype(bool)
        if "suppressed" in total.columns
        else pd.Series(False, index=total.index)
    )
    shown = list(order[: list(order).index(latest) + 1])
    hist = (
        total.assign(_est=total["estimate"].where(~hidden))
        .pivot_table(index="indicator", columns="round", values="_est", aggfunc="first")
        .reindex(columns=shown)
    )
    current["history"] = [
        [None if pd.isna(v) else float(v) for v in hist.loc[i]] if i in hist.index else []
        for i in current["indicator"]
    ]
    for bound in ("ci_low", "ci_high"):
        if bound not in total.columns:
            current[f"history_{bound}"] = [[None] * len(shown) for _ in range(len(current))]
            continue
        wide = (
            total.assign(_b=total[bound].where(~hidden))
            .pivot_table(index="indicator", columns="round", values="_b", aggfunc="first")
            .reindex(columns=shown)
        )
        current[f"history_{bound}"] = [
            [None if pd.isna(v) else float(v) for v in wide.loc[i]]
            if i in wide.index
            else [None] * len(shown)
            for i in current["indicator"]
        ]
    current["previous_round"] = previous
    if previous is not None:
        ch = changes[changes["breakdown"].astype(str) == "total"]
        keep = ["indicator", "estimate", "ci_low", "ci_high", "ci_level", "ci_low_unadjusted"]
        keep += ["ci_high_unadjusted", "p_value", "q_value", "significant", "verdict"]
        keep += ["verdict_label", "unit"]
        ch = ch[keep].rename(
            columns={
                "estimate": "change", "ci_low": "change_ci_low", "ci_high": "change_ci_high",
                "ci_level": "change_ci_level", "ci_low_unadjusted": "change_ci_low_unadjusted",
                "ci_high_unadjusted": "change_ci_high_unadjusted", "unit": "change_unit",
            }
        )  # fmt: skip
        current = current.merge(ch, on="indicator", how="left")
    else:
        for col in ("change", "change_ci_low", "change_ci_high", "p_value", "q_value"):
            current[col] = np.nan
        current["significant"] = False
        current["verdict"] = "not_compared"
        current["verdict_label"] = ""
    sig = current["significant"].fillna(False).astype(bool)
    current["arrow"] = np.where(sig & (current["change"] > 0), "up", np.where(sig, "down", ""))
    current.loc[~sig, "arrow"] = ""
    if measures is not None:
        rank = {m: i for i, m in enumerate(measures)}
        current = current.sort_values("indicator", key=lambda c: c.map(rank), kind="stable")
    cols = [
        "indicator", "name", "short_name", "sg_section", "domain", "polarity", "kind", "round",
        "estimate", "ci_low", "ci_high", "n", "suppressed", "low_precision", "previous_round",
        "change", "change_unit", "change_ci_low", "change_ci_high", "change_ci_level",
        "change_ci_low_unadjusted", "change_ci_high_unadjusted", "p_value", "q_value",
        "significant", "verdict", "verdict_label", "arrow", "history", "history_ci_low",
        "history_ci_high",
    ]  # fmt: skip
    return current[[c for c in cols if c in current.columns]].reset_index(drop=True)


def significant_changes(
    results: pd.DataFrame,
    order: Sequence[str],
    *,
    changes: pd.DataFrame | None = None,
    q: float = 0.05,
    lang: str = "en",
) -> pd.DataFrame:
    """Every indicator x breakdown x group whose change since the previous period is significant.

    The rows of the period's change table (``changes``, see :func:`headline`) called significant:
    the Benjamini-Hochberg control ran over the policy's family (by default every comparison of
    the period), so a list drawn from, say, 600 tests is not padded with chance findings. Sorted
    by the size of the change. Empty with fewer than two rounds.
    """
    results = _check(results, order)
    if len(order) < 2:
        return pd.DataFrame()
    changes = _changes(results, order, changes, q, lang)
    names = results.drop_duplicates("indicator").set_index("indicator")
    out = changes[changes["significant"].fillna(False).astype(bool)].copy()
    for col in ("name", "short_name"):
        if col in names.columns:
            out[col] = out["indicator"].map(names[col])
    return out.reindex(out["estimate"].abs().sort_values(ascending=False).index).reset_index(
        drop=True
    )


def _changes(
    results: pd.DataFrame,
    order: Sequence[str],
    changes: pd.DataFrame | None,
    q: float,
    lang: str,
) -> pd.DataFrame:
    if changes is not None:
        return changes
    if len(order) < 2:
        return pd.DataFrame(columns=["round_from", "round_to", "breakdown", "significant"])
    return change_table(results, order[-1], order[-2], ReportingPolicy(fdr=q), lang=lang)


def _pair(order: Sequence[str], changes: pd.DataFrame) -> tuple[str, str | None]:
    """(latest, previous) rounds: those of the change table, else the last round of ``order``."""
    if len(changes) and "round_to" in changes.columns:
        return str(changes["round_to"].iloc[0]), str(changes["round_from"].iloc[0])
    return str(order[-1]), None


def regional_values(results: pd.DataFrame, indicator: str, round_label: str) -> pd.DataFrame:
    """The indicator's estimate per region (admin 1) in one round: region, estimate, CI, n,
    suppressed (for the map)."""
    rows = results[
        (results["indicator"] == indicator)
        & (results["breakdown"] == "region")
        & (results["round"].astype(str) == str(round_label))
    ]
    cols = ["group", "estimate", "ci_low", "ci_high", "n", "suppressed"]
    return rows[[c for c in cols if c in rows.columns]].rename(columns={"group": "region"})


# --- cards grouped for the Overview -----------------------------------------------------------

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "significant": "Changed significantly",
        "significant_since": "Changed significantly since {previous}",
        "other": "Other indicators",
    },
    "fr": {
        "significant": "Évolutions significatives",
        "significant_since": "Évolutions significatives depuis {previous}",
        "other": "Autres indicateurs",
    },
}

#: Kinds whose estimates are shares (0-1), drawn and printed in per cent.
PERCENT_KINDS = ("proportion", "mean_of_indicators")


@dataclass(frozen=True)
class CardGroup:
    """One group of Overview cards.

    Attributes
    ----------
    key:
        ``"significant"`` for the first group, else the Secretary-General report section
        (``sg_section`` of the catalogue, such as ``"protection_of_civilians"``), ``""`` for cards
        without a known section.
    title:
        The group's heading in the language asked for (a section's heading as the report prints
        it: :data:`mande.report.build.SECTIONS`).
    cards:
        The :func:`headline` rows of the group, in display order, with ``section_label`` (the
        card's own section heading, which the significant group shows on each card).
    """

    key: str
    title: str
    cards: pd.DataFrame


def card_groups(
    head: pd.DataFrame, lang: str = "en", *, previous: str | None = None
) -> list[CardGroup]:
    """The Overview's cards in the order a head of mission reads them.

    First the cards whose change since the previous period is significant (``arrow`` set), the
    largest change first, each tagged with its report section; then one group per section of the
    Secretary-General's report, in the report's order, holding the other cards in catalogue
    order. A card appears once; empty groups are left out. The sections and their headings are
    the catalogue's ``sg_section`` and the report's :data:`mande.report.build.SECTIONS`, the same
    the annex and the draft follow.

    Parameters
    ----------
    head:
        The table of :func:`headline` (``sg_section``, ``arrow``, ``change``), in catalogue order.
    lang:
        ``"en"`` or ``"fr"`` for the headings.
    previous:
        The round compared with, as people name it ("November 2025"), for the first heading
        ("Changed significantly since November 2025"); None: "Changed significantly".
    """
    from mande.report.build import SECTIONS

    text = _TEXT["fr" if lang == "fr" else "en"]
    if head.empty:
        return []
    n = len(head)

    def column(name: str, default: Any) -> list[Any]:
        return head[name].tolist() if name in head.columns else [default] * n

    section = [s if isinstance(s, str) else "" for s in column("sg_section", "")]
    significant = [bool(a) and isinstance(a, str) for a in column("arrow", "")]
    size = [0.0 if pd.isna(c) else abs(float(c)) for c in column("change", np.nan)]
    labels = {k: v.get(lang, v["en"]) for k, v in SECTIONS.items()}
    rank = {k: i for i, k in enumerate(SECTIONS)}
    cards = head.assign(section_label=[labels.get(s, text["other"]) for s in section])

    def take(positions: list[int]) -> pd.DataFrame:
        return cards.iloc[positions].reset_index(drop=True)

    groups: list[CardGroup] = []
    first = sorted(
        (i for i in range(n) if significant[i]),
        key=lambda i: (-size[i], rank.get(section[i], len(rank)), i),
    )
    if first:
        title = (
            text["significant_since"].format(previous=previous) if previous else text["significant"]
        )
        groups.append(CardGroup("significant", title, take(first)))
    for key in [*SECTIONS, ""]:
        part = [
            i
            for i in range(n)
            if not significant[i] and (section[i] == key if key else section[i] not in rank)
        ]
        if part:
            groups.append(CardGroup(key, labels.get(key, text["other"]), take(part)))
    return groups


def card_ranges(catalogue: Any) -> dict[str, tuple[float, float]]:
    """The fixed scale of each mean measure, from its definition: ``scoring.range`` when given,
    else the lowest and highest value its codes score (``scoring.values``). Proportions and
    0-100 indices need none (:func:`sparkline_scale` gives them 0-100)."""
    out: dict[str, tuple[float, float]] = {}
    for ind in catalogue.survey():
        if ind.kind != "mean":
            continue
        scoring = ind.scoring
        rng: tuple[float, float] | None = None
        if scoring.range:
            rng = (float(scoring.range[0]), float(scoring.range[1]))
        elif scoring.values:
            vals = [float(v) for _, v in scoring.values]
            rng = (min(vals), max(vals))
        if rng is not None and rng[1] > rng[0]:
            for m in ind.measures():
                out[m.id] = rng
    return out


def sparkline_scale(
    kind: str, value_range: tuple[float, float] | None = None
) -> tuple[float, float, float] | None:
    """How a card draws its trend: ``(factor, lo, hi)``, the estimate times ``factor`` on the
    fixed scale from ``lo`` to ``hi``.

    A share (:data:`PERCENT_KINDS`) is drawn in per cent on 0-100, a 0-100 index on 0-100, a
    mean on its scale's range (``value_range``, see :func:`card_ranges`). None when a mean has
    no known range: it then gets no sparkline rather than an auto-scaled one, which would make
    any change look large.
    """
    if kind in PERCENT_KINDS:
        return 100.0, 0.0, 100.0
    if kind == "index_0_100":
        return 1.0, 0.0, 100.0
    if value_range is not None and value_range[1] > value_range[0]:
        return 1.0, float(value_range[0]), float(value_range[1])
    return None


# --- the map -----------------------------------------------------------------------------------


def map_areas(
    results: pd.DataFrame,
    indicator: str,
    round_label: str,
    mission: Any,
    geojson: Mapping[str, Any] | None = None,
    *,
    min_n: int | None = None,
) -> pd.DataFrame:
    """The areas the Overview's map draws for an indicator in a round, with their figures.

    Each region (admin 1) is drawn as a whole unless the sample supports its admin 2 units, in
    which case these are drawn in its place. The sample supports a region's admin 2 units when
    the boundaries hold a polygon for each of them (the mission's ``admin2`` p-codes in
    mission.yaml), the results hold the ``admin2`` breakdown for each, none is suppressed, and
    each rests on at least ``min_n`` respondents (the reporting policy's ``min_n_admin2``,
    :class:`mande.reporting.ReportingPolicy`). A region where one unit falls short stays whole:
    a map that mixed a few well-measured units with holes would read as a pattern.

    Parameters
    ----------
    results:
        Indicator results (``mande.compute_indicators`` rows, any breakdowns).
    indicator, round_label:
        The measure and the round drawn.
    mission:
        The mission configuration (its regions and their admin 2 units).
    geojson:
        The mission's boundaries (features with a ``pcode`` property); None: admin 1 only.
    min_n:
        Fewest respondents an admin 2 unit needs; default the reporting policy's default.

    Returns
    -------
    DataFrame
        region (the area's p-code, as :func:`mande.charts.maps.region_map` reads it), level
        (``"admin1"`` or ``"admin2"``), parent (the admin 1 p-code), estimate, ci_low, ci_high,
        n, suppressed.
    """
    from mande.reporting import ReportingPolicy

    threshold = ReportingPolicy().min_n_admin2 if min_n is None else int(min_n)
    admin1 = regional_values(results, indicator, round_label).assign(level="admin1")
    admin1["parent"] = admin1["region"]
    cols = ["region", "level", "parent", "estimate", "ci_low", "ci_high", "n", "suppressed"]
    if geojson is None or mission is None:
        return admin1.reindex(columns=cols)
    shapes = {str((f.get("properties") or {}).get("pcode")) for f in geojson.get("features") or []}
    rows = results[
        (results["indicator"] == indicator)
        & (results["breakdown"] == "admin2")
        & (results["round"].astype(str) == str(round_label))
    ]
    by_unit = rows.set_index(rows["group"].astype(str))
    parts = []
    for region in getattr(mission, "regions", ()):
        units = [code for code, _ in region.admin2]
        if units and all(u in shapes and u in by_unit.index for u in units):
            unit_rows = by_unit.loc[units]
            suppressed = (
                unit_rows["suppressed"].fillna(False).astype(bool)
                if "suppressed" in unit_rows.columns
                else pd.Series(False, index=unit_rows.index)
            )
            n = pd.to_numeric(unit_rows["n"], errors="coerce").fillna(0)
            if not suppressed.any() and (n >= threshold).all():
                parts.append(
                    unit_rows.reset_index(drop=True)
                    .rename(columns={"group": "region"})
                    .assign(level="admin2", parent=region.pcode)
                    .reindex(columns=cols)
                )
                admin1 = admin1[admin1["region"] != region.pcode]
    return pd.concat([admin1.reindex(columns=cols), *parts], ignore_index=True)
