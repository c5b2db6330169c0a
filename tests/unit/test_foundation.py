"""The package's foundation: public API, errors, settings, mission configuration, CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import mande
from mande.cli import app
from mande.config import Settings, load_mission
from mande.errors import ConfigError, DataValidationError, Problem


def test_import_mande_does_not_import_streamlit() -> None:
    code = "import sys, mande; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_api_is_explicit() -> None:
    for name in mande.__all__:
        assert hasattr(mande, name), name


def test_cli_version_and_help() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"mande {mande.__version__}"
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "demo" in result.output


def test_validation_error_carries_every_problem() -> None:
    problems = [
        Problem(
            "weight is missing",
            sheet="data",
            row=3,
            column="weight_final",
            value="",
            expected="a number > 0",
        ),
        Problem("one PSU in stratum VD03", severity="warning", code="lonely_psu"),
        Problem(
            "code 6 is not in the form",
            sheet="data",
            row=9,
            column="safe_dark",
            value="6",
            expected="1-4, 7, 98, 99",
        ),
    ]
    err = DataValidationError("the file has 2 errors", problems)
    assert len(err.problems) == 3
    assert [p.row for p in err.errors] == [3, 9]
    assert "sheet 'data', row 9, column 'safe_dark'" in str(err)
    frame = err.to_frame()
    assert list(frame["severity"]) == ["error", "warning", "error"]


def test_settings_default_to_sqlite_in_data_dir(tmp_path: Path) -> None:
    s = Settings.from_env({"MANDE_DATA_DIR": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'mande.db'}"
    assert len(s.secret) == 64
    # the secret is created once and kept, with owner-only permissions
    assert Settings.from_env({"MANDE_DATA_DIR": str(tmp_path)}).secret == s.secret
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600


def test_settings_reject_unknown_role(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MANDE_ROLE='boss' is not a role"):
        Settings.from_env({"MANDE_DATA_DIR": str(tmp_path), "MANDE_ROLE": "boss"})


def test_mission_config_generated_calendar(tmp_path: Path) -> None:
    p = tmp_path / "mission.yaml"
    p.write_text(
        """
mission: {code: TEST, name: {en: Test mission, fr: Mission test}}
regions:
  - {pcode: R1, name: North}
  - {pcode: R2, name: {en: South, fr: Sud}}
reporting: {start: 2025-02-01, months: 4, count: 3}
events:
  - {id: op, date: 2025-07-15, kind: robust_operation, regions: [R2]}
roles: {admin: [Boss@un.org]}
""",
        encoding="utf-8",
    )
    m = load_mission(p)
    assert [(x.start.isoformat(), x.end.isoformat()) for x in m.periods] == [
        ("2025-02-01", "2025-05-31"),
        ("2025-06-01", "2025-09-30"),
        ("2025-10-01", "2026-01-31"),
    ]
    assert m.region("R2").label("fr") == "Sud"
    assert m.role_of("boss@un.org") == "admin"
    assert m.role_of("someone@else.org") == "viewer"


def test_mission_config_event_in_unknown_region(tmp_path: Path) -> None:
    p = tmp_path / "mission.yaml"
    p.write_text(
        "mission: {code: T, name: T}\nregions: [{pcode: R1, name: N}]\n"
        "reporting: {start: 2025-01-01, months: 3, count: 1}\n"
        "events: [{id: op, date: 2025-02-01, kind: robust_operation, regions: [R9]}]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"events\[0\].regions' names unknown regions \['R9'\]"):
        load_mission(p)


def test_mission_config_fieldwork_windows(tmp_path: Path) -> None:
    import datetime as dt

    sample = load_mission(Path(__file__).resolve().parents[2] / "sample_data" / "mission.yaml")
    assert sample.fieldwork_of("round4_2026-05") == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert sample.fieldwork_of("no such round") is None
    p = tmp_path / "mission.yaml"
    p.write_text(
        "mission: {code: T, name: T}\nregions: [{pcode: R1, name: N}]\n"
        "reporting: {start: 2025-01-01, months: 3, count: 1}\n"
        "surveys: [{round: R1, fieldwork: [2025-03-31, 2025-03-01]}]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"surveys\[0\].fieldwork' ends \(2025-03-01\) before"):
        load_mission(p)


def test_mission_config_reports_every_problem_at_once(tmp_path: Path) -> None:
    p = tmp_path / "mission.yaml"
    p.write_text(
        "mission: {code: X, name: X}\n"
        "regions: [{pcode: R1, name: One}]\n"
        "reporting: {start: 2025-01-01, months: 5, count: 2}\n"  # months: not a choice
        "langauges: [en]\n"  # misspelt field
        "events: [{id: op, date: 2025-02-01, kind: robust_operatoin, regions: [R1]},\n"
        "         {id: b, date: 2025-03-01, kind: deployment, regions: [R9]}]\n"
        "policy: {fdr: 0.05, fdr_familly: period}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_mission(p)
    fields = {q.column: q.message for q in info.value.problems}
    assert {"reporting.months", "langauges", "events[0].kind", "policy.fdr_familly"} <= set(fields)
    assert "did you mean 'languages'" in fields["langauges"]
    assert "did you mean 'robust_operation'" in fields["events[0].kind"]
    assert "did you mean 'fdr_family'" in fields["policy.fdr_familly"]
    assert str(p) in str(info.value) and "problems in the mission configuration" in str(info.value)
    # the cross-reference check runs once the file's form is sound
    p.write_text(
        "mission: {code: X, name: X}\nregions: [{pcode: R1, name: One}]\n"
        "reporting: {start: 2025-01-01, months: 4, count: 2}\ndefault_language: fr\n"
        "events: [{id: b, date: 2025-03-01, kind: deployment, regions: [R9]}]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_mission(p)
    fields = {q.column: q.message for q in info.value.problems}
    assert set(fields) == {"events[0].regions", "default_language"}
