"""The shapes of a survey export: KoboToolbox, ODK Central, and files that went through R or Excel.

:func:`read_export` opens an export with the upload guard (:func:`mande.ingest._files.read_tables`)
and returns its main table and its repeat-group tables with headers brought to the names Kobo and
ODK write:

- **KoboToolbox** (kpi/formpack exports, .xlsx or .csv): metadata ``_id``, ``_uuid``,
  ``_submission_time``, ``_validation_status``, ``_notes``, ``_status``, ``_submitted_by``,
  ``_tags``, ``_index``, ``__version__`` or ``_version_``; an optional second header row of HXL
  hashtags (``#loc+name``), skipped; repeat groups on their own sheets, each row carrying
  ``_index``, ``_parent_index`` and ``_parent_table_name`` (read as linked tables by
  :func:`mande.read_survey`).
- **ODK Central** (``submissions.csv``): ``SubmissionDate``, ``meta-instanceID``, ``KEY``,
  ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``,
  ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``; groups joined by ``-``;
  split select-multiples as ``q/choice``.
- **R** (``read.csv`` / ``write.csv``): ``_uuid`` became ``X_uuid``, a byte-order mark became
  ``X.U.FEFF.``, ``/`` became ``.``, missing cells ``NA``, row names written under an empty header;
  the headers are renamed back (``X_uuid`` -> ``_uuid``) and the row names dropped.

Which columns are metadata (used, then dropped) and which are personal data is declared here and
in :mod:`mande.ingest.privacy`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mande.errors import Problem
from mande.ingest._files import DEFAULT_MAX_COLUMNS, DEFAULT_MAX_LINE_CHARS, read_tables

__all__ = [
    "CENTRAL_META",
    "ID_COLUMNS",
    "KOBO_META",
    "SUBMISSION_META",
    "VERSION_COLUMNS",
    "Export",
    "Sheet",
    "read_export",
]

#: Kobo / formpack metadata columns (lower case), on the main sheet and on repeat sheets.
KOBO_META = frozenset(
    {
        "start",
        "end",
        "today",
        "_id",
        "_uuid",
        "_index",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_tags",
        "__version__",
        "_version_",
        "_version",
        "_xform_id_string",
        "_parent_index",
        "_parent_table_name",
        "_submission__id",
        "_submission__uuid",
        "_submission__submission_time",
        "_submission__validation_status",
        "_submission__notes",
        "_submission__status",
        "_submission__tags",
        "_submission___version__",
        "_duration",
        "uuid",
        "formhub/uuid",
        "instanceid",
        "instancename",
        "deprecatedid",
        "rootuuid",
        "meta/instanceid",
        "meta/instancename",
        "meta/deprecatedid",
        "meta/rootuuid",
        "meta/audit",
    }
)
#: ODK Central / Briefcase metadata columns (lower case).
CENTRAL_META = frozenset(
    {
        "submissiondate",
        "key",
        "parent_key",
        "meta-instanceid",
        "meta-instancename",
        "meta-deprecatedid",
        "attachmentspresent",
        "attachmentsexpected",
        "status",
        "reviewstate",
        "edits",
        "formversion",
    }
)
#: Submission metadata of either platform: used (id, date, version) then dropped.
SUBMISSION_META = KOBO_META | CENTRAL_META
#: Respondent-id columns tried in turn when the mapping's is absent.
ID_COLUMNS = (
    "_uuid",
    "meta/instanceID",
    "meta-instanceID",
    "instanceID",
    "KEY",
    "_submission__uuid",
    "_id",
)
#: Form-version columns: Kobo's ``__version__`` / ``_version_``, Central's ``FormVersion``.
VERSION_COLUMNS = ("__version__", "_version_", "_version", "FormVersion")
#: Date columns tried in turn when the mapping's is absent.
DATE_COLUMNS = ("today", "start", "_submission_time", "SubmissionDate", "end")

_R_PREFIX = re.compile(r"^X\.U\.FEFF\.|^\ufeff|^ï»¿")
_R_META = re.compile(r"^X(_[A-Za-z_].*)$")
_GPS_PART = re.compile(r"^_.+_(latitude|longitude|altitude|precision)$")


@dataclass(frozen=True)
class Sheet:
    """One table of an export; ``frame`` row ``i`` is spreadsheet row ``i + first_row``."""

    name: str
    frame: pd.DataFrame
    first_row: int = 2


@dataclass(frozen=True)
class Export:
    """An export's main table, its repeat-group tables, and what was noticed on the way."""

    main: Sheet
    repeats: tuple[Sheet, ...] = ()
    platform: str = "unknown"  # "kobo", "odk_central", "unknown"
    problems: tuple[Problem, ...] = ()
    renamed: dict[str, str] = field(default_factory=dict)  # header in the file -> header read


#: Kobo's columns of personal data (removed by :mod:`mande.ingest.privacy`), recognised after R.
_KOBO_PERSONAL = frozenset(
    {"_submitted_by", "_submission__submitted_by", "_geolocation", "_attachments"}
)


def _is_meta(name: str) -> bool:
    low = name.casefold()
    return (
        low in SUBMISSION_META
        or low in _KOBO_PERSONAL
        or low.startswith("_gps_")
        or bool(_GPS_PART.match(low))
    )


def normalise_headers(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Headers that went through R or a byte-order mark, brought back (``X_uuid`` -> ``_uuid``)."""
    renamed: dict[str, str] = {}
    existing = {str(c) for c in frame.columns}
    new_cols = []
    for c in frame.columns:
        h = str(c)
        new = _R_PREFIX.sub("", h).strip()
        m = _R_META.match(new)
        if m and _is_meta(m.group(1)):
            new = m.group(1)
        if new != h and new not in existing and new not in renamed.values():
            renamed[h] = new
            new_cols.append(new)
        else:
            new_cols.append(h)
    if renamed:
        frame = frame.copy()
        frame.columns = new_cols
    return frame, renamed


def _hxl_row(frame: pd.DataFrame) -> bool:
    """True when the first row holds HXL hashtags (``#loc+name``) and nothing else."""
    if frame.empty:
        return False
    filled = [v for v in frame.iloc[0].tolist() if not (v is None or v == "" or v != v)]
    return bool(filled) and all(isinstance(v, str) and v.strip().startswith("#") for v in filled)


def _sheet(name: str, frame: pd.DataFrame) -> tuple[Sheet, dict[str, str]]:
    frame, renamed = normalise_headers(frame)
    first_row = 2
    if _hxl_row(frame):
        frame = frame.iloc[1:].reset_index(drop=True)
        first_row = 3
    return Sheet(name, frame, first_row), renamed


def _platform(headers: list[str]) -> str:
    low = {h.casefold() for h in headers}
    if {"key", "submissiondate"} & low or "meta-instanceid" in low:
        return "odk_central"
    if {"_uuid", "_submission_time", "_index", "_id"} & low:
        return "kobo"
    return "unknown"


def read_export(
    path: str | Path,
    *,
    max_bytes: int | None = None,
    max_columns: int = DEFAULT_MAX_COLUMNS,
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS,
) -> Export:
    """Open an export: the main table (first sheet), the repeat-group sheets, headers normalised.

    Sheets after the first are read as repeat groups when they carry ``_parent_index`` (Kobo's
    export); other sheets are listed as a warning and not read.

    Raises
    ------
    DataValidationError
        Whatever the upload guard refuses (size, type, password, damaged file, invalid header).
    """
    path = Path(path)
    tables = read_tables(
        path, max_bytes=max_bytes, max_columns=max_columns, max_line_chars=max_line_chars
    )
    problems: list[Problem] = []
    renamed: dict[str, str] = {}
    names = list(tables)
    first = tables[names[0]]
    problems.extend(first.warnings)
    main, ren = _sheet(first.sheet, first.frame)
    renamed.update(ren)
    repeats: list[Sheet] = []
    for name in names[1:]:
        t = tables[name]
        sheet, ren = _sheet(t.sheet, t.frame)
        if "_parent_index" in sheet.frame.columns:
            problems.extend(t.warnings)
            repeats.append(sheet)
            renamed.update(ren)
        else:
            problems.append(
                Problem(
                    f"sheet '{name}' is not a repeat-group sheet of the export (it has no "
                    "_parent_index column) and is not read; the responses are read from the first "
                    f"sheet, '{first.sheet}'",
                    severity="warning",
                    code="sheet_not_read",
                    sheet=name,
                )
            )
    return Export(
        main=main,
        repeats=tuple(repeats),
        platform=_platform([str(c) for c in main.frame.columns]),
        problems=tuple(problems),
        renamed=renamed,
    )
