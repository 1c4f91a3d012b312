"""Which CNIs and on-prem workloads would run on each node once the plan is applied.

Judged with ``hybrid_terway.core.scheduling.pod_fits_node`` (nodeSelector and required node affinity). Taints are left
out: Terway and the common CNIs tolerate every taint, so taints never decide where a CNI runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from hybrid_terway.core import constants, scheduling, topology
from hybrid_terway.core.settings import Settings
from hybrid_terway.core.topology import CniRole, NodeClass, ObjectRef, tigera_owner
from hybrid_terway.core.vocabulary import Scenario
from preview.world.fake_cluster import FakeCluster, key_of
from preview.world.node_index import NodeIndex


def _ref(obj: Mapping[str, Any]) -> ObjectRef:
    kind, namespace, name = key_of(obj)
    return ObjectRef(kind, name, namespace or None)


def workload_ref(obj: Mapping[str, Any]) -> str:
    return str(_ref(obj))


def is_terway(obj: Mapping[str, Any]) -> bool:
    return _ref(obj) == topology.TERWAY_DAEMONSET


def is_onprem_cni(obj: Mapping[str, Any]) -> bool:
    return topology.is_onprem_cni(_ref(obj))


def is_onprem_only(obj: Mapping[str, Any], listed: set[tuple[str, str, str]]) -> bool:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return key_of(obj) in listed or labels.get(constants.PLACEMENT_LABEL) == constants.PLACEMENT_ONPREM


def expected_cnis(scenario: Scenario, cloud: bool) -> str:
    """What a node of this class must run, in words (for messages and the report)."""
    expected = topology.expected_cni(scenario, NodeClass.of(cloud))
    if expected is CniRole.TERWAY:
        return f"{constants.TERWAY_DAEMONSET} only"
    if expected is CniRole.ONPREM:
        return "the on-prem overlay CNI only" if scenario is Scenario.OVERLAY else "the on-prem CNI only"
    return "no CNI DaemonSet (host network)"


def cni_of(obj: Mapping[str, Any]) -> str:
    """Which CNI a CNI workload belongs to: the node-local DaemonSets of one CNI count as one CNI."""
    return topology.cni_of(_ref(obj))


@dataclass(frozen=True)
class Cni:
    """A CNI workload on a node: its reference, the CNI it counts as (one per family), whether it is Terway."""

    ref: ObjectRef
    cni: str
    terway: bool

    @staticmethod
    def of(obj: Mapping[str, Any]) -> Cni:
        return Cni(_ref(obj), cni_of(obj), is_terway(obj))


@dataclass(frozen=True)
class NodeState:
    """What runs on a node in one state of the cluster (today, or after the plan)."""

    cnis: tuple[Cni, ...]
    onprem_workloads: tuple[str, ...]
    ok: bool

    def as_json(self) -> dict[str, Any]:
        return {"cni": [str(c.ref) for c in self.cnis], "onPremWorkloads": list(self.onprem_workloads), "ok": self.ok}


@dataclass(frozen=True)
class NodeVerdict:
    """One node: its class (cloud or on-prem, labels), what runs there after the plan and, once joined with today's
    judgement, today (None also when the node is not in it)."""

    name: str
    cloud: bool
    labels: Mapping[str, str]
    after: NodeState
    before: NodeState | None = None

    def as_json(self, with_before: bool, states: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
        """``states``: the JSON of each NodeState already written, by identity (the nodes of one class share
        theirs)."""
        states = {} if states is None else states
        out = {"name": self.name, "cloud": self.cloud, "labels": dict(sorted(self.labels.items()))}
        out |= _state_json(self.after, states)
        if with_before:
            out["before"] = None if self.before is None else _state_json(self.before, states)
        return out


def _state_json(state: NodeState, states: dict[int, dict[str, Any]]) -> dict[str, Any]:
    found = states.get(id(state))
    if found is None:
        found = states[id(state)] = state.as_json()
    return {key: list(value) if isinstance(value, list) else value for key, value in found.items()}


@dataclass(frozen=True)
class Placement:
    """The judgement of every node of one cluster state; ``today``: the verdict (ok, problems) of the same cluster
    before the plan, once :func:`with_before` has joined the two."""

    scenario: Scenario
    cloud_node_label: str
    representative: bool
    problems: tuple[str, ...]
    nodes: tuple[NodeVerdict, ...]
    today: tuple[bool, tuple[str, ...]] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        """placement.json's form."""
        states: dict[int, dict[str, Any]] = {}  # held while the nodes are written: the ids stay unique
        out: dict[str, Any] = {
            "scenario": self.scenario.value,
            "cloudNodeLabel": self.cloud_node_label,
            "representative": self.representative,
            "ok": self.ok,
            "problems": list(self.problems),
            "nodes": [n.as_json(self.today is not None, states) for n in self.nodes],
        }
        if self.today is not None:
            out["before"] = {"ok": self.today[0], "problems": list(self.today[1])}
        return out


def _counts(cnis: Sequence[Cni]) -> tuple[int, int]:
    """(Terway's workloads, the other CNIs counted one per CNI)."""
    return sum(1 for c in cnis if c.terway), len({c.cni for c in cnis if not c.terway})


def _cnis_ok(scenario: Scenario, cloud: bool, terway: int, onprem: int) -> bool:
    return topology.cnis_hold(scenario, NodeClass.of(cloud), terway, onprem)


def family_problems(
    nodes: NodeIndex, settings: Settings, workloads: Sequence[tuple[dict[str, Any], frozenset[str]]]
) -> list[str]:
    """A listed on-prem CNI DaemonSet whose CNI has other node-local DaemonSets, not listed, that would run on
    cloud nodes: keeping one of them off cloud nodes leaves the rest of that CNI running there.

    ``nodes``: the cluster's nodes (its classes split on the cloud-node label); ``workloads``: each workload with
    the names of the nodes it runs on."""
    listed = {(w.kind.value, w.namespace or "", w.name) for w in settings.workloads}
    cloud_nodes = sorted(name for name, number in nodes.class_of.items() if nodes.cloud[number])
    problems = []
    for index, workload in enumerate(settings.workloads):
        family = constants.cni_family(workload.name) if workload.kind.value == "DaemonSet" else None
        if family is None:
            continue
        cni, names = family
        missing = []
        for obj, runs_on in workloads:
            kind, namespace, name = key_of(obj)
            if kind != "DaemonSet" or name == workload.name or name not in names or (kind, namespace, name) in listed:
                continue
            reached = [node for node in cloud_nodes if node in runs_on]
            if reached:
                missing.append(f"{workload_ref(obj)} (would run on {', '.join(reached)})")
        if missing:
            problems.append(
                f"{constants.PROJECT}:onPremWorkloads[{index}] lists {workload.ref}, but {cni} also runs "
                f"{'; '.join(missing)}: list every node-local DaemonSet of {cni} in onPremWorkloads"
            )
    return problems


def reconciled_workloads(cluster: FakeCluster) -> list[tuple[dict[str, Any], Mapping[str, Any] | None]]:
    """Each workload with the pod spec it runs with, once the tigera operator has reconciled its DaemonSets.

    The operator renders ``calico-system/calico-node`` from the ``Installation``: a DaemonSet it owns takes the
    Installation's affinity override, and stands for the Installation (one CNI, not two).
    """
    workloads = cluster.workloads()
    installations = {
        key_of(w)[2]: scheduling.pod_spec_of(w) for w in workloads if key_of(w)[0] == constants.TIGERA_INSTALLATION_KIND
    }
    owned = {owner for w in workloads if key_of(w)[0] == "DaemonSet" and (owner := tigera_owner(w)) in installations}
    result: list[tuple[dict[str, Any], Mapping[str, Any] | None]] = []
    for w in workloads:
        kind, _, name = key_of(w)
        spec = scheduling.pod_spec_of(w)
        if kind == constants.TIGERA_INSTALLATION_KIND and name in owned:
            continue  # its DaemonSet is in the cluster and stands for it
        owner = tigera_owner(w) if kind == "DaemonSet" else None
        if owner in installations:
            override = (installations[owner] or {}).get("affinity")
            spec = {**(spec or {}), "affinity": override} if override is not None else spec
        result.append((w, spec))
    return result


def judged_workloads(cluster: FakeCluster, settings: Settings) -> list[tuple[dict[str, Any], Mapping[str, Any] | None]]:
    """The workloads placement judges, with the pod spec each runs with (``reconciled_workloads``): the CNIs,
    the on-prem-only workloads, and every DaemonSet of a CNI with several node-local DaemonSets."""
    listed = {(w.kind.value, w.namespace or "", w.name) for w in settings.workloads}
    return [
        (w, spec)
        for w, spec in reconciled_workloads(cluster)
        if is_terway(w)
        or is_onprem_cni(w)
        or is_onprem_only(w, listed)
        or (key_of(w)[0] == "DaemonSet" and constants.cni_family(key_of(w)[2]) is not None)
    ]


def judge_placement(
    cluster: FakeCluster,
    settings: Settings,
    representative: bool,
    index: NodeIndex | None = None,
    judged: Sequence[tuple[dict[str, Any], Mapping[str, Any] | None]] | None = None,
) -> Placement:
    """``index``: a NodeIndex of this cluster's nodes, to share with other judgements of the same nodes (one that
    does not cover this cluster's workloads is replaced by one that does); ``judged``: this cluster's
    ``judged_workloads``, where the caller has them."""
    label = settings.cloud_node_label
    listed = {(w.kind.value, w.namespace or "", w.name) for w in settings.workloads}
    reconciled = judged_workloads(cluster, settings) if judged is None else judged
    specs = [spec for _, spec in reconciled]
    if index is None or not index.covers(specs, label):
        index = NodeIndex(cluster.nodes(), specs, label)
    workloads = [(w, index.admitted(spec)) for w, spec in reconciled]
    classes = [(w, index.admitted_classes(spec)) for w, spec in reconciled]
    cnis = [(Cni.of(w), c) for w, c in classes if is_terway(w) or is_onprem_cni(w)]
    onprem_only = [(w, c) for w, c in classes if is_onprem_only(w, listed) and not is_onprem_cni(w)]
    verdicts = []  # per class: (its CNIs, the on-prem workloads that can land on it, what is wrong with its CNIs)
    for number, cloud in enumerate(index.cloud):
        running = tuple(cni for cni, admitted in cnis if number in admitted)
        landing = tuple(workload_ref(w) for w, admitted in onprem_only if number in admitted)
        cni_problem = None
        if not _cnis_ok(settings.scenario, cloud, *_counts(running)):
            names = ", ".join(str(c.ref) for c in running) or "no CNI"
            cni_problem = f"runs {names}; expected {expected_cnis(settings.scenario, cloud)}"
        verdicts.append((running, landing, cni_problem))
    nodes: list[NodeVerdict] = []
    problems: list[str] = family_problems(index, settings, workloads)
    for node in cluster.nodes():
        name = node["metadata"]["name"]
        number = index.class_of[name]
        cloud = index.cloud[number]
        running, landing, cni_problem = verdicts[number]
        node_problems = []
        if cni_problem is not None:
            node_problems.append(f"{'cloud' if cloud else 'on-prem'} node {name} {cni_problem}")
        if cloud and landing:
            node_problems.append(f"cloud node {name} can run on-prem workloads {', '.join(landing)}")
        problems += node_problems
        labels = (node.get("metadata") or {}).get("labels") or {}
        nodes.append(NodeVerdict(name, cloud, labels, NodeState(running, landing, not node_problems)))
    return Placement(settings.scenario, label, representative, tuple(problems), tuple(nodes))


def with_before(after: Placement, before: Placement) -> Placement:
    """The judgement after the plan, each node also holding its state today."""
    today = {n.name: n.after for n in before.nodes}
    nodes = tuple(replace(n, before=today.get(n.name)) for n in after.nodes)
    return replace(after, nodes=nodes, today=(before.ok, before.problems))


_NUMBERS = ("no", "one", "two", "three", "four")


def findings(placement: Placement, today: bool) -> list[str]:
    """What is wrong on the nodes, counted: ``["2 cloud nodes run two CNIs", ...]`` (empty: every node holds).

    ``today`` reads each node's state before the plan; otherwise the state after it.
    """
    counts: Counter[tuple[str, str, str]] = Counter()
    for node in placement.nodes:
        state = node.before if today else node.after
        if state is None or state.ok:
            continue
        where = "cloud" if node.cloud else "on-prem"
        terway, onprem = _counts(state.cnis)
        if not _cnis_ok(placement.scenario, node.cloud, terway, onprem):
            if terway + onprem >= 2:
                total = terway + onprem
                number = _NUMBERS[total] if total < len(_NUMBERS) else str(total)
                counts[(where, f"runs {number} CNIs", f"run {number} CNIs")] += 1
            elif not state.cnis:
                counts[(where, "runs no CNI", "run no CNI")] += 1
            else:
                expected = expected_cnis(placement.scenario, node.cloud)
                first = state.cnis[0].ref
                counts[(where, f"runs {first}, not {expected}", f"run {first}, not {expected}")] += 1
        if node.cloud and state.onprem_workloads:
            counts[(where, "can run on-prem workloads", "can run on-prem workloads")] += 1
    return [
        f"{count} {where} node{'' if count == 1 else 's'} {one if count == 1 else many}"
        for (where, one, many), count in sorted(counts.items())
    ]
