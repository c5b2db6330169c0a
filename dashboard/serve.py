"""The dashboard's server: ``streamlit run dashboard/serve.py`` (what ``make demo`` runs).

It serves the router, ``dashboard/app.py``, as Streamlit's ASGI app (``st.App``) and warms the
server before it answers anyone: it imports what the pages import (pandas, SQLAlchemy, SciPy,
Plotly, mande), opens the store, and reads what the Overview, Explorer and Partners pages show
first into the shared caches of :mod:`dashboard.data` (the results, the latest period's change
table precomputed at upload, the headline), keyed by the store's data version. The server reports
itself healthy (``/_stcore/health``) once this is done, so the first visitor after a restart waits
for a page, not for the server's start. A failure while warming is logged and the server starts
anyway: the page then computes what is missing and shows any error as a sentence.

``streamlit run dashboard/app.py`` still works (nothing warmed; AppTest runs the router directly).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

log = logging.getLogger("mande.dashboard")

# what the pages import besides dashboard.data (imported once, before the first visitor)
_PAGE_MODULES = (
    "dashboard.format", "dashboard.i18n", "dashboard.session", "dashboard.navigation",
    "mande.plots", "mande.notes", "mande.overview", "mande.indicator_trends", "mande.output",
    "plotly.graph_objects", "plotly.colors",
)  # fmt: skip


def warm_up() -> None:
    """Import the pages' modules and fill the shared caches with what the Overview, Explorer and
    Partners pages read first, for the store's current data, in English and French."""
    start = time.perf_counter()
    for module in _PAGE_MODULES:
        importlib.import_module(module)
    from dashboard import data

    data.catalogue()
    data.results()
    for lang in ("en", "fr"):
        data.figures(lang)
        data.headline(lang)
        data.significant_changes(lang)
        data.headline_text(lang)
    if not data.interviews().empty:
        data.partner_quality(("partner_type", "period"))
        data.partner_quality(("partner_type",))
        periods = data.partner_periods()
        data.partner_figures(periods[-1] if periods else None)
        for lang in ("en", "fr"):
            data.partner_themes(lang)
    _warm_drawing()
    print(
        f"mande: dashboard warmed in {time.perf_counter() - start:.1f} s "
        f"(data version {data.data_version()})",
        file=sys.stderr,
        flush=True,
    )


def _warm_drawing() -> None:
    """Load what drawing a chart or a styled table loads on first use: Plotly's templates (every
    trace type's module), its JSON writer, pandas' Styler (Jinja2)."""
    import pandas as pd
    import plotly.graph_objects as go
    import plotly.io as pio

    for template in ("plotly", "plotly_white"):
        frame = pd.DataFrame({"x": [0.0], "y": [0.0]})
        figure = go.Figure(go.Scatter(x=frame["x"], y=frame["y"]), layout={"template": template})
        pio.to_json(figure, validate=False)
    pd.DataFrame({"x": [0]}).style.to_html()


@asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    try:
        await asyncio.to_thread(warm_up)
    except Exception as exc:  # the pages compute what is missing and report errors themselves
        from mande.errors import redact

        log.warning("could not warm the dashboard: %s", redact(str(exc)))
    yield


def _middleware() -> list[Any]:
    from starlette.middleware import Middleware

    from dashboard.asgi import ServerLocation

    return [Middleware(ServerLocation, base_path=str(st.get_option("server.baseUrlPath") or ""))]


app = st.App(str(Path(__file__).with_name("app.py")), lifespan=_lifespan, middleware=_middleware())
