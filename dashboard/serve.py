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


def warm_up() -> None:
    """Import the pages' modules and fill the shared caches for the store's current data."""
    start = time.perf_counter()
    import plotly.graph_objects  # noqa: F401

    import dashboard.format
    import dashboard.i18n  # noqa: F401
    import mande.indicator_trends
    import mande.output
    import mande.plots  # noqa: F401
    from dashboard import data

    version = data.store().data_version()
    data.catalogue()
    data._mission(version)
    data._rounds(version)
    data._results(version)
    for lang in ("en", "fr"):
        data._figures(version, lang)
    log.info("dashboard warmed in %.1f s (data version %s)", time.perf_counter() - start, version)


@asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    try:
        await asyncio.to_thread(warm_up)
    except Exception as exc:  # the pages compute what is missing and report errors themselves
        from mande.errors import redact

        log.warning("could not warm the dashboard: %s", redact(str(exc)))
    yield


app = st.App(str(Path(__file__).with_name("app.py")), lifespan=_lifespan)
