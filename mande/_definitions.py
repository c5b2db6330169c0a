"""The typed definitions layer's common parts: strict pydantic models for definition files (indicator
definitions, the mission configuration), and the translation of every validation error of a file
into one :class:`~mande.errors.Problem` each, with the field and the fix ("did you mean ...?").

A definition file is checked whole: every problem is reported at once, so that an officer fixing a
file fixes it in one pass.
"""

from __future__ import annotations

import difflib
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from mande.errors import DefinitionError, Problem

__all__ = [
    "FileCache",
    "Strict",
    "field_path",
    "file_state",
    "problems_from",
    "raise_problems",
    "read_yaml",
    "unknown",
]

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Strict(BaseModel):
    """A definition's part: unknown fields are errors, values are not coerced between types."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def unknown(value: Any, known: Iterable[Any], what: str) -> str:
    """ "unknown kind 'proportions'; did you mean 'proportion'? (known: ...)"."""
    known = list(known)
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    listing = ", ".join(str(k) for k in known[:40]) + (" ..." if len(known) > 40 else "")
    return f"unknown {what} {value!r}{hint} (known: {listing})"


def field_path(loc: Sequence[str | int]) -> str:
    """('variants', 0, 'item') -> 'variants[0].item'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model that holds the last field of ``loc`` (to list its fields)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        ann = fields[part].annotation
        current = _inner_model(ann)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def problems_from(
    exc: ValidationError,
    model: type[BaseModel],
    *,
    help: Mapping[str, str] | None = None,
) -> list[Problem]:
    """One problem per field, from a pydantic validation error, worded for the person who edits
    the file: unknown fields with the close known ones, choices with the allowed values, missing
    fields with what they hold. A missing field is not reported when an unknown field is its
    misspelling (``polarty`` for ``polarity``): the one fix is named once."""
    help = help or {}
    errors = exc.errors(include_url=False)
    extras: dict[tuple[Any, ...], list[str]] = {}
    for e in errors:
        if e["type"] == "extra_forbidden":
            extras.setdefault(tuple(e["loc"][:-1]), []).append(str(e["loc"][-1]))
    problems: list[Problem] = []
    seen: set[str] = set()
    for e in errors:
        loc = [p for p in e["loc"] if isinstance(p, int) or _is_field(p)]
        where = field_path(loc)
        if where in seen:
            continue
        kind = e["type"]
        value = e.get("input")
        name = str(loc[-1]) if loc else ""
        if kind == "extra_forbidden":
            holder = _model_at(model, loc)
            known = list(holder.model_fields) if holder is not None else []
            message = unknown(name, known, "field") + "; remove it or fix its name"
        elif kind == "missing" or (value is None and kind.endswith("_type")):
            typos = extras.get(tuple(loc[:-1]), [])
            if difflib.get_close_matches(name, typos, n=1, cutoff=0.6):
                continue  # reported as the misspelt field
            message = f"missing; every definition needs '{name}'" + (
                f" ({help[name]})" if name in help else ""
            )
        elif kind == "literal_error":
            options = (e.get("ctx") or {}).get("expected", "")
            allowed = [o.strip().strip("'") for o in str(options).replace(" or ", ",").split(",")]
            message = unknown(value, [a for a in allowed if a], name) + "; use one of those"
        else:
            text = str(e["msg"]).replace("Value error, ", "")
            message = f"got {value!r}: {text}" + (
                f"; expected {help[name]}" if name in help else ""
            )
        seen.add(where)
        problems.append(Problem(message, code=kind, column=where or None, value=_short(value)))
    return problems


_TYPE_TAGS = {"str", "int", "float", "bool", "date", "datetime", "list", "dict", "none", "literal"}


def _is_field(part: Any) -> bool:
    """A location part that names a field (not a union member's type tag such as 'dict[str,str]')."""
    text = str(part)
    return not ("[" in text or "(" in text or text.startswith("function-") or text in _TYPE_TAGS)


def _short(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def raise_problems(problems: Sequence[Problem], path: str | None, what: str) -> None:
    """Raise one :class:`DefinitionError` listing every problem, if there is any."""
    if problems:
        n = len(problems)
        raise DefinitionError(
            f"{n} problem{'s' if n > 1 else ''} in this {what}; fix each, then load it again",
            path=path,
            problems=problems,
        )


def read_yaml(path: Path, what: str) -> tuple[Any, list[Problem]]:
    """A definition file's content, and a problem for each key written twice in one mapping (YAML
    readers keep the last silently, so a second ``trust:`` or partner type would hide the first).

    Raises
    ------
    DefinitionError
        When the file is missing, not UTF-8 or not valid YAML.
    """
    duplicates: list[Problem] = []

    class _Loader(_YAML_LOADER):  # type: ignore[misc, valid-type]
        pass

    def mapping(loader: Any, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                duplicates.append(
                    Problem(
                        f"key {key!r} is written twice (line {key_node.start_mark.line + 1}); "
                        "YAML keeps only the last one: remove or rename one of them",
                        code="duplicate_key",
                        column=str(key),
                        value=str(key),
                    )
                )
            seen.add(key)
        return loader.construct_mapping(node, deep=deep)

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(f"{what} not found", path=str(path)) from None
    except UnicodeDecodeError:
        raise DefinitionError("not UTF-8 text; save the file as UTF-8", path=str(path)) from None
    try:
        raw = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DefinitionError(
            f"not valid YAML{where}: {getattr(exc, 'problem', exc)}; check the indentation and "
            "quote text that contains ':' or '#'",
            path=str(path),
        ) from None
    return raw, duplicates


def file_state(*paths: str | Path) -> tuple[tuple[str, str], ...]:
    """Each file's resolved path and a hash of its content (for a folder: of each YAML file in
    it): the key under which a definition read from them is kept, so that an edited file is read
    again and an unchanged one is parsed and validated once per process."""
    out: list[tuple[str, str]] = []
    for p in paths:
        path = Path(p).resolve()
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path]
        for f in files:
            try:
                digest = hashlib.blake2b(f.read_bytes(), digest_size=16).hexdigest()
            except OSError:
                digest = ""
            out.append((str(f), digest))
    return tuple(out)


class FileCache:
    """Definitions loaded once per process and file state (:func:`file_state`): a small
    least-recently-used map from a key (file states and options) to what was built from them."""

    def __init__(self, maxsize: int = 16) -> None:
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.maxsize = maxsize

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
