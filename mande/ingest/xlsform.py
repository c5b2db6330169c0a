"""Reading an XLSForm (the ODK/Kobo form definition) into a :class:`Form`.

The sheets ``survey``, ``choices`` and ``settings`` are read with pyxform's conventions: label
columns ``label``, ``label::fr`` or ``label::Français (fr)`` (the language is the code in
parentheses when there is one), types ``select_one LIST``, ``select_multiple LIST``,
``select_one LIST or_other``, ``begin group`` / ``end group``, ``begin repeat`` / ``end repeat``.
The form is then checked by pyxform itself (``pyxform.xls2xform.convert``), so that a form ODK would
refuse is refused here too, with the sheet, the row and pyxform's reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mande.errors import DataValidationError, Problem
from mande.ingest._files import read_tables

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
    }
)
QUESTION_TYPES = frozenset(
    {
        "select_one",
        "select_multiple",
        "select_one_from_file",
        "select_multiple_from_file",
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
    "default": "default",
}


@dataclass(frozen=True)
class Choice:
    """One answer option of a choice list: its XML name and its label per language."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    """One row of the survey sheet that holds data (groups and repeats are recorded in ``group``).

    ``type`` is the base type with underscores (``select_one``, ``integer``, ``start``, ...);
    ``group`` the names of the enclosing groups and repeats, outermost first; ``repeat`` the name
    of the innermost enclosing repeat, if any; ``row`` the row in the survey sheet (header = 1).
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
        Every data-holding row of the survey sheet, in order (metadata, questions, notes,
        calculates; not the group and repeat markers).
    choices:
        list name -> its choices, in order.
    groups:
        group or repeat name -> its labels per language.
    settings:
        The settings sheet's first row (column -> value).
    languages:
        Label languages, as codes (``en``, ``fr``) when the column names them, in column order.
    """

    questions: tuple[Question, ...]
    choices: dict[str, tuple[Choice, ...]]
    settings: dict[str, str]
    languages: tuple[str, ...]
    groups: dict[str, dict[str, str]] = field(default_factory=dict)
    path: str | None = None

    @property
    def form_id(self) -> str | None:
        return self.settings.get("form_id") or None

    @property
    def version(self) -> str | None:
        return self.settings.get("version") or None

    @property
    def default_language(self) -> str | None:
        lang = self.settings.get("default_language")
        return _lang_code(lang) if lang else (self.languages[0] if self.languages else None)

    @property
    def title(self) -> str | None:
        return self.settings.get("form_title") or None

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


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _label_columns(columns: list[str], base: str = "label") -> dict[str, str]:
    """Column -> language code for ``label``, ``label::fr``, ``label::Français (fr)``."""
    out: dict[str, str] = {}
    for c in columns:
        low = c.strip().lower()
        if low == base:
            out[c] = "default"
        elif low.startswith(base + "::"):
            out[c] = _lang_code(c.strip()[len(base) + 2 :])
    return out


def _parse_type(raw: str) -> tuple[str, str | None, bool]:
    """'select_one yesno or_other' -> ('select_one', 'yesno', True)."""
    text = " ".join(raw.split())
    low = text.lower()
    for prefix, base in (
        ("select_one_from_file", "select_one_from_file"),
        ("select_multiple_from_file", "select_multiple_from_file"),
        ("select_one", "select_one"),
        ("select one", "select_one"),
        ("select_multiple", "select_multiple"),
        ("select multiple", "select_multiple"),
        ("select all that apply", "select_multiple"),
        ("rank", "rank"),
    ):
        if low.startswith(prefix + " ") or low == prefix:
            rest = text[len(prefix) :].split()
            or_other = bool(rest) and rest[-1].lower() == "or_other"
            if or_other:
                rest = rest[:-1]
            return base, (rest[0] if rest else None), or_other
    return low.replace(" ", "_"), None, False


def read_xlsform(path: str | Path, *, validate: bool = True) -> Form:
    """Read an XLSForm (.xlsx or .xls) into a :class:`Form`.

    Parameters
    ----------
    path:
        The XLSForm file.
    validate:
        Also run pyxform's conversion to catch what ODK would refuse (default True).

    Raises
    ------
    DataValidationError
        The file is not a readable workbook, or the form is invalid. Every problem found by mande's
        own checks (missing sheet or column, unknown type, a select without its choice list,
        duplicate names, unbalanced groups) is listed with its sheet and row; pyxform's own verdict
        is added when those pass.
    """
    path = Path(path)
    tables = read_tables(path, max_bytes=None, allow_empty=True)
    lower = {name.strip().lower(): t for name, t in tables.items()}
    problems: list[Problem] = []
    if "survey" not in lower:
        raise DataValidationError(
            f"{path.name} is not an XLSForm: it has no 'survey' sheet",
            [
                Problem(
                    f"no 'survey' sheet; sheets found: {', '.join(tables)}",
                    code="missing_sheet",
                    sheet="survey",
                    expected="sheets survey, choices (for select questions) and settings",
                )
            ],
        )
    survey = lower["survey"]
    cols = [str(c) for c in survey.frame.columns]
    colmap = {c.strip().lower(): c for c in cols}
    for needed in ("type", "name"):
        if needed not in colmap:
            problems.append(
                Problem(
                    f"the survey sheet has no '{needed}' column",
                    code="missing_column",
                    sheet=survey.sheet,
                    row=1,
                    column=needed,
                    expected="columns type, name, label",
                )
            )
    if problems:
        raise DataValidationError(f"{path.name} is not a valid XLSForm", problems)

    # choices
    choices: dict[str, list[Choice]] = {}
    choice_langs: dict[str, str] = {}
    if "choices" in lower:
        ct = lower["choices"]
        ccols = [str(c) for c in ct.frame.columns]
        cmap = {c.strip().lower(): c for c in ccols}
        lcol = cmap.get("list_name") or cmap.get("list name")
        ncol = cmap.get("name") or cmap.get("value")
        if lcol is None or ncol is None:
            problems.append(
                Problem(
                    "the choices sheet needs columns list_name and name",
                    code="missing_column",
                    sheet=ct.sheet,
                    row=1,
                    column="list_name" if lcol is None else "name",
                    expected="columns list_name, name, label",
                )
            )
        else:
            choice_langs = _label_columns(ccols)
            seen: dict[tuple[str, str], int] = {}
            for i, rec in enumerate(ct.frame.to_dict("records")):
                lst, nm = _cell(rec[lcol]), _cell(rec[ncol])
                row = i + 2
                if not lst and not nm:
                    continue
                if not nm:
                    problems.append(
                        Problem(
                            f"choice of list '{lst}' has no name",
                            code="invalid_form",
                            sheet=ct.sheet,
                            row=row,
                            column=ncol,
                            expected="a choice name (the value stored in the data)",
                        )
                    )
                    continue
                if (lst, nm) in seen:
                    problems.append(
                        Problem(
                            f"choice '{nm}' appears twice in list '{lst}' (rows {seen[(lst, nm)]} "
                            f"and {row})",
                            code="invalid_form",
                            sheet=ct.sheet,
                            row=row,
                            column=ncol,
                            value=nm,
                            expected="unique choice names within a list",
                        )
                    )
                    continue
                seen[(lst, nm)] = row
                labels = {lang: _cell(rec[c]) for c, lang in choice_langs.items() if _cell(rec[c])}
                choices.setdefault(lst, []).append(Choice(nm, labels))

    # settings
    settings: dict[str, str] = {}
    if "settings" in lower and len(lower["settings"].frame):
        first = lower["settings"].frame.iloc[0]
        settings = {str(k).strip().lower(): _cell(v) for k, v in first.items() if _cell(v)}

    # survey
    langs = _label_columns(cols)
    tcol, ncol_s = colmap["type"], colmap["name"]
    rcol, reqcol = colmap.get("relevant"), colmap.get("required")
    questions: list[Question] = []
    groups: dict[str, dict[str, str]] = {}
    stack: list[tuple[str, str, int]] = []  # (name, kind, row)
    names_in_scope: dict[tuple[str, ...], dict[str, int]] = {}
    for i, rec in enumerate(survey.frame.to_dict("records")):
        row = i + 2
        raw_type, name = _cell(rec[tcol]), _cell(rec[ncol_s])
        if not raw_type and not name:
            continue
        base, list_name, or_other = _parse_type(raw_type)
        labels = {lang: _cell(rec[c]) for c, lang in langs.items() if _cell(rec[c])}
        if base in ("begin_group", "begin_repeat"):
            if not name:
                problems.append(
                    Problem(
                        f"'{raw_type}' without a name",
                        code="invalid_form",
                        sheet=survey.sheet,
                        row=row,
                        column=ncol_s,
                        expected="a group name",
                    )
                )
            stack.append((name, base[6:], row))
            groups[name] = labels
            continue
        if base in ("end_group", "end_repeat"):
            if not stack or stack[-1][1] != base[4:]:
                problems.append(
                    Problem(
                        f"'{raw_type}' without a matching 'begin {base[4:]}'",
                        code="invalid_form",
                        sheet=survey.sheet,
                        row=row,
                        column=tcol,
                        value=raw_type,
                        expected=f"a 'begin {base[4:]}' above it",
                    )
                )
            else:
                stack.pop()
            continue
        if not raw_type:
            problems.append(
                Problem(
                    f"question '{name}' has no type",
                    code="invalid_form",
                    sheet=survey.sheet,
                    row=row,
                    column=tcol,
                    expected="a type such as select_one LIST, integer, text",
                )
            )
            continue
        if base not in QUESTION_TYPES and base not in METADATA_TYPES:
            problems.append(
                Problem(
                    f"unknown question type '{raw_type}'",
                    code="invalid_form",
                    sheet=survey.sheet,
                    row=row,
                    column=tcol,
                    value=raw_type,
                    expected="an XLSForm type (select_one LIST, select_multiple LIST, integer, "
                    "decimal, text, date, geopoint, note, calculate, ...)",
                )
            )
            continue
        if not name:
            problems.append(
                Problem(
                    f"a '{raw_type}' question has no name",
                    code="invalid_form",
                    sheet=survey.sheet,
                    row=row,
                    column=ncol_s,
                    expected="a unique question name",
                )
            )
            continue
        if base in ("select_one", "select_multiple", "rank"):
            if not list_name:
                problems.append(
                    Problem(
                        f"'{raw_type}' names no choice list",
                        code="invalid_form",
                        sheet=survey.sheet,
                        row=row,
                        column=tcol,
                        value=raw_type,
                        expected=f"{base} LIST_NAME",
                    )
                )
            elif list_name not in choices:
                problems.append(
                    Problem(
                        f"choice list '{list_name}' of question '{name}' is not in the choices "
                        "sheet",
                        code="invalid_form",
                        sheet=survey.sheet,
                        row=row,
                        column=tcol,
                        value=list_name,
                        expected=f"one of the lists: {', '.join(sorted(choices)) or '(none)'}",
                    )
                )
        scope = tuple(g for g, _, _ in stack)
        seen_names = names_in_scope.setdefault(scope, {})
        if name in seen_names:
            problems.append(
                Problem(
                    f"name '{name}' is used twice (rows {seen_names[name]} and {row})",
                    code="invalid_form",
                    sheet=survey.sheet,
                    row=row,
                    column=ncol_s,
                    value=name,
                    expected="unique question names",
                )
            )
            continue
        seen_names[name] = row
        repeat = next((g for g, kind, _ in reversed(stack) if kind == "repeat"), None)
        required = _cell(rec[reqcol]).lower() in ("yes", "true", "1", "true()") if reqcol else False
        questions.append(
            Question(
                name=name,
                type=base,
                list_name=list_name,
                group=scope,
                labels=labels,
                relevant=(_cell(rec[rcol]) or None) if rcol else None,
                required=required,
                repeat=repeat,
                or_other=or_other,
                row=row,
            )
        )
        if or_other:
            questions.append(
                Question(
                    name=f"{name}_other",
                    type="text",
                    group=scope,
                    labels={"default": "Specify other."},
                    relevant=f"selected(${{{name}}}, 'other')",
                    repeat=repeat,
                    row=row,
                )
            )
    for gname, kind, grow in stack:
        problems.append(
            Problem(
                f"'begin {kind}' '{gname}' has no matching 'end {kind}'",
                code="invalid_form",
                sheet=survey.sheet,
                row=grow,
                column=tcol,
                expected=f"an 'end {kind}' row below it",
            )
        )
    if not problems and validate and path.suffix.lower() in (".xlsx", ".xls"):
        problems += _pyxform_problems(path, survey.sheet)
    if problems:
        raise DataValidationError(f"{path.name} is not a valid XLSForm", problems)
    languages = tuple(dict.fromkeys([*langs.values(), *choice_langs.values()]))
    return Form(
        questions=tuple(questions),
        choices={k: tuple(v) for k, v in choices.items()},
        settings=settings,
        languages=languages,
        groups=groups,
        path=str(path),
    )


def _pyxform_problems(path: Path, survey_sheet: str) -> list[Problem]:
    """pyxform's verdict on the form (it stops at the first error it finds)."""
    import logging

    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    logging.getLogger("pyxform").setLevel(logging.ERROR)
    try:
        convert(str(path), warnings=[])
    except PyXFormError as exc:
        msg = str(exc)
        m = re.search(r"\[row\s*:\s*(\d+)\]", msg)
        sheet = "choices" if "choices" in msg.lower() and "sheet" in msg.lower() else survey_sheet
        if "'settings' sheet" in msg:
            sheet = "settings"
        text = re.sub(r"^\s*\[row\s*:\s*\d+\]\s*", "", msg)
        return [
            Problem(
                f"pyxform refuses the form: {text}",
                code="invalid_form",
                sheet=sheet,
                row=int(m.group(1)) if m else None,
                expected="a form ODK/Kobo accepts (see xlsform.org)",
            )
        ]
    except Exception as exc:  # pyxform raises plain errors on some malformed input
        return [
            Problem(
                f"pyxform could not convert the form: {type(exc).__name__}: {exc}",
                code="invalid_form",
                sheet=survey_sheet,
                expected="a form ODK/Kobo accepts (see xlsform.org)",
            )
        ]
    return []
