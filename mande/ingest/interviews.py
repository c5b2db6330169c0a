"""Reading partner-interview coding sheets (the template of :mod:`mande.partners.template`).

:func:`read_interviews` checks every row and cell of a coding sheet and returns :class:`Interviews`,
or raises :class:`~mande.errors.DataValidationError` listing every problem with its row (the
spreadsheet's own row number), column, the value found and what was expected.

Decisions
---------
- The file is checked by the shared guard (:func:`mande.ingest._files.check_file`: size, zip bomb,
  password, type sniffed from the bytes). Workbooks are then read with openpyxl *without* cached
  values: a formula is read as its text (``=1+2``), never evaluated, and reported as a warning; in a
  scored column it is therefore an invalid score.
- Headers may be in English or French (the template's own), or the column codes; accents, case and
  spacing do not matter.
- Partner organisations are pseudonymised: ``partner_id`` is ``P`` + the first 12 hex digits of
  HMAC-SHA256(installation secret, folded organisation name). The same organisation gets the same
  id in every upload of an installation; without the secret the id cannot be reversed. Organisation
  names, interviewees' names and phone numbers and the coder's notes are dropped.
- Quotes: a quote whose consent cell is not "yes" is dropped here and counted in the report; it never
  leaves ingest. Kept quotes are scrubbed: organisation and interviewee names written anywhere in
  the sheet, names after a title (M., Mme, Colonel, Imam, ...), phone numbers and e-mail addresses are
  replaced by ``[partner]``, ``[name]``, ``[phone]``, ``[email]``.
- One row per interview and coder. The first row of an interview (in sheet order) is its first
  coder (``coder_rank`` 1): the analysis uses it; later codings serve reliability only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mande.dates import as_date
from mande.errors import DataValidationError, Problem
from mande.partners.rubric import Rubric, load_rubric, normalise_label

if TYPE_CHECKING:
    from mande.config import MissionConfig

__all__ = ["InterviewReport", "Interviews", "partner_pseudonym", "read_interviews"]

SHEET_NAMES = ("interviews", "entretiens")
MAX_ROWS = 50_000
_YES = {"yes", "y", "oui", "o", "1", "true", "vrai", "x"}
_NO = {"no", "n", "non", "0", "false", "faux"}
_FORMULA_START = ("=", "+", "@")
_PHONE = re.compile(r"(?<![\w/])(?:\+|00)?\d(?:[\s.\-()]{0,2}\d){6,14}(?![\w/])")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_TITLES = (
    r"M\.|MM\.|Mme|Mmes|Mlle|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Pr\.?|Monsieur|Madame|Mademoiselle|"
    r"Colonel|Col\.|Commandant|Cdt\.?|Capitaine|Capt?\.?|Lieutenant|Lt\.?|Général|General|Gal\.?|"
    r"Major|Sergent|Adjudant|Chef|Sultan|Lamido|Imam|Abbé|Père|Pasteur|Révérend|Reverend|Mgr|"
    r"Maire|Préfet|Sous-préfet|Ministre|Minister|Mayor|Prefect|Chief"
)
_TITLED_NAME = re.compile(
    rf"\b({_TITLES})(\s+)(?:[A-ZÀ-ÖØ-Þ][\w'’\-]+)(?:\s+[A-ZÀ-ÖØ-Þ][\w'’\-]+)*", re.UNICODE
)


@dataclass(frozen=True)
class InterviewReport:
    """What ingest noticed without refusing the sheet, and what it removed."""

    source: str
    sha256: str
    sheet: str
    language: str
    n_rows: int
    n_interviews: int
    n_double_coded: int
    n_quotes: int
    quotes_without_consent: int
    quotes_scrubbed: int
    removed_columns: tuple[str, ...]
    warnings: tuple[Problem, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The warnings as a DataFrame (one row per warning)."""
        return DataValidationError("", self.warnings).to_frame()


@dataclass(frozen=True)
class Interviews:
    """Coded partner interviews, validated and pseudonymised.

    Attributes
    ----------
    interviews:
        One row per interview and coder: ``interview_id``, ``coder``, ``coder_rank`` (1 = first
        coder), ``row`` (spreadsheet row), ``partner_id`` (keyed-hash pseudonym), ``partner_type``
        (code), ``region``, ``date``, ``period`` (when a mission was given, else missing),
        ``robust_context`` (0/1), the rubric dimensions and ``coercion_cooperation`` (1-5, NaN when
        not scored), ``themes`` (codes joined by ``;``) and one 0/1 column ``theme__CODE`` per
        theme of the rubric.
    quotes:
        One row per consented quote: ``interview_id``, ``partner_type``, ``region``, ``period``,
        ``date``, ``theme``, ``text`` (scrubbed), ``consent`` (always True).
    report:
        :class:`InterviewReport`.
    """

    interviews: pd.DataFrame
    quotes: pd.DataFrame
    report: InterviewReport

    @property
    def primary(self) -> pd.DataFrame:
        """The first coder's row of every interview: the rows the analysis uses."""
        return self.interviews[self.interviews["coder_rank"] == 1].reset_index(drop=True)

    @property
    def double_coded(self) -> pd.DataFrame:
        """Every coding of the interviews coded by two coders or more."""
        ids = self.interviews.loc[self.interviews["coder_rank"] > 1, "interview_id"].unique()
        return self.interviews[self.interviews["interview_id"].isin(ids)].reset_index(drop=True)

    def with_periods(self, mission: MissionConfig) -> Interviews:
        """A copy with ``period`` set from the mission's reporting calendar (by interview date)."""
        interviews = _assign_periods(self.interviews, mission)
        quotes = self.quotes.drop(columns=["period"]).merge(
            interviews.loc[interviews["coder_rank"] == 1, ["interview_id", "period"]],
            on="interview_id",
            how="left",
        )[self.quotes.columns]
        return replace(self, interviews=interviews, quotes=quotes)

    @classmethod
    def concat(cls, items: Sequence[Interviews]) -> Interviews:
        """Several coding sheets (e.g. one per period) as one.

        Raises
        ------
        DataValidationError
            When the same interview ID and coder appear in two sheets.
        """
        if not items:
            raise DataValidationError("no coding sheets given; give at least one Interviews")
        frames = pd.concat([it.interviews for it in items], ignore_index=True)
        dup = frames.duplicated(["interview_id", "coder"], keep=False)
        if dup.any():
            problems = [
                Problem(
                    f"interview '{r.interview_id}' coded by '{r.coder}' appears in more than one "
                    "sheet; give each interview a unique ID",
                    code="duplicate_interview",
                    column="interview_id",
                    row=int(r.row),  # type: ignore[arg-type]
                    value=str(r.interview_id),
                    expected="a unique interview ID and coder across sheets",
                )
                for r in frames[dup].itertuples()
            ]
            raise DataValidationError("the coding sheets share interview IDs", problems)
        reports = [it.report for it in items]
        report = InterviewReport(
            source="; ".join(r.source for r in reports),
            sha256="; ".join(r.sha256 for r in reports),
            sheet="; ".join(r.sheet for r in reports),
            language="; ".join(r.language for r in reports),
            n_rows=sum(r.n_rows for r in reports),
            n_interviews=sum(r.n_interviews for r in reports),
            n_double_coded=sum(r.n_double_coded for r in reports),
            n_quotes=sum(r.n_quotes for r in reports),
            quotes_without_consent=sum(r.quotes_without_consent for r in reports),
            quotes_scrubbed=sum(r.quotes_scrubbed for r in reports),
            removed_columns=tuple(sorted({c for r in reports for c in r.removed_columns})),
            warnings=tuple(w for r in reports for w in r.warnings),
        )
        quotes = pd.concat([it.quotes for it in items], ignore_index=True)
        return cls(frames, quotes, report)


def partner_pseudonym(name: str, secret: bytes) -> str:
    """The stable pseudonym of a partner organisation: ``P`` + 12 hex digits of a keyed hash.

    Names are folded first (case, accents, spacing), so "Préfecture de Mbali" and
    "prefecture  de MBALI" get the same id.
    """
    key = ("mande-partner:" + normalise_label(name)).encode("utf-8")
    return "P" + hmac.new(secret, key, hashlib.sha256).hexdigest()[:12]


# --------------------------------------------------------------------------------------------
# Reading cells


@dataclass
class _Collector:
    sheet: str
    problems: list[Problem] = field(default_factory=list)

    def error(
        self,
        row: int | None,
        column: str | None,
        message: str,
        code: str,
        value: Any = None,
        expected: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                message,
                code=code,
                sheet=self.sheet,
                row=row,
                column=column,
                value=None if value is None else _show(value),
                expected=expected,
            )
        )

    def warn(
        self,
        row: int | None,
        column: str | None,
        message: str,
        code: str,
        value: Any = None,
        expected: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                message,
                severity="warning",
                code=code,
                sheet=self.sheet,
                row=row,
                column=column,
                value=None if value is None else _show(value),
                expected=expected,
            )
        )


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _load_rows(path: Path, kind: str, col: _Collector) -> tuple[str, list[tuple[int, list[Any]]]]:
    """(sheet name, [(spreadsheet row, cells)]) of the coding sheet; formulas kept as text."""
    if kind == "csv":
        from mande.ingest._files import read_tables

        table = next(iter(read_tables(path, max_bytes=None, kind="csv").values()))
        frame = table.frame
        table_rows: list[tuple[int, list[Any]]] = [(1, list(frame.columns))]
        table_rows += [(i + 2, list(r)) for i, r in enumerate(frame.itertuples(index=False))]
        return table.sheet, table_rows
    if kind != "xlsx":
        raise DataValidationError(
            f"{path.name} is a legacy .xls workbook; open it in Excel and save it as .xlsx "
            "(the coding-sheet template is an .xlsx)",
            [Problem("legacy .xls workbook", code="not_a_spreadsheet", expected="an .xlsx file")],
        )
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise DataValidationError(
            f"{path.name} could not be read as a workbook ({type(exc).__name__}); the file is "
            "damaged. Save it again in Excel or start from `mande partners template`.",
            [Problem(f"unreadable workbook: {type(exc).__name__}", code="corrupt")],
        ) from exc
    try:
        names = list(wb.sheetnames)
        chosen = next((n for n in names if n.strip().casefold() in SHEET_NAMES), None)
        if chosen is None:
            chosen = names[0]
            if len(names) > 1:
                col.warn(
                    None,
                    None,
                    f"no sheet named 'interviews'; read the first sheet '{chosen}'",
                    "sheet_guessed",
                    expected="a sheet named 'interviews'",
                )
        col.sheet = chosen
        ws = wb[chosen]
        rows: list[tuple[int, list[Any]]] = []
        try:
            for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if i > MAX_ROWS + 1:
                    raise DataValidationError(
                        f"{path.name}: sheet '{chosen}' has more than {MAX_ROWS} rows; a coding "
                        "sheet holds one reporting period (a few hundred rows). Split the file.",
                        [
                            Problem(
                                "too many rows",
                                code="too_large",
                                sheet=chosen,
                                expected=f"at most {MAX_ROWS} rows",
                            )
                        ],
                    )
                rows.append((i, [_cell(v) for v in values]))
        except DataValidationError:
            raise
        except Exception as exc:
            raise DataValidationError(
                f"{path.name}: sheet '{chosen}' could not be read ({type(exc).__name__}); the file "
                "is damaged. Save it again in Excel.",
                [Problem(f"unreadable sheet: {type(exc).__name__}", code="corrupt", sheet=chosen)],
            ) from exc
    finally:
        wb.close()
    return chosen, rows


def _cell(value: Any) -> Any:
    """A cell as str, int, float, bool, date/datetime or None; anything else (formula objects,
    error values) as its text."""
    if value is None or isinstance(value, (str, int, float, bool, dt.date, dt.datetime)):
        return value
    text = getattr(value, "text", None)  # ArrayFormula
    return str(text if text is not None else value)


def _text(value: Any, row: int, column: str, col: _Collector) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split()) if not isinstance(value, str) else value.strip()
    if text.startswith(_FORMULA_START) and len(text) > 1:
        col.warn(
            row,
            column,
            "the cell holds a formula or starts like one; it is read as text, not evaluated, and "
            "its leading sign dropped",
            "formula_as_text",
            value=text,
            expected="a value, not a formula",
        )
        text = text.lstrip("=+@").strip()
    return text


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    key = normalise_label(value)
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


def _score(value: Any, rb: Rubric) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace(",", ".")
        m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(?:\s*[-:]\s*\D.*)?", text)  # "4" or "4 - good"
        if not m:
            return None
        number = float(m.group(1))
    if not number.is_integer() or not rb.scale_min <= number <= rb.scale_max:
        return None
    return int(number)


def _date(value: Any) -> dt.date | None:
    """A coding sheet's date: a date cell, an Excel serial day or text in one of the formats."""
    return as_date(value, excel_serial=True, free_text=False)


# --------------------------------------------------------------------------------------------
# Quotes


def _scrub(text: str, names: Iterable[str], partners: Iterable[str]) -> str:
    out = text
    for partner in sorted({p for p in partners if len(p) >= 3}, key=len, reverse=True):
        out = re.sub(re.escape(partner), "[partner]", out, flags=re.IGNORECASE)
    out = _EMAIL.sub("[email]", out)
    out = _PHONE.sub("[phone]", out)
    full = sorted({n for n in names if len(n) >= 3}, key=len, reverse=True)
    for name in full:
        out = re.sub(re.escape(name), "[name]", out, flags=re.IGNORECASE)
    words = {w for n in full for w in re.findall(r"[\w'’\-]{3,}", n)}
    for word in sorted(words, key=len, reverse=True):
        out = re.sub(rf"(?<![\w\[]){re.escape(word)}(?![\w\]])", "[name]", out, flags=re.IGNORECASE)
    out = _TITLED_NAME.sub(lambda m: f"{m.group(1)}{m.group(2)}[name]", out)
    out = re.sub(r"\[name\](?:\s+\[name\])+", "[name]", out)
    return out


# --------------------------------------------------------------------------------------------
# The reader


def _header_map(header: list[Any], rb: Rubric, col: _Collector) -> tuple[dict[str, int], str]:
    lookup = rb.header_lookup()
    bare = {re.sub(r"\s*\(.*?\)\s*", " ", k).strip(): v for k, v in lookup.items()}
    found: dict[str, int] = {}
    langs: dict[str, int] = {"en": 0, "fr": 0}
    for j, raw in enumerate(header):
        if _blank(raw):
            continue
        key = normalise_label(raw)
        name = lookup.get(key) or bare.get(re.sub(r"\s*\(.*?\)\s*", " ", key).strip())
        if name is None:
            col.warn(
                1,
                str(raw),
                f"column '{raw}' is not part of the coding sheet and was ignored",
                "unknown_column",
                value=raw,
                expected="a column of the template (see `mande partners template`)",
            )
            continue
        if name in found:
            col.error(
                1,
                str(raw),
                f"column '{raw}' is the same column as '{header[found[name]]}'; delete one",
                "duplicate_header",
                value=raw,
                expected="each column once",
            )
            continue
        found[name] = j
        for lang in langs:
            if normalise_label(rb.column(name).header[lang]) == key:
                langs[lang] += 1
    language = "fr" if langs["fr"] > langs["en"] else "en"
    for c in rb.columns:
        if c.required and c.name not in found:
            col.error(
                1,
                c.header[language],
                f"required column '{c.header[language]}' ({c.name}) is missing; add it (the "
                "template has it) or rename the column that holds it",
                "missing_column",
                expected=f"a column headed '{c.header['en']}' or '{c.header['fr']}'",
            )
    return found, language


def read_interviews(
    path: str | Path,
    *,
    secret: bytes | None = None,
    mission: MissionConfig | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> Interviews:
    """Read and validate a partner-interview coding sheet.

    Parameters
    ----------
    path:
        The coding sheet (``.xlsx`` from the template, or a ``.csv`` with the same headers).
    secret:
        Key of the partner pseudonyms; by default the installation secret
        (``mande.Settings.from_env().secret``).
    mission:
        When given, regions must be the mission's p-codes, each interview gets its reporting
        ``period``, and a robust-context code that contradicts the mission's robust operations is
        reported as a warning.
    max_bytes:
        Largest file accepted; by default ``Settings.max_upload_bytes`` (200 MB when ``secret`` is
        given, so that the settings are not read).
    today:
        Dates after this day are refused (default: today).

    Raises
    ------
    DataValidationError
        Listing every problem (``.problems``): file not readable, missing columns, and per cell a
        missing interview ID or coder, a bad date, an unknown partner type, region or theme, a score
        outside 1-5, a yes/no cell holding something else, the same interview ID and coder twice.
    """
    from mande.config import Settings
    from mande.ingest._files import DEFAULT_MAX_BYTES, check_file, sha256_file

    path = Path(path)
    if secret is None:
        settings = Settings.from_env()
        key = settings.secret
        limit = max_bytes if max_bytes is not None else settings.max_upload_bytes
    else:  # no need to read (or create) the installation secret
        key = secret
        limit = max_bytes if max_bytes is not None else DEFAULT_MAX_BYTES
    kind = check_file(path, limit)
    rb = load_rubric()
    col = _Collector(sheet="interviews")
    sheet, rows = _load_rows(path, kind, col)
    today = today or dt.date.today()

    # header: the first row among the first ten that names three known columns
    lookup = rb.header_lookup()
    header_at = 0
    for k, (_, cells) in enumerate(rows[:10]):
        if sum(normalise_label(c) in lookup for c in cells if not _blank(c)) >= 3:
            header_at = k
            break
    if not rows:
        raise DataValidationError(
            f"{path.name}: sheet '{sheet}' is empty; fill the template's 'interviews' sheet",
            [Problem("empty sheet", code="empty_sheet", sheet=sheet)],
        )
    _, header = rows[header_at]
    found, language = _header_map(header, rb, col)
    if col.problems and any(p.severity == "error" for p in col.problems):
        raise DataValidationError(
            f"{path.name}: the header row of sheet '{sheet}' is invalid", col.problems
        )

    def head(name: str) -> str:
        j = found.get(name)
        return str(header[j]) if j is not None else rb.column(name).header[language]

    ptypes = rb.partner_type_lookup()
    themes_lookup = rb.theme_lookup()
    pcodes: dict[str, str] = {}
    if mission is not None:
        for r in mission.regions:
            pcodes[normalise_label(r.pcode)] = r.pcode
            for text in r.name.values():
                pcodes[normalise_label(text)] = r.pcode
    records: list[dict[str, Any]] = []
    personal: list[dict[str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    scale_text = f"a whole number from {rb.scale_min} to {rb.scale_max}"
    type_text = "one of: " + "; ".join(rb.partner_type_label(c, language) for c in rb.partner_types)

    for rownum, cells in rows[header_at + 1 :]:

        def get(name: str, cells: list[Any] = cells) -> Any:
            j = found.get(name)
            return cells[j] if j is not None and j < len(cells) else None

        if all(_blank(get(c.name)) for c in rb.columns):
            continue
        rec: dict[str, Any] = {"row": rownum}
        # identifiers
        for name, code in (("interview_id", "missing_interview_id"), ("coder", "missing_coder")):
            value = get(name)
            if _blank(value):
                col.error(
                    rownum,
                    head(name),
                    f"{name.replace('_', ' ')} is missing",
                    code,
                    value="",
                    expected="a value",
                )
                rec[name] = None
            else:
                rec[name] = _text(value, rownum, head(name), col)
        if rec["interview_id"] and rec["coder"]:
            ident = (rec["interview_id"], rec["coder"])
            if ident in seen:
                col.error(
                    rownum,
                    head("interview_id"),
                    f"interview '{ident[0]}' coded by '{ident[1]}' already appears in row {seen[ident]}; "
                    "give the interview its own ID, or correct the coder",
                    "duplicate_interview",
                    value=ident[0],
                    expected="each interview ID once per coder",
                )
            else:
                seen[ident] = rownum
        # date
        value = get("date")
        day = None if _blank(value) else _date(value)
        if day is None:
            col.error(
                rownum,
                head("date"),
                "the interview date is missing or not a date",
                "bad_date",
                value="" if _blank(value) else value,
                expected="a date (YYYY-MM-DD or DD/MM/YYYY)",
            )
        elif not dt.date(2000, 1, 1) <= day <= today:
            col.error(
                rownum,
                head("date"),
                f"the interview date {day.isoformat()} is {'in the future' if day > today else 'before 2000'}",
                "bad_date",
                value=day.isoformat(),
                expected=f"a date between 2000-01-01 and {today.isoformat()}",
            )
            day = None
        rec["date"] = day
        # partner
        value = get("partner_name")
        if _blank(value):
            col.error(
                rownum,
                head("partner_name"),
                "the partner organisation is missing",
                "missing_partner",
                value="",
                expected="the organisation's name",
            )
            rec["partner_name"] = None
        else:
            rec["partner_name"] = _text(value, rownum, head("partner_name"), col)
        value = get("partner_type")
        ptype = None if _blank(value) else ptypes.get(normalise_label(value))
        if ptype is None:
            col.error(
                rownum,
                head("partner_type"),
                "the partner type is missing"
                if _blank(value)
                else f"unknown partner type '{value}'",
                "unknown_partner_type",
                value="" if _blank(value) else value,
                expected=type_text,
            )
        rec["partner_type"] = ptype
        value = get("region")
        region: str | None = None
        if _blank(value):
            col.error(
                rownum,
                head("region"),
                "the region is missing",
                "missing_region",
                value="",
                expected="the region's p-code",
            )
        else:
            text = _text(value, rownum, head("region"), col)
            if mission is not None:
                region = pcodes.get(normalise_label(text))
                if region is None:
                    col.error(
                        rownum,
                        head("region"),
                        f"region '{text}' is not one of the mission's regions",
                        "unknown_region",
                        value=text,
                        expected="one of " + ", ".join(r.pcode for r in mission.regions),
                    )
            else:
                region = text
        rec["region"] = region
        # yes / no
        value = get("robust_context")
        flag = None if _blank(value) else _yes_no(value)
        if flag is None:
            col.error(
                rownum,
                head("robust_context"),
                "robust context is missing" if _blank(value) else f"'{value}' is not yes or no",
                "bad_yes_no",
                value="" if _blank(value) else value,
                expected="yes or no (oui / non)",
            )
        rec["robust_context"] = flag
        value = get("consent")
        consent = None if _blank(value) else _yes_no(value)
        if consent is None and not _blank(value):
            col.error(
                rownum,
                head("consent"),
                f"'{value}' is not yes or no",
                "bad_yes_no",
                value=value,
                expected="yes or no (oui / non); leave blank when there is no quote",
            )
        rec["consent"] = consent
        # scores
        for name in rb.scored:
            value = get(name)
            if _blank(value):
                if rb.column(name).required and name in found:
                    col.error(
                        rownum,
                        head(name),
                        f"{rb.dimension_label(name)} is not scored; the relationship-quality index needs it",
                        "missing_score",
                        value="",
                        expected=scale_text,
                    )
                rec[name] = np.nan
                continue
            score = _score(value, rb)
            if score is None:
                col.error(
                    rownum,
                    head(name),
                    f"'{value}' is not a score on the rubric's scale",
                    "bad_score",
                    value=value,
                    expected=scale_text,
                )
                rec[name] = np.nan
            else:
                rec[name] = float(score)
        # themes
        value = get("themes")
        codes: list[str] = []
        if not _blank(value):
            text = _text(value, rownum, head("themes"), col)
            for part in re.split(r"[;,\n|]+", text):
                part = part.strip()
                if not part:
                    continue
                hit = themes_lookup.get(normalise_label(part))
                pieces = (
                    [hit] if hit else [themes_lookup.get(normalise_label(w)) for w in part.split()]
                )
                if hit is None and not all(pieces):
                    col.error(
                        rownum,
                        head("themes"),
                        f"unknown theme '{part}'",
                        "unknown_theme",
                        value=part,
                        expected="theme codes from the 'themes' sheet, separated by ;",
                    )
                    continue
                codes += [p for p in pieces if p and p not in codes]
        rec["themes"] = codes
        value = get("quote_theme")
        qtheme = None
        if not _blank(value):
            qtheme = themes_lookup.get(normalise_label(value))
            if qtheme is None:
                col.error(
                    rownum,
                    head("quote_theme"),
                    f"unknown theme '{value}'",
                    "unknown_theme",
                    value=value,
                    expected="a theme code from the 'themes' sheet",
                )
        rec["quote_theme"] = qtheme
        value = get("quote")
        rec["quote"] = None if _blank(value) else _text(value, rownum, head("quote"), col)
        personal.append(
            {
                "name": ""
                if _blank(get("interviewee_name"))
                else str(get("interviewee_name")).strip(),
            }
        )
        records.append(rec)

    if not records:
        col.error(None, None, "the sheet has no interviews under its header row", "empty_sheet")
    # the same interview coded twice must describe the same interview
    by_id: dict[str, dict[str, Any]] = {}
    for rec in records:
        first = by_id.setdefault(rec["interview_id"], rec) if rec["interview_id"] else rec
        if first is rec:
            continue
        for name in ("partner_name", "partner_type", "region", "date", "robust_context"):
            if rec[name] is not None and first[name] is not None and rec[name] != first[name]:
                col.warn(
                    rec["row"],
                    head(name),
                    f"interview '{rec['interview_id']}' has '{rec[name]}' here but '{first[name]}' "
                    f"in row {first['row']}; the first coder's row is used",
                    "codings_disagree",
                    value=rec[name],
                    expected=str(first[name]),
                )
    if mission is not None:
        ops = [e for e in mission.events if e.kind == "robust_operation"]
        for rec in records:
            if rec["date"] is not None and mission.period_of(rec["date"]) is None:
                col.warn(
                    rec["row"],
                    head("date"),
                    f"{rec['date'].isoformat()} falls in none of the mission's reporting periods; "
                    "the interview has no period",
                    "date_outside_periods",
                    value=rec["date"].isoformat(),
                    expected="a date within the reporting calendar (mission.yaml)",
                )
            if rec["date"] is None or rec["region"] is None or rec["robust_context"] is None:
                continue
            expected_flag = any(
                rec["region"] in e.regions and e.date <= rec["date"] <= (e.end or today)
                for e in ops
            )
            if expected_flag != rec["robust_context"]:
                col.warn(
                    rec["row"],
                    head("robust_context"),
                    f"robust context coded '{'yes' if rec['robust_context'] else 'no'}' but the "
                    f"mission's events {'list' if expected_flag else 'do not list'} a robust "
                    f"operation in {rec['region']} on {rec['date'].isoformat()}; check the code",
                    "robust_context_vs_events",
                    value="yes" if rec["robust_context"] else "no",
                    expected="yes" if expected_flag else "no",
                )

    errors = [p for p in col.problems if p.severity == "error"]
    if errors:
        raise DataValidationError(
            f"{path.name}: {len(errors)} problem(s) in sheet '{sheet}'; fix them and upload again",
            col.problems,
        )

    # -- build the tidy tables
    frame = pd.DataFrame.from_records(records)
    frame["coder_rank"] = frame.groupby("interview_id", sort=False).cumcount() + 1
    frame["partner_id"] = [partner_pseudonym(n, key) for n in frame["partner_name"]]
    frame["date"] = pd.to_datetime(frame["date"])
    frame["robust_context"] = frame["robust_context"].astype(int)
    frame["period"] = pd.Series([None] * len(frame), dtype="object")
    for code in rb.themes:
        frame[f"theme__{code}"] = [int(code in t) for t in frame["themes"]]
    all_names = [p["name"] for p in personal if p["name"]]
    all_partners = [n for n in frame["partner_name"].unique() if n]
    quotes: list[dict[str, Any]] = []
    dropped = scrubbed = 0
    for rec in records:
        if not rec["quote"]:
            continue
        if rec["consent"] is not True:
            dropped += 1
            continue
        text = _scrub(rec["quote"], all_names, all_partners)
        scrubbed += text != rec["quote"]
        quotes.append(
            {
                "interview_id": rec["interview_id"],
                "partner_type": rec["partner_type"],
                "region": rec["region"],
                "date": rec["date"],
                "theme": rec["quote_theme"] or (rec["themes"][0] if rec["themes"] else None),
                "text": text,
                "consent": True,
            }
        )
    if dropped:
        col.warn(
            None,
            head("consent"),
            f"{dropped} quote(s) without consent to quote were dropped",
            "quote_without_consent",
        )
    qframe = pd.DataFrame(
        quotes,
        columns=["interview_id", "partner_type", "region", "date", "theme", "text", "consent"],
    )
    qframe = qframe.drop_duplicates(["interview_id", "text"]).reset_index(drop=True)
    qframe["date"] = pd.to_datetime(qframe["date"])
    qframe.insert(3, "period", pd.Series([None] * len(qframe), dtype="object"))
    qframe["consent"] = qframe["consent"].astype(bool)
    frame["themes"] = frame["themes"].map(";".join)
    order = [
        "interview_id",
        "coder",
        "coder_rank",
        "row",
        "partner_id",
        "partner_type",
        "region",
        "date",
        "period",
        "robust_context",
        *rb.scored,
        "themes",
        *[f"theme__{c}" for c in rb.themes],
    ]
    frame = frame[order]
    removed = tuple(
        head(c.name)
        for c in rb.columns
        if (c.personal or c.name in ("quote", "consent", "quote_theme")) and c.name in found
    )
    n_ids = frame["interview_id"].nunique()
    report = InterviewReport(
        source=path.name,
        sha256=sha256_file(path),
        sheet=sheet,
        language=language,
        n_rows=len(frame),
        n_interviews=n_ids,
        n_double_coded=int((frame["coder_rank"] > 1).groupby(frame["interview_id"]).any().sum()),
        n_quotes=len(qframe),
        quotes_without_consent=dropped,
        quotes_scrubbed=int(scrubbed),
        removed_columns=removed,
        warnings=tuple(p for p in col.problems if p.severity == "warning"),
    )
    out = Interviews(frame, qframe, report)
    return out.with_periods(mission) if mission is not None else out


def _assign_periods(frame: pd.DataFrame, mission: MissionConfig) -> pd.DataFrame:
    out = frame.copy()
    periods = []
    for day in out["date"]:
        p = mission.period_of(day.date()) if pd.notna(day) else None
        periods.append(p.id if p is not None else None)
    out["period"] = pd.Series(periods, index=out.index, dtype="object")
    return out
