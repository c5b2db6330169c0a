"""Reading an XLSForm (the ODK/Kobo form definition) into a :class:`Form`.

pyxform, the converter ODK and KoboToolbox use, is the source of truth: the workbook is read by
pyxform's own readers and parsed by its ``workbook_to_json`` into its JSON form tree, which is
then built into an XForm (``create_survey_element_from_dict`` and ``to_xml``), as
``pyxform.xls2xform.convert`` does. A form pyxform accepts is accepted here (extra sheets, comment
rows and columns, type aliases such as ``string`` or ``gps``, ``select one from LIST``, loops,
nameless notes, a single sheet not named ``survey``); a form pyxform refuses is refused with
pyxform's reason, the sheet and the row.

:class:`Form` is read from that tree: every data-holding question with its canonical type
(``select_one``, ``integer``, ``geopoint``, ``deviceid``, ...), its enclosing groups and repeats,
labels per language, choices, relevance, and the sheet row it came from.

To list every problem at once rather than pyxform's first, a refused row is set aside (its name
or type made neutral) and the form parsed again, up to a limit.

Forms deployed on KoboToolbox years ago may break rules pyxform added since (a question name
repeated in the same group, a choice name repeated in its list). Their exports must still be
read: ``read_xlsform(path, strict=False)`` reads them as Kobo did then and lists the problem in
:attr:`Form.warnings`.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mande.errors import DataValidationError, Problem
from mande.ingest._files import check_file

__all__ = ["Choice", "Form", "Question", "read_xlsform"]

METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "imei",
        "phonenumber",
        "subscriberid",
        "simserial",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "background-audio",
        "background-geopoint",
    }
)
QUESTION_TYPES = frozenset(
    {
        "select_one",
        "select_multiple",
        "select_one_from_file",
        "select_multiple_from_file",
        "select_one_external",
        "rank",
        "integer",
        "decimal",
        "range",
        "text",
        "geopoint",
        "geotrace",
        "geoshape",
        "date",
        "datetime",
        "time",
        "note",
        "calculate",
        "hidden",
        "acknowledge",
        "image",
        "audio",
        "video",
        "file",
        "barcode",
        "trigger",
        "xml-external",
        "csv-external",
        "osm",
    }
)
_LANG_NAMES = {
    "english": "en",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "arabic": "ar",
    "arabe": "ar",
    "portuguese": "pt",
    "spanish": "es",
    "español": "es",
    "default": "default",
}
_MARK = "__mande_row"  # carries each survey row's number through pyxform's parse
_MAX_PASSES = 400  # parses spent going past set-aside rows (each a few milliseconds)
_MAX_ERRORS = 25  # problems listed before stopping
_EXTERNAL_EXTENSIONS = (".csv", ".xml", ".geojson")


@dataclass(frozen=True)
class Choice:
    """One answer option of a choice list: its XML name and its label per language."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    """One data-holding element of the form (groups and repeats are recorded in ``group``).

    ``type`` is the canonical type with underscores (``select_one``, ``integer``, ``start``, ...;
    aliases such as ``string``, ``gps`` or ``uri:deviceid`` are resolved); ``group`` the names of
    the enclosing groups, repeats and loops (a loop adds its own name and the choice it runs
    over), outermost first; ``repeat`` the name of the innermost enclosing repeat, if any; ``row``
    the row in the survey sheet (header = 1) it came from.
    """

    name: str
    type: str
    list_name: str | None = None
    group: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    relevant: str | None = None
    required: bool = False
    repeat: str | None = None
    or_other: bool = False
    row: int = 0

    @property
    def path(self) -> str:
        """The Kobo/ODK path, e.g. ``security/safe_dark``."""
        return "/".join((*self.group, self.name))

    @property
    def is_metadata(self) -> bool:
        return self.type in METADATA_TYPES

    @property
    def is_select(self) -> bool:
        return self.type in ("select_one", "select_multiple")


@dataclass(frozen=True)
class Form:
    """A parsed XLSForm.

    Attributes
    ----------
    questions:
        Every data-holding element of the form, in order (metadata, questions, notes,
        calculates; not the group and repeat markers, not pyxform's own ``meta/instanceID``).
    choices:
        list name -> its choices, in order (also the lists of the ``external_choices`` sheet).
    groups:
        group, repeat or loop name -> its labels per language.
    settings:
        The settings sheet's first row (column -> value).
    languages:
        Label languages, as codes (``en``, ``fr``) when the column names them, in column order.
    warnings:
        What pyxform refuses today but ``read_xlsform(..., strict=False)`` read anyway (a name
        repeated in a group, a choice repeated in a list), with sheet and row.
    """

    questions: tuple[Question, ...]
    choices: dict[str, tuple[Choice, ...]]
    settings: dict[str, str]
    languages: tuple[str, ...]
    groups: dict[str, dict[str, str]] = field(default_factory=dict)
    path: str | None = None
    warnings: tuple[Problem, ...] = ()

    @property
    def form_id(self) -> str | None:
        return self.settings.get("form_id") or self.settings.get("id_string") or None

    @property
    def version(self) -> str | None:
        return self.settings.get("version") or None

    @property
    def default_language(self) -> str | None:
        lang = self.settings.get("default_language")
        return _lang_code(lang) if lang else (self.languages[0] if self.languages else None)

    @property
    def title(self) -> str | None:
        return self.settings.get("form_title") or self.settings.get("title") or None

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(q.name == name for q in self.questions)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(q.name for q in self.questions)

    def choices_of(self, question: Question) -> tuple[Choice, ...]:
        return self.choices.get(question.list_name or "", ())


def _lang_code(text: str) -> str:
    text = text.strip()
    m = re.search(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$", text)
    if m:
        return m.group(1).lower()
    return _LANG_NAMES.get(text.lower(), text)


def _labels(value: Any) -> dict[str, str]:
    """pyxform's label (a string, or language -> text) as language code -> text."""
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {_lang_code(str(k)): str(v) for k, v in value.items() if v not in (None, "")}
    return {"default": str(value)}


def _snake(text: str) -> str:
    return "_".join(str(text).split()).lower()


# --- types ---------------------------------------------------------------------------------


@cache
def _type_aliases() -> dict[str, str]:
    """Every type pyxform knows -> mande's canonical type (``gps`` -> ``geopoint``, ...).

    Read from pyxform's own type dictionary: a type whose definition is that of a canonical type
    is that type; ``uri:X`` preloads are ``X``; the rest by the XForm data type they bind.
    """
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    canon = [t for t in (*QUESTION_TYPES, *METADATA_TYPES) if t in QUESTION_TYPE_DICT]
    by_bind = {"int": "integer", "decimal": "decimal", "string": "text", "date": "date"}
    out: dict[str, str] = {"photo": "image", "phone number": "phonenumber"}
    for name, spec in QUESTION_TYPE_DICT.items():
        if name in out:
            continue
        if name in canon:
            out[name] = name
            continue
        same = sorted(c for c in canon if QUESTION_TYPE_DICT[c] == spec)
        if same:
            out[name] = "image" if "image" in same else same[0]
        elif name.startswith("uri:"):
            out[name] = name[4:]
        else:
            bind = str(spec.get("bind", {}).get("type", ""))
            out[name] = by_bind.get(bind, _snake(name))
    return out


def _canonical_type(node: dict[str, Any]) -> str:
    t = str(node.get("type", ""))
    itemset = str(node.get("itemset") or node.get("list_name") or "")
    from_file = itemset.lower().endswith(_EXTERNAL_EXTENSIONS)
    if t == "select one":
        return "select_one_from_file" if from_file else "select_one"
    if t == "select all that apply":
        return "select_multiple_from_file" if from_file else "select_multiple"
    if t == "select one external":
        return "select_one_external"
    return _type_aliases().get(t, _snake(t))


# --- the workbook ----------------------------------------------------------------------------


def _sheet_of(book: Any, key: str) -> str:
    """The workbook's own name of sheet ``key`` (``survey`` may be the one sheet of any name)."""
    names = list(book.sheet_names or [])
    hit = next((n for n in names if n.strip().lower() == key), None)
    if hit is not None:
        return hit
    if key == "survey" and len(names) == 1:
        return names[0]
    return key


def _header_tokens(headers: list[str]) -> list[tuple[str, ...]]:
    double = any("::" in h for h in headers)
    return [
        tuple(t.strip() for t in h.split("::" if double or "::" in h else ":")) for h in headers
    ]


def _languages(book: Any, default_language: str | None) -> tuple[str, ...]:
    """Label languages in column order: survey sheet, then choices sheet."""
    default = _lang_code(default_language) if default_language else "default"
    out: list[str] = []
    for hdr in (book.survey_header, book.choices_header):
        headers = [str(h) for h in (hdr[0] if hdr else {})]
        for tokens in _header_tokens(headers):
            if _snake(tokens[0]) not in ("label", "caption"):
                continue
            lang = _lang_code(tokens[1]) if len(tokens) > 1 and tokens[1] else default
            if lang not in out:
                out.append(lang)
    return tuple(out)


def _settings(book: Any) -> dict[str, str]:
    rows = book.settings or []
    if not rows:
        return {}
    return {_snake(k): str(v).strip() for k, v in rows[0].items() if str(v).strip()}


def _external_choices(book: Any) -> dict[str, tuple[Choice, ...]]:
    out: dict[str, list[Choice]] = {}
    headers = [str(h) for h in ((book.external_choices_header or [{}])[0])]
    tokens = dict(zip(headers, _header_tokens(headers), strict=True))
    for row in book.external_choices or []:
        lst = name = None
        labels: dict[str, str] = {}
        for k, v in row.items():
            tok = tokens.get(str(k), (str(k),))
            head = _snake(tok[0])
            if head in ("list_name",):
                lst = str(v)
            elif head in ("name", "value"):
                name = str(v)
            elif head in ("label", "caption"):
                labels[_lang_code(tok[1]) if len(tok) > 1 else "default"] = str(v)
        if lst and name:
            out.setdefault(lst, []).append(Choice(name, labels))
    return {k: tuple(v) for k, v in out.items()}


def _mark_rows(book: Any) -> None:
    """Give every non-empty survey row a column with its sheet row number."""
    if not book.survey:
        return
    for i, row in enumerate(book.survey, start=2):
        if row:
            row[_MARK] = str(i)
    header = dict((book.survey_header or [{}])[0])
    header[_MARK] = None
    book.survey_header = [header]


def _strip_marks(node: Any) -> None:
    if isinstance(node, dict):
        node.pop(_MARK, None)
        for v in node.values():
            _strip_marks(v)
    elif isinstance(node, list):
        for v in node:
            _strip_marks(v)


# --- the form tree -> Form -------------------------------------------------------------------


def _is_generated(name: str) -> bool:
    """Rows pyxform adds for a table-list's labels (not data)."""
    return name.startswith(("reserved_name_for_field_list_labels_", "generated_table_list_label_"))


def _walk(
    children: list[dict[str, Any]],
    scope: tuple[str, ...],
    repeat: str | None,
    parent_row: int,
    groups: dict[str, dict[str, str]],
    top: bool = False,
) -> Iterator[Question]:
    for i, node in enumerate(children):
        t = str(node.get("type", ""))
        name = str(node.get("name", ""))
        row = int(node.get(_MARK) or parent_row or 0)
        kids = node.get("children") or []
        if t in ("group", "repeat"):
            if top and name == "meta" and _MARK not in node:
                # pyxform's own meta block: keep the rows the form declared (audit), not the
                # instanceID/instanceName pyxform adds
                for kid in kids:
                    if _MARK in kid:
                        yield from _walk([kid], (*scope, name), repeat, row, groups)
                continue
            groups[name] = _labels(node.get("label"))
            yield from _walk(kids, (*scope, name), name if t == "repeat" else repeat, row, groups)
            continue
        if t == "loop":
            groups[name] = _labels(node.get("label"))
            for col in node.get("columns") or []:
                cname = str(col.get("name", ""))
                groups.setdefault(cname, _labels(col.get("label")))
                yield from _walk(kids, (*scope, name, cname), repeat, row, groups)
            continue
        if not name or _is_generated(name):
            continue
        base = _canonical_type(node)
        list_name = None
        if base.startswith(("select_", "rank")):
            list_name = str(node.get("itemset") or node.get("list_name") or "") or None
        nxt = children[i + 1] if i + 1 < len(children) else {}
        or_other = (
            base in ("select_one", "select_multiple")
            and nxt.get("name") == f"{name}_other"
            and _MARK not in nxt
        )
        bind = node.get("bind") or {}
        required = str(bind.get("required", "")).strip().lower() in ("yes", "true", "true()", "1")
        relevant = bind.get("relevant")
        yield Question(
            name=name,
            type=base,
            list_name=list_name,
            group=scope,
            labels=_labels(node.get("label")),
            relevant=str(relevant) if relevant else None,
            required=required,
            repeat=repeat,
            or_other=or_other,
            row=row,
        )


def _form_from_tree(tree: dict[str, Any], book: Any, path: Path, warnings: list[Problem]) -> Form:
    groups: dict[str, dict[str, str]] = {}
    questions = tuple(_walk(tree.get("children") or [], (), None, 0, groups, top=True))
    choices = {
        str(lst): tuple(Choice(str(c.get("name", "")), _labels(c.get("label"))) for c in opts)
        for lst, opts in (tree.get("choices") or {}).items()
    }
    for lst, opts in _external_choices(book).items():
        choices.setdefault(lst, opts)
    settings = _settings(book)
    return Form(
        questions=questions,
        choices=choices,
        settings=settings,
        languages=_languages(book, settings.get("default_language")),
        groups=groups,
        path=str(path),
        warnings=tuple(warnings),
    )


# --- pyxform's verdict -----------------------------------------------------------------------

_ROW_PREFIX = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
_SHEET_IN_TEXT = re.compile(r"On the '([A-Za-z_]+)' sheet|for sheet: '([A-Za-z_]+)'")
_RELAXABLE = (
    "NAMES_001",  # a question, group or repeat name repeated in its group
    "NAMES_004",  # a repeat name repeated in the form
    "NAMES_007",  # a choice name repeated in its list
    "PYREF_001",  # a malformed ${reference} in a column pyxform did not use to read
    "PYREF_002",
)


@cache
def _templates() -> dict[str, re.Pattern[str]]:
    """pyxform's error messages as patterns (from its codes), to find rule, row, sheet, column."""
    from string import Formatter

    from pyxform.errors import ErrorCode

    out: dict[str, re.Pattern[str]] = {}
    for code in ErrorCode:
        pat, seen = "", set()
        for literal, fname, _spec, _conv in Formatter().parse(code.value.msg):
            pat += re.escape(literal)
            if fname is None:
                continue
            if fname in seen or not fname.isidentifier():
                pat += ".*?"
            else:
                seen.add(fname)
                pat += rf"(?P<{fname}>\d+)" if fname == "row" else rf"(?P<{fname}>.*?)"
        out[code.name] = re.compile(pat + r"\s*$", re.DOTALL)
    return out


@dataclass(frozen=True)
class _Failure:
    """One problem in pyxform's refusal: its text, sheet key, row and rule."""

    text: str
    sheet: str | None
    row: int | None
    rule: str | None = None
    value: str | None = None
    column: str | None = None


@cache
def _xlsform_columns() -> frozenset[str]:
    """The column names pyxform reads (and their aliases)."""
    from pyxform import aliases
    from pyxform.question import MultipleChoiceQuestion, Option

    return frozenset(
        {
            *MultipleChoiceQuestion.get_slot_names(),
            *Option.get_slot_names(),
            *aliases.survey_header,
            *aliases.list_header,
            *aliases.TRANSLATABLE_SURVEY_COLUMNS,
            "media",
            "choice_filter",
            "parameters",
            "trigger",
        }
    )


def _relaxable(rule: str, fields: dict[str, Any]) -> bool:
    """A malformed reference is relaxed only in a column pyxform does not read."""
    if not rule.startswith("PYREF"):
        return True
    column = str(fields.get("column") or "")
    head = _snake(re.split(r"::?", column)[0]) if column else ""
    return bool(head) and head not in _xlsform_columns()


def _failures(exc: Exception) -> list[_Failure]:
    msg = re.sub(r",?\s*'" + _MARK + r"': '\d+'", "", str(exc)).strip()
    lines = [ln for ln in msg.split("\n") if ln.strip()]
    parts = lines if len(lines) > 1 and all(_ROW_PREFIX.match(ln) for ln in lines) else [msg]
    context = getattr(exc, "context", None) or {}
    out = []
    for part in parts:
        rule, fields = None, {}
        for code, pat in _templates().items():
            m = pat.match(part)
            if m:
                rule, fields = code, m.groupdict()
                break
        m_row = _ROW_PREFIX.match(part)
        row = int(m_row.group(1)) if m_row else None
        if row is None and str(context.get("row", "")).isdigit():
            row = int(context["row"])
        m_sheet = _SHEET_IN_TEXT.search(part)
        sheet = (m_sheet.group(1) or m_sheet.group(2)).lower() if m_sheet else context.get("sheet")
        if sheet is None and row is not None:
            sheet = "survey"  # pyxform's row-numbered messages without a sheet are the survey's
        text = _ROW_PREFIX.sub("", part).strip()
        out.append(
            _Failure(
                text,
                sheet,
                row,
                rule if rule in _RELAXABLE and _relaxable(rule, fields) else None,
                fields.get("value") or fields.get("q"),
                fields.get("column"),
            )
        )
    return out


def _problem(f: _Failure, sheets: dict[str, str], *, strict: bool) -> Problem:
    sheet = sheets.get(f.sheet, f.sheet) if f.sheet else None
    if f.rule is not None and not strict:
        if f.rule == "NAMES_007":
            consequence = "the first label of the repeated choice name is used"
        elif f.rule.startswith("PYREF"):
            consequence = "that cell is ignored"
        else:
            consequence = "both questions' answers are read from the export's column of that name"
        return Problem(
            f"{f.text} Read anyway (strict=False), as KoboToolbox read it when the form was "
            f"deployed: {consequence}. Fix the form before deploying it again.",
            severity="warning",
            code="form_rule_relaxed",
            sheet=sheet,
            row=f.row,
            column=f.column or "name",
            value=f.value,
        )
    hint = (
        " A form KoboToolbox deployed before pyxform made this rule can still be read for its "
        "exports with read_xlsform(path, strict=False)."
        if f.rule is not None
        else ""
    )
    return Problem(
        f"pyxform refuses the form: {f.text}{hint}",
        code="invalid_form",
        sheet=sheet,
        row=f.row,
        column=(f.column or "name") if f.rule is not None else f.column,
        value=f.value,
        expected="a form ODK and KoboToolbox accept (see https://xlsform.org)",
    )


def _key(row: dict[str, Any], *names: str) -> str | None:
    return next((k for k in row if _snake(k) in names), None)


def _is_xml_name(name: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", name) is not None


def _set_aside(book: Any, f: _Failure, tries: dict[int, int]) -> bool:
    """Change the workbook so that a new parse goes past ``f``; False when it cannot."""
    if f.rule == "NAMES_007":
        rows = list(book.settings or [{}])
        if str(rows[0].get("allow_choice_duplicates", "")).lower() == "yes":
            return False
        rows[0] = {**rows[0], "allow_choice_duplicates": "yes"}
        header = dict((book.settings_header or [{}])[0])
        header["allow_choice_duplicates"] = None
        book.settings, book.settings_header = rows, [header]
        return True
    if f.rule is not None and f.rule.startswith("PYREF"):
        rows = getattr(book, str(f.sheet), None) or []
        if f.row is None or not 2 <= f.row < len(rows) + 2 or f.column not in rows[f.row - 2]:
            return False
        del rows[f.row - 2][f.column]  # the malformed reference: the cell is set aside
        return True
    survey = book.survey or []
    if f.sheet != "survey" or f.row is None or not 2 <= f.row < len(survey) + 2:
        return False
    n = tries.get(f.row, 0)
    tries[f.row] = n + 1
    row = survey[f.row - 2]
    name_key = _key(row, "name", "value", "tag") or "name"
    type_key = _key(row, "type", "command") or "type"
    name = str(row.get(name_key, "") or "")
    rtype = str(row.get(type_key, "") or "").strip().lower()
    synthetic = f"{name}__row{f.row}" if _is_xml_name(name) else f"row{f.row}"
    control = rtype.startswith(("begin", "end"))
    if f.rule is not None or (control and "'name'" in f.text):
        if n > 0:
            return False
        row[name_key] = synthetic  # a repeated or bad name: the row keeps its place and type
        return True
    if control or n > 1:
        return False  # setting a group marker aside would only cause errors of its own
    survey[f.row - 2] = {
        type_key: "hidden",
        name_key: name if n == 0 and _is_xml_name(name) else synthetic,
        _MARK: str(f.row),
    }
    return True


def _unknown_type_row(book: Any, exc: Exception) -> int | None:
    """The row pyxform's builder refused (it names the type, not the row): an unknown type, or
    an ``include`` of a section it was not given."""
    m = re.match(r"Unknown question type '(.*)'", str(exc))
    wanted = m.group(1) if m else None
    if wanted is None and str(exc).startswith("This section has not been included"):
        wanted = "include"
    if wanted is None:
        return None
    for i, row in enumerate(book.survey or [], start=2):
        key = _key(row, "type", "command")
        if key and str(row[key]).strip() == wanted:
            return i
    return None


def read_xlsform(path: str | Path, *, validate: bool = True, strict: bool = True) -> Form:
    """Read an XLSForm (.xlsx, .xls, or pyxform's .csv) into a :class:`Form`, as pyxform does.

    Parameters
    ----------
    path:
        The XLSForm file. It goes through mande's upload guard first (size, zip bomb, password,
        type sniffed from the bytes).
    validate:
        Also build the XForm (``to_xml``), as ``pyxform.xls2xform.convert`` does, to catch what is
        refused only then (default True).
    strict:
        Refuse what today's pyxform refuses (default). With ``strict=False`` a form that breaks
        only the rules pyxform added after KoboToolbox deployed many forms (a question name
        repeated in its group, a repeat name repeated in the form, a choice name repeated in its
        list) is read as Kobo read it, each such problem listed in :attr:`Form.warnings`: use it
        to read the exports of a form already deployed.

    Raises
    ------
    DataValidationError
        The file is not a workbook mande may open, or pyxform refuses the form. Every problem is
        listed with pyxform's reason, the sheet and the row where pyxform gives one (a refused row
        is set aside and the form parsed again to find the next, up to a limit).
    """
    import warnings

    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    path = Path(path)
    kind = check_file(path, max_bytes=None)
    logging.getLogger("pyxform").setLevel(logging.ERROR)
    title = f"{path.name} is not a valid XLSForm"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes on unsupported Excel extensions
        try:
            book = get_xlsform(path.read_bytes(), file_type=f".{kind}")
        except Exception as exc:  # pyxform's readers raise several kinds on a damaged workbook
            f = (_failures(exc) or [_Failure(str(exc), None, None)])[0]
            text = f.text if isinstance(exc, PyXFormError) else f"{type(exc).__name__}: {exc}"
            raise DataValidationError(
                title, [_problem(_Failure(text, f.sheet, f.row or 1), {}, strict=True)]
            ) from None
    _mark_rows(book)
    sheets = {k: _sheet_of(book, k) for k in ("survey", "choices", "settings")}
    errors: list[Problem] = []
    relaxed: list[Problem] = []
    tries: dict[int, int] = {}
    form: Form | None = None
    for _ in range(_MAX_PASSES):
        try:
            tree = workbook_to_json(copy.deepcopy(book), fallback_form_name=path.stem, warnings=[])
        except PyXFormError as exc:
            failures = _failures(exc)
            for f in failures:
                p = _problem(f, sheets, strict=strict)
                (relaxed if p.severity == "warning" else errors).append(p)
            if len(errors) < _MAX_ERRORS and _set_aside(book, failures[0], tries):
                continue
            break
        except Exception as exc:  # pyxform raises plain errors on some malformed input
            errors.append(
                _problem(_Failure(f"{type(exc).__name__}: {exc}", None, None), sheets, strict=True)
            )
            break
        form = _form_from_tree(tree, book, path, relaxed)
        _strip_marks(tree)
        try:
            survey = create_survey_element_from_dict(tree)
            if validate:
                survey.to_xml(validate=False, warnings=[])
        except PyXFormError as exc:
            row = _unknown_type_row(book, exc)
            errors.append(
                _problem(
                    _Failure(str(exc).strip(), "survey" if row else None, row), sheets, strict=True
                )
            )
            if row is not None and _set_aside(book, _Failure(str(exc), "survey", row), tries):
                continue
        except Exception as exc:  # e.g. a malformed expression pyxform does not trap
            errors.append(
                _problem(_Failure(f"{type(exc).__name__}: {exc}", None, None), sheets, strict=True)
            )
        break
    if form is None and not errors:
        errors.append(
            Problem(
                f"pyxform refuses the form at more than {_MAX_PASSES} rows; fix those listed "
                "and read it again",
                code="invalid_form",
                sheet=sheets["survey"],
            )
        )
    if errors or form is None:
        order = {sheets["settings"]: 0, sheets["survey"]: 1, sheets["choices"]: 2}
        errors.sort(key=lambda p: (order.get(p.sheet or "", 3), p.row or 0))
        raise DataValidationError(title, [*errors, *relaxed])
    return form
