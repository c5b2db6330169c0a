"""The validation report in the officer's language (English or French).

Problems are built in English by the ingest steps, each with a stable ``code`` and its facts in
fields (``sheet``, ``row``, ``column``, ``value``, ``expected``). :func:`report_frame` lays them out
as a table with headers, severities, messages and expected values in the chosen language: in
French each known code has its own message, written from the problem's fields; a code without a
French text keeps its English message. The CLI (``mande validate --lang fr``) and the Upload page
call this one function.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from mande.errors import Problem
from mande.ingest.sample_design import SRS_TEXT

__all__ = [
    "REPORT_COLUMNS",
    "TOP_WARNINGS",
    "expected_text",
    "problem_message",
    "removed_frame",
    "report_frame",
    "severity_label",
]

#: Warnings shown at the top of a report and of the Upload page: what every output of the round
#: will lack (breakdowns) or assume (no sample design).
TOP_WARNINGS = ("no_sample_design", "missing_breakdown")

#: Column keys of the report and their headers per language.
REPORT_COLUMNS: dict[str, dict[str, str]] = {
    "en": {
        "severity": "severity",
        "code": "code",
        "sheet": "sheet",
        "row": "row",
        "column": "column",
        "value": "value",
        "expected": "expected",
        "message": "message (what to do)",
    },
    "fr": {
        "severity": "gravité",
        "code": "code",
        "sheet": "feuille",
        "row": "ligne",
        "column": "colonne",
        "value": "valeur",
        "expected": "attendu",
        "message": "message (que faire)",
    },
}
_SEVERITY = {
    "fr": {"error": "erreur", "warning": "avertissement"},
    "en": {"error": "error", "warning": "warning"},
}
_BREAKDOWN_FR = {
    "sex": "sexe",
    "age_group": "groupe d'âge",
    "region": "région",
    "urban_rural": "milieu (urbain/rural)",
    "displacement": "déplacement",
    "disability": "handicap",
}

#: French messages by code; fields: {value}, {column}, {row}, {sheet}, {expected}.
_FR: dict[str, str] = {
    "invalid_number": "« {value} » n'est pas un nombre ; corrigez la cellule ou videz-la",
    "invalid_answer": (
        "la réponse « {value} » n'est pas un choix de la question de la colonne « {column} » ; "
        "corrigez-la, ou ajoutez ce choix au formulaire s'il en manque un"
    ),
    "invalid_date": (
        "la date « {value} » ne peut pas être lue ; écrivez-la comme 2025-03-14 (année-mois-jour)"
    ),
    "invalid_weight": (
        "le poids « {value} » n'est pas un nombre supérieur à zéro ; corrigez la pondération"
    ),
    "missing_value": "valeur manquante dans la colonne « {column} » ; complétez-la",
    "missing_id": "l'identifiant du répondant manque ; chaque ligne doit en avoir un",
    "duplicate_id": (
        "l'identifiant de répondant « {value} » apparaît sur plusieurs lignes ; supprimez les "
        "doublons (la même soumission exportée deux fois) et téléversez de nouveau"
    ),
    "missing_column": (
        "colonne « {column} » introuvable ; indiquez la bonne colonne dans le fichier de "
        "correspondance (design:), ou déclarez une enquête sans plan de sondage avec "
        "« design: {{type: srs}} » ou « --design srs »"
    ),
    "no_design": (
        "l'export n'a pas de colonnes de plan de sondage (poids, strates, unités primaires). "
        "Déclarez le plan : nommez ces colonnes dans le fichier de correspondance (design: "
        "{{weight: ..., strata: ..., psu: ...}}), ou, pour un échantillon aléatoire simple ou de "
        "convenance, écrivez « design: {{type: srs}} » dans ce fichier ou passez « --design srs »"
    ),
    "no_sample_design": SRS_TEXT["fr"],
    "missing_breakdown": (
        "la vague n'a pas de {breakdowns} : le tableau de bord et l'annexe n'afficheront aucun "
        "indicateur par {breakdowns} pour cette vague. Si le formulaire pose ces questions, "
        "associez-les aux items standard dans le fichier de correspondance"
    ),
    "mixed_versions": (
        "le fichier mélange des versions du formulaire (colonne « {column} », valeur "
        "« {value} ») ; exportez chaque version séparément et lisez-la avec son formulaire"
    ),
    "missing_date": (
        "aucune colonne de date d'entretien (today, start, _submission_time ou SubmissionDate) ; "
        "les dates de terrain de la vague sont inconnues"
    ),
    "out_of_range": "{value} est hors de l'intervalle attendu ({expected})",
    "outside_fieldwork": (
        "entretien daté du {value}, en dehors de la période de terrain prévue ({expected})"
    ),
    "unmapped_choice": (
        "les choix {value} de la colonne « {column} » n'ont pas de code standard ; ces réponses "
        "sont lues comme manquantes. Ajoutez-les au fichier de correspondance s'ils doivent compter"
    ),
    "item_nonresponse": (
        "une part élevée des répondants ({value}) n'a pas donné de réponse substantielle à "
        "« {column} » (manquant, ne sait pas ou refus)"
    ),
    "single_psu": (
        "la strate « {value} » n'a qu'une unité primaire ; sa variance ne peut pas être estimée "
        "(l'option lonely_psu du plan décide du traitement)"
    ),
    "unequal_weights": (
        "poids très inégaux : effet de plan de Kish {value} ; les estimations seront imprécises. "
        "Vérifiez la pondération ou écrêtez les poids extrêmes"
    ),
    "duplicate_question": (
        "la même question est dans deux colonnes ; la première est lue, « {column} » est ignorée"
    ),
    "mapping_mismatch": (
        "le fichier de correspondance nomme la question « {column} », absente du formulaire ; "
        "corrigez le fichier de correspondance"
    ),
    "sheet_not_read": (
        "la feuille « {sheet} » n'est pas une feuille de groupe répété de l'export ; elle n'est "
        "pas lue"
    ),
    "repeat_not_linked": (
        "ligne de groupe répété sans ligne parente (_parent_index {value}) ; vérifiez l'export"
    ),
    "blank_header": "la colonne {column} contient des données mais pas d'en-tête ; nommez-la ou supprimez-la",
    "duplicate_header": "l'en-tête « {value} » apparaît deux fois ; renommez ou supprimez l'une des colonnes",
    "empty_sheet": "la feuille est vide ; exportez les données avec leur ligne d'en-tête",
    "corrupt": "le fichier est endommagé ; exportez-le de nouveau ou réenregistrez-le dans Excel",
    "password_protected": (
        "le fichier est protégé par un mot de passe ; retirez-le dans Excel et téléversez la copie"
    ),
    "too_large": "le fichier dépasse la taille maximale acceptée",
    "not_a_spreadsheet": "ce fichier n'est pas un classeur ni un CSV ; exportez les données en .xlsx ou .csv",
    "formula": "la cellule contient une formule ; remplacez-la par sa valeur",
    "formula_without_value": (
        "la cellule contient une formule sans valeur enregistrée ; ouvrez le fichier dans Excel, "
        "enregistrez-le, puis téléversez-le de nouveau"
    ),
}
_UNMAPPED_SUFFIX = "; read as missing (the question feeds no standard indicator)"
_UNMAPPED_SUFFIX_FR = " ; lue comme manquante (la question n'alimente aucun indicateur standard)"


_EXPECTED_FR: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b)
    for a, b in (
        (r"^a number above 0$", "un nombre supérieur à 0"),
        (r"^a number$", "un nombre"),
        (r"^a date such as (.+)$", r"une date comme \1"),
        (r"^a date from (.+) to (.+)$", r"une date du \1 au \2"),
        (r"^from (.+) to (.+)$", r"de \1 à \2"),
        (r"^one of (.+) \(or their labels\)$", r"l'un de \1 (ou leurs libellés)"),
        (r"^a unique id$", "un identifiant unique"),
        (r"^each respondent once$", "chaque répondant une seule fois"),
        (r"^1 \(chosen\), 0 \(not chosen\) or empty$", "1 (choisi), 0 (non choisi) ou vide"),
        (
            r"^choices of list '(.+)' separated by spaces: (.+)$",
            r"des choix de la liste « \1 » séparés par des espaces : \2",
        ),
        (r"^a choice of list (.+)$", r"un choix de la liste \1"),
        (r"^a (weight|strata|psu) column$", r"une colonne \1"),
        (r"^a (stratum|psu)$", r"une valeur de \1"),
        (r"^questions mapped to (.+)$", r"des questions associées à \1"),
        (r"^at most (.+)$", r"au plus \1"),
        (r"^a design effect of at most (.+)$", r"un effet de plan d'au plus \1"),
        (r"^at least two PSUs per stratum$", "au moins deux unités primaires par strate"),
        (
            r"^a column with one unique id per submission$",
            "une colonne avec un identifiant unique par soumission",
        ),
        (
            r"^weight, strata and PSU columns, or a design declared srs$",
            "des colonnes de poids, strates et unités primaires, ou un plan déclaré srs",
        ),
        (r"^a column name$", "un nom de colonne"),
        (r"^unique column names$", "des noms de colonnes uniques"),
    )
)


def expected_text(expected: str | None, lang: str = "en") -> str:
    """The ``expected`` field in ``lang`` (as written when there is no translation)."""
    if not expected:
        return ""
    if lang != "fr":
        return expected
    for pattern, repl in _EXPECTED_FR:
        if pattern.match(expected):
            return pattern.sub(repl, expected)
    return expected


def severity_label(severity: str, lang: str = "en") -> str:
    """``error`` / ``warning`` in ``lang``."""
    return _SEVERITY.get(lang, _SEVERITY["en"]).get(severity, severity)


def problem_message(p: Problem, lang: str = "en") -> str:
    """The problem's message in ``lang`` (its English message when there is no translation)."""
    if lang != "fr" or p.code not in _FR:
        return p.message
    breakdowns = ", ".join(
        _BREAKDOWN_FR.get(b.strip(), b.strip()) for b in (p.column or "").split(",") if b.strip()
    )
    text = _FR[p.code].format(
        value=p.value or "",
        column=p.column or "",
        row=p.row or "",
        sheet=p.sheet or "",
        expected=p.expected or "",
        breakdowns=breakdowns,
    )
    if p.message.endswith(_UNMAPPED_SUFFIX):
        text += _UNMAPPED_SUFFIX_FR
    return text


def report_frame(problems: Iterable[Problem], lang: str = "en") -> pd.DataFrame:
    """The problems as a table in ``lang``: errors first, headers, severities and messages
    translated (columns as in :data:`REPORT_COLUMNS`)."""
    headers = REPORT_COLUMNS.get(lang, REPORT_COLUMNS["en"])
    rows = []
    for p in sorted(problems, key=lambda p: p.severity != "error"):
        rows.append(
            {
                headers["severity"]: severity_label(p.severity, lang),
                headers["code"]: p.code,
                headers["sheet"]: p.sheet or "",
                headers["row"]: "" if p.row is None else str(p.row),
                headers["column"]: p.column or "",
                headers["value"]: p.value or "",
                headers["expected"]: expected_text(p.expected, lang),
                headers["message"]: problem_message(p, lang),
            }
        )
    return pd.DataFrame(rows, columns=list(headers.values()))


_REMOVED_FR = {
    "SIM identifier": "identifiant de carte SIM",
    "account that submitted the form": "compte qui a soumis le formulaire",
    "account that submitted the form (ODK Central SubmitterID)": (
        "compte qui a soumis le formulaire (SubmitterID d'ODK Central)"
    ),
    "account that submitted the form (ODK Central SubmitterName)": (
        "compte qui a soumis le formulaire (SubmitterName d'ODK Central)"
    ),
    "attachments (photos, recordings)": "pièces jointes (photos, enregistrements)",
    "audio recording": "enregistrement audio",
    "device audit log": "journal d'audit de l'appareil",
    "device identifier": "identifiant de l'appareil",
    "e-mail address": "adresse électronique",
    "enumerator account": "compte de l'enquêteur",
    "exact GPS position": "position GPS exacte",
    "exact GPS shape": "forme GPS exacte",
    "exact GPS track": "trace GPS exacte",
    "phone number": "numéro de téléphone",
    "photo": "photo",
    "video recording": "enregistrement vidéo",
    "submission id (ODK Central KEY)": "identifiant de soumission (KEY d'ODK Central)",
    "submission id (ODK Central PARENT_KEY)": "identifiant de soumission (PARENT_KEY d'ODK Central)",
    "submission id (instance id)": "identifiant de soumission (instance id)",
    "name, phone number, e-mail, address or GPS (by its name)": (
        "nom, téléphone, courriel, adresse ou GPS (d'après son nom)"
    ),
    "numbers that look like phone numbers": "nombres qui ressemblent à des numéros de téléphone",
    "free text holding e-mail addresses": "texte libre contenant des adresses électroniques",
    "free text holding phone numbers": "texte libre contenant des numéros de téléphone",
    "free text holding respondents' names": "texte libre contenant des noms de répondants",
    "respondent id, replaced by a keyed hash (respondent_id)": (
        "identifiant du répondant, remplacé par un hachage à clé (respondent_id)"
    ),
}


def removed_frame(removed: Iterable[Any], lang: str = "en") -> pd.DataFrame:
    """The columns removed as personal data or identifiers, with the reason, in ``lang``."""
    head = ("colonne", "motif") if lang == "fr" else ("column", "reason")
    rows = [
        (r.column, _REMOVED_FR.get(r.reason, r.reason) if lang == "fr" else r.reason)
        for r in removed
    ]
    return pd.DataFrame(rows, columns=list(head))
