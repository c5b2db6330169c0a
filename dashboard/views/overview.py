"""Overview: the headline for leadership. One card per indicator with its change since the previous
period (an arrow only when the change is significant after false-discovery-rate control), the list
of significant changes, and a map of the regions. Every figure is the reporting policy's
(`mande.reporting`): the same the annex and the draft print for the latest period."""

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
            if card.get("previous_round") and pd.notna(card.get("change")):
                unit_kind = (
                    "proportion"
                    if str(card.get("change_unit", "")).startswith("percentage")
                    else "mean"
                )
                note = (
                    f"{t('change', lang)} {format.change(card['change'], unit_kind, lang)} "
                    f"({format.change_interval(card['change_ci_low'], card['change_ci_high'], unit_kind, lang)})"
                    + (f", {note}" if note else "")
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
    current = data.current_round(lang)
    latest = rounds.set_index("round").loc[current]
    figs = data.figures(lang)
    comparison = figs.comparison if figs is not None else None
    previous = comparison.previous_round if comparison is not None else None
    st.caption(
        t("latest_round", lang).format(
            round=current,
            n=int(latest["n_respondents"]),
            period=comparison.period.title(lang) if comparison is not None else "–",
            previous=previous or (order[-2] if len(order) > 1 and comparison is None else "–"),
            previous_period=comparison.comparison_label(lang) or "–"
            if comparison is not None
            else "–",
        )
    )
    head = data.headline(lang)
    with st.container(key="cards"):
        cards(head, lang)

    st.subheader(t("significant_changes", lang))
    changes = data.significant_changes(lang)
    if changes.empty:
        st.write(t("no_significant_change", lang))
    else:
        kinds = [
            "proportion" if str(u).startswith("percentage") else "mean" for u in changes["unit"]
        ]
        st.dataframe(
            pd.DataFrame(
                {
                    t("indicator", lang): changes["short_name"],
                    t("breakdown", lang): [
                        data.breakdown_label(b, lang) for b in changes["breakdown"]
                    ],
                    t("group", lang): changes["group_label"],
                    t("change", lang): [
                        format.change(v, k, lang)
                        for v, k in zip(changes["estimate"], kinds, strict=False)
                    ],
                    t("change_ci", lang): [
                        format.change_interval(lo, hi, k, lang)
                        for lo, hi, k in zip(
                            changes["ci_low"], changes["ci_high"], kinds, strict=False
                        )
                    ],
                    t("verdict", lang): changes["verdict_label"],
                    "q": changes["q_value"].round(4),
                    t("change_ci_unadjusted", lang): [
                        format.change_interval(lo, hi, k, lang)
                        for lo, hi, k in zip(
                            changes["ci_low_unadjusted"],
                            changes["ci_high_unadjusted"],
                            kinds,
                            strict=False,
                        )
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    st.caption(format.fdr_note(data.changes(lang), data.policy(), lang))

    geo = data.boundaries()
    if geo is not None and mission is not None:
        st.subheader(t("map", lang))
        options = head["indicator"].tolist()
        names = dict(zip(head["indicator"], head["short_name"], strict=False))
        chosen = st.selectbox(
            t("map_indicator", lang), options, format_func=names.get, key="map_indicator"
        )
        values = data.regional_values(chosen, current)
        fig = plots.region_map(values, geo, mission, title=names[chosen], lang=lang)
        st.plotly_chart(fig, width="stretch", key="map")


if __name__ == "__main__":
    main()
