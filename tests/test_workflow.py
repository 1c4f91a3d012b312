"""The pull-request workflow: validated against GitHub's workflow schema, tests on the oldest and newest supported
Python, previews every stack offline against its committed snapshots, and runs `pulumi preview` for real stacks
only."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from preview.run import EXIT_INVALID, preview
from tests.conftest import EXAMPLE_STACKS, ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "preview.yml"
SNAPSHOTS = json.loads((ROOT / ".github" / "preview-snapshots.json").read_text())
CHECK = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]


def workflow() -> dict[Any, Any]:
    return dict(yaml.safe_load(WORKFLOW.read_text()))


def test_every_workflow_file_is_valid_and_a_broken_one_is_refused(tmp_path: Path) -> None:
    files = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    done = subprocess.run([*CHECK, *files], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text("on: pull_request\njobs:\n  test:\n    steps:\n      - run: make test\n")  # no runs-on
    refused = subprocess.run([*CHECK, str(broken)], capture_output=True, text=True)
    assert refused.returncode != 0 and "runs-on" in refused.stdout


def test_make_test_runs_on_the_oldest_and_newest_supported_python() -> None:
    job = workflow()["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.10", "3.13"]
    assert any(step.get("run") == "make test PYTHON=python" for step in job["steps"])
    readme = (ROOT / "README.md").read_text()
    assert "3.10 to 3.13" in readme


def list_stacks(names: list[str], tmp_path: Path) -> dict[str, list[str]]:
    """The `stacks` job's own script, run against stack files of these names."""
    for name in names:
        (tmp_path / f"Pulumi.{name}.yaml").write_text("config: {}\n")
    (step,) = workflow()["jobs"]["stacks"]["steps"][1:]
    output = tmp_path / "output"
    script = step["run"].replace('"$GITHUB_OUTPUT"', str(output))
    subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, check=True)
    return {k: json.loads(v) for k, v in (line.split("=", 1) for line in output.read_text().splitlines())}


@pytest.mark.skipif(shutil.which("jq") is None, reason="the workflow's runner has jq; this machine does not")
def test_only_real_stacks_reach_pulumi_preview(tmp_path: Path) -> None:
    listed = list_stacks([*EXAMPLE_STACKS, "prod", "staging"], tmp_path)
    assert sorted(listed["all"]) == sorted([*EXAMPLE_STACKS, "prod", "staging"])
    assert listed["real"] == ["prod", "staging"]
    (tmp_path / "examples-only").mkdir()
    assert list_stacks(["dev", "example-host"], tmp_path / "examples-only")["real"] == []
    pulumi = workflow()["jobs"]["pulumi"]
    assert pulumi["strategy"]["matrix"]["stack"] == "${{ fromJson(needs.stacks.outputs.real) }}"
    assert pulumi["if"] == "needs.stacks.outputs.real != '[]'"


def test_the_example_stacks_are_not_real() -> None:
    step = workflow()["jobs"]["stacks"]["steps"][1]["run"]
    pattern = re.search(r"grep -vE '(\^.*\$)'", step)
    assert pattern is not None
    assert all(re.match(pattern.group(1), stack) for stack in EXAMPLE_STACKS)


@pytest.mark.parametrize("stack", sorted(SNAPSHOTS))
def test_each_committed_snapshot_previews_its_stack(stack: str, tmp_path: Path) -> None:
    files = SNAPSHOTS[stack]
    assert stack in EXAMPLE_STACKS
    snapshot, cloud = ROOT / files["snapshot"], files.get("cloudSnapshot")
    cloud_snapshot = ROOT / cloud if cloud else None
    result = preview(ROOT, stack, snapshot, tmp_path / stack, policy=False, cloud_snapshot=cloud_snapshot)
    assert result.exit_code != EXIT_INVALID
    assert (tmp_path / stack / "PLAN.md").is_file()
