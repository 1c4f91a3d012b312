"""Terway by release: the facts of each tagged release from v1.9.0 to v1.17.5, selected by ``terway.version``.

Without a pin the newest tagged release (v1.17.5) is judged, never main. The cases are read from
AliyunContainerService/terway at each tag (``types/daemon/config.go``, ``pkg/aliyun/client/``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from hybrid_terway.core import constants
from hybrid_terway.core import terway_model as tm
from policy.hybrid_terway_guard.resources import shown, shown_key
from policy.hybrid_terway_guard.terway import eni_conf_problems
from preview.engine.policy_harness import resources_from_run, run_pack
from preview.engine.wire import unwrap
from preview.run import preview
from tests.conftest import ROOT


def problems(conf: dict[str, object], version: str | None) -> list[str]:
    return eni_conf_problems(json.dumps(conf), frozenset(), version)


def test_releases_run_from_v1_9_0_to_v1_17_5_in_version_order() -> None:
    tags = [r.tag for r in tm.RELEASES]
    assert tags[0] == "v1.9.0" and tags[-1] == "v1.17.5" == tm.NEWEST_RELEASE.tag
    assert [r.version for r in tm.RELEASES] == sorted(r.version for r in tm.RELEASES)
    assert tm.NEWEST_RELEASE.commit == "23a85fc3"
    assert all(len(r.commit) == 8 for r in tm.RELEASES)


@pytest.mark.parametrize(
    ("version", "tag"),
    [
        (None, "v1.17.5"),
        ("v1.17.5", "v1.17.5"),
        ("v1.17.4", "v1.17.2"),  # not a tag: the newest tag not after it
        ("v1.13.7-aliyun.1", "v1.13.7"),
        ("v1.18.0", "v1.17.5"),
        ("v1.8.3", "v1.9.0"),
        ("not-a-version", "v1.17.5"),
    ],
)
def test_release_for(version: str | None, tag: str) -> None:
    assert tm.release_for(version).tag == tag


def test_eni_tag_block_list_is_not_in_a_released_terway() -> None:
    conf = {"eni_tag_block_list": [{"key": "k", "value": "v"}]}
    for version in ("v1.17.5", None):
        (problem,) = problems(conf, version)
        assert "'eni_tag_block_list' is not in any released Terway yet: only main reads it (commit 30479a54" in problem
        assert "Terway v1.17.5 ignores it" in problem


def test_rate_limit_unassign_spelling_of_the_releases_is_accepted_for_v1_17_5() -> None:
    conf = {"rate_limit": {"UnAssignPrivateIpAddresses": 300, "UnAssignIpv6Addresses": 300, "": 100}}
    assert problems(conf, "v1.17.5") == []
    assert problems(conf, None) == [], "no pin: the newest release's facts, where these names work"


def test_rate_limit_main_spelling_is_not_in_a_released_terway() -> None:
    (problem,) = problems({"rate_limit": {"UnassignPrivateIpAddresses": 300}}, "v1.17.5")
    assert problem.endswith(
        "rate_limit.UnassignPrivateIpAddresses is main's spelling (commit f718de6b), not in any released Terway yet: "
        "Terway v1.17.5 limits that API only as rate_limit.UnAssignPrivateIpAddresses and ignores this key"
    )


def test_rate_limit_names_follow_the_release() -> None:
    assert problems({"rate_limit": {"DescribeNetworkInterfaceAttribute": 100}}, "v1.17.2") == []
    (late,) = problems({"rate_limit": {"DescribeNetworkInterfaceAttribute": 100}}, "v1.16.6")
    assert "from v1.17.2 on, not in v1.16.6; the key has no effect" in late
    (case,) = problems({"rate_limit": {"createnetworkinterface": 100}}, "v1.17.5")
    assert "it probably means CreateNetworkInterface" in case
    (unknown,) = problems({"rate_limit": {"s3cr3tVm9sY2Fuby1Ub3AtU2VjcmV0": 1}}, "v1.17.5")
    assert "s3cr3t" not in unknown and "a key of 30 characters" in unknown


def test_rate_limit_itself_arrives_in_v1_10_0() -> None:
    (problem,) = problems({"rate_limit": {"CreateNetworkInterface": 100}}, "v1.9.17")
    assert problem.endswith("'rate_limit' is read by Terway v1.10.0 on, not by Terway v1.9.17, which ignores it")


@pytest.mark.parametrize(
    ("key", "value", "reads", "ignores"),
    [
        ("ip_warm_up_size", 2, "v1.16.4", "v1.16.2"),
        ("enable_ip_prefix", True, "v1.17.1", "v1.16.6"),
        ("idle_ip_reclaim_after", "30m", "v1.16.0", "v1.15.3"),
        ("ip_pool_sync_period", "60s", "v1.15.0", "v1.14.5"),
        ("eni_selection_policy", "least_ips", "v1.9.6", "v1.9.3"),
    ],
)
def test_a_key_added_by_a_release(key: str, value: object, reads: str, ignores: str) -> None:
    assert problems({key: value}, reads) == []
    (problem,) = problems({key: value}, ignores)
    assert f"is read by Terway {reads} on, not by Terway {ignores}, which ignores it" in problem


def test_enable_patch_pod_ips_left_and_came_back() -> None:
    for version in ("v1.9.16", "v1.9.17", "v1.13.4", "v1.17.5"):
        assert problems({"enable_patch_pod_ips": True}, version) == [], version
    (problem,) = problems({"enable_patch_pod_ips": True}, "v1.12.1")
    assert "read by Terway v1.9.16 to v1.9.17 and v1.13.4 on, not by Terway v1.12.1" in problem


def test_removed_keys_are_known_to_the_releases_that_read_them() -> None:
    assert problems({"enable_eip_pool": "true", "wait_trunk_eni": True}, "v1.9.3") == []
    assert problems({"eni_cap_policy": "prefer_trunk"}, "v1.10.0") == []
    (removed,) = problems({"eni_cap_policy": "prefer_trunk"}, "v1.11.1")
    assert "was removed upstream by commit 0eb1f4a9: Terway v1.11.1 and later ignore it" in removed
    (typed,) = problems({"wait_trunk_eni": "yes"}, "v1.9.0")
    assert "wait_trunk_eni: a string cannot be decoded into Go bool" in typed


def test_backoff_override_decodes_into_wait_backoff_before_v1_15_0() -> None:
    conf = {"backoff_override": {"x": {"InitialDelay": "1s", "Steps": 3}}}
    assert problems(conf, "v1.14.5") == [], "InitialDelay is an unknown field of wait.Backoff: ignored"
    (problem,) = problems(conf, "v1.15.0")
    assert "InitialDelay: a string cannot be decoded into Go time.Duration" in problem


def test_enumerations_apply_only_where_the_key_is_read() -> None:
    assert problems({"eni_selection_policy": "fewest"}, "v1.9.3") != []  # not read there: reported as such
    (problem,) = problems({"eni_selection_policy": "fewest"}, "v1.17.5")
    assert "must be one of" in problem


def test_the_model_functions_default_to_the_newest_release_not_main() -> None:
    assert list(tm.key_problems({"eni_tag_block_list": []})) != []
    assert "eni_tag_block_list" in tm.KEYS_BY_NAME, "main reads it: the table of main keeps it"
    assert not tm.reads_key(tm.NEWEST_RELEASE, "eni_tag_block_list")
    assert tm.value_problems({"rate_limit": {"x": "5"}}, show=shown) != []
    assert shown_key("rate_limit") == "'rate_limit'"


@pytest.mark.parametrize("pin", ["v1.17.5", None])
def test_the_pinned_version_reaches_the_pack_which_judges_by_that_release(tmp_path: Path, pin: str | None) -> None:
    """terway.version -> the eni-config patch's annotation -> the pack (over the Analyzer protocol) judges the
    eni_conf by that release; unpinned, by the newest tagged release."""
    text = (ROOT / "Pulumi.dev.yaml").read_text()
    if pin:
        text = text.replace("    ipvlan: false\n", f"    version: {pin}\n    ipvlan: false\n")
    (tmp_path / "Pulumi.pinned.yaml").write_text(text)
    result = preview(tmp_path, "pinned", None, tmp_path / "out" / "pinned", policy=True)
    assert result.exit_code == 0, result.summary
    resources = resources_from_run(result.run)
    index, patch = next((i, r) for i, r in enumerate(resources) if r.type == "kubernetes:core/v1:ConfigMapPatch")
    annotations = unwrap(patch.properties)["metadata"]["annotations"]
    assert annotations.get(constants.TERWAY_VERSION_ANNOTATION) == pin
    # An eni_conf as an operator might extend it: main's new key, and the released rate_limit spelling.
    props = unwrap(patch.properties)
    conf = json.loads(props["data"][constants.ENI_CONF_KEY])
    conf.update(eni_tag_block_list=[{"key": "owner", "value": "erdma"}], rate_limit={"UnAssignPrivateIpAddresses": 300})
    props["data"][constants.ENI_CONF_KEY] = json.dumps(conf)
    resources[index] = replace(patch, properties=props)
    report = run_pack(resources)
    found = [v.message for v in report.of("eni-config-valid")]
    assert len(found) == 1, found
    assert "'eni_tag_block_list' is not in any released Terway yet: only main reads it (commit 30479a54" in found[0]
    assert "Terway v1.17.5 ignores it" in found[0]
