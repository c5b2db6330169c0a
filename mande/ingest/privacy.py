"""Personal data: found by the form (type, name) and by content, removed before anything leaves ingest.

What is removed (each removal is listed in the round's report with its reason):

- questions whose name says they hold a name, phone number, e-mail or contact (``name``, ``nom``,
  ``prenom``, ``phone``, ``telephone``/``téléphone``, ``tel``, ``mobile``, ``email``, ``courriel``,
  ``contact``, ``address``/``adresse``, as a whole word of the snake_case name);
- geopoint / geotrace / geoshape questions and Kobo's ``_gps_latitude`` ... ``_gps_precision``
  columns: exact GPS is dropped; the admin area (``region``, ``admin2``) asked in the form stays,
  which is the coarsening; when the form asks no admin area, GPS is dropped all the same;
- every part of a GPS answer in its own column: Kobo's ``_NAME_latitude``, ``_NAME_longitude``,
  ``_NAME_altitude``, ``_NAME_precision``, ODK Central's ``NAME-Latitude`` ... ``NAME-Accuracy``;
- device and account metadata: ``deviceid``, ``imei``, ``phonenumber``, ``subscriberid``,
  ``simserial``, ``username``, ``email``, ``audit``, ``_submitted_by``, ODK Central's
  ``SubmitterID``, ``SubmitterName`` and ``DeviceID``;
- submission ids other than the one hashed (ODK Central's ``KEY``, ``meta-instanceID``);
- any other kept text column in which a cell holds a phone number or an e-mail address, or a word of
  a removed name column (a respondent's name written into a comment);
- the respondent id (``_uuid``, or ``KEY`` / ``meta-instanceID`` in an ODK Central export), replaced
  by a keyed hash: HMAC-SHA256 with the installation secret,
  so that the same respondent gets the same id in every upload of this installation and nobody
  without the secret can reverse it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "EMAIL_RE",
    "PHONE_RE",
    "Removed",
    "hash_ids",
    "personal_by_content",
    "personal_by_name",
]

PERSONAL_TYPES = {
    "geopoint": "exact GPS position",
    "geotrace": "exact GPS track",
    "geoshape": "exact GPS shape",
    "start-geopoint": "exact GPS position",
    "deviceid": "device identifier",
    "imei": "device identifier",
    "phonenumber": "phone number",
    "subscriberid": "SIM identifier",
    "simserial": "SIM identifier",
    "username": "enumerator account",
    "email": "e-mail address",
    "audit": "device audit log",
    "image": "photo",
    "audio": "audio recording",
    "video": "video recording",
    "background-audio": "audio recording",
}
PERSONAL_COLUMNS = {
    "_submitted_by": "account that submitted the form",
    "deviceid": "device identifier",
    "imei": "device identifier",
    "phonenumber": "phone number",
    "subscriberid": "SIM identifier",
    "simserial": "SIM identifier",
    "username": "enumerator account",
    "_gps_latitude": "exact GPS position",
    "_gps_longitude": "exact GPS position",
    "_gps_altitude": "exact GPS position",
    "_gps_precision": "exact GPS position",
    "_geolocation": "exact GPS position",
    "_attachments": "attachments (photos, recordings)",
    "_submission__submitted_by": "account that submitted the form",
    # ODK Central's submissions.csv
    "submitterid": "account that submitted the form (ODK Central SubmitterID)",
    "submittername": "account that submitted the form (ODK Central SubmitterName)",
    "key": "submission id (ODK Central KEY)",
    "parent_key": "submission id (ODK Central PARENT_KEY)",
    "meta-instanceid": "submission id (instance id)",
    "meta/instanceid": "submission id (instance id)",
    "instanceid": "submission id (instance id)",
    "meta-deprecatedid": "submission id (instance id)",
    "_submission__uuid": "submission id (instance id)",
}
#: The parts of a GPS answer each platform writes in their own columns: Kobo's
#: ``_Point_latitude`` ... ``_Point_precision``, Central's ``Point-Latitude`` ... ``-Accuracy``.
_GPS_PART_RE = re.compile(
    r"^_.+_(?:latitude|longitude|altitude|precision)$"
    r"|[-/.:](?:latitude|longitude|altitude|accuracy|precision)$",
    re.IGNORECASE,
)
_NAME_WORDS = (
    "name|names|nom|noms|prenom|prenoms|surname|firstname|lastname|fullname|phone|telephone|tel|"
    "mobile|portable|cell|email|mail|courriel|contact|address|adresse|whatsapp|gps|coordinates|"
    "latitude|longitude|lat|lon|lng"
)
_NAME_RE = re.compile(rf"(?:^|[_\-. ])(?:{_NAME_WORDS})(?:$|[_\-. ])", re.IGNORECASE)

_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
PHONE_RE = re.compile(r"(?<![\w/])(?:\+|00)?\d(?:[\s.\-()]{0,2}\d){7,14}(?![\w/])")
_DATE_RE = re.compile(r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}\s*$")
_WORD = r"[^\W\d_]{3,}"  # a word of 3 letters or more (no digits)
EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


@dataclass(frozen=True)
class Removed:
    """A column removed on ingest: what it was called in the file and why."""

    column: str
    reason: str


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def personal_by_name(name: str, qtype: str | None = None) -> str | None:
    """Why a column is personal data by its form type or its name, or None.

    ``name`` is the question name (without group path) or the export's column name.
    """
    if qtype in PERSONAL_TYPES:
        return PERSONAL_TYPES[qtype]
    low = name.strip().lower()
    base = low.rsplit("/", 1)[-1]
    if base in PERSONAL_COLUMNS:
        return PERSONAL_COLUMNS[base]
    if low.startswith("_gps_") or base.startswith("_gps_") or _GPS_PART_RE.search(low):
        return "exact GPS position"
    # camelCase names are words too: EnumeratorName -> enumerator_name
    words = _CAMEL_RE.sub("_", name.strip().rsplit("/", 1)[-1]).lower()
    if qtype in (None, "text", "calculate", "hidden", "barcode", "integer", "decimal") and (
        _NAME_RE.search(_ascii(base)) or _NAME_RE.search(_ascii(words))
    ):
        return "name, phone number, e-mail, address or GPS (by its name)"
    return None


def personal_by_content(values: pd.Series, known: frozenset[str] = frozenset()) -> str | None:
    """Why a text column holds personal data by its content, or None.

    A cell holding a phone number (8 to 15 digits, spaces, dots, dashes allowed; dates excepted) or
    an e-mail address, or a word (3 letters or more) of a removed name column (``known``).
    """
    s = values[values.notna()]
    if s.empty:
        return None
    if pd.api.types.is_numeric_dtype(s):
        # numbers: only a whole number of 8 to 15 digits can be a phone number
        big = s[(s.abs() >= 1e7) & (s.abs() < 1e15) & (s % 1 == 0)]
        return "numbers that look like phone numbers" if len(big) else None
    s = s.astype(str)
    s = s[s.str.strip() != ""]
    if s.empty:
        return None
    uniq = pd.Series(s.unique())
    if uniq.str.contains(EMAIL_RE).any():
        return "free text holding e-mail addresses"
    phones = uniq[uniq.str.contains(PHONE_RE)]
    if len(phones):
        not_dates = phones[~phones.str.fullmatch(_DATE_RE)]
        if len(not_dates):
            return "free text holding phone numbers"
    if known:
        words = uniq.str.lower().str.findall(_WORD).explode().dropna()
        if words.isin(known).any():
            return "free text holding respondents' names"
    return None


def name_words(values: pd.Series) -> frozenset[str]:
    """The words (3 letters or more, lower case) of a column of names."""
    s = values[values.notna()].astype(str)
    words = s.str.lower().str.findall(_WORD).explode().dropna()
    return frozenset(str(w) for w in words.unique())


def hash_ids(values: pd.Series, secret: bytes) -> pd.Series:
    """Keyed hash of respondent ids: HMAC-SHA256(secret, id) as 64 hex digits (None stays None).

    Computed once per distinct id.
    """
    uniq = values.dropna().unique()
    table = {
        v: hmac.new(secret, str(v).strip().encode("utf-8"), hashlib.sha256).hexdigest()
        for v in uniq
    }
    return values.map(table)
