"""The Partners page's figures and tables drawn as HTML (mande.charts.partners): names not codes,
periods by their dates, colour-blind-safe colours from the ramps, small numbers greyed, French,
hostile names escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from mande import draw
from mande.charts import partners as charts
from mande.partners.rubric import load_rubric
from mande.stats.reliability import reliability_labels

LABELS = {"2025-02": "1 February–31 May 2025", "2025-06": "1 June–30 September 2025"}
LABELS_FR = {"2025-02": "1er février–31 mai 2025", "2025-06": "1er juin–30 septembre 2025"}


class _Table(HTMLParser):
    """A drawn table read back: header texts, and each body cell's text, style and title."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.header: list[str] = []
        self.rows: list[list[dict[str, str]]] = []
        self.row_classes: list[str] = []
        self._cell: dict[str, str] | None = None
        self._in_head = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
            self.row_classes.append(a.get("class", ""))
        elif tag in ("th", "td"):
            self._cell = {"text": "", "style": a.get("style", ""), "title": a.get("title", "")}
            self._cell["class"] = a.get("class", "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            if self._in_head:
                self.header.append(self._cell["text"])
            else:
                self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["text"] += data


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def _background(cell: dict[str, str]) -> str:
    found = re.search(r"background:(#[0-9a-f]{6})", cell["style"])
    assert found, cell
    return found.group(1)


def _red_and_green(colours: list[str]) -> bool:
    """Colours holding both a saturated red and a saturated green (what deuteranopes confuse)."""
    rgb = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in colours]
    red = any(r > 150 and g < 100 and b < 100 for r, g, b in rgb)
    green = any(g > 120 and r < 110 and b < 110 for r, g, b in rgb)
    return red and green


@pytest.fixture()
def rqi() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "partner_type": ["national_ngo", "local_authority", "local_authority", "national_ngo"],
            "period": ["2025-06", "2025-02", "2025-06", "2025-02"],
            "rqi": [None, 55.0, 48.5, 70.0],
            "rqi_ci_low": [None, 50.2, 41.0, 64.0],
            "rqi_ci_high": [None, 60.1, 56.0, 75.5],
            "n_partners": [0, 12, 4, 9],
            "n_interviews": [0, 40, 6, 31],
            "small": [False, False, True, False],
            "coercion_cooperation": [4.0, 3.2, 1.4, 4.9],
        }
    )


def test_rqi_heatmap_names_periods_colours_and_tooltips(rqi: pd.DataFrame) -> None:
    html = charts.rqi_heatmap(rqi, lang="en", period_labels=LABELS)
    assert html.startswith('<figure class="mande-fig" data-chart="heatmap">')
    table = _Table(html)
    # columns are the reporting periods by their dates, in calendar order; they break only
    # after the dash
    assert [_plain(h) for h in table.header] == ["", *LABELS.values()]
    assert table.header[1] == "1\u00a0February–31\u00a0May\u00a02025"
    # rows are partner types by name, in the order of their names
    assert [r[0]["text"] for r in table.rows] == ["Local authority", "National NGO / civil society"]
    (la_feb, la_jun), (ngo_feb, ngo_jun) = (r[1:] for r in table.rows)
    # each cell's colour is the ramp's at its value on the fixed 0-100 scale, text readable on it
    assert la_feb["text"] == "55" and _background(la_feb) == draw.sequential(0.55)
    assert ngo_feb["text"] == "70" and _background(ngo_feb) == draw.sequential(0.70)
    assert f"color:{draw.text_colour(draw.sequential(0.70))}" in ngo_feb["style"]
    # the interval and the numbers behind a cell on hover
    assert la_feb["title"] == (
        "Local authority · 1 February–31 May 2025: 55.0; 95% CI 50.2–60.1; "
        "n = 12 partners, 40 interviews"
    )
    # small numbers: greyed, in brackets, said so on hover
    assert la_jun["text"] == "(49)"  # rounded half up, as the report does
    assert _background(la_jun) == charts.SMALL_BACKGROUND
    assert "font-style:italic" in la_jun["style"]
    assert la_jun["title"].endswith("small numbers: not compared")
    # a missing index is a dash, never drawn as 0
    assert ngo_jun["text"] == "–" and _background(ngo_jun) != draw.sequential(0)
    # the colour key: the ramp's stops and the greyed cell
    assert f"background:{draw.sequential(0)}" in html and "0</span>" in html
    assert f"background:{draw.sequential(1)}" in html and "100</span>" in html
    assert "(48) small numbers: not compared" in html
    # no code, no period id anywhere a reader sees
    assert not re.search(r"local_authority|national_ngo|2025-0[26]|\brqi\b", html)


def test_heatmaps_in_french(rqi: pd.DataFrame) -> None:
    html = charts.rqi_heatmap(rqi, lang="fr", period_labels=LABELS_FR)
    table = _Table(html)
    assert [_plain(h) for h in table.header[1:]] == list(LABELS_FR.values())
    assert [r[0]["text"] for r in table.rows] == [
        "Autorité locale",
        "ONG nationale / société civile",
    ]
    assert table.rows[0][1]["title"] == (
        "Autorité locale · 1er février–31 mai 2025: 55,0; IC à 95 % 50,2–60,1; "
        "n = 12 partenaires, 40 entretiens"
    )
    assert "petits effectifs : non comparé" in table.rows[0][2]["title"]
    pos = _Table(charts.positions_heatmap(rqi, lang="fr", period_labels=LABELS_FR))
    assert pos.header == table.header
    assert pos.rows[1][1]["text"] == "4,9"
    assert "1 coercition" in charts.positions_heatmap(rqi, lang="fr", period_labels=LABELS_FR)


def test_positions_heatmap_diverges_around_the_middle(rqi: pd.DataFrame) -> None:
    html = charts.positions_heatmap(rqi, lang="en", period_labels=LABELS)
    assert 'data-chart="positions"' in html
    table = _Table(html)
    assert [_plain(h) for h in table.header[1:]] == list(LABELS.values())
    la_feb, ngo_feb = table.rows[0][1], table.rows[1][1]
    assert la_feb["text"] == "3.2" and _background(la_feb) == draw.diverging((3.2 - 1) / 4)
    assert _background(ngo_feb) == draw.diverging((4.9 - 1) / 4)
    assert draw.diverging(0.5) == "#f7f7f7"  # 3, the middle, is neutral
    assert table.rows[0][2]["text"] == "(1.4)"  # small numbers, greyed
    assert "Coercion" in la_feb["title"] or "coercion" in la_feb["title"].lower()
    assert "1 coercion" in html and "5 cooperation" in html
    assert "coercion_cooperation" not in html


def test_dimensions_heatmap_names_dimensions_and_partner_types() -> None:
    rubric = load_rubric()
    quality = pd.DataFrame(
        {
            "partner_type": ["national_ngo", "local_authority"],
            "n_partners": [20, 14],
            "n_interviews": [61, 44],
            "small": [False, False],
            "trust": [3.9, 3.1],
            "cooperation": [4.0, 3.3],
        }
    )
    html = charts.dimensions_heatmap(quality, lang="en")
    assert 'data-chart="dimensions"' in html
    table = _Table(html)
    assert table.header == ["", "Trust", "Cooperation"]  # names, not codes, in the rubric's order
    assert [r[0]["text"] for r in table.rows] == ["Local authority", "National NGO / civil society"]
    trust = table.rows[0][1]
    assert trust["text"] == "3.1" and _background(trust) == draw.sequential((3.1 - 1) / 4)
    assert trust["title"] == "Local authority · Trust: 3.10; n = 14 partners, 44 interviews"
    codes = {*rubric.partner_types, *rubric.dimensions}
    assert not {c for c in codes if re.search(rf"\b{c}\b", html)}
    fr = _Table(charts.dimensions_heatmap(quality, lang="fr"))
    assert fr.header[1] == rubric.dimension_label("trust", "fr")


def test_themes_heatmap_shares_and_counts() -> None:
    matrix = pd.DataFrame(
        {"Local authority": [47.0, 28.0], "UN agency / country team": [30.0, float("nan")]},
        index=pd.Index(["Information sharing", "Joint activities"], name="theme"),
    )
    html = charts.themes_heatmap(matrix, lang="en", n_interviews={"Local authority": 44})
    assert 'data-chart="themes"' in html
    table = _Table(html)
    assert table.header == ["", "Local authority", "UN agency / country team"]
    assert [r[0]["text"] for r in table.rows] == ["Information sharing", "Joint activities"]
    cell = table.rows[0][1]
    assert cell["text"] == "47" and _background(cell) == draw.sequential(0.47)
    assert (
        cell["title"]
        == "Information sharing · Local authority: 47% of interviews; n = 44 interviews"
    )
    assert table.rows[1][2]["text"] == "–"
    assert "0 %" in charts.themes_heatmap(matrix, lang="fr").replace("\u00a0", " ")


def test_every_colour_is_colour_blind_safe(rqi: pd.DataFrame) -> None:
    assert _red_and_green(["#d73027", "#1a9850"])  # the check can see a red-green scale
    for html in (
        charts.rqi_heatmap(rqi, period_labels=LABELS),
        charts.positions_heatmap(rqi, period_labels=LABELS),
    ):
        colours = re.findall(r"background:(#[0-9a-f]{6})", html)
        assert len(colours) >= 4 and not _red_and_green(colours)
    ramp = [draw.sequential(i / 20) for i in range(21)] + [
        draw.diverging(i / 20) for i in range(21)
    ]
    assert not _red_and_green(ramp)


def test_hostile_names_are_escaped() -> None:
    matrix = pd.DataFrame(
        {'<img src=x onerror="alert(1)">': [47.0]},
        index=pd.Index(["<script>alert(1)</script>"], name="theme"),
    )
    html = charts.themes_heatmap(matrix, n_interviews={'<img src=x onerror="alert(1)">': 3})
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    hostile = {"2025-02": '<b onclick="x()">1 May</b>'}
    rqi = pd.DataFrame(
        {
            "partner_type": ["local_authority"],
            "period": ["2025-02"],
            "rqi": [50.0],
            "small": [False],
        }
    )
    html = charts.rqi_heatmap(rqi, period_labels=hostile)
    assert "<b " not in html and "&lt;b" in html


def test_partner_table_greys_small_numbers_and_formats(rqi: pd.DataFrame) -> None:
    labels = {
        "partner_type": "Partner type", "rqi": "Relationship quality (0-100)", "ci95": "95% CI",
        "n_partners": "Partners", "n_interviews": "Interviews", "flag": "Note",
        "small_numbers": "small numbers",
    }  # fmt: skip
    period = rqi[rqi["period"] == "2025-06"].reset_index(drop=True)
    html = charts.partner_table(period, lang="en", labels=labels)
    assert 'data-table="partner_table"' in html
    table = _Table(html)
    assert table.header == list(labels.values())[:6]
    assert [[c["text"] for c in r] for r in table.rows] == [
        ["National NGO / civil society", "–", "–", "0", "0", ""],
        ["Local authority", "48.5", "41.0 – 56.0", "4", "6", "small numbers"],
    ]
    assert table.row_classes == ["", "grey"]
    # figures right-aligned; the less important columns left out on a phone
    assert [c["class"].split()[0] if c["class"] else "" for c in table.rows[1]][:4] == [
        "", "num", "num", "num",
    ]  # fmt: skip
    assert "wide" in table.rows[1][4]["class"] and "wide" in table.rows[1][5]["class"]
    fr = _Table(charts.partner_table(period, lang="fr", labels=labels))
    assert fr.rows[1][:3] and [c["text"] for c in fr.rows[1][:3]] == [
        "Autorité locale", "48,5", "41,0 – 56,0",
    ]  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_agreement_table_names_columns_and_greys_few_units(lang: str) -> None:
    rubric = load_rubric()
    rel = pd.DataFrame(
        {
            "dimension": ["mutual_benefit", "trust"],
            "alpha": [0.8123, None],
            "n_units": [24, 3],
            "n_pairs": [24, 3],
            "percent_agreement": [71.43, 66.67],
            "n_coders": [2, 2],
            "few_units": [False, True],
            "note": ["", "<script>x</script>"],
        }
    )
    html = charts.agreement_table(rel, lang=lang)
    assert 'data-table="reliability"' in html
    table = _Table(html)
    names = reliability_labels(lang)
    assert table.header == [
        names[c] for c in ("dimension", "alpha", "n_units", "percent_agreement", "n_coders", "note")
    ]
    first, second = ([c["text"] for c in r] for r in table.rows)
    assert first[:5] == [
        rubric.dimension_label("mutual_benefit", lang), "0.81" if lang == "en" else "0,81",
        "24", "71", "2",
    ]  # fmt: skip
    assert second[1] == "–" and table.row_classes == ["", "grey"]
    assert "<script>" not in html
    codes = ("mutual_benefit", "n_units", "n_pairs", "percent_agreement", "few_units")
    assert not any(c in html for c in codes)
    # no note column when no row has a note
    plain = _Table(charts.agreement_table(rel.assign(note=""), lang=lang))
    assert len(plain.header) == 5
