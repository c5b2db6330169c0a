"""The store's commands: ``mande db upgrade``, ``mande ingest``, ``mande reweight``, ``mande
rounds`` (``versions``, ``set-current``, ``purge``), ``mande history``, ``mande results``,
``mande demo load``.

:func:`register` adds them to the ``mande`` application (``mande/cli.py``). The store is imported
only when a command runs, so that ``mande --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from mande._progress import working
from mande.errors import MandeError

__all__ = ["register"]

_APP = typer.Typer(
    rich_markup_mode=None,
)
_DB = typer.Typer(
    rich_markup_mode=None,
)
_DEMO = typer.Typer(
    rich_markup_mode=None,
)

rounds_app = typer.Typer(
    rich_markup_mode=None,
    help="Survey rounds in the store: list them (no subcommand), their versions, the current one.",
    invoke_without_command=True,
)

_URL = typer.Option(
    "--url", help="Database URL (default: MANDE_DATABASE_URL, else SQLite in MANDE_DATA_DIR)."
)
_USER = typer.Option("--user", help="Who acts, for the audit log (default: MANDE_USER).")


def _open_store(url: str | None, user: str | None = None) -> Any:
    from mande.store import Store

    try:
        return Store.open(url, user=user)
    except MandeError as exc:
        _fail(exc)


def _fail(exc: Exception) -> NoReturn:
    from mande.errors import DataValidationError

    typer.echo(f"error: {exc}", err=True)
    if isinstance(exc, DataValidationError):
        typer.echo(f"{len(exc.errors)} error(s); nothing was stored.", err=True)
    raise typer.Exit(1)


def _table(frame: Any) -> str:
    if frame.empty:
        return "(none)"
    return str(frame.to_string(index=False))


@_DB.command("stamp")
def db_stamp_cmd(url: Annotated[str | None, _URL] = None) -> None:
    """Record this version's schema stamp on a store that lost it (no migration is run)."""
    from mande.config import Settings
    from mande.store import _engine

    target = url or Settings.from_env().database_url
    try:
        engine = _engine.make_engine(target)
        done = _engine.stamp(engine)
        engine.dispose()
    except MandeError as exc:
        _fail(exc)
    typer.echo(f"schema stamped at {done}")


@_DB.command("upgrade")
def db_upgrade_cmd(url: Annotated[str | None, _URL] = None) -> None:
    """Create the store, or bring its schema to this version of mande (Alembic migrations)."""
    from mande.config import Settings
    from mande.store import _engine

    target = url or Settings.from_env().database_url
    try:
        engine = _engine.make_engine(target)
        before, after = _engine.upgrade(engine)
        engine.dispose()
    except MandeError as exc:
        _fail(exc)
    import sqlalchemy as sa

    shown = sa.make_url(target).render_as_string(hide_password=True)
    if not _engine.is_sqlite(engine):
        from mande.store import _access

        try:  # the groups, grants and triggers, again (a later migration may add tables)
            _engine.write(engine, _access.install)
        except MandeError as exc:
            _fail(exc)
        finally:
            engine.dispose()
        typer.echo(
            f"{shown}: roles mande_viewer, mande_officer, mande_admin and mande_service in place"
        )
    if before == after:
        typer.echo(f"{shown}: schema already at {after}")
    else:
        typer.echo(f"{shown}: schema upgraded from {before or 'empty'} to {after}")


@_APP.command("ingest")
def ingest_cmd(
    file: Annotated[Path, typer.Argument(help="Survey export (.xlsx/.csv) or coding sheet.")],
    form: Annotated[
        Path | None, typer.Option("--form", help="XLSForm of the survey (surveys only).")
    ] = None,
    round_label: Annotated[
        str | None, typer.Option("--round", help="Round label, e.g. 2025-R2 (surveys only).")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="Mapping onto the standard items (YAML).")
    ] = None,
    interviews: Annotated[
        bool, typer.Option("--interviews", help="The file is a partner-interview coding sheet.")
    ] = False,
    label: Annotated[
        str | None, typer.Option("--label", help="Interview sheet label (default: file name).")
    ] = None,
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            help="Sample plan (CSV/xlsx, one row per PSU) of an export without weights: the round "
            "is weighted from it and the mission's population margins.",
        ),
    ] = None,
    design: Annotated[
        str | None,
        typer.Option(
            "--design",
            help="'srs' for a survey without sample design (equal weights, no strata, each "
            "respondent its own PSU); default: as the mapping declares.",
        ),
    ] = None,
    user: Annotated[str | None, _USER] = None,
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Validate a file and store it as a new version (a file already stored changes nothing)."""
    store = _open_store(url, user)
    try:
        if interviews:
            with working(f"Validating and storing {file.name}"):
                res = store.ingest_interviews(file, label=label)
        else:
            if form is None or not round_label:
                typer.echo(
                    "error: a survey needs --form FORM.xlsx and --round LABEL "
                    "(or --interviews for a coding sheet)",
                    err=True,
                )
                raise typer.Exit(2)
            extra = {"design": design} if design else {}
            with working(f"Validating and storing {file.name}") as step:
                res = store.ingest_survey(
                    file, form, round_label, mapping=mapping, plan=plan, **extra
                )
                if res.created and res.current:
                    step("Estimating the indicators and the latest period's changes")
                    store.precompute()
    except MandeError as exc:
        _fail(exc)
    finally:
        store.close()
    what = "round" if res.kind == "survey" else "interview sheet"
    if res.created:
        typer.echo(
            f"stored {what} {res.label} version {res.version} ({res.n_rows} rows, "
            f"{res.n_warnings} warnings; sha256 {res.file_sha256[:12]})"
        )
    else:
        current = "current" if res.current else "not current"
        typer.echo(f"unchanged: {file.name} is already {what} {res.label} version {res.version} "
                   f"({current})")  # fmt: skip


@rounds_app.callback()
def rounds_cmd(ctx: typer.Context, url: Annotated[str | None, _URL] = None) -> None:
    """List the survey rounds: current version, respondents, fieldwork, reporting period."""
    if ctx.invoked_subcommand is not None:
        return
    store = _open_store(url)
    try:
        frame = store.rounds()
    finally:
        store.close()
    cols = ["round", "current_version", "n_versions", "n_respondents", "fieldwork_start",
            "fieldwork_end", "period", "uploaded_by"]  # fmt: skip
    typer.echo(_table(frame[cols] if not frame.empty else frame))


@rounds_app.command("versions")
def rounds_versions_cmd(
    round_label: Annotated[str, typer.Argument(help="The round.")],
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Every version of a round: file, SHA-256, who, when, respondents, which is current."""
    store = _open_store(url)
    try:
        frame = store.versions(round_label)
    except MandeError as exc:
        _fail(exc)
    finally:
        store.close()
    frame["file_sha256"] = frame["file_sha256"].str[:12]
    typer.echo(_table(frame.drop(columns=["data_version"])))


@_APP.command("reweight")
def reweight_cmd(
    round_label: Annotated[str, typer.Argument(help="The round to weight again.")],
    method: Annotated[
        str | None,
        typer.Option("--method", help="raking, linear or poststratify (default: as before)."),
    ] = None,
    lower: Annotated[
        float | None, typer.Option("--lower", help="Lower bound on the g-weights.")
    ] = None,
    upper: Annotated[
        float | None, typer.Option("--upper", help="Upper bound on the g-weights.")
    ] = None,
    user: Annotated[str | None, _USER] = None,
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Calibrate a round again to the mission's current population margins (new census figures):
    a new version, audited. Set the new margins first (mission.yaml, `mande demo load` or the
    store's set_mission)."""
    if (lower is None) != (upper is None):
        typer.echo("error: give both --lower and --upper, or neither", err=True)
        raise typer.Exit(2)
    store = _open_store(url, user)
    try:
        bounds = (lower, upper) if lower is not None and upper is not None else None
        res = store.reweight(round_label, method=method, bounds=bounds)
        w = store.weighting(round_label)
        with working("Estimating the indicators and the latest period's changes"):
            store.precompute()
    except MandeError as exc:
        _fail(exc)
    finally:
        store.close()
    cal = (w or {}).get("calibration", {})
    spec = (w or {}).get("spec", {})
    typer.echo(
        f"round {res.label}: version {res.version} weighted by {spec.get('method')} to "
        f"{spec.get('population_source')} ({spec.get('population_year')}); g-weights "
        f"{cal.get('g_min', float('nan')):.3f} to {cal.get('g_max', float('nan')):.3f}, "
        f"Kish deff {cal.get('deff_after', float('nan')):.2f}"
    )


@rounds_app.command("set-current")
def rounds_set_current_cmd(
    round_label: Annotated[str, typer.Argument(help="The round.")],
    version: Annotated[int, typer.Argument(help="The version to make current.")],
    user: Annotated[str | None, _USER] = None,
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Make an older (or newer) version of a round current (admin). Results follow."""
    store = _open_store(url, user)
    try:
        store.set_current(round_label, version)
        with working("Estimating the indicators and the latest period's changes"):
            store.precompute()
    except MandeError as exc:
        _fail(exc)
    finally:
        store.close()
    typer.echo(f"round {round_label}: version {version} is now current")


@rounds_app.command("purge")
def rounds_purge_cmd(
    round_label: Annotated[str, typer.Argument(help="The round.")],
    version: Annotated[
        int | None, typer.Option("--version", help="Only this version (not the current one).")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")] = "",
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this deletes data.")] = False,
    user: Annotated[str | None, _USER] = None,
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Delete a round version, or a whole round (admin; audited; cannot be undone)."""
    what = f"version {version} of round {round_label}" if version else f"round {round_label}"
    if not yes:
        typer.echo(f"error: purging {what} deletes its data; add --yes to confirm", err=True)
        raise typer.Exit(2)
    store = _open_store(url, user)
    try:
        n = store.purge(round_label, version, reason=reason)
    except MandeError as exc:
        _fail(exc)
    finally:
        store.close()
    typer.echo(f"purged {what} ({n} version{'s' if n != 1 else ''})")


@_APP.command("history")
def history_cmd(
    audit: Annotated[
        bool, typer.Option("--audit", help="The full audit log (admin), refused attempts too.")
    ] = False,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Check the audit log's hash chain (admin): exit 1 if an entry was deleted or edited.",
        ),
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="Newest rows to show.")] = 50,
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Uploads, newest first (who, when, which file and SHA-256), or the audit log (--audit)."""
    store = _open_store(url)
    if verify:
        try:
            breaks = store.verify_audit()
            n = len(store.audit_log())
        except MandeError as exc:
            _fail(exc)
        finally:
            store.close()
        if breaks:
            for b in breaks:
                typer.echo(f"audit log: {b.message}", err=True)
            typer.echo(
                f"error: the audit log is not intact ({len(breaks)} break(s) in {n} entries)",
                err=True,
            )
            raise typer.Exit(1)
        typer.echo(f"audit log intact: {n} entries, each linked to the one before by its hash")
        return
    try:
        frame = store.audit_log() if audit else store.history()
    except MandeError as exc:
        _fail(exc)
    finally:
        store.close()
    if not frame.empty:
        sha = "file_sha256"
        frame[sha] = frame[sha].map(lambda s: s[:12] if isinstance(s, str) else "")
        if audit:
            frame["details"] = frame["details"].map(lambda d: json.dumps(d, ensure_ascii=False))
    typer.echo(_table(frame.head(limit)))


@_APP.command("results")
def results_cmd(
    round_label: Annotated[
        str | None, typer.Option("--round", help="One round (default: every round).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the table to this file (.csv, or .xlsx for Excel)."),
    ] = None,
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Indicator results of the current versions (computed once per data and catalogue version)."""
    store = _open_store(url)
    try:
        with working("Reading (or estimating) the indicator results"):
            frame = store.results(round_label)
    except MandeError as exc:
        _fail(exc)
    finally:
        store.close()
    if out is not None:
        from mande.output import write_table

        write_table(frame, out)
        typer.echo(f"wrote {len(frame)} rows to {out}")
        return
    cols = ["round", "indicator", "breakdown", "group", "estimate", "ci_low", "ci_high", "n"]
    typer.echo(_table(frame[cols] if not frame.empty else frame))


@_DEMO.command("load")
def demo_load_cmd(
    sample_dir: Annotated[
        Path, typer.Argument(help="The sample mission folder (mission.yaml, forms, rounds).")
    ] = Path("sample_data"),
    results: Annotated[
        bool,
        typer.Option("--results/--no-results", help="Also compute and store the indicators."),
    ] = True,
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Load the sample mission into the store as user 'demo'; a second run changes nothing."""
    from mande.demo.load import DEMO_USER, load_sample

    store = _open_store(url, DEMO_USER)
    try:
        # as the store's role (MANDE_ROLE; on PostgreSQL the login's own): loading the mission
        # needs an admin, as anywhere else
        with working(f"Loading the sample mission from {sample_dir}") as step:
            done = load_sample(sample_dir, store, role=store.role)
            if results:  # computed once per data and catalogue version; read back otherwise
                step("Estimating the indicators and the latest period's changes")
                store.as_user(DEMO_USER, store.role).precompute()
    except MandeError as exc:
        _fail(exc)
    finally:
        store.close()
    if not done.changed:
        typer.echo(f"{sample_dir}: already loaded ({len(done.uploads)} files, nothing changed)")
        return
    for res in done.uploads:
        if res.created:
            kind = {"survey": "round", "interviews": "interview sheet"}.get(res.kind, res.kind)
            typer.echo(f"loaded {kind} {res.label} version {res.version} ({res.n_rows} rows)")
    typer.echo(
        f"{sample_dir}: mission {done.mission}, {done.n_created} file(s) loaded into {store.url}"
    )


users_app = typer.Typer(
    rich_markup_mode=None,
    help="PostgreSQL logins and their mande role (a shared store; SQLite has one local admin).",
    no_args_is_help=True,
)


def _admin_conn(url: str | None) -> Any:
    from mande.config import Settings
    from mande.store import _engine

    try:
        return _engine.make_engine(url or Settings.from_env().database_url)
    except MandeError as exc:
        _fail(exc)


@users_app.command("add")
def users_add_cmd(
    name: Annotated[str, typer.Argument(help="The login: the person's e-mail, or a service name.")],
    role: Annotated[
        str, typer.Option("--role", help="viewer, officer, admin, or service (the dashboard).")
    ] = "viewer",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    no_password: Annotated[
        bool,
        typer.Option(
            "--no-password",
            help="Set no password (the server authenticates by certificate or single sign-on).",
        ),
    ] = False,
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Create a PostgreSQL login in a mande role, or change its role. Without --password-stdin or
    --no-password a random password is made and printed once. Needs a login with CREATEROLE."""
    import secrets
    import sys

    import sqlalchemy as sa

    from mande.store import _access, _engine

    password: str | None = None
    generated = False
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            _fail(MandeError("no password on standard input; give one, or use --no-password"))
    elif not no_password:
        password, generated = secrets.token_urlsafe(24), True
    engine = _admin_conn(url)
    try:
        status = _engine.write(engine, lambda c: _access.add_login(c, name, role, password))
    except MandeError as exc:
        _fail(exc)
    except sa.exc.DBAPIError as exc:
        _fail(
            MandeError(
                f"the database refused: {' '.join(str(exc.orig).split())}. Run this "
                "as a login with the CREATEROLE privilege (e.g. the database's owner)"
            )
        )
    finally:
        engine.dispose()
    typer.echo(f"{status} login {name} with role {role} ({_access.GROUPS[role]})")
    if generated:
        typer.echo(f"password (shown once; give it to {name} privately): {password}")


@users_app.command("list")
def users_list_cmd(url: Annotated[str | None, _URL] = None) -> None:
    """Every login in a mande role."""
    from mande.store import _access, _engine

    engine = _admin_conn(url)
    try:
        with _engine.read(engine) as conn:
            rows = _access.list_logins(conn)
    except MandeError as exc:
        _fail(exc)
    finally:
        engine.dispose()
    for login, role in rows:
        typer.echo(f"{login:<40} {role}")
    if not rows:
        typer.echo("(none)")


@users_app.command("remove")
def users_remove_cmd(
    name: Annotated[str, typer.Argument(help="The login to remove.")],
    url: Annotated[str | None, _URL] = None,
) -> None:
    """Take a login out of its mande role and drop it (its audit entries stay)."""
    import sqlalchemy as sa

    from mande.store import _access, _engine

    engine = _admin_conn(url)
    try:
        _engine.write(engine, lambda c: _access.remove_login(c, name))
    except MandeError as exc:
        _fail(exc)
    except sa.exc.DBAPIError as exc:
        _fail(MandeError(f"the database refused: {' '.join(str(exc.orig).split())}"))
    finally:
        engine.dispose()
    typer.echo(f"removed login {name}")


def register(app: typer.Typer, db_app: typer.Typer, demo_app: typer.Typer) -> None:
    """Add the store's commands to the ``mande`` application and its ``db`` and ``demo`` groups."""
    for src, dst in ((_APP, app), (_DB, db_app), (_DEMO, demo_app)):
        dst.registered_commands.extend(src.registered_commands)
    app.add_typer(rounds_app, name="rounds")
    app.add_typer(users_app, name="users")
