"""Trends: for one indicator, the design-based linear trend per round overall and by region (slope
in points per round with its CI), the interrupted time series around a chosen mission event with
its caveats, and the model-based line with its band over the observed rounds. Every figure comes
from :func:`mande.indicator_trends.indicator_trends`; this page only lays it out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, format, session
from dashboard.i18n import t
from mande import notes, overview, plots
from mande.errors import EstimationError


def _slope(row: pd.Series, unit: str, lang: str) -> str:
    kind = "proportion" if unit == "pp" else "mean"
    low = format.number(float(row["ci_low"]), lang, 1)
    high = format.number(float(row["ci_high"]), lang, 1)
    to = "to" if lang == "en" else "à"
    return f"{format.change(row['estimate'], kind, lang)} ({low} {to} {high})"


def main() -> None:
    session.require("view")
    lang = session.lang()
    st.title(t("trends", lang))
    if len(data.rounds()) < 2:
        st.info(t("trend_needs_rounds", lang))
        return
    st.caption(t("trends_intro", lang))
    cat = data.catalogue()
    survey_ids = {m.id for m in cat.measures("survey")}
    measures = [m for m in overview.measure_order(cat) if m in survey_ids]
    labels = {m: f"{m} · {cat.measure(m).name(lang)}" for m in measures}
    mission = data.mission()
    events = list(mission.events) if mission else []
    event_labels = {e.id: f"{e.date:%Y-%m-%d} · {e.label.get(lang, e.id)}" for e in events}
    left, right = st.columns([3, 2])
    indicator = left.selectbox(
        t("indicator", lang), measures, format_func=labels.get, key="tr_indicator"
    )
    choice = right.selectbox(
        t("trend_event", lang), ["", *event_labels],
        format_func=lambda e: event_labels.get(e, t("trend_no_event", lang)), key="tr_event",
    )  # fmt: skip
    try:
        tr = data.indicator_trends(indicator, choice or None, lang)
    except EstimationError as exc:
        st.warning(str(exc))
        return
    st.plotly_chart(plots.model_trend_figure(tr, lang=lang), width="stretch", key="tr_line")
    source = notes.source_note(tr.rounds, mission, order=data.round_order(), lang=lang)
    st.caption(source)

    st.subheader(t("trend_slopes", lang))
    slopes = tr.slopes
    groups = [
        t("trend_all_regions", lang) if b in ("all", "total") else g
        for b, g in zip(
            slopes["breakdown"],
            data.group_labels(slopes["breakdown"], slopes["group"], lang),
            strict=True,
        )
    ]
    table = pd.DataFrame(
        {
            t("group", lang): groups,
            t("trend_slope", lang): [_slope(r, tr.unit, lang) for _, r in slopes.iterrows()],
            t("trend_verdict", lang): slopes["verdict_label"],
            "n": slopes["n"],
        }
    )
    with st.container(key="tr_slopes"):  # a plain table: few rows, readable on a phone
        st.table(table.set_index(t("group", lang)))
    st.plotly_chart(plots.slopes_figure(slopes, lang=lang), width="stretch", key="tr_slopes_fig")
    st.caption(source)

    if tr.its is not None and not tr.its.empty:
        st.subheader(f"{t('trend_its', lang)}: {event_labels[choice]}")
        its = tr.its
        st.dataframe(
            pd.DataFrame(
                {
                    "": [t(f"trend_term_{term}", lang) for term in its["term"]],
                    t("estimate", lang): [_slope(r, tr.unit, lang) for _, r in its.iterrows()],
                    "p": [format.number(float(p), lang, 3) for p in its["p_value"]],
                }
            ),
            hide_index=True, width="stretch", key="tr_its",
        )  # fmt: skip
        st.info(str(its["caveat"].iloc[0]))


if __name__ == "__main__":
    main()
