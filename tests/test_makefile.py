"""The Makefile's set-up of venv/: the preview installs only what it needs, the tests add their tools, a venv/ of
another Python (or a half-built one) is rebuilt, and ``make clean`` says what it keeps.

Each case runs ``make -n`` (nothing is installed) in a copy of the Makefile, with stand-in interpreters that
answer the Makefile's question (which Python is this?) as a real one would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

FILES = ["Makefile", "requirements.txt", "requirements-preview.txt", "requirements-dev.txt", "pyproject.toml"]


def interpreter(path: Path, version: str, prefix: str) -> Path:
    """A stand-in Python: prints its version and base prefix, as ``PY_ID`` asks; any other use succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\ncase "$*" in *base_prefix*) echo "{version} {prefix}";; esac\nexit 0\n')
    path.chmod(0o755)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in FILES:
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


# Under `make test PYTHON=...` the outer make passes its command-line variables down (MAKEFLAGS): each case runs
# as a fresh `make` from a shell would, with only the variables it gives.
OUTER_MAKE = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES", "PYTHON")


def make(project: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in OUTER_MAKE}
    done = subprocess.run(["make", "-n", *args], cwd=project, capture_output=True, text=True, check=True, env=env)
    return done.stdout


def built_venv(project: Path, version: str, prefix: str, *stamps: str) -> None:
    interpreter(project / "venv" / "bin" / "python", version, prefix)
    for stamp in stamps:
        (project / "venv" / stamp).touch()


def test_preview_installs_only_what_the_preview_needs(project: Path) -> None:
    commands = make(project, "preview")
    assert "-r requirements-preview.txt" in commands
    assert "requirements-dev.txt" not in commands
    assert "python3 -m venv venv" in commands


def test_test_adds_the_test_tools(project: Path) -> None:
    commands = make(project, "test")
    assert commands.index("-r requirements-preview.txt") < commands.index("-r requirements-dev.txt")
    assert "pytest" in commands


def test_the_requirements_are_layered() -> None:
    preview = (ROOT / "requirements-preview.txt").read_text().splitlines()
    dev = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert "-r requirements.txt" in preview
    assert "-r requirements-preview.txt" in dev
    assert not any(line.startswith(("pytest", "hypothesis", "ruff", "mypy")) for line in preview)


def test_a_venv_of_another_python_is_rebuilt(project: Path, tmp_path: Path) -> None:
    built_venv(project, "3.11.7", "/opt/python-3.11", ".preview-installed", ".installed")
    other = interpreter(tmp_path / "bin" / "python3.10", "3.10.13", "/opt/python-3.10")
    commands = make(project, "preview", f"PYTHON={other}")
    assert f"Rebuilding venv/: it was built by Python 3.11.7, not by PYTHON={other}." in commands
    assert "rm -rf venv" in commands
    assert f"{other} -m venv venv" in commands


def test_a_venv_of_the_same_python_is_reused(project: Path, tmp_path: Path) -> None:
    built_venv(project, "3.11.7", "/opt/python-3.11", ".preview-installed", ".installed")
    same = interpreter(tmp_path / "bin" / "python3.11", "3.11.7", "/opt/python-3.11")
    commands = make(project, "preview", f"PYTHON={same}")
    assert "Rebuilding" not in commands
    assert "pip install" not in commands


def test_without_python_given_a_working_venv_is_kept(project: Path) -> None:
    built_venv(project, "3.11.7", "/opt/python-3.11", ".preview-installed")
    assert "Rebuilding" not in make(project, "preview")


def test_a_half_built_venv_is_rebuilt_not_reused(project: Path) -> None:
    built_venv(project, "3.10.13", "/opt/python-3.10")  # no stamp: its installation failed
    commands = make(project, "preview")
    assert "Rebuilding venv/: it was left half-built or no longer runs." in commands
    assert commands.index("rm -rf venv") < commands.index("python3 -m venv venv")


def test_clean_says_what_it_keeps_and_distclean_removes_venv(project: Path) -> None:
    commands = make(project, "clean")
    assert "Kept venv/" in commands
    assert "make distclean removes it too" in commands
    assert "rm -rf venv" not in commands
    assert "rm -rf venv policy/venv provider/venv" in make(project, "distclean")


def test_a_python_too_old_is_refused_before_anything_is_removed(project: Path, tmp_path: Path) -> None:
    built_venv(project, "3.11.7", "/opt/python-3.11", ".preview-installed")
    old = tmp_path / "bin" / "python3.9"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_text('#!/bin/sh\necho "hybrid-terway needs Python 3.10 to 3.13" >&2\nexit 1\n')
    old.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in OUTER_MAKE}
    done = subprocess.run(["make", "preview", f"PYTHON={old}"], cwd=project, capture_output=True, text=True, env=env)
    assert done.returncode != 0
    assert (project / "venv" / "bin" / "python").exists()
