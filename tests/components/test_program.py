"""The whole program under mocks, per example stack: what is registered, under which parent, after what."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from hybrid_terway.core import constants
from hybrid_terway.ram import render_policy_document
from preview.engine.program import ProgramRun, Registration
from preview.engine.wire import is_secret, unwrap
from tests.conftest import by_type, one, run_stack, stack_config

USER = "alicloud:ram/user:User"
POLICY = "alicloud:ram/policy:Policy"
ATTACH = "alicloud:ram/userPolicyAttachment:UserPolicyAttachment"
KEY = "alicloud:ram/accessKey:AccessKey"
ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
CM_PATCH = "kubernetes:core/v1:ConfigMapPatch"
SECRET = "kubernetes:core/v1:Secret"
DS_PATCH = "kubernetes:apps/v1:DaemonSetPatch"
TOP = "hybrid-terway:index:HybridTerwayNetwork"


def types(run: ProgramRun) -> list[str]:
    return sorted(r.type for r in run.registrations)


def parent_type(run: ProgramRun, r: Registration) -> str:
    return next(p.type for p in run.registrations if p.urn == r.parent)


def depends(run: ProgramRun, later: Registration, earlier: Registration) -> bool:
    """Whether ``later`` waits for ``earlier``, directly or through other resources."""
    edges = {r.urn: set(r.dependencies) for r in run.registrations}
    seen, todo = set(), [later.urn]
    while todo:
        urn = todo.pop()
        for dep in edges.get(urn, ()):
            if dep == earlier.urn:
                return True
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return False


def test_dev_bgp_graph(example_runs: Mapping[str, ProgramRun]) -> None:
    run = example_runs["dev"]
    assert types(run) == sorted(
        [
            "pulumi:pulumi:Stack",
            TOP,
            "pulumi:providers:kubernetes",
            "hybrid-terway:ram:TerwayIdentity",
            USER,
            POLICY,
            ATTACH,
            KEY,
            "hybrid-terway:isolation:OnPremIsolation",
            "kubernetes:apps/v1:DaemonSet",  # the live calico-node, read
            "kubernetes:core/v1:Service",  # default/kubernetes, read: its ClusterIP is checked against serviceCidr
            DS_PATCH,  # calico-node isolation
            "hybrid-terway:terway:TerwayNetwork",
            ADDON,
            "kubernetes:core/v1:ConfigMap",  # the live eni-config, read to merge eni_conf
            "kubernetes:apps/v1:DaemonSet",  # the live terway-eniip, read for its restart token
            CM_PATCH,
            SECRET,
            DS_PATCH,  # terway-eniip placement and restart
            "kubernetes:core/v1:ConfigMap",  # the gate for cloud nodes
        ]
    )
    for r in run.registrations:
        if r.type.startswith("alicloud:ram/"):
            assert parent_type(run, r) == "hybrid-terway:ram:TerwayIdentity"
        if r.type in (ADDON, CM_PATCH, SECRET):
            assert parent_type(run, r) == "hybrid-terway:terway:TerwayNetwork"
        if r.type.startswith("hybrid-terway:") and r.type != TOP:
            assert parent_type(run, r) == TOP
        if r.type.startswith("kubernetes:"):
            assert r.provider.startswith(one(run, "pulumi:providers:kubernetes").urn)
    calico = one(run, DS_PATCH, "calico-node")
    terway_ds = one(run, DS_PATCH, "terway-daemonset")
    addon, eni, secret, key = one(run, ADDON), one(run, CM_PATCH), one(run, SECRET), one(run, KEY)
    assert depends(run, addon, calico), "bgp: the on-prem CNI is kept off cloud nodes before Terway goes in"
    assert depends(run, eni, addon), "eni-config exists only once the addon made it"
    live_eni = one(run, "kubernetes:core/v1:ConfigMap", "eni-config-live")
    assert live_eni.read and depends(run, eni, live_eni), "the patch merges into what the read found"
    assert depends(run, secret, key), "the Secret carries the key"
    assert depends(run, terway_ds, eni) and depends(run, terway_ds, secret), "Terway restarts after both"
    assert depends(run, one(run, ATTACH), one(run, POLICY)) and depends(run, one(run, ATTACH), one(run, USER))
    assert run.outputs["readyForCloudNodes"] is True


def test_dev_resource_arguments(example_runs: Mapping[str, ProgramRun]) -> None:
    run = example_runs["dev"]
    cluster = run.outputs["clusterId"]
    user = unwrap(one(run, USER).inputs)
    assert user["name"] == f"terway-{cluster}"
    policy = unwrap(one(run, POLICY).inputs)
    assert policy["policyName"] == f"terway-eniip-{cluster}"
    assert policy["policyDocument"] == render_policy_document("ipv4")
    assert policy["rotateStrategy"] == "DeleteOldestNonDefaultVersionWhenLimitExceeded"
    assert "document" not in policy and "name" not in policy, "deprecated fields"
    assert unwrap(one(run, ATTACH).inputs)["policyType"] == "Custom"
    key = unwrap(one(run, KEY).inputs)
    assert "pgpKey" not in key and "secretFile" not in key
    provider = unwrap(one(run, "pulumi:providers:kubernetes").inputs)
    assert provider["clusterIdentifier"] == cluster, "a fresh kubeconfig per run must not replace the patches"
    assert provider["enableServerSideApply"] in (True, "true")
    addon = unwrap(one(run, ADDON).inputs)
    assert addon["name"] == "terway-eniip" and addon["clusterId"] == cluster
    for patch in by_type(run, DS_PATCH) + by_type(run, CM_PATCH) + by_type(run, SECRET):
        assert patch.retain_on_delete, f"{patch.name} must survive pulumi destroy"
        annotations = unwrap(patch.inputs)["metadata"]["annotations"]
        assert annotations[constants.PATCH_FIELD_MANAGER_ANNOTATION] == constants.FIELD_MANAGER


def test_host_with_existing_key_creates_no_ram(example_runs: Mapping[str, ProgramRun]) -> None:
    run = example_runs["example-host"]
    assert not [r for r in run.registrations if r.type.startswith("alicloud:ram/")]
    assert {ADDON, CM_PATCH, SECRET, DS_PATCH} <= set(types(run))
    reads = by_type(run, "kubernetes:apps/v1:DaemonSet")
    assert [r.id for r in reads] == ["kube-system/terway-eniip"], "host: no on-prem CNI to read or patch"
    secret = one(run, SECRET)
    string_data = secret.inputs["stringData"]
    assert is_secret(string_data)
    assert unwrap(string_data)["access-key-id"] == "LTAI5tExampleKeyId0123456"
    assert set(unwrap(string_data)) == {"access-key-id", "access-key-secret"}
    assert not any(v.endswith(("\n", " ")) for v in unwrap(string_data).values()), "Terway reads them raw"
    assert unwrap(one(run, ADDON).inputs)["config"] == '{"IPVlan": "true"}'
    assert unwrap(one(run, ADDON).inputs)["version"] == "v1.9.6"
    eni_conf = json.loads(unwrap(one(run, CM_PATCH).inputs)["data"]["eni_conf"])
    assert eni_conf["service_cidr"] == "192.168.240.0/20,fd00:0:0:f0::/112", "dual stack, as Terway splits it"
    assert eni_conf["security_groups"] == ["sg-2ze8a9b0c1d2e3f4g5h6", "sg-2ze7z6y5x4w3v2u1t0s9"]


def test_overlay_creates_nothing_terway(example_runs: Mapping[str, ProgramRun]) -> None:
    run = example_runs["example-overlay"]
    assert not [r for r in run.registrations if r.type.startswith("alicloud:")]
    assert not [r for r in run.registrations if r.type in (CM_PATCH, SECRET)]
    patch = one(run, "kubernetes:apps/v1:DeploymentPatch")
    assert unwrap(patch.inputs)["metadata"]["name"] == "nfs-subdir-external-provisioner"
    assert "terwayAccessKeyId" not in run.outputs


@pytest.mark.parametrize("stack", ["dev", "example-host"])
def test_the_secret_is_a_pulumi_secret_everywhere(stack: str) -> None:
    run, world = run_stack(stack_config(stack))
    secrets = {r.state.get("secret") for r in world.cloud.of_type(KEY)} | {
        "offline-placeholder-for-hybrid-terway:accessKeySecret"
    }
    secrets.discard(None)
    for r in run.registrations:
        for value in _plain_strings(r.inputs):
            assert not any(s in value for s in secrets), f"{r.name} carries a secret outside a secret marker"
    assert not any(s in str(run.outputs) for s in secrets)


def _plain_strings(value: object) -> list[str]:
    if is_secret(value):
        return []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _plain_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _plain_strings(v)]
    return [value] if isinstance(value, str) else []


def test_configmap_store_puts_the_key_in_a_secret_eni_conf() -> None:
    run, world = run_stack(stack_config("dev", credentials='{"store": "configmap"}'))
    assert not by_type(run, SECRET)
    eni = one(run, CM_PATCH).inputs["data"]
    assert is_secret(eni) or is_secret(eni["eni_conf"])
    conf = unwrap(eni)["eni_conf"]
    (key,) = world.cloud.of_type(KEY)
    assert f'"access_key": "{key.id}"' in conf and f'"access_secret": "{key.state["secret"]}"' in conf
    assert any("plain text in ConfigMap" in message for level, message in run.logs if level == "warning")


def test_dual_stack_grants_the_ipv6_actions() -> None:
    import json

    terway = json.loads(stack_config("dev").values["hybrid-terway:terway"])
    run, _ = run_stack(stack_config("dev", terway=json.dumps({**terway, "ipStack": "dual"})))
    assert "ecs:AssignIpv6Addresses" in unwrap(one(run, POLICY).inputs)["policyDocument"]


def test_a_config_mistake_registers_nothing() -> None:
    """`pulumi up` with a bad value stops before the first resource: nothing half-created."""
    from hybrid_terway.config import ConfigError
    from preview.engine.program import World, run_program
    from preview.world.fake_cloud import FakeAlibabaCloud
    from preview.world.fake_cluster import FakeCluster

    good = stack_config("dev")
    world = World(FakeAlibabaCloud(good.values["hybrid-terway:clusterId"]), FakeCluster())
    bad = stack_config("dev", scenario="vxlan")
    with pytest.raises(ConfigError, match="hybrid-terway:scenario = 'vxlan'"):
        run_program(bad.values, bad.secret_keys, "dev", world)
    assert world.cloud.resources == {} and world.cluster.objects == {}
