"""One truth: every figure the dashboard shows (through its data layer, as the pages call it) equals
the figure the annex and the draft print for the same period, verdicts included; and every change
interval in the annex excludes zero exactly when its change is called significant.

The sample mission's store (every round and interview sheet); the period is the latest holding a
round, the one the dashboard shows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

import mande
from mande.report._cells import SUPPRESSED
from mande.report.annex import _partner_label
from mande.report.build import BREAKDOWNS
from mande.report.narrative import SUBJECTS
from mande.report.style import NBSP, per_cent, percentage_points

ASSESSMENT = {
    "Improved": "improved",
    "Deteriorated": "deteriorated",
    "No significant change": "no_change",
}


def _same(expected: Any) -> Any:
    # openpyxl writes 16 significant digits
    return pytest.approx(expected, rel=1e-12, abs=1e-12)


def _same_change(cell: Any, expected: Any) -> bool:
    """A signed figure of the annex: the same, or written as zero when it displays as zero (the
    annex never prints "-0.0" nor "+0.0": mande.report.style.clean_zero)."""
    if cell == 0 and abs(float(expected)) < 0.05:
        return True
    return bool(cell == _same(expected))


@pytest.fixture(scope="module")
def dash(sample_store_dir: Path) -> Iterator[Any]:
    """The dashboard's data layer on the sample store (Streamlit caches in memory)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("MANDE_DATA_DIR", str(sample_store_dir))
    mp.setenv("MANDE_SECRET", "sample-store-tests")
    mp.setenv("MANDE_ROLE", "viewer")
    mp.delenv("MANDE_DATABASE_URL", raising=False)
    import streamlit as st

    from dashboard import data

    st.cache_data.clear()
    try:
        yield data
    finally:
        st.cache_data.clear()
        mp.undo()


@pytest.fixture(scope="module")
def report(dash: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The annex and the draft for the period the dashboard shows, built from the same store."""
    period = dash.figures("en").comparison.period.id
    out = tmp_path_factory.mktemp("report")
    annex, draft = out / "annex.xlsx", out / "draft.docx"
    data = mande.make_report(dash.store(), period, annex, docx=draft, lang="en", trend_models=False)
    text = "\n".join(p.text for p in Document(str(draft)).paragraphs)
    return {"data": data, "wb": load_workbook(annex), "text": text, "period": period}


def _rows(ws: Any) -> list[dict[str, Any]]:
    """A sheet's table as records keyed by the header row (row 4)."""
    header = [c.value for c in ws[4]]
    out = []
    for row in ws.iter_rows(min_row=5):
        values = [c.value for c in row]
        if not isinstance(values[0], str) or not values[0][:1].isalpha() or "-" not in values[0]:
            continue
        out.append(dict(zip(header, values, strict=False)))
    return out


def _num(v: Any) -> float:
    return float("nan") if v is None or v == SUPPRESSED else float(v)


def _close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == _same(b)


def test_same_period_and_comparison(dash: Any, report: dict[str, Any]) -> None:
    figs = dash.figures("en")
    data = report["data"]
    assert figs.current_round == data.current_round
    assert figs.previous_round == data.previous_round
    assert data.policy == dash.policy()


def test_overview_cards_equal_the_annex_summary(dash: Any, report: dict[str, Any]) -> None:
    head = dash.headline("en").set_index("indicator")
    # the summary prints in two sheets: estimates ("Summary"), changes and tests ("Changes")
    annex = {r["ID"]: dict(r) for r in _rows(report["wb"]["Summary"])}
    if "Changes" in report["wb"].sheetnames:
        for r in _rows(report["wb"]["Changes"]):
            annex.setdefault(r["ID"], {}).update(r)
    checked = 0
    for ind, card in head.iterrows():
        row = annex[ind]
        if card["suppressed"]:
            assert row["Value"] == SUPPRESSED
        else:
            assert (row["Value"], row["95% CI low"], row["95% CI high"]) == _same(
                (card["estimate"], card["ci_low"], card["ci_high"])
            )
        assert row["n"] == card["n"]
        if pd.isna(card["change"]):
            assert row["Change (pp)"] is None
        else:
            assert _same_change(row["Change (pp)"], card["change"])
            assert _same_change(row["Change CI low (FCR-adj.)"], card["change_ci_low"])
            assert _same_change(row["Change CI high (FCR-adj.)"], card["change_ci_high"])
            assert row["p (FDR-adj.)"] == _same(card["q_value"])
            assert ASSESSMENT[row["Assessment"]] == card["verdict"]
            assert bool(card["arrow"]) == (card["verdict"] in ("improved", "deteriorated"))
        checked += 1
    assert checked == len(head) >= 16


def test_significant_list_and_explorer_equal_the_annex_breakdowns(
    dash: Any, report: dict[str, Any]
) -> None:
    data = report["data"]
    res = dash.results()
    current = res[res["round"].astype(str) == dash.current_round("en")]
    current = current.set_index(["indicator", "breakdown", "group"])
    significant = {
        (r["indicator"], r["breakdown"], r["group"]): r
        for r in dash.significant_changes("en").to_dict("records")
    }
    seen_significant = set()
    checked = 0
    for key, names in BREAKDOWNS.items():
        table = data.breakdowns[key]
        label_to_group = dict(zip(table["group_en"], table["group"], strict=True))
        for row in _rows(report["wb"][names["en"]]):
            if row["Group"] not in label_to_group:
                continue  # a section heading or a footnote
            ind, group = row["ID"], label_to_group[row["Group"]]
            # Explorer: the group's estimate, CI and n for the current round ...
            rec = current.loc[(ind, key, group)]
            if rec["suppressed"]:
                assert row["Value"] == SUPPRESSED
            else:
                assert (row["Value"], row["95% CI low"], row["95% CI high"]) == _same(
                    (rec["estimate"], rec["ci_low"], rec["ci_high"])
                )
            assert row["n"] == rec["n"]
            # ... and its change, intervals and verdict (the Explorer's change columns)
            ch = dash.breakdown_changes(ind, key, "en").set_index("group")
            c = ch.loc[group] if group in ch.index else None
            if row["Change (pp)"] is None:
                assert c is None or pd.isna(c["estimate"])
                continue
            assert _same_change(row["Change (pp)"], c["estimate"])
            assert _same_change(row["Change CI low (FCR-adj.)"], c["ci_low"])
            assert _same_change(row["Change CI high (FCR-adj.)"], c["ci_high"])
            lo_u = row["Change 95% CI low, unadjusted (analysts)"]
            hi_u = row["Change 95% CI high, unadjusted (analysts)"]
            assert _same_change(lo_u, c["ci_low_unadjusted"])
            assert _same_change(hi_u, c["ci_high_unadjusted"])
            assert row["p (FDR-adj.)"] == _same(c["q_value"])
            assert ASSESSMENT[row["Assessment"]] == c["verdict"]
            # the Overview's list of significant changes holds exactly the significant rows
            if c["verdict"] in ("improved", "deteriorated"):
                s = significant[(ind, key, group)]
                assert s["estimate"] == _same(c["estimate"])
                assert (s["ci_low"], s["ci_high"]) == _same((c["ci_low"], c["ci_high"]))
                seen_significant.add((ind, key, group))
            checked += 1
    assert checked > 300
    assert seen_significant == {k for k in significant if k[1] != "total"}


def test_every_annex_interval_excludes_zero_iff_significant(report: dict[str, Any]) -> None:
    wb = report["wb"]
    n_changes = n_significant = n_unadjusted_only = 0
    for name in ["Summary", *(b["en"] for b in BREAKDOWNS.values())]:
        for row in _rows(wb[name]):
            if not isinstance(row.get("Change (pp)"), float | int):
                continue
            n_changes += 1
            lo, hi = row["Change CI low (FCR-adj.)"], row["Change CI high (FCR-adj.)"]
            excludes = lo > 0 or hi < 0
            significant = ASSESSMENT[row["Assessment"]] != "no_change"
            assert excludes == significant, (name, row["ID"], row.get("Group"), lo, hi)
            n_significant += significant
            lo_u = row["Change 95% CI low, unadjusted (analysts)"]
            hi_u = row["Change 95% CI high, unadjusted (analysts)"]
            n_unadjusted_only += (lo_u > 0 or hi_u < 0) and not significant
    assert n_changes > 300 and n_significant > 0
    # the unadjusted intervals alone would have suggested more changes: why they are labelled
    assert n_unadjusted_only > 0


def test_the_draft_states_the_dashboards_figures(dash: Any, report: dict[str, Any]) -> None:
    text = report["text"]
    flat = text.replace(". The ", ". the ")
    data = report["data"]
    head = dash.headline("en")
    checked = 0
    for card in head.to_dict("records"):
        ind = card["indicator"]
        if ind not in SUBJECTS or card["suppressed"] or card["kind"] != "proportion":
            continue
        subject = SUBJECTS[ind]["en"].format(m=data.mission_code)
        significant = card["verdict"] in ("improved", "deteriorated")
        if subject not in flat and not significant:
            continue  # the draft is selective: a change that is not significant is summed up
        value = per_cent(card["estimate"], "en")
        if card["verdict"] in ("improved", "deteriorated"):
            verb = "rose to" if card["change"] > 0 else "fell to"
            size = percentage_points(card["change"] / 100, "en")
            assert (
                f"{subject} {verb} {value}, an" in flat or f"{subject} {verb} {value}, a " in flat
            )
            assert size in flat
        else:  # cited only to set the scene of a section, never as "stable"
            assert f"{subject} remained stable" not in flat
            if f"{subject} stood at" in flat:
                assert f"{subject} stood at {value}" in flat
        checked += 1
    assert checked >= 3
    # the comparison period is named by its dates, not as "the previous reporting period"
    assert "previous reporting period" not in text
    assert data.previous.label("en") in text
    # significant regional changes of cited indicators, as the Overview lists them
    sig = dash.significant_changes("en")
    regions = sig[(sig["breakdown"] == "region") & (sig["unit"] == "percentage points")]
    labels = dict(
        zip(data.breakdowns["region"]["group"], data.breakdowns["region"]["group_en"], strict=False)
    )
    cited = 0
    for r in regions.to_dict("records"):
        if SUBJECTS.get(r["indicator"], {}).get("en", "").format(m=data.mission_code) not in flat:
            continue
        # the draft cites the largest group findings of each section: those it cites carry the
        # dashboard's figures
        size = percentage_points(r["estimate"] / 100, "en")
        value = per_cent(r["estimate_to"] / 100, "en")
        if f"In {labels[r['group']]}, the proportion" in text and f"{value}, a" in text:
            assert size in text
            cited += 1
    assert NBSP in text  # figures and units are joined by no-break spaces


def test_partners_page_equals_the_annex_and_draft(dash: Any, report: dict[str, Any]) -> None:
    period = report["period"]
    figs = dash.partner_figures(period)
    data = report["data"]
    ws = report["wb"]["Partners"]
    sheet: dict[str, list[Any]] = {}
    for r in ws.iter_rows(min_row=5):  # the first table (quotes further down repeat the types)
        if r[0].value:
            sheet.setdefault(str(r[0].value), [c.value for c in r])
    heat = dash.partner_quality(("partner_type", "period"))
    heat = heat[heat["period"] == period].set_index("partner_type")
    assert len(figs.rqi) >= 3
    for rec in figs.rqi.to_dict("records"):
        label = _partner_label(data, rec["partner_type"], "en")
        row = sheet[label]
        assert (row[1], row[2], row[3]) == _same(
            (rec["rqi"], rec["rqi_ci_low"], rec["rqi_ci_high"])
        )
        assert row[4] == rec["n_interviews"]
        note = row[len(row) - 1] if row[-1] is not None else None
        assert (note is not None and "Small numbers" in str(note)) == bool(rec["small"])
        # the heatmap's cell for the period is the same figure (one generator per group)
        h = heat.loc[rec["partner_type"]]
        assert (h["rqi"], h["rqi_ci_low"], h["rqi_ci_high"]) == _same(
            (rec["rqi"], rec["rqi_ci_low"], rec["rqi_ci_high"])
        )
    # reliability: the same alphas and the same small-number flags
    rel = figs.reliability
    assert rel is not None and not rel.empty
    annex_rel = data.partners.reliability.set_index("dimension")
    for rec in rel.to_dict("records"):
        a = annex_rel.loc[rec["dimension"]]
        assert _close(float(a["alpha"]), float(rec["alpha"]))
        assert a["n_units"] == rec["n_units"] and bool(a["few_units"]) == bool(rec["few_units"])
    # the robust-operation model: same estimate, interval, n, and the same data window
    model = figs.model
    robust = data.partners.robust
    assert model is not None and robust is not None
    assert (robust["estimate"], robust["ci_low"], robust["ci_high"]) == _same(
        (model.estimate, model.ci_low, model.ci_high)
    )
    assert robust["n"] == model.n_interviews
    assert robust["window_en"] == figs.model_window_text("en")
    assert figs.model_window_text("en") in report["text"]
    assert model.sentence("en") in report["text"]
    # the draft ranks only partner types with enough partners and interviews
    ranked = figs.rqi[~figs.rqi["small"]].sort_values("rqi")
    if len(ranked) > 1:
        from mande.report.style import number

        low, high = ranked.iloc[0], ranked.iloc[-1]
        assert f"between {number(low['rqi'], 'en')} out of 100" in report["text"]
        assert f"and {number(high['rqi'], 'en')} out of 100" in report["text"]
