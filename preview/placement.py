"""Which CNIs and on-prem workloads would run on each node once the plan is applied.

Judged with ``hybrid_terway.scheduling.pod_fits_node`` (nodeSelector and required node affinity). Taints are left
out: Terway and the common CNIs tolerate every taint, so taints never decide where a CNI runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from hybrid_terway import constants, scheduling
from hybrid_terway.isolation import tigera_owner
from hybrid_terway.settings import Scenario, Settings
from preview.fake_cluster import FakeCluster, key_of


def workload_ref(obj: Mapping[str, Any]) -> str:
    kind, namespace, name = key_of(obj)
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def is_terway(obj: Mapping[str, Any]) -> bool:
    return key_of(obj) == ("DaemonSet", constants.TERWAY_NAMESPACE, constants.TERWAY_DAEMONSET)


def is_onprem_cni(obj: Mapping[str, Any]) -> bool:
    kind, _, name = key_of(obj)
    if kind == constants.TIGERA_INSTALLATION_KIND:
        return True
    return kind == "DaemonSet" and name in constants.KNOWN_ONPREM_CNI_DAEMONSETS and not is_terway(obj)


def is_onprem_only(obj: Mapping[str, Any], listed: set[tuple[str, str, str]]) -> bool:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return key_of(obj) in listed or labels.get(constants.PLACEMENT_LABEL) == constants.PLACEMENT_ONPREM


def expected_cnis(scenario: Scenario, cloud: bool) -> str:
    """What a node of this class must run, in words (for messages and the report)."""
    if cloud:
        return "the on-prem overlay CNI only" if scenario is Scenario.OVERLAY else "terway-eniip only"
    return "no CNI DaemonSet (host network)" if scenario is Scenario.HOST else "the on-prem CNI only"


def cni_of(obj: Mapping[str, Any]) -> str:
    """Which CNI a CNI workload belongs to: the node-local DaemonSets of one CNI count as one CNI."""
    kind, _, name = key_of(obj)
    if kind == constants.TIGERA_INSTALLATION_KIND:
        return "Calico"
    family = constants.cni_family(name)
    return family[0] if family else name


def _node_ok(scenario: Scenario, cloud: bool, cnis: Sequence[Mapping[str, Any]]) -> bool:
    terway = sum(1 for c in cnis if is_terway(c))
    return _cnis_ok(scenario, cloud, terway, len({cni_of(c) for c in cnis if not is_terway(c)}))


def _cnis_ok(scenario: Scenario, cloud: bool, terway: int, onprem: int) -> bool:
    if cloud and scenario is not Scenario.OVERLAY:
        return terway == 1 and not onprem
    if not cloud and scenario is Scenario.HOST:
        return not terway and not onprem
    return onprem == 1 and not terway


def family_problems(
    cluster: FakeCluster, settings: Settings, workloads: Sequence[tuple[dict[str, Any], frozenset[str]]]
) -> list[str]:
    """A listed on-prem CNI DaemonSet whose CNI has other node-local DaemonSets, not listed, that would run on
    cloud nodes: keeping one of them off cloud nodes leaves the rest of that CNI running there.

    ``workloads``: each workload with the names of the nodes it runs on."""
    listed = {(w.kind.value, w.namespace or "", w.name) for w in settings.workloads}
    cloud_nodes = [
        n["metadata"]["name"] for n in cluster.nodes() if scheduling.is_cloud_node(n, settings.cloud_node_label)
    ]
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


class NodeIndex:
    """The nodes of a cluster, and for each distinct placement (nodeSelector and required node affinity) the names
    of the nodes it admits: workloads that schedule alike are matched against the nodes once, and one index serves
    every state of a cluster whose nodes stay the same (today and after the plan)."""

    def __init__(self, nodes: Sequence[Mapping[str, Any]]) -> None:
        self._views = [(str(n["metadata"]["name"]), scheduling.view_node(n)) for n in nodes]
        self._admitted: dict[scheduling.NodeFilter, frozenset[str]] = {}

    def admitted(self, pod_spec: Mapping[str, Any] | None) -> frozenset[str]:
        fits = scheduling.node_filter(pod_spec)
        found = self._admitted.get(fits)
        if found is None:
            found = self._admitted[fits] = frozenset(name for name, view in self._views if fits.admits(view))
        return found


def judge_placement(
    cluster: FakeCluster, settings: Settings, representative: bool, index: NodeIndex | None = None
) -> dict[str, Any]:
    """``index``: a NodeIndex of this cluster's nodes, to share with other judgements of the same nodes."""
    label = settings.cloud_node_label
    listed = {(w.kind.value, w.namespace or "", w.name) for w in settings.workloads}
    index = index or NodeIndex(cluster.nodes())
    workloads = [(w, index.admitted(spec)) for w, spec in reconciled_workloads(cluster)]
    cnis = [(w, nodes) for w, nodes in workloads if is_terway(w) or is_onprem_cni(w)]
    onprem_only = [(w, nodes) for w, nodes in workloads if is_onprem_only(w, listed) and not is_onprem_cni(w)]
    nodes_report: list[dict[str, Any]] = []
    problems: list[str] = family_problems(cluster, settings, workloads)
    for node in cluster.nodes():
        cloud = scheduling.is_cloud_node(node, label)
        name = node["metadata"]["name"]
        running = [w for w, nodes in cnis if name in nodes]
        landing = [w for w, nodes in onprem_only if name in nodes]
        node_problems = []
        if not _node_ok(settings.scenario, cloud, running):
            names = ", ".join(workload_ref(w) for w in running) or "no CNI"
            node_problems.append(
                f"{'cloud' if cloud else 'on-prem'} node {node['metadata']['name']} runs {names}; "
                f"expected {expected_cnis(settings.scenario, cloud)}"
            )
        if cloud and landing:
            node_problems.append(
                f"cloud node {node['metadata']['name']} can run on-prem workloads "
                f"{', '.join(workload_ref(w) for w in landing)}"
            )
        problems += node_problems
        nodes_report.append(
            {
                "name": node["metadata"]["name"],
                "cloud": cloud,
                "labels": dict(sorted(((node.get("metadata") or {}).get("labels") or {}).items())),
                "cni": [workload_ref(w) for w in running],
                "onPremWorkloads": [workload_ref(w) for w in landing],
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
TERWAY_REF = f"DaemonSet {constants.TERWAY_NAMESPACE}/{constants.TERWAY_DAEMONSET}"


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
