"""The inputs of ``HybridTerwayNetwork`` and ``TerwayIdentity`` as typed data: the component package's schema is
inferred from them.

The keys are the stack configuration's own camelCase keys (docs/configuration.md), so a Pulumi YAML
or TypeScript program passes exactly what ``Pulumi.<stack>.yaml`` holds. These types only describe the shape:
``hybrid_terway.core.settings.Settings`` validates the values (ids, CIDRs, bounds, scenario rules), and
``tests/components/test_package_schema.py`` proves the two agree field by field. The enumerations are the
contract's own (``hybrid_terway.core.vocabulary``).

No ``from __future__ import annotations`` here: the schema inference reads these annotations at runtime.
"""

from collections.abc import Mapping
from enum import Enum
from typing import Any

import pulumi
from typing_extensions import NotRequired, TypedDict  # typing.TypedDict of 3.10 ignores NotRequired

from hybrid_terway.core import vocabulary

__all__ = [
    "CredentialsConfig",
    "HybridTerwayNetworkArgs",
    "InterconnectConfig",
    "OnPremWorkloadRef",
    "TerwayConfig",
    "TerwayIdentityInputs",
    "holds_output",
    "plain_values",
]


class TerwayConfig(TypedDict):
    """Terway's configuration (required for scenarios bgp and host, refused for overlay)."""

    version: NotRequired[str]
    """Pin the terway-eniip addon version (a change upgrades the addon); the addon default otherwise."""
    ipvlan: NotRequired[bool]
    """IPvlan: addon config {"IPVlan": "true"}, or "false" (the default)."""
    podVswitches: dict[str, list[str]]
    """Pod vSwitches per zone: zone id -> non-empty list of vsw- ids; a zone not listed uses the node's vSwitch."""
    serviceCidr: str
    """The cluster's service CIDR (IPv4)."""
    securityGroupIds: list[str]
    """1 to 10 sg- ids: security groups of the ENIs Terway creates."""
    minPoolSize: NotRequired[int]
    """Idle IP pool lower bound (>= 0, default 0)."""
    maxPoolSize: NotRequired[int]
    """Idle IP pool upper bound (>= 0, default 5); minPoolSize must not exceed it."""
    vswitchSelectionPolicy: NotRequired[vocabulary.VswitchSelectionPolicy]
    """ordered (default) or random."""
    ipStack: NotRequired[vocabulary.IpStack]
    """ipv4 (default) or dual."""


class CredentialsConfig(TypedDict):
    """Where Terway's AccessKey comes from and where it is kept (bgp and host only)."""

    source: NotRequired[vocabulary.CredentialSource]
    """managed (default) or existing."""
    store: NotRequired[vocabulary.CredentialStore]
    """secret (default) or configmap."""
    accessKeyId: NotRequired[str]
    """With source existing only: the LTAI... key id; its secret goes in accessKeySecret."""
    ramUserName: NotRequired[str]
    """With source managed only: 1-64 of A-Za-z0-9._- (default terway-<clusterId>)."""
    keySlots: NotRequired[list[vocabulary.KeySlot]]
    """With source managed only: one or two of a, b (default [a]); see the key rotation runbook."""
    activeKey: NotRequired[vocabulary.KeySlot]
    """With source managed only: the slot whose key Terway is given (default: the first slot)."""
    legacyRamActions: NotRequired[bool]
    """With source managed only: also grant the 2021 guide's DescribeInstanceAttribute, DescribeInstances and
    ModifyNetworkInterfaceAttribute, for a Terway build older than v1.9.6 (default false)."""


class InterconnectConfig(TypedDict):
    """How cloud pods and on-prem pods reach each other (bgp only); see docs/interconnect.md."""

    via: vocabulary.InterconnectVia
    """vbr, cen, transitRouter or expressConnectRouter."""
    vbrIds: NotRequired[list[str]]
    """With via vbr (required there): the vbr- ids of the VBRs that connect the VPC to the data centre."""
    cenId: NotRequired[str]
    """With via cen or transitRouter (required there): the CEN instance the VPC and the VBRs are attached to."""
    ecrId: NotRequired[str]
    """With via expressConnectRouter (required there): the Express Connect Router the VPC is associated with."""
    onPremNodeCidrs: NotRequired[list[str]]
    """The on-prem node CIDRs the security groups must admit."""
    routes: NotRequired[vocabulary.InterconnectMode]
    """VPC routes to each on-prem pod CIDR (default check)."""
    bgpNetworks: NotRequired[vocabulary.InterconnectMode]
    """Each pod vSwitch CIDR advertised to the data centre: a BGP network of a VBR with via vbr (manage adds it
    there), what publishes it (CEN, transit router, Express Connect Router attachments) otherwise (default check)."""
    securityGroupIngress: NotRequired[vocabulary.InterconnectMode]
    """Terway's security groups accept the on-prem pod and node CIDRs (default check)."""
    noNatPools: NotRequired[vocabulary.InterconnectMode]
    """A disabled Calico IPPool over each pod vSwitch CIDR: Calico does not SNAT toward cloud pods (default check)."""


class OnPremWorkloadRef(TypedDict):
    """A workload that must never run on cloud nodes."""

    kind: vocabulary.WorkloadKind
    """DaemonSet, Deployment, StatefulSet, or Installation (tigera operator; cluster-scoped)."""
    namespace: NotRequired[str]
    """Required, except for an Installation."""
    name: str


class HybridTerwayNetworkArgs(TypedDict):
    """The configuration contract: the same keys, types and rules as the stack configuration."""

    scenario: vocabulary.Scenario
    """How the on-prem pod network works: overlay, bgp or host."""
    clusterId: str
    """The registered cluster: c followed by 32 lowercase hex characters."""
    terway: NotRequired[TerwayConfig]
    """Terway's configuration: required for bgp and host, refused for overlay."""
    credentials: NotRequired[CredentialsConfig]
    """Terway's AccessKey (default: managed, kept in the Secret); refused for overlay."""
    onPremWorkloads: NotRequired[list[OnPremWorkloadRef]]
    """Workloads kept off cloud nodes (bgp default: DaemonSet kube-system/calico-node; otherwise none)."""
    onPremPodCidrs: NotRequired[list[str]]
    """On-prem pod CIDRs (IPv4 or IPv6) the pod vSwitches and serviceCidr must not overlap; refused for overlay."""
    cloudNodeLabel: NotRequired[str]
    """How cloud nodes are told apart, key=value (default alibabacloud.com/external=true)."""
    interconnect: NotRequired[InterconnectConfig]
    """How cloud pods and on-prem pods reach each other: checked, or managed (bgp only)."""
    kubeconfig: NotRequired[pulumi.Input[str]]
    """A kubeconfig for the registered cluster (secret); fetched fresh from ACK on every run when absent."""
    accessKeySecret: NotRequired[pulumi.Input[str]]
    """With credentials.source existing only: the key's secret (secret)."""


class TerwayIdentityInputs(TypedDict):
    """The inputs of TerwayIdentity, the RAM user Terway acts as (``hybrid_terway.ram.TerwayIdentityArgs`` checks
    them by the same rules as for HybridTerwayNetwork)."""

    userName: str
    """The RAM user: 1-64 of A-Za-z0-9._-."""
    policyName: str
    """The custom policy holding Terway's actions: 1-128 of A-Za-z0-9-."""
    ipStack: vocabulary.IpStack
    """ipv4, or dual (also grants the IPv6 address actions)."""
    keySlots: list[vocabulary.KeySlot]
    """One AccessKey per slot: one or two of a, b, each at most once; see the key rotation runbook."""
    activeKey: vocabulary.KeySlot
    """The slot whose key is the outputs accessKeyId and accessKeySecret: one of keySlots."""
    clusterId: str
    """The registered cluster, named in the user's and the policy's descriptions."""
    legacyRamActions: NotRequired[bool]
    """Also grant the 2021 guide's three extra ECS actions, for a Terway build older than v1.9.6 (default false)."""


def holds_output(value: Any) -> bool:
    """Whether ``value`` is, or holds, a ``pulumi.Output`` (another resource's output, or a secret)."""
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(holds_output(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(holds_output(v) for v in value)
    return False


def plain_values(value: Any) -> Any:
    """``value`` with enum members replaced by their values, recursively (what the settings model reads)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: plain_values(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_values(v) for v in value]
    return value
