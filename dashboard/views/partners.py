"""Partners: relationship quality by partner type and period, its dimensions, positions on the
coercion-cooperation continuum, the robust-operation comparison, themes and consented quotes.

The period's figures (relationship quality by partner type, agreement between coders, the
robust-operation model and its data window) are `mande.reporting.partner_figures`, the annex's;
figures resting on small numbers are greyed with the note mande's flag calls for. Charts and tables
are drawn on the server as HTML (`mande.charts.partners`): no chart library to download."""

from __future__ import annotations

import streamlit as st

from dashboard import data, session
from dashboard.i18n import t
from mande import draw, notes
from mande.charts import partners as charts
from mande.output import csv_bytes

_TABLE_LABELS = (
    "partner_type",
    "rqi",
    "ci95",
    "n_partners",
    "n_interviews",
    "flag",
    "small_numbers",
)


def _html(markup: str) -> None:
    st.markdown(markup, unsafe_allow_html=True)


def main() -> None:
    session.require("view")
    lang = session.lang()
    st.title(t("partners", lang))
    iv = data.interviews()
    if iv.empty:
        st.info(t("no_interviews", lang))
        return
    mission = data.mission()
    source = notes.source_note(iv, mission, source="partners", lang=lang)
    labels = data.period_labels(lang)
    rqi = data.partner_quality(("partner_type", "period"))
    st.subheader(t("rqi_heatmap", lang))
    _html(draw.STYLE + charts.rqi_heatmap(rqi, lang=lang, period_labels=labels))
    pol = data.policy()
    note = t("rqi_note", lang).format(partners=pol.min_partners, interviews=pol.min_interviews)
    st.caption(f"{note} {source}")

    periods = data.partner_periods()
    period = st.selectbox(
        t("period", lang), periods, index=len(periods) - 1 if periods else 0,
        format_func=lambda p: labels.get(p, p), key="partner_period",
    )  # fmt: skip
    figs = data.partner_figures(period)
    policy = data.policy()
    if figs is not None and not figs.rqi.empty:
        st.subheader(t("partner_table", lang))
        names = {k: t(k, lang) for k in _TABLE_LABELS}
        _html(charts.partner_table(figs.rqi, lang=lang, labels=names))
        if bool(figs.rqi["small"].any()):
            st.caption(
                t("small_partners_note", lang).format(
                    partners=policy.min_partners, interviews=policy.min_interviews
                )
            )

    model = figs.model if figs is not None else None
    st.subheader(t("robust_comparison", lang))
    if model is None:
        st.write(t("model_unavailable", lang))
    else:
        st.markdown(f"**{model.sentence(lang)}**")
        st.caption(
            t("model_note", lang).format(
                n=model.n_interviews, partners=model.n_partners, robust=model.n_robust
            )
            + " "
            + t("model_window", lang).format(window=figs.model_window_text(lang))
        )

    st.subheader(t("dimensions", lang))
    dims = data.partner_quality(("partner_type",))
    _html(charts.dimensions_heatmap(dims, lang=lang))
    st.caption(source)
    st.subheader(t("positions", lang))
    _html(charts.positions_heatmap(rqi, lang=lang, period_labels=labels))
    st.caption(source)

    st.subheader(t("reliability", lang))
    rel = figs.reliability if figs is not None else None
    if rel is None or rel.empty:
        st.write(t("no_double_coding", lang))
    else:
        _html(charts.agreement_table(rel, lang=lang))
        st.caption(t("reliability_note", lang))
        if bool(rel["few_units"].any()):
            st.caption(t("few_units_note", lang).format(units=policy.min_double_coded))

    st.subheader(t("themes", lang))
    counts = dict(
        zip(charts.partner_names(dims["partner_type"], lang), dims["n_interviews"], strict=True)
    )
    _html(charts.themes_heatmap(data.partner_themes(lang), lang=lang, n_interviews=counts))
    st.caption(f"{t('themes_note', lang)} {source}")

    st.subheader(t("quotes", lang))
    periods = data.quote_periods()
    themes = data.quote_themes(lang)
    left, right = st.columns(2)
    period = left.selectbox(
        t("period", lang), periods, index=len(periods) - 1 if periods else 0,
        format_func=lambda p: labels.get(p, p), key="quote_period",
    )  # fmt: skip
    theme = right.selectbox(
        t("theme", lang),
        ["", *themes],
        format_func=lambda k: themes.get(k, t("all_themes", lang)),
        key="quote_theme",
    )
    quotes = data.partner_quotes(lang, period=period, theme=theme or None)
    if quotes.empty:
        st.write(t("no_quotes", lang))
    else:  # one element for all the quotes: the browser draws each element at a cost
        st.markdown(
            "\n\n".join(
                f"> {q['text']}\n\n— *{q['partner_type_label']}, {q['theme_label']}*"
                for q in quotes.to_dict("records")
            )
        )
        st.download_button(
            t("download_csv", lang), data=lambda: csv_bytes(quotes),
            file_name=f"quotes_{period}.csv", mime="text/csv", key="dl_quotes",
        )  # fmt: skip


if __name__ == "__main__":
    main()
