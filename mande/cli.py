"""The ``mande`` command. Each command calls the same functions the dashboard and notebooks use."""

from __future__ import annotations

from typing import Annotated

import typer

from mande import __version__

app = typer.Typer(
    name="mande",
    help="Monitoring and evaluation for UN peace operations: perception surveys, partner "
    "interviews, people-centric indicators with honest uncertainty, and SG report annexes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
demo_app = typer.Typer(
    help="The fictional sample mission: generate it, load it into the store.", no_args_is_help=True
)
db_app = typer.Typer(help="The store: create or upgrade its schema.", no_args_is_help=True)
partners_app = typer.Typer(
    help="Partner interviews: coding-sheet template, reliability.", no_args_is_help=True
)
app.add_typer(demo_app, name="demo")
app.add_typer(db_app, name="db")
app.add_typer(partners_app, name="partners")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mande {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """mande: people-centric monitoring for peace operations."""


# Commands are registered below, one section per concern. Each imports its module lazily so that
# `mande --help` stays fast.


# --------------------------------------------------------------------------------------------
# Survey ingest: validate an export, suggest a mapping

mapping_app = typer.Typer(
    help="Mapping a mission's own form onto the standard items.", no_args_is_help=True
)
app.add_typer(mapping_app, name="mapping")


@app.command("validate")
def validate_cmd(
    file: Annotated[str, typer.Argument(help="The survey export (.xlsx, .xls or .csv).")],
    form: Annotated[str, typer.Option("--form", help="The XLSForm the data was collected with.")],
    mapping: Annotated[
        str | None, typer.Option("--mapping", help="Mapping file (YAML) for a mission's own form.")
    ] = None,
    round_label: Annotated[
        str | None, typer.Option("--round", help="Round label (default: the file name).")
    ] = None,
) -> None:
    """Check a survey export against its form: print every problem as a table, exit 1 on errors."""
    from rich.console import Console
    from rich.table import Table

    from mande.errors import DataValidationError, DefinitionError, Problem
    from mande.ingest.survey import read_survey

    console = Console(width=160)
    problems: list[Problem]
    removed: list[tuple[str, str]] = []
    try:
        rnd = read_survey(file, form, mapping, round_label=round_label)
        problems = list(rnd.report.problems)
        removed = [(r.column, r.reason) for r in rnd.report.removed]
        ok, rows = True, len(rnd.responses)
    except DataValidationError as exc:
        problems, ok, rows = exc.problems, False, 0
        if not problems:
            problems = [Problem(exc.message)]
    except DefinitionError as exc:
        console.print(f"[red]mapping or form definition is invalid:[/red] {exc}")
        raise typer.Exit(2) from None
    if problems:
        table = Table(title=f"Problems in {file}", show_lines=False)
        for col in ("severity", "sheet", "row", "column", "value", "expected", "message"):
            table.add_column(col, overflow="fold")
        for p in problems:
            table.add_row(
                p.severity,
                p.sheet or "",
                "" if p.row is None else str(p.row),
                p.column or "",
                p.value or "",
                p.expected or "",
                p.message,
            )
        console.print(table)
    if removed:
        rt = Table(title="Personal data and identifiers removed")
        rt.add_column("column")
        rt.add_column("reason")
        for c, why in removed:
            rt.add_row(c, why)
        console.print(rt)
    n_err = sum(p.severity == "error" for p in problems)
    n_warn = len(problems) - n_err
    if not ok:
        console.print(f"[red]{n_err} error(s), {n_warn} warning(s): the file is refused.[/red]")
        raise typer.Exit(1)
    console.print(f"[green]OK[/green]: {rows} respondents, {n_warn} warning(s).")


@mapping_app.command("suggest")
def mapping_suggest_cmd(
    form: Annotated[str, typer.Argument(help="The mission's XLSForm.")],
    out: Annotated[str, typer.Option("--out", help="Where to write the mapping (YAML).")] = (
        "mapping.yaml"
    ),
    export: Annotated[
        str | None,
        typer.Option("--export", help="An export of the form, to find the design columns."),
    ] = None,
) -> None:
    """Suggest a mapping of FORM onto the standard items; review and edit it, then use it."""
    from mande.ingest.mapping import suggest_mapping
    from mande.ingest.xlsform import read_xlsform

    f = read_xlsform(form)
    columns = None
    if export:
        from mande.ingest._files import read_tables

        columns = list(next(iter(read_tables(export, sheets=1).values())).frame.columns)
    m = suggest_mapping(f, columns=columns)
    m.to_yaml(out)
    mapped = [q for q in m.questions.values() if q.item]
    low = [q for q in mapped if q.confidence < 0.7]
    typer.echo(
        f"wrote {out}: {len(mapped)} questions mapped to standard items, "
        f"{len(m.questions) - len(mapped)} kept unmapped; {len(low)} with confidence under 0.7 "
        "to check first"
    )


# --------------------------------------------------------------------------------------------
# The store: db upgrade, ingest, rounds (versions, set-current, purge), history, results, demo load


def _store_commands() -> None:
    from mande.store._cli import register

    register(app, db_app, demo_app)


_store_commands()
