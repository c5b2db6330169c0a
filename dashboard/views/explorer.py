"""Indicator explorer: one indicator, its trend with the confidence band and the mission's events,
and one breakdown as a chart and a table (suppressed cells shown as such), downloadable as CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, format, session
from dashboard.i18n import t
from mande import overview, plots

BREAKDOWNS = ("total", "sex", "age_group", "region", "urban_rural", "displacement", "disability")


def main() -> None:
    session.require("view")
    lang = session.lang()
    st.title(t("explorer", lang))
    res = data.results()
    if res.empty:
        st.info(t("no_data", lang))
        return
    res = data.localised(res, lang)
    present_ids = set(res["indicator"])
    ordered = [m for m in overview.measure_order(data.catalogue()) if m in present_ids]
    names = res.drop_duplicates("indicator").set_index("indicator")["name"].to_dict()
    names = {i: names[i] for i in ordered}
    left, right = st.columns([3, 2])
    indicator = left.selectbox(
        t("indicator", lang), list(names), format_func=names.get, key="indicator"
    )
    present = [b for b in BREAKDOWNS if b in set(res["breakdown"])]
    breakdown = right.selectbox(
        t("breakdown", lang), present, format_func=lambda b: t(f"bd_{b}", lang), key="breakdown"
    )
    rows = res[(res["indicator"] == indicator) & (res["breakdown"] == breakdown)]
    shown = rows.assign(group=rows["group_label"])  # legends and tables read names, not codes
    mission = data.mission()
    order = data.round_order()
    fig = plots.trend_figure(
        shown, indicator, by=None if breakdown == "total" else "group",
        events=mission.events if mission else None, order=order,
        round_dates=data.round_dates(), lang=lang,
    )  # fmt: skip
    st.plotly_chart(fig, width="stretch", key="trend")

    latest = order[-1]
    st.subheader(t("breakdown_in", lang).format(round=latest))
    current = shown[shown["round"].astype(str) == latest]
    kind = str(current["kind"].iloc[0]) if not current.empty else "proportion"
    if breakdown != "total":
        st.plotly_chart(plots.breakdown_figure(current, lang=lang), width="stretch", key="bars")
    table = pd.DataFrame(
        {
            t("group", lang): current["group"],
            t("estimate", lang): [
                "–" if s else format.value(v, kind, lang)
                for v, s in zip(current["estimate"], current["suppressed"], strict=False)
            ],
            t("ci95", lang): [
                t("suppressed", lang) if s else format.interval(lo, hi, kind, lang)
                for lo, hi, s in zip(
                    current["ci_low"], current["ci_high"], current["suppressed"], strict=False
                )
            ],
            "n": current["n"],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    if bool(current["suppressed"].any()):
        st.caption(t("suppressed_note", lang))
    st.download_button(
        t("download_csv", lang),
        data=rows.to_csv(index=False).encode("utf-8"),
        file_name=f"{indicator}_{breakdown}.csv",
        mime="text/csv",
    )


if __name__ == "__main__":
    main()
