"""The indicator definition file as a typed model (pydantic, ``extra="forbid"``, literal choices),
and the cross-references a definition makes to the standard items.

:func:`check_definition` reports every problem of one file at once, each with its field and its
fix; :mod:`mande.indicators.catalogue` runs it on every file before building the definition.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import ValidationError, field_validator

from mande._definitions import Strict, problems_from, unknown
from mande.errors import Problem
from mande.indicators.items import StandardItems

__all__ = [
    "DataSource",
    "Domain",
    "IndicatorSpec",
    "Kind",
    "Polarity",
    "ScoringSpec",
    "SgSection",
    "Unit",
    "VariantSpec",
    "check_definition",
]

Kind = Literal["proportion", "mean", "mean_of_indicators", "index_0_100"]
Polarity = Literal["up", "down"]
Domain = Literal[
    "security", "justice", "inclusion", "cohesion", "state", "services", "mission", "partnerships"
]
SgSection = Literal[
    "political", "security", "protection_of_civilians", "state_authority", "human_rights",
    "partnerships", "mission_performance",
]  # fmt: skip
Unit = Literal["percent", "mean", "index", "score"]
DataSource = Literal["survey", "interviews"]

HELP: dict[str, str] = {
    "id": "a short unique code such as SAF-01",
    "name": "{en: ..., fr: ...}",
    "short_name": "{en: ..., fr: ...} for cards and tables",
    "description": "{en: ..., fr: ...}: what is measured and how",
    "domain": "one of " + ", ".join(get_args(Domain)),
    "source": "where the indicator comes from, such as 'SDG 16.1.4' or 'Afrobarometer'",
    "sg_section": "the SG-report section: one of " + ", ".join(get_args(SgSection)),
    "kind": "one of " + ", ".join(get_args(Kind)),
    "polarity": "'up' when higher is better, 'down' when lower is better",
    "min_n": "a whole number >= 1 (default 30)",
    "decimals": "a whole number from 0 to 6",
    "items": "a list of standard item names such as [safe_dark]",
    "sdg": 'an SDG indicator code in quotes such as "16.1.4", or null',
}


def _code(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError(
            "YAML reads yes/no/true/false/on/off as booleans; write the code itself (1 for yes, "
            "0 for no) or quote a text code"
        )
    if not isinstance(v, int | str):
        raise ValueError("codes are whole numbers or short names")
    return v


def _codes(v: Any) -> Any:
    if v is None:
        return None
    values = v if isinstance(v, list) else [v]
    return [_code(x) for x in values]


class ScoringSpec(Strict):
    success: list[Any] | None = None
    exclude: list[Any] | None = None
    count_as_failure: list[Any] | None = None
    universe: str | None = None
    values: dict[Any, float | int] | None = None
    range: list[float | int] | None = None
    min_valid: int | None = None

    _check_codes = field_validator("success", "exclude", "count_as_failure", mode="before")(
        classmethod(lambda cls, v: _codes(v))
    )


class VariantSpec(Strict):
    id: str
    item: str | None = None
    success: list[Any] | None = None
    name: dict[str, str] | str | None = None

    _check_codes = field_validator("success", mode="before")(classmethod(lambda cls, v: _codes(v)))


class IndicatorSpec(Strict):
    """One indicator definition file, as written."""

    id: str
    name: dict[str, str]
    short_name: dict[str, str]
    description: dict[str, str]
    domain: Domain
    source: str
    sg_section: SgSection
    kind: Kind
    polarity: Polarity
    sdg: str | None = None
    min_n: int = 30
    unit: Unit | None = None
    decimals: int = 0
    data: DataSource = "survey"
    items: list[str] | None = None
    scoring: ScoringSpec | None = None
    components: list[str] | None = None
    variants: list[VariantSpec] | None = None

    @field_validator("description", mode="before")
    @classmethod
    def _one_text(cls, v: Any) -> Any:
        return {"en": v} if isinstance(v, str) else v

    @field_validator("items", "components", mode="before")
    @classmethod
    def _one_name(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


def check_definition(raw: Any, items: StandardItems) -> list[Problem]:
    """Every problem of one definition file: its form (fields, types, choices) and what it names
    in the standard items (items, their codes). Empty when the file is sound."""
    try:
        spec = IndicatorSpec.model_validate(raw)
    except ValidationError as exc:
        problems = problems_from(exc, IndicatorSpec, help=HELP)
        if isinstance(raw, dict):
            problems += _item_problems(raw.get("items"), raw.get("data", "survey"), items)
        return problems
    problems = _item_problems(spec.items, spec.data, items)
    if problems or spec.data != "survey" or spec.kind != "proportion" or not spec.items:
        return problems
    if spec.scoring is not None and len(spec.items) == 1:
        item = items[spec.items[0]]
        for name in ("success", "exclude", "count_as_failure"):
            for code in getattr(spec.scoring, name) or ():
                if code not in item.codes:
                    labels = ", ".join(f"{c} ({items.label(c, item.name)})" for c in item.codes)
                    problems.append(
                        Problem(
                            f"code {code!r} is not a code of item '{item.name}'; its codes are: "
                            f"{labels} (mande/indicators/items.yaml)",
                            code="unknown_code",
                            column=f"scoring.{name}",
                            value=str(code),
                        )
                    )
    return problems


def _item_problems(names: Any, data: Any, items: StandardItems) -> list[Problem]:
    if data != "survey" or names is None:
        return []
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list):
        return []
    out = []
    for i, name in enumerate(names):
        if isinstance(name, str) and name not in items:
            out.append(
                Problem(
                    unknown(name, sorted(items.items), "item")
                    + "; items are the names in mande/indicators/items.yaml",
                    code="unknown_item",
                    column=f"items[{i}]",
                    value=name,
                )
            )
    return out
