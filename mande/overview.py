"""The headline view leadership open before a briefing: one card per indicator, what changed since
the previous period (tested, with false-discovery-rate control), and where.

The changes are those of the reporting policy's change table (:func:`mande.reporting.change_table`,
one FDR family for the period, false-coverage-rate adjusted intervals), the same the annex and the
draft print.

Shared by the dashboard's Overview page and anything else that needs the same headline; the
dashboard only lays these tables out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import EstimationError
from mande.reporting import ReportingPolicy, change_table

__all__ = [
    "FAMILY_ORDER",
    "card_measures",
    "headline",
    "measure_order",
    "regional_values",
    "round_order",
    "significant_changes",
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
        None where a round has no estimate or is suppressed).
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
        "significant", "verdict", "verdict_label", "arrow", "history",
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
