"""The Footprint page: map, the models' sentences with the estimates, the duration curve, caveats."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.navigation import pages_for


def _open(at: AppTest) -> AppTest:
    at.switch_page("views/footprint.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


@pytest.mark.parametrize("role", ["viewer", "officer", "admin"])
def test_every_role_sees_the_footprint_page(role: str) -> None:
    assert "footprint" in [p.key for p in pages_for(role)]


def test_footprint_page_shows_the_estimates_as_a_viewer(app: Callable[..., AppTest]) -> None:
    at = _open(app(role="viewer"))
    assert at.title[0].value == "Footprint"
    assert at.selectbox(key="fp_indicator").value == "MIS-02"
    text = _markdown(at)
    # the effect of presence and the duration slope, with their intervals
    assert "the odds of a favourable answer were" in text and "95 per cent CI" in text
    assert "each year of presence multiplies the odds by" in text
    assert "Deployment follows violence" in text
    # the map is an SVG drawn on the server (the Overview map's drawer); the duration curve Plotly
    (svg,) = [
        html.unescape(str(m.value)) for m in at.markdown if 'data-chart="fp_map"' in str(m.value)
    ]
    assert svg.count('<path class="area"') == 6 and '<path class="site"' in svg
    assert "Perception (% favourable): " in svg and "troops: " in svg
    assert len(at.get("plotly_chart")) == 1
    assert [m.label for m in at.metric] == [
        "Base present (odds ratio)", "Per year of presence (odds ratio)",
    ]  # fmt: skip
    presence, per_year = (float(m.value) for m in at.metric)
    assert presence > 1 > per_year  # acceptance higher with a base, wearing off with the years
    assert any(str(c.value).startswith("95% CI: ") for c in at.caption)
    assert len(at.dataframe) == 3


def test_footprint_page_in_french_and_another_layer(app: Callable[..., AppTest]) -> None:
    at = app(role="viewer", lang="fr")
    at = _open(at)
    assert at.title[0].value == "Empreinte"
    at.selectbox(key="fp_layer").set_value("patrols_per_1000").run()
    at.selectbox(key="fp_indicator").set_value("SAF-01").run()
    assert not at.exception
    assert "non un effet" in _markdown(at)
    (svg,) = [
        html.unescape(str(m.value)) for m in at.markdown if 'data-chart="fp_map"' in str(m.value)
    ]
    assert "Patrouilles pour 1 000 adultes : " in svg and "troupes : " in svg
