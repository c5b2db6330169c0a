"""Lazy public names (PEP 562): a package lists where each name lives; the module loads on first use.

``mande --help`` must answer in well under a second, so importing :mod:`mande` (or a subpackage whose
command-line module the CLI registers) must not import pandas, scipy or statsmodels. A package keeps
its public names in a table ``{name: module}`` and delegates ``__getattr__`` and ``__dir__`` here;
explicit imports under ``if TYPE_CHECKING:`` keep every name visible to mypy and to readers.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any


class _Package(types.ModuleType):
    """A package whose public name may equal a submodule's (``mande.plan.sample_size``).

    Importing a submodule binds it on its parent package; for such a name the package keeps the
    public object (the function), as an eager ``from .sample_size import sample_size`` did.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        table = self.__dict__.get("_LAZY", {})
        if isinstance(value, types.ModuleType) and table.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


def lazy_module(
    package: str, table: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``__getattr__`` and ``__dir__`` for ``package`` that import names from ``table``.

    Parameters
    ----------
    package
        The package's ``__name__`` (for the error message).
    table
        Public name -> the module that defines it (absolute dotted path).
    namespace
        The package's ``globals()``; a name, once loaded, is cached there so later lookups are
        ordinary attribute reads.
    """

    sys.modules[package].__class__ = _Package

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__
