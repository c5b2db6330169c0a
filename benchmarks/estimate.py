"""Benchmark: the full indicator table with mande.estimate against R survey and samplics.

The job: 200,000 respondents over 8 survey rounds, 12 strata (6 regions x urban/rural), about
10,000 PSUs of 20 respondents, 15 binary indicators with 5 per cent missing answers; the table of
the 15 indicators by round x region (8 x 6 = 48 domains each), with design-based SEs.

Baselines, on the same data in the same run:

* R ``survey`` (when ``Rscript`` is on the PATH): for each indicator
  ``svyby(~y, ~round+region, svydesign(ids=~psu, strata=~stratum, weights=~w, nest=TRUE),
  svymean, na.rm=TRUE)``; only the svyby calls are timed (``proc.time()`` inside R), not reading the
  CSV or building the design. The estimates and SEs are checked against mande's.
* samplics' ``TaylorEstimator`` (when installed: ``pip install samplics``), on the subset it can
  handle in reasonable time: one round (25,000 respondents), the 15 indicators by region.

Run: ``.venv/bin/python benchmarks/estimate.py`` (``--help`` for the sizes). Prints the timings
and the ratios; it is a script, not a test.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import mande

REGIONS = ("Bamingui", "Haute-Kotto", "Nana", "Ouham", "Vakaga", "Lobaye")


def make_data(
    n: int = 200_000,
    n_items: int = 15,
    n_rounds: int = 8,
    psu_size: int = 20,
    missing: float = 0.05,
    seed: int = 20240601,
) -> pd.DataFrame:
    """Synthetic survey rounds: stratified (region x area) two-stage sample, 0/1 indicators."""
    rng = np.random.default_rng(seed)
    n_psu = n // psu_size
    psu_round = np.repeat(np.arange(1, n_rounds + 1), n_psu // n_rounds + 1)[:n_psu]
    psu_region = rng.integers(0, len(REGIONS), n_psu)
    psu_urban = rng.random(n_psu) < 0.35
    psu_weight = rng.uniform(50, 400, n_psu) * np.where(psu_urban, 0.6, 1.4)
    psu_effect = rng.normal(0, 0.6, n_psu)
    psu = np.repeat(np.arange(n_psu), psu_size)[:n]
    df = pd.DataFrame(
        {
            "round": psu_round[psu],
            "region": np.asarray(REGIONS, dtype=object)[psu_region[psu]],
            "stratum": [
                f"{REGIONS[r]}-{'urban' if u else 'rural'}"
                for r, u in zip(psu_region[psu], psu_urban[psu], strict=True)
            ],
            "psu": psu,
            "w": psu_weight[psu] * rng.uniform(0.8, 1.25, n),
        }
    )
    base = rng.normal(0, 0.8, n_items)
    trend = rng.normal(0, 0.05, n_items)
    for k in range(n_items):
        eta = base[k] + trend[k] * df["round"].to_numpy() + psu_effect[psu] + 0.1 * psu_region[psu]
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
        y[rng.random(n) < missing] = np.nan
        df[f"y{k + 1:02d}"] = y
    return df


def items_of(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("y")]


DESIGN = mande.SurveyDesign(weight="w", strata="stratum", psu="psu")


def mande_table(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The full table: every indicator by ``by``, with mande.estimate."""
    parts = [
        mande.estimate(df, DESIGN, item, kind="proportion", by=by).assign(item=item)
        for item in items_of(df)
    ]
    return pd.concat(parts, ignore_index=True)


def time_mande(df: pd.DataFrame, by: list[str], repeat: int) -> tuple[float, pd.DataFrame]:
    best = np.inf
    table = pd.DataFrame()
    for _ in range(repeat):
        start = time.perf_counter()
        table = mande_table(df, by)
        best = min(best, time.perf_counter() - start)
    return best, table


R_SCRIPT = textwrap.dedent(
    """
    suppressPackageStartupMessages(library(survey))
    args <- commandArgs(trailingOnly = TRUE)
    d <- read.csv(args[1], stringsAsFactors = FALSE)
    des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d)
    items <- grep("^y", names(d), value = TRUE)
    out <- vector("list", length(items))
    t0 <- proc.time()
    for (i in seq_along(items)) {
      out[[i]] <- svyby(as.formula(paste0("~", items[i])), ~round + region, des, svymean,
                        na.rm = TRUE)
    }
    elapsed <- (proc.time() - t0)[["elapsed"]]
    res <- do.call(rbind, lapply(seq_along(items), function(i) {
      s <- out[[i]]
      data.frame(item = items[i], round = s$round, region = s$region,
                 estimate = coef(s), se = SE(s))
    }))
    write.csv(res, args[2], row.names = FALSE)
    cat(sprintf("%.6f\\n", elapsed))
    """
)


def time_r(df: pd.DataFrame) -> tuple[float, pd.DataFrame] | str:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript not found: R baseline skipped"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.csv"
        out = Path(tmp) / "svyby.csv"
        script = Path(tmp) / "bench.R"
        df.to_csv(data, index=False)
        script.write_text(R_SCRIPT, encoding="utf-8")
        run = subprocess.run(
            [rscript, str(script), str(data), str(out)], capture_output=True, text=True, check=False
        )
        if run.returncode != 0:
            return f"R failed: {run.stderr.strip()[-500:]}"
        elapsed = float(run.stdout.strip().splitlines()[-1])
        return elapsed, pd.read_csv(out)


def compare(ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str]) -> tuple[float, float]:
    """Largest relative differences of the estimates and SEs, matched on ``keys``."""
    merged = ours.merge(theirs, on=keys, suffixes=("", "_ref"), validate="one_to_one")
    if len(merged) != len(theirs) or len(merged) != len(ours):
        raise SystemExit(f"tables do not match: {len(ours)} vs {len(theirs)} rows")
    rel_est = np.max(np.abs(merged["estimate"] / merged["estimate_ref"] - 1))
    rel_se = np.max(np.abs(merged["se"] / merged["se_ref"] - 1))
    return float(rel_est), float(rel_se)


def time_samplics(df: pd.DataFrame) -> tuple[float, pd.DataFrame] | str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from samplics import PopParam, TaylorEstimator
    except Exception as exc:  # not installed, or broken against this pandas
        return f"samplics not available ({type(exc).__name__}: {exc}): baseline skipped"
    rows = []
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for item in items_of(df):
                est = TaylorEstimator(PopParam.prop)
                est.estimate(
                    y=df[item],
                    samp_weight=df["w"],
                    stratum=df["stratum"],
                    psu=df["psu"],
                    domain=df["region"],
                    remove_nan=True,
                )
                for region, by_level in est.point_est.items():
                    rows.append(
                        {
                            "item": item,
                            "region": region,
                            "estimate": by_level[1.0],
                            "se": est.stderror[region][1.0],
                        }
                    )
    except Exception as exc:
        return f"samplics failed on this data ({type(exc).__name__}: {exc}): baseline skipped"
    return time.perf_counter() - start, pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="respondents")
    parser.add_argument("--items", type=int, default=15, help="binary indicators")
    parser.add_argument("--repeat", type=int, default=5, help="mande runs (best is kept)")
    parser.add_argument("--no-r", action="store_true", help="skip the R baseline")
    parser.add_argument("--no-samplics", action="store_true", help="skip the samplics baseline")
    args = parser.parse_args(argv)

    df = make_data(n=args.n, n_items=args.items)
    n_domains = df.groupby(["round", "region"]).ngroups
    print(
        f"data: {len(df):,} respondents, {df['round'].nunique()} rounds, "
        f"{df['stratum'].nunique()} strata, {df['psu'].nunique():,} PSUs, "
        f"{args.items} binary indicators (5% missing), {n_domains} round x region domains"
    )

    t_mande, ours = time_mande(df, ["round", "region"], args.repeat)
    print(
        f"mande.estimate, full table ({len(ours):,} rows): {t_mande:.3f} s (best of {args.repeat})"
    )

    if args.no_r:
        print("R baseline skipped (--no-r)")
    else:
        r = time_r(df)
        if isinstance(r, str):
            print(r)
        else:
            t_r, theirs = r
            rel_est, rel_se = compare(ours, theirs, ["item", "round", "region"])
            print(
                f"R survey svyby(~y, ~round+region, design, svymean, na.rm=TRUE) x {args.items}: "
                f"{t_r:.3f} s"
            )
            print(
                f"  same numbers: largest relative difference {rel_est:.1e} (estimates), "
                f"{rel_se:.1e} (SEs)"
            )
            print(f"  ratio R / mande: {t_r / t_mande:.1f}x")

    if args.no_samplics:
        print("samplics baseline skipped (--no-samplics)")
    else:
        subset = df[df["round"] == 1].reset_index(drop=True)
        s = time_samplics(subset)
        if isinstance(s, str):
            print(s)
        else:
            t_s, theirs = s
            t_m, ours_sub = time_mande(subset, ["region"], args.repeat)
            rel_est, rel_se = compare(ours_sub, theirs, ["item", "region"])
            print(
                f"samplics TaylorEstimator on round 1 ({len(subset):,} respondents, "
                f"{args.items} indicators by region): {t_s:.3f} s; mande on the same: {t_m:.3f} s"
            )
            print(
                f"  same numbers: largest relative difference {rel_est:.1e} (estimates), "
                f"{rel_se:.1e} (SEs)"
            )
            print(f"  ratio samplics / mande: {t_s / t_m:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
