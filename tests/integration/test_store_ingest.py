"""The store with the real ingest: refused files, files already stored, `mande demo load`, the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mande import DataValidationError, StoreError
from mande.cli import app
from mande.demo.load import load_sample
from mande.indicators.compute import STANDARD_BREAKDOWNS, compute_indicators
from mande.ingest.survey import read_survey
from mande.store import SourceFile, Store
from mande.store import schema as t

ROUND_CSV = "round3_2025-11.csv"


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            tbl.name: conn.execute(sa.select(sa.func.count()).select_from(tbl)).scalar_one()
            for tbl in t.metadata.sorted_tables
        }


def small_export(sample_files: Path, out: Path, n: int = 400, *, weights: bool = True) -> Path:
    """The first ``n`` consenting interviews of a sample round, as Kobo's CSV export writes them,
    with a ``weight_final`` column appended (a survey team that weighted its own export) unless
    ``weights`` is False (the export as delivered: weighted from its sample plan)."""
    df = pd.read_csv(sample_files / "rounds" / ROUND_CSV, sep=";", dtype=str, keep_default_na=False)
    consent = next(c for c in df.columns if c.endswith("consent"))
    df = df[~df[consent].isin(["0", "Non", "No"])].head(n)
    if weights:
        df["weight_final"] = [f"{80 + (i * 37) % 90}.5" for i in range(len(df))]
    df.to_csv(out, sep=";", index=False, quoting=csv.QUOTE_ALL)
    return out


def test_ingest_refused_file_leaves_no_row(
    store: Store, sample_files: Path, tmp_path: Path
) -> None:
    form = sample_files / "forms" / "perception_survey.xlsx"
    good = small_export(sample_files, tmp_path / "good.csv")
    store.ingest_survey(good, form, "2025-R3")
    before = counts(store)
    bad = tmp_path / "bad.csv"
    df = pd.read_csv(good, sep=";", dtype=str, keep_default_na=False)
    df[next(c for c in df.columns if c.endswith("weight_final"))] = "-1"
    df.to_csv(bad, sep=";", index=False, quoting=csv.QUOTE_ALL)
    with pytest.raises(DataValidationError):
        store.ingest_survey(bad, form, "2025-R3")
    after = counts(store)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }
    last = store.as_user("chief", "admin").audit_log().iloc[0]
    assert last["file_sha256"] == SourceFile.from_path(bad).sha256
    assert not last["ok"] and last["details"]["n_errors"] > 0


def test_ingest_same_file_is_unchanged(store: Store, sample_files: Path, tmp_path: Path) -> None:
    form = sample_files / "forms" / "perception_survey.xlsx"
    export = small_export(sample_files, tmp_path / "export.csv", n=300)
    first = store.ingest_survey(export, form, "2025-R3")
    assert first.created and first.version == 1 and first.n_rows == 300
    before = counts(store)
    again = store.ingest_survey(export, form, "2025-R3")
    assert (again.status, again.version, again.current) == ("unchanged", 1, True)
    assert counts(store) == before
    forms = store.forms()
    assert forms["sha256"].tolist() == [SourceFile.from_path(form).sha256]
    assert store.form_bytes(forms["sha256"].iloc[0]) == form.read_bytes()
    assert forms["n_round_versions"].iloc[0] == 1
    # the same file for another round is a new upload
    other = store.ingest_survey(export, form, "2025-R3-bis")
    assert other.created
    frame = store.responses("2025-R3")
    assert len(frame) == 300 and frame["respondent_id"].is_unique
    # the responses come back exactly as ingest produced them (values and types)
    direct = read_survey(export, form, round_label="2025-R3", secret=store.settings.secret)
    pd.testing.assert_frame_equal(frame, direct.responses)
    assert store.design("2025-R3") == direct.design
    assert store.rounds().set_index("round").loc["2025-R3", "period"] is None  # no mission yet
    store.as_user("chief", "admin").set_mission(sample_files / "mission.yaml")
    assert store.rounds().set_index("round").loc["2025-R3", "period"] == "2025-10"


def test_demo_load_is_idempotent(store: Store, sample_files: Path) -> None:
    first = load_sample(sample_files, store)
    n_rounds = len(
        [p for p in (sample_files / "rounds").iterdir() if p.suffix in (".xlsx", ".csv")]
    )
    n_sheets = len(list((sample_files / "interviews").glob("*.xlsx")))
    n_footprint = len(list((sample_files / "footprint").iterdir()))  # deployments, activity log
    assert first.changed and first.mission == "created"
    assert first.n_created == n_rounds + n_sheets + n_footprint
    rounds = store.rounds()
    assert len(rounds) == n_rounds and (rounds["current_version"] == 1).all()
    assert (rounds["n_respondents"] > 1000).all()
    assert rounds["period"].notna().all()
    assert len(store.interview_sheets()) == n_sheets
    assert store.quotes()["consent"].astype(bool).all()
    mission = store.mission()
    assert mission is not None and mission.code == "MINUSVA"
    audit = store.as_user("chief", "admin").audit_log()
    assert set(audit["user"]) == {"demo"}
    assert audit["file_sha256"].notna().all()

    # stored results are exactly what compute_indicators gives on the stored responses
    label = rounds["round"].iloc[-1]
    stored = store.results(label)
    again = store.results(label)
    pd.testing.assert_frame_equal(stored, again)
    by = [b for b in STANDARD_BREAKDOWNS if b in set(stored["breakdown"])]
    direct = compute_indicators(
        store.responses(label), by=by, design=store.design(label), on_missing="skip"
    )
    assert stored["indicator"].tolist() == direct["indicator"].tolist()
    assert stored["group"].tolist() == direct["group"].astype(str).tolist()
    for col in ("estimate", "se", "ci_low", "ci_high"):
        assert stored[col].equals(direct[col].astype(float)), col
    assert stored["n"].astype(int).tolist() == direct["n"].astype(int).tolist()
    assert stored["suppressed"].astype(bool).tolist() == direct["suppressed"].astype(bool).tolist()
    with store.engine.connect() as conn:
        n_view = conn.execute(sa.text("SELECT COUNT(*) FROM current_results")).scalar_one()
    assert n_view == len(stored)

    before = counts(store)
    second = load_sample(sample_files, store)
    assert not second.changed and second.mission == "unchanged"
    assert {u.status for u in second.uploads} == {"unchanged"}
    assert counts(store) == before


def test_cli(sample_files: Path, tmp_path: Path, mande_env: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["db", "upgrade"])
    assert out.exit_code == 0, out.output
    assert "upgraded from empty" in out.output
    assert "already at" in runner.invoke(app, ["db", "upgrade"]).output

    form = sample_files / "forms" / "perception_survey.xlsx"
    export = small_export(sample_files, tmp_path / "export.csv", n=200)
    out = runner.invoke(app, ["ingest", str(export), "--form", str(form), "--round", "R3"])
    assert out.exit_code == 0, out.output
    assert "stored round R3 version 1 (200 rows" in out.output
    out = runner.invoke(app, ["ingest", str(export), "--form", str(form), "--round", "R3"])
    assert "unchanged" in out.output
    out = runner.invoke(app, ["ingest", str(export), "--round", "R3"])
    assert out.exit_code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    out = runner.invoke(app, ["ingest", str(bad), "--form", str(form), "--round", "R3"])
    assert out.exit_code == 1 and "nothing was stored" in out.output

    out = runner.invoke(app, ["rounds"])
    assert out.exit_code == 0 and "R3" in out.output and "200" in out.output
    out = runner.invoke(app, ["rounds", "versions", "R3"])
    assert out.exit_code == 0 and "export.csv" in out.output
    out = runner.invoke(app, ["history"])
    assert "export.csv" in out.output
    out = runner.invoke(app, ["history", "--audit"])
    assert "validation failed" in out.output
    out = runner.invoke(app, ["rounds", "purge", "R3"])
    assert out.exit_code == 2 and "--yes" in out.output
    out = runner.invoke(app, ["rounds", "set-current", "R3", "1", "--user", "someone"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["rounds", "set-current", "R3", "7"])
    assert out.exit_code == 1 and "no version 7" in out.output


def test_interviews_outside_the_planned_fieldwork_are_flagged(
    store: Store, sample_files: Path, tmp_path: Path
) -> None:
    """mission.yaml plans round3_2025-11 for November 2025; interviews dated in October are
    flagged as warnings on upload (they do not block it)."""
    store.as_user("chief", "admin").set_mission(sample_files / "mission.yaml")
    form = sample_files / "forms" / "perception_survey.xlsx"
    export = small_export(sample_files, tmp_path / "export.csv", n=200)
    df = pd.read_csv(export, sep=";", dtype=str, keep_default_na=False)
    today = next(c for c in df.columns if c == "today")
    df.loc[:4, today] = "2025-10-28"
    df.to_csv(export, sep=";", index=False, quoting=csv.QUOTE_ALL)
    result = store.ingest_survey(export, form, "round3_2025-11")
    assert result.created and result.n_warnings >= 5
    # the same rows as another round, with no window in mission.yaml: nothing to flag
    plain = store.ingest_survey(export, form, "unplanned-round")
    assert plain.n_warnings == result.n_warnings - 5


def test_round_without_weights_is_weighted_from_its_plan(
    store: Store, sample_files: Path, tmp_path: Path
) -> None:
    """An export without weights and its sample plan: weighted on upload (base weights,
    non-response, raking to the mission's margins), the weighting stored with the version; the
    same files again change nothing; re-weighting to new census figures makes a new version,
    audited."""
    form = sample_files / "forms" / "perception_survey.xlsx"
    export = sample_files / "rounds" / ROUND_CSV
    plan = sample_files / "plans" / "round3_2025-11.csv"
    with pytest.raises(StoreError, match="population"):
        store.ingest_survey(export, form, "R3", plan=plan)  # no mission yet: no margins
    admin = store.as_user("chief", "admin")
    admin.set_mission(sample_files / "mission.yaml")
    first = store.ingest_survey(export, form, "R3", plan=plan)
    assert first.created and first.version == 1
    w = store.weighting("R3")
    assert w is not None and w["spec"]["method"] == "raking" and w["spec"]["plan"] == plan.name
    assert {r["nonresponse_class"] for r in w["response"]} == {f"VD0{i}" for i in range(1, 7)}
    design = store.design("R3")
    assert design.calibration is not None and design.calibration.base_weight == "weight_nr"
    frame = store.responses("R3")
    mission = store.mission()
    assert mission is not None and mission.population is not None
    assert frame["weight"].sum() == pytest.approx(mission.population.total, rel=1e-9)
    again = store.ingest_survey(export, form, "R3", plan=plan)
    assert again.status == "unchanged"
    # new census figures: 10 per cent more adults in VD01, the rest unchanged
    text = (sample_files / "mission.yaml").read_text(encoding="utf-8")
    new = tmp_path / "mission.yaml"
    new.write_text(
        text.replace("VD01: 75467", "VD01: 83014")
        .replace("female: 295071", "female: 298921")
        .replace("male: 283499", "male: 287196")
        .replace('"18-24": 90846', '"18-24": 98393'),
        encoding="utf-8",
    )
    (tmp_path / "regions.geojson").write_bytes((sample_files / "regions.geojson").read_bytes())
    assert admin.set_mission(new) == "updated"
    res = store.reweight("R3")
    assert res.created and res.version == 2
    w2 = store.weighting("R3")
    assert w2 is not None and w2["reweighted_from"] == 1
    frame2 = store.responses("R3")
    assert frame2["weight"].sum() == pytest.approx(mission.population.total + 7547, rel=1e-9)
    pd.testing.assert_series_equal(frame2["weight_nr"], frame["weight_nr"])
    vd01 = frame2.loc[frame2["region"] == "VD01", "weight"].sum()
    assert vd01 == pytest.approx(83014, rel=1e-9)
    log = admin.audit_log()
    assert "reweight" in set(log["action"])
    # the CLI command does the same
    runner = CliRunner()
    out = runner.invoke(app, ["reweight", "R3", "--url", store.url])
    assert out.exit_code == 0, out.output
    assert "version 3" in out.output and "raking" in out.output


def test_plan_that_does_not_match_the_export_is_refused(
    store: Store, sample_files: Path, tmp_path: Path
) -> None:
    store.as_user("chief", "admin").set_mission(sample_files / "mission.yaml")
    form = sample_files / "forms" / "perception_survey.xlsx"
    export = small_export(sample_files, tmp_path / "export.csv", n=300, weights=False)
    plan = pd.read_csv(sample_files / "plans" / "round3_2025-11.csv")
    plan = plan[plan["stratum"] != "VD02"]
    plan_path = tmp_path / "plan.csv"
    plan.to_csv(plan_path, index=False)
    before = counts(store)
    with pytest.raises(DataValidationError, match="not in the sample plan"):
        store.ingest_survey(export, form, "R3", plan=plan_path)
    assert {k: v for k, v in counts(store).items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }
