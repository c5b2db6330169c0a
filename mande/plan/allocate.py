"""How a round's interviews are shared between strata (regions), and the precision each then gets."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from mande.errors import DesignError
from mande.plan.sample_size import expected_moe

__all__ = ["METHODS", "Method", "allocate"]

Method = Literal["proportional", "equal", "neyman", "power"]
METHODS: tuple[Method, ...] = ("proportional", "equal", "neyman", "power")


def _integer_shares(
    n: int, weights: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> np.ndarray:
    """Integers summing to ``n``, proportional to ``weights`` within ``[lower, upper]``.

    Strata whose ideal share falls below their lower bound (or above their upper bound) are fixed
    at the bound and the rest shared again among the others, until no bound is crossed; the ideal
    shares are then rounded by largest remainders (Hamilton's method; ties go to the first stratum).
    """
    k = len(weights)
    fixed = np.full(k, np.nan)
    while True:
        free = np.isnan(fixed)
        left = n - np.nansum(fixed)
        w = weights[free]
        ideal = np.zeros(k)
        if w.sum() > 0:
            ideal[free] = left * w / w.sum()
        else:  # every free stratum has weight 0: share equally
            ideal[free] = left / max(int(free.sum()), 1)
        low = free & (ideal < lower)
        high = free & (ideal > upper)
        if not low.any() and not high.any():
            break
        # fix the worst offenders first: all below the lower bound, else all above the upper
        if low.any():
            fixed[low] = lower[low]
        else:
            fixed[high] = upper[high]
    out = np.where(np.isnan(fixed), np.floor(ideal + 1e-9), fixed).astype(np.int64)
    rest = int(n - out.sum())
    if rest > 0:
        frac = np.where(np.isnan(fixed), ideal - out, -1.0)
        frac = np.where(out >= upper, -1.0, frac)
        order = np.argsort(-frac, kind="stable")
        out[order[:rest]] += 1
    return out


def allocate(
    n: int,
    population_by_stratum: Mapping[str, float] | pd.Series,
    method: Method = "proportional",
    min_per_stratum: int = 0,
    power: float = 0.5,
    *,
    sd: Mapping[str, float] | None = None,
    p: float = 0.5,
    deff: float = 2.0,
    level: float = 0.95,
    response_rate: float = 1.0,
    max_moe: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Share ``n`` interviews between strata, and give the margin of error each stratum then gets.

    Parameters
    ----------
    n:
        The interviews to share (attempted interviews, as :func:`mande.sample_size` returns).
    population_by_stratum:
        ``{stratum: population}``, e.g. adults by region.
    method:
        ``"proportional"`` (:math:`n_h \\propto N_h`), ``"equal"`` (the same number in every
        stratum), ``"neyman"`` (:math:`n_h \\propto N_h S_h`; :math:`S_h` from ``sd``, else
        :math:`\\sqrt{p(1-p)}`, which gives the proportional allocation), ``"power"``
        (:math:`n_h \\propto N_h^{q}` with ``q = power``: a compromise between the national
        estimate, :math:`q = 1`, and equal regional precision, :math:`q = 0`; Bankier 1988).
    min_per_stratum:
        No stratum gets fewer (strata below it are raised to it and the rest shared again).
    power:
        The exponent :math:`q` of the power allocation.
    sd:
        ``{stratum: standard deviation}`` for Neyman's allocation.
    p, deff, level, response_rate:
        For the expected margin of error of each stratum (see :func:`mande.plan.expected_moe`).
    max_moe:
        The largest margin of error at which a stratum's figures are reported (one number or one per
        stratum). When given, the result says which strata reach it.

    Returns
    -------
    pandas.DataFrame
        One row per stratum, in the order given: ``stratum``, ``population``, ``n`` (integers that
        sum to ``n``, never more than the population), ``share`` (of ``n``), ``expected_moe``
        (with the finite-population correction for the stratum's population) and, when
        ``max_moe`` is given, ``max_moe`` and ``reportable`` (``expected_moe <= max_moe``).

    Notes
    -----
    The ideal share :math:`n w_h / \\sum_k w_k` is computed with the weights :math:`w_h` of the
    method; strata under ``min_per_stratum`` or over their population are fixed there and the rest
    shared again; the ideal shares are rounded by largest remainders, so the integers sum to
    :math:`n`. The expected margin of error is that of :func:`mande.plan.expected_moe`:
    :math:`z \\sqrt{p(1-p)\\,\\mathrm{deff}\\,(N_h - m_h) / (m_h (N_h - 1))}` with
    :math:`m_h = n_h r`.

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., Wiley, sections 5.5 and 5.9.
    Bankier, M. D. (1988). Power allocations: determining sample sizes for subnational areas.
    *The American Statistician* 42(3), 174-177.
    """
    pop = pd.Series(population_by_stratum, dtype=float)
    if pop.empty:
        raise DesignError("population_by_stratum is empty; give {stratum: population} per stratum")
    bad = pop[~(pop > 0) | pop.isna()]
    if not bad.empty:
        raise DesignError(
            f"population_by_stratum has populations that are not above 0: {bad.to_dict()}; give "
            "each stratum's population (adults) as a positive number"
        )
    if method not in METHODS:
        raise DesignError(f"method={method!r} is not known; use one of {', '.join(METHODS)}")
    if int(n) != n or n < 0:
        raise DesignError(f"n={n!r}: give the number of interviews as a whole number")
    n = int(n)
    k = len(pop)
    if min_per_stratum < 0 or int(min_per_stratum) != min_per_stratum:
        raise DesignError(f"min_per_stratum={min_per_stratum!r}: give a whole number, 0 or more")
    upper = np.floor(pop.to_numpy())
    lower = np.minimum(np.full(k, float(min_per_stratum)), upper)
    if lower.sum() > n:
        raise DesignError(
            f"n={n} cannot give {min_per_stratum} interviews to each of the {k} strata "
            f"({int(lower.sum())} needed); raise n or lower min_per_stratum"
        )
    if upper.sum() < n:
        raise DesignError(
            f"n={n} is more than the whole population of the strata ({int(upper.sum())}); lower n"
        )
    size = pop.to_numpy()
    if method == "proportional":
        weights = size
    elif method == "equal":
        weights = np.ones(k)
    elif method == "power":
        if not 0 <= power <= 1:
            raise DesignError(f"power={power!r}: give an exponent between 0 and 1")
        weights = size**power
    else:
        if sd is None:
            s = np.full(k, math.sqrt(p * (1 - p)))
        else:
            missing = [str(h) for h in pop.index if h not in sd]
            if missing:
                raise DesignError(
                    f"sd gives no standard deviation for stratum {', '.join(missing)}; give one "
                    "per stratum for Neyman's allocation"
                )
            s = np.array([float(sd[h]) for h in pop.index])
            if (s < 0).any() or not np.isfinite(s).all():
                raise DesignError("sd: standard deviations must be finite and not negative")
        weights = size * s
    counts = _integer_shares(n, weights.astype(float), lower, upper)
    out = pd.DataFrame(
        {
            "stratum": list(pop.index),
            "population": size,
            "n": counts,
            "share": counts / n if n else np.zeros(k),
            "expected_moe": [
                expected_moe(int(c), p, deff, level, response_rate, float(N))
                for c, N in zip(counts, size, strict=True)
            ],
        }
    )
    if max_moe is not None:
        if isinstance(max_moe, Mapping):
            out["max_moe"] = [float(max_moe.get(h, math.nan)) for h in pop.index]
        else:
            out["max_moe"] = float(max_moe)
        out["reportable"] = out["expected_moe"] <= out["max_moe"]
    return out
