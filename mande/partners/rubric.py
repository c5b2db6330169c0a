"""The partner-interview rubric, as data (``rubric.yaml`` beside this module), validated on load.

The rubric names the dimensions a coder scores (1 poor .. 5 strong) with written anchors, the
coercion-cooperation continuum, the partner types, the theme codes and the coding sheet's columns,
each in English and French. The template, ingest and the quality measures all read it from here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import ValidationError, field_validator

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
    "LANGUAGES",
    "Column",
    "Dimension",
    "Rubric",
    "RubricFile",
    "check_rubric",
    "load_rubric",
    "normalise_label",
    "parse_rubric",
]

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


class Texts(Strict):
    """A text in each language of the rubric."""

    en: str
    fr: str

    @field_validator("en", "fr")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a text must not be blank; write it in this language")
        return v

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "fr": self.fr}


class ScaleSpec(Strict):
    min: int
    max: int
    labels: dict[int, Texts]


class RqiSpec(Strict):
    dimensions: list[str]
    name: Texts


class DimensionSpec(Strict):
    name: Texts
    question: Texts
    anchors: dict[int, Texts]


class ThemeSpec(Strict):
    label: Texts
    description: Texts


class ColumnSpec(Strict):
    name: str
    required: bool = False
    personal: bool = False
    dimension: bool = False
    width: float = 14.0
    en: str | None = None
    fr: str | None = None


class RubricFile(Strict):
    """``rubric.yaml``, as written."""

    version: int = 1
    scale: ScaleSpec
    rqi: RqiSpec
    dimensions: dict[str, DimensionSpec]
    coercion_cooperation: DimensionSpec
    partner_types: dict[str, Texts]
    themes: dict[str, ThemeSpec]
    columns: list[ColumnSpec]
    yes_no: dict[Literal["yes", "no"], Texts]


HELP: dict[str, str] = {
    "en": "the English text",
    "fr": "the French text",
    "scale": "{min: 1, max: 5, labels: {1: {en: ..., fr: ...}, ...}}",
    "rqi": "{dimensions: [trust, ...], name: {en: ..., fr: ...}}",
    "dimensions": "code: {name: {en, fr}, question: {en, fr}, anchors: {1: {en, fr}, ...}}",
    "coercion_cooperation": "{name: {en, fr}, question: {en, fr}, anchors: {1: {en, fr}, ...}}",
    "partner_types": "code: {en: ..., fr: ...}",
    "themes": "code: {label: {en, fr}, description: {en, fr}}",
    "columns": "a list of {name: ..., en: ..., fr: ...}",
    "yes_no": '{"yes": {en, fr}, "no": {en, fr}} (quote yes and no)',
}


def _mapping(value: Any) -> dict[Any, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def check_rubric(raw: Any) -> list[Problem]:
    """Every problem of a rubric file, at once: its form (fields, types, choices) and its
    cross-references (the index's dimensions exist, anchors and scale labels cover the scale,
    the coding sheet has one column per dimension, codes and labels are unique). Empty when sound.
    """
    if not isinstance(raw, Mapping):
        return [Problem(f"expected a mapping of fields at the top level, got {type(raw).__name__}")]
    try:
        RubricFile.model_validate(raw)
        problems: list[Problem] = []
    except ValidationError as exc:
        problems = problems_from(exc, RubricFile, help=HELP)
    flagged = {p.column for p in problems}

    def add(field: str, message: str, code: str = "invalid", value: Any = None) -> None:
        if field not in flagged:
            flagged.add(field)
            shown = None if value is None else str(value)
            problems.append(Problem(message, code=code, column=field, value=shown))

    scale = _mapping(raw.get("scale"))
    lo, hi = scale.get("min"), scale.get("max")
    points: list[int] = []
    if isinstance(lo, int) and isinstance(hi, int):
        if hi <= lo:
            add("scale.max", f"got max {hi} <= min {lo}; the scale runs from min up to max")
        else:
            points = list(range(lo, hi + 1))

    def cover(field: str, keys: Any) -> None:
        if not points or not isinstance(keys, Mapping):
            return
        got = sorted((k for k in keys if isinstance(k, int)), key=int)
        missing = [p for p in points if p not in keys]
        extra = [k for k in keys if k not in points]
        if missing or extra:
            add(
                field,
                f"must be written for every score {points[0]}..{points[-1]}, got {got}"
                + (f"; missing {missing}" if missing else "")
                + (f"; not on the scale: {extra}" if extra else ""),
                "anchors_incomplete",
            )

    cover("scale.labels", scale.get("labels"))
    dims = _mapping(raw.get("dimensions"))
    for code, spec in dims.items():
        cover(f"dimensions.{code}.anchors", _mapping(spec).get("anchors"))
    cover("coercion_cooperation.anchors", _mapping(raw.get("coercion_cooperation")).get("anchors"))
    if "coercion_cooperation" in dims:
        add(
            "dimensions.coercion_cooperation",
            "the coercion-cooperation continuum is declared at the top level "
            "(coercion_cooperation:), not as a dimension; move it",
        )

    index = _mapping(raw.get("rqi")).get("dimensions")
    if isinstance(index, list):
        if not index:
            add("rqi.dimensions", "is empty; name the dimensions the index averages")
        for i, name in enumerate(index):
            if name not in dims:
                add(
                    f"rqi.dimensions[{i}]",
                    unknown(name, list(dims), "dimension") + "; name a dimension of the rubric",
                    "unknown_dimension",
                    name,
                )
        dup = sorted({str(d) for d in index if index.count(d) > 1})
        if dup:
            add("rqi.dimensions", f"names {dup} more than once; name each dimension once")

    columns = raw.get("columns")
    if isinstance(columns, list):
        names = [c.get("name") for c in columns if isinstance(c, Mapping)]
        scored = [*dims, "coercion_cooperation"]
        dup = sorted({str(n) for n in names if names.count(n) > 1})
        if dup:
            add("columns", f"column names {dup} appear more than once; name each column once")
        for i, c in enumerate(columns):
            if not isinstance(c, Mapping):
                continue
            name = c.get("name")
            if c.get("dimension") and name not in scored:
                add(
                    f"columns[{i}].name",
                    unknown(name, scored, "dimension")
                    + "; a column marked 'dimension: true' is named after a dimension",
                    "unknown_dimension",
                    name,
                )
            elif not c.get("dimension"):
                for lang in LANGUAGES:
                    text = c.get(lang)
                    if not (isinstance(text, str) and text.strip()):
                        add(
                            f"columns[{i}].{lang}",
                            f"column '{name}' has no header in '{lang}'; write {lang}: ...",
                            "missing",
                        )
        missing = [d for d in scored if d not in names]
        if missing:
            add(
                "columns",
                f"the coding sheet has no column for {missing}; add "
                f"{{name: {missing[0]}, dimension: true}}",
                "missing_column",
            )

    for section in ("partner_types", "themes"):
        entries = _mapping(raw.get(section))
        owner: dict[str, str] = {}
        for code, spec in entries.items():
            labels = _mapping(spec if section == "partner_types" else _mapping(spec).get("label"))
            for text in {normalise_label(code), *map(normalise_label, labels.values())}:
                other = owner.setdefault(text, str(code))
                if other != str(code):
                    add(
                        f"{section}.{code}",
                        f"'{text}' names both '{other}' and '{code}'; an officer's answer "
                        "must name one of them: give each its own label",
                        "duplicate_label",
                    )
    return problems


def _build(spec: RubricFile) -> Rubric:
    lo, hi = spec.scale.min, spec.scale.max

    def dimension(code: str, d: DimensionSpec) -> Dimension:
        return Dimension(
            code=code,
            name=d.name.as_dict(),
            question=d.question.as_dict(),
            anchors={k: v.as_dict() for k, v in sorted(d.anchors.items())},
        )

    dims = {code: dimension(code, d) for code, d in spec.dimensions.items()}
    cc = dimension("coercion_cooperation", spec.coercion_cooperation)
    columns = []
    for c in spec.columns:
        if c.dimension:
            dim = cc if c.name == "coercion_cooperation" else dims[c.name]
            header = {
                lang: getattr(c, lang) or f"{dim.label(lang)} ({lo}-{hi})" for lang in LANGUAGES
            }
        else:
            header = {lang: str(getattr(c, lang)) for lang in LANGUAGES}
        columns.append(
            Column(
                name=c.name,
                header=header,
                required=c.required,
                personal=c.personal,
                dimension=c.dimension,
                width=float(c.width),
            )
        )
    return Rubric(
        version=spec.version,
        scale_min=lo,
        scale_max=hi,
        scale_labels={k: v.as_dict() for k, v in sorted(spec.scale.labels.items())},
        rqi_dimensions=tuple(spec.rqi.dimensions),
        rqi_name=spec.rqi.name.as_dict(),
        dimensions=dims,
        coercion_cooperation=cc,
        partner_types={k: v.as_dict() for k, v in spec.partner_types.items()},
        themes={
            k: {"label": v.label.as_dict(), "description": v.description.as_dict()}
            for k, v in spec.themes.items()
        },
        columns=tuple(columns),
        yes_no={str(k): v.as_dict() for k, v in spec.yes_no.items()},
    )


def parse_rubric(raw: Any, path: str | Path = RUBRIC_PATH) -> Rubric:
    """A rubric from its parsed YAML, after every check (:func:`check_rubric`).

    Raises
    ------
    DefinitionError
        Listing every problem of the file at once, each with its field and its fix.
    """
    raise_problems(check_rubric(raw), str(path), "rubric")
    return _build(RubricFile.model_validate(raw))


_CACHE = FileCache()


def load_rubric(path: str | Path | None = None) -> Rubric:
    """The partner-interview rubric (default: mande's ``mande/partners/rubric.yaml``), validated,
    read once per process and file state (an edited file is read again).

    Raises
    ------
    DefinitionError
        Listing every problem of the file at once (field, what was found, the fix; "did you mean"
        for a misspelt name).
    """
    file = Path(path) if path is not None else RUBRIC_PATH

    def build() -> Rubric:
        raw, duplicates = read_yaml(file, "rubric")
        raise_problems(duplicates + check_rubric(raw), str(file), "rubric")
        return _build(RubricFile.model_validate(raw))

    return cast(Rubric, _CACHE.get(file_state(file), build))
