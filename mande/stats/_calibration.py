"""What a calibrated design carries, and the model matrix of its calibration variables.

A design calibrated by :func:`mande.calibrate` (or post-stratified, or trimmed after calibration)
names a :class:`Calibration`: the columns that hold the weights before calibration and the
calibrated weights right after it, and the terms (margins) the weights were calibrated on. From it
the variance code rebuilds, on any data frame that holds those columns, what R's ``survey`` keeps in
``design$postStrata``: the QR of the weighted model matrix and the g-weights, so that influence
values are replaced by their residuals from the weighted regression on the calibration variables
(Deville and Saerndal 1992; Lumley 2010, ch. 7).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import DesignError

__all__ = ["CALIBRATION_METHODS", "Calibration", "CalibrationIndex", "term_codes"]

CALIBRATION_METHODS: tuple[str, ...] = ("raking", "linear", "poststratify")


@dataclass(frozen=True)
class Calibration:
    """The calibration a design carries (immutable, hashable, JSON-friendly).

    Parameters
    ----------
    method:
        ``"raking"``, ``"linear"`` or ``"poststratify"``.
    base_weight:
        Column of the weights before calibration (:math:`d_i`).
    calibrated_weight:
        Column of the weights right after calibration (:math:`w_i = g_i d_i`). Trimming afterwards
        changes the design's weight but not this column, as R's ``trimWeights`` keeps the
        calibration's g-weights in ``postStrata``.
    terms:
        The calibration terms, each a tuple of column names (one column for a margin, several for
        a cross-classification such as ``("sex", "region")``).
    levels:
        For each term, its levels in order (a scalar per level for a one-column term, a tuple for
        a cross-classification).
    bounds:
        The bounds on the g-weights, or None.
    within:
        A column (such as the round) within each value of which the calibration was done
        separately; None when the whole data set was calibrated at once.
    """

    method: str
    base_weight: str
    calibrated_weight: str
    terms: tuple[tuple[str, ...], ...]
    levels: tuple[tuple[Any, ...], ...]
    bounds: tuple[float, float] | None = None
    within: str | None = None

    def __post_init__(self) -> None:
        if self.method not in CALIBRATION_METHODS:
            raise DesignError(
                f"calibration method {self.method!r} is not known; expected one of "
                f"{', '.join(CALIBRATION_METHODS)}"
            )
        if len(self.terms) != len(self.levels) or not self.terms:
            raise DesignError(
                f"a calibration needs one list of levels per term; got {len(self.terms)} term(s) "
                f"and {len(self.levels)} list(s) of levels"
            )

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the calibration reads."""
        cols = [self.base_weight, self.calibrated_weight]
        for term in self.terms:
            cols.extend(term)
        if self.within:
            cols.append(self.within)
        return tuple(dict.fromkeys(cols))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form (levels as lists), read back by :meth:`from_dict`."""
        return {
            "method": self.method,
            "base_weight": self.base_weight,
            "calibrated_weight": self.calibrated_weight,
            "terms": [list(t) for t in self.terms],
            "levels": [[list(v) if isinstance(v, tuple) else v for v in lv] for lv in self.levels],
            "bounds": list(self.bounds) if self.bounds is not None else None,
            "within": self.within,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Calibration:
        """The calibration written by :meth:`to_dict`."""
        terms = tuple(tuple(t) for t in d["terms"])
        levels = tuple(
            tuple(tuple(v) if isinstance(v, list) else v for v in lv) for lv in d["levels"]
        )
        bounds = d.get("bounds")
        return cls(
            method=d["method"],
            base_weight=d["base_weight"],
            calibrated_weight=d["calibrated_weight"],
            terms=terms,
            levels=levels,
            bounds=(float(bounds[0]), float(bounds[1])) if bounds is not None else None,
            within=d.get("within"),
        )


def _key(value: Any) -> Hashable:
    """A level as compared: numbers that are whole become int, so that 1 and 1.0 match."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.generic):
        return value.item()  # type: ignore[no-any-return]
    return value  # type: ignore[no-any-return]


def term_codes(df: pd.DataFrame, term: Sequence[str], levels: Sequence[Any]) -> np.ndarray:
    """Code 0 .. L-1 of each row's level of ``term``; raise when a row has another level.

    Raises
    ------
    DesignError
        A term column is missing, a row has no value for it, or a value that is not a level of
        the margins.
    """
    for col in term:
        if col not in df.columns:
            raise DesignError(
                f"calibration column '{col}' not found in the data; the calibration names "
                f"{', '.join(repr(c) for c in term)}. Keep the calibration variables in the data"
            )
    lookup = {
        (tuple(_key(x) for x in lv) if len(term) > 1 else _key(lv)): i
        for i, lv in enumerate(levels)
    }
    if len(term) == 1:
        pos, uniq = pd.factorize(df[term[0]].array)  # hashing once: codes of the distinct values
        codes_u = np.array([lookup.get(_key(u), -1) for u in uniq] + [-2], dtype=np.int64)
        codes = codes_u[pos]  # a missing value (pos -1) takes the last entry, -2
        bad_values = [u for u, c in zip(uniq, codes_u[:-1], strict=True) if c < 0]
        if (pos < 0).any():
            bad_values.append(None)
    else:
        frame = df[list(term)]
        keys = list(frame.itertuples(index=False, name=None))
        uniq_keys = list(dict.fromkeys(keys))
        mapping = {
            k: (-2 if any(pd.isna(x) for x in k) else lookup.get(tuple(_key(x) for x in k), -1))
            for k in uniq_keys
        }
        codes = np.array([mapping[k] for k in keys], dtype=np.int64)
        bad_values = [k for k, c in mapping.items() if c < 0]
    codes = np.asarray(codes, dtype=np.int64)
    if (codes < 0).any():
        n_bad = int((codes < 0).sum())
        name = " x ".join(term)
        shown = ", ".join(repr(v) for v in bad_values[:8])
        known = ", ".join(repr(v) for v in list(levels)[:12])
        raise DesignError(
            f"{n_bad} row(s) have a value of {name} that the population margins do not cover "
            f"({shown}); expected one of {known}. Give a population figure for every level "
            "found in the data, or recode those respondents"
        )
    return codes


def model_matrix(
    df: pd.DataFrame,
    terms: Sequence[Sequence[str]],
    levels: Sequence[Sequence[Any]],
    within: str | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The calibration model matrix and each term's level codes.

    Columns: every level of the first term, then every level but the first of each further term
    (the span of R's ``model.matrix(~ a + b + ...)``: an intercept and the dummies). With
    ``within``, the whole matrix is repeated for each value of that column (block diagonal), the
    span of R's ``~ within:(a + b + ...)``, i.e. a separate calibration per value.
    """
    codes = [term_codes(df, t, lv) for t, lv in zip(terms, levels, strict=True)]
    n = len(df)
    widths = [len(lv) if i == 0 else len(lv) - 1 for i, lv in enumerate(levels)]
    x = np.zeros((n, max(sum(widths), 1)))
    rows = np.arange(n)
    offset = 0
    for i, (c, width) in enumerate(zip(codes, widths, strict=True)):
        col = c if i == 0 else c - 1  # the first level of a further term is dropped
        keep = col >= 0
        x[rows[keep], offset + col[keep]] = 1.0
        offset += width
    if not codes:
        x[:, 0] = 1.0
    if within is not None:
        if within not in df.columns:
            raise DesignError(
                f"column '{within}' (the calibration was done within each of its values) is not "
                "in the data"
            )
        grp, _ = pd.factorize(df[within], sort=True)
        if (grp < 0).any():
            raise DesignError(f"column '{within}' is missing on some rows; every row needs one")
        n_g = int(grp.max()) + 1 if n else 0
        big = np.zeros((n, x.shape[1] * n_g))
        for gi in range(n_g):
            rows = grp == gi
            big[rows, gi * x.shape[1] : (gi + 1) * x.shape[1]] = x[rows]
        x = big
    return x, codes


@dataclass(frozen=True, eq=False)
class CalibrationIndex:
    """A calibration resolved on one data frame: what R keeps in ``design$postStrata``.

    Attributes
    ----------
    x:
        (n, p) model matrix of the calibration variables.
    base:
        (n,) weights before calibration :math:`d_i`.
    calibrated:
        (n,) weights right after calibration :math:`w_i = g_i d_i`.
    inverse:
        (p, p) Moore-Penrose inverse of :math:`X^\\top D X`.
    """

    x: np.ndarray
    base: np.ndarray
    calibrated: np.ndarray
    inverse: np.ndarray

    @classmethod
    def build(cls, df: pd.DataFrame, cal: Calibration) -> CalibrationIndex:
        """Resolve ``cal`` on ``df``; raise :class:`DesignError` when a column is unusable."""
        arrays = []
        for role, col in (("base", cal.base_weight), ("calibrated", cal.calibrated_weight)):
            if col not in df.columns:
                raise DesignError(
                    f"the design is calibrated and names {role} weight column '{col}', which is "
                    "not in the data. Keep the calibration's weight columns with the responses"
                )
            v = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            if not np.all(np.isfinite(v) & (v > 0)):
                raise DesignError(
                    f"{role} weight column '{col}' of the calibration has values that are missing "
                    "or not > 0; expected a positive weight on every row"
                )
            arrays.append(v)
        x, _ = model_matrix(df, cal.terms, cal.levels, cal.within)
        base, calibrated = arrays
        gram = (x * base[:, None]).T @ x
        return cls(x=x, base=base, calibrated=calibrated, inverse=np.linalg.pinv(gram))

    def residuals(self, z: np.ndarray) -> np.ndarray:
        """Influence values replaced by their calibration residuals (n,) or (n, k).

        As ``qr.resid(qr(X * sqrt(d)), z / (g sqrt(d))) * g sqrt(d)`` in R's ``svyrecvar``:

        .. math::

            r = z - w \\odot X B, \\qquad B = (X^\\top D X)^{-1} X^\\top (z \\odot d / w).
        """
        zz = np.asarray(z, dtype=float)
        vec = zz.ndim == 1
        m = zz[:, None] if vec else zz
        ratio = (self.base / self.calibrated)[:, None]
        b = self.inverse @ (self.x.T @ (m * ratio))
        r = m - self.calibrated[:, None] * (self.x @ b)
        return r[:, 0] if vec else r
