"""The Excel annex: structure (snapshot), every figure equal to the results, formula safety,
formats and print setup, French labels, and LibreOffice's conversion to PDF."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from _report_example import check_snapshot, inputs
from openpyxl import Workbook, load_workbook

from mande.report._cells import DANGEROUS_PREFIXES, SUPPRESSED, foreign_formulas, put
from mande.report.annex import describe_annex, write_annex
from mande.report.build import BREAKDOWNS, ReportData, build_report_data
from mande.report.style import clean_zero

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def data() -> ReportData:
    return build_report_data(inputs(), "2026-06")


@pytest.fixture(scope="module")
def annexes(data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("annex")
    return {lang: write_annex(data, out / f"annex_{lang}.xlsx", lang) for lang in ("en", "fr")}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_annex_structure_snapshot(annexes: dict[str, Path], lang: str) -> None:
    check_snapshot(f"annex_structure_{lang}.txt", describe_annex(annexes[lang]))


def _same(expected):  # type: ignore[no-untyped-def]
    """Equal as stored: openpyxl writes a float with 16 significant digits (Excel keeps 15)."""
    return pytest.approx(expected, rel=1e-15, abs=0)


def _rows(ws, first: int = 5):  # type: ignore[no-untyped-def]
    yield from ws.iter_rows(min_row=first, values_only=False)


def test_summary_figures_equal_the_results(data: ReportData, annexes: dict[str, Path]) -> None:
    wb = load_workbook(annexes["en"])
    ws = wb["Summary"]
    seen = 0
    by_id = data.summary.set_index("indicator")
    for row in _rows(ws):
        ind = row[0].value
        if ind not in by_id.index:
            continue
        rec = by_id.loc[ind]
        value, lo, hi, n = (c.value for c in row[2:6])
        assert (value, lo, hi) == _same((rec["estimate"], rec["ci_low"], rec["ci_high"]))
        assert n == rec["n"]
        assert row[2].number_format == "0.0%"
        # the changes sheet: previous value, value, change, adjusted CI, q, assessment
        ch = next(r for r in _rows(wb["Changes"]) if r[0].value == ind)
        prev, value2, change, c_lo, c_hi, q, verdict = (c.value for c in ch[2:9])
        assert prev == _same(rec["previous_estimate"]) and value2 == value
        # a figure that displays as zero is written as zero: "-0.0" never prints
        assert change == pytest.approx(clean_zero(rec["change"] * 100, 1), rel=1e-12)
        assert (c_lo, c_hi) == pytest.approx(
            (clean_zero(rec["change_ci_low"] * 100, 1), clean_zero(rec["change_ci_high"] * 100, 1))
        )
        assert q == _same(rec["q_value"])
        assert verdict == {"improved": "Improved", "deteriorated": "Deteriorated"}.get(
            rec["verdict"], "No significant change"
        )
        assert ch[4].number_format == "+0.0;-0.0;0.0"
        seen += 1
    assert seen == len(data.summary)
    # the inputs themselves, not only the assembled frame: SAF-01's total in round R5
    res = inputs().results
    saf = res[(res.indicator == "SAF-01") & (res["round"] == "R5") & (res.breakdown == "total")]
    assert by_id.loc["SAF-01", "estimate"] == saf["estimate"].iloc[0]


def test_breakdown_figures_equal_the_results(data: ReportData, annexes: dict[str, Path]) -> None:
    wb = load_workbook(annexes["en"])
    res = inputs().results
    cur = res[res["round"] == "R5"].set_index(["indicator", "breakdown", "group"])
    checked = suppressed = 0
    for key, names in BREAKDOWNS.items():
        table = data.breakdowns[key]
        label_to_group = dict(zip(table["group_en"], table["group"], strict=True))
        ws = wb[names["en"]]
        for row in _rows(ws):
            ind, group_label = row[0].value, row[2].value
            if group_label not in label_to_group or not isinstance(ind, str):
                continue
            expected = cur.loc[(ind, key, label_to_group[group_label])]
            if expected["suppressed"]:
                assert [c.value for c in row[3:6]] == [SUPPRESSED] * 3
                assert "Suppressed" in str(row[13].value)
                suppressed += 1
            else:
                assert row[3].value == _same(expected["estimate"])
                assert (row[4].value, row[5].value) == _same(
                    (expected["ci_low"], expected["ci_high"])
                )
            assert row[12].value == expected["n"]
            checked += 1
    assert checked == sum(len(t) for t in data.breakdowns.values())
    assert suppressed == 1  # VIC-01 among people with a disability: n = 24
    ws = wb["Disability"]
    notes = [r[0].value for r in ws.iter_rows() if isinstance(r[0].value, str)]
    assert any(n.startswith("– Estimate suppressed") for n in notes)


def test_partners_sheet_figures_and_consented_quotes(
    data: ReportData, annexes: dict[str, Path]
) -> None:
    ws = load_workbook(annexes["en"])["Partners"]
    rqi = data.partners.rqi.set_index("partner_type")  # type: ignore[union-attr]
    got = {r[0].value: r[1].value for r in _rows(ws) if isinstance(r[1].value, float)}
    assert got["Local authority"] == _same(rqi.loc["local_authority", "rqi"])
    assert got["UN agency / country team"] == _same(rqi.loc["un_agency", "rqi"])
    texts = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert "The patrols now stop to talk with the village committee." in texts
    assert "Not for publication." not in texts  # no consent
    assert any(t.startswith("Where the mission ran robust operations") for t in texts)


def test_text_from_users_is_never_a_formula(annexes: dict[str, Path]) -> None:
    for path in annexes.values():
        assert foreign_formulas(path) == []
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/"):
                    assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name)
        wb = load_workbook(path)
        found = {}
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith(("=", "+", "-cmd")):
                        found[c.value] = c
        hyperlink = [v for v in found if v.startswith("=HYPERLINK(")]
        assert len(hyperlink) == 2  # the round label on the cover and a partner's quote
        for value, cell in found.items():
            assert cell.data_type == "s", value
            assert cell.quotePrefix, value


def test_put_writes_every_dangerous_prefix_as_text(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for i, prefix in enumerate(DANGEROUS_PREFIXES, start=1):
        put(ws, i, 1, f"{prefix}SUM(A1:A2)")
    put(ws, 20, 1, "plain")
    put(ws, 21, 1, 0.5)
    put(ws, 22, 1, float("nan"))
    put(ws, 23, 1, "bell\x07 removed")
    ws["B1"] = "=1+1"  # a formula written the unsafe way: the check must see it
    path = tmp_path / "x.xlsx"
    wb.save(path)
    assert foreign_formulas(path) == ["xl/worksheets/sheet1.xml: worksheet formula"]
    back = load_workbook(path).active
    assert back is not None
    for i, prefix in enumerate(DANGEROUS_PREFIXES, start=1):
        cell = back.cell(row=i, column=1)
        assert cell.data_type == "s" and cell.quotePrefix
        assert cell.value.startswith(prefix) or prefix in ("\r", "\n")  # XML normalises CR
    assert back["A20"].quotePrefix is False
    assert back["A21"].value == 0.5 and back["A22"].value is None
    assert back["A23"].value == "bell removed"


def test_layout_formats_and_print_setup(annexes: dict[str, Path]) -> None:
    wb = load_workbook(annexes["en"])
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        at_100 = ws.title in ("Summary", "Changes", "Trends")
        assert bool(ws.sheet_properties.pageSetUpPr.fitToPage) is not at_100, ws.title
        if at_100:  # printed at 100 %, never shrunk to fit
            assert ws.page_setup.scale == 100 and not ws.page_setup.fitToWidth
    summary = wb["Summary"]
    assert summary.freeze_panes == "A5"
    assert summary.print_title_rows == "$4:$4"
    assert summary["C4"].value == "Value" and summary["C4"].font.b
    trends = wb["Trends"]
    assert len(trends._charts) == 1
    chart = trends._charts[0]
    assert len(chart.series) == 6  # the headline indicators


def test_french_labels(annexes: dict[str, Path]) -> None:
    wb = load_workbook(annexes["fr"])
    assert wb.sheetnames == [
        "Couverture", "Synthèse", "Variations", "Par sexe", "Par âge", "Par région", "Urbain-rural",
        "Déplacement", "Handicap", "Tendances", "Partenaires", "Méthodes et notes",
    ]  # fmt: skip
    ws = wb["Synthèse"]
    assert ws["A5"].value == "Situation en matière de sécurité"
    assert ws["B6"].value == "Se sentent en sécurité la nuit"
    assert ws["E4"].value == "IC 95\u00a0% haut"


def test_opens_in_libreoffice(annexes: dict[str, Path], tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        msg = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc"
        if IN_CI:
            pytest.fail(f"CI: {msg}", pytrace=False)
        pytest.skip(msg)
    profile = (tmp_path / "lo-profile").as_uri()
    cmd = [
        soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
        "--outdir", str(tmp_path), *map(str, annexes.values()),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    for lang in annexes:
        pdf = tmp_path / f"annex_{lang}.pdf"
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
        assert pdf.read_bytes().count(b"/Type /Page") >= 10 or pdf.stat().st_size > 20_000


def _render(xlsx: Path, sheet: str, out: Path) -> Path:
    """One sheet of an annex as a PDF, by LibreOffice (the other sheets removed)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        msg = "LibreOffice and poppler-utils are needed: apt-get install libreoffice-calc poppler-utils"
        if IN_CI:
            pytest.fail(f"CI: {msg}", pytrace=False)
        pytest.skip(msg)
    wb = load_workbook(xlsx)
    for name in wb.sheetnames:
        if name != sheet:
            del wb[name]
    one = out / f"{xlsx.stem}_{sheet}.xlsx".replace(" ", "_")
    wb.save(one)
    profile = (out / "lo-profile").as_uri()
    cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
           "--outdir", str(out), str(one)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    return one.with_suffix(".pdf")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_summary_prints_at_100_per_cent(
    annexes: dict[str, Path], tmp_path: Path, lang: str
) -> None:
    """The summary and the changes print at 100 % on A4 landscape: every page holds the whole
    width of the table (its first and last column headings, repeated on each page), and the
    pages render to PNG (``docs/annex/``)."""
    names = ("Summary", "Changes") if lang == "en" else ("Synthèse", "Variations")
    wb = load_workbook(annexes[lang])
    for sheet in names:
        ws = wb[sheet]
        assert ws.page_setup.scale == 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
        first, last = ws.cell(4, 1).value, ws.cell(4, ws.max_column).value
        pdf = _render(annexes[lang], sheet, tmp_path)
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
        width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())  # type: ignore[union-attr]
        assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
        for page in range(1, pages + 1):
            text = subprocess.run(
                ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            # no column spilled onto a page of its own: both ends of the header on every page
            assert first in text and str(last).split()[0] in text, (sheet, page)
        assert "Pas de changement signifi\n" not in text
        png = tmp_path / f"{lang}_{sheet}"
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(png)],
                       check=True, timeout=120)  # fmt: skip
        assert list(tmp_path.glob(f"{png.name}*.png"))
        if os.environ.get("MANDE_WRITE_DOCS") == "1":  # refresh the pages shown in docs/annex/
            docs = Path(__file__).resolve().parents[2] / "docs" / "annex"
            docs.mkdir(parents=True, exist_ok=True)
            for i, f in enumerate(sorted(tmp_path.glob(f"{png.name}*.png")), start=1):
                shutil.copy(
                    f, docs / f"{lang}_{'summary' if sheet in names[:1] else 'changes'}_{i}.png"
                )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_cover_renders_on_one_clean_page(
    annexes: dict[str, Path], tmp_path: Path, lang: str
) -> None:
    """The cover prints on one A4 landscape page, with no "###" (a figure too wide for its
    column) and who produced it; its page goes to ``docs/annex/`` with MANDE_WRITE_DOCS=1."""
    sheet = "Cover" if lang == "en" else "Couverture"
    pdf = _render(annexes[lang], sheet, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == 1  # type: ignore[union-attr]
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "###" not in text and "root" not in text
    assert ("Produced by" if lang == "en" else "Produit par") in text
    png = tmp_path / f"{lang}_cover"
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(png)], check=True, timeout=120)
    made = sorted(tmp_path.glob(f"{png.name}*.png"))
    assert made
    if os.environ.get("MANDE_WRITE_DOCS") == "1":
        docs = Path(__file__).resolve().parents[2] / "docs" / "annex"
        shutil.copy(made[0], docs / f"{lang}_cover_1.png")
