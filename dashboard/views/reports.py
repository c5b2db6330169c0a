"""Reports: choose a reporting period, build the Excel annex and the narrative draft, download."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

import mande
from dashboard import data, session
from dashboard.i18n import t


def main() -> None:
    session.require("export")
    lang = session.lang()
    st.title(t("reports", lang))
    periods = data.report_periods(lang)
    if periods.empty:
        st.info(t("no_data", lang))
        return
    labels = dict(zip(periods["period"], periods["label"], strict=False))
    period = st.selectbox(
        t("period", lang), list(labels), index=len(labels) - 1, format_func=labels.get, key="period"
    )
    report_lang = st.radio(
        t("report_language", lang), ["en", "fr"], index=0 if lang == "en" else 1,
        format_func=lambda c: {"en": "English", "fr": "Français"}[c], horizontal=True, key="report_lang",
    )  # fmt: skip
    key = (period, report_lang, data.data_version())
    if st.button(t("build_report", lang), type="primary", key="build"):
        with st.spinner(t("building", lang)), tempfile.TemporaryDirectory() as tmp:
            annex = Path(tmp) / f"annex_{period}_{report_lang}.xlsx"
            draft = Path(tmp) / f"draft_{period}_{report_lang}.docx"
            mande.make_report(data.store(), period, annex, docx=draft, lang=report_lang)
            st.session_state["report_files"] = {
                "key": key,
                "annex": (annex.name, annex.read_bytes()),
                "draft": (draft.name, draft.read_bytes()),
            }
    files = st.session_state.get("report_files")
    # Files built for another period, language or data version are not offered: build again.
    if files and files.get("key") == key:
        left, right = st.columns(2)
        name, blob = files["annex"]
        left.download_button(
            t("download_annex", lang), blob, file_name=name,
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"dl_annex_{period}_{report_lang}",
        )  # fmt: skip
        name, blob = files["draft"]
        right.download_button(
            t("download_draft", lang), blob, file_name=name,
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            key=f"dl_draft_{period}_{report_lang}",
        )  # fmt: skip


if __name__ == "__main__":
    main()
