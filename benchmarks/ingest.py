"""Benchmark: survey ingest against pandas.read_excel on a 50,000-respondent Kobo-style export.

Builds (not timed) an XLSForm with every standard item plus extra questions, and a KoboToolbox-style
.xlsx export of it with 50,000 rows and 150 columns (group paths, split select_multiple columns,
GPS parts, metadata, personal fields), written with openpyxl's write-only mode. Then times, in the
same run and on the same file:

- ``mande.read_survey`` (read with calamine, find columns, decode and map answers, validate, strip
  personal data, derive breakdowns), and
- ``pandas.read_excel(path)`` with its default engine, openpyxl (named explicitly, since pandas
  announces a change of default), which only reads.

Prints both times, the ratio, and each one's peak memory (tracemalloc, Python allocations).

Usage: ``.venv/bin/python benchmarks/ingest.py [--rows 50000] [--keep DIR]``
Target: read_survey at least 5 times faster than the baseline, peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd

import mande
from mande.indicators.items import standard_items

N_COLUMNS = 150
SEED = 20250301


def _group(name: str, role: str) -> str:
    if role == "breakdown":
        return "respondent"
    if name.startswith(("safe", "security", "victim")):
        return "security"
    if name.startswith(("mission", "warn")):
        return "mission"
    return "state"


def build_form(path: Path, n_extra: int) -> list[tuple[str, str, Any]]:
    """Write the XLSForm; return the export's fields as (header, kind, spec)."""
    items = standard_items()
    survey: list[list[Any]] = [["type", "name", "label::English (en)", "label::Français (fr)"]]
    choices: list[list[Any]] = [
        ["list_name", "name", "label::English (en)", "label::Français (fr)"]
    ]
    fields: list[tuple[str, str, Any]] = [
        ("start", "datetime", None),
        ("end", "datetime", None),
        ("today", "date", None),
        ("deviceid", "device", None),
    ]
    survey += [
        ["start", "start", "", ""],
        ["end", "end", "", ""],
        ["today", "today", "", ""],
        ["deviceid", "deviceid", "", ""],
        ["text", "resp_name", "Name", "Nom"],
        ["text", "resp_phone", "Phone", "Téléphone"],
        ["geopoint", "gps", "GPS", "GPS"],
    ]
    fields += [("resp_name", "name", None), ("resp_phone", "phone", None), ("gps", "gps", None)]
    fields += [
        (f"_gps_{p}", "gpspart", p) for p in ("latitude", "longitude", "altitude", "precision")
    ]
    current = None
    regions = [f"VD0{i}" for i in range(1, 7)]
    for name, item in items.items.items():
        g = _group(name, item.role)
        if g != current:
            if current is not None:
                survey.append(["end group", "", "", ""])
            survey.append(["begin group", g, g, g])
            current = g
        path_ = f"{g}/{name}"
        if item.kind == "integer":
            survey.append(["integer", name, item.label["en"], item.label["fr"]])
            fields.append((path_, "int", (18, 90)))
            continue
        survey.append([f"{item.kind} {name}", name, item.label["en"], item.label["fr"]])
        if name == "region":
            codes = regions
        elif name == "admin2":
            codes = [f"{r}0{j}" for r in regions for j in range(1, 4)]
        else:
            codes = [str(c) for c in item.codes]
        for c in codes:
            lab = (item.choices or {}).get(c) or {}
            choices.append([name, c, lab.get("en", c), lab.get("fr", c)])
        if item.kind == "select_multiple":
            fields.append((path_, "multi", codes))
            fields += [(f"{path_}/{c}", "multi_part", c) for c in codes]
        else:
            fields.append((path_, "one", codes))
    survey.append(["end group", "", "", ""])
    # extra (unmapped) questions up to the column count
    survey.append(["begin group", "extra", "Extra", "Extra"])
    choices += [["likert", str(c), f"L{c}", f"L{c}"] for c in range(1, 6)]
    for j in range(n_extra):
        if j % 3 == 2:
            survey.append(["integer", f"x{j:03d}", f"Extra {j}", f"Extra {j}"])
            fields.append((f"extra/x{j:03d}", "int", (0, 20)))
        else:
            survey.append(["select_one likert", f"x{j:03d}", f"Extra {j}", f"Extra {j}"])
            fields.append((f"extra/x{j:03d}", "one", [str(c) for c in range(1, 6)]))
    survey.append(["end group", "", "", ""])
    survey.append(["text", "comments", "Comments", "Commentaires"])
    fields.append(("comments", "comment", None))
    fields += [
        ("stratum", "stratum", None),
        ("cluster_id", "cluster", None),
        ("weight_final", "weight", None),
        ("_id", "seq", None),
        ("_uuid", "uuid", None),
        ("_submission_time", "datetime", None),
        ("__version__", "version", None),
        ("_index", "seq", None),
    ]
    wb = openpyxl.Workbook(write_only=True)
    for title, rows in (
        ("survey", survey),
        ("choices", choices),
        ("settings", [["form_id", "version"], ["bench", "1"]]),
    ):
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return fields


def build_export(path: Path, fields: list[tuple[str, str, Any]], n: int) -> None:
    rng = np.random.default_rng(SEED)
    cols: list[list[Any]] = []
    multi: dict[str, np.ndarray] = {}
    base = dt.datetime(2025, 3, 1, 8, 0)
    for header, kind, spec in fields:
        if kind == "datetime":
            col = [base + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 60 * 24 * 30, n)]
        elif kind == "date":
            col = [dt.date(2025, 3, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 30, n)]
        elif kind == "device":
            col = [f"collect:{x:012d}" for x in rng.integers(0, 10**12, n)]
        elif kind == "name":
            col = [f"Respondent{i} Name{i % 977}" for i in range(n)]
        elif kind == "phone":
            col = [f"+236 7{i % 10} {i % 100:02d} {i % 89:02d} {i % 71:02d}" for i in range(n)]
        elif kind == "gps":
            col = [f"4.{i:05d} 18.{i:05d} 360 4" for i in range(n)]
        elif kind == "gpspart":
            col = list(rng.uniform(2, 10, n).round(6))
        elif kind == "int":
            col = [int(x) for x in rng.integers(spec[0], spec[1], n)]
        elif kind == "one":
            col = list(np.array(spec, dtype=object)[rng.integers(0, len(spec), n)])
            col = [int(x) if str(x).isdigit() else x for x in col]
        elif kind == "multi":
            chosen = rng.random((n, len(spec))) < 0.15
            multi[header] = chosen
            names = np.array(spec, dtype=object)
            col = [" ".join(names[row]) for row in chosen]
        elif kind == "multi_part":
            parent = header.rsplit("/", 1)[0]
            j = [h for h, k, _ in fields if h.startswith(parent + "/") and k == "multi_part"].index(
                header
            )
            col = [int(x) for x in multi[parent][:, j]]
        elif kind == "comment":
            col = [["RAS", "", "Rien à signaler"][i % 3] for i in range(n)]
        elif kind == "stratum":
            col = [f"S{x}" for x in rng.integers(0, 24, n)]
        elif kind == "cluster":
            col = [f"C{x}" for x in rng.integers(0, 600, n)]
        elif kind == "weight":
            col = list(rng.uniform(40, 160, n).round(4))
        elif kind == "seq":
            col = list(range(1, n + 1))
        elif kind == "uuid":
            col = [f"{x:032x}" for x in rng.integers(0, 2**62, n)]
        elif kind == "version":
            col = ["vBench1"] * n
        else:
            raise ValueError(kind)
        cols.append(col)
    # strata/psu nesting: PSU ids unique per stratum is enough for the checks
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("bench")
    ws.append([h for h, _, _ in fields])
    for row in zip(*cols, strict=True):
        ws.append(list(row))
    wb.save(path)


def _time(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _child_rss(form_path: Path, data_path: Path) -> float:
    """Peak resident memory (bytes) of read_survey run alone in a fresh process.

    Counts everything, calamine's Rust allocations included (tracemalloc sees only Python's).
    """
    code = (
        "import mande, resource, sys\n"
        "f = mande.read_xlsform(sys.argv[1])\n"
        "mande.read_survey(sys.argv[2], f, secret=b'b', max_bytes=2**31)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(form_path), str(data_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1]) * 1024  # ru_maxrss is in KiB on Linux


def _peak(fn: Any) -> float:
    """Peak Python memory of one call (tracemalloc; run apart from the timing, which it slows)."""
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return float(peak)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--keep", type=Path, default=None, help="write the files here and keep them")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        form_path, data_path = folder / "bench_form.xlsx", folder / "bench_export.xlsx"
        t0 = time.perf_counter()
        n_fixed = len(build_form(form_path, 0))
        fields = build_form(form_path, N_COLUMNS - n_fixed)
        build_export(data_path, fields, args.rows)
        print(
            f"built {data_path.name}: {args.rows} rows x {len(fields)} columns, "
            f"{data_path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.0f} s "
            "(not timed)"
        )
        form = mande.read_xlsform(form_path)

        def ingest() -> mande.SurveyRound:
            return mande.read_survey(
                data_path, form, round_label="bench", secret=b"benchmark", max_bytes=2**31
            )

        t_m, rnd = _time(ingest)
        print(
            f"mande.read_survey          : {t_m:7.2f} s "
            f"-> {rnd.responses.shape[0]} x {rnd.responses.shape[1]}, "
            f"{len(rnd.report.warnings)} warnings, {len(rnd.report.removed)} columns removed"
        )
        t_p, df = _time(lambda: pd.read_excel(data_path, engine="openpyxl"))
        print(f"pandas.read_excel(openpyxl): {t_p:7.2f} s -> {df.shape[0]} x {df.shape[1]}")
        print(f"ratio (read_excel / read_survey): {t_p / t_m:.1f}x faster; target >= 5x")
        del df, rnd
        mem_m = _peak(ingest)
        print(f"peak memory of read_survey (tracemalloc): {mem_m / 2**30:.2f} GiB; target < 2 GiB")
        rss = _child_rss(form_path, data_path)
        print(f"peak resident memory of read_survey alone (fresh process): {rss / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
