"""Figures of the footprint page and annex: the map (bases, activity and perceptions by area) and
the duration-of-presence curve. Plotly, drawn from the mission's own polygons on plain axes (no
tile server), as :func:`mande.plots.region_map`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mande.footprint.data import DEPLOYMENT_TYPES

__all__ = ["LAYERS", "duration_figure", "footprint_map"]

LAYERS: dict[str, dict[str, str]] = {
    "perception": {"en": "Perception (% favourable)", "fr": "Perception (% favorable)"},
    "patrols_per_1000": {"en": "Patrols per 1,000 adults", "fr": "Patrouilles pour 1 000 adultes"},
    "meetings_per_1000": {
        "en": "Meetings per 1,000 adults", "fr": "Réunions pour 1 000 adultes",
    },
    "years_present": {"en": "Years of presence", "fr": "Années de présence"},
}  # fmt: skip
_MARKERS = {"hq": "star", "base": "square", "temporary_base": "triangle-up", "team_site": "circle",
            "police_post": "diamond"}  # fmt: skip


def _t(lang: str, en: str, fr: str) -> str:
    return fr if lang == "fr" else en


def _rings(geometry: Mapping[str, Any]) -> list[Any]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon" and coords:
        return [coords[0]]
    if kind == "MultiPolygon":
        return [p[0] for p in coords if p]
    return []


def footprint_map(
    geojson: Mapping[str, Any],
    areas: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    layer: Literal["perception", "patrols_per_1000", "meetings_per_1000", "years_present"] = (
        "perception"
    ),
    names: Mapping[str, str] | None = None,
    title: str = "",
    lang: str = "en",
) -> go.Figure:
    """The mission's areas filled by one layer, with the sites open at the round's mid-fieldwork.

    Parameters
    ----------
    areas:
        One row per area (``pcode``) with the layer's column (``perception``: 0-1) and, for the
        hover, ``patrols``, ``meetings``, ``years_present``, ``base_present``.
    sites:
        Placed deployments (``site``, ``type``, ``longitude``, ``latitude``, ``troops``).
    """
    from plotly.colors import sample_colorscale

    names = dict(names or {})
    by = areas.set_index("pcode") if "pcode" in areas.columns else pd.DataFrame()
    values = pd.to_numeric(by.get(layer, pd.Series(dtype=float)), errors="coerce")
    scale = "Blues" if layer == "perception" else "Oranges"
    top = (
        1.0
        if layer == "perception"
        else max(float(values.max()) if values.notna().any() else 1.0, 1e-9)
    )
    fig = go.Figure()
    lats: list[float] = []
    for feature in geojson.get("features", []):
        pcode = (feature.get("properties") or {}).get("pcode")
        name = names.get(str(pcode), str(pcode))
        v = float(values.get(pcode, np.nan)) if pcode in values.index else np.nan
        if np.isnan(v):
            colour, shown = "#d9d9d9", _t(lang, "no data", "pas de données")
        else:
            colour = sample_colorscale(scale, [0.15 + 0.85 * min(max(v / top, 0), 1)])[0]
            shown = f"{v * 100:.0f}%" if layer == "perception" else f"{v:.1f}"
        rec = by.loc[pcode] if pcode in by.index else pd.Series(dtype=object)
        hover = (
            f"<b>{name}</b><br>{LAYERS[layer][lang if lang in ('en', 'fr') else 'en']}: {shown}"
            + (
                f"<br>{_t(lang, 'patrols', 'patrouilles')}: {int(rec['patrols'])}, "
                f"{_t(lang, 'meetings', 'réunions')}: {int(rec['meetings'])}"
                if "patrols" in rec.index else ""
            )
            + (
                f"<br>{_t(lang, 'years of presence', 'années de présence')}: "
                f"{float(rec['years_present']):.1f}"
                if "years_present" in rec.index else ""
            )
        )  # fmt: skip
        for ring in _rings(feature.get("geometry") or {}):
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
    for kind, group in sites.groupby("type", sort=False):
        label = DEPLOYMENT_TYPES.get(str(kind), {}).get(lang, str(kind))
        troops = pd.to_numeric(
            group["troops"] if "troops" in group else pd.Series(0, index=group.index),
            errors="coerce",
        ).fillna(0)
        fig.add_trace(
            go.Scatter(
                x=group["longitude"], y=group["latitude"], mode="markers", name=label,
                marker={"symbol": _MARKERS.get(str(kind), "circle"), "size": 12,
                        "color": "#1b1b1b", "line": {"color": "white", "width": 1}},
                text=[f"<b>{s}</b><br>{label}<br>{_t(lang, 'troops', 'troupes')}: {int(n)}"
                      for s, n in zip(group["site"], troops, strict=True)],
                hoverinfo="text",
            )
        )  # fmt: skip
    mid = (min(lats) + max(lats)) / 2 if lats else 0.0
    fig.update_xaxes(visible=False)
    fig.update_yaxes(
        visible=False, scaleanchor="x", scaleratio=1 / max(np.cos(np.radians(mid)), 0.2)
    )
    fig.update_layout(
        title=title, height=480, plot_bgcolor="white", hoverlabel={"bgcolor": "white"},
        margin={"l": 0, "r": 0, "t": 40 if title else 10, "b": 0},
        legend={"orientation": "h", "y": -0.02},
    )  # fmt: skip
    return fig


def duration_figure(curve: pd.DataFrame, *, title: str = "", lang: str = "en") -> go.Figure:
    """The duration-of-presence curve with its confidence band (proportions in per cent)."""
    x = curve["years"].to_numpy(dtype=float)
    pct = bool(curve["estimate"].between(0, 1).all())
    k = 100.0 if pct else 1.0
    lo, hi, est = (curve[c].to_numpy(dtype=float) * k for c in ("ci_low", "ci_high", "estimate"))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([x, x[::-1]]), y=np.concatenate([hi, lo[::-1]]), fill="toself",
            fillcolor="rgba(0,158,219,0.18)", line={"width": 0}, hoverinfo="skip",
            name=_t(lang, "95 % confidence interval", "intervalle de confiance à 95 %"),
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=x, y=est, mode="lines", line={"color": "#009edb", "width": 3},
            name=_t(lang, "estimate", "estimation"),
            hovertemplate="%{x:.2f}: %{y:.1f}" + ("%" if pct else "") + "<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        title=title, height=380, plot_bgcolor="white", margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={"title": _t(lang, "years of presence in the area", "années de présence dans la zone"),
               "gridcolor": "#eeeeee"},
        yaxis={"title": "%" if pct else "", "gridcolor": "#eeeeee",
               "range": [0, 100] if pct else None},
        legend={"orientation": "h", "y": -0.25},
    )  # fmt: skip
    return fig
