"""Cell values of an export: normalised keys, and one decoder per question type.

Each decoder works once per distinct value (``pandas.factorize``) and returns the decoded column
with a mask of the cells it could not read; the caller turns the mask into problems. Values as
Kobo, ODK Central, Excel and R write them are read alike: ``1.0`` for the code ``1``, R's ``NA``
and ``TRUE``/``FALSE``, dates as ISO text, as day/month/year, or as Excel serial day numbers.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from mande.ingest.checks import out_of_bounds_year
from mande.ingest.xlsform import Form, Question

#: Cells R writes for a missing value; read as empty where they are not an answer of the form.
R_MISSING = frozenset({"na", "<na>", "nan"})
#: Excel's day 0 (serial numbers count days from here, with Lotus' 1900 leap-year bug).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Serial day numbers read as dates: 1954-10-14 to 2119-01-22.
_EXCEL_SERIALS = (20000.0, 80000.0)
_BINARY = {
    "1": 1.0,
    "0": 0.0,
    "true": 1.0,
    "false": 0.0,
    "yes": 1.0,
    "no": 0.0,
    "oui": 1.0,
    "non": 0.0,
}


def hnorm(text: Any) -> str:
    """Case-folded text with runs of white space as one space (headers, labels, choice keys)."""
    return " ".join(str(text).casefold().split())


def fold(text: str) -> str:
    """``text`` without accents (NFKD, ASCII)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def vkey(v: Any) -> str | None:
    """A cell value as a lookup key (``1.0`` -> ``'1'``, case folded), or None when empty."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return None
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    s = hnorm(v)
    return s or None


def vkey_raw(v: Any) -> str | None:
    """A code-like cell as text (``1.0`` -> ``'1'``), None when empty; case kept."""
    if v is None:
        return None
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return None
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    s = str(v).strip()
    return s or None


def vkey_text(v: Any) -> Any:
    """A cell of a text column: stripped text, NaN when empty, whole floats without ``.0``."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    if isinstance(v, str):
        s = v.strip()
        return s if s else np.nan
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def choice_lookup(form: Form, q: Question) -> dict[str, str]:
    """Normalised choice name or label (any language, accents optional) -> choice name."""
    out: dict[str, str] = {}
    choices = form.choices_of(q)
    for c in choices:
        out.setdefault(hnorm(c.name), c.name)
    for c in choices:
        for lab in c.labels.values():
            out.setdefault(hnorm(lab), c.name)
    if q.or_other:
        out.setdefault("other", "other")
    for key, name in list(out.items()):
        out.setdefault(fold(key), name)
    return out


def select_one(series: pd.Series, lookup: dict[str, str]) -> tuple[pd.Series, np.ndarray]:
    """Choice names (None when empty) and the mask of answers that are not choices.

    R's ``NA`` is read as empty unless it is a choice of the question.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    keys = [vkey(u) for u in uniques]
    keys = [None if k in R_MISSING and k not in lookup else k for k in keys]
    decoded = np.array(
        [None if k is None else lookup.get(k) or lookup.get(fold(k)) for k in keys] + [None],
        dtype=object,
    )
    bad_u = np.array(
        [k is not None and d is None for k, d in zip(keys, decoded[:-1], strict=True)] + [False]
    )
    return pd.Series(decoded[codes], index=series.index, dtype=object), bad_u[codes]


def split_tokens(text: str, lookup: dict[str, str]) -> list[str] | None:
    """'sex ethnicity' or 'Sexe Ethnie ou tribu' -> choice names; None when it does not parse."""
    tokens = text.split()
    names = [lookup.get(t) or lookup.get(fold(t)) for t in tokens]
    if all(n is not None for n in names):
        return [n for n in names if n is not None]
    for sep in (";", ",", "|"):
        if sep in text:
            parts = [hnorm(p) for p in text.split(sep) if p.strip()]
            names = [lookup.get(p) or lookup.get(fold(p)) for p in parts]
            if all(n is not None for n in names):
                return [n for n in names if n is not None]
    # labels joined by spaces: longest label first
    keys = sorted(lookup, key=len, reverse=True)
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


def binary(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A select-multiple choice column (1/0, TRUE/FALSE, yes/no) as 1.0/0.0/NaN, and a bad mask."""
    codes, uniques = pd.factorize(series)
    keys = [vkey(u) for u in uniques]
    vals = np.array(
        [np.nan if k is None or k in R_MISSING else _BINARY.get(k, -1.0) for k in keys] + [np.nan]
    )
    v = vals[codes]
    bad = v == -1.0
    return np.where(bad, np.nan, v), bad


def multiple_from_text(
    series: pd.Series, choices: list[str], lookup: dict[str, str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Space-separated answers (names or labels) -> 0/1 frame, one column per choice; bad mask."""
    codes, uniques = pd.factorize(series)
    index = {c: j for j, c in enumerate(choices)}
    mat = np.zeros((len(uniques) + 1, len(choices)))
    mat[-1, :] = np.nan
    bad_u = np.zeros(len(uniques) + 1, dtype=bool)
    for i, u in enumerate(uniques):
        k = vkey(u)
        if k is None or (k in R_MISSING and k not in lookup):
            mat[i, :] = np.nan
            continue
        names = split_tokens(k, lookup)
        if names is None:
            bad_u[i] = True
            mat[i, :] = np.nan
            continue
        for nm in names:
            if nm in index:
                mat[i, index[nm]] = 1.0
    return pd.DataFrame(mat[codes], index=series.index, columns=choices), bad_u[codes]


def dates(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """-> (datetime64 dates at midnight, bad mask), parsed once per distinct value."""
    codes, uniques = pd.factorize(series)
    parsed: list[Any] = []
    bad_u: list[bool] = []
    for u in uniques:
        d = one_date(u)
        parsed.append(d)
        k = vkey(u)
        bad_u.append(d is None and k is not None and k not in R_MISSING)
    arr = pd.to_datetime(pd.Series([*parsed, None], dtype=object)).to_numpy(dtype="datetime64[ns]")
    bad = np.array([*bad_u, False])[codes]
    return pd.Series(arr[codes], index=series.index), bad


def one_date(v: Any) -> dt.date | None:
    """A date from a cell: date/datetime, ISO text, d/m/Y, or an Excel serial day number; None
    for a year before 1900 or after 2100 (never a real interview, and beyond what the store's
    dates hold without wrapping)."""
    d = _one_date_any(v)
    return None if d is None or out_of_bounds_year(d) else d


def _one_date_any(v: Any) -> dt.date | None:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return _excel_serial(float(v))
    s = str(v).strip()
    if not s or s.lower() in R_MISSING:
        return None
    try:
        return dt.date.fromisoformat(s[:10])
    except ValueError:
        pass
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(s[:10], fmt).date()
        except ValueError:
            continue
    try:
        return _excel_serial(float(s))
    except ValueError:
        pass
    try:
        ts = pd.Timestamp(s)
    except (ValueError, TypeError, OverflowError):
        return None
    return None if pd.isna(ts) else ts.date()


def _excel_serial(x: float) -> dt.date | None:
    """Excel's serial day number (days since 1899-12-30, fractions are the time of day)."""
    if not np.isfinite(x) or not (_EXCEL_SERIALS[0] <= x <= _EXCEL_SERIALS[1]):
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(x))


def numbers(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
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
    out, bad = vals[codes], bad_u[codes]
    if series.dtype == object:  # True == 1.0 for factorize: find the booleans cell by cell
        booleans = np.fromiter(
            (isinstance(v, (bool, np.bool_)) for v in series), dtype=bool, count=len(series)
        )
        if booleans.any():
            out, bad = np.where(booleans, np.nan, out), bad | booleans
    return pd.Series(out, index=series.index, dtype="float64"), bad


def _num_or_nan(v: Any) -> Any:
    if isinstance(v, (bool, np.bool_)):  # TRUE / FALSE are answers, never numbers
        return str(bool(v)).upper()
    if isinstance(v, (int, float, np.integer, np.floating)):
        return v
    if isinstance(v, str):
        t = v.strip().replace(",", ".") if v.count(",") == 1 and "." not in v else v.strip()
        if not t or t.lower() in R_MISSING:
            return np.nan
        try:
            return float(t)  # exact, unlike pandas' own text parser
        except ValueError:
            return t
    return np.nan if v is None else str(v)
