"""The standard items: questions, breakdowns and codes that every standard indicator reads.

Loaded from ``items.yaml`` beside this module. The standard XLSForm is rendered from it, ingest maps
a mission's form onto it, and the indicator catalogue is validated against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from pydantic import Field, ValidationError, field_validator

from mande._definitions import (
    FileCache,
    Strict,
    file_state,
    problems_from,
    raise_problems,
    read_yaml,
    unknown,
)
from mande.errors import DefinitionError, Problem

__all__ = [
    "Breakdown",
    "ItemsFile",
    "StandardItem",
    "StandardItems",
    "check_items",
    "parse_items",
    "standard_items",
]

ITEMS_PATH = Path(__file__).with_name("items.yaml")

Role = Literal["item", "breakdown", "design", "meta"]
ItemKind = Literal["select_one", "select_multiple", "integer", "date", "text"]


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

    def derived_from(self, name: str) -> tuple[str, ...]:
        """The items a derived breakdown is computed from (``derived_breakdowns`` in items.yaml):
        ``("age",)`` for ``age_group``, the six Washington Group items for ``disability``."""
        spec = self.derived.get(name)
        if spec is None:
            raise DefinitionError(
                unknown(name, list(self.derived), "derived breakdown")
                + "; derived breakdowns are declared under derived_breakdowns in items.yaml"
            )
        sources = spec["from"]
        return (sources,) if isinstance(sources, str) else tuple(sources)

    def derivable(self, columns: Iterable[str]) -> tuple[str, ...]:
        """The derived breakdowns that can be computed from ``columns`` (at least one of the
        items each is derived from is present), in items.yaml's order."""
        have = set(columns)
        return tuple(d for d in self.derived if any(c in have for c in self.derived_from(d)))

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


class Texts(Strict):
    """A text in English and, where written, French."""

    en: str
    fr: str | None = None


Code = int | str


class ItemSpec(Strict):
    role: Role
    kind: ItemKind
    label: Texts
    scale: str | None = None
    non_substantive: list[int] | None = None
    exclusive: list[str] | None = None
    relevant: str | None = None
    range: list[int] | None = None


class DerivedSpec(Strict):
    from_: str | list[str] = Field(alias="from")
    groups: list[str] | None = None
    rule: str | None = None


class ReportedSpec(Strict):
    label: Texts
    sheet: Texts | None = None
    groups: dict[str, Texts] | None = None


class ItemsFile(Strict):
    """``items.yaml``, as written."""

    non_substantive: dict[int, Texts]
    scales: dict[str, dict[Code, Texts]]
    items: dict[str, ItemSpec]
    design_columns: dict[str, str]
    derived_breakdowns: dict[str, DerivedSpec]
    reported_breakdowns: dict[str, ReportedSpec]
    total_label: Texts | None = None

    @field_validator("scales")
    @classmethod
    def _no_boolean_codes(cls, v: dict[str, dict[Code, Texts]]) -> dict[str, dict[Code, Texts]]:
        for scale in v.values():
            if any(isinstance(code, bool) for code in scale):
                raise ValueError(
                    "YAML reads yes/no/true/false/on/off as booleans; write the code itself "
                    "(1 for yes, 0 for no) or quote a text code"
                )
        return v


#: Scales whose choices come from the mission configuration (its regions and admin 2 units).
MISSION_SCALES: tuple[str, ...] = ("region", "admin2")

HELP: dict[str, str] = {
    "role": "one of " + ", ".join(get_args(Role)),
    "kind": "one of " + ", ".join(get_args(ItemKind)),
    "label": "{en: ..., fr: ...}",
    "en": "the English text",
    "range": "[lowest, highest] for an integer item",
    "from": "the item (or list of items) the breakdown is derived from",
}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_items(raw: Any) -> list[Problem]:
    """Every problem of a standard-items file, at once: its form (fields, types, choices) and its
    cross-references (an item's scale and non-substantive codes are declared, exclusive choices
    are choices of its scale, a condition names items, a derived breakdown is derived from items, a
    reported breakdown is a breakdown item or a derived one and its groups are codes of it).
    Empty when the file is sound."""
    if not isinstance(raw, Mapping):
        return [Problem(f"expected a mapping of fields at the top level, got {type(raw).__name__}")]
    try:
        ItemsFile.model_validate(raw)
        problems: list[Problem] = []
    except ValidationError as exc:
        problems = problems_from(exc, ItemsFile, help=HELP)
    flagged = {p.column for p in problems}

    def add(field: str, message: str, code: str = "invalid", value: Any = None) -> None:
        if field not in flagged:
            flagged.add(field)
            problems.append(
                Problem(
                    message, code=code, column=field, value=None if value is None else str(value)
                )
            )

    def section(name: str) -> dict[Any, Any]:
        value = raw.get(name)
        return dict(value) if isinstance(value, Mapping) else {}

    scales, ns, items = section("scales"), section("non_substantive"), section("items")
    derived = section("derived_breakdowns")
    for name, spec in items.items():
        if not isinstance(spec, Mapping):
            continue
        where = f"items.{name}"
        scale = spec.get("scale")
        kind = spec.get("kind")
        if scale is not None and scale not in scales and scale not in MISSION_SCALES:
            add(
                f"{where}.scale",
                unknown(scale, [*scales, *MISSION_SCALES], "scale") + "; declare it under scales",
                "unknown_scale",
                scale,
            )
        if kind in ("select_one", "select_multiple") and scale is None:
            add(f"{where}.scale", f"missing; a {kind} item names its scale (scale: ...)", "missing")
        for i, code in enumerate(spec.get("non_substantive") or []):
            if code not in ns:
                add(
                    f"{where}.non_substantive[{i}]",
                    unknown(code, list(ns), "non-substantive code")
                    + "; declare it under non_substantive",
                    "unknown_code",
                    code,
                )
        choices = scales.get(scale) if isinstance(scales.get(scale), Mapping) else None
        for i, choice in enumerate(spec.get("exclusive") or []):
            if choices is not None and choice not in choices:
                add(
                    f"{where}.exclusive[{i}]",
                    unknown(choice, list(choices), f"choice of scale '{scale}'"),
                    "unknown_code",
                    choice,
                )
        rng = spec.get("range")
        if isinstance(rng, list):
            if kind != "integer":
                add(f"{where}.range", f"a range is for integer items; this item is {kind}")
            elif len(rng) != 2 or not all(isinstance(x, int) for x in rng) or rng[1] < rng[0]:
                add(f"{where}.range", f"got {rng}; expected [lowest, highest] as whole numbers")
        relevant = spec.get("relevant")
        if isinstance(relevant, str):
            bad = [n for n in _NAME.findall(relevant) if n not in items and n not in _WORDS]
            if bad:
                add(
                    f"{where}.relevant",
                    unknown(bad[0], list(items), "item") + f" in the condition {relevant!r}",
                    "unknown_item",
                    bad[0],
                )
    for name, spec in derived.items():
        if not isinstance(spec, Mapping):
            continue
        sources = spec.get("from")
        for i, source in enumerate(sources if isinstance(sources, list) else [sources]):
            if source is not None and source not in items:
                field = f"derived_breakdowns.{name}.from" + (
                    f"[{i}]" if isinstance(sources, list) else ""
                )
                add(field, unknown(source, list(items), "item"), "unknown_item", source)
    for name, spec in section("reported_breakdowns").items():
        where = f"reported_breakdowns.{name}"
        item = items.get(name)
        if name not in derived and not (
            isinstance(item, Mapping) and item.get("role") == "breakdown"
        ):
            breakdowns = [n for n, s in items.items() if isinstance(s, Mapping)
                          and s.get("role") == "breakdown"] + list(derived)  # fmt: skip
            add(
                where,
                unknown(name, breakdowns, "breakdown")
                + "; declare it under items (role: breakdown) or derived_breakdowns",
                "unknown_breakdown",
                name,
            )
            continue
        groups = spec.get("groups") if isinstance(spec, Mapping) else None
        codes = _group_codes(name, items, derived, scales)
        if isinstance(groups, Mapping) and codes is not None:
            for group in groups:
                if str(group) not in codes:
                    add(
                        f"{where}.groups.{group}",
                        unknown(group, codes, f"group of '{name}'"),
                        "unknown_group",
                        group,
                    )
    return problems


#: Words a condition may hold besides item names.
_WORDS = frozenset({"and", "or", "not", "in", "True", "False", "None"})


def _group_codes(
    name: str, items: Mapping[Any, Any], derived: Mapping[Any, Any], scales: Mapping[Any, Any]
) -> list[str] | None:
    """The groups a breakdown can take, as text, when the file says (None: from the mission or a
    rule)."""
    if name in derived:
        spec = derived[name]
        groups = spec.get("groups") if isinstance(spec, Mapping) else None
        return [str(g) for g in groups] if isinstance(groups, list) else None
    scale = items[name].get("scale")
    choices = scales.get(scale)
    return [str(c) for c in choices] if isinstance(choices, Mapping) else None


def _texts(t: Texts | None, default: dict[str, str] | None = None) -> dict[str, str]:
    if t is None:
        return dict(default or {})
    return {k: v for k, v in (("en", t.en), ("fr", t.fr)) if v is not None}


def _build(spec: ItemsFile) -> StandardItems:
    scales = {
        name: {code: _texts(t) for code, t in choices.items()}
        for name, choices in spec.scales.items()
    }
    items = {}
    for name, it in spec.items.items():
        items[name] = StandardItem(
            name=name,
            role=it.role,
            kind=it.kind,
            label=_texts(it.label),
            scale=it.scale,
            choices=scales.get(it.scale) if it.scale else None,
            non_substantive=tuple(it.non_substantive or ()),
            exclusive=tuple(it.exclusive or ()),
            relevant=it.relevant,
            range=(it.range[0], it.range[1]) if it.range else None,
        )
    derived = {
        name: {
            k: v
            for k, v in (("from", d.from_), ("groups", d.groups), ("rule", d.rule))
            if v is not None
        }
        for name, d in spec.derived_breakdowns.items()
    }
    breakdowns = {
        name: Breakdown(
            name=name,
            label=_texts(b.label),
            sheet=_texts(b.sheet, _texts(b.label)),
            groups={str(k): _texts(v) for k, v in (b.groups or {}).items()},
        )
        for name, b in spec.reported_breakdowns.items()
    }
    return StandardItems(
        items,
        scales,
        {code: _texts(t) for code, t in spec.non_substantive.items()},
        dict(spec.design_columns),
        derived,
        breakdowns,
        _texts(spec.total_label, {"en": "All respondents"}),
    )


def parse_items(raw: Any, path: str | Path = ITEMS_PATH) -> StandardItems:
    """Standard items from a parsed ``items.yaml``, after every check (:func:`check_items`).

    Raises
    ------
    DefinitionError
        Listing every problem of the file at once, each with its field and its fix.
    """
    raise_problems(check_items(raw), str(path), "standard-items file")
    return _build(ItemsFile.model_validate(raw))


_CACHE = FileCache()


def standard_items(path: str | Path = ITEMS_PATH) -> StandardItems:
    """The standard items (default: mande's ``items.yaml``), validated, read once per process and
    file state (an edited file is read again).

    Raises
    ------
    DefinitionError
        Listing every problem of the file at once (field, what was found, the fix; "did you mean"
        for a misspelt name).
    """
    file = Path(path)

    def build() -> StandardItems:
        raw, duplicates = read_yaml(file, "standard-items file")
        raise_problems(duplicates + check_items(raw), str(file), "standard-items file")
        return _build(ItemsFile.model_validate(raw))

    return cast(StandardItems, _CACHE.get(file_state(file), build))
