"""Design-based trend models: survey-weighted GLMs (R ``svyglm``), linear trends across rounds and
interrupted time series around mission events.

Every model here is a survey-weighted generalised linear model fitted with statsmodels, with the
design-based sandwich variance of Binder (1983) computed from the estimating-function scores by the
same design-variance machinery as :func:`mande.estimate` (strata, PSUs, fpc, lonely PSUs). The point
estimates, standard errors, t tests and confidence intervals equal R's
``survey::svyglm(..., family = quasibinomial())`` and ``gaussian()``.

Rounds are independent samples. To model several rounds together, stack them with
:func:`stack_rounds`, which makes strata and PSUs unique per round (stratum = round x stratum,
PSU = round x PSU), as a stacked ``svydesign(..., nest = TRUE)`` does.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from mande.dates import as_date
from mande.errors import DesignError, EstimationError
from mande.stats._linearize import design_df, design_index, design_vcov
from mande.stats.change import add_verdicts
from mande.stats.design import SurveyDesign

__all__ = [
    "TrendFit",
    "interrupted_time_series",
    "its_caveat",
    "linear_trends",
    "stack_rounds",
    "trend_model",
]

Family = Literal["binomial", "gaussian"]

# ------------------------------------------------------------------------------------------------
# The variance of linearised totals is shared with mande.estimate: one implementation.


def _design_variance(
    scores: np.ndarray, df: pd.DataFrame, design: SurveyDesign, used: np.ndarray
) -> tuple[np.ndarray, int]:
    """Design-based covariance (k x k) of the column totals of ``scores`` (n x k, rows of ``df``)
    on the subset design of the rows ``used``, and that subset's design degrees of freedom."""
    index = design_index(df, design)
    return np.asarray(design_vcov(scores, index, present=used), dtype=float), design_df(index, used)


# ------------------------------------------------------------------------------------------------
# trend_model


@dataclass(frozen=True)
class TrendFit:
    """A fitted survey-weighted GLM with design-based standard errors (R ``svyglm``).

    Attributes
    ----------
    formula, family:
        What was fitted. ``family`` is ``"binomial"`` (quasi-likelihood, logit link) or
        ``"gaussian"`` (identity link).
    params, bse, tvalues, pvalues:
        Coefficients, design-based standard errors, t statistics and two-sided p-values (t
        distribution on ``df_resid`` degrees of freedom), indexed by term name.
    conf_int:
        Wald confidence intervals at ``level`` (columns ``ci_low``, ``ci_high``) with the t quantile
        on ``df_resid``, as R's ``confint.svyglm``.
    vcov:
        Design-based covariance matrix of the coefficients.
    df_resid:
        Design degrees of freedom for tests: PSUs minus strata (among rows used) + 1 - number of
        coefficients, as R's ``svyglm`` ``df.residual``.
    n:
        Respondents used (in the domain, with every model variable present).
    level:
        Confidence level of ``conf_int``.
    """

    formula: str
    family: str
    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    conf_int: pd.DataFrame
    vcov: pd.DataFrame
    df_resid: float
    n: int
    level: float

    def table(self) -> pd.DataFrame:
        """One row per coefficient: term, estimate, se, t, p_value, ci_low, ci_high, df, n."""
        return pd.DataFrame(
            {
                "term": self.params.index,
                "estimate": self.params.to_numpy(),
                "se": self.bse.to_numpy(),
                "t": self.tvalues.to_numpy(),
                "p_value": self.pvalues.to_numpy(),
                "ci_low": self.conf_int["ci_low"].to_numpy(),
                "ci_high": self.conf_int["ci_high"].to_numpy(),
                "df": self.df_resid,
                "n": self.n,
            }
        )


def _check_design(df: pd.DataFrame, design: SurveyDesign) -> None:
    missing = [c for c in design.columns if c not in df.columns]
    if missing:
        raise DesignError(
            f"the design names column(s) {missing} that the data lacks; "
            f"columns present: {', '.join(map(str, df.columns[:30]))}"
        )
    w = pd.to_numeric(df[design.weight], errors="coerce")
    bad = df.index[w.isna() | ~(w > 0)]
    if len(bad):
        raise DesignError(
            f"weight column '{design.weight}' must be a positive number on every row; "
            f"{len(bad)} row(s) are missing, zero or negative (first: {list(bad[:5])}); "
            "fix or drop those rows before modelling"
        )


def _family(family: str) -> sm.families.Family:
    if family == "binomial":
        return sm.families.Binomial()
    if family == "gaussian":
        return sm.families.Gaussian()
    raise EstimationError(
        f"family={family!r} is not supported; expected 'binomial' (proportions, quasi-likelihood "
        "with a logit link) or 'gaussian' (scores, means)"
    )


def trend_model(
    df: pd.DataFrame,
    design: SurveyDesign,
    formula: str,
    family: Family = "binomial",
    level: float = 0.95,
    *,
    domain: pd.Series | np.ndarray | None = None,
) -> TrendFit:
    """Fit a survey-weighted GLM with design-based standard errors, as R's ``svyglm``.

    Parameters
    ----------
    df:
        Respondent-level data holding the model variables and the design's columns.
    design:
        The survey design (for several rounds, the stacked design from :func:`stack_rounds`).
    formula:
        A model formula in patsy syntax, e.g. ``"feels_safe ~ round + C(region)"``.
    family:
        ``"binomial"`` for a 0/1 (or 0-1) outcome, fitted by quasi-likelihood so that non-integer
        weights are fine (R ``quasibinomial()``), or ``"gaussian"`` (R ``gaussian()``).
    level:
        Confidence level of ``conf_int``.
    domain:
        Optional boolean mask (aligned with ``df``): fit on this domain only, with the variance on
        the full design, as R's ``svyglm(..., design = subset(des, ...))``.

    Returns
    -------
    TrendFit

    Notes
    -----
    Rows with a missing value in a model variable are left out as R's ``na.omit`` does, which
    subsets the design: they keep their place in the variance computation with a zero score.

    The coefficients :math:`\\hat\\beta` solve the weighted estimating equations
    :math:`U(\\beta) = \\sum_i w_i x_i (y_i - \\mu_i) \\mu'_i / V(\\mu_i) = 0` (statsmodels GLM with
    ``var_weights`` = sampling weights, IRLS to tolerance 1e-14, then Newton polish). The variance is
    the sandwich :math:`A^{-1} B A^{-1}`, with :math:`A = \\sum_i w_i \\mu_i'^2 / V(\\mu_i)\\, x_i x_i^T`
    the weighted information and :math:`B` the design-based covariance of the totals of the scores
    :math:`u_i = w_i x_i (y_i - \\mu_i) \\mu'_i / V(\\mu_i)` between PSUs within strata (with fpc and
    the lonely-PSU rule of the design). Tests and intervals use a t distribution with
    ``degf + 1 - p`` degrees of freedom, where degf is the number of PSUs minus the number of strata
    among the rows used and p the number of coefficients.

    References
    ----------
    Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex surveys.
    International Statistical Review 51, 279-292. Lumley, T. (2010). Complex Surveys, ch. 5.

    Checked against R ``survey`` 4.1 ``svyglm`` with ``glm.control(epsilon = 1e-14, maxit = 100)``
    on apistrat (fpc), apiclus1 (fpc), apiclus2 (ultimate cluster) and simulated stacked rounds
    (tests/reference/test_svyglm_reference.py): coefficients and SEs agree to 1e-6 relative or
    better.
    """
    if not 0 < level < 1:
        raise EstimationError(f"level={level!r} must be between 0 and 1, e.g. 0.95")
    if not isinstance(df, pd.DataFrame):
        raise EstimationError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    fam = _family(family)
    _check_design(df, design)
    data = df.reset_index(drop=True)
    if domain is not None:
        mask = np.asarray(domain, dtype=bool)
        if mask.shape != (len(data),):
            raise EstimationError(
                f"domain must be a boolean mask with one value per row ({len(data)}), "
                f"got shape {mask.shape}"
            )
    else:
        mask = np.ones(len(data), dtype=bool)
    if not mask.any():
        raise EstimationError("the domain is empty: no respondent matches it")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec = smf.glm(formula, data=data.loc[mask])
    except Exception as exc:  # patsy raises many kinds of errors
        raise EstimationError(
            f"formula {formula!r} could not be built from the data: {exc}; "
            f"columns present: {', '.join(map(str, data.columns[:30]))}"
        ) from exc
    y = np.asarray(spec.endog, dtype=float)
    if y.ndim != 1:
        raise EstimationError(
            f"the outcome of {formula!r} must be one numeric column (0/1 for a proportion), "
            "not a text or categorical column"
        )
    x = np.asarray(spec.exog, dtype=float)
    names = list(spec.exog_names)
    rows = np.asarray(spec.data.row_labels, dtype=int)
    if len(rows) == 0:
        raise EstimationError(f"no respondent has every variable of {formula!r}")
    if family == "binomial" and ((y < 0) | (y > 1)).any():
        raise EstimationError(
            f"family='binomial' needs an outcome between 0 and 1; {formula.split('~')[0].strip()!r} "
            f"ranges from {y.min()} to {y.max()}; use family='gaussian' for scores"
        )
    rank = np.linalg.matrix_rank(x)
    if rank < x.shape[1]:
        raise EstimationError(
            f"the model {formula!r} has {x.shape[1]} coefficients but only {rank} can be "
            "estimated from these data (collinear terms, or a factor level with no respondent); "
            "remove a term or merge levels"
        )
    w = pd.to_numeric(data[design.weight]).to_numpy(dtype=float)[rows]
    beta = _fit_glm(y, x, w, fam)
    eta = x @ beta
    mu = fam.link.inverse(eta)
    dmu = fam.link.inverse_deriv(eta)
    var = fam.variance(mu)
    a = (x * (w * dmu**2 / var)[:, None]).T @ x
    scores = np.zeros((len(data), x.shape[1]))
    scores[rows] = x * (w * (y - mu) * dmu / var)[:, None]
    used = np.zeros(len(data), dtype=bool)
    used[rows] = True
    b, degf = _design_variance(scores, data, design, used)
    a_inv = np.linalg.inv(a)
    vcov = a_inv @ b @ a_inv
    vcov = (vcov + vcov.T) / 2
    df_resid = float(degf + 1 - x.shape[1])
    se = np.sqrt(np.diag(vcov))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = beta / se
    if df_resid > 0:
        p = 2 * stats.t.sf(np.abs(t), df_resid)
        q = stats.t.ppf(0.5 + level / 2, df_resid)
        lo, hi = beta - q * se, beta + q * se
    else:
        p = lo = hi = np.full(len(beta), np.nan)
    index = pd.Index(names, name="term")
    return TrendFit(
        formula=formula,
        family=family,
        params=pd.Series(beta, index=index, name="estimate"),
        bse=pd.Series(se, index=index, name="se"),
        tvalues=pd.Series(t, index=index, name="t"),
        pvalues=pd.Series(p, index=index, name="p_value"),
        conf_int=pd.DataFrame({"ci_low": lo, "ci_high": hi}, index=index),
        vcov=pd.DataFrame(vcov, index=index, columns=index),
        df_resid=df_resid,
        n=len(rows),
        level=level,
    )


def _fit_glm(y: np.ndarray, x: np.ndarray, w: np.ndarray, fam: sm.families.Family) -> np.ndarray:
    """Weighted (quasi-)likelihood fit: statsmodels IRLS, then Fisher-scoring polish to ~1e-15."""
    scaled = w / w.mean()  # as svyglm(rescale = TRUE): numerically kinder, same estimates
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(y, x, family=fam, var_weights=scaled).fit(
            tol=1e-14, maxiter=100, tol_criterion="params"
        )
    beta = np.asarray(res.params, dtype=float)
    for _ in range(10):
        eta = x @ beta
        mu = fam.link.inverse(eta)
        dmu = fam.link.inverse_deriv(eta)
        var = fam.variance(mu)
        u = x.T @ (scaled * (y - mu) * dmu / var)
        a = (x * (scaled * dmu**2 / var)[:, None]).T @ x
        step = np.linalg.solve(a, u)
        beta = beta + step
        if np.max(np.abs(step) / np.maximum(np.abs(beta), 1e-8)) < 1e-15:
            break
    if not np.all(np.isfinite(beta)):
        raise EstimationError(
            "the model did not converge (a coefficient is infinite: perfect separation, or an "
            "outcome that never or always happens in a group); simplify the model"
        )
    return beta


# ------------------------------------------------------------------------------------------------
# Stacking rounds


def stack_rounds(
    df: pd.DataFrame,
    design: SurveyDesign,
    round: str = "round",
) -> tuple[pd.DataFrame, SurveyDesign]:
    """Make strata and PSUs unique per round so that rounds are independent samples.

    Parameters
    ----------
    df:
        Respondents of several rounds stacked in one frame, with a ``round`` column.
    design:
        The design of a single round (same column names in every round).
    round:
        The column that says which round a respondent belongs to.

    Returns
    -------
    (DataFrame, SurveyDesign)
        A copy of ``df`` with two new columns ``_stratum`` (round x stratum) and ``_psu``
        (round x stratum x PSU, or one per respondent when the design has no PSU), and the
        design that names them (same weight, fpc and lonely-PSU rule).

    Notes
    -----
    The same as R ``svydesign(ids = ~psu, strata = ~interaction(round, stratum), nest = TRUE)``
    on the stacked data.
    """
    if round not in df.columns:
        raise EstimationError(
            f"column {round!r} (the round) not found; columns present: "
            f"{', '.join(map(str, df.columns[:30]))}"
        )
    _check_design(df, design)
    out = df.copy()
    rnd = out[round].astype(str)
    stratum = rnd + "|" + (out[design.strata].astype(str) if design.strata else "")
    out["_stratum"] = stratum
    if design.psu:
        out["_psu"] = stratum + "|" + out[design.psu].astype(str)
    else:
        out["_psu"] = stratum + "|" + pd.Series(np.arange(len(out)), index=out.index).astype(str)
    calibration = design.calibration
    if calibration is not None and calibration.within is None:
        # each round was calibrated on its own: the stacked calibration is block-diagonal by round
        calibration = replace(calibration, within=round)
    return out, SurveyDesign(
        weight=design.weight,
        strata="_stratum",
        psu="_psu",
        fpc=design.fpc,
        lonely_psu=design.lonely_psu,
        calibration=calibration,
    )


# ------------------------------------------------------------------------------------------------
# Linear trends


def _time_index(values: pd.Series, order: Sequence[Any] | None) -> tuple[pd.Series, list[Any]]:
    """Rounds as time: numeric values as they are, other values as 0, 1, 2, ... in ``order``."""
    if order is None and pd.api.types.is_numeric_dtype(values):
        return values.astype(float), sorted(values.dropna().unique().tolist())
    levels = list(order) if order is not None else sorted(values.dropna().unique().tolist())
    unknown = sorted(set(values.dropna().unique()) - set(levels), key=str)
    if unknown:
        raise EstimationError(
            f"round value(s) {unknown} are not in the given order {levels}; add them to order="
        )
    pos = {v: i for i, v in enumerate(levels)}
    return values.map(pos).astype(float), levels


def _is_proportion(values: pd.Series) -> bool:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return bool(len(v)) and bool(v.isin([0, 1]).all())


def _outcome_map(outcomes: str | Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    if isinstance(outcomes, str):
        return {outcomes: outcomes}
    if isinstance(outcomes, Mapping):
        return {str(k): str(v) for k, v in outcomes.items()}
    return {str(c): str(c) for c in outcomes}


def linear_trends(
    df: pd.DataFrame,
    design: SurveyDesign,
    outcomes: str | Sequence[str] | Mapping[str, str],
    *,
    time: str = "round",
    by: str | None = None,
    order: Sequence[Any] | None = None,
    polarity: Mapping[str, str] | None = None,
    level: float = 0.95,
    q: float = 0.05,
    lang: str = "en",
) -> pd.DataFrame:
    """Average change per round of each indicator, overall and per group, with design-based SEs.

    Parameters
    ----------
    df, design:
        Stacked respondent-level data of several rounds and its design (see :func:`stack_rounds`).
    outcomes:
        Outcome column(s): a 0/1 column for a proportion (NaN for respondents outside the
        denominator) or a numeric score. A mapping ``{indicator id: column}`` names the rows.
    time:
        The round column. Numeric values are used as they are; other values become 0, 1, 2, ... in
        ``order`` (default: sorted), so the slope is the change per round.
    by:
        Optional breakdown column (e.g. ``"region"``): one trend per group, each estimated on its
        domain of the full design, besides the overall trend.
    polarity:
        ``{indicator: "up" | "down"}``; whether an increase is an improvement (default ``"up"``).
    level, q:
        Confidence level, and false-discovery rate for the Benjamini-Hochberg verdicts across all
        rows of the table.
    lang:
        Language of ``verdict_label`` (``"en"`` or ``"fr"``).

    Returns
    -------
    DataFrame
        indicator, breakdown (``"all"`` or ``by``), group, estimate (average change per round, in
        percentage points for a 0/1 outcome, else in the outcome's units), se, ci_low, ci_high,
        t, p_value, df, n, n_rounds, first_round, last_round, unit, polarity, q_value,
        significant, verdict (improved | deteriorated | no_change | not_compared),
        verdict_label.

    Notes
    -----
    The trend is the slope of a linear probability model (gaussian svyglm, identity link)
    ``y ~ t`` on the stacked design: :math:`\\hat\\beta_1` is the design-weighted least-squares
    slope through the respondents' answers, the average change in the proportion per round in
    percentage points (x 100). A linear probability model is chosen rather than a logistic one so
    that the slope is the reported quantity itself (no marginal-effect conversion), it is additive
    across groups and it agrees exactly with R ``svyglm(y ~ round, design, family = gaussian())``;
    for proportions between about 10 and 90 per cent the two models give the same verdicts.
    A group whose domain holds fewer than two rounds is reported ``not_compared``.

    Checked against R: ``svyglm(y ~ round, design = subset(dsim, region == "R3"))``
    (tests/reference/test_svyglm_reference.py).
    """
    outs = _outcome_map(outcomes)
    polarity = dict(polarity or {})
    for col in [time, *outs.values(), *([by] if by else [])]:
        if col not in df.columns:
            raise EstimationError(
                f"column {col!r} not found; columns present: {', '.join(map(str, df.columns[:30]))}"
            )
    data = df.reset_index(drop=True).copy()
    data["_t"], levels = _time_index(data[time], order)
    groups: list[tuple[str, Any, np.ndarray]] = [("all", "all", np.ones(len(data), dtype=bool))]
    if by:
        for g in sorted(data[by].dropna().unique().tolist(), key=str):
            groups.append((by, g, (data[by] == g).to_numpy()))
    rows: list[dict[str, Any]] = []
    for ind, col in outs.items():
        data["_y"] = pd.to_numeric(data[col], errors="coerce")
        prop = _is_proportion(data[col])
        scale = 100.0 if prop else 1.0
        for breakdown, group, mask in groups:
            valid = mask & data["_y"].notna().to_numpy() & data["_t"].notna().to_numpy()
            times = sorted(data.loc[valid, "_t"].unique().tolist())
            row: dict[str, Any] = {
                "indicator": ind,
                "breakdown": breakdown,
                "group": group,
                "n": int(valid.sum()),
                "n_rounds": len(times),
                "first_round": _level_of(times[0], levels) if times else None,
                "last_round": _level_of(times[-1], levels) if times else None,
                "unit": "percentage points per round" if prop else "units per round",
                "polarity": polarity.get(ind, "up"),
            }
            if len(times) < 2:
                row.update(dict.fromkeys(("estimate", "se", "ci_low", "ci_high", "t"), np.nan))
                row.update(p_value=np.nan, df=np.nan)
                rows.append(row)
                continue
            fit = trend_model(data, design, "_y ~ _t", family="gaussian", level=level, domain=mask)
            row.update(
                estimate=scale * fit.params["_t"],
                se=scale * fit.bse["_t"],
                ci_low=scale * _ci(fit, "_t", "ci_low"),
                ci_high=scale * _ci(fit, "_t", "ci_high"),
                t=fit.tvalues["_t"],
                p_value=fit.pvalues["_t"],
                df=fit.df_resid,
            )
            rows.append(row)
    table = pd.DataFrame(rows)
    return add_verdicts(table, q=q, lang=lang)


def _ci(fit: TrendFit, term: str, bound: str) -> float:
    return float(fit.conf_int[bound].to_numpy()[fit.params.index.get_loc(term)])


def _level_of(t: float, levels: list[Any]) -> Any:
    i = int(t)
    return levels[i] if float(i) == t and 0 <= i < len(levels) else t


# ------------------------------------------------------------------------------------------------
# Interrupted time series

_CAVEAT = {
    "en": {
        "few": (
            "Few time points: {pre} survey round(s) before the event and {post} after it; "
            "a trend drawn through so few points is fragile."
        ),
        "no_pre": (
            "With a single round before the event the earlier trend cannot be estimated: the level "
            "change assumes that, without the event, the figure would have stayed where it was."
        ),
        "concurrent": (
            "Other things changed over the same period (seasons, other operations, political "
            "events, displacement, access); any of them can produce the same pattern."
        ),
        "composition": (
            "Who was interviewed can change between rounds (areas reached, displacement, "
            "replacement of respondents); part of a change can come from the sample's composition."
        ),
        "comparison": (
            "The comparison regions stand for what would have happened without the event only if "
            "both groups would otherwise have moved in parallel, and only if the event did not "
            "also affect them."
        ),
        "causal": (
            "This shows an association in time, not proof that the event caused the change."
        ),
    },
    "fr": {
        "few": (
            "Peu de points dans le temps : {pre} cycle(s) d'enquête avant l'événement et {post} "
            "après ; une tendance tracée sur si peu de points est fragile."
        ),
        "no_pre": (
            "Avec un seul cycle avant l'événement, la tendance antérieure ne peut pas être "
            "estimée : le changement de niveau suppose que, sans l'événement, l'indicateur serait "
            "resté à son niveau."
        ),
        "concurrent": (
            "D'autres choses ont changé pendant la même période (saisons, autres opérations, "
            "événements politiques, déplacements, accès) ; chacune peut produire la même évolution."
        ),
        "composition": (
            "Les personnes interrogées peuvent changer d'un cycle à l'autre (zones atteintes, "
            "déplacements, remplacement des répondants) ; une partie du changement peut venir de "
            "la composition de l'échantillon."
        ),
        "comparison": (
            "Les régions de comparaison ne représentent ce qui se serait passé sans l'événement que "
            "si les deux groupes auraient autrement évolué en parallèle, et si l'événement ne les a "
            "pas touchées elles aussi."
        ),
        "causal": (
            "Il s'agit d'une association dans le temps, non d'une preuve que l'événement a causé "
            "le changement."
        ),
    },
}


def its_caveat(n_pre: int, n_post: int, *, comparison: bool, lang: str = "en") -> str:
    """The caveats a careful analyst attaches to an interrupted time series, in ``lang``."""
    text = _CAVEAT.get(lang, _CAVEAT["en"])
    parts = [text["few"].format(pre=n_pre, post=n_post)]
    if n_pre < 2:
        parts.append(text["no_pre"])
    parts += [text["concurrent"], text["composition"]]
    if comparison:
        parts.append(text["comparison"])
    parts.append(text["causal"])
    return " ".join(parts)


_TERMS = {
    # model term -> (reported term, meaning)
    "_t": "pre_trend",
    "_post": "level_change",
    "_after": "slope_change",
    "_g:_t": "pre_trend_difference",
    "_g:_post": "level_change",
    "_g:_after": "slope_change",
}


def _as_date(value: Any) -> dt.date | None:
    return as_date(value)


def interrupted_time_series(
    df: pd.DataFrame,
    design: SurveyDesign,
    outcomes: str | Sequence[str] | Mapping[str, str],
    event: Any,
    *,
    time: str = "round",
    round_dates: Mapping[Any, Any] | None = None,
    region: str = "region",
    comparison: bool = True,
    level: float = 0.95,
    lang: str = "en",
) -> pd.DataFrame:
    """Segmented regression around a dated mission event: level change and slope change.

    Parameters
    ----------
    df, design:
        Stacked respondent-level data of several rounds and its design (see :func:`stack_rounds`).
    outcomes:
        Outcome column(s), as in :func:`linear_trends`.
    event:
        A :class:`mande.config.Event` (``mande.load_mission(...).events``): its ``date``, and its
        ``regions`` (empty for a mission-wide event).
    time:
        The round column.
    round_dates:
        ``{round: date}``, the date that stands for each round (e.g. the middle of fieldwork).
        Needed unless the round values are themselves dates (``"2024-11"``, ``2024-11-15``).
    region:
        The region column, to tell the event's regions from the others.
    comparison:
        When the event names regions and others exist, compare the event's regions with the other
        regions (difference in differences with round fixed effects); otherwise model the event's
        regions (or everyone, for a mission-wide event) alone.
    level, lang:
        Confidence level; language of ``caveat`` (``"en"`` or ``"fr"``).

    Returns
    -------
    DataFrame
        One row per indicator x term: event, indicator, model (``"single series"`` or
        ``"comparison group"``), regions, term (``level_change``, ``slope_change``, ``pre_trend``,
        ``pre_trend_difference``), estimate (percentage points for a 0/1 outcome; slopes per
        round), se, ci_low, ci_high, t, p_value, df, n, n_pre, n_post, unit, caveat.

    Notes
    -----
    Rounds are placed at t = 0, 1, 2, ... in date order. A round is *after* the event when its
    date is on or after the event's date. With :math:`P_t` = 1 after the event and
    :math:`A_t` = rounds since the first round after the event (0 before), the single series is the
    linear probability model (gaussian svyglm) on the event's regions

    .. math:: y = \\beta_0 + \\beta_1 t + \\beta_2 P_t + \\beta_3 A_t

    where :math:`\\beta_2` (level change) is the jump at the first round after the event compared
    with the earlier trend, and :math:`\\beta_3` (slope change) the change in the change per round.
    :math:`\\beta_1` needs two rounds before the event and :math:`\\beta_3` two rounds after it;
    a term that cannot be estimated is left out (without :math:`\\beta_1` the level change is
    measured against the level before the event). With the comparison group :math:`G`
    (1 in the event's regions) the model is

    .. math:: y = \\alpha_{t} + \\gamma G + \\delta_1 G t + \\delta_2 G P_t + \\delta_3 G A_t

    with one intercept :math:`\\alpha_t` per round absorbing whatever happened everywhere; then
    :math:`\\delta_2` and :math:`\\delta_3` are the level and slope changes in the event's regions
    beyond those in the other regions. Variances are design-based (stacked design).

    References
    ----------
    Wagner, A. K. et al. (2002). Segmented regression analysis of interrupted time series studies
    in medication use research. J Clin Pharm Ther 27, 299-309. Bernal, J. L., Cummins, S., Gasparrini,
    A. (2017). Interrupted time series regression for the evaluation of public health
    interventions: a tutorial. Int J Epidemiol 46, 348-355.

    Checked against R: ``svyglm(y ~ post + time_after, design = subset(dsim, treated == 1))`` and
    ``svyglm(y ~ factor(round) + treated + treated:post + treated:time_after, design = dsim)``
    (tests/reference/test_svyglm_reference.py).
    """
    outs = _outcome_map(outcomes)
    event_date = _as_date(getattr(event, "date", None))
    if event_date is None:
        raise EstimationError(
            f"event must have a date (a mande.config.Event from mission.yaml), got {event!r}"
        )
    event_regions = tuple(getattr(event, "regions", ()) or ())
    event_id = str(getattr(event, "id", event_date.isoformat()))
    for col in [time, *outs.values()]:
        if col not in df.columns:
            raise EstimationError(
                f"column {col!r} not found; columns present: {', '.join(map(str, df.columns[:30]))}"
            )
    data = df.reset_index(drop=True).copy()
    rounds = data[time].dropna().unique().tolist()
    dates: dict[Any, dt.date] = {}
    for r in rounds:
        d = _as_date(round_dates[r]) if round_dates and r in round_dates else None
        if d is None and round_dates is None:
            d = _as_date(r)
        if d is None:
            raise EstimationError(
                f"round {r!r} has no date; give round_dates={{round: date}} (e.g. the middle of "
                "fieldwork) so that the event can be placed between rounds"
            )
        dates[r] = d
    ordered = sorted(rounds, key=lambda r: dates[r])
    pos = {r: i for i, r in enumerate(ordered)}
    after = [r for r in ordered if dates[r] >= event_date]
    n_pre, n_post = len(ordered) - len(after), len(after)
    if n_pre < 1 or n_post < 1:
        raise EstimationError(
            f"event {event_id!r} ({event_date}) needs survey rounds on both sides; rounds are dated "
            f"{', '.join(f'{r}: {dates[r]}' for r in ordered)}"
        )
    first_post = pos[after[0]]
    data["_t"] = data[time].map(pos).astype(float)
    data["_post"] = (data["_t"] >= first_post).astype(float)
    data["_after"] = np.maximum(data["_t"] - first_post, 0.0)
    treated_regions = event_regions
    use_comparison = False
    if event_regions:
        if region not in data.columns:
            raise EstimationError(
                f"event {event_id!r} concerns regions {list(event_regions)} but column {region!r} "
                "is not in the data; give region='...'"
            )
        in_event = data[region].isin(event_regions)
        if not in_event.any():
            raise EstimationError(
                f"no respondent is in the event's regions {list(event_regions)}; regions present: "
                f"{sorted(data[region].dropna().unique().tolist(), key=str)}"
            )
        use_comparison = comparison and bool((~in_event & data[region].notna()).any())
        data["_g"] = in_event.astype(float)
    else:
        in_event = pd.Series(True, index=data.index)
        data["_g"] = 1.0
    if use_comparison:
        rhs = ["C(_t)", "_g"]
        rhs += ["_g:_t"] if n_pre >= 2 else []
        rhs += ["_g:_post"]
        rhs += ["_g:_after"] if n_post >= 2 else []
        mask = np.ones(len(data), dtype=bool)
        model = "comparison group"
    else:
        rhs = (["_t"] if n_pre >= 2 else []) + ["_post"] + (["_after"] if n_post >= 2 else [])
        mask = in_event.to_numpy()
        model = "single series"
    caveat = its_caveat(n_pre, n_post, comparison=use_comparison, lang=lang)
    rows: list[dict[str, Any]] = []
    for ind, col in outs.items():
        data["_y"] = pd.to_numeric(data[col], errors="coerce")
        prop = _is_proportion(data[col])
        scale = 100.0 if prop else 1.0
        fit = trend_model(
            data, design, "_y ~ " + " + ".join(rhs), family="gaussian", level=level, domain=mask
        )
        for term, name in _TERMS.items():
            if term not in fit.params.index:
                continue
            if not use_comparison and term.startswith("_g:"):
                continue
            rows.append(
                {
                    "event": event_id,
                    "event_date": event_date,
                    "indicator": ind,
                    "model": model,
                    "regions": ", ".join(treated_regions) if treated_regions else "all",
                    "term": name,
                    "estimate": scale * fit.params[term],
                    "se": scale * fit.bse[term],
                    "ci_low": scale * _ci(fit, term, "ci_low"),
                    "ci_high": scale * _ci(fit, term, "ci_high"),
                    "t": fit.tvalues[term],
                    "p_value": fit.pvalues[term],
                    "df": fit.df_resid,
                    "n": fit.n,
                    "n_pre": n_pre,
                    "n_post": n_post,
                    "unit": (
                        ("percentage points" if prop else "units")
                        + (" per round" if name != "level_change" else "")
                    ),
                    "caveat": caveat,
                }
            )
    return pd.DataFrame(rows)
