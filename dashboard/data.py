"""Cached access to the store and to `mande`'s computations for the dashboard's pages.

Every function calls `mande`; nothing is computed here. Cache keys include the store's data version
(which changes with every upload and change of current version), so a page never shows stale
figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import mande
from mande import overview
from mande.store import Store


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """One store per server process (SQLAlchemy pools its connections)."""
    return Store.open()


def data_version() -> str:
    return store().data_version()


def clear() -> None:
    """Forget cached answers (after an upload or a change of current version)."""
    st.cache_data.clear()


def mission() -> mande.MissionConfig | None:
    return _mission(data_version())


@st.cache_data(show_spinner=False)
def _mission(_version: str) -> mande.MissionConfig | None:
    return store().mission()


def rounds() -> pd.DataFrame:
    return _rounds(data_version())


@st.cache_data(show_spinner=False)
def _rounds(_version: str) -> pd.DataFrame:
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
def _results(_version: str) -> pd.DataFrame:
    return store().results(catalogue=catalogue())


def headline(lang: str) -> pd.DataFrame:
    return _headline(data_version(), lang)


@st.cache_data(show_spinner=False)
def _headline(_version: str, lang: str) -> pd.DataFrame:
    res = localised(results(), lang)
    measures = overview.card_measures(catalogue())
    return overview.headline(res, round_order(), measures=measures, lang=lang)


def significant_changes(lang: str) -> pd.DataFrame:
    return _significant(data_version(), lang)


@st.cache_data(show_spinner=False)
def _significant(_version: str, lang: str) -> pd.DataFrame:
    res = localised(results(), lang)
    out = overview.significant_changes(res, round_order(), lang=lang)
    if not out.empty:
        out["group_label"] = group_labels(out["breakdown"], out["group"], lang)
    return out


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
def _boundaries(_version: str) -> dict[str, Any] | None:
    return store().boundaries()


def interviews() -> pd.DataFrame:
    return _interviews(data_version())


@st.cache_data(show_spinner=False)
def _interviews(_version: str) -> pd.DataFrame:
    return store().interviews()


def quotes() -> pd.DataFrame:
    return _quotes(data_version())


@st.cache_data(show_spinner=False)
def _quotes(_version: str) -> pd.DataFrame:
    return store().quotes()


def regional_values(indicator: str, round_label: str) -> pd.DataFrame:
    return overview.regional_values(results(), indicator, round_label)


def partner_quality(by: tuple[str, ...]) -> pd.DataFrame:
    return _partner_quality(data_version(), by)


@st.cache_data(show_spinner="Bootstrapping relationship quality…")
def _partner_quality(_version: str, by: tuple[str, ...]) -> pd.DataFrame:
    from mande.partners.quality import relationship_quality

    return relationship_quality(interviews(), by=by, seed=20241101)


def partner_model(lang: str) -> Any:
    return _partner_model(data_version())


@st.cache_data(show_spinner=False)
def _partner_model(_version: str) -> Any:
    from mande.errors import MandeError
    from mande.partners.model import partner_model as fit

    try:
        return fit(interviews())
    except MandeError:
        return None


def partner_themes(lang: str) -> pd.DataFrame:
    return _partner_themes(data_version(), lang)


@st.cache_data(show_spinner=False)
def _partner_themes(_version: str, lang: str) -> pd.DataFrame:
    from mande.partners.quality import theme_frequencies, theme_matrix

    return theme_matrix(theme_frequencies(interviews(), by=("partner_type",), lang=lang), lang=lang)


def partner_reliability() -> pd.DataFrame:
    return _partner_reliability(data_version())


@st.cache_data(show_spinner=False)
def _partner_reliability(_version: str) -> pd.DataFrame:
    from mande.stats.reliability import reliability_table

    return reliability_table(interviews()).round({"alpha": 3, "percent_agreement": 1})


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
def _partner_quotes(
    _version: str, lang: str, period: str | None, theme: str | None
) -> pd.DataFrame:
    from mande.partners.quality import select_quotes

    return select_quotes(quotes(), period=period, theme=theme, n=12, seed=20241101, lang=lang)


def forms() -> pd.DataFrame:
    """The XLSForms the store holds (newest first)."""
    return _forms(data_version())


@st.cache_data(show_spinner=False)
def _forms(_version: str) -> pd.DataFrame:
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
def _report_periods(_version: str, lang: str) -> pd.DataFrame:
    from mande.report.periods import assign_periods, reporting_periods

    m = mission()
    rnds = rounds()
    if m is None or rnds.empty:
        return pd.DataFrame(columns=["period", "label"])
    with_data = set(assign_periods(rnds, m)["period"].dropna())
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
def _headline_text(_version: str, lang: str) -> list[str]:
    from mande.headline import headline_for_store

    return headline_for_store(store(), lang)
