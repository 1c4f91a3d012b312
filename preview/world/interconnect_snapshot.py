"""The interconnect in the offline preview: cloud-snapshot bodies, cluster facts from a snapshot, representative
facts, and PLAN.md's "Interconnect" section.

The bodies are the API responses in the shapes of the official SDK models (aliyun/alibabacloud-python-sdk
``vpc-20160428/alibabacloud_vpc20160428/models/``, ``ecs-20140526/alibabacloud_ecs20140526/models/``,
``cbn-20170912/alibabacloud_cbn20170912/models/``,
``expressconnectrouter-20230901/alibabacloud_expressconnectrouter20230901/models/``); each action's fields, model
file and commit: docs/interconnect.md, "The bodies' fields".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from hybrid_terway.core import constants
from hybrid_terway.core.interconnect import (
    CALICO_DEFAULT_BLOCK_SIZE,
    PUBLICATION_UNTOLD,
    BgpGroupFact,
    BgpNetworkFact,
    BgpPeerFact,
    CalicoPool,
    CenChildFact,
    CenPublishedRouteFact,
    EcrAssociationFact,
    InterconnectCloudFacts,
    InterconnectClusterFacts,
    InterconnectPlan,
    NextHop,
    OnPremCidr,
    PodVSwitch,
    RouteEntryFact,
    RouterInterfaceFact,
    RouteTableFact,
    SecurityRuleFact,
    TransitRouterAssociationFact,
    TransitRouterAttachmentFact,
    TransitRouterRouteFact,
    VbrFact,
    plan_interconnect,
    setting_on_prem_cidrs,
)
from hybrid_terway.core.settings import InterconnectSettings, Settings
from preview.world.fake_cloud import derived

INTERCONNECT_ACTIONS = (
    "DescribeRouteTableList",
    "DescribeRouteEntryList",
    "DescribeVirtualBorderRouters",
    "DescribeBgpGroups",
    "DescribeBgpPeers",
    "DescribeBgpNetworks",
    "DescribeSecurityGroupAttribute",
    "DescribeCenAttachedChildInstances",
    "DescribePublishedRouteEntries",
    "ListTransitRouterVpcAttachments",
    "ListTransitRouterVbrAttachments",
    "ListTransitRouterRouteTableAssociations",
    "ListTransitRouterRouteEntries",
    "DescribeExpressConnectRouterAssociation",
)
PUBLICATION_ACTIONS = {
    "cen": ("DescribeCenAttachedChildInstances",),
    "transitRouter": (
        "ListTransitRouterVpcAttachments",
        "ListTransitRouterVbrAttachments",
        "ListTransitRouterRouteTableAssociations",
        "ListTransitRouterRouteEntries",
    ),
    "expressConnectRouter": ("DescribeExpressConnectRouterAssociation",),
}
"""The actions that tell what publishes the pod vSwitch CIDRs, per ``via`` (docs/interconnect.md)."""


class InterconnectSnapshotError(Exception):
    """An interconnect body of the cloud snapshot is not in the API's response shape (the preview exits 2)."""


def needed_actions(ic: InterconnectSettings) -> list[str]:
    needed = []
    if ic.routes != "off":
        needed += ["DescribeRouteTableList", "DescribeRouteEntryList"]
    if ic.via == "vbr":
        needed += ["DescribeVirtualBorderRouters", "DescribeBgpGroups", "DescribeBgpPeers"]
        if ic.bgp_networks != "off":
            needed.append("DescribeBgpNetworks")
    elif ic.bgp_networks != "off":
        needed += PUBLICATION_ACTIONS[ic.via]
        if ic.via == "cen" and ic.routes != "off":
            # The program reads each pod route table's publication (cen.get_route_entries) once it has the tables.
            needed.append("DescribePublishedRouteEntries")
    if ic.security_group_ingress != "off":
        needed.append("DescribeSecurityGroupAttribute")
    return needed


# --- reading bodies -------------------------------------------------------------------------------


def _page_items(body: Any, where: str, path: tuple[str, ...], pages: str, token_hint: str) -> list[Mapping[str, Any]]:
    """The items at ``path`` of one response body, refused when the body is one page of several (``TotalCount``
    above what it holds, or a ``NextToken``); ``pages`` and ``token_hint`` say how to fetch every page."""
    if not isinstance(body, Mapping):
        raise InterconnectSnapshotError(f"{where}: must be the API's response body (a mapping)")
    items: Any = body
    for key in path:
        items = items.get(key) if isinstance(items, Mapping) else None
    name = ".".join(path)
    if not isinstance(items, list):
        raise InterconnectSnapshotError(f"{where}: needs {name} as a list (the API's response body)")
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise InterconnectSnapshotError(f"{where}: {name}[{index}] is not a mapping")
    total = body.get("TotalCount")
    if isinstance(total, int) and not isinstance(total, bool) and total > len(items):
        raise InterconnectSnapshotError(f"{where}: lists {len(items)} of {total} (TotalCount): {pages}")
    token = body.get("NextToken")
    if isinstance(token, str) and token:
        raise InterconnectSnapshotError(
            f"{where}: NextToken is {token!r}: this is one page of several; call again with --NextToken until it "
            f"is empty{token_hint}"
        )
    return items


def _items(body: Any, where: str, outer: str, inner: str) -> list[Mapping[str, Any]]:
    return _page_items(body, where, (outer, inner), "take every page (--PageSize 50 --pager)", " (--MaxResult 100)")


def _top_items(body: Any, where: str, name: str) -> list[Mapping[str, Any]]:
    """The items of a body whose list is top level (``TransitRouterAttachments``, ``AssociationList``)."""
    return _page_items(body, where, (name,), "follow NextToken and merge the pages", "")


def _flag(item: Mapping[str, Any], name: str, where: str) -> bool | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise InterconnectSnapshotError(f"{where}: {name} = {value!r}: must be true or false")
    return value


def _bodies(value: Any, where: str, listed: bool) -> list[tuple[Any, str]]:
    """The bodies of one action: a list of them (one per route table, group, VBR), or one body."""
    if isinstance(value, list):
        return [(b, f"{where}[{i}]") for i, b in enumerate(value)]
    if listed:
        raise InterconnectSnapshotError(f"{where}: must be a list of response bodies (one per call)")
    return [(value, where)]


def _text(item: Mapping[str, Any], name: str, where: str, required: bool = True, prefix: str = "") -> str:
    value = item.get(name)
    if value is None or value == "":
        if required:
            raise InterconnectSnapshotError(f"{where}: {name} is missing")
        return ""
    if not isinstance(value, str) or (prefix and not value.startswith(prefix)):
        raise InterconnectSnapshotError(
            f"{where}: {name} = {value!r}: must be " + (f"an id ({prefix}...)" if prefix else "a string")
        )
    return value


def _cidr(item: Mapping[str, Any], name: str, where: str, required: bool = True) -> str:
    value = _text(item, name, where, required)
    if value:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise InterconnectSnapshotError(f"{where}: {name} = {value!r}: must be a CIDR") from None
    return value


def _limit(item: Mapping[str, Any], where: str) -> int | None:
    value = item.get("RouteLimit")
    if value is None or value == "":
        return None
    try:
        number = int(str(value))
    except ValueError:
        number = -1
    if number < 0 or isinstance(value, bool):
        raise InterconnectSnapshotError(f"{where}: RouteLimit = {value!r}: must be a number of routes")
    return number


def _priority(item: Mapping[str, Any], where: str) -> int:
    value = item.get("Priority")
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if isinstance(value, bool) or not 1 <= number <= 100:
        raise InterconnectSnapshotError(f"{where}: Priority = {value!r}: must be 1 to 100")
    return number


def parse_interconnect_snapshot(
    document: Mapping[str, Any], source: str, ic: InterconnectSettings
) -> InterconnectCloudFacts:
    missing = [a for a in needed_actions(ic) if a not in document]
    if missing:
        raise InterconnectSnapshotError(
            f"{source}: {', '.join(missing)} missing; {constants.PROJECT}:interconnect needs them "
            "(docs/interconnect.md gives the aliyun commands)"
        )
    facts: dict[str, Any] = {}
    if "DescribeRouteTableList" in document:
        where = f"{source}: DescribeRouteTableList"
        tables = []
        for i, t in enumerate(
            _items(document["DescribeRouteTableList"], where, "RouterTableList", "RouterTableListType")
        ):
            w = f"{where} RouterTableList.RouterTableListType[{i}]"
            ids = t.get("VSwitchIds")
            listed = ids.get("VSwitchId") if isinstance(ids, Mapping) else [] if ids is None else None
            if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
                raise InterconnectSnapshotError(f"{w}: VSwitchIds.VSwitchId must be a list of vSwitch ids")
            tables.append(
                RouteTableFact(
                    _text(t, "RouteTableId", w, prefix="vtb-"),
                    _text(t, "VpcId", w, prefix="vpc-"),
                    _text(t, "RouteTableType", w),
                    tuple(listed),
                )
            )
        facts["route_tables"] = tuple(tables)
    if "DescribeRouteEntryList" in document:
        entries = []
        interfaces = []
        for body, where in _bodies(document["DescribeRouteEntryList"], f"{source}: DescribeRouteEntryList", True):
            for i, e in enumerate(_items(body, where, "RouteEntrys", "RouteEntry")):
                w = f"{where} RouteEntrys.RouteEntry[{i}]"
                hops_wrapper = e.get("NextHops")
                hops = hops_wrapper.get("NextHop") if isinstance(hops_wrapper, Mapping) else None
                if not isinstance(hops, list):
                    raise InterconnectSnapshotError(f"{w}: needs NextHops.NextHop as a list")
                found = []
                for j, h in enumerate(hops):
                    hw = f"{w} NextHops.NextHop[{j}]"
                    if not isinstance(h, Mapping):
                        raise InterconnectSnapshotError(f"{hw}: is not a mapping")
                    related = h.get("NextHopRelatedInfo")
                    if related is not None and not isinstance(related, Mapping):
                        raise InterconnectSnapshotError(f"{hw}: NextHopRelatedInfo must be a mapping")
                    hop = NextHop(
                        _text(h, "NextHopType", hw),
                        _text(h, "NextHopId", hw, required=False),
                        _text(related or {}, "InstanceId", f"{hw} NextHopRelatedInfo", required=False),
                    )
                    found.append(hop)
                    if hop.type == "RouterInterface" and hop.related_instance_id.startswith("vbr-"):
                        interfaces.append(RouterInterfaceFact(hop.id, hop.related_instance_id))
                entries.append(
                    RouteEntryFact(
                        _text(e, "RouteTableId", w, prefix="vtb-"),
                        _cidr(e, "DestinationCidrBlock", w),
                        tuple(found),
                        _text(e, "Description", w, required=False),
                    )
                )
        facts["route_entries"] = tuple(entries)
        facts["router_interfaces"] = tuple(dict.fromkeys(interfaces))
    if "DescribeVirtualBorderRouters" in document:
        where = f"{source}: DescribeVirtualBorderRouters"
        items = _items(
            document["DescribeVirtualBorderRouters"], where, "VirtualBorderRouterSet", "VirtualBorderRouterType"
        )
        facts["vbrs"] = tuple(
            VbrFact(_text(v, "VbrId", f"{where}[{i}]", prefix="vbr-"), _text(v, "Status", f"{where}[{i}]", False))
            for i, v in enumerate(items)
        )
    if "DescribeBgpGroups" in document:
        groups = []
        for body, where in _bodies(document["DescribeBgpGroups"], f"{source}: DescribeBgpGroups", False):
            for i, g in enumerate(_items(body, where, "BgpGroups", "BgpGroup")):
                w = f"{where} BgpGroups.BgpGroup[{i}]"
                groups.append(BgpGroupFact(_text(g, "BgpGroupId", w), _text(g, "RouterId", w), _limit(g, w)))
        facts["bgp_groups"] = tuple(groups)
    if "DescribeBgpPeers" in document:
        peers = []
        for body, where in _bodies(document["DescribeBgpPeers"], f"{source}: DescribeBgpPeers", False):
            for i, p in enumerate(_items(body, where, "BgpPeers", "BgpPeer")):
                w = f"{where} BgpPeers.BgpPeer[{i}]"
                peers.append(
                    BgpPeerFact(
                        _text(p, "BgpPeerId", w),
                        _text(p, "BgpGroupId", w),
                        _text(p, "RouterId", w),
                        _text(p, "PeerIpAddress", w, required=False),
                        _text(p, "BgpStatus", w, required=False),
                        _limit(p, w),
                    )
                )
        facts["bgp_peers"] = tuple(peers)
    if "DescribeBgpNetworks" in document:
        networks = []
        for body, where in _bodies(document["DescribeBgpNetworks"], f"{source}: DescribeBgpNetworks", False):
            for i, n in enumerate(_items(body, where, "BgpNetworks", "BgpNetwork")):
                w = f"{where} BgpNetworks.BgpNetwork[{i}]"
                networks.append(
                    BgpNetworkFact(_text(n, "RouterId", w), _cidr(n, "DstCidrBlock", w), _text(n, "VpcId", w, False))
                )
        facts["bgp_networks"] = tuple(networks)
    if "DescribeSecurityGroupAttribute" in document:
        rules = []
        action = f"{source}: DescribeSecurityGroupAttribute"
        for body, where in _bodies(document["DescribeSecurityGroupAttribute"], action, True):
            items = _items(body, where, "Permissions", "Permission")
            group = _text(body, "SecurityGroupId", where, prefix="sg-")
            for i, r in enumerate(items):
                w = f"{where} Permissions.Permission[{i}]"
                direction = _text(r, "Direction", w)
                policy = _text(r, "Policy", w, required=False) or "Accept"
                if direction not in ("ingress", "egress") or policy not in ("Accept", "Drop"):
                    raise InterconnectSnapshotError(
                        f"{w}: Direction {direction!r} / Policy {policy!r}: must be ingress or egress / Accept or Drop"
                    )
                rules.append(
                    SecurityRuleFact(
                        group,
                        direction,
                        policy,
                        _priority(r, w),
                        _text(r, "IpProtocol", w),
                        _text(r, "PortRange", w, required=False),
                        _cidr(r, "SourceCidrIp", w, False) or _cidr(r, "Ipv6SourceCidrIp", w, False),
                        _text(r, "Description", w, required=False),
                    )
                )
        facts["security_rules"] = tuple(rules)
    if "DescribeCenAttachedChildInstances" in document:
        children = []
        action = f"{source}: DescribeCenAttachedChildInstances"
        for body, where in _bodies(document["DescribeCenAttachedChildInstances"], action, False):
            for i, c in enumerate(_items(body, where, "ChildInstances", "ChildInstance")):
                w = f"{where} ChildInstances.ChildInstance[{i}]"
                children.append(
                    CenChildFact(
                        _text(c, "CenId", w, prefix="cen-"),
                        _text(c, "ChildInstanceId", w),
                        _text(c, "ChildInstanceType", w),
                        _text(c, "ChildInstanceRegionId", w, required=False),
                        _text(c, "Status", w),
                    )
                )
        facts["cen_children"] = tuple(children)
    if "DescribePublishedRouteEntries" in document:
        published = []
        action = f"{source}: DescribePublishedRouteEntries"
        for body, where in _bodies(document["DescribePublishedRouteEntries"], action, False):
            for i, r in enumerate(_items(body, where, "PublishedRouteEntries", "PublishedRouteEntry")):
                w = f"{where} PublishedRouteEntries.PublishedRouteEntry[{i}]"
                status = _text(r, "PublishStatus", w)
                if status not in ("Published", "NonPublished"):
                    raise InterconnectSnapshotError(f"{w}: PublishStatus {status!r}: must be Published or NonPublished")
                published.append(
                    CenPublishedRouteFact(
                        _text(r, "ChildInstanceRouteTableId", w, prefix="vtb-"),
                        _cidr(r, "DestinationCidrBlock", w),
                        status,
                        _text(r, "RouteType", w, required=False),
                    )
                )
        facts["cen_published"] = tuple(published)
    attachments: list[TransitRouterAttachmentFact] = []
    for action, kind, resource, prefix in (
        ("ListTransitRouterVpcAttachments", "VPC", "VpcId", "vpc-"),
        ("ListTransitRouterVbrAttachments", "VBR", "VbrId", "vbr-"),
    ):
        if action not in document:
            continue
        for body, where in _bodies(document[action], f"{source}: {action}", False):
            for i, a in enumerate(_top_items(body, where, "TransitRouterAttachments")):
                w = f"{where} TransitRouterAttachments[{i}]"
                attachments.append(
                    TransitRouterAttachmentFact(
                        kind,
                        _text(a, "TransitRouterAttachmentId", w, prefix="tr-attach-"),
                        _text(a, "CenId", w, prefix="cen-"),
                        _text(a, "TransitRouterId", w, prefix="tr-"),
                        _text(a, resource, w, prefix=prefix),
                        _text(a, "Status", w),
                        _flag(a, "AutoPublishRouteEnabled", w),
                    )
                )
    if any(a in document for a in PUBLICATION_ACTIONS["transitRouter"][:2]):
        facts["tr_attachments"] = tuple(attachments)
    if "ListTransitRouterRouteTableAssociations" in document:
        action = f"{source}: ListTransitRouterRouteTableAssociations"
        facts["tr_associations"] = tuple(
            TransitRouterAssociationFact(
                _text(a, "TransitRouterRouteTableId", f"{where} TransitRouterAssociations[{i}]", prefix="vtb-"),
                _text(a, "TransitRouterAttachmentId", f"{where} TransitRouterAssociations[{i}]", prefix="tr-attach-"),
                _text(a, "Status", f"{where} TransitRouterAssociations[{i}]"),
            )
            for body, where in _bodies(document["ListTransitRouterRouteTableAssociations"], action, False)
            for i, a in enumerate(_top_items(body, where, "TransitRouterAssociations"))
        )
    if "ListTransitRouterRouteEntries" in document:
        action = f"{source}: ListTransitRouterRouteEntries"
        by_table = document["ListTransitRouterRouteEntries"]
        if not isinstance(by_table, Mapping) or not all(
            isinstance(k, str) and k.startswith("vtb-") for k in by_table
        ):
            raise InterconnectSnapshotError(
                f"{action}: must map each --TransitRouterRouteTableId (vtb-...) to its response body: the entries "
                "do not name their route table"
            )
        routes = []
        for table, body in sorted(by_table.items()):
            where = f"{action}[{table}]"
            for i, r in enumerate(_top_items(body, where, "TransitRouterRouteEntries")):
                w = f"{where} TransitRouterRouteEntries[{i}]"
                routes.append(
                    TransitRouterRouteFact(
                        table,
                        _cidr(r, "TransitRouterRouteEntryDestinationCidrBlock", w),
                        _text(r, "TransitRouterRouteEntryStatus", w),
                        _text(r, "TransitRouterRouteEntryNextHopResourceId", w, required=False),
                    )
                )
        facts["tr_routes"] = tuple(routes)
    if "DescribeExpressConnectRouterAssociation" in document:
        associations = []
        action = f"{source}: DescribeExpressConnectRouterAssociation"
        for body, where in _bodies(document["DescribeExpressConnectRouterAssociation"], action, False):
            for i, a in enumerate(_top_items(body, where, "AssociationList")):
                w = f"{where} AssociationList[{i}]"
                prefixes = a.get("AllowedPrefixes")
                if prefixes is None:
                    prefixes = []
                if not isinstance(prefixes, list):
                    raise InterconnectSnapshotError(f"{w}: AllowedPrefixes must be a list of CIDRs")
                for j, p in enumerate(prefixes):
                    _cidr({"AllowedPrefixes": p}, "AllowedPrefixes", f"{w} AllowedPrefixes[{j}]")
                node = _text(a, "AssociationNodeType", w)
                associations.append(
                    EcrAssociationFact(
                        _text(a, "EcrId", w, prefix="ecr-"),
                        _text(a, "AssociationId", w),
                        node,
                        _text(a, "VpcId", w, required=node == "VPC", prefix="vpc-"),
                        _text(a, "Status", w),
                        tuple(prefixes),
                        _text(a, "AllowedPrefixesMode", w, required=False),
                    )
                )
        facts["ecr_associations"] = tuple(associations)
    untold = PUBLICATION_UNTOLD.get(ic.via)
    limits = (f"via {ic.via}: the listings do not tell {untold}",) if untold else ()
    return InterconnectCloudFacts(source=f"cloud snapshot {source}", limits=limits, **facts)


# --- the cluster side ----------------------------------------------------------------------------

IPPOOL_KIND = ("IPPool", ("crd.projectcalico.org/v1", "projectcalico.org/v3"))
IPAM_BLOCK_KIND = ("IPAMBlock", ("crd.projectcalico.org/v1",))
"""``kubectl get ipamblocks.crd.projectcalico.org``: one object per block a node claimed (projectcalico/calico
``libcalico-go/lib/backend/model/block.go``)."""


def calico_pools(objects: Mapping[tuple[str, str, str], Mapping[str, Any]]) -> tuple[CalicoPool, ...] | None:
    """The snapshot's Calico IPPools with ``natOutgoing`` (false when absent), ``disabled``, ``blockSize`` (26 / 122
    when absent or 0: projectcalico/calico ``libcalico-go/lib/clientv3/ippool.go``) and ``allowedUses``; None when it
    holds none."""
    pools = []
    for (kind, _, name), obj in sorted(objects.items()):
        if kind != IPPOOL_KIND[0] or obj.get("apiVersion") not in IPPOOL_KIND[1]:
            continue
        spec = obj.get("spec") if isinstance(obj.get("spec"), Mapping) else {}
        assert isinstance(spec, Mapping)
        cidr = str(spec.get("cidr") or "")
        try:
            version = ipaddress.ip_network(cidr, strict=False).version
        except ValueError:
            continue  # the address plan reports a malformed pool
        size = spec.get("blockSize")
        uses = spec.get("allowedUses")
        pools.append(
            CalicoPool(
                name,
                cidr,
                spec.get("disabled") is True,
                spec.get("natOutgoing") is True,
                # 0 or absent: libcalico-go/lib/clientv3/ippool.go writes 26 / 122.
                size
                if isinstance(size, int) and not isinstance(size, bool) and size
                else CALICO_DEFAULT_BLOCK_SIZE[version],
                tuple(str(u) for u in uses) if isinstance(uses, list) else (),
            )
        )
    return tuple(pools) if pools else None


def snapshot_cluster_facts(
    settings: Settings,
    objects: Mapping[tuple[str, str, str], Mapping[str, Any]],
    on_prem_pod_cidrs: Any,
    on_prem_nodes: int | None,
) -> InterconnectClusterFacts:
    assert settings.interconnect is not None
    blocks = sum(
        1
        for (kind, _, _), obj in objects.items()
        if kind == IPAM_BLOCK_KIND[0] and obj.get("apiVersion") in IPAM_BLOCK_KIND[1]
    )
    return InterconnectClusterFacts(
        on_prem_pod_cidrs=on_prem_pod_cidrs,
        on_prem_node_cidrs=setting_on_prem_cidrs(
            settings.interconnect.on_prem_node_cidrs, "interconnect.onPremNodeCidrs"
        ),
        pools=calico_pools(objects),
        ipam_blocks=blocks or None,
        on_prem_nodes=on_prem_nodes,
        operator_pools=operator_pools(objects),
    )


def operator_pools(objects: Mapping[tuple[str, str, str], Mapping[str, Any]]) -> tuple[tuple[str, int, str], ...]:
    """(Installation, index, CIDR) of each ``spec.calicoNetwork.ipPools`` entry of the snapshot's tigera
    ``Installation`` objects (tigera/operator ``api/v1/installation_types.go``, ``IPPool.CIDR``)."""
    found = []
    for (kind, _, name), obj in sorted(objects.items()):
        if kind != constants.TIGERA_INSTALLATION_KIND or obj.get("apiVersion") != constants.TIGERA_API_VERSION:
            continue
        spec = obj.get("spec")
        network = spec.get("calicoNetwork") if isinstance(spec, Mapping) else None
        entries = network.get("ipPools") if isinstance(network, Mapping) else None
        for index, entry in enumerate(entries if isinstance(entries, list) else ()):
            if isinstance(entry, Mapping) and isinstance(entry.get("cidr"), str):
                found.append((name, index, entry["cidr"]))
    return tuple(found)


# --- representative facts -------------------------------------------------------------------------


def representative_interconnect(settings: Settings, pod_vswitches: list[PodVSwitch]) -> InterconnectCloudFacts:
    """An interconnect that works: one route table per VPC routing each on-prem pod CIDR to the first VBR's router
    interface, each pod vSwitch CIDR a BGP network of each VBR, an Established peer on each, and Accept rules for
    every on-prem CIDR in each of Terway's groups. With ``manage``, the pieces it would add are left out."""
    ic = settings.interconnect
    assert ic is not None and settings.terway is not None
    vbrs = list(ic.vbr_ids or ())
    seed = settings.cluster_id
    tables, entries, interfaces = [], [], []
    ri = "ri-" + derived(seed + "ri", 20, "abcdefghijklmnopqrstuvwxyz0123456789")
    for vpc in sorted({v.vpc_id for v in pod_vswitches}):
        table = "vtb-" + derived(seed + vpc, 20, "abcdefghijklmnopqrstuvwxyz0123456789")
        tables.append(RouteTableFact(table, vpc, "System", tuple(v.id for v in pod_vswitches if v.vpc_id == vpc)))
        for cidr in ic.on_prem_node_cidrs:
            hop = NextHop("RouterInterface", ri, vbrs[0]) if vbrs else NextHop(_VIA_HOP[ic.via], "tr-attach")
            entries.append(RouteEntryFact(table, cidr, (hop,)))
        if ic.routes != "manage":
            for cidr in settings.on_prem_pod_cidrs:
                hop = NextHop("RouterInterface", ri, vbrs[0]) if vbrs else NextHop(_VIA_HOP[ic.via], "tr-attach")
                entries.append(RouteEntryFact(table, cidr, (hop,)))
    if vbrs:
        interfaces.append(RouterInterfaceFact(ri, vbrs[0]))
    networks = (
        []
        if ic.bgp_networks == "manage"
        else [BgpNetworkFact(vbr, v.cidr, v.vpc_id) for vbr in vbrs for v in pod_vswitches]
    )
    groups = [
        BgpGroupFact(f"bgpg-{derived(seed + vbr, 20, 'abcdefghijklmnopqrstuvwxyz0123456789')}", vbr, None)
        for vbr in vbrs
    ]
    peers = [
        BgpPeerFact(
            f"bgpp-{derived(seed + g.id, 20, 'abcdefghijklmnopqrstuvwxyz0123456789')}",
            g.id,
            g.router_id,
            "10.0.0.2",
            "Established",
            None,
        )
        for g in groups
    ]
    cidrs = [*settings.on_prem_pod_cidrs, *ic.on_prem_node_cidrs]
    rules = (
        []
        if ic.security_group_ingress == "manage"
        else [
            SecurityRuleFact(sg, "ingress", "Accept", 1, "ALL", "-1/-1", c)
            for sg in settings.terway.security_group_ids
            for c in cidrs
        ]
    )
    vpcs = sorted({v.vpc_id for v in pod_vswitches})
    cen_children = tr_attachments = ecr_associations = None
    cen_published = None
    tr_associations = tr_routes = None
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    if ic.via == "cen" and ic.cen_id:
        vbr = "vbr-" + derived(seed + "vbr", 20, alphabet)
        cen_children = (
            *(CenChildFact(ic.cen_id, vpc, "VPC", "", "Attached") for vpc in vpcs),
            CenChildFact(ic.cen_id, vbr, "VBR", "", "Attached"),
        )
        # Representative: the system routes of the pod vSwitches, published to the CEN instance.
        cen_published = tuple(
            CenPublishedRouteFact(t.id, v.cidr, "Published", "System")
            for t in tables
            for v in pod_vswitches
            if v.vpc_id == t.vpc_id
        )
    if ic.via == "transitRouter" and ic.cen_id:
        tr = "tr-" + derived(seed + "tr", 20, alphabet)
        tr_attachments = (
            *(
                TransitRouterAttachmentFact(
                    "VPC", "tr-attach-" + derived(seed + vpc, 14, alphabet), ic.cen_id, tr, vpc, "Attached", False
                )
                for vpc in vpcs
            ),
            TransitRouterAttachmentFact(
                "VBR",
                "tr-attach-" + derived(seed + "vbr", 14, alphabet),
                ic.cen_id,
                tr,
                "vbr-" + derived(seed + "vbr", 20, alphabet),
                "Attached",
                True,
            ),
        )
        # Representative: one route table, associated with the VBR attachment, holding each pod vSwitch CIDR.
        tr_table = "vtb-" + derived(seed + "trtable", 20, alphabet)
        tr_associations = (TransitRouterAssociationFact(tr_table, tr_attachments[-1].id, "Active"),)
        tr_routes = tuple(TransitRouterRouteFact(tr_table, v.cidr, "Active", v.vpc_id) for v in pod_vswitches)
    if ic.via == "expressConnectRouter" and ic.ecr_id:
        ecr_associations = tuple(
            EcrAssociationFact(
                ic.ecr_id,
                "ecr-assoc-" + derived(seed + vpc, 16, alphabet),
                "VPC",
                vpc,
                "ACTIVE",
                tuple(v.cidr for v in pod_vswitches if v.vpc_id == vpc),
                "MatchMode",
            )
            for vpc in vpcs
        )
    return InterconnectCloudFacts(
        source="representative",
        cen_children=cen_children,
        cen_published=cen_published,
        tr_attachments=tr_attachments,
        tr_associations=tr_associations,
        tr_routes=tr_routes,
        ecr_associations=ecr_associations,
        route_tables=tuple(tables),
        route_entries=tuple(entries),
        router_interfaces=tuple(interfaces),
        vbrs=tuple(VbrFact(v, "active") for v in vbrs),
        bgp_groups=tuple(groups),
        bgp_peers=tuple(peers),
        bgp_networks=tuple(networks),
        security_rules=tuple(rules),
    )


_VIA_HOP = {"cen": "CenBasic", "transitRouter": "Attachment", "expressConnectRouter": "Ecr", "vbr": "RouterInterface"}


def preview_interconnect_plan(
    settings: Settings,
    pod_vswitches: list[PodVSwitch],
    cloud: InterconnectCloudFacts,
    cluster: InterconnectClusterFacts,
) -> InterconnectPlan:
    assert settings.interconnect is not None and settings.terway is not None
    return plan_interconnect(
        settings.interconnect, settings.cluster_id, pod_vswitches, settings.terway.security_group_ids, cloud, cluster
    )


# --- PLAN.md --------------------------------------------------------------------------------------

_VERDICT: dict[bool | None, str] = {True: "ok", False: "FAILS", None: "not done"}


def section_lines(plan: InterconnectPlan | None, scenario: str) -> list[str]:
    """PLAN.md's "Interconnect" section: both directions with each fact's source, the managed pieces, the verdicts."""
    if plan is None:
        if scenario != "bgp":
            return []
        return [
            "## Interconnect",
            "",
            f"Not checked: the stack has no `{constants.PROJECT}:interconnect` block (routes, BGP advertisements, "
            "security-group ingress and Calico's NAT between the VPC and the data centre; see docs/interconnect.md).",
            "",
        ]
    ic = plan.settings
    ids = [*(ic.vbr_ids or ()), *(i for i in (ic.cen_id, ic.ecr_id) if i)]
    vbrs = f" ({', '.join(f'`{v}`' for v in ids)})" if ids else ""
    lines = ["## Interconnect", "", f"Via `{ic.via}`{vbrs}; cloud facts from {plan.cloud_source}.", ""]
    modes = ", ".join(
        f"{k} `{v}`"
        for k, v in (
            ("routes", ic.routes),
            ("bgpNetworks", ic.bgp_networks),
            ("securityGroupIngress", ic.security_group_ingress),
            ("noNatPools", ic.no_nat_pools),
        )
    )
    lines += [f"Modes: {modes}.", ""]
    lines += ["### Cloud pods to on-prem pods (VPC routes)", ""]
    if plan.routes:
        lines += ["| route table | on-prem pod CIDR | route | verdict | source |", "|---|---|---|---|---|"]
        lines += [
            f"| `{r.route_table_id}` | {r.cidr} | {r.found} | {'ok' if r.ok else 'FAILS'} | {r.source} |"
            for r in plan.routes
        ]
    else:
        lines.append("No route was compared.")
    lines += ["", "### On-prem pods to cloud pods (advertisements)", ""]
    if plan.advertisements:
        lines += ["| pod vSwitch CIDR | advertised by | verdict | source |", "|---|---|---|---|"]
        lines += [f"| {a.cidr} | {a.found} | {_VERDICT[a.ok]} | {a.source} |" for a in plan.advertisements]
    else:
        lines.append("No advertisement was compared.")
    lines += ["", "On-prem CIDRs: " + (", ".join(f"{c.cidr} ({c.source})" for c in plan.on_prem_cidrs) or "none"), ""]
    managed = (
        [
            f"- route `{m.route_table_id}` {m.cidr} via RouterInterface `{m.router_interface_id}` ({m.vbr_id})"
            + (" (exists, kept)" if m.exists else "")
            for m in plan.managed_routes
        ]
        + [
            f"- BGP network {m.cidr} on `{m.vbr_id}`" + (" (exists, left as it is)" if m.exists else "")
            for m in plan.managed_bgp_networks
        ]
        + [
            f"- ingress rule in `{m.group_id}` from {m.cidr}" + (" (exists, kept)" if m.exists else "")
            for m in plan.managed_rules
        ]
        + [
            f"- disabled IPPool `{m.name}` {m.cidr}" + (" (exists, kept)" if m.exists else "")
            for m in plan.managed_pools
        ]
    )
    if managed:
        lines += ["Managed (`manage`):", "", *managed, ""]
    lines += ["| check | verdict | detail |", "|---|---|---|"]
    for c in plan.checks:
        verdict = "warning" if c.warning_only and c.ok is False else _VERDICT[c.ok]
        lines.append(f"| {c.name} | {verdict} | {c.detail} |")
    if plan.limits:
        lines += ["", "What this source cannot tell:", "", *(f"- {limit}" for limit in plan.limits)]
    lines.append("")
    return lines


def pod_vswitches_of(settings: Settings, vswitches: Any) -> list[PodVSwitch]:
    """The stack's pod vSwitches as the cloud has them (``VSwitchFact`` of the address plan's facts)."""
    assert settings.terway is not None
    zone_of = {v: zone for zone, ids in settings.terway.pod_vswitches.items() for v in ids}
    return [PodVSwitch(v.id, zone_of[v.id], v.vpc_id, v.cidr_block) for v in vswitches if v.id in zone_of]


def interconnect_cloud(
    settings: Settings, document: Any, source: str | None, vswitches: Any
) -> InterconnectCloudFacts | None:
    """The interconnect's cloud facts: from the cloud snapshot's document, or representative; None without the
    block. Raises InterconnectSnapshotError on a body out of the API's shape."""
    if settings.interconnect is None or settings.terway is None:
        return None
    if document is None or source is None:
        return representative_interconnect(settings, pod_vswitches_of(settings, vswitches))
    return parse_interconnect_snapshot(document, source, settings.interconnect)


def interconnect_cluster(
    settings: Settings,
    objects: Mapping[tuple[str, str, str], Mapping[str, Any]],
    pod_cidrs: Any,
    on_prem_nodes: int | None,
) -> InterconnectClusterFacts:
    """The cluster side: every on-prem pod CIDR the address plan knows (settings, Calico pools, kubeadm), once each."""
    seen: dict[str, OnPremCidr] = {}
    for c in pod_cidrs:
        seen.setdefault(c.cidr, OnPremCidr(c.cidr, c.source))
    return snapshot_cluster_facts(settings, objects, tuple(seen.values()), on_prem_nodes)


def console_lines(plan: InterconnectPlan | None, settings: Settings) -> list[str]:
    if plan is None:
        if settings.scenario.value != "bgp":
            return []
        return [f"interconnect: not checked (no {constants.PROJECT}:interconnect block; see docs/interconnect.md)"]
    return [f"interconnect: {line}" for line in plan.summary_lines()]
