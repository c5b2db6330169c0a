"""Interface text in English and French. Indicator names come from the catalogue, not from here."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"en": "mande: people-centric monitoring", "fr": "mande : suivi centré sur les personnes"},
    "language": {"en": "Language", "fr": "Langue"},
    "signed_in_as": {"en": "Signed in as", "fr": "Connecté(e) en tant que"},
    "role": {"en": "Role", "fr": "Rôle"},
    "sign_in": {"en": "Sign in", "fr": "Se connecter"},
    "sign_out": {"en": "Sign out", "fr": "Se déconnecter"},
    "overview": {"en": "Overview", "fr": "Vue d'ensemble"},
    "explorer": {"en": "Indicator explorer", "fr": "Explorateur d'indicateurs"},
    "partners": {"en": "Partners", "fr": "Partenaires"},
    "upload": {"en": "Upload", "fr": "Téléversement"},
    "reports": {"en": "Reports", "fr": "Rapports"},
    "data_audit": {"en": "Data & audit", "fr": "Données et audit"},
    "rounds": {"en": "Survey rounds", "fr": "Vagues d'enquête"},
    "round": {"en": "Round", "fr": "Vague"},
    "respondents": {"en": "Respondents", "fr": "Enquêtés"},
    "fieldwork": {"en": "Fieldwork", "fr": "Collecte"},
    "no_data": {
        "en": "No survey round is loaded yet. An officer can upload one, or run `mande demo load sample_data`.",
        "fr": "Aucune vague d'enquête n'est chargée. Un(e) chargé(e) de S&E peut en téléverser une, ou lancer `mande demo load sample_data`.",
    },
    "not_allowed": {
        "en": "Your role does not allow this page.",
        "fr": "Votre rôle ne donne pas accès à cette page.",
    },
    "viewer": {"en": "viewer", "fr": "lecteur"},
    "officer": {"en": "officer", "fr": "chargé(e) de S&E"},
    "admin": {"en": "admin", "fr": "administrateur"},
}


def t(key: str, lang: str = "en") -> str:
    """The text for ``key`` in ``lang`` (English when there is no translation)."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["en"]
