"""The robust-operation model recovers the dip the sample generator put in."""

from __future__ import annotations

from pathlib import Path

import pytest

import mande
from mande.demo.interviews import ROBUST_EFFECT, TRUE_RQI_ROBUST_EFFECT
from mande.errors import EstimationError

SECRET = b"test-secret"


@pytest.fixture(scope="module")
def sample(sample_dir: Path) -> mande.Interviews:
    mission = mande.load_mission(sample_dir / "mission.yaml")
    paths = sorted((sample_dir / "interviews").glob("coding_*.xlsx"))
    return mande.Interviews.concat(
        [mande.read_interviews(p, secret=SECRET, mission=mission) for p in paths]
    )


def test_model_recovers_the_rqi_dip(sample: mande.Interviews) -> None:
    fit = mande.partner_model(sample)
    assert round(TRUE_RQI_ROBUST_EFFECT, 2) == -13.33
    # sign, significance and rough size: the true latent effect lies in the interval, and the
    # estimate is within half of it (rounding to 1-5 and the partial recovery after the operation
    # shrink the observed dip a little)
    assert fit.estimate < 0 and fit.ci_high < 0 and fit.significant
    assert fit.ci_low <= TRUE_RQI_ROBUST_EFFECT <= fit.ci_high
    assert 0.5 * TRUE_RQI_ROBUST_EFFECT >= fit.estimate >= 1.5 * TRUE_RQI_ROBUST_EFFECT
    assert fit.n_partners == sample.primary["partner_id"].nunique()
    assert fit.n_interviews == len(sample.primary)
    assert fit.partner_variance > 0
    assert fit.formula == "rqi ~ robust_context + C(partner_type) + C(period) + (1 | partner_id)"


def test_model_recovers_the_cooperation_dip(sample: mande.Interviews) -> None:
    fit = mande.partner_model(sample, "cooperation")
    true = ROBUST_EFFECT["cooperation"]
    assert fit.ci_low <= true <= fit.ci_high
    assert 0.5 * true >= fit.estimate >= 1.5 * true


def test_sentences(sample: mande.Interviews) -> None:
    fit = mande.partner_model(sample)
    lo, hi = -fit.ci_high, -fit.ci_low
    assert fit.sentence("en") == (
        "Where the mission ran robust operations, partners' relationship quality was "
        f"{-fit.estimate:.1f} points lower (95 per cent confidence interval: {lo:.1f} to {hi:.1f}) "
        "than elsewhere, "
        "other things equal."
    )
    fr = fit.sentence("fr")
    assert fr.startswith(
        "Là où la mission a mené des opérations robustes, la qualité de la relation"
    )
    assert (
        f"{-fit.estimate:.1f}".replace(".", ",") in fr
        and "intervalle de confiance à 95 pour cent" in fr
    )


def test_not_significant_is_said_so() -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 200
    org = rng.integers(0, 40, n)
    frame = pd.DataFrame(
        {
            "coder_rank": 1,
            "partner_id": [f"P{o}" for o in org],
            "partner_type": np.where(org % 2 == 0, "ingo", "un_agency"),
            "period": [f"p{k}" for k in rng.integers(0, 4, n)],
            "robust_context": (rng.random(n) < 0.3).astype(int),
            **{
                d: rng.integers(1, 6, n).astype(float)
                for d in ("trust", "mutual_benefit", "cooperation")
            },
        }
    )
    fit = mande.partner_model(frame)
    assert not fit.significant
    assert "did not differ significantly" in fit.sentence("en")
    assert "ne différait pas significativement" in fit.sentence("fr")


def test_model_needs_periods_and_known_outcome(sample_dir: Path) -> None:
    path = sorted((sample_dir / "interviews").glob("coding_*.xlsx"))[2]
    iv = mande.read_interviews(path, secret=SECRET)
    with pytest.raises(EstimationError, match="mission"):
        mande.partner_model(iv)
    with pytest.raises(EstimationError, match="not 'rqi' or a rubric dimension"):
        mande.partner_model(iv, "happiness")
