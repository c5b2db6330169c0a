"""The partner-interview rubric, as data (``rubric.yaml`` beside this module), validated on load.

The rubric names the dimensions a coder scores (1 poor .. 5 strong) with written anchors, the
coercion-cooperation continuum, the partner types, the theme codes and the coding sheet's columns,
each in English and French. The template, ingest and the quality measures all read it from here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mande.errors import DefinitionError

__all__ = ["LANGUAGES", "Column", "Dimension", "Rubric", "load_rubric", "normalise_label"]

RUBRIC_PATH = Path(__file__).with_name("rubric.yaml")
LANGUAGES: tuple[str, ...] = ("en", "fr")


def normalise_label(text: object) -> str:
    """Fold a header or a label for matching: case, accents, punctuation spacing and blanks."""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.casefold().replace("’", "'").replace("_", " ")
    return " ".join(s.split())


@dataclass(frozen=True)
class Dimension:
    """One scored dimension (or the coercion-cooperation continuum)."""

    code: str
    name: dict[str, str]
    question: dict[str, str]
    anchors: dict[int, dict[str, str]]

    def label(self, lang: str = "en") -> str:
        return self.name.get(lang) or self.name["en"]


@dataclass(frozen=True)
class Column:
    """One column of the coding sheet."""

    name: str
    header: dict[str, str]
    required: bool = False
    personal: bool = False
    dimension: bool = False
    width: float = 14.0


@dataclass(frozen=True)
class Rubric:
    """The rubric: dimensions, scale, partner types, themes and the coding sheet's columns."""

    version: int
    scale_min: int
    scale_max: int
    scale_labels: dict[int, dict[str, str]]
    rqi_dimensions: tuple[str, ...]
    rqi_name: dict[str, str]
    dimensions: dict[str, Dimension]
    coercion_cooperation: Dimension
    partner_types: dict[str, dict[str, str]]
    themes: dict[str, dict[str, dict[str, str]]]
    columns: tuple[Column, ...]
    yes_no: dict[str, dict[str, str]]

    @property
    def scored(self) -> tuple[str, ...]:
        """Every column scored on the 1-5 scale: the dimensions, then coercion_cooperation."""
        return (*self.dimensions, "coercion_cooperation")

    @property
    def scale(self) -> tuple[int, ...]:
        return tuple(range(self.scale_min, self.scale_max + 1))

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise DefinitionError(f"the rubric has no column '{name}'", path=str(RUBRIC_PATH))

    def partner_type_label(self, code: str, lang: str = "en") -> str:
        labels = self.partner_types.get(code, {})
        return labels.get(lang) or labels.get("en") or code

    def theme_label(self, code: str, lang: str = "en") -> str:
        labels = self.themes.get(code, {}).get("label", {})
        return labels.get(lang) or labels.get("en") or code

    def dimension_label(self, code: str, lang: str = "en") -> str:
        if code == "coercion_cooperation":
            return self.coercion_cooperation.label(lang)
        if code == "rqi":
            return self.rqi_name.get(lang) or self.rqi_name["en"]
        return self.dimensions[code].label(lang)

    def header_lookup(self) -> dict[str, str]:
        """Folded header text (either language, or the code itself) -> column name."""
        out: dict[str, str] = {}
        for c in self.columns:
            out[normalise_label(c.name)] = c.name
            for text in c.header.values():
                out[normalise_label(text)] = c.name
        return out

    def partner_type_lookup(self) -> dict[str, str]:
        """Folded code or label (either language) -> partner-type code."""
        out: dict[str, str] = {}
        for code, labels in self.partner_types.items():
            out[normalise_label(code)] = code
            for text in labels.values():
                out[normalise_label(text)] = code
        return out

    def theme_lookup(self) -> dict[str, str]:
        """Folded code or label (either language) -> theme code."""
        out: dict[str, str] = {}
        for code, spec in self.themes.items():
            out[normalise_label(code)] = code
            for text in spec["label"].values():
                out[normalise_label(text)] = code
        return out


def _labels(value: Any, where: str) -> dict[str, str]:
    if (
        not isinstance(value, Mapping)
        or not all(lang in value for lang in LANGUAGES)
        or not all(isinstance(v, str) and v.strip() for v in value.values())
    ):
        raise DefinitionError(
            f"expected a text in each of {', '.join(LANGUAGES)} (e.g. {{en: ..., fr: ...}}), "
            f"got {value!r}",
            path=str(RUBRIC_PATH),
            field=where,
        )
    return {str(k): str(v) for k, v in value.items()}


def _dimension(code: str, spec: Any, where: str, scale: tuple[int, ...]) -> Dimension:
    if not isinstance(spec, Mapping):
        raise DefinitionError(
            "expected name, question and anchors", path=str(RUBRIC_PATH), field=where
        )
    anchors = spec.get("anchors") or {}
    if sorted(int(k) for k in anchors) != list(scale):
        raise DefinitionError(
            f"anchors must be written for every score {scale[0]}..{scale[-1]}, "
            f"got {sorted(anchors)}",
            path=str(RUBRIC_PATH),
            field=f"{where}.anchors",
        )
    return Dimension(
        code=code,
        name=_labels(spec.get("name"), f"{where}.name"),
        question=_labels(spec.get("question"), f"{where}.question"),
        anchors={int(k): _labels(v, f"{where}.anchors.{k}") for k, v in anchors.items()},
    )


def _parse(raw: Any) -> Rubric:
    if not isinstance(raw, Mapping):
        raise DefinitionError("expected a mapping at the top level", path=str(RUBRIC_PATH))
    for key in ("scale", "rqi", "dimensions", "coercion_cooperation", "partner_types", "themes"):
        if key not in raw:
            raise DefinitionError("is missing", path=str(RUBRIC_PATH), field=key)
    lo, hi = int(raw["scale"]["min"]), int(raw["scale"]["max"])
    scale = tuple(range(lo, hi + 1))
    dims = {
        str(code): _dimension(str(code), spec, f"dimensions.{code}", scale)
        for code, spec in raw["dimensions"].items()
    }
    rqi = tuple(str(d) for d in raw["rqi"]["dimensions"])
    unknown = [d for d in rqi if d not in dims]
    if unknown or not rqi:
        raise DefinitionError(
            f"names dimensions the rubric lacks: {unknown}; known: {sorted(dims)}",
            path=str(RUBRIC_PATH),
            field="rqi.dimensions",
        )
    themes: dict[str, dict[str, dict[str, str]]] = {}
    for code, spec in raw["themes"].items():
        themes[str(code)] = {
            "label": _labels(spec.get("label"), f"themes.{code}.label"),
            "description": _labels(spec.get("description"), f"themes.{code}.description"),
        }
    cc = _dimension(
        "coercion_cooperation", raw["coercion_cooperation"], "coercion_cooperation", scale
    )
    columns = []
    for i, c in enumerate(raw.get("columns") or []):
        name = str(c["name"])
        if c.get("dimension"):
            if name != "coercion_cooperation" and name not in dims:
                raise DefinitionError(
                    f"column '{name}' is marked as a dimension the rubric lacks",
                    path=str(RUBRIC_PATH),
                    field=f"columns[{i}]",
                )
            dim = cc if name == "coercion_cooperation" else dims[name]
            header = {lang: c.get(lang) or f"{dim.label(lang)} ({lo}-{hi})" for lang in LANGUAGES}
        else:
            header = _labels({lang: c.get(lang) for lang in LANGUAGES}, f"columns[{i}]")
        columns.append(
            Column(
                name=name,
                header=header,
                required=bool(c.get("required", False)),
                personal=bool(c.get("personal", False)),
                dimension=bool(c.get("dimension", False)),
                width=float(c.get("width", 14)),
            )
        )
    missing = [d for d in (*dims, "coercion_cooperation") if d not in {c.name for c in columns}]
    if missing:
        raise DefinitionError(
            f"the coding sheet has no column for {missing}", path=str(RUBRIC_PATH), field="columns"
        )
    return Rubric(
        version=int(raw.get("version", 1)),
        scale_min=lo,
        scale_max=hi,
        scale_labels={
            int(k): _labels(v, f"scale.labels.{k}") for k, v in raw["scale"]["labels"].items()
        },
        rqi_dimensions=rqi,
        rqi_name=_labels(raw["rqi"]["name"], "rqi.name"),
        dimensions=dims,
        coercion_cooperation=cc,
        partner_types={
            str(k): _labels(v, f"partner_types.{k}") for k, v in raw["partner_types"].items()
        },
        themes=themes,
        columns=tuple(columns),
        yes_no={str(k): _labels(v, f"yes_no.{k}") for k, v in raw["yes_no"].items()},
    )


@cache
def load_rubric() -> Rubric:
    """The standard partner-interview rubric (``mande/partners/rubric.yaml``), validated.

    Raises
    ------
    DefinitionError
        With the file and the field when the rubric is malformed.
    """
    try:
        raw = yaml.safe_load(RUBRIC_PATH.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DefinitionError(f"not valid YAML: {exc}", path=str(RUBRIC_PATH)) from exc
    return _parse(raw)
