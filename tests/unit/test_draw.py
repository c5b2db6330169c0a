"""The server-side drawing primitives: round ticks, colour-blind-safe colours, escaped markup,
bands and lines that break at gaps."""

from __future__ import annotations

import re

import pytest

from mande import draw
from mande.errors import EstimationError


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert draw.nice_ticks(0, 100) == [0, 25, 50, 75, 100]
    assert draw.nice_ticks(0, 1, count=6) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert draw.nice_ticks(-3.2, 4.9) == [-2.5, 0, 2.5]
    assert draw.nice_ticks(5, 5) == [5]
    with pytest.raises(EstimationError, match="finite"):
        draw.nice_ticks(0, float("nan"))


def test_linear_scale_maps_domain_to_range() -> None:
    s = draw.Linear((0, 100), (200, 0))
    assert s(0) == 200 and s(100) == 0 and s(25) == 150


def test_sequential_ramp_ends_and_missing() -> None:
    assert draw.sequential(0) == "#ffffd9"
    assert draw.sequential(1) == "#0c2c84"
    assert draw.sequential(2) == "#0c2c84"  # clipped
    assert draw.sequential(None) == "#eeeeee"
    assert draw.sequential(float("nan"), missing="#ccc") == "#ccc"
    assert draw.text_colour("#0c2c84") == "#ffffff"
    assert draw.text_colour("#ffffd9") == "#000000"


def test_canvas_escapes_text_and_breaks_lines_and_bands_at_gaps() -> None:
    c = draw.Canvas(300, 100, label='Safe <after> "dark"')
    xs = [10.0, 20.0, 30.0, 40.0]
    c.band(xs, [50, 50, None, 50], [40, 40, None, 40], "#0072B2")
    c.line(zip(xs, [45, 45, None, 45], strict=True), "#0072B2", title="<b>")
    c.text(5, 5, "<script>alert(1)</script>")
    svg = c.render()
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert 'aria-label="Safe &lt;after&gt; &quot;dark&quot;"' in svg
    assert svg.count("<polygon") == 1  # the run of two; the lone last round is a short bar
    assert svg.count('<line class="band"') == 1
    assert svg.count("<polyline") == 1  # a lone point makes no line
    assert "&lt;b&gt;" in svg


def test_table_escapes_cells_and_checks_shape() -> None:
    html = draw.table(
        ["Group", "n"], [["<i>North</i>", 12], ["=1+1", 3]], key="t",
        classes=["", "num"], row_classes=["", "grey"],
    )  # fmt: skip
    assert "&lt;i&gt;North&lt;/i&gt;" in html
    assert re.search(r'<tr class="grey"><td class="">=1\+1</td><td class="num">3</td>', html)
    with pytest.raises(EstimationError, match="row 1 has 1 cells"):
        draw.table(["a", "b"], [["x"]], key="t")


def test_legend_and_figure_wrap() -> None:
    leg = draw.legend([("North", "#0072B2", "line"), ("95% CI", "#0072B2", "band")])
    assert leg.count("<span>") == 2 and "opacity:.35" in leg
    fig = draw.figure("<svg></svg>", key="trend", legend_html=leg)
    assert fig.startswith('<figure class="mande-fig" data-chart="trend">')


def test_diverging_ramp_and_cell_tooltips() -> None:
    assert draw.diverging(0) == "#b35806"  # orange
    assert draw.diverging(0.5) == "#f7f7f7"  # the neutral middle
    assert draw.diverging(1) == "#2166ac"  # blue
    assert draw.diverging(-1) == "#b35806" and draw.diverging(None) == "#eeeeee"
    html = draw.table(
        ["Type", "2025"], [["<b>A</b>", "55"]], key="h", classes=["sticky", "heat wrap"],
        cell_styles=[["", "background:#41b6c4"]], cell_titles=[["", 'A · "2025": 55.0']],
    )  # fmt: skip
    assert (
        '<td class="heat wrap" style="background:#41b6c4" title="A · &quot;2025&quot;: 55.0">'
        in html
    )
    assert '<td class="sticky">&lt;b&gt;A&lt;/b&gt;</td>' in html
    assert ".mande-table .sticky{position:sticky" in draw.STYLE
