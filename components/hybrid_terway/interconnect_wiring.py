"""The interconnect under ``pulumi up``: facts from provider invokes, the checks of ``hybrid_terway.core.interconnect``,
and, where ``manage`` asks, the routes, BGP networks, security-group rules and disabled Calico IPPools.

The invokes are the pulumi_alicloud 4.0.0 functions, called by token with the engine's argument and result names
(camelCase), as the generated functions call them: ``vpc/get_switches.py``, ``vpc/get_networks.py``,
``vpc/get_route_tables.py`` (results ``GetRouteTablesTableResult``), ``vpc/get_route_entries.py``
(``GetRouteEntriesEntryResult``: one ``instance_id`` and ``next_hop_type`` per route), ``vpc/get_router_interfaces.py``
(``GetRouterInterfacesInterfaceResult``: ``opposite_router_id``), ``vpc/get_bgp_networks.py``,
``vpc/get_bgp_groups.py``, ``vpc/get_bgp_peers.py`` (``bgp_status``, ``route_limit``) and
``ecs/get_security_group_rules.py`` (``GetSecurityGroupRulesRuleResult``). They are called synchronously, so the
checks are done, and the managed resources known, while the component is constructed: a failed check stops the
run before anything that changes the cloud or the cluster is registered.

What these functions cannot tell (terraform-provider-alicloud, the data sources behind them): a route's second and
further next hops (``alicloud/data_source_alicloud_route_entries.go`` keeps one ``InstanceId`` per route), rules
beyond the first page of ``DescribeSecurityGroupAttribute`` and every IPv6 source
(``alicloud/data_source_alicloud_security_group_rules.go``, commit 0612d756: one call, no ``NextToken``, no
``Ipv6SourceCidrIp``), and nothing about Calico's pools or IPAM blocks (no list is read from the cluster). The
offline preview with a cloud snapshot and a cluster snapshot checks those too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from hybrid_terway.checks import after_checks, log_checked
from hybrid_terway.core import constants
from hybrid_terway.core.interconnect import (
    PUBLICATION_UNTOLD,
    BgpGroupFact,
    BgpNetworkFact,
    BgpPeerFact,
    CenChildFact,
    CenPublishedRouteFact,
    EcrAssociationFact,
    InterconnectCloudFacts,
    InterconnectClusterFacts,
    InterconnectPlan,
    NextHop,
    PodVSwitch,
    RouteEntryFact,
    RouterInterfaceFact,
    RouteTableFact,
    SecurityRuleFact,
    TransitRouterAssociationFact,
    TransitRouterAttachmentFact,
    TransitRouterRouteFact,
    VbrFact,
    managed_marker,
    plan_interconnect,
    setting_on_prem_cidrs,
)
from hybrid_terway.core.settings import Settings
from hybrid_terway.invokes import invoke

INTERCONNECT_COMPONENT_TYPE = f"{constants.PROJECT}:interconnect:Interconnect"

GET_SWITCHES = "alicloud:vpc/getSwitches:getSwitches"
GET_ROUTE_TABLES = "alicloud:vpc/getRouteTables:getRouteTables"
GET_ROUTE_ENTRIES = "alicloud:vpc/getRouteEntries:getRouteEntries"
GET_ROUTER_INTERFACES = "alicloud:vpc/getRouterInterfaces:getRouterInterfaces"
GET_VIRTUAL_BORDER_ROUTERS = "alicloud:expressconnect/getVirtualBorderRouters:getVirtualBorderRouters"
GET_BGP_GROUPS = "alicloud:vpc/getBgpGroups:getBgpGroups"
GET_BGP_PEERS = "alicloud:vpc/getBgpPeers:getBgpPeers"
GET_BGP_NETWORKS = "alicloud:vpc/getBgpNetworks:getBgpNetworks"
GET_SECURITY_GROUP_RULES = "alicloud:ecs/getSecurityGroupRules:getSecurityGroupRules"
GET_TR_ROUTE_TABLES = "alicloud:cen/getTransitRouterRouteTables:getTransitRouterRouteTables"
GET_TR_ROUTE_TABLE_ASSOCIATIONS = (
    "alicloud:cen/getTransitRouterRouteTableAssociations:getTransitRouterRouteTableAssociations"
)
GET_TR_ROUTE_ENTRIES = "alicloud:cen/getTransitRouterRouteEntries:getTransitRouterRouteEntries"
GET_CEN_ROUTE_ENTRIES = "alicloud:cen/getRouteEntries:getRouteEntries"
GET_CEN_INSTANCE_ATTACHMENTS = "alicloud:cen/getInstanceAttachments:getInstanceAttachments"
GET_TR_VPC_ATTACHMENTS = "alicloud:cen/getTransitRouterVpcAttachments:getTransitRouterVpcAttachments"
GET_TR_VBR_ATTACHMENTS = "alicloud:cen/getTransitRouterVbrAttachments:getTransitRouterVbrAttachments"
GET_ECR_VPC_ASSOCIATIONS = "alicloud:expressconnect/getRouterVpcAssociations:getRouterVpcAssociations"

INVOKE_LIMITS = (
    "vpc.get_route_entries reads one next hop per route: a route with several (ECMP) is judged by its first",
    "ecs.get_security_group_rules reads one page of DescribeSecurityGroupAttribute and no IPv6 source",
    "Calico's IPPools and IPAM blocks are not read: the NAT check and the route limit are left to the preview "
    "with a cluster snapshot",
)
PUBLICATION_LIMITS = {
    via: f"via {via}: the functions do not tell {untold}" for via, untold in PUBLICATION_UNTOLD.items()
}
"""What the publication functions cannot tell, per ``via`` (no API gives it, so the preview cannot either)."""

CALICO_IPPOOL = "crd.projectcalico.org/v1"
"""The IPPool CRD's group and version (projectcalico/calico
``libcalico-go/config/crd/crd.projectcalico.org_ippools.yaml``)."""


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def read_pod_vswitches(settings: Settings, parent: pulumi.Resource) -> list[PodVSwitch]:
    assert settings.terway is not None
    zone_of = {v: zone for zone, ids in settings.terway.pod_vswitches.items() for v in ids}
    found = invoke(GET_SWITCHES, {"ids": sorted(zone_of)}, parent).get("vswitches") or []
    return [
        PodVSwitch(
            str(v.get("id")),
            zone_of.get(str(v.get("id")), ""),
            str(v.get("vpcId") or ""),
            str(v.get("cidrBlock") or ""),
        )
        for v in found
    ]


def read_interconnect_cloud(
    settings: Settings, pod_vswitches: Sequence[PodVSwitch], parent: pulumi.Resource
) -> InterconnectCloudFacts:
    """The interconnect's cloud facts, from the provider functions (see the module's docstring for their limits)."""
    ic = settings.interconnect
    assert ic is not None and settings.terway is not None
    vbr_ids = list(ic.vbr_ids or ())
    tables: list[RouteTableFact] | None = None
    entries: list[RouteEntryFact] | None = None
    interfaces: list[RouterInterfaceFact] = []
    if ic.routes != "off":
        tables, entries = [], []
        for vpc in sorted({v.vpc_id for v in pod_vswitches if v.vpc_id}):
            for t in invoke(GET_ROUTE_TABLES, {"vpcId": vpc}, parent).get("tables") or []:
                tables.append(
                    RouteTableFact(
                        str(t.get("id") or t.get("routeTableId")),
                        str(t.get("vpcId") or vpc),
                        str(t.get("routeTableType") or ""),
                        tuple(str(x) for x in t.get("vswitchIds") or ()),
                    )
                )
        if vbr_ids:
            for ri in invoke(GET_ROUTER_INTERFACES, {"routerType": "VRouter"}, parent).get("interfaces") or []:
                if ri.get("oppositeRouterId") in vbr_ids:
                    interfaces.append(RouterInterfaceFact(str(ri.get("id")), str(ri.get("oppositeRouterId"))))
        vbr_of = {ri.id: ri.opposite_router_id for ri in interfaces}
        for table in tables:
            for e in invoke(GET_ROUTE_ENTRIES, {"routeTableId": table.id}, parent).get("entries") or []:
                hop_type, hop_id = str(e.get("nextHopType") or ""), str(e.get("instanceId") or "")
                entries.append(
                    RouteEntryFact(
                        table.id,
                        str(e.get("cidrBlock") or ""),
                        (NextHop(hop_type, hop_id, vbr_of.get(hop_id, "")),) if hop_type else (),
                    )
                )
    vbrs = networks = groups = peers = None
    if ic.via == "vbr":
        vbrs, networks, groups, peers = [], [], [], []
        found = invoke(GET_VIRTUAL_BORDER_ROUTERS, {"ids": vbr_ids}, parent).get("routers") or []
        vbrs += [VbrFact(str(r.get("id") or r.get("virtualBorderRouterId")), str(r.get("status") or "")) for r in found]
        for vbr in vbr_ids:
            if ic.bgp_networks != "off":
                for n in invoke(GET_BGP_NETWORKS, {"routerId": vbr}, parent).get("networks") or []:
                    networks.append(BgpNetworkFact(str(n.get("routerId") or vbr), str(n.get("dstCidrBlock") or "")))
            for g in invoke(GET_BGP_GROUPS, {"routerId": vbr}, parent).get("groups") or []:
                groups.append(BgpGroupFact(str(g.get("id")), str(g.get("routerId") or vbr), _int(g.get("routeLimit"))))
            for p in invoke(GET_BGP_PEERS, {"routerId": vbr}, parent).get("peers") or []:
                peers.append(
                    BgpPeerFact(
                        str(p.get("bgpPeerId") or p.get("id")),
                        str(p.get("bgpGroupId") or ""),
                        str(p.get("routerId") or vbr),
                        str(p.get("peerIpAddress") or ""),
                        str(p.get("bgpStatus") or ""),
                        _int(p.get("routeLimit")),
                    )
                )
    rules: list[SecurityRuleFact] | None = None
    if ic.security_group_ingress != "off":
        rules = []
        for group in settings.terway.security_group_ids:
            result = invoke(GET_SECURITY_GROUP_RULES, {"groupId": group, "direction": "ingress"}, parent)
            for r in result.get("rules") or []:
                rules.append(
                    SecurityRuleFact(
                        group,
                        str(r.get("direction") or "ingress"),
                        # The data source lowercases the policy and the protocol.
                        str(r.get("policy") or "").capitalize(),
                        _int(r.get("priority")) or 1,
                        str(r.get("ipProtocol") or "").upper(),
                        str(r.get("portRange") or ""),
                        str(r.get("sourceCidrIp") or ""),
                        str(r.get("description") or ""),
                    )
                )
    cen_children, tr_attachments, ecr_associations = read_publication(settings, parent)
    tr_associations = tr_routes = None
    if tr_attachments is not None:
        tr_associations, tr_routes = read_transit_router_tables(settings, tr_attachments, parent)
    cen_published = None
    if cen_children is not None and tables is not None and ic.cen_id:
        # cen.get_route_entries (cen/outputs.py GetRouteEntriesEntryResult: publish_status) per pod route table.
        cen_published = tuple(
            CenPublishedRouteFact(
                str(e.get("routeTableId") or table.id),
                str(e.get("cidrBlock") or ""),
                str(e.get("publishStatus") or ""),
                str(e.get("routeType") or ""),
            )
            for table in tables
            if table.vpc_id in {v.vpc_id for v in pod_vswitches}
            for e in invoke(GET_CEN_ROUTE_ENTRIES, {"instanceId": ic.cen_id, "routeTableId": table.id}, parent).get(
                "entries"
            )
            or []
        )
    limits = INVOKE_LIMITS + ((PUBLICATION_LIMITS[ic.via],) if ic.via in PUBLICATION_LIMITS else ())
    return InterconnectCloudFacts(
        source="invokes",
        cen_children=cen_children,
        cen_published=cen_published,
        tr_attachments=tr_attachments,
        tr_associations=tr_associations,
        tr_routes=tr_routes,
        ecr_associations=ecr_associations,
        route_tables=None if tables is None else tuple(tables),
        route_entries=None if entries is None else tuple(entries),
        router_interfaces=tuple(interfaces),
        vbrs=None if vbrs is None else tuple(vbrs),
        bgp_groups=None if groups is None else tuple(groups),
        bgp_peers=None if peers is None else tuple(peers),
        bgp_networks=None if networks is None else tuple(networks),
        security_rules=None if rules is None else tuple(rules),
        limits=limits,
    )


def read_publication(
    settings: Settings, parent: pulumi.Resource
) -> tuple[
    tuple[CenChildFact, ...] | None,
    tuple[TransitRouterAttachmentFact, ...] | None,
    tuple[EcrAssociationFact, ...] | None,
]:
    """What publishes the pod vSwitch CIDRs with via cen, transitRouter or expressConnectRouter: the pulumi_alicloud
    4.0.0 functions ``cen/get_instance_attachments.py`` (``GetInstanceAttachmentsAttachmentResult``),
    ``cen/get_transit_router_vpc_attachments.py``, ``cen/get_transit_router_vbr_attachments.py`` (its result has no
    transit router id: it is called once per transit router) and ``expressconnect/get_router_vpc_associations.py``
    (``GetRouterVpcAssociationsAssociationResult``). The data sources behind them follow ``NextToken``
    (terraform-provider-alicloud ``alicloud/data_source_alicloud_cen_transit_router_vbr_attachments.go``)."""
    ic = settings.interconnect
    assert ic is not None
    if ic.bgp_networks == "off":
        return None, None, None
    if ic.via == "cen" and ic.cen_id:
        found = invoke(GET_CEN_INSTANCE_ATTACHMENTS, {"instanceId": ic.cen_id}, parent).get("attachments") or []
        children = tuple(
            CenChildFact(
                str(a.get("instanceId") or ic.cen_id),
                str(a.get("childInstanceId") or ""),
                str(a.get("childInstanceType") or ""),
                str(a.get("childInstanceRegionId") or ""),
                str(a.get("status") or ""),
            )
            for a in found
        )
        return children, None, None
    if ic.via == "transitRouter" and ic.cen_id:
        attachments: list[TransitRouterAttachmentFact] = []
        for a in invoke(GET_TR_VPC_ATTACHMENTS, {"cenId": ic.cen_id}, parent).get("attachments") or []:
            cen, router = str(a.get("cenId") or ic.cen_id), str(a.get("transitRouterId") or "")
            attachments.append(_tr_attachment("VPC", a, cen, router, "vpcId"))
        for router in sorted({a.transit_router_id for a in attachments if a.transit_router_id}):
            args = {"cenId": ic.cen_id, "transitRouterId": router}
            for a in invoke(GET_TR_VBR_ATTACHMENTS, args, parent).get("attachments") or []:
                attachments.append(_tr_attachment("VBR", a, ic.cen_id, router, "vbrId"))
        return None, tuple(attachments), None

    if ic.via == "expressConnectRouter" and ic.ecr_id:
        found = invoke(GET_ECR_VPC_ASSOCIATIONS, {"ecrId": ic.ecr_id}, parent).get("associations") or []
        associations = tuple(
            EcrAssociationFact(
                str(a.get("ecrId") or ic.ecr_id),
                str(a.get("associationId") or ""),
                str(a.get("associationNodeType") or ""),
                str(a.get("vpcId") or ""),
                str(a.get("status") or ""),
                tuple(str(p) for p in a.get("allowedPrefixes") or ()),
                str(a.get("allowedPrefixesMode") or ""),
            )
            for a in found
        )
        return None, None, associations
    return None, None, None


def _tr_attachment(
    kind: str, found: Mapping[str, Any], cen_id: str, router: str, instance_key: str
) -> TransitRouterAttachmentFact:
    """One transit router attachment of ``kind`` (``VPC`` or ``VBR``) as the function returns it, ``instance_key``
    naming the attached instance's field (``vpcId``, ``vbrId``)."""
    flag = found.get("autoPublishRouteEnabled")
    return TransitRouterAttachmentFact(
        kind,
        str(found.get("transitRouterAttachmentId") or ""),
        cen_id,
        router,
        str(found.get(instance_key) or ""),
        str(found.get("status") or ""),
        flag if isinstance(flag, bool) else None,
    )


def read_transit_router_tables(
    settings: Settings, attachments: Sequence[TransitRouterAttachmentFact], parent: pulumi.Resource
) -> tuple[tuple[TransitRouterAssociationFact, ...], tuple[TransitRouterRouteFact, ...]]:
    """The route tables of the transit routers the VPC is attached to, their associations and routes:
    ``cen/get_transit_router_route_tables.py`` (``transit_router_id``), then per table
    ``cen/get_transit_router_route_table_associations.py`` and ``cen/get_transit_router_route_entries.py``
    (``transit_router_route_table_id``; ``GetTransitRouterRouteEntriesEntryResult``: the entry's ``status``)."""
    associations: list[TransitRouterAssociationFact] = []
    routes: list[TransitRouterRouteFact] = []
    for router in sorted({a.transit_router_id for a in attachments if a.kind == "VPC" and a.transit_router_id}):
        for t in invoke(GET_TR_ROUTE_TABLES, {"transitRouterId": router}, parent).get("tables") or []:
            table = str(t.get("transitRouterRouteTableId") or t.get("id") or "")
            args = {"transitRouterRouteTableId": table}
            for a in invoke(GET_TR_ROUTE_TABLE_ASSOCIATIONS, args, parent).get("associations") or []:
                associations.append(
                    TransitRouterAssociationFact(
                        str(a.get("transitRouterRouteTableId") or table),
                        str(a.get("transitRouterAttachmentId") or ""),
                        str(a.get("status") or ""),
                    )
                )
            for e in invoke(GET_TR_ROUTE_ENTRIES, args, parent).get("entries") or []:
                routes.append(
                    TransitRouterRouteFact(
                        table,
                        str(e.get("transitRouterRouteEntryDestinationCidrBlock") or ""),
                        str(e.get("status") or ""),
                        str(e.get("transitRouterRouteEntryNextHopId") or ""),
                    )
                )
    return tuple(associations), tuple(routes)


def program_cluster_facts(settings: Settings) -> InterconnectClusterFacts:
    """What a real run knows of the cluster: the settings (it reads no list of nodes, pools or blocks)."""
    assert settings.interconnect is not None
    return InterconnectClusterFacts(
        on_prem_pod_cidrs=setting_on_prem_cidrs(settings.on_prem_pod_cidrs, "onPremPodCidrs"),
        on_prem_node_cidrs=setting_on_prem_cidrs(
            settings.interconnect.on_prem_node_cidrs, "interconnect.onPremNodeCidrs"
        ),
    )


def checked_interconnect(settings: Settings, parent: pulumi.Resource) -> InterconnectPlan:
    """The interconnect plan from the invokes, or AddressPlanError naming every hard problem."""
    assert settings.terway is not None and settings.interconnect is not None
    vswitches = read_pod_vswitches(settings, parent)
    plan = plan_interconnect(
        settings.interconnect,
        settings.cluster_id,
        vswitches,
        settings.terway.security_group_ids,
        read_interconnect_cloud(settings, vswitches, parent),
        program_cluster_facts(settings),
    )
    log_checked("interconnect", plan.errors, plan.summary_lines, plan.warnings)
    return plan


def _slug(*parts: str) -> str:
    return "-".join(p.lower().replace("/", "-").replace(".", "-").replace(":", "-") for p in parts)


def no_nat_pool(name: str, cidr: str) -> dict[str, Any]:
    """A disabled Calico IPPool: no pod gets an address from it, and Felix does not masquerade traffic toward it
    (its NAT-outgoing rule skips a destination in ``network-ip-pools``, every pool but a LoadBalancer-only one:
    projectcalico/calico ``felix/rules/nat.go``, ``felix/dataplane/linux/masq_mgr.go``). ``disableBGPExport``: BIRD's
    export filter accepts any route inside a pool's CIDR unless the pool disables BGP export
    (``confd/pkg/backends/calico/bgp_processor.go`` ``processIPPool``, which does not look at ``disabled``), so
    without it an on-prem node would re-advertise to its other peers the pod vSwitch routes it learns from the data
    centre."""
    return {
        "apiVersion": CALICO_IPPOOL,
        "kind": "IPPool",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": constants.PROJECT}},
        "spec": {
            "cidr": cidr,
            "disabled": True,
            "natOutgoing": False,
            "disableBGPExport": True,
            "ipipMode": "Never",
            "vxlanMode": "Never",
            "nodeSelector": "!all()",
        },
    }


class Interconnect(pulumi.ComponentResource):
    """The interconnect's managed pieces: created only where ``manage`` asks, each kept on destroy."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        plan: InterconnectPlan,
        provider: k8s.Provider,
        gate: pulumi.Output[Any] | None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(INTERCONNECT_COMPONENT_TYPE, name, {"via": plan.settings.via}, opts)
        self.plan = plan
        marker = managed_marker(settings.cluster_id)
        # Destroy leaves each of them: removing a route, an advertisement or a rule cuts the pods that still run,
        # and a disabled pool only stops Calico's NAT toward the VPC (docs/interconnect.md).
        waits = after_checks(gate)

        def keep(provider: pulumi.ProviderResource | None = None) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, provider=provider, retain_on_delete=True, depends_on=waits)

        self.resources: list[pulumi.CustomResource] = []
        for r in plan.managed_routes:
            self.resources.append(
                alicloud.vpc.RouteEntry(
                    f"{name}-route-{_slug(r.route_table_id, r.cidr)}",
                    route_table_id=r.route_table_id,
                    destination_cidrblock=r.cidr,
                    nexthop_type="RouterInterface",
                    nexthop_id=r.router_interface_id,
                    name=f"hybrid-terway-{_slug(r.cidr)}",
                    description=marker,
                    opts=keep(),
                )
            )
        for n in plan.managed_bgp_networks:
            if n.exists:
                continue  # a BGP network carries no description: an existing one is left to whoever added it
            self.resources.append(
                alicloud.vpc.BgpNetwork(
                    f"{name}-bgp-network-{_slug(n.vbr_id, n.cidr)}",
                    router_id=n.vbr_id,
                    dst_cidr_block=n.cidr,
                    vpc_id=n.vpc_id,
                    opts=keep(),
                )
            )
        for rule in plan.managed_rules:
            six = ":" in rule.cidr
            self.resources.append(
                alicloud.ecs.SecurityGroupRule(
                    f"{name}-ingress-{_slug(rule.group_id, rule.cidr)}",
                    security_group_id=rule.group_id,
                    type="ingress",
                    ip_protocol="all",
                    port_range="-1/-1",
                    policy="accept",
                    priority=1,
                    nic_type="intranet",
                    cidr_ip=None if six else rule.cidr,
                    ipv6_cidr_ip=rule.cidr if six else None,
                    description=marker,
                    opts=keep(),
                )
            )
        for pool in plan.managed_pools:
            body = no_nat_pool(pool.name, pool.cidr)
            self.resources.append(
                k8s.apiextensions.CustomResource(
                    f"{name}-{pool.name}",
                    api_version=body["apiVersion"],
                    kind=body["kind"],
                    metadata=body["metadata"],
                    spec=body["spec"],
                    opts=keep(provider),
                )
            )
        self.register_outputs({"via": plan.settings.via})

    @property
    def gates(self) -> list[pulumi.Output[str]]:
        return [r.id for r in self.resources]


def build_interconnect(
    name: str,
    settings: Settings,
    parent: pulumi.Resource,
    provider: k8s.Provider,
    gate: pulumi.Output[Any] | None,
) -> Interconnect | None:
    """The checked interconnect and its managed pieces (bgp with the block), or None; says so when not checked."""
    if settings.interconnect is None:
        if settings.terway is not None and settings.scenario.value == "bgp":
            pulumi.log.info(
                f"interconnect: not checked (no {constants.PROJECT}:interconnect block; see docs/interconnect.md)"
            )
        return None
    plan = checked_interconnect(settings, parent)
    return Interconnect(f"{name}-interconnect", settings, plan, provider, gate, pulumi.ResourceOptions(parent=parent))
