"""Who is using the dashboard, in which role and language; the guard every page calls first.

On a laptop (no ``[auth]`` in ``.streamlit/secrets.toml``) the single local user is admin, unless
``MANDE_ROLE`` says otherwise. A shared deployment signs users in with OpenID Connect
(``st.login``) and maps their e-mail to a role with ``roles:`` in mission.yaml; anyone not listed is
a viewer. Only an e-mail the identity provider marks as verified (``email_verified``) signs in.

The sign-in settings are checked before anything is shown: a placeholder or short
``cookie_secret`` (anyone who knows it can forge a sign-in cookie) stops the app.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

import mande
from mande.errors import ConfigError, MandeError, redact

__all__ = [
    "MIN_COOKIE_SECRET",
    "Identity",
    "auth_configured",
    "check_auth_settings",
    "current",
    "identity",
    "lang",
    "require",
    "show_error",
]

log = logging.getLogger("mande.dashboard")
if not logging.getLogger("mande").handlers:  # the server's log: standard error, with the time
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("mande").addHandler(_handler)

# A cookie_secret signs the sign-in cookie: shorter than this, or a known example, is refused.
MIN_COOKIE_SECRET = 32
_PLACEHOLDERS = frozenset(
    {
        "a long random string",
        "change me",
        "changeme",
        "secret",
        "your secret",
        "xxx",
    }
)


@dataclass(frozen=True)
class Identity:
    user: str
    role: str
    signed_in: bool
    refused: str = ""  # why a sign-in was not accepted (e.g. an unverified e-mail)


def auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def check_auth_settings(auth: Mapping[str, Any]) -> None:
    """Raise :class:`mande.ConfigError` unless ``[auth]`` is fit to sign users in.

    The ``cookie_secret`` must not be the example's placeholder and must be at least
    ``MIN_COOKIE_SECRET`` characters: whoever knows it can forge a cookie naming any user.
    """
    secret = str(auth.get("cookie_secret") or "")
    lowered = secret.strip().lower()
    if (
        lowered in _PLACEHOLDERS
        or any(word in lowered for word in ("example", "replace", "changeme"))
        or any(c.isspace() for c in secret)  # a sentence, not a generated secret
    ):
        raise ConfigError(
            "[auth] cookie_secret in .streamlit/secrets.toml is a placeholder (the example's, or "
            "text with spaces); anyone "
            "could forge a sign-in with it. Set it to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`, and restart"
        )
    if len(secret) < MIN_COOKIE_SECRET:
        raise ConfigError(
            f"[auth] cookie_secret in .streamlit/secrets.toml has {len(secret)} characters; at "
            f"least {MIN_COOKIE_SECRET} are needed so that it cannot be guessed. Set it to e.g. "
            "the output of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )
    for key in ("client_id", "server_metadata_url", "redirect_uri"):
        if not auth.get(key) and not any(
            isinstance(v, Mapping) and v.get(key) for v in auth.values()
        ):
            raise ConfigError(
                f"[auth] in .streamlit/secrets.toml has no {key}; see the README, "
                "'Deploying for a team'"
            )


def _verified(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"


def identity(mission: mande.MissionConfig | None) -> Identity:
    """The current user and role, from the sign-in when configured, else the local settings."""
    if auth_configured():
        if not getattr(st.user, "is_logged_in", False):
            return Identity(user="", role="viewer", signed_in=False)
        email = str(st.user.get("email") or "").strip()
        if not email or not _verified(st.user.get("email_verified")):
            return Identity(user="", role="viewer", signed_in=False, refused="email_not_verified")
        role = mission.role_of(email) if mission else "viewer"
        return Identity(user=email, role=role, signed_in=True)
    settings = mande.Settings.from_env()
    return Identity(user=settings.user, role=settings.role, signed_in=False)


def current() -> Identity:
    """Who is there now. With sign-in configured it is read again from the sign-in itself; on a
    laptop, the identity the router set (or the local settings)."""
    if auth_configured():
        from dashboard import data

        return identity(data.mission())
    who = st.session_state.get("identity")
    if isinstance(who, Identity):
        return who
    return identity(None)


def require(action: str) -> Identity:
    """The guard at the top of every page's ``main()``: stop the page unless someone is there
    whose role may do ``action`` (:data:`mande.roles.ACTIONS`).

    Without an identity (sign-in configured, nobody signed in) only the sign-in prompt is shown;
    with a role that may not, only a refusal. Nothing of the page runs either way.
    """
    from dashboard.i18n import t

    language = lang()
    if auth_configured():
        try:
            check_auth_settings(st.secrets["auth"])
        except ConfigError as exc:
            log.error("refusing to run: %s", exc)
            st.error(t("auth_misconfigured", language))
            st.stop()
    who = current()
    if auth_configured() and not who.signed_in:
        st.info(t("sign_in_needed", language))
        st.stop()
    if not mande.allowed(who.role, action):
        st.error(t("not_allowed", language))
        st.stop()
    return who


def show_error(exc: BaseException) -> str:
    """Show a failure as one sentence with a reference number; the full traceback goes to the
    server's log under that number. Returns the reference."""
    from dashboard.i18n import t

    ref = uuid.uuid4().hex[:8].upper()
    trace = "".join(traceback.format_exception(exc))
    log.error("dashboard error %s:\n%s", ref, redact(trace))
    if isinstance(exc, MandeError):
        st.error(f"{redact(str(exc))} ({t('error_reference', lang())} {ref})")
    else:
        st.error(t("unexpected_error", lang()).format(ref=ref))
    return ref


def lang() -> str:
    return str(st.session_state.get("lang", "en"))
