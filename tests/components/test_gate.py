"""The gate for cloud nodes: what it waits for in the program, and the pack's node-pool policies over the protocol.

The node pools are added to what the real program registered, shaped as pulumi_alicloud 4.0.0 registers an
``alicloud.cs.NodePool`` (``tests/policy/node_pool_cases.py``); the pack runs as its own process.
"""

from __future__ import annotations

from collections.abc import Mapping

from hybrid_terway.config import validate_settings
from hybrid_terway.core import constants
from hybrid_terway.gate import gate_data, gate_waits_for
from policy.hybrid_terway_guard import config as pc
from preview.engine.policy_harness import AnalyzerResource, PolicyPackProcess, resources_from_run
from preview.engine.program import ProgramRun
from tests.components.test_program import depends
from tests.conftest import by_type, one
from tests.policy.node_pool_cases import node_pool

GATE_TYPE = "kubernetes:core/v1:ConfigMap"
PATCH_TYPES = ("kubernetes:apps/v1:DaemonSetPatch", "kubernetes:core/v1:ConfigMapPatch", "kubernetes:core/v1:Secret")


def test_the_gate_waits_for_every_patch_and_terways_restart(example_runs: Mapping[str, ProgramRun]) -> None:
    run = example_runs["dev"]
    gate = one(run, GATE_TYPE, "cloud-node-gate")
    assert not gate.read and gate.parent == one(run, constants.NETWORK_COMPONENT_TYPE).urn
    patches = [r for t in PATCH_TYPES for r in by_type(run, t)]
    assert {p.name for p in patches} == {
        "hybrid-isolation-daemonset-kube-system-calico-node",
        "hybrid-terway-eni-config",
        "hybrid-terway-credentials",
        "hybrid-terway-daemonset",
    }
    for patch in patches:
        assert depends(run, gate, patch), patch.name
    assert run.outputs["cloudNodeGate"] == constants.CLOUD_NODE_GATE_ID
    assert run.outputs["readyForCloudNodes"] is True


def test_the_gate_says_what_it_waited_for(example_runs: Mapping[str, ProgramRun]) -> None:
    data = one(example_runs["dev"], GATE_TYPE, "cloud-node-gate").inputs["data"]
    assert data[constants.CLOUD_NODE_GATE_WAITS_FOR_KEY].splitlines() == [
        "DaemonSet kube-system/calico-node",
        "ConfigMap kube-system/eni-config",
        "Secret kube-system/alibaba-addon-secret",
        "DaemonSet kube-system/terway-eniip",
    ]
    assert data["scenario"] == "bgp"


def test_overlay_without_workloads_has_a_gate_that_waits_for_nothing() -> None:
    settings = validate_settings({"scenario": "overlay", "clusterId": "c" + "0" * 32})
    assert gate_waits_for(settings) == ()
    assert gate_data(settings)[constants.CLOUD_NODE_GATE_WAITS_FOR_KEY] == ""


def test_configmap_store_has_no_credentials_secret_to_wait_for() -> None:
    settings = validate_settings(
        {
            "scenario": "host",
            "clusterId": "c" + "0" * 32,
            "terway": {
                "podVswitches": {"cn-hangzhou-h": ["vsw-bp1a2b3c4d5e6f7g8h9i0"]},
                "serviceCidr": "10.96.0.0/12",
                "securityGroupIds": ["sg-bp1a2b3c4d5e6f7g8h9i"],
            },
            "credentials": {"store": "configmap"},
        }
    )
    assert gate_waits_for(settings) == ("ConfigMap kube-system/eni-config", "DaemonSet kube-system/terway-eniip")


def program_resources(run: ProgramRun) -> tuple[list[AnalyzerResource], AnalyzerResource]:
    resources = resources_from_run(run)
    gate = next(r for r in resources if r.type == GATE_TYPE and r.name.endswith("cloud-node-gate"))
    return resources, gate


def test_a_node_pool_that_depends_on_the_gate_passes(
    pack: PolicyPackProcess, example_runs: Mapping[str, ProgramRun]
) -> None:
    resources, gate = program_resources(example_runs["dev"])
    cluster = example_runs["dev"].outputs["clusterId"]
    report = pack.run([*resources, node_pool(cluster=cluster, depends_on=[gate])])
    assert report.of(pc.CLOUD_NODE_POOLS_WAIT_FOR_GATE) == []
    assert report.of(pc.CLOUD_NODE_POOLS_GATE_ELSEWHERE) == []


def test_a_node_pool_that_does_not_wait_is_mandatory_naming_both(
    pack: PolicyPackProcess, example_runs: Mapping[str, ProgramRun]
) -> None:
    resources, gate = program_resources(example_runs["dev"])
    cluster = example_runs["dev"].outputs["clusterId"]
    pool = node_pool(cluster=cluster)
    report = pack.run([*resources, pool])
    (violation,) = report.of(pc.CLOUD_NODE_POOLS_WAIT_FOR_GATE)
    assert violation.level == "mandatory" and violation.urn == pool.urn
    assert f"alicloud.cs.NodePool cloud-pool (cluster {cluster}) does not wait for the gate" in violation.message
    assert f"ConfigMap {constants.CLOUD_NODE_GATE_ID} (resource {gate.name})" in violation.message
    assert (
        "DaemonSet kube-system/calico-node, ConfigMap kube-system/eni-config, Secret kube-system/alibaba-addon-secret, "
        "DaemonSet kube-system/terway-eniip are applied and rolled out"
    ) in violation.message
    assert report.of(pc.CLOUD_NODE_POOLS_GATE_ELSEWHERE) == []


def test_a_node_pool_in_a_stack_without_the_component_is_advisory(pack: PolicyPackProcess) -> None:
    pool = node_pool(project="cloud-nodes")
    report = pack.run([pool])
    assert report.of(pc.CLOUD_NODE_POOLS_WAIT_FOR_GATE) == []
    (violation,) = report.of(pc.CLOUD_NODE_POOLS_GATE_ELSEWHERE)
    assert violation.level == "advisory" and violation.urn == pool.urn
    assert "this stack has no HybridTerwayNetwork" in violation.message
    assert "ConfigMap.get with the id in that stack's cloudNodeGate output" in violation.message
    assert report.mandatory() == []
