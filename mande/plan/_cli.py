"""The planning commands: ``mande plan size``, ``mande plan allocate``, ``mande plan draw``.

:func:`register` adds the ``plan`` group to the ``mande`` application (``mande/cli.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mande._progress import working
from mande.errors import MandeError

__all__ = ["plan_app", "register"]

plan_app = typer.Typer(
    rich_markup_mode=None,
    help="Planning a survey round: sample size, allocation, PPS selection of villages, the field "
    "list and the plan file.",
    no_args_is_help=True,
)

_P = typer.Option("--p", help="Expected proportion (0.5 gives the largest sample).")
_DEFF = typer.Option("--deff", help="Design effect expected from clustering and weighting.")
_LEVEL = typer.Option("--level", help="Confidence level.")
_RR = typer.Option("--response-rate", help="Share of attempted interviews expected completed.")
_STRATA = typer.Option("--strata", help="The frame's stratum column.")
_SIZE = typer.Option("--size", help="The frame's size measure (census population).")


def _fail(exc: MandeError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1) from exc


def _table(df: Any, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in df.columns:
        table.add_column(str(col), justify="right" if df[col].dtype.kind in "fiu" else "left")
    for row in df.itertuples(index=False):
        table.add_row(*("" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v)
                        for v in row))  # fmt: skip
    Console(width=160).print(table)


def _pairs(values: list[str], what: str) -> dict[str, float]:
    out = {}
    for v in values:
        key, sep, num = v.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(num)
        except ValueError:
            raise typer.BadParameter(
                f"{v!r}: write {what} as STRATUM=VALUE (e.g. VD01=0.05)"
            ) from None
    return out


@plan_app.command("size")
def size_cmd(
    moe: Annotated[float, typer.Option("--moe", help="Target margin of error (0.05 = 5 points).")],
    p: Annotated[float, _P] = 0.5,
    deff: Annotated[float, _DEFF] = 2.0,
    level: Annotated[float, _LEVEL] = 0.95,
    response_rate: Annotated[float, _RR] = 1.0,
    population: Annotated[
        float | None, typer.Option("--population", help="Population size (finite correction).")
    ] = None,
) -> None:
    """Print the number of interviews to attempt for a target margin of error (Cochran)."""
    from mande.plan import sample_size

    try:
        typer.echo(str(sample_size(moe, p, deff, level, response_rate, population)))
    except MandeError as exc:
        _fail(exc)


@plan_app.command("allocate")
def allocate_cmd(
    n: Annotated[int, typer.Argument(help="The interviews to share between strata.")],
    frame: Annotated[str, typer.Option("--frame", help="The village frame (.csv or .xlsx).")],
    method: Annotated[
        str, typer.Option("--method", help="proportional, equal, neyman or power.")
    ] = "proportional",
    min_per_stratum: Annotated[int, typer.Option("--min-per-stratum")] = 0,
    power: Annotated[
        float, typer.Option("--power", help="Exponent of the power allocation.")
    ] = 0.5,
    max_moe: Annotated[
        float | None, typer.Option("--max-moe", help="Largest margin of error reported.")
    ] = None,
    strata: Annotated[str, _STRATA] = "region",
    size: Annotated[str, _SIZE] = "population",
    p: Annotated[float, _P] = 0.5,
    deff: Annotated[float, _DEFF] = 2.0,
    level: Annotated[float, _LEVEL] = 0.95,
    response_rate: Annotated[float, _RR] = 1.0,
) -> None:
    """Share N interviews between the frame's strata; print each stratum's expected margin."""
    from mande.plan import allocate, read_frame

    try:
        fr = read_frame(frame)
        pop = fr.groupby(strata)[size].sum()
        out = allocate(
            n, pop, method=method, min_per_stratum=min_per_stratum, power=power,  # type: ignore[arg-type]
            p=p, deff=deff, level=level, response_rate=response_rate, max_moe=max_moe,
        )  # fmt: skip
    except MandeError as exc:
        _fail(exc)
    _table(out, f"{n} interviews, {method} allocation")


@plan_app.command("draw")
def draw_cmd(
    frame: Annotated[str, typer.Argument(help="The village frame (.csv or .xlsx).")],
    out_dir: Annotated[str, typer.Option("--out-dir", help="Where to write the files.")] = ".",
    moe: Annotated[
        float | None, typer.Option("--moe", help="Target margin of error in every stratum.")
    ] = None,
    moe_for: Annotated[
        list[str] | None,
        typer.Option("--moe-for", help="A stratum's own target, STRATUM=MOE (repeatable)."),
    ] = None,
    n: Annotated[
        int | None, typer.Option("--n", help="Instead of targets: total interviews to share.")
    ] = None,
    method: Annotated[str, typer.Option("--method", help="Allocation with --n.")] = "proportional",
    min_per_stratum: Annotated[int, typer.Option("--min-per-stratum")] = 0,
    interviews_per_village: Annotated[int, typer.Option("--interviews-per-village")] = 12,
    replacements: Annotated[
        int, typer.Option("--replacements", help="Replacement villages per stratum.")
    ] = 2,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the draw (default: one is chosen).")
    ] = None,
    round_label: Annotated[str | None, typer.Option("--round", help="The round's label.")] = None,
    mission: Annotated[
        str | None, typer.Option("--mission", help="mission.yaml, for region and area names.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Field list language: en or fr.")] = "en",
    plan_format: Annotated[str, typer.Option("--plan-format", help="csv or xlsx.")] = "csv",
    strata: Annotated[str, _STRATA] = "region",
    size: Annotated[str, _SIZE] = "population",
    p: Annotated[float, _P] = 0.5,
    deff: Annotated[float, _DEFF] = 2.0,
    level: Annotated[float, _LEVEL] = 0.95,
    response_rate: Annotated[float, _RR] = 1.0,
) -> None:
    """Draw a round's villages and write the field list (.xlsx) and the plan file.

    Give --moe (and --moe-for per stratum) or --n with --method. The same frame, settings and
    --seed draw the same villages.
    """
    from mande.config import load_mission
    from mande.plan import plan_round, read_frame, write_field_list, write_plan

    if plan_format not in ("csv", "xlsx"):
        raise typer.BadParameter("--plan-format: csv or xlsx")
    try:
        fr = read_frame(frame)
        targets: float | dict[Any, float] | None = moe
        if moe_for:
            own = _pairs(moe_for, "--moe-for")
            levels = sorted(fr[strata].unique(), key=str)
            if moe is None and set(own) != set(levels):
                raise typer.BadParameter(
                    "--moe-for covers only some strata; give --moe for the others"
                )
            targets = {h: own.get(h, moe) for h in levels}  # type: ignore[misc]
        with working("Drawing the villages and writing the field list"):
            plan = plan_round(
                fr, targets, n=n, method=method, min_per_stratum=min_per_stratum,  # type: ignore[arg-type]
                strata=strata, size=size, p=p, deff=deff, level=level, response_rate=response_rate,
                interviews_per_village=interviews_per_village, replacements=replacements, seed=seed,
                round_label=round_label,
            )  # fmt: skip
            config = load_mission(mission) if mission else None
            stem = f"_{round_label}" if round_label else ""
            out = Path(out_dir)
            field = write_field_list(
                plan, out / f"field_list{stem}.xlsx", mission=config, lang=lang
            )
            plan_path = write_plan(plan, out / f"plan{stem}.{plan_format}")
    except MandeError as exc:
        _fail(exc)
    _table(plan.allocation, f"Allocation (seed {plan.settings['seed']})")
    typer.echo(
        f"{len(plan.selected)} villages, {plan.settings['total_interviews']} interviews, "
        f"{len(plan.replacements)} replacements; seed {plan.settings['seed']}"
    )
    typer.echo(str(field))
    typer.echo(str(plan_path))


def register(app: typer.Typer) -> None:
    """Add the ``plan`` group to the ``mande`` application."""
    app.add_typer(plan_app, name="plan")
