"""The Partners page's figures and tables, drawn on the server as HTML (with :mod:`mande.draw`).

Each heatmap is a table of coloured cells: partner types (by name, in the order of their names)
down the side, reporting periods (by their dates in the mission's calendar), rubric dimensions or
partner types across the top, each cell's figure written in it and its interval and numbers in its
tooltip. Colours come from colour-blind-safe ramps (:func:`mande.draw.sequential` for levels and
shares, :func:`mande.draw.diverging`, orange to blue, for the coercion-cooperation continuum around
its middle), never red-green. A figure resting on fewer partners or interviews than the reporting
policy asks (``small``) is greyed and written in brackets, "(48)": shown for information, not
compared. The tables of the chosen period (relationship quality, agreement between coders) grey
such rows.

Nothing here computes a statistic: the functions draw what :func:`mande.reporting.partner_quality`,
:func:`mande.reporting.partner_figures` and :func:`mande.partners.quality.theme_matrix` return.
Every text is escaped by :mod:`mande.draw`. Labels in English (``lang="en"``) or French
(``lang="fr"``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from mande import draw
from mande.draw import finite

__all__ = [
    "SMALL_BACKGROUND",
    "agreement_table",
    "dimensions_heatmap",
    "partner_names",
    "partner_table",
    "positions_heatmap",
    "rqi_heatmap",
    "themes_heatmap",
]

#: Background and text of a cell resting on small numbers (greyed: not compared).
SMALL_BACKGROUND = "#eeeeee"
_SMALL_TEXT = "#5c5f6b"
_MISSING_BACKGROUND = "#fafafa"
NBSP = "\u00a0"

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "small": "small numbers: not compared",
        "small_key": "(48) small numbers: not compared",
        "none": "no figure",
        "ci": "95% CI",
        "n": "n = {partners} partners, {interviews} interviews",
        "n_interviews": "n = {interviews} interviews",
        "of_interviews": "of interviews",
        "coercion": "1 coercion",
        "cooperation": "5 cooperation",
    },
    "fr": {
        "small": "petits effectifs : non comparé",
        "small_key": "(48) petits effectifs : non comparé",
        "none": "pas de chiffre",
        "ci": "IC à 95 %",
        "n": "n = {partners} partenaires, {interviews} entretiens",
        "n_interviews": "n = {interviews} entretiens",
        "of_interviews": "des entretiens",
        "coercion": "1 coercition",
        "cooperation": "5 coopération",
    },
}


def _t(lang: str) -> dict[str, str]:
    return _TEXT["fr" if lang == "fr" else "en"]


def _number(value: Any, lang: str, decimals: int) -> str:
    """A figure as the report writes it ("55.0" / "55,0"); "–" when missing."""
    from mande.report.style import number

    v = finite(value)
    return "–" if v is None else number(v, "fr" if lang == "fr" else "en", decimals)


def partner_names(codes: Any, lang: str) -> list[str]:
    """Partner-type codes -> their names in ``lang`` (the rubric's)."""
    from mande.partners.rubric import load_rubric

    rubric = load_rubric()
    return [rubric.partner_type_label(str(c), lang) for c in codes]


def _period_header(title: str) -> str:
    """A period's title for a column header: it may break only after its dash ("1 June 2026–" /
    "30 September 2026"), never inside a date."""
    return "–".join(part.replace(" ", NBSP) for part in title.split("–"))


def _small(rec: Mapping[Any, Any] | None) -> bool:
    """Whether a row's figure rests on small numbers (its ``small`` flag; missing: no)."""
    if rec is None:
        return False
    flag = rec.get("small")
    return False if flag is None or pd.isna(flag) else bool(flag)


def _flags(frame: pd.DataFrame) -> pd.Series:
    if "small" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["small"].astype("boolean").fillna(False).astype(bool)


def _swatches(
    stops: Sequence[float], colour: Callable[[float], str], fmt: Callable[[float], str],
    extra: Sequence[tuple[str, str, str]] = (),
) -> str:  # fmt: skip
    """The key of a colour scale: a box of each stop's colour with its value, then ``extra``."""
    return draw.legend([*((fmt(v), colour(v), "box") for v in stops), *extra])


def _heat_cell(
    value: Any, small: bool, *, text: str, colour: Callable[[float], str]
) -> tuple[str, str]:
    """A heatmap cell's (text, CSS): the scale's colour with black or white text; greyed and in
    brackets when it rests on small numbers; a pale dash when missing."""
    v = finite(value)
    if v is None:
        return "–", f"background:{_MISSING_BACKGROUND};color:{_SMALL_TEXT}"
    if small:
        return f"({text})", f"background:{SMALL_BACKGROUND};color:{_SMALL_TEXT};font-style:italic"
    bg = colour(v)
    return text, f"background:{bg};color:{draw.text_colour(bg)}"


def _heat_table(
    *, key: str, corner: str, rows: Sequence[str], columns: Sequence[str],
    cells: Sequence[Sequence[tuple[str, str, str]]], column_titles: Sequence[str] | None = None,
) -> str:  # fmt: skip
    """A heatmap as a table: row names in a first column that stays in view when the table
    scrolls sideways, one coloured cell (text, CSS, tooltip) per row and column."""
    header = [corner, *columns]
    classes = ["sticky", *(["heat wrap"] * len(columns))]
    return draw.table(
        header,
        [[name, *(c[0] for c in row)] for name, row in zip(rows, cells, strict=True)],
        key=key,
        classes=classes,
        cell_styles=[["", *(c[1] for c in row)] for row in cells],
        cell_titles=[["", *(c[2] for c in row)] for row in cells],
        titles=["", *column_titles] if column_titles else None,
    )


def _by_partner_and_period(
    frame: pd.DataFrame, lang: str, period_labels: Mapping[Any, str] | None
) -> tuple[list[str], list[Any], list[str], list[list[Mapping[Any, Any] | None]]]:
    """Rows of ``frame`` (one per partner type and period) laid out as a grid: partner-type names
    in name order, period ids in calendar order, their titles, the row of each cell (or None)."""
    codes = sorted({str(c) for c in frame["partner_type"]})
    pairs = sorted(zip(partner_names(codes, lang), codes, strict=True), key=lambda p: p[0])
    names, codes = [n for n, _ in pairs], [c for _, c in pairs]
    periods = sorted({p for p in frame["period"] if pd.notna(p)}, key=str)
    titles = [str((period_labels or {}).get(p, p)) for p in periods]
    lookup: dict[tuple[str, Any], Mapping[Any, Any]] = {
        (str(r["partner_type"]), r["period"]): r for r in frame.to_dict("records")
    }
    grid = [[lookup.get((c, p)) for p in periods] for c in codes]
    return names, periods, titles, grid


def _period_heatmap(
    frame: pd.DataFrame, lang: str, period_labels: Mapping[Any, str] | None, *, key: str,
    cell: Callable[[str, str, Mapping[Any, Any] | None], tuple[str, str, str]],
) -> str:  # fmt: skip
    """A partner type x reporting period heatmap as a table: ``cell(name, title, row)`` gives
    each cell's (text, CSS, tooltip) from its partner type's name, its period's title and its row
    of ``frame`` (None when there is none)."""
    names, _, titles, grid = _by_partner_and_period(frame, lang, period_labels)
    cells = [
        [cell(name, title, rec) for title, rec in zip(titles, row, strict=True)]
        for name, row in zip(names, grid, strict=True)
    ]
    return _heat_table(
        key=key, corner="", rows=names,
        columns=[_period_header(t) for t in titles], cells=cells, column_titles=titles,
    )  # fmt: skip


def _n_text(row: Mapping[Any, Any] | None, lang: str) -> str:
    if row is None:
        return ""
    partners, interviews = finite(row.get("n_partners")), finite(row.get("n_interviews"))
    if interviews is None:
        return ""
    if partners is None:
        return _t(lang)["n_interviews"].format(interviews=_number(interviews, lang, 0))
    return _t(lang)["n"].format(
        partners=_number(partners, lang, 0), interviews=_number(interviews, lang, 0)
    )


def _tip(row_name: str, column: str, figure: str, *parts: str) -> str:
    return "; ".join([f"{row_name} · {column}: {figure}", *(p for p in parts if p)])


def rqi_heatmap(
    rqi: pd.DataFrame, *, lang: str = "en", period_labels: Mapping[Any, str] | None = None
) -> str:
    """Relationship-quality index (0-100) by partner type (rows, by name) and reporting period
    (columns, by the period's title in the mission's calendar: ``period_labels``, e.g.
    :func:`mande.report.periods.reporting_periods`' titles), on a colour-blind-safe sequential
    scale fixed at 0-100, as a ``<figure data-chart="heatmap">`` holding a colour key and a table.

    ``rqi`` is :func:`mande.reporting.partner_quality` by ``("partner_type", "period")``: ``rqi``,
    ``rqi_ci_low``, ``rqi_ci_high``, ``n_partners``, ``n_interviews``, ``small``. Each cell shows
    the index without decimals and, on hover, the index, its 95% interval and the numbers behind
    it; a ``small`` cell is greyed and in brackets, "(48)"; a missing one is a dash.
    """
    txt = _t(lang)

    def colour(v: float) -> str:
        return draw.sequential(v / 100)

    def cell(name: str, title: str, rec: Mapping[Any, Any] | None) -> tuple[str, str, str]:
        v = finite(rec["rqi"]) if rec is not None else None
        small = _small(rec)
        text, css = _heat_cell(v, small, text=_number(v, lang, 0), colour=colour)
        if v is None or rec is None:
            return text, css, _tip(name, title, txt["none"])
        lo, hi = finite(rec.get("rqi_ci_low")), finite(rec.get("rqi_ci_high"))
        ci = (
            f"{txt['ci']} {_number(lo, lang, 1)}–{_number(hi, lang, 1)}"
            if lo is not None and hi is not None
            else ""
        )
        tip = _tip(
            name, title, _number(v, lang, 1), ci, _n_text(rec, lang),
            txt["small"] if small else "",
        )  # fmt: skip
        return text, css, tip

    table = _period_heatmap(rqi, lang, period_labels, key="rqi_heatmap", cell=cell)
    key = _swatches(
        [0, 25, 50, 75, 100], colour, lambda v: _number(v, lang, 0),
        extra=[(txt["small_key"], SMALL_BACKGROUND, "box")],
    )  # fmt: skip
    return draw.figure(table, key="heatmap", legend_html=key)


def positions_heatmap(
    quality: pd.DataFrame, *, lang: str = "en", period_labels: Mapping[Any, str] | None = None
) -> str:
    """Position on the coercion (1) - cooperation (5) continuum by partner type (rows, by name)
    and reporting period (columns, by title), on an orange-blue diverging scale centred on 3, as a
    ``<figure data-chart="positions">``; small numbers greyed as in :func:`rqi_heatmap`."""
    from mande.partners.rubric import load_rubric

    txt = _t(lang)
    dimension = load_rubric().dimension_label("coercion_cooperation", lang)

    def colour(v: float) -> str:
        return draw.diverging((v - 1) / 4)

    def cell(name: str, title: str, rec: Mapping[Any, Any] | None) -> tuple[str, str, str]:
        v = finite(rec["coercion_cooperation"]) if rec is not None else None
        small = _small(rec)
        text, css = _heat_cell(v, small, text=_number(v, lang, 1), colour=colour)
        if v is None:
            return text, css, _tip(name, title, txt["none"])
        tip = _tip(
            name, title, f"{dimension} {_number(v, lang, 2)}", _n_text(rec, lang),
            txt["small"] if small else "",
        )  # fmt: skip
        return text, css, tip

    table = _period_heatmap(quality, lang, period_labels, key="positions_heatmap", cell=cell)
    stops = {1: txt["coercion"], 2: "2", 3: "3", 4: "4", 5: txt["cooperation"]}
    key = _swatches(list(stops), colour, lambda v: stops[int(v)])
    return draw.figure(table, key="positions", legend_html=key)


def dimensions_heatmap(quality: pd.DataFrame, *, lang: str = "en") -> str:
    """Mean score (1-5) of each rubric dimension (columns, by name) by partner type (rows, by
    name) over every period, the score in each cell, on a colour-blind-safe sequential scale, as a
    ``<figure data-chart="dimensions">``.

    ``quality`` is :func:`mande.reporting.partner_quality` by ``("partner_type",)``: one row per
    partner type with the mean of every rubric dimension, ``n_partners``, ``n_interviews`` and
    ``small``."""
    from mande.partners.rubric import load_rubric

    txt = _t(lang)
    rubric = load_rubric()
    dims = [d for d in rubric.dimensions.values() if d.code in quality.columns]
    rows = quality.drop_duplicates("partner_type")
    names = partner_names(list(rows["partner_type"]), lang)
    order = sorted(range(len(rows)), key=lambda i: names[i])
    rows, names = rows.iloc[order], [names[i] for i in order]
    flags = list(_flags(rows))

    def colour(v: float) -> str:
        return draw.sequential((v - 1) / 4)

    cells = []
    for rec, name, small in zip(rows.to_dict("records"), names, flags, strict=True):
        line = []
        for d in dims:
            v = finite(rec[d.code])
            text, css = _heat_cell(v, small, text=_number(v, lang, 1), colour=colour)
            label = d.label(lang)
            tip = (
                _tip(name, label, txt["none"])
                if v is None
                else _tip(
                    name, label, _number(v, lang, 2), _n_text(rec, lang),
                    txt["small"] if small else "",
                )
            )  # fmt: skip
            line.append((text, css, tip))
        cells.append(line)
    table = _heat_table(
        key="dimensions_heatmap", corner="", rows=names,
        columns=[d.label(lang) for d in dims], cells=cells,
    )  # fmt: skip
    key = _swatches([1, 2, 3, 4, 5], colour, lambda v: _number(v, lang, 0))
    return draw.figure(table, key="dimensions", legend_html=key)


def themes_heatmap(
    matrix: pd.DataFrame, *, lang: str = "en", n_interviews: Mapping[str, Any] | None = None
) -> str:
    """Theme frequencies (:func:`mande.partners.quality.theme_matrix`: themes as rows, most raised
    first, partner types as columns in the order of their names, per cent of interviews) as a ``<figure data-chart="themes">``
    on a colour-blind-safe sequential scale fixed at 0-100 %. ``n_interviews`` (partner-type name
    -> interviews) adds each column's number of interviews to the tooltips."""
    txt = _t(lang)
    matrix = matrix[sorted(matrix.columns, key=str)]  # partner types in name order, as elsewhere
    columns = [str(c) for c in matrix.columns]
    unit = f"{NBSP}%" if lang == "fr" else "%"

    def colour(v: float) -> str:
        return draw.sequential(v / 100)

    cells = []
    for theme, values in zip(matrix.index, matrix.to_numpy(dtype=float), strict=True):
        line = []
        for col, value in zip(columns, values, strict=True):
            v = finite(value)
            text, css = _heat_cell(v, False, text=_number(v, lang, 0), colour=colour)
            n = finite((n_interviews or {}).get(col))
            count = txt["n_interviews"].format(interviews=_number(n, lang, 0)) if n else ""
            tip = (
                _tip(str(theme), col, txt["none"])
                if v is None
                else _tip(
                    str(theme), col, f"{_number(v, lang, 0)}{unit} {txt['of_interviews']}", count
                )
            )
            line.append((text, css, tip))
        cells.append(line)
    table = _heat_table(
        key="themes_heatmap", corner="", rows=[str(i) for i in matrix.index], columns=columns,
        cells=cells,
    )  # fmt: skip
    key = _swatches([0, 25, 50, 75, 100], colour, lambda v: f"{_number(v, lang, 0)}{unit}")
    return draw.figure(table, key="themes", legend_html=key)


def partner_table(rqi: pd.DataFrame, *, lang: str = "en", labels: Mapping[str, str]) -> str:
    """One period's relationship quality by partner type (:attr:`PartnerFigures.rqi`) as a
    ``<table data-table="partner_table">``: name, index (one decimal), 95% interval, partners,
    interviews and a note; rows resting on small numbers greyed with the note.

    ``labels`` holds the page's texts: the headers ``partner_type``, ``rqi``, ``ci95``,
    ``n_partners``, ``n_interviews``, ``flag`` and the note ``small_numbers``. On a phone the
    interviews and note columns are left out (the greyed rows and the page's note stay)."""
    flags = list(_flags(rqi))
    names = partner_names(list(rqi["partner_type"]), lang)
    rows = []
    for rec, name, small in zip(rqi.to_dict("records"), names, flags, strict=True):
        lo, hi = finite(rec.get("rqi_ci_low")), finite(rec.get("rqi_ci_high"))
        ci = (
            f"{_number(lo, lang, 1)} – {_number(hi, lang, 1)}"
            if lo is not None and hi is not None
            else "–"
        )
        rows.append(
            [
                name,
                _number(rec["rqi"], lang, 1),
                ci,
                _number(rec.get("n_partners"), lang, 0),
                _number(rec.get("n_interviews"), lang, 0),
                labels["small_numbers"] if small else "",
            ]
        )
    keys = ("partner_type", "rqi", "ci95", "n_partners", "n_interviews", "flag")
    return draw.table(
        [labels[k] for k in keys], rows, key="partner_table",
        classes=["", "num wrap", "num wrap", "num wrap", "num wrap wide", "wide"],
        row_classes=["grey" if f else "" for f in flags],
    )  # fmt: skip


def agreement_table(rel: pd.DataFrame, *, lang: str = "en") -> str:
    """Agreement between coders by rubric dimension (:func:`mande.stats.reliability_table`) as a
    ``<table data-table="reliability">``: the dimension by name, Krippendorff's alpha (two
    decimals), interviews coded twice, per cent agreement (whole), coders, and the note column only
    when a note is there; headers from :func:`mande.stats.reliability.reliability_labels`; rows
    whose alpha rests on too few double-coded interviews (``few_units``) greyed. On a phone the
    coders and note columns are left out."""
    from mande.partners.rubric import load_rubric
    from mande.stats.reliability import reliability_labels

    rubric = load_rubric()
    names = reliability_labels(lang)
    notes = rel["note"].fillna("").astype(str).str.strip() if "note" in rel.columns else None
    cols = ["dimension", "alpha", "n_units", "percent_agreement", "n_coders"]
    classes = ["", "num wrap", "num wrap", "num wrap", "num wrap wide"]
    if notes is not None and notes.any():
        cols.append("note")
        classes.append("wide")
    flags = (
        list(rel["few_units"].astype("boolean").fillna(False).astype(bool))
        if "few_units" in rel.columns
        else [False] * len(rel)
    )
    rows = []
    for i, rec in enumerate(rel.to_dict("records")):
        row = [
            rubric.dimension_label(str(rec["dimension"]), lang),
            _number(rec["alpha"], lang, 2),
            _number(rec["n_units"], lang, 0),
            _number(rec["percent_agreement"], lang, 0),
            _number(rec["n_coders"], lang, 0),
        ]
        if "note" in cols:
            row.append(notes.iloc[i])  # type: ignore[union-attr]
        rows.append(row)
    return draw.table(
        [names[c] for c in cols], rows, key="reliability", classes=classes,
        row_classes=["grey" if f else "" for f in flags],
    )  # fmt: skip
