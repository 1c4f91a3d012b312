"""Whether cloud pods and on-prem pods can reach each other (scenario ``bgp``): pure checks over typed facts.

Four checks (routes, advertisements, security groups, NAT), plain data in, an :class:`InterconnectPlan` out: the
facts found with where each came from, every check's verdict, errors, warnings, and what ``manage`` adds. No Pulumi
here: the program feeds it from provider invokes (``hybrid_terway.interconnect_wiring``), the offline preview from
a cloud snapshot. What each check compares, and why: docs/interconnect.md, "The checks".

Upstream (cited where used): aliyun/alibabacloud-python-sdk ``vpc-20160428`` and ``ecs-20140526`` response models;
the CreateBgpGroup API reference (``RouteLimit``); ECS "Security group rules" (priority); projectcalico/calico at
87c15906 (``api/pkg/apis/projectcalico/v3/ippool.go``, ``libcalico-go/lib/clientv3/ippool.go``,
``node/pkg/lifecycle/startup/startup.go``, ``felix/rules/nat.go``, ``felix/dataplane/linux/masq_mgr.go``,
``felix/calc/l3_route_resolver.go``, ``libcalico-go/lib/backend/model/block.go``); kubernetes
``pkg/kubelet/apis/config/v1beta1/defaults.go``.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hybrid_terway.core import constants
from hybrid_terway.core.settings import InterconnectSettings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_KEY = constants.PROJECT + ":interconnect"

DEFAULT_BGP_ROUTE_LIMIT = 110
"""Dynamic routes a VBR BGP peer takes by default (CreateBgpGroup ``RouteLimit``; quota
``ec_quota_bgp_group_max_route_entry_num``)."""
CALICO_DEFAULT_BLOCK_SIZE = {4: 26, 6: 122}
"""``IPPoolSpec.BlockSize`` defaults: what projectcalico/calico ``libcalico-go/lib/clientv3/ippool.go`` writes for a
pool without one (documented in ``api/pkg/apis/projectcalico/v3/ippool.go``)."""
KUBELET_DEFAULT_MAX_PODS = 110
"""``KubeletConfiguration.maxPods`` default (kubernetes ``pkg/kubelet/apis/config/v1beta1/defaults.go``)."""

ON_PREM_NEXT_HOPS = {
    "RouterInterface": "a router interface to a VBR",
    "Attachment": "a transit router attachment",
    "CenBasic": "CEN",
    "Ecr": "an Express Connect Router",
}
"""``NextHopType`` values (``DescribeRouteEntryList``) that lead toward the data centre."""
NEXT_HOP_WORDS = {
    "Instance": "an ECS instance",
    "NetworkInterface": "an ENI",
    "NatGateway": "a NAT gateway",
    "HaVip": "an HaVip",
    "VpnGateway": "a VPN gateway",
    "IPv6Gateway": "an IPv6 gateway",
    "Ipv4Gateway": "an IPv4 gateway",
    "VpcPeer": "a VPC peering connection",
    "GatewayEndpoint": "a gateway endpoint",
    "Local": "the VPC itself",
    **ON_PREM_NEXT_HOPS,
}


# --- facts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextHop:
    """One next hop of a route (``NextHops.NextHop[]``): its type, id, and the instance behind it (for a router
    interface, ``NextHopRelatedInfo.InstanceId`` is the VBR at its other end)."""

    type: str
    id: str
    related_instance_id: str = ""


@dataclass(frozen=True)
class RouteEntryFact:
    route_table_id: str
    destination: str
    next_hops: tuple[NextHop, ...]
    description: str = ""


@dataclass(frozen=True)
class RouteTableFact:
    id: str
    vpc_id: str
    type: str  # System | Custom
    vswitch_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RouterInterfaceFact:
    """A router interface of the VPC's vRouter and the router at its other end (a VBR for Express Connect)."""

    id: str
    opposite_router_id: str


@dataclass(frozen=True)
class BgpPeerFact:
    id: str
    group_id: str
    router_id: str
    peer_ip: str
    status: str  # BgpStatus: Idle | Connect | Active | Established | Down
    route_limit: int | None


@dataclass(frozen=True)
class BgpGroupFact:
    id: str
    router_id: str
    route_limit: int | None


@dataclass(frozen=True)
class BgpNetworkFact:
    router_id: str
    cidr: str
    vpc_id: str = ""


@dataclass(frozen=True)
class SecurityRuleFact:
    """One rule of ``DescribeSecurityGroupAttribute`` ``Permissions.Permission[]`` (or the provider's rules)."""

    group_id: str
    direction: str  # ingress | egress
    policy: str  # Accept | Drop
    priority: int
    ip_protocol: str  # ALL | TCP | UDP | ICMP | ICMPv6 | GRE
    port_range: str
    source: str  # SourceCidrIp or Ipv6SourceCidrIp; "" for a rule by source group or prefix list
    description: str = ""


@dataclass(frozen=True)
class VbrFact:
    """A VBR (``DescribeVirtualBorderRouters`` ``VirtualBorderRouterSet.VirtualBorderRouterType[]``)."""

    id: str
    status: str  # unconfirmed | active | terminating | terminated | recovering | deleting


@dataclass(frozen=True)
class CenChildFact:
    """A network attached to a CEN instance (``DescribeCenAttachedChildInstances``
    ``ChildInstances.ChildInstance[]``)."""

    cen_id: str
    id: str
    type: str  # VPC | VBR | CCN
    region: str
    status: str  # Attaching | Attached | Detaching


@dataclass(frozen=True)
class CenPublishedRouteFact:
    """A route of a VPC route table as CEN sees it (``DescribePublishedRouteEntries``
    ``PublishedRouteEntries.PublishedRouteEntry[]``): whether it is published to the CEN instance."""

    route_table_id: str
    cidr: str
    status: str  # Published | NonPublished
    route_type: str = ""  # System | Custom | BGP


@dataclass(frozen=True)
class TransitRouterAttachmentFact:
    """A VPC or VBR attachment of an Enterprise Edition transit router (``ListTransitRouterVpcAttachments`` /
    ``ListTransitRouterVbrAttachments`` ``TransitRouterAttachments[]``). ``auto_publish`` is
    ``AutoPublishRouteEnabled``: for a VBR attachment, whether the transit router advertises its routes to the VBR."""

    kind: str  # VPC | VBR
    id: str
    cen_id: str
    transit_router_id: str
    resource_id: str  # VpcId or VbrId
    status: str  # Attached | Attaching | Detaching
    auto_publish: bool | None


@dataclass(frozen=True)
class TransitRouterAssociationFact:
    """Which transit router route table an attachment is associated with (``ListTransitRouterRouteTableAssociations``
    ``TransitRouterAssociations[]``): the table whose routes the transit router advertises over that attachment."""

    route_table_id: str
    attachment_id: str
    status: str  # Active | Associating | Dissociating | Deleted


@dataclass(frozen=True)
class TransitRouterRouteFact:
    """A route of a transit router route table (``ListTransitRouterRouteEntries`` ``TransitRouterRouteEntries[]``)."""

    route_table_id: str
    cidr: str
    status: str  # Active | Rejected | Prohibited | Standby | Candidate | Creating | Deleting
    next_hop: str = ""  # the next hop's resource id (the VPC attachment's VPC for a propagated VPC route)


@dataclass(frozen=True)
class EcrAssociationFact:
    """An association of an Express Connect Router (``DescribeExpressConnectRouterAssociation``
    ``AssociationList[]``): the prefixes the ECR distributes to the data centre for it (``AllowedPrefixes``)."""

    ecr_id: str
    id: str
    node_type: str  # VPC | TR
    vpc_id: str
    status: str  # CREATING | ACTIVE | INACTIVE | ASSOCIATING | DISSOCIATING | UPDATING | DELETING
    allowed_prefixes: tuple[str, ...]
    mode: str = ""  # MatchMode | IncrementalMode


@dataclass(frozen=True)
class InterconnectCloudFacts:
    """What the cloud says. A field is ``None`` when it was not read (its check is then reported as not done)."""

    source: str
    route_tables: tuple[RouteTableFact, ...] | None = None
    route_entries: tuple[RouteEntryFact, ...] | None = None
    router_interfaces: tuple[RouterInterfaceFact, ...] = ()
    vbrs: tuple[VbrFact, ...] | None = None
    bgp_groups: tuple[BgpGroupFact, ...] | None = None
    bgp_peers: tuple[BgpPeerFact, ...] | None = None
    bgp_networks: tuple[BgpNetworkFact, ...] | None = None
    security_rules: tuple[SecurityRuleFact, ...] | None = None
    cen_children: tuple[CenChildFact, ...] | None = None
    cen_published: tuple[CenPublishedRouteFact, ...] | None = None
    """The pod vSwitches' route tables' routes with their CEN publish status; None when not read."""
    tr_attachments: tuple[TransitRouterAttachmentFact, ...] | None = None
    tr_associations: tuple[TransitRouterAssociationFact, ...] | None = None
    tr_routes: tuple[TransitRouterRouteFact, ...] | None = None
    """The transit routers' route table associations and routes; None when not read."""
    ecr_associations: tuple[EcrAssociationFact, ...] | None = None
    limits: tuple[str, ...] = ()
    """What this source cannot tell (a provider function reads one next hop, or one page): shown in PLAN.md."""


@dataclass(frozen=True)
class CalicoPool:
    name: str
    cidr: str
    disabled: bool
    nat_outgoing: bool
    block_size: int
    allowed_uses: tuple[str, ...] = ()
    """``allowedUses``; empty is Calico's default, ``[Workload, Tunnel]``."""

    @property
    def exempts_from_nat(self) -> bool:
        """Whether Felix leaves traffic toward this pool unmasqueraded: every pool is in its ``network-ip-pools``
        set except one only for LoadBalancer addresses (projectcalico/calico ``felix/dataplane/linux/masq_mgr.go``
        ``isLoadBalancerOnly``)."""
        return self.allowed_uses != ("LoadBalancer",)


@dataclass(frozen=True)
class OnPremCidr:
    cidr: str
    source: str


@dataclass(frozen=True)
class InterconnectClusterFacts:
    on_prem_pod_cidrs: tuple[OnPremCidr, ...]
    on_prem_node_cidrs: tuple[OnPremCidr, ...]
    pools: tuple[CalicoPool, ...] | None = None
    """Calico's IPPools; None when they were not read (a real run reads no list of them)."""
    ipam_blocks: int | None = None
    """How many ``ipamblocks.crd.projectcalico.org`` objects the cluster holds; None when not known."""
    on_prem_nodes: int | None = None
    operator_pools: tuple[tuple[str, int, str], ...] = ()
    """The tigera operator's own pool list: (Installation name, index, CIDR) of each
    ``spec.calicoNetwork.ipPools`` entry the cluster snapshot shows (a real run reads none)."""


@dataclass(frozen=True)
class PodVSwitch:
    id: str
    zone: str
    vpc_id: str
    cidr: str


# --- the plan -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: not done
    detail: str
    warning_only: bool = False


@dataclass(frozen=True)
class RouteFinding:
    route_table_id: str
    cidr: str
    found: str
    ok: bool
    source: str


@dataclass(frozen=True)
class AdvertisementFinding:
    cidr: str
    found: str
    ok: bool | None
    source: str


@dataclass(frozen=True)
class ManagedRoute:
    route_table_id: str
    cidr: str
    router_interface_id: str
    vbr_id: str
    exists: bool


@dataclass(frozen=True)
class ManagedBgpNetwork:
    vbr_id: str
    cidr: str
    vpc_id: str
    exists: bool


@dataclass(frozen=True)
class ManagedRule:
    group_id: str
    cidr: str
    exists: bool


@dataclass(frozen=True)
class ManagedPool:
    name: str
    cidr: str
    exists: bool


@dataclass
class InterconnectPlan:
    settings: InterconnectSettings
    cloud_source: str
    routes: list[RouteFinding] = field(default_factory=list)
    advertisements: list[AdvertisementFinding] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    managed_routes: list[ManagedRoute] = field(default_factory=list)
    managed_bgp_networks: list[ManagedBgpNetwork] = field(default_factory=list)
    managed_rules: list[ManagedRule] = field(default_factory=list)
    managed_pools: list[ManagedPool] = field(default_factory=list)
    limits: tuple[str, ...] = ()
    on_prem_cidrs: list[OnPremCidr] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        """One console line per check."""
        words = {True: "ok", False: "FAILS", None: "not done"}
        return [
            f"{c.name}: {('warning' if c.warning_only and c.ok is False else words[c.ok])} ({c.detail})"
            for c in self.checks
        ]


# --- helpers --------------------------------------------------------------------------------------


def _net(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _covers(outer: Network, inner: Network) -> bool:
    return outer.version == inner.version and inner.subnet_of(outer)  # type: ignore[arg-type]


def _overlaps(a: Network, b: Network) -> bool:
    return a.version == b.version and a.overlaps(b)  # type: ignore[arg-type]


def _hop_text(hop: NextHop) -> str:
    what = NEXT_HOP_WORDS.get(hop.type, hop.type or "no next hop")
    related = f" to {hop.related_instance_id}" if hop.related_instance_id else ""
    return f"{hop.type} {hop.id}{related} ({what})" if hop.id else f"{hop.type} ({what})"


def _route_text(route: RouteEntryFact) -> str:
    hops = ", ".join(_hop_text(h) for h in route.next_hops) or "no next hop"
    return f"{route.destination} via {hops}"


def _leads_on_prem(hop: NextHop, vbr_ids: frozenset[str]) -> bool:
    if hop.type == "RouterInterface":
        return hop.related_instance_id in vbr_ids
    return hop.type in ON_PREM_NEXT_HOPS


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun if count == 1 else noun + 's'}"


def managed_marker(cluster_id: str) -> str:
    """The description this program gives the routes and rules it adds: how a later run tells them apart."""
    return f"hybrid-terway {cluster_id}"


def no_nat_pool_name(cidr: str) -> str:
    """The name of the disabled IPPool over one pod vSwitch CIDR (a Kubernetes object name)."""
    return "hybrid-terway-no-nat-" + re.sub(r"[^a-z0-9]+", "-", cidr.lower()).strip("-")


def blocks_per_node(block_size: int, version: int = 4, max_pods: int = KUBELET_DEFAULT_MAX_PODS) -> int:
    """Calico blocks a node claims when it runs ``max_pods`` pods: one block holds 2^(bits - blockSize) addresses."""
    bits = 32 if version == 4 else 128
    return max(1, math.ceil(max_pods / 2 ** (bits - block_size)))


# --- the checks -----------------------------------------------------------------------------------


def route_table_of(vswitch: PodVSwitch, tables: Sequence[RouteTableFact]) -> RouteTableFact | None:
    """The route table a vSwitch uses: the custom table it is associated with, else its VPC's system table."""
    for table in tables:
        if vswitch.id in table.vswitch_ids:
            return table
    return next((t for t in tables if t.vpc_id == vswitch.vpc_id and t.type == "System"), None)


def plan_interconnect(
    settings: InterconnectSettings,
    cluster_id: str,
    pod_vswitches: Sequence[PodVSwitch],
    security_group_ids: Sequence[str],
    cloud: InterconnectCloudFacts,
    cluster: InterconnectClusterFacts,
) -> InterconnectPlan:
    plan = InterconnectPlan(settings, cloud.source, limits=cloud.limits)
    plan.on_prem_cidrs = [*cluster.on_prem_pod_cidrs, *cluster.on_prem_node_cidrs]
    marker = managed_marker(cluster_id)
    vbr_ids = frozenset(settings.vbr_ids or ())
    _check_vbrs(plan, settings, cloud)
    _check_routes(plan, settings, vbr_ids, marker, pod_vswitches, cloud, cluster)
    _check_advertisements(plan, settings, vbr_ids, pod_vswitches, cloud)
    _check_bgp_sessions(plan, settings, vbr_ids, cloud, cluster)
    _check_security_groups(plan, settings, marker, security_group_ids, cloud, cluster)
    _check_nat(plan, settings, pod_vswitches, cluster)
    return plan


def _check_vbrs(plan: InterconnectPlan, settings: InterconnectSettings, cloud: InterconnectCloudFacts) -> None:
    if settings.via != "vbr" or cloud.vbrs is None:
        return
    found = {v.id: v for v in cloud.vbrs}
    for index, vbr in enumerate(settings.vbr_ids or ()):
        fact = found.get(vbr)
        if fact is None:
            plan.errors.append(f"{_KEY}.vbrIds[{index}]: VBR {vbr} does not exist in this account and region")
        elif fact.status != "active":
            plan.warnings.append(
                f"{_KEY}.vbrIds[{index}]: VBR {vbr} is {fact.status or 'of no status'}, not active: no traffic "
                "crosses it"
            )


def _check_routes(
    plan: InterconnectPlan,
    settings: InterconnectSettings,
    vbr_ids: frozenset[str],
    marker: str,
    pod_vswitches: Sequence[PodVSwitch],
    cloud: InterconnectCloudFacts,
    cluster: InterconnectClusterFacts,
) -> None:
    name = "routes: pod vSwitch route tables reach each on-prem pod CIDR"
    if settings.routes == "off":
        plan.checks.append(Check(name, None, "off"))
        return
    if cloud.route_tables is None or cloud.route_entries is None:
        plan.checks.append(Check(name, None, f"route tables not read ({cloud.source})"))
        return
    key = f"{_KEY}.routes"
    tables: dict[str, RouteTableFact] = {}
    for v in pod_vswitches:
        table = route_table_of(v, cloud.route_tables)
        if table is None:
            plan.errors.append(f"{key}: pod vSwitch {v.id} ({v.cidr}) has no route table in {cloud.source}")
            continue
        tables.setdefault(table.id, table)
    # A router interface toward a listed VBR, for the routes `manage` adds.
    interfaces = [ri for ri in cloud.router_interfaces if ri.opposite_router_id in vbr_ids]
    for route in cloud.route_entries:
        for hop in route.next_hops:
            if hop.type == "RouterInterface" and hop.related_instance_id in vbr_ids:
                interfaces.append(RouterInterfaceFact(hop.id, hop.related_instance_id))
    order = {vbr: i for i, vbr in enumerate(settings.vbr_ids or ())}
    interfaces.sort(key=lambda ri: (order.get(ri.opposite_router_id, 99), ri.id))
    failures = 0
    for table_id, table in sorted(tables.items()):
        entries = [r for r in cloud.route_entries if r.route_table_id == table_id]
        for cidr in cluster.on_prem_pod_cidrs:
            target = _net(cidr.cidr)
            if target is None:
                continue
            covering = [(r, n) for r in entries if (n := _net(r.destination)) is not None and _covers(n, target)]
            inside = [
                (r, n) for r in entries if (n := _net(r.destination)) is not None and n != target and _covers(target, n)
            ]
            best = max(covering, key=lambda rn: rn[1].prefixlen, default=None)
            problems: list[str] = []
            if best is None:
                found = "no route"
            else:
                found = _route_text(best[0])
                if not best[0].next_hops or not all(_leads_on_prem(h, vbr_ids) for h in best[0].next_hops):
                    problems.append(f"the route {found} does not lead to the data centre")
            for r, _ in inside:
                if not r.next_hops or not all(_leads_on_prem(h, vbr_ids) for h in r.next_hops):
                    problems.append(f"the more specific route {_route_text(r)} does not lead to the data centre")
            ok = best is not None and not problems
            wrong_inside = any(
                not r.next_hops or not all(_leads_on_prem(h, vbr_ids) for h in r.next_hops) for r, _ in inside
            )
            exact = any(n == target for _, n in covering)
            # A route of exactly the CIDR wins over any covering one (longest prefix): `manage` adds it unless one
            # exists already (then it is wrong, and stays an error) or a more specific wrong route would still win.
            fixable = not ok and not exact and not wrong_inside and settings.routes == "manage"
            if fixable:
                if interfaces:
                    problems = []
                    ri = interfaces[0]
                    plan.managed_routes.append(ManagedRoute(table_id, cidr.cidr, ri.id, ri.opposite_router_id, False))
                    found = f"to add: {cidr.cidr} via RouterInterface {ri.id} to {ri.opposite_router_id}"
                    ok = True
                else:
                    problems.append(
                        f"no router interface of the VPC leads to {', '.join(settings.vbr_ids or ())} in "
                        f"{cloud.source}, so no route toward it can be added"
                    )
            elif ok and best is not None and settings.routes == "manage" and best[0].description == marker:
                hop = best[0].next_hops[0]
                plan.managed_routes.append(
                    ManagedRoute(table_id, best[0].destination, hop.id, hop.related_instance_id, True)
                )
            plan.routes.append(RouteFinding(table_id, cidr.cidr, found, ok, cloud.source))
            if not ok:
                failures += 1
                why = "; ".join(problems) or "no route covers it"
                fix = (
                    " (routes: manage adds it toward the VBR's router interface)"
                    if not exact and settings.routes == "check" and settings.via == "vbr"
                    else ""
                )
                plan.errors.append(
                    f"{key}: route table {table_id} ({table.type}, of the pod vSwitches) has no route to on-prem "
                    f"pod CIDR {cidr.cidr} ({cidr.source}) that leads to the data centre: {why}; "
                    f"cloud pods cannot reach on-prem pods{fix}"
                )
    compared = len(tables) * len(cluster.on_prem_pod_cidrs)
    plan.checks.append(
        Check(
            name,
            not failures,
            f"{compared} route(s) compared in {_plural(len(tables), 'table')}"
            if not failures
            else f"{failures} missing or wrong",
        )
    )


def _check_advertisements(
    plan: InterconnectPlan,
    settings: InterconnectSettings,
    vbr_ids: frozenset[str],
    pod_vswitches: Sequence[PodVSwitch],
    cloud: InterconnectCloudFacts,
) -> None:
    name = "advertisements: each pod vSwitch CIDR reaches the data centre"
    if settings.bgp_networks == "off":
        plan.checks.append(Check(name, None, "off"))
        return
    if settings.via != "vbr":
        _check_publication(plan, settings, name, pod_vswitches, cloud)
        return
    if cloud.bgp_networks is None:
        plan.checks.append(Check(name, None, f"BGP networks not read ({cloud.source})"))
        return
    key = f"{_KEY}.bgpNetworks"
    networks = [n for n in cloud.bgp_networks if n.router_id in vbr_ids]
    failures = 0
    for v in pod_vswitches:
        target = _net(v.cidr)
        if target is None:
            continue
        covering = [n for n in networks if (net := _net(n.cidr)) is not None and _covers(net, target)]
        if settings.bgp_networks == "manage":
            for vbr in settings.vbr_ids or ():
                mine = [n for n in covering if n.router_id == vbr]
                exact = next((n for n in mine if _net(n.cidr) == target), None)
                if not mine:
                    plan.managed_bgp_networks.append(ManagedBgpNetwork(vbr, v.cidr, v.vpc_id, False))
                elif exact is not None:
                    plan.managed_bgp_networks.append(ManagedBgpNetwork(vbr, v.cidr, v.vpc_id, True))
        if covering:
            found = ", ".join(f"{n.cidr} on {n.router_id}" for n in covering)
            plan.advertisements.append(AdvertisementFinding(v.cidr, f"BGP network {found}", True, cloud.source))
        elif settings.bgp_networks == "manage":
            plan.advertisements.append(
                AdvertisementFinding(v.cidr, f"to add on {', '.join(settings.vbr_ids or ())}", True, cloud.source)
            )
        else:
            failures += 1
            plan.advertisements.append(AdvertisementFinding(v.cidr, "no BGP network", False, cloud.source))
            plan.errors.append(
                f"{key}: pod vSwitch {v.id} CIDR {v.cidr} is no BGP network of {', '.join(sorted(vbr_ids))}: "
                "the data centre never learns it and on-prem pods cannot answer cloud pods "
                "(bgpNetworks: manage adds it)"
            )
    plan.checks.append(
        Check(
            name,
            not failures,
            f"{_plural(len(pod_vswitches), 'pod vSwitch CIDR')} on {', '.join(sorted(vbr_ids))}"
            if not failures
            else f"{failures} not advertised",
        )
    )


PUBLISHERS = {
    "cen": "CEN publishes the routes of the VPCs attached to it to the VBRs attached to the same instance",
    "transitRouter": "the transit router advertises its routes to a VBR attachment whose AutoPublishRouteEnabled is "
    "true",
    "expressConnectRouter": "the Express Connect Router distributes the AllowedPrefixes of its VPC association to the "
    "data centre",
}
"""What publishes the pod vSwitch CIDRs toward the data centre for each ``via`` other than ``vbr``."""
PUBLICATION_UNTOLD = {
    "cen": "the CEN instance's route maps (DescribeCenRouteMaps is not read): a map that denies a pod vSwitch "
    "CIDR toward the VBRs is not seen",
    "transitRouter": "the route maps (route policies) of the transit router route tables: one that denies a pod "
    "vSwitch CIDR toward the VBR attachment is not seen",
    "expressConnectRouter": "the routes the Express Connect Router learned (only the association's AllowedPrefixes "
    "are compared)",
}
"""What no attachment or association listing tells, per ``via``: PLAN.md's "What this source cannot tell"."""


def _check_publication(
    plan: InterconnectPlan,
    settings: InterconnectSettings,
    name: str,
    pod_vswitches: Sequence[PodVSwitch],
    cloud: InterconnectCloudFacts,
) -> None:
    """Advertisements over CEN, a transit router or an Express Connect Router: the attachments that publish each pod
    vSwitch CIDR, as the APIs tell them."""
    via = settings.via
    key = f"{_KEY}.bgpNetworks"
    facts = {
        "cen": cloud.cen_children,
        "transitRouter": cloud.tr_attachments,
        "expressConnectRouter": cloud.ecr_associations,
    }[via]
    if facts is None:
        plan.checks.append(Check(name, None, f"via {via}: {PUBLISHERS[via]}; attachments not read ({cloud.source})"))
        return
    failures = 0
    for v in pod_vswitches:
        found, problem, warning = _publication(settings, v, cloud)
        if warning:
            plan.warnings.append(f"{key}: pod vSwitch {v.id} CIDR {v.cidr}: {warning}")
        if problem:
            failures += 1
            plan.advertisements.append(AdvertisementFinding(v.cidr, problem, False, cloud.source))
            plan.errors.append(
                f"{key}: pod vSwitch {v.id} CIDR {v.cidr} is published to the data centre by nothing: {problem}; "
                "on-prem pods cannot answer cloud pods"
            )
        else:
            plan.advertisements.append(AdvertisementFinding(v.cidr, found, None if warning else True, cloud.source))
    instance = {
        "cen": f"CEN {settings.cen_id}",
        "transitRouter": f"a transit router of CEN {settings.cen_id}",
        "expressConnectRouter": f"Express Connect Router {settings.ecr_id}",
    }[via]
    plan.checks.append(
        Check(
            name,
            False if failures else (None if any(a.ok is None for a in plan.advertisements) else True),
            f"{_plural(len(pod_vswitches), 'pod vSwitch CIDR')} via {instance}"
            if not failures
            else f"{failures} published by nothing",
        )
    )


def _publication(
    settings: InterconnectSettings, v: PodVSwitch, cloud: InterconnectCloudFacts
) -> tuple[str, str, str]:
    """(what publishes the CIDR, the problem when nothing does, a warning when the API cannot tell)."""
    if settings.via == "cen":
        return _cen_publication(settings, v, cloud)
    if settings.via == "transitRouter":
        return _tr_publication(settings, v, cloud)
    return _ecr_publication(settings, v, cloud)


def _cen_publication(
    settings: InterconnectSettings, v: PodVSwitch, cloud: InterconnectCloudFacts
) -> tuple[str, str, str]:
    target = _net(v.cidr)
    cen = settings.cen_id or ""
    children = [c for c in cloud.cen_children or () if c.cen_id == cen]
    vpc = [c for c in children if c.type == "VPC" and c.id == v.vpc_id]
    vbrs = sorted(c.id for c in children if c.type == "VBR" and c.status == "Attached")
    if not vpc:
        return "", f"its VPC {v.vpc_id} is not attached to CEN {cen}", ""
    if vpc[0].status != "Attached":
        return "", f"its VPC {v.vpc_id} is {vpc[0].status or 'of no status'} in CEN {cen}, not Attached", ""
    if not vbrs:
        seen = ", ".join(f"{c.id} ({c.status})" for c in children if c.type == "VBR")
        return "", f"no VBR is Attached to CEN {cen}" + (f" (found {seen})" if seen else ""), ""
    attached = f"CEN {cen}: VPC {v.vpc_id} and VBR {', '.join(vbrs)} Attached"
    if cloud.cen_published is None:
        return attached + " (route publication not read)", "", ""
    table = route_table_of(v, cloud.route_tables) if cloud.route_tables is not None else None
    routes = [
        r
        for r in cloud.cen_published
        if (table is None or r.route_table_id == table.id)
        and (n := _net(r.cidr)) is not None
        and target is not None
        and _covers(n, target)
    ]
    published = [r for r in routes if r.status == "Published"]
    if published:
        best = max(published, key=lambda r: _net(r.cidr).prefixlen)  # type: ignore[union-attr]
        return f"{attached}; route {best.cidr} of {best.route_table_id} Published", "", ""
    where = f"route table {table.id}" if table else "the VPC's route tables"
    if routes:
        seen = ", ".join(f"{r.cidr} ({r.status or 'no status'})" for r in routes)
        return "", f"CEN {cen} does not publish its route in {where}: {seen}", ""
    return "", f"no route of {where} covering it is listed by DescribePublishedRouteEntries for CEN {cen}", ""


def _tr_publication(
    settings: InterconnectSettings, v: PodVSwitch, cloud: InterconnectCloudFacts
) -> tuple[str, str, str]:
    target = _net(v.cidr)
    cen = settings.cen_id or ""
    attachments = [a for a in cloud.tr_attachments or () if a.cen_id == cen]
    vpc_att = [a for a in attachments if a.kind == "VPC" and a.resource_id == v.vpc_id and a.status == "Attached"]
    if not vpc_att:
        seen = ", ".join(
            f"{a.id} ({a.status})" for a in attachments if a.kind == "VPC" and a.resource_id == v.vpc_id
        )
        return "", f"no Attached transit router VPC attachment of {v.vpc_id} in CEN {cen}" + (
            f" (found {seen})" if seen else ""
        ), ""
    routers = {a.transit_router_id for a in vpc_att}
    vbr_att = [a for a in attachments if a.kind == "VBR" and a.transit_router_id in routers]
    publishing = [a for a in vbr_att if a.status == "Attached" and a.auto_publish is True]
    if not publishing:
        seen = ", ".join(
            f"{a.id} to {a.resource_id} ({a.status}, AutoPublishRouteEnabled {str(a.auto_publish).lower()})"
            for a in vbr_att
        )
        return "", (
            f"no Attached VBR attachment of transit router {', '.join(sorted(routers))} has "
            f"AutoPublishRouteEnabled true" + (f" (found {seen})" if seen else " (it has no VBR attachment)")
        ), ""
    found = (
        f"transit router {publishing[0].transit_router_id}: VPC attachment {vpc_att[0].id}, VBR attachment "
        + ", ".join(f"{a.id} to {a.resource_id}" for a in publishing)
        + " (AutoPublishRouteEnabled)"
    )
    if cloud.tr_associations is None or cloud.tr_routes is None:
        return found + " (its route table not read)", "", ""
    problems = []
    for a in publishing:
        tables = sorted(
            x.route_table_id for x in cloud.tr_associations if x.attachment_id == a.id and x.status == "Active"
        )
        if not tables:
            problems.append(f"VBR attachment {a.id} is associated with no Active transit router route table")
            continue
        routes = [
            r
            for r in cloud.tr_routes
            if r.route_table_id in tables
            and (n := _net(r.cidr)) is not None
            and target is not None
            and _covers(n, target)
        ]
        active = [r for r in routes if r.status == "Active"]
        if active:
            return f"{found}; route {active[0].cidr} Active in route table {active[0].route_table_id}", "", ""
        seen = ", ".join(f"{r.cidr} ({r.status or 'no status'})" for r in routes)
        problems.append(
            f"route table {', '.join(tables)} of VBR attachment {a.id} holds no Active route covering it"
            + (f" (found {seen})" if seen else "")
            + f": the routes of VPC attachment {vpc_att[0].id} are not learned into it"
        )
    return "", "; ".join(problems), ""


def _ecr_publication(
    settings: InterconnectSettings, v: PodVSwitch, cloud: InterconnectCloudFacts
) -> tuple[str, str, str]:
    target = _net(v.cidr)
    ecr = settings.ecr_id or ""
    associations = [
        a for a in cloud.ecr_associations or () if a.ecr_id == ecr and a.node_type == "VPC" and a.vpc_id == v.vpc_id
    ]
    active = [a for a in associations if a.status == "ACTIVE"]
    if not active:
        seen = ", ".join(f"{a.id} ({a.status})" for a in associations)
        return "", f"no ACTIVE association of Express Connect Router {ecr} with {v.vpc_id}" + (
            f" (found {seen})" if seen else ""
        ), ""
    covering = [
        (a, p)
        for a in active
        for p in a.allowed_prefixes
        if (n := _net(p)) is not None and target is not None and _covers(n, target)
    ]
    if covering:
        a, p = covering[0]
        return f"Express Connect Router {ecr}: association {a.id} allows {p}", "", ""
    listed = sorted({p for a in active for p in a.allowed_prefixes})
    if not listed:
        return (
            f"Express Connect Router {ecr}: association {active[0].id}",
            "",
            f"association {active[0].id} of Express Connect Router {ecr} lists no AllowedPrefixes; "
            "DescribeExpressConnectRouterAssociation does not tell what the ECR then distributes to the data centre: "
            "list the pod vSwitch CIDRs in AllowedPrefixes",
        )
    return "", (
        f"the AllowedPrefixes of association {active[0].id} of Express Connect Router {ecr} ({', '.join(listed)}) "
        "do not cover it"
    ), ""


def _check_bgp_sessions(
    plan: InterconnectPlan,
    settings: InterconnectSettings,
    vbr_ids: frozenset[str],
    cloud: InterconnectCloudFacts,
    cluster: InterconnectClusterFacts,
) -> None:
    sessions = "BGP sessions: each VBR peer Established"
    limit_name = "route limit: on-prem pod routes within each peer's RouteLimit"
    if settings.via != "vbr":
        plan.checks.append(Check(sessions, None, f"via {settings.via}: no VBR peers listed"))
        plan.checks.append(Check(limit_name, None, f"via {settings.via}: no VBR peers listed"))
        return
    if cloud.bgp_peers is None:
        plan.checks.append(Check(sessions, None, f"BGP peers not read ({cloud.source})"))
        plan.checks.append(Check(limit_name, None, f"BGP peers not read ({cloud.source})"))
        return
    key = f"{_KEY}.vbrIds"
    peers = sorted((p for p in cloud.bgp_peers if p.router_id in vbr_ids), key=lambda p: (p.router_id, p.id))
    groups = {g.id: g for g in cloud.bgp_groups or ()}
    down = [p for p in peers if p.status != "Established"]
    for p in down:
        plan.warnings.append(
            f"{key}: BGP peer {p.id} ({p.peer_ip}, group {p.group_id}) of VBR {p.router_id} is "
            f"{p.status or 'of no status'}, not Established: routes between the VPC and the data centre are not "
            "exchanged over it"
        )
    for vbr in sorted(vbr_ids - {p.router_id for p in peers}):
        plan.warnings.append(
            f"{key}: VBR {vbr} has no BGP peer: the data centre learns no pod vSwitch CIDR over it, nor does the "
            "VPC learn the on-prem pod routes"
        )
    without = len(vbr_ids - {p.router_id for p in peers})
    plan.checks.append(
        Check(
            sessions,
            not down and not without,
            f"{_plural(len(peers), 'peer')} Established"
            if not down and not without
            else f"{len(down) + without} not Established or missing",
            warning_only=True,
        )
    )

    # Routes the VBR learns from the data centre: one per Calico block (the on-prem pod CIDRs, unaggregated).
    if cluster.ipam_blocks is not None:
        count, how = cluster.ipam_blocks, f"{cluster.ipam_blocks} Calico IPAM blocks (ipamblocks.crd.projectcalico.org)"
    elif cluster.on_prem_nodes is not None and cluster.pools is not None:
        enabled = [p for p in cluster.pools if not p.disabled]
        if not enabled:
            plan.checks.append(Check(limit_name, None, "no enabled Calico IPPool"))
            return
        size = min(p.block_size for p in enabled)
        version = _net(enabled[0].cidr).version if _net(enabled[0].cidr) else 4  # type: ignore[union-attr]
        per_node = blocks_per_node(size, version)
        count = cluster.on_prem_nodes * per_node
        how = (
            f"{_plural(cluster.on_prem_nodes, 'on-prem node')} x {per_node} block(s) of /{size} each "
            f"(up to {KUBELET_DEFAULT_MAX_PODS} pods per node)"
        )
    else:
        plan.checks.append(Check(limit_name, None, "neither Calico IPAM blocks nor the on-prem nodes are known here"))
        return
    over = []
    for p in peers:
        group = groups.get(p.group_id)
        limit = p.route_limit if p.route_limit is not None else (group.route_limit if group else None)
        limit = DEFAULT_BGP_ROUTE_LIMIT if limit is None else limit
        if count > limit:
            over.append(p)
            plan.warnings.append(
                f"{key}: the data centre advertises {count} on-prem pod routes ({how}) and BGP peer {p.id} of VBR "
                f"{p.router_id} takes at most {limit} (RouteLimit): routes beyond it are dropped; aggregate the pod "
                "routes on the IDC router, or raise the quota ec_quota_bgp_group_max_route_entry_num"
            )
    plan.checks.append(
        Check(
            limit_name,
            not over,
            f"{count} routes ({how}) against {_plural(len(peers), 'peer')}"
            if not over
            else f"{count} routes over the limit of {_plural(len(over), 'peer')}",
            warning_only=True,
        )
    )


def _check_security_groups(
    plan: InterconnectPlan,
    settings: InterconnectSettings,
    marker: str,
    security_group_ids: Sequence[str],
    cloud: InterconnectCloudFacts,
    cluster: InterconnectClusterFacts,
) -> None:
    name = "security groups: Terway's groups accept the on-prem pod and node CIDRs"
    if settings.security_group_ingress == "off":
        plan.checks.append(Check(name, None, "off"))
        return
    if cloud.security_rules is None:
        plan.checks.append(Check(name, None, f"security group rules not read ({cloud.source})"))
        return
    key = f"{_KEY}.securityGroupIngress"
    failures = 0
    cidrs = [*cluster.on_prem_pod_cidrs, *cluster.on_prem_node_cidrs]
    for group in security_group_ids:
        rules = [r for r in cloud.security_rules if r.group_id == group and r.direction == "ingress"]
        for cidr in cidrs:
            target = _net(cidr.cidr)
            if target is None:
                continue
            accepts = [
                r
                for r in rules
                if r.policy == "Accept"
                and r.ip_protocol.upper() == "ALL"
                and (n := _net(r.source)) is not None
                and _covers(n, target)
            ]
            best = min(accepts, key=lambda r: r.priority, default=None)
            problem = ""
            if best is not None:
                drops = [
                    r
                    for r in rules
                    if r.policy == "Drop"
                    and r.priority <= best.priority
                    and (n := _net(r.source)) is not None
                    and _overlaps(n, target)
                ]
                if drops:
                    d = min(drops, key=lambda r: r.priority)
                    problem = (
                        f"its Accept rule from {best.source} (priority {best.priority}) is overridden by the Drop rule "
                        f"from {d.source} ({d.ip_protocol} {d.port_range}, priority {d.priority}; at equal priority "
                        "Drop wins)"
                    )
            if best is None and settings.security_group_ingress == "manage":
                plan.managed_rules.append(ManagedRule(group, cidr.cidr, False))
                continue
            if best is not None and not problem:
                if settings.security_group_ingress == "manage" and best.description == marker:
                    plan.managed_rules.append(ManagedRule(group, cidr.cidr, True))
                continue
            failures += 1
            partial = [r for r in rules if r.policy == "Accept" and (n := _net(r.source)) and _overlaps(n, target)]
            seen = (
                "; found only " + ", ".join(f"{r.ip_protocol} {r.port_range} from {r.source}" for r in partial)
                if partial and not problem
                else ""
            )
            plan.errors.append(
                f"{key}: security group {group} does not accept ingress from {cidr.cidr} ({cidr.source}): "
                f"{problem or 'no Accept rule for all protocols covers it'}{seen}; connections from the data centre "
                "to cloud pods are dropped"
                + (
                    " (securityGroupIngress: manage adds the rule)"
                    if not problem and settings.security_group_ingress == "check"
                    else ""
                )
            )
    compared = len(security_group_ids) * len(cidrs)
    plan.checks.append(
        Check(name, not failures, f"{compared} compared" if not failures else f"{failures} not accepted")
    )


def _check_nat(
    plan: InterconnectPlan,
    settings: InterconnectSettings,
    pod_vswitches: Sequence[PodVSwitch],
    cluster: InterconnectClusterFacts,
) -> None:
    name = "NAT: a disabled Calico IPPool over each pod vSwitch CIDR"
    if settings.no_nat_pools == "off":
        plan.checks.append(Check(name, None, "off"))
        return
    key = f"{_KEY}.noNatPools"
    pools = cluster.pools
    cidrs = [v.cidr for v in pod_vswitches]
    if settings.no_nat_pools == "manage":
        for cidr in cidrs:
            target = _net(cidr)
            covered = pools is not None and any(
                (n := _net(p.cidr)) is not None
                and target is not None
                and _covers(n, target)
                and p.disabled
                and p.exempts_from_nat
                for p in pools
                if p.name != no_nat_pool_name(cidr)
            )
            if not covered:
                exists = pools is not None and any(p.name == no_nat_pool_name(cidr) for p in pools)
                plan.managed_pools.append(ManagedPool(no_nat_pool_name(cidr), cidr, exists))
                _refuse_operator_pool(plan, key, cidr, cluster.operator_pools)
            elif pools is not None:
                plan.warnings.append(
                    f"{key}: pod vSwitch CIDR {cidr} is already covered by a disabled Calico IPPool; `pulumi up` "
                    f"reads no list of pools and adds {no_nat_pool_name(cidr)} over it as well: with such a pool, "
                    "set noNatPools: check"
                )
    if pools is None:
        plan.checks.append(
            Check(name, None, "Calico IPPools not read" + (": the pools are added" if plan.managed_pools else ""))
        )
        return
    nat = sorted(p.name for p in pools if p.nat_outgoing and not p.disabled)
    managed = {m.cidr for m in plan.managed_pools}
    uncovered = [
        c
        for c in cidrs
        if c not in managed
        and not any(
            (n := _net(p.cidr)) is not None
            and (t := _net(c)) is not None
            and _covers(n, t)
            and p.disabled
            and p.exempts_from_nat
            for p in pools
        )
    ]
    lb_only = sorted(
        p.name
        for p in pools
        if p.disabled and not p.exempts_from_nat and any(
            (n := _net(p.cidr)) is not None and (t := _net(c)) is not None and _covers(n, t) for c in uncovered
        )
    )
    if not nat:
        plan.checks.append(Check(name, True, "no Calico IPPool has natOutgoing: true", warning_only=True))
        return
    if uncovered:
        plan.warnings.append(
            f"{key}: Calico IPPool(s) {', '.join(nat)} have natOutgoing: true and no disabled IPPool covers pod "
            f"vSwitch CIDR(s) {', '.join(uncovered)}: on-prem pods reach cloud pods from their node's address, so "
            "NetworkPolicy by source and the cloud pods' logs see nodes, not pods (noNatPools: manage adds "
            "the disabled pools)"
            + (
                f"; {', '.join(lb_only)} cover(s) them but allowedUses is only LoadBalancer, and Felix masquerades "
                "toward such a pool"
                if lb_only
                else ""
            )
        )
    plan.checks.append(
        Check(
            name,
            not uncovered,
            f"{_plural(len(cidrs), 'CIDR')} covered"
            if not uncovered
            else f"{len(uncovered)} NATed by {', '.join(nat)}",
            warning_only=True,
        )
    )


def _refuse_operator_pool(
    plan: InterconnectPlan, key: str, cidr: str, operator_pools: Sequence[tuple[str, int, str]]
) -> None:
    """A pool this program adds where the tigera operator lists one of the same CIDR: the operator reconciles only
    pools labelled ``app.kubernetes.io/managed-by: tigera-operator`` (or equal to an Installation entry), and a pool
    of an entry's CIDR that it does not own makes it refuse that entry and report itself Degraded ("Cannot update an
    IP pool not owned by the operator": tigera/operator ``pkg/controller/ippool/pool_controller.go``)."""
    target = _net(cidr)
    for installation, index, listed in operator_pools:
        if target is not None and _net(listed) == target:
            plan.errors.append(
                f"{key}: Installation {installation} lists spec.calicoNetwork.ipPools[{index}] {listed}, the pod "
                f"vSwitch CIDR {cidr} the disabled pool {no_nat_pool_name(cidr)} would take: the tigera operator then "
                "refuses that entry and reports itself Degraded (it reconciles no pool it did not label); give the "
                "entry disableNewAllocations: true, natOutgoing: Disabled and disableBGPExport: true, and use "
                "noNatPools: check"
            )


def setting_on_prem_cidrs(values: Iterable[str], key: str) -> tuple[OnPremCidr, ...]:
    return tuple(OnPremCidr(c, f"{constants.PROJECT}:{key}[{i}]") for i, c in enumerate(values))
