"""Plotly figure builders shared by the dashboard and the report.

Every function is pure: a tidy DataFrame (and options) in, a ``plotly.graph_objects.Figure`` out.
Nothing here computes a statistic; figures draw what :func:`mande.compute_indicators`,
:func:`mande.compare_rounds` and :func:`mande.linear_trends` return. Labels come in English
(``lang="en"``) or French (``lang="fr"``). The Indicator explorer's trend and breakdown are drawn
as inline SVG by :mod:`mande.charts.trends`, without a chart library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mande.draw import finite, num, runs
from mande.errors import EstimationError

__all__ = [
    "plan_map",
    "sparkline_svg",
]


def _rgba(colour: str, alpha: float) -> str:
    c = colour.lstrip("#")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


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
    values = [finite(v) for v in history]
    lows = [finite(v) for v in ci_low] if ci_low is not None else [None] * len(values)
    highs = [finite(v) for v in ci_high] if ci_high is not None else [None] * len(values)
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
        f'<line class="mid" x1="0" x2="{width}" y1="{num(height / 2)}" y2="{num(height / 2)}" '
        'stroke="#dde1e6" stroke-width="1" vector-effect="non-scaling-stroke" />',
    ]

    def pt(i: int, v: float | None) -> str:
        return f"{num(x(i))},{num(y(v if v is not None else lo))}"

    band_ok = [a is not None and b is not None for a, b in zip(lows, highs, strict=True)]
    for run in runs(band_ok):
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
    for run in runs([v is not None for v in values]):
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
