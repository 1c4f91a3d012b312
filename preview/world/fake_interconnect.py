"""The fake cloud's interconnect: the provider functions the program calls, answered from a cloud snapshot (or
representative facts) in the provider's result shape, and the resources ``manage`` registers, refused as the
API refuses them.

Result fields are the pulumi_alicloud 4.0.0 output types (engine names, camelCase): ``vpc/outputs.py``
``GetRouteTablesTableResult``, ``GetRouteEntriesEntryResult``, ``GetRouterInterfacesInterfaceResult``,
``GetBgpNetworksNetworkResult``, ``GetBgpGroupsGroupResult``, ``GetBgpPeersPeerResult``; ``ecs/outputs.py``
``GetSecurityGroupRulesRuleResult``; ``expressconnect/outputs.py`` ``GetVirtualBorderRoutersRouterResult``,
``GetRouterVpcAssociationsAssociationResult``; ``cen/outputs.py`` ``GetInstanceAttachmentsAttachmentResult``,
``GetRouteEntriesEntryResult`` (``publish_status``), ``GetTransitRouterVpcAttachmentsAttachmentResult``,
``GetTransitRouterVbrAttachmentsAttachmentResult`` (no transit router id: the call is filtered by
``transit_router_id``). As the data sources behind them do (terraform-provider-alicloud
``alicloud/data_source_alicloud_route_entries.go``,
``data_source_alicloud_security_group_rules.go``), a route answers with its first next hop only, and a rule with
its policy and protocol lowercased and without an IPv6 source.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

from hybrid_terway.core.address_plan import CloudFacts
from hybrid_terway.core.interconnect import InterconnectCloudFacts


class InterconnectCallError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def _listing_id(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:10]


def _route_tables(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    vpc = args.get("vpcId")
    found = [t for t in facts.route_tables or () if not vpc or t.vpc_id == vpc]
    items = [
        {
            "description": "",
            "id": t.id,
            "name": t.id,
            "resourceGroupId": "",
            "routeTableId": t.id,
            "routeTableName": t.id,
            "routeTableType": t.type,
            "routerId": "",
            "routerType": "VRouter",
            "status": "Available",
            "tags": {},
            "vpcId": t.vpc_id,
            "vswitchIds": list(t.vswitch_ids),
        }
        for t in found
    ]
    ids = [t.id for t in found]
    return {**args, "id": _listing_id(vpc), "ids": ids, "names": ids, "tables": items, "totalCount": len(ids)}


def _route_entries(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    table = args.get("routeTableId")
    if not table:
        raise InterconnectCallError("MissingParameter", "route_table_id is required")
    items = [
        {
            "cidrBlock": e.destination,
            # The data source keeps one InstanceId per route: the first next hop.
            "instanceId": e.next_hops[0].id if e.next_hops else "",
            "nextHopType": e.next_hops[0].type if e.next_hops else "",
            "routeTableId": e.route_table_id,
            "status": "Available",
            "type": "Custom",
        }
        for e in facts.route_entries or ()
        if e.route_table_id == table
    ]
    return {**args, "id": _listing_id(table), "entries": items}


def _router_interfaces(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    items = [
        {
            "accessPointId": "",
            "creationTime": "2026-01-01T00:00:00Z",
            "description": "",
            "healthCheckSourceIp": "",
            "healthCheckTargetIp": "",
            "id": ri.id,
            "name": ri.id,
            "oppositeInterfaceId": "",
            "oppositeInterfaceOwnerId": "",
            "oppositeRegionId": "",
            "oppositeRouterId": ri.opposite_router_id,
            "oppositeRouterType": "VBR",
            "role": "InitiatingSide",
            "routerId": "",
            "routerType": "VRouter",
            "specification": "Negative",
            "status": "Active",
            "vpcId": "",
        }
        for ri in facts.router_interfaces
    ]
    ids = [ri.id for ri in facts.router_interfaces]
    return {**args, "id": _listing_id("ri"), "ids": ids, "names": ids, "interfaces": items}


def _vbrs(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    wanted = set(args.get("ids") or ())
    found = [v for v in facts.vbrs or () if not wanted or v.id in wanted]
    items = [
        {"id": v.id, "virtualBorderRouterId": v.id, "virtualBorderRouterName": v.id, "status": v.status} for v in found
    ]
    ids = [v.id for v in found]
    return {**args, "id": _listing_id(sorted(wanted)), "ids": ids, "names": ids, "routers": items}


def _bgp_networks(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    router = args.get("routerId")
    found = [n for n in facts.bgp_networks or () if not router or n.router_id == router]
    items = [
        {"dstCidrBlock": n.cidr, "id": f"{n.router_id}:{n.cidr}", "routerId": n.router_id, "status": "Available"}
        for n in found
    ]
    return {**args, "id": _listing_id(router), "ids": [i["id"] for i in items], "networks": items}


def _bgp_groups(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    router = args.get("routerId")
    found = [g for g in facts.bgp_groups or () if not router or g.router_id == router]
    items = [
        {
            "authKey": "",
            "bgpGroupName": g.id,
            "description": "",
            "hold": "",
            "id": g.id,
            "ipVersion": "IPV4",
            "isFakeAsn": False,
            "keepalive": "",
            "localAsn": "45104",
            "peerAsn": "",
            "routeLimit": str(g.route_limit) if g.route_limit is not None else "",
            "routerId": g.router_id,
            "status": "Available",
        }
        for g in found
    ]
    ids = [g.id for g in found]
    return {**args, "id": _listing_id(router), "ids": ids, "names": ids, "groups": items}


def _bgp_peers(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    router = args.get("routerId")
    found = [p for p in facts.bgp_peers or () if not router or p.router_id == router]
    items = [
        {
            "authKey": "",
            "bfdMultiHop": 0,
            "bgpGroupId": p.group_id,
            "bgpPeerId": p.id,
            "bgpPeerName": p.id,
            "bgpStatus": p.status,
            "description": "",
            "enableBfd": False,
            "hold": "",
            "id": p.id,
            "ipVersion": "IPV4",
            "isFake": False,
            "keepalive": "",
            "localAsn": "45104",
            "peerAsn": "",
            "peerIpAddress": p.peer_ip,
            "routeLimit": str(p.route_limit) if p.route_limit is not None else "",
            "routerId": p.router_id,
            "status": "Available",
        }
        for p in found
    ]
    return {**args, "id": _listing_id(router), "ids": [p.id for p in found], "peers": items}


def _security_group_rules(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    group = args.get("groupId")
    if not group:
        raise InterconnectCallError("MissingParameter", "group_id is required")
    direction = args.get("direction")
    items = [
        {
            "description": r.description,
            "destCidrIp": "",
            "destGroupId": "",
            "destGroupOwnerAccount": "",
            "direction": r.direction,
            "ipProtocol": r.ip_protocol.lower(),
            "nicType": "intranet",
            "policy": r.policy.lower(),
            "portRange": r.port_range,
            "priority": r.priority,
            # The data source sets no IPv6 source: a rule from an IPv6 CIDR shows an empty source.
            "sourceCidrIp": r.source if ":" not in r.source else "",
            "sourceGroupId": "",
            "sourceGroupOwnerAccount": "",
        }
        for r in facts.security_rules or ()
        if r.group_id == group and (not direction or r.direction == direction)
    ]
    return {**args, "id": group, "groupName": group, "groupDesc": "", "rules": items}


def _cen_attachments(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    cen = args.get("instanceId")
    if not cen:
        raise InterconnectCallError("MissingParameter", "instance_id is required")
    if facts.cen_children is None:
        raise InterconnectCallError("UnsupportedCall", "this fake cloud holds no CEN attachments")
    found = [c for c in facts.cen_children if c.cen_id == cen]
    if not found:
        raise InterconnectCallError("ParameterCenInstanceId", f"CEN instance {cen} does not exist")
    kind, status = args.get("childInstanceType"), args.get("status")
    items = [
        {
            "childInstanceAttachTime": "2026-01-01T00:00Z",
            "childInstanceId": c.id,
            "childInstanceOwnerId": 1234567890123456,
            "childInstanceRegionId": c.region,
            "childInstanceType": c.type,
            "id": f"{c.id}:{c.cen_id}",
            "instanceId": c.cen_id,
            "status": c.status,
        }
        for c in found
        if (not kind or c.type == kind) and (not status or c.status == status)
    ]
    return {**args, "id": _listing_id(cen), "attachments": items}


def _cen_route_entries(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    cen, table = args.get("instanceId"), args.get("routeTableId")
    if not cen or not table:
        raise InterconnectCallError("MissingParameter", "instance_id and route_table_id are required")
    if facts.cen_published is None:
        raise InterconnectCallError("UnsupportedCall", "this fake cloud holds no CEN route publication")
    cidr = args.get("cidrBlock")
    items = [
        {
            "cidrBlock": r.cidr,
            "conflicts": [],
            "nextHopId": "",
            "nextHopType": "",
            "operationalMode": r.route_type != "System",
            "publishStatus": r.status,
            "routeTableId": r.route_table_id,
            "routeType": r.route_type,
        }
        for r in facts.cen_published
        if r.route_table_id == table and (not cidr or r.cidr == cidr)
    ]
    return {**args, "id": _listing_id(cen, table), "entries": items}


def _tr_attachments(kind: str) -> Callable[[InterconnectCloudFacts, Mapping[str, Any]], dict[str, Any]]:
    def call(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
        cen = args.get("cenId")
        if not cen:
            raise InterconnectCallError("MissingParameter", "cen_id is required")
        if facts.tr_attachments is None:
            raise InterconnectCallError("UnsupportedCall", "this fake cloud holds no transit router attachments")
        router = args.get("transitRouterId")
        found = [
            a
            for a in facts.tr_attachments
            if a.kind == kind and a.cen_id == cen and (not router or a.transit_router_id == router)
        ]
        if kind == "VBR":
            # GetTransitRouterVbrAttachmentsAttachmentResult: no transit router id, no CEN id.
            items = [
                {
                    "autoPublishRouteEnabled": bool(a.auto_publish),
                    "id": a.id,
                    "resourceType": "VBR",
                    "status": a.status,
                    "transitRouterAttachmentDescription": "",
                    "transitRouterAttachmentId": a.id,
                    "transitRouterAttachmentName": a.id,
                    "vbrId": a.resource_id,
                    "vbrOwnerId": "1234567890123456",
                }
                for a in found
            ]
        else:
            items = [
                {
                    "autoPublishRouteEnabled": bool(a.auto_publish),
                    "cenId": a.cen_id,
                    "id": f"{a.cen_id}:{a.id}",
                    "options": [],
                    "paymentType": "PayAsYouGo",
                    "resourceType": "VPC",
                    "status": a.status,
                    "transitRouterAttachmentDescription": "",
                    "transitRouterAttachmentId": a.id,
                    "transitRouterAttachmentName": a.id,
                    "transitRouterId": a.transit_router_id,
                    "vpcId": a.resource_id,
                    "vpcOwnerId": "1234567890123456",
                    "zoneMappings": [],
                }
                for a in found
            ]
        return {**args, "id": _listing_id(cen, router, kind), "ids": [a.id for a in found], "attachments": items}

    return call


def _tr_route_tables(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    router = args.get("transitRouterId")
    if not router:
        raise InterconnectCallError("MissingParameter", "transit_router_id is required")
    if facts.tr_associations is None or facts.tr_routes is None:
        raise InterconnectCallError("UnsupportedCall", "this fake cloud holds no transit router route tables")
    # The snapshot names a route table's transit router only through the attachments associated with it.
    attachments = {a.id: a.transit_router_id for a in facts.tr_attachments or ()}
    tables = sorted({x.route_table_id for x in facts.tr_associations if attachments.get(x.attachment_id) == router})
    items = [
        {
            "id": t,
            "status": "Active",
            "transitRouterRouteTableDescription": "",
            "transitRouterRouteTableId": t,
            "transitRouterRouteTableName": t,
            "transitRouterRouteTableType": "Custom",
        }
        for t in tables
    ]
    return {**args, "id": _listing_id(router), "ids": tables, "names": tables, "tables": items}


def _tr_route_table_associations(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    table = args.get("transitRouterRouteTableId")
    if not table:
        raise InterconnectCallError("MissingParameter", "transit_router_route_table_id is required")
    kinds = {a.id: a.kind for a in facts.tr_attachments or ()}
    resources = {a.id: a.resource_id for a in facts.tr_attachments or ()}
    items = [
        {
            "id": f"{x.route_table_id}:{x.attachment_id}",
            "resourceId": resources.get(x.attachment_id, ""),
            "resourceType": kinds.get(x.attachment_id, ""),
            "status": x.status,
            "transitRouterAttachmentId": x.attachment_id,
            "transitRouterRouteTableId": x.route_table_id,
        }
        for x in facts.tr_associations or ()
        if x.route_table_id == table
    ]
    return {**args, "id": _listing_id(table, "associations"), "ids": [i["id"] for i in items], "associations": items}


def _tr_route_entries(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    table = args.get("transitRouterRouteTableId")
    if not table:
        raise InterconnectCallError("MissingParameter", "transit_router_route_table_id is required")
    items = [
        {
            "id": f"{table}:{r.cidr}",
            "status": r.status,
            "transitRouterRouteEntryDescription": "",
            "transitRouterRouteEntryDestinationCidrBlock": r.cidr,
            "transitRouterRouteEntryId": "",
            "transitRouterRouteEntryName": "",
            "transitRouterRouteEntryNextHopId": r.next_hop,
            "transitRouterRouteEntryNextHopType": "Attachment",
            "transitRouterRouteEntryType": "Propagated",
        }
        for r in facts.tr_routes or ()
        if r.route_table_id == table
    ]
    return {**args, "id": _listing_id(table, "entries"), "ids": [i["id"] for i in items], "entries": items}


def _ecr_associations(facts: InterconnectCloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    ecr = args.get("ecrId")
    if not ecr:
        raise InterconnectCallError("MissingParameter", "ecr_id is required")
    if facts.ecr_associations is None:
        raise InterconnectCallError("UnsupportedCall", "this fake cloud holds no Express Connect Router associations")
    vpc = args.get("vpcId")
    found = [
        a
        for a in facts.ecr_associations
        if a.ecr_id == ecr and a.node_type == "VPC" and (not vpc or a.vpc_id == vpc)
    ]
    items = [
        {
            "allowedPrefixes": list(a.allowed_prefixes),
            "allowedPrefixesMode": a.mode,
            "associationId": a.id,
            "associationNodeType": a.node_type,
            "createTime": "2026-01-01T00:00:00Z",
            "ecrId": a.ecr_id,
            "id": f"{a.ecr_id}:{a.id}:{a.vpc_id}",
            "modifyTime": "2026-01-01T00:00:00Z",
            "status": a.status,
            "vpcId": a.vpc_id,
            "vpcOwnerId": "1234567890123456",
        }
        for a in found
    ]
    return {**args, "id": _listing_id(ecr, vpc), "ids": [i["id"] for i in items], "associations": items}


INTERCONNECT_CALLS: dict[str, Callable[[InterconnectCloudFacts, Mapping[str, Any]], dict[str, Any]]] = {
    "alicloud:vpc/getRouteTables:getRouteTables": _route_tables,
    "alicloud:vpc/getRouteEntries:getRouteEntries": _route_entries,
    "alicloud:vpc/getRouterInterfaces:getRouterInterfaces": _router_interfaces,
    "alicloud:expressconnect/getVirtualBorderRouters:getVirtualBorderRouters": _vbrs,
    "alicloud:vpc/getBgpNetworks:getBgpNetworks": _bgp_networks,
    "alicloud:vpc/getBgpGroups:getBgpGroups": _bgp_groups,
    "alicloud:vpc/getBgpPeers:getBgpPeers": _bgp_peers,
    "alicloud:ecs/getSecurityGroupRules:getSecurityGroupRules": _security_group_rules,
    "alicloud:cen/getInstanceAttachments:getInstanceAttachments": _cen_attachments,
    "alicloud:cen/getRouteEntries:getRouteEntries": _cen_route_entries,
    "alicloud:cen/getTransitRouterVpcAttachments:getTransitRouterVpcAttachments": _tr_attachments("VPC"),
    "alicloud:cen/getTransitRouterVbrAttachments:getTransitRouterVbrAttachments": _tr_attachments("VBR"),
    "alicloud:cen/getTransitRouterRouteTables:getTransitRouterRouteTables": _tr_route_tables,
    "alicloud:cen/getTransitRouterRouteTableAssociations:getTransitRouterRouteTableAssociations": (
        _tr_route_table_associations
    ),
    "alicloud:cen/getTransitRouterRouteEntries:getTransitRouterRouteEntries": _tr_route_entries,
    "alicloud:expressconnect/getRouterVpcAssociations:getRouterVpcAssociations": _ecr_associations,
}


# --- managed resources --------------------------------------------------------------------------

IP_PROTOCOLS = ("tcp", "udp", "icmp", "icmpv6", "gre", "all")
"""``alicloud.ecs.SecurityGroupRule`` ``ip_protocol`` (pulumi_alicloud 4.0.0 ``ecs/security_group_rule.py``)."""
NEXTHOP_TYPES = (
    "Instance",
    "RouterInterface",
    "VpnGateway",
    "HaVip",
    "NetworkInterface",
    "NatGateway",
    "IPv6Gateway",
    "Attachment",
    "VpcPeer",
)
"""``alicloud.vpc.RouteEntry`` ``nexthop_type`` (pulumi_alicloud 4.0.0 ``vpc/route_entry.py``)."""


def _cidr(value: Any) -> bool:
    try:
        ipaddress.ip_network(str(value), strict=True)
    except ValueError:
        return False
    return isinstance(value, str)


def check_route_entry(
    facts: InterconnectCloudFacts | None, others: list[Mapping[str, Any]], inputs: Mapping[str, Any]
) -> str:
    table, cidr = inputs.get("routeTableId"), inputs.get("destinationCidrblock")
    if facts is None or table not in {t.id for t in facts.route_tables or ()}:
        raise InterconnectCallError("InvalidRouteTableId.NotFound", f"route table {table} does not exist")
    if not _cidr(cidr):
        raise InterconnectCallError("InvalidDestinationCidrBlock.Malformed", f"destination {cidr!r} is not a CIDR")
    if inputs.get("nexthopType") not in NEXTHOP_TYPES:
        raise InterconnectCallError("InvalidNextHopType", f"next hop type {inputs.get('nexthopType')!r} is invalid")
    hop = inputs.get("nexthopId")
    if inputs.get("nexthopType") == "RouterInterface" and hop not in {ri.id for ri in facts.router_interfaces}:
        raise InterconnectCallError("InvalidNextHopId.NotFound", f"router interface {hop} does not exist")
    # A route carrying this run's own description is this stack's, already in its state (a later run).
    mine = inputs.get("description")
    taken: set[tuple[Any, Any]] = {
        (e.route_table_id, e.destination) for e in facts.route_entries or () if not mine or e.description != mine
    }
    taken |= {(o.get("routeTableId"), o.get("destinationCidrblock")) for o in others}
    if (table, cidr) in taken:
        raise InterconnectCallError("InvalidCIDRBlock.Duplicate", f"route table {table} already routes {cidr}")
    # pulumi_alicloud vpc/route_entry.py (its import id): <table>:<router>:<cidr>:<type>:<next hop>
    return f"{table}:vrt:{cidr}:{inputs.get('nexthopType')}:{hop}"


def check_bgp_network(
    facts: InterconnectCloudFacts | None, others: list[Mapping[str, Any]], inputs: Mapping[str, Any]
) -> str:
    router, cidr = inputs.get("routerId"), inputs.get("dstCidrBlock")
    if facts is None or router not in {v.id for v in facts.vbrs or ()}:
        raise InterconnectCallError("InvalidVbrId.NotFound", f"VBR {router} does not exist")
    if not _cidr(cidr):
        raise InterconnectCallError("InvalidDstCidrBlock.Malformed", f"{cidr!r} is not a CIDR")
    taken: set[tuple[Any, Any]] = {(n.router_id, n.cidr) for n in facts.bgp_networks or ()} | {
        (o.get("routerId"), o.get("dstCidrBlock")) for o in others
    }
    if (router, cidr) in taken:
        raise InterconnectCallError("InvalidBgpNetwork.Duplicate", f"VBR {router} already advertises {cidr}")
    return f"{router}:{cidr}"


def check_security_group_rule(
    network: CloudFacts | None,
    facts: InterconnectCloudFacts | None,
    others: list[Mapping[str, Any]],
    inputs: Mapping[str, Any],
) -> str:
    group = inputs.get("securityGroupId")
    if network is None or group not in {g.id for g in network.security_groups}:
        raise InterconnectCallError("InvalidSecurityGroupId.NotFound", f"security group {group} does not exist")
    if inputs.get("type") not in ("ingress", "egress"):
        raise InterconnectCallError("InvalidParameter", f"type {inputs.get('type')!r}: must be ingress or egress")
    protocol = inputs.get("ipProtocol")
    if protocol not in IP_PROTOCOLS:
        raise InterconnectCallError("InvalidIpProtocol.Malformed", f"ip_protocol {protocol!r}: one of {IP_PROTOCOLS}")
    if protocol in ("all", "icmp", "icmpv6", "gre") and inputs.get("portRange") not in (None, "-1/-1"):
        raise InterconnectCallError("InvalidIpPortRange.Malformed", f"{protocol} takes port range -1/-1")
    if inputs.get("policy", "accept") not in ("accept", "drop"):
        raise InterconnectCallError("InvalidPolicy.Malformed", f"policy {inputs.get('policy')!r}")
    priority = inputs.get("priority", 1)  # a number on the wire: 1.0 is 1
    if isinstance(priority, bool) or not isinstance(priority, (int, float)) or not float(priority).is_integer():
        raise InterconnectCallError("InvalidPriority.Malformed", f"priority {priority!r}: 1 to 100")
    priority = int(priority)
    if not 1 <= priority <= 100:
        raise InterconnectCallError("InvalidPriority.Malformed", f"priority {priority!r}: 1 to 100")
    source = inputs.get("cidrIp") or inputs.get("ipv6CidrIp")
    if not _cidr(source) or bool(inputs.get("cidrIp")) == bool(inputs.get("ipv6CidrIp")):
        raise InterconnectCallError(
            "InvalidSourceCidrIp.Malformed", f"exactly one of cidr_ip, ipv6_cidr_ip: {source!r}"
        )
    key = (group, inputs.get("type"), protocol, inputs.get("portRange"), source, inputs.get("policy", "accept"))
    taken = {
        (r.group_id, r.direction, r.ip_protocol.lower(), r.port_range, r.source, r.policy.lower())
        for r in (facts.security_rules if facts else None) or ()
        if not inputs.get("description") or r.description != inputs.get("description")
    } | {
        (
            o.get("securityGroupId"),
            o.get("type"),
            o.get("ipProtocol"),
            o.get("portRange"),
            o.get("cidrIp") or o.get("ipv6CidrIp"),
            o.get("policy", "accept"),
        )
        for o in others
    }
    if key in taken:
        raise InterconnectCallError("InvalidPermission.Duplicate", f"security group {group} already has this rule")
    # pulumi_alicloud ecs/security_group_rule.py: the rule's id joins its identifying inputs with ':'
    nic, policy = inputs.get("nicType", "intranet"), inputs.get("policy", "accept")
    return f"{group}:{inputs.get('type')}:{protocol}:{inputs.get('portRange')}:{nic}:{source}:{policy}:{priority}"
