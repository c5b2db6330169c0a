"""Survey weights from the sample plan: base weights, non-response adjustment, calibration.

For respondent :math:`i` in PSU :math:`j` of the plan, drawn with first-stage probability
:math:`\\pi_j`, with :math:`m_j` households selected out of :math:`M_j` listed and one adult drawn
among the :math:`a_i` adults of the household:

.. math::

    d_i = \\frac{1}{\\pi_j \\, m_j / M_j} \\; a_i
    \\qquad\\text{(base weight: the inverse of the respondent's selection probability)}.

Non-response is adjusted within weighting classes :math:`c` (the plan's ``nonresponse_class``,
by default the stratum): with :math:`h_j = 1 / (\\pi_j m_j / M_j)` the household base weight and
:math:`r_j` the households interviewed,

.. math::

    f_c = \\frac{\\sum_{j \\in c} h_j m_j}{\\sum_{j \\in c} h_j r_j}, \\qquad d^{nr}_i = f_c d_i,

the inverse of the class's weighted response rate (Kalton and Flores-Cervantes 2003). The adjusted
weights are then calibrated to the mission's adult population margins by :func:`mande.calibrate`
(raking by default), and the design carries the calibration so that standard errors are R's.

References
----------
Kalton, G. and Flores-Cervantes, I. (2003). Weighting methods. *Journal of Official Statistics*
19(2), 81-97. Valliant, R., Dever, J. A. and Kreuter, F. (2018). *Practical Tools for Designing
and Weighting Survey Samples*, 2nd ed., ch. 13-14. Springer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, Problem
from mande.stats.calibrate import CalibrationReport, calibrate, kish_deff
from mande.stats.design import SurveyDesign
from mande.weighting.plan import SamplePlan
from mande.weighting.population import Population

__all__ = ["WEIGHT_COLUMNS", "WeightingReport", "WeightingResult", "weight_round"]

#: The columns a round weighted from its plan carries: base, non-response adjusted, final.
WEIGHT_COLUMNS = ("weight_base", "weight_nr", "weight")


@dataclass(frozen=True)
class WeightingReport:
    """How a round's weights were built, and the diagnostics an officer checks before committing.

    Attributes
    ----------
    spec:
        What was done (JSON-friendly): method, bounds, margins used, population source and year,
        plan file, non-response classes.
    response:
        One row per non-response class: ``nonresponse_class``, ``psus``, ``selected``,
        ``interviewed``, ``response_rate`` (interviewed / selected), ``weighted_response_rate``,
        ``adjustment`` (the factor :math:`f_c`), ``respondents`` (rows in the export).
    calibration:
        The calibration's report (margins before and after, g-weights, Kish's deff).
    warnings:
        Problems that did not block (PSU counts that disagree with the export, ...).
    """

    spec: dict[str, Any]
    response: pd.DataFrame = field(repr=False)
    calibration: CalibrationReport = field(repr=False)
    base_weight_range: tuple[float, float] = (float("nan"), float("nan"))
    deff_base: float = float("nan")
    warnings: tuple[Problem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form, stored with the round version."""
        return {
            "spec": self.spec,
            "response": [
                {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                for row in self.response.to_dict(orient="records")
            ],
            "calibration": self.calibration.to_dict(),
            "base_weight_range": list(self.base_weight_range),
            "deff_base": self.deff_base,
            "warnings": [p.as_dict() for p in self.warnings],
        }

    def describe(self, lang: str = "en") -> str:
        """How the weights were built, in one paragraph (the annex's methods sheet)."""
        return describe_weighting(self.to_dict(), lang)


def describe_weighting(stored: Mapping[str, Any], lang: str = "en") -> str:
    """The methods text for a stored weighting report (:meth:`WeightingReport.to_dict`)."""
    spec = stored.get("spec", {})
    cal = stored.get("calibration", {})
    resp = stored.get("response", [])
    sel = sum(float(r.get("selected", 0)) for r in resp)
    done = sum(float(r.get("interviewed", 0)) for r in resp)
    rate = 100 * done / sel if sel else float("nan")
    margins = ", ".join(spec.get("margins", []))
    method = spec.get("method", "raking")
    bounds = spec.get("bounds")
    if lang == "fr":
        import math

        from mande.report.style import fr_typography, number

        def fr(value: Any, decimals: int) -> str:  # decimal comma, as the French report writes
            v = float(value)
            return number(v, "fr", decimals) if math.isfinite(v) else "?"

        meth = {
            "raking": "calage par raking",
            "linear": "calage linéaire",
            "poststratify": "post-stratification",
        }.get(method, method)
        text = (
            f"Poids de base : inverse de la probabilité de sélection (probabilité de tirage du "
            f"village x ménages tirés / ménages dénombrés x 1 / nombre d'adultes du ménage), "
            f"d'après le plan d'échantillonnage. Ajustement de la non-réponse par classes "
            f"({', '.join(str(r.get('nonresponse_class')) for r in resp[:8])}) : taux de réponse "
            f"global {fr(rate, 1)} %. Puis {meth} sur les marges de population adulte ({margins}) "
            f"de {spec.get('population_source', '?')} ({spec.get('population_year', '?')})"
        )
        if bounds:
            text += f", rapports de poids bornés à [{fr(bounds[0], 2)} ; {fr(bounds[1], 2)}]"
        text += (
            f". Rapports de poids (g) entre {fr(cal.get('g_min', float('nan')), 2)} et "
            f"{fr(cal.get('g_max', float('nan')), 2)} ; effet de plan de Kish dû à la pondération "
            f"{fr(cal.get('deff_after', float('nan')), 2)}. Les erreurs-types tiennent compte du "
            "calage (résidus de la régression sur les variables de calage, comme R survey)."
        )
        return fr_typography(text)
    meth = {
        "raking": "raking",
        "linear": "linear (GREG) calibration",
        "poststratify": "post-stratification",
    }.get(method, method)
    text = (
        "Base weights: inverse of the selection probability (village inclusion probability x "
        "households selected / households listed x 1 / adults in the household), from the "
        f"sample plan. Non-response adjusted within weighting classes "
        f"({', '.join(str(r.get('nonresponse_class')) for r in resp[:8])}"
        f"{', ...' if len(resp) > 8 else ''}): overall response rate {rate:.1f}%. Then {meth} to "
        f"the adult population margins ({margins}) of {spec.get('population_source', '?')} "
        f"({spec.get('population_year', '?')})"
    )
    if bounds:
        text += f", g-weights bounded to [{bounds[0]:g}, {bounds[1]:g}]"
    text += (
        f". g-weights range from {cal.get('g_min', float('nan')):.2f} to "
        f"{cal.get('g_max', float('nan')):.2f}; Kish's design effect from weighting "
        f"{cal.get('deff_after', float('nan')):.2f}. Standard errors account for the calibration "
        "(residuals from the regression on the calibration variables, as R's survey package)."
    )
    return text


@dataclass(frozen=True)
class WeightingResult:
    """The weighted responses, their design (carrying the calibration) and the report."""

    data: pd.DataFrame
    design: SurveyDesign
    report: WeightingReport


def _psu_key(df: pd.DataFrame, strata: str, psu: str) -> pd.Series:
    def text(s: pd.Series) -> pd.Series:
        return s.map(
            lambda v: (
                ""
                if pd.isna(v)
                else (
                    str(int(v))
                    if isinstance(v, float) and float(v).is_integer()
                    else str(v).strip()
                )
            )
        )

    return text(df[strata]) + "\x1f" + text(df[psu])


def weight_round(
    responses: pd.DataFrame,
    plan: SamplePlan,
    population: Population,
    *,
    adults: str = "hh_adults",
    strata: str = "stratum",
    psu: str = "psu",
    margins: Sequence[str] | None = None,
    method: str = "raking",
    bounds: tuple[float, float] | None = None,
    lonely_psu: str = "adjust",
) -> WeightingResult:
    """Weight a round from its sample plan and the mission's population margins.

    Parameters
    ----------
    responses:
        The round's responses (one row per respondent) with the stratum, PSU and adults columns
        and the margin variables (``region``, ``sex``, ``age_group`` ...).
    plan:
        The round's sample plan (:func:`mande.weighting.read_plan`).
    population:
        The adult population margins (``MissionConfig.population``).
    adults:
        Column with the number of adults in the respondent's household (one adult drawn per
        household); values >= 1.
    strata, psu:
        The stratum and PSU columns of the responses, matched to the plan's ``stratum``/``psu``.
    margins:
        Which population margins to calibrate on (default: every margin of ``population``).
    method, bounds:
        As :func:`mande.calibrate`.
    lonely_psu:
        The design's rule for single-PSU strata.

    Returns
    -------
    WeightingResult
        ``.data``: the responses with ``weight_base``, ``weight_nr`` and the final ``weight``;
        ``.design``: ``SurveyDesign(weight="weight", strata, psu)`` carrying the calibration
        (base: ``weight_nr``); ``.report``: :class:`WeightingReport`.

    Raises
    ------
    DataValidationError
        A respondent's PSU is not in the plan; the adults column is missing or not a whole
        number >= 1; a class with respondents has no interview in the plan.
    DesignError
        The calibration cannot meet the margins (see :func:`mande.calibrate`).
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for col in (strata, psu):
        if col not in responses.columns:
            raise DataValidationError(
                f"the responses have no '{col}' column to match the sample plan",
                [Problem(f"column '{col}' not found", code="missing_column", column=col)],
            )
    if adults not in responses.columns:
        raise DataValidationError(
            f"the responses have no '{adults}' column (adults in the household)",
            [
                Problem(
                    f"column '{adults}' not found: the base weight needs the number of adults in "
                    "each respondent's household (one adult drawn per household); name the "
                    "export's column",
                    code="missing_column",
                    column=adults,
                )
            ],
        )
    tab = plan.table
    key_r = _psu_key(responses, strata, psu)
    key_p = _psu_key(tab, "stratum", "psu")
    pos = pd.Index(key_p).get_indexer(key_r)
    unmatched = pos < 0
    if unmatched.any():
        bad = sorted(set(key_r[unmatched]))
        problems.append(
            Problem(
                f"{int(unmatched.sum())} respondent(s) in {len(bad)} PSU(s) not in the sample plan: "
                + ", ".join(b.replace("\x1f", " / ") for b in bad[:10])
                + "; every PSU of the export needs a row in the plan (stratum, psu as in the export)",
                code="psu_not_in_plan",
                column=psu,
            )
        )
    a = pd.to_numeric(responses[adults], errors="coerce").to_numpy(dtype=float)
    bad_a = ~(a >= 1) | (np.nan_to_num(a) % 1 != 0)
    if bad_a.any():
        problems.append(
            Problem(
                f"{int(bad_a.sum())} respondent(s) have no valid number of adults in '{adults}' "
                "(expected a whole number >= 1)",
                code="invalid_adults",
                column=adults,
            )
        )
    if problems:
        raise DataValidationError("the round cannot be weighted from its sample plan", problems)

    hh_w = 1.0 / (
        tab["inclusion_prob"] * tab["households_selected"] / tab["households_listed"]
    ).to_numpy(dtype=float)
    base = hh_w[pos] * a

    # respondents per PSU against the plan's count
    counts = np.bincount(pos, minlength=len(tab))
    planned = tab["households_interviewed"].to_numpy(dtype=float)
    off = np.flatnonzero(counts != planned)
    if len(off):
        shown = ", ".join(
            f"{tab['psu'].iloc[j]} ({counts[j]} vs {int(planned[j])})" for j in off[:8]
        )
        warnings.append(
            Problem(
                f"{len(off)} PSU(s) have a number of interviews in the export that differs from the "
                f"plan's households_interviewed: {shown}; the plan's counts are used for the "
                "non-response adjustment",
                severity="warning",
                code="plan_count_mismatch",
            )
        )

    cls = tab["nonresponse_class"].astype(str).to_numpy()
    sel = tab["households_selected"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "nonresponse_class": cls,
            "psus": 1,
            "selected": sel,
            "interviewed": planned,
            "w_sel": hh_w * sel,
            "w_int": hh_w * planned,
            "respondents": counts,
        }
    )
    resp = frame.groupby("nonresponse_class", sort=True).sum(numeric_only=True).reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        resp["response_rate"] = resp["interviewed"] / resp["selected"]
        resp["weighted_response_rate"] = resp["w_int"] / resp["w_sel"]
        resp["adjustment"] = resp["w_sel"] / resp["w_int"]
    empty = resp[(resp["interviewed"] == 0) & (resp["respondents"] > 0)]
    if not empty.empty:
        raise DataValidationError(
            "the plan says no household was interviewed in classes that have respondents",
            [
                Problem(
                    f"class {c!r}: households_interviewed sums to 0 in the plan but the export "
                    "has respondents there; correct the plan",
                    code="plan_count_mismatch",
                )
                for c in empty["nonresponse_class"]
            ],
        )
    lost = resp[(resp["interviewed"] == 0)]
    for c in lost["nonresponse_class"]:
        warnings.append(
            Problem(
                f"no interview in non-response class {c!r}: its population is not represented by "
                "the round; merge it with a neighbouring class in the plan",
                severity="warning",
                code="empty_class",
            )
        )
    factor = dict(zip(resp["nonresponse_class"], resp["adjustment"], strict=True))
    nr = base * pd.Series(cls[pos]).map(factor).to_numpy(dtype=float)

    out = responses.copy()
    out["weight_base"] = base
    out["weight_nr"] = nr
    chosen = list(population.margins) if margins is None else list(margins)
    missing_vars = [m for m in chosen if m not in out.columns]
    if missing_vars:
        raise DataValidationError(
            "the responses lack calibration variables",
            [
                Problem(
                    f"column '{m}' not found: the population margins include {m}",
                    code="missing_column",
                    column=m,
                )
                for m in missing_vars
            ],
        )
    unknown = [m for m in chosen if m not in population.margins]
    if unknown:
        raise DataValidationError(
            "margins not in the mission's population figures",
            [
                Problem(
                    f"no population margin for {m!r}; the mission gives "
                    f"{', '.join(population.margins)}",
                    code="unknown_margin",
                )
                for m in unknown
            ],
        )
    na_rows = out[chosen].isna().any(axis=1)
    if na_rows.any():
        raise DataValidationError(
            "respondents without a value of a calibration variable",
            [
                Problem(
                    f"{int(out[m].isna().sum())} respondent(s) have no {m}: they cannot be "
                    "calibrated; calibrate on other margins or correct the data",
                    code="missing_calibration_value",
                    column=m,
                )
                for m in chosen
                if out[m].isna().any()
            ],
        )
    pre = SurveyDesign(weight="weight_nr", strata=strata, psu=psu, lonely_psu=lonely_psu)  # type: ignore[arg-type]
    work = out.drop(columns=["weight"], errors="ignore")
    cal = calibrate(
        work,
        pre,
        {m: population.margins[m] for m in chosen},
        method=method,
        bounds=bounds,
        weight="weight",
    )
    spec = {
        "source": "plan",
        "method": method,
        "bounds": list(bounds) if bounds is not None else None,
        "margins": chosen,
        "population_source": population.source,
        "population_year": population.year,
        "population_total": population.total,
        "plan": plan.source,
        "psus": len(tab),
        "nonresponse_classes": [str(c) for c in resp["nonresponse_class"]],
        "adults": adults,
    }
    report = WeightingReport(
        spec=spec,
        response=resp.drop(columns=["w_sel", "w_int"]),
        calibration=cal.report,
        base_weight_range=(float(base.min()), float(base.max())),
        deff_base=kish_deff(base),
        warnings=tuple(warnings),
    )
    order = list(responses.columns) + [c for c in cal.data.columns if c not in responses.columns]
    return WeightingResult(data=cal.data[order], design=cal.design, report=report)
