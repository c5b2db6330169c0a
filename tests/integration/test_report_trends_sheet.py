"""The annex's Trends sheet, built from the sample store for its last period: the linear trend per
round overall and by region and the interrupted time series around the latest mission event are
the figures the dashboard's Trends page shows (mande.indicator_trends.indicator_trends, called for
the same indicator and event), with English and French headers, no formula, and printed at 100 %
on A4 landscape by LibreOffice (the pages go to docs/annex/ with MANDE_WRITE_DOCS=1)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mande.indicator_trends import indicator_trends
from mande.indicators.catalogue import load_catalogue
from mande.report._cells import foreign_formulas
from mande.report.annex import TREND_WIDTHS, L, write_annex
from mande.report.build import build_report_data
from mande.report.style import clean_zero
from mande.reporting import period_figures
from mande.store import Store

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture(scope="module")
def annexes(store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict:
    figures = period_figures(store.results(), store.rounds(), store.mission())
    period = figures.comparison.period.id  # the sample's last period: every round is before it
    out = tmp_path_factory.mktemp("trends")
    built = {}
    for lang in ("en", "fr"):
        data = build_report_data(store, period, lang, trend_models=True)
        built[lang] = (data, write_annex(data, out / f"annex_{lang}.xlsx", lang))
    return built


def _sheet(path: Path, lang: str):  # type: ignore[no-untyped-def]
    return load_workbook(path)[L[lang]["trends"]]


def _table(ws, header: str):  # type: ignore[no-untyped-def]
    """The rows under the header row whose first cell is ``header``, up to the first empty row."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == header and r[1] is not None)
    out, current = [], None
    for r in rows[start + 1 :]:
        if all(v is None for v in r[:7]):
            break
        if r[0] is not None:
            current = str(r[0]).split()[0]
        out.append((current, *r[1:7]))
    return rows[start], out


def test_slopes_equal_the_trends_page(store: Store, annexes: dict) -> None:
    data, path = annexes["en"]
    models = data.model_trends
    assert models is not None and len(models.slopes) >= 5 and not models.skipped
    ws = _sheet(path, "en")
    head, rows = _table(ws, "Indicator")
    assert head[:7] == (
        "Indicator", "Group", "Slope (pp per round)", "95% CI low", "95% CI high", "Assessment", "n",
    )  # fmt: skip
    catalogue = load_catalogue()
    regions = dict(zip(data.breakdowns["region"]["group"], data.breakdowns["region"]["group_en"],
                       strict=True))  # fmt: skip
    checked = 0
    for tr in models.slopes:
        page = indicator_trends(store, tr.indicator, catalogue, lang="en")  # what the page shows
        mine = [r for r in rows if r[0] == tr.indicator]
        assert len(mine) == len(page.slopes) >= 2  # overall and each region
        for (_, group, slope, lo, hi, verdict, n), (_, rec) in zip(
            mine, page.slopes.iterrows(), strict=True
        ):
            overall = rec["breakdown"] in ("all", "total")
            assert group == ("All regions" if overall else regions[rec["group"]])
            assert (slope, lo, hi) == pytest.approx(
                tuple(clean_zero(float(rec[k]), 1) for k in ("estimate", "ci_low", "ci_high")),
                rel=1e-12,
            )
            assert n == rec["n"]
            assert verdict == {"improved": "Improved", "deteriorated": "Deteriorated"}.get(
                rec["verdict"], "No significant change"
            )
            checked += 1
    assert checked >= 5 * 7


def test_interrupted_time_series_equals_the_trends_page(store: Store, annexes: dict) -> None:
    data, path = annexes["en"]
    its = data.model_trends.its
    assert its, "the sample mission has events between its rounds"
    event = its[0].event
    assert all(tr.event.id == event.id for tr in its)
    assert event.id == max(store.mission().events, key=lambda e: e.date).id  # the latest
    ws = _sheet(path, "en")
    text = [str(c.value) for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(t.startswith("Interrupted time series around " + event.text("en")) for t in text)
    catalogue = load_catalogue()
    # the ITS table is the second table headed "Indicator"
    all_rows = list(ws.iter_rows(values_only=True))
    starts = [i for i, r in enumerate(all_rows) if r[0] == "Indicator"]
    assert len(starts) == 2
    assert all_rows[starts[1]][:7] == (
        "Indicator", "Term", "Estimate", "95% CI low", "95% CI high", "Model", "p",
    )  # fmt: skip
    body = []
    current = None
    for r in all_rows[starts[1] + 1 :]:
        if all(v is None for v in r[:7]):
            break
        current = str(r[0]).split()[0] if r[0] else current
        body.append((current, *r[1:7]))
    for tr in its:
        page = indicator_trends(store, tr.indicator, catalogue, event_id=event.id, lang="en").its
        mine = [r for r in body if r[0] == tr.indicator]
        assert len(mine) == len(page)
        for row, (_, rec) in zip(mine, page.iterrows(), strict=True):
            assert row[2:5] == pytest.approx(
                tuple(clean_zero(float(rec[k]), 1) for k in ("estimate", "ci_low", "ci_high")),
                rel=1e-12,
            )
            assert row[6] == pytest.approx(float(rec["p_value"]), rel=1e-12)
    caveat = str(its[0].its["caveat"].iloc[0])
    assert f"Caveat: {caveat}" in text


def test_french_headers_and_no_formula(annexes: dict) -> None:
    path = annexes["fr"][1]
    ws = _sheet(path, "fr")
    rows = list(ws.iter_rows(values_only=True))
    heads = [r[:7] for r in rows if r[0] == "Indicateur"]
    assert heads[0] == (
        "Indicateur", "Groupe", "Pente (pts par vague)", "IC 95\u00a0% bas", "IC 95\u00a0% haut",
        "Appréciation", "n",
    )  # fmt: skip
    assert heads[1][1:3] == ("Terme", "Estimation")
    text = [str(v) for r in rows for v in r if isinstance(v, str)]
    assert "Toutes les régions" in text
    assert any(t.startswith("Mise en garde\u00a0: ") for t in text)
    assert any(t.startswith("Série chronologique interrompue") for t in text)
    for lang in ("en", "fr"):
        assert foreign_formulas(annexes[lang][1]) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_trends_sheet_prints_at_100_per_cent(annexes: dict, tmp_path: Path, lang: str) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        msg = "LibreOffice and poppler-utils are needed: apt-get install libreoffice-calc poppler-utils"
        if IN_CI:
            pytest.fail(f"CI: {msg}", pytrace=False)
        pytest.skip(msg)
    data, path = annexes[lang]
    name = L[lang]["trends"]
    wb = load_workbook(path)
    ws = wb[name]
    assert ws.page_setup.scale == 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.orientation == "landscape"
    assert sum(TREND_WIDTHS) <= 100  # as the summary: about 100 character units fit at 100 %
    for other in wb.sheetnames:
        if other != name:
            del wb[other]
    one = tmp_path / f"annex_{lang}_trends.xlsx"
    wb.save(one)
    profile = (tmp_path / "lo-profile").as_uri()
    cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
           "--outdir", str(tmp_path), str(one)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    pdf = one.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())  # type: ignore[union-attr]
    assert (round(width), round(height)) == (842, 595)
    ids = [tr.indicator for tr in data.model_trends.slopes]
    for page in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        # no column spilled onto a page of its own: each page holds the first column's text
        assert any(i in text for i in ids) or L[lang]["caveat"] in text, page
        assert "###" not in text, page
    png = tmp_path / f"{lang}_trends"
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(png)], check=True, timeout=180)
    made = sorted(tmp_path.glob(f"{png.name}*.png"))
    assert made
    if os.environ.get("MANDE_WRITE_DOCS") == "1":  # refresh the pages shown in docs/annex/
        docs = ROOT / "docs" / "annex"
        for old in docs.glob(f"{lang}_trends_*.png"):
            old.unlink()
        for i, f in enumerate(made, start=1):
            shutil.copy(f, docs / f"{lang}_trends_{i}.png")
