"""Drawing villages (primary sampling units) from a frame: PPS systematic within strata."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, DesignError, Problem
from mande.plan.inclusion import inclusion_probabilities, systematic_sample

__all__ = ["SELECTION_COLUMNS", "select_psus"]

SELECTION_COLUMNS = (
    "inclusion_prob",
    "certainty",
    "selected",
    "selection_order",
    "replacement",
    "replacement_order",
)
"""The columns :func:`select_psus` adds to the frame."""

_MAX_LISTED = 50  # problems listed per kind before a count


def _per_stratum(value: int | Mapping[Any, int], strata: list[Any], what: str) -> dict[Any, int]:
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in strata]
        missing = [h for h in strata if h not in value]
        if unknown or missing:
            parts = []
            if missing:
                parts.append(f"no number for stratum {', '.join(map(repr, missing))}")
            if unknown:
                parts.append(
                    f"strata not in the frame: {', '.join(map(repr, unknown))} (the frame has "
                    f"{', '.join(map(repr, strata))})"
                )
            raise DesignError(
                f"{what} gives {'; '.join(parts)}; give one whole number per stratum of the frame "
                "(0 to draw none)"
            )
        out = {h: value[h] for h in strata}
    else:
        out = dict.fromkeys(strata, value)
    bad = {h: v for h, v in out.items() if isinstance(v, bool) or int(v) != v or v < 0}
    if bad:
        raise DesignError(f"{what} must be whole numbers, 0 or more; received {bad}")
    return {h: int(v) for h, v in out.items()}


def _check_frame(frame: pd.DataFrame, strata: str | None, size: str | None) -> None:
    missing = [c for c in (strata, size) if c is not None and c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"the frame has no column {', '.join(map(repr, missing))}; its columns are "
            f"{', '.join(map(str, frame.columns))}. Name the stratum and size columns of the frame "
            "(strata='region', size='population')",
            [Problem(f"column {c!r} not found", code="missing_column", column=c) for c in missing],
        )
    problems: list[Problem] = []
    if strata is not None:
        values = frame[strata].to_numpy(dtype=object)
        empty = np.fromiter(
            (v is None or v != v or (isinstance(v, str) and not v.strip()) for v in values),
            dtype=bool,
            count=len(values),
        )
        blank = frame.index[empty] if empty.any() else pd.Index([])
        for i in blank[:_MAX_LISTED]:
            problems.append(
                Problem(
                    "the village has no stratum", code="missing_stratum", row=_row(frame, i),
                    column=strata, expected="the village's stratum (region)",
                )
            )  # fmt: skip
    if size is not None:
        num = _numbers(frame[size])
        wrong = ~np.isfinite(num) | (num < 0)
        bad = frame.index[wrong] if wrong.any() else pd.Index([])
        for i in bad[:_MAX_LISTED]:
            problems.append(
                Problem(
                    "the size measure is missing, not a number or negative", code="bad_size",
                    row=_row(frame, i), column=size, value=str(frame.at[i, size]),
                    expected="a number, 0 or more (the census population)",
                )
            )  # fmt: skip
        if len(bad) > _MAX_LISTED:
            problems.append(
                Problem(f"... and {len(bad) - _MAX_LISTED} more rows with a bad size", column=size)
            )
    if problems:
        raise DataValidationError(
            f"the frame cannot be sampled: {len(problems)} problem(s); fix the rows listed",
            problems,
        )


def _numbers(column: pd.Series) -> np.ndarray:
    """A column as float64 (text that is not a number becomes NaN)."""
    if column.dtype.kind in "fiu":
        return column.to_numpy(dtype=float)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def _int_array(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A float array with NaN for missing as pandas' nullable Int64."""
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


def _row(frame: pd.DataFrame, label: Any) -> int | None:
    """The spreadsheet row of a frame row (header = row 1), when the index is a plain range."""
    if isinstance(frame.index, pd.RangeIndex):
        loc = frame.index.get_loc(label)
        return int(loc) + 2 if isinstance(loc, int) else None
    return None


def _stream(seed: int, stratum: Any) -> np.random.Generator:
    """One random stream per stratum, fixed by the seed and the stratum's label alone."""
    return np.random.default_rng([seed, zlib.crc32(str(stratum).encode("utf-8"))])


def select_psus(
    frame: pd.DataFrame,
    n: int | Mapping[Any, int],
    strata: str | None = None,
    size: str | None = None,
    seed: int | None = None,
    *,
    replacements: int | Mapping[Any, int] = 0,
    sort_by: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Draw villages (PSUs) with probability proportional to size, systematically within strata.

    Parameters
    ----------
    frame:
        The sampling frame: one row per village, with a stratum column and a size measure.
    n:
        Villages to draw: one number for every stratum, or ``{stratum: n}``.
    strata:
        The stratum column (e.g. ``"region"``); None for one stratum.
    size:
        The size measure (e.g. ``"population"``, census population or households). None: every
        village has the same probability :math:`n_h / N_h`.
    seed:
        Makes the draw reproducible: the same frame, ``n`` and seed give the same villages. Each
        stratum draws from its own stream (``default_rng([seed, crc32(stratum)])``), so adding a
        stratum does not change the others. None: a fresh random draw.
    replacements:
        Replacement villages per stratum (one number or ``{stratum: r}``), drawn the same way (PPS
        systematic, from a new random start) among the villages not selected, and listed apart.
    sort_by:
        Columns to sort the frame by within each stratum before the systematic draw (implicit
        stratification, e.g. ``["admin2", "urban_rural"]``: the sample then spreads over admin
        areas and area types in proportion to their size). None: the frame's order.

    Returns
    -------
    pandas.DataFrame
        The frame (same rows, order and index) with the columns

        - ``inclusion_prob``: the first-stage inclusion probability :math:`\\pi_i` (R
          ``sampling::inclusionprobabilities`` within the stratum; equal probability without
          ``size``);
        - ``certainty``: :math:`\\pi_i = 1`, the village is taken whatever the draw;
        - ``selected``: drawn;
        - ``selection_order``: 1, 2, ... along the (sorted) list within the stratum, empty when not
          selected;
        - ``replacement``: drawn as a replacement village;
        - ``replacement_order``: the order in which replacements are used within the stratum (a
          random order), empty otherwise.

    Notes
    -----
    Within stratum :math:`h`, :math:`\\pi_i` comes from :func:`mande.plan.inclusion_probabilities`
    (units reaching 1 are taken with certainty and the others recomputed); the sample is drawn by
    :func:`mande.plan.systematic_sample` (R ``UPsystematic``) from a uniform random start, so every
    village is drawn with probability exactly :math:`\\pi_i` and exactly :math:`n_h` villages are
    drawn, certainty units included. Replacements: :math:`\\pi^{r}_i` from the same function on the
    villages not selected with :math:`r_h` units, drawn the same way; they have no probability of
    their own in the plan: a village that replaces another takes its place in the plan file.

    References
    ----------
    Tillé, Y. (2006). *Sampling Algorithms*, Springer, sections 2.10 and 7.1.
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., Wiley, section 9A.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DesignError(f"frame must be a pandas DataFrame; received {type(frame).__name__}")
    if seed is not None and (isinstance(seed, bool) or int(seed) != seed or seed < 0):
        raise DesignError(f"seed={seed!r}: give a whole number, 0 or more, or None")
    _check_frame(frame, strata, size)
    sort_cols = list(sort_by or [])
    absent = [c for c in sort_cols if c not in frame.columns]
    if absent:
        raise DataValidationError(
            f"sort_by names column(s) {', '.join(map(repr, absent))} the frame does not have",
            [Problem(f"column {c!r} not found", code="missing_column", column=c) for c in absent],
        )
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    present = [c for c in SELECTION_COLUMNS if c in frame.columns]
    out = frame.drop(columns=present) if present else frame
    labels = np.full(len(out), "", dtype=object) if strata is None else out[strata].to_numpy(object)
    levels = sorted(pd.unique(labels), key=str)
    n_h = _per_stratum(n, levels, "n")
    r_h = _per_stratum(replacements, levels, "replacements")
    sizes = np.ones(len(out)) if size is None else _numbers(out[size])
    pik = np.zeros(len(out))
    selected = np.zeros(len(out), dtype=bool)
    sel_order = np.full(len(out), np.nan)
    repl = np.zeros(len(out), dtype=bool)
    repl_order = np.full(len(out), np.nan)
    problems = []
    for h in levels:
        idx = np.flatnonzero(labels == h)
        if sort_cols:
            part = out.iloc[idx][sort_cols].reset_index(drop=True)
            order = part.sort_values(sort_cols, kind="stable").index.to_numpy()
            idx = idx[order]
        a = sizes[idx]
        positive = int((a > 0).sum())
        if n_h[h] + r_h[h] > positive:
            label = f"stratum {h!r}" if strata is not None else "the frame"
            problems.append(
                f"{label} has {positive} village(s) with a positive size; {n_h[h]} to draw and "
                f"{r_h[h]} replacement(s) do not fit"
            )
            continue
        rng = _stream(int(seed), h)
        p = inclusion_probabilities(a, n_h[h])
        drawn = systematic_sample(p, float(rng.random()))
        pik[idx] = p
        selected[idx] = drawn
        sel_order[idx[drawn]] = np.arange(1, int(drawn.sum()) + 1)
        if r_h[h]:
            rest = idx[~drawn]
            a_rest = sizes[rest]
            p_rest = inclusion_probabilities(a_rest, r_h[h])
            extra = systematic_sample(p_rest, float(rng.random()))
            chosen = rest[extra]
            repl[chosen] = True
            repl_order[chosen] = rng.permutation(len(chosen)) + 1
    if problems:
        raise DesignError(
            "; ".join(problems) + ". Lower the number of villages (or replacements) to draw, or "
            "complete the frame"
        )
    added = pd.DataFrame(
        {
            "inclusion_prob": pik,
            "certainty": pik >= 1.0,
            "selected": selected,
            "selection_order": _int_array(sel_order),
            "replacement": repl,
            "replacement_order": _int_array(repl_order),
        },
        index=out.index,
    )
    result = pd.concat([out, added], axis=1)
    result.attrs["seed"] = int(seed)
    return result
