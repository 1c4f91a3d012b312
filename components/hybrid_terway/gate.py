"""The gate for cloud nodes: one object that exists only once cloud nodes may join.

A node pool that scales out before the on-prem CNI is kept off cloud nodes gets that CNI on its new nodes, and the
CNI's conflist stays in ``/etc/cni/net.d`` after the patch removes its pod. The gate is a ConfigMap created after
every isolation patch and Terway's configuration and restart are applied (pulumi-kubernetes waits for each
patch's rollout before it reports the patch done; for a tigera ``Installation``, for the operator's rollout of
calico-node, through ``pulumi.com/waitFor``: ``hybrid_terway.core.waits.installation_wait``), so whatever depends on
it waits for all of them. A node pool in
another stack reads the gate's id from this stack's ``cloudNodeGate`` output (docs/cloud-nodes.md).

``gate_waits_for`` and ``gate_data`` are pure; ``cloud_node_gate`` only registers the ConfigMap.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s

from hybrid_terway.core import constants
from hybrid_terway.core.settings import Settings
from hybrid_terway.core.topology import TERWAY_DAEMONSET, ObjectRef


def gate_waits_for(settings: Settings) -> tuple[str, ...]:
    """What the gate waits for, as ``Kind namespace/name``: each on-prem workload's patch, then Terway's objects."""
    refs = [w.object_ref for w in settings.workloads]
    creds = settings.effective_credentials
    if settings.terway is not None and creds is not None:
        refs.append(ObjectRef("ConfigMap", constants.ENI_CONFIG_MAP, constants.TERWAY_NAMESPACE))
        if creds.store == "secret":
            refs.append(ObjectRef("Secret", constants.ADDON_SECRET, constants.TERWAY_NAMESPACE))
        refs.append(TERWAY_DAEMONSET)
    return tuple(str(ref) for ref in refs)


def gate_data(settings: Settings) -> dict[str, str]:
    """The gate's data: the scenario, the cluster and what it waited for (nothing secret)."""
    return {
        "scenario": settings.scenario.value,
        "clusterId": settings.cluster_id,
        constants.CLOUD_NODE_GATE_WAITS_FOR_KEY: "\n".join(gate_waits_for(settings)),
    }


def cloud_node_gate(
    name: str,
    settings: Settings,
    after: Sequence[pulumi.Resource],
    provider: k8s.Provider,
    parent: pulumi.Resource,
) -> k8s.core.v1.ConfigMap:
    """The gate ConfigMap, created (and updated) only after everything in ``after``."""
    return k8s.core.v1.ConfigMap(
        name,
        metadata={
            "name": constants.CLOUD_NODE_GATE_CONFIG_MAP,
            "namespace": constants.CLOUD_NODE_GATE_NAMESPACE,
            "annotations": {constants.PATCH_FIELD_MANAGER_ANNOTATION: constants.FIELD_MANAGER},
        },
        data=gate_data(settings),
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(after)),
    )
