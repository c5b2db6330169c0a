"""Plan a round: from the village frame and target margins of error, the interviews and villages
per region, the villages drawn on the map, the field list and the plan file (officers and admins).
Every figure comes from `mande.plan` (through dashboard/data.py)."""

from __future__ import annotations

import secrets
from typing import Any

import pandas as pd
import streamlit as st

import mande
from dashboard import data, session
from dashboard.i18n import t
from mande.plots import plan_map


def _region_names(lang: str) -> dict[str, str]:
    m = data.mission()
    return {r.pcode: r.label(lang) for r in m.regions} if m is not None else {}


def _targets(frame: pd.DataFrame, default: float, lang: str) -> dict[str, float]:
    """The target margin of error per region: the default, or what the officer typed per region."""
    names = _region_names(lang)
    regions = sorted(frame["region"].unique(), key=str)
    table = pd.DataFrame(
        {
            "region": regions,
            t("region", lang): [names.get(r, r) for r in regions],
            t("target_moe", lang): [default] * len(regions),
        }
    )
    with st.expander(t("plan_moe_region", lang)):
        edited = st.data_editor(
            table, hide_index=True, disabled=["region", t("region", lang)],
            column_config={"region": None}, key=f"plan_targets_{default}",
        )  # fmt: skip
    out = {}
    for region, value in zip(edited["region"], edited[t("target_moe", lang)], strict=True):
        v = float(value) if pd.notna(value) and float(value) > 0 else default
        out[str(region)] = v / 100
    return out


def _admin2_names(lang: str) -> dict[str, str]:
    m = data.mission()
    if m is None:
        return {}
    return {
        code: names.get(lang) or names.get("en") or code
        for r in m.regions
        for code, names in r.admin2
    }


def _allocation_table(plan: mande.RoundPlan, lang: str) -> pd.DataFrame:
    names = _region_names(lang)
    a = plan.allocation
    return pd.DataFrame(
        {
            t("region", lang): [names.get(str(h), str(h)) for h in a["stratum"]],
            t("population", lang): a["population"].round().astype(int),
            t("villages_in_frame", lang): a["villages_in_frame"],
            t("target_moe", lang): (a["target_moe"] * 100).round(1),
            t("interviews_needed", lang): a["interviews_needed"],
            t("plan_villages", lang): a["villages"],
            t("plan_interviews", lang): a["interviews"],
            t("expected_moe", lang): (a["expected_moe"] * 100).round(1),
            t("reportable", lang): a["reportable"],
        }
    )


def _villages_table(rows: pd.DataFrame, order: str, lang: str) -> pd.DataFrame:
    names = _region_names(lang)
    keep = [c for c in ("admin2", "village", "psu", "urban_rural", "population") if c in rows]
    out = rows[[order, *keep, "inclusion_prob", "certainty"]].copy()
    out.insert(0, "region_name", [names.get(str(r), str(r)) for r in rows["region"]])
    if "admin2" in out:
        admin2 = _admin2_names(lang)
        out["admin2"] = [admin2.get(str(a), str(a)) for a in out["admin2"]]
    labels = {
        "region_name": "region", order: "plan_order", "admin2": "plan_admin2",
        "village": "plan_village", "psu": "plan_psu", "urban_rural": "plan_area",
        "population": "population", "inclusion_prob": "plan_prob", "certainty": "plan_certainty",
    }  # fmt: skip
    return out.rename(columns={c: t(k, lang) for c, k in labels.items()}).reset_index(drop=True)


def _settings(lang: str) -> dict[str, Any]:
    left, mid, right, last = st.columns(4)
    moe = left.number_input(
        t("plan_moe", lang), min_value=1.0, max_value=30.0, value=6.0, step=0.5, key="plan_moe"
    )
    take = mid.number_input(
        t("plan_take", lang), min_value=1, max_value=100, value=12, step=1, key="plan_take"
    )
    spares = right.number_input(
        t("plan_replacements", lang), min_value=0, max_value=20, value=2, step=1,
        key="plan_replacements",
    )  # fmt: skip
    if "plan_seed" not in st.session_state:
        st.session_state["plan_seed"] = secrets.randbelow(1_000_000)
    seed = last.number_input(
        t("plan_seed", lang), min_value=0, max_value=2**31 - 1, step=1, key="plan_seed"
    )
    with st.expander(t("plan_advanced", lang)):
        a, b, c, d = st.columns(4)
        deff = a.number_input(t("plan_deff", lang), 1.0, 10.0, 2.0, 0.1, key="plan_deff")
        p = b.number_input(t("plan_p", lang), 0.05, 0.95, 0.5, 0.05, key="plan_p")
        rr = c.number_input(t("plan_rr", lang), 0.3, 1.0, 0.85, 0.01, key="plan_rr")
        label = d.text_input(t("plan_round", lang), "", key="plan_round", max_chars=60)
    return {
        "moe": float(moe), "interviews_per_village": int(take), "replacements": int(spares),
        "seed": int(seed), "deff": float(deff), "p": float(p), "response_rate": float(rr),
        "round_label": label.strip() or None,
    }  # fmt: skip


def main() -> None:
    session.require("plan")
    lang = session.lang()
    st.title(t("plan", lang))
    st.caption(t("plan_intro", lang))
    upload = st.file_uploader(t("plan_frame", lang), type=["csv", "xlsx", "xls"], key="plan_frame")
    if upload is None:
        st.info(t("plan_need_frame", lang))
        return
    try:
        digest, frame = data.plan_frame(upload.name, upload.getvalue())
    except mande.DataValidationError as err:
        st.error(err.message)
        st.dataframe(err.to_frame(), hide_index=True, key="plan_frame_problems")
        return
    st.caption(
        t("plan_frame_summary", lang).format(
            villages=f"{len(frame):,}", regions=frame["region"].nunique(),
            population=f"{int(frame['population'].sum()):,}",
        )
    )  # fmt: skip
    settings = _settings(lang)
    targets = _targets(frame, settings.pop("moe"), lang)
    try:
        plan = data.round_plan(digest, frame, moe=targets, **settings)
    except mande.MandeError as err:
        st.error(str(err))
        return

    a, b, c, d = st.columns(4)
    a.metric(t("plan_interviews", lang), f"{plan.settings['total_interviews']:,}")
    b.metric(t("plan_villages", lang), f"{len(plan.selected):,}")
    c.metric(t("plan_spares", lang), f"{len(plan.replacements):,}")
    d.metric(t("plan_seed", lang), str(plan.settings["seed"]))

    st.subheader(t("plan_allocation", lang))
    st.dataframe(_allocation_table(plan, lang), hide_index=True, key="plan_allocation")
    short = plan.allocation[plan.allocation["reportable"] == False]  # noqa: E712
    if len(short):
        names = _region_names(lang)
        st.warning(
            t("plan_not_reportable", lang).format(
                regions=", ".join(names.get(str(h), str(h)) for h in short["stratum"])
            )
        )
    else:
        st.success(t("plan_all_reportable", lang))

    st.subheader(t("plan_map", lang))
    geo = data.boundaries()
    if geo is not None and {"lon", "lat"} <= set(frame.columns):
        st.plotly_chart(
            plan_map(plan.selection, geo, data.mission(), lang=lang), key="plan_map_chart"
        )
    else:
        st.caption(t("plan_no_map", lang))

    left, right = st.columns(2)
    stem = f"_{plan.settings['round']}" if plan.settings.get("round") else ""
    left.download_button(
        t("plan_download_field", lang), data.field_list_bytes(plan, lang),
        file_name=f"field_list{stem}.xlsx", key="plan_dl_field",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip
    right.download_button(
        t("plan_download_plan", lang), data.plan_file_bytes(plan),
        file_name=f"plan{stem}.csv", mime="text/csv", key="plan_dl_plan",
    )  # fmt: skip

    st.subheader(t("plan_selected", lang))
    st.dataframe(
        _villages_table(plan.selected, "selection_order", lang), hide_index=True,
        key="plan_villages_table",
    )  # fmt: skip
    st.subheader(t("plan_spares", lang))
    st.dataframe(
        _villages_table(plan.replacements, "replacement_order", lang), hide_index=True,
        key="plan_replacements_table",
    )  # fmt: skip


if __name__ == "__main__":
    main()
