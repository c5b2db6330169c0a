"""A survey without sample design through the store: design srs stored, reported, unchanged twice."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from mande.errors import DataValidationError
from mande.store import Store


def _form(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "survey"
    for row in (["type", "name", "label"], ["start", "start", ""], ["select_one yn", "q", "Q?"]):
        ws.append(row)
    ch = wb.create_sheet("choices")
    for row in (["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]):
        ch.append(row)
    wb.save(path)
    return path


def test_srs_round_is_stored_with_its_design_and_warning(store: Store, tmp_path: Path) -> None:
    form = _form(tmp_path / "form.xlsx")
    export = tmp_path / "export.csv"
    export.write_text("start,q,_uuid\n2025-03-01,yes,u-1\n2025-03-02,no,u-2\n", encoding="utf-8")
    first = store.ingest_survey(export, form, "R-srs", design="srs")
    assert first.created
    rounds = store.rounds()
    assert rounds.loc[rounds["round"] == "R-srs", "design"].tolist() == ["srs"]
    design = store.design("R-srs")
    assert design.strata is None and design.psu is None
    again = store.ingest_survey(export, form, "R-srs", design="srs")
    assert again.status == "unchanged" and again.version == first.version


def test_export_without_design_is_refused_with_how_to(store: Store, tmp_path: Path) -> None:
    form = _form(tmp_path / "form.xlsx")
    export = tmp_path / "export.csv"
    export.write_text("start,q,_uuid\n2025-03-01,yes,u-1\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        store.ingest_survey(export, form, "R-x")
    assert [p.code for p in info.value.errors] == ["no_design"]
    assert "--design srs" in info.value.errors[0].message
