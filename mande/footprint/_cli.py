"""``mande footprint``: upload deployments and activity logs, print the exposure and the analysis.

Registered on the ``mande`` application by :func:`register` (``mande/cli.py``); the store and the
models are imported only when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mande._progress import working
from mande.errors import MandeError

__all__ = ["footprint_app", "register"]

footprint_app = typer.Typer(
    rich_markup_mode=None,
    help="The mission's footprint: deployments, activity logs and their link to perceptions.",
    no_args_is_help=True,
)
_URL = typer.Option(
    "--url", help="Database URL (default: MANDE_DATABASE_URL, else SQLite in MANDE_DATA_DIR)."
)


def _fail(exc: Exception) -> None:
    from mande.errors import DataValidationError

    typer.echo(f"error: {exc}", err=True)
    if isinstance(exc, DataValidationError):
        typer.echo(f"{len(exc.errors)} error(s); nothing was stored.", err=True)
    raise typer.Exit(1)


@footprint_app.command("ingest")
def ingest_cmd(
    kind: Annotated[str, typer.Argument(help="deployments, activities or geopko.")],
    file: Annotated[Path, typer.Argument(help="The sheet (.xlsx, .xls or .csv).")],
    label: Annotated[
        str | None, typer.Option("--label", help="Label (default: deployments or activities).")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Who acts (default: MANDE_USER).")
    ] = None,
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Validate a deployments sheet, an activity log or a Geo-PKO table and store it as a version."""
    from mande.store import Store

    if kind not in ("deployments", "activities", "geopko"):
        typer.echo(f"error: kind {kind!r}; expected deployments, activities or geopko", err=True)
        raise typer.Exit(2)
    try:
        store = Store.open(url, user=user)
        try:
            with working(f"Validating and storing {file.name}"):
                res = store.ingest_footprint(file, kind, label=label)  # type: ignore[arg-type]
        finally:
            store.close()
    except MandeError as exc:
        _fail(exc)
        return
    if res.created:
        typer.echo(f"stored {res.kind} {res.label} version {res.version} ({res.n_rows} rows, "
                   f"{res.n_warnings} warnings; sha256 {res.file_sha256[:12]})")  # fmt: skip
    else:
        typer.echo(f"unchanged: {file.name} is already {res.label} version {res.version}")


@footprint_app.command("analyse")
def analyse_cmd(
    indicator: Annotated[
        str, typer.Argument(help="A catalogue measure, e.g. MIS-02 or TRU-01.police.")
    ] = "MIS-02",
    lang: Annotated[str, typer.Option("--lang", help="en or fr.")] = "en",
    exposure_csv: Annotated[
        Path | None, typer.Option("--exposure", help="Also write the exposure table (CSV).")
    ] = None,
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Print the footprint analysis of one indicator on the stored rounds, with its caveats."""
    from mande.footprint.build import analyse_footprint, load_footprint
    from mande.indicators.catalogue import load_catalogue
    from mande.store import Store

    try:
        with working("Analysing the footprint") as step:
            store = Store.open(url)
            try:
                inputs = load_footprint(store)
            finally:
                store.close()
            if inputs is not None:
                step(f"Estimating {indicator} against exposure")
                a = analyse_footprint(inputs, indicator, load_catalogue())
        if inputs is None:
            typer.echo(
                "error: the store holds no deployments, boundaries or survey round", err=True
            )
            raise typer.Exit(1)
    except MandeError as exc:
        _fail(exc)
        return
    for line in a.sentences(lang):
        typer.echo(f"- {line}")
    typer.echo("")
    for line in a.caveats(lang):
        typer.echo(f"* {line}")
    if exposure_csv is not None:
        from mande.output import write_csv

        write_csv(inputs.exposure, exposure_csv)
        typer.echo(f"exposure written to {exposure_csv}")


def register(app: typer.Typer) -> None:
    """Add ``mande footprint`` to the ``mande`` application."""
    app.add_typer(footprint_app, name="footprint")
