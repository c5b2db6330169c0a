"""Changes between two survey rounds (or two reporting periods), tested with false-discovery-rate
control across every comparison shown together, and classed in plain language.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from mande.errors import EstimationError

__all__ = ["VERDICTS", "add_verdicts", "changes_between", "compare_rounds"]

#: verdict code -> label per language
VERDICTS: dict[str, dict[str, str]] = {
    "improved": {"en": "improved", "fr": "amélioration"},
    "deteriorated": {"en": "deteriorated", "fr": "détérioration"},
    "no_change": {"en": "no significant change", "fr": "pas de changement significatif"},
    "not_compared": {"en": "not compared", "fr": "non comparé"},
}

CIMethod = Literal["t", "normal", "satterthwaite"]


def add_verdicts(table: pd.DataFrame, *, q: float = 0.05, lang: str = "en") -> pd.DataFrame:
    """Benjamini-Hochberg verdicts for a table of tested changes (one test per row).

    Reads ``estimate`` (the change), ``p_value`` and ``polarity`` (``"up"``: an increase is an
    improvement; ``"down"``: a decrease is). Rows without a p-value are ``not_compared`` and take no
    part in the false-discovery-rate control. Returns a copy with ``q_value`` (BH-adjusted p),
    ``significant``, ``verdict`` and ``verdict_label`` (in ``lang``).

    Notes
    -----
    Benjamini-Hochberg step-up procedure (``statsmodels.stats.multitest.multipletests`` with
    ``method="fdr_bh"``): with the m p-values sorted, :math:`p_{(1)} \\le \\dots \\le p_{(m)}`, reject
    the hypotheses of :math:`p_{(1)}, \\dots, p_{(k)}` for the largest k with
    :math:`p_{(k)} \\le k q / m`. It controls the expected share of false discoveries among the
    changes called significant at q when the tests are independent or positively dependent.

    References
    ----------
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57, 289-300.
    """
    if not 0 < q < 1:
        raise EstimationError(f"q={q!r} must be between 0 and 1, e.g. 0.05")
    for col in ("estimate", "p_value"):
        if col not in table.columns:
            raise EstimationError(
                f"column {col!r} not found; a table of changes needs estimate and p_value"
            )
    out = table.copy()
    if "polarity" not in out.columns:
        out["polarity"] = "up"
    bad = sorted(set(out["polarity"].dropna()) - {"up", "down"})
    if bad:
        raise EstimationError(f"polarity must be 'up' or 'down', got {bad}")
    p = pd.to_numeric(out["p_value"], errors="coerce").to_numpy(dtype=float)
    tested = np.isfinite(p)
    if "not_compared_reason" in out.columns:
        tested &= out["not_compared_reason"].isna().to_numpy()
    qv = np.full(len(out), np.nan)
    sig = np.zeros(len(out), dtype=bool)
    if tested.any():
        reject, adj, _, _ = multipletests(p[tested], alpha=q, method="fdr_bh")
        qv[tested] = adj
        sig[tested] = reject
    out["q_value"] = qv
    out["significant"] = sig
    direction = np.sign(pd.to_numeric(out["estimate"], errors="coerce").to_numpy(dtype=float))
    good = np.where(out["polarity"].fillna("up").to_numpy() == "down", -direction, direction)
    verdict = np.where(
        ~tested,
        "not_compared",
        np.where(
            sig & (good > 0), "improved", np.where(sig & (good < 0), "deteriorated", "no_change")
        ),
    )
    out["verdict"] = verdict
    labels = {k: v.get(lang, v["en"]) for k, v in VERDICTS.items()}
    out["verdict_label"] = out["verdict"].map(labels)
    return out


_KEYS = ("indicator", "breakdown", "group")


def _unit_scale(g: pd.DataFrame) -> tuple[str, float]:
    """("percentage points", 100) for a proportion on the 0-1 scale, (.., 1) when already in per
    cent; ("units", 1) otherwise."""
    vals = pd.concat([g[c] for c in ("estimate", "ci_low", "ci_high") if c in g.columns])
    vals = pd.to_numeric(vals, errors="coerce").dropna()
    unit_interval = bool(len(vals)) and bool(((vals >= 0) & (vals <= 1)).all())
    if "kind" in g.columns and g["kind"].notna().any():
        if not (g["kind"].dropna() == "proportion").all():
            return "units", 1.0
        return "percentage points", 100.0 if unit_interval else 1.0
    return ("percentage points", 100.0) if unit_interval else ("units", 1.0)


def compare_rounds(
    results: pd.DataFrame,
    first: Any = None,
    second: Any = None,
    *,
    round: str = "round",
    level: float = 0.95,
    q: float = 0.05,
    ci: CIMethod = "t",
    lang: str = "en",
) -> pd.DataFrame:
    """Change between two rounds (or periods) for every indicator x breakdown x group.

    Parameters
    ----------
    results:
        A tidy results table (``mande.compute_indicators``) with columns indicator, ``round``,
        estimate, se, and optionally breakdown, group, n, df, polarity (up/down), suppressed,
        kind (proportion/mean).
    first, second:
        The two rounds to compare (``second`` minus ``first``). Default: the two latest values of
        the ``round`` column, in sorted order.
    round:
        The column holding rounds or periods (e.g. ``"period"``).
    level:
        Confidence level of the change's interval.
    q:
        False-discovery rate for the Benjamini-Hochberg control across all rows returned.
    ci:
        Reference distribution for the interval and the p-value: ``"t"`` (default) with the smaller
        of the two estimates' design degrees of freedom (conservative); ``"satterthwaite"``, t with
        the Welch-Satterthwaite degrees of freedom; ``"normal"``. Without a ``df`` column, normal.
    lang:
        Language of ``verdict_label``.

    Returns
    -------
    DataFrame
        One row per indicator x breakdown x group: round_from, round_to, estimate_from,
        estimate_to, estimate (the change; percentage points for proportions), se, ci_low,
        ci_high, df, t, p_value, q_value, significant, verdict (improved | deteriorated |
        no_change | not_compared), verdict_label, not_compared_reason, polarity, unit, n_from,
        n_to.

    Notes
    -----
    Rounds are independent samples, so the change :math:`d = \\hat\\theta_2 - \\hat\\theta_1` has
    :math:`SE(d) = \\sqrt{SE_1^2 + SE_2^2}`. The interval is :math:`d \\pm t_{\\nu, 1-\\alpha/2} SE(d)`
    and the two-sided p-value :math:`2 P(T_\\nu > |d| / SE(d))`, with
    :math:`\\nu = \\min(\\nu_1, \\nu_2)` (``ci="t"``), the Welch-Satterthwaite
    :math:`\\nu = (v_1 + v_2)^2 / (v_1^2/\\nu_1 + v_2^2/\\nu_2)` or :math:`\\nu = \\infty` (normal).
    A proportion (``kind == "proportion"``, or, without a ``kind`` column, every estimate and bound
    within [0, 1]) is expressed in percentage points (x 100 when estimated on the 0-1 scale). A cell suppressed in either round, or missing, is not compared and takes
    no part in the Benjamini-Hochberg control (see :func:`add_verdicts`).

    Not valid for two estimates from the same sample (overlapping respondents): their covariance is
    ignored.
    """
    if ci not in ("t", "normal", "satterthwaite"):
        raise EstimationError(
            f"ci={ci!r} is not a method; expected 't', 'normal' or 'satterthwaite'"
        )
    if not 0 < level < 1:
        raise EstimationError(f"level={level!r} must be between 0 and 1, e.g. 0.95")
    needed = ["indicator", round, "estimate", "se"]
    missing = [c for c in needed if c not in results.columns]
    if missing:
        raise EstimationError(
            f"the results table lacks column(s) {missing}; expected a table from "
            f"mande.compute_indicators with {needed}; columns present: {list(results.columns)}"
        )
    present = sorted(results[round].dropna().unique().tolist(), key=str)
    if first is None and second is None:
        if len(present) < 2:
            raise EstimationError(
                f"the results hold {len(present)} value(s) of {round!r} ({present}); two are needed"
            )
        first, second = present[-2], present[-1]
    for r in (first, second):
        if r not in present:
            raise EstimationError(f"{round} {r!r} is not in the results; present: {present}")
    keys = [k for k in _KEYS if k in results.columns]
    res = results.copy()
    for k in keys:
        res[k] = res[k].astype(object).where(res[k].notna(), "all")
    a = res[res[round] == first].set_index(keys)
    b = res[res[round] == second].set_index(keys)
    dup = a.index[a.index.duplicated()].tolist() + b.index[b.index.duplicated()].tolist()
    if dup:
        raise EstimationError(
            f"the results hold several rows per {' x '.join(keys)} in one {round}: {dup[:5]}; "
            "filter them to one row each"
        )
    index = a.index.union(b.index, sort=False)
    a, b = a.reindex(index), b.reindex(index)
    rows: list[dict[str, Any]] = []
    crit = 0.5 + level / 2
    for key in index:
        ra, rb = a.loc[key], b.loc[key]
        kd = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        both = pd.DataFrame([ra, rb])
        unit, scale = _unit_scale(both)
        pol = ra.get("polarity") if pd.notna(ra.get("polarity", np.nan)) else rb.get("polarity")
        row: dict[str, Any] = {
            **kd,
            "round_from": first,
            "round_to": second,
            "estimate_from": scale * float(ra["estimate"]) if pd.notna(ra["estimate"]) else np.nan,
            "estimate_to": scale * float(rb["estimate"]) if pd.notna(rb["estimate"]) else np.nan,
            "polarity": pol if isinstance(pol, str) else "up",
            "unit": unit,
            "n_from": ra.get("n", np.nan),
            "n_to": rb.get("n", np.nan),
        }
        reason = _not_compared(ra, rb, first, second, round)
        est = se = lo = hi = df = t = p = np.nan
        if reason is None:
            est = scale * (float(rb["estimate"]) - float(ra["estimate"]))
            se = scale * float(np.hypot(float(ra["se"]), float(rb["se"])))
            df = _df(ra, rb, ci)
            if se > 0:
                t = est / se
                if np.isfinite(df):
                    p = 2 * stats.t.sf(abs(t), df)
                    z = stats.t.ppf(crit, df)
                else:
                    p = 2 * stats.norm.sf(abs(t))
                    z = stats.norm.ppf(crit)
                lo, hi = est - z * se, est + z * se
            else:
                reason = "zero standard error in both rounds"
        row.update(
            estimate=est,
            se=se,
            ci_low=lo,
            ci_high=hi,
            df=df,
            t=t,
            p_value=p,
            not_compared_reason=reason,
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    return add_verdicts(table, q=q, lang=lang)


#: an alias: the changes between two rounds or periods
changes_between = compare_rounds


def _not_compared(ra: pd.Series, rb: pd.Series, first: Any, second: Any, rnd: str) -> str | None:
    for r, name in ((ra, first), (rb, second)):
        if pd.isna(r.get("estimate")) or pd.isna(r.get("se")):
            return f"no estimate in {rnd} {name}"
        if bool(r.get("suppressed", False) is True or r.get("suppressed", False) == 1):
            return f"suppressed in {rnd} {name} (too few respondents)"
    return None


def _df(ra: pd.Series, rb: pd.Series, ci: str) -> float:
    if ci == "normal" or "df" not in ra.index:
        return np.inf
    d1, d2 = float(ra["df"]), float(rb["df"])
    if not (np.isfinite(d1) and np.isfinite(d2)) or d1 <= 0 or d2 <= 0:
        return np.inf
    if ci == "t":
        return min(d1, d2)
    v1, v2 = float(ra["se"]) ** 2, float(rb["se"]) ** 2
    if v1 + v2 == 0:
        return min(d1, d2)
    return (v1 + v2) ** 2 / (v1**2 / d1 + v2**2 / d2)
