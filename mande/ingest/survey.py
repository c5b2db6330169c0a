"""Reading a survey export (KoboToolbox / ODK) into a tidy, validated, de-identified round.

:func:`read_survey` reads the file (.xlsx with calamine, .xls, .csv; every shape Kobo, ODK Central
and R write, see :mod:`mande.ingest.exports`), finds each question's column (headers as XML names,
as labels in any form language, with group paths ``grp/q``, ``grp-q``, ``grp.q`` or without),
decodes answers (XML values or labels in any form language), maps them to the standard items,
validates, removes personal data, and returns a :class:`SurveyRound`.

It runs as a pipeline of small named steps that share one :class:`_Ingest` state: each step adds
the columns it read and the problems it found, and nothing else::

    read table -> check mapping -> locate columns -> design -> ids -> versions -> dates
      -> questions (one decoder per question type) -> other columns -> personal-data scan
      -> assemble -> round checks (design, non-response, breakdowns) -> repeat groups

The tidy table (``SurveyRound.responses``), one row per respondent:

- ``respondent_id`` (keyed hash of the id column, ``_uuid`` by default), ``round``,
  ``interview_date`` (datetime64), ``stratum`` and ``psu`` (strings), ``weight`` (float64);
- the breakdowns ``sex``, ``age``, ``age_group``, ``region``, ``admin2``, ``urban_rural``,
  ``displacement``, the Washington Group items ``wg_*`` and ``disability``;
- every standard item under its code: ordinal items as float64 (NaN when missing or not asked),
  categories as strings, select_multiple items as ``ITEM__CHOICE`` 0/1 float columns (NaN where the
  question was not answered). Items the form does not ask are present and empty, so that every
  round has the same standard columns;
- then the form's unmapped questions, kept under their own XML names (without group path):
  select_one as the choice name, select_multiple as ``NAME__CHOICE`` 0/1, numbers as float64,
  text as text. A name that collides with a standard column is prefixed ``form__``. Other export
  columns that are neither metadata nor personal data (e.g. ``weight_design``) are kept under their
  header.

Repeat groups (Kobo writes each on its own sheet) are read into ``SurveyRound.repeats``: one table
per repeat group, linked to the respondent by ``respondent_id`` (the same keyed hash) and to its
parent row by ``parent_index``.

A survey without a sample design declares it (``design: {type: srs}`` in the mapping, or
``design="srs"``): every weight is 1, ``stratum`` is empty, ``psu`` is the respondent, and the
report carries the warning ``no_sample_design`` (see :mod:`mande.ingest.sample_design`).

Everything is vectorised: answers are decoded once per distinct value (``pandas.factorize``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import DataValidationError, Problem
from mande.gate import Gazetteer, screen_columns, screen_problems
from mande.indicators.items import StandardItems, standard_items
from mande.ingest import _decode as dec
from mande.ingest._columns import Columns, find_column, resolve_columns
from mande.ingest._files import DEFAULT_MAX_COLUMNS, DEFAULT_MAX_LINE_CHARS, sha256_file
from mande.ingest.checks import (
    DEFAULT_MAX_WEIGHT_RATIO,
    check_label,
    date_range_problems,
    suggest_label,
    weight_problems,
)
from mande.ingest.exports import (
    DATE_COLUMNS,
    ID_COLUMNS,
    SUBMISSION_META,
    VERSION_COLUMNS,
    Export,
    Sheet,
    read_export,
)
from mande.ingest.mapping import (
    ItemMapping,
    Mapping,
    load_mapping,
    mapping_from_dict,
    standard_mapping,
)
from mande.ingest.privacy import (
    Removed,
    hash_ids,
    name_words,
    personal_by_content,
    personal_by_name,
)
from mande.ingest.sample_design import HOW_TO_DECLARE, is_srs, srs_problem, with_design_type
from mande.ingest.validate import (
    ValidationReport,
    breakdown_warnings,
    design_warnings,
    fieldwork_warnings,
    nonresponse_warnings,
    row_problems,
)
from mande.ingest.xlsform import Form, Question, read_xlsform
from mande.stats.design import SurveyDesign

__all__ = ["AGE_GROUPS", "SUBMISSION_META", "SurveyRound", "derive_breakdowns", "read_survey"]

#: The age groups and the Washington Group items, as items.yaml declares them
#: (``derived_breakdowns``): an age group runs from its lower bound to the next one's.
AGE_GROUPS: tuple[str, ...] = tuple(standard_items().derived["age_group"]["groups"])
_AGE_BINS = [*(int(g.split("-")[0].rstrip("+")) for g in AGE_GROUPS), np.inf]
WG_ITEMS: tuple[str, ...] = standard_items().derived_from("disability")

#: The columns Kobo's export adds after a select_multiple with the "literacy" (timed reading grid)
#: appearance: not choices of another form version.
_LITERACY_COLUMNS = frozenset({"word at flash", "duration of exercise", "total words attempted"})
_GEO_TYPES = ("geopoint", "geotrace", "geoshape", "start-geopoint")


@dataclass(frozen=True)
class SurveyRound:
    """One round of a perception survey, tidy, validated and de-identified.

    Attributes
    ----------
    responses:
        One row per respondent (columns in the module docstring).
    design:
        ``SurveyDesign(weight="weight", strata="stratum", psu="psu")``; for a survey declared
        without sample design (``srs``) ``SurveyDesign(weight="weight")``.
    report:
        The warnings that did not block, what personal data was removed, counts.
    form:
        The form the export was read with.
    label:
        The round's label (``round`` column).
    source_sha256:
        SHA-256 of the file read.
    fieldwork_start, fieldwork_end:
        First and last interview dates.
    repeats:
        Repeat group name -> its table (``respondent_id``, ``index``, ``parent_index``,
        ``parent_table``, then the group's questions, decoded and de-identified as above).
    """

    responses: pd.DataFrame
    design: SurveyDesign
    report: ValidationReport
    form: Form
    label: str
    source_sha256: str
    fieldwork_start: dt.date | None = None
    fieldwork_end: dt.date | None = None
    repeats: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def design_note(self) -> str | None:
        """The warning that the round has no sample design (None when it has one)."""
        hit = next((p for p in self.report.problems if p.code == "no_sample_design"), None)
        return hit.message if hit is not None else None

    def counts(
        self,
        by: str = "region",
        labels: dict[str, str] | None = None,
        missing: str = "(missing)",
    ) -> pd.DataFrame:
        """Respondents per group, for a quick check after reading: ``by``, ``n`` (unweighted),
        ``weighted_share`` (per cent of the weights, 0-100). Missing groups are counted as
        ``missing``; ``labels`` names the groups (e.g. region p-code -> region name)."""
        df = self.responses
        if by not in df.columns:
            raise DataValidationError(
                f"column '{by}' is not in the round; columns: {', '.join(map(str, df.columns))}"
            )
        values = df[by].astype(object)
        if labels:
            values = values.map(lambda v: labels.get(str(v), v) if v == v else v)
        groups = values.where(df[by].notna(), missing)
        out = pd.DataFrame({by: groups, "w": df[self.design.weight]})
        table = out.groupby(by, sort=True).agg(n=("w", "size"), w=("w", "sum")).reset_index()
        table["weighted_share"] = 100 * table.pop("w") / out["w"].sum()
        return table


# --------------------------------------------------------------------------------------------
# The state the steps share


@dataclass
class _Ingest:
    """What the steps of :func:`read_survey` read and write.

    Each step reads the export (``sheet``), the form and the mapping, and adds: standard columns
    (``data``, with the header each came from in ``source``), kept questions (``kept``), the
    headers it consumed (``used``), removed columns (``removed``) and problems (``problems``).
    """

    sheet: Sheet
    form: Form
    mapping: Mapping
    design: dict[str, str]
    items: StandardItems
    key: bytes
    fieldwork: tuple[dt.date, dt.date] | None = None
    years: tuple[int, int] | None = None  # the mission's years: dates outside are errors
    max_weight_ratio: float = DEFAULT_MAX_WEIGHT_RATIO
    privacy: Gazetteer | None = None  # the mission's name lists for the personal-data gate
    known_names: frozenset[str] = frozenset()  # words of removed name columns
    id_header: str | None = None
    cols: Columns = field(default_factory=Columns)
    problems: list[Problem] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    kept: dict[str, pd.Series] = field(default_factory=dict)
    text_cols: dict[str, str] = field(default_factory=dict)  # kept text column -> header
    name_values: list[pd.Series] = field(default_factory=list)  # removed name columns
    mapped_items: list[tuple[str, str]] = field(default_factory=list)  # (item, header)
    raw_ids: pd.Series | None = None  # the id column as text, before hashing

    @property
    def frame(self) -> pd.DataFrame:
        return self.sheet.frame

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.sheet.frame.columns]

    def flag(
        self,
        mask: np.ndarray | pd.Series,
        header: str,
        message: str,
        code: str,
        expected: str,
        severity: str = "error",
        values: pd.Series | None = None,
    ) -> None:
        """One problem per flagged row of column ``header`` (the repeated reporting block)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.problems.extend(
            row_problems(
                mask,
                self.frame[header] if values is None else values,
                message=message,
                code=code,
                sheet=self.sheet.name,
                column=header,
                expected=expected,
                severity=severity,
                first_row=self.sheet.first_row,
            )
        )

    def flag_answers(
        self,
        q: Question,
        mask: np.ndarray | pd.Series,
        header: str,
        message: str,
        code: str,
        expected: str,
    ) -> None:
        """Answers of ``q`` that cannot be read: an error when ``q`` feeds a standard item, a
        warning otherwise (read as missing; a question no indicator reads does not block)."""
        if self.mapping.item_of(q.name) is not None:
            self.flag(mask, header, message, code, expected)
        else:
            self.flag(
                mask,
                header,
                message + "; read as missing (the question feeds no standard indicator)",
                code,
                expected,
                severity="warning",
            )

    def note(self, message: str, code: str, severity: str = "error", **where: Any) -> None:
        """One problem about the file or a column (not a row)."""
        where.setdefault("sheet", self.sheet.name)
        self.problems.append(Problem(message, severity=severity, code=code, **where))  # type: ignore[arg-type]

    def use(self, header: str, as_name: str | None = None) -> None:
        self.used.add(header)
        if as_name is not None:
            self.source[as_name] = header


# --------------------------------------------------------------------------------------------
# Steps


def _check_mapping(ing: _Ingest) -> None:
    """Mapping entries must name questions of the form."""
    for qname, entry in ing.mapping.questions.items():
        if entry.item is not None and qname not in ing.form:
            ing.problems.append(
                Problem(
                    f"the mapping maps question '{qname}' to '{entry.item}', but the form has no "
                    "such question; fix the mapping file",
                    code="mapping_mismatch",
                    column=qname,
                    expected=f"a question of form {ing.form.form_id or ing.form.path}",
                )
            )


def _locate_columns(ing: _Ingest) -> None:
    """Each question's column (or split choice columns); a question in two columns is a warning."""
    ing.cols = resolve_columns(ing.form, ing.headers)
    for qname, first_header, ignored in ing.cols.duplicates:
        ing.note(
            f"question '{qname}' is in two columns, '{first_header}' and '{ignored}'; the "
            "first is read",
            "duplicate_question",
            severity="warning",
            row=1,
            column=ignored,
        )


_LOOKS_LIKE = {
    "weight": ("weight", "poids", "ponderation", "pondération", "wt", "wgt"),
    "strata": ("stratum", "strata", "strate", "strates"),
    "psu": ("cluster", "grappe", "psu", "zd", "ea", "upe", "cluster_id", "village"),
}


def _looks_like(ing: _Ingest, key: str) -> list[str]:
    """Headers whose whole name (or a whole word of it) names a design column of kind ``key``."""
    words = _LOOKS_LIKE[key]
    out = []
    for h in ing.cols.other:
        parts = {p for p in dec.hnorm(h).replace("/", "_").replace("-", "_").split("_") if p}
        if dec.hnorm(h) in words or parts & set(words):
            out.append(h)
    return out


def _read_design(ing: _Ingest) -> None:
    """Weight, stratum and PSU columns, or equal weights for a survey declared without design."""
    index = ing.frame.index
    if is_srs(ing.design):
        ing.data["weight"] = pd.Series(1.0, index=index, dtype="float64")
        ing.data["stratum"] = pd.Series(np.nan, index=index, dtype=object)
        ing.problems.insert(0, srs_problem())
        return
    found = {k: find_column(ing.headers, ing.design.get(k)) for k in ("weight", "strata", "psu")}
    if not any(found.values()):
        ing.note(
            "the export has no sample design columns (weight "
            f"'{ing.design.get('weight')}', strata '{ing.design.get('strata')}' and psu "
            f"'{ing.design.get('psu')}' not found). " + HOW_TO_DECLARE,
            "no_design",
            row=1,
            expected="weight, strata and PSU columns, or a design declared srs",
        )
        return
    for key_name, col in found.items():
        wanted = ing.design.get(key_name)
        if col is None:
            looks = _looks_like(ing, key_name)
            ing.note(
                f"column '{wanted}' not found; the design names {key_name}='{wanted}'"
                + (
                    f"; columns that look like it: {', '.join(repr(x) for x in looks)}"
                    if looks
                    else ""
                )
                + f"; set design.{key_name} in the mapping file. "
                + HOW_TO_DECLARE,
                "missing_column",
                row=1,
                column=wanted,
                expected=f"a {key_name} column",
            )
    wcol = found["weight"]
    if wcol is not None:
        w, bad = dec.numbers(ing.frame[wcol])
        wprob, wbad = weight_problems(
            ing.frame[wcol], w, sheet=ing.sheet.name, column=wcol, max_ratio=ing.max_weight_ratio
        )
        ing.problems.extend(wprob)
        w = w.where(~wbad)
        nonpos = w.notna().to_numpy() & (w.fillna(0).to_numpy() <= 0)
        miss = w.isna().to_numpy() & ~bad & ~wbad
        for mask, msg in (
            (bad, "weight '{value}' is not a number"),
            (nonpos, "weight {value} is not above zero"),
            (miss, "weight is missing"),
        ):
            ing.flag(mask, wcol, msg, "invalid_weight", "a number above 0")
        ing.data["weight"] = w
        ing.use(wcol, "weight")
    for key_name, out_name in (("strata", "stratum"), ("psu", "psu")):
        col = found[key_name]
        if col is not None:
            values = ing.frame[col].map(dec.vkey_raw)
            ing.data[out_name] = values
            ing.flag(values.isna(), col, f"{out_name} is missing", "missing_value", f"a {out_name}")
            ing.use(col, out_name)


def _read_ids(ing: _Ingest) -> None:
    """The respondent id: checked (present, unique), replaced by its keyed hash."""
    wanted = ing.design.get("respondent_id")
    id_col = find_column(ing.headers, wanted)
    if id_col is None:
        id_col = next((c for c in (find_column(ing.headers, x) for x in ID_COLUMNS) if c), None)
    if id_col is None:
        ing.note(
            "no respondent id column (_uuid, meta/instanceID, KEY or the mapping's "
            f"design.respondent_id = '{wanted}')",
            "missing_column",
            row=1,
            column=wanted,
            expected="a column with one unique id per submission",
        )
        return
    raw_id = ing.frame[id_col].map(dec.vkey_raw)
    ing.flag(raw_id.isna(), id_col, "respondent id is missing", "missing_id", "a unique id")
    dup = raw_id.duplicated(keep=False) & raw_id.notna()
    ing.flag(
        dup,
        id_col,
        "respondent id '{value}' appears in more than one row",
        "duplicate_id",
        "each respondent once",
    )
    ing.raw_ids = raw_id
    ing.id_header = id_col
    ing.data["respondent_id"] = hash_ids(raw_id, ing.key)
    ing.use(id_col, "respondent_id")
    ing.removed.append(Removed(id_col, "respondent id, replaced by a keyed hash (respondent_id)"))
    if is_srs(ing.design):
        ing.data["psu"] = ing.data["respondent_id"]  # each respondent its own PSU


def _check_versions(ing: _Ingest) -> None:
    """One form version per file: from the version column, or, without one, from the columns."""
    vcol = next((c for c in (find_column(ing.headers, x) for x in VERSION_COLUMNS) if c), None)
    if vcol is not None:
        versions = ing.frame[vcol].map(dec.vkey_raw)
        vcounts = versions.dropna().value_counts()
        if len(vcounts) > 1:
            first_rows = {
                v: int(np.flatnonzero((versions == v).to_numpy())[0]) + ing.sheet.first_row
                for v in vcounts.index
            }
            ing.note(
                "the file mixes form versions: "
                + ", ".join(
                    f"{v} ({c} rows, first at row {first_rows[v]})" for v, c in vcounts.items()
                )
                + "; export each version separately and read it with its own form",
                "mixed_versions",
                row=first_rows[vcounts.index[1]],
                column=vcol,
                value=str(vcounts.index[1]),
                expected=f"a single version ({vcounts.index[0]})",
            )
        return
    # No version column: rows that answer none of the form's questions while others do, next to
    # columns the form does not have, were written by another version of the form.
    q_headers = [h for h in ing.cols.question.values()] + [
        h for split in ing.cols.split.values() for h in split.values()
    ]
    foreign = [
        h
        for h in ing.cols.other
        if dec.hnorm(h) not in SUBMISSION_META
        and not h.startswith("_")
        and personal_by_name(h) is None
        and ing.frame[h].map(dec.vkey).notna().any()
    ]
    # choice columns of a select_multiple for a choice the form does not have
    sm = {
        dec.hnorm(k): q.name
        for q in ing.form.questions
        if q.type == "select_multiple" and q.repeat is None
        for k in (q.name, q.path, *q.labels.values())
    }
    unknown_choice = [
        h
        for h in foreign
        if any(dec.hnorm(h).startswith(k + sep) for k in sm for sep in "/-.:")
        and dec.hnorm(h).rsplit("/", 1)[-1] not in _LITERACY_COLUMNS
    ]
    if unknown_choice:
        ing.note(
            "columns for choices this form does not have ("
            + ", ".join(repr(h) for h in unknown_choice[:5])
            + "): the export holds answers of another version of the form; they are kept as "
            "written, not read as answers. Read the export with the form version it was "
            "collected with, or export each version separately",
            "mixed_versions",
            severity="warning",
            row=1,
            column=unknown_choice[0],
            expected="the choices of the form read with",
        )
    if not q_headers or not foreign:
        return
    answered_form = ing.frame[q_headers].map(dec.vkey).notna().any(axis=1).to_numpy()
    answered_other = ing.frame[foreign].map(dec.vkey).notna().any(axis=1).to_numpy()
    only_other = answered_other & ~answered_form
    if only_other.any() and answered_form.any():
        row = int(np.flatnonzero(only_other)[0]) + ing.sheet.first_row
        ing.note(
            f"{int(only_other.sum())} row(s) answer none of the form's questions but answer "
            f"columns the form does not have ({', '.join(repr(h) for h in foreign[:5])}): the "
            "file seems to mix form versions; export each version separately and read it with "
            "its own form",
            "mixed_versions",
            severity="warning",
            row=row,
            column=foreign[0],
            expected="every row answering the form read with it",
        )


def _read_dates(ing: _Ingest) -> None:
    """The interview date (mapping's column, then today, start, _submission_time, ...)."""
    wanted = ing.design.get("interview_date")
    date_col = ing.cols.question.get(wanted) if wanted else None
    date_col = date_col or find_column(ing.headers, wanted)
    for fb in DATE_COLUMNS:
        if date_col is None:
            date_col = ing.cols.question.get(fb) or find_column(ing.headers, fb)
    if date_col is None:
        ing.data["interview_date"] = pd.Series(
            pd.NaT, index=ing.frame.index, dtype="datetime64[ns]"
        )
        ing.note(
            "no interview date column (today, start, _submission_time or SubmissionDate); the "
            "round's fieldwork dates are unknown",
            "missing_date",
            severity="warning",
        )
        return
    dates, bad = dec.dates(ing.frame[date_col])
    ing.flag(
        bad,
        date_col,
        "date '{value}' cannot be read as a date from 1900 to 2100",
        "invalid_date",
        "a date such as 2025-03-14",
    )
    if ing.years is not None:
        ing.problems.extend(
            date_range_problems(dates, years=ing.years, sheet=ing.sheet.name, column=date_col)[0]
        )
    ing.data["interview_date"] = dates
    ing.source["interview_date"] = date_col
    if ing.fieldwork is not None:
        ing.problems.extend(
            fieldwork_warnings(
                dates,
                ing.fieldwork,
                sheet=ing.sheet.name,
                column=date_col,
                first_row=ing.sheet.first_row,
            )
        )


# --------------------------------------------------------------------------------------------
# Questions: one decoder per question type


def _decode_questions(ing: _Ingest) -> None:
    """Each question outside repeat groups, through the decoder of its type."""
    for q in ing.form.questions:
        if q.repeat is not None or q.type == "note":
            continue
        header = ing.cols.question.get(q.name)
        if header is not None and header in ing.used:
            continue  # read as a design column (stratum, PSU, weight, id, date)
        if header is None and not (q.type == "select_multiple" and q.name in ing.cols.split):
            continue
        if _drop_personal(ing, q, header):
            continue
        decoder = _DECODERS.get(q.type, _decode_text)
        decoder(ing, q, header)


def _drop_personal(ing: _Ingest, q: Question, header: str | None) -> bool:
    """Metadata and GPS questions, and unmapped questions that are personal data: dropped."""
    headers = [h for h in [header, *ing.cols.split.get(q.name, {}).values()] if h is not None]
    if q.is_metadata or q.type in _GEO_TYPES:
        reason = personal_by_name(q.name, q.type)
        for h in headers:
            ing.use(h)
            if reason:
                ing.removed.append(Removed(h, reason))
        return True
    if ing.mapping.item_of(q.name) is not None:
        return False
    reason = personal_by_name(q.name, q.type)
    if not reason:
        return False
    for h in headers:
        ing.use(h)
        ing.removed.append(Removed(h, reason))
    if header is not None and q.type in ("text", "calculate"):
        ing.name_values.append(ing.frame[header])
    return True


def _item_of(ing: _Ingest, q: Question) -> tuple[ItemMapping | None, Any]:
    m = ing.mapping.item_of(q.name)
    item = ing.items[m.item] if m is not None and m.item is not None else None
    return m, item


def _decode_select_one(ing: _Ingest, q: Question, header: str | None) -> None:
    if header is None:
        return
    ing.use(header)
    names, bad = dec.select_one(ing.frame[header], dec.choice_lookup(ing.form, q))
    choices = [c.name for c in ing.form.choices_of(q)]
    ing.flag_answers(
        q,
        bad,
        header,
        "answer '{value}' is not a choice of '" + q.name + "'",
        "invalid_answer",
        "one of "
        + ", ".join(choices[:20])
        + (" ..." if len(choices) > 20 else "")
        + " (or their labels)",
    )
    m, item = _item_of(ing, q)
    if item is None or m is None:
        ing.kept[q.name] = names.astype("str").where(names.notna(), np.nan)
        return
    _map_select_one(names, q, m, item.name, item.choices, ing, header)
    ing.source[item.name] = header
    ing.mapped_items.append((item.name, header))


def _multiple_matrix(ing: _Ingest, q: Question, header: str | None) -> pd.DataFrame | None:
    """0/1 frame (one column per choice, NaN where unanswered) from split columns or the summary."""
    choices = [c.name for c in ing.form.choices_of(q)]
    if q.or_other:
        choices.append("other")
    split = ing.cols.split.get(q.name, {})
    if split:
        out = pd.DataFrame(index=ing.frame.index)
        for c in choices:
            if c not in split:
                out[c] = np.nan
                continue
            h = split[c]
            ing.use(h)
            v, bad = dec.binary(ing.frame[h])
            ing.flag_answers(
                q,
                bad,
                h,
                "'{value}' is not 0 or 1 in a select-multiple choice column",
                "invalid_answer",
                "1 (chosen), 0 (not chosen) or empty",
            )
            out[c] = v
        if header is not None:
            ing.use(header)
        answered = out.notna().any(axis=1)
        return out.fillna(0.0).where(answered, np.nan)
    if header is None:
        return None
    ing.use(header)
    mat, bad = dec.multiple_from_text(ing.frame[header], choices, dec.choice_lookup(ing.form, q))
    ing.flag_answers(
        q,
        bad,
        header,
        "'{value}' holds answers that are not choices of '" + q.name + "'",
        "invalid_answer",
        f"choices of list '{q.list_name}' separated by spaces: " + ", ".join(choices[:15]),
    )
    return mat


def _decode_select_multiple(ing: _Ingest, q: Question, header: str | None) -> None:
    mat = _multiple_matrix(ing, q, header)
    if mat is None:
        return
    m, item = _item_of(ing, q)
    if item is None or m is None:
        for c in mat.columns:
            ing.kept[f"{q.name}__{c}"] = mat[c]
        return
    answered = mat.notna().any(axis=1)
    first = header or next(iter(ing.cols.split.get(q.name, {}).values()), q.name)
    for code in [str(c) for c in (item.choices or {})]:
        src = [fc for fc, sc in m.choices.items() if str(sc) == code and fc in mat]
        col = f"{item.name}__{code}"
        values = mat[src].max(axis=1).where(answered, np.nan) if src else np.nan
        ing.data[col] = pd.Series(values, index=ing.frame.index, dtype="float64")
        ing.source[col] = first
    ing.mapped_items.append((item.name, first))


def _decode_number(ing: _Ingest, q: Question, header: str | None) -> None:
    if header is None:
        return
    ing.use(header)
    num, bad = dec.numbers(ing.frame[header])
    ing.flag_answers(q, bad, header, "'{value}' is not a number", "invalid_number", "a number")
    _m, item = _item_of(ing, q)
    if item is None:
        ing.kept[q.name] = num
        return
    if item.range is not None:
        lo, hi = item.range
        outside = num.notna() & ((num < lo) | (num > hi))
        ing.flag(
            outside,
            header,
            "{value} is outside the expected range",
            "out_of_range",
            f"from {lo} to {hi}",
            severity="warning",
        )
    ing.data[item.name] = num
    ing.source[item.name] = header
    ing.mapped_items.append((item.name, header))


def _decode_date(ing: _Ingest, q: Question, header: str | None) -> None:
    if header is None:
        return
    ing.use(header)
    d, bad = dec.dates(ing.frame[header])
    ing.flag_answers(
        q,
        bad,
        header,
        "date '{value}' cannot be read as a date from 1900 to 2100",
        "invalid_date",
        "a date such as 2025-03-14",
    )
    ing.kept[q.name] = d


def _decode_text(ing: _Ingest, q: Question, header: str | None) -> None:
    """text, calculate, hidden, barcode, ...: kept as text, scanned for personal data later."""
    if header is None:
        return
    ing.use(header)
    ing.kept[q.name] = ing.frame[header].map(dec.vkey_text)
    ing.text_cols[q.name] = header


_DECODERS: dict[str, Callable[[_Ingest, Question, str | None], None]] = {
    "select_one": _decode_select_one,
    "select_multiple": _decode_select_multiple,
    "integer": _decode_number,
    "decimal": _decode_number,
    "range": _decode_number,
    "date": _decode_date,
    "datetime": _decode_date,
}


def _map_select_one(
    names: pd.Series,
    q: Question,
    m: ItemMapping,
    item_name: str,
    scale: dict[Any, Any] | None,
    ing: _Ingest,
    header: str,
) -> None:
    """Form choice names -> standard codes (float64 for integer codes, strings otherwise)."""
    codes, uniques = pd.factorize(names)
    table = [m.choices.get(str(u)) for u in uniques]
    unmapped = [str(u) for u, t in zip(uniques, table, strict=True) if t is None]
    if unmapped:
        ing.note(
            f"choices {', '.join(repr(u) for u in unmapped)} of question '{q.name}' have no "
            f"standard code for item '{item_name}'; those answers are read as missing. Add "
            "them to the mapping file if they should count",
            "unmapped_choice",
            severity="warning",
            column=header,
            value=", ".join(unmapped),
        )
    integer_codes = (
        scale is not None  # region / admin2: codes are the mission's p-codes (text)
        and all(isinstance(t, (int, np.integer)) for t in table if t is not None)
        and all(isinstance(k, (int, np.integer)) for k in scale)
        and any(t is not None for t in table)
    )
    if integer_codes:
        arr = np.array([np.nan if t is None else float(t) for t in table] + [np.nan])
        ing.data[item_name] = pd.Series(arr[codes], index=names.index, dtype="float64")
    else:
        arr_o = np.array([None if t is None else str(t) for t in table] + [None], dtype=object)
        s = pd.Series(arr_o[codes], index=names.index, dtype=object)
        ing.data[item_name] = s.astype("str").where(s.notna(), np.nan)


# --------------------------------------------------------------------------------------------
# Other columns, personal data, assembling


def _other_columns(ing: _Ingest) -> None:
    """Columns that are no question: personal data removed, metadata dropped, the rest kept."""
    for h in ing.headers:
        if h in ing.used:
            continue
        reason = personal_by_name(h)
        if reason:
            ing.removed.append(Removed(h, reason))
            continue
        low = dec.hnorm(h)
        if low in SUBMISSION_META or low.rsplit("/", 1)[-1] in SUBMISSION_META:
            continue
        if h in ing.cols.other:
            ing.kept[h] = ing.frame[h].map(dec.vkey_text)
            ing.text_cols[h] = h


def _scan_personal_data(ing: _Ingest) -> None:
    """Kept text columns holding phone numbers, e-mails or respondents' names: removed."""
    known = (
        frozenset().union(*(name_words(s) for s in ing.name_values))
        if ing.name_values
        else frozenset()
    )
    ing.known_names = known
    for name, h in ing.text_cols.items():
        s = ing.kept[name]
        num, bad = dec.numbers(s)
        if s.notna().any() and not bad.any():
            s = ing.kept[name] = num  # a column of numbers (weight_design, ...)
        reason = personal_by_content(s, known)
        if reason:
            del ing.kept[name]
            ing.removed.append(Removed(h, reason))


def _assemble(ing: _Ingest, label: str) -> pd.DataFrame:
    """The tidy table: standard columns in their order, derived breakdowns, kept questions."""
    index = ing.frame.index
    ing.data["round"] = pd.Series(label, index=index, dtype="str")
    std_cols = _standard_column_order(ing.items)
    out = pd.DataFrame(index=index)
    for c in std_cols:
        if c not in ing.items.derived:
            out[c] = ing.data.get(c, np.nan)
    out = derive_breakdowns(out)[std_cols]
    extra = {(n if n not in out.columns else f"form__{n}"): s for n, s in ing.kept.items()}
    if extra:  # the personal-data gate on the kept questions (names, ids, coordinates, ...)
        screened, gone = screen_columns(
            pd.DataFrame(extra, index=index), secret=ing.key, gazetteer=_gazetteer(ing)
        )
        ing.removed += [Removed(c, reason) for c, reason in gone]
        out = pd.concat([out, screened], axis=1)
    return out.reset_index(drop=True)


def _gazetteer(ing: _Ingest) -> Gazetteer:
    return (ing.privacy or Gazetteer()).extended(names=ing.known_names)


def _round_checks(ing: _Ingest, out: pd.DataFrame, max_deff: float, max_nonresponse: float) -> None:
    """Checks of the whole round: design (lonely PSUs, unequal weights), item non-response, and
    the standard breakdowns it lacks (listed first: the dashboard and annex will lack them)."""
    sheet = ing.sheet.name
    if "weight" in ing.data and "stratum" in ing.data and not is_srs(ing.design):
        ing.problems.extend(
            design_warnings(
                ing.data.get("stratum"),
                ing.data.get("psu"),
                ing.data["weight"],
                sheet=sheet,
                columns=ing.source,
                max_deff=max_deff,
            )
        )
    asked_of_all = []
    for c, h in ing.mapped_items:
        if c not in out.columns or ing.items[c].relevant:
            continue
        qname = _question_of(ing.mapping, c)
        if qname is not None and qname in ing.form and ing.form.question(qname).relevant:
            continue
        asked_of_all.append((c, h))
    ing.problems.extend(
        nonresponse_warnings(out, asked_of_all, sheet=sheet, max_share=max_nonresponse)
    )
    missing = breakdown_warnings(out, sheet=sheet)
    at = 1 if ing.problems and ing.problems[0].code == "no_sample_design" else 0
    ing.problems[at:at] = missing


def _question_of(mapping: Mapping, item: str) -> str | None:
    for q, m in mapping.questions.items():
        if m.item == item:
            return q
    return None


# --------------------------------------------------------------------------------------------
# Repeat groups: linked tables


def _read_repeats(ing: _Ingest, export: Export) -> dict[str, pd.DataFrame]:
    """Each repeat-group sheet as a table linked to its respondent and its parent row.

    The link is Kobo's: a row's ``_parent_index`` is the ``_index`` of its parent row, in the main
    sheet or in the repeat sheet named by ``_parent_table_name``. Answers are decoded as on the
    main sheet; personal data is removed the same way, the ids replaced by the keyed hash.
    """
    if not export.repeats:
        return {}
    main_index = _index_of(ing.frame)
    ids = ing.data.get("respondent_id")
    if ids is None or main_index is None:
        ing.note(
            "the export has repeat-group sheets but its main sheet has no _index or no respondent "
            "id to link them to; the repeat groups are not read",
            "repeat_not_linked",
            severity="warning",
        )
        return {}
    parent_ids: dict[str, dict[float, Any]] = {"": dict(zip(main_index, ids.tolist(), strict=True))}
    out: dict[str, pd.DataFrame] = {}
    repeat_qs = [q for q in ing.form.questions if q.repeat is not None and q.type != "note"]
    for sheet in export.repeats:
        frame = sheet.frame
        sub = _Ingest(sheet, ing.form, ing.mapping, ing.design, ing.items, ing.key)
        sub.cols = resolve_columns(ing.form, sub.headers, repeat_qs)
        for q in repeat_qs:
            header = sub.cols.question.get(q.name)
            if header is None and q.name not in sub.cols.split:
                continue
            if _drop_personal(sub, q, header):
                continue
            # repeat questions feed no standard item: kept under their names, decoded
            _DECODERS.get(q.type, _decode_text)(sub, q, header)
        _other_columns(sub)
        _scan_personal_data(sub)
        ing.problems.extend(sub.problems)
        ing.removed.extend(Removed(f"{sheet.name}: {r.column}", r.reason) for r in sub.removed)
        own_index = _index_of(frame)
        parent_index = pd.to_numeric(frame["_parent_index"], errors="coerce")
        parent_table = (
            frame["_parent_table_name"].map(dec.vkey_raw)
            if "_parent_table_name" in frame
            else pd.Series(None, index=frame.index, dtype=object)
        )
        resp = []
        for pt, pi in zip(parent_table.tolist(), parent_index.tolist(), strict=True):
            lookup = parent_ids.get(pt or "")
            if lookup is None:  # the main sheet's name, as Kobo writes it
                lookup = parent_ids[""]
            resp.append(lookup.get(pi))
        table = pd.DataFrame(
            {
                "respondent_id": pd.Series(resp, index=frame.index, dtype=object),
                "index": own_index if own_index is not None else np.arange(1, len(frame) + 1),
                "parent_index": parent_index,
                "parent_table": parent_table.where(parent_table.notna(), np.nan),
            }
        )
        unlinked = table["respondent_id"].isna().to_numpy()
        sub.problems.clear()
        sub.flag(
            unlinked,
            "_parent_index",
            "repeat row with _parent_index {value} has no parent row",
            "repeat_not_linked",
            "the _index of a row of the parent sheet",
            severity="warning",
        )
        ing.problems.extend(sub.problems)
        if sub.kept:
            table = pd.concat([table, pd.DataFrame(sub.kept, index=frame.index)], axis=1)
        group = next(
            (
                q.repeat
                for q in repeat_qs
                if sub.cols.question.get(q.name) or q.name in sub.cols.split
            ),
            None,
        )
        name = group or sheet.name
        out[name] = table.reset_index(drop=True)
        if own_index is not None:
            parent_ids[sheet.name] = dict(
                zip(own_index, table["respondent_id"].tolist(), strict=True)
            )
            if group:
                parent_ids[group] = parent_ids[sheet.name]
    return out


def _index_of(frame: pd.DataFrame) -> list[float] | None:
    if "_index" not in frame.columns:
        return None
    return pd.to_numeric(frame["_index"], errors="coerce").tolist()


# --------------------------------------------------------------------------------------------
# Derived breakdowns


def derive_breakdowns(responses: pd.DataFrame) -> pd.DataFrame:
    """Add ``age_group`` and ``disability`` to a tidy responses table (returns a new frame).

    Notes
    -----
    Age groups: 18-24, 25-34, 35-49, 50-64, 65+ (completed years; under 18 or missing -> missing).

    Disability (Washington Group short set, the WG's recommended cut-off): "with disability" when
    at least one of the six domains is answered "a lot of difficulty" (3) or "cannot do at all" (4);
    "without disability" when at least one domain has a substantive answer (1-4) and none is 3 or 4;
    missing when every domain is missing, don't know (98) or refused (99). Reference: Washington
    Group on Disability Statistics, "Analytic guidelines: creating disability identifiers using the
    WG Short Set" (2020).
    """
    out = responses.copy()
    age = pd.to_numeric(out["age"], errors="coerce") if "age" in out else None
    if age is not None:
        out["age_group"] = (
            pd.cut(age, _AGE_BINS, right=False, labels=list(AGE_GROUPS))
            .astype(object)
            .where(age.notna() & (age >= 18), None)
            .astype("str")
            .where(age.notna() & (age >= 18), np.nan)
        )
    else:
        out["age_group"] = np.nan
    present = [c for c in WG_ITEMS if c in out]
    if present:
        wg = out[present].apply(pd.to_numeric, errors="coerce")
        substantive = wg.isin([1, 2, 3, 4])
        severe = wg.isin([3, 4]).any(axis=1)
        any_sub = substantive.any(axis=1)
        labels = np.where(severe, "with disability", "without disability")
        out["disability"] = pd.Series(labels, index=out.index, dtype="str").where(any_sub, np.nan)
    else:
        out["disability"] = np.nan
    return out


# --------------------------------------------------------------------------------------------
# read_survey


def _standard_column_order(items: StandardItems) -> list[str]:
    # the breakdown items in items.yaml's order, each derived breakdown after its last source
    breakdowns: list[str] = []
    for name, item in items.items.items():
        if item.role == "breakdown":
            breakdowns.append(name)
            breakdowns += [d for d in items.derived if items.derived_from(d)[-1] == name]
    cols = ["respondent_id", "round", "interview_date", "stratum", "psu", "weight", *breakdowns]
    for _name, item in items.items.items():
        for c in item.columns():
            if c not in cols:
                cols.append(c)
    return cols


def read_survey(
    path: str | Path,
    form: Form | str | Path,
    mapping: Mapping | dict[str, Any] | str | Path | None = None,
    *,
    round_label: str | None = None,
    secret: bytes | str | None = None,
    max_bytes: int | None = None,
    fieldwork: tuple[dt.date, dt.date] | None = None,
    max_nonresponse: float = 0.2,
    max_deff: float = 2.0,
    lonely_psu: str = "adjust",
    items: StandardItems | None = None,
    design: str | None = None,
    years: tuple[int, int] | None = None,
    max_weight_ratio: float = DEFAULT_MAX_WEIGHT_RATIO,
    privacy: Gazetteer | None = None,
    max_columns: int = DEFAULT_MAX_COLUMNS,
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS,
) -> SurveyRound:
    """Read, map, validate and de-identify one survey export.

    Parameters
    ----------
    path:
        The export: .xlsx, .xls or .csv (the type is read from the bytes, not the extension), as
        KoboToolbox or ODK Central write it, or after R or Excel (see
        :mod:`mande.ingest.exports`). The first sheet holds the responses; sheets with
        ``_parent_index`` are repeat groups, read into ``SurveyRound.repeats``.
    form:
        The XLSForm the data was collected with (a :class:`Form` or its path).
    mapping:
        How the form maps to the standard items (a :class:`Mapping`, its dict form, or the path
        of its YAML file). Default: the
        form's questions named like standard items map to them (the standard form), and the
        design comes from ``weight_final``, ``stratum``, ``cluster_id``.
    round_label:
        The ``round`` column. Default: the file name without extension.
    secret:
        Key of the respondent-id hash. Default: the installation secret
        (``Settings.from_env().secret``).
    max_bytes:
        Largest file accepted. Default: ``Settings.from_env().max_upload_bytes`` (200 MB).
    fieldwork:
        (first day, last day): interviews outside are reported as warnings.
    max_nonresponse:
        Warn when an item's share of missing, don't-know or refused answers is over this.
    max_deff:
        Warn when Kish's design effect of the weights is over this.
    lonely_psu:
        The ``lonely_psu`` option of the returned design.
    design:
        Overrides the mapping's design type: ``"srs"`` for a survey without sample design (equal
        weights, no strata, each respondent its own PSU; the report says so), ``"columns"`` for
        design columns in the export. None: as the mapping declares.
    years:
        (first year, last year) of the mission: interview dates outside are errors
        (:func:`mande.ingest.checks.mission_years`). Default: no such check.
    max_weight_ratio:
        A weight more than this many times above or below the median weight is an error.
    privacy:
        The mission's name lists for the personal-data gate (:class:`mande.gate.Gazetteer`,
        ``Gazetteer.from_mission(mission)``). Default: patterns only.
    max_columns, max_line_chars:
        A file wider than this, or a CSV with a longer line, is refused before it is parsed.

    Returns
    -------
    SurveyRound

    Raises
    ------
    DataValidationError
        Every problem found (errors and the warnings found alongside), each with sheet, row,
        column, value and what was expected.
    DefinitionError
        An invalid mapping or design declaration.
    """
    path = Path(path)
    items = items or standard_items()
    if not isinstance(form, Form):
        form = read_xlsform(form, strict=False)  # a deployed form: read as Kobo read it
    if isinstance(mapping, dict):
        mapping = mapping_from_dict(mapping, items=items)
    elif mapping is not None and not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    mapping = mapping if mapping is not None else standard_mapping(form, items)
    # an unconfirmed suggestion under AUTO_USE feeds no published indicator
    set_aside = mapping.set_aside_problems()
    mapping = mapping.usable()
    if secret is None or max_bytes is None:
        from mande.config import Settings

        settings = Settings.from_env()
        secret = settings.secret if secret is None else secret
        max_bytes = settings.max_upload_bytes if max_bytes is None else max_bytes
    key = secret.encode() if isinstance(secret, str) else secret

    export = read_export(
        path, max_bytes=max_bytes, max_columns=max_columns, max_line_chars=max_line_chars
    )
    ing = _Ingest(
        sheet=export.main,
        form=form,
        mapping=mapping,
        design=with_design_type(mapping.design, design),
        items=items,
        key=key,
        fieldwork=fieldwork,
        years=years,
        max_weight_ratio=max_weight_ratio,
        privacy=privacy,
        problems=[*form.warnings, *set_aside, *export.problems],
    )
    label = check_label(round_label) if round_label is not None else suggest_label(path.stem)
    steps: tuple[Callable[[_Ingest], None], ...] = (
        _check_mapping,
        _locate_columns,
        _read_design,
        _read_ids,
        _check_versions,
        _read_dates,
        _decode_questions,
        _other_columns,
        _scan_personal_data,
    )
    for step in steps:
        step(ing)
    out = _assemble(ing, label)
    _round_checks(ing, out, max_deff, max_nonresponse)
    repeats = _read_repeats(ing, export)

    # the personal-data gate: no cell of a column that can hold personal data leaves in a message
    personal = [*(r.column for r in ing.removed), *ing.text_cols.values()]
    if ing.id_header is not None:
        personal.append(ing.id_header)
    problems = screen_problems(ing.problems, personal, _gazetteer(ing))
    errors = [p for p in problems if p.severity == "error"]
    counts = {
        "rows": len(ing.frame),
        "columns": len(ing.headers),
        "items_mapped": len(ing.mapped_items),
        "questions_kept": out.shape[1] - len(_standard_column_order(ing.items)),
        "columns_removed": len(ing.removed),
        "repeat_groups": len(repeats),
        "errors": len(errors),
        "warnings": len(problems) - len(errors),
    }
    report = ValidationReport(tuple(problems), tuple(ing.removed), counts, ing.source)
    if errors:
        raise DataValidationError(
            f"{path.name}: {len(errors)} problem(s) block this upload; fix them and upload again",
            problems,
        )
    dates = out["interview_date"].dropna()
    if is_srs(ing.design):
        sdesign = SurveyDesign(weight="weight", lonely_psu=lonely_psu)  # type: ignore[arg-type]
    else:
        sdesign = SurveyDesign(weight="weight", strata="stratum", psu="psu", lonely_psu=lonely_psu)  # type: ignore[arg-type]
    return SurveyRound(
        responses=out,
        design=sdesign,
        report=report,
        form=form,
        label=label,
        source_sha256=sha256_file(path),
        fieldwork_start=dates.min().date() if len(dates) else None,
        fieldwork_end=dates.max().date() if len(dates) else None,
        repeats=repeats,
    )
