"""The README's "Deploying for a team" section, run: its commands on PostgreSQL, its secrets file
refused as written and accepted once filled in, its reverse proxy pointed at the dashboard's own
address."""

from __future__ import annotations

import re
import shlex
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mande import ConfigError, Settings
from mande.cli import app
from mande.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Deploying for a team")
    end = text.index("\n## ", start + 10)
    return text[start:end]


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", _section(), flags=re.S)


@pytest.fixture()
def schema_url(postgres_url: str) -> Iterator[tuple[str, str]]:
    schema = f"mande_readme_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_url else "?"
    logins: list[str] = []
    try:
        yield f"{postgres_url}{sep}options=-csearch_path%3D{schema}", schema
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            for line in _blocks("sh")[0].splitlines():
                if line.startswith("mande users add "):
                    logins.append(shlex.split(line)[3])
            for login in logins:
                conn.execute(sa.text(f'DROP ROLE IF EXISTS "{login}"'))
        admin.dispose()


def test_the_commands_of_step_1_run(schema_url: tuple[str, str], tmp_path: Path) -> None:
    """Every line of the first shell block, in order; the database URL is this test's (the
    README's names a server that does not exist here)."""
    url, _schema = schema_url
    env = {"MANDE_DATABASE_URL": url, "MANDE_DATA_DIR": str(tmp_path)}
    lines = [x for x in _blocks("sh")[0].splitlines() if x.strip()]
    assert lines[0].startswith("export MANDE_DATABASE_URL=postgresql+psycopg://")
    expected: dict[str, str] = {}
    outputs = []
    for line in lines[1:]:
        args = shlex.split(line)
        assert args[0] == "mande", line
        res = CliRunner().invoke(app, args[1:], env=env, catch_exceptions=False)
        assert res.exit_code == 0, (line, res.output)
        outputs.append(res.output)
        if args[1:3] == ["users", "add"]:
            expected[args[3]] = args[args.index("--role") + 1]
    listed = dict(
        (parts[0], parts[1]) for parts in (x.split() for x in outputs[-1].splitlines()) if parts
    )
    assert {k: listed.get(k) for k in expected} == expected
    # each person's own login acts as itself with its role; the dashboard's acts for others
    base = sa.make_url(url)
    settings = Settings.from_env({"MANDE_DATA_DIR": str(tmp_path), "MANDE_SECRET": "t"})
    for login, role in expected.items():
        login_url = base.set(username=login).render_as_string(hide_password=False)
        with Store.open(login_url, settings) as store:
            if role == "service":
                assert not store.acts_as_login
            else:
                assert (store.user, store.role, store.acts_as_login) == (login, role, True)


def test_the_secrets_file_is_refused_until_filled_in() -> None:
    from dashboard.session import check_auth_settings

    auth = tomllib.loads(_blocks("toml")[0])["auth"]
    assert set(auth) >= {"redirect_uri", "cookie_secret", "client_id", "client_secret",
                         "server_metadata_url"}  # fmt: skip
    with pytest.raises(ConfigError, match="placeholder"):
        check_auth_settings(auth)  # copied as it is
    import secrets

    check_auth_settings(dict(auth, cookie_secret=secrets.token_urlsafe(48)))


def test_the_proxy_points_at_the_dashboard() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    nginx = _blocks("nginx")[0]
    assert f"proxy_pass http://{config['server']['address']}:8501;" in nginx
    assert "proxy_set_header Upgrade $http_upgrade;" in nginx  # Streamlit's WebSocket
    assert "listen 443 ssl;" in nginx
