"""Survey designs: weights, strata, clusters (PSUs), finite population correction.

A :class:`SurveyDesign` names the columns of a data frame that describe how the sample was drawn,
as R's ``svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc)`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mande.errors import DesignError
from mande.stats._calibration import Calibration

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LONELY_PSU_OPTIONS", "DesignSummary", "SurveyDesign"]

LonelyPSU = Literal["fail", "remove", "certainty", "adjust", "average"]
LONELY_PSU_OPTIONS: tuple[str, ...] = ("fail", "remove", "certainty", "adjust", "average")


@dataclass(frozen=True)
class SurveyDesign:
    """How the sample was drawn, by column names of the responses.

    Parameters
    ----------
    weight:
        Column of final sampling weights (> 0).
    strata:
        Column of strata, or None for an unstratified design.
    psu:
        Column of primary sampling units (clusters), or None when each respondent is its own PSU.
        PSU ids are taken as nested within strata.
    fpc:
        Column of finite population corrections: the number of PSUs in the stratum's population
        (a value > 1), or the sampling fraction (a value <= 1), as R's ``svydesign(fpc=)`` accepts.
    lonely_psu:
        What to do with a stratum that has a single PSU, as R's ``options(survey.lonely.psu=)``:
        ``"fail"``, ``"remove"``, ``"certainty"``, ``"adjust"`` or ``"average"``.
    calibration:
        The calibration the weights went through (set by :func:`mande.calibrate`,
        :func:`mande.trim_weights`), or None. Variances of a calibrated design use the residuals
        of the influence values from the weighted regression on the calibration variables, as R's
        ``calibrate``/``postStratify`` designs do.
    """

    weight: str
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: LonelyPSU = "fail"
    calibration: Calibration | None = None

    def __post_init__(self) -> None:
        if self.lonely_psu not in LONELY_PSU_OPTIONS:
            raise DesignError(
                f"lonely_psu={self.lonely_psu!r} is not an option; expected one of "
                f"{', '.join(LONELY_PSU_OPTIONS)} (as R's survey.lonely.psu)"
            )
        if not self.weight:
            raise DesignError("a survey design needs a weight column; give weight='...'")
        if isinstance(self.calibration, dict):  # as stored: JSON
            object.__setattr__(self, "calibration", Calibration.from_dict(self.calibration))
        if self.calibration is not None and not isinstance(self.calibration, Calibration):
            raise DesignError(
                f"calibration={self.calibration!r} is not a calibration; expected None or what "
                "mande.calibrate() puts in the design"
            )
        for role in ("weight", "strata", "psu", "fpc"):
            value = getattr(self, role)
            if value is not None and not isinstance(value, str):
                raise DesignError(
                    f"{role}={value!r} is not a column name; expected the name of a column "
                    f"(a string){' or None' if role != 'weight' else ''}"
                )

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the design reads."""
        own = tuple(c for c in (self.weight, self.strata, self.psu, self.fpc) if c)
        if self.calibration is None:
            return own
        return tuple(dict.fromkeys(own + self.calibration.columns))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form; ``SurveyDesign(**d)`` reads it back."""
        d: dict[str, Any] = {
            "weight": self.weight,
            "strata": self.strata,
            "psu": self.psu,
            "fpc": self.fpc,
            "lonely_psu": self.lonely_psu,
        }
        if self.calibration is not None:
            d["calibration"] = self.calibration.to_dict()
        return d

    def check(self, df: pd.DataFrame) -> None:
        """Check that the design fits ``df``; raise :class:`~mande.errors.DesignError` if not.

        Checks that every design column exists (suggesting columns that look like weights),
        that weights are present and > 0, that strata and PSU ids are present, and that the fpc is
        one population size (> 1) or sampling fraction (<= 1) per stratum, no smaller than the
        number of PSUs sampled. Lonely PSUs are checked when an estimate needs them.
        """
        from mande.stats._linearize import design_index

        design_index(df, self)

    def summary(self, df: pd.DataFrame) -> DesignSummary:
        """Counts that describe the design on ``df`` (respondents, strata, PSUs, df, lonely strata)."""
        from mande.stats._linearize import design_df, design_index

        index = design_index(df, self)
        return DesignSummary(
            n=index.n_rows,
            n_strata=index.n_strata,
            n_psu=index.n_psus,
            df=design_df(index),
            weight_sum=float(index.weights.sum()),
            lonely_strata=tuple(
                label
                for label, lonely in zip(index.stratum_labels, index.lonely, strict=True)
                if lonely
            ),
        )


@dataclass(frozen=True)
class DesignSummary:
    """What a design looks like on one data frame.

    Attributes
    ----------
    n:
        Respondents (rows).
    n_strata, n_psu:
        Strata and primary sampling units (an unclustered design has one PSU per respondent).
    df:
        Design degrees of freedom: PSUs minus strata (R's ``degf``).
    weight_sum:
        Sum of the weights (the estimated population size).
    lonely_strata:
        Strata with a single PSU (not sampled with certainty); they follow ``lonely_psu``.
    """

    n: int
    n_strata: int
    n_psu: int
    df: int
    weight_sum: float
    lonely_strata: tuple[object, ...]
