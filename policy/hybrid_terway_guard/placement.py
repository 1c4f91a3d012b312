"""Where CNIs and on-prem workloads may run: judged only through ``hybrid_terway.core.scheduling``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from hybrid_terway.core import constants, scheduling, ssa, topology
from hybrid_terway.core.scheduling import MalformedSpecError
from hybrid_terway.core.topology import CniRole, NodeClass
from hybrid_terway.core.vocabulary import Scenario, WorkloadKind

from .config import GuardSettings
from .redact import shown_labels
from .resources import (
    APPS_V1,
    CannotJudge,
    KubeObject,
    Report,
    ResourceView,
    StackScenario,
    both,
    either,
    has_unknown,
    is_apps_workload,
    is_onprem_cni,
    is_terway_daemonset,
    is_tigera_installation,
    kube_object,
    mapping,
    negated,
    onprem_cni,
    placement_fields,
    plain,
    pod_spec_path,
    sets_required_node_affinity,
)


def describe_node(node: Mapping[str, Any] | None) -> str:
    labels = ((node or {}).get("metadata") or {}).get("labels") or {}
    if not labels:
        return "a node with no labels"
    return "a node labelled " + shown_labels(labels)


def is_onprem_workload(obj: KubeObject, settings: GuardSettings) -> bool:
    """A known on-prem CNI, a tigera Installation, or a workload labelled ``hybrid-terway/placement: on-prem``.

    Terway's DaemonSet is the cloud-node CNI and never one (its labels are not read: during a first preview its
    whole spec is unknown).
    """
    cni = onprem_cni(obj, settings.onprem_cni_daemonsets)
    if cni is True:
        return True
    if not is_apps_workload(obj):
        return False
    terway = obj.named(APPS_V1, WorkloadKind.DAEMONSET.value, constants.TERWAY_NAMESPACE, settings.terway_daemonset)
    if terway is True:
        return False
    labelled = obj.label_is(constants.PLACEMENT_LABEL, constants.PLACEMENT_ONPREM)
    result = either(cni, both(negated(terway), labelled))
    if result is None:
        unknown = sorted(obj.unknown) + (["labels"] if labelled is None else [])
        raise CannotJudge(
            f"whether {obj.ref} is an on-prem workload: its {' and '.join(unknown)} "
            f"{'are' if len(unknown) > 1 else 'is'} not known during preview"
        )
    return result


def _why_onprem(obj: KubeObject, settings: GuardSettings) -> str:
    if is_tigera_installation(obj):
        return "the tigera operator's Calico"
    if is_onprem_cni(obj, settings.onprem_cni_daemonsets):
        return "an on-prem CNI"
    return f"labelled {constants.PLACEMENT_LABEL}: {constants.PLACEMENT_ONPREM}"


def judged_pod_spec(obj: KubeObject) -> Mapping[str, Any] | None:
    """The pod spec a rule judges; None for an object with no pod spec or a patch that sets no placement."""
    pod_spec = scheduling.pod_spec_of(obj.body)
    if pod_spec is None or (obj.patch and not placement_fields(pod_spec)):
        return None
    return pod_spec


def _affinity_path(obj: KubeObject) -> str:
    path = pod_spec_path(obj) or ()
    return ".".join((*path, "affinity"))


# --- onprem-workloads-avoid-cloud-nodes ------------------------------------------------------------


def _reachable_node(
    obj: KubeObject, resource: ResourceView, label: str, *, labelled: bool, report: Report
) -> Mapping[str, Any] | None:
    """A node with (``labelled``) or without the label that the workload can be scheduled on, or None.

    A spec Kubernetes would refuse is reported here, and yields None.
    """
    try:
        pod_spec = judged_pod_spec(obj)
        if pod_spec is None:
            return None
        return scheduling.witness_node(pod_spec, label, labelled=labelled)
    except MalformedSpecError as exc:
        report(f"{obj.ref}: its placement cannot be judged, Kubernetes would refuse it: {exc}", resource.urn)
        return None


def onprem_workloads_avoid_cloud_nodes(resource: ResourceView, settings: GuardSettings, report: Report) -> None:
    """An on-prem workload must not fit any cloud node."""
    obj = kube_object(resource)
    if obj is None or not is_onprem_workload(obj, settings):
        return
    witness = _reachable_node(obj, resource, settings.cloud_node_label, labelled=True, report=report)
    if witness is None:
        return
    key, value = settings.cloud_label_key, settings.cloud_label_value
    report(
        f"{obj.ref} ({_why_onprem(obj, settings)}) can be scheduled on cloud nodes, e.g. {describe_node(witness)}. "
        f"Add {{key: {key}, operator: NotIn, values: [{value}]}} (or {{key: {key}, operator: DoesNotExist}}) to "
        f"every nodeSelectorTerm of its required node affinity ({_affinity_path(obj)}).",
        resource.urn,
    )


def remediate_onprem_workload(resource: ResourceView, settings: GuardSettings) -> Mapping[str, Any] | None:
    """The properties with the cloud-node exclusion added to the required node affinity, or None (no change).

    Changes ``resource.props`` in place and returns it, as pulumi-policy remediations do, so that values the
    engine marked secret stay secret. A patch is changed only when it already sets the required node affinity:
    that selector is atomic, so a patch that sets one replaces the live one whole and adding the exclusion to it
    is exact, while a new one would drop every term of the live object.
    """
    obj = kube_object(resource)
    try:
        if obj is None or not is_onprem_workload(obj, settings):
            return None
    except CannotJudge:  # the validation says so; nothing is changed on a guess
        return None
    path = pod_spec_path(obj)
    label = settings.cloud_node_label
    try:
        pod_spec = scheduling.pod_spec_of(obj.body)
        if path is None or pod_spec is None or has_unknown(plain(placement_fields(pod_spec))):
            return None
        if obj.patch and not sets_required_node_affinity(pod_spec):
            return None
        if not scheduling.may_run_on_labelled_node(pod_spec, label):
            return None
        affinity = scheduling.exclude_affinity(mapping(pod_spec.get("affinity")), label)
    except MalformedSpecError:
        return None
    target = _ensure_path(resource.props, path)
    if target is None:
        return None
    target["affinity"] = affinity
    return resource.props


def _ensure_path(props: Any, path: Sequence[str]) -> Any:
    node = props
    for key in path:
        child = node.get(key)
        if child is None:
            node[key] = {}
            child = node[key]
        elif not isinstance(child, Mapping):
            return None
        node = child
    return node


# --- terway-only-on-cloud-nodes --------------------------------------------------------------------


def terway_only_on_cloud_nodes(resource: ResourceView, settings: GuardSettings, report: Report) -> None:
    """Terway's DaemonSet must not fit any node without the cloud-node label (taints never keep it off)."""
    obj = kube_object(resource)
    if obj is None or not is_terway_daemonset(obj, settings.terway_daemonset):
        return
    label = settings.cloud_node_label
    witness = _reachable_node(obj, resource, label, labelled=False, report=report)
    if witness is None:
        return
    key, value = settings.cloud_label_key, settings.cloud_label_value
    report(
        f"{obj.ref} (Terway) can be scheduled on nodes without {label}, e.g. {describe_node(witness)}. Terway "
        "tolerates every taint, so only its nodeSelector and required node affinity keep it off on-prem nodes: "
        f'set spec.template.spec.nodeSelector {{{key}: "{value}"}}.',
        resource.urn,
    )


# --- one-cni-per-node ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CniWorkload:
    """One CNI of the stack: its live object and patches merged, and the node classes it can run on."""

    ref: str
    role: CniRole
    cni: str
    """Which CNI it belongs to: the node-local DaemonSets of one CNI (Kube-OVN's kube-ovn-cni and ovs-ovn) are
    one CNI."""
    urn: str
    """The resource a violation points at: the last patch, else the object itself."""
    node_classes: frozenset[NodeClass] | None
    """None when its placement cannot be judged (unknown during preview, or only a patch that sets none)."""
    placement_unknown: bool = False
    """Its placement is not known during preview (rather than set by no object of the stack)."""


def cni_workloads(
    resources: Sequence[ResourceView], settings: GuardSettings, cannot_judge: list[str] | None = None
) -> list[CniWorkload]:
    """The stack's CNI workloads, each live (read or registered) object merged with the patches of it.

    A DaemonSet whose name or namespace is not known during preview may be one: it is left out, and why is added
    to ``cannot_judge``."""
    groups: dict[tuple[str, str, str, str], list[KubeObject]] = {}
    roles: dict[tuple[str, str, str, str], CniRole] = {}
    for resource in resources:
        obj = kube_object(resource)
        if obj is None:
            continue
        try:
            if is_terway_daemonset(obj, settings.terway_daemonset):
                role = CniRole.TERWAY
            elif is_onprem_cni(obj, settings.onprem_cni_daemonsets):
                role = CniRole.ONPREM
            else:
                continue
        except CannotJudge as exc:
            if cannot_judge is not None:
                cannot_judge.append(f"{exc.reason}, so whether it is Terway or an on-prem CNI")
            continue
        if obj.name is None:
            continue
        groups.setdefault(obj.identity, []).append(obj)
        roles[obj.identity] = role
    if any(is_tigera_installation(objs[0]) for objs in groups.values()):
        # The operator renders calico-system/calico-node from the Installation: one CNI, not two.
        groups = {
            identity: objs
            for identity, objs in groups.items()
            if is_tigera_installation(objs[0]) or topology.tigera_owner_of(objs[0].object_ref) is None
        }
    workloads = []
    for identity, objs in sorted(groups.items()):
        lives = [o for o in objs if not o.patch]
        patches = [o for o in objs if o.patch]
        representative = (patches or lives)[-1]
        if roles[identity] is CniRole.TERWAY:
            cni = CniRole.TERWAY.value
        else:
            cni = topology.cni_family(representative.object_ref) or representative.name or representative.ref
        node_classes, unknown = _node_classes(lives, patches, settings.cloud_node_label)
        workloads.append(
            CniWorkload(
                ref=representative.ref,
                role=roles[identity],
                cni=cni,
                urn=representative.resource.urn,
                node_classes=node_classes,
                placement_unknown=unknown,
            )
        )
    return workloads


def _node_classes(
    lives: list[KubeObject], patches: list[KubeObject], label: str
) -> tuple[frozenset[NodeClass] | None, bool]:
    """The node classes a CNI can run on (None: cannot be judged), and whether that is for an unknown value."""
    try:
        parts = [placement_fields(scheduling.pod_spec_of(o.body) or {}) for o in lives + patches]
        if not lives and not any(parts):
            return None, False
        merged: dict[str, Any] = {}
        for part in parts:
            # typed as a PodSpec: nodeSelector and the required node selector are atomic, as the API server
            # applies them
            merged = ssa.apply_patch(merged, part, ssa.POD_SPEC)
        if has_unknown(merged):
            return None, True
        classes = set()
        if scheduling.may_run_on_labelled_node(merged, label):
            classes.add(NodeClass.CLOUD)
        if scheduling.may_run_on_unlabelled_node(merged, label):
            classes.add(NodeClass.ONPREM)
    except UnknownValueError:
        return None, True
    except MalformedSpecError:
        return None, False
    return frozenset(classes), False


def one_cni_per_node(resources: Sequence[ResourceView], settings: GuardSettings, report: Report) -> None:
    """Each node class ends up with exactly one CNI; the scenario of the stack's component says which."""
    cannot_judge: list[str] = []
    cnis = cni_workloads(resources, settings, cannot_judge)
    scenarios = StackScenario.of(resources)
    scenario = scenarios.single if scenarios.present else None
    cannot_judge += [
        f"where {c.ref} can run: its placement is not known during preview"
        for c in cnis
        # in overlay any Terway is reported below, wherever it runs
        if c.placement_unknown and not (scenario is Scenario.OVERLAY and c.role is CniRole.TERWAY)
    ]
    if scenarios.present and scenario is None and scenarios.unknown:
        cannot_judge.append("which CNI each node class runs: the scenario is not known during preview")
    for node_class in NodeClass:
        here = [c for c in cnis if c.node_classes is not None and node_class in c.node_classes]
        if len({c.cni for c in here}) > 1:
            report(f"{node_class}: more than one CNI can run there: {_refs(here)}", None)
        elif scenario is not None:
            _check_expected(scenario, node_class, here, cnis, settings, report, undetermined=bool(cannot_judge))
    if scenario is Scenario.OVERLAY:
        for cni in cnis:
            if cni.role is CniRole.TERWAY and cni.node_classes is None:
                report(f"scenario overlay needs no Terway, but this stack holds {cni.ref}", cni.urn)
    if cannot_judge:
        # reported after every violation that holds whatever the unknown values turn out to be
        raise CannotJudge("; ".join(cannot_judge))


def _check_expected(
    scenario: Scenario,
    node_class: NodeClass,
    here: list[CniWorkload],
    cnis: list[CniWorkload],
    settings: GuardSettings,
    report: Report,
    *,
    undetermined: bool = False,
) -> None:
    """``undetermined``: some CNI of the stack is not known yet, so "none can run there" is never claimed."""
    expected = topology.expected_cni(scenario, node_class)
    if here:
        cni = here[0]  # one CNI, possibly several node-local DaemonSets of it
        if expected is None:
            report(
                f"{node_class}: {cni.ref} can run there, but scenario {scenario.value} runs no CNI DaemonSet on "
                f"{node_class} (they use the host network)",
                cni.urn,
            )
        elif cni.role != expected:
            report(
                f"{node_class}: the only CNI that can run there is {cni.ref} ({cni.role}), but scenario "
                f"{scenario.value} runs {expected} there",
                cni.urn,
            )
        return
    if expected is None or undetermined:
        return
    candidates = [c for c in cnis if c.role == expected]
    if any(c.node_classes is None for c in candidates):
        return
    if candidates:
        report(
            f"{node_class}: no CNI can run there; scenario {scenario.value} runs {expected} there, but "
            f"{_refs(candidates)} cannot be scheduled on {node_class}",
            None,
        )
    elif expected is CniRole.TERWAY:
        report(
            f"{node_class}: no Terway in this stack; scenario {scenario.value} runs Terway (DaemonSet "
            f"{constants.TERWAY_NAMESPACE}/{settings.terway_daemonset}) on {node_class}",
            None,
        )
    elif scenario is Scenario.BGP:
        report(f"{node_class}: no on-prem CNI in this stack; list it in onPremWorkloads", None)


def _refs(cnis: Sequence[CniWorkload]) -> str:
    return ", ".join(sorted(c.ref for c in cnis))
