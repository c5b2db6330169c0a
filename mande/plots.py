"""Plotly figure builders shared by the dashboard and the report.

Every function is pure: a tidy DataFrame (and options) in, a ``plotly.graph_objects.Figure`` out.
Nothing here computes a statistic; figures draw what :func:`mande.compute_indicators`,
:func:`mande.compare_rounds` and :func:`mande.linear_trends` return. Labels come in English
(``lang="en"``) or French (``lang="fr"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mande.errors import EstimationError

__all__ = [
    "breakdown_figure",
    "change_figure",
    "plan_map",
    "sparkline_svg",
    "trend_figure",
]

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "round": "Survey round",
        "percent": "Per cent",
        "value": "Value",
        "ci": "{level} per cent confidence interval",
        "estimate": "Estimate",
        "suppressed": "suppressed (too few respondents)",
        "change": "Change",
        "pp": "Change (percentage points)",
        "units": "Change",
        "improved": "Improved",
        "deteriorated": "Deteriorated",
        "no_change": "No significant change",
        "not_compared": "Not compared",
        "group": "Group",
    },
    "fr": {
        "round": "Cycle d'enquête",
        "percent": "Pourcentage",
        "value": "Valeur",
        "ci": "Intervalle de confiance à {level} %",
        "estimate": "Estimation",
        "suppressed": "masqué (trop peu de répondants)",
        "change": "Variation",
        "pp": "Variation (points de pourcentage)",
        "units": "Variation",
        "improved": "Amélioration",
        "deteriorated": "Détérioration",
        "no_change": "Pas de changement significatif",
        "not_compared": "Non comparé",
        "group": "Groupe",
    },
}

_VERDICT_COLOURS = {
    "improved": "#1a9850",
    "deteriorated": "#d73027",
    "no_change": "#7f7f7f",
    "not_compared": "#c7c7c7",
}
_PALETTE = ("#009edb", "#f58220", "#4d8e3f", "#a05195", "#d45087", "#665191", "#2f4b7c", "#ffa600")
_TOTAL = ("total", "all", "overall", "")


def _t(lang: str) -> dict[str, str]:
    return _TEXT.get(lang, _TEXT["en"])


def _is_percent(rows: pd.DataFrame) -> tuple[bool, float]:
    """(is a proportion, factor to per cent)."""
    vals = pd.concat([rows[c] for c in ("estimate", "ci_low", "ci_high") if c in rows.columns])
    vals = pd.to_numeric(vals, errors="coerce").dropna()
    unit = bool(len(vals)) and bool(((vals >= 0) & (vals <= 1)).all())
    if "kind" in rows.columns and rows["kind"].notna().any():
        if not (rows["kind"].dropna() == "proportion").all():
            return False, 1.0
        return True, 100.0 if unit else 1.0
    return (True, 100.0) if unit else (False, 1.0)


def _round_dates(labels: Sequence[Any], round_dates: dict[Any, Any] | None) -> dict[Any, Any]:
    """Each round's date when every round has one (given, or the label is a date); else {}."""
    out: dict[Any, Any] = {}
    for r in labels:
        value = round_dates.get(r) if round_dates else r
        if isinstance(value, dt.date):
            out[r] = pd.Timestamp(value)
            continue
        try:
            out[r] = pd.Timestamp(str(value))
        except (ValueError, TypeError):
            return {}
    return out


def _band(x: list[Any], lo: np.ndarray, hi: np.ndarray) -> tuple[list[Any], list[float]]:
    return x + x[::-1], list(hi) + list(lo[::-1])


def _runs(ok: np.ndarray) -> list[np.ndarray]:
    """Positions of the runs of consecutive True values."""
    idx = np.flatnonzero(ok)
    if not len(idx):
        return []
    return np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)


def _rgba(colour: str, alpha: float) -> str:
    c = colour.lstrip("#")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


# Small multiples: more groups than this are drawn one panel per group, never as overlapping bands.
MAX_GROUPS_IN_ONE_PANEL = 3
_FACET_COLUMNS = 2
_REFERENCE = "#9e9e9e"
# Event markers: numbered boxes in a strip above the plot area, never over the data. A marker box
# is _MARKER_PX wide (text box, padding and border); two markers closer than _MARKER_PX + _MARKER_GAP
# on the narrowest plot we draw for (_MIN_PLOT_PX, a phone) go to different rows of the strip.
_MARKER_SIZE = 16
_MARKER_PAD = 2
_MARKER_PX = _MARKER_SIZE + 2 * _MARKER_PAD + 2
_MARKER_GAP = 4
_MIN_PLOT_PX = 260
_ROW_PX = _MARKER_PX + _MARKER_GAP


def _series(
    g: pd.DataFrame, labels: list[Any], factor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    g = g.drop_duplicates("round").set_index("round").reindex(labels)
    est, lo, hi = (
        factor * pd.to_numeric(g[c], errors="coerce").to_numpy(dtype=float)
        for c in ("estimate", "ci_low", "ci_high")
    )
    return est, lo, hi, g


def _band_traces(
    x: list[Any], lo: np.ndarray, hi: np.ndarray, colour: str, name: str, group: str
) -> list[go.Scatter]:  # name: "<group>: <level> per cent confidence interval"
    """The confidence band as filled areas only: no markers, no hover, not in the legend, in the
    line's colour; one area per run of rounds with an interval, so gaps stay gaps."""
    out = []
    for seg in _runs(np.isfinite(lo) & np.isfinite(hi)):
        bx, by_ = _band([x[j] for j in seg], lo[seg], hi[seg])
        out.append(
            go.Scatter(
                x=bx, y=by_, mode="lines", fill="toself", fillcolor=_rgba(colour, 0.18),
                line={"width": 0, "color": colour}, hoverinfo="skip", name=name,
                legendgroup=group, showlegend=False,
            )
        )  # fmt: skip
    return out


def _hover(
    labels: list[Any], est: np.ndarray, lo: np.ndarray, hi: np.ndarray, g: pd.DataFrame,
    percent: bool, text: dict[str, str],
) -> list[str]:  # fmt: skip
    n = g["n"].to_numpy() if "n" in g.columns else [None] * len(labels)
    return [
        f"{r}: {e:.1f}{'%' if percent else ''} [{a:.1f}; {b:.1f}]"
        + (f", n = {int(k):,}" if k is not None and pd.notna(k) and k else "")
        if np.isfinite(e)
        else f"{r}: {text['suppressed']}"
        for r, e, a, b, k in zip(labels, est, lo, hi, n, strict=True)
    ]


def trend_figure(
    results: pd.DataFrame,
    indicator: str,
    by: str | None = None,
    events: Iterable[Any] | None = None,
    *,
    order: Sequence[Any] | None = None,
    round_dates: dict[Any, Any] | None = None,
    round_names: Mapping[Any, str] | None = None,
    reference: pd.DataFrame | None = None,
    lang: str = "en",
    level: float = 0.95,
    title: str | None = None,
) -> go.Figure:
    """An indicator across rounds: one line per group with its confidence band, and event markers.

    Up to :data:`MAX_GROUPS_IN_ONE_PANEL` groups share one panel; more are drawn as small
    multiples, one panel per group on a shared scale, each with the overall line (``reference``)
    in grey behind it.

    Parameters
    ----------
    results:
        Tidy results (``mande.compute_indicators``): indicator, round, estimate, ci_low, ci_high,
        and optionally breakdown, group, n, suppressed, kind, name.
    indicator:
        The indicator to draw.
    by:
        Column whose values become separate lines (e.g. ``"group"`` for the rows of one
        breakdown). ``None``: the overall rows (breakdown ``total``/``all``, or every row when
        there is one per round).
    events:
        Mission events (``mande.load_mission(...).events``): a dashed line at each event's date
        (a shaded span for events with an end date) and, in a strip above the plot area, a
        numbered marker; markers close in time are staggered into rows so that no two overlap.
        The numbers are :func:`mande.notes.events_on_axis`'s, keyed under the chart by
        :func:`mande.notes.event_key`. Events are placed only when the rounds have dates.
    order:
        Round labels in time order (default: sorted).
    round_dates:
        ``{round: date}`` to place rounds on a time axis.
    round_names:
        ``{round: name}`` for the axis ticks ("May 2026"); default: the round labels.
    reference:
        Results holding the overall rows of the same indicator: the grey reference line of each
        small multiple (ignored when the groups fit in one panel).
    lang:
        ``"en"`` or ``"fr"``.
    level:
        The confidence level of ``ci_low``/``ci_high``, for the hover text.
    title:
        Figure title (default: the indicator's ``name`` column if present, else its id).

    Returns
    -------
    plotly.graph_objects.Figure
        Proportions are drawn in per cent. Suppressed cells leave a gap.
    """
    text = _t(lang)
    for col in ("indicator", "round", "estimate", "ci_low", "ci_high"):
        if col not in results.columns:
            raise EstimationError(
                f"trend_figure needs column {col!r}; columns present: {list(results.columns)}"
            )
    rows = results[results["indicator"] == indicator].copy()
    if rows.empty:
        raise EstimationError(
            f"indicator {indicator!r} is not in the results; present: "
            f"{sorted(results['indicator'].dropna().unique().tolist())}"
        )
    rows = _overall(rows) if by is None else rows
    percent, factor = _is_percent(rows)
    labels = list(order) if order is not None else sorted(rows["round"].dropna().unique(), key=str)
    labels = [r for r in labels if r in set(rows["round"])]
    dates = _round_dates(labels, round_dates)
    xpos = {r: dates[r] for r in labels} if dates else {r: str(r) for r in labels}
    x = [xpos[r] for r in labels]
    rows = _hide_suppressed(rows)
    from mande.indicators.items import standard_items

    total_name = standard_items().breakdown_label("total", lang)
    groups = [(total_name, rows)] if by is None else list(rows.groupby(by, sort=True))
    ref_rows = None
    if reference is not None and len(groups) > MAX_GROUPS_IN_ONE_PANEL:
        ref_rows = _overall(reference[reference["indicator"] == indicator])
        ref_rows = _hide_suppressed(ref_rows) if not ref_rows.empty else None
    if title is None:
        title = (
            str(rows["name"].dropna().iloc[0])
            if "name" in rows.columns and rows["name"].notna().any()
            else indicator
        )
    ci_name = text["ci"].format(level=f"{100 * level:g}")
    numbered = []
    if events and dates:
        from mande.notes import events_on_axis

        numbered = events_on_axis(events, dates.values())
    if len(groups) > MAX_GROUPS_IN_ONE_PANEL:
        fig = _small_multiples(
            groups, ref_rows, labels, x, factor, percent, text, total_name, ci_name
        )
        panels = len(groups)
    else:
        fig = go.Figure()
        for i, (name, g) in enumerate(groups):
            label, colour = str(name), _PALETTE[i % len(_PALETTE)]
            est, lo, hi, g = _series(g, labels, factor)
            for band in _band_traces(x, lo, hi, colour, f"{label}: {ci_name}", label):
                fig.add_trace(band)
            fig.add_trace(
                go.Scatter(
                    x=x, y=est, mode="lines+markers", name=label, legendgroup=label,
                    line={"color": colour, "width": 2}, marker={"size": 8, "color": colour},
                    text=_hover(labels, est, lo, hi, g, percent, text),
                    hovertemplate="%{text}<extra>" + label + "</extra>", connectgaps=False,
                )
            )  # fmt: skip
        panels = 1
    strip = 0
    if dates:
        span = _axis_range([*dates.values(), *(pd.Timestamp(e.date) for _, e in numbered),
                            *(pd.Timestamp(e.end) for _, e in numbered
                              if getattr(e, "end", None) is not None)])  # fmt: skip
        fig.update_xaxes(range=span)
        if panels > 1:  # a fixed range on matched x axes stops plotly.js autoranging y otherwise
            fig.update_yaxes(autorange=True)
        if numbered:  # the narrowest panel: a phone's plot shared by the columns of panels
            narrowest = _MIN_PLOT_PX / (min(_FACET_COLUMNS, panels) if panels > 1 else 1)
            strip = _add_events(fig, numbered, lang, span, panels, narrowest)
    ticktext = [str((round_names or {}).get(r, r)) for r in labels]
    if panels > 1:  # narrow panels: "May<br>2026"
        ticktext = [t.replace(" ", "<br>", 1) for t in ticktext]
    top = 40 + strip
    fig.update_layout(
        title={"text": title, "y": 1, "yref": "paper", "yanchor": "bottom",
               "pad": {"b": strip + (24 if panels > 1 else 8)}},
        template="plotly_white",
        hovermode="x unified" if panels == 1 else "closest",
        legend={"orientation": "h", "yanchor": "top", "y": -0.2 if panels == 1 else -0.1},
        margin={"t": top + (24 if panels > 1 else 0), "r": 20, "l": 60, "b": 60 if panels == 1 else 90},
    )  # fmt: skip
    if panels == 1:
        fig.update_layout(
            xaxis_title=text["round"], yaxis_title=text["percent"] if percent else text["value"]
        )
    if percent:
        fig.update_yaxes(rangemode="tozero", ticksuffix="%")
    if dates:
        fig.update_xaxes(tickvals=x, ticktext=ticktext)
    else:
        fig.update_xaxes(tickvals=x, ticktext=ticktext, type="category")
    return fig


def _overall(rows: pd.DataFrame) -> pd.DataFrame:
    """The overall rows (breakdown total/all) when the results hold breakdowns."""
    if "breakdown" in rows.columns:
        total = rows["breakdown"].isna() | rows["breakdown"].astype(str).str.lower().isin(_TOTAL)
        if total.any():
            return rows[total]
    return rows


def _hide_suppressed(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.copy()
    if "suppressed" in rows.columns:
        hidden = rows["suppressed"].fillna(False).astype(bool)
        rows.loc[hidden, ["estimate", "ci_low", "ci_high"]] = np.nan
    return rows


def _small_multiples(
    groups: list[tuple[Any, pd.DataFrame]], ref_rows: pd.DataFrame | None, labels: list[Any],
    x: list[Any], factor: float, percent: bool, text: dict[str, str], total_name: str,
    ci_name: str,
) -> go.Figure:  # fmt: skip
    """One panel per group on shared axes: the group's band and line, the overall line in grey."""
    from plotly.subplots import make_subplots

    cols = min(_FACET_COLUMNS, len(groups))
    nrows = -(-len(groups) // cols)
    fig = make_subplots(
        rows=nrows, cols=cols, shared_xaxes="all", shared_yaxes="all",
        subplot_titles=[str(name) for name, _ in groups],
        vertical_spacing=min(0.12, 0.5 / nrows), horizontal_spacing=0.04,
    )  # fmt: skip
    colour = _PALETTE[0]
    ref = _series(ref_rows, labels, factor)[0] if ref_rows is not None else None
    for i, (name, g) in enumerate(groups):
        row, col = i // cols + 1, i % cols + 1
        label = str(name)
        if ref is not None:
            fig.add_trace(
                go.Scatter(
                    x=x, y=ref, mode="lines", name=total_name, legendgroup="reference",
                    line={"color": _REFERENCE, "width": 1.5}, hoverinfo="skip",
                    showlegend=i == 0,
                ),
                row=row, col=col,
            )  # fmt: skip
        est, lo, hi, g = _series(g, labels, factor)
        for band in _band_traces(x, lo, hi, colour, f"{label}: {ci_name}", label):
            fig.add_trace(band, row=row, col=col)
        fig.add_trace(
            go.Scatter(
                x=x, y=est, mode="lines+markers", name=label, legendgroup=label,
                line={"color": colour, "width": 2}, marker={"size": 6, "color": colour},
                text=_hover(labels, est, lo, hi, g, percent, text),
                hovertemplate="%{text}<extra>" + label + "</extra>", connectgaps=False,
                showlegend=False,
            ),
            row=row, col=col,
        )  # fmt: skip
    for k in range(len(groups) + 1, nrows * cols + 1):  # no empty panel in the last row
        fig.layout[f"xaxis{k}"].visible = False
        fig.layout[f"yaxis{k}"].visible = False
        above = k - cols  # the panel above an empty one shows the round ticks
        if above >= 1:
            fig.layout[f"xaxis{above}" if above > 1 else "xaxis"].showticklabels = True
    for a in fig.layout.annotations:  # the panels' titles: the group names, left-aligned
        a.update(font={"size": 12}, xanchor="left", x=a.x - 0.5 / cols + 0.01)
    fig.update_layout(height=120 + 200 * nrows, showlegend=ref is not None)
    fig.update_yaxes(title_text=text["percent"] if percent else text["value"], col=1)
    return fig


def _axis_range(values: list[Any]) -> list[pd.Timestamp]:
    stamps = [pd.Timestamp(v) for v in values]
    low, high = min(stamps), max(stamps)
    pad = max((high - low) * 0.04, pd.Timedelta(days=15))
    return [low - pad, high + pad]


def _marker_rows(fractions: list[float], width: float) -> list[int]:
    """Rows of the event strip, greedily: each marker (centred at its fraction of the axis, boxes
    ``width`` wide in the same unit) goes to the lowest row where it overlaps no earlier marker."""
    ends: list[float] = []  # right edge of the last box in each row
    rows = []
    for f in fractions:
        left = f - width / 2
        row = next((i for i, end in enumerate(ends) if left >= end), len(ends))
        if row == len(ends):
            ends.append(left + width)
        else:
            ends[row] = left + width
        rows.append(row)
    return rows


def event_marker_boxes(
    fig: go.Figure, *, plot_px: float = _MIN_PLOT_PX
) -> list[tuple[float, float, float, float]]:
    """The boxes of a figure's event markers on a plot ``plot_px`` wide: ``(x0, x1, y0, y1)`` in
    pixels, x from the plot area's left edge, y upwards from its top edge (positive: above the
    plot area, outside the data)."""
    span = [pd.Timestamp(v) for v in fig.layout.xaxis.range]
    width = (span[1] - span[0]).total_seconds()
    boxes = []
    for a in fig.layout.annotations:
        if (a.name or "").startswith("event-") and a.xref == "x":
            centre = (pd.Timestamp(a.x) - span[0]).total_seconds() / width * plot_px
            bottom = float(a.yshift or 0)
            boxes.append(
                (centre - _MARKER_PX / 2, centre + _MARKER_PX / 2, bottom, bottom + _MARKER_PX)
            )
    return boxes


def _add_events(
    fig: go.Figure, numbered: list[tuple[int, Any]], lang: str, span: list[pd.Timestamp],
    panels: int, narrowest: float = _MIN_PLOT_PX,
) -> int:  # fmt: skip
    """Dashed lines (and spans) in every panel; numbered markers in the strip above the top row.
    Returns the strip's height in pixels."""
    names = sorted(k for k in fig.layout if k.startswith("xaxis")) or ["xaxis"]
    total = (span[1] - span[0]).total_seconds()
    fractions = [(pd.Timestamp(e.date) - span[0]).total_seconds() / total for _, e in numbered]
    rows = _marker_rows(fractions, (_MARKER_PX + _MARKER_GAP) / narrowest)
    base = 22 if panels > 1 else 4  # above the panels' titles

    def top_of(name: str) -> float:
        domain = fig.layout[name.replace("x", "y", 1)].domain
        return float(domain[1]) if domain else 1.0

    highest = max(top_of(n) for n in names)
    for name in names:
        ref = name.replace("axis", "")
        yname = ref.replace("x", "y")
        top = top_of(name)
        for (k, e), row in zip(numbered, rows, strict=True):
            when = pd.Timestamp(e.date)
            label = e.text(lang) if hasattr(e, "text") else str(getattr(e, "id", ""))
            end = getattr(e, "end", None)
            if end is not None:
                fig.add_shape(
                    type="rect", xref=ref, yref=f"{yname} domain", x0=when,
                    x1=pd.Timestamp(end), y0=0, y1=1, fillcolor="rgba(120,120,120,0.10)",
                    line={"width": 0}, layer="below",
                )  # fmt: skip
            fig.add_shape(
                type="line", xref=ref, yref=f"{yname} domain", x0=when, x1=when, y0=0, y1=1,
                line={"color": "#555555", "width": 1, "dash": "dash"},
            )  # fmt: skip
            if top < highest:
                continue
            fig.add_annotation(
                x=when, xref=ref, y=top,
                yref="paper", yanchor="bottom", yshift=base + row * _ROW_PX, text=f"<b>{k}</b>",
                showarrow=False, width=_MARKER_SIZE, height=_MARKER_SIZE,
                borderpad=_MARKER_PAD, borderwidth=1, bordercolor="#555555", bgcolor="white",
                font={"size": 11, "color": "#333333"}, hovertext=f"{k}: {label}",
                name=f"event-{k}",
            )  # fmt: skip
    return base + (max(rows) + 1) * _ROW_PX


def breakdown_figure(
    results: pd.DataFrame, *, lang: str = "en", level: float = 0.95, title: str | None = None
) -> go.Figure:
    """One round's estimates by group: horizontal bars with confidence intervals.

    ``results`` holds the rows of one indicator, one breakdown and one round (group, estimate,
    ci_low, ci_high, optionally suppressed, kind). Suppressed groups are listed without a bar.
    """
    text = _t(lang)
    for col in ("group", "estimate", "ci_low", "ci_high"):
        if col not in results.columns:
            raise EstimationError(
                f"breakdown_figure needs column {col!r}; columns present: {list(results.columns)}"
            )
    rows = results.copy()
    percent, factor = _is_percent(rows)
    hidden = (
        rows["suppressed"].fillna(False).astype(bool)
        if "suppressed" in rows.columns
        else pd.Series(False, index=rows.index)
    )
    est = factor * pd.to_numeric(rows["estimate"], errors="coerce").where(~hidden)
    lo = factor * pd.to_numeric(rows["ci_low"], errors="coerce").where(~hidden)
    hi = factor * pd.to_numeric(rows["ci_high"], errors="coerce").where(~hidden)
    names = rows["group"].astype(str).tolist()
    fig = go.Figure(
        go.Bar(
            x=est, y=names, orientation="h", marker_color=_PALETTE[0],
            error_x={"type": "data", "symmetric": False, "array": hi - est, "arrayminus": est - lo},
            text=[text["suppressed"] if h else f"{e:.0f}{'%' if percent else ''}"
                  for e, h in zip(est, hidden, strict=True)],
            # the value inside its bar, at the base: never under the interval's whisker
            textposition=["outside" if h else "inside" for h in hidden],
            insidetextanchor="start", insidetextfont={"color": "white"}, name=text["estimate"],
        )
    )  # fmt: skip
    fig.update_layout(
        title={"text": title or ""},
        xaxis_title=(text["percent"] if percent else text["value"])
        + f" ({text['ci'].format(level=f'{100 * level:g}')})",
        yaxis_title=text["group"],
        template="plotly_white",
        showlegend=False,
        margin={"t": 40 if title else 20, "r": 40, "l": 100, "b": 60},
    )
    fig.update_yaxes(autorange="reversed")
    if percent:
        fig.update_xaxes(range=[0, 105], ticksuffix="%")
    return fig


def change_figure(
    changes: pd.DataFrame, *, label: str = "indicator", lang: str = "en", title: str | None = None
) -> go.Figure:
    """Changes between two rounds (``mande.compare_rounds``): a dot with its interval per row,
    coloured by verdict (improved, deteriorated, no significant change, not compared)."""
    text = _t(lang)
    for col in ("estimate", "ci_low", "ci_high", "verdict", label):
        if col not in changes.columns:
            raise EstimationError(
                f"change_figure needs column {col!r}; columns present: {list(changes.columns)}"
            )
    rows = changes.reset_index(drop=True)
    names = rows[label].astype(str)
    if label != "group" and "group" in rows.columns and rows["group"].nunique() > 1:
        names = names + " · " + rows["group"].astype(str)
    pp = "unit" in rows.columns and rows["unit"].astype(str).str.startswith("percentage").any()
    fig = go.Figure()
    for verdict in ("improved", "deteriorated", "no_change", "not_compared"):
        sel = rows["verdict"] == verdict
        if not sel.any():
            continue
        est, lo, hi = (rows.loc[sel, c].astype(float) for c in ("estimate", "ci_low", "ci_high"))
        fig.add_trace(
            go.Scatter(
                x=est, y=names[sel], mode="markers", name=text[verdict],
                marker={"color": _VERDICT_COLOURS[verdict], "size": 10},
                error_x={"type": "data", "symmetric": False, "array": hi - est,
                         "arrayminus": est - lo},
            )
        )  # fmt: skip
    fig.add_vline(x=0, line={"color": "#333333", "width": 1})
    fig.update_layout(
        title={"text": title or ""},
        xaxis_title=text["pp"] if pp else text["units"],
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 40 if title else 20, "r": 20, "l": 140, "b": 60},
    )
    fig.update_yaxes(autorange="reversed")
    return fig


# --- figures for the dashboard's overview and partners pages ------------------------------------

_GOOD = "#1a7f5a"
_BAD = "#b3261e"
_NEUTRAL = "#5b6b7b"
_UN_BLUE = "#009edb"


def _txt(lang: str, en: str, fr: str) -> str:
    return fr if lang == "fr" else en


def plan_map(
    selection: pd.DataFrame,
    geojson: Mapping[str, Any],
    mission: Any = None,
    *,
    strata: str = "region",
    title: str = "",
    lang: str = "en",
) -> go.Figure:
    """The villages a round's plan draws, on the mission's own region polygons.

    ``selection`` is :func:`mande.select_psus`'s frame (``selected``, ``certainty``,
    ``replacement``) with ``lon`` and ``lat`` for each village (and ``village``, ``admin2``,
    ``psu`` for the hover text when present). The frame's other villages are light grey dots; the
    drawn villages blue (a diamond when taken with certainty); replacements orange rings. Each
    region is labelled with its number of drawn villages. The map is filled shapes on plain axes:
    no tile server, no map data from the internet.
    """
    names = {r.pcode: r.label(lang) for r in getattr(mission, "regions", ()) or ()}
    counts = (
        selection.loc[selection["selected"].astype(bool)].groupby(strata).size().to_dict()
        if strata in selection.columns
        else {}
    )
    villages_word = _txt(lang, "villages", "villages")
    fig = go.Figure()
    lats: list[float] = []
    for feature in geojson.get("features", []):
        pcode = feature.get("properties", {}).get("pcode")
        name = names.get(pcode, str(pcode))
        for ring in _outer_rings(feature.get("geometry") or {}):
            xs = [float(p[0]) for p in ring]
            ys = [float(p[1]) for p in ring]
            lats.extend(ys)
            fig.add_trace(
                go.Scatter(
                    x=xs, y=ys, fill="toself", fillcolor="#f2f2f2", mode="lines",
                    line={"color": "#9e9e9e", "width": 1.5}, hoverinfo="text", hoveron="fills",
                    text=f"<b>{name}</b><br>{counts.get(pcode, 0)} {villages_word}",
                    showlegend=False, name=name,
                )
            )  # fmt: skip
        lon, lat = _centroid(feature.get("geometry") or {})
        if lon is not None:
            fig.add_trace(
                go.Scatter(
                    x=[lon], y=[lat], mode="text", hoverinfo="skip", showlegend=False,
                    text=[f"{name}<br><b>{counts.get(pcode, 0)}</b>"],
                    textfont={"size": 11, "color": "#5a5a5a"},
                )
            )  # fmt: skip
    if {"lon", "lat"} <= set(selection.columns):
        sel = selection.assign(
            lon=pd.to_numeric(selection["lon"], errors="coerce"),
            lat=pd.to_numeric(selection["lat"], errors="coerce"),
        ).dropna(subset=["lon", "lat"])
        chosen = sel["selected"].astype(bool)
        certain = sel["certainty"].astype(bool) & chosen
        spare = sel["replacement"].astype(bool)

        def hover(rows: pd.DataFrame) -> list[str]:
            parts = [rows[c].astype(str) for c in ("village", "psu", "admin2") if c in rows]
            if not parts:
                return [""] * len(rows)
            text = parts[0].map(lambda v: f"<b>{v}</b>")
            for part in parts[1:]:
                text = text + "<br>" + part
            return text.tolist()

        layers = (
            (~chosen & ~spare, _txt(lang, "Other villages", "Autres villages"),
             {"size": 3, "color": "#bdbdbd"}),
            (chosen & ~certain, _txt(lang, "Drawn", "Tirés"),
             {"size": 8, "color": "#009edb", "line": {"color": "white", "width": 0.5}}),
            (certain, _txt(lang, "Drawn with certainty", "Retenus d'office"),
             {"size": 11, "color": "#005a8c", "symbol": "diamond"}),
            (spare, _txt(lang, "Replacements", "Remplacements"),
             {"size": 9, "color": "rgba(0,0,0,0)", "line": {"color": "#f58220", "width": 2}}),
        )  # fmt: skip
        for mask, label, marker in layers:
            rows = sel[mask]
            if rows.empty:
                continue
            fig.add_trace(
                go.Scatter(
                    x=rows["lon"], y=rows["lat"], mode="markers", name=label, marker=marker,
                    text=hover(rows), hoverinfo="text" if len(rows) < 5000 else "skip",
                )
            )  # fmt: skip
    mid_lat = (min(lats) + max(lats)) / 2 if lats else 0.0
    fig.update_xaxes(visible=False)
    fig.update_yaxes(
        visible=False, scaleanchor="x", scaleratio=1 / max(np.cos(np.radians(mid_lat)), 0.2)
    )
    fig.update_layout(
        title=title,
        margin={"l": 0, "r": 0, "t": 40 if title else 10, "b": 0},
        height=520,
        plot_bgcolor="white",
        hoverlabel={"bgcolor": "white"},
        legend={"orientation": "h", "y": -0.02},
    )
    return fig


def _outer_rings(geometry: Mapping[str, Any]) -> list[Any]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "Polygon" and coords:
        return [coords[0]]
    if kind == "MultiPolygon":
        return [poly[0] for poly in coords if poly]
    return []


def _centroid(geometry: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """Mean of the outer ring's vertices (good enough to place a label in a simple polygon)."""
    coords = geometry.get("coordinates") or []
    kind = geometry.get("type")
    ring: list[Any] = []
    if kind == "Polygon" and coords:
        ring = coords[0]
    elif kind == "MultiPolygon" and coords:
        ring = max((poly[0] for poly in coords), key=len)
    if not ring:
        return None, None
    lon = sum(p[0] for p in ring) / len(ring)
    lat = sum(p[1] for p in ring) / len(ring)
    return lon, lat


def model_trend_figure(trends: Any, *, lang: str = "en") -> go.Figure:
    """The Trends page's chart: each round's estimate with its CI, and the model-based line with
    its confidence band (a band only: no markers), on a fixed 0-100 scale for a proportion.

    ``trends`` is a :class:`mande.indicator_trends.IndicatorTrends`; a dashed line marks its event.
    """
    rows = trends.rounds
    x = list(rows["label"])
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x + x[::-1],
            y=list(rows["fit_high"]) + list(rows["fit_low"])[::-1],
            fill="toself", fillcolor=_rgba("#0072B2", 0.15), line={"width": 0},
            mode="lines", hoverinfo="skip", showlegend=True,
            name=_txt(lang, "Model: 95% CI", "Modèle : IC à 95 %"),
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=x, y=rows["fit"], mode="lines", line={"color": "#0072B2", "width": 2},
            name=_txt(lang, "Linear trend (model)", "Tendance linéaire (modèle)"),
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=x, y=rows["estimate"], mode="markers", marker={"color": "#D55E00", "size": 9},
            error_y={
                "type": "data", "symmetric": False,
                "array": rows["ci_high"] - rows["estimate"],
                "arrayminus": rows["estimate"] - rows["ci_low"], "color": "#D55E00",
            },
            customdata=np.stack([rows["n"], rows["ci_low"], rows["ci_high"]], axis=-1),
            hovertemplate="%{x}: %{y:.1f} (%{customdata[1]:.1f} to %{customdata[2]:.1f}),"
            " n = %{customdata[0]}<extra></extra>",
            name=_txt(lang, "Survey round (95% CI)", "Enquête (IC à 95 %)"),
        )
    )  # fmt: skip
    event = trends.event
    if event is not None:
        after = rows[rows["date"] >= event.date]
        if not after.empty and len(after) < len(rows):
            pos = float(after["t"].iloc[0]) - 0.5
            fig.add_vline(x=pos, line={"dash": "dash", "color": "#555"})
            fig.add_annotation(
                x=pos, y=1.02, yref="paper", text=event.label.get(lang, event.id),
                showarrow=False, xanchor="left", yanchor="bottom", font={"size": 11},
            )  # fmt: skip
    unit = "%" if trends.unit == "pp" else ""
    fig.update_layout(
        title=trends.name, margin={"t": 60, "b": 40, "l": 40, "r": 10}, height=380,
        legend={"orientation": "h", "y": -0.15}, yaxis={"title": unit},
    )  # fmt: skip
    if trends.unit == "pp":
        fig.update_yaxes(range=[0, 100])
    return fig


def slopes_figure(slopes: pd.DataFrame, *, lang: str = "en") -> go.Figure:
    """Average change per round overall and by region: a point and its CI per row (points per
    round), coloured by verdict with a colour-blind-safe palette."""
    colours = {"improved": "#0072B2", "deteriorated": "#D55E00"}
    rows = slopes.iloc[::-1]
    labels = [
        _txt(lang, "All regions", "Toutes les régions") if b in ("all", "total") else str(g)
        for b, g in zip(rows["breakdown"], rows["group"], strict=True)
    ]
    fig = go.Figure(
        go.Scatter(
            x=rows["estimate"], y=labels, mode="markers",
            marker={"size": 10, "color": [colours.get(v, "#777") for v in rows["verdict"]]},
            error_x={
                "type": "data", "symmetric": False, "array": rows["ci_high"] - rows["estimate"],
                "arrayminus": rows["estimate"] - rows["ci_low"], "color": "#444",
            },
            hovertemplate="%{y}: %{x:.1f}<extra></extra>", showlegend=False,
        )
    )  # fmt: skip
    fig.add_vline(x=0, line={"color": "#999"})
    fig.update_layout(
        height=80 + 34 * len(rows), margin={"t": 30, "b": 40, "l": 10, "r": 10},
        xaxis={"title": _txt(lang, "Points per round (95% CI)", "Points par enquête (IC à 95 %)")},
    )  # fmt: skip
    return fig


def _finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def sparkline_svg(
    history: Sequence[Any],
    ci_low: Sequence[Any] | None = None,
    ci_high: Sequence[Any] | None = None,
    *,
    lo: float = 0.0,
    hi: float = 100.0,
    width: int = 200,
    height: int = 36,
    label: str = "",
    colour: str = "#009edb",
) -> str:
    """A small trend line on a fixed scale, with its confidence band, as an inline SVG string.

    Parameters
    ----------
    history:
        One value per round, in display units (per cent for a proportion), oldest first; None or
        NaN where a round has no estimate (or it is suppressed): the line and band break there.
    ci_low, ci_high:
        The confidence bounds of each round, same length and units as ``history`` (optional).
    lo, hi:
        The fixed vertical scale: ``lo`` at the bottom edge, ``hi`` at the top (0-100 for per
        cents; a mean's scale range for means). Values outside are clipped to the frame. A fixed
        scale keeps a 5-point fall 5 per cent of the height on every card, where an auto-scaled
        line would stretch it to the full height.
    width, height:
        Size in CSS pixels; the drawing scales with its container (``viewBox``).
    label:
        Accessible name (``<title>`` and ``aria-label``), such as "Safe after dark, 4 rounds:
        52% to 58%"; escaped.
    colour:
        Line and band colour (a CSS colour; escaped).

    Returns
    -------
    str
        ``<svg ...>`` with a light frame showing the scale (and a faint line at its middle), the
        band (one polygon per run of rounds with bounds), the line (one polyline per run of
        rounds with values) and a dot on the latest value. Nothing else: no script, no external reference.
    """
    from html import escape

    if not hi > lo:
        raise EstimationError(
            f"sparkline scale lo={lo!r}, hi={hi!r}: expected lo < hi, such as lo=0, hi=100"
        )
    values = [_finite(v) for v in history]
    lows = [_finite(v) for v in ci_low] if ci_low is not None else [None] * len(values)
    highs = [_finite(v) for v in ci_high] if ci_high is not None else [None] * len(values)
    if not len(lows) == len(highs) == len(values):
        raise EstimationError(
            f"sparkline: {len(values)} values, {len(lows)} lower and {len(highs)} upper bounds; "
            "expected one bound of each per value"
        )
    count = len(values)

    def x(i: int) -> float:
        return width / 2 if count < 2 else 3 + i * (width - 6) / (count - 1)

    def y(v: float) -> float:
        return (hi - min(max(v, lo), hi)) / (hi - lo) * height

    col = escape(colour, quote=True)
    name = escape(label, quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mande-spark" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
        f'role="img" aria-label="{name}" overflow="visible">',
        f"<title>{name}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f3f5f7" />',
        f'<line class="mid" x1="0" x2="{width}" y1="{_num(height / 2)}" y2="{_num(height / 2)}" '
        'stroke="#dde1e6" stroke-width="1" vector-effect="non-scaling-stroke" />',
    ]

    def pt(i: int, v: float | None) -> str:
        return f"{_num(x(i))},{_num(y(v if v is not None else lo))}"

    band_ok = np.array([a is not None and b is not None for a, b in zip(lows, highs, strict=True)])
    for run in _runs(band_ok):
        idx = [int(i) for i in run]
        if len(idx) < 2:
            top, bottom = pt(idx[0], highs[idx[0]]), pt(idx[0], lows[idx[0]])
            (x1, y1), (x2, y2) = top.split(","), bottom.split(",")
            parts.append(
                f'<line class="band" x1="{x1}" x2="{x2}" y1="{y1}" y2="{y2}" stroke="{col}" '
                'stroke-opacity="0.25" stroke-width="4" />'
            )
            continue
        ring = [pt(i, highs[i]) for i in idx] + [pt(i, lows[i]) for i in idx[::-1]]
        parts.append(
            f'<polygon class="band" points="{" ".join(ring)}" fill="{col}" '
            'fill-opacity="0.22" stroke="none" />'
        )
    for run in _runs(np.array([v is not None for v in values])):
        if len(run) > 1:
            pts = " ".join(pt(int(i), values[int(i)]) for i in run)
            parts.append(
                f'<polyline class="line" points="{pts}" fill="none" stroke="{col}" '
                'stroke-width="2" stroke-linejoin="round" stroke-linecap="round" '
                'vector-effect="non-scaling-stroke" />'
            )
    last = next((i for i in range(count - 1, -1, -1) if values[i] is not None), None)
    if last is not None:
        cx, cy = pt(last, values[last]).split(",")
        parts.append(f'<circle class="last" cx="{cx}" cy="{cy}" r="2.5" fill="{col}" />')
    parts.append("</svg>")
    return "".join(parts)
