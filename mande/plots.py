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
    "dimensions_figure",
    "plan_map",
    "positions_figure",
    "region_map",
    "rqi_heatmap",
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


def trend_figure(
    results: pd.DataFrame,
    indicator: str,
    by: str | None = None,
    events: Iterable[Any] | None = None,
    *,
    order: Sequence[Any] | None = None,
    round_dates: dict[Any, Any] | None = None,
    lang: str = "en",
    level: float = 0.95,
    title: str | None = None,
) -> go.Figure:
    """An indicator across rounds: one line per group with its confidence band, and event markers.

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
        Mission events (``mande.load_mission(...).events``): a vertical dashed line at each event's
        date with its label, and a shaded span for events with an end date. Events are placed
        only when the rounds have dates (labels such as ``"2024-11"`` or ``round_dates``).
    order:
        Round labels in time order (default: sorted).
    round_dates:
        ``{round: date}`` to place rounds on a time axis.
    lang:
        ``"en"`` or ``"fr"``.
    level:
        The confidence level of ``ci_low``/``ci_high``, for the legend.
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
    if by is None and "breakdown" in rows.columns:
        total = rows["breakdown"].isna() | rows["breakdown"].astype(str).str.lower().isin(_TOTAL)
        if total.any():
            rows = rows[total]
    percent, factor = _is_percent(rows)
    labels = list(order) if order is not None else sorted(rows["round"].dropna().unique(), key=str)
    labels = [r for r in labels if r in set(rows["round"])]
    dates = _round_dates(labels, round_dates)
    xpos = {r: dates[r] for r in labels} if dates else {r: str(r) for r in labels}
    if "suppressed" in rows.columns:
        hidden = rows["suppressed"].fillna(False).astype(bool)
        rows.loc[hidden, ["estimate", "ci_low", "ci_high"]] = np.nan
    from mande.indicators.items import standard_items

    total_name = standard_items().breakdown_label("total", lang)
    groups = [(total_name, rows)] if by is None else list(rows.groupby(by, sort=True))
    fig = go.Figure()
    ci_name = text["ci"].format(level=f"{100 * level:g}")
    for i, (name, g) in enumerate(groups):
        label = str(name)
        colour = _PALETTE[i % len(_PALETTE)]
        g = g.set_index("round").reindex(labels)
        x = [xpos[r] for r in labels]
        est = factor * pd.to_numeric(g["estimate"], errors="coerce").to_numpy(dtype=float)
        lo = factor * pd.to_numeric(g["ci_low"], errors="coerce").to_numpy(dtype=float)
        hi = factor * pd.to_numeric(g["ci_high"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(lo) & np.isfinite(hi)
        for seg in _runs(ok):  # one band per run of rounds with an interval: gaps stay gaps
            bx, by_ = _band([x[j] for j in seg], lo[seg], hi[seg])
            fig.add_trace(
                go.Scatter(
                    x=bx, y=by_, fill="toself", fillcolor=_rgba(colour, 0.18),
                    line={"width": 0}, hoverinfo="skip", name=f"{label}: {ci_name}",
                    legendgroup=label, showlegend=False,
                )
            )  # fmt: skip
        n = g["n"].to_numpy() if "n" in g.columns else [None] * len(labels)
        hover = [
            f"{r}: {e:.1f}{'%' if percent else ''} [{a:.1f}; {b:.1f}]" + (f", n = {k}" if k else "")
            if np.isfinite(e)
            else f"{r}: {text['suppressed']}"
            for r, e, a, b, k in zip(labels, est, lo, hi, n, strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=x, y=est, mode="lines+markers", name=label, legendgroup=label,
                line={"color": colour, "width": 2}, marker={"size": 8}, text=hover,
                hovertemplate="%{text}<extra>" + label + "</extra>", connectgaps=False,
            )
        )  # fmt: skip
    if events and dates:
        _add_events(fig, list(events), lang)
    if title is None:
        title = (
            str(rows["name"].dropna().iloc[0])
            if "name" in rows.columns and rows["name"].notna().any()
            else indicator
        )
    fig.update_layout(
        title={"text": title},
        xaxis_title=text["round"],
        yaxis_title=text["percent"] if percent else text["value"],
        template="plotly_white",
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 60, "r": 20, "l": 60, "b": 60},
    )
    if percent:
        fig.update_yaxes(rangemode="tozero", ticksuffix="%")
    if dates:
        fig.update_xaxes(tickvals=[xpos[r] for r in labels], ticktext=[str(r) for r in labels])
    return fig


def _add_events(fig: go.Figure, events: list[Any], lang: str) -> None:
    for e in events:
        when = pd.Timestamp(e.date)
        label = e.text(lang) if hasattr(e, "text") else str(getattr(e, "id", ""))
        end = getattr(e, "end", None)
        if end is not None:
            fig.add_shape(
                type="rect", xref="x", yref="paper", x0=when, x1=pd.Timestamp(end), y0=0, y1=1,
                fillcolor="rgba(120,120,120,0.10)", line={"width": 0}, layer="below",
            )  # fmt: skip
        fig.add_shape(
            type="line", xref="x", yref="paper", x0=when, x1=when, y0=0, y1=1,
            line={"color": "#555555", "width": 1, "dash": "dash"},
        )  # fmt: skip
        fig.add_annotation(
            x=when, y=1, xref="x", yref="paper", text=_wrap(label), showarrow=False,
            xanchor="left", yanchor="top", align="left", font={"size": 10, "color": "#555555"},
        )  # fmt: skip


def _wrap(label: str, width: int = 28) -> str:
    words, lines, line = label.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)


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
            textposition="outside", name=text["estimate"],
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


def region_map(
    values: pd.DataFrame,
    geojson: Mapping[str, Any],
    mission: Any,
    *,
    title: str = "",
    lang: str = "en",
) -> go.Figure:
    """An indicator by region (admin 1), drawn from the mission's own GeoJSON polygons.

    ``values`` has ``region`` (p-code), ``estimate`` (0-1 for proportions), ``ci_low``,
    ``ci_high``, ``n`` and ``suppressed``. Suppressed regions are drawn grey with a hatch-free
    light fill and say so on hover. The map is drawn as filled shapes on plain axes (longitude,
    latitude with the aspect corrected for the latitude): no tile server, no map data from the
    internet, so it works on an isolated mission network.
    """
    from plotly.colors import sample_colorscale

    frame = values.copy()
    names = {r.pcode: r.label(lang) for r in getattr(mission, "regions", ())}
    by_region = frame.set_index("region") if "region" in frame.columns else pd.DataFrame()
    fig = go.Figure()
    lats: list[float] = []
    for feature in geojson.get("features", []):
        pcode = feature.get("properties", {}).get("pcode")
        name = names.get(pcode, str(pcode))
        rec: pd.Series = (
            by_region.loc[pcode] if pcode in by_region.index else pd.Series({"estimate": np.nan})
        )
        hidden = bool(rec.get("suppressed", False)) or pd.isna(rec["estimate"])
        if hidden:
            colour = "#d9d9d9"
            hover = f"<b>{name}</b><br>" + _txt(
                lang, "suppressed (n too small)", "masqué (effectif trop faible)"
            )
            label = name
        else:
            pct = float(rec["estimate"]) * 100
            colour = sample_colorscale("Blues", [0.15 + 0.85 * min(max(pct, 0), 100) / 100])[0]
            hover = (
                f"<b>{name}</b><br>{pct:.1f}% ({float(rec['ci_low']) * 100:.1f}–"
                f"{float(rec['ci_high']) * 100:.1f})<br>n = {int(rec['n'])}"
            )
            label = f"{name}<br><b>{pct:.0f}%</b>"
        for ring in _outer_rings(feature.get("geometry") or {}):
            xs = [float(p[0]) for p in ring]
            ys = [float(p[1]) for p in ring]
            lats.extend(ys)
            fig.add_trace(
                go.Scatter(
                    x=xs, y=ys, fill="toself", fillcolor=colour, mode="lines",
                    line={"color": "white", "width": 2}, hoverinfo="text", hoveron="fills",
                    text=hover, showlegend=False, name=name,
                )
            )  # fmt: skip
        lon, lat = _centroid(feature.get("geometry") or {})
        if lon is not None:
            dark = not hidden and float(rec["estimate"]) > 0.55
            fig.add_trace(
                go.Scatter(
                    x=[lon], y=[lat], text=[label], mode="text", hoverinfo="skip",
                    textfont={"size": 12, "color": "white" if dark else "#1b1b1b"},
                    showlegend=False,
                )
            )  # fmt: skip
    # the colour scale, as a colour bar on an invisible point
    fig.add_trace(
        go.Scatter(
            x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False,
            marker={
                "colorscale": [
                    [i / 10, sample_colorscale("Blues", [0.15 + 0.85 * i / 10])[0]]
                    for i in range(11)
                ],
                "cmin": 0, "cmax": 100, "color": [0], "showscale": True,
                "colorbar": {"title": "%", "thickness": 12},
            },
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
        height=480,
        plot_bgcolor="white",
        hoverlabel={"bgcolor": "white"},
    )
    return fig


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
    region is labelled with its number of drawn villages. Like :func:`region_map`, the map is
    filled shapes on plain axes: no tile server, no map data from the internet.
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


def rqi_heatmap(rqi: pd.DataFrame, *, lang: str = "en") -> go.Figure:
    """Relationship-quality index (0-100) by partner type (rows) and period (columns).

    A cell flagged ``small`` (fewer partners or interviews than the reporting policy asks) shows
    its value in brackets, "(48)", with a note on hover: it is shown for information, not compared.
    """
    pivot = rqi.pivot_table(index="partner_type", columns="period", values="rqi", aggfunc="first")
    small = (
        rqi.assign(small=rqi["small"].fillna(False).astype(bool))
        .pivot_table(index="partner_type", columns="period", values="small", aggfunc="first")
        .reindex(index=pivot.index, columns=pivot.columns)
        .fillna(False)
        .astype(bool)
        .to_numpy()
        if "small" in rqi.columns
        else np.zeros(pivot.shape, dtype=bool)
    )
    labels = _partner_labels(pivot.index, lang)
    note = _txt(lang, "small numbers: not compared", "petits effectifs : non comparé")
    values = pivot.to_numpy()
    text = [
        [
            "" if pd.isna(v) else (f"({v:.0f})" if f else f"{v:.0f}")
            for v, f in zip(row, flags, strict=True)
        ]
        for row, flags in zip(values, small, strict=True)
    ]
    hover = [[note if f else "" for f in flags] for flags in small]
    fig = go.Figure(
        go.Heatmap(
            z=values, x=[str(c) for c in pivot.columns], y=labels,
            colorscale="RdYlGn", zmin=0, zmax=100, text=text, customdata=hover,
            texttemplate="%{text}", hovertemplate="%{y} · %{x}: %{z:.1f} %{customdata}<extra></extra>",
            colorbar={"title": "RQI", "thickness": 12},
        )
    )  # fmt: skip
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 40}, height=60 + 36 * len(pivot))
    return fig


def dimensions_figure(quality: pd.DataFrame, *, lang: str = "en") -> go.Figure:
    """Mean score (1-5) of each rubric dimension, one group of bars per partner type."""
    from mande.partners.rubric import load_rubric

    rubric = load_rubric()
    dims = [d for d in rubric.dimensions.values() if d.code in quality.columns]
    fig = go.Figure()
    labels = _partner_labels(quality["partner_type"], lang)
    for d in dims:
        fig.add_trace(go.Bar(name=d.label(lang), y=labels, x=quality[d.code], orientation="h"))
    fig.update_layout(
        barmode="group", xaxis={"range": [1, 5], "title": "1–5"}, legend={"orientation": "h", "y": -0.15},
        margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=140 + 22 * len(quality) * max(1, len(dims)) // 2,
    )  # fmt: skip
    return fig


def positions_figure(quality: pd.DataFrame, *, lang: str = "en") -> go.Figure:
    """Position on the coercion (1) - cooperation (5) continuum by partner type, one line per
    partner type across periods."""
    fig = go.Figure()
    for ptype, g in quality.groupby("partner_type", sort=True):
        g = g.sort_values("period")
        fig.add_trace(
            go.Scatter(
                x=g["period"].astype(str), y=g["coercion_cooperation"], mode="lines+markers",
                name=_partner_labels([ptype], lang)[0],
            )
        )  # fmt: skip
    fig.update_layout(
        yaxis={"range": [1, 5], "title": _txt(lang, "coercion ← → cooperation", "coercition ← → coopération")},
        legend={"orientation": "h", "y": -0.2}, margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=420,
    )  # fmt: skip
    return fig


def _partner_labels(codes: Any, lang: str) -> list[str]:
    from mande.partners.rubric import load_rubric

    types = load_rubric().partner_types
    return [str(types[c].get(lang, c)) if c in types else str(c) for c in codes]
