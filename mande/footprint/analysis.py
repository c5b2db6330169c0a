"""Perceptions against the mission's footprint, with design-based inference.

:func:`footprint_analysis` joins each respondent to the exposure of their area in their round
(:func:`join_exposure`), scores a catalogue indicator, and fits the survey-weighted model

.. math::

    \\operatorname{logit} P(y_{i} = 1) = \\alpha_{a(i)} + \\beta_p\\, \\text{base\\_present}_{a(i)r(i)}
    + \\beta_y\\, \\text{years\\_present}_{a(i)r(i)}

with :func:`mande.trend_model` on the stacked rounds (:func:`mande.stack_rounds`): one intercept per
area (so every area is compared with itself across rounds), the effect of a base in the months
before fieldwork (``beta_p``, a log odds ratio) and the change per year of presence (``beta_y``).
Respondents outside the indicator's universe or without a valid answer are a domain of the full
design (``svyglm`` on ``subset()``), never dropped from it.

It also gives the duration curve (predictive margins over the respondents, with a delta-method
interval on the logit scale) and the plain comparison of exposed and not exposed area-rounds
(:func:`mande.estimate` by exposure; the difference from a design-based linear model), with the
caveats an analyst states: deployment follows violence, so association is not effect; few areas;
sample composition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit

from mande.errors import EstimationError
from mande.stats.design import SurveyDesign

__all__ = [
    "Effect",
    "FootprintAnalysis",
    "footprint_analysis",
    "join_exposure",
    "population_from_weights",
    "score_indicator",
]

_AREA = "_area"
_Y = "_y"


@dataclass(frozen=True)
class Effect:
    """One coefficient of the model: a log odds ratio (binomial) or a difference (gaussian)."""

    term: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    df: float
    level: float
    scale: str  # "logit" or "identity"

    @property
    def significant(self) -> bool:
        return bool(self.ci_low > 0 or self.ci_high < 0)

    @property
    def odds_ratio(self) -> tuple[float, float, float]:
        """(estimate, ci_low, ci_high) as odds ratios (logit scale only)."""
        return float(np.exp(self.estimate)), float(np.exp(self.ci_low)), float(np.exp(self.ci_high))


@dataclass(frozen=True)
class FootprintAnalysis:
    """What :func:`footprint_analysis` found, with its caveats.

    Attributes
    ----------
    indicator, name:
        The measure analysed (``"MIS-02"``) and its name in each language.
    presence, duration:
        The effect of a base in the months before fieldwork and the change per year of presence
        (None when the data cannot tell it: no variation, or a term left out).
    terms:
        Every coefficient of the fit (``TrendFit.table()``).
    curve:
        The duration curve: ``years``, ``estimate``, ``ci_low``, ``ci_high`` (proportions or means
        predicted for the population surveyed had every area had a base for that many years).
    comparison:
        Exposed and not exposed area-rounds: ``group`` (``exposed``, ``not_exposed``,
        ``difference``), ``estimate``, ``ci_low``, ``ci_high``, ``n``, ``areas``, ``area_rounds``.
    n, n_areas, n_area_rounds:
        Respondents used; areas; area-rounds.
    """

    indicator: str
    name: dict[str, str]
    family: str
    formula: str
    presence: Effect | None
    duration: Effect | None
    terms: pd.DataFrame
    curve: pd.DataFrame
    comparison: pd.DataFrame
    n: int
    n_areas: int
    n_area_rounds: int
    n_not_exposed: int
    level: float
    window_months: float = 3.0
    extra: dict[str, Any] = field(default_factory=dict)

    def sentences(self, lang: str = "en") -> list[str]:
        """The findings in UN editorial style (English or French), association not effect."""
        return _sentences(self, lang)

    def caveats(self, lang: str = "en") -> list[str]:
        """What a careful analyst says next to these numbers."""
        return _caveats(self, lang)

    def figures(self, lang: str = "en") -> list[tuple[str, str, str]]:
        """The two headline numbers as (label, value, interval) texts: the odds ratio of a base
        present and the odds ratio per year of presence (or the differences, for a mean)."""
        fr = lang == "fr"
        out = []
        labels = {
            "base_present": ("Base présente (rapport de cotes)", "Base present (odds ratio)"),
            "years_present": (
                "Par année de présence (rapport de cotes)", "Per year of presence (odds ratio)",
            ),
        }  # fmt: skip
        lvl = f"{self.level * 100:.0f}"
        for e in (self.presence, self.duration):
            if e is None:
                continue
            est, lo, hi = e.odds_ratio if e.scale == "logit" else (e.estimate, e.ci_low, e.ci_high)
            label = labels[e.term][0 if fr else 1] if e.term in labels else e.term
            if e.scale != "logit":
                label = label.replace(" (rapport de cotes)", "").replace(" (odds ratio)", "")
            ci = (
                f"IC à {lvl} % : {_num(lo, lang, 2)} à {_num(hi, lang, 2)}"
                if fr
                else f"{lvl}% CI: {_num(lo, lang, 2)} to {_num(hi, lang, 2)}"
            )
            out.append((label, _num(est, lang, 2), ci))
        return out


# ------------------------------------------------------------------------------------------------
# data preparation


def population_from_weights(
    responses: pd.DataFrame, design: SurveyDesign, *, area: str = "region", round: str = "round"
) -> pd.DataFrame:
    """The adult population of each area in each round, estimated by the sum of the weights.

    Returns a frame ``round``, ``pcode``, ``population`` (Horvitz-Thompson estimate of the number
    of adults, :math:`\\hat N_a = \\sum_{i \\in a} w_i`).
    """
    for col in (area, round, design.weight):
        if col not in responses.columns:
            raise EstimationError(
                f"column {col!r} not found in the responses; columns present: "
                f"{', '.join(map(str, responses.columns[:30]))}"
            )
    w = pd.to_numeric(responses[design.weight], errors="coerce")
    out: pd.DataFrame = (
        pd.DataFrame(
            {"round": responses[round].astype(str), "pcode": responses[area].astype(str), "w": w}
        )
        .groupby(["round", "pcode"], as_index=False)["w"]
        .sum()
        .rename(columns={"w": "population"})  # type: ignore[call-overload]
    )
    return out


def join_exposure(
    responses: pd.DataFrame,
    exposure: pd.DataFrame,
    *,
    area: str = "region",
    round: str = "round",
) -> pd.DataFrame:
    """Each respondent with the exposure of their area in their round (area-level covariates).

    Raises
    ------
    EstimationError
        Respondents whose area and round have no exposure row (named with their counts), so that
        nobody silently leaves the analysis.
    """
    if area not in responses.columns or round not in responses.columns:
        raise EstimationError(
            f"the responses need the columns {area!r} (the area) and {round!r} (the round); "
            f"columns present: {', '.join(map(str, responses.columns[:30]))}"
        )
    ex = exposure.rename(columns={"pcode": _AREA, "round": "_round_key"}).copy()
    ex["_round_key"] = ex["_round_key"].astype(str)
    clash = [c for c in ex.columns if c in responses.columns and c not in (_AREA, "_round_key")]
    ex = ex.drop(columns=clash)
    left = responses.copy()
    left[_AREA] = left[area].astype(str)
    left["_round_key"] = left[round].astype(str)
    out = left.merge(ex, on=[_AREA, "_round_key"], how="left", validate="many_to_one")
    missing = out["base_present"].isna() & left[area].notna().to_numpy()
    if missing.any():
        pairs = out.loc[missing, [_AREA, "_round_key"]].astype(str).value_counts().head(10)
        shown = ", ".join(f"{k[0]} in {k[1]}: {n}" for k, n in pairs.items())  # type: ignore[index]
        raise EstimationError(
            f"{int(missing.sum())} respondent(s) are in an area and round without exposure data "
            f"({shown}); the exposure table "
            "must cover every area of the boundaries and every round"
        )
    out.index = responses.index
    return out.drop(columns=["_round_key"])


def score_indicator(
    responses: pd.DataFrame, catalogue: Any, measure_id: str
) -> tuple[pd.Series, Any]:
    """Each respondent's score on a catalogue measure (0/1 for a proportion, NaN outside it)."""
    from mande.indicators.scoring import score_measure

    try:
        measure = catalogue.measure(measure_id)
    except KeyError as exc:
        raise EstimationError(str(exc).strip("'\"")) from exc
    scored = score_measure(responses, measure, catalogue)
    return scored.score.astype(float), measure


# ------------------------------------------------------------------------------------------------
# the analysis


def footprint_analysis(
    responses: pd.DataFrame,
    design: SurveyDesign,
    exposure: pd.DataFrame,
    indicator: str,
    catalogue: Any,
    *,
    area: str = "region",
    round: str = "round",
    covariates: Sequence[str] = ("base_present", "years_present"),
    level: float = 0.95,
    window_months: float = 3.0,
    curve_years: Sequence[float] | None = None,
) -> FootprintAnalysis:
    """Perceptions (a catalogue indicator) against the mission's footprint, design-based.

    Parameters
    ----------
    responses:
        Respondents of every round stacked, with a ``round`` column, the area column and the
        design's columns (each round's own strata and PSUs: they are made unique per round here).
    design:
        The design of one round (same column names in every round).
    exposure:
        :func:`mande.footprint.exposure` for the same rounds and areas.
    indicator:
        A measure of the catalogue (``"MIS-02"``, ``"TRU-01.police"``); proportions are fitted
        with a logit link (odds ratios), means and indices with an identity link.
    covariates:
        The area-level exposure terms of the model (columns of ``exposure``); the area
        intercepts are always included.

    Notes
    -----
    The fit is :func:`mande.trend_model` (R ``svyglm``) of ``y ~ covariates + C(area)`` on the
    stacked design (stratum = round x stratum, PSU = round x PSU) with the domain "scored on the
    indicator". The duration curve is the predictive margin

    .. math:: \\bar\\mu(g) = \\sum_i w_i\\, h(x_i(g)^T\\hat\\beta) / \\sum_i w_i

    over the respondents used, with ``base_present = 1`` and ``years_present = g``; its variance
    is :math:`\\nabla^T \\hat V \\nabla` with
    :math:`\\nabla = \\sum_i w_i h'(\\cdot) x_i(g) / \\sum_i w_i` (delta method, the population mix
    held fixed), and the interval is built on the logit scale for proportions.

    The comparison of exposed and not exposed area-rounds is :func:`mande.estimate` by exposure
    (domains on the full design) and a design-based linear model ``y ~ base_present`` for the
    difference in percentage points.

    References
    ----------
    Lumley, T. (2010). Complex Surveys, ch. 5 (svyglm) and 7. Graubard, B. I. and Korn, E. L.
    (1999). Predictive margins with survey data. Biometrics 55, 652-659.
    """
    import patsy

    from mande.stats.estimate import estimate
    from mande.stats.trends import stack_rounds, trend_model

    if not 0 < level < 1:
        raise EstimationError(f"level={level!r} must be between 0 and 1, e.g. 0.95")
    unknown = [c for c in covariates if c not in exposure.columns]
    if unknown:
        raise EstimationError(
            f"covariate(s) {unknown} are not exposure columns; choose among "
            f"{', '.join(c for c in exposure.columns if c not in ('round', 'pcode'))}"
        )
    joined = join_exposure(responses, exposure, area=area, round=round)
    score, measure = score_indicator(joined, catalogue, indicator)
    family = "binomial" if measure.indicator.kind == "proportion" else "gaussian"
    joined[_Y] = score.to_numpy()
    stacked, sdesign = stack_rounds(joined, design, round=round)
    stacked = stacked.reset_index(drop=True)
    domain = stacked[_Y].notna().to_numpy()
    cells = stacked.loc[domain, [_AREA, round]]
    n_area_rounds = int(cells.drop_duplicates().shape[0])
    n_areas = int(stacked.loc[domain, _AREA].nunique())
    used_cov = [
        c for c in covariates if stacked.loc[domain, c].nunique(dropna=True) > 1
    ]  # a constant exposure cannot be told from the area intercepts
    rhs = " + ".join([*used_cov, f"C({_AREA})"])
    formula = f"{_Y} ~ {rhs}"
    fit = trend_model(stacked, sdesign, formula, family=family, level=level, domain=domain)  # type: ignore[arg-type]

    def effect(term: str) -> Effect | None:
        if term not in fit.params.index:
            return None
        return Effect(
            term, float(fit.params[term]), float(fit.bse[term]),
            float(fit.conf_int["ci_low"][term]), float(fit.conf_int["ci_high"][term]),
            float(fit.pvalues[term]), fit.df_resid, level,
            "logit" if family == "binomial" else "identity",
        )  # fmt: skip

    # duration curve: predictive margins over the respondents used
    used = stacked.loc[domain].copy()
    w = pd.to_numeric(used[sdesign.weight]).to_numpy(dtype=float)
    top = float(np.ceil(max(float(stacked.loc[domain, "years_present"].max()), 1.0)))
    grid = np.asarray(
        curve_years if curve_years is not None else np.round(np.arange(0, top + 1e-9, 0.25), 2),
        dtype=float,
    )
    rows = []
    q = stats.t.ppf(0.5 + level / 2, fit.df_resid) if fit.df_resid > 0 else np.nan
    beta = fit.params.to_numpy()
    vcov = fit.vcov.to_numpy()
    design_rhs = patsy.dmatrix(
        rhs, used.assign(**{c: used[c] for c in used_cov}), return_type="dataframe"
    ).design_info
    for g in grid:
        new = used.copy()
        if "base_present" in used_cov:
            new["base_present"] = 1
        if "years_present" in used_cov:
            new["years_present"] = g
        x = np.asarray(patsy.build_design_matrices([design_rhs], new)[0], dtype=float)
        eta = x @ beta
        if family == "binomial":
            mu = expit(eta)
            d = mu * (1 - mu)
        else:
            mu, d = eta, np.ones_like(eta)
        m = float(np.sum(w * mu) / np.sum(w))
        grad = (x * (w * d)[:, None]).sum(axis=0) / np.sum(w)
        se = float(np.sqrt(grad @ vcov @ grad))
        if family == "binomial":
            se_l = se / (m * (1 - m))
            lo, hi = float(expit(logit(m) - q * se_l)), float(expit(logit(m) + q * se_l))
        else:
            lo, hi = m - q * se, m + q * se
        rows.append((g, m, se, lo, hi))
    curve = pd.DataFrame(rows, columns=["years", "estimate", "se", "ci_low", "ci_high"])

    # exposed against not exposed area-rounds
    stacked["_exposed"] = np.where(stacked["base_present"] == 1, "exposed", "not_exposed")
    kind = "proportion" if family == "binomial" else "mean"
    est = estimate(stacked, sdesign, _Y, kind=kind, by="_exposed", level=level)
    comp_rows = []
    for rec in est.to_dict("records"):
        sel = domain & (stacked["_exposed"] == rec["_exposed"]).to_numpy()
        comp_rows.append(
            {
                "group": rec["_exposed"], "estimate": rec["estimate"], "se": rec["se"],
                "ci_low": rec["ci_low"], "ci_high": rec["ci_high"], "n": int(rec["n"]),
                "areas": int(stacked.loc[sel, _AREA].nunique()),
                "area_rounds": int(stacked.loc[sel, [_AREA, round]].drop_duplicates().shape[0]),
            }
        )  # fmt: skip
    n_not = sum(r["area_rounds"] for r in comp_rows if r["group"] == "not_exposed")
    if len(comp_rows) == 2:
        lin = trend_model(
            stacked, sdesign, f"{_Y} ~ base_present", family="gaussian", level=level, domain=domain
        )
        comp_rows.append(
            {
                "group": "difference", "estimate": float(lin.params["base_present"]),
                "se": float(lin.bse["base_present"]),
                "ci_low": float(lin.conf_int["ci_low"]["base_present"]),
                "ci_high": float(lin.conf_int["ci_high"]["base_present"]),
                "n": int(lin.n), "areas": n_areas, "area_rounds": n_area_rounds,
            }
        )  # fmt: skip
    order = {"exposed": 0, "not_exposed": 1, "difference": 2}
    comparison = pd.DataFrame(comp_rows).sort_values("group", key=lambda s: s.map(order))
    terms = fit.table()
    terms["term"] = (
        terms["term"].str.replace(f"C({_AREA})[T.", "area ", regex=False).str.rstrip("]")
    )
    return FootprintAnalysis(
        indicator=measure.id,
        name={lg: measure.name(lg) for lg in ("en", "fr")},
        family=family,
        formula=f"{measure.id} ~ {' + '.join(used_cov)} + area",
        presence=effect("base_present"),
        duration=effect("years_present"),
        terms=terms,
        curve=curve,
        comparison=comparison.reset_index(drop=True),
        n=int(fit.n),
        n_areas=n_areas,
        n_area_rounds=n_area_rounds,
        n_not_exposed=int(n_not),
        level=level,
        window_months=window_months,
    )


# ------------------------------------------------------------------------------------------------
# sentences


def _num(x: float, lang: str, digits: int = 1) -> str:
    text = f"{x:.{digits}f}"
    return text.replace(".", ",") if lang == "fr" else text


def _pct(x: float, lang: str) -> str:
    return _num(100 * x, lang, 0)


def _sentences(a: FootprintAnalysis, lang: str) -> list[str]:
    fr = lang == "fr"
    name = a.name.get(lang) or a.indicator
    lvl = f"{a.level * 100:.0f}"
    ci = "IC à " + lvl + " %" if fr else lvl + " per cent CI"
    out: list[str] = []
    if a.presence is not None:
        if a.family == "binomial":
            o, lo, hi = a.presence.odds_ratio
            if fr:
                verdict = (
                    "" if a.presence.significant else " ; la différence n'est pas significative"
                )
                out.append(
                    f"{name} : là où une base de la mission était présente dans les "
                    f"{a.window_months:.0f} mois précédant l'enquête, la cote d'une réponse "
                    f"favorable était {_num(o, lang, 2)} fois celle observée dans la même zone sans "
                    f"base ({ci} : {_num(lo, lang, 2)} à {_num(hi, lang, 2)}){verdict}. "
                    "C'est une association, non un effet."
                )
            else:
                verdict = "" if a.presence.significant else "; the difference is not significant"
                out.append(
                    f"{name}: where a mission base was present in the {a.window_months:.0f} months "
                    f"before fieldwork, the odds of a favourable answer were {_num(o, lang, 2)} "
                    f"times those in the same area without a base ({ci}: {_num(lo, lang, 2)} to "
                    f"{_num(hi, lang, 2)}){verdict}. This is an association, not an effect."
                )
        else:
            e = a.presence
            out.append(
                (f"{name} : {_num(e.estimate, lang, 2)} ({ci} : {_num(e.ci_low, lang, 2)} à "
                 f"{_num(e.ci_high, lang, 2)}) là où une base était présente.")
                if fr else
                (f"{name}: {_num(e.estimate, lang, 2)} ({ci}: {_num(e.ci_low, lang, 2)} to "
                 f"{_num(e.ci_high, lang, 2)}) where a base was present.")
            )  # fmt: skip
    if a.duration is not None:
        e = a.duration
        first, last = a.curve.iloc[0], a.curve.iloc[-1]
        if a.family == "binomial":
            o, lo, hi = e.odds_ratio
            ys = _num(last["years"], lang, 0)
            if fr:
                head = (
                    f"Plus la mission est présente depuis longtemps dans une zone, plus la part de "
                    f"réponses favorables (« {name} ») est {'faible' if e.ci_high < 0 else 'élevée'}"
                    if e.significant
                    else f"La part de réponses favorables (« {name} ») ne change pas de façon "
                    "significative avec la durée de la présence"
                )
                out.append(
                    f"{head} : chaque année de présence multiplie la cote par {_num(o, lang, 2)} "
                    f"({ci} : {_num(lo, lang, 2)} à {_num(hi, lang, 2)}). La part estimée passe de "
                    f"{_pct(first['estimate'], lang)} % à l'arrivée de la mission à "
                    f"{_pct(last['estimate'], lang)} % après {ys} ans."
                )
            else:
                head = (
                    "The longer the mission has been present in an area, the "
                    f"{'lower' if e.ci_high < 0 else 'higher'} the share answering favourably "
                    f"on “{name}”"
                    if e.significant
                    else f"The share answering favourably on “{name}” does not change "
                    "significantly with the years of presence"
                )
                out.append(
                    f"{head}: each year of presence multiplies the odds by {_num(o, lang, 2)} "
                    f"({ci}: {_num(lo, lang, 2)} to {_num(hi, lang, 2)}). The estimated share goes "
                    f"from {_pct(first['estimate'], lang)} per cent at the mission's arrival to "
                    f"{_pct(last['estimate'], lang)} per cent after {ys} years."
                )
        else:
            out.append(
                (f"Chaque année de présence : {_num(e.estimate, lang, 2)} ({ci} : "
                 f"{_num(e.ci_low, lang, 2)} à {_num(e.ci_high, lang, 2)}).")
                if fr else
                (f"Each year of presence: {_num(e.estimate, lang, 2)} ({ci}: "
                 f"{_num(e.ci_low, lang, 2)} to {_num(e.ci_high, lang, 2)}).")
            )  # fmt: skip
    diff = a.comparison[a.comparison["group"] == "difference"]
    if len(diff):
        d = diff.iloc[0]
        exp_ = a.comparison[a.comparison["group"] == "exposed"].iloc[0]
        nexp = a.comparison[a.comparison["group"] == "not_exposed"].iloc[0]
        if a.family == "binomial":
            pts = _num(abs(100 * d["estimate"]), lang)
            sig = d["ci_low"] > 0 or d["ci_high"] < 0
            if fr:
                way = (
                    (
                        "en faveur des zones avec base"
                        if d["estimate"] > 0
                        else "au détriment des zones avec base"
                    )
                    if sig
                    else "non significatif"
                )
            else:
                way_en = (
                    f"{pts} percentage points {'higher' if d['estimate'] > 0 else 'lower'} where a "
                    "base was present"
                    if sig
                    else f"a difference of {pts} percentage points, not significant"
                )
            dlo, dhi = _num(100 * d["ci_low"], lang), _num(100 * d["ci_high"], lang)
            out.append(
                (f"Sans tenir compte des différences entre zones, {_pct(exp_['estimate'], lang)} % "
                 f"des répondants des zones avec base ({int(exp_['area_rounds'])} zones-vagues) et "
                 f"{_pct(nexp['estimate'], lang)} % des autres ({int(nexp['area_rounds'])}) "
                 f"répondent favorablement : un écart de {pts} points de pourcentage ({way} ; {ci} : "
                 f"{dlo} à {dhi}).")
                if fr else
                (f"Without allowing for differences between areas, {_pct(exp_['estimate'], lang)} "
                 f"per cent of respondents in areas with a base ({int(exp_['area_rounds'])} "
                 f"area-rounds) and {_pct(nexp['estimate'], lang)} per cent elsewhere "
                 f"({int(nexp['area_rounds'])}) answer favourably: {way_en} "
                 f"({ci}: {dlo} to {dhi}).")
            )  # fmt: skip
    return out


def _caveats(a: FootprintAnalysis, lang: str) -> list[str]:
    fr = lang == "fr"
    out = [
        (
            "Le déploiement suit la violence : les bases ouvrent là où l'insécurité est la plus "
            "forte, de sorte que les zones avec et sans base différaient avant toute ouverture. "
            "Ces résultats sont des associations, non des effets de la présence."
        )
        if fr
        else (
            "Deployment follows violence: bases open where insecurity is worst, so areas with and "
            "without a base differed before any base opened. These results are associations, not "
            "effects of presence."
        ),
        (
            f"Peu de zones : l'exposition ne varie qu'entre {a.n_areas} zones et "
            f"{a.n_area_rounds} zones-vagues, dont {a.n_not_exposed} sans base ; les erreurs "
            "types tiennent compte du plan de sondage, pas du choix des zones où la mission se "
            "déploie, et une seule zone atypique peut emporter le résultat."
        )
        if fr
        else (
            f"Few areas: exposure varies only between {a.n_areas} areas and {a.n_area_rounds} "
            f"area-rounds, {a.n_not_exposed} of them without a base; the standard errors account "
            "for the sample design, not for where the mission chose to deploy, and one unusual "
            "area can drive the result."
        ),
        (
            "Composition de l'échantillon : chaque zone est comparée à elle-même d'une vague à "
            "l'autre (une constante par zone), mais les changements de composition des "
            "répondants (sexe, déplacement, milieu) entre vagues ne sont pas ajustés ; la "
            "comparaison brute entre zones exposées et non exposées mélange des populations "
            "différentes."
        )
        if fr
        else (
            "Sample composition: each area is compared with itself across rounds (one intercept per "
            "area), but changes in who was interviewed (sex, displacement, area type) between "
            "rounds are not adjusted for; the raw comparison of exposed and not exposed areas mixes "
            "different populations."
        ),
    ]
    return out
