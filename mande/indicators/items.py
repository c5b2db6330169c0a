"""The standard items: questions, breakdowns and codes that every standard indicator reads.

Loaded from ``items.yaml`` beside this module. The standard XLSForm is rendered from it, ingest maps
a mission's form onto it, and the indicator catalogue is validated against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mande.errors import DefinitionError

__all__ = ["Breakdown", "StandardItem", "StandardItems", "standard_items"]

ITEMS_PATH = Path(__file__).with_name("items.yaml")


@dataclass(frozen=True)
class StandardItem:
    name: str
    role: str  # item | breakdown
    kind: str  # select_one | select_multiple | integer
    label: dict[str, str]
    scale: str | None = None
    choices: dict[Any, dict[str, str]] | None = None  # code -> labels; substantive codes
    non_substantive: tuple[Any, ...] = ()
    exclusive: tuple[str, ...] = ()
    relevant: str | None = None
    range: tuple[int, int] | None = None

    @property
    def codes(self) -> tuple[Any, ...]:
        """Every valid code: substantive then non-substantive."""
        return tuple(self.choices or ()) + self.non_substantive

    def columns(self) -> tuple[str, ...]:
        """The tidy column names this item occupies (ITEM__CHOICE for select_multiple)."""
        if self.kind == "select_multiple":
            return tuple(f"{self.name}__{c}" for c in self.choices or ())
        return (self.name,)


@dataclass(frozen=True)
class Breakdown:
    """A breakdown results are reported by (``reported_breakdowns`` in items.yaml)."""

    name: str
    label: dict[str, str]
    sheet: dict[str, str]
    groups: dict[str, dict[str, str]]

    def group_label(self, group: Any, lang: str = "en") -> str:
        """How a group is written: "Women", "18–24"; as coded when not listed."""
        g = str(group)
        labels = self.groups.get(g) or self.groups.get(g.lower())
        if labels:
            return labels.get(lang) or labels.get("en") or g
        return g.replace("-", "\u2013") if self.name == "age_group" else g


@dataclass(frozen=True)
class StandardItems:
    items: dict[str, StandardItem]
    scales: dict[str, dict[Any, dict[str, str]]]
    non_substantive: dict[int, dict[str, str]]
    design_columns: dict[str, str]
    derived: dict[str, Any]
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    total_label: dict[str, str] = field(default_factory=dict)

    @property
    def breakdown_names(self) -> tuple[str, ...]:
        """The reported breakdowns, in report order."""
        return tuple(self.breakdowns)

    def breakdown_label(self, name: str, lang: str = "en") -> str:
        """A breakdown's name ("Sex", "Tranche d'âge"); the total's ("All respondents")."""
        if name == "total":
            return self.total_label.get(lang) or self.total_label.get("en") or name
        b = self.breakdowns.get(name)
        return (b.label.get(lang) or b.label.get("en") or name) if b else name

    def __getitem__(self, name: str) -> StandardItem:
        try:
            return self.items[name]
        except KeyError:
            raise DefinitionError(
                f"'{name}' is not a standard item; known items: {', '.join(sorted(self.items))}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self.items

    def all_columns(self) -> set[str]:
        cols = set(self.design_columns) | set(self.derived)
        for item in self.items.values():
            cols.update(item.columns())
        return cols

    def label(self, code: Any, item: str, lang: str = "en") -> str:
        it = self[item]
        if it.choices and code in it.choices:
            return it.choices[code].get(lang, str(code))
        if code in self.non_substantive:
            return self.non_substantive[code].get(lang, str(code))
        return str(code)


@cache
def standard_items(path: Path = ITEMS_PATH) -> StandardItems:
    """Load the standard items (cached; the file ships with mande)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    scales = raw["scales"]
    ns = raw["non_substantive"]
    items = {}
    for name, spec in raw["items"].items():
        scale = spec.get("scale")
        choices = scales.get(scale) if scale else None
        nsub = tuple(spec.get("non_substantive") or ())
        unknown = [c for c in nsub if c not in ns]
        if unknown:
            raise DefinitionError(
                f"non-substantive codes {unknown} are not declared",
                path=str(path),
                field=f"items.{name}",
            )
        items[name] = StandardItem(
            name=name,
            role=spec["role"],
            kind=spec["kind"],
            label=spec["label"],
            scale=scale,
            choices=choices,
            non_substantive=nsub,
            exclusive=tuple(spec.get("exclusive") or ()),
            relevant=spec.get("relevant"),
            range=tuple(spec["range"]) if spec.get("range") else None,  # type: ignore[arg-type]
        )
    breakdowns = {}
    for name, spec in (raw.get("reported_breakdowns") or {}).items():
        if name not in items and name not in raw["derived_breakdowns"]:
            raise DefinitionError(
                f"'{name}' is neither a breakdown item nor a derived breakdown; declare it under "
                "items (role: breakdown) or derived_breakdowns",
                path=str(path),
                field=f"reported_breakdowns.{name}",
            )
        breakdowns[name] = Breakdown(
            name=name,
            label=dict(spec["label"]),
            sheet=dict(spec.get("sheet") or spec["label"]),
            groups={str(k): dict(v) for k, v in (spec.get("groups") or {}).items()},
        )
    return StandardItems(
        items,
        scales,
        ns,
        raw["design_columns"],
        raw["derived_breakdowns"],
        breakdowns,
        dict(raw.get("total_label") or {"en": "All respondents"}),
    )
