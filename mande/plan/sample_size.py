"""How many interviews a survey round needs for a target margin of error, and the margin a given
number of interviews gives.

Both follow Cochran (1977, sections 4.4 and 4.6): the size of a simple random sample for a
proportion, inflated by the design effect of the cluster sample, corrected for a finite population
when its size is known, and divided by the expected response rate.
"""

from __future__ import annotations

import math

from scipy.stats import norm

from mande.errors import DesignError

__all__ = ["expected_moe", "sample_size"]


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise DesignError(
            f"level={level!r} is not a confidence level; give a number between 0 and 1 (0.95 for "
            "a 95 per cent interval)"
        )
    return float(norm.ppf(1 - (1 - level) / 2))


def _check(p: float, deff: float, response_rate: float, population: float | None) -> None:
    if not 0 < p < 1:
        raise DesignError(
            f"p={p!r} is not a proportion strictly between 0 and 1; give the expected proportion "
            "(0.5 when unknown: it gives the largest sample)"
        )
    if not deff > 0:
        raise DesignError(
            f"deff={deff!r}: the design effect must be above 0 (1 for a simple random sample, "
            "about 1.5-3 for a cluster sample of villages)"
        )
    if not 0 < response_rate <= 1:
        raise DesignError(
            f"response_rate={response_rate!r} is not a rate in (0, 1]; give the share of selected "
            "people expected to complete the interview (e.g. 0.85)"
        )
    if population is not None and not population >= 1:
        raise DesignError(
            f"population={population!r}: give the number of people in the population (at least "
            "1), or None to leave out the finite-population correction"
        )


def sample_size(
    moe: float,
    p: float = 0.5,
    deff: float = 2.0,
    level: float = 0.95,
    response_rate: float = 1.0,
    population: float | None = None,
) -> int:
    """The number of interviews to attempt for a proportion to have margin of error ``moe``.

    Parameters
    ----------
    moe:
        The half-width of the confidence interval wanted, as a proportion (0.05 for plus or minus
        5 percentage points).
    p:
        The expected proportion (0.5, the default, gives the largest sample).
    deff:
        The design effect expected from clustering and weighting (2.0 is common for a two-stage
        sample of villages with 10-20 interviews per village).
    level:
        The confidence level.
    response_rate:
        The share of attempted interviews expected to be completed; the result is divided by it.
    population:
        The size of the population the estimate is about (adults in the region). When given, the
        finite-population correction is applied; when None, it is not.

    Returns
    -------
    int
        The number of interviews to attempt.

    Notes
    -----
    With :math:`z` the standard normal quantile :math:`z_{1-\\alpha/2}`,

    .. math::

        n_0 = \\frac{z^2 \\, p (1 - p) \\, \\mathrm{deff}}{\\mathrm{moe}^2}, \\qquad
        n = \\left\\lceil \\frac{n_0}{1 + (n_0 - 1) / N} \\Big/ r \\right\\rceil

    where the correction :math:`1 + (n_0 - 1)/N` is used only when the population :math:`N` is
    given and :math:`r` is the response rate. :func:`expected_moe` is its inverse (before rounding
    up).

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., Wiley, sections 4.4 and 4.6.
    Kish, L. (1965). *Survey Sampling*, Wiley, section 8.2 (the design effect).

    Examples
    --------
    >>> sample_size(0.05, deff=1.0)           # Cochran's 385
    385
    >>> sample_size(0.05, deff=2.0, response_rate=0.85)
    904
    """
    if not 0 < moe < 1:
        raise DesignError(
            f"moe={moe!r} is not a margin of error; give it as a proportion between 0 and 1 (0.05 "
            "for plus or minus 5 percentage points)"
        )
    _check(p, deff, response_rate, population)
    z = _z(level)
    n0 = z * z * p * (1 - p) * deff / (moe * moe)
    n = n0 if population is None else n0 / (1 + (n0 - 1) / population)
    # round to 9 decimals first, so that a size that is an integer up to rounding error stays one
    return max(1, math.ceil(round(n / response_rate, 9)))


def expected_moe(
    n: float,
    p: float = 0.5,
    deff: float = 2.0,
    level: float = 0.95,
    response_rate: float = 1.0,
    population: float | None = None,
) -> float:
    """The margin of error a proportion gets from ``n`` attempted interviews.

    Parameters are those of :func:`sample_size`; ``n`` is the number of interviews attempted, of
    which ``n * response_rate`` are expected to be completed.

    Returns
    -------
    float
        The expected half-width of the confidence interval, as a proportion; ``inf`` when ``n`` is
        0.

    Notes
    -----
    With :math:`m = n r` the completed interviews,

    .. math::

        \\mathrm{moe} = z \\sqrt{\\frac{p (1 - p) \\, \\mathrm{deff}}{m}
                         \\cdot \\frac{N - m}{N - 1}}

    (the last factor only when :math:`N` is given), the inverse of :func:`sample_size`.
    """
    if n < 0:
        raise DesignError(f"n={n!r}: the number of interviews cannot be negative")
    _check(p, deff, response_rate, population)
    z = _z(level)
    m = n * response_rate
    if m <= 0:
        return math.inf
    var = p * (1 - p) * deff / m
    if population is not None:
        if population <= 1:
            return 0.0
        var *= max(population - m, 0.0) / (population - 1)
    return z * math.sqrt(var)
