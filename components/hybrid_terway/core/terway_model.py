"""Terway as upstream runs it: the ``eni_conf`` keys it reads, how its JSON decoder takes them, its limits and the
RAM actions it calls.

Every fact is derived from AliyunContainerService/terway, read at commit 89aadf8b (2026-07-23) unless a line says
otherwise; each cites its file. Settings, rendering, the offline preview and the policy pack read this module;
nothing else in the project spells an ``eni_conf`` key.

How the daemon reads ``eni_conf`` (``types/daemon/config.go``: ``MergeConfigAndUnmarshal``): the text is decoded
into the ``Config`` struct with ``k8s.io/apimachinery/pkg/util/json`` (apimachinery v0.36.0 in ``go.mod``), which
matches object keys case-sensitively and otherwise follows Go's ``encoding/json``: an unknown key is ignored
silently, ``null`` leaves a field at its zero value, and a value of the wrong JSON type (``"5"`` or ``5.5`` for an
``int``) is an unmarshal error, after which the daemon does not start (``daemon/builder.go``:
``LoadDynamicConfig`` returns "failed parse config").
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from . import gojson, json_text
from .constants import INT64_MAX, INT64_MIN

UPSTREAM_REPO: Final = "AliyunContainerService/terway"
UPSTREAM_COMMIT: Final = "89aadf8b"
CONFIG_GO: Final = "types/daemon/config.go"

# --- how Go's JSON decoder takes a value --------------------------------------------------------------

FLOAT32_MAX: Final = 3.4028234663852886e38


@dataclass(frozen=True)
class GoType:
    """A Go type as the JSON decoder sees it: ``kind`` is string, int, float64, float32, bool, slice, map or struct."""

    go: str
    kind: str
    elem: GoType | None = None
    fields: Mapping[str, GoType] = field(default_factory=dict)


STRING: Final = GoType("string", "string")
INT: Final = GoType("int", "int")  # Terway's images are 64-bit (amd64, arm64): Go int is int64
BOOL: Final = GoType("bool", "bool")
FLOAT64: Final = GoType("float64", "float64")
FLOAT32: Final = GoType("float32", "float32")
DURATION: Final = GoType("time.Duration", "int")  # an int64 count of nanoseconds; no UnmarshalJSON
STRINGS: Final = GoType("[]string", "slice", STRING)
STRING_MAP: Final = GoType("map[string]string", "map", STRING)
ROUTE: Final = GoType("route.Route", "struct", fields={"dst": STRING})  # types/route/route.go
BLOCK_LIST_ITEM: Final = GoType(
    "ENITagBlockListItem", "struct", fields={"key": STRING, "value": STRING}
)  # pkg/apis/network.alibabacloud.com/v1beta1/node_types.go
EXTENDED_BACKOFF: Final = GoType(
    "backoff.ExtendedBackoff",
    "struct",
    # pkg/backoff/backoff.go: InitialDelay plus an embedded k8s.io/apimachinery wait.Backoff; no json tags, so
    # the (case-sensitive) keys are the Go field names.
    fields={
        "InitialDelay": DURATION,
        "Duration": DURATION,
        "Factor": FLOAT64,
        "Jitter": FLOAT64,
        "Steps": INT,
        "Cap": DURATION,
    },
)


def decode_problems(
    value: object, go_type: GoType, path: str, show_key: Callable[[str], str] = json.dumps
) -> list[str]:
    """Why Go's JSON decoder refuses ``value`` for ``go_type`` (empty when it accepts it).

    ``value`` comes from :func:`parse_json_object` (integers stay ``int``, anything with a fraction or an exponent
    is a ``float``, as in the JSON text). ``null`` is accepted everywhere: the decoder leaves the zero value.
    Unknown keys of a struct are ignored, as upstream ignores them. A map key in a path is written by ``show_key``.
    """
    if value is None:
        return []
    refused = [f"{path}: {json_text.kind_of(value)} cannot be decoded into Go {go_type.go}"]
    kind = go_type.kind
    if kind == "string":
        return [] if isinstance(value, str) else refused
    if kind == "bool":
        return [] if isinstance(value, bool) else refused
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            return refused
        if not INT64_MIN <= value <= INT64_MAX:
            return [f"{path}: {value} overflows Go {go_type.go}"]
        return []
    if kind in ("float64", "float32"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return refused
        if kind == "float32" and abs(float(value)) > FLOAT32_MAX:
            return [f"{path}: {value} overflows Go float32"]
        return []
    if kind == "slice":
        if not isinstance(value, list):
            return refused
        assert go_type.elem is not None
        return [
            p for i, item in enumerate(value) for p in decode_problems(item, go_type.elem, f"{path}[{i}]", show_key)
        ]
    if kind == "map":
        if not isinstance(value, dict):
            return refused
        assert go_type.elem is not None
        return [
            p for k, v in value.items() for p in decode_problems(v, go_type.elem, f"{path}[{show_key(k)}]", show_key)
        ]
    if kind == "struct":
        if not isinstance(value, dict):
            return refused
        return [
            p
            for name, sub in go_type.fields.items()
            if name in value
            for p in decode_problems(value[name], sub, f"{path}.{name}", show_key)
        ]
    raise ValueError(f"unknown Go kind {kind!r}")  # pragma: no cover - the table below uses only the kinds above


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON (Go's decoder refuses it)")


def parse_json_object(text: str) -> dict[str, Any]:
    """``text`` as a JSON object, exactly as strict as Go's decoder; raises ValueError naming what is wrong.

    The message never quotes ``text``: an ``eni_conf`` may hold an AccessKey secret. Any depth Go's decoder accepts
    is read without recursion; deeper raises ``gojson.NestingError``, as Terway's decoder fails on it.
    """
    try:
        value = gojson.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        problem = json_text.describe(exc)
        raise ValueError(
            f"is not valid JSON ({problem.message} at line {problem.line} column {problem.column})"
        ) from None
    if not isinstance(value, dict):
        raise ValueError(f"must be a JSON object, not {json_text.kind_of(value)}")
    return value


# --- every key Terway reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EniConfKey:
    """One ``eni_conf`` key: its JSON name, the Go type it decodes into, upstream's default and what it does."""

    name: str
    go_type: GoType
    default: str
    meaning: str

    @property
    def go(self) -> str:
        return self.go_type.go


def _k(name: str, go_type: GoType, default: str, meaning: str) -> EniConfKey:
    return EniConfKey(name, go_type, default, meaning)


_POINTER_INT = GoType("*int", "int")
_POINTER_STRING = GoType("*string", "string")
_POINTER_BOOL = GoType("*bool", "bool")

ENI_CONF_KEYS: Final[tuple[EniConfKey, ...]] = (
    # types/daemon/config.go, struct Config (defaults: Config.Populate; uses: daemon/builder.go, daemon/config.go)
    _k("version", STRING, '""', 'decoded, never read by the daemon (the 2021 guide writes "1")'),
    _k("access_key", GoType("secret.Secret", "string"), '""', "static AccessKey id (types/secret/secret.go: a string)"),
    _k("access_secret", GoType("secret.Secret", "string"), '""', "static AccessKey secret"),
    _k("region_id", STRING, '""', "region of the control plane's clients; the daemon takes it from ECS metadata"),
    _k("credential_path", STRING, '""', "encrypted credential file (managed clusters), refreshed every 30 min"),
    _k("service_cidr", STRING, '""', "service range: v4[,v6] (see parse_service_cidr); empty = from kubeadm-config"),
    _k("vswitches", GoType("map[string][]string", "map", STRINGS), "null", "pod vSwitches per zone id"),
    _k("eni_tags", STRING_MAP, "null", "tags on the ENIs Terway creates"),
    _k("max_pool_size", INT, "0", "idle IP pool upper bound (clamped to the node's capacity)"),
    _k("min_pool_size", INT, "0", "idle IP pool lower bound (clamped to max_pool_size)"),
    _k("ip_warm_up_size", _POINTER_INT, "null", "IPs allocated when a node starts (since v1.16.4)"),
    _k("idle_ip_reclaim_after", _POINTER_STRING, "null", "Go duration an idle IP waits before reclaim"),
    _k("idle_ip_reclaim_batch_size", INT, "5 (when <= 0)", "IPs reclaimed per batch"),
    _k("idle_ip_reclaim_interval", _POINTER_STRING, '"10m"', "Go duration between reclaim passes"),
    _k("idle_ip_reclaim_jitter_factor", _POINTER_STRING, '"0.1"', "jitter of the reclaim interval (a float as text)"),
    _k("min_eni", INT, "0", "ENIs kept per node (overrides min_pool_size)"),
    _k("max_eni", INT, "0", "at most this many ENIs per node (0 = the instance type's limit)"),
    _k("prefix", STRING, '""', "decoded, not read by the daemon"),
    _k("security_group", STRING, '""', "one security group of created ENIs (unioned with security_groups)"),
    _k("security_groups", STRINGS, "null", "security groups of created ENIs; both empty = the primary ENI's"),
    _k("eni_cap_ratio", FLOAT64, "1 (when 0)", "multiplier of the instance type's ENI count"),
    _k("eni_cap_shift", INT, "0", "added to the instance type's ENI count"),
    _k("vswitch_selection_policy", STRING, '"random"', "ordered = the vSwitch with most free IPs first; else random"),
    _k("eni_selection_policy", STRING, '"most_ips"', "least_ips or most_ips (anything else = most_ips)"),
    _k("ip_stack", STRING, '"ipv4"', 'ipv4, dual ("" = ipv4); anything else stops the daemon'),
    _k("enable_eni_trunking", BOOL, "false", "trunk ENIs (ENIMultiIP mode only)"),
    _k("enable_erdma", BOOL, "false", "elastic RDMA interfaces"),
    _k("custom_stateful_workload_kinds", STRINGS, "null", "extra workload kinds whose pods keep their IP"),
    _k("ipam_type", GoType("types.IPAMType", "string"), '""', 'crd (centralized IPAM) or "" (types/types.go)'),
    _k(
        "backoff_override",
        GoType("map[string]backoff.ExtendedBackoff", "map", EXTENDED_BACKOFF),
        "null",
        "retry backoff per operation",
    ),
    _k("extra_routes", GoType("[]route.Route", "slice", ROUTE), "null", 'extra routes in pods ({"dst": cidr})'),
    _k("disable_device_plugin", BOOL, "false", "no ENI device plugin"),
    _k("eni_tag_filter", STRING_MAP, "null", "manage only ENIs carrying these tags"),
    _k(
        "eni_tag_block_list",
        GoType("[]ENITagBlockListItem", "slice", BLOCK_LIST_ITEM),
        "null",
        'ignore ENIs carrying one of these tags ({"key", "value"}), on top of the built-in list',
    ),
    _k("kube_client_qps", FLOAT32, "0 (client default)", "Kubernetes client QPS"),
    _k("kube_client_burst", INT, "0 (client default)", "Kubernetes client burst"),
    _k("resource_group_id", STRING, '""', "resource group of created ENIs"),
    _k("rate_limit", GoType("map[string]int", "map", INT), "null", "OpenAPI rate limits per API"),
    _k("enable_patch_pod_ips", _POINTER_BOOL, "true", "write pod IPs to the pod annotation"),
    _k("ip_pool_sync_period", STRING, '"120s" (when unparsable)', "Go duration between pool syncs"),
    _k("enable_ip_prefix", BOOL, "false", "allocate IP prefixes instead of secondary IPs"),
    _k("ipv4_prefix_count", INT, "0", "IPv4 prefixes across all ENIs (with enable_ip_prefix)"),
    _k("ipv6_prefix_count", INT, "0", "IPv6 prefixes, 0 or 1 (IPv6 single stack only)"),
)
KEYS_BY_NAME: Final[Mapping[str, EniConfKey]] = {k.name: k for k in ENI_CONF_KEYS}


@dataclass(frozen=True)
class RemovedKey:
    name: str
    commit: str
    first_release_without: str


REMOVED_KEYS: Final[Mapping[str, RemovedKey]] = {
    r.name: r
    for r in (
        # git history of types/config.go and types/daemon/config.go
        RemovedKey("hot_plug", "f5728a75", "v1.1.0"),
        RemovedKey("enable_eip_pool", "8adcc66f", "v1.9.6"),
        RemovedKey("enable_eip_migrate", "8adcc66f", "v1.9.6"),
        RemovedKey("allow_eip_rob", "8adcc66f", "v1.9.6"),
        RemovedKey("wait_trunk_eni", "8adcc66f", "v1.9.6"),
        RemovedKey("disable_security_group_check", "8adcc66f", "v1.9.6"),
        RemovedKey("eni_cap_policy", "0eb1f4a9", "v1.11.1"),
    )
}

# --- the keys this program owns -----------------------------------------------------------------------

VERSION: Final = "version"
VSWITCHES: Final = "vswitches"
VSWITCH_SELECTION_POLICY: Final = "vswitch_selection_policy"
SERVICE_CIDR: Final = "service_cidr"
SECURITY_GROUP: Final = "security_group"
SECURITY_GROUPS: Final = "security_groups"
ENI_TAGS: Final = "eni_tags"
MAX_POOL_SIZE: Final = "max_pool_size"
MIN_POOL_SIZE: Final = "min_pool_size"
IP_STACK: Final = "ip_stack"
ACCESS_KEY: Final = "access_key"
ACCESS_SECRET: Final = "access_secret"
ENI_SELECTION_POLICY: Final = "eni_selection_policy"
IPAM_TYPE: Final = "ipam_type"
RATE_LIMIT: Final = "rate_limit"

OWNED_KEYS: Final = (
    VSWITCHES,
    VSWITCH_SELECTION_POLICY,
    SERVICE_CIDR,
    SECURITY_GROUP,
    SECURITY_GROUPS,
    MAX_POOL_SIZE,
    MIN_POOL_SIZE,
    IP_STACK,
    ACCESS_KEY,
    ACCESS_SECRET,
)
"""Top-level keys whose value this program decides (absent from the rendering = removed). Every other key the
live ``eni_conf`` holds is kept with its value."""

ENI_TAG_CLUSTER: Final = "ack.aliyun.com"
"""The one ``eni_tags`` entry this program owns (ACK writes ``{"ack.aliyun.com": <cluster id>}``); other tags stay."""

CREDENTIAL_KEYS: Final = (ACCESS_KEY, ACCESS_SECRET)

assert set(OWNED_KEYS) <= set(KEYS_BY_NAME) and ENI_TAGS in KEYS_BY_NAME

# --- vocabularies (what upstream distinguishes) ----------------------------------------------------------

IP_STACKS: Final = ("", "ipv4", "dual")
"""``Config.Validate`` accepts these; "ipv6" and anything else stop the daemon ("unsupported ipStack")."""
IP_STACK_DEFAULT: Final = "ipv4"
VSWITCH_POLICIES: Final = ("", "ordered", "random")
"""``daemon/config.go`` getENIConfig: only "ordered" is special; Populate names the default "random"."""
ENI_SELECTION_POLICIES: Final = ("", "most_ips", "least_ips")
"""``daemon/config.go`` getENIConfig: only "least_ips" is special; the default is "most_ips"."""
IPAM_TYPES: Final = ("", "crd", "preferCRD")
"""``types/types.go`` IPAMType constants; the daemon compares with "crd" only."""

ENUMERATIONS: Final[Mapping[str, tuple[tuple[str, ...], str]]] = {
    IP_STACK: (IP_STACKS, "Config.Validate refuses any other value and the daemon does not start"),
    VSWITCH_SELECTION_POLICY: (VSWITCH_POLICIES, "any other value silently means random"),
    ENI_SELECTION_POLICY: (ENI_SELECTION_POLICIES, "any other value silently means most_ips"),
    IPAM_TYPE: (IPAM_TYPES, "any other value silently means the default (non-CRD) IPAM"),
}
"""Each enumerated key: the values upstream knows, and what any other value does."""


# --- versions and the security-group limit ------------------------------------------------------------

_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)(?:[-+.][0-9A-Za-z.+-]*)?")


def parse_version(version: str) -> tuple[int, int, int] | None:
    """``"v1.13.7"`` (an addon version; a suffix such as ``-aliyun.1`` is allowed) -> ``(1, 13, 7)``, else None."""
    match = _VERSION.fullmatch(version.strip())
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


@dataclass(frozen=True)
class SecurityGroupLimit:
    """How many security groups a Terway version accepts, and how it counts them."""

    limit: int
    counts_union: bool
    """True: ``security_group`` and ``security_groups`` unioned, duplicates counted once. False: only the length
    of the ``security_groups`` list, duplicates included (``security_group`` is not counted)."""
    source: str

    def count(self, conf: Mapping[str, Any]) -> int:
        groups = conf.get(SECURITY_GROUPS)
        listed = [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []
        if not self.counts_union:
            return len(groups) if isinstance(groups, list) else 0
        single = conf.get(SECURITY_GROUP)
        return len(set(listed) | ({single} if isinstance(single, str) and single else set()))


SG_LIMIT_UNION_5: Final = SecurityGroupLimit(
    5, True, "daemon/daemon.go getPoolConfig before commit abfdaab1: len(GetSecurityGroups()) > 5"
)
SG_LIMIT_LIST_5: Final = SecurityGroupLimit(
    5, False, "types/daemon/config.go Config.Validate from commit abfdaab1 (v1.5.7): len(SecurityGroups) > 5"
)
SG_LIMIT_LIST_10: Final = SecurityGroupLimit(
    10, False, "types/daemon/config.go Config.Validate from commit 61f98b8d (v1.13.7): len(SecurityGroups) > 10"
)
SG_LIMIT_V1_5_7: Final = (1, 5, 7)
SG_LIMIT_V1_13_7: Final = (1, 13, 7)


def security_group_limit(version: str | None) -> SecurityGroupLimit:
    """The limit of the Terway ``version`` (an addon version). Unknown or unpinned: the limit every version since
    v1.5.7 accepts (5 in the list), since the addon then runs whatever version ACK installs or already runs."""
    parsed = parse_version(version) if version else None
    if parsed is None:
        return SG_LIMIT_LIST_5
    if parsed >= SG_LIMIT_V1_13_7:
        return SG_LIMIT_LIST_10
    if parsed >= SG_LIMIT_V1_5_7:
        return SG_LIMIT_LIST_5
    return SG_LIMIT_UNION_5


# --- service_cidr -------------------------------------------------------------------------------------


def service_cidr_parts(value: str) -> list[str]:
    """How ``pkg/k8s/k8s.go`` (NewK8S) splits ``service_cidr``: on "," with no trimming; each part then goes through
    ``net.ParseCIDR`` (``types/types.go`` IPNetSet.SetIPNet): host bits are masked, a part that does not parse is
    dropped silently, a later part of the same family replaces an earlier one. No IPv4 part: the range is read
    from the kubeadm-config ConfigMap (``serviceCidrFromAPIServer``)."""
    return value.split(",")


# --- credentials and restart --------------------------------------------------------------------------

ADDON_SECRET_PATH: Final = "/var/alibaba-addon-secret"
"""``types/daemon/config.go`` GetAddonSecret: access-key-id and access-key-secret, read raw, override eni_conf's
access_key/access_secret when both are non-empty."""

# --- RAM actions --------------------------------------------------------------------------------------

RAM_ACTIONS: Final = (
    "ecs:CreateNetworkInterface",
    "ecs:DescribeNetworkInterfaces",
    "ecs:AttachNetworkInterface",
    "ecs:DetachNetworkInterface",
    "ecs:DeleteNetworkInterface",
    "ecs:DescribeInstanceTypes",
    "ecs:AssignPrivateIpAddresses",
    "ecs:UnassignPrivateIpAddresses",
    "vpc:DescribeVSwitches",
)
"""Terway's published policy (``docs/ecs.md``, last changed by d589083e) without the IPv6 pair."""

RAM_ACTIONS_IPV6: Final = ("ecs:AssignIpv6Addresses", "ecs:UnassignIpv6Addresses")
"""The IPv6 pair of ``docs/ecs.md``: granted only for ``ipStack: dual``."""

RAM_ACTIONS_GUIDE_EXTRA: Final = (
    "ecs:DescribeInstanceAttribute",
    "ecs:DescribeInstances",
    "ecs:ModifyNetworkInterfaceAttribute",
)
"""In the 2021 ACK hybrid-cluster guide's policy, called by no Terway source back to v1.9.6; the last is a write
that can move any ENI into another security group. Granted only when asked for (old Terway builds)."""

RAM_ACTIONS_PUBLISHED: Final = frozenset(RAM_ACTIONS + RAM_ACTIONS_IPV6)


def ram_actions(dual_stack: bool, guide_extra: bool = False) -> tuple[str, ...]:
    """The actions Terway's RAM policy grants, sorted."""
    actions = RAM_ACTIONS + (RAM_ACTIONS_IPV6 if dual_stack else ()) + (RAM_ACTIONS_GUIDE_EXTRA if guide_extra else ())
    return tuple(sorted(actions))


# --- Terway by release -----------------------------------------------------------------------------------
#
# ACK ships Terway's tagged releases, not main. Each fact below was read in ``types/daemon/config.go`` (struct
# Config, its json tags and Go types; Config.Validate) and, for ``rate_limit``, in the names passed to
# ``RateLimiter.Wait`` under ``pkg/aliyun/client/`` (``ratelimit.go`` ``FromMap``: a rate_limit key configures the
# limiter of that name; a name nobody waits on has no effect), at every tag from v1.9.0 to v1.17.5 (``git show
# <tag>:<file>``). v1.17.5 (23a85fc3, on release-1.17) is not an ancestor of main, which the rest of this module
# reads at 89aadf8b.


@dataclass(frozen=True)
class Release:
    """A tagged Terway release: its version, tag and commit."""

    tag: str
    commit: str

    @property
    def version(self) -> tuple[int, int, int]:
        parsed = parse_version(self.tag)
        assert parsed is not None
        return parsed


RELEASES: Final[tuple[Release, ...]] = tuple(
    Release(tag, commit)
    for tag, commit in (
        ("v1.9.0", "47301e6b"), ("v1.9.3", "b0999951"), ("v1.9.6", "94795f0a"), ("v1.9.8", "e3045b41"),
        ("v1.9.10", "0174700f"), ("v1.9.16", "0d8af164"), ("v1.9.17", "87e310fe"), ("v1.10.0", "ed121a8b"),
        ("v1.11.1", "5a310b0a"), ("v1.11.2", "23f92ba5"), ("v1.11.5", "ea4d6ff2"), ("v1.12.1", "f2d6cd5a"),
        ("v1.13.2", "4ab7a386"), ("v1.13.4", "99112f78"), ("v1.13.7", "a3dda3bf"), ("v1.14.0", "b3e9b192"),
        ("v1.14.1", "c688657c"), ("v1.14.3", "c8982978"), ("v1.14.5", "5c3389f9"), ("v1.15.0", "23cef2ac"),
        ("v1.15.1", "2cbb8689"), ("v1.15.2", "84ebc2b9"), ("v1.15.3", "1bfb14bd"), ("v1.16.0", "546808e3"),
        ("v1.16.1", "5813e741"), ("v1.16.2", "1144b3e3"), ("v1.16.4", "73b28e33"), ("v1.16.5", "c1afe283"),
        ("v1.16.6", "33079f14"), ("v1.17.1", "a491328a"), ("v1.17.2", "4b279950"), ("v1.17.5", "23a85fc3"),
    )
)  # fmt: skip
"""Every tag of the upstream repository from v1.9.0 to v1.17.5, in version order."""
NEWEST_RELEASE: Final = RELEASES[-1]
"""What applies without a pin: the newest tagged release, not main."""
_BY_TAG: Final = {r.tag: r for r in RELEASES}

Span = tuple[str, "str | None"]
"""(first tag that reads it, last tag that reads it, or None: still read by the newest release)."""

_ALWAYS: Final[tuple[Span, ...]] = (("v1.9.0", None),)

KEY_RELEASES: Final[Mapping[str, tuple[Span, ...]]] = {
    "eni_selection_policy": (("v1.9.6", None),),
    # added on release-1.9 at v1.9.16, absent from v1.10.0 to v1.13.2, back from v1.13.4
    "enable_patch_pod_ips": (("v1.9.16", "v1.9.17"), ("v1.13.4", None)),
    "rate_limit": (("v1.10.0", None),),
    "ip_pool_sync_period": (("v1.15.0", None),),
    "idle_ip_reclaim_after": (("v1.16.0", None),),
    "idle_ip_reclaim_batch_size": (("v1.16.0", None),),
    "idle_ip_reclaim_interval": (("v1.16.0", None),),
    "idle_ip_reclaim_jitter_factor": (("v1.16.0", None),),
    "ip_warm_up_size": (("v1.16.4", None),),
    "enable_ip_prefix": (("v1.17.1", None),),
    "ipv4_prefix_count": (("v1.17.1", None),),
    "ipv6_prefix_count": (("v1.17.1", None),),
    # removed keys, read up to their removal (REMOVED_KEYS)
    "enable_eip_pool": (("v1.9.0", "v1.9.3"),),
    "enable_eip_migrate": (("v1.9.0", "v1.9.3"),),
    "allow_eip_rob": (("v1.9.0", "v1.9.3"),),
    "wait_trunk_eni": (("v1.9.0", "v1.9.3"),),
    "disable_security_group_check": (("v1.9.0", "v1.9.3"),),
    "eni_cap_policy": (("v1.9.0", "v1.10.0"),),
}
"""The releases that read each key whose presence changed between v1.9.0 and v1.17.5; any other key of
``ENI_CONF_KEYS`` is read by every release from v1.9.0 on, except those in ``MAIN_ONLY_KEYS``."""

MAIN_ONLY_KEYS: Final[Mapping[str, str]] = {"eni_tag_block_list": "30479a54"}
"""Keys main reads and no tag does yet, with the commit that added them."""

RELEASED_ONLY_KEYS: Final[Mapping[str, EniConfKey]] = {
    k.name: k
    for k in (
        # types/daemon/config.go at v1.9.0 (the first five to v1.9.3, eni_cap_policy to v1.10.0)
        _k("enable_eip_pool", STRING, '""', "EIP pool (removed by 8adcc66f)"),
        _k("enable_eip_migrate", BOOL, "false", "EIP migration (removed by 8adcc66f)"),
        _k("allow_eip_rob", STRING, '""', "EIP takeover (removed by 8adcc66f)"),
        _k("wait_trunk_eni", BOOL, "false", "do not create the trunk ENI (removed by 8adcc66f)"),
        _k("disable_security_group_check", BOOL, "false", "skip the security-group check (removed by 8adcc66f)"),
        _k(
            "eni_cap_policy",
            GoType("ENICapPolicy", "string"),
            '""',
            "prefer trunk or secondary ENIs (removed by 0eb1f4a9)",
        ),
    )
}
"""Keys that only older releases read, with their Go types there."""

WAIT_BACKOFF: Final = GoType(
    "wait.Backoff",
    "struct",
    # k8s.io/apimachinery/pkg/util/wait Backoff: no json tags, so the keys are the Go field names
    fields={"Duration": DURATION, "Factor": FLOAT64, "Jitter": FLOAT64, "Steps": INT, "Cap": DURATION},
)
TYPE_BEFORE: Final[Mapping[str, tuple[str, GoType]]] = {
    "backoff_override": ("v1.15.0", GoType("map[string]wait.Backoff", "map", WAIT_BACKOFF)),
}
"""Keys whose Go type changed: before the given tag they decode into this type (v1.15.0: ExtendedBackoff)."""

RATE_LIMIT_APIS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    # pkg/aliyun/client/ecs.go (APICreateNetworkInterface ... APIDescribeInstanceTypes), from v1.10.0
    (
        "v1.10.0",
        (
            "AssignIpv6Addresses",
            "AssignPrivateIpAddresses",
            "AttachNetworkInterface",
            "CreateNetworkInterface",
            "DeleteNetworkInterface",
            "DescribeInstanceTypes",
            "DescribeNetworkInterfaces",
            "DetachNetworkInterface",
            "UnAssignIpv6Addresses",
            "UnAssignPrivateIpAddresses",
        ),
    ),
    ("v1.13.7", ("AssignLeniPrivateIpAddress", "CreateElasticNetworkInterface")),  # EFLO
    (
        "v1.14.3",
        (
            "AttachElasticNetworkInterface",
            "DeleteElasticNetworkInterface",
            "DescribeVSwitches",
            "DetachElasticNetworkInterface",
            "UnassignLeniPrivateIpAddress",
        ),
    ),
    ("v1.15.1", ("DescribeNode", "DescribeNodeType")),
    ("v1.17.2", ("DescribeNetworkInterfaceAttribute",)),
)
"""The limiter names each release adds (each release waits on every name listed up to its version)."""
RATE_LIMIT_RENAMED_ON_MAIN: Final[Mapping[str, tuple[str, str]]] = {
    "UnassignPrivateIpAddresses": ("UnAssignPrivateIpAddresses", "f718de6b"),
    "UnassignIpv6Addresses": ("UnAssignIpv6Addresses", "f718de6b"),
}
"""main's spelling -> (the spelling every release reads, the commit that renamed it)."""
RATE_LIMIT_DEFAULT_KEY: Final = ""
"""``ratelimit.go`` ``Wait``: a name without a limiter of its own waits on the limiter of ``""``."""


def release_for(version: str | None) -> Release:
    """The release whose facts apply: the newest tagged release not after ``version`` (an addon version); without
    a version, or one that does not parse, the newest release (not main). A version before v1.9.0 gets v1.9.0's."""
    parsed = parse_version(version) if version else None
    if parsed is None:
        return NEWEST_RELEASE
    older = [r for r in RELEASES if r.version <= parsed]
    return older[-1] if older else RELEASES[0]


def _in_span(release: Release, span: Span) -> bool:
    first, last = span
    return _BY_TAG[first].version <= release.version and (last is None or release.version <= _BY_TAG[last].version)


def reads_key(release: Release, key: str) -> bool:
    """Whether ``release`` reads the ``eni_conf`` key ``key``."""
    if key in MAIN_ONLY_KEYS:
        return False
    spans = KEY_RELEASES.get(key)
    if spans is None:
        return key in KEYS_BY_NAME
    return any(_in_span(release, s) for s in spans)


def keys_of(release: Release) -> dict[str, EniConfKey]:
    """Every key ``release`` reads, with the Go type it decodes into there."""
    keys: dict[str, EniConfKey] = {}
    for name, key in {**KEYS_BY_NAME, **RELEASED_ONLY_KEYS}.items():
        if not reads_key(release, name):
            continue
        before = TYPE_BEFORE.get(name)
        if before is not None and release.version < _BY_TAG[before[0]].version:
            key = EniConfKey(key.name, before[1], key.default, key.meaning)
        keys[name] = key
    return keys


def _spans_text(spans: Sequence[Span]) -> str:
    return " and ".join(f"{first} to {last}" if last else f"{first} on" for first, last in spans)


def rate_limit_apis(release: Release) -> frozenset[str]:
    """The limiter names ``release`` waits on (a rate_limit key for any other name has no effect)."""
    names: set[str] = set()
    for since, added in RATE_LIMIT_APIS:
        if _BY_TAG[since].version <= release.version:
            names.update(added)
    return frozenset(names)


# --- unknown keys -------------------------------------------------------------------------------------


def probable_key(key: str) -> str | None:
    """The known key ``key`` was probably meant to be (case, underscores or a close spelling), or None."""
    folded = key.lower().replace("_", "").replace("-", "")
    for known in KEYS_BY_NAME:
        if known.replace("_", "") == folded:
            return known
    close = difflib.get_close_matches(key, list(KEYS_BY_NAME), n=1, cutoff=0.8)
    return close[0] if close else None


def key_problems(
    conf: Mapping[str, Any],
    extra_keys: frozenset[str] = frozenset(),
    show_key: Callable[[str], str] = json.dumps,
    version: str | None = None,
) -> Iterator[str]:
    """Keys of ``conf`` that the Terway ``version`` does not read, each with why (not released yet, read by other
    releases, removed upstream, a probable typo, unknown), then its ``rate_limit`` names that limit nothing.
    Without a version the newest tagged release is judged (``release_for``), never main."""
    release = release_for(version)
    known = keys_of(release)
    for key in sorted(set(conf) - set(known) - extra_keys):
        shown = show_key(key)
        spans = KEY_RELEASES.get(key, _ALWAYS if key in KEYS_BY_NAME else ())
        if key in MAIN_ONLY_KEYS:
            yield (
                f"{shown} is not in any released Terway yet: only main reads it (commit {MAIN_ONLY_KEYS[key]}, "
                f"newest release {NEWEST_RELEASE.tag}); Terway {release.tag} ignores it"
            )
        elif key in REMOVED_KEYS and all(
            last is not None and _BY_TAG[last].version < release.version for _, last in spans
        ):
            removed = REMOVED_KEYS[key]
            yield (
                f"{shown} was removed upstream by commit {removed.commit}: Terway {removed.first_release_without} "
                "and later ignore it"
            )
        elif spans:
            yield f"{shown} is read by Terway {_spans_text(spans)}, not by Terway {release.tag}, which ignores it"
        elif (meant := probable_key(key)) is not None:
            yield f"{shown} is not a key Terway reads (keys are case-sensitive); it probably means {meant}"
        else:
            yield f"{shown} is not a key Terway reads; Terway ignores it silently"
    if RATE_LIMIT in known and RATE_LIMIT not in extra_keys:
        yield from rate_limit_problems(conf.get(RATE_LIMIT), release, show_key)


_ALL_LIMITERS: Final = frozenset(name for _, names in RATE_LIMIT_APIS for name in names) | frozenset(
    RATE_LIMIT_RENAMED_ON_MAIN
)


def rate_limit_problems(limits: object, release: Release, show_key: Callable[[str], str] = json.dumps) -> Iterator[str]:
    """``rate_limit`` names ``release`` waits on no limiter for: the key has no effect (main's spelling included)."""
    if not isinstance(limits, Mapping):
        return
    apis = rate_limit_apis(release)
    for name in sorted(k for k in limits if isinstance(k, str)):
        if name == RATE_LIMIT_DEFAULT_KEY or name in apis:
            continue
        where = f"{RATE_LIMIT}.{name}" if name in _ALL_LIMITERS else f"{RATE_LIMIT} key {show_key(name)}"
        folded = {a.lower(): a for a in apis}.get(name.lower())
        if name in RATE_LIMIT_RENAMED_ON_MAIN:
            released, commit = RATE_LIMIT_RENAMED_ON_MAIN[name]
            yield (
                f"{where} is main's spelling (commit {commit}), not in any released Terway yet: Terway "
                f"{release.tag} limits that API only as {RATE_LIMIT}.{released} and ignores this key"
            )
        elif folded is not None:
            yield (
                f"{where}: Terway {release.tag} has no limiter of that name (names are case-sensitive); it "
                f"probably means {folded}"
            )
        elif name in _ALL_LIMITERS:
            since = next(tag for tag, names in RATE_LIMIT_APIS if name in names)
            yield f"{where}: Terway waits on that limiter from {since} on, not in {release.tag}; the key has no effect"
        else:
            yield f"{where}: Terway {release.tag} waits on no limiter of that name; the key has no effect"


def value_problems(
    conf: Mapping[str, Any],
    show: Callable[[object], str] = json.dumps,
    show_key: Callable[[str], str] = json.dumps,
    version: str | None = None,
) -> list[str]:
    """What stops the decoder or ``Config.Validate`` of the Terway ``version`` (without one, the newest release)
    for the keys of ``conf`` it reads (not the SG limit), and enumerated values it does not know."""
    known = keys_of(release_for(version))
    problems: list[str] = []
    for key in sorted(set(conf) & set(known)):
        problems += decode_problems(conf[key], known[key].go_type, key, show_key)
    for key, (allowed, otherwise) in ENUMERATIONS.items():
        value = conf.get(key)
        if key in known and isinstance(value, str) and value not in allowed:
            valid = ", ".join(json.dumps(a) for a in allowed)
            problems.append(f"{key} = {show(value)}: must be one of {valid}; {otherwise}")
    return problems
