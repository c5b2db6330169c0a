"""The Overview's cards read back from the HTML an AppTest run drew (they are not st.metric)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from streamlit.testing.v1 import AppTest


class Cards(HTMLParser):
    """The Overview's cards as laid out: (group, indicator, name, value, delta, has sparkline)."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict[str, Any]] = []
        self.group = ""
        self.titles: dict[str, str] = {}
        self._field: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "section" and "mande-group" in cls:
            self.group = a.get("data-group") or ""
        elif tag == "h4":
            self._field = "h4"
        elif tag == "div" and "mande-card" in cls:
            self.cards.append(
                {"group": self.group, "indicator": a.get("data-indicator"), "name": "",
                 "value": "", "delta": "", "spark": None, "note": ""}
            )  # fmt: skip
        elif tag == "svg" and self.cards:
            self.cards[-1]["spark"] = a.get("aria-label")
        elif ({"name", "val", "delta", "note"} & set(cls)) and self.cards:
            self._field = ({"name", "val", "delta", "note"} & set(cls)).pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "span", "h4"):
            self._field = None

    def handle_data(self, text: str) -> None:
        if self._field == "h4":
            self.titles[self.group] = text
        elif self._field:
            key = {"val": "value"}.get(self._field, self._field)
            self.cards[-1][key] += text


def overview_cards(at: AppTest) -> Cards:
    """Every card of the Overview an AppTest run drew."""
    parser = Cards()
    for m in at.markdown:
        if "mande-card" in m.value:
            parser.feed(m.value)
    return parser
