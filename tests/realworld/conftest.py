"""The real-world corpus: XLSForms and Kobo/ODK exports written by other people.

The files live outside the project, in ``../shared/realworld/`` relative to the project root (or in
the folder named by ``MANDE_REALWORLD_DIR``); they are never copied into the project. Its
``manifest.json`` records pyxform's verdict on each form and pairs each export with its form.

Fixtures: ``realworld_dir`` (the folder, a :class:`~pathlib.Path`) and ``manifest`` (the parsed
``manifest.json``). A test that asks for an argument named ``form_entry`` or ``export_entry`` is
run once per form or per export of the manifest, with ``(relative path, manifest entry)``.

When the folder is absent the tests are skipped on a developer's machine and fail in CI
(``CI=true``), where the corpus must be present.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ABSENT = "corpus-absent"


def corpus_dir() -> Path:
    """Where the corpus is: ``$MANDE_REALWORLD_DIR`` or ``../shared/realworld``."""
    env = os.environ.get("MANDE_REALWORLD_DIR")
    return Path(env) if env else ROOT.parent / "shared" / "realworld"


def _read_manifest() -> dict[str, Any] | None:
    path = corpus_dir() / "manifest.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _absent() -> None:
    msg = (
        f"the real-world corpus is not at {corpus_dir()} (expected manifest.json there; set "
        "MANDE_REALWORLD_DIR to its folder)"
    )
    if IN_CI:
        pytest.fail(f"CI: {msg}", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def realworld_dir() -> Path:
    """The corpus folder; skips (fails in CI) when it is absent."""
    if _read_manifest() is None:
        _absent()
    return corpus_dir()


@pytest.fixture(scope="session")
def manifest(realworld_dir: Path) -> dict[str, Any]:
    """The parsed ``manifest.json``: ``forms`` (path -> verdicts), ``exports`` (path -> form, ...)."""
    data = _read_manifest()
    if data is None:
        _absent()
    return data  # type: ignore[return-value]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per form (``form_entry``) or per export (``export_entry``) of the manifest."""
    data = _read_manifest()
    for arg, key in (("form_entry", "forms"), ("export_entry", "exports")):
        if arg not in metafunc.fixturenames:
            continue
        if data is None:
            # one placeholder case, which the autouse fixture below skips (fails in CI)
            metafunc.parametrize(arg, [(ABSENT, {})], ids=[ABSENT])
            continue
        entries = sorted(data.get(key, {}).items())
        metafunc.parametrize(arg, entries, ids=[p for p, _ in entries])


@pytest.fixture(autouse=True)
def _corpus_present(request: pytest.FixtureRequest) -> None:
    """A test that reads the corpus skips (fails in CI) when the corpus is absent."""
    uses = {"form_entry", "export_entry", "realworld_dir", "manifest"}
    if uses & set(request.fixturenames) and _read_manifest() is None:
        _absent()
