"""Every page checks who is there, whatever opened it (Streamlit AppTest, sign-in configured).

Each page is opened three ways: through the router (the menu, or a page the URL names), and by
running the page's file directly (as Streamlit did when pages sat in a ``pages/`` folder); anonymous,
with an unverified e-mail, and signed in as each role. Unsafe sign-in settings stop the app before it
shows anything; errors reach the browser as a sentence with a reference number, never a traceback or
a password.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import session
from dashboard.navigation import PAGES, pages_for
from mande import ConfigError
from tests.ui._cards import overview_cards

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
VIEWS = ROOT / "dashboard" / "views"
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "k3Jx9-test-only-cookie-secret-0123456789abcdef",
    "client_id": "mande",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
EMAILS = {
    "viewer": "srsg.office@minusva.example.org",
    "officer": "me.officer@minusva.example.org",
    "admin": "admin@minusva.example.org",
}
SIGN_IN = "Sign in with your mission account to see the dashboard."
REFUSED = "Your role does not allow this page."
MISSION_EN = "United Nations Multidimensional Integrated Stabilization Mission in Valdoria"


def _texts(at: AppTest) -> list[str]:
    parts: list[Any] = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [x.value for x in at.title] + [s.value for s in at.subheader]
    parts += (
        [e.value for e in at.error] + [i.value for i in at.info] + [w.value for w in at.warning]
    )
    parts += [m.label for m in at.metric]
    return [str(p) for p in parts]


def _shows_no_data(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert not overview_cards(at).cards
    assert not at.get("file_uploader") and not at.get("download_button")
    assert MISSION_EN not in "\n".join(_texts(at))


@pytest.fixture()
def signed(
    sample_store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., AppTest]]:
    """``signed(script, user=None | dict, auth=AUTH)`` -> an AppTest of ``script`` with sign-in
    configured, run once."""
    monkeypatch.setenv("MANDE_DATA_DIR", str(sample_store_dir))
    monkeypatch.setenv("MANDE_SECRET", "sample-store-tests")
    monkeypatch.delenv("MANDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("MANDE_ROLE", "admin")  # what a laptop would be: sign-in must override it

    def make(
        script: Path = APP,
        user: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
        page: str | None = None,
    ) -> AppTest:
        at = AppTest.from_file(str(script), default_timeout=240)
        at.secrets["auth"] = dict(AUTH if auth is None else auth)
        at.user = user if user is not None else {"is_logged_in": False}
        at.session_state["lang"] = "en"
        if page is not None:
            at.switch_page(page)
        at.run()
        return at

    yield make


def _who(role: str, verified: object = True) -> dict[str, Any]:
    return {"is_logged_in": True, "email": EMAILS[role], "email_verified": verified}


def test_anonymous_sees_only_the_sign_in(signed: Callable[..., AppTest]) -> None:
    at = signed()
    assert SIGN_IN in _texts(at)
    assert [b.label for b in at.button] == ["Sign in"]
    _shows_no_data(at)


@pytest.mark.parametrize("spec", PAGES, ids=[p.key for p in PAGES])
def test_every_page_file_run_directly_refuses_anonymous(
    signed: Callable[..., AppTest], spec: Any
) -> None:
    at = signed(VIEWS / spec.file)
    assert _texts(at) == [SIGN_IN]
    _shows_no_data(at)


@pytest.mark.parametrize("spec", PAGES, ids=[p.key for p in PAGES])
def test_every_page_through_the_router_refuses_anonymous(
    signed: Callable[..., AppTest], spec: Any
) -> None:
    """The router registers no page for an anonymous visitor, whatever page is asked for."""
    try:
        at = signed(page=f"views/{spec.file}")
    except ValueError as err:  # not a page of this session's navigation
        assert "Could not find a navigation page" in str(err)
        return
    assert SIGN_IN in _texts(at)
    _shows_no_data(at)


# every (role, page) the role may not open; the pages a role may open are shown in test_pages.py
REFUSALS = [
    (role, spec) for role in ("viewer", "officer", "admin") for spec in PAGES
    if spec not in pages_for(role)
]  # fmt: skip


@pytest.mark.parametrize(("role", "spec"), REFUSALS, ids=[f"{r}-{p.key}" for r, p in REFUSALS])
def test_every_page_file_run_directly_refuses_a_role_that_may_not(
    signed: Callable[..., AppTest], role: str, spec: Any
) -> None:
    at = signed(VIEWS / spec.file, user=_who(role))
    assert _texts(at) == [REFUSED]
    _shows_no_data(at)


def test_a_page_file_run_directly_serves_a_role_that_may(signed: Callable[..., AppTest]) -> None:
    at = signed(VIEWS / "upload.py", user=_who("officer"))
    assert not at.exception
    assert [x.value for x in at.title] == ["Upload"]
    assert at.get("file_uploader")


@pytest.mark.parametrize("role", ["viewer", "officer"])
def test_router_as_each_role_serves_only_its_pages(
    signed: Callable[..., AppTest], role: str
) -> None:
    at = signed(user=_who(role))
    assert not at.exception
    assert f"Signed in as {EMAILS[role]} · {role.capitalize()}" in _texts(at) or any(
        EMAILS[role] in x for x in _texts(at)
    )
    for spec in PAGES:
        if spec in pages_for(role):
            continue
        try:
            at.switch_page(f"views/{spec.file}")
        except ValueError:
            continue
        at.run()
        assert not at.exception
        assert not at.get("file_uploader")
        assert "Audit log" not in _texts(at)


def test_unverified_email_is_not_signed_in(signed: Callable[..., AppTest]) -> None:
    for verified in (False, None, "false"):
        at = signed(user=_who("admin", verified=verified))
        texts = _texts(at)
        assert SIGN_IN in texts
        assert any("has not verified" in x for x in texts)
        _shows_no_data(at)
        page = signed(VIEWS / "data_audit.py", user=_who("admin", verified=verified))
        assert _texts(page) == [SIGN_IN]


@pytest.mark.parametrize(
    "secret",
    ["a long random string", "short-but-real-7f3a", "", "example-example-example-example-example"],
)
def test_unsafe_cookie_secret_stops_the_app(signed: Callable[..., AppTest], secret: str) -> None:
    """With the example's secret anyone can forge a sign-in cookie naming an admin: the app will
    not run at all, signed in or not, by the router or a page run directly."""
    auth = dict(AUTH, cookie_secret=secret)
    for script in (APP, VIEWS / "data_audit.py", VIEWS / "overview.py"):
        at = signed(script, user=_who("admin"), auth=auth)
        assert _texts(at) == [
            "The dashboard will not start: its sign-in settings are unsafe. An administrator "
            "must fix them (the reason is in the server's log)."
        ]
        assert not at.button
        _shows_no_data(at)


def test_check_auth_settings_messages() -> None:
    with pytest.raises(ConfigError, match="placeholder"):
        session.check_auth_settings(dict(AUTH, cookie_secret="a long random string"))
    with pytest.raises(ConfigError, match="has 5 characters; at least 32"):
        session.check_auth_settings(dict(AUTH, cookie_secret="abcde"))
    with pytest.raises(ConfigError, match="no client_id"):
        session.check_auth_settings({k: v for k, v in AUTH.items() if k != "client_id"})
    session.check_auth_settings(AUTH)
    example = (ROOT / ".streamlit" / "secrets.example.toml").read_text()
    import tomllib

    with pytest.raises(ConfigError, match="placeholder"):
        session.check_auth_settings(tomllib.loads(example)["auth"])


def test_errors_show_a_reference_not_a_password(
    sample_store_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A malformed MANDE_DATABASE_URL holding a password: the page shows a sentence and a
    reference number, the log has the rest; the password appears in neither."""
    import streamlit as st

    monkeypatch.setenv("MANDE_DATA_DIR", str(sample_store_dir))
    monkeypatch.setenv("MANDE_DATABASE_URL", "postgresql+psycopg://mande:Hunter2-secret@db:port/x")
    st.cache_resource.clear()  # the store other tests of this process opened
    st.cache_data.clear()
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    st.cache_resource.clear()
    st.cache_data.clear()
    assert not at.exception
    shown = "\n".join(_texts(at))
    assert "Hunter2-secret" not in shown
    assert "MANDE_DATABASE_URL is not a database URL" in shown
    assert "reference" in shown
    assert "Traceback" not in shown
    assert "Hunter2-secret" not in caplog.text


def test_cli_never_prints_the_password(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mande.cli import app

    env = {"MANDE_DATABASE_URL": "postgresql+psycopg://mande:Hunter2-secret@db:port/x",
           "MANDE_DATA_DIR": str(tmp_path)}  # fmt: skip
    for args in (["rounds"], ["db", "upgrade"], ["history", "--verify"], ["users", "list"]):
        res = CliRunner().invoke(app, args, env=env)
        assert res.exit_code != 0
        assert "Hunter2-secret" not in res.output, (args, res.output)
        assert "mande:***@" in res.output


def test_streamlit_config_is_safe_by_default() -> None:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["enableXsrfProtection"] is True
    makefile = (ROOT / "Makefile").read_text()
    assert "ADDRESS ?= 127.0.0.1" in makefile
    assert "--server.address $(ADDRESS)" in makefile
    assert not (ROOT / "dashboard" / "pages").exists()  # Streamlit would serve it by URL
