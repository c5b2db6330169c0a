"""Reading a survey export (KoboToolbox / ODK) into a tidy, validated, de-identified round.

:func:`read_survey` reads the file (.xlsx with calamine, .xls, .csv), finds each question's column
(headers as XML names, as labels in any form language, with group paths ``grp/q``, ``grp-q``,
``grp.q`` or without), decodes answers (XML values or labels in any form language), maps them to
the standard items, validates, removes personal data, and returns a :class:`SurveyRound`.

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

Everything is vectorised: answers are decoded once per distinct value (``pandas.factorize``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mande.dates import as_date
from mande.errors import DataValidationError, Problem
from mande.indicators.items import StandardItems, standard_items
from mande.ingest._files import read_tables, sha256_file
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
from mande.ingest.validate import (
    ValidationReport,
    design_warnings,
    fieldwork_warnings,
    nonresponse_warnings,
    row_problems,
)
from mande.ingest.xlsform import Form, Question, read_xlsform
from mande.stats.design import SurveyDesign

__all__ = ["AGE_GROUPS", "SurveyRound", "derive_breakdowns", "read_survey"]

AGE_GROUPS = ("18-24", "25-34", "35-49", "50-64", "65+")
_AGE_BINS = [18, 25, 35, 50, 65, np.inf]
WG_ITEMS = (
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_selfcare",
    "wg_communication",
)

#: Kobo / ODK submission metadata: used (id, date, version) then dropped.
SUBMISSION_META = {
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
    "instanceid",
    "instancename",
    "deprecatedid",
    "rootuuid",
    "formhub/uuid",
    "meta/instanceid",
    "meta/instancename",
    "meta/deprecatedid",
    "meta/rootuuid",
    "meta/audit",
    "_duration",
}
_VERSION_COLUMNS = ("__version__", "_version_", "_version", "version")
_DATE_FALLBACKS = ("today", "start", "_submission_time", "end")
_ID_FALLBACKS = ("_uuid", "meta/instanceID", "instanceID", "_submission__uuid", "_id")


@dataclass(frozen=True)
class SurveyRound:
    """One round of a perception survey, tidy, validated and de-identified.

    Attributes
    ----------
    responses:
        One row per respondent (columns in the module docstring).
    design:
        ``SurveyDesign(weight="weight", strata="stratum", psu="psu")``.
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
    """

    responses: pd.DataFrame
    design: SurveyDesign
    report: ValidationReport
    form: Form
    label: str
    source_sha256: str
    fieldwork_start: dt.date | None = None
    fieldwork_end: dt.date | None = None

    def counts(self, by: str = "region") -> pd.DataFrame:
        """Respondents per group, for a quick check after reading: ``by``, ``n`` (unweighted),
        ``weighted_share`` (per cent of the weights). Missing groups are counted as such."""
        df = self.responses
        if by not in df.columns:
            raise DataValidationError(
                f"column '{by}' is not in the round; columns: {', '.join(map(str, df.columns))}"
            )
        groups = df[by].astype(object).where(df[by].notna(), "(missing)")
        out = pd.DataFrame({by: groups, "w": df[self.design.weight]})
        table = out.groupby(by, sort=True).agg(n=("w", "size"), w=("w", "sum")).reset_index()
        table["weighted_share"] = 100 * table.pop("w") / out["w"].sum()
        return table


# --------------------------------------------------------------------------------------------
# Normalising headers and values


def _hnorm(text: Any) -> str:
    return " ".join(str(text).casefold().split())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _vkey(v: Any) -> str | None:
    """A cell value as a lookup key, or None when empty."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        if np.isnan(v):
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    s = _hnorm(v)
    return s or None


def _choice_lookup(form: Form, q: Question) -> dict[str, str]:
    """Normalised choice name or label (any language, accents optional) -> choice name."""
    out: dict[str, str] = {}
    choices = form.choices_of(q)
    for c in choices:
        out.setdefault(_hnorm(c.name), c.name)
    for c in choices:
        for lab in c.labels.values():
            out.setdefault(_hnorm(lab), c.name)
    if q.or_other:
        out.setdefault("other", "other")
    for key, name in list(out.items()):
        out.setdefault(_fold(key), name)
    return out


# --------------------------------------------------------------------------------------------
# Finding the columns


@dataclass
class _Columns:
    question: dict[str, str]  # question name -> header
    split: dict[str, dict[str, str]]  # select_multiple name -> {choice name: header}
    other: list[str]  # headers that are not questions
    duplicates: list[tuple[str, str, str]]  # (question, kept header, ignored header)


def _resolve_columns(form: Form, headers: Iterable[str]) -> _Columns:
    qs = [q for q in form.questions if q.type != "note" and q.repeat is None]
    by_key: dict[str, str] = {}
    name_keys: dict[str, str] = {}
    for q in qs:
        for key in (
            q.name,
            q.path,
            "-".join((*q.group, q.name)),
            ".".join((*q.group, q.name)),
            ":".join((*q.group, q.name)),
        ):
            name_keys.setdefault(_hnorm(key), q.name)
    by_key.update(name_keys)
    label_count: dict[str, int] = {}
    for q in qs:
        for lab in set(_hnorm(x) for x in q.labels.values()):
            label_count[lab] = label_count.get(lab, 0) + 1
    for q in qs:
        for lab in q.labels.values():
            k = _hnorm(lab)
            if k and label_count[k] == 1:
                by_key.setdefault(k, q.name)
                # group label paths: "Security/How safe ..."
                glabels = [form.groups.get(g, {}) for g in q.group]
                lang_paths = []
                for lang, text in q.labels.items():
                    parts = [gl.get(lang, "") for gl in glabels]
                    if all(parts):
                        lang_paths.append("/".join([*parts, text]))
                for p in lang_paths:
                    by_key.setdefault(_hnorm(p), q.name)
    qtype = {q.name: q for q in qs}
    sm_choice: dict[str, dict[str, str]] = {}
    for q in qs:
        if q.type == "select_multiple":
            sm_choice[q.name] = _choice_lookup(form, q)

    def lookup(h: str, *, names_only: bool = False) -> str | None:
        table = name_keys if names_only else by_key
        if h in table:
            return table[h]
        for sep in ("/", "-", ".", ":"):
            if sep in h:
                last = h.rsplit(sep, 1)[-1].strip()
                hit = name_keys.get(last) if sep != "/" else by_key.get(last)
                if hit is not None:
                    return hit
        return None

    cols = _Columns({}, {}, [], [])
    for header in headers:
        h = _hnorm(header)
        q_name = by_key.get(h)
        split: tuple[str, str] | None = None
        if q_name is None:
            for m in re.finditer(r"[/.\-:]", h):
                pos = m.start()
                prefix, suffix = h[:pos].strip(), h[pos + 1 :].strip()
                pq = lookup(prefix)
                if pq is not None and pq in sm_choice and suffix in sm_choice[pq]:
                    split = (pq, sm_choice[pq][suffix])
            if split is None:
                q_name = lookup(h)
        if split is not None:
            cols.split.setdefault(split[0], {}).setdefault(split[1], header)
        elif q_name is not None:
            if q_name in cols.question:
                cols.duplicates.append((q_name, cols.question[q_name], header))
            else:
                cols.question[q_name] = header
        else:
            cols.other.append(header)
    del qtype
    return cols


def _find_column(headers: list[str], name: str | None) -> str | None:
    """A design/meta column by exact header, case-insensitive, or last path segment."""
    if not name:
        return None
    if name in headers:
        return name
    low = _hnorm(name)
    for h in headers:
        if _hnorm(h) == low:
            return h
    for h in headers:
        if _hnorm(re.split(r"[/]", h)[-1]) == low:
            return h
    return None


# --------------------------------------------------------------------------------------------
# Decoding answers


def _decode_select_one(
    series: pd.Series, lookup: dict[str, str]
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """-> (choice names with None, missing mask, bad mask) computed once per distinct value."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    keys = [_vkey(u) for u in uniques]
    decoded = np.array(
        [None if k is None else lookup.get(k) or lookup.get(_fold(k)) for k in keys] + [None],
        dtype=object,
    )
    is_missing_u = np.array([k is None for k in keys] + [True])
    bad_u = np.array(
        [k is not None and d is None for k, d in zip(keys, decoded[:-1], strict=True)] + [False]
    )
    out = decoded[codes]
    return (
        pd.Series(out, index=series.index, dtype=object),
        is_missing_u[codes],
        bad_u[codes],
    )


def _split_tokens(text: str, lookup: dict[str, str]) -> list[str] | None:
    """'sex ethnicity' or 'Sexe Ethnie ou tribu' -> choice names; None when it does not parse."""
    tokens = text.split()
    names = [lookup.get(t) or lookup.get(_fold(t)) for t in tokens]
    if all(n is not None for n in names):
        return [n for n in names if n is not None]
    for sep in (";", ",", "|"):
        if sep in text:
            parts = [_hnorm(p) for p in text.split(sep) if p.strip()]
            names = [lookup.get(p) or lookup.get(_fold(p)) for p in parts]
            if all(n is not None for n in names):
                return [n for n in names if n is not None]
    # labels joined by spaces: longest label first
    keys = sorted((k for k in lookup if True), key=len, reverse=True)
    rest, found = text, []
    while rest:
        rest = rest.strip()
        if not rest:
            break
        hit = next(
            (
                k
                for k in keys
                if rest.startswith(k) and (len(rest) == len(k) or rest[len(k)] == " ")
            ),
            None,
        )
        if hit is None:
            return None
        found.append(lookup[hit])
        rest = rest[len(hit) :]
    return found


def _decode_multiple(
    frame: pd.DataFrame,
    q: Question,
    form: Form,
    cols: _Columns,
    problems: list[Problem],
    sheet: str,
) -> tuple[pd.DataFrame | None, list[str]]:
    """-> (0/1 float frame, one column per form choice, NaN where unanswered), headers used."""
    choices = [c.name for c in form.choices_of(q)]
    if q.or_other:
        choices.append("other")
    n = len(frame)
    split = cols.split.get(q.name, {})
    used: list[str] = []
    if split:
        out = pd.DataFrame(index=frame.index)
        for c in choices:
            if c in split:
                header = split[c]
                used.append(header)
                raw = frame[header]
                codes, uniques = pd.factorize(raw)
                keys = [_vkey(u) for u in uniques]
                table = {
                    "1": 1.0,
                    "0": 0.0,
                    "true": 1.0,
                    "false": 0.0,
                    "yes": 1.0,
                    "no": 0.0,
                    "oui": 1.0,
                    "non": 0.0,
                }
                vals = np.array(
                    [np.nan if k is None else table.get(k, -1.0) for k in keys] + [np.nan]
                )
                v = vals[codes]
                bad = v == -1.0
                if bad.any():
                    problems.extend(
                        row_problems(
                            bad,
                            raw,
                            message="'{value}' is not 0 or 1 in a select-multiple choice column",
                            code="invalid_answer",
                            sheet=sheet,
                            column=header,
                            expected="1 (chosen), 0 (not chosen) or empty",
                        )
                    )
                    v = np.where(bad, np.nan, v)
                out[c] = v
            else:
                out[c] = np.nan
        answered = out.notna().any(axis=1)
        filled = out.fillna(0.0).where(answered, np.nan)
        if q.name in cols.question:
            used.append(cols.question[q.name])
        return filled, used
    single = cols.question.get(q.name)
    if single is None:
        return None, used
    header = single
    used.append(header)
    raw = frame[header]
    lookup = _choice_lookup(form, q)
    codes, uniques = pd.factorize(raw)
    index = {c: j for j, c in enumerate(choices)}
    mat = np.zeros((len(uniques) + 1, len(choices)))
    mat[-1, :] = np.nan
    bad_u = np.zeros(len(uniques) + 1, dtype=bool)
    for i, u in enumerate(uniques):
        k = _vkey(u)
        if k is None:
            mat[i, :] = np.nan
            continue
        names = _split_tokens(k, lookup)
        if names is None:
            bad_u[i] = True
            mat[i, :] = np.nan
            continue
        for nm in names:
            if nm in index:
                mat[i, index[nm]] = 1.0
    bad = bad_u[codes]
    if bad.any():
        problems.extend(
            row_problems(
                bad,
                raw,
                message="'{value}' holds answers that are not choices of '" + q.name + "'",
                code="invalid_answer",
                sheet=sheet,
                column=header,
                expected="choices of list '"
                + str(q.list_name)
                + "' separated by spaces: "
                + ", ".join(choices[:15]),
            )
        )
    del n
    return pd.DataFrame(mat[codes], index=frame.index, columns=choices), used


def _parse_dates(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """-> (datetime64 dates at midnight, bad mask), parsed once per distinct value."""
    codes, uniques = pd.factorize(series)
    parsed: list[Any] = []
    bad_u: list[bool] = []
    for u in uniques:
        d = _one_date(u)
        parsed.append(d)
        bad_u.append(d is None and _vkey(u) is not None)
    arr = pd.to_datetime(pd.Series([*parsed, None], dtype=object)).to_numpy(dtype="datetime64[ns]")
    bad = np.array([*bad_u, False])[codes]
    return pd.Series(arr[codes], index=series.index), bad


def _one_date(v: Any) -> dt.date | None:
    return as_date(v)


def _numeric(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """-> (float64, bad mask: non-empty cells that are not numbers), once per distinct value."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype("float64"), np.zeros(len(series), dtype=bool)
    codes, uniques = pd.factorize(series)
    vals = np.empty(len(uniques) + 1, dtype="float64")
    bad_u = np.zeros(len(uniques) + 1, dtype=bool)
    for i, u in enumerate(uniques):
        v = _num_or_nan(u)
        if isinstance(v, str):
            vals[i], bad_u[i] = np.nan, True
        else:
            vals[i] = float(v)
    vals[-1] = np.nan
    return pd.Series(vals[codes], index=series.index, dtype="float64"), bad_u[codes]


def _num_or_nan(v: Any) -> Any:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return v
    if isinstance(v, str):
        t = v.strip().replace(",", ".") if v.count(",") == 1 and "." not in v else v.strip()
        if not t:
            return np.nan
        try:
            return float(t)  # exact, unlike pandas' own text parser
        except ValueError:
            return t
    return np.nan if v is None else str(v)


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
    breakdowns = [
        "sex",
        "age",
        "age_group",
        "region",
        "admin2",
        "urban_rural",
        "displacement",
        *WG_ITEMS,
        "disability",
    ]
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
) -> SurveyRound:
    """Read, map, validate and de-identify one survey export.

    Parameters
    ----------
    path:
        The export: .xlsx, .xls or .csv (the type is read from the bytes, not the extension). The
        first sheet holds the responses; repeat-group sheets are not read.
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

    Returns
    -------
    SurveyRound

    Raises
    ------
    DataValidationError
        Every problem found (errors and the warnings found alongside), each with sheet, row,
        column, value and what was expected.
    """
    path = Path(path)
    items = items or standard_items()
    if not isinstance(form, Form):
        form = read_xlsform(form)
    if isinstance(mapping, dict):
        mapping = mapping_from_dict(mapping, items=items)
    elif mapping is not None and not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    mapping = mapping if mapping is not None else standard_mapping(form, items)
    if secret is None or max_bytes is None:
        from mande.config import Settings

        settings = Settings.from_env()
        secret = settings.secret if secret is None else secret
        max_bytes = settings.max_upload_bytes if max_bytes is None else max_bytes
    key = secret.encode() if isinstance(secret, str) else secret

    tables = read_tables(path, max_bytes=max_bytes, sheets=1)
    table = next(iter(tables.values()))
    sheet, frame = table.sheet, table.frame
    headers = [str(c) for c in frame.columns]
    problems: list[Problem] = list(table.warnings)
    removed: list[Removed] = []
    n = len(frame)
    label = round_label or path.stem

    # mapping entries must exist in the form
    for qname, entry in mapping.questions.items():
        if entry.item is None:
            continue
        if qname not in form:
            problems.append(
                Problem(
                    f"the mapping maps question '{qname}' to '{entry.item}', but the form has no "
                    "such question; fix the mapping file",
                    code="mapping_mismatch",
                    column=qname,
                    expected=f"a question of form {form.form_id or form.path}",
                )
            )

    cols = _resolve_columns(form, headers)
    for qname, first_header, ignored in cols.duplicates:
        problems.append(
            Problem(
                f"question '{qname}' is in two columns, '{first_header}' and '{ignored}'; the "
                "first is read",
                severity="warning",
                code="duplicate_question",
                sheet=sheet,
                row=1,
                column=ignored,
            )
        )

    std_cols = _standard_column_order(items)
    data: dict[str, Any] = {}
    source: dict[str, str] = {}
    used_headers: set[str] = set()

    # --- design -----------------------------------------------------------------------------
    design_found: dict[str, str | None] = {}
    for key_name in ("weight", "strata", "psu"):
        wanted = mapping.design.get(key_name)
        col = _find_column(headers, wanted)
        design_found[key_name] = col
        if col is None and wanted:
            looks = [
                h
                for h in cols.other
                if re.search(
                    {
                        "weight": r"weight|poids|pond|\bwt\b",
                        "strata": r"strat",
                        "psu": r"cluster|grappe|psu|^zd|village|segment",
                    }[key_name],
                    h,
                    re.IGNORECASE,
                )
            ]
            problems.append(
                Problem(
                    f"column '{wanted}' not found; the design names {key_name}='{wanted}'"
                    + (
                        f"; columns that look like it: {', '.join(repr(x) for x in looks)}"
                        if looks
                        else ""
                    )
                    + "; set design."
                    + key_name
                    + " in the mapping file",
                    code="missing_column",
                    sheet=sheet,
                    row=1,
                    column=wanted,
                    expected=f"a {key_name} column",
                )
            )
    wcol = design_found["weight"]
    if wcol is not None:
        w, bad = _numeric(frame[wcol])
        nonpos = w.notna().to_numpy() & (w.fillna(0).to_numpy() <= 0)
        miss = w.isna().to_numpy() & ~bad
        for mask, msg in (
            (bad, "weight '{value}' is not a number"),
            (nonpos, "weight {value} is not above zero"),
            (miss, "weight is missing"),
        ):
            if mask.any():
                problems.extend(
                    row_problems(
                        mask,
                        frame[wcol],
                        message=msg,
                        code="invalid_weight",
                        sheet=sheet,
                        column=wcol,
                        expected="a number above 0",
                    )
                )
        data["weight"] = w
        used_headers.add(wcol)
        source["weight"] = wcol
    for key_name, out_name in (("strata", "stratum"), ("psu", "psu")):
        col = design_found[key_name]
        if col is not None:
            raw = frame[col]
            data[out_name] = raw.map(_vkey_raw)
            miss = data[out_name].isna().to_numpy()
            if miss.any():
                problems.extend(
                    row_problems(
                        miss,
                        raw,
                        message=f"{out_name} is missing",
                        code="missing_value",
                        sheet=sheet,
                        column=col,
                        expected=f"a {out_name}",
                    )
                )
            used_headers.add(col)
            source[out_name] = col

    # --- respondent id ----------------------------------------------------------------------
    id_col = _find_column(headers, mapping.design.get("respondent_id"))
    if id_col is None:
        id_col = next((c for c in (_find_column(headers, x) for x in _ID_FALLBACKS) if c), None)
    if id_col is None:
        problems.append(
            Problem(
                "no respondent id column (_uuid, meta/instanceID or the mapping's "
                f"design.respondent_id = '{mapping.design.get('respondent_id')}')",
                code="missing_column",
                sheet=sheet,
                row=1,
                column=mapping.design.get("respondent_id"),
                expected="a column with one unique id per submission",
            )
        )
    else:
        raw_id = frame[id_col].map(_vkey_raw)
        miss = raw_id.isna().to_numpy()
        if miss.any():
            problems.extend(
                row_problems(
                    miss,
                    frame[id_col],
                    message="respondent id is missing",
                    code="missing_id",
                    sheet=sheet,
                    column=id_col,
                    expected="a unique id",
                )
            )
        dup = (raw_id.duplicated(keep=False) & raw_id.notna()).to_numpy()
        if dup.any():
            problems.extend(
                row_problems(
                    dup,
                    frame[id_col],
                    message="respondent id '{value}' appears in more than one row",
                    code="duplicate_id",
                    sheet=sheet,
                    column=id_col,
                    expected="each respondent once",
                )
            )
        data["respondent_id"] = hash_ids(raw_id, key)
        source["respondent_id"] = id_col
        used_headers.add(id_col)
        removed.append(Removed(id_col, "respondent id, replaced by a keyed hash (respondent_id)"))

    # --- version ----------------------------------------------------------------------------
    vcol = next((c for c in (_find_column(headers, x) for x in _VERSION_COLUMNS[:3]) if c), None)
    if vcol is not None:
        versions = frame[vcol].map(_vkey_raw)
        vcounts = versions.dropna().value_counts()
        if len(vcounts) > 1:
            first_rows = {
                v: int(np.flatnonzero((versions == v).to_numpy())[0]) + 2 for v in vcounts.index
            }
            problems.append(
                Problem(
                    "the file mixes form versions: "
                    + ", ".join(
                        f"{v} ({c} rows, first at row {first_rows[v]})" for v, c in vcounts.items()
                    )
                    + "; export each version separately and read it with its own form",
                    code="mixed_versions",
                    sheet=sheet,
                    row=first_rows[vcounts.index[1]],
                    column=vcol,
                    value=str(vcounts.index[1]),
                    expected=f"a single version ({vcounts.index[0]})",
                )
            )

    # --- interview date ---------------------------------------------------------------------
    date_col = None
    wanted_date = mapping.design.get("interview_date")
    if wanted_date and wanted_date in cols.question:
        date_col = cols.question[wanted_date]
    date_col = date_col or _find_column(headers, wanted_date)
    for fb in _DATE_FALLBACKS:
        if date_col is None:
            date_col = cols.question.get(fb) or _find_column(headers, fb)
    if date_col is None:
        data["interview_date"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        problems.append(
            Problem(
                "no interview date column (today, start or _submission_time); the round's "
                "fieldwork dates are unknown",
                severity="warning",
                code="missing_date",
                sheet=sheet,
            )
        )
    else:
        dates, bad = _parse_dates(frame[date_col])
        if bad.any():
            problems.extend(
                row_problems(
                    bad,
                    frame[date_col],
                    message="date '{value}' cannot be read",
                    code="invalid_date",
                    sheet=sheet,
                    column=date_col,
                    expected="a date such as 2025-03-14",
                )
            )
        data["interview_date"] = dates
        source["interview_date"] = date_col
        if fieldwork is not None:
            problems.extend(fieldwork_warnings(dates, fieldwork, sheet=sheet, column=date_col))

    # --- questions --------------------------------------------------------------------------
    mapped_items: list[tuple[str, str]] = []
    kept: dict[str, pd.Series] = {}
    text_cols: dict[str, str] = {}  # kept column -> header
    name_values: list[pd.Series] = []
    for q in form.questions:
        if q.repeat is not None or q.type == "note":
            continue
        header = cols.question.get(q.name)
        if header is not None and header in used_headers:
            continue  # read as a design column (stratum, PSU, weight, id, date)
        if q.type == "select_multiple" and (header is not None or q.name in cols.split):
            pass
        elif header is None:
            continue
        m = mapping.item_of(q.name)
        if q.is_metadata or q.type in ("geopoint", "geotrace", "geoshape", "start-geopoint"):
            reason = personal_by_name(q.name, q.type)
            if header is not None:
                used_headers.add(header)
                if reason:
                    removed.append(Removed(header, reason))
            continue
        if m is None:
            reason = personal_by_name(q.name, q.type)
            if reason:
                for h in [header, *cols.split.get(q.name, {}).values()]:
                    if h is not None:
                        used_headers.add(h)
                        removed.append(Removed(h, reason))
                if header is not None and q.type in ("text", "calculate"):
                    name_values.append(frame[header])
                continue
        item = items[m.item] if m is not None and m.item is not None else None
        if q.type == "select_one":
            assert header is not None
            used_headers.add(header)
            names, _miss, bad = _decode_select_one(frame[header], _choice_lookup(form, q))
            if bad.any():
                choices = [c.name for c in form.choices_of(q)]
                problems.extend(
                    row_problems(
                        bad,
                        frame[header],
                        message="answer '{value}' is not a choice of '" + q.name + "'",
                        code="invalid_answer",
                        sheet=sheet,
                        column=header,
                        expected="one of "
                        + ", ".join(choices[:20])
                        + (" ..." if len(choices) > 20 else "")
                        + " (or their labels)",
                    )
                )
            if item is None or m is None:
                kept[q.name] = names.astype("str").where(names.notna(), np.nan)
                continue
            _map_select_one(names, q, m, item.name, item.choices, data, problems, sheet, header)
            source[item.name] = header
            mapped_items.append((item.name, header))
        elif q.type == "select_multiple":
            mat, used = _decode_multiple(frame, q, form, cols, problems, sheet)
            used_headers.update(used)
            if mat is None:
                continue
            if item is None or m is None:
                for c in mat.columns:
                    kept[f"{q.name}__{c}"] = mat[c]
                continue
            std_codes = [str(c) for c in (item.choices or {})]
            answered = mat.notna().any(axis=1)
            for code in std_codes:
                src = [fc for fc, sc in m.choices.items() if str(sc) == code and fc in mat]
                col = f"{item.name}__{code}"
                data[col] = mat[src].max(axis=1) if src else pd.Series(np.nan, index=frame.index)
                if src:
                    data[col] = data[col].where(answered, np.nan)
                source[col] = used[0] if used else q.name
        elif q.type in ("integer", "decimal", "range"):
            assert header is not None
            used_headers.add(header)
            num, bad = _numeric(frame[header])
            if bad.any():
                problems.extend(
                    row_problems(
                        bad,
                        frame[header],
                        message="'{value}' is not a number",
                        code="invalid_number",
                        sheet=sheet,
                        column=header,
                        expected="a number",
                    )
                )
            if item is not None:
                if item.range is not None:
                    lo, hi = item.range
                    outside = (num.notna() & ((num < lo) | (num > hi))).to_numpy()
                    if outside.any():
                        problems.extend(
                            row_problems(
                                outside,
                                frame[header],
                                message="{value} is outside the expected range",
                                code="out_of_range",
                                sheet=sheet,
                                column=header,
                                expected=f"from {lo} to {hi}",
                                severity="warning",
                            )
                        )
                data[item.name] = num
                source[item.name] = header
                mapped_items.append((item.name, header))
            else:
                kept[q.name] = num
        elif q.type in ("date", "datetime"):
            assert header is not None
            used_headers.add(header)
            d, bad = _parse_dates(frame[header])
            if bad.any():
                problems.extend(
                    row_problems(
                        bad,
                        frame[header],
                        message="date '{value}' cannot be read",
                        code="invalid_date",
                        sheet=sheet,
                        column=header,
                        expected="a date such as 2025-03-14",
                    )
                )
            kept[q.name] = d
        else:  # text, calculate, hidden, barcode, ...
            assert header is not None
            used_headers.add(header)
            kept[q.name] = frame[header].map(_vkey_raw_text)
            text_cols[q.name] = header

    # --- other columns of the export --------------------------------------------------------
    for h in headers:
        if h in used_headers:
            continue
        low = _hnorm(h)
        reason = personal_by_name(h)
        if reason:
            removed.append(Removed(h, reason))
            continue
        if low in SUBMISSION_META or low.rsplit("/", 1)[-1] in SUBMISSION_META:
            continue
        if h in cols.other:
            name = h
            kept[name] = frame[h].map(_vkey_raw_text)
            text_cols[name] = h

    # --- personal data by content -----------------------------------------------------------
    known = frozenset().union(*(name_words(s) for s in name_values)) if name_values else frozenset()
    for name, h in text_cols.items():
        s = kept[name]
        num, bad = _numeric(s)
        if s.notna().any() and not bad.any():
            s = kept[name] = num  # a column of numbers (weight_design, ...)
        reason = personal_by_content(s, known)
        if reason:
            del kept[name]
            removed.append(Removed(h, reason))

    # --- assemble ---------------------------------------------------------------------------
    data["round"] = pd.Series(label, index=frame.index, dtype="str")
    out = pd.DataFrame(index=frame.index)
    for c in std_cols:
        if c in ("age_group", "disability"):
            continue
        out[c] = data.get(c, np.nan)
    out = derive_breakdowns(out)
    out = out[[c for c in std_cols]]
    extra = {}
    for name, series in kept.items():
        col = name if name not in out.columns else f"form__{name}"
        extra[col] = series
    if extra:
        out = pd.concat([out, pd.DataFrame(extra, index=frame.index)], axis=1)
    out = out.reset_index(drop=True)

    if "weight" in data and "stratum" in data:
        problems.extend(
            design_warnings(
                data.get("stratum"),
                data.get("psu"),
                data["weight"],
                sheet=sheet,
                columns=source,
                max_deff=max_deff,
            )
        )
    asked_of_all = [
        (c, h)
        for c, h in mapped_items
        if not (
            form.question(_question_of(mapping, c) or c).relevant
            if _question_of(mapping, c) in form
            else False
        )
        and not items[c].relevant
    ]
    problems.extend(nonresponse_warnings(out, asked_of_all, sheet=sheet, max_share=max_nonresponse))

    errors = [p for p in problems if p.severity == "error"]
    counts = {
        "rows": n,
        "columns": len(headers),
        "items_mapped": len(mapped_items)
        + sum(
            1
            for q in form.questions
            if q.type == "select_multiple"
            and mapping.item_of(q.name)
            and (q.name in cols.split or q.name in cols.question)
        ),
        "questions_kept": len(extra),
        "columns_removed": len(removed),
        "errors": len(errors),
        "warnings": len(problems) - len(errors),
    }
    report = ValidationReport(tuple(problems), tuple(removed), counts, source)
    if errors:
        raise DataValidationError(
            f"{path.name}: {len(errors)} problem(s) block this upload; fix them and upload again",
            problems,
        )
    dates = out["interview_date"].dropna()
    return SurveyRound(
        responses=out,
        design=SurveyDesign(weight="weight", strata="stratum", psu="psu", lonely_psu=lonely_psu),  # type: ignore[arg-type]
        report=report,
        form=form,
        label=label,
        source_sha256=sha256_file(path),
        fieldwork_start=dates.min().date() if len(dates) else None,
        fieldwork_end=dates.max().date() if len(dates) else None,
    )


def _question_of(mapping: Mapping, item: str) -> str | None:
    for q, m in mapping.questions.items():
        if m.item == item:
            return q
    return None


def _vkey_raw(v: Any) -> str | None:
    """A code-like cell as text (1.0 -> '1'), None when empty; case kept."""
    if v is None:
        return None
    if isinstance(v, float):
        if np.isnan(v):
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    s = str(v).strip()
    return s or None


def _vkey_raw_text(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    if isinstance(v, str):
        s = v.strip()
        return s if s else np.nan
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _map_select_one(
    names: pd.Series,
    q: Question,
    m: ItemMapping,
    item_name: str,
    scale: dict[Any, Any] | None,
    data: dict[str, Any],
    problems: list[Problem],
    sheet: str,
    header: str,
) -> None:
    """Form choice names -> standard codes (float64 for integer codes, strings otherwise)."""
    codes, uniques = pd.factorize(names)
    table = [m.choices.get(str(u)) for u in uniques]
    unmapped = [str(u) for u, t in zip(uniques, table, strict=True) if t is None]
    if unmapped:
        problems.append(
            Problem(
                f"choices {', '.join(repr(u) for u in unmapped)} of question '{q.name}' have no "
                f"standard code for item '{item_name}'; those answers are read as missing. Add "
                "them to the mapping file if they should count",
                severity="warning",
                code="unmapped_choice",
                sheet=sheet,
                column=header,
                value=", ".join(unmapped),
            )
        )
    integer_codes = (
        all(isinstance(t, (int, np.integer)) for t in table if t is not None)
        and (scale is None or all(isinstance(k, (int, np.integer)) for k in scale))
        and any(t is not None for t in table)
    )
    if scale is None:  # region / admin2: codes are the mission's p-codes (text)
        integer_codes = False
    if integer_codes:
        arr = np.array([np.nan if t is None else float(t) for t in table] + [np.nan])
        data[item_name] = pd.Series(arr[codes], index=names.index, dtype="float64")
    else:
        arr_o = np.array([None if t is None else str(t) for t in table] + [None], dtype=object)
        s = pd.Series(arr_o[codes], index=names.index, dtype=object)
        data[item_name] = s.astype("str").where(s.notna(), np.nan)
