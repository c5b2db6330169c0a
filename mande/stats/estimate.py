"""Design-based estimates of means, totals and proportions, overall and by domain.

:func:`estimate` gives R ``survey``'s answers (``svymean``, ``svytotal``, ``svyby``,
``svyciprop(method="logit")``) for a stratified cluster design with weights and finite population
correction, for every domain of a breakdown at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from mande.errors import EstimationError
from mande.stats._linearize import dense_codes, design_index, domain_variance, factorize_sorted
from mande.stats.design import SurveyDesign

__all__ = ["ESTIMATE_COLUMNS", "KINDS", "estimate"]

KINDS: tuple[str, ...] = ("proportion", "mean", "total")
ESTIMATE_COLUMNS: tuple[str, ...] = (
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "df",
    "deff",
    "cv",
    "suppressed",
    "low_precision",
    "single_psu",
)


def estimate(
    df: pd.DataFrame,
    design: SurveyDesign,
    variable: str,
    kind: str = "proportion",
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    min_n: int = 30,
    max_cv: float = 0.3,
    max_ci_width: float | None = None,
) -> pd.DataFrame:
    """Estimate a proportion, mean or total, with its design-based SE and CI, for each domain.

    Parameters
    ----------
    df:
        The responses: one row per respondent, with ``variable``, the ``by`` columns and the
        design's columns. Rows are never dropped: every row stays in the design.
    design:
        The survey design (weights, strata, PSUs, fpc, lonely-PSU rule).
    variable:
        The column to estimate. NaN is a missing answer: such rows are outside every domain but
        stay in the design. For ``kind="proportion"`` the column holds 0, 1 or NaN.
    kind:
        ``"proportion"`` (of 1s among valid answers), ``"mean"`` or ``"total"``.
    by:
        Column name(s) of the breakdown; one row per combination present in the data (rows with a
        missing value in a ``by`` column belong to no domain, as in ``svyby``). None: the whole
        sample.
    level:
        Confidence level of the interval.
    min_n:
        Rows with fewer valid answers than this are flagged ``suppressed``.
    max_cv:
        Rows whose coefficient of variation (se / |estimate|) exceeds this are flagged
        ``low_precision``.
    max_ci_width:
        If given, rows whose interval is wider than this are also flagged ``low_precision``.

    Returns
    -------
    pandas.DataFrame
        One row per domain, sorted by the ``by`` columns: the ``by`` columns, then ``estimate``,
        ``se``, ``ci_low``, ``ci_high``, ``n`` (unweighted number of valid answers in the domain),
        ``df`` (the domain's design degrees of freedom), ``deff`` (design effect against simple
        random sampling without replacement), ``cv``, ``suppressed`` (n < min_n),
        ``low_precision`` and ``single_psu`` (the domain's valid answers sit in one PSU, or in a
        stratum with a single PSU, or in only one PSU of each stratum holding them: df = 0).

    Raises
    ------
    EstimationError
        Unknown ``kind``, a missing ``variable`` or ``by`` column, a non-numeric variable, a
        proportion variable with values other than 0/1/NaN, a bad ``level``.
    DesignError
        The design does not fit the data (missing column, weight missing or <= 0, ...), or a
        stratum holding the domain has a single PSU and ``lonely_psu="fail"``.

    Notes
    -----
    With weights :math:`w_i`, the domain indicator :math:`d_i` (in the by-group and a valid
    answer) and :math:`W_d = \\sum_i w_i d_i`:

    * total (Horvitz-Thompson): :math:`\\hat Y_d = \\sum_i w_i d_i y_i`, scores
      :math:`z_i = w_i d_i y_i`;
    * mean and proportion (ratio estimator): :math:`\\hat\\mu_d = \\hat Y_d / W_d`, linearised
      scores :math:`z_i = w_i d_i (y_i - \\hat\\mu_d) / W_d` (Binder 1983).

    The variance of :math:`\\sum_i z_i` is estimated over the full design (rows outside the
    domain score zero), with PSU totals :math:`Z_{hj}` centred within strata,

    .. math::

        \\hat V = \\sum_h (1 - f_h) \\frac{n_h}{n_h - 1} \\sum_{j=1}^{n_h} (Z_{hj} - \\bar Z_h)^2,

    :math:`n_h` the stratum's PSUs in the design and :math:`f_h` its sampling fraction (from
    ``fpc``); single-PSU strata follow ``design.lonely_psu`` as R's ``survey.lonely.psu`` (with
    R's default ``survey.adjust.domain.lonely = FALSE``: a stratum where only one PSU holds the
    domain is treated like any other). Degrees of freedom: PSUs holding the domain's valid answers
    minus the strata holding them (R's ``degf`` on the subset design).

    CI of a mean or total: :math:`\\hat\\theta \\pm t_{df, 1-\\alpha/2}\\, SE`. CI of a proportion:
    the logit interval :math:`\\mathrm{expit}(\\mathrm{logit}\\,\\hat p \\pm t_{df, 1-\\alpha/2}
    SE / (\\hat p (1 - \\hat p)))`, which is what ``svyciprop(method="logit")`` computes through
    an intercept-only quasi-binomial svyglm. At :math:`\\hat p = 0` (or 1) the SE is 0 and the
    interval is the point [0, 0] (or [1, 1]); R's svyglm there does not converge and reports an
    estimate and both interval ends within 1e-10 of 0 (or 1). When df = 0 (R's interval is NaN)
    the t quantile with 1 degree of freedom is used and the row is flagged ``single_psu``.
    The t quantile is exact; R's ``confint`` computes it as ``qnorm(pnorm(qt()))``, which agrees
    to about 1e-12 except in the far tail (df = 1 at 95 per cent), where R's interval is infinite.

    Design effect (R's ``deff=TRUE``, i.e. ``"replace=FALSE"``): :math:`\\hat V` divided by
    :math:`s^2 (W_d - n_d) / (W_d n_d)` for a mean (times :math:`W_d^2` for a total), with
    :math:`s^2 = \\frac{n_d}{n_d - 1} \\sum_i w_i d_i (y_i - \\hat\\mu_d)^2 / W_d`; NaN when the
    weights sum to less than n_d (R: NA for a mean, a negative number for a total).

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. (Ch. 2-3.)
    Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex
    surveys. *International Statistical Review*, 51(3), 279-292.

    Checked against R survey 4.1.1 ``svymean``/``svytotal``/``svyby``/``svyciprop`` to 1e-8
    relative (``tests/reference/make_estimate_fixtures.R``).

    Examples
    --------
    >>> design = SurveyDesign(weight="w", strata="stratum", psu="psu", lonely_psu="adjust")
    >>> estimate(df, design, "feels_safe", kind="proportion", by=["round", "region"])  # doctest: +SKIP
    """
    if kind not in KINDS:
        raise EstimationError(
            f"kind={kind!r} is not a kind of estimate; expected one of {', '.join(KINDS)}"
        )
    if not 0 < level < 1:
        raise EstimationError(
            f"level={level!r} is not a confidence level; expected a number between 0 and 1, "
            "such as 0.95"
        )
    by_cols = _by_columns(by)
    for col in (variable, *by_cols):
        if col not in df.columns:
            raise EstimationError(_missing(col, "by" if col in by_cols else "variable", df))

    index = design_index(df, design)
    y = _values(df[variable], variable, kind)
    w = index.weights

    group, keys = _domains(df, by_cols)
    n_dom = len(keys)
    valid = ~np.isnan(y)
    g = np.where(valid & (group >= 0), group, -1)
    inside = g >= 0
    gi = g[inside]
    wi = w[inside]
    yi = y[inside]

    n = np.bincount(gi, minlength=n_dom)
    wsum = np.bincount(gi, weights=wi, minlength=n_dom)
    ysum = np.bincount(gi, weights=wi * yi, minlength=n_dom)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = ysum / wsum
        resid = yi - mean[gi]
        scores = np.zeros(len(df))
        if kind == "total":
            est = np.asarray(ysum, dtype=float)
            scores[inside] = wi * yi
        else:
            est = mean
            scores[inside] = wi * resid / wsum[gi]
        dv = domain_variance(scores, g, n_dom, index)
        var = dv.variance
        se = np.sqrt(var)
        dof = dv.df
        q = stats.t.ppf(0.5 + level / 2, np.where(dof > 0, dof, 1))
        if kind == "proportion":
            ci_low, ci_high = _logit_ci(est, se, q)
        else:
            ci_low, ci_high = est - q * se, est + q * se

        s2 = np.bincount(gi, weights=wi * resid**2, minlength=n_dom) / wsum * n / (n - 1)
        vsrs = s2 * (wsum - n) / (wsum * n)
        if kind == "total":
            vsrs = vsrs * wsum**2
        deff = np.where(wsum >= n, var / vsrs, np.nan)
        cv = se / np.abs(est)
        width = ci_high - ci_low
    low_precision = cv > max_cv
    if max_ci_width is not None:
        low_precision = low_precision | (width > max_ci_width)

    columns = {
        "estimate": est,
        "se": se,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "n": n.astype(np.int64),
        "df": dof.astype(np.int64),
        "deff": deff,
        "cv": cv,
        "suppressed": n < min_n,
        "low_precision": low_precision,
        "single_psu": (dv.n_psu <= 1) | dv.lonely | (dof <= 0),
    }
    keys = keys.reset_index(drop=True)
    return pd.DataFrame({**{col: keys[col] for col in keys.columns}, **columns})


def _logit_ci(p: np.ndarray, se: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """expit(logit p -/+ q se / (p (1 - p))); [0, 0] at p = 0 and [1, 1] at p = 1."""
    with np.errstate(invalid="ignore", divide="ignore"):
        interior = (p > 0) & (p < 1)
        pc = np.where(interior, p, 0.5)
        half = q * se / (pc * (1 - pc))
        centre = special.logit(pc)
        low = np.where(interior, special.expit(centre - half), p)
        high = np.where(interior, special.expit(centre + half), p)
    return low, high


def _domains(df: pd.DataFrame, by_cols: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Domain code of each row (-1: a missing by-value) and the domains' by-values, sorted.

    As ``svyby``: one domain per combination of by-values present in the data, in sorted order;
    rows with a missing value in any by column belong to no domain.
    """
    n = len(df)
    if not by_cols:
        return np.zeros(n, dtype=np.int64), pd.DataFrame(index=range(1))
    combined = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    uniques = []
    span = 1
    for col in by_cols:
        codes, uniq = factorize_sorted(df[col])
        size = max(len(uniq), 1)
        if span > (2**62) // size:  # too many combinations for one integer: group by hashing
            grouped = df[by_cols].groupby(by_cols, sort=True, dropna=True, observed=True)
            found = grouped.ngroup().to_numpy(dtype=float, na_value=np.nan)
            group = np.where(np.isnan(found), -1, found).astype(np.int64)
            return group, grouped.size().index.to_frame(index=False)
        combined = combined * size + codes
        missing |= codes < 0
        uniques.append(uniq)
        span *= size
    group, rest = dense_codes(np.where(missing, -1, combined), span)
    positions = []
    for uniq in reversed(uniques):
        size = max(len(uniq), 1)
        positions.append(rest % size)
        rest = rest // size
    keys = pd.DataFrame(
        {
            col: uniq.take(pos)
            for col, uniq, pos in zip(by_cols, uniques, reversed(positions), strict=True)
        }
    )
    return group, keys


def _by_columns(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    cols = list(by)
    if len(set(cols)) != len(cols):
        raise EstimationError(f"by={cols!r} names a column twice; expected distinct columns")
    return cols


def _missing(col: str, role: str, df: pd.DataFrame) -> str:
    names = [str(c) for c in df.columns]
    close = difflib.get_close_matches(col, names, n=3, cutoff=0.6)
    hint = (
        "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        if close
        else f"; the data has columns {', '.join(repr(c) for c in names[:15])}"
        + (" ..." if len(names) > 15 else "")
    )
    return f"column '{col}' not found (given as {role}){hint}"


def _values(col: pd.Series, name: str, kind: str) -> np.ndarray:
    """The variable as floats (NaN = missing answer), checked for the kind."""
    if pd.api.types.is_bool_dtype(col):
        y = col.astype("float64").to_numpy()
    else:
        num = pd.to_numeric(col, errors="coerce")
        not_numbers = num.isna() & col.notna()
        if not_numbers.any():
            bad = list(pd.unique(col[not_numbers]))
            raise EstimationError(
                f"variable '{name}' has values that are not numbers: {_list(bad)}; expected "
                f"numeric codes (NaN for a missing answer). Score the item first"
            )
        y = num.to_numpy(dtype=float, na_value=np.nan)
    if kind == "proportion":
        bad_mask = ~np.isnan(y) & (y != 0) & (y != 1)
        if bad_mask.any():
            bad = list(pd.unique(col[bad_mask]))
            raise EstimationError(
                f"variable '{name}' is estimated as a proportion but has values other than 0 and 1:"
                f" {_list(bad)}; expected 0 (no), 1 (yes) or NaN (missing answer). Score the item "
                "into 0/1 first, or use kind='mean'"
            )
    elif np.isinf(y).any():
        raise EstimationError(f"variable '{name}' has infinite values; expected finite numbers")
    return y


def _list(values: Sequence[object] | np.ndarray, limit: int = 10) -> str:
    vals = list(values)
    text = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in vals[:limit])
    return text + (f" ... ({len(vals)} distinct)" if len(vals) > limit else "")
