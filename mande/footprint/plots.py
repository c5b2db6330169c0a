"""Figures of the footprint page: the map (bases, activity and perceptions by area), an SVG drawn on
the server by the Overview map's drawer (:func:`mande.charts.maps.choropleth`) from the mission's
own polygons (no tile server), and the duration-of-presence curve (Plotly)."""

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
_MARKERS = {"hq": "star", "base": "square", "temporary_base": "triangle", "team_site": "circle",
            "police_post": "diamond"}  # fmt: skip


def _t(lang: str, en: str, fr: str) -> str:
    return fr if lang == "fr" else en


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
) -> str:
    """The mission's areas filled by one layer, with the sites open at the round's mid-fieldwork,
    as an SVG map in a ``<figure data-chart="fp_map">`` (drawn by
    :func:`mande.charts.maps.choropleth`, the Overview map's drawer).

    Perception is drawn on its fixed 0-100 scale; activity and years of presence from 0 to the
    largest area's value, which the legend states. An area without a value is plain grey.

    Parameters
    ----------
    areas:
        One row per area (``pcode``) with the layer's column (``perception``: 0-1) and, for the
        tooltip, ``patrols``, ``meetings``, ``years_present``, ``base_present``.
    sites:
        Placed deployments (``site``, ``type``, ``longitude``, ``latitude``, ``troops``).
    """
    from mande import draw
    from mande.charts import maps
    from mande.report.style import number

    names = dict(names or {})
    by = (
        areas.drop_duplicates("pcode").set_index("pcode")
        if "pcode" in areas.columns
        else (pd.DataFrame())
    )
    values = pd.to_numeric(by.get(layer, pd.Series(dtype=float)), errors="coerce")
    perception = layer == "perception"
    top = 1.0 if perception else max(float(values.max()) if values.notna().any() else 1.0, 1e-9)
    pct = "\u202f%" if lang == "fr" else "%"
    layer_name = LAYERS[layer][lang if lang in ("en", "fr") else "en"]
    colon = " : " if lang == "fr" else ": "

    def shown(v: float) -> str:
        return f"{number(v * 100, lang, 0)}{pct}" if perception else number(v, lang, 1)

    drawn: list[maps.Area] = []
    missing = False
    for feature in geojson.get("features") or []:
        if not isinstance(feature, Mapping):
            continue
        pcode = str((feature.get("properties") or {}).get("pcode"))
        name = names.get(pcode, pcode)
        v = float(values.get(pcode, np.nan)) if pcode in values.index else np.nan
        rec: dict[Any, Any] = by.loc[pcode].to_dict() if pcode in by.index else {}
        lines = [name]
        if np.isnan(v):
            missing = True
            fill, figure = maps.NO_DATA, ""
            lines.append(f"{layer_name}{colon}{_t(lang, 'no data', 'pas de données')}")
        else:
            fill, figure = draw.sequential(v / top), shown(v)
            lines.append(f"{layer_name}{colon}{figure}")
        if pd.notna(rec.get("patrols")) and pd.notna(rec.get("meetings")):
            lines.append(
                f"{_t(lang, 'patrols', 'patrouilles')}{colon}{int(rec['patrols'])}, "
                f"{_t(lang, 'meetings', 'réunions')}{colon}{int(rec['meetings'])}"
            )
        if pd.notna(rec.get("years_present")):
            lines.append(
                f"{_t(lang, 'years of presence', 'années de présence')}{colon}"
                f"{number(float(rec['years_present']), lang, 1)}"
            )
        drawn.append(
            maps.Area(pcode, feature.get("geometry") or {}, fill, "\n".join(lines), name, figure)
        )
    markers: list[maps.Marker] = []
    extra: list[tuple[str, str]] = []
    for kind, group in sites.groupby("type", sort=False):
        label = DEPLOYMENT_TYPES.get(str(kind), {}).get(lang, str(kind))
        symbol = _MARKERS.get(str(kind), "circle")
        extra.append((label, maps.symbol_svg(symbol)))
        troops = pd.to_numeric(
            group["troops"] if "troops" in group else pd.Series(0, index=group.index),
            errors="coerce",
        ).fillna(0)
        lons = pd.to_numeric(group["longitude"], errors="coerce")
        lats = pd.to_numeric(group["latitude"], errors="coerce")
        for site, n, lon, lat in zip(group["site"], troops, lons, lats, strict=True):
            markers.append(
                maps.Marker(
                    float(lon), float(lat), symbol,
                    f"{site}\n{label}\n{_t(lang, 'troops', 'troupes')}{colon}{int(n)}",
                )
            )  # fmt: skip
    legend = maps.scale_legend(
        shown(0.0), shown(top), title=layer_name,
        no_data=_t(lang, "no data", "pas de données") if missing else "", extra=extra,
    )  # fmt: skip
    return maps.choropleth(
        drawn, label=title or layer_name, key="fp_map", legend_html=legend, markers=markers
    )


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
