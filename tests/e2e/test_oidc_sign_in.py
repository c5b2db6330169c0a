"""Signing in through a real OpenID Connect provider, end to end, in headless Chromium.

The provider is node-oidc-provider (panva), installed from the npm registry into tests/e2e/oidc/
(`npm ci`, by `.ci/run` or by the fixture below) and run with node on loopback; the dashboard is
served by `streamlit run` with an `[auth]` section pointing at it. Anonymous visitors get only the
sign-in whatever page path they open; a viewer and an officer sign in with the provider's own form
and see their pages and only theirs; an account whose e-mail the provider has not verified is not
signed in. A second server, started with the example secrets file as it is, shows that a cookie
forged with the example's cookie_secret gets nothing: the app will not start with that secret.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dashboard.navigation import PAGES

from ._server import ROOT, free_port, stop, wait_healthy

pytestmark = pytest.mark.browser

OIDC_DIR = Path(__file__).parent / "oidc"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CLIENT_ID = "mande-dashboard"
CLIENT_SECRET = "e2e-client-secret-not-used-elsewhere"
COOKIE_SECRET = "e2e-cookie-secret-9f1c6a2b7d3e4f5a6b7c8d9e0f1a2b3c"
ACCOUNTS = {  # the provider's accounts -> their claims (roles from sample_data/mission.yaml)
    "viewer": {"email": "srsg.office@minusva.example.org", "email_verified": True},
    "officer": {"email": "me.officer@minusva.example.org", "email_verified": True},
    "unverified": {"email": "admin@minusva.example.org", "email_verified": False},
}
SIGN_IN = "Sign in with your mission account to see the dashboard."
SIGN_IN_FR = "Connectez-vous avec votre compte de la mission pour accéder au tableau de bord."
MISSION_EN = "United Nations Multidimensional Integrated Stabilization Mission in Valdoria"
# what any page with mission data shows; none of it may appear to someone not signed in
DATA_MARKS = ("Safe after dark", "Audit log", MISSION_EN, "Drag and drop", "Relationship quality")
PAGE_PATHS = ("", *(p.key for p in PAGES), "upload.py", "data_audit.py")
# Paths naming a folder: Streamlit's page cannot even load its scripts from there (blank page)
NESTED_PATHS = ("views/upload", "pages/upload", "views/data_audit.py", "pages/partners")


def _missing(what: str) -> None:
    msg = f"{what} is not available"
    if IN_CI:
        pytest.fail(f"CI: {msg}", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def oidc_provider_dir() -> Path:
    """tests/e2e/oidc with its node modules (`npm ci` from the npm registry when absent)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _missing("Node.js and npm (apt-get install nodejs npm) for the OpenID Connect provider")
    if not (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
        done = subprocess.run(
            [str(npm), "ci", "--no-audit", "--no-fund"],
            cwd=OIDC_DIR, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        if done.returncode != 0:
            _missing(f"oidc-provider from the npm registry (npm ci failed: {done.stderr[-2000:]})")
    return OIDC_DIR


def _wait_url(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"no answer from {url} in {timeout} s:\n{log.read_text()[-4000:]}")


@dataclass(frozen=True)
class SignIn:
    url: str  # the dashboard
    issuer: str  # the provider
    log: Path


def _serve_dashboard(
    tmp: Path, data_dir: Path, secrets_toml: str, port: int, log: Path
) -> subprocess.Popen[bytes]:
    """`streamlit run dashboard/serve.py` from a folder holding the project's config and the given
    secrets (Streamlit reads both from ./.streamlit/)."""
    conf = tmp / ".streamlit"
    conf.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", conf / "config.toml")
    (conf / "secrets.toml").write_text(secrets_toml)
    env = dict(os.environ, MANDE_DATA_DIR=str(data_dir), MANDE_SECRET="sample-store-tests")
    env.pop("MANDE_DATABASE_URL", None)
    env["MANDE_ROLE"] = "admin"  # a laptop's default: signing in must override it
    bin_dir = Path(sys.executable).parent
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                str(bin_dir / "streamlit"), "run", str(ROOT / "dashboard" / "serve.py"),
                "--server.port", str(port), "--server.address", "127.0.0.1",
            ],
            cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


@pytest.fixture(scope="module")
def sign_in(
    oidc_provider_dir: Path, sample_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SignIn]:
    """The provider and the dashboard (over the sample mission), both on loopback."""
    tmp = tmp_path_factory.mktemp("oidc")
    dash_port, idp_port = free_port(), free_port()
    url, issuer = f"http://127.0.0.1:{dash_port}", f"http://127.0.0.1:{idp_port}"
    idp_log, dash_log = tmp / "provider.log", tmp / "dashboard.log"
    idp_env = dict(
        os.environ, OIDC_PORT=str(idp_port), OIDC_REDIRECT_URI=f"{url}/oauth2callback",
        OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_USERS=json.dumps(ACCOUNTS),
    )  # fmt: skip
    with idp_log.open("wb") as out:
        idp = subprocess.Popen(
            ["node", "provider.mjs"], cwd=oidc_provider_dir, env=idp_env,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    dash = None
    try:
        _wait_url(f"{issuer}/.well-known/openid-configuration", idp, idp_log)
        secrets_toml = f"""
[auth]
redirect_uri = "{url}/oauth2callback"
cookie_secret = "{COOKIE_SECRET}"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
# node-oidc-provider knows the prompts login, consent and none, not Streamlit's default
# select_account
client_kwargs = {{ prompt = "login" }}
"""
        dash = _serve_dashboard(tmp / "site", sample_store_dir, secrets_toml, dash_port, dash_log)
        wait_healthy(url, dash, dash_log)
        yield SignIn(url, issuer, dash_log)
    finally:
        if dash is not None:
            stop(dash)
        stop(idp)


def _go(page: Any, url: str) -> None:
    """Open ``url`` in English (the sample mission's default language is French)."""
    page.goto(url + ("&" if "?" in url else "?") + "lang=en")


def _body(page: Any) -> str:
    return str(page.inner_text("body"))


def _wait_text(page: Any, text: str, timeout: float = 60_000) -> None:
    try:
        page.get_by_text(text, exact=False).first.wait_for(timeout=timeout)
    except Exception as exc:
        raise AssertionError(
            f"{text!r} not shown at {page.url}; the page shows:\n{_body(page)[:3000]}"
        ) from exc


def _settled(page: Any) -> None:
    """Wait until Streamlit has finished running the script for this page."""
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    page.wait_for_timeout(500)


def _sign_in(browser: Any, site: SignIn, account: str) -> Any:
    """A new browser session signed in as ``account`` through the provider's own form."""
    context = browser.new_context()
    page = context.new_page()
    _go(page, site.url)
    _wait_text(page, SIGN_IN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.issuer}/**", timeout=60_000)
    page.fill("input[name=login]", account)
    page.fill("input[name=password]", "not-checked-by-the-test-provider")
    page.click("button[type=submit]")
    # the provider asks to authorise the client once per account
    page.wait_for_load_state()
    if page.url.startswith(site.issuer) and page.locator("button[type=submit]").count():
        page.click("button[type=submit]")

    page.wait_for_url(f"{site.url}/**", timeout=60_000)
    _go(page, site.url)  # the provider sends the browser back without the language
    return page


def test_anonymous_gets_only_the_sign_in_on_every_path(browser: Any, sign_in: SignIn) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        for path in PAGE_PATHS:
            _go(page, f"{sign_in.url}/{path}")
            _wait_text(page, SIGN_IN)
            _settled(page)
            body = _body(page)
            assert SIGN_IN in body, path
            for mark in DATA_MARKS:
                assert mark not in body, (path, mark)
            assert page.locator("input[type=file]").count() == 0, path
            assert "Traceback" not in body
        for path in NESTED_PATHS:
            page.goto(f"{sign_in.url}/{path}")
            page.wait_for_timeout(3000)
            body = _body(page)
            for mark in DATA_MARKS:
                assert mark not in body, (path, mark)
            assert page.locator("input[type=file]").count() == 0, path
        page.goto(f"{sign_in.url}/partners?lang=fr")  # and in French
        _wait_text(page, SIGN_IN_FR)
        _settled(page)
        assert "Relations" not in _body(page) and "Qualité" not in _body(page)
    finally:
        context.close()


def test_viewer_signs_in_and_sees_only_viewer_pages(browser: Any, sign_in: SignIn) -> None:
    page = _sign_in(browser, sign_in, "viewer")
    try:
        _wait_text(page, "Signed in as srsg.office@minusva.example.org")
        _wait_text(page, "Safe after dark")  # the Overview's cards
        assert "srsg.office@minusva.example.org · viewer" in _body(page)
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Overview" in nav and "Reports" in nav
        assert "Upload" not in nav and "Data & audit" not in nav
        for path in ("upload", "data_audit", "upload.py"):
            _go(page, f"{sign_in.url}/{path}")
            _wait_text(page, "Signed in as srsg.office@minusva.example.org")
            _settled(page)
            assert page.locator("input[type=file]").count() == 0, path
            assert "Audit log" not in _body(page), path
        _go(page, f"{sign_in.url}/partners")
        _wait_text(page, "Relationship quality")
    finally:
        page.context.close()


def test_officer_signs_in_and_may_upload_but_not_audit(browser: Any, sign_in: SignIn) -> None:
    page = _sign_in(browser, sign_in, "officer")
    try:
        _wait_text(page, "Signed in as me.officer@minusva.example.org")
        assert "me.officer@minusva.example.org · officer" in _body(page)
        _go(page, f"{sign_in.url}/upload")
        page.locator("input[type=file]").wait_for(state="attached", timeout=60_000)
        assert page.locator("input[type=file]").count() == 1
        _go(page, f"{sign_in.url}/data_audit")
        _wait_text(page, "Signed in as me.officer@minusva.example.org")
        _settled(page)
        assert "Audit log" not in _body(page)
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Upload" in nav and "Data & audit" not in nav
    finally:
        page.context.close()


def test_unverified_email_is_not_signed_in(browser: Any, sign_in: SignIn) -> None:
    page = _sign_in(browser, sign_in, "unverified")
    try:
        _wait_text(page, "has not verified")
        _settled(page)
        body = _body(page)
        assert SIGN_IN in body
        for mark in DATA_MARKS:
            assert mark not in body, mark
    finally:
        page.context.close()


def test_cookie_forged_with_the_example_secret_gets_nothing(
    browser: Any, sample_store_dir: Path, tmp_path: Path
) -> None:
    """`.streamlit/secrets.example.toml` copied as it is: a cookie naming an admin, signed with its
    placeholder secret exactly as Streamlit signs its own, opens nothing."""
    import tomllib

    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    example = (ROOT / ".streamlit" / "secrets.example.toml").read_text()
    placeholder = tomllib.loads(example)["auth"]["cookie_secret"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    secrets_toml = example.replace(
        "https://mande.example.org/oauth2callback", f"{url}/oauth2callback"
    )
    log = tmp_path / "dashboard.log"
    proc = _serve_dashboard(tmp_path / "site", sample_store_dir, secrets_toml, port, log)
    context = browser.new_context()
    try:
        wait_healthy(url, proc, log)
        claims = {"email": "admin@minusva.example.org", "email_verified": True,
                  "is_logged_in": True, "origin": url, "provider": "default"}  # fmt: skip
        forged = create_signed_value(placeholder, "_streamlit_user", json.dumps(claims))
        context.add_cookies([{"name": "_streamlit_user", "value": forged.decode(), "url": url}])
        page = context.new_page()
        for path in ("", "data_audit", "upload"):
            _go(page, f"{url}/{path}")
            _wait_text(page, "The dashboard will not start: its sign-in settings are unsafe.")
            _settled(page)
            body = _body(page)
            for mark in DATA_MARKS:
                assert mark not in body, (path, mark)
            assert "Signed in as" not in body
        assert "cookie_secret in .streamlit/secrets.toml is a placeholder" in (log.read_text())
    finally:
        context.close()
        stop(proc)
