"""On-prem workload patches: merged affinity from the live object, every kind, the tigera operator, readiness."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest

from hybrid_terway.core import scheduling
from hybrid_terway.core.settings import OnPremWorkload
from hybrid_terway.core.topology import patch_refusal
from hybrid_terway.core.vocabulary import WorkloadKind
from hybrid_terway.isolation import isolation_patch_spec
from preview.engine.wire import unwrap
from preview.run import PreviewError, preview, settings_of
from preview.world.fake_cluster import FakeCluster, make_kubernetes_service, make_node, make_workload
from tests.conftest import ROOT, dev_variant, one, run_stack, stack_config, world_for

LABEL = "alibabacloud.com/external=true"
EXCLUSION = {"key": "alibabacloud.com/external", "operator": "NotIn", "values": ["true"]}
TIGERA_OWNER = {
    "apiVersion": "operator.tigera.io/v1",
    "kind": "Installation",
    "name": "default",
    "uid": "1",
    "controller": True,
}


def ds(affinity: dict | None = None, owners: list | None = None) -> dict:
    obj = make_workload("DaemonSet", "kube-system", "calico-node")
    if affinity is not None:
        obj["spec"]["template"]["spec"]["affinity"] = affinity
    if owners:
        obj["metadata"]["ownerReferences"] = owners
    return obj


def required(spec: dict) -> dict:
    return spec["template"]["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]


WORKLOAD = OnPremWorkload(kind=WorkloadKind.DAEMONSET, namespace="kube-system", name="calico-node")


def test_no_affinity_gets_the_guide_patch() -> None:
    assert required(isolation_patch_spec(WORKLOAD, ds(), LABEL)) == {
        "nodeSelectorTerms": [{"matchExpressions": [EXCLUSION]}]
    }


def test_patch_owns_only_the_required_node_selector() -> None:
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}
                ]
            },
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {"matchExpressions": []}}],
        },
        "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": []},
    }
    spec = isolation_patch_spec(WORKLOAD, ds(affinity), LABEL)
    assert spec["template"]["spec"]["affinity"] == {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
                            EXCLUSION,
                        ]
                    }
                ]
            }
        }
    }


def test_installation_patch_lands_at_the_operator_path() -> None:
    installation = make_workload("Installation", None, "default")
    workload = OnPremWorkload(kind=WorkloadKind.INSTALLATION, name="default")
    spec = isolation_patch_spec(workload, installation, LABEL)
    affinity = spec["calicoNodeDaemonSet"]["spec"]["template"]["spec"]["affinity"]
    assert affinity == scheduling.exclude_affinity(None, LABEL)


def test_operator_owned_daemonset_is_refused() -> None:
    message = patch_refusal(WORKLOAD.object_ref, ds(owners=[TIGERA_OWNER]))
    assert message and "list {kind: Installation, name: default}" in message
    assert patch_refusal(WORKLOAD.object_ref, ds()) is None


def test_every_kind_is_patched_with_its_own_patch_type() -> None:
    workloads = [
        {"kind": "DaemonSet", "namespace": "kube-system", "name": "calico-node"},
        {"kind": "Deployment", "namespace": "storage", "name": "nfs"},
        {"kind": "StatefulSet", "namespace": "db", "name": "pg"},
        {"kind": "Installation", "name": "default"},
    ]
    config = stack_config("dev", onPremWorkloads=json.dumps(workloads))
    settings = settings_of(config)
    run, world = run_stack(config, world_for(settings))
    for type_, name in [
        ("kubernetes:apps/v1:DaemonSetPatch", "calico-node"),
        ("kubernetes:apps/v1:DeploymentPatch", "nfs"),
        ("kubernetes:apps/v1:StatefulSetPatch", "pg"),
        ("kubernetes:operator.tigera.io/v1:InstallationPatch", "default"),
    ]:
        patch = one(run, type_, name)
        assert patch.retain_on_delete
        meta = unwrap(patch.inputs)["metadata"]
        assert meta["annotations"]["pulumi.com/patchForce"] == "true"
        assert meta["labels"] == {"hybrid-terway/placement": "on-prem"}
        live = world.cluster.get(type_.split(":")[-1].removesuffix("Patch"), meta.get("namespace", ""), meta["name"])
        spec = scheduling.pod_spec_of(live)
        assert not scheduling.may_run_on_labelled_node(spec), f"{name} could still reach a cloud node"
    ready = set(run.output_dependencies["readyForCloudNodes"])
    patches = {r.urn for r in run.registrations if r.type.endswith("Patch")}
    assert patches <= ready, "readyForCloudNodes must wait for every isolation patch and Terway's configuration"
    assert one(run, "kubernetes:core/v1:Secret").urn in ready


def test_program_stops_on_an_operator_owned_daemonset() -> None:
    config = stack_config("dev")
    settings = settings_of(config)
    cluster = FakeCluster.of([make_node("n1", {}), ds(owners=[TIGERA_OWNER]), make_kubernetes_service("172.21.0.1")])
    with pytest.raises(pulumi.RunError, match="owned by the tigera operator"):
        run_stack(config, world_for(settings, cluster))


def test_preview_refuses_an_operator_owned_daemonset_with_exit_2(tmp_path: Path) -> None:
    import yaml

    snapshot = tmp_path / "snap.yaml"
    snapshot.write_text(yaml.safe_dump_all([make_node("n1", {}), ds(owners=[TIGERA_OWNER])]))
    with pytest.raises(PreviewError) as info:
        preview(ROOT, "dev", snapshot, tmp_path / "out", policy=False)
    assert info.value.exit_code == 2
    assert "hybrid-terway:onPremWorkloads[0]" in str(info.value) and "Installation" in str(info.value)


def test_tigera_cluster_is_isolated_through_the_installation(tmp_path: Path) -> None:
    """The operator's DaemonSet is not patched; the Installation is, and its DaemonSet follows it."""
    import yaml

    snapshot = ROOT / "tests" / "data" / "snapshots" / "bgp-tigera-operator.yaml"
    root = dev_variant(tmp_path, "tigera", "[{kind: Installation, name: default}]")
    result = preview(root, "tigera", snapshot, tmp_path / "out", policy=False)
    assert result.exit_code == 0, result.summary
    manifests = tmp_path / "out" / "manifests"
    assert not list(manifests.glob("daemonsetpatch-calico-system-*"))
    patch = yaml.safe_load((manifests / "installationpatch-default.yaml").read_text())
    affinity = patch["spec"]["calicoNodeDaemonSet"]["spec"]["template"]["spec"]["affinity"]
    assert affinity == scheduling.exclude_affinity(None, LABEL)
    by_node = {n["name"]: n["cni"] for n in result.placement["nodes"]}
    assert by_node == {
        "dc2-node-3": ["DaemonSet calico-system/calico-node"],
        "cn-shanghai.172.16.4.7": ["DaemonSet kube-system/terway-eniip"],
    }


def test_tigera_cluster_without_isolation_fails_placement(tmp_path: Path) -> None:
    snapshot = ROOT / "tests" / "data" / "snapshots" / "bgp-tigera-operator.yaml"
    root = dev_variant(tmp_path, "bare")
    result = preview(root, "bare", snapshot, tmp_path / "out", policy=False)
    assert result.exit_code == 1
    assert any(
        "cn-shanghai.172.16.4.7 runs DaemonSet calico-system/calico-node" in p for p in result.placement["problems"]
    )
