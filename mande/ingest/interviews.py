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

from mande.errors import DataValidationError, Problem
from mande.gate import Gazetteer, screen_problems, scrub
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
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%y")


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
        hidden = {
            w.title for w in wb.worksheets if getattr(w, "sheet_state", "visible") != "visible"
        }
        names = [n for n in wb.sheetnames if n not in hidden]  # a hidden sheet is never read
        if not names or any(n.strip().casefold() in SHEET_NAMES for n in hidden):
            raise DataValidationError(
                f"{path.name}: the coding sheet is hidden ({', '.join(sorted(hidden))}); unhide "
                "it in Excel (Format > Sheet > Unhide), check what it holds and upload again",
                [Problem("hidden sheet", code="hidden_sheets", expected="a visible sheet")],
            )
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
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        from openpyxl.utils.datetime import from_excel

        out = from_excel(value)
        return out.date() if isinstance(out, dt.datetime) else None
    text = str(value).strip()
    if "T" in text or " " in text:
        text = re.split(r"[T ]", text, maxsplit=1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


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

    It runs as a sequence of small steps: open the sheet, locate the header, read each row (ids,
    date, partner, region, yes/no flags, scores, themes, quote), check the double codings agree,
    check against the mission (periods, robust operations), assemble the tidy table, keep the
    consented quotes (scrubbed), report.

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
    from mande.ingest._files import sha256_file

    path = Path(path)
    key, kind = _open_sheet(path, secret, max_bytes)
    ctx = _locate_header(path, kind, mission, today or dt.date.today())
    records: list[dict[str, Any]] = []
    names: list[str] = []
    for rownum, cells in ctx.rows[ctx.header_at + 1 :]:
        row = _Row(ctx, rownum, cells)
        if all(_blank(row.get(c.name)) for c in ctx.rb.columns):
            continue
        rec: dict[str, Any] = {"row": rownum}
        for step in _ROW_STEPS:
            step(row, rec)
        name = row.get("interviewee_name")
        names.append("" if _blank(name) else str(name).strip())
        records.append(rec)
    if not records:
        ctx.col.error(None, None, "the sheet has no interviews under its header row", "empty_sheet")
    _check_codings_agree(ctx, records)
    _check_against_mission(ctx, records)
    # the personal-data gate: no cell of these columns is quoted in a warning or an error, and
    # neither the interviewees' nor the partners' names anywhere
    personal_columns = [
        str(ctx.header[j])
        for name, j in ctx.found.items()
        if ctx.rb.column(name).personal or name in ("quote", "notes")
    ]
    gazetteer = Gazetteer.from_mission(mission).extended(
        names=[n for n in names if n],
        partners=[str(r["partner_name"]) for r in records if r.get("partner_name")],
    )
    errors = [p for p in ctx.col.problems if p.severity == "error"]
    if errors:
        raise DataValidationError(
            f"{path.name}: {len(errors)} problem(s) in sheet '{ctx.sheet}'; fix them and upload "
            "again",
            screen_problems(ctx.col.problems, personal_columns, gazetteer),
        )
    frame = _assemble_interviews(ctx, records, key)
    qframe, dropped, scrubbed = _consented_quotes(ctx, records, names, frame, gazetteer)
    removed = tuple(
        ctx.head(c.name)
        for c in ctx.rb.columns
        if (c.personal or c.name in ("quote", "consent", "quote_theme")) and c.name in ctx.found
    )
    report = InterviewReport(
        source=path.name,
        sha256=sha256_file(path),
        sheet=ctx.sheet,
        language=ctx.language,
        n_rows=len(frame),
        n_interviews=frame["interview_id"].nunique(),
        n_double_coded=int((frame["coder_rank"] > 1).groupby(frame["interview_id"]).any().sum()),
        n_quotes=len(qframe),
        quotes_without_consent=dropped,
        quotes_scrubbed=int(scrubbed),
        removed_columns=removed,
        warnings=tuple(
            screen_problems(
                [p for p in ctx.col.problems if p.severity == "warning"],
                personal_columns,
                gazetteer,
            )
        ),
    )
    out = Interviews(frame, qframe, report)
    return out.with_periods(mission) if mission is not None else out


# --------------------------------------------------------------------------------------------
# The steps of read_interviews


@dataclass
class _Sheet:
    """What the steps of :func:`read_interviews` share: the rows, the header, the lookups."""

    path: Path
    rb: Rubric
    col: _Collector
    sheet: str
    rows: list[tuple[int, list[Any]]]
    header_at: int
    header: list[Any]
    found: dict[str, int]
    language: str
    mission: MissionConfig | None
    today: dt.date
    ptypes: dict[str, str] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)
    pcodes: dict[str, str] = field(default_factory=dict)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)  # (id, coder) -> row

    def head(self, name: str) -> str:
        """The sheet's header of column ``name`` (the rubric's header when the sheet lacks it)."""
        j = self.found.get(name)
        return str(self.header[j]) if j is not None else self.rb.column(name).header[self.language]

    @property
    def scale_text(self) -> str:
        return f"a whole number from {self.rb.scale_min} to {self.rb.scale_max}"


@dataclass
class _Row:
    """One row of the sheet, read by the row steps."""

    ctx: _Sheet
    num: int
    cells: list[Any]

    def get(self, name: str) -> Any:
        j = self.ctx.found.get(name)
        return self.cells[j] if j is not None and j < len(self.cells) else None

    def error(self, name: str, message: str, code: str, value: Any, expected: str) -> None:
        self.ctx.col.error(self.num, self.ctx.head(name), message, code, value, expected)

    def text(self, name: str, value: Any) -> str:
        return _text(value, self.num, self.ctx.head(name), self.ctx.col)


def _open_sheet(path: Path, secret: bytes | None, max_bytes: int | None) -> tuple[bytes, str]:
    """The pseudonym key and the file's type, after the upload guard."""
    from mande.config import Settings
    from mande.ingest._files import DEFAULT_MAX_BYTES, check_file

    if secret is None:
        settings = Settings.from_env()
        key = settings.secret
        limit = max_bytes if max_bytes is not None else settings.max_upload_bytes
    else:  # no need to read (or create) the installation secret
        key = secret
        limit = max_bytes if max_bytes is not None else DEFAULT_MAX_BYTES
    return key, check_file(path, limit)


def _locate_header(path: Path, kind: str, mission: MissionConfig | None, today: dt.date) -> _Sheet:
    """The header: the first row among the first ten that names three known columns."""
    rb = load_rubric()
    col = _Collector(sheet="interviews")
    sheet, rows = _load_rows(path, kind, col)
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
    if any(p.severity == "error" for p in col.problems):
        raise DataValidationError(
            f"{path.name}: the header row of sheet '{sheet}' is invalid",
            screen_problems(col.problems, (), Gazetteer.from_mission(mission)),
        )
    pcodes: dict[str, str] = {}
    if mission is not None:
        for r in mission.regions:
            pcodes[normalise_label(r.pcode)] = r.pcode
            for text in r.name.values():
                pcodes[normalise_label(text)] = r.pcode
    return _Sheet(
        path=path,
        rb=rb,
        col=col,
        sheet=sheet,
        rows=rows,
        header_at=header_at,
        header=header,
        found=found,
        language=language,
        mission=mission,
        today=today,
        ptypes=rb.partner_type_lookup(),
        themes=rb.theme_lookup(),
        pcodes=pcodes,
    )


def _row_ids(row: _Row, rec: dict[str, Any]) -> None:
    for name, code in (("interview_id", "missing_interview_id"), ("coder", "missing_coder")):
        value = row.get(name)
        if _blank(value):
            row.error(name, f"{name.replace('_', ' ')} is missing", code, "", "a value")
            rec[name] = None
        else:
            rec[name] = row.text(name, value)


def _check_unique(row: _Row, rec: dict[str, Any]) -> None:
    """An interview ID once per coder."""
    seen = row.ctx.seen
    if not (rec["interview_id"] and rec["coder"]):
        return
    ident = (rec["interview_id"], rec["coder"])
    if ident in seen:
        row.error(
            "interview_id",
            f"interview '{ident[0]}' coded by '{ident[1]}' already appears in row "
            f"{seen[ident]}; give the interview its own ID, or correct the coder",
            "duplicate_interview",
            ident[0],
            "each interview ID once per coder",
        )
    else:
        seen[ident] = row.num


def _row_date(row: _Row, rec: dict[str, Any]) -> None:
    value = row.get("date")
    day = None if _blank(value) else _date(value)
    today = row.ctx.today
    if day is None:
        row.error(
            "date",
            "the interview date is missing or not a date",
            "bad_date",
            "" if _blank(value) else value,
            "a date (YYYY-MM-DD or DD/MM/YYYY)",
        )
    elif not dt.date(2000, 1, 1) <= day <= today:
        row.error(
            "date",
            f"the interview date {day.isoformat()} is "
            f"{'in the future' if day > today else 'before 2000'}",
            "bad_date",
            day.isoformat(),
            f"a date between 2000-01-01 and {today.isoformat()}",
        )
        day = None
    rec["date"] = day


def _row_partner(row: _Row, rec: dict[str, Any]) -> None:
    rb = row.ctx.rb
    value = row.get("partner_name")
    if _blank(value):
        row.error(
            "partner_name",
            "the partner organisation is missing",
            "missing_partner",
            "",
            "the organisation's name",
        )
        rec["partner_name"] = None
    else:
        rec["partner_name"] = row.text("partner_name", value)
    value = row.get("partner_type")
    ptype = None if _blank(value) else row.ctx.ptypes.get(normalise_label(value))
    if ptype is None:
        row.error(
            "partner_type",
            "the partner type is missing" if _blank(value) else f"unknown partner type '{value}'",
            "unknown_partner_type",
            "" if _blank(value) else value,
            "one of: "
            + "; ".join(rb.partner_type_label(c, row.ctx.language) for c in rb.partner_types),
        )
    rec["partner_type"] = ptype


def _row_region(row: _Row, rec: dict[str, Any]) -> None:
    value = row.get("region")
    region: str | None = None
    mission = row.ctx.mission
    if _blank(value):
        row.error("region", "the region is missing", "missing_region", "", "the region's p-code")
    else:
        text = row.text("region", value)
        if mission is not None:
            region = row.ctx.pcodes.get(normalise_label(text))
            if region is None:
                row.error(
                    "region",
                    f"region '{text}' is not one of the mission's regions",
                    "unknown_region",
                    text,
                    "one of " + ", ".join(r.pcode for r in mission.regions),
                )
        else:
            region = text
    rec["region"] = region


def _row_flags(row: _Row, rec: dict[str, Any]) -> None:
    """Robust context (required) and consent to quote (blank when there is no quote)."""
    value = row.get("robust_context")
    flag = None if _blank(value) else _yes_no(value)
    if flag is None:
        row.error(
            "robust_context",
            "robust context is missing" if _blank(value) else f"'{value}' is not yes or no",
            "bad_yes_no",
            "" if _blank(value) else value,
            "yes or no (oui / non)",
        )
    rec["robust_context"] = flag
    value = row.get("consent")
    consent = None if _blank(value) else _yes_no(value)
    if consent is None and not _blank(value):
        row.error(
            "consent",
            f"'{value}' is not yes or no",
            "bad_yes_no",
            value,
            "yes or no (oui / non); leave blank when there is no quote",
        )
    rec["consent"] = consent


def _row_scores(row: _Row, rec: dict[str, Any]) -> None:
    rb = row.ctx.rb
    for name in rb.scored:
        value = row.get(name)
        if _blank(value):
            if rb.column(name).required and name in row.ctx.found:
                row.error(
                    name,
                    f"{rb.dimension_label(name)} is not scored; the relationship-quality index "
                    "needs it",
                    "missing_score",
                    "",
                    row.ctx.scale_text,
                )
            rec[name] = np.nan
            continue
        score = _score(value, rb)
        if score is None:
            row.error(
                name,
                f"'{value}' is not a score on the rubric's scale",
                "bad_score",
                value,
                row.ctx.scale_text,
            )
            rec[name] = np.nan
        else:
            rec[name] = float(score)


def _row_themes(row: _Row, rec: dict[str, Any]) -> None:
    value = row.get("themes")
    codes: list[str] = []
    lookup = row.ctx.themes
    if not _blank(value):
        text = row.text("themes", value)
        for part in re.split(r"[;,\n|]+", text):
            part = part.strip()
            if not part:
                continue
            hit = lookup.get(normalise_label(part))
            pieces = [hit] if hit else [lookup.get(normalise_label(w)) for w in part.split()]
            if hit is None and not all(pieces):
                row.error(
                    "themes",
                    f"unknown theme '{part}'",
                    "unknown_theme",
                    part,
                    "theme codes from the 'themes' sheet, separated by ;",
                )
                continue
            codes += [p for p in pieces if p and p not in codes]
    rec["themes"] = codes


def _row_quote(row: _Row, rec: dict[str, Any]) -> None:
    value = row.get("quote_theme")
    qtheme = None
    if not _blank(value):
        qtheme = row.ctx.themes.get(normalise_label(value))
        if qtheme is None:
            row.error(
                "quote_theme",
                f"unknown theme '{value}'",
                "unknown_theme",
                value,
                "a theme code from the 'themes' sheet",
            )
    rec["quote_theme"] = qtheme
    value = row.get("quote")
    rec["quote"] = None if _blank(value) else row.text("quote", value)


_ROW_STEPS = (
    _row_ids,
    _check_unique,
    _row_date,
    _row_partner,
    _row_region,
    _row_flags,
    _row_scores,
    _row_themes,
    _row_quote,
)


def _check_codings_agree(ctx: _Sheet, records: list[dict[str, Any]]) -> None:
    """The same interview coded twice must describe the same interview."""
    by_id: dict[str, dict[str, Any]] = {}
    for rec in records:
        first = by_id.setdefault(rec["interview_id"], rec) if rec["interview_id"] else rec
        if first is rec:
            continue
        for name in ("partner_name", "partner_type", "region", "date", "robust_context"):
            if rec[name] is not None and first[name] is not None and rec[name] != first[name]:
                ctx.col.warn(
                    rec["row"],
                    ctx.head(name),
                    f"interview '{rec['interview_id']}' has '{rec[name]}' here but '{first[name]}' "
                    f"in row {first['row']}; the first coder's row is used",
                    "codings_disagree",
                    value=rec[name],
                    expected=str(first[name]),
                )


def _check_against_mission(ctx: _Sheet, records: list[dict[str, Any]]) -> None:
    """Dates within the reporting periods; robust context as the mission's events say."""
    mission = ctx.mission
    if mission is None:
        return
    ops = [e for e in mission.events if e.kind == "robust_operation"]
    for rec in records:
        if rec["date"] is not None and mission.period_of(rec["date"]) is None:
            ctx.col.warn(
                rec["row"],
                ctx.head("date"),
                f"{rec['date'].isoformat()} falls in none of the mission's reporting periods; "
                "the interview has no period",
                "date_outside_periods",
                value=rec["date"].isoformat(),
                expected="a date within the reporting calendar (mission.yaml)",
            )
        if rec["date"] is None or rec["region"] is None or rec["robust_context"] is None:
            continue
        expected_flag = any(
            rec["region"] in e.regions and e.date <= rec["date"] <= (e.end or ctx.today)
            for e in ops
        )
        if expected_flag != rec["robust_context"]:
            ctx.col.warn(
                rec["row"],
                ctx.head("robust_context"),
                f"robust context coded '{'yes' if rec['robust_context'] else 'no'}' but the "
                f"mission's events {'list' if expected_flag else 'do not list'} a robust "
                f"operation in {rec['region']} on {rec['date'].isoformat()}; check the code",
                "robust_context_vs_events",
                value="yes" if rec["robust_context"] else "no",
                expected="yes" if expected_flag else "no",
            )


def _assemble_interviews(ctx: _Sheet, records: list[dict[str, Any]], key: bytes) -> pd.DataFrame:
    """The tidy table: one row per coding, partners pseudonymised, themes as 0/1 columns."""
    rb = ctx.rb
    frame = pd.DataFrame.from_records(records)
    frame["coder_rank"] = frame.groupby("interview_id", sort=False).cumcount() + 1
    frame["partner_id"] = [partner_pseudonym(n, key) for n in frame["partner_name"]]
    frame["date"] = pd.to_datetime(frame["date"])
    frame["robust_context"] = frame["robust_context"].astype(int)
    frame["period"] = pd.Series([None] * len(frame), dtype="object")
    for code in rb.themes:
        frame[f"theme__{code}"] = [int(code in t) for t in frame["themes"]]
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
    # the partner names stay in ``records`` for scrubbing quotes; the table keeps pseudonyms
    return frame[order]


def _consented_quotes(
    ctx: _Sheet,
    records: list[dict[str, Any]],
    names: list[str],
    frame: pd.DataFrame,
    gazetteer: Gazetteer,
) -> tuple[pd.DataFrame, int, int]:
    """Quotes with consent, names of interviewees and partners scrubbed; (table, dropped,
    scrubbed)."""
    all_names = [n for n in names if n]
    all_partners = list(dict.fromkeys(r["partner_name"] for r in records if r["partner_name"]))
    quotes: list[dict[str, Any]] = []
    dropped = scrubbed = 0
    for rec in records:
        if not rec["quote"]:
            continue
        if rec["consent"] is not True:
            dropped += 1
            continue
        text = scrub(_scrub(rec["quote"], all_names, all_partners), gazetteer)
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
        ctx.col.warn(
            None,
            ctx.head("consent"),
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
    return qframe, dropped, scrubbed


def _assign_periods(frame: pd.DataFrame, mission: MissionConfig) -> pd.DataFrame:
    out = frame.copy()
    periods = []
    for day in out["date"]:
        p = mission.period_of(day.date()) if pd.notna(day) else None
        periods.append(p.id if p is not None else None)
    out["period"] = pd.Series(periods, index=out.index, dtype="object")
    return out
