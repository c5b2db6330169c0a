"""The indicator catalogue: indicator definitions as data (YAML), validated when loaded.

Each indicator is one YAML file (``mande/indicators/definitions/*.yaml`` for the standard set). A
definition names the standard items it reads (``mande/indicators/items.yaml``) and how their codes
are scored. :func:`load_catalogue` reads every definition, checks it against the standard items and
fails with :class:`~mande.errors.DefinitionError` naming the file, the field and the fix.

An indicator may have *variants* (one per service, institution or ground): each variant is a
measure of its own and gets its own rows in the results, identified as ``ID.VARIANT``
(``TRU-01.police``). An indicator that reads one item also has a headline measure (``DIS-01``: any
ground); one that reads several items (``TRU-01``) has only its variants.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast, get_args

import yaml

from mande._definitions import FileCache, file_state, raise_problems
from mande.errors import DefinitionError
from mande.indicators import schema
from mande.indicators.items import ITEMS_PATH, StandardItems, standard_items

__all__ = [
    "DATA_SOURCES",
    "DEFINITIONS_DIR",
    "DOMAINS",
    "KINDS",
    "POLARITIES",
    "SG_SECTIONS",
    "UNITS",
    "Catalogue",
    "Indicator",
    "Measure",
    "Scoring",
    "Universe",
    "Variant",
    "load_catalogue",
]

DEFINITIONS_DIR = Path(__file__).with_name("definitions")
# the C implementation of the safe loader when libyaml is there (same results, faster)
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The choices are declared once, as the literal types of the definition file's model.
KINDS: tuple[str, ...] = get_args(schema.Kind)
COMPOSITE_KINDS: tuple[str, ...] = ("mean_of_indicators", "index_0_100")
POLARITIES: tuple[str, ...] = get_args(schema.Polarity)
DOMAINS: tuple[str, ...] = get_args(schema.Domain)
SG_SECTIONS: tuple[str, ...] = get_args(schema.SgSection)
UNITS: tuple[str, ...] = get_args(schema.Unit)
DATA_SOURCES: tuple[str, ...] = get_args(schema.DataSource)

_FIELDS_REQUIRED = (
    "id",
    "name",
    "short_name",
    "description",
    "domain",
    "source",
    "sg_section",
    "kind",
    "polarity",
)
_FIELDS_OPTIONAL = (
    "sdg",
    "min_n",
    "unit",
    "decimals",
    "data",
    "items",
    "scoring",
    "components",
    "variants",
)
_SCORING_FIELDS = (
    "success",
    "exclude",
    "count_as_failure",
    "universe",
    "values",
    "range",
    "min_valid",
)
_VARIANT_FIELDS = ("id", "item", "success", "name")
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_VARIANT_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_SDG_RE = re.compile(r"^\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2}$")
_COMPARE_OPS: dict[type, str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}


# --------------------------------------------------------------------------------------------
# The definition's parts


@dataclass(frozen=True)
class Universe:
    """Who an indicator is about: a condition on the responses (``victim == 1``).

    ``terms`` holds ``(column, operator, value)`` triples; ``combine`` says whether all (``and``)
    or any (``or``) must hold. A respondent whose column is missing is outside the universe.
    """

    expression: str
    terms: tuple[tuple[str, str, Any], ...]
    combine: str = "and"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t[0] for t in self.terms))


@dataclass(frozen=True)
class Scoring:
    """How an item's codes become a score.

    success:
        codes scored 1 (proportions). Every other substantive code scores 0.
    exclude:
        non-substantive codes left out of the denominator (score missing); they are counted.
    count_as_failure:
        non-substantive codes kept in the denominator and scored 0; they are counted too.
    universe:
        the respondents the indicator is about (``victim == 1``); others are outside its domain.
    values:
        code -> value for means and indices (default: the code itself).
    range:
        the (lowest, highest) value an item can take, for 0-100 indices (default: from the scale).
    min_valid:
        for composites, the fewest valid components a respondent needs to get a score (default:
        all of them).
    """

    success: tuple[Any, ...] = ()
    exclude: tuple[Any, ...] = ()
    count_as_failure: tuple[Any, ...] = ()
    universe: Universe | None = None
    values: tuple[tuple[Any, float], ...] = ()
    range: tuple[float, float] | None = None
    min_valid: int | None = None

    @property
    def value_map(self) -> dict[Any, float]:
        return dict(self.values)


@dataclass(frozen=True)
class Variant:
    """One sub-indicator: a service, an institution, a ground."""

    id: str
    item: str
    success: tuple[Any, ...] | None = None
    name: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Indicator:
    """One indicator definition, as loaded and validated from its YAML file."""

    id: str
    name: Mapping[str, str]
    short_name: Mapping[str, str]
    description: Mapping[str, str]
    domain: str
    sdg: str | None
    source: str
    sg_section: str
    kind: str
    polarity: str
    min_n: int = 30
    unit: str = "percent"
    decimals: int = 0
    data: str = "survey"
    items: tuple[str, ...] = ()
    scoring: Scoring = field(default_factory=Scoring)
    components: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()
    path: str | None = field(default=None, compare=False)

    @property
    def is_composite(self) -> bool:
        return self.kind in COMPOSITE_KINDS

    @property
    def has_headline(self) -> bool:
        """Whether the indicator has a measure of its own besides its variants."""
        return self.is_composite or len(self.items) == 1

    def measures(self) -> tuple[Measure, ...]:
        """The measures this indicator yields: its headline (if any), then its variants."""
        out = [Measure(self, None)] if self.has_headline else []
        out.extend(Measure(self, v) for v in self.variants)
        return tuple(out)

    def text(self, what: str, lang: str = "en") -> str:
        """``name``, ``short_name`` or ``description`` in ``lang`` (English when missing)."""
        texts: Mapping[str, str] = getattr(self, what)
        return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")

    def as_dict(self) -> dict[str, Any]:
        """The definition as plain data (the canonical form hashed into the catalogue version)."""
        sc = self.scoring
        return {
            "id": self.id,
            "name": dict(self.name),
            "short_name": dict(self.short_name),
            "description": dict(self.description),
            "domain": self.domain,
            "sdg": self.sdg,
            "source": self.source,
            "sg_section": self.sg_section,
            "kind": self.kind,
            "polarity": self.polarity,
            "min_n": self.min_n,
            "unit": self.unit,
            "decimals": self.decimals,
            "data": self.data,
            "items": list(self.items),
            "scoring": {
                "success": list(sc.success),
                "exclude": list(sc.exclude),
                "count_as_failure": list(sc.count_as_failure),
                "universe": sc.universe.expression if sc.universe else None,
                "values": [[k, v] for k, v in sc.values],
                "range": list(sc.range) if sc.range else None,
                "min_valid": sc.min_valid,
            },
            "components": list(self.components),
            "variants": [
                {
                    "id": v.id,
                    "item": v.item,
                    "success": list(v.success) if v.success is not None else None,
                    "name": dict(v.name) if v.name else None,
                }
                for v in self.variants
            ],
        }


@dataclass(frozen=True)
class Measure:
    """What one row of results measures: an indicator's headline or one of its variants."""

    indicator: Indicator
    variant: Variant | None = None

    @property
    def id(self) -> str:
        """``SAF-01`` for a headline, ``TRU-01.police`` for a variant."""
        return f"{self.indicator.id}.{self.variant.id}" if self.variant else self.indicator.id

    @property
    def item(self) -> str | None:
        """The single item the measure reads (None for a composite)."""
        if self.variant:
            return self.variant.item
        if self.indicator.is_composite:
            return None
        return self.indicator.items[0]

    @property
    def success(self) -> tuple[Any, ...]:
        if self.variant and self.variant.success is not None:
            return self.variant.success
        return self.indicator.scoring.success

    def variant_name(self, lang: str = "en") -> str | None:
        """The variant's name (from the definition, else from the item's label)."""
        if self.variant is None:
            return None
        if self.variant.name:
            return self.variant.name.get(lang) or self.variant.name.get("en")
        items = standard_items()
        if self.variant.success is not None and len(self.variant.success) == 1:
            return items.label(self.variant.success[0], self.variant.item, lang)
        if self.variant.item in items:
            return items[self.variant.item].label.get(lang, self.variant.item)
        return self.variant.id

    def name(self, lang: str = "en", short: bool = False) -> str:
        base = self.indicator.text("short_name" if short else "name", lang)
        sub = self.variant_name(lang)
        return f"{base}: {sub}" if sub else base


# --------------------------------------------------------------------------------------------
# The catalogue


@dataclass(frozen=True)
class Catalogue:
    """A validated set of indicator definitions.

    Iterating gives the indicators in id order; ``catalogue["TRU-01"]`` gives one indicator;
    :meth:`measure` resolves ``"TRU-01.police"``. ``version`` is a content hash of every definition
    (canonical JSON, SHA-256 hex digest): the same definitions give the same version
    whatever their files' layout, comments or order, and any change of meaning changes it.
    """

    indicators: tuple[Indicator, ...]
    version: str

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, key: object) -> bool:
        return any(i.id == key for i in self.indicators)

    def __getitem__(self, key: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == key:
                return ind
        raise KeyError(_unknown(key, self.ids, "indicator"))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    @property
    def sha256(self) -> str:
        """The same as ``version`` (the name the store's cache keys look for)."""
        return self.version

    def measures(self, data: str | None = "survey") -> tuple[Measure, ...]:
        """Every measure (headlines and variants) of the indicators from ``data`` (None: all)."""
        return tuple(
            m for ind in self.indicators if data is None or ind.data == data for m in ind.measures()
        )

    def measure(self, measure_id: str) -> Measure:
        """The measure ``"SAF-01"`` or ``"TRU-01.police"``."""
        for ind in self.indicators:
            for m in ind.measures():
                if m.id == measure_id:
                    return m
        known = [m.id for m in self.measures(data=None)]
        raise KeyError(_unknown(measure_id, known, "measure"))

    def select(self, ids: Iterable[str]) -> Catalogue:
        """A catalogue of the given indicators and the components they are built from."""
        wanted: dict[str, None] = {}
        stack = list(ids)
        while stack:
            key = stack.pop()
            ind = self[key.split(".")[0]]
            if ind.id not in wanted:
                wanted[ind.id] = None
                stack.extend(ind.components)
        chosen = tuple(i for i in self.indicators if i.id in wanted)
        return Catalogue(chosen, _version(chosen))

    def survey(self) -> Catalogue:
        """The indicators computed from perception surveys."""
        chosen = tuple(i for i in self.indicators if i.data == "survey")
        return Catalogue(chosen, _version(chosen))

    def to_frame(self, lang: str = "en") -> Any:
        """One row per measure: id, names, domain, SDG, source, section, kind, polarity, items."""
        import pandas as pd

        rows = []
        for m in self.measures(data=None):
            ind = m.indicator
            rows.append(
                {
                    "indicator_id": m.id,
                    "indicator": ind.id,
                    "variant": m.variant.id if m.variant else None,
                    "name": m.name(lang),
                    "short_name": m.name(lang, short=True),
                    "domain": ind.domain,
                    "sdg": ind.sdg,
                    "source": ind.source,
                    "sg_section": ind.sg_section,
                    "kind": ind.kind,
                    "polarity": ind.polarity,
                    "unit": ind.unit,
                    "min_n": ind.min_n,
                    "data": ind.data,
                    "items": ", ".join([m.item] if m.item else ind.items),
                }
            )
        return pd.DataFrame(rows)


def load_catalogue(
    path: str | Path | Sequence[str | Path] | None = None,
    *,
    standard: bool = True,
    items: StandardItems | None = None,
) -> Catalogue:
    """Load and validate indicator definitions.

    Parameters
    ----------
    path:
        None for the standard catalogue; otherwise a YAML file or a folder of ``*.yaml`` /
        ``*.yml`` files (or a list of them) whose definitions are **added** to the standard set.
    standard:
        Whether to include the standard definitions (set False to load only ``path``).
    items:
        The standard items to validate against (default: mande's ``items.yaml``).

    Returns
    -------
    Catalogue
        The definitions in id order, with a content-hash ``version``. With the standard items,
        the files are read once per process and file state (an edited file is read again).

    Raises
    ------
    DefinitionError
        Naming the file, the field and the fix: unknown item (with close matches), unknown code,
        missing or unknown field, bad kind / polarity / section, duplicate id, components that
        refer to unknown indicators.
    """
    if items is not None:
        return _load_catalogue(path, standard, items)
    paths = [] if path is None else [path] if isinstance(path, str | Path) else list(path)
    sources = [*([DEFINITIONS_DIR] if standard else []), *paths]
    key = (file_state(ITEMS_PATH, *sources), standard, tuple(str(p) for p in paths))
    return cast(Catalogue, _CACHE.get(key, lambda: _load_catalogue(path, standard, None)))


#: Catalogues read with the standard items, by the state of their files: read once per process.
_CACHE = FileCache()


def _load_catalogue(
    path: str | Path | Sequence[str | Path] | None,
    standard: bool,
    items: StandardItems | None,
) -> Catalogue:
    items = items or standard_items()
    files: list[Path] = []
    if standard:
        files.extend(_yaml_files(DEFINITIONS_DIR))
    if path is not None:
        paths = [path] if isinstance(path, str | Path) else list(path)
        for p in paths:
            p = Path(p)
            if not p.exists():
                raise DefinitionError(
                    "no such file or folder; give a YAML definition file or a folder of them",
                    path=str(p),
                )
            files.extend(_yaml_files(p) if p.is_dir() else [p])
    seen: dict[str, str] = {}
    indicators: list[Indicator] = []
    for f in files:
        ind = _parse_file(f, items)
        if ind.id in seen:
            raise DefinitionError(
                f"indicator id '{ind.id}' is already defined in {seen[ind.id]}; ids must be "
                "unique: give this indicator another id (to change a standard indicator, load "
                "with standard=False and copy the standard definitions you keep)",
                path=str(f),
                field="id",
            )
        seen[ind.id] = str(f)
        indicators.append(ind)
    indicators.sort(key=lambda i: i.id)
    _check_components(indicators)
    indicators = [_with_component_items(i, indicators) for i in indicators]
    chosen = tuple(indicators)
    return Catalogue(chosen, _version(chosen))


# --------------------------------------------------------------------------------------------
# Parsing and validation


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _version(indicators: Iterable[Indicator]) -> str:
    payload = json.dumps(
        [i.as_dict() for i in sorted(indicators, key=lambda i: i.id)],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _unknown(value: Any, known: Iterable[Any], what: str) -> str:
    known = list(known)
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    listing = ", ".join(str(k) for k in known[:40]) + (" ..." if len(known) > 40 else "")
    return f"unknown {what} {value!r}{hint} (known: {listing})"


class _Ctx:
    """The file being parsed, for error messages."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def fail(self, field: str, message: str) -> DefinitionError:
        return DefinitionError(message, path=self.path, field=field)


def _parse_file(path: Path, items: StandardItems) -> Indicator:
    ctx = _Ctx(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DefinitionError(
            f"not valid YAML{where}: {getattr(exc, 'problem', exc)}; check the indentation and "
            "quote text that contains ':' or '#'",
            path=str(path),
        ) from None
    except UnicodeDecodeError:
        raise DefinitionError("not UTF-8 text; save the file as UTF-8", path=str(path)) from None
    if not isinstance(raw, dict):
        raise DefinitionError(
            f"expected a mapping of fields (id: ..., name: ...), got {type(raw).__name__}; "
            "write one indicator per file",
            path=str(path),
        )
    # every problem of the file's form and of what it names, all at once; then the finer checks
    raise_problems(schema.check_definition(raw, items), str(path), "indicator definition")
    return _parse(raw, ctx, items)


def _parse(raw: dict[str, Any], ctx: _Ctx, items: StandardItems) -> Indicator:
    for key in raw:
        if key not in _FIELDS_REQUIRED + _FIELDS_OPTIONAL:
            raise ctx.fail(
                str(key),
                _unknown(key, _FIELDS_REQUIRED + _FIELDS_OPTIONAL, "field") + "; remove it or fix "
                "its name",
            )
    for key in _FIELDS_REQUIRED:
        if key not in raw or raw[key] is None:
            raise ctx.fail(key, f"missing; every definition needs '{key}' ({_HELP[key]})")

    ind_id = raw["id"]
    if not isinstance(ind_id, str) or not _ID_RE.match(ind_id):
        raise ctx.fail(
            "id",
            f"got {ind_id!r}; expected letters, digits and '-' such as 'SAF-01' (no dots: "
            "'ID.variant' names a variant)",
        )
    name = _texts(raw["name"], ctx, "name", required=("en", "fr"))
    short_name = _texts(raw["short_name"], ctx, "short_name", required=("en", "fr"))
    description = _texts(raw["description"], ctx, "description", required=("en",))
    domain = _choice(raw["domain"], DOMAINS, ctx, "domain")
    sg_section = _choice(raw["sg_section"], SG_SECTIONS, ctx, "sg_section")
    kind = _choice(raw["kind"], KINDS, ctx, "kind")
    polarity = _choice(raw["polarity"], POLARITIES, ctx, "polarity")
    data = _choice(raw.get("data", "survey"), DATA_SOURCES, ctx, "data")
    source = raw["source"]
    if not isinstance(source, str) or not source.strip():
        raise ctx.fail("source", f"got {source!r}; expected text such as 'SDG 16.1.4'")
    sdg = raw.get("sdg")
    if sdg is not None and (not isinstance(sdg, str) or not _SDG_RE.match(sdg)):
        raise ctx.fail(
            "sdg",
            f'got {sdg!r}; expected an SDG indicator code in quotes such as "16.1.4", or null',
        )
    min_n = raw.get("min_n", 30)
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
        raise ctx.fail("min_n", f"got {min_n!r}; expected a whole number >= 1 (default 30)")
    decimals = raw.get("decimals", 0)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise ctx.fail("decimals", f"got {decimals!r}; expected a whole number from 0 to 6")

    composite = kind in COMPOSITE_KINDS
    components = _str_list(raw.get("components"), ctx, "components", allow_none=True)
    if kind == "mean_of_indicators" and len(components) < 2:
        raise ctx.fail(
            "components",
            "a mean_of_indicators needs at least two components: the ids of the indicators it "
            "averages (components: [INC-01, INC-02])",
        )
    if components and not composite:
        raise ctx.fail(
            "components",
            f"only mean_of_indicators and index_0_100 indicators have components; this one is "
            f"kind '{kind}': remove 'components' or change the kind",
        )
    item_names = _str_list(raw.get("items"), ctx, "items", allow_none=composite)
    if not composite and not item_names:
        raise ctx.fail("items", "missing; list the standard items the indicator reads")
    if kind == "index_0_100" and not components and not item_names:
        raise ctx.fail("components", "an index_0_100 needs components (indicator ids) or items")
    if data == "survey":
        for i, name_ in enumerate(item_names):
            if name_ not in items:
                raise ctx.fail(
                    f"items[{i}]",
                    _unknown(name_, sorted(items.items), "item")
                    + "; items are the names in mande/indicators/items.yaml",
                )
            if items[name_].role not in ("item", "breakdown"):
                raise ctx.fail(f"items[{i}]", f"'{name_}' is a {items[name_].role}, not an item")

    default_unit = {
        "proportion": "percent",
        "mean": "mean",
        "mean_of_indicators": "percent",
        "index_0_100": "index",
    }[kind]
    unit = _choice(raw.get("unit", default_unit), UNITS, ctx, "unit")

    scoring_raw = raw.get("scoring")
    if scoring_raw is None:
        if kind in ("proportion", "mean"):
            raise ctx.fail(
                "scoring",
                "missing; a proportion needs scoring.success (the codes that count as success) "
                "and scoring.exclude (the non-substantive codes left out of the denominator)",
            )
        scoring_raw = {}
    if not isinstance(scoring_raw, dict):
        raise ctx.fail("scoring", f"expected a mapping (success: [...], ...), got {scoring_raw!r}")
    scoring = _parse_scoring(scoring_raw, ctx, items, kind, item_names, data, len(components))
    variants = _parse_variants(raw.get("variants"), ctx, items, kind, item_names, data, scoring)
    if kind in ("proportion", "mean") and len(item_names) > 1 and not variants:
        raise ctx.fail(
            "variants",
            f"the indicator reads {len(item_names)} items; give one variant per item "
            f"(variants: [{{id: ..., item: {item_names[0]}}}, ...]) or list a single item",
        )

    return Indicator(
        id=ind_id,
        name=name,
        short_name=short_name,
        description=description,
        domain=domain,
        sdg=sdg,
        source=source.strip(),
        sg_section=sg_section,
        kind=kind,
        polarity=polarity,
        min_n=min_n,
        unit=unit,
        decimals=decimals,
        data=data,
        items=tuple(item_names),
        scoring=scoring,
        components=tuple(components),
        variants=tuple(variants),
        path=ctx.path,
    )


_HELP = {
    "id": "a short unique code such as SAF-01",
    "name": "{en: ..., fr: ...}",
    "short_name": "{en: ..., fr: ...} for cards and tables",
    "description": "{en: ..., fr: ...}: what is measured and how",
    "domain": "one of " + ", ".join(DOMAINS),
    "source": "where the indicator comes from, such as 'SDG 16.1.4' or 'Afrobarometer'",
    "sg_section": "the SG-report section: one of " + ", ".join(SG_SECTIONS),
    "kind": "one of " + ", ".join(KINDS),
    "polarity": "'up' when higher is better, 'down' when lower is better",
}


def _texts(value: Any, ctx: _Ctx, field: str, required: tuple[str, ...]) -> dict[str, str]:
    if isinstance(value, str) and required == ("en",):
        value = {"en": value}
    if not isinstance(value, dict):
        raise ctx.fail(field, f"got {value!r}; expected {{en: ..., fr: ...}}")
    for lang in required:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise ctx.fail(
                f"{field}.{lang}",
                f"missing; give the text in every language ({', '.join(required)})",
            )
    return {str(k): " ".join(str(v).split()) for k, v in value.items()}


def _choice(value: Any, options: tuple[str, ...], ctx: _Ctx, field: str) -> str:
    if value not in options:
        raise ctx.fail(field, _unknown(value, options, field) + "; use one of those")
    return str(value)


def _str_list(value: Any, ctx: _Ctx, field: str, allow_none: bool) -> list[str]:
    if value is None:
        if allow_none:
            return []
        raise ctx.fail(field, "missing; expected a list of names")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ctx.fail(field, f"got {value!r}; expected a list of names such as [safe_dark]")
    if len(set(value)) != len(value):
        raise ctx.fail(field, f"{value} lists a name twice")
    return list(value)


def _codes(value: Any, ctx: _Ctx, field: str) -> tuple[Any, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value]
    for v in value:
        if isinstance(v, bool):
            raise ctx.fail(
                field,
                f"got {v!r}: YAML reads yes/no/true/false/on/off as booleans; write the code "
                "itself (1 for yes, 0 for no) or quote a text code",
            )
        if not isinstance(v, int | str):
            raise ctx.fail(field, f"got {v!r}; codes are whole numbers or short names")
    if len(set(value)) != len(value):
        raise ctx.fail(field, f"{value} lists a code twice")
    return tuple(value)


def _check_codes(
    codes: tuple[Any, ...], item: str, items: StandardItems, ctx: _Ctx, field: str
) -> None:
    valid = items[item].codes
    for code in codes:
        if code not in valid:
            labels = ", ".join(f"{c} ({items.label(c, item)})" for c in valid)
            close = ""
            if isinstance(code, str):
                m = difflib.get_close_matches(code, [str(c) for c in valid], n=2, cutoff=0.5)
                close = f"; did you mean {' or '.join(repr(c) for c in m)}?" if m else ""
            raise ctx.fail(
                field,
                f"code {code!r} is not a code of item '{item}'{close}; its codes are: {labels}",
            )


def _parse_scoring(
    raw: dict[str, Any],
    ctx: _Ctx,
    items: StandardItems,
    kind: str,
    item_names: list[str],
    data: str,
    n_components: int,
) -> Scoring:
    for key in raw:
        if key not in _SCORING_FIELDS:
            raise ctx.fail(f"scoring.{key}", _unknown(key, _SCORING_FIELDS, "scoring field"))
    success = _codes(raw.get("success"), ctx, "scoring.success")
    exclude = _codes(raw.get("exclude"), ctx, "scoring.exclude")
    caf = _codes(raw.get("count_as_failure"), ctx, "scoring.count_as_failure")
    lists = {"success": success, "exclude": exclude, "count_as_failure": caf}
    for a, b in (
        ("success", "exclude"),
        ("success", "count_as_failure"),
        ("exclude", "count_as_failure"),
    ):
        both = set(lists[a]) & set(lists[b])
        if both:
            raise ctx.fail(
                f"scoring.{b}",
                f"codes {sorted(both, key=str)} are in both scoring.{a} and scoring.{b}; a code "
                "goes in one list only",
            )
    if kind == "proportion" and not success:
        raise ctx.fail(
            "scoring.success", "missing; list the codes that count as success, such as [1, 2]"
        )
    if kind != "proportion" and success:
        raise ctx.fail(
            "scoring.success",
            f"success codes apply to proportions; this indicator is kind '{kind}'. Remove "
            "scoring.success (use scoring.values to give codes a value)",
        )
    if kind != "proportion" and caf:
        raise ctx.fail(
            "scoring.count_as_failure",
            f"count_as_failure applies to proportions; for kind '{kind}' leave non-substantive "
            "codes out with scoring.exclude or give them a value with scoring.values",
        )

    values_raw = raw.get("values")
    values: tuple[tuple[Any, float], ...] = ()
    if values_raw is not None:
        if not isinstance(values_raw, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in values_raw.values()
        ):
            raise ctx.fail("scoring.values", f"got {values_raw!r}; expected {{code: number, ...}}")
        _codes(list(values_raw), ctx, "scoring.values")
        values = tuple((k, float(v)) for k, v in values_raw.items())

    rng_raw = raw.get("range")
    rng: tuple[float, float] | None = None
    if rng_raw is not None:
        if (
            not isinstance(rng_raw, list)
            or len(rng_raw) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng_raw)
            or rng_raw[1] <= rng_raw[0]
        ):
            raise ctx.fail(
                "scoring.range", f"got {rng_raw!r}; expected [lowest, highest], such as [1, 5]"
            )
        rng = (float(rng_raw[0]), float(rng_raw[1]))

    min_valid = raw.get("min_valid")
    n_parts = n_components or len(item_names)
    if min_valid is not None:
        if kind not in COMPOSITE_KINDS:
            raise ctx.fail("scoring.min_valid", "min_valid applies to composites only; remove it")
        if (
            isinstance(min_valid, bool)
            or not isinstance(min_valid, int)
            or not 1 <= min_valid <= n_parts
        ):
            raise ctx.fail(
                "scoring.min_valid",
                f"got {min_valid!r}; expected a whole number from 1 to {n_parts} (the number of "
                "components)",
            )

    universe = None
    if raw.get("universe") is not None:
        universe = _parse_universe(raw["universe"], ctx, items, data)

    if data == "survey" and not (kind in COMPOSITE_KINDS and n_components):
        for item in item_names:
            it = items[item]
            if it.kind == "select_multiple" and kind != "proportion":
                raise ctx.fail(
                    "kind",
                    f"item '{item}' is a select_multiple (one 0/1 column per choice); it can "
                    "only be scored as a proportion",
                )
            for fname, codes in lists.items():
                _check_codes(codes, item, items, ctx, f"scoring.{fname}")
            for code, _ in values:
                _check_codes((code,), item, items, ctx, "scoring.values")
            placed = set(success) | set(exclude) | set(caf) | {k for k, _ in values}
            for code in it.non_substantive:
                if code not in placed:
                    raise ctx.fail(
                        "scoring.exclude",
                        f"item '{item}' offers the non-substantive code {code} "
                        f"({items.label(code, item)}) but the scoring does not place it; add it "
                        "to scoring.exclude (left out of the denominator, counted) or "
                        "scoring.count_as_failure (kept in the denominator as not-success)",
                    )
            if kind in ("mean", "index_0_100") and it.kind != "select_multiple":
                subst = [c for c in it.codes if c not in exclude]
                bad = [c for c in subst if c not in dict(values) and not isinstance(c, int)]
                if bad:
                    raise ctx.fail(
                        "scoring.values",
                        f"item '{item}' has codes {bad} that are not numbers; give each a value "
                        "with scoring.values",
                    )
    return Scoring(
        success=success,
        exclude=exclude,
        count_as_failure=caf,
        universe=universe,
        values=values,
        range=rng,
        min_valid=min_valid,
    )


def _parse_variants(
    raw: Any,
    ctx: _Ctx,
    items: StandardItems,
    kind: str,
    item_names: list[str],
    data: str,
    scoring: Scoring,
) -> list[Variant]:
    if raw is None:
        return []
    if kind in COMPOSITE_KINDS:
        raise ctx.fail(
            "variants", f"a {kind} has no variants; define one composite indicator per variant"
        )
    if not isinstance(raw, list) or not raw:
        raise ctx.fail("variants", f"got {raw!r}; expected a list of {{id: ..., item: ...}}")
    out: list[Variant] = []
    seen: set[str] = set()
    for i, v in enumerate(raw):
        where = f"variants[{i}]"
        if not isinstance(v, dict):
            raise ctx.fail(where, f"got {v!r}; expected {{id: ..., item: ...}}")
        for key in v:
            if key not in _VARIANT_FIELDS:
                raise ctx.fail(f"{where}.{key}", _unknown(key, _VARIANT_FIELDS, "variant field"))
        vid = v.get("id")
        if not isinstance(vid, str) or not _VARIANT_RE.match(vid):
            raise ctx.fail(
                f"{where}.id", f"got {vid!r}; expected lower-case letters, digits and '_' (police)"
            )
        if vid in seen:
            raise ctx.fail(f"{where}.id", f"variant id '{vid}' is used twice")
        seen.add(vid)
        item = v.get("item")
        if item is None:
            if len(item_names) != 1:
                raise ctx.fail(
                    f"{where}.item",
                    f"missing; the indicator reads several items, so each variant names its "
                    f"item (one of {', '.join(item_names)})",
                )
            item = item_names[0]
        if item not in item_names:
            raise ctx.fail(
                f"{where}.item",
                _unknown(item, item_names, "item") + "; a variant's item must be listed in 'items'",
            )
        success = None
        if "success" in v:
            if kind != "proportion":
                raise ctx.fail(f"{where}.success", "success codes apply to proportions only")
            success = _codes(v["success"], ctx, f"{where}.success")
            if not success:
                raise ctx.fail(f"{where}.success", "empty; list the codes counted as success")
            if data == "survey":
                _check_codes(success, item, items, ctx, f"{where}.success")
            clash = set(success) & (set(scoring.exclude) | set(scoring.count_as_failure))
            if clash:
                raise ctx.fail(
                    f"{where}.success",
                    f"codes {sorted(clash, key=str)} are non-substantive in scoring.exclude or "
                    "scoring.count_as_failure; a variant's success codes must be substantive",
                )
        name = None
        if v.get("name") is not None:
            name = _texts(v["name"], ctx, f"{where}.name", required=("en",))
        out.append(Variant(id=vid, item=item, success=success, name=name))
    return out


def _parse_universe(expr: Any, ctx: _Ctx, items: StandardItems, data: str) -> Universe:
    field_ = "scoring.universe"
    if not isinstance(expr, str) or not expr.strip():
        raise ctx.fail(field_, f'got {expr!r}; expected a condition such as "victim == 1"')
    try:
        tree = ast.parse(expr, mode="eval").body
    except SyntaxError:
        raise ctx.fail(
            field_, f'cannot read {expr!r}; write conditions such as "victim == 1"'
        ) from None
    combine = "and"
    parts: list[ast.expr] = [tree]
    if isinstance(tree, ast.BoolOp):
        combine = "and" if isinstance(tree.op, ast.And) else "or"
        parts = list(tree.values)
    terms: list[tuple[str, str, Any]] = []
    for part in parts:
        if (
            not isinstance(part, ast.Compare)
            or len(part.ops) != 1
            or type(part.ops[0]) not in _COMPARE_OPS
            or not isinstance(part.left, ast.Name)
        ):
            raise ctx.fail(
                field_,
                f"cannot read {ast.unparse(part)!r}; each condition is COLUMN OP VALUE with OP one "
                "of ==, !=, in, not in, <, <=, >, >= (joined by 'and' or 'or' throughout)",
            )
        op = _COMPARE_OPS[type(part.ops[0])]
        try:
            value = ast.literal_eval(part.comparators[0])
        except ValueError:
            raise ctx.fail(
                field_, f"{ast.unparse(part.comparators[0])!r} is not a code or a list of codes"
            ) from None
        if op in ("in", "not in"):
            if not isinstance(value, list | tuple):
                raise ctx.fail(field_, f"'{op}' needs a list: {part.left.id} {op} [1, 2]")
            values = tuple(value)
        else:
            values = (value,)
        column = part.left.id
        if data == "survey":
            _check_universe_column(column, values, op, ctx, items)
        terms.append((column, op, values if op in ("in", "not in") else value))
    return Universe(expression=" ".join(expr.split()), terms=tuple(terms), combine=combine)


def _check_universe_column(
    column: str, values: tuple[Any, ...], op: str, ctx: _Ctx, items: StandardItems
) -> None:
    field_ = "scoring.universe"
    if column in items:
        it = items[column]
        if op in ("<", "<=", ">", ">=") and it.kind != "integer":
            raise ctx.fail(field_, f"'{column}' holds codes; compare it with ==, !=, in or not in")
        if it.choices is not None and it.kind == "select_one":
            for v in values:
                if v not in it.codes:
                    labels = ", ".join(f"{c} ({items.label(c, column)})" for c in it.codes)
                    raise ctx.fail(
                        field_,
                        f"code {v!r} is not a code of item '{column}'; its codes are: {labels}",
                    )
        if it.kind == "select_multiple":
            raise ctx.fail(
                field_,
                f"'{column}' is a select_multiple; test one choice's 0/1 column, such as "
                f"{column}__{next(iter(it.choices or ['CHOICE']))} == 1",
            )
        return
    if "__" in column:
        base, choice = column.split("__", 1)
        if base in items and items[base].kind == "select_multiple":
            if choice not in (items[base].choices or {}):
                raise ctx.fail(field_, _unknown(choice, list(items[base].choices or {}), "choice"))
            if any(v not in (0, 1) for v in values):
                raise ctx.fail(field_, f"'{column}' is a 0/1 column; compare it with 0 or 1")
            return
    if column in items.derived:
        groups = items.derived[column].get("groups")
        if groups:
            for v in values:
                if v not in groups:
                    raise ctx.fail(field_, _unknown(v, groups, f"{column} group"))
        return
    known = sorted(set(items.items) | set(items.derived))
    raise ctx.fail(field_, _unknown(column, known, "column"))


def _check_components(indicators: list[Indicator]) -> None:
    by_id = {i.id: i for i in indicators}
    measures = {m.id: m for i in indicators for m in i.measures()}
    for ind in indicators:
        for k, comp in enumerate(ind.components):
            where = f"components[{k}]"
            path = ind.path
            if comp not in measures:
                base = by_id.get(comp.split(".")[0])
                if base is not None and not base.has_headline:
                    names = ", ".join(m.id for m in base.measures())
                    raise DefinitionError(
                        f"'{comp}' has one measure per variant; name one: {names}",
                        path=path,
                        field=where,
                    )
                raise DefinitionError(
                    _unknown(comp, sorted(measures), "indicator")
                    + "; a component is the id of another indicator in the catalogue",
                    path=path,
                    field=where,
                )
            target = measures[comp].indicator
            if target.id == ind.id:
                raise DefinitionError(
                    "an indicator cannot be its own component", path=path, field=where
                )
            if target.is_composite:
                raise DefinitionError(
                    f"'{comp}' is itself a {target.kind}; components must be proportion or mean "
                    "indicators",
                    path=path,
                    field=where,
                )
            if target.data != ind.data:
                raise DefinitionError(
                    f"'{comp}' comes from {target.data}, this indicator from {ind.data}; a "
                    "composite combines indicators from the same data",
                    path=path,
                    field=where,
                )
        if ind.components and ind.items:
            read = {it for c in ind.components for it in _measure_items(measures[c])}
            if set(ind.items) != read:
                raise DefinitionError(
                    f"items lists {sorted(ind.items)} but the components read {sorted(read)}; "
                    "list the components' items, or leave 'items' out",
                    path=ind.path,
                    field="items",
                )


def _with_component_items(ind: Indicator, indicators: list[Indicator]) -> Indicator:
    """A composite defined without 'items' lists the items its components read."""
    if not ind.components or ind.items:
        return ind
    cat = Catalogue(tuple(indicators), "")
    read = [it for c in ind.components for it in _measure_items(cat.measure(c))]
    return replace(ind, items=tuple(dict.fromkeys(read)))


def _measure_items(m: Measure) -> tuple[str, ...]:
    return (m.item,) if m.item else m.indicator.items
