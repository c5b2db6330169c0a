"""Reading the mission's footprint: deployments, the activity log, and Geo-PKO's location-year data.

:func:`read_deployments` and :func:`read_activities` read an officer's own spreadsheets (``.xlsx``,
``.xls`` or ``.csv``); :func:`read_geopko` reads the Geocoded Peacekeeping Operations dataset's
location-year format (Cil, Fjelde, Hultman and Nilsson 2020). Each checks every row and raises
:class:`~mande.errors.DataValidationError` listing every problem with the spreadsheet's own row
number, the column, the value found and what was expected.

Decisions
---------
- Every file goes through the shared guard of survey ingest (:func:`mande.ingest._files.read_tables`:
  size limit, zip-bomb check, password-protected workbooks, type sniffed from the bytes, blank or
  duplicate headers, formulas without a saved value).
- Headers may be in English or French, in any case, with or without accents; an unknown column is
  dropped and named in the report (a log's free-text notes may name people: they never go further).
- A deployment is placed by its latitude and longitude when given, else by its admin p-code. An
  activity is placed by its admin p-code (admin 1 or admin 2; an admin 2 p-code is mapped to its
  region through the mission's configuration).
- Geo-PKO's ``NA`` is "unknown" and read as missing; a location-year becomes a deployment from
  1 January to 31 December of its year.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, Problem
from mande.ingest._files import DEFAULT_MAX_BYTES, read_tables, sha256_file

if TYPE_CHECKING:
    from mande.config import MissionConfig

__all__ = [
    "ACTIVITY_TYPES",
    "DEPLOYMENT_TYPES",
    "Activities",
    "Deployments",
    "FootprintReport",
    "read_activities",
    "read_deployments",
    "read_geopko",
]

DEPLOYMENT_TYPES: dict[str, dict[str, str]] = {
    "hq": {"en": "Headquarters", "fr": "Quartier général"},
    "base": {"en": "Base", "fr": "Base"},
    "temporary_base": {"en": "Temporary operating base", "fr": "Base opérationnelle temporaire"},
    "team_site": {"en": "Team site", "fr": "Site d'équipe"},
    "police_post": {"en": "Police post", "fr": "Poste de police"},
}
ACTIVITY_TYPES: dict[str, dict[str, str]] = {
    "patrol": {"en": "Patrol", "fr": "Patrouille"},
    "meeting": {"en": "Community engagement meeting", "fr": "Réunion d'engagement communautaire"},
    "qip": {"en": "Quick-impact project", "fr": "Projet à effet rapide"},
}
_TYPE_ALIASES = {
    "quartier general": "hq", "headquarters": "hq", "qg": "hq", "tob": "temporary_base",
    "temporary operating base": "temporary_base", "base operationnelle temporaire":
    "temporary_base", "cob": "base", "company operating base": "base", "team site": "team_site",
    "site d'equipe": "team_site", "police post": "police_post", "poste de police": "police_post",
    "patrouille": "patrol", "reunion": "meeting", "community engagement": "meeting",
    "engagement communautaire": "meeting", "quick impact project": "qip",
    "projet a effet rapide": "qip", "per": "qip",
}  # fmt: skip

MAX_ROWS = 200_000

# canonical column -> accepted headers (folded: lower case, no accents, spaces for _ and -)
_DEPLOYMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "site": ("site", "base", "location", "lieu", "nom", "name"),
    "type": ("type", "kind", "type de site", "type de base"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "long", "lng"),
    "pcode": ("pcode", "p code", "admin pcode", "admin", "area", "zone"),
    "start": ("start", "start date", "opened", "debut", "date debut", "date de debut", "ouverture"),
    "end": ("end", "end date", "closed", "fin", "date fin", "date de fin", "fermeture"),
    "troops": ("troops", "troupes", "military", "militaires", "notroops"),
    "police": ("police", "unpol", "policiers"),
}
_ACTIVITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "jour"),
    "pcode": ("pcode", "p code", "admin pcode", "admin", "area", "zone"),
    "type": ("type", "activity", "activite", "type d'activite"),
    "partner_types": (
        "partner types", "partners", "partner type", "types de partenaires", "partenaires",
    ),
    "count": ("count", "number", "nombre", "n"),
}  # fmt: skip
_GEOPKO_COLUMNS = (
    "mission", "year", "country", "location", "latitude", "longitude", "Infantry", "NoTroops",
    "Reserve", "hq", "UNPOL", "Med", "Av", "UNMO", "ave.no.troops",
)  # fmt: skip
_GEOPKO_COUNTS = ("Infantry", "NoTroops", "Reserve", "UNPOL", "Med", "Av", "UNMO", "ave.no.troops")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d")
_SPLIT = re.compile(r"[;,|/\s]+")


@dataclass(frozen=True)
class FootprintReport:
    """What reading noticed without refusing the file."""

    source: str
    sha256: str
    sheet: str
    n_rows: int
    dropped_columns: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Deployments:
    """Where the mission's uniformed personnel were, and when.

    ``frame`` has one row per deployment: ``site``, ``type`` (a key of :data:`DEPLOYMENT_TYPES`),
    ``latitude``, ``longitude`` (WGS 84, NaN when only a p-code was given), ``pcode`` (as given, or
    empty), ``start``, ``end`` (``datetime.date``; ``end`` None while still open), ``troops``,
    ``police`` (float; NaN when unknown). Geo-PKO adds ``mission``, ``country`` and ``year``.
    """

    frame: pd.DataFrame
    report: FootprintReport = field(repr=False)


@dataclass(frozen=True)
class Activities:
    """What the mission did where: one row per activity (or per ``count`` of identical ones).

    ``frame``: ``date`` (``datetime.date``), ``pcode``, ``type`` (a key of
    :data:`ACTIVITY_TYPES`), ``partner_types`` (space-separated partner-type codes of the rubric;
    meetings only) and ``count`` (int, 1 unless given).
    """

    frame: pd.DataFrame
    report: FootprintReport = field(repr=False)


# ------------------------------------------------------------------------------------------------
# helpers


def _fold(text: Any) -> str:
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", s.replace("_", " ").replace("-", " ")).strip().lower()


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and value.strip() in ("", "NA", "N/A", "n/a", "na")


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Problems:
    def __init__(self, source: str, sheet: str) -> None:
        self.source, self.sheet = source, sheet
        self.items: list[Problem] = []

    def add(
        self, message: str, *, code: str, row: int | None = None, column: str | None = None,
        value: Any = None, expected: str | None = None, severity: str = "error",
    ) -> None:  # fmt: skip
        self.items.append(
            Problem(
                message, severity="warning" if severity == "warning" else "error", code=code,
                sheet=self.sheet, row=row, column=column,
                value=None if value is None else _show(value), expected=expected,
            )
        )  # fmt: skip

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    def raise_if_errors(self, what: str) -> None:
        if self.errors:
            raise DataValidationError(
                f"{self.source}: {len(self.errors)} problem(s) in the {what}; nothing was read. "
                "Fix the rows listed and upload the file again",
                self.items,
            )

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.items if p.severity == "warning")


def _number(value: Any) -> float | None:
    """A number from a cell (int, float, or text with a . or , decimal point); None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if np.isfinite(value) else None
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        out = float(text)
    except ValueError:
        return None
    return out if np.isfinite(out) else None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    text = str(value).strip()
    if "T" in text:
        text = text.split("T", 1)[0]
    elif " " in text:
        text = text.split(" ", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _read_one_table(path: Path, max_bytes: int | None, what: str) -> tuple[str, pd.DataFrame]:
    tables = read_tables(path, max_bytes=max_bytes)
    name, table = next(iter(tables.items()))
    if len(table.frame) > MAX_ROWS:
        raise DataValidationError(
            f"{path.name}: the {what} has {len(table.frame):,} rows, more than the {MAX_ROWS:,} "
            "accepted; split it by year",
            [Problem(f"too many rows ({len(table.frame)})", code="too_many_rows", sheet=name)],
        )
    return name, table.frame


def _map_headers(
    frame: pd.DataFrame, columns: Mapping[str, tuple[str, ...]], required: Iterable[str],
    col: _Problems, what: str,
) -> tuple[dict[str, str], tuple[str, ...]]:  # fmt: skip
    """canonical -> header in the file; and the headers dropped."""
    found: dict[str, str] = {}
    dropped: list[str] = []
    for header in frame.columns:
        key = _fold(header)
        canon = next((c for c, names in columns.items() if key in names), None)
        if canon is None or canon in found:
            dropped.append(str(header))
        else:
            found[canon] = str(header)
    for name in required:
        if name not in found:
            col.add(
                f"column '{name}' not found; the {what} needs the columns "
                f"{', '.join(columns)} (headers in English or French); columns present: "
                f"{', '.join(map(str, frame.columns))}",
                code="missing_column", column=name,
                expected=" / ".join(columns[name][:3]),
            )  # fmt: skip
    return found, tuple(dropped)


def _known_pcodes(mission: MissionConfig | None, pcodes: Iterable[str] | None) -> dict[str, str]:
    """p-code -> its region (admin 1) p-code, from the mission and any extra codes given."""
    out: dict[str, str] = {}
    if mission is not None:
        for r in mission.regions:
            out[r.pcode] = r.pcode
            for code, _ in r.admin2:
                out[code] = r.pcode
    for code in pcodes or ():
        out.setdefault(str(code), str(code))
    return out


def _type(value: Any, allowed: Mapping[str, Any]) -> str | None:
    key = _fold(value)
    if key.replace(" ", "_") in allowed:
        return key.replace(" ", "_")
    alias = _TYPE_ALIASES.get(key)
    if alias in allowed:
        return alias
    for code, labels in allowed.items():
        if key in {_fold(v) for v in labels.values()}:
            return code
    return None


# ------------------------------------------------------------------------------------------------
# deployments


def read_deployments(
    path: str | Path,
    *,
    mission: MissionConfig | None = None,
    pcodes: Iterable[str] | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Deployments:
    """Read a deployments sheet: one row per base or site, with its dates and numbers.

    Parameters
    ----------
    path:
        ``.xlsx``, ``.xls`` or ``.csv``; the first sheet is read. Columns (English or French
        headers): ``site``, ``type`` (hq, base, temporary_base, team_site, police_post),
        ``latitude`` and ``longitude`` (decimal degrees, WGS 84) or ``pcode``, ``start``, ``end``
        (empty while open), ``troops``, ``police``.
    mission, pcodes:
        The admin p-codes a ``pcode`` cell may hold (the mission's regions and admin 2 units, and
        any others given). Without either, any p-code is accepted.
    max_bytes:
        Size limit of the file.

    Raises
    ------
    DataValidationError
        The file is refused by the shared guard, or any row is invalid: a missing site, an
        unknown type, coordinates that are not numbers or out of range, neither coordinates nor a
        p-code, an unknown p-code, a start that is not a date, an end before the start, negative
        numbers of personnel. Every problem is listed.
    """
    path = Path(path)
    sheet, raw = _read_one_table(path, max_bytes, "deployments sheet")
    col = _Problems(path.name, sheet)
    cols, dropped = _map_headers(
        raw, _DEPLOYMENT_COLUMNS, ("site", "start"), col, "deployments sheet"
    )
    if "latitude" not in cols and "pcode" not in cols:
        col.add(
            "the deployments sheet needs 'latitude' and 'longitude', or 'pcode', to place each site",
            code="missing_column", column="latitude", expected="latitude/longitude or pcode",
        )  # fmt: skip
    if ("latitude" in cols) != ("longitude" in cols):
        col.add(
            "give both 'latitude' and 'longitude' (decimal degrees)", code="missing_column",
            column="longitude" if "latitude" in cols else "latitude",
        )  # fmt: skip
    col.raise_if_errors("deployments sheet")
    known = _known_pcodes(mission, pcodes)
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(raw.to_dict("records")):
        r = i + 2

        def cell(name: str, rec: Mapping[Any, Any] = rec) -> Any:
            return rec.get(cols[name]) if name in cols else None

        if all(_blank(v) for v in rec.values()):
            continue
        out = _deployment_row(cell, r, cols, known, col)
        if out is not None:
            rows.append(out)
    if not rows and not col.errors:
        col.add("the deployments sheet has no rows under its header", code="empty_sheet")
    col.raise_if_errors("deployments sheet")
    frame = pd.DataFrame(
        rows,
        columns=[
            "site", "type", "latitude", "longitude", "pcode", "start", "end", "troops", "police",
        ],
    )  # fmt: skip
    report = FootprintReport(path.name, sha256_file(path), sheet, len(frame), dropped, col.warnings)
    return Deployments(frame, report)


def _deployment_row(
    cell: Any, r: int, cols: Mapping[str, str], known: Mapping[str, str], col: _Problems
) -> dict[str, Any] | None:
    n_before = len(col.errors)
    site = cell("site")
    if _blank(site):
        col.add("the site has no name", code="missing_value", row=r, column=cols["site"])
    kind = "base"
    if "type" in cols and not _blank(cell("type")):
        found = _type(cell("type"), DEPLOYMENT_TYPES)
        if found is None:
            col.add(
                f"unknown type {str(cell('type'))!r}", code="invalid_type", row=r,
                column=cols["type"], value=cell("type"), expected=", ".join(DEPLOYMENT_TYPES),
            )  # fmt: skip
        else:
            kind = found
    coords: list[float | None] = [None, None]
    for k, (name, limit) in enumerate((("latitude", 90.0), ("longitude", 180.0))):
        if name not in cols or _blank(cell(name)):
            continue
        v = _number(cell(name))
        if v is None or abs(v) > limit:
            col.add(
                f"{name} {str(cell(name))!r} is not a number between -{limit:g} and {limit:g}",
                code="invalid_coordinate", row=r, column=cols[name], value=cell(name),
                expected=f"decimal degrees, -{limit:g} to {limit:g}",
            )  # fmt: skip
        else:
            coords[k] = v
    pcode = "" if "pcode" not in cols or _blank(cell("pcode")) else str(cell("pcode")).strip()
    lat_given = "latitude" in cols and not _blank(cell("latitude"))
    lon_given = "longitude" in cols and not _blank(cell("longitude"))
    if lat_given != lon_given:
        col.add(
            "give both latitude and longitude, or neither", code="missing_value", row=r,
            column=cols["longitude" if lat_given else "latitude"],
        )  # fmt: skip
    if not lat_given and not lon_given and not pcode:
        col.add(
            "the site has neither coordinates nor a p-code; give latitude and longitude, or the "
            "admin p-code of its area", code="missing_value", row=r,
            column=cols.get("latitude") or cols.get("pcode"),
        )  # fmt: skip
    if pcode and known and pcode not in known:
        col.add(
            f"p-code {pcode!r} is not one of the mission's areas", code="unknown_pcode", row=r,
            column=cols["pcode"], value=pcode, expected=", ".join(sorted(known)[:12]) + " ...",
        )  # fmt: skip
    start = None if _blank(cell("start")) else _date(cell("start"))
    if start is None:
        col.add(
            f"start {'is empty' if _blank(cell('start')) else repr(str(cell('start')))}; "
            "give the date the site opened", code="invalid_date", row=r, column=cols["start"],
            value=cell("start"), expected="a date, e.g. 2024-12-01 or 01/12/2024",
        )  # fmt: skip
    end = None
    if "end" in cols and not _blank(cell("end")):
        end = _date(cell("end"))
        if end is None:
            col.add(
                f"end {str(cell('end'))!r} is not a date; leave it empty while the site is open",
                code="invalid_date", row=r, column=cols["end"], value=cell("end"),
                expected="a date, e.g. 2025-10-31",
            )  # fmt: skip
        elif start is not None and end < start:
            col.add(
                f"end {end.isoformat()} is before start {start.isoformat()}",
                code="end_before_start", row=r, column=cols["end"], value=end.isoformat(),
                expected=f"on or after {start.isoformat()}",
            )  # fmt: skip
    numbers: dict[str, float] = {}
    for name in ("troops", "police"):
        numbers[name] = np.nan
        if name not in cols or _blank(cell(name)):
            continue
        v = _number(cell(name))
        if v is None or v < 0 or v != int(v):
            col.add(
                f"{name} {str(cell(name))!r} is not a whole number of people",
                code="invalid_number", row=r, column=cols[name], value=cell(name),
                expected="a whole number, 0 or more",
            )  # fmt: skip
        else:
            numbers[name] = v
    if len(col.errors) > n_before:
        return None
    return {
        "site": str(site).strip(), "type": kind,
        "latitude": np.nan if coords[0] is None else coords[0],
        "longitude": np.nan if coords[1] is None else coords[1],
        "pcode": pcode, "start": start, "end": end, **numbers,
    }  # fmt: skip


# ------------------------------------------------------------------------------------------------
# activities


def read_activities(
    path: str | Path,
    *,
    mission: MissionConfig | None = None,
    pcodes: Iterable[str] | None = None,
    partner_types: Iterable[str] | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Activities:
    """Read an activity log: patrols, community engagement meetings and quick-impact projects.

    Parameters
    ----------
    path:
        ``.xlsx``, ``.xls`` or ``.csv``; the first sheet is read. Columns: ``date``, ``pcode``
        (admin 1 or admin 2), ``type`` (patrol, meeting, qip), ``partner_types`` (meetings: the
        partner types met, rubric codes separated by spaces, commas or semicolons) and,
        optionally, ``count`` (identical activities on that day and area).
    mission, pcodes:
        The p-codes a ``pcode`` cell may hold; an admin 2 p-code is kept as given (see
        :func:`mande.footprint.exposure`, which maps it to its region).
    partner_types:
        The partner-type codes accepted (default: the standard rubric's).

    Raises
    ------
    DataValidationError
        Refused by the shared guard, or rows with a missing or invalid date, an unknown p-code or
        type, an unknown partner type, a count that is not a positive whole number.
    """
    path = Path(path)
    sheet, raw = _read_one_table(path, max_bytes, "activity log")
    col = _Problems(path.name, sheet)
    cols, dropped = _map_headers(
        raw, _ACTIVITY_COLUMNS, ("date", "pcode", "type"), col, "activity log"
    )
    col.raise_if_errors("activity log")
    if partner_types is None:
        from mande.partners.rubric import load_rubric

        partner_types = tuple(load_rubric().partner_types)
    allowed_partners = set(partner_types)
    known = _known_pcodes(mission, pcodes)
    rows: list[tuple[Any, ...]] = []
    for i, rec in enumerate(raw.to_dict("records")):
        r = i + 2
        if all(_blank(v) for v in rec.values()):
            continue
        n_before = len(col.errors)
        day = None if _blank(rec[cols["date"]]) else _date(rec[cols["date"]])
        if day is None:
            col.add(
                f"date {str(rec[cols['date']])!r} is not a date", code="invalid_date", row=r,
                column=cols["date"], value=rec[cols["date"]], expected="a date, e.g. 2025-03-14",
            )  # fmt: skip
        pcode = str(rec[cols["pcode"]]).strip()
        if _blank(rec[cols["pcode"]]) or (known and pcode not in known):
            col.add(
                f"p-code {pcode!r} is not one of the mission's areas", code="unknown_pcode",
                row=r, column=cols["pcode"], value=pcode,
                expected=", ".join(sorted(known)[:12]) + " ..." if known else "an admin p-code",
            )  # fmt: skip
        kind = _type(rec[cols["type"]], ACTIVITY_TYPES)
        if kind is None:
            col.add(
                f"unknown activity type {str(rec[cols['type']])!r}", code="invalid_type", row=r,
                column=cols["type"], value=rec[cols["type"]], expected=", ".join(ACTIVITY_TYPES),
            )  # fmt: skip
        partners: list[str] = []
        if "partner_types" in cols and not _blank(rec[cols["partner_types"]]):
            partners = [p for p in _SPLIT.split(str(rec[cols["partner_types"]]).strip()) if p]
            bad = [p for p in partners if p not in allowed_partners]
            if bad:
                col.add(
                    f"unknown partner type(s) {bad}", code="invalid_partner_type", row=r,
                    column=cols["partner_types"], value=" ".join(bad),
                    expected=", ".join(sorted(allowed_partners)),
                )  # fmt: skip
            if kind is not None and kind != "meeting":
                col.add(
                    f"partner types are recorded for meetings only; this row is a {kind}",
                    code="partner_types_not_meeting", row=r, column=cols["partner_types"],
                    severity="warning",
                )  # fmt: skip
        count = 1
        if "count" in cols and not _blank(rec[cols["count"]]):
            v = _number(rec[cols["count"]])
            if v is None or v < 1 or v != int(v):
                col.add(
                    f"count {str(rec[cols['count']])!r} is not a positive whole number",
                    code="invalid_number", row=r, column=cols["count"], value=rec[cols["count"]],
                    expected="1, 2, 3, ...",
                )  # fmt: skip
            else:
                count = int(v)
        if len(col.errors) == n_before:
            rows.append((day, pcode, kind, " ".join(partners), count))
    if not rows and not col.errors:
        col.add("the activity log has no rows under its header", code="empty_sheet")
    col.raise_if_errors("activity log")
    frame = pd.DataFrame(rows, columns=["date", "pcode", "type", "partner_types", "count"])
    frame["count"] = frame["count"].astype(int)
    report = FootprintReport(path.name, sha256_file(path), sheet, len(frame), dropped, col.warnings)
    return Activities(frame, report)


# ------------------------------------------------------------------------------------------------
# Geo-PKO


def read_geopko(
    path: str | Path,
    *,
    missions: Iterable[str] | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Deployments:
    """Read Geo-PKO's location-year format (the "FrontMap" table of Geo-PKO v2.x).

    One row per mission, year and location: ``mission``, ``year``, ``country``, ``location``,
    ``latitude``, ``longitude``, ``Infantry``, ``NoTroops``, ``Reserve``, ``hq`` (headquarters
    level, 0 none), ``UNPOL``, ``Med``, ``Av``, ``UNMO``, ``ave.no.troops``; ``NA`` where
    unknown.

    Parameters
    ----------
    missions:
        Keep these missions only (e.g. ``["MINUSCA"]``); default all.

    Returns
    -------
    Deployments
        One deployment per location-year, from 1 January to 31 December of the year: ``site`` =
        location, ``type`` ``"hq"`` when ``hq`` > 0 else ``"base"``, ``troops`` = ``NoTroops``
        (``ave.no.troops`` when ``NoTroops`` is unknown), ``police`` = ``UNPOL``, plus
        ``mission``, ``country``, ``year``.

    Raises
    ------
    DataValidationError
        Missing columns, a year that is not a whole number between 1948 and 2100, a location
        without a name, coordinates missing or out of range, negative or non-numeric counts.

    References
    ----------
    Cil, D., Fjelde, H., Hultman, L. and Nilsson, D. (2020). Mapping blue helmets: Introducing the
    Geocoded Peacekeeping Operations (Geo-PKO) dataset. Journal of Peace Research 57(2), 360-370.
    """
    path = Path(path)
    sheet, raw = _read_one_table(path, max_bytes, "Geo-PKO table")
    col = _Problems(path.name, sheet)
    headers = {_fold(h): str(h) for h in raw.columns}
    cols = {c: headers[_fold(c)] for c in _GEOPKO_COLUMNS if _fold(c) in headers}
    for needed in ("mission", "year", "location", "latitude", "longitude"):
        if needed not in cols:
            col.add(
                f"column '{needed}' not found; a Geo-PKO location-year table has the columns "
                f"{', '.join(_GEOPKO_COLUMNS)}; columns present: {', '.join(map(str, raw.columns))}",
                code="missing_column", column=needed,
            )  # fmt: skip
    col.raise_if_errors("Geo-PKO table")
    keep = {m.strip() for m in missions} if missions is not None else None
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(raw.to_dict("records")):
        r = i + 2
        if all(_blank(v) for v in rec.values()):
            continue
        mission = str(rec[cols["mission"]]).strip()
        if keep is not None and mission not in keep:
            continue
        n_before = len(col.errors)
        if _blank(rec[cols["mission"]]):
            col.add("the mission is empty", code="missing_value", row=r, column=cols["mission"])
        year_v = _number(rec[cols["year"]])
        if year_v is None or year_v != int(year_v) or not 1948 <= year_v <= 2100:
            col.add(
                f"year {str(rec[cols['year']])!r} is not a year", code="invalid_year", row=r,
                column=cols["year"], value=rec[cols["year"]], expected="a whole year, 1948-2100",
            )  # fmt: skip
        if _blank(rec[cols["location"]]):
            col.add(
                "the location has no name", code="missing_value", row=r, column=cols["location"]
            )
        coords = []
        for name, limit in (("latitude", 90.0), ("longitude", 180.0)):
            v = None if _blank(rec[cols[name]]) else _number(rec[cols[name]])
            if v is None or abs(v) > limit:
                col.add(
                    f"{name} {str(rec[cols[name]])!r} is not a number between -{limit:g} and "
                    f"{limit:g}", code="invalid_coordinate", row=r, column=cols[name],
                    value=rec[cols[name]], expected=f"decimal degrees, -{limit:g} to {limit:g}",
                )  # fmt: skip
            coords.append(v)
        counts: dict[str, float] = {}
        for name in (*_GEOPKO_COUNTS, "hq"):
            counts[name] = np.nan
            if name not in cols or _blank(rec[cols[name]]):
                continue
            v = _number(rec[cols[name]])
            if v is None or v < 0:
                col.add(
                    f"{name} {str(rec[cols[name]])!r} is not a number of 0 or more (NA if unknown)",
                    code="invalid_number", row=r, column=cols[name], value=rec[cols[name]],
                    expected="a number >= 0, or NA",
                )  # fmt: skip
            else:
                counts[name] = v
        if len(col.errors) > n_before or year_v is None:
            continue
        year = int(year_v)
        troops = counts["NoTroops"]
        if np.isnan(troops):
            troops = counts["ave.no.troops"]
        rows.append(
            {
                "site": str(rec[cols["location"]]).strip(),
                "type": "hq" if counts["hq"] > 0 else "base",
                "latitude": coords[0], "longitude": coords[1], "pcode": "",
                "start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31),
                "troops": troops, "police": counts["UNPOL"], "mission": mission,
                "country": "" if "country" not in cols else str(rec[cols["country"]]).strip(),
                "year": year,
            }
        )  # fmt: skip
    if not rows and not col.errors:
        col.add(
            "no location-year rows" + (f" for {sorted(keep)}" if keep else ""), code="empty_sheet"
        )
    col.raise_if_errors("Geo-PKO table")
    frame = pd.DataFrame(rows)
    report = FootprintReport(path.name, sha256_file(path), sheet, len(frame), (), col.warnings)
    return Deployments(frame, report)
