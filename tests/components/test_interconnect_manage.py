"""``manage`` on every check: the routes, BGP networks, security-group rules and disabled Calico IPPools the program
adds, in plan.json, their inputs held to the provider's schema (``preview.engine.provider_inputs``, from the installed
pulumi_alicloud SDK) and the IPPool to Calico's CRD schema, kept on destroy and waited for by readyForCloudNodes.

``interconnect-manage.json`` is ``interconnect-ok.json`` without the route to 10.244.0.0/16, without the BGP networks
of 192.168.21.0/24 and 192.168.22.0/24, and without the ingress rule from 10.244.0.0/16.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from preview.engine.provider_inputs import input_problems
from preview.run import EXIT_OK, PreviewError, preview
from preview.world.fake_cloud import FakeAlibabaCloud
from tests.conftest import DATA, ROOT

MANAGED = ("routes", "bgpNetworks", "securityGroupIngress", "noNatPools")


def manage_stack(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    text = (ROOT / "Pulumi.example-interconnect.yaml").read_text()
    for key in MANAGED:
        text = text.replace(f"    {key}: check\n", f"    {key}: manage\n")
    (root / "Pulumi.manage.yaml").write_text(text)
    return root


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("manage")
    result = preview(
        manage_stack(tmp),
        "manage",
        DATA / "snapshots" / "bgp-calico-addresses.yaml",
        tmp / "out",
        policy=False,
        cloud_snapshot=DATA / "cloud" / "interconnect-manage.json",
    )
    assert result.exit_code == EXIT_OK, result.summary
    document: dict[str, Any] = json.loads((tmp / "out" / "plan.json").read_text())
    document["summary"] = result.summary
    return document


def managed(plan: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [r for r in plan["resources"] if r["type"] == type_ and "interconnect" in r["urn"]]


def test_manage_adds_exactly_what_is_missing(plan: dict[str, Any]) -> None:
    routes = managed(plan, "alicloud:vpc/routeEntry:RouteEntry")
    assert [(r["inputs"]["routeTableId"], r["inputs"]["destinationCidrblock"]) for r in routes] == [
        ("vtb-bp1route0000000000", "10.244.0.0/16")
    ]
    assert routes[0]["inputs"]["nexthopType"] == "RouterInterface"
    assert routes[0]["inputs"]["nexthopId"] == "ri-bp1dc1vbr0a1b2c3d4e5"
    networks = managed(plan, "alicloud:vpc/bgpNetwork:BgpNetwork")
    assert sorted(r["inputs"]["dstCidrBlock"] for r in networks) == ["192.168.21.0/24", "192.168.22.0/24"]
    assert {r["inputs"]["routerId"] for r in networks} == {"vbr-bp1dc1primary0a1b2c3"}
    rules = managed(plan, "alicloud:ecs/securityGroupRule:SecurityGroupRule")
    assert [(r["inputs"]["securityGroupId"], r["inputs"]["cidrIp"]) for r in rules] == [
        ("sg-bp1d5f7h9j1k3m5n7p9r", "10.244.0.0/16")
    ]
    assert {k: rules[0]["inputs"][k] for k in ("type", "ipProtocol", "portRange", "policy", "nicType")} == {
        "type": "ingress",
        "ipProtocol": "all",
        "portRange": "-1/-1",
        "policy": "accept",
        "nicType": "intranet",
    }
    pools = managed(plan, "kubernetes:crd.projectcalico.org/v1:IPPool")
    assert sorted(p["inputs"]["spec"]["cidr"] for p in pools) == [
        "192.168.20.0/24",
        "192.168.21.0/24",
        "192.168.22.0/24",
    ]
    assert all(p["inputs"]["spec"]["disabled"] is True and p["inputs"]["spec"]["natOutgoing"] is False for p in pools)
    # BIRD exports routes inside any pool unless disableBGPExport (confd/pkg/backends/calico/bgp_processor.go).
    assert all(p["inputs"]["spec"]["disableBGPExport"] is True for p in pools)


def test_managed_inputs_pass_the_provider_schema(plan: dict[str, Any]) -> None:
    alicloud = [r for r in plan["resources"] if r["type"].startswith("alicloud:")]
    assert len(alicloud) > 4
    for resource in alicloud:
        assert input_problems(resource["type"], resource["inputs"]) == [], resource["name"]


def test_the_provider_schema_test_can_fail() -> None:
    assert input_problems("alicloud:vpc/routeEntry:RouteEntry", {"destinationCidrBlock": "10.0.0.0/8"}) == [
        "alicloud:vpc/routeEntry:RouteEntry: destinationCidrBlock: not an input of RouteEntryArgs",
        "alicloud:vpc/routeEntry:RouteEntry: routeTableId is required",
    ]


def test_managed_pieces_are_kept_on_destroy(plan: dict[str, Any]) -> None:
    lines = [line for line in plan["summary"].splitlines() if "hybrid-interconnect-" in line]
    assert len(lines) == 7 and all("(retained on destroy)" in line for line in lines)


def test_an_existing_route_is_not_added_again(tmp_path: Path) -> None:
    result = preview(
        manage_stack(tmp_path),
        "manage",
        DATA / "snapshots" / "bgp-calico-addresses.yaml",
        tmp_path / "out",
        policy=False,
        cloud_snapshot=DATA / "cloud" / "interconnect-ok.json",
    )
    assert result.exit_code == EXIT_OK, result.summary
    types = {r["type"] for r in json.loads((tmp_path / "out" / "plan.json").read_text())["resources"]}
    assert not types & {
        "alicloud:vpc/routeEntry:RouteEntry",
        "alicloud:vpc/bgpNetwork:BgpNetwork",
        "alicloud:ecs/securityGroupRule:SecurityGroupRule",
    }


def test_the_fake_refuses_a_duplicate_route() -> None:
    from hybrid_terway.core.settings import InterconnectSettings
    from preview.world.fake_cloud import CloudError
    from preview.world.interconnect_snapshot import parse_interconnect_snapshot

    document = json.loads((DATA / "cloud" / "interconnect-ok.json").read_text())
    ic = InterconnectSettings.model_validate({"via": "vbr", "vbrIds": ["vbr-bp1dc1primary0a1b2c3"]})
    cloud = FakeAlibabaCloud("c" + "0" * 32, interconnect=parse_interconnect_snapshot(document, "ok", ic))
    inputs = {
        "routeTableId": "vtb-bp1route0000000000",
        "destinationCidrblock": "10.244.0.0/16",
        "nexthopType": "RouterInterface",
        "nexthopId": "ri-bp1dc1vbr0a1b2c3d4e5",
    }
    with pytest.raises(CloudError, match=r"InvalidCIDRBlock\.Duplicate"):
        cloud.register("urn:x", "alicloud:vpc/routeEntry:RouteEntry", inputs)


def test_the_gate_for_cloud_nodes_waits_for_every_managed_piece(plan: dict[str, Any]) -> None:
    """A node pool waits on the gate: what `manage` adds must be in place before cloud nodes join."""
    gate = next(r for r in plan["resources"] if r["name"] == "hybrid-cloud-node-gate")
    added = [
        r["urn"]
        for r in plan["resources"]
        if "hybrid-interconnect-" in r["urn"] and r["type"] != "hybrid-terway:interconnect:Interconnect"
    ]
    assert len(added) == 7
    assert set(added) <= set(gate["dependsOn"]), sorted(set(added) - set(gate["dependsOn"]))


def test_manage_beside_an_operator_listing_the_same_cidr_exits_2(tmp_path: Path) -> None:
    # A disabled pool over 192.168.20.0/24 only (so 192.168.21.0/24 is to add) and the tigera operator's
    # Installation listing 192.168.21.0/24 in spec.calicoNetwork.ipPools.
    text = (DATA / "snapshots" / "bgp-calico-addresses.yaml").read_text()
    retired = "    cidr: 192.168.20.0/22\n    disabled: true\n    ipipMode: Never\n    nodeSelector: all()\n"
    assert text.endswith(retired), "the retired pool is the snapshot's last item"
    text = text.replace("    cidr: 192.168.20.0/22\n", "    cidr: 192.168.20.0/24\n")
    text += (
        "- apiVersion: operator.tigera.io/v1\n  kind: Installation\n  metadata:\n    name: default\n  spec:\n"
        "    calicoNetwork:\n      ipPools:\n      - cidr: 10.244.0.0/16\n      - cidr: 192.168.21.0/24\n"
        "        disableNewAllocations: true\n"
    )
    snapshot = tmp_path / "cluster.yaml"
    snapshot.write_text(text)
    with pytest.raises(PreviewError) as info:
        preview(
            manage_stack(tmp_path),
            "manage",
            snapshot,
            tmp_path / "out",
            policy=False,
            cloud_snapshot=DATA / "cloud" / "interconnect-manage.json",
        )
    assert (
        "hybrid-terway:interconnect.noNatPools: Installation default lists spec.calicoNetwork.ipPools[1] "
        "192.168.21.0/24, the pod vSwitch CIDR 192.168.21.0/24 the disabled pool hybrid-terway-no-nat-192-168-21-0-24 "
        "would take"
    ) in str(info.value)
    assert "(1 problem(s))" in str(info.value)
