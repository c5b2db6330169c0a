"""Partners: relationship quality by partner type and period, its dimensions, positions on the
coercion-cooperation continuum, the robust-operation comparison, themes and consented quotes."""

from __future__ import annotations

import streamlit as st

from dashboard import data, session
from dashboard.i18n import t
from mande import plots


def main() -> None:
    session.require("view")
    lang = session.lang()
    st.title(t("partners", lang))
    iv = data.interviews()
    if iv.empty:
        st.info(t("no_interviews", lang))
        return
    rqi = data.partner_quality(("partner_type", "period"))
    st.subheader(t("rqi_heatmap", lang))
    st.plotly_chart(plots.rqi_heatmap(rqi, lang=lang), width="stretch", key="heatmap")
    st.caption(t("rqi_note", lang))

    model = data.partner_model(lang)
    st.subheader(t("robust_comparison", lang))
    if model is None:
        st.write(t("model_unavailable", lang))
    else:
        st.markdown(f"**{model.sentence(lang)}**")
        st.caption(
            t("model_note", lang).format(
                n=model.n_interviews, partners=model.n_partners, robust=model.n_robust
            )
        )

    left, right = st.columns(2)
    with left:
        st.subheader(t("dimensions", lang))
        dims = data.partner_quality(("partner_type",))
        st.plotly_chart(plots.dimensions_figure(dims, lang=lang), width="stretch", key="dims")
    with right:
        st.subheader(t("positions", lang))
        st.plotly_chart(plots.positions_figure(rqi, lang=lang), width="stretch", key="pos")

    st.subheader(t("reliability", lang))
    rel = data.partner_reliability()
    if rel.empty:
        st.write(t("no_double_coding", lang))
    else:
        st.dataframe(rel, hide_index=True, width="stretch")
        st.caption(t("reliability_note", lang))

    st.subheader(t("themes", lang))
    st.dataframe(data.partner_themes(lang), width="stretch")
    st.caption(t("themes_note", lang))

    st.subheader(t("quotes", lang))
    periods = data.quote_periods()
    themes = data.quote_themes(lang)
    left, right = st.columns(2)
    period = left.selectbox(
        t("period", lang), periods, index=len(periods) - 1 if periods else 0, key="quote_period"
    )
    theme = right.selectbox(
        t("theme", lang),
        ["", *themes],
        format_func=lambda k: themes.get(k, t("all_themes", lang)),
        key="quote_theme",
    )
    quotes = data.partner_quotes(lang, period=period, theme=theme or None)
    if quotes.empty:
        st.write(t("no_quotes", lang))
    for q in quotes.to_dict("records"):
        st.markdown(f"> {q['text']}\n\n— *{q['partner_type_label']}, {q['theme_label']}*")
    if not quotes.empty:
        st.download_button(
            t("download_csv", lang), quotes.to_csv(index=False).encode("utf-8"),
            file_name=f"quotes_{period}.csv", mime="text/csv", key="dl_quotes",
        )  # fmt: skip


if __name__ == "__main__":
    main()
