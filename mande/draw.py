"""Charts and tables drawn on the server as inline SVG and HTML.

The dashboard's first screens (Overview, Indicator explorer, Partners) draw with these instead of a
chart library: the browser receives a few kilobytes of markup and draws it at once, where Streamlit's
Plotly component first downloads and compiles 4.7 MB of JavaScript, 2-3 s for every new tab on a
2-core machine (``benchmarks/dashboard_browser.py``). Hover text is each mark's SVG ``<title>``
(the browser's own tooltip); every chart carries an accessible name.

Nothing here computes a statistic: a view passes the figures mande computed and gets a string of
markup back. Every text is escaped; no script, no event handler, no external reference is ever
written, so the markup is safe to hand to ``st.markdown(..., unsafe_allow_html=True)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from html import escape
from typing import Any

from mande.errors import EstimationError

__all__ = [
    "OKABE_ITO",
    "STYLE",
    "Canvas",
    "Linear",
    "diverging",
    "esc",
    "figure",
    "finite",
    "legend",
    "nice_ticks",
    "num",
    "runs",
    "sequential",
    "table",
    "text_colour",
]

#: Colour-blind-safe categorical palette (Okabe & Ito 2008), most distinct first.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
TEXT = "#31333f"
MUTED = "#5c5f6b"
GRID = "#e6e9ef"
FONT = "'Source Sans Pro','Source Sans 3',sans-serif"

#: Sequential colour-blind-safe ramp (light yellow to dark blue, ColorBrewer YlGnBu), low to high.
_RAMP = ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84")
#: Diverging colour-blind-safe ramp (orange to light grey to blue, ColorBrewer PuOr's orange half and
#: RdBu's blue half), low to high, its middle neutral.
_DIVERGING = ("#b35806", "#f1a340", "#f7f7f7", "#92c5de", "#2166ac")

#: CSS for every figure and table drawn here; a view writes it once, before its first figure.
STYLE = """<style>
.mande-fig{margin:0 0 .25rem 0;overflow-x:auto}
.mande-fig svg{display:block;width:100%;height:auto;min-width:420px;font-family:__FONT__}
.mande-fig svg text{fill:#31333f}
.mande-fig svg .muted{fill:#5c5f6b}
.mande-fig svg.for-narrow{display:none}
.mande-legend{display:flex;flex-wrap:wrap;gap:.2rem .9rem;font-size:.85rem;color:#31333f;
 margin:.15rem 0 .25rem 0}
.mande-legend span{display:inline-flex;align-items:center;gap:.35rem}
.mande-legend i{display:inline-block;width:1.1rem;height:.7rem;border-radius:2px}
.mande-legend i.line{height:3px}
.mande-table-wrap{overflow-x:auto;margin-bottom:.5rem}
.mande-table{width:100%;border-collapse:collapse;font-size:.85rem}
.mande-table th,.mande-table td{text-align:left;padding:.3rem .45rem;vertical-align:top;
 border-bottom:1px solid rgba(49,51,63,.15)}
.mande-table th{font-weight:600;white-space:nowrap}
.mande-table td.num,.mande-table th.num{text-align:right;white-space:nowrap}
.mande-table tr.grey td{color:#8a8d96;font-style:italic}
.mande-table td.heat{text-align:center;white-space:nowrap;vertical-align:middle}
.mande-table th.heat{text-align:center;vertical-align:bottom}
.mande-table th.wrap{white-space:normal}
.mande-table .sticky{position:sticky;left:0;background:#fff;z-index:1}
@media (max-width:640px){
 .mande-fig svg{min-width:340px}
 .mande-fig svg.for-wide{display:none}
 .mande-fig svg.for-narrow{display:block}
 .mande-table{font-size:.8rem}
 .mande-table th,.mande-table td{padding:.25rem .3rem}
 .mande-table .wide{display:none}
}
</style>""".replace("__FONT__", FONT)


def esc(value: Any) -> str:
    """Text for markup: escaped, quotes included."""
    return escape("" if value is None else str(value), quote=True)


def num(value: float) -> str:
    """A coordinate with at most two decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def finite(value: Any) -> float | None:
    """``value`` as a float, or None when it is missing, NaN or not a number."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering ``[lo, hi]`` (steps of 1, 2, 2.5 or 5 times a
    power of ten)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise EstimationError(f"axis from {lo!r} to {hi!r}: expected two finite numbers")
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    out = []
    v = start
    while v <= hi + step * 1e-9:
        out.append(round(v, 10))
        v += step
    return out


class Linear:
    """A linear scale from a data ``domain`` (lo, hi) to a pixel ``range`` (a, b)."""

    def __init__(self, domain: tuple[float, float], range_: tuple[float, float]) -> None:
        lo, hi = domain
        if not hi > lo:
            hi = lo + 1.0
        self.domain = (float(lo), float(hi))
        self.range = (float(range_[0]), float(range_[1]))

    def __call__(self, value: float) -> float:
        (lo, hi), (a, b) = self.domain, self.range
        return a + (float(value) - lo) / (hi - lo) * (b - a)

    def ticks(self, count: int = 5) -> list[float]:
        return nice_ticks(*self.domain, count=count)


def _hex(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def sequential(fraction: float | None, *, missing: str = "#eeeeee") -> str:
    """The colour of ``fraction`` (0 low to 1 high) on a colour-blind-safe sequential ramp
    (ColorBrewer YlGnBu); ``missing`` for None or NaN. Values outside [0, 1] are clipped."""
    return _on_ramp(_RAMP, fraction, missing)


def diverging(fraction: float | None, *, missing: str = "#eeeeee") -> str:
    """The colour of ``fraction`` (0 one end, 0.5 the neutral middle, 1 the other end) on a
    colour-blind-safe diverging ramp, orange to blue (no red-green); ``missing`` for None or NaN.
    Values outside [0, 1] are clipped."""
    return _on_ramp(_DIVERGING, fraction, missing)


def _on_ramp(ramp: Sequence[str], fraction: float | None, missing: str) -> str:
    f = finite(fraction)
    if f is None:
        return missing
    f = min(max(f, 0.0), 1.0) * (len(ramp) - 1)
    i = min(int(f), len(ramp) - 2)
    (r1, g1, b1), (r2, g2, b2) = _hex(ramp[i]), _hex(ramp[i + 1])
    w = f - i
    r, g, b = (round(a + (z - a) * w) for a, z in ((r1, r2), (g1, g2), (b1, b2)))
    return f"#{r:02x}{g:02x}{b:02x}"


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG relative luminance)."""

    def lin(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in _hex(background))
    return "#000000" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 else "#ffffff"


def runs(ok: Sequence[bool]) -> list[list[int]]:
    """Positions of the runs of consecutive True values."""
    out: list[list[int]] = []
    for i, flag in enumerate(ok):
        if flag and out and out[-1][-1] == i - 1:
            out[-1].append(i)
        elif flag:
            out.append([i])
    return out


class Canvas:
    """One SVG drawing: a ``width`` x ``height`` frame (in CSS pixels at full size; it scales with
    its container) with a plot area inside ``margin`` (top, right, bottom, left).

    Marks are added in drawing order; ``render()`` returns the markup. Coordinates are pixels; use
    :class:`Linear` scales built on :attr:`x0`, :attr:`x1`, :attr:`y0`, :attr:`y1`."""

    def __init__(
        self, width: float, height: float, *, label: str,
        margin: tuple[float, float, float, float] = (12, 16, 36, 48), cls: str = "",
    ) -> None:  # fmt: skip
        self.width, self.height = float(width), float(height)
        self.label = label
        self.cls = cls
        top, right, bottom, left = margin
        self.x0, self.x1 = float(left), self.width - float(right)
        self.y0, self.y1 = float(top), self.height - float(bottom)
        self.parts: list[str] = []

    # marks ---------------------------------------------------------------------------------
    def add(self, markup: str) -> None:
        self.parts.append(markup)

    @staticmethod
    def _title(title: str | None) -> str:
        return f"<title>{esc(title)}</title>" if title else ""

    def line(
        self, points: Iterable[tuple[float, float | None]], colour: str, *, width: float = 2,
        dash: str | None = None, cls: str = "line", title: str | None = None,
    ) -> None:  # fmt: skip
        """A polyline through ``points`` (x, y); a None y breaks the line (one polyline per run)."""
        pts = list(points)
        for run in runs([y is not None for _, y in pts]):
            if len(run) < 2:
                continue
            path = " ".join(f"{num(pts[i][0])},{num(pts[i][1])}" for i in run)  # type: ignore[arg-type]
            extra = f' stroke-dasharray="{esc(dash)}"' if dash else ""
            self.parts.append(
                f'<polyline class="{esc(cls)}" points="{path}" fill="none" stroke="{esc(colour)}" '
                f'stroke-width="{num(width)}" stroke-linejoin="round" stroke-linecap="round"'
                f"{extra}>{self._title(title)}</polyline>"
            )

    def band(
        self, xs: Sequence[float], lows: Sequence[float | None], highs: Sequence[float | None],
        colour: str, *, opacity: float = 0.2, cls: str = "band", title: str | None = None,
    ) -> None:  # fmt: skip
        """A filled band between ``lows`` and ``highs`` (pixel ys) over ``xs``: one polygon per run
        of positions with both bounds, so gaps stay gaps; a lone position is a short bar."""
        ok = [a is not None and b is not None for a, b in zip(lows, highs, strict=True)]
        for run in runs(ok):
            if len(run) == 1:
                i = run[0]
                self.parts.append(
                    f'<line class="{esc(cls)}" x1="{num(xs[i])}" x2="{num(xs[i])}" '
                    f'y1="{num(highs[i])}" y2="{num(lows[i])}" stroke="{esc(colour)}" '  # type: ignore[arg-type]
                    f'stroke-opacity="{opacity + 0.15:.2f}" stroke-width="6">'
                    f"{self._title(title)}</line>"
                )
                continue
            ring = [f"{num(xs[i])},{num(highs[i])}" for i in run]  # type: ignore[arg-type]
            ring += [f"{num(xs[i])},{num(lows[i])}" for i in reversed(run)]  # type: ignore[arg-type]
            self.parts.append(
                f'<polygon class="{esc(cls)}" points="{" ".join(ring)}" fill="{esc(colour)}" '
                f'fill-opacity="{opacity:.2f}" stroke="none">{self._title(title)}</polygon>'
            )

    def dot(
        self, x: float, y: float, colour: str, *, r: float = 3.5, title: str | None = None,
        cls: str = "pt", hollow: bool = False,
    ) -> None:  # fmt: skip
        fill = "#ffffff" if hollow else esc(colour)
        self.parts.append(
            f'<circle class="{esc(cls)}" cx="{num(x)}" cy="{num(y)}" r="{num(r)}" fill="{fill}" '
            f'stroke="{esc(colour)}" stroke-width="1.5">{self._title(title)}</circle>'
        )

    def rect(
        self, x: float, y: float, w: float, h: float, fill: str, *, title: str | None = None,
        cls: str = "bar", opacity: float | None = None, stroke: str | None = None,
    ) -> None:  # fmt: skip
        extra = f' fill-opacity="{opacity:.2f}"' if opacity is not None else ""
        extra += f' stroke="{esc(stroke)}"' if stroke else ""
        self.parts.append(
            f'<rect class="{esc(cls)}" x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" '
            f'height="{num(max(h, 0))}" fill="{esc(fill)}"{extra}>{self._title(title)}</rect>'
        )

    def text(
        self, x: float, y: float, text: str, *, anchor: str = "start", size: float = 12,
        colour: str | None = None, weight: str | None = None, cls: str = "",
        baseline: str | None = None, title: str | None = None,
    ) -> None:  # fmt: skip
        attrs = f'x="{num(x)}" y="{num(y)}" font-size="{num(size)}" text-anchor="{esc(anchor)}"'
        attrs += f' class="{esc(cls)}"' if cls else ""
        attrs += f' style="fill:{esc(colour)}"' if colour else ""
        attrs += f' font-weight="{esc(weight)}"' if weight else ""
        attrs += f' dominant-baseline="{esc(baseline)}"' if baseline else ""
        self.parts.append(f"<text {attrs}>{self._title(title)}{esc(text)}</text>")

    def rule(
        self, x1: float, y1: float, x2: float, y2: float, *, colour: str = GRID, width: float = 1,
        dash: str | None = None, cls: str = "rule",
    ) -> None:  # fmt: skip
        extra = f' stroke-dasharray="{esc(dash)}"' if dash else ""
        self.parts.append(
            f'<line class="{esc(cls)}" x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
            f'stroke="{esc(colour)}" stroke-width="{num(width)}"{extra} />'
        )

    # axes ----------------------------------------------------------------------------------
    def y_axis(
        self, scale: Linear, *, ticks: Sequence[float] | None = None,
        fmt: Callable[[float], str] = lambda v: f"{v:g}", title: str | None = None,
        x0: float | None = None, x1: float | None = None,
    ) -> None:  # fmt: skip
        """Grid lines and labels at ``ticks`` (default: the scale's round ticks), with an
        optional vertical axis title."""
        left = self.x0 if x0 is None else x0
        right = self.x1 if x1 is None else x1
        for v in scale.ticks() if ticks is None else ticks:
            y = scale(v)
            self.rule(left, y, right, y)
            self.text(left - 6, y, fmt(v), anchor="end", size=11, cls="muted", baseline="middle")
        if title:
            cy = (self.y0 + self.y1) / 2
            self.parts.append(
                f'<text class="muted" x="12" y="{num(cy)}" font-size="12" text-anchor="middle" '
                f'transform="rotate(-90 12 {num(cy)})">{esc(title)}</text>'
            )

    def x_labels(
        self, xs: Sequence[float], labels: Sequence[str], *, y: float | None = None,
        size: float = 11, anchor: str = "middle",
    ) -> None:  # fmt: skip
        """Category or date labels under the plot area."""
        base = self.y1 + 16 if y is None else y
        for x, label in zip(xs, labels, strict=True):
            self.text(x, base, label, anchor=anchor, size=size, cls="muted")

    def render(self) -> str:
        cls = f"mande-chart {self.cls}".strip()
        name = esc(self.label)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="{esc(cls)}" '
            f'viewBox="0 0 {num(self.width)} {num(self.height)}" role="img" aria-label="{name}">'
            f"<title>{name}</title>{''.join(self.parts)}</svg>"
        )


def legend(items: Iterable[tuple[str, str, str]]) -> str:
    """An HTML legend: (label, colour, kind) with kind "line", "band" or "box"."""
    spans = []
    for label, colour, kind in items:
        style = f"background:{esc(colour)}" + (";opacity:.35" if kind == "band" else "")
        cls = ' class="line"' if kind == "line" else ""
        spans.append(f'<span><i{cls} style="{style}"></i>{esc(label)}</span>')
    return f'<div class="mande-legend">{"".join(spans)}</div>' if spans else ""


def figure(svg: str, *, key: str, legend_html: str = "") -> str:
    """A drawn chart with its legend, in a ``<figure>`` that scrolls sideways rather than shrink
    its text below legibility on a phone. ``key`` names it for tests and styles
    (``data-chart``)."""
    return f'<figure class="mande-fig" data-chart="{esc(key)}">{legend_html}{svg}</figure>'


def table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], *, key: str,
    classes: Sequence[str] | None = None, row_classes: Sequence[str] | None = None,
    cell_styles: Sequence[Sequence[str]] | None = None, titles: Sequence[str] | None = None,
    cell_titles: Sequence[Sequence[str]] | None = None,
) -> str:  # fmt: skip
    """An HTML table: ``header`` texts, ``rows`` of cell texts (escaped here), ``classes`` per
    column ("num" right-aligns, "wide" hides the column below 640 px, "wrap" lets the header wrap,
    "heat" centres a coloured cell, "sticky" keeps the column in view when the table scrolls
    sideways), ``row_classes`` per row ("grey" for figures resting on small numbers),
    ``cell_styles`` per cell (a CSS declaration such as a background colour), ``titles`` per
    column (the header's tooltip), ``cell_titles`` per cell (the cell's tooltip, "" for none)."""
    cols = list(classes) if classes is not None else [""] * len(header)
    if len(cols) != len(header):
        raise EstimationError(f"table {key!r}: {len(header)} columns but {len(cols)} classes")
    head = "".join(
        f'<th scope="col" class="{esc(c)}"'
        + (f' title="{esc(titles[i])}"' if titles and titles[i] else "")
        + f">{esc(h)}</th>"
        for i, (h, c) in enumerate(zip(header, cols, strict=True))
    )
    body = []
    for r, row in enumerate(rows):
        if len(row) != len(header):
            raise EstimationError(
                f"table {key!r}: row {r + 1} has {len(row)} cells; expected {len(header)}"
            )
        rc = row_classes[r] if row_classes is not None else ""
        cells = []
        for c, value in enumerate(row):
            style = cell_styles[r][c] if cell_styles is not None else ""
            tip = cell_titles[r][c] if cell_titles is not None else ""
            attr = f' style="{esc(style)}"' if style else ""
            attr += f' title="{esc(tip)}"' if tip else ""
            cells.append(f'<td class="{esc(cols[c])}"{attr}>{esc(value)}</td>')
        body.append(f'<tr class="{esc(rc)}">{"".join(cells)}</tr>')
    return (
        f'<div class="mande-table-wrap"><table class="mande-table" data-table="{esc(key)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
