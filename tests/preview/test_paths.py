"""The preview writes and removes only inside its own stack folder; a failed run never leaves a stale success."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from preview.__main__ import main
from preview.paths import MARKER, MARKER_TEXT, OutputPathError, check_stack_name, clear_stack_folder
from preview.run import EXIT_INVALID, EXIT_OK
from tests.conftest import ROOT


def project(tmp_path: Path, stack_text: str | None = None) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "Pulumi.dev.yaml").write_text(stack_text or (ROOT / "Pulumi.dev.yaml").read_text())
    return root


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def run(root: Path, stack: str, out: Path) -> int:
    return main(["--cwd", str(root), "--stack", stack, "--out", str(out), "--no-policy"])


@pytest.mark.parametrize("stack", [".", "..", "../x", "a/b", "", "x" * 101, "dev\n", "déjà"])
def test_stack_names_are_checked_as_pulumi_checks_them(
    stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    out = tmp_path / "build"
    (out / "other").mkdir(parents=True)
    (out / "other" / "plan.json").write_text("{}")
    before = tree(tmp_path)
    assert run(root, stack, out) == EXIT_INVALID
    assert tree(tmp_path) == before  # nothing written or removed anywhere
    assert "--stack" in capsys.readouterr().err
    with pytest.raises(OutputPathError):
        check_stack_name(stack)


def test_pulumi_stack_names_pass() -> None:
    for stack in ("dev", "prod.eu-1", "feature_x", "A" * 100):
        check_stack_name(stack)


def test_out_that_is_a_file_or_under_a_file_is_refused_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    assert run(root, "dev", blocker) == EXIT_INVALID
    assert run(root, "dev", blocker / "below") == EXIT_INVALID
    err = capsys.readouterr().err
    assert f"--out: {blocker} is a file, not a folder" in err and "Traceback" not in err
    assert blocker.read_text() == "keep me"


def test_a_symlinked_stack_folder_is_refused_and_its_target_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data.txt").write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / "dev").symlink_to(precious, target_is_directory=True)
    assert run(root, "dev", out) == EXIT_INVALID
    assert "is a symbolic link" in capsys.readouterr().err
    assert tree(precious) == {"data.txt": b"keep me"}


def test_clearing_never_follows_a_link_inside_the_stack_folder(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data.txt").write_text("keep me")
    stack_dir = tmp_path / "out" / "dev"
    (stack_dir / "manifests").mkdir(parents=True)
    (stack_dir / "manifests" / "link").symlink_to(precious, target_is_directory=True)
    (stack_dir / "top-link").symlink_to(precious, target_is_directory=True)
    (stack_dir / "plan.json").write_text("{}")
    (stack_dir / MARKER).write_text(MARKER_TEXT)
    clear_stack_folder(stack_dir)
    assert [p.name for p in stack_dir.iterdir()] == [MARKER]
    assert tree(precious) == {"data.txt": b"keep me"}


def test_a_folder_the_preview_did_not_write_is_never_emptied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out ~` with a stack named like a folder there: the folder is refused, not emptied."""
    root = project(tmp_path)
    home = tmp_path / "home"
    (home / "dev").mkdir(parents=True)
    (home / "dev" / "notes.txt").write_text("mine")
    before = tree(tmp_path)
    assert run(root, "dev", home) == EXIT_INVALID
    assert "holds files the preview did not write" in capsys.readouterr().err
    assert tree(tmp_path) == before
    legacy = tmp_path / "legacy" / "dev"  # written before the marker existed: recognised by its plan.json
    legacy.mkdir(parents=True)
    (legacy / "plan.json").write_text('{"project": "hybrid-terway", "stack": "dev"}')
    assert run(root, "dev", legacy.parent) == EXIT_OK
    assert (legacy / MARKER).read_text() == MARKER_TEXT


def test_a_failed_run_replaces_the_previous_plan_with_the_failure(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = tmp_path / "out"
    assert run(root, "dev", out) == EXIT_OK
    assert "Placement after the plan: **ok**" in (out / "dev" / "PLAN.md").read_text()
    (out / "sibling.txt").write_text("not the stack's")
    stack_file = root / "Pulumi.dev.yaml"
    for broken in (
        stack_file.read_text().replace("scenario: bgp", "scenario: vxlan"),  # configuration
        "config:\n  a: [1\n",  # YAML
        "config:\n  hybrid-terway:scenario: bgp\n  hybrid-terway:scenario: host\n",  # duplicate key
    ):
        stack_file.write_text(broken)
        assert run(root, "dev", out) == EXIT_INVALID
        plan = json.loads((out / "dev" / "plan.json").read_text())
        assert plan["failed"] is True and plan["exitCode"] == EXIT_INVALID and plan["error"]
        assert "resources" not in plan
        markdown = (out / "dev" / "PLAN.md").read_text()
        assert "**FAILED** (exit 2)" in markdown and "Placement after the plan" not in markdown
        assert sorted(p.name for p in (out / "dev").iterdir()) == [MARKER, "PLAN.md", "plan.json"]
        assert (out / "sibling.txt").read_text() == "not the stack's"
    shutil.rmtree(out)
