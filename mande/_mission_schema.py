"""The mission configuration file (``mission.yaml``) as a typed model: pydantic, unknown fields
forbidden, choices as literal types, and the cross-references checked (an event's regions are the
mission's regions, the default language is one of its languages, a fieldwork window ends after it
starts, region p-codes are unique). :func:`check_mission` returns every problem of the file at once;
:func:`mande.config.load_mission` raises them together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import ValidationError, field_validator

from mande._definitions import Strict, problems_from, unknown
from mande.errors import Problem
from mande.reporting.policy import ReportingPolicy

__all__ = ["EVENT_KINDS", "MissionFile", "check_mission"]

EventKind = Literal[
    "deployment", "withdrawal", "robust_operation", "mandate_renewal", "security_incident",
    "election", "peace_agreement", "other",
]  # fmt: skip
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
Role = Literal["viewer", "officer", "admin"]
Texts = dict[str, str] | str


def _date(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            raise ValueError("expected a date as YYYY-MM-DD") from None
    return v


def _holds_date(ann: Any) -> bool:
    if ann is dt.date:
        return True
    return any(_holds_date(a) for a in getattr(ann, "__args__", ()) or ())


class _Dated(Strict):
    @field_validator("*", mode="before")
    @classmethod
    def _dates(cls, v: Any, info: Any) -> Any:
        ann = cls.model_fields[info.field_name].annotation
        if _holds_date(ann):
            if isinstance(v, list):
                return [_date(x) for x in v]
            return _date(v)
        return v


class MissionInfo(_Dated):
    code: str
    name: Texts
    short_name: Texts | None = None
    country: Texts | None = None
    deployed: dt.date | None = None


class Admin2(Strict):
    pcode: str
    name: Texts


class RegionSpec(Strict):
    pcode: str
    name: Texts
    admin2: list[Admin2] | None = None

    @field_validator("pcode", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v


class EventSpec(_Dated):
    id: str
    date: dt.date
    kind: EventKind
    label: Texts | None = None
    regions: list[str] | None = None
    end: dt.date | None = None


class PeriodSpec(_Dated):
    id: str
    start: dt.date
    end: dt.date

    @field_validator("id", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v


class ReportingSpec(_Dated):
    start: dt.date | None = None
    months: Literal[1, 2, 3, 4, 6, 12] | None = None
    count: int | None = None
    periods: list[PeriodSpec] | None = None


class SurveySpec(_Dated):
    round: str
    fieldwork: list[dt.date]


class PrivacySpec(Strict):
    """``privacy:``: the mission's lists for the personal-data gate (:class:`mande.gate.Gazetteer`)."""

    names: list[str] | None = None
    partners: list[str] | None = None
    acronyms: list[str] | None = None
    public: list[str] | None = None


class MissionFile(Strict):
    """``mission.yaml``, as written."""

    mission: MissionInfo
    languages: list[Literal["en", "fr"]] | None = None
    default_language: Literal["en", "fr"] | None = None
    boundaries: str | None = None
    reporting: ReportingSpec
    surveys: list[SurveySpec] | None = None
    regions: list[RegionSpec]
    events: list[EventSpec] | None = None
    roles: dict[Role, list[str] | None] | None = None
    policy: ReportingPolicy | None = None
    # the sampling frame's population margins (weighting); validated where they are used
    population: Any = None
    privacy: PrivacySpec | None = None


HELP = {
    "mission": "code and name (en, fr)",
    "regions": "a list of {pcode: ..., name: {en: ..., fr: ...}}",
    "reporting": "start (YYYY-MM-01), months (1, 2, 3, 4, 6 or 12) and count, or periods",
    "date": "a date as YYYY-MM-DD",
    "fieldwork": "[start, end] as dates YYYY-MM-DD",
}


def check_mission(raw: Any) -> list[Problem]:
    """Every problem of a mission configuration (form and cross-references); empty when sound."""
    try:
        spec = MissionFile.model_validate(raw)
    except ValidationError as exc:
        return problems_from(exc, MissionFile, help=HELP)
    problems: list[Problem] = []

    def add(field: str, message: str, code: str = "invalid") -> None:
        problems.append(Problem(message, code=code, column=field))

    pcodes = [r.pcode for r in spec.regions]
    dup = sorted({p for p in pcodes if pcodes.count(p) > 1})
    if dup:
        add("regions", f"p-codes must be unique; {dup} appear more than once")
    for i, e in enumerate(spec.events or []):
        bad = [r for r in e.regions or [] if r not in pcodes]
        if bad:
            add(
                f"events[{i}].regions",
                f"names unknown regions {bad}; known: {sorted(pcodes)}",
                "unknown_region",
            )
        if e.end is not None and e.end < e.date:
            add(f"events[{i}].end", f"ends ({e.end}) before the event's date ({e.date})")
    for i, s in enumerate(spec.surveys or []):
        if len(s.fieldwork) != 2:
            add(f"surveys[{i}].fieldwork", "needs [start, end]")
        elif s.fieldwork[1] < s.fieldwork[0]:
            add(
                f"surveys[{i}].fieldwork",
                f"ends ({s.fieldwork[1]}) before it starts ({s.fieldwork[0]})",
            )
    langs = list(spec.languages or ["en"])
    if spec.default_language is not None and spec.default_language not in langs:
        add(
            "default_language",
            unknown(spec.default_language, langs, "language") + "; add it to languages",
        )
    rep = spec.reporting
    if rep.periods is None:
        for key in ("start", "months", "count"):
            if getattr(rep, key) is None:
                add(f"reporting.{key}", f"missing; give {HELP['reporting']}")
        if rep.start is not None and rep.start.day != 1:
            add("reporting.start", f"got {rep.start}; periods start on the 1st of a month")
    return problems
