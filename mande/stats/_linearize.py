"""Taylor-linearised variance of estimated totals under a stratified cluster design.

Private machinery shared by :func:`mande.estimate` (domain means, totals and proportions) and the
svyglm-style trend models (sandwich variance of the estimating functions). Everything here works on
a :class:`DesignIndex`: the design's strata and PSUs turned into integer codes once, validated.

The variance of a linearised total :math:`\\hat Z = \\sum_i z_i` under the ultimate-cluster
approximation (Lumley 2010, sec. 2.2; Binder 1983) is

.. math::

    \\hat V(\\hat Z) = \\sum_h (1 - f_h) \\frac{n_h}{n_h - 1}
        \\sum_{j=1}^{n_h} (Z_{hj} - \\bar Z_h)^2,
    \\qquad Z_{hj} = \\sum_{i \\in (h, j)} z_i, \\quad \\bar Z_h = \\frac{1}{n_h}\\sum_j Z_{hj},

with :math:`n_h` the number of PSUs of stratum :math:`h` in the *whole* design and :math:`f_h` its
sampling fraction (:math:`f_h = 0` without fpc). For a domain the scores of rows outside it are
zero: PSUs of the stratum that hold no domain member still count in :math:`n_h` and
:math:`\\bar Z_h` (R's ``onestrat`` pads them with zeros), which is what estimating on the full
design means. This mirrors ``survey:::svyrecvar`` / ``onestage`` / ``onestrat`` of R survey 4.1.1.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from mande.errors import DesignError
from mande.stats._calibration import CalibrationIndex

if TYPE_CHECKING:
    from mande.stats.design import SurveyDesign

__all__ = [
    "DesignIndex",
    "DomainVariance",
    "design_df",
    "design_index",
    "design_vcov",
    "domain_variance",
]

# R's onestrat: a stratum whose fpc factor is below this is self-representing (no variance).
_CERTAINTY_TOL = 1e-7
_WEIGHT_LIKE = re.compile(r"(weight|wgt|wt|poids|pond|peso|w_|_w$|^w$|expan|factor)", re.I)


@dataclass(frozen=True, eq=False)
class DesignIndex:
    """A design resolved against one data frame: integer codes for strata and PSUs.

    Attributes
    ----------
    weights:
        (n,) sampling weights, all finite and > 0.
    stratum:
        (n,) stratum code of each row, 0 .. H-1 in sorted order of the stratum labels.
    psu:
        (n,) PSU code of each row, 0 .. P-1. PSUs are nested in strata and numbered stratum by
        stratum, so that the PSUs of stratum ``h`` are ``psu_start[h] .. psu_start[h + 1] - 1``.
    psu_stratum:
        (P,) stratum code of each PSU.
    n_psu:
        (H,) number of PSUs of each stratum in the design.
    fpc_factor:
        (H,) the factor ``(N_h - n_h) / N_h`` of R's onestrat (1 without fpc).
    stratum_labels:
        (H,) the stratum labels, for messages.
    lonely_psu:
        The design's lonely-PSU rule.
    calibration:
        The design's calibration resolved on the data (None for an uncalibrated design).
    """

    weights: np.ndarray
    stratum: np.ndarray
    psu: np.ndarray
    psu_stratum: np.ndarray
    n_psu: np.ndarray
    fpc_factor: np.ndarray
    stratum_labels: tuple[object, ...]
    lonely_psu: str
    calibration: CalibrationIndex | None = None

    @property
    def n_rows(self) -> int:
        return int(self.weights.shape[0])

    @property
    def n_strata(self) -> int:
        return int(self.n_psu.shape[0])

    @property
    def n_psus(self) -> int:
        return int(self.psu_stratum.shape[0])

    @property
    def psu_start(self) -> np.ndarray:
        """(H + 1,) offsets: the PSUs of stratum h are psu_start[h] .. psu_start[h + 1] - 1."""
        return np.concatenate([[0], np.cumsum(self.n_psu)])

    @property
    def certain(self) -> np.ndarray:
        """(H,) strata sampled with certainty (fpc factor ~ 0): they add no variance."""
        return self.fpc_factor < _CERTAINTY_TOL

    @property
    def lonely(self) -> np.ndarray:
        """(H,) strata with a single PSU in the design that are not sampled with certainty."""
        return (self.n_psu == 1) & ~self.certain

    @property
    def scale(self) -> np.ndarray:
        """(H,) the factor f_h n_h / (n_h - 1) (f_h alone for a single-PSU stratum)."""
        n = self.n_psu.astype(float)
        return np.where(n > 1, self.fpc_factor * n / np.maximum(n - 1, 1), self.fpc_factor)


def factorize_sorted(col: pd.Series) -> tuple[np.ndarray, Any]:
    """Integer codes (-1 for missing) and the distinct values, in sorted order.

    As ``pd.factorize(col, sort=True)`` (categories sort by their order), but hashing the
    column's array directly and sorting only the distinct values, which is several times faster
    on string columns.
    """
    codes, uniques = pd.factorize(col.array)
    codes = np.asarray(codes, dtype=np.int64)
    try:
        order = np.asarray(uniques.argsort(), dtype=np.int64)
    except TypeError:  # values of mixed types: order by their text
        order = np.argsort(np.asarray([str(u) for u in uniques]), kind="stable")
    if len(order) and not np.array_equal(order, np.arange(len(order))):
        rank = np.empty(len(order) + 1, dtype=np.int64)
        rank[order] = np.arange(len(order))
        rank[-1] = -1  # code -1 (missing) stays -1
        codes = rank[codes]
        uniques = uniques.take(order)
    return codes, uniques


def dense_codes(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0 .. m-1 of non-negative integer keys in sorted order of the keys, and the keys.

    Keys below ``size``; -1 keys keep code -1. Counting into an array of ``size`` when that is
    small (no sort, no hashing), else hashing with pandas.
    """
    valid = key >= 0
    if size <= 8 * len(key) + 1_000_000:
        present = np.flatnonzero(np.bincount(key[valid], minlength=size))
        lookup = np.full(size + 1, -1, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        return lookup[np.where(valid, key, size)], present
    codes = np.full(len(key), -1, dtype=np.int64)
    found, uniques = pd.factorize(key[valid], sort=True)
    codes[valid] = found
    return codes, np.asarray(uniques, dtype=np.int64)


def _small_int_codes(col: pd.Series, limit: int) -> np.ndarray | None:
    """The column itself as codes when it holds non-negative integers below ``limit``."""
    if not pd.api.types.is_integer_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        return None
    values = col.to_numpy(dtype=np.int64, na_value=-1)
    if len(values) == 0 or values.min() < 0 or values.max() >= limit:
        return None
    return values


def weight_like_columns(columns: Sequence[object]) -> list[str]:
    """Columns whose name looks like a weight (for error messages)."""
    return [str(c) for c in columns if _WEIGHT_LIKE.search(str(c))]


def _missing_column_message(role: str, name: str, columns: Sequence[object]) -> str:
    names = [str(c) for c in columns]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = ""
    if role == "weight":
        like = weight_like_columns(names)
        if like:
            hint = "; columns that look like weights: " + ", ".join(f"'{c}'" for c in like[:8])
    if close:
        hint += "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if not hint:
        shown = ", ".join(f"'{c}'" for c in names[:15])
        hint = f"; the data has columns {shown}{' ...' if len(names) > 15 else ''}"
    return (
        f"column '{name}' not found; the design names {role}='{name}'{hint}. "
        f"Fix the design's {role}= or rename the column"
    )


def _show(values: Sequence[object], limit: int = 10) -> str:
    vals = list(values)
    text = ", ".join(repr(v) for v in vals[:limit])
    return text + (f" ... ({len(vals)} in all)" if len(vals) > limit else "")


def design_index(df: pd.DataFrame, design: SurveyDesign) -> DesignIndex:
    """Validate ``design`` against ``df`` and resolve its strata, PSUs and fpc to codes.

    Raises
    ------
    DesignError
        A design column is missing (with columns that look like weights and close names), a
        weight is missing, not numeric or <= 0, a stratum or PSU id is missing, the fpc is
        missing, not constant within a stratum, mixes population sizes with fractions, or is
        smaller than the number of PSUs sampled.
    """
    for role in ("weight", "strata", "psu", "fpc"):
        name = getattr(design, role)
        if name is not None and name not in df.columns:
            raise DesignError(_missing_column_message(role, name, list(df.columns)))
    n = len(df)
    if n == 0:
        raise DesignError("the data has no rows; a design needs at least one respondent")

    raw_w = df[design.weight]
    w_num = pd.to_numeric(raw_w, errors="coerce")
    w = w_num.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        rows = np.flatnonzero(bad)
        vals = [raw_w.iloc[i] for i in rows[:10]]
        raise DesignError(
            f"weight column '{design.weight}' has {len(rows)} value(s) that are missing, not "
            f"numbers or not > 0 (rows {_show(list(df.index[rows]))}; values {_show(vals)}); "
            "expected a positive sampling weight on every row. Fix the weights or drop those "
            "respondents before building the design"
        )

    if design.strata is not None:
        s_col = df[design.strata]
        if s_col.isna().any():
            rows = np.flatnonzero(s_col.isna().to_numpy())
            raise DesignError(
                f"strata column '{design.strata}' is missing on {len(rows)} row(s) "
                f"({_show(list(df.index[rows]))}); every respondent needs a stratum"
            )
        s_codes, s_labels = factorize_sorted(s_col)
        stratum_labels = tuple(s_labels.tolist())
    else:
        s_codes = np.zeros(n, dtype=np.int64)
        stratum_labels = ("(all)",)
    s_codes = np.asarray(s_codes, dtype=np.int64)
    n_strata = len(stratum_labels)

    if design.psu is not None:
        p_col = df[design.psu]
        if p_col.isna().any():
            rows = np.flatnonzero(p_col.isna().to_numpy())
            raise DesignError(
                f"PSU column '{design.psu}' is missing on {len(rows)} row(s) "
                f"({_show(list(df.index[rows]))}); every respondent needs a PSU (cluster) id"
            )
        p_raw = _small_int_codes(p_col, limit=4 * n)
        if p_raw is None:
            p_raw = np.asarray(pd.factorize(p_col.array)[0], dtype=np.int64)
        # nest PSUs within strata; sorting the (stratum, PSU) keys numbers them stratum by stratum
        span = int(p_raw.max()) + 1
        psu, uniq = dense_codes(s_codes * span + p_raw, n_strata * span)
        psu_stratum = uniq // span
    else:
        order = np.argsort(s_codes, kind="stable")
        psu = np.empty(n, dtype=np.int64)
        psu[order] = np.arange(n)
        psu_stratum = s_codes[order]
    psu = np.asarray(psu, dtype=np.int64).reshape(-1)
    n_psu = np.bincount(psu_stratum, minlength=n_strata).astype(np.int64)

    fpc_factor = np.ones(n_strata)
    if design.fpc is not None:
        fpc_factor = _fpc_factor(df[design.fpc], design, s_codes, n_psu, stratum_labels)

    return DesignIndex(
        weights=w,
        stratum=s_codes,
        psu=psu,
        psu_stratum=np.asarray(psu_stratum, dtype=np.int64),
        n_psu=n_psu,
        fpc_factor=fpc_factor,
        stratum_labels=stratum_labels,
        lonely_psu=design.lonely_psu,
        calibration=(
            CalibrationIndex.build(df, design.calibration)
            if design.calibration is not None
            else None
        ),
    )


def _fpc_factor(
    col: pd.Series,
    design: SurveyDesign,
    s_codes: np.ndarray,
    n_psu: np.ndarray,
    labels: tuple[object, ...],
) -> np.ndarray:
    """(N_h - n_h) / N_h per stratum, from population sizes or sampling fractions (R's as.fpc)."""
    name = design.fpc
    v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(v) | (v <= 0)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise DesignError(
            f"fpc column '{name}' has {len(rows)} value(s) missing, not numbers or not > 0 "
            f"(rows {_show(list(col.index[rows]))}; values {_show([col.iloc[i] for i in rows])}); "
            "expected the number of PSUs in the stratum's population (> 1) or the sampling "
            "fraction (<= 1) on every row"
        )
    lo = np.full(len(n_psu), np.inf)
    hi = np.full(len(n_psu), -np.inf)
    np.minimum.at(lo, s_codes, v)
    np.maximum.at(hi, s_codes, v)
    varies = lo != hi
    if varies.any():
        h = int(np.flatnonzero(varies)[0])
        raise DesignError(
            f"fpc column '{name}' varies within stratum {labels[h]!r} (from {lo[h]:g} to "
            f"{hi[h]:g}); expected one population size or sampling fraction per stratum"
        )
    if (v > 1).any() and (v < 1).any():
        raise DesignError(
            f"fpc column '{name}' mixes population sizes (> 1) and sampling fractions (< 1); "
            "expected all population sizes (number of PSUs in each stratum's population) or "
            "all sampling fractions, as R's svydesign(fpc=)"
        )
    popsize = lo if (v > 1).any() else n_psu / lo
    small = popsize < n_psu
    if small.any():
        h = int(np.flatnonzero(small)[0])
        raise DesignError(
            f"fpc column '{name}' gives a population of {popsize[h]:g} PSUs in stratum "
            f"{labels[h]!r} where {n_psu[h]} PSUs were sampled (more than 100 per cent); "
            "expected the number of PSUs in the stratum's population"
        )
    with np.errstate(invalid="ignore"):
        factor = np.where(np.isinf(popsize), 1.0, (popsize - n_psu) / popsize)
    return np.asarray(factor, dtype=float)


def _lonely_error(index: DesignIndex, h: int) -> DesignError:
    return DesignError(
        f"stratum {index.stratum_labels[h]!r} has only one PSU, and lonely_psu='fail' "
        "(as R's survey.lonely.psu='fail': 'Stratum has only one PSU at stage 1'); "
        "choose lonely_psu='adjust', 'average', 'remove' or 'certainty', or merge the stratum "
        "with a neighbouring one"
    )


def design_vcov(
    scores: np.ndarray,
    df: pd.DataFrame | DesignIndex,
    design: SurveyDesign | None = None,
    *,
    present: np.ndarray | None = None,
) -> np.ndarray:
    """Design-based covariance matrix of the totals of linearised scores.

    Parameters
    ----------
    scores:
        (n,) or (n, k) influence scores, one row per row of the data (zero outside the estimate's
        domain; rows outside ``present`` are set to zero).
    df:
        The data the design describes, or a :class:`DesignIndex` already built from it.
    design:
        The survey design (needed when ``df`` is a DataFrame).
    present:
        (n,) booleans: the rows of the (sub)design the estimate is computed on, as the rows R
        keeps after ``subset()``/``na.rm``. They decide which strata count for
        ``lonely_psu='average'`` and whether ``'fail'`` raises. Default: every row.

    Returns
    -------
    numpy.ndarray
        (k, k) covariance matrix (1 x 1 for a vector of scores).

    Notes
    -----
    :math:`V = \\sum_h s_h D_h^\\top D_h` with :math:`D_h` the PSU totals of stratum ``h``
    centred at their stratum mean (over all the stratum's PSUs in the design) and
    :math:`s_h = (1 - f_h)\\, n_h / (n_h - 1)`. A stratum with one PSU follows the design's
    ``lonely_psu``: ``fail`` raises :class:`DesignError`; ``remove`` and ``certainty`` add
    nothing; ``adjust`` adds :math:`(1 - f_h) Z_h Z_h^\\top` (the PSU total, not centred:
    centred at the grand mean of the scores, which is zero for a mean's scores); ``average``
    adds nothing and multiplies the sum by (strata present) / (strata present with more than one
    PSU or sampled with certainty). As ``survey:::onestrat`` in R survey 4.1.1 (Lumley 2010).
    Svyglm sandwich standard errors use it with ``scores = estfun @ A^{-1}`` (Binder 1983).
    """
    index = df if isinstance(df, DesignIndex) else design_index(df, _need(design))
    z = np.asarray(scores, dtype=float)
    vector = z.ndim == 1
    if vector:
        z = z[:, None]
    if z.shape[0] != index.n_rows:
        raise ValueError(f"scores have {z.shape[0]} rows; the design has {index.n_rows}")
    if present is None:
        present = np.ones(index.n_rows, dtype=bool)
    else:
        present = np.asarray(present, dtype=bool)
        z = np.where(present[:, None], z, 0.0)
    if index.calibration is not None:
        # R keeps every row of a calibrated design (a subset only zeroes weights)
        z = index.calibration.residuals(z)
        present = np.ones(index.n_rows, dtype=bool)
    k = z.shape[1]
    ind = _psu_indicator(index)
    psu_tot = np.asarray(ind @ z).reshape(index.n_psus, k)
    m, factor = _scaled_psu_rows(psu_tot, index, present)
    return np.asarray((m.T @ m) * factor)


def _psu_indicator(index: DesignIndex) -> sparse.csr_matrix:
    """(P, n) sparse 0/1 matrix: row j marks the rows of PSU j."""
    return sparse.csr_matrix(
        (np.ones(index.n_rows), (index.psu, np.arange(index.n_rows))),
        shape=(index.n_psus, index.n_rows),
    )


def _scaled_psu_rows(
    psu_tot: np.ndarray, index: DesignIndex, present: np.ndarray
) -> tuple[np.ndarray, float]:
    """PSU totals centred within strata and scaled, so that the variance is ``factor * m'm``.

    ``present`` marks the rows of the (sub)design: the strata holding them decide the
    ``lonely_psu`` rules ``fail`` and ``average`` (see :func:`design_vcov`).
    """
    starts = index.psu_start[:-1]
    strat_tot = np.add.reduceat(psu_tot, starts, axis=0)
    centred = psu_tot - (strat_tot / index.n_psu[:, None])[index.psu_stratum]

    strata_present = np.bincount(index.stratum[present], minlength=index.n_strata) > 0
    lonely = index.lonely & strata_present
    rule = index.lonely_psu
    if lonely.any() and rule == "fail":
        raise _lonely_error(index, int(np.flatnonzero(lonely)[0]))
    scale = index.scale.copy()
    scale[index.certain] = 0.0
    rows = centred
    if rule == "adjust":
        lonely_psu_rows = index.lonely[index.psu_stratum]
        rows = np.where(lonely_psu_rows[:, None], psu_tot, centred)
    else:
        scale[index.lonely] = 0.0
    m = rows * np.sqrt(scale[index.psu_stratum])[:, None]
    factor = 1.0
    if rule == "average" and lonely.any():
        n_present = int(strata_present.sum())
        n_ok = int((strata_present & ~index.lonely).sum())
        factor = n_present / n_ok if n_ok else float("nan")
    return m, factor


def _need(design: SurveyDesign | None) -> SurveyDesign:
    if design is None:
        raise TypeError("a SurveyDesign is needed when df is a DataFrame")
    return design


def design_df(index: DesignIndex, mask: np.ndarray | None = None) -> int:
    """Design degrees of freedom of the rows in ``mask``, as R's ``degf()`` on the subset design.

    The number of PSUs holding at least one row of ``mask`` minus the number of strata holding
    them (rows of an unclustered design are their own PSUs).
    """
    if mask is None:
        mask = np.ones(index.n_rows, dtype=bool)
    m = np.asarray(mask, dtype=bool)
    psus = np.flatnonzero(np.bincount(index.psu[m], minlength=index.n_psus))
    strata = np.flatnonzero(np.bincount(index.psu_stratum[psus], minlength=index.n_strata))
    return int(len(psus) - len(strata))


@dataclass(frozen=True, eq=False)
class DomainVariance:
    """Per-domain results of :func:`domain_variance` (arrays of length K)."""

    variance: np.ndarray
    n_psu: np.ndarray
    n_strata: np.ndarray
    lonely: np.ndarray

    @property
    def df(self) -> np.ndarray:
        """Design degrees of freedom of each domain (R's degf on the subset design)."""
        return self.n_psu - self.n_strata


def domain_variance(
    scores: np.ndarray,
    domain: np.ndarray,
    n_domains: int,
    index: DesignIndex,
    *,
    dense_limit: int | None = None,
) -> DomainVariance:
    """Variances of K domain totals at once, from one pass over (PSU, domain) score totals.

    Parameters
    ----------
    scores:
        (n,) linearised scores of each row for its own domain.
    domain:
        (n,) domain code 0 .. K-1 of each row, -1 for rows in no domain (missing answer, missing
        breakdown). The domain's rows are those R keeps in ``subset(design, domain & !is.na(y))``.
    n_domains:
        K.
    index:
        The design.
    dense_limit:
        Largest P x K for which (PSU, domain) totals are accumulated in a dense array (fast);
        above it the pairs that occur are found by hashing. Default: 4 n + 1,000,000.

    Returns
    -------
    DomainVariance
        The variance of each domain's total of scores, the number of PSUs and strata holding the
        domain (for degrees of freedom) and whether a single-PSU stratum holds it.

    Notes
    -----
    Equal to ``design_vcov(where(domain == d, scores, 0), present=(domain == d))`` for each d, but
    vectorised: with :math:`Z_{jd}` the total of domain d's scores in PSU j (only pairs that occur
    are formed) and :math:`m_{hd}` the number of stratum h's PSUs holding domain d,

    .. math::

        \\sum_{j \\in h} (Z_{jd} - \\bar Z_{hd})^2
        = \\sum_{j \\in h, Z_{jd}\\ \\mathrm{formed}} (Z_{jd} - \\bar Z_{hd})^2
          + (n_h - m_{hd}) \\bar Z_{hd}^2,

    so that PSUs without domain members count as zeros without being materialised.
    """
    z = np.asarray(scores, dtype=float)
    g = np.asarray(domain, dtype=np.int64)
    k = int(n_domains)
    limit = 4 * index.n_rows + 1_000_000 if dense_limit is None else dense_limit
    inside = g >= 0
    gi = g[inside]
    psu = index.psu[inside]
    # (PSU, domain) pairs
    key = psu * k + gi
    size = index.n_psus * k
    if size <= limit:
        pair_key = np.flatnonzero(np.bincount(key, minlength=size))
        pair_z = np.bincount(key, weights=z[inside], minlength=size)[pair_key]
    else:
        pair_inv, uniques = pd.factorize(key)  # hashing: no sort of n keys
        pair_key = np.asarray(uniques, dtype=np.int64)
        pair_z = np.bincount(pair_inv, weights=z[inside], minlength=len(pair_key))
    pair_psu = pair_key // k
    pair_dom = pair_key % k
    pair_h = index.psu_stratum[pair_psu]
    # (stratum, domain) cells
    cell_inv, cell_key = pd.factorize(pair_h * k + pair_dom)
    cell_key = np.asarray(cell_key, dtype=np.int64)
    cell_h = cell_key // k
    cell_dom = cell_key % k
    cell_tot = np.bincount(cell_inv, weights=pair_z, minlength=len(cell_key))
    cell_m = np.bincount(cell_inv, minlength=len(cell_key))
    n_h = index.n_psu[cell_h].astype(float)
    zbar = cell_tot / n_h
    ss = np.bincount(cell_inv, weights=(pair_z - zbar[cell_inv]) ** 2, minlength=len(cell_key))
    ss = ss + (n_h - cell_m) * zbar**2

    lonely_cell = index.lonely[cell_h]
    rule = index.lonely_psu
    if rule == "fail" and lonely_cell.any():
        raise _lonely_error(index, int(cell_h[np.flatnonzero(lonely_cell)[0]]))
    scale = index.scale[cell_h]
    scale = np.where(index.certain[cell_h], 0.0, scale)
    contrib = scale * ss
    if rule == "adjust":
        contrib = np.where(lonely_cell, scale * cell_tot**2, contrib)
    else:
        contrib = np.where(lonely_cell, 0.0, contrib)
    variance = np.bincount(cell_dom, weights=contrib, minlength=k)
    n_strata = np.bincount(cell_dom, minlength=k)
    n_lonely = np.bincount(cell_dom, weights=lonely_cell.astype(float), minlength=k)
    if rule == "average":
        n_ok = n_strata - n_lonely
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(n_lonely > 0, n_strata / n_ok, 1.0)
        variance = np.where(n_lonely > 0, np.where(n_ok > 0, variance * factor, np.nan), variance)
    n_psu = np.bincount(pair_dom, minlength=k)
    if index.calibration is not None:
        variance = _calibrated_domain_variance(z, g, k, index, index.calibration)
    return DomainVariance(
        variance=variance,
        n_psu=n_psu.astype(np.int64),
        n_strata=n_strata.astype(np.int64),
        lonely=n_lonely > 0,
    )


def _calibrated_domain_variance(
    scores: np.ndarray, domain: np.ndarray, k: int, index: DesignIndex, cal: CalibrationIndex
) -> np.ndarray:
    r"""Variances of K domain totals of a calibrated design, in one pass over all domains.

    Domain d's influence values :math:`z_{id} = z_i [i \in d]` are replaced by their calibration
    residuals :math:`r_{id} = z_{id} - w_i x_i^\top B_d` with
    :math:`B_d = (X^\top D X)^{-1} \sum_{i \in d} x_i z_i d_i / w_i` (one solve for every
    domain: the K right-hand sides are the domains' sums, one sparse product). The PSU totals of the
    residuals are :math:`Z_{jd} - T_j^\top B_d` with :math:`T_j = \sum_{i \in j} w_i x_i`, so that
    no (row, domain) matrix is formed: only (PSU, domain) totals, in blocks of domains. R keeps
    every row of a calibrated design in a domain (``[`` zeroes the weights of the others), so
    every stratum of the design counts for the lonely-PSU rules.
    """
    n = index.n_rows
    inside = domain >= 0
    rows = np.flatnonzero(inside)
    gi = domain[inside]
    zi = scores[inside]
    ratio = cal.base / cal.calibrated
    dom_rows = sparse.csr_matrix((zi * ratio[inside], (gi, rows)), shape=(k, n))
    b = np.asarray(dom_rows @ cal.x) @ cal.inverse  # (K, p)
    ind = _psu_indicator(index)
    t = np.asarray(ind @ (cal.x * cal.calibrated[:, None]))  # (P, p)
    zx = sparse.csr_matrix((zi, (index.psu[inside], gi)), shape=(index.n_psus, k)).tocsc()
    present = np.ones(n, dtype=bool)
    out = np.empty(k)
    block = max(1, 4_000_000 // max(index.n_psus, 1))
    for lo in range(0, k, block):
        hi = min(k, lo + block)
        psu_tot = zx[:, lo:hi].toarray() - t @ b[lo:hi].T
        m, factor = _scaled_psu_rows(psu_tot, index, present)
        out[lo:hi] = np.einsum("ij,ij->j", m, m) * factor
    return out
