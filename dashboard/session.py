"""Who is using the dashboard, in which role and language.

On a laptop (no `[auth]` in `.streamlit/secrets.toml`) the single local user is admin, unless
`MANDE_ROLE` says otherwise. A shared deployment signs users in with OpenID Connect (`st.login`)
and maps their e-mail to a role with `roles:` in mission.yaml; anyone not listed is a viewer.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import mande


@dataclass(frozen=True)
class Identity:
    user: str
    role: str
    signed_in: bool


def auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def identity(mission: mande.MissionConfig | None) -> Identity:
    """The current user and role, from the sign-in when configured, else the local settings."""
    if auth_configured():
        if not getattr(st.user, "is_logged_in", False):
            return Identity(user="", role="viewer", signed_in=False)
        email = str(st.user.get("email") or "")
        role = mission.role_of(email) if mission else "viewer"
        return Identity(user=email, role=role, signed_in=True)
    settings = mande.Settings.from_env()
    return Identity(user=settings.user, role=settings.role, signed_in=False)


def lang() -> str:
    return str(st.session_state.get("lang", "en"))
