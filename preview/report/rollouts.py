"""Which workloads a plan rolls, on how many nodes, with which update strategy, and because of what change.

A change to a workload's pod template replaces its pods. A tigera ``Installation`` change under
``spec.calicoNodeDaemonSet.spec.template`` rolls the DaemonSet the operator renders, ``calico-system/calico-node``.
Only updates roll: a workload the plan creates (Terway installed by its addon) replaces no pod.

Pure functions over the objects before and after the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from hybrid_terway.core import constants
from hybrid_terway.core.objects import value_at
from hybrid_terway.core.topology import tigera_owner
from preview.report.diff import UPDATE, Entry, ObjectChange, PathSegments, format_path
from preview.report.placement import reconciled_workloads
from preview.world.fake_cluster import FakeCluster, Key, key_of
from preview.world.node_index import NodeIndex

_TEMPLATE = ("spec", "template")
_DAEMONSET = "DaemonSet"
_INSTALLATION = constants.TIGERA_INSTALLATION_KIND


@dataclass(frozen=True)
class Rollout:
    """A workload the plan rolls. ``nodes``: for a DaemonSet, the nodes it runs on both before and after the plan
    (their pods are replaced); ``nodes_left``/``nodes_joined``: nodes it stops or starts running on (pods deleted
    or created, not replaced). For a Deployment or StatefulSet, ``nodes`` is its replica count and the other two
    are 0."""

    kind: str
    namespace: str
    name: str
    nodes: int
    nodes_left: int
    nodes_joined: int
    strategy: str
    reason: str

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace + '/' if self.namespace else ''}{self.name}"

    def as_json(self) -> dict[str, Any]:
        """plan.json's form."""
        return {
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "nodes": self.nodes,
            "nodesLeft": self.nodes_left,
            "nodesJoined": self.nodes_joined,
            "strategy": self.strategy,
            "reason": self.reason,
        }


def template_path(kind: str) -> tuple[str, ...] | None:
    """Where a change rolls the workload's pods, or None for a kind that runs no pods."""
    if kind in constants.UPDATE_STRATEGY_PATHS:
        return _TEMPLATE
    if kind == _INSTALLATION:
        return constants.TIGERA_NODE_TEMPLATE_PATH
    return None


def _reason_of(relative: PathSegments) -> str:
    head = tuple(relative[:2])
    if head == ("spec", "affinity"):
        return "affinity"
    if head == ("spec", "nodeSelector"):
        return "nodeSelector"
    if head == ("metadata", "annotations") and len(relative) > 2:
        if relative[2] == constants.RESTART_ANNOTATION:
            return f"config hash (annotation {constants.RESTART_ANNOTATION})"
        return f"annotation {relative[2]}"
    return "pod template " + format_path(relative)


def rolling_reasons(kind: str, entries: Iterable[Entry]) -> list[str]:
    """What in ``entries`` changes the pod template, in words, each once (empty: nothing rolls)."""
    prefix = template_path(kind)
    if prefix is None:
        return []
    reasons: list[str] = []
    for entry in entries:
        if tuple(entry.path[: len(prefix)]) == prefix and len(entry.path) > len(prefix):
            reason = _reason_of(entry.path[len(prefix) :])
            if reason not in reasons:
                reasons.append(reason)
    return reasons


def update_strategy(kind: str, obj: Mapping[str, Any] | None) -> str:
    path = constants.UPDATE_STRATEGY_PATHS.get(kind)
    value = value_at(obj, path) if path else None
    return str(value) if value else constants.DEFAULT_UPDATE_STRATEGY


def _operator_daemonset(installation: str, objects: Mapping[Key, Mapping[str, Any]]) -> Key:
    """The calico-node DaemonSet the operator renders for ``installation`` (from the snapshot when it holds it)."""
    for key, obj in objects.items():
        if key[0] == _DAEMONSET and key[2] == constants.TIGERA_NODE_DAEMONSET and tigera_owner(obj) == installation:
            return key
    return (_DAEMONSET, constants.TIGERA_NAMESPACE, constants.TIGERA_NODE_DAEMONSET)


class _NodeSets:
    """On which nodes each workload runs, in one cluster state."""

    def __init__(self, objects: Mapping[Key, Mapping[str, Any]], index: NodeIndex | None) -> None:
        cluster = FakeCluster(dict(objects))  # type: ignore[arg-type]
        self._index = index or NodeIndex(cluster.nodes())
        self._specs = {key_of(w): spec for w, spec in reconciled_workloads(cluster)}

    def of(self, key: Key) -> frozenset[str]:
        return self._index.admitted(self._specs[key]) if key in self._specs else frozenset()


def rollouts(
    changes: Iterable[ObjectChange],
    before: Mapping[Key, Mapping[str, Any]],
    after: Mapping[Key, Mapping[str, Any]],
    index: NodeIndex | None = None,
) -> list[Rollout]:
    """Every workload a change rolls, in (kind, namespace, name) order. ``index``: a NodeIndex of the cluster's
    nodes (the same before and after), shared with the placement judgement."""
    found: dict[Key, Rollout] = {}
    node_sets: tuple[_NodeSets, _NodeSets] | None = None
    for change in changes:
        if change.change != UPDATE:
            continue
        reasons = rolling_reasons(change.kind, change.entries)
        if not reasons:
            continue
        if change.kind == _INSTALLATION:
            target = _operator_daemonset(change.name, before)
            source: Key = target if target in after else (_INSTALLATION, "", change.name)
            live = before.get(target)
            strategy = (
                update_strategy(_DAEMONSET, live)
                if live is not None
                else str(
                    value_at(change.after, (*constants.TIGERA_NODE_UPDATE_STRATEGY_PATH, "type"))
                    or constants.DEFAULT_UPDATE_STRATEGY
                )
            )
            reasons = [f"Installation {change.name}: {r}" for r in reasons]
        else:
            target = source = (change.kind, change.namespace, change.name)
            strategy = update_strategy(change.kind, change.after)
        if target[0] == _DAEMONSET:
            if node_sets is None:
                node_sets = (_NodeSets(before, index), _NodeSets(after, index))
            was = node_sets[0].of(source if source in before else target)
            will = node_sets[1].of(source)
            nodes, left, joined = len(was & will), len(was - will), len(will - was)
        else:
            replicas = value_at(change.after, ("spec", "replicas"))
            nodes, left, joined = (replicas if isinstance(replicas, int) else constants.DEFAULT_REPLICAS), 0, 0
        entry = found.get(target) or Rollout(*target, nodes, left, joined, strategy, "")
        found[target] = replace(entry, reason=", ".join(r for r in [entry.reason, *reasons] if r))
    return [found[k] for k in sorted(found)]
