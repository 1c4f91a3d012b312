"""The address plan through the offline preview, with cloud snapshots in the APIs' own response shape.

``tests/data/cloud/dev-cn-hangzhou.json`` is what the README's ``aliyun`` commands write for the dev stack's region
(tab-indented, as the CLI prints it), unrelated VPCs, vSwitches and security groups included;
``tests/data/snapshots/bgp-calico-addresses.yaml`` is the matching cluster (services, IPPools, kubeadm-config,
node addresses). Each test changes one fact and checks what the preview prints.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hybrid_terway.core.address_plan import NetworkPlanError
from preview.engine.program import World, run_program
from preview.run import EXIT_INVALID, EXIT_OK, PreviewError, PreviewResult, preview, settings_of
from preview.world.cloud_snapshot import load_cloud_snapshot
from preview.world.fake_cloud import FakeAlibabaCloud
from preview.world.fake_cluster import FakeCluster
from tests.conftest import DATA, EXAMPLE_STACKS, ROOT, stack_config

CLOUD = DATA / "cloud" / "dev-cn-hangzhou.json"
CLUSTER = DATA / "snapshots" / "bgp-calico-addresses.yaml"
DEV_VPC = "vpc-bp1hybriddev0a1b2c3d4"
OTHER_VPC = "vpc-bp1unrelated9z8y7x6w5"

Document = dict[str, Any]


def vswitch(doc: Document, vsw: str) -> Document:
    return next(v for v in doc["DescribeVSwitches"]["VSwitches"]["VSwitch"] if v["VSwitchId"] == vsw)


def cloud_file(tmp_path: Path, change: Callable[[Document], None] | None = None) -> Path:
    """The dev cloud snapshot with one change, written as the aliyun CLI writes JSON (tab-indented)."""
    doc = json.loads(CLOUD.read_text())
    if change is not None:
        change(doc)
    path = tmp_path / "cloud.json"
    path.write_text(json.dumps(doc, indent="\t"))
    return path


def cluster_file(tmp_path: Path, old: str = "", new: str = "") -> Path:
    text = CLUSTER.read_text()
    assert old in text
    path = tmp_path / "cluster.yaml"
    path.write_text(text.replace(old, new))
    return path


def run(
    tmp_path: Path, cloud: Path, cluster: Path | None = CLUSTER, stack: str = "dev", root: Path = ROOT
) -> PreviewResult:
    return preview(root, stack, cluster, tmp_path / "out", policy=False, cloud_snapshot=cloud)


def refused(tmp_path: Path, cloud: Path, cluster: Path | None = CLUSTER, **kwargs: Any) -> str:
    with pytest.raises(PreviewError) as info:
        run(tmp_path, cloud, cluster, **kwargs)
    assert info.value.exit_code == EXIT_INVALID
    message = str(info.value)
    assert message.startswith("the network plan does not fit the cloud and the cluster"), message
    return message


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preview", "--no-policy", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


# --- a consistent plan ----------------------------------------------------------------------------


def test_dev_with_a_consistent_cloud_snapshot_exits_0_and_shows_the_plan(tmp_path: Path) -> None:
    result = cli("--snapshot", str(CLUSTER), "--cloud-snapshot", str(CLOUD), "--out", str(tmp_path))
    assert result.returncode == EXIT_OK, result.stderr
    assert "address plan: cn-hangzhou-h: 240 free IPs in 1 pod vSwitch (1 cloud node could take 6)" in result.stdout
    assert "address plan: cn-hangzhou-i: 452 free IPs in 2 pod vSwitches (1 cloud node could take 6)" in result.stdout
    plan = (tmp_path / "dev" / "PLAN.md").read_text()
    section = plan[plan.index("## Address plan") :]
    for line in (
        f"| cn-hangzhou-h | `vsw-bp1m7k2x9q4w6e8r0t2y4` | `{DEV_VPC}` | 192.168.20.0/24 | 240 |",
        f"| cn-hangzhou-i | `vsw-bp1p9m4a1s6y8g0t2v4x6` | `{DEV_VPC}` | 192.168.22.0/24 | 252 |",
        "| **cn-hangzhou-i** | | | **total** (1 cloud node could take 6) | **452** |",
        f"- VPC: `{DEV_VPC}` 192.168.0.0/16, 100.104.0.0/16",
        "- Service range (`serviceCidr`): 172.21.0.0/20",
        "- Service default/kubernetes ClusterIP: 172.21.0.1",
        "- 10.244.0.0/16 (Calico IPPool default-ipv4-ippool)",
        "- 10.244.0.0/16 (kubeadm-config ClusterConfiguration networking.podSubnet)",
        "On-prem node addresses: dc1-rack1-node1 10.10.1.11, dc1-rack2-node7 10.10.2.17",
        "| serviceCidr vs VPC CIDR blocks | ok | 2 compared |",
        "| pod vSwitches vs on-prem pod CIDRs | ok | 6 compared |",
        "| kubernetes Service ClusterIP inside serviceCidr | ok | 172.21.0.1 |",
    ):
        assert line in section, line
    assert "retired-pool" not in section, "a disabled IPPool is not an on-prem pod CIDR"
    assert OTHER_VPC not in section and "vsw-bp1unrelated" not in section, "unrelated resources are not the stack's"


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_example_stack_without_a_cloud_snapshot_has_a_consistent_plan(stack: str, tmp_path: Path) -> None:
    result = preview(ROOT, stack, None, tmp_path / "out", policy=False)
    assert result.exit_code == EXIT_OK, result.summary
    plan = (tmp_path / "out" / "PLAN.md").read_text()
    if settings_of(stack_config(stack)).terway is None:
        assert "## Address plan" not in plan and "address plan:" not in result.summary
    else:
        assert "## Address plan" in plan and "FAILS" not in plan[plan.index("## Address plan") :]


# --- one test per hard error ----------------------------------------------------------------------


def test_missing_pod_vswitch(tmp_path: Path) -> None:
    def drop(doc: Document) -> None:
        listing = doc["DescribeVSwitches"]
        listing["VSwitches"]["VSwitch"].remove(vswitch(doc, "vsw-bp1p9m4a1s6y8g0t2v4x6"))
        listing["TotalCount"] -= 1

    message = refused(tmp_path, cloud_file(tmp_path, drop))
    assert (
        "hybrid-terway:terway.podVswitches.cn-hangzhou-i: vSwitch vsw-bp1p9m4a1s6y8g0t2v4x6 does not exist "
        "in this account and region"
    ) in message


def test_missing_security_group(tmp_path: Path) -> None:
    def drop(doc: Document) -> None:
        listing = doc["DescribeSecurityGroups"]
        listing["SecurityGroups"]["SecurityGroup"] = listing["SecurityGroups"]["SecurityGroup"][1:]
        listing["TotalCount"] -= 1

    message = refused(tmp_path, cloud_file(tmp_path, drop))
    assert (
        "hybrid-terway:terway.securityGroupIds[0]: security group sg-bp1d5f7h9j1k3m5n7p9r does not exist "
        "in this account and region"
    ) in message


def test_pod_vswitch_in_the_wrong_zone(tmp_path: Path) -> None:
    message = refused(
        tmp_path, cloud_file(tmp_path, lambda d: vswitch(d, "vsw-bp1n8l3z0r5x7f9s1u3w5").update(ZoneId="cn-hangzhou-h"))
    )
    assert (
        "hybrid-terway:terway.podVswitches.cn-hangzhou-i: vSwitch vsw-bp1n8l3z0r5x7f9s1u3w5 (192.168.21.0/24) is in "
        "zone cn-hangzhou-h, not cn-hangzhou-i"
    ) in message


def test_pod_vswitches_and_security_groups_in_two_vpcs(tmp_path: Path) -> None:
    def move(doc: Document) -> None:
        vswitch(doc, "vsw-bp1p9m4a1s6y8g0t2v4x6").update(VpcId=OTHER_VPC, CidrBlock="172.18.0.0/24")

    message = refused(tmp_path, cloud_file(tmp_path, move))
    assert (
        f"hybrid-terway:terway: pod vSwitches and security groups must all be in one VPC; found {DEV_VPC}: "
        "vsw-bp1m7k2x9q4w6e8r0t2y4 (192.168.20.0/24), vsw-bp1n8l3z0r5x7f9s1u3w5 (192.168.21.0/24), "
        f"sg-bp1d5f7h9j1k3m5n7p9r; {OTHER_VPC}: vsw-bp1p9m4a1s6y8g0t2v4x6 (172.18.0.0/24)"
    ) in message


def test_kubernetes_service_outside_service_cidr(tmp_path: Path) -> None:
    cluster = cluster_file(
        tmp_path,
        "    clusterIP: 172.21.0.1\n    clusterIPs:\n    - 172.21.0.1",
        "    clusterIP: 10.96.0.1\n    clusterIPs:\n    - 10.96.0.1",
    )
    message = refused(tmp_path, CLOUD, cluster)
    assert (
        "hybrid-terway:terway.serviceCidr = '172.21.0.0/20': the cluster's Service default/kubernetes has ClusterIP "
        "10.96.0.1, outside it"
    ) in message


def test_service_cidr_overlaps_a_vpc_cidr_block(tmp_path: Path) -> None:
    def widen(doc: Document) -> None:
        dev = next(v for v in doc["DescribeVpcs"]["Vpcs"]["Vpc"] if v["VpcId"] == DEV_VPC)
        dev["SecondaryCidrBlocks"]["SecondaryCidrBlock"].append("172.21.0.0/16")

    message = refused(tmp_path, cloud_file(tmp_path, widen))
    assert f"hybrid-terway:terway.serviceCidr = '172.21.0.0/20' overlaps VPC {DEV_VPC} CIDR block 172.21.0.0/16" in (
        message
    )


def test_service_cidr_overlaps_a_pod_vswitch(tmp_path: Path) -> None:
    message = refused(
        tmp_path,
        cloud_file(tmp_path, lambda d: vswitch(d, "vsw-bp1m7k2x9q4w6e8r0t2y4").update(CidrBlock="172.21.8.0/24")),
    )
    assert (
        "hybrid-terway:terway.serviceCidr = '172.21.0.0/20' overlaps pod vSwitch vsw-bp1m7k2x9q4w6e8r0t2y4 "
        "(172.21.8.0/24) in cn-hangzhou-h"
    ) in message


def test_service_cidr_overlaps_an_on_prem_pod_cidr_from_the_setting(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    text = (ROOT / "Pulumi.dev.yaml").read_text()
    (root / "Pulumi.cidrs.yaml").write_text(text + "  hybrid-terway:onPremPodCidrs:\n    - 172.21.0.0/16\n")
    message = refused(tmp_path, CLOUD, None, stack="cidrs", root=root)
    assert (
        "hybrid-terway:terway.serviceCidr = '172.21.0.0/20' overlaps on-prem pod CIDR 172.21.0.0/16 "
        "(hybrid-terway:onPremPodCidrs[0])"
    ) in message


def test_service_cidr_contains_an_on_prem_node_address(tmp_path: Path) -> None:
    cluster = cluster_file(tmp_path, "- address: 10.10.2.17", "- address: 172.21.3.4")
    message = refused(tmp_path, CLOUD, cluster)
    assert "hybrid-terway:terway.serviceCidr = '172.21.0.0/20' contains on-prem node dc1-rack2-node7's address " in (
        message
    )


def test_pod_vswitch_overlaps_an_enabled_ippool(tmp_path: Path) -> None:
    cluster = cluster_file(tmp_path, "    cidr: 192.168.20.0/22\n    disabled: true\n", "    cidr: 192.168.20.0/22\n")
    message = refused(tmp_path, CLOUD, cluster)
    assert (
        "hybrid-terway:terway.podVswitches.cn-hangzhou-h: pod vSwitch vsw-bp1m7k2x9q4w6e8r0t2y4 (192.168.20.0/24) "
        "overlaps on-prem pod CIDR 192.168.20.0/22 (Calico IPPool retired-pool)"
    ) in message


def test_pod_vswitch_contains_an_on_prem_node_address(tmp_path: Path) -> None:
    cluster = cluster_file(tmp_path, "- address: 10.10.1.11", "- address: 192.168.21.5")
    message = refused(tmp_path, CLOUD, cluster)
    assert (
        "hybrid-terway:terway.podVswitches.cn-hangzhou-i: pod vSwitch vsw-bp1n8l3z0r5x7f9s1u3w5 (192.168.21.0/24) "
        "contains on-prem node dc1-rack1-node1's address 192.168.21.5"
    ) in message


def test_a_hard_error_prints_on_stderr_with_exit_2_and_renders_nothing(tmp_path: Path) -> None:
    cloud = cloud_file(tmp_path, lambda d: vswitch(d, "vsw-bp1n8l3z0r5x7f9s1u3w5").update(ZoneId="cn-hangzhou-h"))
    result = cli("--snapshot", str(CLUSTER), "--cloud-snapshot", str(cloud), "--out", str(tmp_path / "out"))
    assert result.returncode == EXIT_INVALID
    assert result.stderr.startswith("error: the network plan does not fit the cloud and the cluster (1 problem(s)):")
    assert "vsw-bp1n8l3z0r5x7f9s1u3w5 (192.168.21.0/24) is in zone cn-hangzhou-h, not cn-hangzhou-i" in result.stderr
    assert "Traceback" not in result.stderr
    out = tmp_path / "out" / "dev"
    assert not (out / "manifests").exists(), "nothing is rendered for a plan that does not fit"
    assert "is in zone cn-hangzhou-h, not cn-hangzhou-i" in (out / "PLAN.md").read_text()


# --- capacity -------------------------------------------------------------------------------------


def test_capacity_warning_when_a_zone_cannot_serve_its_cloud_nodes(tmp_path: Path) -> None:
    cloud = cloud_file(tmp_path, lambda d: vswitch(d, "vsw-bp1m7k2x9q4w6e8r0t2y4").update(AvailableIpAddressCount=4))
    result = run(tmp_path, cloud)
    assert result.exit_code == EXIT_OK, "capacity is a warning, not an error"
    assert "address plan: cn-hangzhou-h: 4 free IPs in 1 pod vSwitch (1 cloud node could take 6)" in result.summary
    warning = (
        "warning: hybrid-terway:terway.podVswitches.cn-hangzhou-h: zone cn-hangzhou-h has 4 free IPs in its pod "
        "vSwitches vsw-bp1m7k2x9q4w6e8r0t2y4 (192.168.20.0/24); its 1 cloud node could take 6 (maxPoolSize 5 idle "
        "IPs each, plus one)"
    )
    assert warning in result.summary
    assert warning.removeprefix("warning: ") in (tmp_path / "out" / "PLAN.md").read_text()


def test_capacity_warning_below_the_minimum_for_a_zone_without_cloud_nodes(tmp_path: Path) -> None:
    def shrink(doc: Document) -> None:
        vswitch(doc, "vsw-bp1n8l3z0r5x7f9s1u3w5").update(AvailableIpAddressCount=10)
        vswitch(doc, "vsw-bp1p9m4a1s6y8g0t2v4x6").update(AvailableIpAddressCount=12)

    no_cloud_node_in_i = cluster_file(tmp_path, "      topology.kubernetes.io/zone: cn-hangzhou-i\n", "")
    result = run(tmp_path, cloud_file(tmp_path, shrink), no_cloud_node_in_i)
    assert result.exit_code == EXIT_OK
    assert "address plan: cn-hangzhou-i: 22 free IPs in 2 pod vSwitches (no cloud node yet, minimum 32)" in (
        result.summary
    )
    assert "zone cn-hangzhou-i has 22 free IPs" in result.summary
    assert "the minimum for a zone without cloud nodes yet is 32" in result.summary
    assert result.summary.count("cn-hangzhou-i has 22 free IPs") == 1, "the program's own warning is not repeated"


# --- a malformed cloud snapshot -------------------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[Document], None]:
    def change(doc: Document) -> None:
        keys = path.split(".")
        target: Any = doc
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[keys[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("DescribeInstances", {}), "DescribeInstances: not one of DescribeVSwitches, DescribeSecurityGroups"),
        (lambda d: d.pop("DescribeVpcs"), "DescribeVpcs missing; the address plan needs all of"),
        (_set("DescribeVSwitches.VSwitches", []), "DescribeVSwitches: needs VSwitches.VSwitch as a list"),
        (
            _set("DescribeVSwitches.VSwitches.VSwitch.0.AvailableIpAddressCount", "240"),
            "VSwitches.VSwitch[0]: AvailableIpAddressCount = '240': must be a count (integer >= 0)",
        ),
        (
            _set("DescribeVSwitches.VSwitches.VSwitch.2.CidrBlock", "192.168.20.0/33"),
            "VSwitches.VSwitch[2]: CidrBlock = '192.168.20.0/33': must be an IPv4 CIDR",
        ),
        (
            lambda d: d["DescribeSecurityGroups"]["SecurityGroups"]["SecurityGroup"][0].pop("SecurityGroupId"),
            "SecurityGroups.SecurityGroup[0]: SecurityGroupId is missing",
        ),
        (_set("DescribeVpcs.TotalCount", 120), "DescribeVpcs: lists 2 of 120 (TotalCount): take every page"),
    ],
)
def test_malformed_cloud_snapshot_exits_2_naming_the_problem(
    change: Callable[[Document], None], message: str, tmp_path: Path
) -> None:
    with pytest.raises(PreviewError) as info:
        run(tmp_path, cloud_file(tmp_path, change))
    assert info.value.exit_code == EXIT_INVALID
    assert message in str(info.value), str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{\n\t"DescribeVSwitches": {\n', "not valid JSON"),
        ('{"DescribeVpcs": {}, "DescribeVpcs": {}}', "duplicate key 'DescribeVpcs'"),
        ("- just\n- a list\n", "must map API action names"),
    ],
)
def test_unreadable_cloud_snapshot_exits_2(content: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "cloud.json"
    path.write_text(content)
    with pytest.raises(PreviewError) as info:
        run(tmp_path, path)
    assert info.value.exit_code == EXIT_INVALID and message in str(info.value), str(info.value)


def test_cloud_snapshot_as_yaml() -> None:
    doc = json.loads(CLOUD.read_text())
    import yaml

    facts = load_cloud_snapshot(yaml.safe_dump(doc), "cloud.yaml")
    assert facts == load_cloud_snapshot(CLOUD.read_bytes(), str(CLOUD))
    assert len(facts.vswitches) == 6 and len(facts.security_groups) == 2 and len(facts.vpcs) == 2


# --- `pulumi up` stops before the addon or any patch ---------------------------------------------

CLUSTER_WRITES = (
    "alicloud:cs/kubernetesAddon:KubernetesAddon",
    "kubernetes:apps/v1:DaemonSetPatch",
    "kubernetes:core/v1:ConfigMapPatch",
    "kubernetes:core/v1:Secret",
)


@pytest.mark.parametrize("failing", ["missing vSwitch", "on-prem pod CIDR setting"])
def test_a_failing_check_registers_neither_the_addon_nor_any_patch(failing: str) -> None:
    doc = json.loads(CLOUD.read_text())
    overrides: dict[str, Any] = {}
    if failing == "missing vSwitch":
        doc["DescribeVSwitches"]["VSwitches"]["VSwitch"].remove(vswitch(doc, "vsw-bp1m7k2x9q4w6e8r0t2y4"))
        doc["DescribeVSwitches"]["TotalCount"] -= 1
        expected = "vSwitch vsw-bp1m7k2x9q4w6e8r0t2y4 does not exist"
    else:
        overrides["onPremPodCidrs"] = json.dumps(["192.168.16.0/20"])
        expected = "overlaps on-prem pod CIDR 192.168.16.0/20 (hybrid-terway:onPremPodCidrs[0])"
    config = stack_config("dev", **overrides)
    settings = settings_of(config)
    network = load_cloud_snapshot(json.dumps(doc), "cloud.json")
    world = World(FakeAlibabaCloud(settings.cluster_id, network=network), FakeCluster.representative(settings))
    with pytest.raises(NetworkPlanError, match=re.escape(expected)):
        run_program(config.values, config.secret_keys, "dev", world)
    assert world.deployment is not None
    recorded = [(s.type, s.op == "read") for s in world.deployment.steps]
    types = {t for t, _ in recorded}
    assert ("kubernetes:core/v1:Service", True) in recorded, "the check read the kubernetes Service"
    assert not types & set(CLUSTER_WRITES), f"registered despite a failed check: {types & set(CLUSTER_WRITES)}"
    assert world.cloud.of_type("alicloud:cs/kubernetesAddon:KubernetesAddon") == []
    live = world.cluster.get("DaemonSet", "kube-system", "calico-node")
    assert live is not None and "affinity" not in live["spec"]["template"]["spec"], "calico-node is untouched"


def test_the_dev_cloud_snapshot_is_what_the_program_sees() -> None:
    """The invokes answer from the cloud snapshot: the program's plan and the preview's agree on the cloud."""
    config = stack_config("dev")
    settings = settings_of(config)
    network = load_cloud_snapshot(CLOUD.read_bytes(), str(CLOUD))
    world = World(FakeAlibabaCloud(settings.cluster_id, network=network), FakeCluster.representative(settings))
    result = run_program(config.values, config.secret_keys, "dev", world)
    infos = [m for level, m in result.logs if level == "info" and m.startswith("address plan:")]
    assert infos == [
        "address plan: cn-hangzhou-h: 240 free IPs in 1 pod vSwitch (cloud nodes unknown, minimum 32)",
        "address plan: cn-hangzhou-i: 452 free IPs in 2 pod vSwitches (cloud nodes unknown, minimum 32)",
    ]
