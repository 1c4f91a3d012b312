"""Domain facts, each stated once.

The program, the offline preview and the policy pack import these names; nothing else in the project
spells a label or an object name; Terway's own facts (eni_conf keys, limits, RAM actions) are in
``hybrid_terway.core.terway_model``. Sources are in docs/sources.md.
"""

from __future__ import annotations

from typing import Final

PROJECT: Final = "hybrid-terway"
"""Pulumi project name and stack-configuration namespace."""

# --- cloud nodes -------------------------------------------------------------------------------

CLOUD_NODE_LABEL: Final = "alibabacloud.com/external=true"
"""Every ECS node that an ACK One node pool adds to a registered cluster carries this label."""

# --- Terway ------------------------------------------------------------------------------------

TERWAY_ADDON: Final = "terway-eniip"
TERWAY_NAMESPACE: Final = "kube-system"
TERWAY_DAEMONSET: Final = "terway-eniip"
ENI_CONFIG_MAP: Final = "eni-config"
ENI_CONF_KEY: Final = "eni_conf"
CNI_CONF_KEY: Final = "10-terway.conf"
ADDON_SECRET: Final = "alibaba-addon-secret"
ADDON_SECRET_ID_KEY: Final = "access-key-id"
ADDON_SECRET_SECRET_KEY: Final = "access-key-secret"
TERWAY_VERSION_ANNOTATION: Final = "hybrid-terway/terway-version"
"""On eni-config: the pinned Terway version that reads it (its security-group limit depends on the version)."""
RESTART_ANNOTATION: Final = "hybrid-terway/config-hash"
"""Pod-template annotation on terway-eniip; a new value rolls the Terway pods."""


# --- RAM (Terway's actions: hybrid_terway.core.terway_model) ---------------------------------------

RAM_MAX_ACCESS_KEYS_PER_USER: Final = 2
RAM_POLICY_DOCUMENT_MAX_BYTES: Final = 6144
RAM_POLICY_NAME_PATTERN: Final = r"^[A-Za-z0-9-]{1,128}$"
RAM_USER_NAME_PATTERN: Final = r"^[A-Za-z0-9._-]{1,64}$"
RAM_POLICY_ROTATE_STRATEGY: Final = "DeleteOldestNonDefaultVersionWhenLimitExceeded"

# --- on-prem CNIs ------------------------------------------------------------------------------

ONPREM_CNI_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "Calico": ("calico-node",),
    "Flannel": ("kube-flannel-ds",),
    "Canal": ("canal",),
    "Cilium": ("cilium", "cilium-envoy"),  # cilium-envoy: its own DaemonSet since Cilium 1.16
    "kube-router": ("kube-router",),
    "Weave Net": ("weave-net",),
    "Antrea": ("antrea-agent",),
    "Kube-OVN": ("kube-ovn-cni", "ovs-ovn"),  # both run the node-local dataplane
}
"""Every node-local DaemonSet of each common on-prem CNI, grouped by CNI: keeping one off cloud nodes and not its
siblings leaves part of that CNI running there."""

KNOWN_ONPREM_CNI_DAEMONSETS: Final = tuple(name for names in ONPREM_CNI_FAMILIES.values() for name in names)
"""DaemonSet names of the common on-prem CNIs, CNI by CNI (the policy pack's default list)."""


def cni_family(daemonset: str) -> tuple[str, tuple[str, ...]] | None:
    """(CNI, all its node-local DaemonSets) for a known on-prem CNI DaemonSet name, else None."""
    for cni, names in ONPREM_CNI_FAMILIES.items():
        if daemonset in names:
            return cni, names
    return None


TIGERA_NAMESPACE: Final = "calico-system"
TIGERA_API_VERSION: Final = "operator.tigera.io/v1"
TIGERA_INSTALLATION_KIND: Final = "Installation"
TIGERA_AFFINITY_PATH: Final = ("spec", "calicoNodeDaemonSet", "spec", "template", "spec", "affinity")
TIGERA_NODE_TEMPLATE_PATH: Final = ("spec", "calicoNodeDaemonSet", "spec", "template")
"""An Installation change under this path changes the pod template of the DaemonSet the operator renders."""
TIGERA_NODE_DAEMONSET: Final = "calico-node"
"""The DaemonSet the operator renders in ``calico-system`` (tigera/operator ``pkg/render/node.go``:
``CalicoNodeObjectName``)."""
TIGERA_NODE_UPDATE_STRATEGY_PATH: Final = ("spec", "nodeUpdateStrategy")
"""The Installation's update strategy for calico-node (tigera/operator ``api/v1/installation_types.go``)."""

PLACEMENT_LABEL: Final = "hybrid-terway/placement"
"""A workload labelled ``hybrid-terway/placement: on-prem`` must never run on a cloud node."""
PLACEMENT_ONPREM: Final = "on-prem"

# --- workload rollouts (upstream Kubernetes: pkg/apis/apps/v1/defaults.go) -----------------------

UPDATE_STRATEGY_PATHS: Final = {
    "DaemonSet": ("spec", "updateStrategy", "type"),
    "Deployment": ("spec", "strategy", "type"),
    "StatefulSet": ("spec", "updateStrategy", "type"),
}
"""Where each workload kind keeps its update strategy; each defaults to ``RollingUpdate``."""
DEFAULT_UPDATE_STRATEGY: Final = "RollingUpdate"
DEFAULT_REPLICAS: Final = 1
"""``spec.replicas`` of a Deployment or StatefulSet when unset."""

# --- server-side apply -------------------------------------------------------------------------

FIELD_MANAGER: Final = "hybrid-terway"
PATCH_FIELD_MANAGER_ANNOTATION: Final = "pulumi.com/patchFieldManager"
PATCH_FORCE_ANNOTATION: Final = "pulumi.com/patchForce"
"""pulumi-kubernetes ``provider/pkg/await/await.go`` ``patchForce`` (at 94977969): in ``up`` an apply of a Patch
resource, or the upsert of an existing object, takes fields another manager owns only with this annotation "true"."""
DRIFT_ANNOTATION: Final = "hybrid-terway/applied"
"""A patch's marker: kept while the live object holds what the patch wants, new when it drifts
(``hybrid_terway.core.drift``)."""

# --- rollout waits (pulumi-kubernetes provider/pkg/metadata/annotations.go, overrides.go, at 94977969) -------------

TIMEOUT_SECONDS_ANNOTATION: Final = "pulumi.com/timeoutSeconds"
SKIP_AWAIT_ANNOTATION: Final = "pulumi.com/skipAwait"
WAIT_FOR_ANNOTATION: Final = "pulumi.com/waitFor"
"""``provider/pkg/metadata/overrides.go`` ``ReadyCondition``: ``condition=<type>[=<status>]`` or ``jsonpath=...`` (or
a JSON array of them, all to hold), read from the object after the apply; it replaces the built-in awaiter."""
TIGERA_READY_CONDITION: Final = "condition=Ready"
"""The Installation's ``Ready`` condition: the operator's TigeraStatus ``calico`` ``Available``, which holds only
once every DaemonSet it rolls (calico-node among them) is updated and available (tigera/operator
``pkg/controller/status/status.go`` ``syncState``, ``UpdateStatusCondition``)."""
TIGERA_RECONCILED_CONDITION: Final = "condition=Degraded=False"
"""The Installation's ``Degraded`` condition False: the operator reconciled the generation it is stamped with (it
renders calico-node before it stamps it), without error; what an ``OnDelete`` calico-node can be waited for."""
DEFAULT_ROLLOUT_WAIT_SECONDS: Final = 600
"""The provider's wait for a DaemonSet, Deployment or StatefulSet rollout without an annotation
(``provider/pkg/await/daemonset.go`` ``_defaultDaemonSetTimeout``)."""
KUBECONFIG_LIFETIME_MINUTES: Final = 180
"""``temporary_duration_minutes`` of the kubeconfig fetched from ACK on every run."""
RUN_MARGIN_MINUTES: Final = 30
"""What a run spends besides rollout waits (RAM, the addon's install, the reads), kept out of the waits' budget."""
ROLLOUT_WAIT_BOUND_SECONDS: Final = (KUBECONFIG_LIFETIME_MINUTES - RUN_MARGIN_MINUTES) * 60 // 2
"""The longest wait of one patch: the isolation patches' waits and Terway's come one after the other."""
SECONDS_PER_ROLLOUT_ROUND: Final = 60
"""Estimated time to replace one round of pods (stop, start, ready). An estimate: a real cluster's pace is its own."""


def split_label(label: str) -> tuple[str, str]:
    """``"key=value"`` -> ``("key", "value")``."""
    key, _, value = label.partition("=")
    return key, value


NETWORK_COMPONENT_TYPE: Final = "hybrid-terway:index:HybridTerwayNetwork"
IDENTITY_COMPONENT_TYPE: Final = "hybrid-terway:ram:TerwayIdentity"

# --- address plan ------------------------------------------------------------------------------

MIN_FREE_IPS_PER_ZONE: Final = 32
"""Free IPs a pod-vSwitch zone should have before its first cloud node joins (the preview warns below it).

Each cloud node takes up to ``maxPoolSize`` idle IPs plus one for its ENI as soon as Terway starts there, and its
pods take more; 32 leaves room for the first few nodes of a node pool. Once a zone has cloud nodes, the warning
compares with what they could take instead."""

KUBERNETES_SERVICE_NAMESPACE: Final = "default"
KUBERNETES_SERVICE_NAME: Final = "kubernetes"
KUBERNETES_SERVICE_ID: Final = f"{KUBERNETES_SERVICE_NAMESPACE}/{KUBERNETES_SERVICE_NAME}"
"""The API server's own Service; its ClusterIP is the first address of the cluster's service range."""

CLOUD_NODE_ZONE_LABELS: Final = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
"""Where a node's zone is read from: the well-known label first, then its deprecated predecessor."""

# --- the gate for cloud nodes ----------------------------------------------------------------------

CLOUD_NODE_GATE_NAMESPACE: Final = "kube-system"
CLOUD_NODE_GATE_CONFIG_MAP: Final = "hybrid-terway-cloud-nodes"
"""The ConfigMap created once every isolation patch and Terway's configuration are applied and rolled out: what a
node pool depends on (docs/cloud-nodes.md)."""
CLOUD_NODE_GATE_ID: Final = f"{CLOUD_NODE_GATE_NAMESPACE}/{CLOUD_NODE_GATE_CONFIG_MAP}"
CLOUD_NODE_GATE_WAITS_FOR_KEY: Final = "waitsFor"
"""Its data key listing, one a line, the objects it waited for (``Kind namespace/name``)."""
NODE_POOL_TYPE: Final = "alicloud:cs/nodePool:NodePool"
"""pulumi_alicloud 4.0.0 ``cs/node_pool.py`` (``@pulumi.type_token``): the resource that brings ECS nodes."""


# --- Go ------------------------------------------------------------------------------------------

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
"""Go's int64 (and int on the 64-bit images Terway and Kubernetes ship): ``strconv.ParseInt(s, 10, 64)`` and
``encoding/json`` refuse a number outside it."""
