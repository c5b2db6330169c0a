"""The errors mande raises.

Every error is a :class:`MandeError`. A message says what was received, what was expected and how
to fix it. :class:`DataValidationError` carries every problem found, not only the first, so that an
officer can fix a spreadsheet in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = [
    "ConfigError",
    "DataValidationError",
    "DefinitionError",
    "DesignError",
    "EstimationError",
    "MandeError",
    "PermissionDenied",
    "Problem",
    "StoreError",
    "redact",
]

# user:password@ in a URL (well formed or not; the password may itself hold '@' or ':'), and
# password=... / secret=... pairs (libpq connection strings, settings).
_URL_PASSWORD = re.compile(r"""(?P<user>[^\s:/@'"]+):(?P<pw>[^\s'"/][^\s'"]*)@""")
_PAIR_SECRET = re.compile(
    r"""(?i)\b(?P<key>password|passwd|pwd|[a-z_]*secret|token)(?P<sep>\s*[=:]\s*)"""
    r"""(?P<value>'[^']*'|"[^"]*"|[^\s,;&'")]+)"""
)


def redact(text: str) -> str:
    """``text`` with passwords and secrets replaced by ``***``: the password of any
    ``user:password@host`` (a database URL, even malformed) and the value of ``password=``,
    ``secret=``, ``token=`` pairs. Every :class:`MandeError` message goes through it."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['user']}:***@", text)
    return _PAIR_SECRET.sub(lambda m: f"{m['key']}{m['sep']}***", text)


class MandeError(Exception):
    """Base class of every error mande raises on purpose. Its message never holds a password or
    secret (:func:`redact`), so that it can be shown and logged as it is."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))


@dataclass(frozen=True)
class Problem:
    """One thing wrong (an error) or worth a look (a warning) in an uploaded file.

    Attributes
    ----------
    message:
        What is wrong and how to fix it, in a sentence an officer can act on.
    severity:
        ``"error"`` blocks the upload; ``"warning"`` does not.
    code:
        A stable machine-readable name for the kind of problem (``"missing_column"``, ...).
    sheet, row, column:
        Where it is. ``row`` is the spreadsheet's own row number (header = row 1), so that it matches
        what the officer sees in Excel.
    value:
        The value found, as text.
    expected:
        What was expected instead.
    """

    message: str
    severity: Literal["error", "warning"] = "error"
    code: str = "invalid"
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"sheet '{self.sheet}'" if self.sheet else "",
                f"row {self.row}" if self.row is not None else "",
                f"column '{self.column}'" if self.column else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


class DataValidationError(MandeError, ValueError):
    """An uploaded file or data frame failed validation.

    ``problems`` holds every problem found (errors and the warnings found alongside them).
    """

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems: list[Problem] = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        shown = "\n".join(f"  - {p}" for p in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{message}\n{shown}{more}" if shown else message)
        self.message = message

    @property
    def errors(self) -> Sequence[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def to_frame(self) -> Any:
        """The problems as a pandas DataFrame (one row per problem)."""
        import pandas as pd

        columns = ["severity", "code", "sheet", "row", "column", "value", "expected", "message"]
        return pd.DataFrame([p.as_dict() for p in self.problems], columns=columns)


class DefinitionError(MandeError, ValueError):
    """An indicator definition, rubric, mapping, catalogue or mission file is invalid.

    The message names the file and the field, and says how to fix it. ``problems`` holds every
    problem found in the file (``column`` is the field, ``sheet`` the file), so that one run lists
    them all.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        field: str | None = None,
        problems: Iterable[Problem] = (),
    ) -> None:
        self.problems: list[Problem] = list(problems)
        if field is None and self.problems:
            field = self.problems[0].column
        self.path = path
        self.field = field
        if self.problems:
            lines = "\n".join(
                f"  - field '{p.column}': {p.message}" if p.column else f"  - {p.message}"
                for p in self.problems
            )
            head = f"{path}: {message}" if path else message
            super().__init__(f"{head}\n{lines}")
            return
        where = " ".join(
            p for p in (f"{path}:" if path else "", f"field '{field}':" if field else "") if p
        )
        super().__init__(f"{where} {message}".strip())


class ConfigError(MandeError, ValueError):
    """The mission configuration or a setting is invalid. ``problems`` holds every problem found
    in a configuration file (``column`` is the field)."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(message)


class DesignError(MandeError, ValueError):
    """A survey design does not fit the data (missing column, bad weight, lonely PSU with 'fail')."""


class EstimationError(MandeError, ValueError):
    """An estimate cannot be computed as asked (unknown kind, variable not numeric, ...)."""


class StoreError(MandeError):
    """The store refused an operation or is not reachable."""


class PermissionDenied(MandeError, PermissionError):
    """The current user's role does not allow this action."""
