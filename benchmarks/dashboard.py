"""Benchmark: the dashboard's Overview for the sample mission, on a cold and a warm cache.

The job: render the Overview page (cards for every indicator with their changes and sparklines,
the significant changes, the map) with Streamlit's AppTest against a store holding the sample
mission. "Cold": Streamlit's caches empty, as for the first visitor after the server starts (the
store already holds the computed results, as `make demo` leaves it). "Warm": the same page again.

Baseline, in the same run: a bare Streamlit page that writes one title (the framework's own cost
of a script run under AppTest), so the ratios say what mande adds.

Targets: cold under 2 s, warm under 0.3 s. Run: ``.venv/bin/python benchmarks/dashboard.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed_runs(app: str, repeats: int, clear: bool) -> list[float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    out = []
    for _ in range(repeats):
        if clear:
            st.cache_data.clear()
            st.cache_resource.clear()
        at = AppTest.from_file(app, default_timeout=300)
        t0 = time.perf_counter()
        at.run()
        out.append(time.perf_counter() - t0)
        if at.exception:
            raise SystemExit(f"the page failed: {[e.message for e in at.exception]}")
        if not clear:  # warm: run the same session again
            t0 = time.perf_counter()
            at.run()
            out[-1] = time.perf_counter() - t0
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MANDE_DATA_DIR"] = tmp
        os.environ["MANDE_SECRET"] = "benchmark"
        os.environ.pop("MANDE_DATABASE_URL", None)
        from mande.demo.load import load_sample
        from mande.store import Store

        print("loading the sample mission (not timed)...", flush=True)
        store = Store.open()
        load_sample(ROOT / "sample_data", store)
        store.results()
        store.close()

        bare = Path(tmp) / "bare.py"
        bare.write_text("import streamlit as st\nst.title('bare page')\n", encoding="utf-8")
        app = str(ROOT / "dashboard" / "app.py")
        timed_runs(app, 1, clear=True)  # imports and first-run set-up, not timed
        timed_runs(str(bare), 1, clear=True)

        base = statistics.median(timed_runs(str(bare), 5, clear=True))
        cold = statistics.median(timed_runs(app, 5, clear=True))
        warm = statistics.median(timed_runs(app, 5, clear=False))
    print(f"baseline (bare page)   {base:8.3f} s")
    print(f"overview, cold cache   {cold:8.3f} s   ({cold / base:5.1f} x baseline)   target < 2 s")
    print(
        f"overview, warm cache   {warm:8.3f} s   ({warm / base:5.1f} x baseline)   target < 0.3 s"
    )
    ok = cold < 2 and warm < 0.3
    print("targets met" if ok else "TARGETS NOT MET")


if __name__ == "__main__":
    main()
