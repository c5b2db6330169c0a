"""The dashboard's entry point: page config, shared sidebar, and the router (st.navigation).

Run with `streamlit run dashboard/app.py` (or `make demo`). Pages live in dashboard/views/, not in a
`pages/` folder, which Streamlit would also serve by URL without passing through this router; each has
a `main()` that starts with `session.require(action)`, so a page checks who is there whatever opened
it. Which pages a user sees depends on the role; each page and the store check the role again, so
hiding a menu is never the only guard. Errors reach the browser as one sentence with a reference
number; the full traceback is logged on the server (`client.showErrorDetails = "none"`).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import data, navigation, session  # noqa: E402
from dashboard.i18n import t  # noqa: E402
from mande.errors import ConfigError, redact  # noqa: E402

PAGES = Path(__file__).parent / "views"
log = logging.getLogger("mande.dashboard")

st.set_page_config(page_title="mande", page_icon=":material/public:", layout="wide")

if session.auth_configured():
    # Refuse to run with sign-in settings that let anyone forge a sign-in (before anything else).
    try:
        session.check_auth_settings(st.secrets["auth"])
    except ConfigError as exc:
        log.error("refusing to start: %s", exc)
        st.error(t("auth_misconfigured", session.lang()))
        st.stop()

try:
    data.begin_run()  # the store's data version, read once per run: the key of every cache
    mission = data.mission()
    who = session.identity(mission)
except Exception as exc:  # e.g. the store cannot be opened: a sentence, never a traceback
    st.title("mande")
    session.show_error(exc)
    st.stop()
st.session_state["identity"] = who

if "lang" not in st.session_state:
    # ?lang=fr in a shared link, else the mission's default language
    wanted = st.query_params.get("lang") or (
        str(mission.raw.get("default_language", "en")) if mission else "en"
    )
    st.session_state["lang"] = wanted if wanted in ("en", "fr") else "en"

with st.sidebar:
    lang = st.radio(
        t("language", session.lang()),
        options=["en", "fr"],
        format_func=lambda code: {"en": "English", "fr": "Français"}[code],
        horizontal=True,
        key="lang",
    )
    if session.auth_configured():
        if who.signed_in:
            if mission is not None:
                st.caption(mission.title(lang))
            st.caption(f"{t('signed_in_as', lang)} {who.user} · {t(who.role, lang)}")
            if st.button(t("sign_out", lang)):
                st.logout()
        elif getattr(st.user, "is_logged_in", False):
            if st.button(t("sign_out", lang)):
                st.logout()
        elif st.button(t("sign_in", lang), type="primary"):
            st.login()
    else:
        if mission is not None:
            st.caption(mission.title(lang))
        st.caption(f"{who.user} · {t(who.role, lang)}")

if session.auth_configured() and not who.signed_in:
    # A shared deployment shows nothing about the mission's data to anonymous visitors,
    # whatever page the URL names.
    st.title("mande")
    if who.refused:
        st.warning(t(who.refused, lang))
    st.info(t("sign_in_needed", lang))
    st.stop()

pages = [
    st.Page(
        str(PAGES / spec.file),
        title=t(spec.key, lang),
        icon=spec.icon,
        url_path=spec.key,
        default=(spec.key == "overview"),
    )
    for spec in navigation.pages_for(who.role)
]
page = st.navigation(pages)
try:
    page.run()
except Exception as exc:  # Streamlit's own stop and rerun are not Exceptions and pass through
    log.debug("page %s failed: %s", page.title, redact(str(exc)))
    session.show_error(exc)
