"""`mande report`: reads the store, writes the annex and the draft, refuses an empty period."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _report_example import mission, results, rounds
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

import mande.store
from mande.cli import app


class _Store:
    """What `mande report` reads from a store: mission, rounds, results, interviews, quotes."""

    def mission(self) -> Any:
        return mission()

    def rounds(self) -> pd.DataFrame:
        return rounds().rename(columns={"n": "n_respondents", "source": "file_name"})

    def results(self, **_: Any) -> pd.DataFrame:
        return results()

    def interviews(self) -> pd.DataFrame:
        return pd.DataFrame()

    def quotes(self) -> pd.DataFrame:
        return pd.DataFrame()

    def boundaries(self) -> None:  # no regions' polygons: the annex has no Footprint sheet
        return None

    def footprint(self, kind: str) -> pd.DataFrame:
        return pd.DataFrame()

    def weighting(self, label: str, version: int | None = None) -> None:  # weights in the export
        return None


@pytest.fixture()
def store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mande.store.Store, "open", classmethod(lambda cls, url=None: _Store()))


def test_report_command_writes_annex_and_draft(store: None, tmp_path: Path) -> None:
    out, docx = tmp_path / "annexe.xlsx", tmp_path / "projet.docx"
    result = CliRunner().invoke(
        app,
        ["report", "--period", "2026-06", "--out", str(out), "--docx", str(docx), "--lang", "fr"],
    )
    assert result.exit_code == 0, result.output
    assert "round R5" in result.output and "2026-02" in result.output
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["Couverture", "Synthèse"]
    # the store's file name, a user text, is on the cover as text
    cover = [c.value for r in wb["Couverture"].iter_rows() for c in r if c.value]
    assert "-cmd|' /C calc'!A0.xlsx" not in cover  # R3 is neither this period's nor the previous
    assert "perception_survey_R5.xlsx" in cover
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "du 29 juin au 17 juillet 2026" in text


def test_report_command_refuses_a_period_without_a_round(store: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "--period", "2026-10", "--out", str(tmp_path / "a.xlsx")]
    )
    assert result.exit_code == 1
    assert "no survey round ends in period 2026-10" in result.output
    assert not (tmp_path / "a.xlsx").exists()


@pytest.mark.parametrize(
    ("out", "docx", "said"),
    [
        ("annex.docx", None, "ends in .docx"),
        ("annex.xlsx", "draft.xlsx", "the draft (--docx) is written as .docx"),
        ("annex", None, "no extension"),
    ],
)
def test_report_command_checks_the_file_extensions(
    store: None, tmp_path: Path, out: str, docx: str | None, said: str
) -> None:
    args = ["report", "--period", "2026-06", "--out", str(tmp_path / out)]
    if docx:
        args += ["--docx", str(tmp_path / docx)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert said in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written under a wrong name
