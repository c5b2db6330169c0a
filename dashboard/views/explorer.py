"""Indicator explorer: one indicator, its trend with the confidence band and the mission's events,
and one breakdown as a chart and a table (suppressed cells shown as such) with each group's change
since the previous period from the reporting policy's change table (the annex's figures),
downloadable as CSV.

The charts and the table are drawn on the server as inline SVG and HTML
(:mod:`mande.charts.trends`, :func:`mande.draw.table`): the browser draws them at once, without
Streamlit's chart and grid components (megabytes of JavaScript for every new tab). On a phone the
table keeps group, estimate, change and verdict and hides the other columns."""

from __future__ import annotations

import streamlit as st

from dashboard import data, format, session
from dashboard.i18n import t
from mande import draw, notes, overview
from mande.charts import trends
from mande.indicator_trends import round_label
from mande.output import csv_bytes
from mande.report.style import number


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
    stored = set(res["breakdown"])
    present = [b for b in data.breakdown_names() if b in stored]
    breakdown = right.selectbox(
        t("breakdown", lang),
        present,
        format_func=lambda b: data.breakdown_label(b, lang),
        key="breakdown",
    )
    rows = res[(res["indicator"] == indicator) & (res["breakdown"] == breakdown)]
    shown = rows.assign(
        group=rows["group_label"], group_code=rows["group"]
    )  # legends and tables read names, not codes
    mission = data.mission()
    order = data.round_order()
    names_of_rounds = {r: round_label(r, mission, lang) for r in order}
    overall = res[(res["indicator"] == indicator) & (res["breakdown"] == "total")]
    events = mission.events if mission else None
    fig = trends.trend_figure(
        shown, indicator, by=None if breakdown == "total" else "group", events=events,
        order=order, round_dates=data.round_dates(), round_names=names_of_rounds,
        reference=overall, lang=lang,
    )  # fmt: skip
    st.markdown(draw.STYLE + fig, unsafe_allow_html=True)
    drawn = [d for r, d in data.round_dates().items() if r in set(shown["round"])]
    key = notes.event_key(notes.events_on_axis(events, drawn), lang)
    st.caption(" ".join([notes.source_note(shown, mission, order=order, lang=lang), key]))

    latest = data.current_round(lang)
    st.subheader(t("breakdown_in", lang).format(round=names_of_rounds.get(latest, latest)))
    current = shown[shown["round"].astype(str) == latest]
    kind = str(current["kind"].iloc[0]) if not current.empty else "proportion"
    if breakdown != "total":
        st.markdown(trends.breakdown_figure(current, lang=lang), unsafe_allow_html=True)
        st.caption(notes.source_note(current, mission, order=order, lang=lang))
    ch = data.breakdown_changes(indicator, breakdown, lang).set_index("group")
    groups = current["group_code"].astype(str)
    unit_kind = "proportion" if kind in ("proportion", "mean_of_indicators") else "mean"

    def pick(col: str) -> list[object]:
        return [ch[col].get(g) if col in ch.columns and g in ch.index else None for g in groups]

    suppressed = [bool(v) for v in current["suppressed"]]
    header = [
        t("group", lang), t("estimate", lang), t("ci95", lang), "n", t("change", lang),
        t("change_ci", lang), t("verdict", lang), t("change_ci_unadjusted", lang),
    ]  # fmt: skip
    body = zip(
        current["group"].astype(str),
        [
            "–" if h else format.value(v, kind, lang)
            for v, h in zip(current["estimate"], suppressed, strict=True)
        ],
        [
            t("suppressed", lang) if h else format.interval(lo, hi, kind, lang)
            for lo, hi, h in zip(current["ci_low"], current["ci_high"], suppressed, strict=True)
        ],
        ["–" if draw.finite(v) is None else number(float(v), lang, 0) for v in current["n"]],
        [format.change(v, unit_kind, lang) for v in pick("estimate")],
        [
            format.change_interval(lo, hi, unit_kind, lang)
            for lo, hi in zip(pick("ci_low"), pick("ci_high"), strict=True)
        ],
        [v if v else "–" for v in pick("verdict_label")],
        [
            format.change_interval(lo, hi, unit_kind, lang)
            for lo, hi in zip(pick("ci_low_unadjusted"), pick("ci_high_unadjusted"), strict=True)
        ],
        strict=True,
    )
    # on a phone: group, estimate, change and verdict; the intervals and n on a wider screen
    html = draw.table(
        header, [list(r) for r in body], key="breakdown_table",
        classes=["", "num", "num wide", "num wide", "num", "num wide", "", "num wide"],
        row_classes=["grey" if h else "" for h in suppressed], titles=header,
    )  # fmt: skip
    st.markdown(html, unsafe_allow_html=True)  # the style came with the trend
    if bool(current["suppressed"].any()):
        st.caption(t("suppressed_note", lang))
    st.caption(format.fdr_note(data.changes(lang), data.policy(), lang))
    st.download_button(
        t("download_csv", lang),
        data=lambda: csv_bytes(rows),  # written when the button is pressed, not on every run
        file_name=f"{indicator}_{breakdown}.csv",
        mime="text/csv",
    )


if __name__ == "__main__":
    main()
