"""Cached access to the store and to `mande`'s computations for the dashboard's pages.

Every function calls `mande`; nothing is computed here. Every cached function takes the store's
data version as its first, hashed argument (``version``: Streamlit leaves arguments whose name
starts with ``_`` out of the cache key, which is why it is not ``_version``). The version is read
from the store on each page run, so an upload, a ``mande ingest`` or a change of current version
made by another process shows on the next page load.

The figures come from the reporting policy (:mod:`mande.reporting`): the change table of the latest
period and the partner figures of a period are the ones the annex and the draft print.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import mande
from mande import overview
from mande.store import Store


def store() -> Store:
    """One store per server process and database (SQLAlchemy pools its connections)."""
    return _store(
        os.environ.get("MANDE_DATABASE_URL") or "", os.environ.get("MANDE_DATA_DIR") or ""
    )


@st.cache_resource(show_spinner=False)
def _store(url: str, data_dir: str) -> Store:
    return Store.open()


# where the router keeps the data version it read at the start of a page run
_VERSION = "_mande_data_version"


def begin_run() -> str:
    """Read the store's data version once, at the start of a page run (the router calls this):
    every cached function below is keyed by it, so a change made by any process shows on the
    next page load, at the cost of one read per run rather than one per cached call."""
    version = store().data_version()
    st.session_state[_VERSION] = version
    return version


def data_version() -> str:
    """The data version of this page run (:func:`begin_run`); read from the store when the
    router has not read it (a page run on its own) or outside a page run (the server warming up,
    dashboard/serve.py)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is not None:
        version = st.session_state.get(_VERSION)
        if isinstance(version, str):
            return version
    return store().data_version()


def clear() -> None:
    """Forget cached answers (after an upload or a change of current version) and read the data
    version again, so that the rest of this run sees the new data."""
    st.cache_data.clear()
    begin_run()


def precompute() -> None:
    """Compute and keep in the store what the pages read first (the results of every round and
    the latest period's change table, :meth:`mande.store.Store.precompute`), after a commit or a
    change of current version, so the next visitor only reads them."""
    from dashboard import session

    who = session.current()
    store().precompute(user=who.user, role=who.role)


def mission() -> mande.MissionConfig | None:
    return _mission(data_version())


@st.cache_data(show_spinner=False)
def _mission(version: str) -> mande.MissionConfig | None:
    return store().mission()


def rounds() -> pd.DataFrame:
    return _rounds(data_version())


@st.cache_data(show_spinner=False)
def _rounds(version: str) -> pd.DataFrame:
    return store().rounds()


def round_order() -> list[str]:
    return overview.round_order(rounds())


def round_dates() -> dict[str, Any]:
    """Each round's fieldwork end date, to place rounds and events on a time axis."""
    r = rounds()
    return (
        dict(zip(r["round"].astype(str), r["fieldwork_end"], strict=False)) if not r.empty else {}
    )


@st.cache_resource(show_spinner=False)
def catalogue() -> Any:
    return mande.load_catalogue()


def results() -> pd.DataFrame:
    """Indicator results of the current version of every round, all standard breakdowns."""
    return _results(data_version())


@st.cache_data(show_spinner="Computing indicators…")
def _results(version: str) -> pd.DataFrame:
    return store().results(catalogue=catalogue())


def policy() -> mande.ReportingPolicy:
    """The mission's reporting policy (defaults without a mission)."""
    m = mission()
    return m.policy if m is not None else mande.ReportingPolicy()


def figures(lang: str) -> Any:
    """The latest period's figures (:func:`mande.reporting.period_figures`), None without a
    mission or a round in its calendar."""
    return _figures(data_version(), lang)


@st.cache_data(show_spinner=False)
def _figures(version: str, lang: str) -> Any:
    from mande.errors import MandeError

    # precomputed by the store at upload (mande.reporting.period_figures), computed if missing
    try:
        return store().period_figures(lang, catalogue=catalogue())
    except MandeError:
        return None


def changes(lang: str) -> pd.DataFrame:
    """The change table shown everywhere: the latest period against the previous one."""
    f = figures(lang)
    if f is not None:
        return f.changes
    from mande.reporting import change_table

    order = round_order()
    if len(order) < 2:
        return change_table(results(), order[-1] if order else "", None)
    return change_table(results(), order[-1], order[-2], policy(), lang=lang)


def current_round(lang: str) -> str:
    """The round the latest period reports (its latest round)."""
    f = figures(lang)
    return f.current_round if f is not None else round_order()[-1]


def headline(lang: str) -> pd.DataFrame:
    return _headline(data_version(), lang)


@st.cache_data(show_spinner=False)
def _headline(version: str, lang: str) -> pd.DataFrame:
    res = localised(results(), lang)
    measures = overview.card_measures(catalogue())
    return overview.headline(
        res, round_order(), measures=measures, changes=changes(lang), lang=lang
    )


def significant_changes(lang: str) -> pd.DataFrame:
    return _significant(data_version(), lang)


@st.cache_data(show_spinner=False)
def _significant(version: str, lang: str) -> pd.DataFrame:
    res = localised(results(), lang)
    out = overview.significant_changes(res, round_order(), changes=changes(lang), lang=lang)
    if not out.empty:
        out["group_label"] = group_labels(out["breakdown"], out["group"], lang)
    return out


def breakdown_changes(indicator: str, breakdown: str, lang: str) -> pd.DataFrame:
    """The change-table rows of one indicator and breakdown (group, change, intervals, verdict)."""
    ch = changes(lang)
    return ch[(ch["indicator"] == indicator) & (ch["breakdown"] == breakdown)].reset_index(
        drop=True
    )


def localised(res: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Indicator names in ``lang`` (the stored rows carry the catalogue's English names)."""
    if res.empty:
        return res
    cat = catalogue()
    out = res.copy()
    ids = out["indicator"].unique()
    names = {i: cat.measure(i).name(lang) for i in ids}
    short = {i: cat.measure(i).name(lang, short=True) for i in ids}
    out["name"] = out["indicator"].map(names)
    out["short_name"] = out["indicator"].map(short)
    out["group_label"] = group_labels(out["breakdown"], out["group"], lang)
    return out


def group_labels(breakdowns: pd.Series, groups: pd.Series, lang: str) -> list[str]:
    """Groups as people read them: region names, "Women", "18–24", "All respondents"."""
    from mande.report.build import group_label

    m = mission()
    if m is None:
        return [str(g) for g in groups]
    pairs = set(zip(breakdowns, groups, strict=False))
    labels = {(b, g): group_label(str(b), g, m, lang) for b, g in pairs}
    return [labels[(b, g)] for b, g in zip(breakdowns, groups, strict=False)]


def boundaries() -> dict[str, Any] | None:
    """The mission's regions as GeoJSON (stored with the mission), or None."""
    return _boundaries(data_version())


@st.cache_data(show_spinner=False)
def _boundaries(version: str) -> dict[str, Any] | None:
    return store().boundaries()


def interviews() -> pd.DataFrame:
    return _interviews(data_version())


@st.cache_data(show_spinner=False)
def _interviews(version: str) -> pd.DataFrame:
    return store().interviews()


def quotes() -> pd.DataFrame:
    return _quotes(data_version())


@st.cache_data(show_spinner=False)
def _quotes(version: str) -> pd.DataFrame:
    return store().quotes()


def regional_values(indicator: str, round_label: str) -> pd.DataFrame:
    return overview.regional_values(results(), indicator, round_label)


def partner_periods() -> list[str]:
    """Reporting periods holding interviews, in calendar order (periods by interview date)."""
    return _partner_periods(data_version())


@st.cache_data(show_spinner=False)
def _partner_periods(version: str) -> list[str]:
    from mande.report.periods import reporting_periods
    from mande.reporting import interviews_with_periods

    m = mission()
    iv = interviews()
    if m is None or iv.empty:
        return []
    held = set(interviews_with_periods(iv, m)["period"].dropna())
    return [p.id for p in reporting_periods(m) if p.id in held]


def partner_quality(by: tuple[str, ...]) -> pd.DataFrame:
    """Relationship quality by ``by`` over every interview (seeds per group from the policy)."""
    return _partner_quality(data_version(), by)


@st.cache_data(show_spinner="Bootstrapping relationship quality…")
def _partner_quality(version: str, by: tuple[str, ...]) -> pd.DataFrame:
    from mande.reporting import partner_quality as quality

    m = mission()
    if m is None:
        from mande.partners.quality import relationship_quality

        p = policy()
        return relationship_quality(interviews(), by=by, seed=p.seed, n_boot=p.n_boot)
    return quality(interviews(), m, by, policy=m.policy)


def partner_figures(period: str | None) -> Any:
    """One period's partner figures (:func:`mande.reporting.partner_figures`): the annex's."""
    return _partner_figures(data_version(), period)


@st.cache_data(show_spinner="Bootstrapping relationship quality…")
def _partner_figures(version: str, period: str | None) -> Any:
    from mande.errors import MandeError
    from mande.reporting import partner_figures as figures_of

    m = mission()
    if m is None:
        return None
    try:
        return figures_of(interviews(), m, period, policy=m.policy)
    except MandeError:
        return None


def partner_themes(lang: str) -> pd.DataFrame:
    return _partner_themes(data_version(), lang)


@st.cache_data(show_spinner=False)
def _partner_themes(version: str, lang: str) -> pd.DataFrame:
    from mande.partners.quality import theme_frequencies, theme_matrix

    return theme_matrix(theme_frequencies(interviews(), by=("partner_type",), lang=lang), lang=lang)


def quote_periods() -> list[str]:
    q = quotes()
    return sorted(str(p) for p in q["period"].dropna().unique()) if not q.empty else []


def quote_themes(lang: str) -> dict[str, str]:
    from mande.partners.rubric import load_rubric

    rb = load_rubric()
    return {code: rb.theme_label(code, lang) for code in rb.themes}


def partner_quotes(lang: str, *, period: str | None, theme: str | None) -> pd.DataFrame:
    return _partner_quotes(data_version(), lang, period, theme)


@st.cache_data(show_spinner=False)
def _partner_quotes(version: str, lang: str, period: str | None, theme: str | None) -> pd.DataFrame:
    from mande.partners.quality import select_quotes

    return select_quotes(quotes(), period=period, theme=theme, n=12, seed=policy().seed, lang=lang)


def forms() -> pd.DataFrame:
    """The XLSForms the store holds (newest first)."""
    return _forms(data_version())


@st.cache_data(show_spinner=False)
def _forms(version: str) -> pd.DataFrame:
    return store().forms()


def form_bytes(sha256: str) -> bytes:
    return store().form_bytes(sha256)


def mapping_table(rnd: Any) -> pd.DataFrame:
    """Which column of the file each standard column was read from."""
    cols = rnd.report.columns
    return pd.DataFrame({"standard": list(cols), "file column": list(cols.values())})


def is_standard_form(form: mande.Form) -> bool:
    """Whether the form names its questions as the standard items (it then maps by itself)."""
    from mande.ingest.mapping import standard_mapping

    items = [i for i in mande.standard_items().items.values() if i.role == "item"]
    mapped = {m.item for m in standard_mapping(form).questions.values()}
    return sum(i.name in mapped for i in items) >= 0.8 * len(items)


def suggested_mapping(form: mande.Form, path: Path) -> mande.Mapping:
    from mande.ingest._files import read_tables

    tables = read_tables(path)
    columns = list(next(iter(tables.values())).frame.columns) if tables else None
    m = mission()
    regions = {}
    if m is not None:
        for r in m.regions:
            regions.update({r.pcode: r.pcode, **{v: r.pcode for v in r.name.values()}})
    return mande.suggest_mapping(form, columns=columns, regions=regions)


def standard_item_names() -> list[str]:
    return sorted(mande.standard_items().items)


def report_periods(lang: str) -> pd.DataFrame:
    """Reporting periods that hold a survey round or interviews: period, label (as the report
    writes it)."""
    return _report_periods(data_version(), lang)


@st.cache_data(show_spinner=False)
def _report_periods(version: str, lang: str) -> pd.DataFrame:
    from mande.report.periods import assign_periods, reporting_periods
    from mande.reporting import interviews_with_periods

    m = mission()
    rnds = rounds()
    if m is None:
        return pd.DataFrame(columns=["period", "label"])
    with_data = set(assign_periods(rnds, m)["period"].dropna()) if not rnds.empty else set()
    # a period with partner interviews and no survey is reported too (its partner sections)
    ivs = interviews()
    if ivs is not None and len(ivs):
        with_data |= set(interviews_with_periods(ivs, m)["period"].dropna())
    rows = [
        {"period": p.id, "label": p.title(lang)} for p in reporting_periods(m) if p.id in with_data
    ]
    return pd.DataFrame(rows, columns=["period", "label"])


# --------------------------------------------------------------------------------------------
# Planning a round (the Plan page): every computation is mande.plan's


def plan_frame(name: str, blob: bytes) -> tuple[str, pd.DataFrame]:
    """The uploaded village frame, read and checked by ``mande.read_frame`` (through the upload
    guard); returned with its SHA-256, the key of the plans drawn from it."""
    import hashlib

    digest = hashlib.sha256(blob).hexdigest()
    return digest, _plan_frame(digest, Path(name).suffix.lower(), blob)


@st.cache_data(show_spinner=False, max_entries=8)
def _plan_frame(digest: str, suffix: str, _blob: bytes) -> pd.DataFrame:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mande-frame-") as tmp:
        path = Path(tmp) / f"frame{suffix if suffix in ('.csv', '.xlsx', '.xls') else ''}"
        path.write_bytes(_blob)
        return mande.read_frame(path)


def round_plan(digest: str, frame: pd.DataFrame, **settings: Any) -> mande.RoundPlan:
    """``mande.plan_round(frame, **settings)``, cached by the frame's SHA-256 and the settings."""
    import json

    return _round_plan(digest, json.dumps(settings, sort_keys=True, default=str), frame, settings)


@st.cache_data(show_spinner=False, max_entries=16)
def _round_plan(
    digest: str, key: str, _frame: pd.DataFrame, _settings: dict[str, Any]
) -> mande.RoundPlan:
    return mande.plan_round(_frame, **_settings)


def field_list_bytes(plan: mande.RoundPlan, lang: str) -> bytes:
    """The field list workbook of ``plan`` (with the mission's region and area names)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mande-plan-") as tmp:
        path = mande.write_field_list(plan, Path(tmp) / "field_list.xlsx", mission=mission(),
                                      lang=lang)  # fmt: skip
        return path.read_bytes()


def plan_file_bytes(plan: mande.RoundPlan) -> bytes:
    """The plan file (CSV) the weighting step reads."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mande-plan-") as tmp:
        return mande.write_plan(plan, Path(tmp) / "plan.csv").read_bytes()


# ---- the mission's footprint (mande.footprint.build) --------------------------------------------


def footprint() -> Any:
    """The stored footprint joined to the stored rounds (None when something is missing)."""
    return _footprint(data_version())


@st.cache_resource(show_spinner="Measuring the mission's footprint…", max_entries=2)
def _footprint(version: str) -> Any:
    from mande.footprint.build import load_footprint

    return load_footprint(store())


def footprint_analysis(indicator: str) -> Any:
    return _footprint_analysis(data_version(), indicator)


@st.cache_resource(show_spinner="Fitting the footprint models…", max_entries=16)
def _footprint_analysis(version: str, indicator: str) -> Any:
    from mande.footprint.build import analyse_footprint

    return analyse_footprint(footprint(), indicator, catalogue())


def footprint_layer(indicator: str, round_label: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _footprint_layer(data_version(), indicator, round_label)


@st.cache_data(show_spinner=False)
def _footprint_layer(
    version: str, indicator: str, round_label: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    from mande.footprint.build import area_layer

    return area_layer(footprint(), indicator, catalogue(), round_label)


def period_labels(lang: str) -> dict[str, str]:
    """Every period of the mission's calendar: id -> its dates as a heading writes them."""
    from mande.report.periods import reporting_periods

    m = mission()
    return {p.id: p.title(lang) for p in reporting_periods(m)} if m is not None else {}


def breakdown_names() -> tuple[str, ...]:
    """ "total" and the reported breakdowns, in report order (items.yaml)."""
    return ("total", *mande.standard_items().breakdown_names)


def breakdown_label(name: str, lang: str) -> str:
    """A breakdown's name as people read it ("Sex", "All respondents"), from items.yaml."""
    return mande.standard_items().breakdown_label(name, lang)


def indicator_trends(indicator: str, event_id: str | None, lang: str) -> Any:
    """mande.indicator_trends for the Trends page, once per data version, indicator and event."""
    return _indicator_trends(data_version(), indicator, event_id, lang)


@st.cache_resource(show_spinner="Fitting the trend models…", max_entries=32)
def _indicator_trends(version: str, indicator: str, event_id: str | None, lang: str) -> Any:
    from mande.indicator_trends import indicator_trends

    return indicator_trends(store(), indicator, catalogue(), event_id=event_id, lang=lang)


def headline_text(lang: str) -> list[str]:
    """mande.headline's sentences for the top of the Overview, once per data version."""
    return _headline_text(data_version(), lang)


@st.cache_data(show_spinner=False)
def _headline_text(version: str, lang: str) -> list[str]:
    from mande.headline import headline_for_store

    return headline_for_store(store(), lang)
