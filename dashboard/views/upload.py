"""Upload (officers): drop a survey export or a partner-interview coding sheet, see the mapping and
the validation report, then commit it to the store as a new version."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import mande
from dashboard import data, session
from dashboard.i18n import t
from mande.gate import Gazetteer
from mande.ingest.checks import mission_years, suggest_label
from mande.ingest.report_text import TOP_WARNINGS, problem_message, removed_frame, report_frame


def _save(upload: st.runtime.uploaded_file_manager.UploadedFile, folder: Path) -> Path:
    # Keep the officer's file name for the audit log, inside a private temporary folder.
    name = Path(upload.name).name or "upload"
    path = folder / name
    path.write_bytes(upload.getbuffer())
    return path


def _problems(err: mande.DataValidationError, lang: str) -> None:
    st.error(t("validation_failed", lang).format(n=len(err.errors)))
    _report_table(err.problems, lang, key="problems")


def _report_table(problems: Any, lang: str, key: str) -> None:
    """The report in the officer's language; the message (the fix) wraps, never cut off."""
    frame = report_frame(problems, lang)
    if len(frame) <= 200:
        st.table(frame.set_index(frame.columns[0]))
    else:
        st.dataframe(frame, hide_index=True, width="stretch", key=key)


def _round_label(path: Path, lang: str, mission: mande.MissionConfig | None) -> str | None:
    """The round, chosen from the survey rounds of mission.yaml (their fieldwork is checked)."""
    planned = list(mission.fieldwork) if mission is not None else []
    if planned:
        other = t("round_new", lang)
        pick = st.selectbox(
            t("round_pick", lang),
            [*planned, other],
            index=_likely_round(path, planned),
            key="round_pick",
        )
        if pick != other:
            return str(pick)
    label = st.text_input(t("round_label", lang), value="", key="round_label").strip()
    if not label:
        st.info(t("need_round", lang))
        return None
    if mission is None or mission.fieldwork_of(label) is None:
        st.warning(t("round_not_planned", lang).format(label=label))
    return label


def _likely_round(path: Path, planned: list[str]) -> int:
    """Which planned round the file probably is: the one the file is named after, else the first
    not yet stored (never a round already reported, unless the officer picks it)."""
    if path.stem in planned:
        return planned.index(path.stem)
    rounds = data.rounds()
    stored = set(rounds["round"].astype(str)) if not rounds.empty else set()
    return next((i for i, r in enumerate(planned) if r not in stored), 0)


def _replace_check(label: str, lang: str, mission: mande.MissionConfig | None) -> bool:
    """Warn before replacing the current version of a round already stored; True to go on."""
    rounds = data.rounds()
    if rounds.empty or label not in set(rounds["round"].astype(str)):
        return True
    row = rounds[rounds["round"].astype(str) == label].iloc[0]
    period = ""
    end = row.get("fieldwork_end")
    if mission is not None and end is not None and end == end:
        p = mission.period_of(pd.Timestamp(end).date())
        if p is not None and p.end < dt.date.today():
            period = t("replace_reported", lang).format(period=p.id)
    st.warning(
        t("replace_warning", lang).format(
            label=label, version=row["current_version"], n=row["n_respondents"], period=period
        )
    )
    return bool(st.checkbox(t("confirm_replace", lang), key="confirm_replace"))


def _survey(path: Path, lang: str, who: session.Identity) -> None:
    forms = data.forms()
    choice = None
    if not forms.empty:
        labels = {
            r.sha256: f"{r.file_name} ({r.form_id or ''} {r.version or ''})".strip()
            for r in forms.itertuples()
        }
        file_names = dict(zip(forms["sha256"], forms["file_name"], strict=False))
        choice = st.selectbox(t("form", lang), list(labels), format_func=labels.get, key="form")
    form_upload = st.file_uploader(t("other_form", lang), type=["xlsx", "xls"], key="form_file")
    if form_upload is not None:
        form_path = _save(form_upload, path.parent / "form")
    elif choice is not None:
        form_path = path.parent / "form" / Path(str(file_names[choice])).name
        form_path.write_bytes(data.form_bytes(choice))
    else:
        st.warning(t("need_form", lang))
        return
    mission = data.mission()
    label = _round_label(path, lang, mission)
    if label is None:
        return
    try:
        form = mande.read_xlsform(
            form_path, strict=False
        )  # deployed: its warnings reach the report
    except mande.DataValidationError as err:
        _problems(err, lang)
        return
    mapping = _mapping_step(form, path, lang)
    design = st.radio(
        t("design_kind", lang),
        ["columns", "srs"],
        format_func=lambda k: t(f"design_{k}", lang),
        key="design_kind",
    )
    extra = {"design": "srs"} if design == "srs" else {}
    plan_path = _plan_file(path, lang) if design != "srs" else None
    weighting = None
    try:
        with st.spinner(t("checking", lang)):
            if plan_path is not None:
                rnd, weighting = _read_with_plan(path, form, mapping, label, plan_path, mission)
            else:
                rnd = mande.read_survey(
                    path,
                    form=form,
                    mapping=mapping,
                    round_label=label,
                    fieldwork=mission.fieldwork_of(label) if mission else None,
                    years=mission_years(mission),
                    privacy=Gazetteer.from_mission(mission),
                    **extra,
                )
    except mande.DataValidationError as err:
        _problems(err, lang)
        return
    report = rnd.report
    # what the dashboard and the annex will lack, and a survey without design: first
    for p in report.problems:
        if p.code in TOP_WARNINGS:
            st.warning(problem_message(p, lang))
    st.success(t("validation_ok", lang).format(n=len(rnd.responses)))
    if weighting is not None:
        _weighting_diagnostics(weighting, lang)
    with st.expander(t("mapping", lang), expanded=False):
        st.dataframe(data.mapping_table(rnd), hide_index=True, width="stretch")
        if len(report.removed):
            st.dataframe(removed_frame(report.removed, lang), hide_index=True, width="stretch")
    warnings = [p for p in report.problems if p.severity == "warning"]
    if warnings:
        st.warning(t("warnings", lang).format(n=len(warnings)))
        _report_table(warnings, lang, key="warnings")
    if report.removed:
        cols = ", ".join(sorted(r.column for r in report.removed))
        st.info(t("personal_removed", lang).format(cols=cols))
    _counts(rnd, lang, mission)
    if not _replace_check(label, lang, mission):
        return
    if st.button(t("commit", lang), type="primary", key="commit"):
        with st.status(t("committing", lang), expanded=True) as status:
            st.write(t("storing", lang))
            result = data.store().ingest_survey(
                path,
                form_path,
                label,
                user=who.user,
                role=who.role,
                mapping=None if mapping is None else mapping.to_dict(),
                plan=plan_path,
                **extra,
            )
            if not result.created:
                status.update(
                    label=t("unchanged", lang).format(label=result.label, version=result.version),
                    state="complete",
                )
                return
            st.write(t("computing", lang))
            data.clear()
            data.precompute()
            status.update(
                label=t("committed", lang).format(label=label, version=result.version),
                state="complete",
            )


# ---- weighting from the sample plan ----------------------------------------------------------


def _plan_file(path: Path, lang: str) -> Path | None:
    """The round's sample plan, when the export carries no weights (optional)."""
    st.caption(t("plan_help", lang))
    upload = st.file_uploader(t("plan_file", lang), type=["csv", "xlsx"], key="plan_file")
    if upload is None:
        return None
    folder = path.parent / "plan"
    folder.mkdir(exist_ok=True)
    return _save(upload, folder)


def _read_with_plan(
    path: Path,
    form: mande.Form,
    mapping: mande.Mapping | None,
    label: str,
    plan_path: Path,
    mission: mande.MissionConfig | None,
) -> tuple[mande.SurveyRound, mande.weighting.WeightingReport]:
    if mission is None or mission.population is None:
        raise mande.ConfigError(
            "the mission has no population margins to calibrate the weights to; an admin adds "
            "a 'population' section to mission.yaml (adults by region, sex and age group)"
        )
    return mande.weighting.read_survey_with_plan(
        path,
        form,
        plan_path,
        mission.population,
        mapping,
        round_label=label,
        fieldwork=mission.fieldwork_of(label),
        years=mission_years(mission),
        privacy=Gazetteer.from_mission(mission),
    )


def _weighting_diagnostics(report: mande.weighting.WeightingReport, lang: str) -> None:
    """What the officer checks before committing: response rates, g-weights, deff, margins."""
    cal = report.calibration
    st.subheader(t("weighting", lang))
    st.write(report.describe(lang))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("g_range", lang), f"{cal.g_min:.2f} – {cal.g_max:.2f}")
    c2.metric(
        t("kish_deff", lang), f"{cal.deff_after:.2f}", f"{cal.deff_after - report.deff_base:+.2f}"
    )
    resp = report.response
    rate = resp["interviewed"].sum() / resp["selected"].sum()
    c3.metric(t("response_rate", lang), f"{100 * rate:.1f} %")
    st.caption(t("response_by_class", lang))
    st.dataframe(resp, hide_index=True, width="stretch", key="response_rates")
    st.caption(t("margins_achieved", lang))
    st.dataframe(cal.margins, hide_index=True, width="stretch", key="margins_achieved")
    for p in report.warnings:
        st.warning(p.message)


def _counts(rnd: mande.SurveyRound, lang: str, mission: mande.MissionConfig | None) -> None:
    """Respondents by region: region names, weighted shares in per cent."""
    names = {r.pcode: r.label(lang) for r in mission.regions} if mission is not None else {}
    table = rnd.counts("region", labels=names, missing="–")
    region, n, share = t("region", lang), t("count_n", lang), t("count_share", lang)
    table = table.rename(columns={"region": region, "n": n, "weighted_share": share})
    st.caption(t("counts_title", lang))
    st.dataframe(
        table,
        hide_index=True,
        column_config={share: st.column_config.NumberColumn(share, format="%.1f %%")},
    )


def _mapping_step(form: mande.Form, path: Path, lang: str) -> mande.Mapping | None:
    """The standard form maps by itself; a mission's own form maps through a mapping that mande
    suggests and the officer confirms, edits here (question -> item) or uploads as YAML."""
    if data.is_standard_form(form):
        return None
    st.info(t("own_form", lang))
    upload = st.file_uploader(t("mapping_file", lang), type=["yaml", "yml"], key="mapping_file")
    if upload is not None:
        target = path.parent / "mapping.yaml"
        target.write_bytes(upload.getbuffer())
        return mande.load_mapping(target)
    suggested = data.suggested_mapping(form, path)
    table = suggested.to_frame(form, lang)
    edited = st.data_editor(
        table,
        key="mapping_editor",
        hide_index=True,
        width="stretch",
        disabled=["question", "label", "confidence", "confirmed", "choices"],
        column_config={
            "item": st.column_config.SelectboxColumn(
                t("standard_item", lang), options=data.standard_item_names()
            ),
        },
    )
    changes = {
        str(q): (None if pd.isna(i) else str(i))
        for q, i in zip(edited["question"], edited["item"], strict=False)
    }
    mapping = suggested.with_items(changes, form=form)
    st.download_button(
        t("download_mapping", lang),
        mapping.to_yaml().encode("utf-8"),
        file_name="mapping.yaml",
        mime="application/x-yaml",
        key="dl_mapping",
    )
    if not st.checkbox(t("confirm_mapping", lang), key="confirm_mapping"):
        st.stop()
    return mapping.confirm()  # the officer reviewed every entry


def _interviews(path: Path, lang: str, who: session.Identity) -> None:
    label = st.text_input(t("sheet_label", lang), value=suggest_label(path.stem), key="sheet_label")
    try:
        with st.spinner(t("checking", lang)):
            iv = mande.read_interviews(path, mission=data.mission())
    except mande.DataValidationError as err:
        _problems(err, lang)
        return
    st.success(t("validation_ok_iv", lang).format(n=len(iv.interviews)))
    if st.button(t("commit", lang), type="primary", key="commit_iv"):
        with st.status(t("committing", lang), expanded=True) as status:
            result = data.store().ingest_interviews(path, user=who.user, label=label, role=who.role)
            data.clear()
            status.update(
                label=t("committed", lang).format(label=label, version=result.version),
                state="complete",
            )


def main() -> None:
    who = session.require("upload")
    lang = session.lang()
    st.title(t("upload", lang))
    kind = st.radio(
        t("upload_kind", lang),
        ["survey", "interviews"],
        format_func=lambda k: t(f"kind_{k}", lang),
        horizontal=True,
        key="upload_kind",
    )
    upload = st.file_uploader(t("drop_file", lang), type=["xlsx", "xls", "csv"], key="upload_file")
    if upload is None:
        return
    digest = hashlib.sha256(upload.getbuffer()).hexdigest()
    st.caption(f"{upload.name} · {upload.size:,} bytes · SHA-256 {digest[:16]}…")
    with tempfile.TemporaryDirectory(prefix="mande-upload-") as tmp:
        folder = Path(tmp)
        (folder / "form").mkdir()
        path = _save(upload, folder)
        try:
            if kind == "survey":
                _survey(path, lang, who)
            else:
                _interviews(path, lang, who)
        except mande.PermissionDenied as err:
            st.error(str(err))
        except mande.MandeError as err:
            st.error(str(err))


if __name__ == "__main__":
    main()
