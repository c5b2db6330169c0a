"""The annex built from the store: every figure in it equals the store's stored results."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

import mande
from mande.report._cells import SUPPRESSED, foreign_formulas
from mande.report.build import BREAKDOWNS
from mande.store import Store


@pytest.fixture(scope="module")
def store(sample_store_dir: Path) -> Store:
    mp = pytest.MonkeyPatch()
    mp.setenv("MANDE_DATA_DIR", str(sample_store_dir))
    mp.setenv("MANDE_SECRET", "sample-store-tests")
    mp.delenv("MANDE_DATABASE_URL", raising=False)
    try:
        return Store.open(role="viewer")
    finally:
        mp.undo()


def _same(expected):  # type: ignore[no-untyped-def]
    # openpyxl writes 16 significant digits; Excel keeps 15
    return pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.parametrize("period", ["2025-02", "2026-02"])
def test_every_annex_figure_equals_the_stores_results(
    store: Store, period: str, tmp_path: Path
) -> None:
    out = tmp_path / f"annex_{period}.xlsx"
    data = mande.make_report(
        store, period, out, docx=tmp_path / "draft.docx", lang="en", trend_models=False
    )
    results = store.results()
    current = results[results["round"] == data.current_round].set_index(
        ["indicator", "breakdown", "group"]
    )
    wb = load_workbook(out)

    checked = 0
    for row in wb["Summary"].iter_rows(min_row=5):
        key = (row[0].value, "total", "total")
        if key not in current.index:
            continue
        rec = current.loc[key]
        assert (row[2].value, row[3].value, row[4].value) == _same(
            (rec["estimate"], rec["ci_low"], rec["ci_high"])
        )
        assert row[5].value == rec["n"]
        checked += 1
    survey_measures = {i for i, b, _ in current.index if b == "total"}
    assert checked == len(data.summary) and checked >= 0.9 * len(survey_measures)

    for key, names in BREAKDOWNS.items():
        table = data.breakdowns[key]
        label_to_group = dict(zip(table["group_en"], table["group"], strict=True))
        for row in wb[names["en"]].iter_rows(min_row=5):
            ind, label = row[0].value, row[2].value
            if not isinstance(ind, str) or label not in label_to_group:
                continue
            rec = current.loc[(ind, key, label_to_group[label])]
            if rec["suppressed"]:
                assert [c.value for c in row[3:6]] == [SUPPRESSED] * 3
            else:
                assert (row[3].value, row[4].value, row[5].value) == _same(
                    (rec["estimate"], rec["ci_low"], rec["ci_high"])
                )
            assert row[12].value == rec["n"]
            checked += 1
    assert checked > 300
    assert foreign_formulas(out) == []
