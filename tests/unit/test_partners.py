"""Partner rubric, coding-sheet template, relationship quality, themes, quotes, sample generator."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import mande
from mande.cli import app
from mande.demo import DEFAULT_SEED
from mande.demo.interviews import generate_interviews
from mande.errors import EstimationError
from mande.partners.rubric import load_rubric

SECRET = b"test-secret"
RUBRIC = load_rubric()


@pytest.fixture(scope="module")
def mission(sample_dir: Path) -> mande.MissionConfig:
    return mande.load_mission(sample_dir / "mission.yaml")


@pytest.fixture(scope="module")
def sample(sample_dir: Path, mission: mande.MissionConfig) -> mande.Interviews:
    paths = sorted((sample_dir / "interviews").glob("coding_*.xlsx"))
    return mande.Interviews.concat(
        [mande.read_interviews(p, secret=SECRET, mission=mission) for p in paths]
    )


def test_rubric_has_every_dimension_with_five_anchors_in_both_languages() -> None:
    assert RUBRIC.rqi_dimensions == ("trust", "mutual_benefit", "cooperation")
    assert len(RUBRIC.dimensions) == 8
    assert len(RUBRIC.partner_types) == 9
    for dim in [*RUBRIC.dimensions.values(), RUBRIC.coercion_cooperation]:
        assert sorted(dim.anchors) == [1, 2, 3, 4, 5]
        assert all(a["en"] and a["fr"] for a in dim.anchors.values())


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_template_command(tmp_path: Path, lang: str, sample_dir: Path) -> None:
    out = tmp_path / "coding.xlsx"
    result = CliRunner().invoke(
        app,
        [
            "partners",
            "template",
            str(out),
            "--lang",
            lang,
            "--mission",
            str(sample_dir / "mission.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["interviews", "rubric", "themes", "lists"]
    ws = wb["interviews"]
    headers = [c.value for c in ws[1]]
    assert headers == [c.header[lang] for c in RUBRIC.columns]
    assert ws.freeze_panes == "B2"
    assert ws.column_dimensions["D"].width == 40
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    letter = {c.name: openpyxl.utils.get_column_letter(j) for j, c in enumerate(RUBRIC.columns, 1)}
    by_column = {
        name: next(dv for ref, dv in validations.items() if f"{letter[name]}2:" in ref)
        for name in (
            "trust",
            "coercion_cooperation",
            "partner_type",
            "consent",
            "robust_context",
            "coder",
            "region",
        )
    }
    assert by_column["trust"].formula1 == "lists!$C$2:$C$6"
    assert by_column["partner_type"].formula1 == "lists!$A$2:$A$10"
    assert all(dv.showErrorMessage for dv in by_column.values())
    lists = wb["lists"]
    assert [lists.cell(row=i, column=3).value for i in range(2, 7)] == [1, 2, 3, 4, 5]
    assert lists["B2"].value == ("yes" if lang == "en" else "oui")
    assert [lists.cell(row=i, column=5).value for i in range(2, 8)] == [
        r.pcode for r in mande.load_mission(sample_dir / "mission.yaml").regions
    ]
    rubric = wb["rubric"]
    assert rubric["A4"].value == "trust"
    assert rubric["E4"].value == RUBRIC.dimensions["trust"].anchors[1][lang]
    assert rubric["I4"].value == RUBRIC.dimensions["trust"].anchors[5][lang]
    assert wb["themes"]["A4"].value == next(iter(RUBRIC.themes))


def test_template_is_reproducible(tmp_path: Path) -> None:
    a = mande.write_interview_template(tmp_path / "a.xlsx", lang="fr")
    b = mande.write_interview_template(tmp_path / "b.xlsx", lang="fr")
    assert a.read_bytes() == b.read_bytes()


def test_generator_reproduces_the_sample_sheets(
    tmp_path: Path, sample_dir: Path, mission: mande.MissionConfig
) -> None:
    written = generate_interviews(tmp_path, mission, DEFAULT_SEED)
    assert [p.name for p in written] == [
        f"coding_{p}.xlsx"
        for p in ("2024-10", "2025-02", "2025-06", "2025-10", "2026-02", "2026-06")
    ]
    for path in written:
        committed = sample_dir / "interviews" / path.name
        assert (
            hashlib.sha256(path.read_bytes()).digest()
            == hashlib.sha256(committed.read_bytes()).digest()
        )


def test_rqi_per_interview() -> None:
    frame = pd.DataFrame(
        {
            "interview_id": ["a", "b", "b", "c"],
            "coder_rank": [1, 1, 2, 1],
            "trust": [1.0, 5.0, 1.0, 4.0],
            "mutual_benefit": [1.0, 5.0, 1.0, np.nan],
            "cooperation": [1.0, 2.0, 1.0, 4.0],
        }
    )
    out = mande.interview_rqi(frame)
    assert out["interview_id"].tolist() == ["a", "b", "c"]  # second coder left out
    assert out["rqi"].iloc[0] == 0.0
    assert out["rqi"].iloc[1] == pytest.approx((4.0 - 1) / 4 * 100)
    assert np.isnan(out["rqi"].iloc[2])


def test_relationship_quality_bootstrap(sample: mande.Interviews) -> None:
    a = mande.relationship_quality(sample, by=["partner_type", "period"], seed=7)
    b = mande.relationship_quality(sample, by=["partner_type", "period"], seed=7)
    c = mande.relationship_quality(sample, by=["partner_type", "period"], seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["rqi_ci_low"].fillna(0), c["rqi_ci_low"].fillna(0))
    assert len(a) == a[["partner_type", "period"]].drop_duplicates().shape[0]
    ok = a["n_partners"] >= 2
    assert (
        (a.loc[ok, "rqi_ci_low"] <= a.loc[ok, "rqi"])
        & (a.loc[ok, "rqi"] <= a.loc[ok, "rqi_ci_high"])
    ).all()
    assert a["n_interviews"].sum() == len(sample.primary)
    assert {"trust", "information_sharing", "coercion_cooperation", "few_partners"} <= set(
        a.columns
    )
    overall = mande.relationship_quality(sample, by=(), seed=1).iloc[0]
    rqi = mande.interview_rqi(sample)["rqi"]
    assert overall["rqi"] == pytest.approx(rqi.mean())
    # a cluster bootstrap over 82 organisations: the interval's width is about 4 standard errors of
    # the partner-level means, wider than an interview-level interval would be
    assert 3 < overall["rqi_ci_high"] - overall["rqi_ci_low"] < 12


def test_bootstrap_resamples_organisations_not_interviews() -> None:
    # two organisations, each always giving the same score: every replicate mean lies between them
    frame = pd.DataFrame(
        {
            "interview_id": [f"i{i}" for i in range(20)],
            "coder_rank": 1,
            "partner_id": ["A"] * 10 + ["B"] * 10,
            "partner_type": "ingo",
            "trust": [1.0] * 10 + [5.0] * 10,
            "mutual_benefit": [1.0] * 10 + [5.0] * 10,
            "cooperation": [1.0] * 10 + [5.0] * 10,
        }
    )
    out = mande.relationship_quality(frame, by=["partner_type"], seed=0).iloc[0]
    assert out["rqi"] == 50.0
    assert out["rqi_ci_low"] == 0.0 and out["rqi_ci_high"] == 100.0  # whole organisations resampled
    assert out["few_partners"]


def test_grouping_by_period_needs_periods(sample_dir: Path) -> None:
    path = sorted((sample_dir / "interviews").glob("coding_*.xlsx"))[0]
    iv = mande.read_interviews(path, secret=SECRET)
    with pytest.raises(EstimationError, match="with_periods"):
        mande.relationship_quality(iv, by=["period"])


def test_theme_frequencies(sample: mande.Interviews) -> None:
    t = mande.theme_frequencies(sample, by=["period"], lang="fr")
    assert set(t["theme"]) == set(RUBRIC.themes)
    weapons = t[t["theme"] == "weapons_mistrust"].set_index("period")["percent"]
    # weapons signal mistrust comes up more while Operation Bouclier runs (Mar-Oct 2025)
    assert weapons["2025-06"] > weapons["2024-10"]
    row = t[(t["period"] == "2025-06") & (t["theme"] == "inclusion")].iloc[0]
    first = sample.primary
    in_period = first[first["period"] == "2025-06"]
    assert row["n"] == in_period["theme__inclusion"].sum()
    assert row["n_interviews"] == len(in_period)
    assert row["label"] == "Inclusion des femmes et des jeunes"


def test_select_quotes_consented_only(sample: mande.Interviews) -> None:
    assert sample.report.quotes_without_consent > 0
    all_quotes = mande.select_quotes(sample)
    assert len(all_quotes) == len(sample.quotes)
    assert all_quotes["consent"].all()
    picked = mande.select_quotes(sample, n=6, seed=3)
    assert len(picked) == 6
    assert picked["theme"].nunique() == 6  # spread over themes
    pd.testing.assert_frame_equal(picked, mande.select_quotes(sample, n=6, seed=3))
    weapons = mande.select_quotes(sample, theme="weapons_mistrust", period=["2025-02", "2025-06"])
    assert (weapons["theme"] == "weapons_mistrust").all() and len(weapons) > 0
    # even a quotes table that holds a refused quote gives it back to nobody
    tampered = sample.quotes.copy()
    tampered.loc[0, "consent"] = False
    kept = mande.select_quotes(tampered)
    assert len(kept) == len(tampered) - 1
    assert kept["consent"].all()


def test_quotes_hold_no_personal_data(sample_dir: Path, sample: mande.Interviews) -> None:
    names, phones = set(), set()
    for path in sorted((sample_dir / "interviews").glob("coding_*.xlsx")):
        ws = openpyxl.load_workbook(path, read_only=True)["interviews"]
        for row in ws.iter_rows(min_row=2, values_only=True):
            if row[6]:
                names.add(str(row[6]))
            if row[7]:
                phones.add(str(row[7]))
    text = "\n".join(sample.quotes["text"])
    assert names and phones
    assert not [n for n in names if n in text]
    assert not [p for p in phones if p in text]
    assert "[name]" in text and "[phone]" in text


def test_theme_matrix_reads_as_a_table() -> None:
    from mande.partners.quality import theme_matrix

    freq = pd.DataFrame(
        {
            "partner_type": ["local_authority", "local_authority", "national_ngo", "national_ngo"],
            "theme": ["early_warning", "local_ownership", "early_warning", "local_ownership"],
            "label": ["Early warning", "Local ownership", "Early warning", "Local ownership"],
            "n": [2, 9, 1, 6],
            "n_interviews": [20, 20, 12, 12],
            "percent": [10.0, 45.0, 8.3333, 50.0],
        }
    )
    table = theme_matrix(freq, lang="en")
    assert list(table.index) == ["Local ownership", "Early warning"]  # most raised first
    assert list(table.columns) == ["Local authority", "National NGO / civil society"]
    assert table.loc["Early warning", "National NGO / civil society"] == 8.0
