"""The interconnect's policies, for the resources of any stack: Terway's security groups never opened to the whole
internet, and no on-prem pod route through an ECS instance.

Terway's security groups govern the ENIs of every cloud pod: an ingress rule accepting ``0.0.0.0/0`` (or ``::/0``)
in one of them exposes every pod (mandatory). A route to an on-prem pod CIDR whose next hop is an ECS instance
sends cloud pods' traffic through that instance, not the data centre link (advisory: a deliberate gateway exists,
but the interconnect's route check refuses it). Token and input names: pulumi_alicloud 4.0.0
``ecs/security_group_rule.py`` (``securityGroupId``, ``type``, ``policy`` default ``accept``, ``cidrIp``,
``ipv6CidrIp``) and ``vpc/route_entry.py`` (``destinationCidrblock``, ``nexthopType``, ``nexthopId``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

from hybrid_terway.core import constants, gojson

from .config import ON_PREM_ROUTES_NOT_VIA_INSTANCE, TERWAY_GROUPS_NOT_OPEN, GuardSettings
from .resources import Report, ResourceView, is_eni_config, kube_object, mapping, read_field, text
from .wiring import on_resource, on_stack, schema

SECURITY_GROUP_RULE: Final = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
ROUTE_ENTRY: Final = "alicloud:vpc/routeEntry:RouteEntry"

WORLD: Final = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


def _network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        return None


def eni_conf_groups(resources: Sequence[ResourceView]) -> set[str]:
    """The security groups the stack's eni-config (ConfigMap or patch) gives Terway."""
    groups: set[str] = set()
    for resource in resources:
        obj = kube_object(resource)
        if obj is None or not is_eni_config(obj):
            continue
        data = mapping(resource.props.get("data")) or {}
        raw = data.get(constants.ENI_CONF_KEY)
        try:  # read as Go's decoder reads it, without recursion (a hostile eni_conf may nest deeply)
            conf = gojson.loads(raw) if isinstance(raw, str) else None
        except (ValueError, gojson.NestingError):
            continue
        if isinstance(conf, dict):
            if isinstance(conf.get("security_group"), str) and conf["security_group"]:
                groups.add(conf["security_group"])
            groups |= {g for g in conf.get("security_groups") or [] if isinstance(g, str)}
    return groups


def terway_groups_not_open(resources: Sequence[ResourceView], settings: GuardSettings, report: Report) -> None:
    groups = set(settings.terway_security_group_ids) | eni_conf_groups(resources)
    for resource in resources:
        if resource.type != SECURITY_GROUP_RULE:
            continue
        props = resource.props
        group = text(read_field(props, "securityGroupId"))
        if group not in groups or text(read_field(props, "type")) != "ingress":
            continue
        if (text(read_field(props, "policy")) or "accept") != "accept":
            continue
        for key in ("cidrIp", "ipv6CidrIp"):
            source = _network(read_field(props, key)) if read_field(props, key) else None
            if source is not None and source in WORLD:
                report(
                    f"security group rule {resource.name} accepts ingress from {source} into {group}, one of "
                    "Terway's security groups: every cloud pod's ENI would accept the internet; accept the on-prem "
                    "pod and node CIDRs instead (hybrid-terway:interconnect.securityGroupIngress)",
                    resource.urn,
                )


def on_prem_routes_not_via_instance(resource: ResourceView, settings: GuardSettings, report: Report) -> None:
    cidrs = settings.on_prem_pod_cidrs
    if resource.type != ROUTE_ENTRY or text(read_field(resource.props, "nexthopType")) != "Instance":
        return
    destination = _network(read_field(resource.props, "destinationCidrblock"))
    if destination is None:
        return
    for cidr in cidrs:
        on_prem = _network(cidr)
        if on_prem is not None and on_prem.version == destination.version and on_prem.overlaps(destination):  # type: ignore[arg-type]
            report(
                f"route {resource.name} sends {destination} (on-prem pod CIDR {on_prem}) to ECS instance "
                f"{text(read_field(resource.props, 'nexthopId'))}, not toward the data centre: route it to the VBR's "
                "router interface, a transit router attachment, CEN or an Express Connect Router",
                resource.urn,
            )
            return


POLICIES: list[Policy] = [
    StackValidationPolicy(
        name=TERWAY_GROUPS_NOT_OPEN,
        description="No ingress rule of Terway's security groups may accept 0.0.0.0/0 or ::/0: those groups "
        "govern every cloud pod's ENI.",
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=schema(TERWAY_GROUPS_NOT_OPEN),
        validate=on_stack(TERWAY_GROUPS_NOT_OPEN, terway_groups_not_open),
    ),
    ResourceValidationPolicy(
        name=ON_PREM_ROUTES_NOT_VIA_INSTANCE,
        description="A VPC route to an on-prem pod CIDR should lead to the data centre, not to an ECS instance.",
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=schema(ON_PREM_ROUTES_NOT_VIA_INSTANCE),
        validate=on_resource(ON_PREM_ROUTES_NOT_VIA_INSTANCE, on_prem_routes_not_via_instance),
    ),
]
