"""Overview: the mission, its survey rounds and the headline indicators."""

from __future__ import annotations

import streamlit as st

from dashboard import data, session
from dashboard.i18n import t


def main() -> None:
    lang = session.lang()
    mission = data.mission()
    st.title(mission.title(lang) if mission else t("app_title", lang))
    rounds = data.rounds()
    if rounds.empty:
        st.info(t("no_data", lang))
        return
    st.subheader(t("rounds", lang))
    st.dataframe(rounds, hide_index=True, use_container_width=True)


if __name__ == "__main__":
    main()
