"""Overview: the headline for leadership. One card per indicator with its change since the last
round (an arrow only when the change is significant after false-discovery-rate control), the list
of significant changes, and a map of the regions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, format, session
from dashboard.i18n import t
from mande import plots


def cards(head: pd.DataFrame, lang: str, per_row: int = 4) -> None:
    rows = head.to_dict("records")
    for start in range(0, len(rows), per_row):
        cols = st.columns(per_row)
        for col, card in zip(cols, rows[start : start + per_row], strict=False):
            kind = str(card.get("kind") or "proportion")
            delta = format.change(card["change"], kind, lang) if card.get("arrow") else None
            history = [
                v * 100 if kind == "proportion" else v for v in card["history"] if v is not None
            ]
            ci = format.interval(card["ci_low"], card["ci_high"], kind, lang)
            note = (
                t("change_not_significant", lang)
                if not card.get("arrow") and card.get("previous_round")
                else ""
            )
            with col:
                st.metric(
                    label=str(card["short_name"]),
                    value=format.value(card["estimate"], kind, lang),
                    delta=delta,
                    delta_color="normal" if card.get("polarity", "up") == "up" else "inverse",
                    help=f"{card['name']}. {t('ci95', lang)}: {ci}. n = {card['n']}. {note}",
                    border=True,
                    chart_data=history if len(history) > 1 else None,
                    chart_type="line",
                )
                st.caption(f"{t('ci95', lang)} {ci}" + (f" · {note}" if note else ""))


def main() -> None:
    session.require("view")
    lang = session.lang()
    mission = data.mission()
    st.title(mission.title(lang) if mission else t("app_title", lang))
    rounds = data.rounds()
    if rounds.empty:
        st.info(t("no_data", lang))
        return
    order = data.round_order()
    latest = rounds.set_index("round").loc[order[-1]]
    st.caption(
        t("latest_round", lang).format(
            round=order[-1],
            n=int(latest["n_respondents"]),
            previous=order[-2] if len(order) > 1 else "–",
        )
    )
    with st.container(key="headline", border=True):
        st.markdown(" ".join(data.headline_text(lang)))
    head = data.headline(lang)
    with st.container(key="cards"):
        cards(head, lang)

    st.subheader(t("significant_changes", lang))
    changes = data.significant_changes(lang)
    if changes.empty:
        st.write(t("no_significant_change", lang))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    t("indicator", lang): changes["short_name"],
                    t("breakdown", lang): [t(f"bd_{b}", lang) for b in changes["breakdown"]],
                    t("group", lang): changes["group_label"],
                    t("change", lang): [
                        format.change(
                            v, "proportion" if str(u).startswith("percentage") else "mean", lang
                        )
                        for v, u in zip(changes["estimate"], changes["unit"], strict=False)
                    ],
                    t("verdict", lang): changes["verdict_label"],
                    "q": changes["q_value"].round(4),
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(t("fdr_note", lang))

    geo = data.boundaries()
    if geo is not None and mission is not None:
        st.subheader(t("map", lang))
        options = head["indicator"].tolist()
        names = dict(zip(head["indicator"], head["short_name"], strict=False))
        chosen = st.selectbox(
            t("map_indicator", lang), options, format_func=names.get, key="map_indicator"
        )
        values = data.regional_values(chosen, order[-1])
        fig = plots.region_map(values, geo, mission, title=names[chosen], lang=lang)
        st.plotly_chart(fig, width="stretch", key="map")


if __name__ == "__main__":
    main()
