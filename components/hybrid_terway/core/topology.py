"""Which CNI runs where: the node classes, the CNI each class runs per scenario, which workloads are CNIs and
which objects the tigera operator owns.

Sources: the scenario table of README.md; the CNI families and the tigera operator's names in
``hybrid_terway.core.constants``; the operator renders Calico's DaemonSet into ``calico-system`` and owns what it
renders (tigera/operator ``pkg/controller/installation/core_controller.go``). ``is_cloud_node`` is
``scheduling``'s (node labels read as the API server holds them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from hybrid_terway.core import constants
from hybrid_terway.core.scheduling import is_cloud_node
from hybrid_terway.core.vocabulary import Scenario, StrEnum, WorkloadKind

__all__ = [
    "EXPECTED_CNI",
    "TERWAY_DAEMONSET",
    "CniRole",
    "NodeClass",
    "ObjectRef",
    "cni_family",
    "cni_of",
    "cnis_hold",
    "expected_cni",
    "is_cloud_node",
    "is_onprem_cni",
    "is_tigera_installation",
    "patch_refusal",
    "tigera_owner",
    "tigera_owner_of",
]

APPS_V1: Final = "apps/v1"


@dataclass(frozen=True)
class ObjectRef:
    """A Kubernetes object by kind, namespace and name; prints as ``Kind namespace/name`` (``Kind name`` for a
    cluster-scoped one). ``api_version`` None: the kind's usual group (``apps/v1``, ``operator.tigera.io/v1``); two
    references to one object are equal whatever they say of it."""

    kind: str
    name: str
    namespace: str | None = None
    api_version: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> ObjectRef:
        """The reference of a plain object (``kind``, ``metadata.namespace``, ``metadata.name``)."""
        meta = obj.get("metadata") or {}
        return cls(
            str(obj.get("kind") or ""),
            str(meta.get("name") or ""),
            meta.get("namespace") or None,
            obj.get("apiVersion"),
        )


TERWAY_DAEMONSET: Final = ObjectRef(
    WorkloadKind.DAEMONSET.value, constants.TERWAY_DAEMONSET, constants.TERWAY_NAMESPACE
)
"""The cloud-node CNI: Terway's DaemonSet, as the terway-eniip addon installs it."""


class NodeClass(StrEnum):
    CLOUD = "cloud nodes"
    ONPREM = "on-prem nodes"

    @classmethod
    def of(cls, cloud: bool) -> NodeClass:
        return cls.CLOUD if cloud else cls.ONPREM


class CniRole(StrEnum):
    TERWAY = "Terway"
    ONPREM = "the on-prem CNI"


EXPECTED_CNI: Final[Mapping[Scenario, Mapping[NodeClass, CniRole | None]]] = {
    Scenario.BGP: {NodeClass.CLOUD: CniRole.TERWAY, NodeClass.ONPREM: CniRole.ONPREM},
    Scenario.HOST: {NodeClass.CLOUD: CniRole.TERWAY, NodeClass.ONPREM: None},
    Scenario.OVERLAY: {NodeClass.CLOUD: CniRole.ONPREM, NodeClass.ONPREM: CniRole.ONPREM},
}
"""Which CNI each node class runs per scenario (None: no CNI DaemonSet, the host network; README.md)."""


def expected_cni(scenario: Scenario, node_class: NodeClass) -> CniRole | None:
    return EXPECTED_CNI[scenario][node_class]


def cnis_hold(scenario: Scenario, node_class: NodeClass, terway: int, onprem: int) -> bool:
    """Whether a node of ``node_class`` running ``terway`` Terway pods and ``onprem`` distinct on-prem CNIs runs
    exactly what the scenario expects there."""
    expected = expected_cni(scenario, node_class)
    if expected is CniRole.TERWAY:
        return terway == 1 and not onprem
    if expected is CniRole.ONPREM:
        return onprem == 1 and not terway
    return not terway and not onprem


def is_tigera_installation(ref: ObjectRef) -> bool:
    return ref.kind == constants.TIGERA_INSTALLATION_KIND and ref.api_version in (None, constants.TIGERA_API_VERSION)


def _is_daemonset(ref: ObjectRef) -> bool:
    return ref.kind == WorkloadKind.DAEMONSET.value and ref.api_version in (None, APPS_V1)


def is_onprem_cni(
    ref: ObjectRef, daemonsets: tuple[str, ...] | frozenset[str] = constants.KNOWN_ONPREM_CNI_DAEMONSETS
) -> bool:
    """A known on-prem CNI: a tigera Installation, or a DaemonSet named in ``daemonsets`` (any namespace; the
    common CNIs by default) other than Terway's."""
    if is_tigera_installation(ref):
        return True
    return _is_daemonset(ref) and ref.name in daemonsets and ref != TERWAY_DAEMONSET


def cni_family(ref: ObjectRef) -> str | None:
    """The CNI a CNI workload belongs to (the node-local DaemonSets of one CNI are one CNI), or None when unknown."""
    if is_tigera_installation(ref):
        return "Calico"
    family = constants.cni_family(ref.name) if _is_daemonset(ref) else None
    return family[0] if family else None


def cni_of(ref: ObjectRef) -> str:
    """:func:`cni_family`, else the workload's own name."""
    return cni_family(ref) or ref.name


def tigera_owner_of(ref: ObjectRef, owner_references: Sequence[Mapping[str, Any]] = ()) -> str | None:
    """The name of the tigera ``Installation`` that owns the object, or None: by an owner reference, else by living
    in the namespace the operator renders into (``calico-system``). An Installation is owned by none."""
    for owner in owner_references:
        group = str(owner.get("apiVersion", "")).split("/")[0]
        if (
            group == constants.TIGERA_API_VERSION.split("/")[0]
            and owner.get("kind") == constants.TIGERA_INSTALLATION_KIND
        ):
            return str(owner.get("name") or "default")
    if ref.kind != constants.TIGERA_INSTALLATION_KIND and ref.namespace == constants.TIGERA_NAMESPACE:
        return "default"
    return None


def tigera_owner(obj: Mapping[str, Any]) -> str | None:
    """:func:`tigera_owner_of` for a plain object (its ``metadata.ownerReferences`` read)."""
    return tigera_owner_of(ObjectRef.of(obj), (obj.get("metadata") or {}).get("ownerReferences") or ())


def patch_refusal(ref: ObjectRef, live: Mapping[str, Any]) -> str | None:
    """Why the live object of an on-prem workload must not be patched directly, or None: the tigera operator
    reverts patches of the objects it owns."""
    if is_tigera_installation(ref):
        return None
    owner = tigera_owner(live)
    if owner is None:
        return None
    return (
        f"{ref} is owned by the tigera operator (Installation {owner}), which reverts direct patches: "
        f"list {{kind: Installation, name: {owner}}} in hybrid-terway:onPremWorkloads instead"
    )
