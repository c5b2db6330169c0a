"""The reporting policy: which comparisons are tested together, at what rates, with which seeds, and
from how few units a figure is flagged as resting on small numbers.

Stated once, in the mission configuration (``policy:`` in ``mission.yaml``), and read by every
view: the dashboard's pages, the annex, the draft and the CLI.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from mande.errors import ConfigError

__all__ = ["FDR_FAMILIES", "ReportingPolicy", "group_rng", "group_seed"]

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


@dataclass(frozen=True)
class ReportingPolicy:
    """How figures are tested and flagged, the same in every view.

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
    """

    fdr_family: FdrFamily = "period"
    fdr: float = 0.05
    level: float = 0.95
    seed: int = 20241101
    n_boot: int = 2000
    min_partners: int = 5
    min_interviews: int = 5
    min_double_coded: int = 10

    def __post_init__(self) -> None:
        problems = []
        if self.fdr_family not in FDR_FAMILIES:
            problems.append(
                f"policy.fdr_family: got {self.fdr_family!r}; expected one of "
                f"{', '.join(FDR_FAMILIES)}"
            )
        for name in ("fdr", "level"):
            v = getattr(self, name)
            if not isinstance(v, float | int) or not 0 < v < 1:
                problems.append(f"policy.{name}: got {v!r}; expected a number between 0 and 1")
        for name in ("seed", "n_boot", "min_partners", "min_interviews", "min_double_coded"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                problems.append(f"policy.{name}: got {v!r}; expected a whole number >= 0")
        if isinstance(self.n_boot, int) and 0 <= self.n_boot < 100:
            problems.append(f"policy.n_boot: got {self.n_boot}; use 1000 or more replicates")
        if problems:
            raise ConfigError("; ".join(problems))

    def family_text(self, lang: str = "en") -> str:
        """The FDR family in words, as the notes under tables state it."""
        texts = FDR_FAMILIES[self.fdr_family]
        return texts.get(lang, texts["en"])

    @classmethod
    def from_mapping(cls, raw: Any) -> ReportingPolicy:
        """From the ``policy:`` mapping of mission.yaml (missing keys take the defaults)."""
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise ConfigError(
                f"policy: got {raw!r}; expected a mapping such as {{fdr_family: period, fdr: 0.05}}"
            )
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(raw) - known)
        if unknown:
            import difflib

            hints = []
            for k in unknown:
                close = difflib.get_close_matches(str(k), sorted(known), n=1)
                hints.append(f"{k!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise ConfigError(
                f"policy: unknown field(s) {', '.join(hints)}; known: {', '.join(sorted(known))}"
            )
        return cls(**raw)


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
