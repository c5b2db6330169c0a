"""Inclusion probabilities proportional to size, with certainty units, and the systematic draw.

Both are R's ``sampling`` package (Tillé and Matei): :func:`inclusion_probabilities` is
``inclusionprobabilities(a, n)`` and :func:`systematic_sample` is ``UPsystematic(pik)`` with its
random start given.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from mande.errors import DesignError

__all__ = ["EPS", "inclusion_probabilities", "systematic_sample"]

EPS = 1e-6
"""Probabilities within ``EPS`` of 0 or 1 are treated as 0 or 1 by the draw (``UPsystematic``)."""


def inclusion_probabilities(size: ArrayLike, n: int) -> np.ndarray:
    """First-order inclusion probabilities proportional to ``size`` for a sample of ``n`` units.

    Parameters
    ----------
    size:
        The size measure of each unit (census population or households), not negative. Units of
        size 0 get probability 0.
    n:
        The number of units to draw; at most the number of units with a positive size.

    Returns
    -------
    numpy.ndarray
        :math:`\\pi_i`, summing to ``n``; units taken with certainty have exactly 1.

    Notes
    -----
    First :math:`\\pi_i = n\\, a_i / \\sum_j a_j`. While some units reach 1, those :math:`l` units are
    set aside (taken with certainty) and the others recomputed as
    :math:`\\pi_i = (n - l)\\, a_i / \\sum_{j \\text{ not set aside}} a_j`, until no new unit reaches
    1. This is ``sampling::inclusionprobabilities`` (R), step for step; the test against fixtures
    R wrote (``tests/reference/make_plan_fixtures.R``) agrees to 1e-12.

    References
    ----------
    Tillé, Y. (2006). *Sampling Algorithms*, Springer, section 2.10 (algorithm 2.1).
    Tillé, Y. and Matei, A. (2021). sampling: Survey Sampling. R package, ``inclusionprobabilities``.
    """
    a = np.array(size, dtype=float, copy=True).ravel()
    if not np.isfinite(a).all():
        raise DesignError(
            "size holds missing or infinite values; give every unit a size (0 to leave it out)"
        )
    if (a < 0).any():
        raise DesignError(
            f"size holds {int((a < 0).sum())} negative value(s); sizes must be 0 or more"
        )
    if int(n) != n or n < 0:
        raise DesignError(f"n={n!r}: give the number of units to draw as a whole number")
    positive = int((a > 0).sum())
    if n > positive:
        raise DesignError(
            f"n={n} units cannot be drawn from {positive} unit(s) with a positive size; lower n "
            "or add units to the frame"
        )
    if n == 0:
        return np.zeros_like(a)
    pik1 = n * a / math.fsum(a)
    pos = pik1 > 0
    pik = pik1[pos]
    big = int((pik >= 1).sum())
    if big > 0:
        before = 0
        while big != before:
            small = pik < 1
            x = pik[small]
            x = x / math.fsum(x)
            pik[small] = (n - big) * x
            before = big
            big = int((pik >= 1).sum())
        pik[pik > 1] = 1.0
        pik1[pos] = pik
    return pik1


def systematic_sample(pik: ArrayLike, u: float) -> np.ndarray:
    """Systematic sampling with unequal probabilities ``pik`` in the order given, from start ``u``.

    Parameters
    ----------
    pik:
        Inclusion probabilities (from :func:`inclusion_probabilities`) in the order of the list.
    u:
        The random start, uniform on [0, 1).

    Returns
    -------
    numpy.ndarray of bool
        Which units are drawn. Units with :math:`\\pi_i \\ge 1 - 10^{-6}` always are, units with
        :math:`\\pi_i \\le 10^{-6}` never; the others when the interval
        :math:`(V_{i-1}, V_i]` of the cumulated probabilities :math:`V` holds a point
        :math:`u + k`, :math:`k = 0, 1, \\dots`. Each unit is drawn with probability
        :math:`\\pi_i` over the random start, and exactly :math:`\\sum_i \\pi_i` units are drawn.

    Notes
    -----
    R's ``sampling::UPsystematic(pik)`` with ``runif(1)`` replaced by ``u``: the same sample for
    the same start (checked against R in ``tests/reference/``).

    References
    ----------
    Madow, W. G. (1949). On the theory of systematic sampling, II. *Annals of Mathematical
    Statistics* 20, 333-354. Tillé, Y. (2006). *Sampling Algorithms*, section 7.1.
    """
    p = np.asarray(pik, dtype=float).ravel()
    if not 0 <= u < 1:
        raise DesignError(f"u={u!r}: the random start must be in [0, 1)")
    out = p >= 1 - EPS
    mid = (p > EPS) & ~out
    if mid.any():
        cum = np.concatenate(([0.0], np.cumsum(p[mid])))
        a = np.mod(cum - u, 1.0)  # R: (c(0, cumsum(pik1)) - u) %% 1
        drawn = a[:-1] > a[1:]
        k = round(cum[-1])
        if abs(cum[-1] - k) < 1e-6 and drawn.sum() != k:
            # a start within rounding error of 1: scale the cumulated sum to its integer total so
            # that exactly k units are drawn
            a = np.mod(cum * (k / cum[-1]) - u, 1.0)
            drawn = a[:-1] > a[1:]
        out[np.flatnonzero(mid)] = drawn
    return out
