"""The dashboard's entry point: page config, shared sidebar, and the router (st.navigation).

Run with `streamlit run dashboard/app.py` (or `make demo`). Pages live in dashboard/views/, not in a
`pages/` folder, which Streamlit would also serve by URL without passing through this router; each has
a `main()` that lays out widgets and calls `mande`. Which pages a user sees depends on the role; each
page and the store check the role again, so hiding a menu is never the only guard.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import data, navigation, session  # noqa: E402
from dashboard.i18n import t  # noqa: E402

PAGES = Path(__file__).parent / "views"

st.set_page_config(page_title="mande", page_icon=":material/public:", layout="wide")

mission = data.mission()
who = session.identity(mission)
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
    if mission is not None:
        st.caption(mission.title(lang))
    if session.auth_configured():
        if who.signed_in:
            st.caption(f"{t('signed_in_as', lang)} {who.user} · {t(who.role, lang)}")
            if st.button(t("sign_out", lang)):
                st.logout()
        elif st.button(t("sign_in", lang), type="primary"):
            st.login()
    else:
        st.caption(f"{who.user} · {t(who.role, lang)}")

if session.auth_configured() and not who.signed_in:
    # A shared deployment shows nothing about the mission's data to anonymous visitors.
    st.title("mande")
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
st.navigation(pages).run()
