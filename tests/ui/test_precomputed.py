"""The Overview and the Explorer only read the latest period's figures: the store precomputed
them (as `mande demo load` does), so drawing the pages tests no change."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import mande.stats.change

from ._cards import overview_cards


def test_pages_read_the_precomputed_change_table(
    app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a change was tested while drawing a page")

    st.cache_data.clear()  # nothing from an earlier test in this process
    monkeypatch.setattr(mande.stats.change, "compare_rounds", refuse)
    at = app(role="viewer")
    assert not at.exception, [e.message for e in at.exception]
    assert len(overview_cards(at).cards) >= 16
    assert "Significant changes since the previous period" in [s.value for s in at.subheader]
    # the list of significant changes, from the stored table
    assert any('<table class="mande-changes">' in m.value for m in at.markdown)
    at.switch_page("views/explorer.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any('data-table="breakdown_table"' in m.value for m in at.markdown)
