"""Calibration of survey weights to population margins, and weight trimming.

:func:`calibrate` gives R ``survey``'s ``calibrate(design, formula, population, calfun = "linear"
| "raking", bounds =)`` and ``postStratify(design, strata, population)``; :func:`trim_weights`
gives ``trimWeights(design, lower, upper, strict)``. The returned design carries the calibration,
so that :func:`mande.estimate` and :func:`mande.trend_model` give R's standard errors for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import DesignError
from mande.stats._calibration import CALIBRATION_METHODS, Calibration, _key, model_matrix
from mande.stats._linearize import design_index
from mande.stats.design import SurveyDesign

__all__ = ["CalibrationReport", "CalibrationResult", "calibrate", "kish_deff", "trim_weights"]

Margins = Mapping[Any, Mapping[Any, float]]


@dataclass(frozen=True)
class CalibrationReport:
    """What a calibration or trimming did.

    Attributes
    ----------
    method:
        ``"raking"``, ``"linear"``, ``"poststratify"`` or ``"trim"``.
    bounds:
        Bounds on the g-weights (calibration) or on the weights (trimming), or None.
    iterations:
        Newton iterations (raking, bounded linear) or trimming passes; 0 when closed-form.
    converged:
        Whether the margins were met to the tolerance.
    n:
        Respondents.
    g_min, g_max:
        Range of the g-weights (new weight / weight before).
    weight_min, weight_max:
        Range of the new weights.
    deff_before, deff_after:
        Kish's design effect from unequal weighting before and after, :func:`kish_deff`.
    margins:
        One row per term and level: ``variable``, ``level``, ``population``, ``before`` (weighted
        total with the weights before), ``after`` (with the new weights).
    """

    method: str
    bounds: tuple[float, float] | None
    iterations: int
    converged: bool
    n: int
    g_min: float
    g_max: float
    weight_min: float
    weight_max: float
    deff_before: float
    deff_after: float
    margins: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form (stored with a round version)."""
        rows = [
            {
                "variable": str(r.variable),
                "level": str(r.level),
                "population": _num(r.population),
                "before": _num(r.before),
                "after": _num(r.after),
            }
            for r in self.margins.itertuples(index=False)
        ]
        return {
            "method": self.method,
            "bounds": list(self.bounds) if self.bounds is not None else None,
            "iterations": self.iterations,
            "converged": self.converged,
            "n": self.n,
            "g_min": self.g_min,
            "g_max": self.g_max,
            "weight_min": self.weight_min,
            "weight_max": self.weight_max,
            "deff_before": self.deff_before,
            "deff_after": self.deff_after,
            "margins": rows,
        }


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


@dataclass(frozen=True)
class CalibrationResult:
    """The calibrated (or trimmed) data, its design and the report."""

    data: pd.DataFrame
    design: SurveyDesign
    report: CalibrationReport


def kish_deff(weights: np.ndarray | pd.Series) -> float:
    """Kish's design effect from unequal weighting, :math:`n \\sum w_i^2 / (\\sum w_i)^2`.

    Equal to :math:`1 + CV^2` of the weights (Kish 1965, sec. 11.7).
    """
    w = np.asarray(weights, dtype=float)
    if len(w) == 0:
        return float("nan")
    return float(len(w) * np.sum(w**2) / np.sum(w) ** 2)


def _terms(margins: Margins) -> tuple[list[tuple[str, ...]], list[list[Any]], list[np.ndarray]]:
    """Terms (column tuples), their levels and population totals, checked."""
    if not isinstance(margins, Mapping) or not margins:
        raise DesignError(
            "margins must be a non-empty mapping {column: {level: population}}; got "
            f"{type(margins).__name__}"
        )
    terms, levels, totals = [], [], []
    for key, table in margins.items():
        term = tuple(key) if isinstance(key, tuple) else (key,)
        if not all(isinstance(c, str) for c in term):
            raise DesignError(f"margin key {key!r} is not a column name or a tuple of column names")
        if not isinstance(table, Mapping) or not table:
            raise DesignError(
                f"margin {key!r} must map each level to its population; got {table!r}"
            )
        lv, tot = [], []
        for level, pop in table.items():
            if len(term) > 1 and (not isinstance(level, tuple) or len(level) != len(term)):
                raise DesignError(
                    f"margin {key!r} crosses {len(term)} columns, so each level must be a tuple "
                    f"of {len(term)} values; got {level!r}"
                )
            try:
                value = float(pop)
            except (TypeError, ValueError):
                value = float("nan")
            if not np.isfinite(value) or value < 0:
                raise DesignError(
                    f"population of {key!r} = {level!r} is {pop!r}; expected a number >= 0"
                )
            lv.append(tuple(_key(x) for x in level) if len(term) > 1 else _key(level))
            tot.append(value)
        terms.append(term)
        levels.append(lv)
        totals.append(np.asarray(tot))
    sums = [float(t.sum()) for t in totals]
    if max(sums) - min(sums) > 1e-9 * max(max(sums), 1.0):
        shown = ", ".join(f"{' x '.join(t)}: {s:,.0f}" for t, s in zip(terms, sums, strict=True))
        raise DesignError(
            f"the margins do not sum to the same population ({shown}); every margin must count "
            "the same people. Check the census figures"
        )
    return terms, levels, totals


def calibrate(
    df: pd.DataFrame,
    design: SurveyDesign,
    margins: Margins,
    method: str = "raking",
    bounds: tuple[float, float] | None = None,
    *,
    weight: str = "weight_cal",
    within: str | None = None,
    maxit: int = 50,
    epsilon: float = 1e-10,
) -> CalibrationResult:
    """Calibrate the design's weights to population margins (raking, linear, post-stratification).

    Parameters
    ----------
    df:
        The responses with the design's columns and the calibration variables.
    design:
        The design before calibration; its weights are the base weights :math:`d_i`.
    margins:
        ``{column: {level: population}}``, one entry per margin; a key may be a tuple of columns
        with tuple levels for a cross-classification (``{("sex", "region"): {("female", "Nord"):
        201000, ...}}``). Every margin must sum to the same population; every value found in the
        data must have a figure.
    method:
        ``"raking"`` (R ``calfun = "raking"``: :math:`g_i = \\exp(x_i^\\top\\lambda)`),
        ``"linear"`` (GREG: :math:`g_i = 1 + x_i^\\top\\lambda`) or ``"poststratify"`` (one
        margin, its cells: :math:`g_i = N_c / \\hat N_c`, R's ``postStratify``).
    bounds:
        ``(lo, hi)``: bounds on the g-weights, as R's ``calibrate(bounds=)`` (raking and linear).
    weight:
        Name of the new column of calibrated weights.
    within:
        A column (such as ``"round"``): calibrate each of its values separately to the same
        margins. The design then carries the block-diagonal calibration.
    maxit, epsilon:
        Newton iterations allowed, and the tolerance on the margins: every
        :math:`|T_k - \\sum_i w_i x_{ik}| / (1 + |T_k|)` below ``epsilon`` (R's criterion).

    Returns
    -------
    CalibrationResult
        ``.data`` (a copy of ``df`` with the new weight column), ``.design`` (naming it and
        carrying the calibration) and ``.report`` (:class:`CalibrationReport`).

    Raises
    ------
    DesignError
        Bad margins (levels missing, totals that disagree, negative figures), a data value
        without a population figure, a level with no respondent, no convergence within ``maxit``
        (typically bounds too tight), or a design that is already calibrated.

    Notes
    -----
    With :math:`x_i` the dummies of the margins and :math:`T` the population totals, the
    calibrated weights :math:`w_i = g_i d_i` satisfy :math:`\\sum_i w_i x_i = T`, with
    :math:`g_i = F(x_i^\\top\\lambda)` clipped to ``bounds``. :math:`\\lambda` is found by
    Newton's method from 0, as R's ``grake``: :math:`\\lambda \\leftarrow \\lambda +
    (\\sum_i d_i F'(x_i^\\top\\lambda) x_i x_i^\\top)^{+}(T - \\sum_i d_i g_i x_i)`; linear
    calibration without bounds is the closed form :math:`\\lambda = (X^\\top D X)^{-1}(T -
    X^\\top d)` (R's ``regcalibrate``). Post-stratification is linear calibration on the cells.

    The variance of an estimator on the calibrated design is that of the residuals of its
    influence values from the weighted regression on :math:`x_i` (Deville and Saerndal 1992),
    computed as R's ``svyrecvar`` does for ``calibrate`` and ``postStratify`` designs.

    References
    ----------
    Deville, J.-C. and Saerndal, C.-E. (1992). Calibration estimators in survey sampling. *JASA*
    87(418), 376-382. Lumley, T. (2010). *Complex Surveys*, ch. 7. Wiley.

    Checked against R survey ``calibrate``/``postStratify`` (``tests/reference/
    make_calibrate_fixtures.R``) to 1e-8 relative.
    """
    if method not in CALIBRATION_METHODS:
        raise DesignError(
            f"method={method!r} is not a calibration method; expected one of "
            f"{', '.join(CALIBRATION_METHODS)}"
        )
    if design.calibration is not None:
        raise DesignError(
            "the design is already calibrated; calibrate from the design with the base weights "
            f"(weight column '{design.calibration.base_weight}')"
        )
    if weight == design.weight or weight in design.columns:
        raise DesignError(
            f"weight={weight!r} names a column the design already uses; choose a new column name"
        )
    lo, hi = _check_bounds(bounds)
    if method == "poststratify" and bounds is not None:
        raise DesignError("bounds= applies to raking and linear calibration, not poststratify")
    terms, levels, totals = _terms(margins)
    if method == "poststratify" and len(terms) != 1:
        raise DesignError(
            f"poststratify takes one margin (a column or a tuple of columns for the cells); got "
            f"{len(terms)}. Cross the columns into one key, e.g. {{('sex', 'region'): {{...}}}}"
        )
    index = design_index(df, design)
    d = index.weights
    x, codes = model_matrix(df, terms, levels)
    target = np.concatenate([totals[0], *[t[1:] for t in totals[1:]]])

    if within is None:
        groups = [np.arange(len(df))]
    else:
        if within not in df.columns:
            raise DesignError(f"within={within!r} is not a column of the data")
        gcode, _ = pd.factorize(df[within], sort=True)
        if (gcode < 0).any():
            raise DesignError(f"column '{within}' is missing on some rows; every row needs one")
        groups = [np.flatnonzero(gcode == k) for k in range(int(gcode.max()) + 1)]

    g = np.empty(len(df))
    iterations, converged = 0, True
    for rows in groups:
        _check_levels(x[rows], d[rows], terms, levels, totals, codes, rows)
        gg, it, ok = _solve(x[rows], d[rows], target, method, lo, hi, maxit, epsilon)
        g[rows] = gg
        iterations = max(iterations, it)
        converged = converged and ok
    if not converged:
        raise DesignError(
            f"{method} calibration did not meet the margins within {maxit} iterations"
            + (f" with bounds ({lo:g}, {hi:g})" if bounds is not None else "")
            + "; widen the bounds, merge sparse levels, or raise maxit"
        )
    w = d * g
    out = df.copy()
    out[weight] = w
    cal = Calibration(
        method=method,
        base_weight=design.weight,
        calibrated_weight=weight,
        terms=tuple(terms),
        levels=tuple(tuple(lv) for lv in levels),
        bounds=(lo, hi) if bounds is not None else None,
        within=within,
    )
    report = CalibrationReport(
        method=method,
        bounds=cal.bounds,
        iterations=iterations,
        converged=converged,
        n=len(df),
        g_min=float(g.min()),
        g_max=float(g.max()),
        weight_min=float(w.min()),
        weight_max=float(w.max()),
        deff_before=kish_deff(d),
        deff_after=kish_deff(w),
        margins=_margin_table(terms, levels, totals, codes, d, w, len(groups)),
    )
    return CalibrationResult(
        data=out, design=replace(design, weight=weight, calibration=cal), report=report
    )


def _check_bounds(bounds: tuple[float, float] | None) -> tuple[float, float]:
    if bounds is None:
        return -np.inf, np.inf
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError) as exc:
        raise DesignError(f"bounds={bounds!r} must be a pair (lo, hi) of numbers") from exc
    if not lo < 1 < hi:
        raise DesignError(
            f"bounds=({lo:g}, {hi:g}) must hold 1 strictly inside (lo < 1 < hi): g-weights of 1 "
            "leave a weight unchanged"
        )
    return lo, hi


def _check_levels(
    x: np.ndarray,
    d: np.ndarray,
    terms: list[tuple[str, ...]],
    levels: list[list[Any]],
    totals: list[np.ndarray],
    codes: list[np.ndarray],
    rows: np.ndarray,
) -> None:
    """A level with population but no respondent cannot be met: say which (R fails later)."""
    for term, lv, tot, c in zip(terms, levels, totals, codes, strict=True):
        counts = np.bincount(c[rows], minlength=len(lv))
        empty = [lv[i] for i in np.flatnonzero((counts == 0) & (tot > 0))]
        if empty:
            raise DesignError(
                f"no respondent has {' x '.join(term)} = {', '.join(repr(e) for e in empty[:8])}, "
                "which has a population figure; merge the level with a neighbour in the margins "
                "or drop that margin"
            )


def _solve(
    x: np.ndarray,
    d: np.ndarray,
    target: np.ndarray,
    method: str,
    lo: float,
    hi: float,
    maxit: int,
    epsilon: float,
) -> tuple[np.ndarray, int, bool]:
    """g-weights meeting ``X' (d g) = target``; (g, iterations, converged)."""
    sample_total = x.T @ d
    if method == "poststratify" or (method == "linear" and np.isinf(lo) and np.isinf(hi)):
        gram = (x * d[:, None]).T @ x
        lam = np.linalg.pinv(gram) @ (target - sample_total)
        return 1.0 + x @ lam, 0, True
    eta = np.zeros(x.shape[1])
    scale = 1.0 + np.abs(target)
    for it in range(1, maxit + 1):
        u = x @ eta
        if method == "raking":
            raw = np.exp(u)
            deriv = np.where((raw > lo) & (raw < hi), raw, 0.0)
        else:
            raw = 1.0 + u
            deriv = ((raw > lo) & (raw < hi)).astype(float)
        g = np.clip(raw, lo, hi)
        misfit = target - x.T @ (d * g)
        if np.all(np.abs(misfit) / scale < epsilon):
            return g, it - 1, True
        jac = (x * (d * deriv)[:, None]).T @ x
        eta = eta + np.linalg.pinv(jac) @ misfit
    u = x @ eta
    g = np.clip(np.exp(u) if method == "raking" else 1.0 + u, lo, hi)
    misfit = target - x.T @ (d * g)
    return g, maxit, bool(np.all(np.abs(misfit) / scale < epsilon))


def _margin_table(
    terms: list[tuple[str, ...]],
    levels: list[list[Any]],
    totals: list[np.ndarray],
    codes: list[np.ndarray],
    d: np.ndarray,
    w: np.ndarray,
    n_groups: int,
) -> pd.DataFrame:
    rows = []
    for term, lv, tot, c in zip(terms, levels, totals, codes, strict=True):
        before = np.bincount(c, weights=d, minlength=len(lv))
        after = np.bincount(c, weights=w, minlength=len(lv))
        for i, level in enumerate(lv):
            rows.append(
                {
                    "variable": " x ".join(term),
                    "level": " x ".join(map(str, level)) if isinstance(level, tuple) else level,
                    "population": float(tot[i]) * n_groups,
                    "before": float(before[i]),
                    "after": float(after[i]),
                }
            )
    return pd.DataFrame(rows, columns=["variable", "level", "population", "before", "after"])


def trim_weights(
    df: pd.DataFrame,
    design: SurveyDesign,
    lower: float | None = None,
    upper: float | None = None,
    strict: bool = False,
    *,
    weight: str = "weight_trim",
) -> CalibrationResult:
    """Trim weights to ``[lower, upper]`` and share the trimmed amount out, as R's ``trimWeights``.

    Parameters
    ----------
    df, design:
        The responses and their (usually calibrated) design.
    lower, upper:
        Bounds on the weights (None: no bound).
    strict:
        Repeat until no weight is above ``upper`` (redistribution can push weights over it).
    weight:
        Name of the new weight column.

    Returns
    -------
    CalibrationResult
        The data with the trimmed weights, the design naming them (keeping the calibration, as R
        does, so that the variance still removes the calibration variables), and a report.

    Notes
    -----
    One pass: weights outside the bounds are set to the bound, and the total cut off (or added)
    is spread equally over the weights that were inside,
    :math:`w_i \\leftarrow w_i + \\sum_j (w_j - w_j^*) / \\#\\{\\text{inside}\\}`. The sum of the
    weights is kept. As ``survey::trimWeights.survey.design2`` (R survey 4.x).
    """
    if weight == design.weight:
        raise DesignError(f"weight={weight!r} is the design's weight column; choose a new name")
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if lo > hi:
        raise DesignError(f"lower={lower} is above upper={upper}; expected lower <= upper")
    index = design_index(df, design)
    w0 = index.weights
    w = w0.copy()
    passes = 0
    while True:
        outside = (w < lo) | (w > hi)
        if not outside.any():
            break
        new = np.clip(w, lo, hi)
        trimmed = w - new
        inside = ~outside
        if not inside.any():
            raise DesignError(
                f"every weight lies outside [{lower}, {upper}]; nothing is left to take the "
                "trimmed amount. Widen the bounds"
            )
        new[inside] = new[inside] + trimmed.sum() / inside.sum()
        w = new
        passes += 1
        if not (strict and (w > hi).any()):
            break
        if passes > 1000:
            raise DesignError("trimming with strict=True did not settle in 1000 passes")
    out = df.copy()
    out[weight] = w
    g = w / w0
    report = CalibrationReport(
        method="trim",
        bounds=(lo, hi),
        iterations=passes,
        converged=not (strict and (w > hi).any()),
        n=len(df),
        g_min=float(g.min()),
        g_max=float(g.max()),
        weight_min=float(w.min()),
        weight_max=float(w.max()),
        deff_before=kish_deff(w0),
        deff_after=kish_deff(w),
        margins=_trim_margins(df, design, w0, w),
    )
    return CalibrationResult(data=out, design=replace(design, weight=weight), report=report)


def _trim_margins(
    df: pd.DataFrame, design: SurveyDesign, before: np.ndarray, after: np.ndarray
) -> pd.DataFrame:
    """Margins of the calibration before and after trimming (empty for an uncalibrated design)."""
    cal = design.calibration
    cols = ["variable", "level", "population", "before", "after"]
    if cal is None:
        return pd.DataFrame(columns=cols)
    _, codes = model_matrix(df, cal.terms, cal.levels)
    rows = []
    for term, lv, c in zip(cal.terms, cal.levels, codes, strict=True):
        b = np.bincount(c, weights=before, minlength=len(lv))
        a = np.bincount(c, weights=after, minlength=len(lv))
        for i, level in enumerate(lv):
            rows.append(
                {
                    "variable": " x ".join(term),
                    "level": " x ".join(map(str, level)) if isinstance(level, tuple) else level,
                    "population": float(b[i]),
                    "before": float(b[i]),
                    "after": float(a[i]),
                }
            )
    return pd.DataFrame(rows, columns=cols)
