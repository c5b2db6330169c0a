"""The Indicator explorer's charts as inline SVG: an indicator's trend across rounds and one round's
breakdown by group.

:func:`trend_svg` draws one line per group with its confidence band (a filled area only, one per
run of rounds with an interval, so that a gap stays a gap), a dot per round whose tooltip gives
the round, estimate, interval and n, suppressed rounds labelled as such, and the mission's events
as dashed lines in the plot with numbered markers in a strip above it. The markers are laid out
in pixels of the drawing, row by row, so that no two overlap and none sits over the data; their
numbers are :func:`mande.notes.events_on_axis`'s, keyed under the chart by
:func:`mande.notes.event_key`. Up to :data:`MAX_GROUPS_IN_ONE_PANEL` groups share one panel (with
a legend, in colour-blind-safe colours); more are drawn as small multiples, one panel per group
on the same scale with the overall line in grey behind each.

:func:`breakdown_svg` draws one round's estimates by group: a bar (a dot for a mean) with its
interval's whisker per group, named above it, suppressed groups listed as such.

:func:`trend_figure` and :func:`breakdown_figure` wrap a drawing at two widths, a desktop's and a
phone's (``draw.STYLE`` shows the one that fits), in a ``<figure>`` for ``st.markdown``. Nothing
here computes a statistic; proportions are drawn in per cent on a fixed 0-100 scale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mande import draw
from mande.errors import EstimationError
from mande.notes import SUPPRESSED

__all__ = [
    "MAX_GROUPS_IN_ONE_PANEL",
    "NARROW",
    "WIDE",
    "breakdown_figure",
    "breakdown_svg",
    "marker_rows",
    "trend_figure",
    "trend_svg",
]

#: More groups than this are drawn one panel per group (small multiples), never as overlapping bands.
MAX_GROUPS_IN_ONE_PANEL = 3
#: The drawings' widths (CSS pixels at full size): a desktop's, and a phone's (shown below 640 px).
WIDE, NARROW = 900, 360
REFERENCE = "#8c8c8c"
MARKER = 18  # an event marker's box, px
MARKER_GAP = 4  # between two markers, across and between rows of the strip
_TOTAL = ("total", "all", "overall", "")
_PLOT_H = 260  # one panel's plot area
_PANEL_H = 130  # a small multiple's plot area

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "round": "Survey round",
        "percent": "Per cent",
        "value": "Value",
        "ci": "{level}% CI",
        "ci_long": "{level}% confidence interval",
        "suppressed": SUPPRESSED["en"],
        "suppressed_short": "suppressed",
        "estimate": "Estimate",
        "event": "Event",
        "trend": "{title}: trend by survey round",
        "breakdown": "{title}: estimate by group",
        "pct": "%",
    },
    "fr": {
        "round": "Cycle d'enquête",
        "percent": "Pourcentage",
        "value": "Valeur",
        "ci": "IC à {level}\u202f%",
        "ci_long": "intervalle de confiance à {level}\u202f%",
        "suppressed": SUPPRESSED["fr"],
        "suppressed_short": "masqué",
        "estimate": "Estimation",
        "event": "Événement",
        "trend": "{title}\u202f: évolution par cycle d'enquête",
        "breakdown": "{title}\u202f: estimation par groupe",
        "pct": "\u202f%",
    },
}


def _t(lang: str) -> dict[str, str]:
    return _TEXT.get(lang, _TEXT["en"])


def _number(value: float, lang: str, decimals: int = 1) -> str:
    from mande.report.style import number

    return number(value, "fr" if lang == "fr" else "en", decimals)


# --- the rows a chart draws --------------------------------------------------------------------


def _need(results: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    for col in cols:
        if col not in results.columns:
            raise EstimationError(
                f"{what} needs column {col!r}; columns present: {list(results.columns)}"
            )


def _is_percent(rows: pd.DataFrame) -> tuple[bool, float]:
    """(is a proportion, factor to per cent)."""
    vals = pd.concat([rows[c] for c in ("estimate", "ci_low", "ci_high") if c in rows.columns])
    vals = pd.to_numeric(vals, errors="coerce").dropna()
    unit = bool(len(vals)) and bool(((vals >= 0) & (vals <= 1)).all())
    if "kind" in rows.columns and rows["kind"].notna().any():
        if not rows["kind"].dropna().isin(("proportion", "mean_of_indicators")).all():
            return False, 1.0
        return True, 100.0 if unit else 1.0
    return (True, 100.0) if unit else (False, 1.0)


def _overall(rows: pd.DataFrame) -> pd.DataFrame:
    """The overall rows (breakdown total/all) when the results hold breakdowns."""
    if "breakdown" in rows.columns:
        total = rows["breakdown"].isna() | rows["breakdown"].astype(str).str.lower().isin(_TOTAL)
        if total.any():
            return rows[total]
    return rows


def _round_dates(labels: Sequence[Any], round_dates: Mapping[Any, Any] | None) -> dict[Any, float]:
    """Each round's date (seconds since the epoch) when every round has one (given, or the label
    is a date); else {}."""
    out: dict[Any, float] = {}
    for r in labels:
        value = round_dates.get(r) if round_dates else r
        try:
            stamp = pd.Timestamp(value if isinstance(value, dt.date) else str(value))
        except (ValueError, TypeError):
            return {}
        if pd.isna(stamp):
            return {}
        out[r] = stamp.timestamp()
    return out


def _seconds(day: Any) -> float:
    return float(pd.Timestamp(day).timestamp())


@dataclass
class _Series:
    """One group's figures per round (display units; None where missing or suppressed)."""

    label: str
    est: list[float | None]
    low: list[float | None]
    high: list[float | None]
    n: list[int | None]
    suppressed: list[bool]


def _series(g: pd.DataFrame, label: str, labels: list[Any], factor: float) -> _Series:
    """The group's first row of each round in ``labels`` (plain lists: a page draws this twice)."""
    cols = {
        c: g[c].tolist() if c in g.columns else [None] * len(g)
        for c in ("round", "estimate", "ci_low", "ci_high", "n", "suppressed")
    }
    at: dict[Any, int] = {}
    for i, r in enumerate(cols["round"]):
        at.setdefault(r, i)
    rows = [at.get(r) for r in labels]

    def get(col: str, i: int | None) -> Any:
        return None if i is None else cols[col][i]

    hidden = [
        bool(v) if (v := get("suppressed", i)) is not None and pd.notna(v) else False for i in rows
    ]

    def scaled(col: str) -> list[float | None]:
        out: list[float | None] = []
        for i, h in zip(rows, hidden, strict=True):
            v = draw.finite(get(col, i))
            out.append(None if h or v is None else v * factor)
        return out

    ns = [draw.finite(get("n", i)) for i in rows]
    return _Series(
        label, scaled("estimate"), scaled("ci_low"), scaled("ci_high"),
        [int(v) if v is not None else None for v in ns], hidden,
    )  # fmt: skip


def _value(v: float, percent: bool, lang: str) -> str:
    return _number(v, lang) + (_t(lang)["pct"] if percent else "")


def _tooltip(
    name: str, est: float | None, low: float | None, high: float | None, n: int | None,
    percent: bool, lang: str, level: float, suppressed: bool = False,
) -> str:  # fmt: skip
    """A point's tooltip: "May 2026: 45.0% (95% CI 41.0–49.0%), n = 1,234"."""
    text = _t(lang)
    colon = "\u202f: " if lang == "fr" else ": "
    if est is None:
        return f"{name}{colon}{text['suppressed'] if suppressed else '–'}"
    out = f"{name}{colon}{_value(est, percent, lang)}"
    if low is not None and high is not None:
        ci = text["ci"].format(level=f"{100 * level:g}")
        sep = "\u202f: " if lang == "fr" else " "
        out += f" ({ci}{sep}{_number(low, lang)}–{_value(high, percent, lang)})"
    if n is not None:
        out += f", n = {_number(n, lang, 0)}"
    return out


# --- event markers -----------------------------------------------------------------------------


def marker_rows(centres: Sequence[float], width: float = MARKER + MARKER_GAP) -> list[int]:
    """Rows of the event strip, greedily: each marker (a box ``width`` wide centred at its x, in
    pixels, taken in order) goes to the lowest row where it overlaps no earlier marker."""
    ends: list[float] = []  # right edge of the last box in each row
    rows = []
    for c in centres:
        left = c - width / 2
        row = next((i for i, end in enumerate(ends) if left >= end), len(ends))
        if row == len(ends):
            ends.append(left + width)
        else:
            ends[row] = left + width
        rows.append(row)
    return rows


# --- the trend ---------------------------------------------------------------------------------


def _split(label: str, room: float, size: float) -> list[str]:
    """A tick label on one line, or on two at its first space when it would not fit ``room``."""
    if len(label) * size * 0.55 <= room or " " not in label:
        return [label]
    first, rest = label.split(" ", 1)
    return [first, rest]


def trend_svg(
    results: pd.DataFrame,
    indicator: str,
    by: str | None = None,
    events: Iterable[Any] | None = None,
    *,
    order: Sequence[Any] | None = None,
    round_dates: Mapping[Any, Any] | None = None,
    round_names: Mapping[Any, str] | None = None,
    reference: pd.DataFrame | None = None,
    lang: str = "en",
    level: float = 0.95,
    title: str | None = None,
    width: int = WIDE,
) -> tuple[str, str]:
    """An indicator across rounds: one line per group with its confidence band, and event markers.

    Parameters
    ----------
    results:
        Tidy results (``mande.compute_indicators``): indicator, round, estimate, ci_low, ci_high,
        and optionally breakdown, group, n, suppressed, kind, name.
    indicator:
        The indicator to draw.
    by:
        Column whose values become separate lines (``"group"`` for the rows of one breakdown).
        ``None``: the overall rows (breakdown ``total``/``all``, or every row when there is one
        per round).
    events:
        Mission events (``mande.load_mission(...).events``): a dashed line at each event's date
        (a shaded span for one with an end date) in every panel and a numbered marker in a strip
        above the plot; markers close in time go to different rows of the strip. Numbered as
        :func:`mande.notes.events_on_axis` numbers them; drawn only when the rounds have dates.
    order:
        Round labels in time order (default: sorted).
    round_dates:
        ``{round: date}`` to place rounds on a time axis.
    round_names:
        ``{round: name}`` for the axis ("May 2026"); default: the round labels.
    reference:
        Results holding the overall rows of the same indicator: the grey line behind a
        breakdown's groups (behind each small multiple); not drawn for the overall trend.
    lang:
        ``"en"`` or ``"fr"``.
    level:
        The confidence level of ``ci_low``/``ci_high``, for the tooltips.
    title:
        The chart's title (default: the indicator's ``name`` column if present, else its id).
    width:
        The drawing's width in CSS pixels (:data:`WIDE` or :data:`NARROW`): the layout (columns of
        small multiples, label lines, marker rows) is computed for it.

    Returns
    -------
    tuple of str
        The ``<svg>`` and its HTML legend (empty for a single line). Proportions are drawn in per
        cent on a fixed 0-100 axis.
    """
    text = _t(lang)
    _need(results, ("indicator", "round", "estimate", "ci_low", "ci_high"), "trend_svg")
    rows = results[results["indicator"] == indicator]
    if rows.empty:
        raise EstimationError(
            f"indicator {indicator!r} is not in the results; present: "
            f"{sorted(results['indicator'].dropna().astype(str).unique().tolist())}"
        )
    rows = _overall(rows) if by is None else rows
    percent, factor = _is_percent(rows)
    labels = list(order) if order is not None else sorted(rows["round"].dropna().unique(), key=str)
    labels = [r for r in labels if r in set(rows["round"])]
    from mande.indicators.items import standard_items

    total_name = standard_items().breakdown_label("total", lang)
    if by is None:
        series = [_series(rows, total_name, labels, factor)]
    else:
        series = [_series(g, str(k), labels, factor) for k, g in rows.groupby(by, sort=True)]
    small = len(series) > MAX_GROUPS_IN_ONE_PANEL
    ref = None  # the overall line behind a breakdown's groups
    if by is not None and reference is not None:
        ref_rows = _overall(reference[reference["indicator"] == indicator])
        if not ref_rows.empty:
            ref = _series(ref_rows, total_name, labels, factor)
    if title is None:
        title = (
            str(rows["name"].dropna().iloc[0])
            if "name" in rows.columns and rows["name"].notna().any()
            else str(indicator)
        )
    dates = _round_dates(labels, round_dates)
    numbered: list[tuple[int, Any]] = []
    if events and dates:
        from mande.notes import events_on_axis

        numbered = events_on_axis(events, [pd.Timestamp(s, unit="s") for s in dates.values()])

    # the x domain: dates (with the events drawn) padded, or one slot per round
    if dates:
        stamps = [*dates.values()]
        for _, e in numbered:
            stamps.append(_seconds(e.date))
            if getattr(e, "end", None) is not None:
                stamps.append(_seconds(e.end))
        low, high = min(stamps), max(stamps)
        pad = max((high - low) * 0.04, 15 * 86400.0)
        x_domain = (low - pad, high + pad)
        x_value = [dates[r] for r in labels]
    else:
        x_domain = (-0.5, len(labels) - 0.5)
        x_value = [float(i) for i in range(len(labels))]

    # the y domain: 0-100 for per cents, else the figures' span on round ticks, shared by panels
    if percent:
        y_ticks = [0.0, 25.0, 50.0, 75.0, 100.0]
    else:
        vals = [
            v for s in [*series, *([ref] if ref else [])] for v in (*s.est, *s.low, *s.high)
            if v is not None
        ]  # fmt: skip
        lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
        span = (hi - lo) or abs(hi) or 1.0
        y_ticks = draw.nice_ticks(lo - 0.05 * span, hi + 0.05 * span, 5)
        step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else 1.0
        if y_ticks[0] > lo:
            y_ticks.insert(0, y_ticks[0] - step)
        if y_ticks[-1] < hi:
            y_ticks.append(y_ticks[-1] + step)
    y_domain = (y_ticks[0], y_ticks[-1])

    def tick(v: float) -> str:
        return _number(v, lang, 0 if v == int(v) else 1) + (text["pct"] if percent else "")

    # the layout, in pixels of this drawing
    # small multiples: three columns on a desktop, one on a phone (each panel wide enough to read)
    cols = 1 if not small else (3 if width >= 800 else 2 if width >= 560 else 1)
    n_rows = -(-len(series) // cols) if small else 1
    left, right = 46.0, 30.0
    gap_x = 18.0 if small else 0.0
    plot_w = (width - left - right - gap_x * (cols - 1) - (left - 10) * (cols - 1)) / cols
    plot_h = float(_PLOT_H if not small else _PANEL_H if cols > 1 else _PANEL_H - 30)
    room = plot_w / max(len(labels), 1)
    names = [str((round_names or {}).get(r, r)) for r in labels]
    tick_size = 11.0
    lines = max(len(_split(nm, room - 4, tick_size)) for nm in names) if names else 1
    x_label_h = 8 + 13 * lines
    import textwrap

    title_lines = textwrap.wrap(title, max(int((width - 8) / (15 * 0.55)), 12)) or [title]
    title_h = 26.0 + 19 * (len(title_lines) - 1)
    centres0 = [
        left + (x - x_domain[0]) / (x_domain[1] - x_domain[0]) * plot_w
        for x in (_seconds(e.date) for _, e in numbered)
    ]
    rows_of = marker_rows(centres0)
    strip_h = (max(rows_of) + 1) * (MARKER + MARKER_GAP) + 4 if numbered else 0.0
    panel_title_h = 20.0 if small else 0.0
    top = title_h + strip_h + panel_title_h
    row_h = panel_title_h + plot_h + x_label_h + (10 if small else 0)
    height = top - panel_title_h + n_rows * row_h + 4
    cv = draw.Canvas(
        width, height, label=text["trend"].format(title=title),
        margin=(top, width - left - plot_w, height - top - plot_h, left), cls="trend",
    )  # fmt: skip
    for k, line in enumerate(title_lines):  # a long name on several lines, never cut
        cv.text(4, 17 + 19 * k, line, size=15, weight="600")

    colours = [draw.OKABE_ITO[0]] * len(series) if small else list(draw.OKABE_ITO)
    for i, s in enumerate(series):
        r, c = divmod(i, cols)
        px0 = left + c * (plot_w + gap_x + left - 10)
        py0 = top + r * row_h
        xs = draw.Linear(x_domain, (px0, px0 + plot_w))
        ys = draw.Linear(y_domain, (py0 + plot_h, py0))
        if small:
            cv.text(px0, py0 - 7, s.label, size=12.5, weight="600")
        # events: a shaded span for a period, a dashed line at each start
        for _, e in numbered:
            ex = xs(_seconds(e.date))
            if getattr(e, "end", None) is not None:
                ex1 = min(xs(_seconds(e.end)), px0 + plot_w)
                cv.rect(ex, py0, ex1 - ex, plot_h, "#7f7f7f", opacity=0.08, cls="event-span")
            cv.rule(ex, py0, ex, py0 + plot_h, colour="#6b6b6b", dash="4 3", cls="event-line")
        cv.y_axis(
            ys, ticks=y_ticks, fmt=tick,
            title=None if small else (text["percent"] if percent else text["value"]),
            x0=px0, x1=px0 + plot_w,
        )  # fmt: skip
        # the round labels under every panel of the last row, and under a panel with none below
        if cols == 1 or i + cols >= len(series):
            base = py0 + plot_h + 15
            for x, nm in zip(x_value, names, strict=True):
                for k, part in enumerate(_split(nm, room - 4, tick_size)):
                    cv.text(
                        xs(x), base + 13 * k, part, anchor="middle", size=tick_size, cls="muted"
                    )
        px = [xs(x) for x in x_value]
        if ref is not None:
            cv.line(
                zip(px, [None if v is None else ys(v) for v in ref.est], strict=True),
                REFERENCE, width=1.5, cls="reference", title=ref.label,
            )  # fmt: skip
        todo = [(s, colours[i])] if small else [(g, colours[k]) for k, g in enumerate(series)]
        for g, colour in todo:
            cv.band(
                px, [None if v is None else ys(v) for v in g.low],
                [None if v is None else ys(v) for v in g.high], colour, opacity=0.18,
                title=f"{g.label}: {text['ci_long'].format(level=f'{100 * level:g}')}",
            )  # fmt: skip
        for k, (g, colour) in enumerate(todo):
            cv.line(
                zip(px, [None if v is None else ys(v) for v in g.est], strict=True), colour,
                width=2.25, title=g.label,
            )  # fmt: skip
            for j, (x, v) in enumerate(zip(px, g.est, strict=True)):
                name = names[j] if small or len(series) == 1 else f"{g.label}, {names[j]}"
                tip = _tooltip(
                    name, v, g.low[j], g.high[j], g.n[j], percent, lang, level, g.suppressed[j]
                )
                if v is not None:
                    cv.dot(x, ys(v), colour, r=3.5, title=tip)
                elif g.suppressed[j]:  # in the group's colour, one line per group
                    cv.text(
                        x, py0 + plot_h - 6 - 12 * k, text["suppressed_short"], anchor="middle",
                        size=10, cls="muted suppressed", title=tip,
                        colour=colour if len(todo) > 1 else None,
                    )  # fmt: skip
        if not small:
            break
    # the numbered markers, in the strip above the top panel of each column
    for c in range(min(cols, len(series))):
        offset = c * (plot_w + gap_x + left - 10)
        for (k, e), row, cx in zip(numbered, rows_of, centres0, strict=True):
            x = cx + offset
            y = title_h + strip_h - 4 - (row + 1) * (MARKER + MARKER_GAP) + MARKER_GAP
            label = e.text(lang) if hasattr(e, "text") else str(getattr(e, "id", ""))
            tip = f"{text['event']} {k}: {label}"
            cv.rect(
                x - MARKER / 2, y, MARKER, MARKER, "#ffffff", stroke="#555555", cls="event",
                title=tip,
            )  # fmt: skip
            cv.text(x, y + MARKER / 2 + 0.5, str(k), anchor="middle", size=11, weight="600",
                    baseline="middle", cls="event-num", title=tip)  # fmt: skip
    if small:
        items = [(text["estimate"], colours[0], "line")]
        items += [(total_name, REFERENCE, "line")] if ref is not None else []
    elif len(series) > 1 or ref is not None:
        items = [(s.label, colours[k], "line") for k, s in enumerate(series)]
        items += [(total_name, REFERENCE, "line")] if ref is not None else []
    else:
        items = []
    if items:
        items.append((text["ci"].format(level=f"{100 * level:g}"), colours[0], "band"))
    return cv.render(), draw.legend(items)


def trend_figure(*args: Any, **kwargs: Any) -> str:
    """:func:`trend_svg` at a desktop's and a phone's width, in one ``<figure data-chart="trend">``
    (the style shows the one that fits the screen)."""
    wide, legend = trend_svg(*args, **{**kwargs, "width": WIDE})
    narrow, _ = trend_svg(*args, **{**kwargs, "width": NARROW})
    return draw.figure(
        _only(wide, "wide") + _only(narrow, "narrow"), key="trend", legend_html=legend
    )


def _only(svg: str, screen: str) -> str:
    """Mark a drawing for one screen size (``draw.STYLE``'s ``.for-wide``/``.for-narrow``)."""
    return svg.replace('class="mande-chart ', f'class="mande-chart for-{screen} ', 1)


# --- the breakdown -----------------------------------------------------------------------------


def breakdown_svg(
    results: pd.DataFrame, *, lang: str = "en", level: float = 0.95, title: str | None = None,
    width: int = WIDE,
) -> str:  # fmt: skip
    """One round's estimates by group: a bar (a dot for a mean) with its interval's whisker per
    group, the group's name above it and the value at the whisker's end; a suppressed group is
    listed with "suppressed (n too small)" (`mande.notes.SUPPRESSED`) and no bar.

    ``results`` holds the rows of one indicator, one breakdown and one round (group, estimate,
    ci_low, ci_high, optionally suppressed, kind, n), in the order to draw.
    """
    text = _t(lang)
    _need(results, ("group", "estimate", "ci_low", "ci_high"), "breakdown_svg")
    percent, factor = _is_percent(results)
    rows = results.reset_index(drop=True)
    s = _series(
        rows.assign(round=range(len(rows))), "", list(range(len(rows))), factor
    )  # one "round" per group
    names = rows["group"].astype(str).tolist()
    if percent:
        x_ticks = [0.0, 25.0, 50.0, 75.0, 100.0]
    else:
        vals = [v for v in (*s.est, *s.low, *s.high) if v is not None] or [0.0, 1.0]
        x_ticks = draw.nice_ticks(min(min(vals), 0.0), max(vals), 5)
        if x_ticks[-1] < max(vals):
            x_ticks.append(x_ticks[-1] + (x_ticks[1] - x_ticks[0] if len(x_ticks) > 1 else 1))
    row_h, top = 38.0, 30.0 if title else 8.0
    axis_h = 40.0
    height = top + row_h * len(rows) + axis_h
    label = text["breakdown"].format(title=title or text["estimate"])
    cv = draw.Canvas(width, height, label=label, margin=(top, 56, axis_h, 14), cls="breakdown")
    if title:
        cv.text(4, 18, title, size=14, weight="600")
    xs = draw.Linear((x_ticks[0], x_ticks[-1]), (cv.x0, cv.x1))
    pct = text["pct"] if percent else ""
    for v in x_ticks:
        cv.rule(xs(v), cv.y0, xs(v), cv.y1)
        cv.text(xs(v), cv.y1 + 15, f"{_number(v, lang, 0 if v == int(v) else 1)}{pct}",
                anchor="middle", size=11, cls="muted")  # fmt: skip
    ci = text["ci_long"].format(level=f"{100 * level:g}")
    cv.text((cv.x0 + cv.x1) / 2, cv.y1 + 33, f"{text['percent'] if percent else text['value']} "
            f"({ci})", anchor="middle", size=11.5, cls="muted")  # fmt: skip
    for i, name in enumerate(names):
        y = top + i * row_h
        cv.text(cv.x0, y + 12, name, size=12.5)
        est, low, high = s.est[i], s.low[i], s.high[i]
        tip = _tooltip(name, est, low, high, s.n[i], percent, lang, level, s.suppressed[i])
        mid = y + 25
        if est is None:
            cv.text(cv.x0, mid + 4, text["suppressed"] if s.suppressed[i] else "–", size=11.5,
                    cls="muted suppressed", title=tip)  # fmt: skip
            continue
        if percent:
            cv.rect(xs(0), mid - 7, xs(est) - xs(0), 14, draw.OKABE_ITO[0], opacity=0.85,
                    title=tip)  # fmt: skip
        end = xs(est)
        if low is not None and high is not None:
            cv.rule(xs(low), mid, xs(high), mid, colour=draw.TEXT, width=1.5, cls="whisker")
            for v in (low, high):
                cv.rule(xs(v), mid - 5, xs(v), mid + 5, colour=draw.TEXT, width=1.5,
                        cls="whisker")  # fmt: skip
            end = max(end, xs(high))
        if not percent:
            cv.dot(xs(est), mid, draw.OKABE_ITO[0], r=5, title=tip)
        cv.text(end + 6, mid, _value(est, percent, lang), size=11.5, baseline="middle",
                cls="value", title=tip)  # fmt: skip
    return cv.render()


def breakdown_figure(results: pd.DataFrame, **kwargs: Any) -> str:
    """:func:`breakdown_svg` at a desktop's and a phone's width, in one
    ``<figure data-chart="breakdown">``."""
    wide = breakdown_svg(results, **{**kwargs, "width": WIDE})
    narrow = breakdown_svg(results, **{**kwargs, "width": NARROW})
    return draw.figure(_only(wide, "wide") + _only(narrow, "narrow"), key="breakdown")
