"""Footprint: where the mission's bases are and what it does, joined to perceptions. The map
(bases, activity or perceptions by area), the models' sentences with their caveats, the
duration-of-presence curve, areas with and without a base, and the exposure table."""

from __future__ import annotations

import streamlit as st

from dashboard import data, session
from dashboard.i18n import t
from mande import draw, overview
from mande.footprint import plots as fplots
from mande.footprint.build import ACCEPTANCE
from mande.output import csv_bytes


def main() -> None:
    session.require("view")
    lang = session.lang()
    st.title(t("footprint", lang))
    inputs = data.footprint()
    if inputs is None:
        st.info(t("no_footprint", lang))
        return
    st.caption(t("footprint_intro", lang))
    cat = data.catalogue()
    survey_ids = {m.id for m in cat.measures("survey")}
    measures = [m for m in overview.measure_order(cat) if m in survey_ids]
    labels = {m: f"{m} · {cat.measure(m).name(lang)}" for m in measures}
    rounds = list(inputs.rounds["round"])
    left, mid, right = st.columns([3, 2, 2])
    indicator = left.selectbox(
        t("indicator", lang), measures, index=measures.index(ACCEPTANCE)
        if ACCEPTANCE in measures else 0, format_func=labels.get, key="fp_indicator",
    )  # fmt: skip
    round_label = mid.selectbox(t("round", lang), rounds, index=len(rounds) - 1, key="fp_round")
    layer = right.selectbox(
        t("map_layer", lang), list(fplots.LAYERS), format_func=lambda k: fplots.LAYERS[k][lang],
        key="fp_layer",
    )  # fmt: skip

    areas, sites = data.footprint_layer(indicator, round_label)
    with st.container(key="fp_map"):
        st.markdown(
            draw.STYLE
            + fplots.footprint_map(
                inputs.geojson, areas, sites, layer=layer, names=inputs.names[lang], lang=lang
            ),
            unsafe_allow_html=True,
        )

    analysis = data.footprint_analysis(indicator)
    st.subheader(t("footprint_models", lang))
    for col, (label, value, ci) in zip(st.columns(2), analysis.figures(lang), strict=False):
        col.metric(label, value)
        col.caption(ci)
    for sentence in analysis.sentences(lang):
        st.markdown(f"- {sentence}")
    st.subheader(t("duration_curve", lang))
    st.plotly_chart(
        fplots.duration_figure(analysis.curve, lang=lang), width="stretch", key="fp_curve"
    )
    with st.expander(t("caveats", lang), expanded=True):
        for caveat in analysis.caveats(lang):
            st.markdown(f"- {caveat}")
    left, right = st.columns(2)
    with left:
        st.subheader(t("exposed_comparison", lang))
        st.dataframe(analysis.comparison, hide_index=True, width="stretch")
    with right:
        st.subheader(t("model_terms", lang))
        st.dataframe(
            analysis.terms[["term", "estimate", "se", "ci_low", "ci_high", "p_value"]],
            hide_index=True, width="stretch",
        )  # fmt: skip
    st.subheader(t("exposure_table", lang))
    st.dataframe(inputs.exposure, hide_index=True, width="stretch")
    st.download_button(
        t("download_csv", lang), csv_bytes(inputs.exposure),
        file_name="exposure.csv", mime="text/csv", key="fp_dl",
    )  # fmt: skip


if __name__ == "__main__":
    main()
