"""Benchmark: raking to census margins, then the indicator table with calibrated SEs, against R.

The job: the data of ``benchmarks/estimate.py`` (200,000 respondents, 8 rounds, 12 strata, about
10,000 PSUs, 15 binary indicators with 5 per cent missing answers) with each respondent's sex and
age group; rake the weights to population margins by region (6), sex (2) and age group (5); then
the table of the 15 indicators by round x region (48 domains each) with standard errors that
account for the calibration.

Baseline, on the same data in the same run (when ``Rscript`` is on the PATH): R ``survey``
``calibrate(des, ~region + sex + age_group, pop, calfun = "raking", epsilon = 1e-10)`` followed by
``svyby(~y, ~round + region, cal, svymean, na.rm = TRUE)`` for each indicator; only those calls are
timed (``proc.time()`` inside R), not reading the CSV or building the design. mande is timed on
``mande.calibrate`` + 15 calls of ``mande.estimate``. Estimates and SEs are compared.

Run: ``.venv/bin/python benchmarks/calibrate.py`` (``--help`` for the options). Prints the timings
and the ratio (target: at least 30 times faster than R, same numbers); a script, not a test.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

import mande

sys.path.insert(0, str(Path(__file__).resolve().parent))
from estimate import REGIONS, compare, items_of, make_data

AGES = ("18-24", "25-34", "35-49", "50-64", "65+")
DESIGN = mande.SurveyDesign(weight="w", strata="stratum", psu="psu")


def add_people(df: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    """Sex and age group of each respondent (women and the young over-represented, as in the
    field), and the population margins they are raked to (sum to the same total)."""
    rng = np.random.default_rng(seed)
    out = df.copy()
    out["sex"] = np.where(rng.random(len(df)) < 0.56, "female", "male")
    out["age_group"] = rng.choice(AGES, size=len(df), p=[0.26, 0.3, 0.24, 0.13, 0.07])
    return out


def margins_of(df: pd.DataFrame) -> dict[str, dict[str, float]]:
    total = round(float(df["w"].sum()) * 1.05)
    shares = {
        "region": dict(zip(REGIONS, (0.16, 0.2, 0.18, 0.17, 0.14, 0.15), strict=True)),
        "sex": {"female": 0.51, "male": 0.49},
        "age_group": dict(zip(AGES, (0.2, 0.29, 0.27, 0.15, 0.09), strict=True)),
    }
    out: dict[str, dict[str, float]] = {}
    for var, share in shares.items():
        levels = sorted(share)
        counts = {lv: float(round(total * share[lv])) for lv in levels[:-1]}
        counts[levels[-1]] = float(total - sum(counts.values()))
        out[var] = counts
    return out


def mande_job(df: pd.DataFrame, margins: dict[str, dict[str, float]]) -> pd.DataFrame:
    cal = mande.calibrate(df, DESIGN, margins, method="raking")
    parts = [
        mande.estimate(
            cal.data, cal.design, item, kind="proportion", by=["round", "region"]
        ).assign(item=item)
        for item in items_of(df)
    ]
    return pd.concat(parts, ignore_index=True)


R_SCRIPT = textwrap.dedent(
    """
    suppressPackageStartupMessages(library(survey))
    args <- commandArgs(trailingOnly = TRUE)
    d <- read.csv(args[1], stringsAsFactors = FALSE)
    m <- read.csv(args[2], stringsAsFactors = FALSE)
    des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d)
    fml <- ~region + sex + age_group
    cols <- colnames(model.matrix(fml, d))
    pop <- c(`(Intercept)` = sum(m$population[m$variable == "sex"]))
    for (i in seq_len(nrow(m))) pop[paste0(m$variable[i], m$level[i])] <- m$population[i]
    pop <- pop[cols]
    items <- grep("^y", names(d), value = TRUE)
    out <- vector("list", length(items))
    t0 <- proc.time()
    cal <- calibrate(des, fml, pop, calfun = "raking", epsilon = 1e-10, maxit = 100)
    for (i in seq_along(items)) {
      out[[i]] <- svyby(as.formula(paste0("~", items[i])), ~round + region, cal, svymean,
                        na.rm = TRUE)
    }
    elapsed <- (proc.time() - t0)[["elapsed"]]
    res <- do.call(rbind, lapply(seq_along(items), function(i) {
      s <- out[[i]]
      data.frame(item = items[i], round = s$round, region = s$region,
                 estimate = coef(s), se = SE(s))
    }))
    write.csv(res, args[3], row.names = FALSE)
    cat(sprintf("%.6f\\n", elapsed))
    """
)


def time_r(
    df: pd.DataFrame, margins: dict[str, dict[str, float]]
) -> tuple[float, pd.DataFrame] | str:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript not found: R baseline skipped"
    cols = ["round", "region", "stratum", "psu", "w", "sex", "age_group", *items_of(df)]
    rows = [
        {"variable": var, "level": level, "population": pop}
        for var, table in margins.items()
        for level, pop in table.items()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        data, marg = Path(tmp) / "data.csv", Path(tmp) / "margins.csv"
        out, script = Path(tmp) / "svyby.csv", Path(tmp) / "bench.R"
        df[cols].to_csv(data, index=False)
        pd.DataFrame(rows).to_csv(marg, index=False)
        script.write_text(R_SCRIPT, encoding="utf-8")
        run = subprocess.run(
            [rscript, str(script), str(data), str(marg), str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            return f"R failed: {run.stderr.strip()[-500:]}"
        return float(run.stdout.strip().splitlines()[-1]), pd.read_csv(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="respondents")
    parser.add_argument("--items", type=int, default=15, help="binary indicators")
    parser.add_argument("--repeat", type=int, default=3, help="mande runs (best is kept)")
    parser.add_argument("--no-r", action="store_true", help="skip the R baseline")
    args = parser.parse_args(argv)

    df = add_people(make_data(n=args.n, n_items=args.items))
    margins = margins_of(df)
    print(
        f"data: {len(df):,} respondents, {df['round'].nunique()} rounds, "
        f"{df['stratum'].nunique()} strata, {df['psu'].nunique():,} PSUs, {args.items} binary "
        "indicators; raking to region (6) + sex (2) + age group (5) margins; table by round x "
        "region (48 domains per indicator)"
    )
    best, ours = np.inf, pd.DataFrame()
    for _ in range(args.repeat):
        start = time.perf_counter()
        ours = mande_job(df, margins)
        best = min(best, time.perf_counter() - start)
    print(f"mande.calibrate + mande.estimate x {args.items}: {best:.3f} s (best of {args.repeat})")
    if args.no_r:
        print("R baseline skipped (--no-r)")
        return 0
    r = time_r(df, margins)
    if isinstance(r, str):
        print(r)
        return 0
    t_r, theirs = r
    rel_est, rel_se = compare(ours, theirs, ["item", "round", "region"])
    print(
        f"R survey calibrate(calfun='raking') + svyby(~y, ~round+region, cal, svymean) x "
        f"{args.items}: {t_r:.3f} s"
    )
    print(
        f"  same numbers: largest relative difference {rel_est:.1e} (estimates), {rel_se:.1e} (SEs)"
    )
    print(f"  ratio R / mande: {t_r / best:.1f}x (target >= 30x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
