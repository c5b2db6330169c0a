"""Overview: the headline for leadership. The generated headline, then the indicator cards grouped
the way the Secretary-General's report reads (the significant changes first, then one group per
report section), the list of significant changes, and a map of the regions (an SVG drawn on the
server, `mande.charts.maps.region_map`). Every figure is the
reporting policy's (`mande.reporting`): the same the annex and the draft print for the latest
period.

The cards and the table of changes are plain HTML (one markdown element per group): names wrap
instead of being cut, each sparkline is a small SVG on a fixed scale with its confidence band
(`mande.plots.sparkline_svg`), and the browser draws them without a chart library. Below 640 px
the cards go two per row and the table stacks each change on two lines, change and verdict first.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, format, session
from dashboard.i18n import t
from mande import draw, notes, overview, plots
from mande.charts import maps
from mande.indicator_trends import round_label

#: Colour-blind-safe verdict colours (Okabe-Ito blue and vermilion), as the Trends page uses.
VERDICT_COLOURS = {"improved": "#0072B2", "deteriorated": "#D55E00"}

STYLE = """<style>
.mande-group{padding-bottom:.6rem}
.mande-group h4{font-size:1rem;margin:.9rem 0 .4rem;padding:0}
.mande-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.5rem}
.mande-card{border:1px solid rgba(49,51,63,.2);border-radius:.5rem;padding:.5rem .6rem;
 min-width:0;display:flex;flex-direction:column;gap:.15rem}
.mande-card.sig{border-left-width:4px}
.mande-card .sec{font-size:.7rem;color:#5c5f6b;text-transform:uppercase;letter-spacing:.02em}
.mande-card .name{font-size:.9rem;line-height:1.2;overflow-wrap:anywhere}
.mande-card .val{font-size:1.5rem;font-weight:600;line-height:1.2}
.mande-card .delta{font-size:.85rem;font-weight:600;margin-left:.35rem;white-space:nowrap}
.mande-card .mande-spark{width:100%;height:36px;display:block}
.mande-card .note{font-size:.75rem;color:#5c5f6b;line-height:1.25}
.mande-changes{width:100%;border-collapse:collapse;font-size:.85rem}
.mande-changes th,.mande-changes td{text-align:left;padding:.3rem .4rem;
 border-bottom:1px solid rgba(49,51,63,.15);vertical-align:top}
.mande-changes td.num{white-space:nowrap}
.mande-changes td.ind .m{display:none}
@media (max-width:640px){
 [data-testid="stMainBlockContainer"] h1{font-size:1.75rem}
 .mande-cards{grid-template-columns:repeat(2,minmax(0,1fr));gap:.4rem}
 .mande-card{padding:.4rem .45rem}
 .mande-card .val{font-size:1.25rem}
 .mande-changes thead{display:none}
 .mande-changes tr{display:block;padding:.35rem 0;border-bottom:1px solid rgba(49,51,63,.15)}
 .mande-changes td{display:inline;border:0;padding:0 .3rem 0 0}
 .mande-changes td.ind{display:block;font-weight:600}
 .mande-changes td.ind .m{display:inline;font-weight:400}
 .mande-changes td.wide{display:none}
 .mande-changes td.ci::before{content:"("}
 .mande-changes td.ci::after{content:")"}
}
</style>"""


def _kind(card: dict[str, Any]) -> str:
    return str(card.get("kind") or "proportion")


def _change_kind(unit: Any) -> str:
    return "proportion" if str(unit or "").startswith("percentage") else "mean"


def card_html(card: dict[str, Any], lang: str, ranges: dict[str, tuple[float, float]],
              show_section: bool = False) -> str:  # fmt: skip
    """One card: its name in full, the latest value, the change when significant (arrow and
    colour by verdict), a sparkline on the indicator's fixed scale with its CI band, and the
    CI and change in small print."""
    kind = _kind(card)
    name = str(card["short_name"])
    ci = format.interval(card["ci_low"], card["ci_high"], kind, lang)
    value = format.value(card["estimate"], kind, lang)
    compared = bool(card.get("previous_round")) and pd.notna(card.get("change"))
    unit_kind = _change_kind(card.get("change_unit"))
    delta = ""
    note = f"{t('ci95', lang)} {ci}"
    if card.get("suppressed"):
        note = t("suppressed", lang)
    elif compared:
        change = format.change(card["change"], unit_kind, lang)
        if card.get("arrow"):
            colour = VERDICT_COLOURS.get(str(card.get("verdict")), "#31333f")
            arrow = "▲" if card["arrow"] == "up" else "▼"
            delta = f'<span class="delta" style="color:{colour}">{arrow} {escape(change)}</span>'
            verdict = str(card.get("verdict_label") or "")
            note += f" · {verdict}" if verdict else ""
        else:
            note += f" · {change}, {t('change_not_significant', lang)}"
    scale = overview.sparkline_scale(kind, ranges.get(str(card["indicator"])))
    spark = ""
    history = list(card.get("history") or [])
    if scale is not None and sum(v is not None for v in history) > 1:
        factor, lo, hi = scale
        lows = card.get("history_ci_low") or [None] * len(history)
        highs = card.get("history_ci_high") or [None] * len(history)

        def scaled(values: list[Any]) -> list[Any]:
            return [None if v is None or pd.isna(v) else float(v) * factor for v in values]

        spark = plots.sparkline_svg(
            scaled(history), scaled(list(lows)), scaled(list(highs)), lo=lo, hi=hi,
            label=t("spark_label", lang).format(
                name=name, k=len(history), lo=format.number(lo, lang, 0),
                hi=format.number(hi, lang, 0),
            ),
        )  # fmt: skip
    n = card.get("n")
    n_text = format.number(float(n), lang, 0) if n is not None and pd.notna(n) else "–"
    tip = f"{card['name']}. {t('ci95', lang)}: {ci}. n = {n_text}"
    if compared:
        tip += (
            f". {t('change', lang)} {format.change(card['change'], unit_kind, lang)} "
            f"({format.change_interval(card['change_ci_low'], card['change_ci_high'], unit_kind, lang)})"
        )
    section = (
        f'<div class="sec">{escape(str(card.get("section_label", "")))}</div>'
        if show_section
        else ""
    )
    ident = escape(str(card["indicator"]), quote=True)
    attrs = f'class="mande-card" data-indicator="{ident}"'
    if card.get("arrow"):  # a significant change: a thick edge in the verdict's colour
        colour = VERDICT_COLOURS.get(str(card.get("verdict")), "#31333f")
        attrs = (
            f'class="mande-card sig" data-indicator="{ident}" style="border-left-color:{colour}"'
        )
    return (
        f"<div {attrs}"
        f' title="{escape(tip, quote=True)}">{section}<div class="name">{escape(name)}</div>'
        f'<div><span class="val">{escape(value)}</span>{delta}</div>{spark}'
        f'<div class="note">{escape(note)}</div></div>'
    )


def cards(head: pd.DataFrame, lang: str, previous: str | None = None) -> None:
    """The cards, one markdown element per group: the significant changes first (largest first,
    each with its report section), then each section of the Secretary-General's report."""
    ranges = overview.card_ranges(data.catalogue())
    for i, group in enumerate(overview.card_groups(head, lang, previous=previous)):
        title = group.title
        body = "".join(
            card_html(c, lang, ranges, show_section=group.key == "significant")
            for c in group.cards.to_dict("records")
        )
        st.markdown(
            (STYLE if i == 0 else "")
            + f'<section class="mande-group" data-group="{escape(group.key, quote=True)}">'
            f'<h4>{escape(title)}</h4><div class="mande-cards">{body}</div></section>',
            unsafe_allow_html=True,
        )


def changes_table(changes: pd.DataFrame, lang: str) -> str:
    """The significant changes as an HTML table: indicator, change, verdict first (they stay
    visible on a phone), then the group and the intervals."""
    head = [
        ("ind", t("indicator", lang)), ("num", t("change", lang)), ("", t("verdict", lang)),
        ("wide", t("group", lang)), ("num ci", t("change_ci", lang)), ("num wide", "q"),
        ("num wide", t("change_ci_unadjusted", lang)),
    ]  # fmt: skip
    rows = []
    for rec in changes.to_dict("records"):
        k = _change_kind(rec.get("unit"))
        colour = VERDICT_COLOURS.get(str(rec.get("verdict")), "#31333f")
        group = str(rec.get("group_label") or "")
        breakdown = data.breakdown_label(str(rec["breakdown"]), lang)
        colon = " : " if lang == "fr" else ": "
        where = group if rec["breakdown"] in ("total", "all") else f"{breakdown}{colon}{group}"
        cells = [
            escape(str(rec.get("short_name") or rec["indicator"]))
            + f'<span class="m"> — {escape(where)}</span>',
            f"<b>{escape(format.change(rec['estimate'], k, lang))}</b>",
            f'<span style="color:{colour}">{escape(str(rec.get("verdict_label") or ""))}</span>',
            escape(where),
            escape(format.change_interval(rec["ci_low"], rec["ci_high"], k, lang)),
            escape(format.number(float(rec["q_value"]), lang, 4)),
            escape(
                format.change_interval(rec["ci_low_unadjusted"], rec["ci_high_unadjusted"], k, lang)
            ),
        ]
        rows.append(
            "<tr>"
            + "".join(
                f'<td class="{cls}">{cell}</td>' for (cls, _), cell in zip(head, cells, strict=True)
            )
            + "</tr>"
        )
    header = "".join(f'<th class="{cls}" scope="col">{escape(h)}</th>' for cls, h in head)
    return (
        f'<table class="mande-changes"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def map_note(values: pd.DataFrame, mission: Any, current: str, order: list[str], lang: str) -> str:
    """The map's footnote: its source and n (`mande.notes.source_note`, as every chart's), then
    what grey areas and the tooltips mean, and how many areas are admin 2 units."""
    shown = values[~values["suppressed"].fillna(False).astype(bool) & values["estimate"].notna()]
    drawn = shown if len(shown) else values
    parts = [notes.source_note(drawn.assign(round=current), mission, order=order, lang=lang)]
    parts.append(t("map_note", lang))
    admin2 = int((values["level"] == "admin2").sum()) if "level" in values.columns else 0
    if admin2:
        parts.append(t("map_admin2", lang).format(k=admin2))
    return " ".join(parts)


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
    previous = previous or (order[-2] if len(order) > 1 and comparison is None else None)
    current_label = round_label(current, mission, lang, latest["fieldwork_start"])
    previous_label = round_label(previous, mission, lang) if previous else None
    st.caption(
        t("latest_round", lang).format(
            round=current_label,
            n=int(latest["n_respondents"]),
            period=comparison.period.title(lang) if comparison is not None else "–",
            previous=previous_label or "–",
            previous_period=comparison.comparison_label(lang) or "–"
            if comparison is not None
            else "–",
        )
    )
    with st.container(key="headline", border=True):
        st.markdown(" ".join(data.headline_text(lang)))
    head = data.headline(lang)
    with st.container(key="cards"):
        cards(head, lang, previous_label)
    counts = rounds.rename(columns={"n_respondents": "n"})
    st.caption(
        notes.source_note(counts[counts["round"].isin(order)], mission, order=order, lang=lang)
        + " "
        + t("cards_note", lang)
    )

    st.subheader(t("significant_changes", lang))
    changes = data.significant_changes(lang)
    if changes.empty:
        st.write(t("no_significant_change", lang))
    else:
        with st.container(key="changes"):
            st.markdown(changes_table(changes, lang), unsafe_allow_html=True)
    st.caption(format.fdr_note(data.changes(lang), data.policy(), lang))

    geo = data.boundaries()
    if geo is not None and mission is not None:
        st.subheader(t("map", lang))
        options = head["indicator"].tolist()
        names = dict(zip(head["indicator"], head["short_name"], strict=False))
        chosen = st.selectbox(
            t("map_indicator", lang), options, format_func=names.get, key="map_indicator"
        )
        policy = data.policy()
        values = overview.map_areas(
            data.results(), chosen, current, mission, geo, min_n=policy.min_n_admin2
        )
        card = head.set_index("indicator").loc[chosen]
        ranges = overview.card_ranges(data.catalogue())
        svg = maps.region_map(
            values, geo, mission, title=names[chosen], lang=lang, round_label=current_label,
            level=policy.level, kind=str(card.get("kind") or "proportion"),
            value_range=ranges.get(chosen),
        )  # fmt: skip
        with st.container(key="map"):
            st.markdown(draw.STYLE + svg, unsafe_allow_html=True)
        st.caption(map_note(values, mission, current, order, lang))


if __name__ == "__main__":
    main()
