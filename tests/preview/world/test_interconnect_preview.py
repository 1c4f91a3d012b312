"""The interconnect through the offline preview, one cloud snapshot per outcome
(``tests/data/cloud/interconnect-*.json``, the APIs' response bodies as the ``aliyun`` CLI prints them), with the
stack ``example-interconnect``.

``interconnect-ok.json`` is the dev region's snapshot plus a working interconnect over one VBR; each other file
changes one fact of it. ``bgp-calico-nat.yaml`` and ``bgp-calico-150-blocks.yaml`` change one fact of the cluster.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from preview.run import EXIT_INVALID, EXIT_OK
from tests.conftest import DATA, ROOT

STACK = "example-interconnect"
CLUSTER = DATA / "snapshots" / "bgp-calico-addresses.yaml"
CLOUD = DATA / "cloud"


def preview(
    tmp_path: Path, cloud: str, cluster: Path = CLUSTER, stack: str = STACK
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "preview",
            "--no-policy",
            "--stack",
            stack,
            "--snapshot",
            str(cluster),
            "--cloud-snapshot",
            str(CLOUD / cloud),
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_all_right_exits_0_and_plan_md_shows_both_directions(tmp_path: Path) -> None:
    result = preview(tmp_path, "interconnect-ok.json")
    assert result.returncode == EXIT_OK, result.stderr
    assert "warning: hybrid-terway:interconnect" not in result.stdout
    for check in ("routes", "advertisements", "BGP sessions", "route limit", "security groups", "NAT"):
        assert any(
            line.startswith(f"interconnect: {check}") and ": ok (" in line for line in result.stdout.splitlines()
        ), check
    plan = (tmp_path / STACK / "PLAN.md").read_text()
    section = plan[plan.index("## Interconnect") :]
    source = f"cloud snapshot {CLOUD / 'interconnect-ok.json'}"
    for line in (
        "Via `vbr` (`vbr-bp1dc1primary0a1b2c3`)",
        "### Cloud pods to on-prem pods (VPC routes)",
        "| `vtb-bp1route0000000000` | 10.244.0.0/16 | 10.244.0.0/16 via RouterInterface ri-bp1dc1vbr0a1b2c3d4e5 to "
        f"vbr-bp1dc1primary0a1b2c3 (a router interface to a VBR) | ok | {source} |",
        "### On-prem pods to cloud pods (advertisements)",
        f"| 192.168.21.0/24 | BGP network 192.168.21.0/24 on vbr-bp1dc1primary0a1b2c3 | ok | {source} |",
        "| security groups: Terway's groups accept the on-prem pod and node CIDRs | ok | 2 compared |",
        "| NAT: a disabled Calico IPPool over each pod vSwitch CIDR | ok | 3 CIDRs covered |",
    ):
        assert line in section, line


@pytest.mark.parametrize(
    ("cloud", "named"),
    [
        (
            "interconnect-missing-route.json",
            "route table vtb-bp1route0000000000 (System, of the pod vSwitches) has no route to on-prem pod CIDR "
            "10.244.0.0/16 (hybrid-terway:onPremPodCidrs[0]) that leads to the data centre: the route 0.0.0.0/0 via "
            "NatGateway ngw-bp1natgw0a1b2c3d4e5 (a NAT gateway) does not lead to the data centre",
        ),
        (
            "interconnect-route-to-instance.json",
            "the route 10.244.0.0/16 via Instance i-bp1gateway0a1b2c3d4 (an ECS instance) does not lead to the data "
            "centre",
        ),
        (
            "interconnect-unadvertised.json",
            "hybrid-terway:interconnect.bgpNetworks: pod vSwitch vsw-bp1p9m4a1s6y8g0t2v4x6 CIDR 192.168.22.0/24 is no "
            "BGP network of vbr-bp1dc1primary0a1b2c3",
        ),
        (
            "interconnect-no-ingress.json",
            "hybrid-terway:interconnect.securityGroupIngress: security group sg-bp1d5f7h9j1k3m5n7p9r does not accept "
            "ingress from 10.244.0.0/16 (hybrid-terway:onPremPodCidrs[0]): no Accept rule for all protocols covers "
            "it; found only TCP 1/65535 from 10.244.0.0/16",
        ),
    ],
)
def test_what_breaks_the_interconnect_exits_2_naming_it(tmp_path: Path, cloud: str, named: str) -> None:
    result = preview(tmp_path, cloud)
    assert result.returncode == EXIT_INVALID, result.stdout
    assert "the network plan does not fit the cloud and the cluster" in result.stderr
    assert named in result.stderr
    assert json.loads((tmp_path / STACK / "plan.json").read_text())["failed"] is True


def test_a_covering_route_is_enough(tmp_path: Path) -> None:
    result = preview(tmp_path, "interconnect-covering-route.json")
    assert result.returncode == EXIT_OK, result.stderr
    plan = (tmp_path / STACK / "PLAN.md").read_text()
    assert "| 10.244.0.0/16 | 10.0.0.0/8 via RouterInterface ri-bp1dc1vbr0a1b2c3d4e5" in plan


def test_a_peer_not_established_is_a_warning(tmp_path: Path) -> None:
    result = preview(tmp_path, "interconnect-peer-down.json")
    assert result.returncode == EXIT_OK, result.stderr
    assert (
        "warning: hybrid-terway:interconnect.vbrIds: BGP peer bgpp-bp1dc1peer0a1b2c3d (10.0.0.2, group "
        "bgpg-bp1dc1group0a1b2c3) of VBR vbr-bp1dc1primary0a1b2c3 is Active, not Established"
    ) in result.stdout


def test_150_calico_blocks_against_a_limit_of_110_is_a_warning(tmp_path: Path) -> None:
    result = preview(tmp_path, "interconnect-ok.json", DATA / "snapshots" / "bgp-calico-150-blocks.yaml")
    assert result.returncode == EXIT_OK, result.stderr
    assert (
        "the data centre advertises 150 on-prem pod routes (150 Calico IPAM blocks (ipamblocks.crd.projectcalico.org)) "
        "and BGP peer bgpp-bp1dc1peer0a1b2c3d of VBR vbr-bp1dc1primary0a1b2c3 takes at most 110 (RouteLimit)"
    ) in result.stdout
    assert "aggregate the pod routes on the IDC router, or raise the quota ec_quota_bgp_group_max_route_entry_num" in (
        result.stdout
    )


def test_a_pool_that_nats_toward_pod_vswitches_is_a_warning(tmp_path: Path) -> None:
    result = preview(tmp_path, "interconnect-ok.json", DATA / "snapshots" / "bgp-calico-nat.yaml")
    assert result.returncode == EXIT_OK, result.stderr
    assert (
        "warning: hybrid-terway:interconnect.noNatPools: Calico IPPool(s) default-ipv4-ippool have natOutgoing: true "
        "and no disabled IPPool covers pod vSwitch CIDR(s) 192.168.21.0/24, 192.168.22.0/24"
    ) in result.stdout


def test_a_body_without_route_entrys_exits_2_naming_the_action_and_the_field(tmp_path: Path) -> None:
    result = preview(tmp_path, "interconnect-no-route-entrys.json")
    assert result.returncode == EXIT_INVALID
    assert "DescribeRouteEntryList[0]: needs RouteEntrys.RouteEntry as a list" in result.stderr


def test_without_the_block_the_interconnect_is_not_checked(tmp_path: Path) -> None:
    result = preview(tmp_path, "interconnect-ok.json", stack="dev")
    assert result.returncode == EXIT_OK, result.stderr
    assert "interconnect: not checked (no hybrid-terway:interconnect block; see docs/interconnect.md)" in result.stdout
    plan = (tmp_path / "dev" / "PLAN.md").read_text()
    assert "## Interconnect\n\nNot checked: the stack has no `hybrid-terway:interconnect` block" in plan
