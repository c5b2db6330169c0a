"""Every page, as each role: what it shows and what it hides (Streamlit AppTest)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.navigation import pages_for
from tests.ui._cards import overview_cards as _cards

MISSION_EN = "United Nations Multidimensional Integrated Stabilization Mission in Valdoria"
MISSION_FR = (
    "Mission multidimensionnelle intégrée des Nations Unies pour la stabilisation en Valdorie"
)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [t.value for t in at.title] + [s.value for s in at.subheader]
    parts += [e.value for e in at.error] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"views/{page}")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_menu_per_role() -> None:
    assert [p.key for p in pages_for("viewer")] == [
        "overview", "explorer", "trends", "partners", "footprint", "reports",
    ]  # fmt: skip
    assert [p.key for p in pages_for("officer")] == [
        "overview", "explorer", "trends", "partners", "footprint", "reports", "upload", "plan",
    ]  # fmt: skip
    assert [p.key for p in pages_for("admin")][-1] == "data_audit"
    assert pages_for("nobody") == []


@pytest.mark.parametrize("role", ["viewer", "officer", "admin"])
def test_overview_cards_for_every_role(app: Callable[..., AppTest], role: str) -> None:
    at = app(role=role)
    assert at.title[0].value == MISSION_EN
    # one card per indicator measure of the latest round, with a value and a sparkline
    cards = _cards(at).cards
    assert len(cards) >= 16
    safe = next(c for c in cards if c["name"] == "Safe after dark")
    assert safe["value"].endswith("%")
    assert "fixed 0 to 100 scale" in safe["spark"]
    assert all(c["spark"] for c in cards)
    # names in full: the longest is not cut
    assert "Trust in institutions: Local administration" in [c["name"] for c in cards]
    assert "Significant changes since the previous period" in _texts(at)


def test_overview_cards_grouped_by_report_section_significant_first(
    app: Callable[..., AppTest],
) -> None:
    from mande import load_catalogue, overview
    from mande.report.build import SECTIONS
    from mande.store import Store

    at = app(role="viewer")
    parsed = _cards(at)
    cards = parsed.cards
    store = Store.open()
    head = overview.headline(store.results(), overview.round_order(store.rounds()))
    significant = set(head.loc[head["arrow"] != "", "indicator"])
    assert significant, "the sample mission has significant changes in its latest period"
    # the first group holds exactly the significant cards, largest change first
    first = [c["indicator"] for c in cards if c["group"] == "significant"]
    assert cards[0]["group"] == "significant" and set(first) == significant
    size = head.set_index("indicator")["change"].abs()
    assert list(size[first]) == sorted(size[first], reverse=True)
    assert parsed.titles["significant"] == "Changed significantly since November 2025"
    # then the report's sections in the report's order, each card once, in its catalogue section
    groups = list(dict.fromkeys(c["group"] for c in cards))[1:]
    assert groups == [s for s in SECTIONS if s in groups]
    assert parsed.titles["protection_of_civilians"] == "Protection of civilians"
    section = {i.id: i.sg_section for i in load_catalogue().survey()}
    for c in cards:
        assert c["group"] in ("significant", section[str(c["indicator"]).split(".")[0]])
    assert len({c["indicator"] for c in cards}) == len(cards)
    # an arrow and a change only when the change is significant
    for c in cards:
        if c["indicator"] in significant:
            assert c["delta"] and c["delta"][0] in "▲▼", c
        else:
            assert not c["delta"] and "no significant change" in c["note"], c


def test_overview_in_french(app: Callable[..., AppTest]) -> None:
    at = app(role="viewer", lang="fr")
    assert at.title[0].value == MISSION_FR
    parsed = _cards(at)
    assert "En sécurité la nuit" in [c["name"] for c in parsed.cards]
    assert any(c["value"].endswith("\u202f%") for c in parsed.cards)
    assert parsed.titles["significant"] == "Évolutions significatives depuis novembre 2025"
    assert parsed.titles["protection_of_civilians"] == "Protection des civils"
    assert any("enquête de perception de la MINUSVA" in c.value for c in at.caption)
    (svg,) = [html.unescape(m.value) for m in at.markdown if 'data-chart="map"' in m.value]
    assert re.search(r"Kodjari\nmai 2026\n\d+,\d\u202f% \(IC à 95 % \d+,\d–\d+,\d\)\nn = ", svg)


def test_overview_changes_table_and_map_note(app: Callable[..., AppTest]) -> None:
    at = app(role="viewer")
    table = next(m.value for m in at.markdown if '<table class="mande-changes"' in m.value)
    header = re.findall(r"<th[^>]*>([^<]*)</th>", table)
    assert header[:3] == ["Indicator", "Change", "Verdict"]  # kept first on a phone
    assert "deteriorated" in table and "Region: Kodjari" in table
    notes = [c.value for c in at.caption if c.value.startswith("Source:")]
    assert len(notes) == 2  # under the cards and under the map, from mande.notes
    assert notes[0].startswith(
        "Source: MINUSVA perception survey, rounds 1–4 (November 2024 to May 2026); n = "
    )
    assert "fixed scale" in notes[0]
    assert notes[1].startswith("Source: MINUSVA perception survey, round 4 (May 2026); n = 2,9")
    assert "tooltip" in notes[1]
    # the map: an SVG drawn on the server, one path per region with its tooltip; no chart
    # library and no data grid anywhere on the Overview (both cost seconds in a new tab)
    (svg,) = [m.value for m in at.markdown if 'data-chart="map"' in m.value]
    found = re.findall(r'data-pcode="(VD0\d)"[^>]*><title>([^<]*)</title>', svg)
    tips = {code: html.unescape(tip) for code, tip in found}
    assert len(tips) == 6
    assert re.fullmatch(
        r"Kodjari\nMay 2026\n\d+\.\d% \(95% CI \d+\.\d–\d+\.\d\)\nn = [\d,]+", tips["VD06"]
    ), tips["VD06"]
    assert '<span class="lo">0%</span>' in svg and '<span class="hi">100%</span>' in svg
    assert not at.get("plotly_chart") and not at.dataframe
    at.selectbox(key="map_indicator").set_value("SAF-01").run()
    (svg,) = [m.value for m in at.markdown if 'data-chart="map"' in m.value]
    assert "Safe after dark" in svg


def _explorer_table(at: AppTest) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """The Explorer's breakdown table (``draw.table``): its header, its cells, their classes."""
    import xml.etree.ElementTree as ET

    (html,) = [m.value for m in at.markdown if 'data-table="breakdown_table"' in m.value]
    table = ET.fromstring(html).find(".//table")
    assert table is not None
    header = ["".join(th.itertext()) for th in table.iter("th")]
    body = table.find("tbody")
    assert body is not None
    rows = [["".join(td.itertext()) for td in tr.iter("td")] for tr in body.iter("tr")]
    classes = [[td.get("class", "") for td in tr.iter("td")] for tr in body.iter("tr")]
    return header, rows, classes


def _chart(at: AppTest, key: str) -> str:
    """The markdown of the Explorer's drawn chart ``key`` ("trend", "breakdown")."""
    (html,) = [m.value for m in at.markdown if f'data-chart="{key}"' in m.value]
    return str(html)


def test_explorer(app: Callable[..., AppTest]) -> None:
    at = _open(app(role="viewer"), "explorer.py")
    assert at.title[0].value == "Indicator explorer"
    at.selectbox(key="indicator").set_value("SAF-01")
    at.selectbox(key="breakdown").set_value("region")
    at.run()
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]
    # drawn on the server: no chart or grid component on the page
    assert not at.get("plotly_chart") and not at.dataframe
    header, rows, classes = _explorer_table(at)
    assert len(rows) == 6  # six regions
    assert header[:5] == ["Group", "Estimate", "95% CI", "n", "Change"] and "Verdict" in header
    # on a phone the group, estimate, change and verdict stay; figures are right-aligned
    kept = [h for h, c in zip(header, classes[0], strict=True) if "wide" not in c]
    assert kept == ["Group", "Estimate", "Change", "Verdict"]
    assert all("num" in classes[0][header.index(h)] for h in ("Estimate", "n", "Change"))
    assert all(r[1].endswith("%") for r in rows)
    assert at.get("download_button")


def test_explorer_shows_suppressed_cells(app: Callable[..., AppTest]) -> None:
    at = _open(app(role="viewer"), "explorer.py")
    # victims who reported: a small universe, some groups fall under the minimum n
    at.selectbox(key="indicator").set_value("VIC-01")
    at.selectbox(key="breakdown").set_value("age_group")
    at.run()
    assert not at.warning, [w.value for w in at.warning]
    _, rows, _ = _explorer_table(at)
    assert any(r[1] == "–" and r[2] == "suppressed (n too small)" for r in rows), rows
    assert "Suppressed" in _texts(at)
    assert "suppressed (n too small)" in _chart(at, "breakdown")


def test_partners_page(app: Callable[..., AppTest]) -> None:
    at = _open(app(role="viewer"), "partners.py")
    text = _texts(at)
    assert "Where the mission ran robust operations" in text
    assert "Agreement between coders" in text
    rel = _table(at, "reliability")
    alphas = [float(v) for v in rel.column("Krippendorff's alpha") if v != "–"]
    assert alphas and all(0 <= a <= 1 for a in alphas)
    assert "points lower" in text or "points higher" in text or "not significant" in text
    # every chart and table drawn on the server: no chart library, no data grid
    assert not at.get("plotly_chart") and not at.dataframe
    drawn = " ".join(m.value for m in at.markdown)
    for chart in ("heatmap", "dimensions", "positions", "themes"):
        assert f'data-chart="{chart}"' in drawn, chart
    # the period's table greys the rows resting on small numbers, and says why
    table = _table(at, "partner_table")
    flagged = [r[-1] == "small numbers" for r in table.rows]
    assert [c == "grey" for c in table.row_classes] == flagged
    assert any(flagged) and not all(flagged)  # the sample mission has both


class _Drawn(HTMLParser):
    """A table drawn by mande.draw, read back from the page's markdown: header, rows, row classes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.row_classes: list[str] = []
        self._text: str | None = None
        self._head = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("thead", "tbody"):
            self._head = tag == "thead"
        elif tag == "tr" and not self._head:
            self.rows.append([])
            self.row_classes.append(dict(attrs).get("class") or "")
        elif tag in ("th", "td"):
            self._text = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._text is not None:
            cell = self._text.replace("\u00a0", " ")
            (self.header if self._head else self.rows[-1]).append(cell)
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text += data

    def column(self, name: str) -> list[str]:
        i = self.header.index(name)
        return [r[i] for r in self.rows]


def _table(at: AppTest, key: str, attr: str = "data-table") -> _Drawn:
    """The table drawn as ``<table data-table="key">`` (or inside ``<figure data-chart="key">``)."""
    mark = f'{attr}="{key}"'
    html = next(m.value for m in at.markdown if mark in m.value)
    return _Drawn(html[html.index(mark) :])


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_partners_page_shows_names_not_codes(app: Callable[..., AppTest], lang: str) -> None:
    from mande.partners.rubric import load_rubric
    from mande.stats.reliability import reliability_labels

    rubric = load_rubric()
    at = _open(app(role="viewer", lang=lang), "partners.py")
    codes = {*rubric.partner_types, *rubric.dimensions, "coercion_cooperation"}
    codes |= {"n_units", "n_pairs", "percent_agreement", "n_coders", "few_units", "alpha"}
    tables = [_table(at, k) for k in ("partner_table", "reliability")]
    tables += [
        _table(at, k, "data-chart") for k in ("heatmap", "dimensions", "positions", "themes")
    ]
    for table in tables:
        cells = {c for row in table.rows for c in row} | set(table.header)
        assert not codes & cells, codes & cells
        assert not any(c[:4].isdigit() and c[4:5] == "-" for c in cells)  # no period id "2025-02"
    names = reliability_labels(lang)
    rel = tables[1]
    assert rel.header[:5] == [
        names[c] for c in ("dimension", "alpha", "n_units", "percent_agreement", "n_coders")
    ]
    assert rubric.dimension_label("mutual_benefit", lang) in rel.column(names["dimension"])
    # the heatmap: periods by their dates across the top, partner types by name down the side
    heat = tables[2]
    period = (
        "1 October 2024–31 January 2025" if lang == "en" else "1er octobre 2024–31 janvier 2025"
    )
    assert heat.header[1] == period
    assert rubric.partner_type_label("local_authority", lang) in [r[0] for r in heat.rows]
    assert tables[4].header == heat.header  # positions: the same periods
    assert rubric.dimension_label("trust", lang) in tables[3].header
    # every chart has its source and n under it
    source = (
        "Source: MINUSVA partner interviews" if lang == "en" else "entretiens avec les partenaires"
    )
    captions = [c.value for c in at.caption]
    assert sum(source in c for c in captions) == 4
    # the quotes' period is chosen by its dates, not its id
    last = "1 June–30 September 2026" if lang == "en" else "1er juin–30 septembre 2026"
    assert at.selectbox(key="quote_period").options[-1] == last


def test_explorer_charts_carry_their_source_and_events(app: Callable[..., AppTest]) -> None:
    at = _open(app(role="viewer"), "explorer.py")
    at.selectbox(key="indicator").set_value("SAF-01")
    at.selectbox(key="breakdown").set_value("region")
    at.run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(
        c.startswith("Source: MINUSVA perception survey, rounds 1–4 (November 2024 to May 2026)")
        and "Events: 1 (1 December 2024)" in c
        for c in captions
    ), captions
    assert any(
        c.startswith("Source: MINUSVA perception survey, round 4 (May 2026); n = ")
        for c in captions
    )
    import xml.etree.ElementTree as ET

    ns = "{http://www.w3.org/2000/svg}"
    trend = _chart(at, "trend")
    wide = next(
        e for e in ET.fromstring(trend[trend.index("<figure") :]).iter(f"{ns}svg")
        if "for-wide" in e.get("class", "")
    )  # fmt: skip
    # six regions: small multiples, one panel (titled by the region's name) per group
    bands = [e for e in wide.iter() if "band" in e.get("class", "").split()]
    assert len(bands) >= 6, len(bands)  # one per panel (more where a round is suppressed)
    assert not [e for e in wide.iter(f"{ns}circle") if "band" in e.get("class", "")]
    assert len([e for e in wide.iter(f"{ns}polyline") if e.get("class") == "reference"]) == 6
    events = [e for e in wide.iter(f"{ns}rect") if e.get("class") == "event"]
    assert len(events) >= 4 * 3  # the four events above each of the three columns
    assert "Event 1: Temporary operating bases" in "".join(
        e.findtext(f"{ns}title") or "" for e in events
    )
    assert "n = " in "".join(c.findtext(f"{ns}title") or "" for c in wide.iter(f"{ns}circle"))
    assert 'data-chart="breakdown"' in _chart(at, "breakdown")


def test_reports_page_builds_downloads(app: Callable[..., AppTest]) -> None:
    at = _open(app(role="viewer"), "reports.py")
    assert at.selectbox(key="period").options
    at.button(key="build").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.get("download_button")) == 2
    # another language (or period): the files built for the first are no longer offered
    other = "fr" if at.radio(key="report_lang").value == "en" else "en"
    at.radio(key="report_lang").set_value(other)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.get("download_button")) == 0


def test_partners_page_flags_and_window(app: Callable[..., AppTest]) -> None:
    at = _open(app(role="viewer"), "partners.py")
    text = _texts(at)
    assert "Data: interviews from" in text  # the model's data window
    assert "Relationship quality by partner type in the period" in text


def _cannot_open(at: AppTest, page: str, title: str) -> None:
    """The router does not register ``page`` for this role; if the page is reached anyway, it
    refuses the role and shows no data."""
    try:
        at.switch_page(f"views/{page}")
    except ValueError as err:
        assert "Could not find a navigation page" in str(err)
        return
    # Registered by an earlier session of this process: the page itself refuses the role.
    at.run()
    assert not at.exception
    if not at.title or at.title[0].value != MISSION_EN:
        assert [e.value for e in at.error] == ["Your role does not allow this page."]
        assert title not in [x.value for x in at.title]
        assert not at.dataframe
    assert not at.get("file_uploader")


def test_viewer_cannot_reach_upload_or_audit(app: Callable[..., AppTest]) -> None:
    at = app(role="viewer")
    _cannot_open(at, "upload.py", "Upload")
    _cannot_open(at, "data_audit.py", "Data & audit")


def test_officer_sees_upload_not_audit(app: Callable[..., AppTest]) -> None:
    at = _open(app(role="officer"), "upload.py")
    assert at.title[0].value == "Upload"
    assert at.get("file_uploader")
    _cannot_open(at, "data_audit.py", "Data & audit")


def test_admin_sees_versions_and_audit_log(app: Callable[..., AppTest]) -> None:
    at = _open(app(role="admin"), "data_audit.py")
    assert at.title[0].value == "Data & audit"
    assert "Audit log" in _texts(at)
    log = at.dataframe[-1].value
    assert {"user", "action", "file_sha256"} <= set(log.columns)
    assert (log["user"] == "demo").any()


def test_pages_refuse_a_viewer_themselves(
    sample_store_dir: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even opened directly (not through the menu), the pages check the role."""
    from dashboard.session import Identity

    monkeypatch.setenv("MANDE_DATA_DIR", str(sample_store_dir))
    for page, title in (("upload.py", "Upload"), ("data_audit.py", "Data & audit")):
        at = AppTest.from_file(f"../../dashboard/views/{page}", default_timeout=120)
        at.session_state["identity"] = Identity(user="v", role="viewer", signed_in=False)
        at.session_state["lang"] = "en"
        at.run()
        assert not at.exception
        assert [e.value for e in at.error] == ["Your role does not allow this page."]
        assert title not in [x.value for x in at.title]  # nothing of the page ran
        assert not at.get("file_uploader")


def test_trends_page_shows_slopes_by_region_and_the_event(app: Callable[..., AppTest]) -> None:
    at = _open(app(role="viewer"), "trends.py")
    assert at.title[0].value == "Trends"
    assert not at.warning, [w.value for w in at.warning]
    table = at.table[0].value.reset_index()
    assert list(table.columns) == ["Group", "Change per round", "Verdict", "n"]
    assert len(table) >= 3  # all regions, then each region
    # a slope with its CI: "+6.0 pp (3.2 to 8.8)"
    assert table.iloc[1]["Change per round"].count("(") == 1
    assert " to " in table.iloc[1]["Change per round"]
    at.selectbox(key="tr_event").set_value("deploy-east").run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]
    assert "Around the event" in _texts(at)
    assert "not proof" in _texts(at)


def test_overview_opens_on_its_headline(app: Callable[..., AppTest]) -> None:
    at = app(role="viewer")
    first = at.markdown[0].value
    assert first.startswith("The latest survey, May 2026, interviewed 2,997 people")
    assert "changed significantly for all respondents" in first
