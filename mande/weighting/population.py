"""The mission's adult population margins (census or projections), to calibrate survey weights to.

Declared in ``mission.yaml``::

    population:
      source: "Valdoria census 2019, projections for 2025 (INSV)"
      year: 2025
      margins:                      # adults by region, sex and age group
        region: {VD01: 412000, VD02: 268000, ...}
        sex: {female: 1020000, male: 980000}
        age_group: {"18-24": 420000, "25-34": 520000, ...}

or with the margins in a CSV beside it (``file: population.csv``; columns ``variable``, ``level``,
``population``). Checked on load: every margin counts the same people (the same total), the
variables are standard breakdowns (``region``, ``admin2``, ``sex``, ``age_group``,
``urban_rural``), and the levels are exactly the standard codes (the mission's region p-codes,
``female``/``male``, the standard age groups): a level missing would leave respondents that cannot
be calibrated, an unknown level is a typo.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mande.errors import ConfigError

__all__ = ["MARGIN_VARIABLES", "Population", "parse_population"]

MARGIN_VARIABLES: tuple[str, ...] = ("region", "admin2", "sex", "age_group", "urban_rural")


@dataclass(frozen=True)
class Population:
    """Adult population counts by margin, with where they come from.

    Attributes
    ----------
    margins:
        ``{variable: {level: count}}``, as :func:`mande.calibrate` takes them.
    source:
        Where the figures come from (census, projection, agency).
    year:
        The year the figures refer to.
    """

    margins: dict[str, dict[str, float]]
    source: str
    year: int
    file: str | None = field(default=None, compare=False)

    @property
    def total(self) -> float:
        """The adult population (every margin sums to it)."""
        first = next(iter(self.margins.values()))
        return float(sum(first.values()))

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "year": self.year, "margins": self.margins}

    def describe(self) -> str:
        """One sentence for the methods sheet: what the weights were calibrated to."""
        names = ", ".join(v.replace("_", " ") for v in self.margins)
        return f"{self.total:,.0f} adults by {names} ({self.source}, {self.year})"


def _standard_levels(variable: str, regions: Sequence[str], admin2: Sequence[str]) -> set[str]:
    from mande.indicators.items import standard_items

    items = standard_items()
    if variable == "region":
        return set(regions)
    if variable == "admin2":
        return set(admin2)
    if variable == "age_group":
        return {str(g) for g in items.derived["age_group"]["groups"]}
    return {str(c) for c in items[variable].codes}


def _read_csv(path: Path) -> dict[str, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"population file {path} cannot be read: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    need = {"variable", "level", "population"}
    if reader.fieldnames is None or not need <= set(reader.fieldnames):
        raise ConfigError(
            f"{path}: expected columns variable, level, population; found "
            f"{', '.join(reader.fieldnames or [])}"
        )
    out: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(reader, start=2):
        var = (row["variable"] or "").strip()
        level = (row["level"] or "").strip()
        if not var or not level:
            raise ConfigError(f"{path}: row {i} needs a variable and a level")
        if level in out.setdefault(var, {}):
            raise ConfigError(f"{path}: row {i}: {var} = {level} is given twice")
        out[var][level] = row["population"]
    return out


def parse_population(
    raw: Any,
    *,
    path: Path,
    regions: Sequence[str],
    admin2: Sequence[str] = (),
) -> Population:
    """Check the ``population`` section of ``mission.yaml`` (``path``) and return it.

    Raises
    ------
    ConfigError
        Source or year missing, a variable that is not a standard breakdown, a level missing or
        unknown, a count that is not a positive number, margins with different totals.
    """
    where = f"{path}: field 'population'"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a mapping with source, year and margins (or file)")
    source = str(raw.get("source") or "").strip()
    if not source:
        raise ConfigError(f"{where}.source is missing: say where the figures come from")
    try:
        year = int(raw.get("year"))  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{where}.year must be a year, e.g. 2025; got {raw.get('year')!r}"
        ) from exc
    file_name = raw.get("file")
    margins_raw = _read_csv(path.parent / str(file_name)) if file_name else raw.get("margins")
    if not isinstance(margins_raw, Mapping) or not margins_raw:
        raise ConfigError(
            f"{where} needs margins ({{variable: {{level: count}}}}) or file (a CSV with "
            "variable, level, population)"
        )
    margins: dict[str, dict[str, float]] = {}
    for var, table in margins_raw.items():
        var = str(var)
        if var not in MARGIN_VARIABLES:
            raise ConfigError(
                f"{where}.margins.{var}: not a standard breakdown; expected one of "
                f"{', '.join(MARGIN_VARIABLES)}"
            )
        if not isinstance(table, Mapping) or not table:
            raise ConfigError(f"{where}.margins.{var} must map each level to a count")
        known = _standard_levels(var, regions, admin2)
        levels = {str(k): v for k, v in table.items()}
        unknown = sorted(set(levels) - known)
        missing = sorted(known - set(levels))
        if unknown or missing:
            raise ConfigError(
                f"{where}.margins.{var}: "
                + (f"unknown level(s) {', '.join(unknown)}; " if unknown else "")
                + (f"level(s) {', '.join(missing)} missing; " if missing else "")
                + f"expected exactly {', '.join(sorted(known))}"
            )
        counts: dict[str, float] = {}
        for level, value in levels.items():
            try:
                count = float(value)
            except (TypeError, ValueError):
                count = float("nan")
            if not count > 0:
                raise ConfigError(
                    f"{where}.margins.{var}.{level} = {value!r}; expected a count of adults > 0"
                )
            counts[level] = count
        margins[var] = counts
    totals = {v: sum(t.values()) for v, t in margins.items()}
    if max(totals.values()) - min(totals.values()) > 0.5:
        shown = ", ".join(f"{v} {t:,.0f}" for v, t in totals.items())
        raise ConfigError(
            f"{where}.margins do not count the same adults: the totals differ ({shown}); every "
            "margin must sum to the same population"
        )
    return Population(
        margins=margins, source=source, year=year, file=str(file_name) if file_name else None
    )
