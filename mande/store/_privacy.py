"""The store's own check that nothing it keeps holds personal data."""

from __future__ import annotations

import re

import pandas as pd

from mande.errors import DataValidationError, Problem

# Words that mark a column as personal data, whatever the language of the form.
_PERSONAL_TOKENS = frozenset(
    {
        "name", "names", "fullname", "firstname", "lastname", "surname", "givenname",
        "nom", "noms", "prenom", "prénom", "prenoms", "prénoms",
        "phone", "phones", "telephone", "téléphone", "tel", "tél", "mobile", "msisdn",
        "whatsapp", "cellphone", "portable",
        "email", "emails", "mail", "courriel", "e-mail",
        "gps", "geopoint", "geolocation", "géolocalisation", "latitude", "longitude",
        "lat", "lon", "lng", "coordinates", "coordonnees", "coordonnées", "altitude",
    }
)  # fmt: skip
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def check_no_personal_data(frame: pd.DataFrame, *, what: str = "responses") -> None:
    """Refuse a frame with columns named like names, phones, e-mails or GPS, or e-mail values.

    Raises
    ------
    DataValidationError
        Listing every offending column.
    """
    problems: list[Problem] = []
    for col in frame.columns:
        tokens = {tok for tok in re.split(r"[^0-9a-zà-ÿ]+|__", str(col).lower()) if tok}
        base = str(col).split("__", 1)[0].lower()
        hit = tokens & _PERSONAL_TOKENS
        if hit or base in _PERSONAL_TOKENS:
            problems.append(
                Problem(
                    f"column '{col}' looks like personal data ({', '.join(sorted(hit)) or base}); "
                    "the store keeps no names, phone numbers, e-mail addresses or GPS points. "
                    "Drop the column before upload, or map it to a standard item",
                    code="personal_data",
                    column=str(col),
                    expected="no personal data",
                )
            )
    for col in frame.columns:
        s = frame[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            sample = s.dropna().astype(str)
            found = sample[sample.str.contains(_EMAIL, regex=True)]
            if len(found):
                problems.append(
                    Problem(
                        f"column '{col}' holds e-mail addresses ({len(found)} rows); the store "
                        "keeps no personal data. Drop or blank the column before upload",
                        code="personal_data",
                        column=str(col),
                        value=f"{len(found)} e-mail addresses",
                        expected="no personal data",
                    )
                )
    if problems:
        raise DataValidationError(
            f"the {what} hold personal data; nothing was stored", problems=problems
        )
