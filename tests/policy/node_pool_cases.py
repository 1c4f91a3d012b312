"""Stacks with ``alicloud.cs.NodePool`` resources for the policies that make node pools wait for the gate.

Node pools are shaped as pulumi_alicloud 4.0.0 registers them (``cs/node_pool.py``: token
``alicloud:cs/nodePool:NodePool``, inputs ``clusterId``, ``nodePoolName``, ``vswitchIds``, ``instanceTypes``,
``desiredSize`` (a string in 4.0.0), ``labels`` as ``{key, value}`` items).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from hybrid_terway.core import constants
from policy.hybrid_terway_guard import config as pc
from preview.engine.policy_harness import AnalyzerResource, resource
from preview.engine.wire import UNKNOWN

if TYPE_CHECKING:
    from tests.policy.policy_cases import Case

# tests.policy.policy_cases adds these cases to its CASES: its building blocks are imported where they are used.
CLUSTER_ID: Final = "c0123456789abcdef0123456789abcdef"
CONFIG_MAP: Final = "kubernetes:core/v1:ConfigMap"
OTHER_CLUSTER: Final = "c99999999999999999999999999999999"
GATE_WAITS_FOR: Final = (
    "DaemonSet kube-system/calico-node",
    "ConfigMap kube-system/eni-config",
    "Secret kube-system/alibaba-addon-secret",
    "DaemonSet kube-system/terway-eniip",
)


def gate(parent: AnalyzerResource, after: Sequence[AnalyzerResource] = ()) -> AnalyzerResource:
    """The gate ConfigMap as ``HybridTerwayNetwork`` registers it (``hybrid_terway.gate``)."""
    props = {
        "metadata": {
            "name": constants.CLOUD_NODE_GATE_CONFIG_MAP,
            "namespace": constants.CLOUD_NODE_GATE_NAMESPACE,
            "annotations": {constants.PATCH_FIELD_MANAGER_ANNOTATION: constants.FIELD_MANAGER},
        },
        "data": {
            "scenario": "bgp",
            "clusterId": CLUSTER_ID,
            constants.CLOUD_NODE_GATE_WAITS_FOR_KEY: "\n".join(GATE_WAITS_FOR),
        },
    }
    return resource(CONFIG_MAP, "hybrid-cloud-node-gate", props, parent=parent, dependencies=[a.urn for a in after])


def node_pool(
    name: str = "cloud-pool",
    cluster: Any = CLUSTER_ID,
    depends_on: Sequence[AnalyzerResource | str] = (),
    property_dependencies: dict[str, list[str]] | None = None,
    project: str = constants.PROJECT,
) -> AnalyzerResource:
    props = {
        "clusterId": cluster,
        "nodePoolName": name,
        "vswitchIds": ["vsw-bp1c3xxxxxxxxxxxxxxxx"],
        "instanceTypes": ["ecs.g7.xlarge"],
        "desiredSize": "2",
        "labels": [{"key": "alibabacloud.com/external", "value": "true"}],
    }
    return resource(
        constants.NODE_POOL_TYPE,
        name,
        props,
        project=project,
        dependencies=[d.urn if isinstance(d, AnalyzerResource) else d for d in depends_on],
        property_dependencies=property_dependencies or {},
    )


def bgp_stack() -> tuple[AnalyzerResource, AnalyzerResource, AnalyzerResource]:
    """The network component, its calico-node patch and the gate that waits for it."""
    from tests.policy.policy_cases import DAEMONSET_PATCH, network, workload_patch

    bgp = network("bgp")
    calico = workload_patch(DAEMONSET_PATCH, "kube-system", "calico-node", {}, parent=bgp)
    return bgp, calico, gate(bgp, [calico])


def node_pool_cases() -> list[Case]:
    from tests.policy.policy_cases import Case

    wait, elsewhere = pc.CLOUD_NODE_POOLS_WAIT_FOR_GATE, pc.CLOUD_NODE_POOLS_GATE_ELSEWHERE
    bgp, calico, the_gate = bgp_stack()
    cases = []
    add = cases.append
    add(Case("node-pool-depends-on-gate", wait, (bgp, calico, the_gate, node_pool(depends_on=[the_gate])), 0))
    # through another resource that waits for the gate
    between = resource("kubernetes:core/v1:Namespace", "cloud-apps", {"metadata": {"name": "cloud-apps"}})
    between = replace(between, dependencies=[the_gate.urn])
    through = (bgp, calico, the_gate, between, node_pool(depends_on=[between]))
    add(Case("node-pool-waits-through-another", wait, through, 0))
    # a component package's network: one URN that stands for all its children
    add(Case("node-pool-depends-on-remote-network", wait, (bgp, calico, the_gate, node_pool(depends_on=[bgp])), 0))
    # the gate's id in an input: a property dependency
    add(
        Case(
            "node-pool-gate-in-an-input",
            wait,
            (bgp, calico, the_gate, node_pool(property_dependencies={"tags": [the_gate.urn]})),
            0,
        )
    )
    add(
        Case(
            "node-pool-without-gate",
            wait,
            (bgp, calico, the_gate, node_pool()),
            1,
            expect=(
                "alicloud.cs.NodePool cloud-pool (cluster c0123456789abcdef0123456789abcdef) does not wait for the "
                "gate for cloud nodes of HybridTerwayNetwork hybrid",
                "ConfigMap kube-system/hybrid-terway-cloud-nodes (resource hybrid-cloud-node-gate)",
                "DaemonSet kube-system/calico-node, ConfigMap kube-system/eni-config",
                "depends_on=[network.cloud_node_gate]",
            ),
        )
    )
    add(
        Case(
            "node-pool-depends-on-the-patch-only",
            wait,
            (bgp, calico, the_gate, node_pool(depends_on=[calico])),
            1,
            expect=("alicloud.cs.NodePool cloud-pool",),
        )
    )
    add(
        Case(
            "node-pool-unknown-cluster",
            wait,
            (bgp, calico, the_gate, node_pool(cluster=UNKNOWN), node_pool("second", depends_on=[the_gate])),
            1,
            expect=("alicloud.cs.NodePool cloud-pool (its cluster) does not wait",),
        )
    )
    add(Case("node-pool-other-cluster-not-judged", wait, (bgp, calico, the_gate, node_pool(cluster=OTHER_CLUSTER)), 0))
    # advisory: the network is in another stack (or manages another cluster)
    add(
        Case(
            "node-pool-without-network",
            elsewhere,
            (node_pool(project="cloud-nodes"),),
            1,
            expect=(
                "alicloud.cs.NodePool cloud-pool (cluster c0123456789abcdef0123456789abcdef): this stack has no "
                "HybridTerwayNetwork",
                "ConfigMap.get with the id in that stack's cloudNodeGate output",
            ),
        )
    )
    read_gate = resource(
        CONFIG_MAP,
        "cloud-node-gate",
        {"metadata": {"name": constants.CLOUD_NODE_GATE_CONFIG_MAP, "namespace": constants.CLOUD_NODE_GATE_NAMESPACE}},
        project="cloud-nodes",
        read=True,
    )
    waits = node_pool(project="cloud-nodes", depends_on=[read_gate])
    add(Case("node-pool-waits-for-a-read-of-the-gate", elsewhere, (read_gate, waits), 0))
    add(
        Case(
            "node-pool-of-another-cluster",
            elsewhere,
            (bgp, calico, the_gate, node_pool(cluster=OTHER_CLUSTER)),
            1,
            expect=("no HybridTerwayNetwork of this stack manages that cluster",),
        )
    )
    add(Case("node-pool-beside-its-network", elsewhere, (bgp, calico, the_gate, node_pool()), 0))
    add(Case("no-node-pool", elsewhere, (bgp, calico, the_gate), 0))
    return cases
