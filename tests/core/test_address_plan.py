"""The address-plan checks as pure functions over plain data (no Pulumi, no preview)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hybrid_terway.core import constants
from hybrid_terway.core.address_plan import (
    CloudFacts,
    ClusterFacts,
    NetworkPlanError,
    NodeAddress,
    SecurityGroupFact,
    SourcedCidr,
    VpcFact,
    VSwitchFact,
    kubernetes_service_ips,
    plan_addresses,
    service_ranges,
)
from hybrid_terway.core.settings import SettingsError, TerwaySettings, parse_settings

VPC, OTHER = "vpc-bp1dev", "vpc-bp1other"
H, I = "cn-hangzhou-h", "cn-hangzhou-i"  # noqa: E741
SG = "sg-bp1d5f7h9j1k3m5n7p9r"


def terway(**overrides: Any) -> TerwaySettings:
    values: dict[str, Any] = {
        "podVswitches": {H: ["vsw-bp1aaaaaaaaa"], I: ["vsw-bp1bbbbbbbbb", "vsw-bp1ccccccccc"]},
        "serviceCidr": "172.21.0.0/20",
        "securityGroupIds": [SG],
    }
    values.update(overrides)
    return TerwaySettings.model_validate(values)


def cloud(*changes: tuple[str, dict[str, Any]], groups: tuple[SecurityGroupFact, ...] | None = None) -> CloudFacts:
    switches = {
        "vsw-bp1aaaaaaaaa": VSwitchFact("vsw-bp1aaaaaaaaa", H, VPC, "192.168.20.0/24", 240),
        "vsw-bp1bbbbbbbbb": VSwitchFact("vsw-bp1bbbbbbbbb", I, VPC, "192.168.21.0/24", 200),
        "vsw-bp1ccccccccc": VSwitchFact("vsw-bp1ccccccccc", I, VPC, "192.168.22.0/24", 252),
        "vsw-bp1unrelated": VSwitchFact("vsw-bp1unrelated", "cn-hangzhou-j", OTHER, "172.21.0.0/24", 9),
    }
    for vsw, fields in changes:
        switches[vsw] = VSwitchFact(**{**switches[vsw].__dict__, **fields})
    return CloudFacts(
        tuple(v for v in switches.values() if v.id),
        groups if groups is not None else (SecurityGroupFact(SG, VPC), SecurityGroupFact("sg-bp1other00", OTHER)),
        (VpcFact(VPC, ("192.168.0.0/16",)), VpcFact(OTHER, ("172.16.0.0/12",))),
    )


def cluster(**overrides: Any) -> ClusterFacts:
    values: dict[str, Any] = {
        "kubernetes_service_ips": ("172.21.0.1",),
        "on_prem_pod_cidrs": (SourcedCidr("10.244.0.0/16", "Calico IPPool default-ipv4-ippool"),),
        "on_prem_node_addresses": (NodeAddress("dc1-node1", "10.10.1.11"),),
        "cloud_nodes_per_zone": {H: 1, I: 1},
    }
    values.update(overrides)
    return ClusterFacts(**values)


def test_a_consistent_plan_passes_and_ignores_unrelated_resources() -> None:
    plan = plan_addresses(terway(), cloud(), cluster())
    assert plan.errors == [] and plan.warnings == []
    assert [(z.zone, z.free_ips, z.needed_ips) for z in plan.zones] == [(H, 240, 6), (I, 452, 6)]
    assert [v.id for v in plan.vpcs] == [VPC], "the other team's VPC overlaps the service range and is not ours"
    assert all(c.ok for c in plan.checks)


def test_missing_vswitch_and_security_group_are_named() -> None:
    facts = cloud(groups=())
    facts = CloudFacts(tuple(v for v in facts.vswitches if v.id != "vsw-bp1ccccccccc"), (), facts.vpcs)
    errors = plan_addresses(terway(), facts, cluster()).errors
    assert f"hybrid-terway:terway.podVswitches.{I}: vSwitch vsw-bp1ccccccccc does not exist" in errors[0]
    assert f"hybrid-terway:terway.securityGroupIds[0]: security group {SG} does not exist" in errors[1]


def test_vswitch_in_another_zone() -> None:
    errors = plan_addresses(terway(), cloud(("vsw-bp1ccccccccc", {"zone_id": H})), cluster()).errors
    assert errors == [
        f"hybrid-terway:terway.podVswitches.{I}: vSwitch vsw-bp1ccccccccc (192.168.22.0/24) is in zone {H}, not {I}: "
        f"an ENI must be in its instance's zone, so pods on cloud nodes in {I} would stay in ContainerCreating"
    ]


def test_more_than_one_vpc_names_every_member() -> None:
    facts = cloud(("vsw-bp1ccccccccc", {"vpc_id": OTHER, "cidr_block": "172.20.0.0/24"}))
    errors = plan_addresses(terway(), facts, cluster()).errors
    assert errors[0] == (
        "hybrid-terway:terway: pod vSwitches and security groups must all be in one VPC; found "
        f"{VPC}: vsw-bp1aaaaaaaaa (192.168.20.0/24), vsw-bp1bbbbbbbbb (192.168.21.0/24), {SG}; "
        f"{OTHER}: vsw-bp1ccccccccc (172.20.0.0/24)"
    )
    # Both VPCs are now the stack's, so the other one's range is checked too.
    assert errors[1:] == [
        f"hybrid-terway:terway.serviceCidr = '172.21.0.0/20' overlaps VPC {OTHER} CIDR block 172.16.0.0/12"
    ]


def test_cluster_ip_outside_service_cidr() -> None:
    errors = plan_addresses(terway(), cloud(), cluster(kubernetes_service_ips=("10.96.0.1",))).errors
    assert len(errors) == 1
    assert errors[0].startswith(
        "hybrid-terway:terway.serviceCidr = '172.21.0.0/20': the cluster's Service default/kubernetes has ClusterIP "
        "10.96.0.1, outside it"
    )


def test_service_cidr_overlaps() -> None:
    facts = CloudFacts(cloud().vswitches, cloud().security_groups, (VpcFact(VPC, ("192.168.0.0/16", "172.21.8.0/21")),))
    facts = CloudFacts(
        tuple(
            VSwitchFact(**{**v.__dict__, "cidr_block": "172.21.8.0/24"}) if v.id == "vsw-bp1aaaaaaaaa" else v
            for v in facts.vswitches
        ),
        facts.security_groups,
        facts.vpcs,
    )
    pods = (SourcedCidr("172.21.4.0/22", "hybrid-terway:onPremPodCidrs[0]"),)
    nodes = (NodeAddress("dc1-node1", "172.21.3.4"),)
    errors = plan_addresses(terway(), facts, cluster(on_prem_pod_cidrs=pods, on_prem_node_addresses=nodes)).errors
    key = "hybrid-terway:terway.serviceCidr = '172.21.0.0/20'"
    assert errors == [
        f"{key} overlaps VPC {VPC} CIDR block 172.21.8.0/21",
        f"{key} overlaps pod vSwitch vsw-bp1aaaaaaaaa (172.21.8.0/24) in {H}",
        f"{key} overlaps on-prem pod CIDR 172.21.4.0/22 (hybrid-terway:onPremPodCidrs[0])",
        f"{key} contains on-prem node dc1-node1's address 172.21.3.4",
    ]


def test_pod_vswitch_overlaps_on_prem_pods_and_nodes() -> None:
    pods = (SourcedCidr("192.168.20.0/22", "Calico IPPool dc-pool"),)
    nodes = (NodeAddress("dc1-node9", "192.168.21.5"),)
    errors = plan_addresses(terway(), cloud(), cluster(on_prem_pod_cidrs=pods, on_prem_node_addresses=nodes)).errors
    zone = "hybrid-terway:terway.podVswitches"
    assert errors == [
        f"{zone}.{H}: pod vSwitch vsw-bp1aaaaaaaaa (192.168.20.0/24) overlaps on-prem pod CIDR 192.168.20.0/22 "
        "(Calico IPPool dc-pool)",
        f"{zone}.{I}: pod vSwitch vsw-bp1bbbbbbbbb (192.168.21.0/24) overlaps on-prem pod CIDR 192.168.20.0/22 "
        "(Calico IPPool dc-pool)",
        f"{zone}.{I}: pod vSwitch vsw-bp1ccccccccc (192.168.22.0/24) overlaps on-prem pod CIDR 192.168.20.0/22 "
        "(Calico IPPool dc-pool)",
        f"{zone}.{I}: pod vSwitch vsw-bp1bbbbbbbbb (192.168.21.0/24) contains on-prem node dc1-node9's address "
        "192.168.21.5",
    ]


def test_capacity_warnings_per_zone() -> None:
    low = cloud(
        ("vsw-bp1aaaaaaaaa", {"available_ips": 5}),
        ("vsw-bp1bbbbbbbbb", {"available_ips": 10}),
        ("vsw-bp1ccccccccc", {"available_ips": 11}),
    )
    plan = plan_addresses(terway(), low, cluster(cloud_nodes_per_zone={H: 1}))
    assert plan.errors == []
    assert [(z.zone, z.free_ips, z.cloud_nodes, z.needed_ips) for z in plan.zones] == [(H, 5, 1, 6), (I, 21, 0, 32)]
    assert "zone cn-hangzhou-h has 5 free IPs" in plan.warnings[0]
    assert "its 1 cloud node could take 6 (maxPoolSize 5 idle IPs each, plus one)" in plan.warnings[0]
    assert "zone cn-hangzhou-i has 21 free IPs" in plan.warnings[1]
    assert f"the minimum for a zone without cloud nodes yet is {constants.MIN_FREE_IPS_PER_ZONE}" in plan.warnings[1]
    enough = plan_addresses(terway(maxPoolSize=4), low, cluster(cloud_nodes_per_zone={H: 1, I: 4}))
    assert enough.warnings == [], "1 node x (4 + 1) = 5 <= 5; 4 x 5 = 20 <= 21"


def test_dual_stack_service_cidr_is_read_as_terway_reads_it() -> None:
    assert [str(n) for n in service_ranges("172.21.0.0/20,fd00:172:21::/112")] == ["172.21.0.0/20", "fd00:172:21::/112"]
    dual = TerwaySettings.model_construct(**{**terway().__dict__, "service_cidr": "172.21.0.0/20,fd00:172:21::/112"})
    facts = cloud(("vsw-bp1aaaaaaaaa", {"ipv6_cidr_block": "fd00:172:21::/120"}))
    plan = plan_addresses(dual, facts, cluster(kubernetes_service_ips=("172.21.0.1", "fd00:172:21::1")))
    assert plan.service_ranges == ["172.21.0.0/20", "fd00:172:21::/112"]
    assert plan.errors == [
        "hybrid-terway:terway.serviceCidr = '172.21.0.0/20,fd00:172:21::/112' overlaps pod vSwitch vsw-bp1aaaaaaaaa "
        f"(fd00:172:21::/120) in {H}"
    ]
    outside = plan_addresses(dual, cloud(), cluster(kubernetes_service_ips=("172.21.0.1", "fd00:99::1")))
    assert len(outside.errors) == 1 and "ClusterIP fd00:99::1, outside it" in outside.errors[0]


def test_unknown_facts_are_reported_as_not_checked() -> None:
    plan = plan_addresses(terway(), cloud(), ClusterFacts())
    verdicts = {c.name: c.ok for c in plan.checks}
    assert verdicts["kubernetes Service ClusterIP inside serviceCidr"] is None
    assert verdicts["serviceCidr vs on-prem pod CIDRs"] is None
    assert verdicts["serviceCidr vs VPC CIDR blocks"] is True


def test_kubeadm_service_subnet_mismatch_is_a_warning() -> None:
    plan = plan_addresses(terway(), cloud(), cluster(kubeadm_service_subnet="10.96.0.0/12"))
    assert plan.errors == []
    assert "kubeadm-config ClusterConfiguration networking.serviceSubnet is '10.96.0.0/12'" in plan.warnings[0]


def test_error_message_lists_every_problem() -> None:
    message = str(NetworkPlanError(["a", "b"]))
    assert message == "the network plan does not fit the cloud and the cluster (2 problem(s)):\n  - a\n  - b"


def test_kubernetes_service_ips_from_the_object() -> None:
    service = {"spec": {"clusterIP": "172.21.0.1", "clusterIPs": ["172.21.0.1", "fd00::1"]}}
    assert kubernetes_service_ips(service) == ("172.21.0.1", "fd00::1")
    assert kubernetes_service_ips({"spec": {"clusterIP": "10.96.0.1"}}) == ("10.96.0.1",)
    assert kubernetes_service_ips(None) is None


def test_on_prem_pod_cidrs_setting() -> None:
    base = {"scenario": "bgp", "clusterId": "c" + "0" * 32, "terway": json.dumps(terway().model_dump(by_alias=True))}
    settings = parse_settings({**base, "onPremPodCidrs": '["10.244.0.0/16", "fd00:10:244::/56"]'})
    assert settings.on_prem_pod_cidrs == ("10.244.0.0/16", "fd00:10:244::/56")
    with pytest.raises(SettingsError) as info:
        parse_settings({**base, "onPremPodCidrs": '["10.244.0.1/16"]'})
    assert info.value.problems[0].startswith(
        "hybrid-terway:onPremPodCidrs[0] = '10.244.0.1/16': must be an IPv4 or IPv6"
    )
    with pytest.raises(SettingsError, match="onPremPodCidrs: must not be set for scenario 'overlay'"):
        parse_settings({"scenario": "overlay", "clusterId": base["clusterId"], "onPremPodCidrs": '["10.244.0.0/16"]'})
