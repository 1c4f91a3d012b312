"""Policy pack configuration: unknown policies and misspelt settings refused with the valid names; one version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from hybrid_terway.core.version import __version__
from policy.hybrid_terway_guard import config
from preview.engine.policy_harness import (
    POLICY_DIR,
    AnalyzerInfo,
    PolicyInfo,
    PolicyPackError,
    pack_version,
    reconcile_config,
)
from tests.conftest import ROOT


def pack_info() -> AnalyzerInfo:
    policies = {}
    for name in config.POLICY_NAMES:
        properties = config.schema_properties(name)
        schema = {"properties": properties} if properties else None
        policies[name] = PolicyInfo(name, "", "mandatory", "resource", schema)
    return AnalyzerInfo("hybrid-terway-guard", "0.1.0", True, policies, {})


def test_the_readme_example_uses_the_engines_keys() -> None:
    readme = (ROOT / "docs" / "policy-pack.md").read_text()
    example = re.search(r"```json\n(\{.*?\})\n```", readme, re.S)
    assert example is not None
    effective = reconcile_config(pack_info(), json.loads(example.group(1)))
    assert effective[config.ONPREM_WORKLOADS_AVOID_CLOUD_NODES]["onPremCniDaemonSets"] == ["calico-node"]
    assert '"level"' not in readme


def test_a_misspelt_setting_is_refused_naming_the_valid_ones() -> None:
    given = {config.ONPREM_WORKLOADS_AVOID_CLOUD_NODES: {"enforcementLevel": "mandatory", "onPremCniDaemonset": []}}
    with pytest.raises(PolicyPackError) as info:
        reconcile_config(pack_info(), given)
    assert (
        "onprem-workloads-avoid-cloud-nodes: unknown setting 'onPremCniDaemonset'; did you mean onPremCniDaemonSets? "
        "its settings are cloudNodeLabel, onPremCniDaemonSets, terwayDaemonSet"
    ) in str(info.value)
    with pytest.raises(PolicyPackError, match="access-key-limit: unknown setting 'limit'; it takes no settings"):
        reconcile_config(pack_info(), {config.ACCESS_KEY_LIMIT: {"limit": 3}})


def test_an_unknown_policy_name_is_refused_naming_the_policies() -> None:
    with pytest.raises(PolicyPackError) as info:
        reconcile_config(pack_info(), {"one-cni-per-nodes": "advisory"})
    message = str(info.value)
    assert "'one-cni-per-nodes', which the pack does not have; did you mean one-cni-per-node?" in message
    assert "valid: all, access-key-limit, cloud-node-pools-gate-elsewhere, cloud-node-pools-wait-for-gate, " in message


def test_the_pack_itself_refuses_settings_its_policies_do_not_take() -> None:
    with pytest.raises(ValueError, match="policy eni-config-valid: unknown setting 'cloudNodeLabel'"):
        config.GuardSettings.from_config({"cloudNodeLabel": "a=b"}, config.ENI_CONFIG_VALID)
    with pytest.raises(ValueError, match="did you mean terwayDaemonSet"):
        config.check_settings(config.NO_TERWAY_IN_OVERLAY, {"terwayDaemonset": "x"})
    settings = config.GuardSettings.from_config({"cloudNodeLabel": "a=b"}, config.ONE_CNI_PER_NODE)
    assert settings.cloud_node_label == "a=b"


def test_one_version_everywhere(tmp_path: Path) -> None:
    declared = yaml.safe_load((POLICY_DIR / "PulumiPolicy.yaml").read_text())["version"]
    assert declared == __version__ == pack_version(POLICY_DIR) == "0.1.0"
    from preview.run import preview

    preview(ROOT, "dev", None, tmp_path / "dev", policy=True)
    report = json.loads((tmp_path / "dev" / "policy-report.json").read_text())
    assert report["pack"] == {"name": "hybrid-terway-guard", "version": declared}


@pytest.mark.parametrize(
    "label",
    ["a=", "a", "=true", "/a=b", "a/b/c=d", "a=b c", "bad key!=true", f"{'x' * 64}=v", "a=b", "example.com/pool=gpu"],
)
def test_the_settings_and_the_pack_judge_a_cloud_node_label_alike(label: str) -> None:
    """One rule (``scheduling.node_label_problem``): the stack configuration's ``cloudNodeLabel`` and the pack's
    ``cloudNodeLabel`` setting are refused for the same labels, with the same words."""
    from hybrid_terway.core.settings import SettingsError, validate_settings

    try:
        validate_settings({"scenario": "overlay", "clusterId": "c" + "0" * 32, "cloudNodeLabel": label})
        by_settings = None
    except SettingsError as exc:
        (by_settings,) = exc.problems
    try:
        config.GuardSettings.from_config({"cloudNodeLabel": label}, config.ONE_CNI_PER_NODE)
        by_pack = None
    except ValueError as exc:
        by_pack = str(exc)
    if by_settings is None:
        assert by_pack is None
        assert label in ("a=b", "example.com/pool=gpu")
        return
    assert by_pack is not None
    reason = by_settings.split(f"= {label!r}: ", 1)[1]
    assert by_pack == f"policy setting cloudNodeLabel = {label!r}: {reason}"
    assert reason.startswith("must be a node label as key=value")
