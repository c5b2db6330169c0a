"""The command line starts without the scientific stack: ``mande --help`` answers at once.

Each check runs a fresh interpreter, so modules imported by earlier tests cannot hide a heavy import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# The `mande` script installed next to this interpreter (pyproject [project.scripts]).
_MANDE = str(Path(sys.executable).parent / "mande")

HEAVY = ("pandas", "scipy", "statsmodels", "streamlit", "numpy", "sqlalchemy", "plotly")


def _loaded_after(code: str) -> list[str]:
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "code",
    [
        "import mande",
        "from mande import __version__",
        "import mande.cli",
        # Building the whole command tree, as `mande --help` does, registers every sub-app.
        "import typer.main, mande.cli; typer.main.get_command(mande.cli.app)",
    ],
)
def test_starting_the_cli_imports_nothing_heavy(code: str) -> None:
    assert _loaded_after(code) == []


def test_help_and_version_run_in_a_fresh_process() -> None:
    for args in (["--help"], ["--version"], ["plan", "--help"], ["db", "--help"]):
        out = subprocess.run(
            [_MANDE, *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip()
    version = subprocess.run([_MANDE, "--version"], capture_output=True, text=True, timeout=120)
    assert version.stdout.strip() == "mande 0.1.0"


def test_public_api_is_complete_and_lazy() -> None:
    import mande

    # Every public name resolves to the object its module defines.
    for name in mande.__all__:
        assert getattr(mande, name) is not None, name
    assert set(mande.__all__) <= set(dir(mande))
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = mande.no_such_name  # type: ignore[attr-defined]


def test_a_public_name_that_is_also_a_submodule_stays_the_function() -> None:
    code = (
        "import mande.plan.sample_size, mande.footprint.exposure, mande.plan, mande.footprint\n"
        "print(callable(mande.plan.sample_size), callable(mande.footprint.exposure))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]
