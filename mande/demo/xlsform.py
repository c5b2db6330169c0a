"""The standard perception-survey XLSForm, rendered from the standard items.

Names, response scales and codes come from ``mande/indicators/items.yaml`` (through
:func:`mande.indicators.items.standard_items`), and regions and admin 2 units from the mission's
``mission.yaml``, so that the form always agrees with the standard the indicators read. The form is
bilingual (``label::English (en)``, ``label::French (fr)``) and holds what real forms hold besides the
items: metadata (start, end, today, deviceid), a consent question, the design fields (stratum,
cluster id, household number, adults in the household) and personal data (respondent name, phone,
GPS, free-text comments) that ingest must strip.

:func:`build_form` returns the form as a value; :func:`write_form` writes the ``.xlsx``.
:func:`kobo_columns` lists the columns KoboToolbox writes when it exports data of this form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mande.config import MissionConfig
from mande.demo._files import write_xlsx
from mande.errors import DefinitionError
from mande.indicators.items import StandardItem, StandardItems, standard_items

__all__ = [
    "FORM_ID",
    "FORM_VERSION",
    "FormField",
    "StandardForm",
    "build_form",
    "kobo_columns",
    "write_form",
]

FORM_ID = "perception_survey"
FORM_VERSION = "2024.1"
LANGS = (("en", "English (en)"), ("fr", "French (fr)"))

# Label and hint columns, in the order they appear on the survey sheet.
SURVEY_COLUMNS = (
    "type",
    "name",
    "label::English (en)",
    "label::French (fr)",
    "hint::English (en)",
    "hint::French (fr)",
    "required",
    "relevant",
    "constraint",
    "constraint_message::English (en)",
    "constraint_message::French (fr)",
    "choice_filter",
    "appearance",
    "calculation",
)
CHOICES_COLUMNS = ("list_name", "name", "label::English (en)", "label::French (fr)", "region")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language", "instance_name")

CONSENTED = "${consent} = 1"

Text = dict[str, str]


def _t(en: str, fr: str) -> Text:
    return {"en": en, "fr": fr}


# The groups of the form, in order, with the standard items each holds. Fields that are not
# standard items (design, personal data) are described in _EXTRA.
GROUPS: tuple[tuple[str, Text, tuple[str, ...]], ...] = (
    (
        "location",
        _t("Location and sample", "Localisation et échantillon"),
        (
            "region",
            "admin2",
            "urban_rural",
            "stratum",
            "cluster_id",
            "village",
            "hh_number",
            "gps",
        ),
    ),
    ("consent_grp", _t("Consent", "Consentement"), ("consent_intro", "consent", "no_consent_end")),
    (
        "respondent",
        _t("The respondent", "L'enquêté(e)"),
        ("resp_name", "resp_phone", "sex", "age", "hh_adults", "displacement"),
    ),
    (
        "security",
        _t("Security", "Sécurité"),
        ("safe_dark", "safe_day", "security_trend", "victim", "victim_reported"),
    ),
    (
        "state",
        _t("Inclusion and the State", "Inclusion et État"),
        (
            "say_government",
            "influence_politics",
            "discrimination",
            "identity",
            "unfair_treatment",
            "trust_police",
            "trust_courts",
            "trust_local_admin",
            "trust_army",
        ),
    ),
    (
        "services",
        _t("Public services", "Services publics"),
        ("sat_health", "sat_education", "sat_admin"),
    ),
    (
        "mission",
        _t("The UN mission", "La mission des Nations Unies"),
        ("mission_satisfaction", "mission_stay", "mission_impartial", "warn_mission"),
    ),
    (
        "disability",
        _t(
            "Functioning (Washington Group short set)",
            "Fonctionnement (questions courtes du Washington Group)",
        ),
        (
            "wg_seeing",
            "wg_hearing",
            "wg_walking",
            "wg_cognition",
            "wg_selfcare",
            "wg_communication",
        ),
    ),
)

# Fields that are not standard items: (type, label, extra columns).
_EXTRA: dict[str, tuple[str, Text, dict[str, Any]]] = {
    "stratum": (
        "calculate",
        _t("Sampling stratum", "Strate d'échantillonnage"),
        {"calculation": "${region}"},
    ),
    "cluster_id": (
        "text",
        _t("Cluster (village / quartier) id", "Identifiant de la grappe (village / quartier)"),
        {
            "required": "yes",
            "constraint": "regex(., '^VD[0-9]{4}-[0-9]{3}$')",
            "constraint_message": _t(
                "Copy the id from the assignment sheet, e.g. VD0301-014",
                "Recopiez l'identifiant de la fiche d'affectation, p. ex. VD0301-014",
            ),
            "hint": _t(
                "From the assignment sheet: admin 2 p-code, a dash, three digits",
                "Sur la fiche d'affectation : p-code admin 2, un tiret, trois chiffres",
            ),
        },
    ),
    "village": (
        "text",
        _t("Name of the village or quartier", "Nom du village ou du quartier"),
        {"required": "yes"},
    ),
    "hh_number": (
        "integer",
        _t("Household number (from the listing)", "Numéro du ménage (dans le dénombrement)"),
        {
            "required": "yes",
            "constraint": ". >= 1 and . <= 999",
            "constraint_message": _t("Between 1 and 999", "Entre 1 et 999"),
        },
    ),
    "gps": (
        "geopoint",
        _t("GPS position of the household", "Position GPS du ménage"),
        {
            "hint": _t(
                "Stand outside the dwelling; wait for an accuracy under 10 m",
                "Placez-vous devant le logement ; attendez une précision inférieure à 10 m",
            )
        },
    ),
    "consent_intro": (
        "note",
        _t(
            "Hello. We are conducting a survey for the United Nations mission on how people in "
            "this area feel about security, the State and the mission. The interview takes about "
            "30 minutes. Taking part is voluntary; you may stop at any time or skip any question. "
            "Your answers are confidential and will only be reported in anonymous statistics.",
            "Bonjour. Nous réalisons une enquête pour la mission des Nations Unies sur ce que "
            "pensent les habitants de cette zone de la sécurité, de l'État et de la mission. "
            "L'entretien dure environ 30 minutes. La participation est volontaire ; vous pouvez "
            "arrêter à tout moment ou ne pas répondre à une question. Vos réponses sont "
            "confidentielles et ne seront publiées que sous forme de statistiques anonymes.",
        ),
        {},
    ),
    "consent": (
        "select_one consent",
        _t(
            "Do you agree to take part in this survey?",
            "Acceptez-vous de participer à cette enquête ?",
        ),
        {"required": "yes"},
    ),
    "no_consent_end": (
        "note",
        _t(
            "Thank the person and end the interview. Save and close the form.",
            "Remerciez la personne et mettez fin à l'entretien. Enregistrez et fermez le formulaire.",
        ),
        {"relevant": "${consent} = 0"},
    ),
    "resp_name": (
        "text",
        _t("Name of the respondent", "Nom de l'enquêté(e)"),
        {
            "required": "yes",
            "hint": _t(
                "For call-back quality checks only; never shared",
                "Uniquement pour les contrôles de qualité par rappel ; jamais partagé",
            ),
        },
    ),
    "resp_phone": (
        "text",
        _t(
            "Phone number of the respondent (optional)",
            "Numéro de téléphone de l'enquêté(e) (facultatif)",
        ),
        {
            "appearance": "numbers",
            "constraint": ". = '' or regex(., '^(\\+236 ?)?7[0-9]( ?[0-9]{2}){3}$')",
            "constraint_message": _t(
                "A mobile number such as +236 72 14 55 08",
                "Un numéro mobile comme +236 72 14 55 08",
            ),
        },
    ),
    "hh_adults": (
        "integer",
        _t(
            "How many people aged 18 or over usually live in this household?",
            "Combien de personnes de 18 ans ou plus vivent habituellement dans ce ménage ?",
        ),
        {
            "required": "yes",
            "constraint": ". >= 1 and . <= 30",
            "constraint_message": _t("Between 1 and 30", "Entre 1 et 30"),
            "hint": _t(
                "The respondent is the adult chosen at random with the selection table",
                "L'enquêté(e) est l'adulte tiré(e) au sort avec la table de sélection",
            ),
        },
    ),
    "comments": (
        "text",
        _t("Enumerator's comments", "Commentaires de l'enquêteur / de l'enquêtrice"),
        {"appearance": "multiline"},
    ),
}

_HINTS: dict[str, Text] = {
    "safe_dark": _t(
        "Read the four answers. Record 'never goes out alone' only if the respondent says so.",
        "Lisez les quatre réponses. N'enregistrez « ne sort jamais seul(e) » que si l'enquêté(e) le dit.",
    ),
    "discrimination": _t(
        "Read each ground; several answers are possible",
        "Lisez chaque motif ; plusieurs réponses possibles",
    ),
    "mission_satisfaction": _t(
        "'Don't know' is a valid answer; do not insist",
        "« Ne sait pas » est une réponse valable ; n'insistez pas",
    ),
    "sat_health": _t(
        "'Does not apply' if no one used these services",
        "« Sans objet » si personne n'a utilisé ces services",
    ),
    "age": _t("Aged 18 or over", "18 ans ou plus"),
}

_APPEARANCE = {"region": "minimal", "admin2": "minimal"}


@dataclass(frozen=True)
class FormField:
    """One exported field of the form: its name, type, group and choices (code -> labels)."""

    name: str
    type: str  # select_one | select_multiple | integer | text | geopoint | calculate | start ...
    group: str | None
    list_name: str | None = None
    choices: tuple[tuple[str, Text], ...] = ()

    @property
    def path(self) -> str:
        return f"{self.group}/{self.name}" if self.group else self.name

    def label_of(self, code: str, lang: str = "fr") -> str:
        for name, labels in self.choices:
            if name == code:
                return labels[lang]
        return code


@dataclass(frozen=True)
class StandardForm:
    """The standard form as sheets of rows, and its exported fields in order."""

    survey: tuple[dict[str, Any], ...]
    choices: tuple[dict[str, Any], ...]
    settings: dict[str, str]
    fields: tuple[FormField, ...]

    def get(self, name: str) -> FormField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _relevant(expr: str | None) -> str | None:
    """Turn an items.yaml condition ("victim == 1") into XLSForm ("${victim} = 1")."""
    if not expr:
        return None
    return re.sub(r"\b([a-z_][a-z0-9_]*)\s*==\s*", r"${\1} = ", expr)


def _list_names(items: StandardItems, names: Sequence[str]) -> dict[str, str]:
    """One choice list per (scale, non-substantive codes); named after the scale when unique."""
    variants: dict[str, list[tuple[tuple[Any, ...], str]]] = {}
    for name in names:
        if name not in items:
            continue
        it = items[name]
        if it.scale is None or it.kind not in ("select_one", "select_multiple"):
            continue
        v = variants.setdefault(it.scale, [])
        if all(ns != it.non_substantive for ns, _ in v):
            v.append((it.non_substantive, name))
    out: dict[str, str] = {}
    for name in names:
        if name not in items or items[name].scale is None:
            continue
        it = items[name]
        v = variants.get(it.scale or "", [])
        if len(v) <= 1:
            out[name] = str(it.scale)
        else:
            first = next(n for ns, n in v if ns == it.non_substantive)
            out[name] = f"{it.scale}_{first}"
    return out


def _choices_for(
    item: StandardItem, items: StandardItems, mission: MissionConfig
) -> tuple[tuple[str, Text, str | None], ...]:
    """(name, labels, region) for each choice the item offers."""
    if item.scale == "region":
        return tuple(
            (r.pcode, {"en": r.label("en"), "fr": r.label("fr")}, None) for r in mission.regions
        )
    if item.scale == "admin2":
        return tuple(
            (
                code,
                {"en": names.get("en", code), "fr": names.get("fr", names.get("en", code))},
                r.pcode,
            )
            for r in mission.regions
            for code, names in r.admin2
        )
    out: list[tuple[str, Text, str | None]] = []
    for code, labels in (item.choices or {}).items():
        out.append((str(code), {"en": labels["en"], "fr": labels["fr"]}, None))
    for code in item.non_substantive:
        labels = items.non_substantive[code]
        out.append((str(code), {"en": labels["en"], "fr": labels["fr"]}, None))
    return tuple(out)


def build_form(mission: MissionConfig, items: StandardItems | None = None) -> StandardForm:
    """The standard perception-survey form for a mission, as a value.

    Parameters
    ----------
    mission:
        The mission configuration: its regions and admin 2 units become the ``region`` and
        ``admin2`` choice lists (``admin2`` filtered by region with ``choice_filter``).
    items:
        The standard items; default :func:`mande.indicators.items.standard_items`.
    """
    items = items or standard_items()
    ordered = [n for _, _, names in GROUPS for n in names]
    missing = sorted(n for n in items.items if n not in ordered)
    if missing:  # every standard item has a place in the form
        raise DefinitionError(
            f"standard items {missing} have no place in the standard form; add each to a group "
            "in mande.demo.xlsform.GROUPS"
        )
    list_names = _list_names(items, ordered)

    survey: list[dict[str, Any]] = [
        {"type": t, "name": t} for t in ("start", "end", "today", "deviceid")
    ]
    fields: list[FormField] = [FormField(t, t, None) for t in ("start", "end", "today", "deviceid")]
    choices: list[dict[str, Any]] = []
    seen_lists: set[str] = set()

    def add_list(list_name: str, rows: Sequence[tuple[str, Text, str | None]]) -> None:
        if list_name in seen_lists:
            return
        seen_lists.add(list_name)
        for code, labels, region in rows:
            row: dict[str, Any] = {"list_name": list_name, "name": code}
            for lang, col in LANGS:
                row[f"label::{col}"] = labels[lang]
            if region:
                row["region"] = region
            choices.append(row)

    add_list("consent", [("1", _t("Yes", "Oui"), None), ("0", _t("No", "Non"), None)])

    for group, glabel, names in GROUPS:
        grow: dict[str, Any] = {"type": "begin_group", "name": group}
        for lang, col in LANGS:
            grow[f"label::{col}"] = glabel[lang]
        if group not in ("location", "consent_grp"):
            grow["relevant"] = CONSENTED
        survey.append(grow)
        for name in names:
            row = {"name": name}
            if name in items:
                it = items[name]
                _item_row(row, it, items, mission, list_names, add_list)
                ftype = it.kind
                lst = list_names.get(name) or it.scale
                fchoices = tuple((c, lab) for c, lab, _ in _choices_for(it, items, mission))
            else:
                ftype, label, extra = _EXTRA[name]
                row["type"] = ftype
                _labels(row, "label", label)
                for key, value in extra.items():
                    if isinstance(value, dict):
                        _labels(row, key, value)
                    else:
                        row[key] = value
                lst = "consent" if name == "consent" else None
                if name == "consent":
                    ftype = "select_one"
                    fchoices = (("1", _t("Yes", "Oui")), ("0", _t("No", "Non")))
                else:
                    fchoices = ()
            if name in _HINTS:
                _labels(row, "hint", _HINTS[name])
            survey.append(row)
            if ftype != "note":
                fields.append(FormField(name, ftype, group, lst, fchoices))
        survey.append({"type": "end_group", "name": group})

    comments_type, comments_label, comments_extra = _EXTRA["comments"]
    crow: dict[str, Any] = {"type": comments_type, "name": "comments", **comments_extra}
    _labels(crow, "label", comments_label)
    crow["relevant"] = CONSENTED
    survey.append(crow)
    fields.append(FormField("comments", "text", None))

    settings = {
        "form_title": f"Enquête de perception / Perception survey ({mission.code})",
        "form_id": FORM_ID,
        "version": FORM_VERSION,
        "default_language": "French (fr)",
        "instance_name": "concat(${cluster_id}, '-', ${hh_number})",
    }
    return StandardForm(tuple(survey), tuple(choices), settings, tuple(fields))


def _labels(row: dict[str, Any], column: str, text: Text) -> None:
    for lang, col in LANGS:
        row[f"{column}::{col}"] = text[lang]


def _item_row(
    row: dict[str, Any],
    it: StandardItem,
    items: StandardItems,
    mission: MissionConfig,
    list_names: dict[str, str],
    add_list: Any,
) -> None:
    _labels(row, "label", it.label)
    row["required"] = "yes"
    if it.kind in ("select_one", "select_multiple"):
        lst = list_names[it.name]
        row["type"] = f"{it.kind} {lst}"
        add_list(lst, _choices_for(it, items, mission))
    else:
        row["type"] = it.kind
    if it.name == "admin2":
        row["choice_filter"] = "region=${region}"
    if it.name in _APPEARANCE:
        row["appearance"] = _APPEARANCE[it.name]
    if it.range:
        lo, hi = it.range
        row["constraint"] = f". >= {lo} and . <= {hi}"
        _labels(
            row,
            "constraint_message",
            _t(f"Between {lo} and {hi}", f"Entre {lo} et {hi}"),
        )
    if it.kind == "select_multiple" and it.exclusive:
        excl = " or ".join(f"selected(., '{c}')" for c in it.exclusive)
        row["constraint"] = f"not(({excl}) and count-selected(.) > 1)"
        names = ", ".join(f"'{items.label(c, it.name, 'en')}'" for c in it.exclusive)
        noms = ", ".join(f"« {items.label(c, it.name, 'fr')} »" for c in it.exclusive)
        _labels(
            row,
            "constraint_message",
            _t(
                f"{names} cannot be combined with other answers",
                f"{noms} ne se combine pas avec d'autres réponses",
            ),
        )
    rel = _relevant(it.relevant)
    if rel:
        row["relevant"] = rel


def write_form(path: Path, mission: MissionConfig, items: StandardItems | None = None) -> Path:
    """Write the standard form to ``path`` as an XLSForm workbook (survey, choices, settings)."""
    form = build_form(mission, items)

    def rows(columns: Sequence[str], records: Sequence[dict[str, Any]]) -> list[list[Any]]:
        return [list(columns)] + [[r.get(c) for c in columns] for r in records]

    return write_xlsx(
        path,
        [
            ("survey", rows(SURVEY_COLUMNS, form.survey)),
            ("choices", rows(CHOICES_COLUMNS, form.choices)),
            ("settings", rows(SETTINGS_COLUMNS, [form.settings])),
        ],
        title=form.settings["form_title"],
    )


def kobo_columns(form: StandardForm) -> list[tuple[str, FormField | None, str]]:
    """The columns of a KoboToolbox export of the form, in Kobo's order.

    Returns ``(header, field, part)`` triples: ``part`` is ``"value"`` for a field's own column,
    a choice name for a select_multiple's 0/1 column (``state/discrimination/ethnicity``), or
    ``latitude``/``longitude``/``altitude``/``precision`` for a geopoint's parts
    (``location/_gps_latitude``). Kobo's own trailing columns (``_id`` .. ``_index``) have ``field``
    None and ``part`` equal to the header.
    """
    out: list[tuple[str, FormField | None, str]] = []
    for f in form.fields:
        out.append((f.path, f, "value"))
        if f.type == "select_multiple":
            out.extend((f"{f.path}/{code}", f, code) for code, _ in f.choices)
        elif f.type == "geopoint":
            prefix = f"{f.group}/" if f.group else ""
            out.extend(
                (f"{prefix}_{f.name}_{part}", f, part)
                for part in ("latitude", "longitude", "altitude", "precision")
            )
    out.extend((name, None, name) for name in KOBO_META)
    return out


KOBO_META = (
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
)
