"""Roles the database enforces: each test signs in to PostgreSQL as a viewer's, an officer's, an
admin's or the dashboard service's own login (made with `mande users add`) and tries, through the
store, through the CLI with MANDE_ROLE=admin set, and through plain SQL, what the role may not do.
The audit log names the login whatever the client claims, and its hash chain finds a deleted or
edited entry."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mande import PermissionDenied, Settings
from mande.cli import app
from mande.store import SourceFile, Store

from ._fakes import FakeCatalogue, FakeRound, fake_compute, make_responses

ROOT = Path(__file__).resolve().parents[2]
MISSION = ROOT / "sample_data" / "mission.yaml"
SAMPLE_ROUND = ROOT / "sample_data" / "rounds" / "round1_2024-11.xlsx"
SAMPLE_FORM = ROOT / "sample_data" / "forms" / "perception_survey.xlsx"


def _upload(store: Store, seed: int, label: str = "2025-R1") -> object:
    rnd = FakeRound(make_responses(120, seed, label), label=label)
    src = SourceFile.from_bytes(f"export_{seed}.xlsx", f"file {seed} {label}".encode())
    return store.add_round(rnd, label, source=src)  # type: ignore[arg-type]


def _settings(tmp: Path, user: str = "claimed.admin", role: str = "admin") -> Settings:
    return Settings.from_env(
        {"MANDE_DATA_DIR": str(tmp / "data"), "MANDE_SECRET": "t", "MANDE_USER": user,
         "MANDE_ROLE": role}
    )  # fmt: skip


@dataclass
class Team:
    base: str  # the superuser's URL (the database's owner in a deployment)
    schema: str
    tmp: Path
    logins: dict[str, str] = field(default_factory=dict)  # role -> login name

    def url(self, login: str | None = None) -> str:
        u = sa.make_url(self.base)
        if login is not None:
            u = u.set(username=login, password=None)
        sep = "&" if "?" in str(self.base) else "?"
        return (
            f"{u.render_as_string(hide_password=False)}{sep}options=-csearch_path%3D{self.schema}"
        )

    def psql(self, login: str) -> psycopg.Connection:
        """A plain SQL session as ``login``, as psql would open one."""
        u = sa.make_url(self.base)
        return psycopg.connect(
            host=u.host, port=u.port, dbname=u.database, user=login,
            options=f"-csearch_path={self.schema}",
        )  # fmt: skip

    def owner(self) -> Store:
        return Store.open(self.url(), _settings(self.tmp, "setup", "admin"))

    def audit(self) -> list[sa.Row]:
        with self.owner() as s, s.engine.connect() as conn:
            return list(conn.execute(sa.text("SELECT * FROM audit_log ORDER BY id")).all())


def _cli(env: dict[str, str], *args: str) -> object:
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture()
def team(postgres_url: str, tmp_path: Path) -> Iterator[Team]:
    """A fresh schema holding the mission and a round with two versions, and one login per role,
    each made with `mande users add` by the database's owner."""
    schema = f"mande_acc_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    team = Team(postgres_url, schema, tmp_path)
    try:
        up = _cli({"MANDE_DATABASE_URL": team.url()}, "db", "upgrade")
        assert up.exit_code == 0, up.output
        assert "mande_viewer, mande_officer, mande_admin" in up.output
        tag = uuid.uuid4().hex[:6]
        for role in ("viewer", "officer", "admin", "service"):
            login = f"{role}.{tag}@mission.example"
            res = _cli({"MANDE_DATABASE_URL": team.url()}, "users", "add", login, "--role", role)
            assert res.exit_code == 0, res.output
            assert f"created login {login} with role {role}" in res.output
            assert "password (shown once" in res.output
            team.logins[role] = login
        with team.owner() as s:
            s.set_mission(MISSION)
            _upload(s.as_user("officer.setup", "officer"), 1)
            _upload(s.as_user("officer.setup", "officer"), 2)
        yield team
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            for login in team.logins.values():
                conn.execute(sa.text(f'DROP ROLE IF EXISTS "{login}"'))
        admin.dispose()


def test_group_roles_have_least_privilege(team: Team) -> None:
    with team.psql(team.logins["admin"]) as c:
        groups = dict(
            c.execute(
                "SELECT g.rolname, string_agg(m.rolname, ',') FROM pg_auth_members am "
                "JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member "
                "WHERE g.rolname LIKE 'mande\\_%' AND m.rolname LIKE 'mande\\_%' GROUP BY 1"
            ).fetchall()
        )
        assert "mande_officer" in groups["mande_viewer"]
        assert "mande_admin" in groups["mande_officer"]
        assert "mande_service" in groups["mande_admin"]

        def priv(group: str, table: str, what: str) -> bool:
            return bool(
                c.execute(
                    "SELECT has_table_privilege(%s, %s, %s)", (group, table, what)
                ).fetchone()[0]  # type: ignore[index]
            )

        assert priv("mande_viewer", "results", "SELECT")
        assert not priv("mande_viewer", "audit_log", "SELECT")
        assert not priv("mande_viewer", "uploads", "INSERT")
        assert priv("mande_officer", "uploads", "INSERT")
        assert not priv("mande_officer", "round_versions", "DELETE")
        assert not priv("mande_officer", "missions", "UPDATE")
        assert priv("mande_admin", "round_versions", "DELETE")
        for group in ("mande_viewer", "mande_officer", "mande_admin", "mande_service"):
            assert not priv(group, "audit_log", "UPDATE")
            assert not priv(group, "audit_log", "DELETE")
            assert not priv(group, "audit_log", "TRUNCATE")


def test_viewer_store_acts_as_its_login_and_is_refused(team: Team) -> None:
    viewer = team.logins["viewer"]
    # MANDE_USER / MANDE_ROLE claim an admin: the login decides
    with Store.open(team.url(viewer), _settings(team.tmp, "claimed.admin", "admin")) as s:
        assert (s.user, s.role) == (viewer, "viewer")
        assert s.acts_as_login
        assert s.as_user("someone", "admin").role == "viewer"
        assert len(s.rounds()) == 1  # reading is allowed
        # results are computed for a viewer but not stored by its login
        res = s.results(by=["sex"], compute=fake_compute, catalogue=FakeCatalogue())
        assert len(res) > 0
        with s.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM result_runs")).scalar() == 0
        with pytest.raises(PermissionDenied):
            _upload(s, 3)
        with pytest.raises(PermissionDenied):
            s.set_current("2025-R1", 1, role="admin")
        with pytest.raises(PermissionDenied):
            s.purge("2025-R1", 1, reason="x", role="admin")
        with pytest.raises(PermissionDenied):
            s.audit_log(role="admin")
        # Past mande's own check, the database refuses too.
        s._fixed, s.role = False, "admin"
        with pytest.raises(sa.exc.DBAPIError, match="permission denied"):
            s.set_current("2025-R1", 1)
        with pytest.raises(sa.exc.DBAPIError, match="permission denied"):
            _upload(s, 4)
        assert s.rounds().loc[0, "current_version"] == 2
    refused = [r for r in team.audit() if not r.ok]
    assert {r.action for r in refused} >= {"upload", "set_current", "purge", "audit"}
    assert all(r.user_name == viewer and r.role == "viewer" for r in refused)


def test_viewer_cli_with_mande_role_admin_is_refused(team: Team) -> None:
    viewer = team.logins["viewer"]
    env = {"MANDE_DATABASE_URL": team.url(viewer), "MANDE_ROLE": "admin",
           "MANDE_USER": "admin", "MANDE_DATA_DIR": str(team.tmp / "d"), "MANDE_SECRET": "t"}  # fmt: skip
    attempts = [
        ("rounds", "set-current", "2025-R1", "1"),
        ("rounds", "purge", "2025-R1", "--version", "1", "--reason", "x", "--yes"),
        ("ingest", str(SAMPLE_ROUND), "--form", str(SAMPLE_FORM), "--round", "2025-R9"),
        ("history", "--audit"),
        ("history", "--verify"),
        ("demo", "load", str(ROOT / "sample_data"), "--no-results"),
    ]
    for args in attempts:
        res = _cli(env, *args)
        assert res.exit_code == 1, (args, res.output)
        assert f"{viewer} (viewer) may not" in res.output, (args, res.output)
    ok = _cli(env, "rounds")
    assert ok.exit_code == 0 and "2025-R1" in ok.output
    refused = [r for r in team.audit() if not r.ok]
    assert {r.action for r in refused} >= {"set_current", "purge", "upload", "audit", "configure"}
    assert {r.user_name for r in refused} == {viewer}


def test_viewer_plain_sql_cannot_write_or_read_the_audit_log(team: Team) -> None:
    viewer = team.logins["viewer"]
    forbidden = [
        "SELECT * FROM audit_log",
        "UPDATE rounds SET current_version = 1",
        "DELETE FROM round_versions",
        "DELETE FROM responses",
        "UPDATE uploads SET status = 'purged'",
        "INSERT INTO uploads (kind, target_label, file_name, sha256, size_bytes, user_name, role,"
        " uploaded_at, status) VALUES ('survey', 'x', 'x', 'x', 1, 'x', 'admin', now(), 'accepted')",
        "UPDATE missions SET name_en = 'x'",
        "INSERT INTO results (run_id, round_version_id, round_label, round_version, indicator, "
        "data_version, catalogue_version) VALUES (1, 1, 'x', 1, 'X', 'x', 'x')",
        # an entry claiming a purge succeeded, in an admin's name
        "INSERT INTO audit_log (at, user_name, role, action, object_type, ok, details_json) "
        "VALUES (now(), 'admin', 'admin', 'purge', 'round', true, '{}')",
    ]
    for sql in forbidden:
        with team.psql(viewer) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(sql)
    with team.psql(viewer) as c:
        assert c.execute("SELECT count(*) FROM results").fetchone() is not None
        # the session setting only the service login may use is ignored for a viewer
        c.execute("SELECT set_config('mande.actor', 'somebody.else', false)")
        c.execute(
            "INSERT INTO audit_log (at, user_name, role, action, object_type, ok, details_json) "
            "VALUES (now() - interval '1 year', 'forged.name', 'admin', 'note', 'x', false, '{}')"
        )
    last = team.audit()[-1]
    assert (last.user_name, last.role, last.action) == (viewer, "viewer", "note")
    assert last.at.year >= 2026  # the server's clock, not the client's


def test_officer_uploads_as_itself_but_cannot_roll_back_or_skip_the_audit(team: Team) -> None:
    officer = team.logins["officer"]
    with Store.open(team.url(officer), _settings(team.tmp, "claimed", "admin")) as s:
        assert s.role == "officer"
        res = _upload(s, 5)
        assert res.version == 3  # type: ignore[attr-defined]
        with pytest.raises(PermissionDenied):
            s.set_current("2025-R1", 1)
        hist = s.history()
        assert hist.loc[0, "user"] == officer
    upload_entry = [r for r in team.audit() if r.action == "upload" and r.ok][-1]
    assert (upload_entry.user_name, upload_entry.role) == (officer, "officer")
    with team.psql(officer) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
        c.execute("UPDATE rounds SET current_version = 1")  # an older version: admins only
    with team.psql(officer) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
        # a new version without its audit entry is refused at commit
        up = c.execute(
            "INSERT INTO uploads (kind, target_label, file_name, sha256, size_bytes, user_name,"
            " role, uploaded_at, status) VALUES ('survey', '2025-R1', 'f', repeat('a', 64), 1,"
            " 'x', 'x', now(), 'accepted') RETURNING id, user_name"
        ).fetchone()
        assert up is not None and up[1] == officer
        c.execute(
            "INSERT INTO round_versions (round_id, version, upload_id, content_sha256,"
            " source_sha256, n_respondents, n_columns, design_json, report_json, created_at,"
            " created_by) SELECT id, 9, %s, 'c', 's', 1, 1, '{}', '{}', now(), 'x' FROM rounds",
            (up[0],),
        )
        c.commit()
    with team.owner() as s:
        assert s.versions("2025-R1")["version"].tolist() == [1, 2, 3]


def test_admin_login_may_roll_back_and_purge(team: Team) -> None:
    admin = team.logins["admin"]
    with Store.open(team.url(admin), _settings(team.tmp, "claimed", "viewer")) as s:
        assert s.role == "admin"
        s.set_current("2025-R1", 1)
        assert s.purge("2025-R1", 2, reason="test") == 1
        log = s.audit_log()
        assert set(log.loc[log["action"].isin(["set_current", "purge"]), "user"]) == {admin}
        assert s.verify_audit() == []


def test_service_login_records_the_signed_in_user(team: Team) -> None:
    service = team.logins["service"]
    with Store.open(team.url(service), _settings(team.tmp, "dashboard", "admin")) as s:
        assert not s.acts_as_login
        s.set_current("2025-R1", 1, user="alice@mission.example", role="admin")
        with pytest.raises(PermissionDenied):
            s.purge("2025-R1", 2, reason="x", user="bob@mission.example", role="officer")
    rows = team.audit()
    assert (rows[-2].user_name, rows[-2].role, rows[-2].action) == (
        "alice@mission.example", "admin", "set_current",
    )  # fmt: skip
    assert (rows[-1].user_name, rows[-1].role, rows[-1].ok) == (
        "bob@mission.example",
        "officer",
        False,
    )


def test_history_verify_finds_a_deleted_and_an_edited_entry(team: Team) -> None:
    env = {"MANDE_DATABASE_URL": team.url(team.logins["admin"]), "MANDE_DATA_DIR": str(team.tmp)}
    assert _cli(env, "rounds", "set-current", "2025-R1", "1").exit_code == 0
    assert _cli(env, "rounds", "set-current", "2025-R1", "2").exit_code == 0
    ok = _cli(env, "history", "--verify")
    assert ok.exit_code == 0, ok.output
    assert "audit log intact" in ok.output
    rows = team.audit()
    assert len(rows) >= 4 and all(r.row_hash and len(r.row_hash) == 64 for r in rows)
    middle, later = rows[1].id, rows[3].id
    owner = sa.create_engine(team.url())
    try:
        # even the owner cannot change the log without first disabling its guard
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), owner.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_log WHERE id = :i"), {"i": middle})
        with owner.begin() as conn:
            conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER mande_audit_frozen"))
            conn.execute(sa.text("DELETE FROM audit_log WHERE id = :i"), {"i": middle})
            conn.execute(
                sa.text("UPDATE audit_log SET user_name = 'someone.else' WHERE id = :i"),
                {"i": later},
            )
            conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER mande_audit_frozen"))
    finally:
        owner.dispose()
    bad = _cli(env, "history", "--verify")
    assert bad.exit_code == 1
    assert f"entry {rows[2].id} does not follow" in bad.output
    assert f"entry {later} was edited" in bad.output
    assert "not intact" in bad.output


def test_users_add_refuses_on_sqlite(tmp_path: Path) -> None:
    res = _cli({"MANDE_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}, "users", "add", "a@b.org")
    assert res.exit_code == 1
    assert "single-user laptop store where the local user is admin" in res.output
