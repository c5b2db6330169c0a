"""Maps drawn on the server as inline SVG: the Overview's regional map and the Footprint map.

Both draw the mission's own boundaries (GeoJSON ``Polygon`` and ``MultiPolygon`` features with a
``pcode`` property, as ``regions.geojson``): no tile server and no map data from the internet, so
they work on an isolated mission network, and no chart library, so the browser draws them at
once (see :mod:`mande.draw`). The projection is equirectangular with the longitudes shrunk by the
cosine of the middle latitude, so that a country-sized area keeps its shape; each polygon is one
SVG path of all its rings drawn with ``fill-rule="evenodd"``, so a hole (a lake, an enclave) stays
a hole.

:func:`choropleth` is the one drawer; :func:`region_map` (an indicator by region, or by admin 2
unit where the sample supports it, :func:`mande.overview.map_areas`) and
:func:`mande.footprint.plots.footprint_map` (a footprint layer with the mission's sites) give it
their areas, colours, tooltips and legend. Every area's tooltip is its SVG ``<title>``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mande import draw
from mande.errors import EstimationError
from mande.notes import SUPPRESSED as SUPPRESSED_TEXT

__all__ = [
    "NO_DATA",
    "SUPPRESSED",
    "Area",
    "Marker",
    "Projection",
    "choropleth",
    "label_point",
    "polygons",
    "region_map",
    "scale_legend",
]

#: Fill of an area without a figure: plain light grey.
NO_DATA = "#e8e8e8"
#: Fill of a suppressed area (too few respondents): grey hatching (a pattern in the SVG).
SUPPRESSED = "hatch"
_HATCH_BG, _HATCH_LINE = "#e8e8e8", "#9a9a9a"
#: CSS of a legend swatch for the hatching, the same as the SVG pattern.
HATCH_CSS = f"repeating-linear-gradient(45deg,{_HATCH_LINE} 0 2px,{_HATCH_BG} 2px 6px)"


def _tip(text: str) -> str:
    """A tooltip's text for markup: escaped, its line breaks as character references (a literal
    line break would end the HTML block in Streamlit's Markdown and let the rest be read as
    Markdown)."""
    return draw.esc(text).replace("\r", "").replace("\n", "&#10;")


def _line(text: str) -> str:
    """A name on one line: each run of line breaks and tabs made one space (other spaces, such
    as the narrow no-break space before a French "%", are kept)."""
    return re.sub(r"[\r\n\t\v\f\u2028\u2029\x85]+", " ", str(text))


#: Below this width a map scrolls sideways instead of shrinking its names out of legibility.
MAP_STYLE = (
    "<style>.mande-fig.mande-map svg.mande-chart{min-width:460px;max-width:760px}"
    ".mande-legend i.ramp{width:7rem}"
    ".mande-legend i.none{border:1px solid #c8c8c8}</style>"
)

_TEXT = {
    "en": {
        "suppressed": SUPPRESSED_TEXT["en"],
        "no_data": "no data",
        "ci": "{level}% CI",
        "scale": "Estimate",
    },
    "fr": {
        "suppressed": SUPPRESSED_TEXT["fr"],
        "no_data": "pas de données",
        "ci": "IC à {level} %",
        "scale": "Estimation",
    },
}


def _txt(lang: str, key: str) -> str:
    return _TEXT["fr" if lang == "fr" else "en"][key]


# --- geometry ------------------------------------------------------------------------------------


def _ring(points: Any) -> list[tuple[float, float]]:
    """A ring's finite (lon, lat) points; malformed points are left out."""
    out = []
    for p in points or ():
        try:
            lon, lat = float(p[0]), float(p[1])
        except (TypeError, ValueError, IndexError):
            continue
        if math.isfinite(lon) and math.isfinite(lat):
            out.append((lon, lat))
    return out


def polygons(geometry: Mapping[str, Any] | None) -> list[list[list[tuple[float, float]]]]:
    """A geometry's polygons, each a list of rings (the outer ring first, then its holes), each
    ring a list of (lon, lat). ``Polygon`` and ``MultiPolygon`` are read; any other type, and
    rings of fewer than three valid points, give nothing."""
    if not isinstance(geometry, Mapping):
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    raw = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    out = []
    for poly in raw:
        if not isinstance(poly, Sequence):
            continue
        rings = [r for r in (_ring(ring) for ring in poly) if len(r) >= 3]
        if rings:
            out.append(rings)
    return out


def _signed_area(ring: Sequence[tuple[float, float]]) -> float:
    return 0.5 * sum(
        x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True)
    )


def label_point(geometry: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """Where an area's name goes: the centroid of the largest polygon's outer ring (the
    shoelace formula; the mean of its vertices when the ring has no area)."""
    rings = [poly[0] for poly in polygons(geometry)]
    if not rings:
        return None
    ring = max(rings, key=lambda r: abs(_signed_area(r)))
    a = _signed_area(ring)
    if abs(a) < 1e-12:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return cx / (6 * a), cy / (6 * a)


class Projection:
    """Equirectangular projection fitted into a pixel box.

    x = (lon - lon_min) * cos(phi_m) * s + left,  y = (lat_max - lat) * s + top,

    with phi_m the middle latitude of the drawn polygons and s the largest scale that fits them
    in the box (the drawing is centred in the other direction)."""

    def __init__(
        self, geometries: Sequence[Mapping[str, Any] | None], box: tuple[float, float, float, float]
    ) -> None:
        points = [p for g in geometries for poly in polygons(g) for ring in poly for p in ring]
        if not points:
            raise EstimationError(
                "map: the boundaries hold no Polygon or MultiPolygon with valid coordinates; "
                "expected GeoJSON features with (longitude, latitude) rings"
            )
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        self.lon0, self.lat1 = min(lons), max(lats)
        mid = math.radians((min(lats) + max(lats)) / 2)
        self.k = max(math.cos(mid), 0.2)
        w = max((max(lons) - self.lon0) * self.k, 1e-9)
        h = max(self.lat1 - min(lats), 1e-9)
        left, top, right, bottom = box
        self.s = min((right - left) / w, (bottom - top) / h)
        self.dx = left + ((right - left) - w * self.s) / 2
        self.dy = top + ((bottom - top) - h * self.s) / 2
        self.aspect = h / w  # height over width of the drawn extent

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.k * self.s + self.dx, (self.lat1 - lat) * self.s + self.dy

    def path(self, geometry: Mapping[str, Any] | None) -> str:
        """The SVG path data of every ring of every polygon (draw with ``fill-rule="evenodd"``)."""
        parts = []
        for poly in polygons(geometry):
            for ring in poly:
                xy = [self(lon, lat) for lon, lat in ring]
                parts.append("M" + "L".join(f"{draw.num(x)},{draw.num(y)}" for x, y in xy) + "Z")
        return "".join(parts)

    def outline(self, geometry: Mapping[str, Any] | None) -> list[tuple[float, float]]:
        """The largest polygon's outer ring in pixels (where a label may go)."""
        rings = [poly[0] for poly in polygons(geometry)]
        if not rings:
            return []
        ring = max(rings, key=lambda r: abs(_signed_area(r)))
        return [self(lon, lat) for lon, lat in ring]


def _inside(ring: Sequence[tuple[float, float]], x: float, y: float) -> bool:
    """Whether (x, y) is inside ``ring`` (even-odd ray casting)."""
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


#: Where a label is tried, from its area's centroid (pixels): there first, then above and below,
#: then to the sides, until its box lies inside the area and clear of every site.
_OFFSETS = ((0, 0), (0, -24), (0, 24), (0, -44), (0, 44), (-40, 0), (40, 0), (-40, -24),
            (40, -24), (-40, 24), (40, 24))  # fmt: skip


def _place(
    ring: Sequence[tuple[float, float]], x: float, y: float, w: float, h: float,
    sites: Sequence[tuple[float, float]],
) -> tuple[float, float] | None:  # fmt: skip
    """The first position near (x, y) where a ``w`` x ``h`` label box has its corners and edge
    midpoints inside ``ring`` and no site within 8 px; None when there is none."""
    for dx, dy in _OFFSETS:
        cx, cy = x + dx, y + dy
        left, right, top, bottom = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
        probes = ((left, top), (right, top), (left, bottom), (right, bottom), (cx, top),
                  (cx, bottom), (left, cy), (right, cy))  # fmt: skip
        if not all(_inside(ring, px, py) for px, py in probes):
            continue
        if any(left - 8 <= sx <= right + 8 and top - 8 <= sy <= bottom + 8 for sx, sy in sites):
            continue
        return cx, cy
    return None


# --- the one drawer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """One area to draw: its p-code, boundaries, fill (a colour, or :data:`SUPPRESSED` for
    hatching), tooltip, and the name and figure written on it where they fit."""

    pcode: str
    geometry: Mapping[str, Any]
    fill: str
    title: str
    name: str = ""
    figure: str = ""


@dataclass(frozen=True)
class Marker:
    """A point on the map (a site): position, symbol ("circle", "square", "diamond",
    "triangle", "star") and tooltip."""

    lon: float
    lat: float
    symbol: str
    title: str
    colour: str = "#1b1b1b"


def _text_width(text: str, size: float) -> float:
    return 0.56 * size * len(text)


def _symbol(x: float, y: float, symbol: str, r: float = 6.5) -> str:
    """The path of a site's symbol centred on (x, y), about ``2 r`` across."""
    n = draw.num
    if symbol == "square":
        q = 0.8 * r
        return f"M{n(x - q)},{n(y - q)}h{n(2 * q)}v{n(2 * q)}h{n(-2 * q)}Z"
    if symbol == "diamond":
        return f"M{n(x)},{n(y - r)}L{n(x + r)},{n(y)}L{n(x)},{n(y + r)}L{n(x - r)},{n(y)}Z"
    if symbol == "triangle":
        return f"M{n(x)},{n(y - r)}L{n(x + r)},{n(y + 0.8 * r)}L{n(x - r)},{n(y + 0.8 * r)}Z"
    if symbol == "star":
        radii = [1.25 * r if i % 2 == 0 else 0.5 * r for i in range(10)]
        angles = [math.pi / 2 + i * math.pi / 5 for i in range(10)]
        pts = [
            f"{n(x + d * math.cos(a))},{n(y - d * math.sin(a))}"
            for d, a in zip(radii, angles, strict=True)
        ]
        return "M" + "L".join(pts) + "Z"
    c = 0.85 * r  # a circle: two half arcs
    return f"M{n(x - c)},{n(y)}a{n(c)},{n(c)} 0 1,0 {n(2 * c)},0a{n(c)},{n(c)} 0 1,0 {n(-2 * c)},0Z"


def choropleth(
    areas: Sequence[Area], *, label: str, key: str, legend_html: str = "",
    markers: Sequence[Marker] = (), width: float = 600,
) -> str:  # fmt: skip
    """A map of ``areas`` (and ``markers`` on top) as a ``<figure data-chart="{key}">``.

    Each area is one path, filled with its colour (grey hatching for :data:`SUPPRESSED`), with a
    white outline, its ``title`` as tooltip and ``data-pcode``. Its name and figure are written
    at its centroid, or near it, where their box lies inside the area and clear of every marker
    (the figure alone when the name does not fit; nothing when neither does), in black or white
    by the fill (:func:`mande.draw.text_colour`); they are drawn after every area, so that no
    neighbour covers one. ``label`` is the map's accessible name; ``width`` its width in the
    SVG's units (its height follows the boundaries' shape); on the page it scales with its
    container between 460 and 760 px and scrolls sideways below that.
    """
    geometries = [a.geometry for a in areas]
    top = 6.0
    probe = Projection(geometries, (0, 0, 1, 1))
    inner = width - 12
    height = min(max(inner * probe.aspect, 240), 720) + top + 6
    proj = Projection(geometries, (6, top, width - 6, height - 6))
    canvas = draw.Canvas(
        width, height, label=_line(label), margin=(top, 6, 6, 6), cls="mande-map-svg"
    )
    pattern = f"mande-hatch-{''.join(c for c in key if c.isalnum() or c in '-_')}"
    canvas.add(
        f'<defs><pattern id="{pattern}" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{_HATCH_BG}" />'
        f'<line x1="1" y1="0" x2="1" y2="6" stroke="{_HATCH_LINE}" stroke-width="2" />'
        f"</pattern></defs>"
    )
    labels: list[tuple[float, float, str, int, str | None, str, str]] = []
    sites = [proj(m.lon, m.lat) for m in markers if math.isfinite(m.lon) and math.isfinite(m.lat)]
    for area in areas:
        d = proj.path(area.geometry)
        if not d:
            continue
        fill = f"url(#{pattern})" if area.fill == SUPPRESSED else draw.esc(area.fill)
        canvas.add(
            f'<path class="area" data-pcode="{draw.esc(area.pcode)}" d="{d}" fill="{fill}" '
            f'fill-rule="evenodd" stroke="#ffffff" stroke-width="1.5" stroke-linejoin="round">'
            f"<title>{_tip(area.title)}</title></path>"
        )
        point = label_point(area.geometry)
        ring = proj.outline(area.geometry)
        if point is None or not ring:
            continue
        x, y = proj(*point)
        ink = (
            "#1b1b1b" if area.fill in (SUPPRESSED, NO_DATA) or not area.fill.startswith("#")
            else draw.text_colour(area.fill)
        )  # fmt: skip
        name_w, figure_w = _text_width(area.name, 14), _text_width(area.figure, 15)
        both = (
            _place(ring, x, y, max(name_w, figure_w), 38 if area.figure else 18, sites)
            if area.name
            else None
        )
        alone = _place(ring, x, y, figure_w, 18, sites) if area.figure and both is None else None
        if both is not None:
            bx, by = both
            labels.append(
                (bx, by - (9 if area.figure else 0), area.name, 14, None, ink, area.title)
            )
            if area.figure:
                labels.append((bx, by + 10, area.figure, 15, "700", ink, area.title))
        elif alone is not None:
            labels.append((*alone, area.figure, 15, "700", ink, area.title))
    for x, y, text, size, weight, ink, tip in labels:
        canvas.add(
            f'<text class="area-label" x="{draw.num(x)}" y="{draw.num(y)}" font-size="{size}" '
            f'text-anchor="middle" dominant-baseline="middle" style="fill:{draw.esc(ink)}"'
            + (f' font-weight="{weight}"' if weight else "")
            + f"><title>{_tip(tip)}</title>{draw.esc(_line(text))}</text>"
        )
    for m in markers:
        if not (math.isfinite(m.lon) and math.isfinite(m.lat)):
            continue
        x, y = proj(m.lon, m.lat)
        canvas.add(
            f'<path class="site" d="{_symbol(x, y, m.symbol)}" fill="{draw.esc(m.colour)}" '
            f'stroke="#ffffff" stroke-width="1"><title>{_tip(m.title)}</title></path>'
        )
    figure = draw.figure(canvas.render(), key=key, legend_html=legend_html)
    return MAP_STYLE + figure.replace('class="mande-fig"', 'class="mande-fig mande-map"', 1)


def scale_legend(
    lo: str, hi: str, *, title: str = "", suppressed: str = "", no_data: str = "",
    extra: Sequence[tuple[str, str]] = (),
) -> str:  # fmt: skip
    """The map's legend (HTML that wraps on a phone): the colour ramp between its bounds ``lo``
    and ``hi``, then, when given, the grey hatching of suppressed areas and the plain grey of
    areas without data, and ``extra`` entries (label, inline SVG symbol)."""
    stops = ",".join(draw.sequential(i / 8) for i in range(9))
    parts = [
        f'<span class="scale">{f"<b>{draw.esc(_line(title))}</b> " if title else ""}'
        f'<span class="lo">{draw.esc(lo)}</span>'
        f'<i class="ramp" style="background:linear-gradient(to right,{stops})"></i>'
        f'<span class="hi">{draw.esc(hi)}</span></span>'
    ]
    if suppressed:
        parts.append(
            f'<span class="suppressed"><i style="background:{HATCH_CSS}"></i>'
            f"{draw.esc(_line(suppressed))}</span>"
        )
    if no_data:
        parts.append(
            f'<span class="no-data"><i class="none" style="background:{NO_DATA}"></i>'
            f"{draw.esc(_line(no_data))}</span>"
        )
    for label, svg in extra:
        parts.append(f"<span>{svg}{draw.esc(_line(label))}</span>")
    return f'<div class="mande-legend" data-legend="map">{"".join(parts)}</div>'


def symbol_svg(symbol: str, colour: str = "#1b1b1b") -> str:
    """A marker's symbol as a small inline SVG, for the legend."""
    return (
        f'<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" '
        f'style="display:inline-block;width:16px;height:16px;min-width:0">'
        f'<path d="{_symbol(8, 8, symbol, 6)}" fill="{draw.esc(colour)}" /></svg>'
    )


# --- the Overview's regional map ---------------------------------------------------------------


def region_map(
    values: pd.DataFrame,
    geojson: Mapping[str, Any],
    mission: Any,
    *,
    title: str = "",
    lang: str = "en",
    round_label: str = "",
    level: float = 0.95,
    kind: str = "proportion",
    value_range: tuple[float, float] | None = None,
    key: str = "map",
) -> str:
    """An indicator by region (admin 1), or by admin 2 unit where the sample supports it, as an
    SVG choropleth in a ``<figure data-chart="map">`` with its legend.

    ``values`` has ``region`` (the area's p-code: a region's, or an admin 2 unit's),
    ``estimate`` (0-1 for proportions), ``ci_low``, ``ci_high``, ``n`` and ``suppressed``, as
    :func:`mande.overview.map_areas` gives it. A feature whose p-code is in ``values`` is drawn
    with its figure; a region neither in ``values`` nor drawn through its admin 2 units is drawn
    plain grey ("no data"); an admin 2 feature not in ``values``, and a region drawn through its
    units, are not drawn. Each area's tooltip gives its name, the round (``round_label``), the
    estimate with its ``level`` confidence interval and n; a suppressed area is hatched grey
    and its tooltip says so, with its n.

    Colours are on the indicator's fixed scale (:func:`mande.overview.sparkline_scale`: 0-100
    for a share or an index, a mean's scale range), never stretched to the round's spread, on a
    colour-blind-safe sequential ramp (:func:`mande.draw.sequential`); a mean without a known
    range is drawn on the round's own extent, which the legend's bounds state.
    """
    from mande.overview import PERCENT_KINDS, sparkline_scale
    from mande.report.style import number

    frame = values.copy()
    regions = list(getattr(mission, "regions", ()) or ())
    names = {r.pcode: r.label(lang) for r in regions}
    units: dict[str, str] = {}  # admin 2 p-code -> its region's p-code
    for r in regions:
        for code, labels in getattr(r, "admin2", ()):
            names[code] = labels.get(lang) or labels.get("en") or code
            units[code] = r.pcode
    by_region = (
        frame.drop_duplicates("region").set_index("region")
        if "region" in frame.columns
        else pd.DataFrame()
    )
    split = {units[c] for c in by_region.index if c in units}  # regions drawn by their units

    percent = kind in PERCENT_KINDS
    scale = sparkline_scale(kind, value_range)
    if scale is None:
        est = pd.to_numeric(frame.get("estimate", pd.Series(dtype=float)), errors="coerce")
        est = est.dropna()
        lo_v, hi_v = (float(est.min()), float(est.max())) if len(est) else (0.0, 1.0)
        scale = (1.0, lo_v, hi_v if hi_v > lo_v else lo_v + 1.0)
    factor, lo, hi = scale
    pct_sign = ("\u202f%" if lang == "fr" else "%") if percent else ""
    decimals = 1

    def shown(v: Any, d: int = decimals) -> str:
        return f"{number(float(v) * factor, lang, d)}{pct_sign}"

    def bound(v: float) -> str:
        return f"{number(v, lang, 0 if float(v).is_integer() else 1)}{pct_sign}"

    ci_word = _txt(lang, "ci").format(level=f"{level * 100:g}")
    head = [round_label] if round_label else []
    areas: list[Area] = []
    any_suppressed = any_missing = False
    for feature in geojson.get("features") or []:
        if not isinstance(feature, Mapping):
            continue
        pcode = str((feature.get("properties") or {}).get("pcode"))
        if pcode not in by_region.index and (pcode in units or pcode in split):
            continue
        name = names.get(pcode, pcode)
        rec = by_region.loc[pcode] if pcode in by_region.index else pd.Series(dtype=object)
        suppressed = (
            bool(rec.get("suppressed", False)) if pd.notna(rec.get("suppressed")) else False
        )
        estimate = draw.finite(rec.get("estimate"))
        n = draw.finite(rec.get("n"))
        n_text = [f"n = {number(n, lang, 0)}"] if n is not None else []
        if suppressed or estimate is None:
            why = _txt(lang, "suppressed" if suppressed else "no_data")
            any_suppressed |= suppressed
            any_missing |= not suppressed
            tip = "\n".join([name, *head, why, *n_text])
            fill = SUPPRESSED if suppressed else NO_DATA
            figure = ""
        else:
            lo_ci, hi_ci = draw.finite(rec.get("ci_low")), draw.finite(rec.get("ci_high"))
            ci = (
                f" ({ci_word} {number(lo_ci * factor, lang, 1)}–{number(hi_ci * factor, lang, 1)})"
                if lo_ci is not None and hi_ci is not None
                else ""
            )
            tip = "\n".join([name, *head, f"{shown(estimate)}{ci}", *n_text])
            fill = draw.sequential((estimate * factor - lo) / (hi - lo))
            figure = shown(estimate, 0)
        areas.append(Area(pcode, feature.get("geometry") or {}, fill, tip, name, figure))
    legend = scale_legend(
        bound(lo), bound(hi), title=title or _txt(lang, "scale"),
        suppressed=_txt(lang, "suppressed") if any_suppressed else "",
        no_data=_txt(lang, "no_data") if any_missing else "",
    )  # fmt: skip
    label = " · ".join(x for x in (title, round_label) if x) or _txt(lang, "scale")
    return choropleth(areas, label=label, key=key, legend_html=legend)
