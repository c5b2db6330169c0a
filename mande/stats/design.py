"""Survey designs: weights, strata, clusters (PSUs), finite population correction.

A :class:`SurveyDesign` names the columns of a data frame that describe how the sample was drawn,
as R's ``svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc)`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mande.errors import DesignError

__all__ = ["LONELY_PSU_OPTIONS", "SurveyDesign"]

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
    """

    weight: str
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: LonelyPSU = "fail"

    def __post_init__(self) -> None:
        if self.lonely_psu not in LONELY_PSU_OPTIONS:
            raise DesignError(
                f"lonely_psu={self.lonely_psu!r} is not an option; expected one of "
                f"{', '.join(LONELY_PSU_OPTIONS)} (as R's survey.lonely.psu)"
            )
        if not self.weight:
            raise DesignError("a survey design needs a weight column; give weight='...'")

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the design reads."""
        return tuple(c for c in (self.weight, self.strata, self.psu, self.fpc) if c)
