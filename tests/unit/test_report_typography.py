"""French typography in every French string the annex and the draft write, and no "-0.0" printed
anywhere (the one signed-number formatter, mande.report.style)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from _report_example import inputs
from docx import Document
from openpyxl import load_workbook

from dashboard import format as dash_format
from mande.report.annex import _shown_decimals, write_annex
from mande.report.build import ReportData, build_report_data
from mande.report.narrative import write_narrative
from mande.report.style import (
    FR_MISSING_SPACE,
    clean_zero,
    fr_typography,
    number,
    round_half_up,
    signed,
)


@pytest.fixture(scope="module")
def data() -> ReportData:
    return build_report_data(inputs(), "2026-06", "fr")


@pytest.fixture(scope="module")
def files(data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("fr")
    return {
        "annex_fr": write_annex(data, out / "annex_fr.xlsx", "fr"),
        "annex_en": write_annex(data, out / "annex_en.xlsx", "en"),
        "draft_fr": write_narrative(data, out / "draft_fr.docx", "fr"),
    }


def _annex_strings(path: Path) -> list[tuple[str, str]]:
    wb = load_workbook(path)
    out = []
    for ws in wb.worksheets:
        out.append((f"{ws.title}!title", ws.title))
        for part in (ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right):
            if part.text:
                out.append((f"{ws.title}!footer", part.text))
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    out.append((f"{ws.title}!{c.coordinate}", c.value))
    return out


def _draft_strings(path: Path) -> list[tuple[str, str]]:
    doc = Document(str(path))
    out = [(f"paragraph {i}", p.text) for i, p in enumerate(doc.paragraphs)]
    out.append(("title", doc.core_properties.title or ""))
    return out


def test_every_french_string_has_its_no_break_spaces(files: dict[str, Path]) -> None:
    strings = _annex_strings(files["annex_fr"]) + _draft_strings(files["draft_fr"])
    assert len(strings) > 500
    bad = [(where, text) for where, text in strings if FR_MISSING_SPACE.search(text)]
    assert bad == []
    # and the text really has double punctuation and percentages to check
    joined = "\n".join(t for _, t in strings)
    for mark in ("\u00a0:", "\u202f;", "\u00a0%", "\u00a0pour cent"):
        assert mark in joined, mark
    cover = dict(_annex_strings(files["annex_fr"]))
    assert cover["Couverture!A9"] == "Produit par"  # a label cell: the colon is the layout's


def test_fr_typography_rules() -> None:
    assert fr_typography("Note : a; b ! c? «x» 5 % 62 pour cent") == (
        "Note\u00a0: a\u202f; b\u202f! c\u202f? «\u00a0x\u00a0» 5\u00a0% 62\u00a0pour cent"
    )
    for kept in ("14:30 UTC", "https://example.org/a?b=c", "SAF-01:x"):
        assert fr_typography(kept) == kept
    once = fr_typography("Produit par : x ; y")
    assert fr_typography(once) == once and not FR_MISSING_SPACE.search(once)


@pytest.mark.parametrize("value", [-0.04, -0.0049, -1e-12, 0.0, -0.0, 0.049])
def test_minus_zero_never_prints(value: float) -> None:
    for lang in ("en", "fr"):
        assert signed(value, lang, 1) == number(0, lang, 1)
        assert number(value, lang, 1) in ("0.0", "0,0")
        assert dash_format.change(value, "proportion", lang).startswith("±0")
        assert "-0" not in dash_format.change_interval(value, value, "proportion", lang)
    assert clean_zero(value, 1) == 0.0 and math.copysign(1, clean_zero(value, 1)) == 1
    assert signed(-0.05) == "-0.1" and signed(0.05) == "+0.1" and clean_zero(-0.05, 1) == -0.05


def test_no_annex_cell_displays_minus_zero(files: dict[str, Path]) -> None:
    tiny = 0
    for key in ("annex_en", "annex_fr"):
        for ws in load_workbook(files[key]).worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if not isinstance(c.value, int | float) or isinstance(c.value, bool):
                        continue
                    decimals = _shown_decimals(str(c.number_format))
                    if decimals is None:
                        continue
                    shown = round_half_up(c.value, decimals)
                    assert not (shown == 0 and math.copysign(1, c.value) < 0), c.coordinate
                    assert not (c.value < 0 and shown == 0), (ws.title, c.coordinate, c.value)
                    tiny += c.value == 0 and str(c.number_format).startswith("+")
    assert tiny > 0  # the example holds a change of -0.007 points, written as 0


def test_french_weighting_text_of_the_methods_sheet() -> None:
    from mande.weighting import describe_weighting

    stored = {
        "spec": {"margins": ["region", "sex"], "bounds": [0.5, 2.0], "population_year": 2025},
        "calibration": {"g_min": 0.8, "g_max": 1.26, "deff_after": 1.33},
        "response": [{"selected": 100, "interviewed": 88.6, "nonresponse_class": "VD01"}],
    }
    text = describe_weighting(stored, "fr")
    assert not FR_MISSING_SPACE.search(text)
    assert "88,6\u00a0%" in text and "0,80 et 1,26\u202f;" in text and "1,33" in text
    assert not re.search(r"\d\.\d", text)  # a decimal comma in French
