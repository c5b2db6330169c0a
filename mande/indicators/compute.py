"""Compute the catalogue's indicators on a survey round: one tidy table of design-based estimates.

Every measure (an indicator's headline or one of its variants) is scored on every respondent
(:mod:`mande.indicators.scoring`), then estimated with :func:`mande.stats.estimate.estimate` on the
full design: overall, and for each breakdown dimension with the dimension passed as ``by`` (never
by filtering rows first). Respondents without a score (outside the universe, or with an answer
left out of the denominator) stay in the design as non-members of the domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, DesignError, EstimationError, Problem
from mande.indicators.catalogue import Catalogue, Measure, load_catalogue
from mande.indicators.items import StandardItems, standard_items
from mande.indicators.scoring import (
    COUNT_COLUMNS,
    Scored,
    cronbach_alpha,
    measure_columns,
    score_measure,
)
from mande.stats.design import SurveyDesign
from mande.stats.estimate import ESTIMATE_COLUMNS

__all__ = ["RESULT_COLUMNS", "STANDARD_BREAKDOWNS", "compute_indicators"]

#: The standard breakdowns of DOMAIN.md, in report order (``reported_breakdowns`` in items.yaml).
STANDARD_BREAKDOWNS: tuple[str, ...] = standard_items().breakdown_names

#: The columns of :func:`compute_indicators`' result, in order.
RESULT_COLUMNS: tuple[str, ...] = (
    "indicator",
    "base_indicator",
    "variant",
    "name",
    "short_name",
    "round",
    "breakdown",
    "group",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "df",
    "deff",
    "cv",
    *COUNT_COLUMNS,
    "n_excluded",
    "n_missing",
    "suppressed",
    "low_precision",
    "single_psu",
    "cronbach_alpha",
    "kind",
    "polarity",
    "unit",
    "min_n",
    "domain",
    "sg_section",
    "sdg",
    "level",
)
_ESTIMATE_COLUMNS = ESTIMATE_COLUMNS
#: The breakdowns derived from items at compute time (``derived_breakdowns`` in items.yaml).
_DERIVED: tuple[str, ...] = tuple(standard_items().derived)
_FLAG_SOURCES = (*COUNT_COLUMNS, "excluded", "missing")
_FLAG_OUTPUT = (*COUNT_COLUMNS, "n_excluded", "n_missing")


def compute_indicators(
    round_or_df: Any,
    catalogue: Catalogue | None = None,
    by: Sequence[str] | str | None = None,
    design: SurveyDesign | None = None,
    level: float = 0.95,
    lang: str = "en",
    *,
    on_missing: Literal["error", "skip"] = "error",
    round_label: str | None = None,
    items: StandardItems | None = None,
    max_stacked_rows: int = 2_000_000,
) -> pd.DataFrame:
    """Estimate every survey indicator of a catalogue, overall and by breakdown.

    Parameters
    ----------
    round_or_df:
        A SurveyRound (anything with ``.responses`` and ``.design``; ``.label`` names the round) or
        a DataFrame of tidy responses (then give ``design``).
    catalogue:
        The indicators (default: :func:`load_catalogue`). Indicators from partner interviews
        (``data: interviews``) are skipped.
    by:
        Breakdown dimensions, such as :data:`STANDARD_BREAKDOWNS`. ``age_group`` and
        ``disability`` are derived from ``age`` and the ``wg_*`` items when the data lack them.
    design:
        The survey design (default: the round's).
    level:
        Confidence level of the intervals.
    lang:
        Language of the ``name`` and ``short_name`` columns (``en`` or ``fr``).
    on_missing:
        What to do when the data lack an item an indicator reads or a breakdown column:
        ``"error"`` (default) raises DataValidationError listing them; ``"skip"`` leaves those
        indicators or breakdowns out of the table.
    round_label:
        The round's label when ``round_or_df`` is a DataFrame without a ``round`` column.
    items:
        The standard items (default: mande's).
    max_stacked_rows:
        Measures are estimated several at a time on a stacked frame (see Notes); this caps the
        stacked frame's rows (memory), not the results.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per measure x breakdown x group, the overall row first
        (``breakdown == group == "total"``); columns :data:`RESULT_COLUMNS`:

        - ``indicator``: the measure's id (``SAF-01``, ``TRU-01.police``), ``base_indicator``
          (``TRU-01``) and ``variant`` (``police``, or None for a headline);
        - ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n``, ``df``, ``deff``, ``cv``,
          ``suppressed``, ``low_precision``, ``single_psu``: from :func:`mande.estimate`
          (proportions on the 0-1 scale; ``n`` = respondents with a score, unweighted);
        - ``n_dont_know``, ``n_refused``, ``n_not_applicable``, ``n_never_alone``: unweighted
          counts of each non-substantive answer in the group (within the indicator's universe;
          for a composite, respondents who gave it to at least one component);
        - ``n_excluded``: respondents left out of the denominator by a non-substantive answer;
          ``n_missing``: respondents of the universe with a blank answer. ``n + n_excluded +
          n_missing`` is the group's universe;
        - ``cronbach_alpha``: for composites, on the group's complete cases; NaN otherwise.

    Notes
    -----
    Suppression: a row whose ``n`` is under the indicator's ``min_n`` has ``suppressed`` True but
    keeps its estimate and interval, so that analysts can still see them; reports and the
    dashboard blank suppressed estimates. Each breakdown is estimated on the full design, as R's
    ``svyby(~score, ~dimension, design, svymean, na.rm = TRUE)`` does; groups where nobody has a
    score keep their counts, with ``n = 0`` and ``suppressed`` True.

    Speed: the measures of the same estimator kind and ``min_n`` are stacked (one copy of the
    design columns per measure, with a measure key) and estimated in one call with
    ``by=[measure, dimension]``. Each (measure, group) is then a domain of a design whose strata,
    PSUs and weights are those of the round: rows of the other measures score zero in its
    linearised variable and are not in its domain, so its estimate, SE, df, design effect and flags
    are exactly those of a separate call (checked in the tests against ``mande.estimate`` on the
    scored column, to 1e-12 relative).

    Raises
    ------
    DesignError
        No design given for a DataFrame, or design columns missing.
    DataValidationError
        Items or breakdowns missing (with ``on_missing="error"``), or answers that are not codes of
        their item.
    """
    from mande.stats.estimate import estimate

    items = items or standard_items()
    catalogue = catalogue if catalogue is not None else load_catalogue()
    df, design, label = _unpack(round_or_df, design, round_label)
    dims = _breakdowns(by)

    needs_derived = [d for d in dims if d in _DERIVED and d not in df.columns]
    if needs_derived:
        df = _derive(df, needs_derived)

    missing_design = [c for c in design.columns if c not in df.columns]
    if missing_design:
        raise DesignError(
            f"the design names columns {missing_design} that are not in the data; columns: "
            f"{', '.join(map(str, df.columns[:40]))}"
        )

    measures = catalogue.measures(data="survey")
    problems: list[Problem] = []
    kept: list[Measure] = []
    for m in measures:
        cols = measure_columns(m, catalogue, items)
        absent = [c for c in cols if c not in df.columns]
        # a select_multiple needs at least one choice column, not all of them
        absent = [
            c
            for c in absent
            if "__" not in c
            or not any(col.startswith(c.split("__")[0] + "__") for col in df.columns)
        ]
        if absent:
            problems.append(
                Problem(
                    f"indicator {m.id} reads {', '.join(absent)}, not in the data",
                    severity="warning" if on_missing == "skip" else "error",
                    code="missing_column",
                    column=absent[0],
                    expected=", ".join(cols),
                )
            )
        else:
            kept.append(m)
    absent_dims = [d for d in dims if d not in df.columns]
    for d in absent_dims:
        problems.append(
            Problem(
                f"breakdown '{d}' is not a column of the data",
                severity="warning" if on_missing == "skip" else "error",
                code="missing_column",
                column=d,
            )
        )
    if problems and on_missing == "error":
        raise DataValidationError(
            "the data lack columns the indicators or breakdowns need; add them, choose "
            "indicators with catalogue.select([...]), or pass on_missing='skip'",
            problems,
        )
    dims = [d for d in dims if d not in absent_dims]

    round_col = "round" if "round" in df.columns else None
    keys = [round_col] if round_col else []
    base_cols = list(dict.fromkeys([*design.columns, *keys, *dims]))
    frame = df[base_cols].copy()
    scored: dict[str, Scored] = {}
    score_col: dict[str, str] = {}
    for k, m in enumerate(kept):
        scored[m.id] = score_measure(df, m, catalogue, items)
        score_col[m.id] = f"__score_{k}"
    frame = pd.concat(
        [frame, pd.DataFrame({score_col[i]: s.score for i, s in scored.items()}, index=df.index)],
        axis=1,
    )

    groupings = {
        tuple(gb): _Grouping.of(frame, gb)
        for gb in ([*keys, d] if d else list(keys) for d in [None, *dims])
    }
    estimates = _estimate_stacked(
        frame, design, kept, score_col, keys, dims, level, estimate, max_rows=max_stacked_rows
    )
    records: list[dict[str, Any]] = []
    for m in kept:
        ind = m.indicator
        sc = scored[m.id]
        flag_matrix = np.column_stack(
            [sc.flags[c].to_numpy(dtype="int64") for c in _FLAG_SOURCES]
            + [sc.score.notna().to_numpy(dtype="int64")]
        )
        meta = {
            "indicator": m.id,
            "base_indicator": ind.id,
            "variant": m.variant.id if m.variant else None,
            "name": m.name(lang),
            "short_name": m.name(lang, short=True),
            "kind": ind.kind,
            "polarity": ind.polarity,
            "unit": ind.unit,
            "min_n": ind.min_n,
            "domain": ind.domain,
            "sg_section": ind.sg_section,
            "sdg": ind.sdg,
            "level": level,
        }
        for dim in [None, *dims]:
            group_by = [*keys, dim] if dim else list(keys)
            grouping = groupings[tuple(group_by)]
            est_rows = grouping.lookup(estimates[(m.id, dim)])
            counts = grouping.count(flag_matrix)
            alphas = grouping.alphas(sc.components)
            for g, key in enumerate(grouping.keys):
                row = est_rows.get(g, {})
                n_scored = int(counts[g, -1])
                if row and int(row["n"]) != n_scored:
                    raise EstimationError(
                        f"indicator {m.id}, group {key}: the estimator counts {row['n']} "
                        f"valid answers, the scoring {n_scored}; this is a bug, please report it"
                    )
                rec: dict[str, Any] = dict(meta)
                rec["round"] = key[0] if round_col else label
                rec["breakdown"] = dim or "total"
                rec["group"] = key[-1] if dim else "total"
                for c in _ESTIMATE_COLUMNS:
                    rec[c] = row.get(c, np.nan)
                rec["n"] = n_scored
                if not row:
                    rec["suppressed"] = True
                    rec["low_precision"] = True
                    rec["single_psu"] = False
                for k, c in enumerate(_FLAG_OUTPUT):
                    rec[c] = int(counts[g, k])
                rec["cronbach_alpha"] = alphas[g]
                records.append(rec)

    out = pd.DataFrame.from_records(records, columns=list(RESULT_COLUMNS))
    for c in ("n", *COUNT_COLUMNS, "n_excluded", "n_missing", "min_n"):
        out[c] = out[c].astype("int64")
    for c in ("suppressed", "low_precision", "single_psu"):
        out[c] = out[c].astype(bool)
    for c in ("estimate", "se", "ci_low", "ci_high", "df", "deff", "cv", "cronbach_alpha"):
        out[c] = out[c].astype("float64")
    return out


# --------------------------------------------------------------------------------------------


def _unpack(
    obj: Any, design: SurveyDesign | None, round_label: str | None
) -> tuple[pd.DataFrame, SurveyDesign, str | None]:
    if isinstance(obj, pd.DataFrame):
        if design is None:
            raise DesignError(
                "compute_indicators on a DataFrame needs the survey design: pass "
                "design=mande.SurveyDesign(weight=..., strata=..., psu=...), or pass a SurveyRound"
            )
        return obj, design, round_label
    responses = getattr(obj, "responses", None)
    if not isinstance(responses, pd.DataFrame):
        raise DataValidationError(
            f"expected a SurveyRound (with .responses and .design) or a DataFrame, got "
            f"{type(obj).__name__}"
        )
    design = design or getattr(obj, "design", None)
    if not isinstance(design, SurveyDesign):
        raise DesignError("the round has no survey design; pass design=mande.SurveyDesign(...)")
    return responses, design, round_label or getattr(obj, "label", None)


def _breakdowns(by: Sequence[str] | str | None) -> list[str]:
    if by is None:
        return []
    dims = [by] if isinstance(by, str) else list(by)
    for d in dims:
        if not isinstance(d, str) or d in ("total", "round"):
            raise DataValidationError(
                f"breakdown {d!r} is not allowed; give column names such as "
                f"{', '.join(STANDARD_BREAKDOWNS)} ('total' is always included, 'round' is taken "
                "from the data)"
            )
    if len(set(dims)) != len(dims):
        raise DataValidationError(f"breakdowns {dims} name a column twice")
    return dims


def _derive(df: pd.DataFrame, which: list[str]) -> pd.DataFrame:
    from mande.ingest.survey import derive_breakdowns

    possible = standard_items().derivable(df.columns)
    derivable = [d for d in which if d in possible]
    if not derivable:
        return df
    derived = derive_breakdowns(df)
    out = df.copy()
    for d in derivable:
        out[d] = derived[d]
    return out


def _as_text(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


_MEASURE_KEY = "__measure"
_SCORE = "__y"


def _estimate_stacked(
    frame: pd.DataFrame,
    design: SurveyDesign,
    measures: list[Measure],
    score_col: dict[str, str],
    keys: list[str],
    dims: list[str],
    level: float,
    estimate: Any,
    max_rows: int,
) -> dict[tuple[str, str | None], dict[tuple[Any, ...], dict[str, Any]]]:
    """``mande.estimate`` of every measure x breakdown, several measures per call (see Notes).

    Returns, for each (measure id, dimension), the estimator's rows by group key (as text).
    """
    batches: dict[tuple[str, int], list[Measure]] = {}
    for m in measures:
        kind = "proportion" if m.indicator.kind == "proportion" else "mean"
        batches.setdefault((kind, m.indicator.min_n), []).append(m)
    per_call = max(1, max_rows // max(len(frame), 1))
    out: dict[tuple[str, str | None], dict[tuple[Any, ...], dict[str, Any]]] = {}
    for (kind, min_n), batch in batches.items():
        for start in range(0, len(batch), per_call):
            part = batch[start : start + per_call]
            for dim in [None, *dims]:
                group_by = [*keys, dim] if dim else list(keys)
                base = frame[list(dict.fromkeys([*design.columns, *group_by]))]
                copies: list[pd.DataFrame] = []
                for k, m in enumerate(part):
                    copy = base.copy()
                    copy[_MEASURE_KEY] = k
                    copy[_SCORE] = frame[score_col[m.id]].to_numpy()
                    copies.append(copy)
                stacked = pd.concat(copies, ignore_index=True)
                res = estimate(
                    stacked,
                    design,
                    _SCORE,
                    kind=kind,
                    by=[_MEASURE_KEY, *group_by],
                    level=level,
                    min_n=min_n,
                )
                columns = res.to_dict(orient="list")
                key_cols = [columns[c] for c in group_by]
                stats = [c for c in columns if c not in (_MEASURE_KEY, *group_by)]
                for m in part:
                    out[(m.id, dim)] = {}
                for i, k in enumerate(columns[_MEASURE_KEY]):
                    key = tuple(_as_text(col[i]) for col in key_cols)
                    out[(part[int(k)].id, dim)][key] = {c: columns[c][i] for c in stats}
    return out


@dataclass(frozen=True)
class _Grouping:
    """The groups of a breakdown: each row's group number and each group's key (as text)."""

    columns: tuple[str, ...]
    codes: np.ndarray  # group number per row, -1 when a key is missing
    keys: tuple[tuple[Any, ...], ...]

    @classmethod
    def of(cls, frame: pd.DataFrame, group_by: list[str]) -> _Grouping:
        if not group_by:
            return cls((), np.zeros(len(frame), dtype="int64"), ((),))
        text = pd.DataFrame({c: frame[c].map(_as_text) for c in group_by}, index=frame.index)
        grouped = text.groupby(group_by, dropna=True, sort=True)
        codes = grouped.ngroup().fillna(-1).to_numpy(dtype="int64")
        keys = tuple(
            tuple(k) for k in grouped.size().index.to_frame(index=False).itertuples(index=False)
        )
        return cls(tuple(group_by), codes, keys)

    def count(self, matrix: np.ndarray) -> np.ndarray:
        """Column sums of ``matrix`` within each group (groups x columns)."""
        ok = self.codes >= 0
        return (
            np.column_stack(
                [
                    np.bincount(self.codes[ok], weights=matrix[ok, j], minlength=len(self.keys))
                    for j in range(matrix.shape[1])
                ]
            )
            .round()
            .astype("int64")
        )

    def lookup(self, rows: dict[tuple[Any, ...], dict[str, Any]]) -> dict[int, dict[str, Any]]:
        """The estimator's rows (by key) by group number."""
        index = {k: g for g, k in enumerate(self.keys)}
        return {index[k]: row for k, row in rows.items() if k in index}

    def alphas(self, components: pd.DataFrame | None) -> list[float]:
        """Cronbach's alpha of a composite's components within each group (NaN otherwise)."""
        if components is None:
            return [float("nan")] * len(self.keys)
        return [cronbach_alpha(components[self.codes == g]) for g in range(len(self.keys))]
