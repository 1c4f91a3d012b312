"""The offline engine's rules, each against a small program: a rule left out of the engine fails its test.

Cases ported from pulumi/pulumi-kubernetes (94977969) are marked with their upstream test.
"""

from __future__ import annotations

import base64
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi.runtime import rpc

from hybrid_terway.core import constants
from preview.engine import provider_rules as rules
from preview.engine.awaits import rollout_of
from preview.engine.deploy import DeploymentError
from preview.engine.program import ProgramRun, World, go_duration_seconds, run_program
from preview.engine.state import StackState, no_changes
from preview.engine.urns import AliasSpec, generate_aliases, new_urn
from preview.engine.wire import SECRET_SIG, SECRET_SIG_KEY
from preview.world.fake_cloud import FakeAlibabaCloud
from preview.world.fake_cluster import FakeCluster, make_node, make_workload

CLUSTER_ID = "c" + "a1" * 16
DATA = Path(__file__).resolve().parents[3] / "tests" / "data"

HEADER = """
import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs
provider = k8s.Provider("k8s", kubeconfig="{}", enable_server_side_apply=True, cluster_identifier="c1",
                        upsert_existing_objects=UPSERT)
opts = pulumi.ResourceOptions(provider=provider)
"""


def program(tmp_path: Path, body: str, upsert: bool = False, name: str = "main") -> Path:
    path = tmp_path / name / "__main__.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER.replace("UPSERT", str(upsert)) + textwrap.dedent(body))
    return path


def cluster_of(*objects: dict[str, Any], nodes: int = 1) -> FakeCluster:
    return FakeCluster.of([*(make_node(f"node-{i}", {}) for i in range(nodes)), *objects])


def world_of(cluster: FakeCluster) -> World:
    return World(FakeAlibabaCloud(CLUSTER_ID), cluster)


def up(world: World, path: Path, preview: bool = False) -> ProgramRun:
    return run_program({}, [], "dev", world, path, "proj", dry_run=preview)


def ops(run: ProgramRun) -> list[str]:
    """The steps of the Kubernetes provider and objects, in order."""
    return [s.op for s in run.steps if s.type.startswith(("kubernetes:", "pulumi:providers:kubernetes"))]


DS_PATCH = """
k8s.apps.v1.DaemonSetPatch("cni", metadata=ObjectMetaArgs(name="calico-node", namespace="kube-system",
    annotations=ANNOTATIONS), spec={"template": {"metadata": {"annotations": {"rev": REV}}}}, opts=OPTS)
"""


def ds_patch(rev: str = '"1"', annotations: str = "{}", opts: str = "opts") -> str:
    return DS_PATCH.replace("ANNOTATIONS", annotations).replace("REV", rev).replace("OPTS", opts)


# --- state and diff -----------------------------------------------------------------------------------------------


def test_unchanged_inputs_are_same_and_not_sent_whatever_the_cluster_holds(tmp_path: Path) -> None:
    """provider.go Diff compares with the state, not the live object: drift stays until the inputs change."""
    cluster = cluster_of(make_workload("DaemonSet", "kube-system", "calico-node"))
    world = world_of(cluster)
    path = program(tmp_path, ds_patch())
    first = up(world, path)
    assert ops(first) == ["create", "create"]  # the provider, then the patch
    key = ("DaemonSet", "kube-system", "calico-node")
    assert cluster.get(*key)["spec"]["template"]["metadata"]["annotations"]["rev"] == "1"
    drifted = json.loads(json.dumps(cluster.get(*key)))
    drifted["spec"]["template"]["metadata"]["annotations"]["rev"] = "by-hand"
    cluster.objects[key] = drifted  # a person edits the object
    second = up(world, path)
    assert ops(second) == ["same", "same"]
    assert no_changes(second.steps)
    assert cluster.get(*key)["spec"]["template"]["metadata"]["annotations"]["rev"] == "by-hand", "drift stays"
    third = up(world, program(tmp_path, ds_patch('"2"'), name="v2"))
    assert ops(third) == ["same", "update"]
    assert cluster.get(*key)["spec"]["template"]["metadata"]["annotations"]["rev"] == "2"


def test_the_state_holds_what_an_up_wrote_and_a_preview_writes_nothing(tmp_path: Path) -> None:
    cluster = cluster_of(make_workload("DaemonSet", "kube-system", "calico-node"))
    world = world_of(cluster)
    path = program(tmp_path, ds_patch())
    up(world, path)
    written = world.state.copy()
    previewed = up(world, program(tmp_path, ds_patch('"2"'), name="v2"), preview=True)
    assert ops(previewed) == ["same", "update"]
    assert world.state.export() == written.export(), "a preview leaves the state"
    assert cluster.get("DaemonSet", "kube-system", "calico-node")["spec"]["template"]["metadata"]["annotations"] == {
        "rev": "1"
    }, "and the cluster"
    # A run given an empty state starts over: everything is a create.
    assert ops(run_program({}, [], "dev", world, path, "proj", state=StackState())) == ["create", "create"]


def test_a_resource_no_longer_registered_is_deleted_and_a_patch_relinquished(tmp_path: Path) -> None:
    relinquished: list[tuple[str, str, str]] = []

    class Cluster(FakeCluster):
        def relinquish(self, token: str, object_id: str, *, manager: str) -> None:
            relinquished.append((token, object_id, manager))

    cluster = Cluster(cluster_of(make_workload("DaemonSet", "kube-system", "calico-node")).objects)
    world = world_of(cluster)
    up(world, program(tmp_path, ds_patch()))
    run = up(world, program(tmp_path, "", name="empty"))
    deletes = [s for s in run.steps if s.op == "delete"]
    assert [s.type for s in deletes] == ["kubernetes:apps/v1:DaemonSetPatch"]
    assert relinquished == [("kubernetes:apps/v1:DaemonSetPatch", "kube-system/calico-node", relinquished[0][2])]
    assert relinquished[0][2].startswith("pulumi-kubernetes-"), "the random manager the state recorded"
    assert all(not r.type.endswith("Patch") for r in world.state.resources.values())


def test_retain_on_delete_drops_the_resource_from_state_only(tmp_path: Path) -> None:
    relinquished: list[str] = []

    class Cluster(FakeCluster):
        def relinquish(self, token: str, object_id: str, *, manager: str) -> None:
            relinquished.append(object_id)

    cluster = Cluster(cluster_of(make_workload("DaemonSet", "kube-system", "calico-node")).objects)
    world = world_of(cluster)
    opts = "pulumi.ResourceOptions(provider=provider, retain_on_delete=True)"
    first = up(world, program(tmp_path, ds_patch(opts=opts)))
    entry = next(r for r in first.registrations if r.type.endswith("DaemonSetPatch"))
    assert entry.options.retain_on_delete
    run = up(world, program(tmp_path, "", name="empty"))
    assert [s.op for s in run.steps if s.type.endswith("Patch")] == ["delete"]
    assert relinquished == []


def test_a_failed_up_keeps_what_it_did_and_deletes_nothing(tmp_path: Path) -> None:
    cluster = cluster_of(make_workload("DaemonSet", "kube-system", "calico-node"))
    world = world_of(cluster)
    up(world, program(tmp_path, ds_patch()))
    broken = """
    k8s.apps.v1.DaemonSetPatch("missing", metadata=ObjectMetaArgs(name="nope", namespace="kube-system"),
        spec={"template": {"metadata": {"annotations": {"a": "b"}}}}, opts=opts)
    """
    with pytest.raises(Exception, match="nope"):
        up(world, program(tmp_path, broken, name="broken"))
    assert any(r.type.endswith("DaemonSetPatch") and r.urn.endswith("::cni") for r in world.state.resources.values())


# --- Patch resources: preview, force, field manager ----------------------------------------------------------------


def test_a_patch_create_is_not_sent_in_preview(tmp_path: Path) -> None:
    """provider.go Create: a Patch resource's create is skipped in preview, so a missing target shows only at up."""
    cluster = cluster_of()  # no calico-node
    world = world_of(cluster)
    path = program(tmp_path, ds_patch())
    preview = up(world, path, preview=True)
    step = next(s for s in preview.steps if s.type.endswith("DaemonSetPatch"))
    assert (step.op, step.detail) == ("create", "not sent in preview")
    assert cluster.get("DaemonSet", "kube-system", "calico-node") is None
    with pytest.raises(Exception, match="calico-node"):
        up(world, path)


@pytest.mark.parametrize(
    ("annotations", "managed", "enable", "preview", "want"),
    [
        # pulumi-kubernetes await/await_test.go TestPatchForce, case by case
        ({}, [{"manager": "other", "operation": "Apply"}], False, False, False),  # default is false
        ({"pulumi.com/patchForce": "true"}, [{"manager": "other", "operation": "Apply"}], False, False, True),
        ({}, [{"manager": "other", "operation": "Apply"}], True, False, True),  # enablePatchForce config
        ({"pulumi.com/patchForce": "true"}, [{"manager": "other", "operation": "Apply"}], False, False, True),
        ({}, None, False, True, True),  # preview with no live object
        ({}, [], False, False, True),  # live object with no managed fields
        ({}, [{"manager": "pulumi-kubernetes", "operation": "Update"}], False, True, True),  # CSA manager, preview
        ({}, [{"manager": "kubectl", "operation": "Update"}], False, True, False),  # non-pulumi manager, preview
        # and what Creation passes in `up` (no live object): not forced
        ({}, None, False, False, False),
        ({"pulumi.com/patchForce": "True"}, None, False, False, False),  # only exactly "true"
    ],
)
def test_patch_force(
    annotations: dict[str, str], managed: list[dict[str, str]] | None, enable: bool, preview: bool, want: bool
) -> None:
    inputs = {"metadata": {"annotations": annotations}}
    live = None if managed is None else {"metadata": {"managedFields": managed}}
    assert rules.patch_force(inputs, live, enable, preview) is want


def test_the_field_manager_is_pinned_by_annotation_or_kept_from_state(tmp_path: Path) -> None:
    """provider.go fieldManagerName: the annotation, else the state's __fieldManager, else a new random one."""
    managers: list[tuple[str, bool]] = []

    class Cluster(FakeCluster):
        def apply(
            self, token: str, inputs: Any, *, manager: str, force: bool = False, dry_run: bool = False
        ) -> dict[str, Any]:
            if not dry_run:
                managers.append((manager, force))
            return super().apply(token, inputs, manager=manager, force=force, dry_run=dry_run)

    cluster = Cluster(cluster_of(make_workload("DaemonSet", "kube-system", "calico-node")).objects)
    world = world_of(cluster)
    up(world, program(tmp_path, ds_patch()))
    up(world, program(tmp_path, ds_patch('"2"'), name="v2"))
    random_manager = managers[0][0]
    assert random_manager.startswith("pulumi-kubernetes-") and len(random_manager) == len("pulumi-kubernetes-") + 8
    assert managers == [(random_manager, False), (random_manager, False)], "the same manager on update, unforced"
    state = next(r for r in world.state.resources.values() if r.type.endswith("DaemonSetPatch"))
    assert state.outputs["__fieldManager"] == random_manager
    pinned = '{"pulumi.com/patchFieldManager": "hybrid-terway", "pulumi.com/patchForce": "true"}'
    up(world, program(tmp_path, ds_patch('"3"', pinned), name="v3"))
    # The pinned manager applies (forced), then the old one gives up its fields (provider.go Update: Relinquish).
    assert managers[-2:] == [("hybrid-terway", True), (random_manager, False)]


def test_pulumi_annotations_are_sent_to_the_cluster(tmp_path: Path) -> None:
    """await.go Creation marshals the inputs as they are: the pulumi.com/* annotations land on the object."""
    cluster = cluster_of(make_workload("DaemonSet", "kube-system", "calico-node"))
    world = world_of(cluster)
    up(world, program(tmp_path, ds_patch(annotations='{"pulumi.com/patchForce": "true"}')))
    live = cluster.get("DaemonSet", "kube-system", "calico-node")
    assert live["metadata"]["annotations"]["pulumi.com/patchForce"] == "true"


# --- plain objects: upsert, stringData, replacement -------------------------------------------------------------

SECRET = """
k8s.core.v1.Secret("creds", metadata=ObjectMetaArgs(name="addon", namespace="kube-system"), type="Opaque",
    string_data={"id": pulumi.Output.secret(VALUE)}, opts=opts)
"""


def secret_program(tmp_path: Path, value: str, upsert: bool, name: str = "main") -> Path:
    return program(tmp_path, SECRET.replace("VALUE", json.dumps(value)), upsert=upsert, name=name)


def existing_secret() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "addon", "namespace": "kube-system"},
        "type": "Opaque",
        "data": {"id": base64.b64encode(b"old").decode()},
    }


def test_an_existing_object_is_upserted_only_with_upsert_existing_objects(tmp_path: Path) -> None:
    world = world_of(cluster_of(existing_secret()))
    with pytest.raises(DeploymentError, match='secrets "addon" already exists'):
        up(world, secret_program(tmp_path, "new", upsert=False))
    # The upsert is an apply that Creation does not force (no live object is passed to patchForce): the fields
    # the earlier writer owns with another value conflict, worded as the provider words it.
    world = world_of(cluster_of(existing_secret()))
    with pytest.raises(DeploymentError) as raised:
        up(world, secret_program(tmp_path, "new", upsert=True))
    urn = "urn:pulumi:dev::proj::kubernetes:core/v1:Secret::creds"
    message = str(raised.value)
    assert message.startswith(
        f'resource "{urn}" was not successfully created by the Kubernetes API server: server-side apply field '
        f"conflict detected, see {rules.SSA_CONFLICT_LINK} for troubleshooting help\n"
        'The resource managed by field manager "pulumi-kubernetes-'
    )
    assert message.endswith(
        'had an apply conflict: Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.id'
    )
    assert [(c.other, c.path, c.forced) for c in world.deployment.conflicts] == [
        ("before-first-apply", ".data.id", False)
    ]  # type: ignore[union-attr]
    # With pulumi.com/patchForce the upsert takes the field, and the plan says from whom.
    world = world_of(cluster_of(existing_secret()))
    forced = SECRET.replace(
        'name="addon", namespace="kube-system"',
        'name="addon", namespace="kube-system", annotations={"pulumi.com/patchForce": "true"}',
    )
    run = up(world, program(tmp_path, forced.replace("VALUE", '"new"'), upsert=True, name="forced"))
    assert world.cluster.get("Secret", "kube-system", "addon")["data"]["id"] == base64.b64encode(b"new").decode()
    assert [(c.other, c.path, c.forced) for c in run.conflicts] == [("before-first-apply", ".data.id", True)]


def test_string_data_is_sent_as_base64_data_and_a_change_replaces_the_secret(tmp_path: Path) -> None:
    """clients/unstructured.go normalizeSecret in Check; diff.go forceNewProperties: with enableSecretMutable off
    a data change replaces the Secret (delete before replace: it keeps its name)."""
    world = world_of(cluster_of())
    first = up(world, secret_program(tmp_path, "key-1", upsert=True))
    live = world.cluster.get("Secret", "kube-system", "addon")
    assert "stringData" not in live and live["data"] == {"id": base64.b64encode(b"key-1").decode()}
    state = next(r for r in first.state.resources.values() if r.type == "kubernetes:core/v1:Secret")
    assert "stringData" not in state.inputs and state.inputs["data"][SECRET_SIG_KEY] == SECRET_SIG
    assert ops(up(world, secret_program(tmp_path, "key-1", upsert=True))) == ["same", "same"]
    rotated = up(world, secret_program(tmp_path, "key-2", upsert=True, name="v2"))
    step = next(s for s in rotated.steps if s.type == "kubernetes:core/v1:Secret")
    assert step.op == "replace" and step.replaces == ("data.id",)


@pytest.mark.parametrize(
    ("kind", "patch", "old", "new", "mutable", "want"),
    [
        # pulumi-kubernetes provider/diff_test.go TestPatchToDiff: Secret and ConfigMap cases
        ("Secret", False, {"data": {"property1": "3"}}, {"data": {"property1": "4"}}, True, ("update", ())),
        (
            "Secret",
            False,
            {"data": {"property1": "3"}},
            {"data": {"property1": "4"}},
            False,
            ("replace", ("data.property1",)),
        ),
        (
            "Secret",
            False,
            {"type": "kubernetes.io/dockerconfigjson", "data": {"property1": "3"}},
            {"type": "Opaque", "data": {"property1": "3"}},
            True,
            ("replace", ("type",)),
        ),
        (
            "Secret",
            False,
            {"data": {"property1": "3"}, "immutable": True},
            {"data": {"property1": "4"}, "immutable": True},
            True,
            ("replace", ("data.property1",)),
        ),
        ("ConfigMap", False, {"data": {"property1": "3"}}, {"data": {"property1": "4"}}, True, ("update", ())),
        (
            "ConfigMap",
            False,
            {"data": {"property1": "3"}},
            {"data": {"property1": "4"}},
            False,
            ("replace", ("data.property1",)),
        ),
        # provider.go Diff: a Patch resource replaces only on a new name or namespace
        ("ConfigMap", True, {"data": {"property1": "3"}}, {"data": {"property1": "4"}}, False, ("update", ())),
    ],
)
def test_replacement_rules(
    kind: str, patch: bool, old: dict[str, Any], new: dict[str, Any], mutable: bool, want: tuple[str, tuple[str, ...]]
) -> None:
    token = f"kubernetes:core/v1:{kind}{'Patch' if patch else ''}"
    meta = {"metadata": {"name": "x", "namespace": "default"}}
    old_obj, new_obj = {**meta, **old}, {**meta, **new}
    diff = rules.diff_object(token, old_obj, old_obj, new_obj, secret_mutable=mutable, configmap_mutable=mutable)
    assert diff.changes
    assert ("replace" if diff.replaces else "update", diff.replaces) == want


def test_the_diff_ignores_what_the_state_has_and_the_inputs_do_not() -> None:
    """provider/diff_test.go 'State diffs with no corresponding input property are ignored'."""
    old_inputs = {"spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}
    old_live = {**old_inputs, "status": {"hostIP": "10.0.0.2"}}
    new = {"spec": {"containers": [{"name": "nginx", "image": "nginx"}]}, "status": {"hostIP": "10.0.0.3"}}
    assert not rules.diff_object("kubernetes:core/v1:Pod", old_inputs, old_live, new).changes


def _txtar(text: str) -> dict[str, str]:
    files: dict[str, str] = {}
    name = None
    for line in text.splitlines(keepends=True):
        if line.startswith("-- ") and line.rstrip().endswith(" --"):
            name = line.strip()[3:-3]
            files[name] = ""
        elif name is not None:
            files[name] += line
    return files


DIFFCONFIG_CASES = sorted(p.name for p in (DATA / "diffconfig").iterdir())


@pytest.mark.parametrize("case", DIFFCONFIG_CASES)
def test_provider_diff_config(case: str) -> None:
    """pulumi-kubernetes provider/provider_test.go TestDiffConfig, its testdata/diffconfig cases as they are."""
    files = _txtar((DATA / "diffconfig" / case).read_text())
    olds = yaml.safe_load(files["olds"]) or {}
    news = yaml.safe_load(files["news"]) or {}
    if "wantErr" in files:
        with pytest.raises(rules.KubeconfigError, match=files["wantErr"].strip()):
            rules.diff_provider_config(olds, news)
        return
    diffs, replaces = rules.diff_provider_config(olds, news)
    assert sorted(diffs) == sorted(yaml.safe_load(files["wantDiffs"]) or [])
    assert sorted(replaces) == sorted(yaml.safe_load(files["wantReplaces"]) or [])


def test_a_new_kubeconfig_every_run_updates_the_provider(tmp_path: Path) -> None:
    """DiffConfig: any changed key is a diff; with clusterIdentifier unchanged it is an update, never a replace."""
    world = world_of(cluster_of())
    body = """
    import itertools, os
    n = os.environ.get("RUN", "1")
    p = k8s.Provider("fresh", kubeconfig=pulumi.Output.secret(KUBECONFIG.replace("TOKEN", n)),
                     cluster_identifier="c1", enable_server_side_apply=True)
    """
    config = {
        "apiVersion": "v1",
        "clusters": [{"name": "c", "cluster": {"server": "https://10.0.0.1:6443"}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "c",
        "users": [{"name": "u", "user": {"token": "TOKEN"}}],
    }
    path = program(tmp_path, body.replace("KUBECONFIG", repr(json.dumps(config))))
    import os

    os.environ["RUN"] = "1"
    try:
        up(world, path)
        os.environ["RUN"] = "2"
        run = up(world, path, preview=True)
    finally:
        del os.environ["RUN"]
    step = next(s for s in run.steps if s.urn.endswith("::fresh"))
    assert (step.op, step.diffs, step.replaces) == ("update", ("kubeconfig",), ())
    assert not no_changes(run.steps), "--expect-no-changes fails"


# --- reads ---------------------------------------------------------------------------------------------------------

READ = """
live = pulumi.CustomResource("kubernetes:core/v1:ConfigMap", "live", {"apiVersion": None, "kind": None,
    "metadata": None, "data": None}, pulumi.ResourceOptions(provider=provider, id=ID,
    additional_secret_outputs=["data"]))
pulumi.export("data", live.data)
"""


def eni_config(conf: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "eni-config", "namespace": "kube-system", "resourceVersion": "7"},
        "data": {"eni_conf": json.dumps(conf)},
    }


def test_a_read_returns_the_live_object_and_its_inputs(tmp_path: Path) -> None:
    world = world_of(cluster_of(eni_config({"max_pool_size": 5})))
    run = up(world, program(tmp_path, READ.replace("ID", '"kube-system/eni-config"')))
    state = next(r for r in run.state.resources.values() if r.external)
    assert state.id == "kube-system/eni-config"
    assert state.outputs["metadata"]["resourceVersion"] == "7", "the whole live object"
    inputs = state.outputs["__inputs"]
    assert inputs["data"] == {"eni_conf": json.dumps({"max_pool_size": 5})}
    assert "resourceVersion" not in inputs["metadata"]
    assert run.step_of(state.urn).op == "read"  # type: ignore[union-attr]


def test_a_read_of_a_missing_object_is_the_engine_error(tmp_path: Path) -> None:
    world = world_of(cluster_of())
    with pytest.raises(DeploymentError, match=r"^resource 'kube-system/eni-config' does not exist$"):
        up(world, program(tmp_path, READ.replace("ID", '"kube-system/eni-config"')))


def test_a_read_whose_id_is_unknown_is_skipped_in_preview(tmp_path: Path) -> None:
    world = world_of(cluster_of())
    # An id that waits for a resource the preview does not create.
    body = READ.replace(
        "ID",
        'k8s.core.v1.Namespace("ns", metadata=ObjectMetaArgs(name="n"), opts=opts)'
        '.id.apply(lambda _: "kube-system/eni-config")',
    )
    run = up(world, program(tmp_path, body), preview=True)
    read = next(s for s in run.steps if s.op == "read")
    assert read.detail == "skipped: its id is not known yet"


# --- secrets in state --------------------------------------------------------------------------------------------


def test_only_top_level_outputs_are_made_secret(tmp_path: Path) -> None:
    """step_executor.go: additionalSecretOutputs names top-level keys; the read's __inputs holds the same data in
    plain text, so an AccessKey secret in eni_conf reaches the state under __inputs."""
    world = world_of(cluster_of(eni_config({"access_key": "LTAI5tAAAA", "access_secret": "s3cr3t-value"})))
    run = up(world, program(tmp_path, READ.replace("ID", '"kube-system/eni-config"')))
    exported = json.dumps(run.state.export())
    state = next(r for r in run.state.resources.values() if r.external)
    assert state.outputs["data"][SECRET_SIG_KEY] == SECRET_SIG
    assert "s3cr3t-value" in exported, "the __inputs copy is plain"
    assert json.loads(exported)["deployment"]["resources"][-1]["outputs"]["data"][SECRET_SIG_KEY] == SECRET_SIG


def test_a_secret_input_makes_the_output_of_the_same_key_secret(tmp_path: Path) -> None:
    world = world_of(cluster_of())
    run = up(world, secret_program(tmp_path, "value-1", upsert=True))
    exported = json.dumps(run.state.export())
    assert "value-1" not in exported and base64.b64encode(b"value-1").decode() not in exported
    assert '"ciphertext"' in exported and '"plaintext"' not in exported


# --- rollout waits --------------------------------------------------------------------------------------------------


def big_daemonset(nodes: int, strategy: dict[str, Any] | None = None) -> tuple[FakeCluster, World]:
    ds = make_workload("DaemonSet", "kube-system", "calico-node")
    if strategy is not None:
        ds["spec"]["updateStrategy"] = strategy
    cluster = cluster_of(ds, nodes=nodes)
    return cluster, world_of(cluster)


def test_a_2000_node_rollout_outlasts_the_default_wait(tmp_path: Path) -> None:
    _, world = big_daemonset(2000)
    with pytest.raises(DeploymentError) as raised:
        up(world, program(tmp_path, ds_patch()))
    urn = "urn:pulumi:dev::proj::kubernetes:apps/v1:DaemonSetPatch::cni"
    assert str(raised.value) == (
        f'resource "{urn}" was successfully created, but the Kubernetes API server reported that it failed to fully '
        "initialize or become live: timed out waiting for the condition"
    )
    assert world.clock.now == 600.0, "the default wait is 10 minutes"
    state = world.state.get(urn)
    assert state is not None and state.init_errors, "a partial failure is recorded with its error"
    # The next up updates again (initErrors) and waits for what is left of the rollout, which runs out again.
    with pytest.raises(DeploymentError) as again:
        up(world, program(tmp_path, ds_patch()))
    assert str(again.value) == (
        'the Kubernetes API server reported that "kube-system/calico-node" failed to fully initialize or become '
        "live: timed out waiting for the condition"
    )
    assert world.deployment is not None
    step = next(s for s in world.deployment.steps if s.urn == urn)
    assert step.op == "update" and step.diffs == ()
    wait = world.deployment.waits[-1]
    assert not wait.completed and wait.rollout is None, "no new rollout: the same template"
    assert world.clock.now == 1200.0
    # 2000 batches of 30 s: the rollout is done after 60,000 s; the 100th up finds it complete.
    for _ in range(97):
        with pytest.raises(DeploymentError):
            up(world, program(tmp_path, ds_patch()))
    done = up(world, program(tmp_path, ds_patch()))
    assert done.waits[-1].completed and world.clock.now == 60000.0
    assert ops(up(world, program(tmp_path, ds_patch()))) == ["same", "same"]


def test_the_wait_is_bounded_by_timeout_seconds_or_custom_timeouts(tmp_path: Path) -> None:
    _, world = big_daemonset(2000, {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "10%"}})
    run = up(world, program(tmp_path, ds_patch(annotations='{"pulumi.com/timeoutSeconds": "1800"}')))
    wait = run.waits[-1]
    assert wait.completed and wait.timeout == 1800.0 and wait.rollout is not None and wait.rollout.batch == 200
    assert wait.waited == 10 * 30.0
    _, world = big_daemonset(200)  # 200 batches of 30 s: past 10 minutes, within 2 hours
    opts = 'pulumi.ResourceOptions(provider=provider, custom_timeouts=pulumi.CustomTimeouts(create="2h"))'
    run = up(world, program(tmp_path, ds_patch(opts=opts), name="ct"))
    assert run.waits[-1].timeout == 7200.0 and run.waits[-1].completed and run.waits[-1].waited == 6000.0
    entry = next(r for r in run.registrations if r.type.endswith("DaemonSetPatch"))
    assert entry.options.custom_timeouts == {"create": 7200.0}


def test_an_on_delete_daemonset_never_completes_unless_skip_await(tmp_path: Path) -> None:
    _, world = big_daemonset(3, {"type": "OnDelete"})
    with pytest.raises(DeploymentError, match="timed out waiting for the condition"):
        up(world, program(tmp_path, ds_patch()))
    _, world = big_daemonset(3, {"type": "OnDelete"})
    run = up(world, program(tmp_path, ds_patch(annotations='{"pulumi.com/skipAwait": "true"}'), name="skip"))
    assert run.waits[-1].skipped and world.clock.now == 0.0


def test_an_on_delete_rollout_completes_once_its_pods_are_deleted(tmp_path: Path) -> None:
    """await/daemonset_test.go TestAwaitDaemonSetUpdate 'OnDelete successful': the awaiter completes once the pods
    run the new template, which for OnDelete means someone deleted them."""
    _, world = big_daemonset(3, {"type": "OnDelete"})
    with pytest.raises(DeploymentError):
        up(world, program(tmp_path, ds_patch()))
    world.delete_pods("DaemonSet", "kube-system", "calico-node")
    run = up(world, program(tmp_path, ds_patch()))  # initErrors: updated again, and the wait now ends at once
    assert run.waits[-1].completed and run.waits[-1].waited == 0.0
    assert ops(up(world, program(tmp_path, ds_patch()))) == ["same", "same"]


@pytest.mark.parametrize(
    ("annotations", "custom", "want"),
    [
        # pulumi-kubernetes metadata/overrides_test.go TestTimeoutSeconds (nil is the 10-minute default here)
        ({}, 0, 600.0),
        ({"pulumi.com/timeoutSeconds": "15"}, 0, 15.0),
        ({"pulumi.com/timeoutSeconds": "0"}, 0, 0.0),
        ({"pulumi.com/timeoutSeconds": "foo"}, 0, 600.0),
        ({"pulumi.com/timeoutSeconds": "15"}, 600, 600.0),  # the custom timeout wins
    ],
)
def test_timeout_duration(annotations: dict[str, str], custom: float, want: float) -> None:
    assert rules.await_timeout_seconds(custom, {"metadata": {"annotations": annotations}}) == want


@pytest.mark.parametrize(
    ("annotations", "want"),
    # pulumi-kubernetes metadata/overrides_test.go TestSkipAwaitLogic
    [({}, False), ({"pulumi.com/skipAwait": "true"}, True), ({"pulumi.com/skipAwait": "false"}, False)],
)
def test_skip_await_logic(annotations: dict[str, str], want: bool) -> None:
    assert rules.skip_await({"metadata": {"annotations": annotations}}) is want


def test_rollout_pace_follows_the_update_strategy() -> None:
    ds = make_workload("DaemonSet", "kube-system", "x")
    assert rollout_of(ds, 2000).seconds == 2000 * 30.0
    ds["spec"]["updateStrategy"] = {"rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 0}}
    assert rollout_of(ds, 10).batch == 3  # rounded up
    deploy = make_workload("Deployment", "default", "y")
    assert rollout_of(deploy, 4).batch == 2  # 25% surge (up) + 25% unavailable (down)
    sts = make_workload("StatefulSet", "default", "z")
    sts["spec"]["updateStrategy"] = {"rollingUpdate": {"partition": 2}}
    assert rollout_of(sts, 5).pods == 3
    assert rules.await_timeout_cause("Deployment", "web") == "'web' timed out waiting to be Ready"
    assert rules.await_timeout_seconds(0, {"metadata": {"annotations": {"pulumi.com/timeoutSeconds": "x"}}}) == 600.0
    assert go_duration_seconds("1h30m") == 5400.0


# --- the addon -------------------------------------------------------------------------------------------------------

ADDON = """
import pulumi_alicloud as alicloud
alicloud.cs.KubernetesAddon(NAME, name="terway-eniip", cluster_id=CLUSTER, version=VERSION,
                            opts=pulumi.ResourceOptions(aliases=ALIASES))
"""


def addon_program(
    tmp_path: Path, name: str = "addon", version: str = "v1.9.6", aliases: str = "[]", folder: str = "a"
) -> Path:
    body = ADDON.replace("NAME", repr(name)).replace("CLUSTER", repr(CLUSTER_ID)).replace("VERSION", repr(version))
    return program(tmp_path, body.replace("ALIASES", aliases), name=folder)


def installed_cluster() -> FakeCluster:
    cluster = cluster_of()
    cluster.install_addon(constants.TERWAY_ADDON, constants.CLOUD_NODE_LABEL)
    return cluster


def test_the_addon_adopts_an_installed_addon_and_a_rename_uninstalls_it(tmp_path: Path) -> None:
    cluster = installed_cluster()
    world = world_of(cluster)
    up(world, addon_program(tmp_path))
    assert [e[0] for e in world.cloud.addon_events] == ["adopt"]
    renamed = up(world, addon_program(tmp_path, name="terway-addon", folder="b"))
    assert [s.op for s in renamed.steps if s.type.startswith("alicloud:")] == ["create", "delete"]
    assert [e[0] for e in world.cloud.addon_events] == ["adopt", "adopt", "uninstall"]
    assert cluster.get("DaemonSet", "kube-system", constants.TERWAY_DAEMONSET) is None, "Terway is gone"


def test_an_alias_keeps_the_addon(tmp_path: Path) -> None:
    cluster = installed_cluster()
    world = world_of(cluster)
    up(world, addon_program(tmp_path))
    renamed = up(
        world, addon_program(tmp_path, name="terway-addon", aliases='[pulumi.Alias(name="addon")]', folder="b")
    )
    assert [s.op for s in renamed.steps if s.type.startswith("alicloud:")] == ["same"]
    assert cluster.get("DaemonSet", "kube-system", constants.TERWAY_DAEMONSET) is not None
    state = next(r for r in renamed.state.resources.values() if r.type.startswith("alicloud:"))
    assert state.aliases == ["urn:pulumi:dev::proj::alicloud:cs/kubernetesAddon:KubernetesAddon::addon"]


def test_a_version_change_upgrades_with_overwrite(tmp_path: Path) -> None:
    cluster = installed_cluster()
    world = world_of(cluster)
    up(world, addon_program(tmp_path))
    key = ("ConfigMap", "kube-system", constants.ENI_CONFIG_MAP)
    edited = json.loads(json.dumps(cluster.get(*key)))
    edited["data"][constants.ENI_CONF_KEY] = json.dumps({"max_pool_size": 9})
    cluster.objects[key] = edited
    run = up(world, addon_program(tmp_path, version="v1.13.7", folder="b"))
    assert [s.op for s in run.steps if s.type.startswith("alicloud:")] == ["update"]
    assert world.cloud.addon_events[-1] == ("upgrade", "terway-eniip", "v1.13.7")
    assert json.loads(cluster.get(*key)["data"][constants.ENI_CONF_KEY])["max_pool_size"] == 5, "re-rendered"


# --- URNs -------------------------------------------------------------------------------------------------------------


def test_urns_carry_the_whole_parent_chain_but_not_the_stack() -> None:
    stack = new_urn("dev", "p", "", "pulumi:pulumi:Stack", "p-dev")
    component = new_urn("dev", "p", stack, "a:index:A", "a")
    child = new_urn("dev", "p", component, "b:x:B", "b")
    grandchild = new_urn("dev", "p", child, "c:y:C", "c")
    assert component == "urn:pulumi:dev::p::a:index:A::a"
    assert grandchild == "urn:pulumi:dev::p::a:index:A$b:x:B$c:y:C::c"


def test_a_parent_alias_multiplies_into_its_children() -> None:
    """step_generator.go generateAliases/inheritedChildAlias: a child named after its parent follows its rename."""
    old_parent = "urn:pulumi:dev::p::a:index:A::old"
    parent = "urn:pulumi:dev::p::a:index:A::new"
    aliases = generate_aliases("dev", "p", "new-child", "b:x:B", parent, (), {parent: old_parent})
    assert aliases == ["urn:pulumi:dev::p::a:index:A$b:x:B::old-child"]
    moved = generate_aliases("dev", "p", "c", "b:x:B", parent, (AliasSpec(no_parent=True),), {})
    assert moved == ["urn:pulumi:dev::p::b:x:B::c"]


def test_the_run_lists_its_urns(tmp_path: Path) -> None:
    world = world_of(installed_cluster())
    run = up(world, addon_program(tmp_path))
    assert run.urns() == [
        "urn:pulumi:dev::proj::alicloud:cs/kubernetesAddon:KubernetesAddon::addon",
        "urn:pulumi:dev::proj::pulumi:providers:kubernetes::k8s",
        "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev",
    ]


def test_unknown_values_are_a_change() -> None:
    assert rules.has_unknowns({"a": [rpc.UNKNOWN]})


def test_ignore_changes_keeps_the_old_value_before_the_diff(tmp_path: Path) -> None:
    """step_generator.go processIgnoreChanges: the ignored path takes the state's value, so it is no change."""
    cluster = cluster_of(make_workload("DaemonSet", "kube-system", "calico-node"))
    world = world_of(cluster)
    opts = 'pulumi.ResourceOptions(provider=provider, ignore_changes=["spec.template.metadata.annotations.rev"])'
    up(world, program(tmp_path, ds_patch(opts=opts)))
    run = up(world, program(tmp_path, ds_patch('"2"', opts=opts), name="v2"))
    assert ops(run) == ["same", "same"]
    state = next(r for r in run.state.resources.values() if r.type.endswith("DaemonSetPatch"))
    assert state.inputs["spec"]["template"]["metadata"]["annotations"]["rev"] == "1"
    entry = next(r for r in run.registrations if r.type.endswith("DaemonSetPatch"))
    assert entry.options.ignore_changes == ("spec.template.metadata.annotations.rev",)


def test_a_read_of_a_custom_resource_keeps_only_its_identity_under_inputs(tmp_path: Path) -> None:
    """provider.go Read: __inputs is filled from the schema's input properties, which a custom resource's kind
    does not have; the outputs are the whole object all the same."""
    installation = {
        "apiVersion": "operator.tigera.io/v1",
        "kind": "Installation",
        "metadata": {"name": "default"},
        "spec": {"calicoNetwork": {"bgp": "Enabled"}},
    }
    world = world_of(cluster_of(installation))
    body = """
    live = pulumi.CustomResource("kubernetes:operator.tigera.io/v1:Installation", "inst", {"apiVersion": None,
        "kind": None, "metadata": None, "spec": None}, pulumi.ResourceOptions(provider=provider, id="default"))
    """
    run = up(world, program(tmp_path, body))
    state = next(r for r in run.state.resources.values() if r.external)
    assert state.outputs["spec"] == {"calicoNetwork": {"bgp": "Enabled"}}
    assert state.outputs["__inputs"] == {
        "apiVersion": "operator.tigera.io/v1",
        "kind": "Installation",
        "metadata": {"name": "default"},
    }
