"""Relationship quality from coded partner interviews: the index, its aggregates, themes, quotes.

The relationship-quality index (RQI) of an interview is the mean of its trust, mutual-benefit and
cooperation scores, rescaled from 1-5 to 0-100. Aggregates carry confidence intervals from a
cluster bootstrap over partner organisations, since the same organisation is interviewed again and
again and its interviews are not independent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import EstimationError
from mande.partners.rubric import Rubric, load_rubric
from mande.reporting.policy import group_rng

__all__ = [
    "interview_rqi",
    "relationship_quality",
    "select_quotes",
    "theme_frequencies",
    "theme_matrix",
]

BY_COLUMNS = ("partner_type", "period", "region")


def _primary(interviews: Any) -> pd.DataFrame:
    """The first coder's rows (one per interview) from Interviews or a DataFrame."""
    frame = getattr(interviews, "interviews", interviews)
    if not isinstance(frame, pd.DataFrame):
        raise EstimationError(
            f"expected mande.Interviews or its .interviews DataFrame, got {type(interviews).__name__}"
        )
    if "coder_rank" in frame.columns:
        frame = frame[frame["coder_rank"] == 1]
    return frame.reset_index(drop=True)


def _check_by(frame: pd.DataFrame, by: Sequence[str]) -> list[str]:
    by = list(by)
    for col in by:
        if col not in frame.columns:
            raise EstimationError(
                f"cannot group by '{col}': no such column; columns present: "
                f"{', '.join(map(str, frame.columns))}"
            )
        if frame[col].isna().all():
            hint = (
                "; read the sheet with read_interviews(path, mission=...) or call "
                "interviews.with_periods(mission) to assign reporting periods"
                if col == "period"
                else ""
            )
            raise EstimationError(f"cannot group by '{col}': it is empty in every interview{hint}")
    return by


def interview_rqi(interviews: Any, *, rubric: Rubric | None = None) -> pd.DataFrame:
    """One row per interview (first coder) with its relationship-quality index ``rqi`` (0-100).

    Notes
    -----
    .. math:: \\mathrm{RQI}_i = \\frac{\\bar s_i - 1}{4} \\times 100,\\qquad
              \\bar s_i = \\tfrac13(\\mathrm{trust}_i + \\mathrm{mutual\\ benefit}_i
              + \\mathrm{cooperation}_i)

    on the rubric's 1 (poor) to 5 (strong) scale, so 0 is "poor" on all three and 100 "strong" on
    all three. An interview missing one of the three has no RQI (NaN).
    """
    rb = rubric or load_rubric()
    frame = _primary(interviews).copy()
    missing = [d for d in rb.rqi_dimensions if d not in frame.columns]
    if missing:
        raise EstimationError(
            f"the RQI needs the columns {', '.join(rb.rqi_dimensions)}; missing: {', '.join(missing)}"
        )
    mean = frame[list(rb.rqi_dimensions)].astype(float).mean(axis=1, skipna=False)
    frame["rqi"] = (mean - rb.scale_min) / (rb.scale_max - rb.scale_min) * 100.0
    return frame


def _cluster_bootstrap(
    values: np.ndarray,
    clusters: np.ndarray,
    rng: np.random.Generator,
    n_boot: int,
    level: float,
) -> tuple[float, float]:
    """Percentile CI of a mean, resampling clusters with replacement (all at once)."""
    codes, _ = pd.factorize(clusters)
    m = int(codes.max()) + 1 if len(codes) else 0
    if m < 2:
        return float("nan"), float("nan")
    sums = np.bincount(codes, weights=values, minlength=m)
    counts = np.bincount(codes, minlength=m).astype(float)
    draws = rng.multinomial(m, np.full(m, 1.0 / m), size=n_boot).astype(float)
    means = (draws @ sums) / (draws @ counts)
    alpha = 1.0 - level
    lo, hi = np.quantile(means, [alpha / 2.0, 1.0 - alpha / 2.0])
    return float(lo), float(hi)


def relationship_quality(
    interviews: Any,
    by: Sequence[str] = BY_COLUMNS,
    *,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
    min_partners: int = 5,
    min_interviews: int = 5,
    rubric: Rubric | None = None,
) -> pd.DataFrame:
    """The relationship-quality index by group, with cluster-bootstrap CIs, and the other dimensions.

    Parameters
    ----------
    interviews:
        :class:`mande.Interviews` (or its ``.interviews`` frame); the first coder's rows are used.
    by:
        Any subset of ``("partner_type", "period", "region")`` (or other columns); ``()`` for one
        overall row.
    level:
        Confidence level of the intervals.
    n_boot:
        Bootstrap replicates.
    seed:
        The bootstrap seed. Each group draws from its own generator, derived from the seed and the
        group's key (:func:`mande.reporting.group_rng`), so a group's interval is the same whatever
        other groups are computed with it (the Partners page's table by partner type and period
        and the annex's table of one period agree).
    min_partners, min_interviews:
        Groups with fewer partner organisations are flagged ``few_partners`` (their interval is
        unreliable; with one organisation it is not computed); with fewer interviews,
        ``few_interviews``. ``small`` is either flag: such a figure is shown greyed with a note
        and never ranked.
    rubric:
        The rubric already loaded (default: :func:`mande.partners.rubric.load_rubric`).

    Returns
    -------
    DataFrame
        One row per group: ``*by``, ``n_interviews``, ``n_partners``, ``rqi``, ``rqi_ci_low``,
        ``rqi_ci_high``, ``few_partners``, ``few_interviews``, ``small``, then the mean score (1-5) of every rubric dimension and
        ``coercion_cooperation``.

    Notes
    -----
    The group's RQI is the mean over its interviews, :math:`\\hat\\mu = \\sum_c S_c / \\sum_c n_c`,
    with :math:`S_c` the sum of RQIs and :math:`n_c` the number of interviews of organisation
    :math:`c`. Each bootstrap replicate draws the group's :math:`m` organisations with replacement
    (multinomial counts :math:`w_c`, :math:`\\sum_c w_c = m`) and recomputes
    :math:`\\hat\\mu^* = \\sum_c w_c S_c / \\sum_c w_c n_c`; the interval is the
    :math:`(\\alpha/2, 1-\\alpha/2)` percentiles of the replicates (percentile cluster bootstrap;
    Davison and Hinkley 1997, section 3.8; Field and Welsh 2007). Each group has its own
    generator (seed and group key), so a seed reproduces every interval.
    """
    if not 0 < level < 1:
        raise EstimationError(f"level={level} must be between 0 and 1, e.g. 0.95")
    if n_boot < 100:
        raise EstimationError(
            f"n_boot={n_boot} is too few replicates for a percentile interval; use 1000 or more"
        )
    rb = rubric or load_rubric()
    frame = interview_rqi(interviews, rubric=rb)
    by = _check_by(frame, by)
    frame = frame[frame["rqi"].notna()]
    if "partner_id" not in frame.columns:
        raise EstimationError(
            "column 'partner_id' not found; the bootstrap resamples partner organisations"
        )
    dims = [d for d in rb.scored if d in frame.columns]
    groups = frame.groupby(by, sort=True, dropna=False) if by else [((), frame)]
    rows = []
    for key, g in groups:
        keys = key if isinstance(key, tuple) else (key,)
        rng = group_rng(seed, tuple(f"{c}={v}" for c, v in zip(by, keys, strict=True)))
        lo, hi = _cluster_bootstrap(
            g["rqi"].to_numpy(float), g["partner_id"].to_numpy(), rng, n_boot, level
        )
        n_partners = int(g["partner_id"].nunique())
        row: dict[str, Any] = dict(zip(by, keys, strict=True))
        row |= {
            "n_interviews": len(g),
            "n_partners": n_partners,
            "rqi": float(g["rqi"].mean()),
            "rqi_ci_low": lo,
            "rqi_ci_high": hi,
            "few_partners": n_partners < min_partners,
            "few_interviews": len(g) < min_interviews,
            "small": n_partners < min_partners or len(g) < min_interviews,
        }
        row |= {d: float(g[d].mean()) for d in dims}
        rows.append(row)
    columns = [
        *by,
        "n_interviews",
        "n_partners",
        "rqi",
        "rqi_ci_low",
        "rqi_ci_high",
        "few_partners",
        "few_interviews",
        "small",
        *dims,
    ]
    return pd.DataFrame(rows, columns=columns)


def theme_frequencies(
    interviews: Any,
    by: Sequence[str] = ("partner_type", "period"),
    *,
    lang: str = "en",
    rubric: Rubric | None = None,
) -> pd.DataFrame:
    """How often each theme came up, by group (first coder's coding).

    Returns
    -------
    DataFrame
        One row per group and theme: ``*by``, ``theme``, ``label`` (in ``lang``), ``n`` (interviews
        raising the theme), ``n_interviews`` (interviews in the group), ``percent``.
    """
    rb = rubric or load_rubric()
    frame = _primary(interviews)
    by = _check_by(frame, by)
    cols = [f"theme__{t}" for t in rb.themes]
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise EstimationError(
            f"theme columns missing: {', '.join(missing)}; read the sheet with read_interviews"
        )
    agg = frame.groupby(by, sort=True, dropna=False)[cols].agg(["sum", "count"]) if by else None
    rows = []
    if agg is None:
        parts = [((), frame[cols].sum(), len(frame))]
    else:
        parts = [
            (
                key if isinstance(key, tuple) else (key,),
                agg.loc[key].xs("sum", level=1),
                int(agg.loc[key].xs("count", level=1).iloc[0]),
            )
            for key in agg.index
        ]
    for keys, sums, total in parts:
        for t in rb.themes:
            n = int(sums[f"theme__{t}"])
            rows.append(
                dict(zip(by, keys, strict=True))
                | {
                    "theme": t,
                    "label": rb.theme_label(t, lang),
                    "n": n,
                    "n_interviews": total,
                    "percent": 100.0 * n / total if total else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=[*by, "theme", "label", "n", "n_interviews", "percent"])


def theme_matrix(
    frequencies: pd.DataFrame, *, lang: str = "en", rubric: Rubric | None = None
) -> pd.DataFrame:
    """Theme frequencies by partner type as a table to read: one row per theme (its label), one
    column per partner type (its label), the share of interviews raising it in per cent (rounded to
    whole numbers), themes most raised overall first.

    ``frequencies`` is :func:`theme_frequencies` by ``("partner_type",)``.
    """
    rb = rubric or load_rubric()
    wide = frequencies.pivot_table(
        index="label", columns="partner_type", values="percent", aggfunc="first"
    )
    counts = frequencies.groupby("label")["n"].sum()
    wide = wide.loc[counts.reindex(wide.index).sort_values(ascending=False).index]
    wide.columns = [rb.partner_type_label(str(c), lang) for c in wide.columns]
    wide.index.name = "theme" if lang == "en" else "thème"
    return wide.round(0)


def select_quotes(
    interviews: Any,
    *,
    theme: str | Sequence[str] | None = None,
    partner_type: str | Sequence[str] | None = None,
    period: str | Sequence[str] | None = None,
    region: str | Sequence[str] | None = None,
    n: int | None = None,
    seed: int | None = None,
    lang: str = "en",
    rubric: Rubric | None = None,
) -> pd.DataFrame:
    """Quotes for a report: consented only, filtered, optionally a reproducible sample of ``n``.

    Parameters
    ----------
    interviews:
        :class:`mande.Interviews`, or its ``.quotes`` frame. Only rows whose ``consent`` is True are
        ever returned (ingest already drops the others; this is checked again here).
    theme, partner_type, period, region:
        Keep quotes matching these codes (one or several).
    n:
        At most ``n`` quotes, drawn with ``numpy.random.default_rng(seed)`` and spread over themes;
        all matching quotes when None.
    rubric:
        The rubric already loaded (default: :func:`mande.partners.rubric.load_rubric`).

    Returns
    -------
    DataFrame
        ``interview_id``, ``partner_type``, ``partner_type_label``, ``region``, ``period``, ``date``,
        ``theme``, ``theme_label``, ``text``, ``consent`` (True).
    """
    rb = rubric or load_rubric()
    quotes = getattr(interviews, "quotes", interviews)
    if not isinstance(quotes, pd.DataFrame) or "text" not in quotes.columns:
        raise EstimationError("expected mande.Interviews or its .quotes DataFrame")
    if "consent" not in quotes.columns:
        raise EstimationError(
            "the quotes have no 'consent' column; quotes without consent are never used"
        )
    q = quotes[quotes["consent"].eq(True)].copy()
    for col, want in (
        ("theme", theme),
        ("partner_type", partner_type),
        ("period", period),
        ("region", region),
    ):
        if want is None:
            continue
        values = [want] if isinstance(want, str) else list(want)
        q = q[q[col].isin(values)]
    if n is not None and len(q) > n:
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(q))
        shuffled = q.iloc[order]
        rank = shuffled.groupby("theme", dropna=False).cumcount()
        q = (
            shuffled.assign(_rank=rank.to_numpy())
            .sort_values("_rank", kind="stable")
            .head(n)
            .drop(columns="_rank")
        )
    q["partner_type_label"] = [rb.partner_type_label(t, lang) for t in q["partner_type"]]
    q["theme_label"] = [rb.theme_label(t, lang) if isinstance(t, str) else "" for t in q["theme"]]
    cols = [
        "interview_id",
        "partner_type",
        "partner_type_label",
        "region",
        "period",
        "date",
        "theme",
        "theme_label",
        "text",
        "consent",
    ]
    return q[[c for c in cols if c in q.columns]].reset_index(drop=True)
