"""Placement helpers: the node index shared by the judgements, and the counted findings PLAN.md states."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hybrid_terway.core import constants, scheduling
from hybrid_terway.core.topology import ObjectRef
from hybrid_terway.core.vocabulary import Scenario
from preview.report.placement import Cni, NodeState, NodeVerdict, Placement, findings, judge_placement, with_before
from preview.run import settings_of
from preview.world.fake_cluster import FakeCluster, make_node, make_workload
from preview.world.node_index import NodeIndex
from tests.conftest import stack_config
from tests.core.test_scheduling_properties import PROFILE, named_node_lists, pod_specs

CLOUD = {"alibabacloud.com/external": "true"}
REQUIRED = scheduling.REQUIRED_AFFINITY
NAME_IS_DC0 = {"key": "metadata.name", "operator": "In", "values": ["dc-0"]}
DEV_WORKLOADS = [{"kind": "DaemonSet", "namespace": "kube-system", "name": "calico-node"}]


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


def cni(ref: ObjectRef) -> Cni:
    """The CNI workload ``ref`` as placement holds it."""
    return Cni.of({"kind": ref.kind, "metadata": {"name": ref.name, "namespace": ref.namespace}})


def state(cnis: list[ObjectRef], workloads: list[str], ok: bool | None = None) -> NodeState:
    return NodeState(tuple(cni(c) for c in cnis), tuple(workloads), len(cnis) == 1 if ok is None else ok)


def node(name: str, cloud: bool, cnis: list[ObjectRef], before: NodeState) -> NodeVerdict:
    return NodeVerdict(name, cloud, {}, state(cnis, []), before)


def test_findings_count_what_is_wrong_today_and_after() -> None:
    calico, terway = (
        ObjectRef("DaemonSet", "calico-node", "kube-system"),
        ObjectRef("DaemonSet", "terway-eniip", "kube-system"),
    )
    nodes = (
        node("c1", True, [terway], state([calico, terway], ["Deployment a/b"], ok=False)),
        node("c2", True, [terway], state([calico, terway], [], ok=False)),
        node("c3", True, [terway], state([calico], [], ok=False)),
        node("p1", False, [calico], state([], [], ok=False)),
        node("p2", False, [calico], state([calico], [], ok=True)),
    )
    placement = Placement(Scenario.BGP, constants.CLOUD_NODE_LABEL, False, (), nodes, (False, ("p",)))
    assert findings(placement, today=True) == [
        "1 cloud node can run on-prem workloads",
        f"1 cloud node runs {calico}, not terway-eniip only",
        "2 cloud nodes run two CNIs",
        "1 on-prem node runs no CNI",
    ]
    assert findings(placement, today=False) == []


def test_two_daemonsets_of_one_cni_count_as_one_cni() -> None:
    ovn = [ObjectRef("DaemonSet", "ovs-ovn", "kube-system"), ObjectRef("DaemonSet", "kube-ovn-cni", "kube-system")]
    today = state(ovn, [], ok=False)
    placement = Placement(Scenario.BGP, constants.CLOUD_NODE_LABEL, False, (), (node("p", False, ovn, today),))
    assert placement.nodes[0].after.cnis[0].cni == placement.nodes[0].after.cnis[1].cni
    assert findings(placement, today=False) == []


def test_with_before_keeps_the_after_state_and_adds_today() -> None:
    after_state, today = state([ObjectRef("DaemonSet", "x", "kube-system")], []), state([], [], ok=False)
    after = Placement(Scenario.BGP, constants.CLOUD_NODE_LABEL, False, (), (NodeVerdict("n", False, {}, after_state),))
    before = Placement(Scenario.BGP, constants.CLOUD_NODE_LABEL, False, ("p",), (NodeVerdict("n", False, {}, today),))
    merged = with_before(after, before)
    assert merged.nodes[0] == NodeVerdict("n", False, {}, after_state, today)
    assert merged.today == (False, ("p",)) and merged.ok is True
    assert merged.as_json()["nodes"][0] == {
        "name": "n",
        "cloud": False,
        "labels": {},
        "cni": ["DaemonSet kube-system/x"],
        "onPremWorkloads": [],
        "ok": True,
        "before": {"cni": [], "onPremWorkloads": [], "ok": False},
    }
    assert merged.as_json()["before"] == {"ok": False, "problems": ["p"]}
    assert "before" not in after.as_json()


# --- node classes: judged once per class, exactly as node by node --------------------------------------------

ONPREM_APP = {"kind": "Deployment", "namespace": "apps", "name": "ledger"}


def _cluster(nodes: list[dict[str, Any]], calico: Any, terway: Any, app: Any) -> FakeCluster:
    objects = list({n["metadata"]["name"]: n for n in nodes}.values())
    for (kind, namespace, name), spec in (
        (("DaemonSet", "kube-system", "calico-node"), calico),
        (("DaemonSet", "kube-system", "terway-eniip"), terway),
        (("Deployment", "apps", "ledger"), app),
    ):
        workload = make_workload(kind, namespace, name)
        workload["spec"]["template"]["spec"] = {**(spec or {}), "containers": [{"name": name, "image": "x"}]}
        objects.append(workload)
    return FakeCluster.of(objects)


@PROFILE
@given(st.lists(pod_specs, max_size=4), pod_specs, named_node_lists)
def test_node_classes_admit_exactly_what_each_node_admits(
    declared: list[dict[str, Any] | None], other: dict[str, Any] | None, nodes: list[dict[str, Any]]
) -> None:
    nodes = list({n["metadata"]["name"]: n for n in nodes}.values())
    index = NodeIndex(nodes, declared, constants.CLOUD_NODE_LABEL)
    assert len(index.views) <= len(nodes)
    for spec in [*declared, other]:  # `other` may read labels the classes do not tell apart
        expected = {n["metadata"]["name"] for n in nodes if scheduling.pod_fits_node(spec, n)}
        assert index.admitted(spec) == expected
    for spec in declared:
        classes = index.admitted_classes(spec)
        assert {name for c in classes for name in index.members[c]} == index.admitted(spec)


@PROFILE
@given(pod_specs, pod_specs, pod_specs, named_node_lists)
def test_placement_by_class_is_placement_node_by_node(
    calico: dict[str, Any] | None, terway: dict[str, Any] | None, app: dict[str, Any] | None, nodes: list[Any]
) -> None:
    settings = settings_of(stack_config("dev", onPremWorkloads=json.dumps([*DEV_WORKLOADS, ONPREM_APP])))
    cluster = _cluster(nodes, calico, terway, app)
    by_node = judge_placement(cluster, settings, False, NodeIndex(cluster.nodes()))
    assert judge_placement(cluster, settings, False) == by_node


def test_nodes_alike_for_every_workload_share_one_class() -> None:
    cloud = [make_node(f"cloud-{i}", {**CLOUD, "topology.kubernetes.io/zone": f"z{i % 3}"}) for i in range(30)]
    onprem = [make_node(f"dc-{i}", {"rack": str(i)}) for i in range(20)]
    specs = [{"nodeSelector": {"kubernetes.io/os": "linux"}}, None]
    index = NodeIndex(cloud + onprem, specs, constants.CLOUD_NODE_LABEL)
    assert sorted(len(m) for m in index.members) == [20, 30]  # zone and rack are read by no workload
    zoned = [{"nodeSelector": {"topology.kubernetes.io/zone": "z1"}}]
    assert len(NodeIndex(cloud + onprem, zoned, constants.CLOUD_NODE_LABEL).views) == 4
    by_name = [{"affinity": {"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": [{"matchFields": [NAME_IS_DC0]}]}}}}]
    assert len(NodeIndex(cloud + onprem, by_name, constants.CLOUD_NODE_LABEL).views) == 50
