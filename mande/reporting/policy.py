"""The reporting policy: which comparisons are tested together, at what rates, with which seeds, and
from how few units a figure is flagged as resting on small numbers.

Stated once, in the mission configuration (``policy:`` in ``mission.yaml``), and read by every
view: the dashboard's pages, the annex, the draft and the CLI.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mande.errors import ConfigError

__all__ = ["FDR_FAMILIES", "ReportingPolicy", "SeriesBreak", "group_rng", "group_seed"]

#: What one false-discovery-rate family holds:
#: ``period``: every headline and breakdown comparison of a period (every indicator x breakdown x
#: group compared with the previous period), tested together;
#: ``table``: each table shown together (the totals; each breakdown), tested apart.
FDR_FAMILIES: dict[str, dict[str, str]] = {
    "period": {
        "en": "all headline and breakdown comparisons of the period",
        "fr": "toutes les comparaisons de la période, ensemble et ventilations",
    },
    "table": {
        "en": "each table of comparisons (the totals; each breakdown) on its own",
        "fr": "chaque tableau de comparaisons (ensemble ; chaque ventilation) séparément",
    },
}

FdrFamily = Literal["period", "table"]


class SeriesBreak(BaseModel):
    """A break in an indicator's series declared by the mission (``policy: breaks:``): from
    ``round`` on, the question was worded differently (``kind: wording``) or the sample was drawn
    differently (``kind: design``), so that the round is not comparable with the rounds before it.

    The comparison that ends at ``round`` (the first round asked the new way) is not made: it is
    listed as not compared, outside every false-discovery-rate family, and its row carries the
    note. ``indicators`` empty means every indicator.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    round: str
    kind: Literal["wording", "design"] = "wording"
    indicators: tuple[str, ...] = Field(default=(), strict=False)

    def applies(self, indicator: str, current_round: str | None) -> bool:
        """Whether the comparison ending at ``current_round`` crosses this break for
        ``indicator`` (a variant "TRU-01.police" follows its indicator "TRU-01")."""
        if current_round is None or str(current_round) != self.round:
            return False
        base = str(indicator).split(".", 1)[0]
        return not self.indicators or indicator in self.indicators or base in self.indicators


class ReportingPolicy(BaseModel):
    """How figures are tested and flagged, the same in every view (``policy:`` in mission.yaml).

    Parameters
    ----------
    fdr_family:
        ``"period"`` (default) or ``"table"``: see :data:`FDR_FAMILIES`.
    fdr:
        False-discovery rate q of the Benjamini-Hochberg control.
    level:
        Confidence level of the intervals of estimates and of the unadjusted change intervals.
    seed:
        Seed of every bootstrap; each group draws from its own generator derived from the seed and
        the group (:func:`group_rng`), so a group's interval does not depend on which other groups
        are computed with it.
    n_boot:
        Bootstrap replicates.
    min_partners, min_interviews:
        Partner figures resting on fewer partner organisations or interviews are flagged (shown
        greyed with a note, never ranked).
    min_double_coded:
        Reliability (Krippendorff's alpha) from fewer double-coded units is flagged.
    min_n_admin2:
        Where the sample supports a map below the region: a region's admin 2 units are mapped in
        its place only when each rests on at least this many respondents (and none is
        suppressed); otherwise the region is mapped whole (:func:`mande.overview.map_areas`).
        At the default 100 and a design effect of 2, a 50 per cent share's 95 per cent interval
        is about +/-14 points.
    max_cv, max_ci_width:
        An estimate is noted "low precision" when its coefficient of variation (se / estimate)
        exceeds ``max_cv``, or, for a proportion, when its confidence interval is wider than
        ``max_ci_width`` (on the 0-1 scale: 0.2 is 20 percentage points).
    max_deff:
        An estimate whose design effect (variance against simple random sampling of the same size)
        exceeds this is noted with its design effect.
    breaks:
        Declared breaks in a series (:class:`SeriesBreak`): a change of question wording or of
        sample design between two rounds.

    The notes these rules give each row of a table are :func:`mande.reporting.notes.row_notes`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    fdr_family: FdrFamily = "period"
    fdr: float = Field(default=0.05, gt=0, lt=1)
    level: float = Field(default=0.95, gt=0, lt=1)
    seed: int = Field(default=20241101, ge=0)
    n_boot: int = Field(default=2000, ge=100)
    min_partners: int = Field(default=5, ge=0)
    min_interviews: int = Field(default=5, ge=0)
    min_double_coded: int = Field(default=10, ge=0)
    min_n_admin2: int = Field(default=100, ge=1)
    max_cv: float = Field(default=0.3, gt=0)
    max_ci_width: float = Field(default=0.2, gt=0, le=1)
    max_deff: float = Field(default=2.0, gt=0)
    breaks: tuple[SeriesBreak, ...] = Field(default=(), strict=False)

    def series_break(self, indicator: str, current_round: str | None) -> SeriesBreak | None:
        """The declared break the comparison ending at ``current_round`` crosses for
        ``indicator``, else None."""
        return next((b for b in self.breaks if b.applies(indicator, current_round)), None)

    def family_text(self, lang: str = "en") -> str:
        """The FDR family in words, as the notes under tables state it."""
        texts = FDR_FAMILIES[self.fdr_family]
        return texts.get(lang, texts["en"])

    def replace(self, **changes: Any) -> ReportingPolicy:
        """A copy with some fields changed (validated)."""
        return ReportingPolicy.model_validate({**self.model_dump(), **changes})

    @classmethod
    def from_mapping(cls, raw: Any) -> ReportingPolicy:
        """From the ``policy:`` mapping of mission.yaml (missing keys take the defaults).

        Raises
        ------
        ConfigError
            Listing every problem, with the field and the fix.
        """
        if raw is None:
            return cls()
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            from mande._definitions import problems_from

            problems = problems_from(exc, cls)
            raise ConfigError(
                "policy: " + "; ".join(f"{p.column}: {p.message}" for p in problems)
            ) from None


def group_seed(seed: int, key: Any) -> np.random.SeedSequence:
    """The seed sequence of one group: derived from ``seed`` and the group's key (its values, as
    text), the same in every process and whatever other groups are computed alongside."""
    parts = key if isinstance(key, tuple) else (key,)
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
    return np.random.SeedSequence([int(seed), *words])


def group_rng(seed: int, key: Any) -> np.random.Generator:
    """A generator for one group (see :func:`group_seed`)."""
    return np.random.default_rng(group_seed(seed, key))
