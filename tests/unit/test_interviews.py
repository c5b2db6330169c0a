"""Reading partner-interview coding sheets: validation, pseudonyms, quotes and consent."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import mande
from mande.errors import DataValidationError
from mande.ingest.interviews import partner_pseudonym
from mande.partners.rubric import load_rubric
from mande.partners.template import build_template, save_workbook_reproducibly

SECRET = b"test-secret"
RUBRIC = load_rubric()
COL = {c.name: j for j, c in enumerate(RUBRIC.columns, start=1)}


@pytest.fixture(scope="module")
def mission(sample_dir: Path) -> mande.MissionConfig:
    return mande.load_mission(sample_dir / "mission.yaml")


@pytest.fixture(scope="module")
def sheets(sample_dir: Path) -> list[Path]:
    paths = sorted((sample_dir / "interviews").glob("coding_*.xlsx"))
    assert len(paths) == 6
    return paths


@pytest.fixture(scope="module")
def sample(sheets: list[Path], mission: mande.MissionConfig) -> mande.Interviews:
    return mande.Interviews.concat(
        [mande.read_interviews(p, secret=SECRET, mission=mission) for p in sheets]
    )


def _row(**values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "interview_id": "T-001",
        "coder": "AM",
        "date": dt.date(2025, 7, 1),
        "partner_name": "Préfecture de Mbali",
        "partner_type": "Local authority",
        "region": "VD03",
        "interviewee_name": "Clarisse Ndakala",
        "interviewee_phone": "+236 72 14 55 08",
        "robust_context": "no",
        **{d: 3 for d in RUBRIC.scored},
        "themes": "information_sharing; local_ownership",
    }
    base.update(values)
    return base


def _sheet(tmp_path: Path, rows: list[dict[str, object]], lang: str = "en") -> Path:
    wb = build_template(lang=lang)
    ws = wb["interviews"]
    for r, row in enumerate(rows, start=2):
        for name, value in row.items():
            ws.cell(row=r, column=COL[name], value=value)
    return save_workbook_reproducibly(wb, tmp_path / "sheet.xlsx")


def _problems(path: Path, **kw: object) -> list[mande.Problem]:
    with pytest.raises(DataValidationError) as info:
        mande.read_interviews(path, secret=SECRET, **kw)  # type: ignore[arg-type]
    return info.value.errors  # type: ignore[return-value]


def test_sample_sheets_read(sample: mande.Interviews) -> None:
    iv = sample.interviews
    first = sample.primary
    assert set(first["period"]) == {
        "2024-10",
        "2025-02",
        "2025-06",
        "2025-10",
        "2026-02",
        "2026-06",
    }
    per_period = first.groupby("period").size()
    assert per_period.between(40, 80).all()
    share_double = sample.report.n_double_coded / sample.report.n_interviews
    assert 0.05 < share_double < 0.15
    assert iv["partner_id"].str.fullmatch(r"P[0-9a-f]{12}").all()
    for personal in ("partner_name", "interviewee_name", "interviewee_phone", "notes", "quote"):
        assert personal not in iv.columns
    # a fixed panel re-interviewed across periods (names re-typed with other case and accents)
    assert first.groupby("partner_id")["period"].nunique().max() >= 4
    assert first["partner_id"].nunique() < len(first) / 3
    themes = iv[[f"theme__{t}" for t in RUBRIC.themes]].to_numpy()
    assert set(themes.ravel().tolist()) <= {0, 1}


def test_pseudonyms_stable_with_the_same_secret_only(sheets: list[Path]) -> None:
    a = mande.read_interviews(sheets[0], secret=SECRET).interviews["partner_id"]
    b = mande.read_interviews(sheets[0], secret=SECRET).interviews["partner_id"]
    c = mande.read_interviews(sheets[0], secret=b"another").interviews["partner_id"]
    assert a.tolist() == b.tolist()
    assert not set(a) & set(c)
    assert partner_pseudonym("Préfecture de Mbali", SECRET) == partner_pseudonym(
        "  PREFECTURE de  mbali", SECRET
    )


def test_default_secret_comes_from_settings(sheets: list[Path], mande_env: Path) -> None:
    a = mande.read_interviews(sheets[0]).interviews["partner_id"]
    b = mande.read_interviews(sheets[0], secret=b"test-secret").interviews["partner_id"]
    assert a.tolist() == b.tolist()  # MANDE_SECRET=test-secret in the fixture


def test_no_quote_without_consent_leaves_ingest(sheets: list[Path]) -> None:
    raw = openpyxl.load_workbook(sheets[2], read_only=True)
    rows = list(raw["interviews"].iter_rows(min_row=2, values_only=True))
    no_consent = [
        r[COL["quote"] - 1]
        for r in rows
        if r[COL["quote"] - 1] and r[COL["consent"] - 1] not in ("yes", "oui")
    ]
    assert no_consent, "the sample sheet should hold quotes without consent"
    iv = mande.read_interviews(sheets[2], secret=SECRET)
    assert iv.report.quotes_without_consent == len(no_consent)
    assert iv.quotes["consent"].all()
    kept_ids = set(iv.quotes["interview_id"])
    refused_ids = {
        r[COL["interview_id"] - 1]
        for r in rows
        if r[COL["quote"] - 1] and r[COL["consent"] - 1] not in ("yes", "oui")
    }
    assert not kept_ids & refused_ids
    text = " ".join(iv.quotes["text"])
    for q in no_consent:
        assert q not in text
    everything = iv.interviews.astype(str).to_string() + iv.quotes.astype(str).to_string()
    assert all(q[:40] not in everything for q in no_consent)


def test_quotes_scrubbed_of_names_phones_and_partners(tmp_path: Path) -> None:
    rows = [
        _row(
            quote="Moi, Clarisse Ndakala, j'ai appelé le +236 72 14 55 08 ; NDAKALA le confirme.",
            consent="yes",
            quote_theme="early_warning",
        ),
        _row(
            interview_id="T-002",
            interviewee_name="Jean-Pierre Gbazia",
            quote="Le Colonel Mbokassa et la Préfecture de Mbali écrivent à x.y@example.org.",
            consent="oui",
        ),
        _row(interview_id="T-003", quote="Citation sans consentement", consent="no"),
        _row(interview_id="T-004", quote="Consentement non renseigné"),
    ]
    iv = mande.read_interviews(_sheet(tmp_path, rows), secret=SECRET)
    texts = iv.quotes.set_index("interview_id")["text"]
    assert texts["T-001"] == "Moi, [name], j'ai appelé le [phone] ; [name] le confirme."
    assert texts["T-002"] == "Le Colonel [name] et la [partner] écrivent à [email]."
    assert set(texts.index) == {"T-001", "T-002"}
    assert iv.report.quotes_without_consent == 2
    assert iv.report.quotes_scrubbed == 2
    assert iv.quotes.set_index("interview_id").loc["T-002", "theme"] == "information_sharing"


@pytest.mark.parametrize(
    ("change", "column", "code"),
    [
        ({"trust": 7}, "Trust (1-5)", "bad_score"),
        ({"cooperation": "good"}, "Cooperation (1-5)", "bad_score"),
        ({"acceptance": 2.5}, "Acceptance of the mission (1-5)", "bad_score"),
        ({"partner_type": "Rebel group"}, "Partner type", "unknown_partner_type"),
        ({"coder": None}, "Coder", "missing_coder"),
        ({"date": "31/02/2025"}, "Interview date", "bad_date"),
        ({"date": dt.date(2031, 1, 1)}, "Interview date", "bad_date"),
        ({"robust_context": "maybe"}, "Robust operations in area this period", "bad_yes_no"),
        (
            {"themes": "information_sharing; gossip"},
            "Themes (codes, separated by ;)",
            "unknown_theme",
        ),
        ({"interview_id": None}, "Interview ID", "missing_interview_id"),
    ],
)
def test_bad_cell_names_row_and_column(
    tmp_path: Path, change: dict[str, object], column: str, code: str
) -> None:
    rows = [_row(interview_id="T-001"), _row(**{"interview_id": "T-002", **change})]
    problems = _problems(_sheet(tmp_path, rows))
    assert [(p.row, p.column, p.code) for p in problems] == [(3, column, code)]
    assert "row 3" in str(problems[0]) and column in str(problems[0])


def test_duplicate_interview_and_every_problem_listed(tmp_path: Path) -> None:
    rows = [
        _row(interview_id="T-001"),
        _row(interview_id="T-001", coder="BK"),  # a second coder: fine
        _row(interview_id="T-001", trust=0),  # same coder again, and a bad score
        _row(interview_id="T-003", partner_type="Armed group", coder=None),
    ]
    with pytest.raises(DataValidationError) as info:
        mande.read_interviews(_sheet(tmp_path, rows), secret=SECRET)
    found = {(p.row, p.column, p.code) for p in info.value.errors}
    assert found == {
        (4, "Interview ID", "duplicate_interview"),
        (4, "Trust (1-5)", "bad_score"),
        (5, "Partner type", "unknown_partner_type"),
        (5, "Coder", "missing_coder"),
    }
    assert "row 2" in next(p.message for p in info.value.errors if p.code == "duplicate_interview")
    frame = info.value.to_frame()
    assert {"row", "column", "value", "expected"} <= set(frame.columns)


def test_region_checked_against_the_mission(tmp_path: Path, mission: mande.MissionConfig) -> None:
    problems = _problems(_sheet(tmp_path, [_row(region="VD99")]), mission=mission)
    assert [(p.row, p.code) for p in problems] == [(2, "unknown_region")]


def test_missing_required_columns(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Interview ID", "Coder", "Interview date", "Partner type", "Trust (1-5)"])
    ws.append(["A-1", "AM", dt.date(2025, 1, 3), "Local authority", 3])
    wb.save(tmp_path / "short.xlsx")
    problems = _problems(tmp_path / "short.xlsx")
    missing = {p.column for p in problems if p.code == "missing_column"}
    assert missing == {
        "Partner organisation",
        "Region (p-code)",
        "Robust operations in area this period",
        "Mutual benefit (1-5)",
        "Cooperation (1-5)",
    }
    assert all(p.row == 1 for p in problems)


def test_french_headers_and_labels(tmp_path: Path, mission: mande.MissionConfig) -> None:
    rows = [
        _row(
            partner_type="Autorité locale",
            robust_context="oui",
            date=dt.date(2025, 4, 2),
            region="VD02",
        ),
        _row(
            interview_id="T-002",
            partner_type="ONG nationale / société civile",
            robust_context="non",
        ),
    ]
    iv = mande.read_interviews(_sheet(tmp_path, rows, lang="fr"), secret=SECRET, mission=mission)
    assert iv.report.language == "fr"
    assert iv.interviews["partner_type"].tolist() == ["local_authority", "national_ngo"]
    assert iv.interviews["robust_context"].tolist() == [1, 0]
    assert iv.interviews["period"].tolist() == ["2025-02", "2025-06"]


def test_robust_context_checked_against_events(
    tmp_path: Path, mission: mande.MissionConfig
) -> None:
    rows = [_row(region="VD02", date=dt.date(2025, 6, 2), robust_context="no")]
    iv = mande.read_interviews(_sheet(tmp_path, rows), secret=SECRET, mission=mission)
    assert [w.code for w in iv.report.warnings] == ["robust_context_vs_events"]


def test_formulas_are_text_never_evaluated(tmp_path: Path) -> None:
    rows = [
        _row(trust="=2+2"),
        _row(interview_id="T-002", quote='=HYPERLINK("http://x.example","click")', consent="yes"),
    ]
    path = _sheet(tmp_path, rows)
    problems = _problems(path)
    assert [(p.row, p.code, p.value) for p in problems] == [(2, "bad_score", "=2+2")]
    iv = mande.read_interviews(_sheet(tmp_path, rows[1:]), secret=SECRET)
    assert iv.quotes["text"].iloc[0] == 'HYPERLINK("http://x.example","click")'
    assert "formula_as_text" in {w.code for w in iv.report.warnings}


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.4 not a sheet", "not_a_spreadsheet"),
        (b"PK\x03\x04 truncated zip", "corrupt"),
        (b"", "empty_file"),
    ],
)
def test_hostile_files_refused(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    with pytest.raises(DataValidationError) as info:
        mande.read_interviews(path, secret=SECRET)
    assert info.value.problems[0].code == code


def test_zip_that_is_not_a_workbook_refused(tmp_path: Path) -> None:
    path = tmp_path / "upload.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(DataValidationError, match="not an Excel workbook"):
        mande.read_interviews(path, secret=SECRET)


def test_csv_with_the_same_headers(tmp_path: Path) -> None:
    row = _row()
    headers = [RUBRIC.column(k).header["en"] for k in row]
    frame = pd.DataFrame([[str(v) for v in row.values()]], columns=headers)
    frame.to_csv(tmp_path / "sheet.csv", index=False)
    iv = mande.read_interviews(tmp_path / "sheet.csv", secret=SECRET)
    assert iv.interviews.loc[0, "trust"] == 3
    assert iv.interviews.loc[0, "date"] == pd.Timestamp("2025-07-01")
