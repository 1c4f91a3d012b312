"""The fake cluster owns fields as the API server does: managedFields, conflicts, force, removal, shared ownership,
updates, list and map semantics, generation and resourceVersion."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from hybrid_terway.core import constants, ssa
from preview.world.fake_cluster import (
    ADDON_MANAGER,
    BEFORE_FIRST_APPLY,
    HELM_MANAGER,
    KUBECTL_CSA_MANAGER,
    ApplyConflict,
    ClusterError,
    FakeCluster,
    SnapshotError,
    load_snapshot,
    make_workload,
)

DS = "kubernetes:apps/v1:DaemonSet"
DS_PATCH = "kubernetes:apps/v1:DaemonSetPatch"
CM_PATCH = "kubernetes:core/v1:ConfigMapPatch"
REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
EXCLUSION = {"key": "alibabacloud.com/external", "operator": "NotIn", "values": ["true"]}


def affinity(*expressions: dict[str, Any]) -> dict[str, Any]:
    return {"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": [{"matchExpressions": list(expressions)}]}}}


def calico(**annotations: str) -> dict[str, Any]:
    ds = make_workload("DaemonSet", "kube-system", "calico-node")
    ds["metadata"]["annotations"] = dict(annotations)
    ds["metadata"]["resourceVersion"] = "41"
    ds["metadata"]["generation"] = 3
    ds["status"] = {"desiredNumberScheduled": 2}
    return ds


def affinity_patch(*expressions: dict[str, Any], name: str = "calico-node") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "kube-system"},
        "spec": {"template": {"spec": {"affinity": affinity(*expressions)}}},
    }


def owners(obj: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["manager"], e["operation"]): e["fieldsV1"] for e in obj["metadata"]["managedFields"]}


HELM = {"meta.helm.sh/release-name": "calico", "meta.helm.sh/release-namespace": "kube-system"}


def test_an_object_without_managed_fields_is_owned_by_its_creator() -> None:
    """A snapshot without --show-managed-fields: the owner follows from the object."""
    cluster = FakeCluster.of([calico(**HELM)])
    read = cluster.read(DS, "kube-system/calico-node")
    fields = owners(read)[(HELM_MANAGER, "Update")]
    assert fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"calico-node"}']["f:image"] == {}
    assert "f:status" not in fields, "status belongs to the status subresource"
    assert "f:name" not in fields["f:metadata"], "metadata.name is never owned (stripmeta.go)"

    kubectl = calico(**{"kubectl.kubernetes.io/last-applied-configuration": "{}"})
    assert FakeCluster.of([kubectl]).managed_fields("DaemonSet", "kube-system", "calico-node").keys() == {
        ssa.Manager(KUBECTL_CSA_MANAGER, "Update", "apps/v1")
    }
    plain = FakeCluster.of([calico()]).managed_fields("DaemonSet", "kube-system", "calico-node")
    assert [m.name for m in plain] == [BEFORE_FIRST_APPLY]
    addon = FakeCluster()
    addon.install_addon(constants.TERWAY_ADDON, constants.CLOUD_NODE_LABEL)
    config = addon.read(CM_PATCH, "kube-system/eni-config")
    assert owners(config)[(ADDON_MANAGER, "Update")]["f:data"] == {".": {}, "f:10-terway.conf": {}, "f:eni_conf": {}}


def test_an_apply_that_changes_another_managers_field_is_the_api_servers_409() -> None:
    ds = calico(**HELM)
    linux = {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}
    ds["spec"]["template"]["spec"]["affinity"] = affinity(linux)
    cluster = FakeCluster.of([ds])
    before = cluster.objects[("DaemonSet", "kube-system", "calico-node")]
    with pytest.raises(ApplyConflict) as caught:
        cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="hybrid-terway")
    assert str(caught.value) == (
        'Apply failed with 1 conflict: conflict with "helm" using apps/v1: '
        ".spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
    )
    assert caught.value.conflicts == [
        ("helm", ".spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution")
    ]
    assert cluster.objects[("DaemonSet", "kube-system", "calico-node")] is before, "nothing written"

    forced = cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="hybrid-terway", force=True)
    fields = owners(forced)
    node_affinity = fields[("hybrid-terway", "Apply")]["f:spec"]["f:template"]["f:spec"]["f:affinity"]
    assert node_affinity == {"f:nodeAffinity": {"f:" + REQUIRED: {}}}
    helm_spec = fields[(HELM_MANAGER, "Update")]["f:spec"]["f:template"]["f:spec"]
    assert "f:" + REQUIRED not in helm_spec["f:affinity"]["f:nodeAffinity"], "force takes the field"
    assert forced["spec"]["template"]["spec"]["affinity"] == affinity(EXCLUSION), "atomic: replaced whole"


def test_several_conflicts_are_grouped_by_manager() -> None:
    cluster = FakeCluster.of([calico()])
    live = cluster.read(DS, "kube-system/calico-node")
    live["spec"]["template"]["spec"]["hostNetwork"] = True
    cluster.update(live, manager="kubectl-edit")
    patch = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "calico-node", "namespace": "kube-system"},
        "spec": {"template": {"spec": {"hostNetwork": False, "nodeSelector": {"a": "b"}}}},
    }
    with pytest.raises(ApplyConflict) as caught:
        cluster.apply(DS_PATCH, patch, manager="hybrid-terway")
    assert str(caught.value) == (
        "Apply failed with 2 conflicts: "
        'conflicts with "before-first-apply" using apps/v1:\n- .spec.template.spec.nodeSelector\n'
        'conflicts with "kubectl-edit" using apps/v1:\n- .spec.template.spec.hostNetwork'
    )


def test_the_same_value_is_shared_and_no_conflict() -> None:
    ds = calico(**HELM)
    ds["spec"]["template"]["spec"]["affinity"] = affinity(EXCLUSION)
    cluster = FakeCluster.of([ds])
    out = cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="hybrid-terway")
    fields = owners(out)
    for manager in (("hybrid-terway", "Apply"), (HELM_MANAGER, "Update")):
        assert "f:" + REQUIRED in fields[manager]["f:spec"]["f:template"]["f:spec"]["f:affinity"]["f:nodeAffinity"]


def test_fields_an_applier_stops_applying_are_removed_unless_someone_else_owns_them() -> None:
    cluster = FakeCluster.of([calico()])
    cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="hybrid-terway")
    annotation_only = affinity_patch(EXCLUSION)
    annotation_only["spec"] = {"template": {"metadata": {"annotations": {"x": "1"}}}}
    out = cluster.apply(DS_PATCH, annotation_only, manager="hybrid-terway")
    assert "affinity" not in out["spec"]["template"]["spec"], "removed: nobody else owns it"
    assert out["spec"]["template"]["spec"]["containers"][0]["image"], "other managers' fields stay"

    cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="hybrid-terway")
    cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="other-applier")
    out = cluster.apply(DS_PATCH, annotation_only, manager="hybrid-terway")
    assert out["spec"]["template"]["spec"]["affinity"] == affinity(EXCLUSION), "kept: another applier owns it"


def test_relinquish_removes_what_only_the_manager_owned() -> None:
    cluster = FakeCluster.of([calico()])
    cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="hybrid-terway")
    out = cluster.relinquish(DS_PATCH, "kube-system/calico-node", manager="hybrid-terway")
    assert "affinity" not in out["spec"]["template"]["spec"]
    assert "hybrid-terway" not in {e["manager"] for e in out["metadata"]["managedFields"]}


def test_an_update_takes_the_fields_it_changes() -> None:
    """A helm upgrade that resets the affinity: Helm owns the field again, the program's apply conflicts."""
    cluster = FakeCluster.of([calico(**HELM)])
    cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="hybrid-terway")
    live = cluster.read(DS, "kube-system/calico-node")
    linux = {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}
    live["spec"]["template"]["spec"]["affinity"] = affinity(linux)
    cluster.update(live, manager=HELM_MANAGER)
    fields = owners(cluster.read(DS, "kube-system/calico-node"))
    assert "f:affinity" not in fields.get(("hybrid-terway", "Apply"), {}).get("f:spec", {}).get("f:template", {}).get(
        "f:spec", {}
    )
    with pytest.raises(ApplyConflict, match='conflict with "helm" using apps/v1'):
        cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="hybrid-terway")


def test_a_stale_update_is_refused() -> None:
    cluster = FakeCluster.of([calico()])
    stale = cluster.read(DS, "kube-system/calico-node")
    cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="hybrid-terway")
    with pytest.raises(ClusterError, match=r'Operation cannot be fulfilled on daemonsets\.apps "calico-node"'):
        cluster.update(stale, manager="kubectl-edit")


def test_generation_moves_with_the_spec_and_resource_version_with_every_change() -> None:
    cluster = FakeCluster.of([calico()])
    first = cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="hybrid-terway")
    assert first["metadata"]["generation"] == 4 and first["metadata"]["resourceVersion"] == "42"
    assert first["status"] == {"desiredNumberScheduled": 2}, "a write of the main resource keeps the status"
    again = cluster.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="hybrid-terway")
    assert again["metadata"]["resourceVersion"] == "42", "an apply that changes nothing is not written"
    labelled = affinity_patch(EXCLUSION)
    labelled["metadata"]["labels"] = {"team": "net"}
    third = cluster.apply(DS_PATCH, labelled, manager="hybrid-terway")
    assert third["metadata"]["resourceVersion"] == "43" and third["metadata"]["generation"] == 4, "not the spec"


def test_managed_fields_in_a_snapshot_are_kept_and_honoured() -> None:
    source = FakeCluster.of([calico()])
    source.apply(DS_PATCH, affinity_patch(EXCLUSION), manager="operator-x")
    snapshot = copy.deepcopy(source.read(DS, "kube-system/calico-node"))
    cluster = FakeCluster.of([snapshot])
    assert cluster.read(DS, "kube-system/calico-node")["metadata"]["managedFields"] == snapshot["metadata"][
        "managedFields"
    ]
    linux = {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}
    with pytest.raises(ApplyConflict, match='conflict with "operator-x": '):
        cluster.apply(DS_PATCH, affinity_patch(linux), manager="hybrid-terway")


def test_containers_and_env_merge_by_name() -> None:
    cluster = FakeCluster.of([calico()])
    patch = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "calico-node", "namespace": "kube-system"},
        "spec": {"template": {"spec": {"containers": [{"name": "calico-node", "env": [{"name": "A", "value": "1"}]}]}}},
    }
    out = cluster.apply(DS_PATCH, patch, manager="hybrid-terway")
    container = out["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "registry.example.com/calico-node:stable" and container["env"] == [
        {"name": "A", "value": "1"}
    ]


def test_an_apply_creates_only_a_whole_object_and_needs_a_manager() -> None:
    """An apply of what does not exist creates it (handlers/patch.go: forceAllowCreate), through a Patch resource as
    through any other; a partial DaemonSet is the API server's 422."""
    cluster = FakeCluster()
    invalid = (
        r'^DaemonSet\.apps "calico-node" is invalid: \[spec\.selector: Required value, '
        r"spec\.template\.spec\.containers: Required value, spec\.template\.metadata\.labels: Invalid value: null: "
        r"`selector` does not match template `labels`\]$"
    )
    for token in (DS_PATCH, DS):
        with pytest.raises(ClusterError, match=invalid):
            cluster.apply(token, affinity_patch(EXCLUSION), manager="hybrid-terway")
    assert cluster.objects == {}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "eni-config", "namespace": "kube-system"}}
    created = cluster.apply(CM_PATCH, {**config, "data": {"eni_conf": "{}"}}, manager="hybrid-terway")
    assert created["data"] == {"eni_conf": "{}"} and created["metadata"]["resourceVersion"]
    assert [e["manager"] for e in created["metadata"]["managedFields"]] == ["hybrid-terway"]
    whole = calico()
    del whole["status"], whole["metadata"]["resourceVersion"]
    for selector, message in [
        ({"matchLabels": {"app": "calico"}}, r'labels: Invalid value: \{"app":"calico-node"\}: `selector` does'),
        ({}, r"^DaemonSet\.apps \"calico-node\" is invalid: spec\.selector: Invalid value: \{\}: empty selector is"),
        ({"matchExpressions": [{"key": "app", "operator": "Gt", "values": ["1"]}]}, r"operator 'Gt' is not one"),
    ]:
        with pytest.raises(ClusterError, match=message):
            cluster.apply(DS_PATCH, {**whole, "spec": {**whole["spec"], "selector": selector}}, manager="m")
    assert cluster.apply(DS_PATCH, whole, manager="m")["spec"]["selector"] == whole["spec"]["selector"]
    with pytest.raises(ClusterError, match="fieldManager: Required value"):
        cluster.apply(DS, affinity_patch(EXCLUSION), manager="")
    body = affinity_patch(EXCLUSION)
    body["metadata"]["managedFields"] = []
    with pytest.raises(ClusterError, match=r"metadata\.managedFields must be nil"):
        cluster.apply(DS, body, manager="m")
    before = dict(cluster.objects)
    other = calico()
    del other["status"], other["metadata"]["resourceVersion"]
    other["metadata"]["name"] = "calico-typha"
    created = cluster.apply(DS, other, manager="m", dry_run=True)
    assert created["metadata"]["generation"] == 1 and cluster.objects == before, "a dry run stores nothing"


# --- upstream's own cases, ported as data (tests/data/ssa/) ------------------------------------------------------

DATA = Path(__file__).parents[1] / "data" / "ssa"
SMD = yaml.safe_load((DATA / "structured-merge-diff.yaml").read_text())
APISERVER = yaml.safe_load((DATA / "apiserver-apply.yaml").read_text())


def _names(managed: ssa.ManagedFields) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for manager, owned in managed.items():
        out.setdefault(manager.name, set()).update(ssa.path_string(p) for p in owned.fields)
    return {name: sorted(paths) for name, paths in out.items()}


@pytest.mark.parametrize("case", SMD["cases"], ids=[c["origin"] for c in SMD["cases"]])
def test_structured_merge_diff_case(case: dict[str, Any]) -> None:
    schema = SMD["schemas"][case["schema"]]
    live: dict[str, Any] = {}
    managed: ssa.ManagedFields = {}
    for op in case["ops"]:
        if "update" in op:
            outcome = ssa.update(live, op["object"], schema, managed, ssa.Manager(op["update"], ssa.UPDATE, "v1"))
            live, managed = dict(outcome.obj or {}), outcome.managed
            continue
        manager = ssa.Manager(op["apply"], ssa.APPLY)
        if op.get("conflicts"):
            with pytest.raises(ssa.Conflicts) as caught:
                ssa.apply(live, op["object"], schema, managed, manager, bool(op.get("force")), "v1")
            got = [[m.name, ssa.path_string(p)] for m, p in caught.value.conflicts]
            assert got == op["conflicts"]
            continue
        outcome = ssa.apply(live, op["object"], schema, managed, manager, bool(op.get("force")), "v1")
        live = outcome.obj if outcome.obj is not None else live
        managed = outcome.managed
    assert live == case["object"]
    if "managed" in case:
        assert _names(managed) == {name: sorted(paths) for name, paths in case["managed"].items()}


@pytest.mark.parametrize("case", SMD["messages"], ids=[c["origin"] for c in SMD["messages"]])
def test_structured_merge_diff_conflict_message(case: dict[str, Any]) -> None:
    sets = {ssa.Manager(name, ssa.APPLY): ssa.parse_fields_v1(fields) for name, fields in case["sets"].items()}
    assert ssa.conflict_message(ssa.conflicts_from_managers(sets)) == case["message"]


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge_patch(out.get(key), value)
    return out


def _at(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        elif isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return _MISSING
    return obj


_MISSING = object()


@pytest.mark.parametrize("case", APISERVER["cases"], ids=[c["origin"] for c in APISERVER["cases"]])
def test_api_server_apply_case(case: dict[str, Any]) -> None:
    cluster = FakeCluster()
    for op in case["ops"]:
        if "create" in op:
            cluster.create(op["object"], manager=op["create"])
        elif "put" in op:
            cluster.update(cluster.read(op["token"], op["id"]), manager=op["put"])
        elif "merge-patch" in op:
            current = cluster.read(op["token"], op["id"])
            cluster.update(_merge_patch(current, op["patch"]), manager=op["merge-patch"])
        elif op.get("error"):
            with pytest.raises(ClusterError) as caught:
                cluster.apply(op["token"], op["object"], manager=op["apply"], force=bool(op.get("force")))
            assert op["error"] in str(caught.value)
        else:
            cluster.apply(op["token"], op["object"], manager=op["apply"], force=bool(op.get("force")))
    obj = cluster.read(case["token"], case["id"])
    entries = [{k: v for k, v in e.items() if k != "time"} for e in obj["metadata"].get("managedFields", [])]
    for expected in case.get("managedFields", []):
        assert expected in entries, entries
    if "managers" in case:
        assert len(entries) == case["managers"], entries
    for dotted, value in case.get("values", {}).items():
        assert _at(obj, dotted) == value
    for dotted in case.get("absent", []):
        assert _at(obj, dotted) is _MISSING, obj


def test_a_snapshot_with_managed_fields_the_api_server_could_not_decode_is_refused() -> None:
    ds = calico()
    ds["metadata"]["managedFields"] = [{"manager": "x", "operation": "Patch", "apiVersion": "apps/v1"}]
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [ds]})
    with pytest.raises(SnapshotError, match=r"DaemonSet kube-system/calico-node: metadata\.managedFields\[0\]: "
                                            "operation must be `Apply` or `Update`"):  # fmt: skip
        load_snapshot(text)
    ds["metadata"]["managedFields"] = [
        {"manager": "x", "operation": "Update", "apiVersion": "apps/v1", "fieldsType": "FieldsV1",
         "fieldsV1": {"spec": {}}}
    ]  # fmt: skip
    with pytest.raises(SnapshotError, match="'spec' is not a field path element"):
        load_snapshot(yaml.safe_dump(ds))


def test_an_object_that_does_not_fit_its_type_is_an_error_naming_it() -> None:
    ds = calico()
    del ds["spec"]["template"]["spec"]["containers"][0]["name"]
    cluster = FakeCluster.of([ds])
    with pytest.raises(ClusterError, match=r'DaemonSet kube-system/calico-node is invalid: .*omits key field "name"'):
        cluster.read(DS, "kube-system/calico-node")


def test_the_providers_transfer_of_client_side_managers_to_its_own() -> None:
    """fixCSAFieldManagers: a Secret made with kubectl becomes the provider's before it applies, so no conflict."""
    cluster = FakeCluster()
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "alibaba-addon-secret", "namespace": "kube-system"},
        "data": {"access-key-id": "a2V5", "access-key-secret": "c2VjcmV0"},
    }
    cluster.create(secret, manager="kubectl-create")
    body = copy.deepcopy(secret)
    body["data"] = {"access-key-id": "bmV3", "access-key-secret": "bmV3"}
    token = "kubernetes:core/v1:Secret"
    with pytest.raises(ApplyConflict, match='conflicts with "kubectl-create" using v1:'):
        cluster.apply(token, body, manager="pulumi-kubernetes-1a2b3c4d")
    unchanged = cluster.replace_managers(
        token, "kube-system/alibaba-addon-secret", managers=[("before-first-apply", "Update")], manager="p"
    )
    assert {e["manager"] for e in unchanged["metadata"]["managedFields"]} == {"kubectl-create"}
    pulumi = "pulumi-kubernetes-1a2b3c4d"
    moved = cluster.replace_managers(
        token, "kube-system/alibaba-addon-secret", managers=[("kubectl", "Update")], manager=pulumi
    )
    assert [(e["manager"], e["operation"]) for e in moved["metadata"]["managedFields"]] == [
        ("pulumi-kubernetes-1a2b3c4d", "Apply")
    ]
    out = cluster.apply(token, body, manager="pulumi-kubernetes-1a2b3c4d")
    assert out["data"] == body["data"]


def test_node_selectors_merge_as_their_schemas_say() -> None:
    """PodSpec.nodeSelector is atomic (the OpenAPI's x-kubernetes-map-type); the tigera Installation's is not."""
    live = {"nodeSelector": {"kubernetes.io/os": "linux"}, "hostNetwork": True}
    patch = {"nodeSelector": {"alibabacloud.com/external": "true"}}
    assert ssa.apply_patch(live, patch, ssa.POD_SPEC)["nodeSelector"] == {"alibabacloud.com/external": "true"}
    installation = {
        "apiVersion": "operator.tigera.io/v1",
        "kind": "Installation",
        "metadata": {"name": "default"},
        "spec": {"calicoNodeDaemonSet": {"spec": {"template": {"spec": live}}}},
    }
    merged = ssa.apply_patch(installation, {"spec": {"calicoNodeDaemonSet": {"spec": {"template": {"spec": patch}}}}})
    assert merged["spec"]["calicoNodeDaemonSet"]["spec"]["template"]["spec"]["nodeSelector"] == {
        "kubernetes.io/os": "linux",
        "alibabacloud.com/external": "true",
    }
