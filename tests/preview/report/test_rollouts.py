"""Which changes roll which workloads, on how many nodes, with which strategy and why."""

from __future__ import annotations

import copy
from typing import Any

from hybrid_terway.core import constants, scheduling
from preview.report.artifacts import rollouts_markdown
from preview.report.diff import object_change
from preview.report.rollouts import Rollout, rollouts
from preview.world.fake_cluster import Key, key_of, make_node, make_workload

CLOUD = {"alibabacloud.com/external": "true"}


def cluster(*objects: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    nodes = [make_node("onprem-1", {}), make_node("onprem-2", {}), make_node("cloud-1", CLOUD)]
    return {key_of(o): o for o in [*nodes, *objects]}


def patched(obj: dict[str, Any], patch: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    kind, namespace, name = key_of(obj)
    change = object_change(kind, namespace, name, obj, patch)
    assert change.after is not None
    return change, {**change.after, "apiVersion": obj["apiVersion"], "kind": kind}


def exclusion_patch() -> dict[str, Any]:
    affinity = scheduling.exclude_affinity(None, constants.CLOUD_NODE_LABEL)
    return {"spec": {"template": {"spec": {"affinity": affinity}}}}


def test_affinity_patch_rolls_a_daemonset_on_the_nodes_it_keeps() -> None:
    calico = make_workload("DaemonSet", "kube-system", "calico-node")
    change, after = patched(calico, exclusion_patch())
    before = cluster(calico)
    found = rollouts([change], before, {**before, key_of(after): after})
    assert found == [Rollout("DaemonSet", "kube-system", "calico-node", 2, 1, 0, "RollingUpdate", "affinity")]
    assert found[0].as_json() == {
        "kind": "DaemonSet",
        "namespace": "kube-system",
        "name": "calico-node",
        "nodes": 2,
        "nodesLeft": 1,
        "nodesJoined": 0,
        "strategy": "RollingUpdate",
        "reason": "affinity",
    }


def test_config_hash_annotation_rolls_and_says_so_with_the_workloads_strategy() -> None:
    terway = make_workload("DaemonSet", "kube-system", "terway-eniip")
    terway["spec"]["template"]["spec"]["nodeSelector"] = dict(CLOUD)
    terway["spec"]["updateStrategy"] = {"type": "OnDelete"}
    patch = {"spec": {"template": {"metadata": {"annotations": {constants.RESTART_ANNOTATION: "abc"}}}}}
    change, after = patched(terway, patch)
    before = cluster(terway)
    [found] = rollouts([change], before, {**before, key_of(after): after})
    assert (found.nodes, found.nodes_left, found.strategy) == (1, 0, "OnDelete")
    assert found.reason == "config hash (annotation hybrid-terway/config-hash)"


def test_deployment_and_statefulset_roll_their_replicas() -> None:
    web = make_workload("Deployment", "apps", "web")
    web["spec"]["replicas"] = 3
    db = make_workload("StatefulSet", "apps", "db")
    db["spec"]["updateStrategy"] = {"type": "OnDelete"}
    changes, after = [], cluster(web, db)
    for obj in (web, db):
        change, new = patched(obj, exclusion_patch())
        changes.append(change)
        after[key_of(new)] = new
    found = rollouts(changes, cluster(web, db), after)
    assert [(r.kind, r.nodes, r.strategy) for r in found] == [
        ("Deployment", 3, "RollingUpdate"),
        ("StatefulSet", constants.DEFAULT_REPLICAS, "OnDelete"),
    ]


def test_changes_outside_the_pod_template_and_creates_roll_nothing() -> None:
    calico = make_workload("DaemonSet", "kube-system", "calico-node")
    labels_only, _ = patched(calico, {"metadata": {"labels": {constants.PLACEMENT_LABEL: "on-prem"}}})
    created = object_change("DaemonSet", "kube-system", "terway-eniip", None, exclusion_patch())
    same, _ = patched(calico, {"spec": copy.deepcopy(calico["spec"])})
    assert rollouts([labels_only, created, same], cluster(calico), cluster(calico)) == []


def tigera_objects() -> tuple[dict[str, Any], dict[str, Any]]:
    installation = make_workload("Installation", None, "default")
    node = make_workload("DaemonSet", constants.TIGERA_NAMESPACE, "calico-node")
    node["metadata"]["ownerReferences"] = [{"apiVersion": constants.TIGERA_API_VERSION, "kind": "Installation"}]
    node["metadata"]["ownerReferences"][0]["name"] = "default"
    return installation, node


def test_an_installation_patch_rolls_the_calico_node_daemonset_the_operator_renders() -> None:
    installation, node = tigera_objects()
    node["spec"]["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}
    affinity = scheduling.exclude_affinity(None, constants.CLOUD_NODE_LABEL)
    patch = {"spec": {"calicoNodeDaemonSet": {"spec": {"template": {"spec": {"affinity": affinity}}}}}}
    change, after = patched(installation, patch)
    before = cluster(installation, node)
    [found] = rollouts([change], before, {**before, key_of(after): after})
    assert (found.kind, found.namespace, found.name) == ("DaemonSet", "calico-system", "calico-node")
    assert (found.nodes, found.nodes_left, found.strategy) == (2, 1, "RollingUpdate")
    assert found.reason == "Installation default: affinity"


def test_an_installation_without_its_daemonset_in_the_snapshot_uses_its_own_update_strategy() -> None:
    installation, _ = tigera_objects()
    installation["spec"]["nodeUpdateStrategy"] = {"type": "OnDelete"}
    affinity = scheduling.exclude_affinity(None, constants.CLOUD_NODE_LABEL)
    patch = {"spec": {"calicoNodeDaemonSet": {"spec": {"template": {"spec": {"affinity": affinity}}}}}}
    change, after = patched(installation, patch)
    before = cluster(installation)
    [found] = rollouts([change], before, {**before, key_of(after): after})
    assert (found.name, found.nodes, found.nodes_left, found.strategy) == ("calico-node", 2, 1, "OnDelete")


def test_plan_md_says_an_on_delete_rollout_waits_for_pod_deletion() -> None:
    lines = rollouts_markdown([Rollout("StatefulSet", "db", "pg", 3, 0, 0, "OnDelete", "affinity")])
    assert "| StatefulSet db/pg | 3 replicas, each only when its pod is deleted | OnDelete | affinity |" in lines
