"""Data & audit (admins): rounds and their versions, make a version current, the audit log."""

from __future__ import annotations

import streamlit as st

import mande
from dashboard import data, session
from dashboard.i18n import t


def main() -> None:
    who = session.require("audit")
    lang = session.lang()
    st.title(t("data_audit", lang))
    rounds = data.rounds()
    st.subheader(t("rounds", lang))
    st.dataframe(rounds, hide_index=True, width="stretch", key="rounds")
    if not rounds.empty:
        label = st.selectbox(t("round", lang), rounds["round"].tolist(), key="audit_round")
        versions = data.store().versions(label)
        st.dataframe(versions, hide_index=True, width="stretch", key="versions")
        current = int(rounds.set_index("round").loc[label, "current_version"])
        chosen = st.selectbox(
            t("make_current", lang), versions["version"].tolist(),
            index=versions["version"].tolist().index(current), key="version",
        )  # fmt: skip
        if chosen != current and st.button(t("set_current", lang), key="set_current"):
            try:
                data.store().set_current(label, int(chosen), user=who.user, role=who.role)
            except mande.PermissionDenied as err:
                st.error(str(err))
            else:
                data.clear()
                data.precompute()
                st.success(t("now_current", lang).format(label=label, version=chosen))
                st.rerun()
    st.subheader(t("audit_log", lang))
    log = data.store().audit_log(user=who.user, role=who.role)
    st.dataframe(
        log.drop(columns=["details"], errors="ignore"),
        hide_index=True,
        width="stretch",
        key="audit",
    )


if __name__ == "__main__":
    main()
