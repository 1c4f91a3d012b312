"""Domain facts, each stated once.

The program, the offline preview and the policy pack import these names; nothing else in the project
spells a label, an object name or a RAM action. Sources are in the README ("Where the facts come from").
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
TERWAY_POD_LABEL: Final = {"app": "terway-eniip"}
ENI_CONFIG_MAP: Final = "eni-config"
ENI_CONF_KEY: Final = "eni_conf"
CNI_CONF_KEY: Final = "10-terway.conf"
ADDON_SECRET: Final = "alibaba-addon-secret"
ADDON_SECRET_ID_KEY: Final = "access-key-id"
ADDON_SECRET_SECRET_KEY: Final = "access-key-secret"
ENI_TAG_CLUSTER: Final = "ack.aliyun.com"
RESTART_ANNOTATION: Final = "hybrid-terway/config-hash"
"""Pod-template annotation on terway-eniip; a new value rolls the Terway pods."""

SECURITY_GROUPS_MAX: Final = 10
MIN_KERNEL_FOR_TERWAY: Final = "5.10"

# --- RAM ---------------------------------------------------------------------------------------

RAM_ACTIONS_IPV4: Final = (
    "ecs:CreateNetworkInterface",
    "ecs:DescribeNetworkInterfaces",
    "ecs:AttachNetworkInterface",
    "ecs:DetachNetworkInterface",
    "ecs:DeleteNetworkInterface",
    "ecs:DescribeInstanceAttribute",
    "ecs:AssignPrivateIpAddresses",
    "ecs:UnassignPrivateIpAddresses",
    "ecs:DescribeInstances",
    "ecs:ModifyNetworkInterfaceAttribute",
    "ecs:DescribeInstanceTypes",
    "vpc:DescribeVSwitches",
)
"""What Terway calls with its credentials: the 2021 guide's list plus DescribeInstanceTypes."""

RAM_ACTIONS_DUAL_STACK: Final = ("ecs:AssignIpv6Addresses", "ecs:UnassignIpv6Addresses")
"""Added for ``ipStack: dual``."""

RAM_ACTIONS_ALLOWED: Final = frozenset(RAM_ACTIONS_IPV4 + RAM_ACTIONS_DUAL_STACK)

RAM_MAX_ACCESS_KEYS_PER_USER: Final = 2
RAM_POLICY_DOCUMENT_MAX_BYTES: Final = 6144
RAM_POLICY_NAME_PATTERN: Final = r"^[A-Za-z0-9-]{1,128}$"
RAM_USER_NAME_PATTERN: Final = r"^[A-Za-z0-9._-]{1,64}$"
RAM_POLICY_ROTATE_STRATEGY: Final = "DeleteOldestNonDefaultVersionWhenLimitExceeded"

# --- on-prem CNIs ------------------------------------------------------------------------------

KNOWN_ONPREM_CNI_DAEMONSETS: Final = (
    "calico-node",
    "kube-flannel-ds",
    "canal",
    "cilium",
    "kube-router",
    "weave-net",
    "antrea-agent",
    "kube-ovn-cni",
)
"""DaemonSet names of the common on-prem CNIs (the policy pack's default list)."""

TIGERA_NAMESPACE: Final = "calico-system"
TIGERA_API_VERSION: Final = "operator.tigera.io/v1"
TIGERA_INSTALLATION_KIND: Final = "Installation"
TIGERA_AFFINITY_PATH: Final = ("spec", "calicoNodeDaemonSet", "spec", "template", "spec", "affinity")

PLACEMENT_LABEL: Final = "hybrid-terway/placement"
"""A workload labelled ``hybrid-terway/placement: on-prem`` must never run on a cloud node."""
PLACEMENT_ONPREM: Final = "on-prem"

# --- server-side apply -------------------------------------------------------------------------

FIELD_MANAGER: Final = "hybrid-terway"
PATCH_FIELD_MANAGER_ANNOTATION: Final = "pulumi.com/patchFieldManager"
PATCH_FORCE_ANNOTATION: Final = "pulumi.com/patchForce"


def split_label(label: str) -> tuple[str, str]:
    """``"key=value"`` -> ``("key", "value")``."""
    key, _, value = label.partition("=")
    return key, value


NETWORK_COMPONENT_TYPE: Final = "hybrid-terway:index:HybridTerwayNetwork"
IDENTITY_COMPONENT_TYPE: Final = "hybrid-terway:ram:TerwayIdentity"
ENI_CONF_FIELDS: Final = frozenset(
    {
        "version",
        "vswitches",
        "vswitch_selection_policy",
        "security_group",
        "security_groups",
        "service_cidr",
        "eni_tags",
        "max_pool_size",
        "min_pool_size",
        "ip_stack",
        "access_key",
        "access_secret",
    }
)
"""The ``eni_conf`` keys this project knows (Terway's types/daemon/config.go).

Terway silently ignores any key it does not read."""
