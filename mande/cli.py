"""The ``mande`` command. Each command calls the same functions the dashboard and notebooks use."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mande import __version__
from mande._progress import working

app = typer.Typer(
    rich_markup_mode=None,
    name="mande",
    help="Monitoring and evaluation for UN peace operations: perception surveys, partner "
    "interviews, people-centric indicators with honest uncertainty, and SG report annexes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
demo_app = typer.Typer(
    rich_markup_mode=None,
    help="The fictional sample mission: generate it, load it into the store.",
    no_args_is_help=True,
)
db_app = typer.Typer(
    rich_markup_mode=None, help="The store: create or upgrade its schema.", no_args_is_help=True
)
partners_app = typer.Typer(
    rich_markup_mode=None,
    help="Partner interviews: coding-sheet template, reliability.",
    no_args_is_help=True,
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
    rich_markup_mode=None,
    help="Mapping a mission's own form onto the standard items.",
    no_args_is_help=True,
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
    design: Annotated[
        str | None,
        typer.Option(
            "--design",
            help="'srs' for a survey without sample design (equal weights, no strata, each "
            "respondent its own PSU); default: as the mapping declares.",
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the report: en or fr.")] = "en",
) -> None:
    """Check a survey export against its form: print every problem as a table, exit 1 on errors."""
    from rich.console import Console
    from rich.table import Table

    from mande.errors import DataValidationError, DefinitionError, Problem
    from mande.ingest.report_text import problem_message, removed_frame, report_frame
    from mande.ingest.survey import read_survey

    console = Console(width=160)
    problems: list[Problem]
    removed: list[Any] = []
    fed = None
    try:
        with working(f"Checking {file}"):
            rnd = read_survey(file, form, mapping, round_label=round_label, design=design)
        problems = list(rnd.report.problems)
        removed = list(rnd.report.removed)
        fed = rnd.report.feeds()
        ok, rows = True, len(rnd.responses)
    except DataValidationError as exc:
        problems, ok, rows = exc.problems, False, 0
        if not problems:
            problems = [Problem(exc.message)]
    except DefinitionError as exc:
        console.print(f"[red]mapping or form definition is invalid:[/red] {exc}")
        raise typer.Exit(2) from None
    fr = lang == "fr"
    no_design = next((p for p in problems if p.code == "no_design"), None)
    if no_design is not None:
        head = "pas de plan de sondage" if fr else "no sample design"
        console.print(f"[red]{head}:[/red] {problem_message(no_design, lang)}")
    if problems:
        frame = report_frame(problems, lang).drop(columns=["code"])
        table = Table(title=("Problèmes dans " if fr else "Problems in ") + file, show_lines=False)
        for col in frame.columns:
            table.add_column(str(col), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*(str(v) for v in row))
        console.print(table)
    if removed:
        rt = Table(
            title="Données personnelles et identifiants retirés"
            if fr
            else "Personal data and identifiers removed"
        )
        rframe = removed_frame(removed, lang)
        for col in rframe.columns:
            rt.add_column(str(col))
        for c, why in rframe.itertuples(index=False):
            rt.add_row(str(c), str(why))
        console.print(rt)
    if fed is not None and len(fed):
        ft = Table(
            title="Colonnes lues dans des items standard, et les indicateurs qu'elles alimentent"
            if fr
            else "Columns read into standard items, and the indicators they feed"
        )
        for col in ("colonne", "item", "indicateurs") if fr else ("column", "item", "indicators"):
            ft.add_column(col, overflow="fold")
        every = "tous (ventilation)" if fr else "every one (breakdown)"
        for r in fed.to_dict("records"):
            why = every if r["breakdown"] else str(r["indicators"])
            ft.add_row(str(r["column"]), str(r["item"]), why)
        console.print(ft)
    n_err = sum(p.severity == "error" for p in problems)
    n_warn = len(problems) - n_err
    if not ok:
        console.print(
            f"[red]{n_err} erreur(s), {n_warn} avertissement(s) : le fichier est refusé.[/red]"
            if fr
            else f"[red]{n_err} error(s), {n_warn} warning(s): the file is refused.[/red]"
        )
        raise typer.Exit(1)
    console.print(
        f"[green]OK[/green] : {rows} répondants, {n_warn} avertissement(s)."
        if fr
        else f"[green]OK[/green]: {rows} respondents, {n_warn} warning(s)."
    )


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

    f = read_xlsform(form, strict=False)  # a deployed form: read as Kobo read it
    columns = None
    if export:
        from mande.ingest._files import read_tables

        columns = list(next(iter(read_tables(export, sheets=1).values())).frame.columns)
    from mande.ingest.mapping import AUTO_USE

    m = suggest_mapping(f, columns=columns)
    m.to_yaml(out)
    mapped = [q for q in m.questions.values() if q.item]
    low = [q for q in mapped if q.confidence < AUTO_USE]
    typer.echo(
        f"wrote {out}: {len(mapped)} questions mapped to standard items, "
        f"{len(m.questions) - len(mapped)} kept unmapped; every entry is to confirm "
        f"('confirmed: true'), and the {len(low)} under confidence {AUTO_USE} feed no indicator "
        "until confirmed"
    )


# --------------------------------------------------------------------------------------------
# Partner interviews: coding-sheet template, checks, reliability, relationship quality, model


def _partner_sheets(files: list[str], mission: str | None) -> object:
    """Read coding sheets (one or more) into one Interviews; print problems and exit 1 if refused."""
    from mande.config import load_mission
    from mande.errors import DataValidationError
    from mande.ingest.interviews import Interviews, read_interviews

    config = load_mission(mission) if mission else None
    items = []
    failed = False
    for f in files:
        try:
            items.append(read_interviews(f, mission=config))
        except DataValidationError as exc:
            failed = True
            typer.echo(f"{f}: refused. {exc.message}", err=True)
            for p in exc.problems:
                typer.echo(f"  [{p.severity}] {p}", err=True)
    if failed:
        raise typer.Exit(1)
    return Interviews.concat(items)


_FILES = typer.Argument(help="Coding sheets (.xlsx from the template, or .csv).")
_MISSION = typer.Option("--mission", help="mission.yaml: regions and reporting periods.")


@partners_app.command("template")
def partners_template_cmd(
    out: Annotated[str, typer.Argument(help="Where to write the template (.xlsx).")],
    lang: Annotated[str, typer.Option("--lang", help="Language: en or fr.")] = "en",
    mission: Annotated[str | None, _MISSION] = None,
    coders: Annotated[
        str | None, typer.Option("--coders", help="Coders' codes, comma-separated (e.g. AM,BK).")
    ] = None,
) -> None:
    """Write an empty partner-interview coding sheet with the rubric and drop-down lists."""
    from mande.config import load_mission
    from mande.partners.template import write_interview_template

    config = load_mission(mission) if mission else None
    codes = [c.strip() for c in (coders or "").split(",") if c.strip()]
    path = write_interview_template(out, lang=lang, mission=config, coders=codes)
    typer.echo(f"wrote {path}")


@partners_app.command("check")
def partners_check_cmd(
    files: Annotated[list[str], _FILES],
    mission: Annotated[str | None, _MISSION] = None,
) -> None:
    """Check coding sheets: print every problem; exit 1 when a sheet is refused."""
    iv = _partner_sheets(files, mission)
    report = iv.report  # type: ignore[attr-defined]
    for w in report.warnings:
        typer.echo(f"  [warning] {w}")
    typer.echo(
        f"OK: {report.n_interviews} interviews ({report.n_double_coded} coded twice), "
        f"{report.n_quotes} quotes kept, {report.quotes_without_consent} without consent dropped"
    )


@partners_app.command("reliability")
def partners_reliability_cmd(
    files: Annotated[list[str], _FILES],
    level: Annotated[str, typer.Option("--level", help="nominal, ordinal, interval or ratio.")] = (
        "ordinal"
    ),
) -> None:
    """Krippendorff's alpha per rubric dimension, from the interviews coded twice."""
    from mande.stats.reliability import reliability_table

    table = reliability_table(_partner_sheets(files, None), level=level)
    typer.echo(table.drop(columns="note").to_string(index=False, float_format=lambda x: f"{x:.3f}"))


@partners_app.command("quality")
def partners_quality_cmd(
    files: Annotated[list[str], _FILES],
    mission: Annotated[str | None, _MISSION] = None,
    by: Annotated[
        str, typer.Option("--by", help="Comma-separated: partner_type, period, region.")
    ] = "partner_type,period",
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 0,
) -> None:
    """Relationship-quality index (0-100) by group, with cluster-bootstrap 95% CIs."""
    from mande.partners.quality import relationship_quality

    groups = [b.strip() for b in by.split(",") if b.strip()]
    table = relationship_quality(_partner_sheets(files, mission), by=groups, seed=seed)
    typer.echo(table.to_string(index=False, float_format=lambda x: f"{x:.1f}"))


@partners_app.command("model")
def partners_model_cmd(
    files: Annotated[list[str], _FILES],
    mission: Annotated[str, _MISSION],
    outcome: Annotated[
        str, typer.Option("--outcome", help="rqi, or a dimension such as cooperation.")
    ] = "rqi",
    lang: Annotated[str, typer.Option("--lang", help="Language of the sentence: en or fr.")] = "en",
) -> None:
    """Did robust operations strain partnerships? Mixed model with a random intercept per partner."""
    from mande.partners.model import partner_model

    with working("Fitting the partner model"):
        result = partner_model(_partner_sheets(files, mission), outcome)
    typer.echo(result.sentence(lang))
    typer.echo(
        f"estimate {result.estimate:.2f} (se {result.se:.2f}, p = {result.p_value:.3g}); "
        f"{result.n_interviews} interviews, {result.n_partners} partners; {result.formula}"
    )


# --------------------------------------------------------------------------------------------
# The store: db upgrade, ingest, rounds (versions, set-current, purge), history, results, demo load


def _store_commands() -> None:
    from mande.store._cli import register

    register(app, db_app, demo_app)


_store_commands()


def _footprint_commands() -> None:
    from mande.footprint._cli import register

    register(app)


_footprint_commands()


# --------------------------------------------------------------------------------------------
# Planning a round: mande plan size / allocate / draw (mande/plan/_cli.py)


def _plan_commands() -> None:
    from mande.plan._cli import register

    register(app)


_plan_commands()


# --------------------------------------------------------------------------------------------
# Secretary-General reporting: mande report


@app.command("report")
def report_cmd(
    period: Annotated[
        str,
        typer.Option("--period", help="Reporting period id (e.g. 2026-06) or a date inside it."),
    ],
    out: Annotated[str, typer.Option("--out", help="The Excel annex to write (.xlsx).")],
    docx: Annotated[
        str | None, typer.Option("--docx", help="Also write the narrative draft (.docx).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the report: en or fr.")] = "en",
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Store URL (default: MANDE_DATABASE_URL or SQLite)."),
    ] = None,
) -> None:
    """Write the annex (Excel) and, with --docx, the narrative draft (Word) for an SG report."""
    from mande.errors import MandeError
    from mande.report import make_report
    from mande.store import Store

    try:
        with working(f"Writing the report for period {period}"):
            store = Store.open(database_url)
            data = make_report(store, period, out, docx=docx, lang=lang)
    except MandeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    prev = data.previous.id if data.previous else "none"
    what = (
        f"round {data.current_round}, compared with period {prev}"
        if data.current_round is not None
        else "no survey round in this period: partner interviews only"
    )
    typer.echo(
        f"Annex for period {data.period.id} ({what}) written to {out}"
        + (f"; draft written to {docx}" if docx else "")
    )


# --------------------------------------------------------------------------------------------
# The sample mission: mande demo generate


@demo_app.command("generate")
def demo_generate_cmd(
    out_dir: Annotated[
        str, typer.Argument(help="Folder to write the sample mission into.")
    ] = "sample_data",
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of every random draw (default: the committed data).")
    ] = 20241101,
) -> None:
    """Generate the fictional sample mission (form, survey rounds, regions, interview sheets).

    Reads OUT_DIR/mission.yaml (or writes the sample mission's there). The default seed re-creates
    the files committed in sample_data/ exactly.
    """
    from pathlib import Path

    from mande.demo import generate
    from mande.errors import MandeError

    try:
        with working(f"Generating the sample mission in {out_dir}"):
            paths = generate(Path(out_dir), seed=seed)
    except MandeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    for path in paths:
        typer.echo(str(path))
    typer.echo(f"{len(paths)} files written to {out_dir} (seed {seed})")


# --------------------------------------------------------------------------------------------
# The indicator catalogue: mande indicators list / check

indicators_app = typer.Typer(
    rich_markup_mode=None,
    help="The indicator catalogue: list the indicators, check your own definitions.",
    no_args_is_help=True,
)
app.add_typer(indicators_app, name="indicators")


@indicators_app.command("list")
def indicators_list_cmd(
    path: Annotated[
        str | None,
        typer.Argument(help="A YAML definition or a folder of them, added to the standard set."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the names (en or fr).")] = "en",
) -> None:
    """List every indicator (one line per measure: id, SG-report section, kind, name)."""
    from mande.errors import DefinitionError
    from mande.indicators.catalogue import load_catalogue

    try:
        cat = load_catalogue(path)
    except DefinitionError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    for row in cat.to_frame(lang=lang).itertuples(index=False):
        typer.echo(f"{row.indicator_id:<22} {row.sg_section:<24} {row.kind:<19} {row.name}")
    typer.echo(f"{len(cat)} indicators, catalogue version {cat.version[:12]}")


@indicators_app.command("check")
def indicators_check_cmd(
    path: Annotated[str, typer.Argument(help="A YAML definition or a folder of them.")],
) -> None:
    """Check indicator definitions against the standard items and the standard catalogue."""
    from mande.errors import DefinitionError
    from mande.indicators.catalogue import load_catalogue

    try:
        cat = load_catalogue(path)
    except DefinitionError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    standard = set(load_catalogue().ids)
    added = [i for i in cat.ids if i not in standard]
    typer.echo(f"OK: {len(added)} definitions valid ({', '.join(added) or 'none added'})")
