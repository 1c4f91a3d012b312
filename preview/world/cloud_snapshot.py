"""The cloud side of the offline preview's address plan: a cloud snapshot, or representative facts.

A cloud snapshot maps an Alibaba Cloud API action name to that API's response body exactly as the ``aliyun`` CLI
prints it (JSON indented with tabs, which is read as JSON; YAML is accepted too). The response shapes are those of
the official SDK models (aliyun/alibabacloud-python-sdk):

- ``DescribeVSwitches`` (VPC 2016-04-28): ``VSwitches.VSwitch[]`` with ``VSwitchId``, ``ZoneId``, ``VpcId``,
  ``CidrBlock``, ``AvailableIpAddressCount``, ``Ipv6CidrBlock``
  (``vpc-20160428/alibabacloud_vpc20160428/models/_describe_vswitches_response_body.py``, commit 648ccf9a);
- ``DescribeSecurityGroups`` (ECS 2014-05-26): ``SecurityGroups.SecurityGroup[]`` with ``SecurityGroupId``,
  ``VpcId`` (``ecs-20140526/alibabacloud_ecs20140526/models/_describe_security_groups_response_body.py``,
  commit 4766f69e);
- ``DescribeVpcs`` (VPC 2016-04-28): ``Vpcs.Vpc[]`` with ``VpcId``, ``CidrBlock``,
  ``SecondaryCidrBlocks.SecondaryCidrBlock[]``
  (``vpc-20160428/alibabacloud_vpc20160428/models/_describe_vpcs_response_body.py``, commit 8441ccce).

A region-wide listing holds unrelated resources too; the address plan looks only at what the stack names.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hybrid_terway.core.address_plan import CloudFacts, SecurityGroupFact, VpcFact, VSwitchFact, service_ranges
from hybrid_terway.core.json_text import kind_of
from hybrid_terway.core.settings import Settings
from preview.safe_yaml import YamlInputError, load_documents, load_json
from preview.world.fake_cloud import derived
from preview.world.interconnect_snapshot import INTERCONNECT_ACTIONS

ACTIONS = ("DescribeVSwitches", "DescribeSecurityGroups", "DescribeVpcs")
OPTIONAL_ACTIONS = INTERCONNECT_ACTIONS
"""The interconnect's actions (``preview.world.interconnect_snapshot``), read when the stack has an interconnect
block."""


class CloudSnapshotError(Exception):
    """The cloud snapshot cannot be read or is not in the APIs' response shape (the preview exits 2)."""


def _list(body: Any, where: str, outer: str, inner: str) -> list[Mapping[str, Any]]:
    wrapper = body.get(outer) if isinstance(body, Mapping) else None
    items = wrapper.get(inner) if isinstance(wrapper, Mapping) else None
    if not isinstance(items, list):
        raise CloudSnapshotError(f"{where}: needs {outer}.{inner} as a list (the API's response body)")
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise CloudSnapshotError(f"{where}: {outer}.{inner}[{index}] is {kind_of(item)}, not a mapping")
    total = body.get("TotalCount")
    if isinstance(total, int) and not isinstance(total, bool) and total > len(items):
        raise CloudSnapshotError(
            f"{where}: lists {len(items)} of {total} (TotalCount): take every page "
            "(--PageNumber 2, 3, ... or the CLI's --pager), or narrow the listing with --VpcId"
        )
    return items


def _field(
    item: Mapping[str, Any], name: str, where: str, check: Callable[[Any], bool], what: str, required: bool = True
) -> Any:
    if name not in item or item[name] is None:
        if required:
            raise CloudSnapshotError(f"{where}: {name} is missing")
        return None
    value = item[name]
    if not check(value):
        raise CloudSnapshotError(f"{where}: {name} = {value!r}: must be {what}")
    return value


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_id(prefix: str) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and value.startswith(prefix) and len(value) > len(prefix)


def _is_cidr(version: int) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if value == "" and version == 6:
            return True
        try:
            return ipaddress.ip_network(value, strict=False).version == version
        except ValueError:
            return False

    return check


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_cloud_snapshot(document: Any, source: str) -> CloudFacts:
    """The facts in a cloud snapshot (already parsed), or CloudSnapshotError naming what is wrong."""
    if not isinstance(document, Mapping):
        raise CloudSnapshotError(f"{source}: must map API action names ({', '.join(ACTIONS)}) to their response bodies")
    unknown = sorted(str(k) for k in document if k not in ACTIONS and k not in OPTIONAL_ACTIONS)
    if unknown:
        raise CloudSnapshotError(
            f"{source}: {', '.join(unknown)}: not one of {', '.join(ACTIONS)}, or of the interconnect's "
            f"{', '.join(OPTIONAL_ACTIONS)}"
        )
    missing = [a for a in ACTIONS if a not in document]
    if missing:
        raise CloudSnapshotError(
            f"{source}: {', '.join(missing)} missing; the address plan needs all of {', '.join(ACTIONS)}"
        )

    vswitches = []
    for index, item in enumerate(
        _list(document["DescribeVSwitches"], f"{source}: DescribeVSwitches", "VSwitches", "VSwitch")
    ):
        where = f"{source}: DescribeVSwitches VSwitches.VSwitch[{index}]"
        vswitches.append(
            VSwitchFact(
                id=_field(item, "VSwitchId", where, _is_id("vsw-"), "a vSwitch id (vsw-...)"),
                zone_id=_field(item, "ZoneId", where, _is_str, "a zone id"),
                vpc_id=_field(item, "VpcId", where, _is_id("vpc-"), "a VPC id (vpc-...)"),
                cidr_block=_field(item, "CidrBlock", where, _is_cidr(4), "an IPv4 CIDR"),
                available_ips=_field(item, "AvailableIpAddressCount", where, _is_count, "a count (integer >= 0)"),
                ipv6_cidr_block=_field(item, "Ipv6CidrBlock", where, _is_cidr(6), "an IPv6 CIDR", False) or "",
            )
        )
    groups = []
    body = document["DescribeSecurityGroups"]
    for index, item in enumerate(_list(body, f"{source}: DescribeSecurityGroups", "SecurityGroups", "SecurityGroup")):
        where = f"{source}: DescribeSecurityGroups SecurityGroups.SecurityGroup[{index}]"
        groups.append(
            SecurityGroupFact(
                id=_field(item, "SecurityGroupId", where, _is_id("sg-"), "a security group id (sg-...)"),
                # A classic-network group has an empty VpcId.
                vpc_id=_field(item, "VpcId", where, _is_str, "a VPC id or empty", False) or "",
            )
        )
    vpcs = []
    for index, item in enumerate(_list(document["DescribeVpcs"], f"{source}: DescribeVpcs", "Vpcs", "Vpc")):
        where = f"{source}: DescribeVpcs Vpcs.Vpc[{index}]"
        secondary: Sequence[Any] = []
        blocks = item.get("SecondaryCidrBlocks")
        if blocks is not None:
            secondary = blocks.get("SecondaryCidrBlock") if isinstance(blocks, Mapping) else None  # type: ignore[assignment]
            if not isinstance(secondary, list) or not all(_is_cidr(4)(b) for b in secondary):
                raise CloudSnapshotError(
                    f"{where}: SecondaryCidrBlocks.SecondaryCidrBlock must be a list of IPv4 CIDRs"
                )
        vpcs.append(
            VpcFact(
                id=_field(item, "VpcId", where, _is_id("vpc-"), "a VPC id (vpc-...)"),
                cidr_blocks=(_field(item, "CidrBlock", where, _is_cidr(4), "an IPv4 CIDR"), *secondary),
            )
        )
    return CloudFacts(tuple(vswitches), tuple(groups), tuple(vpcs))


def load_cloud_snapshot(data: str | bytes, source: str) -> CloudFacts:
    """Read a cloud snapshot: JSON as JSON (the ``aliyun`` CLI's tab-indented output), anything else as YAML."""
    return parse_cloud_snapshot(load_cloud_document(data, source), source)


def load_cloud_document(data: str | bytes, source: str) -> Any:
    """A cloud snapshot's document, parsed but not yet checked."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    try:
        if text.lstrip()[:1] in ("{", "["):
            document = load_json(data, source)
        else:
            documents = load_documents(data, source)
            if len(documents) != 1:
                raise CloudSnapshotError(f"{source}: must be one YAML document (or JSON), not {len(documents)}")
            document = documents[0]
    except YamlInputError as exc:
        raise CloudSnapshotError(str(exc)) from None
    return document


# --- representative facts -------------------------------------------------------------------------

# Private ranges a representative VPC may take (RFC 1918), first free one wins.
_VPC_CANDIDATES = ("192.168.0.0/16", "172.16.0.0/12", "10.0.0.0/8", "10.128.0.0/16", "172.31.0.0/16")
_RESERVED_PER_VSWITCH = 4  # Alibaba Cloud keeps the first and the last three addresses of each vSwitch CIDR


def representative_network(settings: Settings) -> CloudFacts:
    """Facts consistent with the stack: each pod vSwitch exists in its zone, all in one VPC whose CIDR overlaps
    neither the service range nor the on-prem pod CIDRs, each with a /24's free addresses."""
    terway = settings.terway
    if terway is None:
        return CloudFacts()
    taken = [*service_ranges(terway.service_cidr), *(ipaddress.ip_network(c) for c in settings.on_prem_pod_cidrs)]
    vpc_cidr = next(
        (
            ipaddress.IPv4Network(c)
            for c in _VPC_CANDIDATES
            if not any(t.version == 4 and t.overlaps(ipaddress.IPv4Network(c)) for t in taken)
        ),
        ipaddress.IPv4Network("100.64.0.0/10"),
    )
    vpc_id = "vpc-" + derived(settings.cluster_id + "vpc", 21, "abcdefghijklmnopqrstuvwxyz0123456789")
    subnets = vpc_cidr.subnets(new_prefix=24)
    vswitches = []
    listed = [(zone, vsw) for zone, ids in sorted(terway.pod_vswitches.items()) for vsw in ids]
    for index, (zone, vsw) in enumerate(listed):
        cidr = next(subnets)
        vswitches.append(
            VSwitchFact(
                id=vsw,
                zone_id=zone,
                vpc_id=vpc_id,
                cidr_block=str(cidr),
                available_ips=cidr.num_addresses - _RESERVED_PER_VSWITCH,
                ipv6_cidr_block=f"2408:4005:3a0:{index:x}00::/64" if terway.ip_stack == "dual" else "",
            )
        )
    groups = tuple(SecurityGroupFact(sg, vpc_id) for sg in terway.security_group_ids)
    return CloudFacts(tuple(vswitches), groups, (VpcFact(vpc_id, (str(vpc_cidr),)),))
