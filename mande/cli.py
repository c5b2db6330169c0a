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
