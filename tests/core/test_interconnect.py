"""The interconnect's checks as pure functions, the settings block, and the program's checks through invokes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hybrid_terway.core.address_plan import NetworkPlanError
from hybrid_terway.core.interconnect import (
    CalicoPool,
    InterconnectCloudFacts,
    InterconnectClusterFacts,
    InterconnectPlan,
    NextHop,
    OnPremCidr,
    PodVSwitch,
    RouteEntryFact,
    RouteTableFact,
    SecurityRuleFact,
    blocks_per_node,
    managed_marker,
    plan_interconnect,
)
from hybrid_terway.core.settings import InterconnectSettings, SettingsError, parse_settings
from preview.engine.program import World, run_program
from preview.run import settings_of
from preview.world.cloud_snapshot import load_cloud_document, parse_cloud_snapshot
from preview.world.fake_cloud import FakeAlibabaCloud
from preview.world.fake_cluster import FakeCluster
from preview.world.interconnect_snapshot import calico_pools, operator_pools, parse_interconnect_snapshot
from tests.conftest import DATA, stack_config

VBR = "vbr-bp1dc1primary0a1b2c3"
RI = "ri-bp1dc1vbr0a1b2c3d4e5"
TABLE = "vtb-bp1route0000000000"
VPC = "vpc-bp1hybriddev0a1b2c3d4"
SG = "sg-bp1d5f7h9j1k3m5n7p9r"
CLUSTER_ID = "c8f1a2b3c4d5e6f708192a3b4c5d6e7f8"
POD_VSWITCH = PodVSwitch("vsw-bp1m7k2x9q4w6e8r0t2y4", "cn-hangzhou-h", VPC, "192.168.20.0/24")
TO_VBR = NextHop("RouterInterface", RI, VBR)


def settings(**modes: Any) -> InterconnectSettings:
    return InterconnectSettings.model_validate({"via": "vbr", "vbrIds": [VBR], **modes})


def cluster(pod: str = "10.244.0.0/16", nodes: tuple[str, ...] = ("10.10.0.0/22",)) -> InterconnectClusterFacts:
    return InterconnectClusterFacts(
        (OnPremCidr(pod, "test"),), tuple(OnPremCidr(n, "test nodes") for n in nodes), pools=None
    )


def cloud(routes: tuple[RouteEntryFact, ...] = (), rules: tuple[SecurityRuleFact, ...] = ()) -> InterconnectCloudFacts:
    return InterconnectCloudFacts(
        source="test",
        route_tables=(RouteTableFact(TABLE, VPC, "System"),),
        route_entries=routes,
        security_rules=rules,
    )


def route(cidr: str, *hops: NextHop, description: str = "") -> RouteEntryFact:
    return RouteEntryFact(TABLE, cidr, hops, description)


def rule(
    source: str, policy: str = "Accept", priority: int = 1, protocol: str = "ALL", ports: str = "-1/-1"
) -> SecurityRuleFact:
    return SecurityRuleFact(SG, "ingress", policy, priority, protocol, ports, source)


def plan(
    ic: InterconnectSettings, facts: InterconnectCloudFacts, on_prem: InterconnectClusterFacts | None = None
) -> InterconnectPlan:
    return plan_interconnect(ic, CLUSTER_ID, [POD_VSWITCH], [SG], facts, on_prem or cluster())


# --- routes ---------------------------------------------------------------------------------------


def test_a_covering_route_to_the_vbr_is_enough() -> None:
    result = plan(settings(), cloud((route("10.0.0.0/8", TO_VBR),)))
    assert not [e for e in result.errors if ".routes" in e]


def test_a_more_specific_route_elsewhere_takes_part_of_the_cidr_back() -> None:
    routes = (route("10.0.0.0/8", TO_VBR), route("10.244.3.0/24", NextHop("Instance", "i-bp1gw")))
    errors = [e for e in plan(settings(), cloud(routes)).errors if ".routes" in e]
    assert len(errors) == 1 and "the more specific route 10.244.3.0/24 via Instance i-bp1gw" in errors[0]


def test_every_next_hop_of_an_ecmp_route_must_lead_on_prem() -> None:
    routes = (route("10.244.0.0/16", TO_VBR, NextHop("NetworkInterface", "eni-bp1x")),)
    errors = [e for e in plan(settings(), cloud(routes)).errors if ".routes" in e]
    assert errors and "NetworkInterface eni-bp1x (an ENI)" in errors[0]


@pytest.mark.parametrize("hop_type", ["Attachment", "CenBasic", "Ecr"])
def test_transit_router_cen_and_ecr_next_hops_lead_on_prem(hop_type: str) -> None:
    result = plan(settings(), cloud((route("10.244.0.0/16", NextHop(hop_type, "x-1")),)))
    assert not [e for e in result.errors if ".routes" in e]


def test_a_router_interface_to_another_vbr_does_not_count() -> None:
    other = NextHop("RouterInterface", "ri-other", "vbr-bp1someoneelse0a1b2")
    errors = plan(settings(), cloud((route("10.244.0.0/16", other),))).errors
    assert any("does not lead to the data centre" in e for e in errors)


def test_manage_adds_the_missing_route_toward_the_vbrs_router_interface() -> None:
    facts = cloud((route("10.10.0.0/22", TO_VBR), route("0.0.0.0/0", NextHop("NatGateway", "ngw-1"))))
    result = plan(settings(routes="manage"), facts)
    assert not [e for e in result.errors if ".routes" in e]
    assert [(m.route_table_id, m.cidr, m.router_interface_id, m.exists) for m in result.managed_routes] == [
        (TABLE, "10.244.0.0/16", RI, False)
    ]


def test_manage_keeps_its_own_route_and_adds_none_beside_another_equal_one() -> None:
    mine = route("10.244.0.0/16", TO_VBR, description=managed_marker(CLUSTER_ID))
    assert [m.exists for m in plan(settings(routes="manage"), cloud((mine,))).managed_routes] == [True]
    theirs = route("10.244.0.0/16", TO_VBR, description="added by hand")
    assert plan(settings(routes="manage"), cloud((theirs,))).managed_routes == []


def test_manage_without_a_router_interface_to_the_vbr_is_an_error() -> None:
    errors = plan(settings(routes="manage"), cloud(())).errors
    assert any("no router interface of the VPC leads to vbr-bp1dc1primary0a1b2c3" in e for e in errors)


# --- security groups ------------------------------------------------------------------------------


def test_a_drop_rule_of_equal_priority_wins() -> None:
    rules = (rule("10.0.0.0/8", priority=5), rule("10.10.0.0/22"), rule("10.244.0.0/16", "Drop", 5, "TCP", "1/65535"))
    errors = [
        e for e in plan(settings(), cloud((route("10.244.0.0/16", TO_VBR),), rules)).errors if "securityGroup" in e
    ]
    assert len(errors) == 1
    assert (
        "is overridden by the Drop rule from 10.244.0.0/16 (TCP 1/65535, priority 5; at equal priority Drop wins)"
        in (errors[0])
    )


def test_a_drop_rule_of_lower_priority_does_not_matter() -> None:
    rules = (rule("10.0.0.0/8", priority=1), rule("10.244.0.0/16", "Drop", 50))
    result = plan(settings(), cloud((route("10.244.0.0/16", TO_VBR),), rules))
    assert not [e for e in result.errors if "securityGroup" in e]


def test_manage_adds_a_rule_per_uncovered_cidr() -> None:
    result = plan(
        settings(securityGroupIngress="manage"), cloud((route("10.244.0.0/16", TO_VBR),), (rule("10.10.0.0/22"),))
    )
    assert [(m.group_id, m.cidr, m.exists) for m in result.managed_rules] == [(SG, "10.244.0.0/16", False)]


# --- sessions, limit, NAT -------------------------------------------------------------------------


def test_blocks_per_node_follow_the_block_size() -> None:
    assert blocks_per_node(26) == 2  # 64 addresses, up to 110 pods
    assert blocks_per_node(24) == 1
    assert blocks_per_node(28) == 7
    assert blocks_per_node(122, version=6) == 2


def test_without_pools_the_nat_check_is_not_done_and_manage_adds_the_pools() -> None:
    checked = plan(settings(), cloud((route("10.244.0.0/16", TO_VBR),)))
    assert [c.ok for c in checked.checks if c.name.startswith("NAT")] == [None]
    managed = plan(settings(noNatPools="manage"), cloud((route("10.244.0.0/16", TO_VBR),)))
    assert [(p.name, p.cidr) for p in managed.managed_pools] == [
        ("hybrid-terway-no-nat-192-168-20-0-24", "192.168.20.0/24")
    ]


def pools_cluster(*pools: CalicoPool) -> InterconnectClusterFacts:
    return InterconnectClusterFacts(cluster().on_prem_pod_cidrs, cluster().on_prem_node_cidrs, pools=pools)


NATTING = CalicoPool("default-ipv4-ippool", "10.244.0.0/16", False, True, 26)


def test_a_disabled_pool_exempts_from_nat_unless_it_is_only_for_load_balancers() -> None:
    # felix/dataplane/linux/masq_mgr.go: a LoadBalancer-only pool is left out of network-ip-pools.
    exempt = CalicoPool("vpc-pods", "192.168.0.0/16", True, False, 26)
    lb_only = CalicoPool("vpc-lb", "192.168.0.0/16", True, False, 26, ("LoadBalancer",))
    ok = plan(settings(), cloud((route("10.244.0.0/16", TO_VBR),)), pools_cluster(NATTING, exempt))
    assert [c.ok for c in ok.checks if c.name.startswith("NAT")] == [True]
    assert not ok.warnings
    nat = plan(settings(), cloud((route("10.244.0.0/16", TO_VBR),)), pools_cluster(NATTING, lb_only))
    assert [c.ok for c in nat.checks if c.name.startswith("NAT")] == [False]
    assert nat.warnings == [
        "hybrid-terway:interconnect.noNatPools: Calico IPPool(s) default-ipv4-ippool have natOutgoing: true and no "
        "disabled IPPool covers pod vSwitch CIDR(s) 192.168.20.0/24: on-prem pods reach cloud pods from their "
        "node's address, so NetworkPolicy by source and the cloud pods' logs see nodes, not pods (noNatPools: manage "
        "adds the disabled pools); vpc-lb cover(s) them but allowedUses is only LoadBalancer, and Felix masquerades "
        "toward such a pool"
    ]
    both = CalicoPool("vpc-both", "192.168.0.0/16", True, False, 26, ("Workload", "LoadBalancer"))
    mixed = plan(settings(), cloud((route("10.244.0.0/16", TO_VBR),)), pools_cluster(NATTING, both))
    assert [c.ok for c in mixed.checks if c.name.startswith("NAT")] == [True]


def test_a_pool_without_nat_outgoing_nats_nothing() -> None:
    quiet = CalicoPool("default-ipv4-ippool", "10.244.0.0/16", False, False, 26)
    checked = plan(settings(), cloud((route("10.244.0.0/16", TO_VBR),)), pools_cluster(quiet))
    assert [(c.ok, c.detail) for c in checked.checks if c.name.startswith("NAT")] == [
        (True, "no Calico IPPool has natOutgoing: true")
    ]


# --- settings -------------------------------------------------------------------------------------

BLOCK = json.dumps({"via": "vbr", "vbrIds": [VBR], "onPremNodeCidrs": ["10.10.0.0/22"]})


def raw(**values: str) -> dict[str, str]:
    base = {
        "scenario": "bgp",
        "clusterId": CLUSTER_ID,
        "terway": json.dumps(
            {
                "podVswitches": {"cn-hangzhou-h": [POD_VSWITCH.id]},
                "serviceCidr": "172.21.0.0/20",
                "securityGroupIds": [SG],
            }
        ),
        "onPremPodCidrs": json.dumps(["10.244.0.0/16"]),
        "interconnect": BLOCK,
    }
    return {k: v for k, v in {**base, **values}.items() if v != ""}


def problems(**values: str) -> list[str]:
    with pytest.raises(SettingsError) as info:
        parse_settings(raw(**values))
    return info.value.problems


def test_the_block_is_read() -> None:
    ic = parse_settings(raw()).interconnect
    assert (
        ic is not None and ic.vbr_ids == [VBR] and ic.routes == "check" and ic.on_prem_node_cidrs == ("10.10.0.0/22",)
    )


def test_the_block_is_refused_outside_bgp() -> None:
    found = problems(scenario="host")
    assert any(p.startswith("hybrid-terway:interconnect: must not be set for scenario 'host'") for p in found)


def test_via_vbr_needs_vbr_ids_and_cen_takes_no_manage_of_routes() -> None:
    assert problems(interconnect=json.dumps({"via": "vbr"})) == [
        "hybrid-terway:interconnect.vbrIds: is required with via 'vbr': the VBRs that connect the VPC to the data "
        "centre"
    ]
    found = problems(interconnect=json.dumps({"via": "cen", "routes": "manage"}))
    assert found and found[0].startswith("hybrid-terway:interconnect.routes: = 'manage' needs via 'vbr'")


def test_the_block_needs_on_prem_pod_cidrs() -> None:
    assert problems(onPremPodCidrs="") == [
        "hybrid-terway:onPremPodCidrs: is required with interconnect: the on-prem pod CIDRs the VPC must route to and "
        "the security groups must admit"
    ]


def test_a_typo_in_the_block_names_the_key() -> None:
    found = problems(interconnect=json.dumps({"via": "vbr", "vbrIds": [VBR], "route": "check"}))
    assert found and found[0].startswith("hybrid-terway:interconnect.route: is not a known key")


# --- the program, through invokes -----------------------------------------------------------------


def program_world(cloud_file: str) -> World:
    config = stack_config("example-interconnect")
    settings = settings_of(config)
    document = load_cloud_document((DATA / "cloud" / cloud_file).read_bytes(), cloud_file)
    network = parse_cloud_snapshot(document, cloud_file)
    assert settings.interconnect is not None
    facts = parse_interconnect_snapshot(document, cloud_file, settings.interconnect)
    return World(
        FakeAlibabaCloud(settings.cluster_id, network=network, interconnect=facts), FakeCluster.representative(settings)
    )


def test_the_program_stops_on_a_missing_route_through_invokes_with_nothing_applied() -> None:
    config = stack_config("example-interconnect")
    world = program_world("interconnect-missing-route.json")
    with pytest.raises(NetworkPlanError) as info:
        run_program(config.values, config.secret_keys, config.stack, world)
    assert "hybrid-terway:interconnect.routes: route table vtb-bp1route0000000000" in str(info.value)
    assert not world.cloud.of_type("alicloud:cs/kubernetesAddon:KubernetesAddon")


def test_the_program_passes_the_all_right_cloud_and_logs_each_check() -> None:
    config = stack_config("example-interconnect")
    run = run_program(config.values, config.secret_keys, config.stack, program_world("interconnect-ok.json"))
    infos = [m for level, m in run.logs if level == "info" and m.startswith("interconnect: ")]
    assert any(
        m.startswith("interconnect: routes: pod vSwitch route tables reach each on-prem pod CIDR: ok") for m in infos
    )
    assert any("NAT: a disabled Calico IPPool over each pod vSwitch CIDR: not done" in m for m in infos)


def test_a_snapshot_pool_without_block_size_or_with_0_takes_calicos_default() -> None:
    # libcalico-go/lib/clientv3/ippool.go: BlockSize 0 is written as 26 (IPv4) or 122 (IPv6).
    def pool(name: str, cidr: str, **spec: Any) -> tuple[tuple[str, str, str], dict[str, Any]]:
        body = {"apiVersion": "crd.projectcalico.org/v1", "kind": "IPPool", "spec": {"cidr": cidr, **spec}}
        return ("IPPool", "", name), body

    found = calico_pools(
        dict(
            [
                pool("a", "10.244.0.0/16"),
                pool("b", "10.245.0.0/16", blockSize=0, natOutgoing=True),
                pool("c", "fd00:10:244::/56", blockSize=120, allowedUses=["LoadBalancer"], disabled=True),
            ]
        )
    )
    assert found == (
        CalicoPool("a", "10.244.0.0/16", False, False, 26),
        CalicoPool("b", "10.245.0.0/16", False, True, 26),
        CalicoPool("c", "fd00:10:244::/56", True, False, 120, ("LoadBalancer",)),
    )


def test_a_pool_the_tigera_operator_lists_is_not_added_beside_it() -> None:
    # tigera/operator pkg/controller/ippool/pool_controller.go: an Installation entry whose CIDR a pool without the
    # operator's label holds is refused ("Cannot update an IP pool not owned by the operator").
    facts = InterconnectClusterFacts(
        cluster().on_prem_pod_cidrs,
        cluster().on_prem_node_cidrs,
        pools=(NATTING,),
        operator_pools=(("default", 0, "10.244.0.0/16"), ("default", 1, "192.168.20.0/24")),
    )
    managed = plan(settings(noNatPools="manage"), cloud((route("10.244.0.0/16", TO_VBR),)), facts)
    assert [e for e in managed.errors if ".noNatPools" in e] == [
        "hybrid-terway:interconnect.noNatPools: Installation default lists spec.calicoNetwork.ipPools[1] "
        "192.168.20.0/24, the pod vSwitch CIDR 192.168.20.0/24 the disabled pool hybrid-terway-no-nat-192-168-20-0-24 "
        "would take: the tigera operator then refuses that entry and reports itself Degraded (it reconciles no pool "
        "it did not label); give the entry disableNewAllocations: true, natOutgoing: Disabled and disableBGPExport: "
        "true, and use noNatPools: check"
    ]
    checked = plan(settings(), cloud((route("10.244.0.0/16", TO_VBR),)), facts)
    assert not [e for e in checked.errors if ".noNatPools" in e]


def test_the_operators_pool_list_is_read_from_the_installation() -> None:
    installation = {
        "apiVersion": "operator.tigera.io/v1",
        "kind": "Installation",
        "spec": {"calicoNetwork": {"ipPools": [{"cidr": "10.48.0.0/16"}, {"name": "x"}, {"cidr": "fd00::/48"}]}},
    }
    other = {"apiVersion": "example.com/v1", "kind": "Installation", "spec": installation["spec"]}
    assert operator_pools({("Installation", "", "default"): installation, ("Installation", "", "z"): other}) == (
        ("default", 0, "10.48.0.0/16"),
        ("default", 2, "fd00::/48"),
    )
