"""Placement helpers: the node index shared by the judgements, and the counted findings PLAN.md states."""

from __future__ import annotations

from typing import Any

from hybrid_terway import constants, scheduling
from hybrid_terway.settings import Scenario
from preview.fake_cluster import make_node
from preview.placement import NodeIndex, findings, with_before

CLOUD = {"alibabacloud.com/external": "true"}


def test_node_index_admits_what_pod_fits_node_admits() -> None:
    nodes = [
        make_node("a", {"kubernetes.io/arch": "arm64"}),
        make_node("b", CLOUD),
        make_node("c", {**CLOUD, "kubernetes.io/arch": "arm64"}),
    ]
    specs: list[dict[str, Any] | None] = [
        None,
        {"nodeSelector": {"kubernetes.io/arch": "arm64"}},
        {"affinity": scheduling.exclude_affinity(None, constants.CLOUD_NODE_LABEL)},
        {"nodeSelector": dict(CLOUD), "affinity": scheduling.exclude_affinity(None, constants.CLOUD_NODE_LABEL)},
    ]
    index = NodeIndex(nodes)
    for spec in specs + specs:  # the second pass answers from the index
        expected = {n["metadata"]["name"] for n in nodes if scheduling.pod_fits_node(spec, n)}
        assert index.admitted(spec) == expected


def node(name: str, cloud: bool, cni: list[str], workloads: list[str], before: dict[str, Any]) -> dict[str, Any]:
    ok = len(cni) == 1 and not (cloud and workloads)
    return {"name": name, "cloud": cloud, "cni": cni, "onPremWorkloads": workloads, "ok": ok, "before": before}


def test_findings_count_what_is_wrong_today_and_after() -> None:
    calico, terway = "DaemonSet kube-system/calico-node", "DaemonSet kube-system/terway-eniip"
    nodes = [
        node("c1", True, [terway], [], {"cni": [calico, terway], "onPremWorkloads": ["Deployment a/b"], "ok": False}),
        node("c2", True, [terway], [], {"cni": [calico, terway], "onPremWorkloads": [], "ok": False}),
        node("c3", True, [terway], [], {"cni": [calico], "onPremWorkloads": [], "ok": False}),
        node("p1", False, [calico], [], {"cni": [], "onPremWorkloads": [], "ok": False}),
        node("p2", False, [calico], [], {"cni": [calico], "onPremWorkloads": [], "ok": True}),
    ]
    assert findings(nodes, Scenario.BGP, today=True) == [
        "1 cloud node can run on-prem workloads",
        f"1 cloud node runs {calico}, not terway-eniip only",
        "2 cloud nodes run two CNIs",
        "1 on-prem node runs no CNI",
    ]
    assert findings(nodes, Scenario.BGP, today=False) == []


def test_with_before_keeps_the_after_state_and_adds_today() -> None:
    after = {"ok": True, "problems": [], "nodes": [{"name": "n", "cni": ["x"], "onPremWorkloads": [], "ok": True}]}
    before = {"ok": False, "problems": ["p"], "nodes": [{"name": "n", "cni": [], "onPremWorkloads": [], "ok": False}]}
    merged = with_before(after, before)
    assert merged["nodes"][0] == {**after["nodes"][0], "before": {"cni": [], "onPremWorkloads": [], "ok": False}}
    assert merged["before"] == {"ok": False, "problems": ["p"]} and merged["ok"] is True
