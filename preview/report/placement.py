"""Which CNIs and on-prem workloads would run on each node once the plan is applied.

Judged with ``hybrid_terway.core.scheduling.pod_fits_node`` (nodeSelector and required node affinity). Taints are left
out: Terway and the common CNIs tolerate every taint, so taints never decide where a CNI runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
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


def _node_ok(scenario: Scenario, cloud: bool, cnis: Sequence[Mapping[str, Any]]) -> bool:
    terway = sum(1 for c in cnis if is_terway(c))
    return _cnis_ok(scenario, cloud, terway, len({cni_of(c) for c in cnis if not is_terway(c)}))


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


def judged_workloads(
    cluster: FakeCluster, settings: Settings
) -> list[tuple[dict[str, Any], Mapping[str, Any] | None]]:
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
    cluster: FakeCluster, settings: Settings, representative: bool, index: NodeIndex | None = None
) -> dict[str, Any]:
    """``index``: a NodeIndex of this cluster's nodes, to share with other judgements of the same nodes (one that
    does not cover this cluster's workloads is replaced by one that does)."""
    label = settings.cloud_node_label
    listed = {(w.kind.value, w.namespace or "", w.name) for w in settings.workloads}
    reconciled = judged_workloads(cluster, settings)
    specs = [spec for _, spec in reconciled]
    if index is None or not index.covers(specs, label):
        index = NodeIndex(cluster.nodes(), specs, label)
    workloads = [(w, index.admitted(spec)) for w, spec in reconciled]
    classes = [(w, index.admitted_classes(spec)) for w, spec in reconciled]
    cnis = [(w, c) for w, c in classes if is_terway(w) or is_onprem_cni(w)]
    onprem_only = [(w, c) for w, c in classes if is_onprem_only(w, listed) and not is_onprem_cni(w)]
    verdicts = []  # per class: (cloud, its CNIs, the on-prem workloads that can land on it, what is wrong)
    for number, cloud in enumerate(index.cloud):
        running = [w for w, admitted in cnis if number in admitted]
        landing = [workload_ref(w) for w, admitted in onprem_only if number in admitted]
        cni_problem = None
        if not _node_ok(settings.scenario, cloud, running):
            names = ", ".join(workload_ref(w) for w in running) or "no CNI"
            cni_problem = f"runs {names}; expected {expected_cnis(settings.scenario, cloud)}"
        verdicts.append((cloud, [workload_ref(w) for w in running], landing, cni_problem))
    nodes_report: list[dict[str, Any]] = []
    problems: list[str] = family_problems(index, settings, workloads)
    for node in cluster.nodes():
        name = node["metadata"]["name"]
        cloud, running_refs, landing_refs, cni_problem = verdicts[index.class_of[name]]
        node_problems = []
        if cni_problem is not None:
            node_problems.append(f"{'cloud' if cloud else 'on-prem'} node {name} {cni_problem}")
        if cloud and landing_refs:
            node_problems.append(f"cloud node {name} can run on-prem workloads {', '.join(landing_refs)}")
        problems += node_problems
        nodes_report.append(
            {
                "name": name,
                "cloud": cloud,
                "labels": dict(sorted(((node.get("metadata") or {}).get("labels") or {}).items())),
                "cni": list(running_refs),
                "onPremWorkloads": list(landing_refs),
                "ok": not node_problems,
            }
        )
    return {
        "scenario": settings.scenario.value,
        "cloudNodeLabel": label,
        "representative": representative,
        "ok": not problems,
        "problems": problems,
        "nodes": nodes_report,
    }


def with_before(after: Mapping[str, Any], before: Mapping[str, Any]) -> dict[str, Any]:
    """The judgement after the plan, each node also holding ``before``: ``{cni, onPremWorkloads, ok}`` today."""
    today = {n["name"]: n for n in before["nodes"]}
    nodes = []
    for node in after["nodes"]:
        was = today.get(node["name"])
        then = {k: was[k] for k in ("cni", "onPremWorkloads", "ok")} if was is not None else None
        nodes.append({**node, "before": then})
    return {**after, "nodes": nodes, "before": {"ok": before["ok"], "problems": list(before["problems"])}}


_NUMBERS = ("no", "one", "two", "three", "four")
TERWAY_REF = str(topology.TERWAY_DAEMONSET)


def _cni_of_ref(ref: str) -> str:
    """The CNI of a workload reference such as ``DaemonSet kube-system/ovs-ovn`` (its family, else the ref)."""
    family = constants.cni_family(ref.rpartition("/")[2]) if ref.startswith("DaemonSet ") else None
    return family[0] if family else ref


def findings(nodes: Sequence[Mapping[str, Any]], scenario: Scenario, today: bool) -> list[str]:
    """What is wrong on the nodes, counted: ``["2 cloud nodes run two CNIs", ...]`` (empty: every node holds).

    ``today`` reads each node's ``before`` state; otherwise the state after the plan.
    """
    counts: Counter[tuple[str, str, str]] = Counter()
    for node in nodes:
        state = node.get("before") if today else node
        if not state or state.get("ok"):
            continue
        cloud = bool(node.get("cloud"))
        where = "cloud" if cloud else "on-prem"
        cnis = list(state.get("cni") or [])
        terway = sum(1 for c in cnis if c == TERWAY_REF)
        onprem = len({_cni_of_ref(c) for c in cnis if c != TERWAY_REF})
        if not _cnis_ok(scenario, cloud, terway, onprem):
            if terway + onprem >= 2:
                total = terway + onprem
                number = _NUMBERS[total] if total < len(_NUMBERS) else str(total)
                counts[(where, f"runs {number} CNIs", f"run {number} CNIs")] += 1
            elif not cnis:
                counts[(where, "runs no CNI", "run no CNI")] += 1
            else:
                expected = expected_cnis(scenario, cloud)
                counts[(where, f"runs {cnis[0]}, not {expected}", f"run {cnis[0]}, not {expected}")] += 1
        if cloud and state.get("onPremWorkloads"):
            counts[(where, "can run on-prem workloads", "can run on-prem workloads")] += 1
    return [
        f"{count} {where} node{'' if count == 1 else 's'} {one if count == 1 else many}"
        for (where, one, many), count in sorted(counts.items())
    ]
