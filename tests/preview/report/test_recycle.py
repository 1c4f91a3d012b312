"""Cloud nodes to recycle: cloud nodes that run, or ran, an on-prem CNI, with the conflist it leaves and the remedy."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from hybrid_terway.core.topology import ObjectRef
from hybrid_terway.core.vocabulary import Scenario
from preview.report.placement import Cni, NodeState, NodeVerdict, Placement
from preview.report.recycle import CNI_CONFLISTS, REMEDY, TERWAY_CONFLIST, cloud_nodes_to_recycle, recycle_warnings
from preview.run import EXIT_OK, PreviewError
from preview.world.fake_cluster import FakeCluster, make_node, make_workload
from tests.conftest import DATA
from tests.preview.conftest import run_preview

SNAPSHOTS = DATA / "snapshots"
TWO_TERMS = SNAPSHOTS / "bgp-calico-two-terms.yaml"
CLOUD = {"alibabacloud.com/external": "true"}


def calico_pod(node: str, name: str = "calico-node-x7k2p") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "kube-system",
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "calico-node", "controller": True}
            ],
        },
        "spec": {"nodeName": node},
    }


def placement_of(nodes: list[tuple[str, bool, list[ObjectRef]]]) -> Placement:
    """A placement whose nodes ran these CNI workloads today."""

    def verdict(name: str, cloud: bool, refs: list[ObjectRef]) -> NodeVerdict:
        cnis = [Cni.of({"kind": r.kind, "metadata": {"name": r.name, "namespace": r.namespace}}) for r in refs]
        return NodeVerdict(name, cloud, {}, NodeState((), (), True), NodeState(tuple(cnis), (), True))

    return Placement(Scenario.BGP, "alibabacloud.com/external=true", False, (), tuple(verdict(*n) for n in nodes))


def test_a_preview_names_the_cloud_node_that_runs_calico_its_conflist_and_the_remedy(tmp_path: Path) -> None:
    result = run_preview("dev", tmp_path, TWO_TERMS)
    assert result.exit_code == EXIT_OK, result.summary  # a warning: the plan holds
    out = tmp_path / "dev"
    plan = (out / "PLAN.md").read_text()
    rollouts, recycle = plan.index("## Rollouts"), plan.index("## Cloud nodes to recycle")
    assert rollouts < recycle and "##" not in plan[rollouts + 3 : recycle], "right after the rollouts"
    row = next(line for line in plan.splitlines() if line.startswith("| `cn-hangzhou.192.168.10.21`"))
    assert "| Calico |" in row and "/etc/cni/net.d/10-calico.conflist (sorts before 10-terway.conflist)" in row
    assert "cni-plugin/pkg/install/install.go" in row
    assert REMEDY in plan
    (entry,) = json.loads((out / "plan.json").read_text())["cloudNodesToRecycle"]
    assert entry["node"] == "cn-hangzhou.192.168.10.21" and entry["conflist"] == "10-calico.conflist"
    assert entry["why"] == ["DaemonSet kube-system/calico-node schedules there today"]
    assert any(
        "warning: cloud node cn-hangzhou.192.168.10.21 runs or ran Calico" in line
        for line in result.summary.splitlines()
    )


def test_a_pod_in_the_snapshot_names_a_node_the_daemonset_no_longer_reaches(tmp_path: Path) -> None:
    objects = yaml.safe_load(TWO_TERMS.read_text())
    objects["items"].append(calico_pod("cn-hangzhou.192.168.11.9"))
    snapshot = tmp_path / "with-pod.yaml"
    snapshot.write_text(yaml.safe_dump(objects))
    result = run_preview("dev", tmp_path, snapshot)
    assert result.exit_code == EXIT_OK
    entries = json.loads((tmp_path / "dev" / "plan.json").read_text())["cloudNodesToRecycle"]
    by_node = {e["node"]: e for e in entries}
    assert by_node["cn-hangzhou.192.168.11.9"]["why"] == ["its pod kube-system/calico-node-x7k2p is in the snapshot"]
    assert "cn-hangzhou.192.168.10.21" in by_node


def test_without_a_snapshot_no_node_is_named(tmp_path: Path) -> None:
    run_preview("dev", tmp_path)
    plan = (tmp_path / "dev" / "PLAN.md").read_text()
    assert "Cloud nodes to recycle" not in plan
    assert json.loads((tmp_path / "dev" / "plan.json").read_text())["cloudNodesToRecycle"] == []


def test_only_cloud_nodes_and_only_on_prem_cnis() -> None:
    cluster = FakeCluster.of(
        [
            make_node("idc-1", {}),
            make_node("ecs-1", CLOUD),
            make_node("ecs-2", CLOUD),
            calico_pod("idc-1", "calico-node-a"),
            make_workload("DaemonSet", "kube-system", "terway-eniip"),
        ]
    )
    placement = placement_of(
        [
            ("idc-1", False, [ObjectRef("DaemonSet", "calico-node", "kube-system")]),
            ("ecs-1", True, [ObjectRef("DaemonSet", "terway-eniip", "kube-system")]),
            (
                "ecs-2",
                True,
                [
                    ObjectRef("DaemonSet", "kube-flannel-ds", "kube-flannel"),
                    ObjectRef("DaemonSet", "terway-eniip", "kube-system"),
                ],
            ),
        ]
    )
    (entry,) = cloud_nodes_to_recycle(placement, cluster, Scenario.BGP)
    assert (entry["node"], entry["cni"], entry["conflist"]) == ("ecs-2", "Flannel", "10-flannel.conflist")
    assert cloud_nodes_to_recycle(placement, cluster, Scenario.OVERLAY) == [], "overlay: the CNI belongs there"


def test_a_tigera_installation_is_calico_and_an_unmodelled_cni_says_so() -> None:
    cluster = FakeCluster.of([make_node("ecs-1", CLOUD)])
    placement = placement_of(
        [("ecs-1", True, [ObjectRef("Installation", "default"), ObjectRef("DaemonSet", "weave-net", "kube-system")])]
    )
    entries = {e["cni"]: e for e in cloud_nodes_to_recycle(placement, cluster, Scenario.HOST)}
    assert entries["Calico"]["conflist"] == "10-calico.conflist"
    assert entries["Weave Net"]["conflist"] is None and entries["Weave Net"]["source"] is None


def test_every_modelled_conflist_is_a_conflist_and_cites_its_source() -> None:
    assert set(CNI_CONFLISTS) <= {
        "Calico",
        "Canal",
        "Flannel",
        "Cilium",
        "kube-router",
        "Weave Net",
        "Antrea",
        "Kube-OVN",
    }
    for cni, conflist in CNI_CONFLISTS.items():
        assert conflist.file.endswith(".conflist") and conflist.file in conflist.source, cni
        assert conflist.file < TERWAY_CONFLIST, f"{cni}'s file takes precedence over Terway's"


@pytest.mark.parametrize(
    ("field", "value"),
    [("spec", {"nodeName": 7}), ("metadata", {"name": "p", "namespace": "kube-system", "ownerReferences": "calico"})],
)
def test_a_pod_the_api_server_would_refuse_is_a_snapshot_error(tmp_path: Path, field: str, value: Any) -> None:
    objects = yaml.safe_load(TWO_TERMS.read_text())
    pod = copy.deepcopy(calico_pod("cn-hangzhou.192.168.11.9"))
    pod[field] = value
    objects["items"].append(pod)
    snapshot = tmp_path / "bad-pod.yaml"
    snapshot.write_text(yaml.safe_dump(objects))
    with pytest.raises(PreviewError) as info:
        run_preview("dev", tmp_path, snapshot)
    assert "Pod" in str(info.value)


def _entry(node: str, cni: str = "Calico") -> dict[str, Any]:
    return {
        "node": node,
        "cni": cni,
        "why": ["DaemonSet kube-system/calico-node schedules there today"],
        "conflist": CNI_CONFLISTS[cni].file if cni in CNI_CONFLISTS else None,
        "sortsBeforeTerway": True,
        "source": None,
        "remedy": REMEDY,
    }


def test_a_few_nodes_are_warned_one_by_one() -> None:
    lines = recycle_warnings([_entry(f"node-{i}") for i in range(3)])
    assert [line.split(" runs or ran ")[0] for line in lines] == [
        "cloud node node-0",
        "cloud node node-1",
        "cloud node node-2",
    ]


def test_thousands_of_nodes_are_one_warning_per_cni_with_the_count_and_the_first_nodes() -> None:
    lines = recycle_warnings([_entry(f"node-{i}") for i in range(2500)] + [_entry("edge-1", "Flannel")])
    assert len(lines) == 2
    calico = next(line for line in lines if "Calico" in line)
    assert calico.startswith("2500 cloud nodes run or ran Calico (node-0, node-1, node-2, and 2497 more;")
    assert "10-calico.conflist" in calico and calico.endswith(REMEDY)
    assert next(line for line in lines if "Flannel" in line).startswith("cloud node edge-1 runs or ran Flannel (")
