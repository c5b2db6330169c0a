"""Scoring: turn coded answers into indicator scores, and count the non-substantive answers.

A proportion's score is 1 (success), 0 (any other substantive answer, or a non-substantive answer
the definition counts as failure) or missing (a non-substantive answer left out of the denominator,
a blank, or a respondent outside the indicator's universe). A mean's score is the answer's value.
A composite's score is the mean of its components' scores. Missing scores are not dropped: the
estimator treats the respondents who have a score as a domain of the full design.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, DefinitionError, Problem
from mande.indicators.catalogue import Catalogue, Measure, Universe, Variant
from mande.indicators.items import StandardItems, standard_items

__all__ = [
    "COUNT_COLUMNS",
    "Scored",
    "cronbach_alpha",
    "measure_columns",
    "score_choices",
    "score_codes",
    "score_measure",
    "score_values",
    "universe_mask",
]

#: The counts of non-substantive answers every result row reports.
COUNT_COLUMNS: tuple[str, ...] = ("n_dont_know", "n_refused", "n_not_applicable", "n_never_alone")
_CODE_COUNTS: dict[Any, str] = {
    98: "n_dont_know",
    99: "n_refused",
    97: "n_not_applicable",
    7: "n_never_alone",
}
_CHOICE_COUNTS: dict[str, str] = {"dk": "n_dont_know", "refused": "n_refused"}
FLAG_COLUMNS: tuple[str, ...] = ("in_universe", *COUNT_COLUMNS, "excluded", "missing")


@dataclass(frozen=True)
class Scored:
    """A measure scored on every respondent.

    Attributes
    ----------
    score:
        float per respondent: 0/1 for a proportion, the value for a mean; NaN when not scored.
    flags:
        booleans per respondent: ``in_universe``; one column per non-substantive answer
        (``n_dont_know``, ``n_refused``, ``n_not_applicable``, ``n_never_alone``: the respondent
        gave that answer, or for a composite gave it to at least one component); ``excluded``
        (no score because of a non-substantive answer left out of the denominator); ``missing``
        (no score because the answer is blank). All False outside the universe, so that within
        it ``scored + excluded + missing`` is everyone.
    components:
        for a composite, the component scores (one column each) used for Cronbach's alpha.
    """

    score: pd.Series
    flags: pd.DataFrame
    components: pd.DataFrame | None = None


# --------------------------------------------------------------------------------------------
# Codes


def _is_int_code(c: Any) -> bool:
    return isinstance(c, int | np.integer) and not isinstance(c, bool)


def _as_codes(values: pd.Series, valid: Iterable[Any], column: str) -> pd.Series:
    """The answers as codes comparable with the definition's (numbers as float, names as text).

    Raises DataValidationError listing every value that is not one of ``valid``.
    """
    valid = list(valid)
    numeric = bool(valid) and all(_is_int_code(c) for c in valid)
    if numeric:
        if pd.api.types.is_bool_dtype(values.dtype):
            codes = values.astype("float64")
        elif pd.api.types.is_numeric_dtype(values.dtype):
            codes = pd.to_numeric(values, errors="coerce").astype("float64")
        else:
            codes = pd.to_numeric(values, errors="coerce").astype("float64")
            bad_text = values.notna() & codes.isna()
            if bad_text.any():
                _raise_bad_codes(values[bad_text], column, valid)
        unknown = codes.notna() & ~codes.isin([float(c) for c in valid])
        if unknown.any():
            _raise_bad_codes(values[unknown], column, valid)
        return codes
    codes = values.astype(object).where(values.notna(), None)
    unknown = codes.notna() & ~codes.isin(valid)
    if unknown.any():
        _raise_bad_codes(values[unknown], column, valid)
    return codes


def _raise_bad_codes(bad: pd.Series, column: str, valid: list[Any]) -> None:
    counts = bad.astype(str).value_counts()
    expected = ", ".join(str(c) for c in valid)
    problems = [
        Problem(
            f"{n} answers are {value!r}, which is not a code of '{column}'; expected one of "
            f"{expected}. Fix the answers or map them on ingest.",
            code="unknown_code",
            column=column,
            value=str(value),
            expected=expected,
        )
        for value, n in counts.items()
    ]
    raise DataValidationError(f"column '{column}' holds codes the item does not have", problems)


def score_codes(
    codes: pd.Series,
    success: Iterable[Any],
    *,
    exclude: Iterable[Any] = (),
    count_as_failure: Iterable[Any] = (),
    valid: Iterable[Any] | None = None,
    column: str | None = None,
) -> pd.Series:
    """Score a single-choice item as 1 (success), 0 (not success) or NaN (not in the denominator).

    Parameters
    ----------
    codes:
        The answers' codes, NaN for a blank.
    success:
        Codes scored 1.
    exclude:
        Codes left out of the denominator (NaN).
    count_as_failure:
        Non-substantive codes kept in the denominator as 0 (every substantive code not in
        ``success`` scores 0 too).
    valid:
        Every code the item has; an answer outside it raises DataValidationError. Default: the
        codes named in the three lists.
    column:
        The column's name, for error messages.

    Returns
    -------
    pandas.Series
        float64, same index as ``codes``.
    """
    success, exclude, caf = list(success), list(exclude), list(count_as_failure)
    valid = list(valid) if valid is not None else success + exclude + caf
    c = _as_codes(codes, valid, column or str(codes.name))
    numeric = all(_is_int_code(v) for v in valid)
    norm = (lambda xs: [float(x) for x in xs]) if numeric else (lambda xs: xs)
    out = pd.Series(np.nan, index=codes.index, dtype="float64", name=codes.name)
    scored = c.notna() & ~c.isin(norm(exclude))
    out[scored] = c[scored].isin(norm(success)).astype("float64")
    return out


def score_values(
    codes: pd.Series,
    *,
    values: Mapping[Any, float] | None = None,
    exclude: Iterable[Any] = (),
    valid: Iterable[Any] | None = None,
    column: str | None = None,
) -> pd.Series:
    """Score an item by the value of each answer (the code itself, or ``values[code]``).

    Codes in ``exclude`` and blanks are NaN (out of the denominator).
    """
    exclude = list(exclude)
    values = dict(values or {})
    valid = list(valid) if valid is not None else list(values) + exclude
    c = _as_codes(codes, valid, column or str(codes.name))
    numeric = all(_is_int_code(v) for v in valid)
    key = (lambda x: float(x)) if numeric else (lambda x: x)
    vmap = {key(k): float(v) for k, v in values.items()}
    out = pd.Series(np.nan, index=codes.index, dtype="float64", name=codes.name)
    scored = c.notna() & ~c.isin([key(x) for x in exclude])
    mapped = c[scored].map(lambda x: vmap.get(x, x))
    out[scored] = pd.to_numeric(mapped, errors="coerce").astype("float64")
    return out


def _choice_frame(df: pd.DataFrame, item: str, choices: Iterable[str]) -> pd.DataFrame:
    cols = {ch: f"{item}__{ch}" for ch in choices}
    present = {ch: col for ch, col in cols.items() if col in df.columns}
    if not present:
        raise DataValidationError(
            f"no column of the select_multiple item '{item}' is in the data; expected "
            f"{', '.join(cols.values())} (one 0/1 column per choice)",
            [
                Problem(
                    f"column '{item}__<choice>' not found",
                    code="missing_column",
                    column=item,
                    expected=", ".join(cols.values()),
                )
            ],
        )
    arrays: dict[str, np.ndarray] = {}
    problems = []
    for ch, col in cols.items():
        if ch not in present:
            arrays[ch] = np.zeros(len(df), dtype="float64")
            continue
        v = pd.to_numeric(df[col], errors="coerce").astype("float64")
        bad = (df[col].notna() & v.isna()) | (v.notna() & ~v.isin([0.0, 1.0]))
        if bad.any():
            for value, n in df.loc[bad, col].astype(str).value_counts().items():
                problems.append(
                    Problem(
                        f"{n} answers are {value!r}; a choice column holds 1 (ticked) or 0",
                        code="unknown_code",
                        column=col,
                        value=str(value),
                        expected="0 or 1",
                    )
                )
        arrays[ch] = v.to_numpy()
    out = pd.DataFrame(arrays, index=df.index)
    if problems:
        raise DataValidationError(
            f"choice columns of '{item}' hold values other than 0/1", problems
        )
    return out


def score_choices(
    df: pd.DataFrame,
    item: str,
    success: Iterable[str],
    *,
    exclude: Iterable[str] = (),
    count_as_failure: Iterable[str] = (),
    choices: Iterable[str] | None = None,
) -> pd.Series:
    """Score a select_multiple item (columns ``ITEM__CHOICE`` holding 0/1).

    A respondent scores 1 when any ``success`` choice is ticked; else NaN (left out of the
    denominator) when an ``exclude`` choice is ticked; else 0 when any other choice is ticked
    (``none``, a ``count_as_failure`` choice, or another ground); else NaN (a blank: no choice
    ticked). A substantive choice wins over an exclusive non-substantive one ticked with it.
    """
    success, exclude, caf = list(success), list(exclude), list(count_as_failure)
    choices = list(choices) if choices is not None else success + exclude + caf
    ticks = _choice_frame(df, item, choices) == 1.0
    any_success = ticks[success].any(axis=1)
    any_excluded = ticks[exclude].any(axis=1) if exclude else pd.Series(False, index=df.index)
    any_ticked = ticks.any(axis=1)
    out = pd.Series(np.nan, index=df.index, dtype="float64", name=item)
    out[any_ticked & ~any_excluded] = 0.0
    out[any_success] = 1.0
    return out


# --------------------------------------------------------------------------------------------
# Universe


def universe_mask(df: pd.DataFrame, universe: Universe | None) -> pd.Series:
    """True for the respondents an indicator is about; False where a tested column is blank."""
    if universe is None:
        return pd.Series(True, index=df.index)
    masks = []
    for column, op, value in universe.terms:
        if column not in df.columns:
            raise DataValidationError(
                f"the universe '{universe.expression}' reads column '{column}', which is not in "
                "the data",
                [Problem(f"column '{column}' not found", code="missing_column", column=column)],
            )
        col = df[column]
        vals = tuple(value) if op in ("in", "not in") else (value,)
        if all(_is_int_code(v) or isinstance(v, float) for v in vals):
            col = pd.to_numeric(col, errors="coerce")
        known = col.notna()
        if op == "==":
            m = col == value
        elif op == "!=":
            m = col != value
        elif op == "in":
            m = col.isin(vals)
        elif op == "not in":
            m = ~col.isin(vals)
        elif op == "<":
            m = col < value
        elif op == "<=":
            m = col <= value
        elif op == ">":
            m = col > value
        else:
            m = col >= value
        masks.append(known & m.fillna(False).astype(bool))
    combined = masks[0]
    for m in masks[1:]:
        combined = (combined & m) if universe.combine == "and" else (combined | m)
    return combined.astype(bool)


# --------------------------------------------------------------------------------------------
# Measures


def measure_columns(
    measure: Measure, catalogue: Catalogue, items: StandardItems | None = None
) -> tuple[str, ...]:
    """The data columns a measure reads (items, choice columns, universe columns)."""
    items = items or standard_items()
    ind = measure.indicator
    cols: list[str] = []
    if ind.components:
        for comp in ind.components:
            cols.extend(measure_columns(catalogue.measure(comp), catalogue, items))
    else:
        names = [measure.item] if measure.item else list(ind.items)
        for name in names:
            cols.extend(items[name].columns())
    if ind.scoring.universe:
        cols.extend(ind.scoring.universe.columns)
    return tuple(dict.fromkeys(cols))


def _item_range(measure: Measure, item: str, items: StandardItems) -> tuple[float, float]:
    sc = measure.indicator.scoring
    if sc.range:
        return sc.range
    vmap = sc.value_map
    vals = [
        float(vmap.get(c, c))
        for c in items[item].codes
        if c not in sc.exclude and (c in vmap or _is_int_code(c))
    ]
    if len(vals) < 2 or max(vals) == min(vals):
        raise DefinitionError(
            f"cannot rescale item '{item}' to 0-100: give scoring.range: [lowest, highest]",
            path=measure.indicator.path,
            field="scoring.range",
        )
    return min(vals), max(vals)


def _flags_single(
    df: pd.DataFrame, measure: Measure, items: StandardItems, score: pd.Series, inu: pd.Series
) -> pd.DataFrame:
    ind = measure.indicator
    it = items[measure.item] if measure.item else None
    flags = pd.DataFrame(False, index=df.index, columns=list(FLAG_COLUMNS))
    flags["in_universe"] = inu
    if it is not None and it.kind == "select_multiple":
        ticks = _choice_frame(df, it.name, it.choices or {}) == 1.0
        for choice, col in _CHOICE_COUNTS.items():
            if choice in ticks.columns:
                flags[col] = ticks[choice] & inu
        ex = list(ind.scoring.exclude)
        any_ex = ticks[ex].any(axis=1) if ex else pd.Series(False, index=df.index)
        flags["excluded"] = inu & score.isna() & any_ex
    elif it is not None:
        codes = _as_codes(df[it.name], it.codes, it.name)
        for code, col in _CODE_COUNTS.items():
            if code in it.codes:
                flags[col] = inu & (codes == float(code))
        ex = [float(c) for c in ind.scoring.exclude if _is_int_code(c)] + [
            c for c in ind.scoring.exclude if not _is_int_code(c)
        ]
        flags["excluded"] = inu & score.isna() & codes.isin(ex)
    flags["missing"] = inu & score.isna() & ~flags["excluded"]
    return flags


def score_measure(
    df: pd.DataFrame,
    measure: Measure,
    catalogue: Catalogue,
    items: StandardItems | None = None,
) -> Scored:
    """Score one measure (a headline or a variant) on every row of ``df``.

    Notes
    -----
    - proportion: :func:`score_codes` (single choice) or :func:`score_choices` (select_multiple)
      with the measure's success codes and the definition's exclude / count_as_failure codes;
    - mean: :func:`score_values`;
    - mean_of_indicators: :math:`s_i = \\frac{1}{|V_i|}\\sum_{j \\in V_i} s_{ij}` over the
      components :math:`V_i` respondent *i* has a score for, when :math:`|V_i| \\ge`
      ``min_valid`` (default: all components), else missing;
    - index_0_100: the same mean of components (or items) each rescaled to 0-100:
      a proportion's 0/1 times 100, a value :math:`v` as :math:`100 (v - lo) / (hi - lo)`.

    Respondents outside the universe have no score and no flags.
    """
    items = items or standard_items()
    ind = measure.indicator
    inu = universe_mask(df, ind.scoring.universe)
    sc = ind.scoring

    if ind.is_composite:
        parts: dict[str, pd.Series] = {}
        part_flags: list[pd.DataFrame] = []
        if ind.components:
            for comp in ind.components:
                cm = catalogue.measure(comp)
                sub = score_measure(df, cm, catalogue, items)
                s = sub.score
                if ind.kind == "index_0_100":
                    if cm.indicator.kind == "proportion":
                        s = s * 100.0
                    else:
                        lo, hi = _item_range(cm, cm.item or cm.indicator.items[0], items)
                        s = (s - lo) / (hi - lo) * 100.0
                parts[comp] = s
                part_flags.append(sub.flags)
        else:
            for name in ind.items:
                it = items[name]
                s = score_values(
                    df[name], values=sc.value_map, exclude=sc.exclude, valid=it.codes, column=name
                )
                lo, hi = _item_range(measure, name, items)
                parts[name] = (s - lo) / (hi - lo) * 100.0
                as_variant = Measure(ind, Variant(id="_", item=name))
                part_flags.append(_flags_single(df, as_variant, items, parts[name], inu))
        comp_frame = pd.DataFrame(parts, index=df.index)
        n_valid = comp_frame.notna().sum(axis=1)
        need = sc.min_valid or comp_frame.shape[1]
        score = comp_frame.mean(axis=1, skipna=True).where((n_valid >= need) & inu)
        flags = pd.DataFrame(False, index=df.index, columns=list(FLAG_COLUMNS))
        flags["in_universe"] = inu
        any_ex = pd.Series(False, index=df.index)
        for pf in part_flags:
            for col in COUNT_COLUMNS:
                flags[col] |= pf[col].to_numpy()
            any_ex |= pf["excluded"].to_numpy()
        for col in COUNT_COLUMNS:
            flags[col] &= inu
        flags["excluded"] = inu & score.isna() & any_ex
        flags["missing"] = inu & score.isna() & ~flags["excluded"]
        return Scored(score.rename(measure.id), flags, comp_frame.where(inu))

    it = items[measure.item or ind.items[0]]
    if ind.kind == "proportion":
        if it.kind == "select_multiple":
            score = score_choices(
                df,
                it.name,
                measure.success,
                exclude=sc.exclude,
                count_as_failure=sc.count_as_failure,
                choices=list(it.choices or {}),
            )
        else:
            score = score_codes(
                df[it.name],
                measure.success,
                exclude=sc.exclude,
                count_as_failure=sc.count_as_failure,
                valid=it.codes,
                column=it.name,
            )
    else:
        score = score_values(
            df[it.name], values=sc.value_map, exclude=sc.exclude, valid=it.codes, column=it.name
        )
    score = score.where(inu).rename(measure.id)
    return Scored(score, _flags_single(df, measure, items, score, inu))


# --------------------------------------------------------------------------------------------
# Reliability


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of a set of item scores (rows = respondents, columns = items).

    Respondents missing any item are left out (complete cases); unweighted.

    Parameters
    ----------
    items:
        One numeric column per item, at least two columns.

    Returns
    -------
    float
        Alpha; NaN when fewer than two items or two complete respondents, or when the total
        score does not vary.

    Notes
    -----
    .. math::

        \\alpha = \\frac{k}{k - 1} \\left(1 - \\frac{\\sum_{j=1}^{k} s_j^2}{s_T^2}\\right)

    where :math:`k` is the number of items, :math:`s_j^2` the sample variance (divisor
    :math:`n - 1`) of item :math:`j` and :math:`s_T^2` that of the total score
    :math:`T_i = \\sum_j x_{ij}`. This is R ``psych::alpha()``'s ``raw_alpha``
    (:math:`\\frac{k}{k-1}(1 - \\mathrm{tr}(C)/\\mathbf{1}^\\top C \\mathbf{1})` with :math:`C` the
    item covariance matrix).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika* 16(3), 297-334. Checked against a hand computation in
    ``tests/unit/test_indicator_scoring.py``.
    """
    x = items.apply(pd.to_numeric, errors="coerce").dropna(axis=0, how="any")
    k = x.shape[1]
    if k < 2 or x.shape[0] < 2:
        return float("nan")
    arr = x.to_numpy(dtype="float64")
    item_var = arr.var(axis=0, ddof=1).sum()
    total_var = arr.sum(axis=1).var(ddof=1)
    if not np.isfinite(total_var) or total_var <= 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - item_var / total_var))
