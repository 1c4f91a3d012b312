"""`--policy-pack-config FILE` offline: the file `pulumi preview --policy-pack-config` takes, read as the CLI reads
it (pulumi/pulumi pkg/resource/analyzer/config.go) and handed to the pack through the harness's Configure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from preview.policy_config_file import PolicyConfigFileError, load_policy_config
from preview.run import EXIT_FAILED, EXIT_INVALID, EXIT_OK
from tests.conftest import ROOT


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "guard-config.json"
    path.write_text(text)
    return path


def preview_cli(*extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preview", "--stack", "dev", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  \n", None),
        ('{"all": "advisory"}', {"all": "advisory"}),
        (
            '{"environments": [], "one-cni-per-node": {"enforcementLevel": "disabled"}}',
            {"one-cni-per-node": {"enforcementLevel": "disabled"}},
        ),
    ],
)
def test_the_file_is_read_as_the_cli_reads_it(tmp_path: Path, text: str, expected: object) -> None:
    assert load_policy_config(write(tmp_path, text)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "must be a JSON object"),
        ('{"all": "warn"}', "parsing enforcement level for 'all': 'warn' is not a valid enforcement level"),
        ('{"all": {"enforcementLevel": 1}}', "1 is not a valid enforcement level; must be a string"),
        ('{"one-cni-per-node": 3}', "parsing 'one-cni-per-node': 3 is not a valid value; must be a string or object"),
        ('{"environments": "prod"}', '"environments" must be an array of strings'),
        ('{"environments": ["org/prod"]}', "which only the Pulumi CLI can open"),
        ('{"all": "advisory",}', "not valid JSON: trailing comma before }"),
    ],
)
def test_a_bad_file_is_refused_naming_it(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(PolicyConfigFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_policy_config(write(tmp_path, text))


def test_the_configuration_reaches_the_pack(tmp_path: Path) -> None:
    """`all: disabled` turns every policy off over Configure; a level of one policy and its settings arrive too."""
    out = tmp_path / "out"
    off = write(tmp_path, json.dumps({"all": "disabled"}))
    result = preview_cli("--out", str(out), "--policy-pack-config", str(off))
    assert result.returncode == EXIT_OK, result.stderr
    report = json.loads((out / "dev" / "policy-report.json").read_text())
    assert report["policies"] == []
    config = {
        "terway-ram-guide-actions": "mandatory",
        "onprem-workloads-avoid-cloud-nodes": {"onPremCniDaemonSets": []},
    }
    result = preview_cli("--out", str(out), "--policy-pack-config", str(write(tmp_path, json.dumps(config))))
    assert result.returncode in (EXIT_OK, EXIT_FAILED), result.stderr
    report = json.loads((out / "dev" / "policy-report.json").read_text())
    assert "terway-ram-guide-actions" in report["policies"]


def test_a_setting_the_pack_does_not_take_exits_2_naming_the_file(tmp_path: Path) -> None:
    bad = write(tmp_path, json.dumps({"onprem-workloads-avoid-cloud-nodes": {"onPremCniDaemonset": []}}))
    result = preview_cli("--out", str(tmp_path / "out"), "--policy-pack-config", str(bad))
    assert result.returncode == EXIT_INVALID
    assert f"--policy-pack-config {bad}: invalid policy pack configuration" in result.stderr
    assert "did you mean onPremCniDaemonSets?" in result.stderr
    missing = preview_cli("--policy-pack-config", str(tmp_path / "none.json"))
    assert missing.returncode == EXIT_INVALID and "no such file" in missing.stderr
