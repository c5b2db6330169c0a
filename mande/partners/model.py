"""Did robust operations strain the mission's partnerships? A mixed model answers, other things equal.

The model: relationship quality (or one dimension) against the robust-operation context, with
partner type and reporting period as fixed effects and a random intercept per partner organisation
(each organisation is interviewed repeatedly and has its own level).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mande.errors import EstimationError
from mande.partners.quality import interview_rqi
from mande.partners.rubric import Rubric, load_rubric

__all__ = ["PartnerModelResult", "partner_model"]

_NAMES_EN = {"rqi": "relationship quality"}
_NAMES_FR = {"rqi": "la qualité de la relation"}


@dataclass(frozen=True)
class PartnerModelResult:
    """The estimated difference between interviews held under robust operations and the others.

    ``estimate`` is in the outcome's units: points on 0-100 for ``rqi``, points on the 1-5 scale for
    a dimension. Negative means lower under robust operations.
    """

    outcome: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    level: float
    n_interviews: int
    n_partners: int
    n_robust: int
    formula: str
    converged: bool
    partner_variance: float
    residual_variance: float
    sentence_en: str
    sentence_fr: str
    notes: tuple[str, ...] = ()

    @property
    def significant(self) -> bool:
        return bool(self.p_value < 1 - self.level)

    def sentence(self, lang: str = "en") -> str:
        return self.sentence_fr if lang == "fr" else self.sentence_en


def _fmt(x: float, lang: str) -> str:
    text = f"{abs(x):.1f}"
    return text.replace(".", ",") if lang == "fr" else text


def _sentences(
    outcome: str,
    est: float,
    lo: float,
    hi: float,
    level: float,
    significant: bool,
    rb: Rubric,
) -> tuple[str, str]:
    pct = f"{level * 100:.0f}"
    if outcome == "rqi":
        what_en, what_fr = (
            "partners' relationship quality",
            "la qualité de la relation avec les partenaires",
        )
        unit_en, unit_fr = "points", "points"
        scale_en = scale_fr = ""
    else:
        label_en = rb.dimension_label(outcome, "en")
        label_fr = rb.dimension_label(outcome, "fr")
        what_en = f"partners' {label_en[0].lower() + label_en[1:]} score"
        what_fr = f"le score « {label_fr} » des partenaires"
        unit_en, unit_fr = "points", "point" if round(abs(est), 1) < 2 else "points"
        scale_en, scale_fr = " on the 1 to 5 scale", " sur l'échelle de 1 à 5"
    lower = est < 0
    # the interval of the size of the difference, in the direction stated
    a, b = (-hi, -lo) if lower else (lo, hi)
    if significant:
        en = (
            f"Where the mission ran robust operations, {what_en} was {_fmt(est, 'en')} {unit_en} "
            f"{'lower' if lower else 'higher'}{scale_en} ({pct} per cent confidence interval: "
            f"{_fmt(a, 'en')} to "
            f"{_fmt(b, 'en')}) than elsewhere, other things equal."
        )
        fr = (
            f"Là où la mission a mené des opérations robustes, {what_fr} était "
            f"{'inférieur' if outcome != 'rqi' else 'inférieure'}"
            if lower
            else f"Là où la mission a mené des opérations robustes, {what_fr} était "
            f"{'supérieur' if outcome != 'rqi' else 'supérieure'}"
        )
        fr += (
            f" de {_fmt(est, 'fr')} {unit_fr}{scale_fr} (intervalle de confiance à {pct} pour cent : "
            f"{_fmt(a, 'fr')} à "
            f"{_fmt(b, 'fr')}) à ce qu'on observe ailleurs, toutes choses égales par ailleurs."
        )
    else:
        sign = "-" if est < 0 else "+"
        en = (
            f"Where the mission ran robust operations, {what_en} did not differ significantly "
            f"from elsewhere, other things equal (estimated difference {sign}{_fmt(est, 'en')} "
            f"{unit_en}{scale_en}, {pct} per cent confidence interval: {lo:.1f} to {hi:.1f})."
        )
        fr = (
            f"Là où la mission a mené des opérations robustes, {what_fr} ne différait pas "
            f"significativement de ce qu'on observe ailleurs, toutes choses égales par ailleurs "
            f"(différence estimée {sign}{_fmt(est, 'fr')} {unit_fr}{scale_fr}, intervalle de "
            f"confiance à {pct} pour cent : "
            f"{_fmt(lo, 'fr') if lo >= 0 else '-' + _fmt(lo, 'fr')} à "
            f"{_fmt(hi, 'fr') if hi >= 0 else '-' + _fmt(hi, 'fr')})."
        )
    return en, fr


def partner_model(
    interviews: Any,
    outcome: str = "rqi",
    *,
    level: float = 0.95,
    reml: bool = True,
    rubric: Rubric | None = None,
) -> PartnerModelResult:
    """Fit ``outcome ~ robust_context + C(partner_type) + C(period)`` with a random intercept per
    partner organisation, and report the robust-operation difference.

    Parameters
    ----------
    interviews:
        :class:`mande.Interviews` (or its ``.interviews`` frame) with periods assigned
        (``read_interviews(path, mission=...)``); the first coder's rows are used.
    outcome:
        ``"rqi"`` (0-100) or a rubric dimension (``"cooperation"``, ``"trust"``, ...,
        ``"coercion_cooperation"``), on its 1-5 scale.
    level:
        Confidence level of the interval.
    reml:
        Restricted maximum likelihood (default) or maximum likelihood.
    rubric:
        The rubric already loaded (default: :func:`mande.partners.rubric.load_rubric`).

    Returns
    -------
    PartnerModelResult

    Notes
    -----
    The linear mixed model, for interview :math:`i` of organisation :math:`j`,

    .. math:: y_{ij} = \\beta_0 + \\delta\\, \\mathrm{robust}_{ij} + \\gamma_{\\mathrm{type}(j)}
              + \\tau_{\\mathrm{period}(i)} + u_j + \\varepsilon_{ij},\\quad
              u_j \\sim N(0, \\sigma_u^2),\\ \\varepsilon_{ij} \\sim N(0, \\sigma^2),

    is fitted by statsmodels ``MixedLM`` (REML). :math:`\\hat\\delta` is the difference reported,
    with a Wald interval :math:`\\hat\\delta \\pm z_{1-\\alpha/2}\\, \\mathrm{se}(\\hat\\delta)` and
    p-value. The random intercept absorbs each organisation's own level, so the difference is
    driven by the same organisations interviewed with and without robust operations nearby, and by
    comparisons across organisations of the same type and period. A term with a single level in the
    data (one partner type, one period) is left out.

    References
    ----------
    Laird, N. M. and Ware, J. H. (1982). Random-effects models for longitudinal data. Biometrics
    38, 963-974. statsmodels ``MixedLM``. Checked on the sample mission, whose generator's true
    effect is known (``tests/unit/test_partners_model.py``).
    """
    from statsmodels.formula.api import mixedlm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    rb = rubric or load_rubric()
    if outcome != "rqi" and outcome not in rb.scored:
        raise EstimationError(
            f"outcome {outcome!r} is not 'rqi' or a rubric dimension; expected one of "
            f"rqi, {', '.join(rb.scored)}"
        )
    if not 0 < level < 1:
        raise EstimationError(f"level={level} must be between 0 and 1, e.g. 0.95")
    frame = interview_rqi(interviews, rubric=rb)
    needed = ["robust_context", "partner_type", "period", "partner_id", outcome]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise EstimationError(f"the model needs the columns {', '.join(missing)}")
    if frame["period"].isna().all():
        raise EstimationError(
            "no interview has a reporting period; read the sheets with "
            "read_interviews(path, mission=...) or call interviews.with_periods(mission)"
        )
    data = frame[needed].dropna().copy()
    data["robust_context"] = data["robust_context"].astype(float)
    data[outcome] = data[outcome].astype(float)
    notes: list[str] = []
    dropped = len(frame) - len(data)
    if dropped:
        notes.append(f"{dropped} interview(s) without {outcome} or period left out")
    n_robust = int(data["robust_context"].sum())
    if n_robust == 0 or n_robust == len(data):
        raise EstimationError(
            f"the robust-operation context does not vary ({n_robust} of {len(data)} interviews "
            "held under robust operations); the difference cannot be estimated"
        )
    terms = ["robust_context"]
    for col in ("partner_type", "period"):
        if data[col].nunique() > 1:
            terms.append(f"C({col})")
        else:
            notes.append(f"{col} has one level; left out of the model")
    formula = f"{outcome} ~ " + " + ".join(terms)
    if data["partner_id"].nunique() < 2:
        raise EstimationError("the model needs interviews with at least two partner organisations")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = mixedlm(formula, data, groups=data["partner_id"]).fit(reml=reml)
        except np.linalg.LinAlgError as exc:
            raise EstimationError(
                f"the mixed model {formula} could not be fitted ({exc}); the data may be too few "
                "or a term may be confounded with another (e.g. every partner of a type under "
                "robust operations)"
            ) from exc
    for w in caught:
        if issubclass(w.category, (ConvergenceWarning, RuntimeWarning, UserWarning)):
            notes.append(str(w.message).splitlines()[0])
    est = float(fit.params["robust_context"])
    se = float(fit.bse["robust_context"])
    if not np.isfinite(se):
        raise EstimationError(
            "the model did not give a standard error for robust_context; too few interviews?"
        )
    z = float(stats.norm.ppf(0.5 + level / 2))
    lo, hi = est - z * se, est + z * se
    p = float(2 * stats.norm.sf(abs(est / se)))
    significant = p < 1 - level
    en, fr = _sentences(outcome, est, lo, hi, level, significant, rb)
    return PartnerModelResult(
        outcome=outcome,
        estimate=est,
        se=se,
        ci_low=lo,
        ci_high=hi,
        p_value=p,
        level=level,
        n_interviews=len(data),
        n_partners=int(data["partner_id"].nunique()),
        n_robust=n_robust,
        formula=formula + " + (1 | partner_id)",
        converged=bool(getattr(fit, "converged", True)),
        partner_variance=float(np.asarray(fit.cov_re)[0, 0]),
        residual_variance=float(fit.scale),
        sentence_en=en,
        sentence_fr=fr,
        notes=tuple(notes),
    )


def _as_frame(result: PartnerModelResult) -> pd.DataFrame:
    """One-row table of a result (for the CLI and reports)."""
    keys = [
        "outcome",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "p_value",
        "n_interviews",
        "n_partners",
        "n_robust",
    ]
    return pd.DataFrame([{k: getattr(result, k) for k in keys}])
