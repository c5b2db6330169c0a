"""Partners: relationship quality by partner type and period, its dimensions, positions on the
coercion-cooperation continuum, the robust-operation comparison, themes and consented quotes.

The period's figures (relationship quality by partner type, agreement between coders, the
robust-operation model and its data window) are `mande.reporting.partner_figures`, the annex's;
figures resting on small numbers are greyed with the note mande's flag calls for."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, session
from dashboard.i18n import t
from mande import notes, plots
from mande.output import csv_bytes
from mande.stats.reliability import reliability_labels


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
    heat = plots.rqi_heatmap(rqi, lang=lang, period_labels=labels)
    st.plotly_chart(heat, width="stretch", key="heatmap")
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
        st.dataframe(
            _grey(_rqi_table(figs.rqi, lang), figs.rqi["small"]).format(precision=1),
            hide_index=True, width="stretch",
        )  # fmt: skip
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
    st.plotly_chart(plots.dimensions_figure(dims, lang=lang), width="stretch", key="dims")
    st.caption(source)
    st.subheader(t("positions", lang))
    pos = plots.positions_figure(rqi, lang=lang, period_labels=labels)
    st.plotly_chart(pos, width="stretch", key="pos")
    st.caption(source)

    st.subheader(t("reliability", lang))
    rel = figs.reliability if figs is not None else None
    if rel is None or rel.empty:
        st.write(t("no_double_coding", lang))
    else:
        names = reliability_labels(lang)
        st.dataframe(
            _grey(_reliability_table(rel, lang), rel["few_units"])
            .format("{:.2f}", subset=[names["alpha"]], na_rep="–")
            .format("{:.0f}", subset=[names["percent_agreement"]], na_rep="–"),
            hide_index=True, width="stretch",
        )  # fmt: skip
        st.caption(t("reliability_note", lang))
        if bool(rel["few_units"].any()):
            st.caption(t("few_units_note", lang).format(units=policy.min_double_coded))

    st.subheader(t("themes", lang))
    themes_fig = plots.themes_figure(data.partner_themes(lang), lang=lang)
    st.plotly_chart(themes_fig, width="stretch", key="themes")
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
    for q in quotes.to_dict("records"):
        st.markdown(f"> {q['text']}\n\n— *{q['partner_type_label']}, {q['theme_label']}*")
    if not quotes.empty:
        st.download_button(
            t("download_csv", lang), csv_bytes(quotes),
            file_name=f"quotes_{period}.csv", mime="text/csv", key="dl_quotes",
        )  # fmt: skip


def _rqi_table(rqi: pd.DataFrame, lang: str) -> pd.DataFrame:
    from mande.partners.rubric import load_rubric

    rb = load_rubric()
    return pd.DataFrame(
        {
            t("partner_type", lang): [rb.partner_type_label(p, lang) for p in rqi["partner_type"]],
            t("rqi", lang): rqi["rqi"].round(1),
            t("ci95", lang): [
                f"{lo:.1f} – {hi:.1f}" if pd.notna(lo) and pd.notna(hi) else "–"
                for lo, hi in zip(rqi["rqi_ci_low"], rqi["rqi_ci_high"], strict=True)
            ],
            t("n_partners", lang): rqi["n_partners"],
            t("n_interviews", lang): rqi["n_interviews"],
            t("flag", lang): [t("small_numbers", lang) if f else "" for f in rqi["small"]],
        }
    )


def _reliability_table(rel: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Agreement between coders by dimension name, with mande's column names; the technical count
    of pairs left out, the note column only when a note is there."""
    from mande.partners.rubric import load_rubric

    rb = load_rubric()
    names = reliability_labels(lang)
    cols = ["dimension", "alpha", "n_units", "percent_agreement", "n_coders"]
    if rel["note"].fillna("").astype(str).str.strip().any():
        cols.append("note")
    shown = rel[cols].assign(
        dimension=[rb.dimension_label(str(d), lang) for d in rel["dimension"]],
    )
    return shown.rename(columns=names)


def _grey(frame: pd.DataFrame, flags: pd.Series) -> Any:
    """The table with the flagged rows greyed (small numbers)."""
    marks = list(flags.fillna(False).astype(bool))

    def style(row: pd.Series) -> list[str]:
        grey = "color: #9e9e9e; font-style: italic"
        return [grey if marks[row.name] else "" for _ in row]

    return frame.reset_index(drop=True).style.apply(style, axis=1)


if __name__ == "__main__":
    main()
