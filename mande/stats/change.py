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

__all__ = ["VERDICTS", "add_verdicts", "changes_between", "compare_rounds", "fcr_level"]

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


def _unit_scale(a: pd.DataFrame, b: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row: ("percentage points", 100) for a proportion on the 0-1 scale (x 1 when already in
    per cent); ("units", 1) otherwise. A row is a proportion when its ``kind`` says so in both
    rounds (``proportion`` or ``mean_of_indicators``, a mean of 0/1 scores), or, without a kind,
    when every estimate and bound lies within [0, 1]."""
    cols = [c for c in ("estimate", "ci_low", "ci_high") if c in a.columns]
    vals = np.column_stack(
        [pd.to_numeric(f[c], errors="coerce").to_numpy(dtype=float) for f in (a, b) for c in cols]
    )
    inside = np.where(np.isnan(vals), True, (vals >= 0) & (vals <= 1)).all(axis=1)
    unit_interval = inside & (~np.isnan(vals)).any(axis=1)
    if "kind" in a.columns:
        kinds = np.column_stack(
            [a["kind"].to_numpy(dtype=object), b["kind"].to_numpy(dtype=object)]
        )
        known = ~pd.isna(kinds)
        prop = np.isin(kinds, ("proportion", "mean_of_indicators")) | ~known
        has_kind = known.any(axis=1)
        is_prop = np.where(has_kind, prop.all(axis=1), unit_interval)
        scale = np.where(is_prop & (unit_interval | ~has_kind), 100.0, 1.0)
    else:
        is_prop = unit_interval
        scale = np.where(is_prop, 100.0, 1.0)
    unit = np.where(is_prop, "percentage points", "units")
    return unit, scale


def _flag(frame: pd.DataFrame) -> np.ndarray:
    if "suppressed" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    col = frame["suppressed"]
    return np.array([v is True or (not pd.isna(v) and v == 1) for v in col], dtype=bool)


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
        ci_high (false-coverage-rate adjusted, at ``ci_level``: see :func:`fcr_level`),
        ci_low_unadjusted, ci_high_unadjusted (at ``level``, for analysts), ci_level, df, t, p_value, q_value, significant, verdict (improved | deteriorated |
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
    table = index.to_frame(index=False)
    crit = 0.5 + level / 2
    unit, scale = _unit_scale(a, b)
    est_a = pd.to_numeric(a["estimate"], errors="coerce").to_numpy(dtype=float)
    est_b = pd.to_numeric(b["estimate"], errors="coerce").to_numpy(dtype=float)
    se_a = pd.to_numeric(a["se"], errors="coerce").to_numpy(dtype=float)
    se_b = pd.to_numeric(b["se"], errors="coerce").to_numpy(dtype=float)
    table["round_from"] = first
    table["round_to"] = second
    table["estimate_from"] = scale * est_a
    table["estimate_to"] = scale * est_b
    if "polarity" in a.columns:
        pol = a["polarity"].where(a["polarity"].notna(), b["polarity"]).to_numpy(dtype=object)
        table["polarity"] = [p if isinstance(p, str) else "up" for p in pol]
    else:
        table["polarity"] = "up"
    table["unit"] = unit
    table["n_from"] = a["n"].to_numpy() if "n" in a.columns else np.nan
    table["n_to"] = b["n"].to_numpy() if "n" in b.columns else np.nan

    reason = np.full(len(index), None, dtype=object)
    for est, se_, sup, name in (
        (est_b, se_b, _flag(b), second),
        (est_a, se_a, _flag(a), first),
    ):  # the first round's reason wins, as it is checked first
        reason = np.where(sup, f"suppressed in {round} {name} (too few respondents)", reason)
        reason = np.where(np.isnan(est) | np.isnan(se_), f"no estimate in {round} {name}", reason)
    ok = pd.isna(reason)
    diff = scale * (est_b - est_a)
    se = scale * np.hypot(se_a, se_b)
    zero = ok & ~(se > 0)
    reason = np.where(zero, "zero standard error in both rounds", reason)
    ok = ok & ~zero
    df = _df(a, b, ci)
    t = np.where(ok, diff / np.where(se > 0, se, 1.0), np.nan)
    finite = np.isfinite(df)
    df_t = np.where(finite, df, 1.0)
    p = np.where(finite, 2 * stats.t.sf(np.abs(t), df_t), 2 * stats.norm.sf(np.abs(t)))
    z = np.where(finite, stats.t.ppf(crit, df_t), stats.norm.ppf(crit))
    table["estimate"] = np.where(ok, diff, np.nan)
    table["se"] = np.where(ok, se, np.nan)
    table["ci_low"] = np.where(ok, diff - z * se, np.nan)
    table["ci_high"] = np.where(ok, diff + z * se, np.nan)
    table["df"] = np.where(ok, df, np.nan)
    table["t"] = t
    table["p_value"] = np.where(ok, p, np.nan)
    table["not_compared_reason"] = reason
    out = add_verdicts(table, q=q, lang=lang)
    # The interval printed beside a verdict is the false-coverage-rate adjusted one, so that it
    # excludes zero exactly when the change is called significant; the unadjusted one is kept.
    out["ci_low_unadjusted"] = out["ci_low"]
    out["ci_high_unadjusted"] = out["ci_high"]
    tested = out["q_value"].notna().to_numpy()
    adj = fcr_level(int(tested.sum()), int(out["significant"].sum()), q)
    if np.isfinite(adj):
        z_adj = np.where(finite, stats.t.ppf(0.5 + adj / 2, df_t), stats.norm.ppf(0.5 + adj / 2))
        out["ci_low"] = np.where(tested, diff - z_adj * se, np.nan)
        out["ci_high"] = np.where(tested, diff + z_adj * se, np.nan)
    out["ci_level"] = np.where(tested, adj, np.nan)
    return out


def fcr_level(m: int, r: int, q: float) -> float:
    r"""Confidence level of the false-coverage-rate adjusted intervals of ``r`` changes selected
    out of ``m`` by the Benjamini-Hochberg procedure at ``q``.

    Notes
    -----
    Benjamini and Yekutieli (2005), definition 1: after selecting R of m parameters, build each
    selected parameter's marginal interval at level :math:`1 - Rq/m`; the expected share of
    selected intervals that miss their parameter (the false coverage rate) is then at most q.
    With BH selection, a selected change has :math:`p \le Rq/m` and an unselected one
    :math:`p > Rq/m`, so with the interval built from the same t (or normal) reference as the
    p-value, an interval excludes zero exactly when the change is called significant. The changes
    not selected get the same level (with R = 0, the level :math:`1 - q/m`, which every unselected
    change's interval then covers zero at too), so that every interval in one family is on one
    level. Returns NaN when nothing is tested.

    References
    ----------
    Benjamini, Y., Yekutieli, D. (2005). False discovery rate-adjusted multiple confidence
    intervals for selected parameters. JASA 100(469), 71-81.
    """
    if m <= 0:
        return float("nan")
    return 1.0 - max(r, 1) * q / m


#: an alias: the changes between two rounds or periods
changes_between = compare_rounds


def _df(a: pd.DataFrame, b: pd.DataFrame, ci: str) -> np.ndarray:
    """Degrees of freedom of each change: the smaller of the two (``"t"``), Welch-Satterthwaite
    (``"satterthwaite"``), or infinite (``"normal"``, or when a df is missing or not positive)."""
    n = len(a)
    if ci == "normal" or "df" not in a.columns:
        return np.full(n, np.inf)
    d1 = pd.to_numeric(a["df"], errors="coerce").to_numpy(dtype=float)
    d2 = pd.to_numeric(b["df"], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(d1) & np.isfinite(d2)) | (d1 <= 0) | (d2 <= 0)
    out = np.minimum(d1, d2)
    if ci == "satterthwaite":
        v1 = pd.to_numeric(a["se"], errors="coerce").to_numpy(dtype=float) ** 2
        v2 = pd.to_numeric(b["se"], errors="coerce").to_numpy(dtype=float) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            welch = (v1 + v2) ** 2 / (v1**2 / d1 + v2**2 / d2)
        out = np.where(v1 + v2 == 0, out, welch)
    return np.where(bad, np.inf, out)
