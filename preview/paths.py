"""Where the offline preview may write: its own stack folder ``<out>/<stack>/``, nothing else.

The stack name is checked as Pulumi checks it; the output folder is checked before anything runs; clearing the
stack folder removes what is inside it and never follows a symbolic link.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from hybrid_terway.core import constants

# pulumi/pulumi pkg/backend/filestate/backend.go (now pkg/backend/diy): validateStackName,
# stackNameAndProjectRegexp = "^[A-Za-z0-9_.-]{1,100}$" - the same rule as the Pulumi Cloud backend.
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


MARKER = ".hybrid-terway-preview"
"""Written into every stack folder the preview fills; a folder that holds other files without it is not touched."""
MARKER_TEXT = "written by the hybrid-terway offline preview, which empties this folder on every run\n"


class OutputPathError(Exception):
    """The stack name or the output folder cannot be used (the preview exits 2 before running)."""


def check_stack_name(stack: str) -> None:
    """Pulumi's rule; ``.`` and ``..`` pass it but name a folder, not a stack, so they are refused too."""
    if not STACK_NAME.fullmatch(stack):
        raise OutputPathError(
            f"--stack {stack!r}: stack names may only contain alphanumeric characters, hyphens, underscores, or "
            "periods (1 to 100 of them), as Pulumi requires"
        )
    if stack in (".", ".."):
        raise OutputPathError(f"--stack {stack!r}: names a folder, not a stack")


def check_output_folder(stack_dir: Path) -> None:
    """``stack_dir`` (``<out>/<stack>``) can be created or reused: every existing part of it is a real folder."""
    if stack_dir.is_symlink():
        raise OutputPathError(
            f"--out: {stack_dir} is a symbolic link; the preview writes only into a real folder of its own "
            "(remove the link or choose another --out)"
        )
    if stack_dir.exists() and not stack_dir.is_dir():
        raise OutputPathError(f"--out: {stack_dir} exists and is not a folder")
    for parent in stack_dir.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputPathError(f"--out: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK) and not stack_dir.exists():
                raise OutputPathError(f"--out: cannot create folders in {parent} (permission denied)")
            break
    if stack_dir.is_dir() and not os.access(stack_dir, os.W_OK | os.X_OK):
        raise OutputPathError(f"--out: cannot write into {stack_dir} (permission denied)")


def is_preview_folder(stack_dir: Path) -> bool:
    """Empty, marked by the preview, or holding a plan.json of this project (written before the marker existed)."""
    marker = stack_dir / MARKER
    if marker.is_file() and not marker.is_symlink():
        return True
    if not any(stack_dir.iterdir()):
        return True
    plan = stack_dir / "plan.json"
    if not plan.is_file() or plan.is_symlink() or plan.stat().st_size > 64 * 1024 * 1024:
        return False
    try:
        document = json.loads(plan.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get("project") == constants.PROJECT


def clear_stack_folder(stack_dir: Path) -> None:
    """Empty ``stack_dir`` (files and links inside are unlinked, folders removed; no link is ever followed) and mark
    it as the preview's. A folder holding files the preview did not write is refused, never emptied."""
    check_output_folder(stack_dir)
    if stack_dir.exists() and not is_preview_folder(stack_dir):
        raise OutputPathError(
            f"--out: {stack_dir} holds files the preview did not write (it has no {MARKER}); the preview empties "
            "its stack folder on every run, so it leaves this one alone: choose another --out or remove the folder"
        )
    if stack_dir.exists():
        _empty(stack_dir)
    stack_dir.mkdir(parents=True, exist_ok=True)
    (stack_dir / MARKER).write_text(MARKER_TEXT)


def _empty(stack_dir: Path) -> None:
    with os.scandir(stack_dir) as entries:
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)  # removes links inside a folder without following them
            else:
                path.unlink()
