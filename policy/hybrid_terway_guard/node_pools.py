"""Node pools wait for the gate for cloud nodes: a node pool that scales out early lands the on-prem CNI there.

``HybridTerwayNetwork`` creates the gate (ConfigMap ``kube-system/hybrid-terway-cloud-nodes``) once every isolation
patch and Terway's configuration are applied and rolled out (``hybrid_terway.gate``). In a stack that has the
component, every ``alicloud.cs.NodePool`` of its cluster must depend on that gate, directly or through other
resources (mandatory). A node pool in a stack without the component is reported as advisory (its gate lives in
another stack, which the pack cannot see) unless it waits for a read (``ConfigMap.get``) of that gate.

pulumi-policy reports a violation at its policy's level, so the two levels are two policies over one judgement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from pulumi_policy import EnforcementLevel, StackValidationPolicy
from pulumi_policy.proxy import UnknownValueError

from hybrid_terway.core import constants

from . import config
from .resources import CONFIG_MAP, CORE_V1, Report, ResourceView, kube_object, mapping, text
from .wiring import on_stack_unconfigured

CLOUD_NODE_POOLS_WAIT_FOR_GATE: Final = config.CLOUD_NODE_POOLS_WAIT_FOR_GATE
CLOUD_NODE_POOLS_GATE_ELSEWHERE: Final = config.CLOUD_NODE_POOLS_GATE_ELSEWHERE

_CLUSTER_ID: Final = re.compile(r"c[0-9a-f]{32}")
_GATE: Final = f"ConfigMap {constants.CLOUD_NODE_GATE_ID}"
_DOCS: Final = "docs/cloud-nodes.md"


@dataclass(frozen=True)
class Network:
    """A ``HybridTerwayNetwork`` of the stack and its gate (None when the stack has no such ConfigMap under it)."""

    resource: ResourceView
    cluster_id: str | None
    gate: ResourceView | None
    waits_for: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    urn: str
    message: str
    mandatory: bool


def _cluster_of(resource: ResourceView) -> str | None:
    """The known ``clusterId`` of a resource (a node pool, a network component), or None."""
    try:
        return text(resource.props.get("clusterId"))
    except UnknownValueError:
        return None


def _shown_cluster(cluster: str | None) -> str:
    return f"cluster {cluster}" if cluster and _CLUSTER_ID.fullmatch(cluster) else "its cluster"


def is_gate(resource: ResourceView) -> bool:
    obj = kube_object(resource)
    return (
        obj is not None
        and not obj.patch
        and obj.is_named(CORE_V1, CONFIG_MAP, constants.CLOUD_NODE_GATE_NAMESPACE, constants.CLOUD_NODE_GATE_CONFIG_MAP)
    )


def _waits_for(gate: ResourceView) -> tuple[str, ...]:
    try:
        data = mapping(gate.props.get("data")) or {}
        listed = text(data.get(constants.CLOUD_NODE_GATE_WAITS_FOR_KEY)) or ""
    except UnknownValueError:
        return ()
    return tuple(line for line in listed.splitlines() if line)


def _ancestors(urn: str, parents: Mapping[str, str | None]) -> Iterator[str]:
    seen: set[str] = set()
    parent = parents.get(urn)
    while parent and parent not in seen:
        seen.add(parent)
        yield parent
        parent = parents.get(parent)


def networks_of(resources: Sequence[ResourceView]) -> list[Network]:
    parents = {r.urn: r.parent for r in resources}
    gates = [r for r in resources if is_gate(r)]
    found = []
    for r in resources:
        if r.type != constants.NETWORK_COMPONENT_TYPE:
            continue
        gate = next((g for g in gates if r.urn in set(_ancestors(g.urn, parents))), None)
        found.append(Network(r, _cluster_of(r), gate, _waits_for(gate) if gate else ()))
    return found


def reached(start: ResourceView, resources: Sequence[ResourceView]) -> set[str]:
    """Every URN ``start`` waits for, directly or through other resources.

    A dependency on a component (a component package's, which the SDK keeps as one URN) waits for everything
    under it, as the engine's Construct returns only once its children are done.
    """
    edges = {
        r.urn: {*r.dependencies, *(urn for deps in r.property_dependencies.values() for urn in deps)} for r in resources
    }
    children: dict[str, set[str]] = {}
    for r in resources:
        if r.parent:
            children.setdefault(r.parent, set()).add(r.urn)
    seen: set[str] = set()
    todo = list(edges.get(start.urn, ()))
    while todo:
        urn = todo.pop()
        if urn in seen:
            continue
        seen.add(urn)
        todo.extend(edges.get(urn, ()))
        todo.extend(children.get(urn, ()))
    return seen


def judge_node_pools(resources: Sequence[ResourceView]) -> list[Verdict]:
    """One verdict per node pool that does not wait for the gate of its cluster (mandatory), or whose gate this
    stack cannot show (advisory)."""
    pools = [r for r in resources if r.type == constants.NODE_POOL_TYPE]
    if not pools:
        return []
    networks = networks_of(resources)
    verdicts = []
    for pool in pools:
        cluster = _cluster_of(pool)
        where = f"alicloud.cs.NodePool {pool.name} ({_shown_cluster(cluster)})"
        mine = [n for n in networks if cluster is None or n.cluster_id is None or n.cluster_id == cluster]
        waited = reached(pool, resources)
        if not mine and any(is_gate(r) and r.urn in waited for r in resources):
            continue  # it waits for a read (.get) of the gate its network's stack creates
        if not mine:
            elsewhere = (
                "this stack has no HybridTerwayNetwork"
                if not networks
                else "no HybridTerwayNetwork of this stack manages that cluster"
            )
            verdicts.append(
                Verdict(
                    pool.urn,
                    f"{where}: {elsewhere}, so the pack cannot see whether its nodes wait for the gate for cloud "
                    f"nodes ({_GATE}) of the stack that has it; make the node pool depend on a read of the gate "
                    "(ConfigMap.get with the id in that stack's cloudNodeGate output, through a StackReference; "
                    f"{_DOCS})",
                    mandatory=False,
                )
            )
            continue
        if any(n.gate is not None and n.gate.urn in waited for n in mine):
            continue
        for network in mine:
            what = ", ".join(network.waits_for) or "every isolation patch and Terway's configuration"
            gate = f"{_GATE} (resource {network.gate.name})" if network.gate else _GATE
            verdicts.append(
                Verdict(
                    pool.urn,
                    f"{where} does not wait for the gate for cloud nodes of HybridTerwayNetwork "
                    f"{network.resource.name}: it must depend on {gate}, directly or through other resources, "
                    f"which exists only once {what} are applied and rolled out; otherwise new nodes may get the "
                    "on-prem CNI and keep its conflist. Add depends_on=[network.cloud_node_gate] to the node "
                    f"pool's options ({_DOCS})",
                    mandatory=True,
                )
            )
    return verdicts


def node_pools_wait_for_gate(resources: Sequence[ResourceView], report: Report) -> None:
    for verdict in judge_node_pools(resources):
        if verdict.mandatory:
            report(verdict.message, verdict.urn)


def node_pools_gate_elsewhere(resources: Sequence[ResourceView], report: Report) -> None:
    for verdict in judge_node_pools(resources):
        if not verdict.mandatory:
            report(verdict.message, verdict.urn)


# --- the policies ------------------------------------------------------------------------------------


cloud_node_pools_wait_for_gate = StackValidationPolicy(
    name=CLOUD_NODE_POOLS_WAIT_FOR_GATE,
    description=(
        "Each alicloud.cs.NodePool of a registered cluster managed in the stack must depend, directly or "
        f"transitively, on its gate for cloud nodes ({_GATE}): cloud nodes join only once the on-prem CNI is kept "
        "off them and Terway is configured."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=on_stack_unconfigured(CLOUD_NODE_POOLS_WAIT_FOR_GATE, node_pools_wait_for_gate),
)

cloud_node_pools_gate_elsewhere = StackValidationPolicy(
    name=CLOUD_NODE_POOLS_GATE_ELSEWHERE,
    description=(
        "An alicloud.cs.NodePool in a stack without the HybridTerwayNetwork of its cluster should wait for that "
        "stack's cloudNodeGate output; the pack cannot see the other stack."
    ),
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=on_stack_unconfigured(CLOUD_NODE_POOLS_GATE_ELSEWHERE, node_pools_gate_elsewhere),
)

POLICIES: Final = (cloud_node_pools_wait_for_gate, cloud_node_pools_gate_elsewhere)
