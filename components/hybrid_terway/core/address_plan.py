"""The network plan checked against the cloud and the cluster before anything changes.

Plain data in, a verdict out: :func:`plan_addresses` takes what the cloud says about the stack's pod vSwitches,
security groups and their VPCs, and what the cluster says about its service range and on-prem addresses, and
returns an :class:`AddressPlan` (per-zone capacity, the service range, the on-prem pod CIDRs with where each came
from, every overlap check's verdict) with hard errors and warnings. Components only wire provider invokes and
reads to it; the offline preview feeds it from its fake cloud and cluster.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hybrid_terway.core import constants, terway_model
from hybrid_terway.core.problems import Problem, grouped
from hybrid_terway.core.settings import TerwaySettings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_KEY = constants.PROJECT + ":"
SERVICE_CIDR = "terway.serviceCidr"


# --- facts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VSwitchFact:
    """One vSwitch as DescribeVSwitches (``VSwitches.VSwitch[]``) or ``alicloud.vpc.get_switches`` tells it."""

    id: str
    zone_id: str
    vpc_id: str
    cidr_block: str
    available_ips: int
    ipv6_cidr_block: str = ""


@dataclass(frozen=True)
class SecurityGroupFact:
    """One security group as DescribeSecurityGroups or ``alicloud.ecs.get_security_groups`` tells it."""

    id: str
    vpc_id: str


@dataclass(frozen=True)
class VpcFact:
    """One VPC: its primary CIDR block and its secondary ones (DescribeVpcs, ``alicloud.vpc.get_networks``)."""

    id: str
    cidr_blocks: tuple[str, ...]


@dataclass(frozen=True)
class CloudFacts:
    vswitches: tuple[VSwitchFact, ...] = ()
    security_groups: tuple[SecurityGroupFact, ...] = ()
    vpcs: tuple[VpcFact, ...] = ()


@dataclass(frozen=True)
class SourcedCidr:
    """An on-prem pod CIDR and where it came from (a setting, a Calico IPPool, kubeadm-config)."""

    cidr: str
    source: str


@dataclass(frozen=True)
class NodeAddress:
    node: str
    address: str


@dataclass(frozen=True)
class ClusterFacts:
    """What the cluster says. ``None`` for what could not be read (the check is then reported as not done)."""

    kubernetes_service_ips: tuple[str, ...] | None = None
    kubernetes_service_source: str = "Service default/kubernetes"
    on_prem_pod_cidrs: tuple[SourcedCidr, ...] = ()
    on_prem_node_addresses: tuple[NodeAddress, ...] = ()
    cloud_nodes_per_zone: Mapping[str, int] | None = None
    """Cloud nodes per zone; None when the nodes are not known (a real run reads no node list)."""
    kubeadm_service_subnet: str | None = None


# --- the plan -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZonePlan:
    zone: str
    vswitches: tuple[VSwitchFact, ...]
    missing: tuple[str, ...]
    free_ips: int
    cloud_nodes: int | None
    needed_ips: int

    @property
    def need(self) -> str:
        """What the zone's pod vSwitches must hold, in words: the console's capacity line and PLAN.md say it alike."""
        if self.cloud_nodes is None:
            return f"cloud nodes unknown, minimum {self.needed_ips}"
        if self.cloud_nodes:
            return f"{_plural(self.cloud_nodes, 'cloud node')} could take {self.needed_ips}"
        return f"no cloud node yet, minimum {self.needed_ips}"


@dataclass(frozen=True)
class Check:
    """One overlap or consistency check: what was compared, and its verdict."""

    name: str
    ok: bool | None  # None: not done (a fact was not available)
    detail: str


@dataclass
class AddressPlan:
    zones: list[ZonePlan] = field(default_factory=list)
    service_ranges: list[str] = field(default_factory=list)
    kubernetes_service_ips: tuple[str, ...] | None = None
    kubernetes_service_source: str = ""
    on_prem_pod_cidrs: list[SourcedCidr] = field(default_factory=list)
    on_prem_node_addresses: list[NodeAddress] = field(default_factory=list)
    vpcs: list[VpcFact] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def capacity_lines(self) -> list[str]:
        """One line per zone: pod vSwitches, free IPs and what the zone's cloud nodes could take."""
        lines = []
        for z in self.zones:
            lines.append(f"{z.zone}: {z.free_ips} free IPs in {_plural(len(z.vswitches), 'pod vSwitch')} ({z.need})")
        return lines


class NetworkPlanError(Exception):
    """The network plan does not fit the cloud or the cluster: one line per problem, long lists grouped.

    A program raises it as ``hybrid_terway.checks.AddressPlanError``, a ``pulumi.RunError`` (printed without a
    traceback)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in grouped(self.problems))
        super().__init__(
            f"the network plan does not fit the cloud and the cluster ({len(self.problems)} problem(s)):\n{lines}"
        )


# --- helpers --------------------------------------------------------------------------------------


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun if count == 1 else noun + ('es' if noun.endswith('ch') else 's')}"


def _network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def service_ranges(service_cidr: str) -> list[Network]:
    """``serviceCidr`` as Terway reads it: ``v4[,v6]``, each part a CIDR (host bits masked: Terway's
    ``types/types.go`` parses each part with ``net.ParseCIDR``)."""
    return [n for n in (_network(p) for p in terway_model.service_cidr_parts(service_cidr)) if n is not None]


def _overlaps(a: Network, b: Network) -> bool:
    return a.version == b.version and a.overlaps(b)  # type: ignore[arg-type]


def _contains(network: Network, address: Address) -> bool:
    return network.version == address.version and address in network


def _vswitch_networks(v: VSwitchFact) -> list[Network]:
    return [n for n in (_network(v.cidr_block), _network(v.ipv6_cidr_block or "")) if n is not None]


def _vswitch_text(v: VSwitchFact) -> str:
    cidrs = ", ".join(c for c in (v.cidr_block, v.ipv6_cidr_block) if c)
    return f"{v.id} ({cidrs})"


# --- the checks -----------------------------------------------------------------------------------


def plan_addresses(
    terway: TerwaySettings,
    cloud: CloudFacts,
    cluster: ClusterFacts,
    min_free_ips: int = constants.MIN_FREE_IPS_PER_ZONE,
) -> AddressPlan:
    """Check the stack's pod vSwitches, security groups and service range against the facts.

    Only the vSwitches and security groups the stack names, and their VPCs, are looked at: a region-wide listing
    may hold anything else.
    """
    plan = AddressPlan(
        kubernetes_service_ips=cluster.kubernetes_service_ips,
        kubernetes_service_source=cluster.kubernetes_service_source,
        on_prem_pod_cidrs=list(cluster.on_prem_pod_cidrs),
        on_prem_node_addresses=list(cluster.on_prem_node_addresses),
    )
    errors, checks = plan.errors, plan.checks
    vswitch_by_id = {v.id: v for v in cloud.vswitches}
    group_by_id = {g.id: g for g in cloud.security_groups}

    # Existence and zone of each pod vSwitch; capacity per zone.
    pod_vswitches: list[tuple[str, VSwitchFact]] = []
    for zone, ids in sorted(terway.pod_vswitches.items()):
        path = f"terway.podVswitches.{zone}"
        key = _KEY + path
        found: list[VSwitchFact] = []
        missing: list[str] = []
        for vsw in ids:
            fact = vswitch_by_id.get(vsw)
            if fact is None:
                missing.append(vsw)
                errors.append(Problem(path, f"{key}: vSwitch {vsw} does not exist in this account and region"))
                continue
            if fact.zone_id != zone:
                errors.append(
                    Problem(
                        path,
                        f"{key}: vSwitch {_vswitch_text(fact)} is in zone {fact.zone_id}, not {zone}: an ENI must be "
                        f"in its instance's zone, so pods on cloud nodes in {zone} would stay in ContainerCreating",
                    )
                )
            found.append(fact)
            pod_vswitches.append((zone, fact))
        nodes = None if cluster.cloud_nodes_per_zone is None else cluster.cloud_nodes_per_zone.get(zone, 0)
        needed = nodes * (terway.max_pool_size + 1) if nodes else min_free_ips
        free = sum(v.available_ips for v in found if v.zone_id == zone)
        plan.zones.append(ZonePlan(zone, tuple(found), tuple(missing), free, nodes, needed))
        if found and free < needed:
            if nodes is None:
                why = f"that is below the minimum of {needed} (the zone's cloud nodes are not known here)"
            elif nodes:
                why = (
                    f"its {_plural(nodes, 'cloud node')} could take {needed} "
                    f"(maxPoolSize {terway.max_pool_size} idle IPs each, plus one)"
                )
            else:
                why = f"the minimum for a zone without cloud nodes yet is {needed}"
            ids_text = ", ".join(_vswitch_text(v) for v in found)
            plan.warnings.append(
                Problem(
                    path,
                    f"{key}: zone {zone} has {free} free IPs in its pod vSwitches {ids_text}; {why}: "
                    "add a pod vSwitch to the zone or free addresses",
                )
            )

    for index, sg in enumerate(terway.security_group_ids):
        if sg not in group_by_id:
            sg_path = f"terway.securityGroupIds[{index}]"
            errors.append(
                Problem(sg_path, f"{_KEY}{sg_path}: security group {sg} does not exist in this account and region")
            )

    # One VPC for every pod vSwitch and security group.
    members: dict[str, list[str]] = {}
    for _, v in pod_vswitches:
        members.setdefault(v.vpc_id or "(no VPC)", []).append(_vswitch_text(v))
    for sg in terway.security_group_ids:
        if sg in group_by_id:
            members.setdefault(group_by_id[sg].vpc_id or "(no VPC: classic network)", []).append(sg)
    if len(members) > 1:
        listing = "; ".join(f"{vpc}: {', '.join(items)}" for vpc, items in sorted(members.items()))
        errors.append(
            Problem(
                "terway", f"{_KEY}terway: pod vSwitches and security groups must all be in one VPC; found {listing}"
            )
        )
    checks.append(
        Check(
            "pod vSwitches and security groups in one VPC",
            len(members) <= 1,
            ", ".join(sorted(members)) or "nothing found",
        )
    )

    vpc_ids = set(members)
    plan.vpcs = sorted((v for v in cloud.vpcs if v.id in vpc_ids), key=lambda v: v.id)

    ranges = service_ranges(terway.service_cidr)
    plan.service_ranges = [str(r) for r in ranges]
    service_key = f"{_KEY}{SERVICE_CIDR} = {terway.service_cidr!r}"

    # The kubernetes Service's ClusterIP lies in the service range (it is its first address).
    if cluster.kubernetes_service_ips is None:
        checks.append(Check("kubernetes Service ClusterIP inside serviceCidr", None, "the Service was not read"))
    else:
        outside = []
        for ip_text in cluster.kubernetes_service_ips:
            ip = _address(ip_text)
            same_family = [r for r in ranges if ip is not None and r.version == ip.version]
            if ip is not None and same_family and not any(ip in r for r in same_family):  # type: ignore[operator]
                outside.append(ip_text)
        for ip_text in outside:
            errors.append(
                Problem(
                    SERVICE_CIDR,
                    f"{service_key}: the cluster's {cluster.kubernetes_service_source} has ClusterIP {ip_text}, "
                    "outside it: serviceCidr must be the cluster's service range, or Terway routes service traffic "
                    "wrongly",
                )
            )
        checks.append(
            Check(
                "kubernetes Service ClusterIP inside serviceCidr",
                not outside,
                ", ".join(cluster.kubernetes_service_ips) or "no ClusterIP",
            )
        )
    if cluster.kubeadm_service_subnet:
        kubeadm = {str(n) for n in service_ranges(cluster.kubeadm_service_subnet)}
        same = kubeadm == set(plan.service_ranges)
        checks.append(Check("serviceCidr equals kubeadm-config networking.serviceSubnet", same, ", ".join(kubeadm)))
        if not same:
            plan.warnings.append(
                Problem(
                    SERVICE_CIDR,
                    f"{service_key}: kubeadm-config ClusterConfiguration networking.serviceSubnet is "
                    f"{cluster.kubeadm_service_subnet!r}; check which one the API server uses",
                )
            )

    on_prem = [(c, n) for c in cluster.on_prem_pod_cidrs if (n := _network(c.cidr)) is not None]
    node_addresses = [(a, ip) for a in cluster.on_prem_node_addresses if (ip := _address(a.address)) is not None]

    def overlap_check(
        name: str,
        subjects: list[tuple[str, str, Network]],
        others: list[tuple[str, Network | Address]],
        compared: int,
    ) -> None:
        """Each subject (its key path, how a problem names it, its range) against each other range or address."""
        hits = [
            Problem(path, f"{text} {'overlaps' if isinstance(other, Network) else 'contains'} {what}")
            for path, text, network in subjects
            for what, other in others
            if (_overlaps(network, other) if isinstance(other, Network) else _contains(network, other))
        ]
        errors.extend(hits)
        if not compared:
            checks.append(Check(name, None, "nothing to compare"))
        else:
            checks.append(Check(name, not hits, f"{compared} compared" if not hits else f"{len(hits)} overlap(s)"))

    service = [(SERVICE_CIDR, service_key, r) for r in ranges]
    vswitches = [
        (f"terway.podVswitches.{zone}", f"{_KEY}terway.podVswitches.{zone}: pod vSwitch {v.id} ({n})", n)
        for zone, v in pod_vswitches
        for n in _vswitch_networks(v)
    ]
    vpc_blocks: list[tuple[str, Network | Address]] = [
        (f"VPC {vpc.id} CIDR block {block}", n)
        for vpc in plan.vpcs
        for block in vpc.cidr_blocks
        if (n := _network(block)) is not None
    ]
    vswitch_ranges: list[tuple[str, Network | Address]] = [
        (f"pod vSwitch {v.id} ({n}) in {zone}", n) for zone, v in pod_vswitches for n in _vswitch_networks(v)
    ]
    pod_cidrs: list[tuple[str, Network | Address]] = [
        (f"on-prem pod CIDR {c.cidr} ({c.source})", n) for c, n in on_prem
    ]
    node_ips: list[tuple[str, Network | Address]] = [
        (f"on-prem node {a.node}'s address {a.address}", ip) for a, ip in node_addresses
    ]
    overlap_check("serviceCidr vs VPC CIDR blocks", service, vpc_blocks, sum(len(v.cidr_blocks) for v in plan.vpcs))
    overlap_check("serviceCidr vs pod vSwitches", service, vswitch_ranges, len(pod_vswitches))
    overlap_check("serviceCidr vs on-prem pod CIDRs", service, pod_cidrs, len(on_prem))
    overlap_check("serviceCidr vs on-prem node addresses", service, node_ips, len(node_addresses))
    overlap_check("pod vSwitches vs on-prem pod CIDRs", vswitches, pod_cidrs, len(pod_vswitches) * len(on_prem))
    overlap_check(
        "pod vSwitches vs on-prem node addresses", vswitches, node_ips, len(pod_vswitches) * len(node_addresses)
    )
    return plan


# --- reading facts from plain data ----------------------------------------------------------------


def kubernetes_service_ips(service: Mapping[str, Any] | None) -> tuple[str, ...] | None:
    """The ClusterIPs of the ``default/kubernetes`` Service (``spec.clusterIPs``, else ``spec.clusterIP``)."""
    if not isinstance(service, Mapping):
        return None
    spec = service.get("spec") if isinstance(service.get("spec"), Mapping) else service
    assert isinstance(spec, Mapping)
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return tuple(str(ip) for ip in ips if ip and ip != "None")


def setting_cidrs(cidrs: Iterable[str]) -> list[SourcedCidr]:
    return [SourcedCidr(c, f"{_KEY}onPremPodCidrs[{i}]") for i, c in enumerate(cidrs)]
