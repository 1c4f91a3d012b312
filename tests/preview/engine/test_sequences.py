"""Sequences of ``pulumi up``: one persisted state, one fake cluster, and between the runs only what a person,
Helm or the addon would do. Each run is checked for what it applied, conflicted on (and forced), waited for and
rolled; each sequence ends converged: every on-prem CNI kept off cloud nodes, ``eni_conf`` holding the stack's
values, Terway restarted exactly once per change of what it reads, and a further ``up`` changing nothing.

The engine and the cluster are the offline ones (``preview.engine.program``, ``preview.engine.deploy``,
``preview.world.fake_cluster``), which hold the real engine's, provider's and API server's rules
(docs/engine-rules.md, docs/cluster-model.md).
"""

from __future__ import annotations

import copy
import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from hybrid_terway import terway
from hybrid_terway.core import constants, scheduling, terway_model
from hybrid_terway.core.settings import Settings
from hybrid_terway.terway import owned_eni_conf
from preview.engine.deploy import DeploymentError
from preview.engine.program import ProgramRun, World, run_program
from preview.engine.wire import SECRET_SIG, SECRET_SIG_KEY
from preview.report import artifacts
from preview.run import settings_of
from preview.stack_config import StackConfig, secret_placeholder
from preview.world.cloud_snapshot import representative_network
from preview.world.fake_cloud import FakeAlibabaCloud
from preview.world.fake_cluster import ADDON_MANAGER, FakeCluster, make_kubernetes_service, make_node, make_workload
from preview.world.node_index import NodeIndex
from tests.conftest import stack_config

NS = constants.TERWAY_NAMESPACE
CALICO = ("DaemonSet", "kube-system", "calico-node")
ENI_CONFIG = ("ConfigMap", NS, constants.ENI_CONFIG_MAP)
TERWAY = ("DaemonSet", NS, constants.TERWAY_DAEMONSET)
SECRET = ("Secret", NS, constants.ADDON_SECRET)
CALICO_PATCH = "hybrid-isolation-daemonset-kube-system-calico-node"
ENI_PATCH = "hybrid-terway-eni-config"
TERWAY_PATCH = "hybrid-terway-daemonset"
SECRET_RESOURCE = "hybrid-terway-credentials"
ADDON = "hybrid-terway-addon"
HELM = "helm"
REQUIRED = ".spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
CALICO_REF = "DaemonSet kube-system/calico-node"
TERWAY_REF = f"DaemonSet {NS}/{constants.TERWAY_DAEMONSET}"
ENI_REF = f"ConfigMap {NS}/{constants.ENI_CONFIG_MAP}"
SECRET_REF = f"Secret {NS}/{constants.ADDON_SECRET}"
DEFAULT_WAIT = float(constants.DEFAULT_ROLLOUT_WAIT_SECONDS)
KUBECTL = "kubectl-create"
KUBECTL_EDIT = "kubectl-edit"
CLOUD_LABEL = {"alibabacloud.com/external": "true", "topology.kubernetes.io/zone": "cn-hangzhou-h"}
# A kubeconfig that does not change between runs (an exec credential plugin's): the stable way, so a converged
# `up` changes nothing at all (a kubeconfig fetched anew updates the provider: test_a_fetched_kubeconfig_...).
KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: hybrid, cluster: {server: "https://203.0.113.10:6443"}}]
users: [{name: ram, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ack-ram-tool,
  args: [credential-plugin, get-credential, --cluster-id, c8f1a2b3c4d5e6f708192a3b4c5d6e7f8]}}}]
contexts: [{name: hybrid, context: {cluster: hybrid, user: ram}}]
current-context: hybrid
"""


def config(stack: str = "dev", **overrides: Any) -> StackConfig:
    base = stack_config(stack, **overrides)
    values = {**base.values, f"{constants.PROJECT}:kubeconfig": KUBECONFIG}
    return StackConfig(base.stack, values, [*base.secret_keys, f"{constants.PROJECT}:kubeconfig"])


CHART_AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}
            ]
        }
    }
}


def helm_calico(*, on_delete: bool = False, max_unavailable: Any = None) -> dict[str, Any]:
    """calico-node as its Helm chart renders it: the chart's affinity (Linux nodes)."""
    obj = make_workload(*CALICO)
    obj["spec"]["template"]["spec"]["affinity"] = copy.deepcopy(CHART_AFFINITY)
    obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "Helm"
    obj["metadata"]["annotations"] = {
        "meta.helm.sh/release-name": "calico",
        "meta.helm.sh/release-namespace": "kube-system",
    }
    if on_delete:
        obj["spec"]["updateStrategy"] = {"type": "OnDelete"}
    elif max_unavailable is not None:
        obj["spec"]["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": max_unavailable}}
    return obj


def kubectl_secret() -> dict[str, Any]:
    """``kubectl create secret generic alibaba-addon-secret --from-literal=...``: another addon's key."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": constants.ADDON_SECRET, "namespace": NS},
        "type": "Opaque",
        "data": {
            constants.ADDON_SECRET_ID_KEY: "TFRBSTV0T3RoZXJBZGRvbktleQ==",
            constants.ADDON_SECRET_SECRET_KEY: "b3RoZXI=",
        },
    }


@dataclass
class Sequence:
    """One stack's `up`s against one world: its state, clock and cluster persist from run to run."""

    settings: Settings
    world: World
    terway_restarts: int = 0
    runs: list[ProgramRun] = field(default_factory=list)

    def up(self, stack: StackConfig) -> ProgramRun:
        """One `pulumi up`; counts a restart of Terway when one of its applies rolled terway-eniip's pods (the
        engine's rollout after an apply that changed the pod template)."""
        run = run_program(stack.values, stack.secret_keys, stack.stack, self.world)
        self.runs.append(run)
        self.terway_restarts += len(rolled(run, TERWAY))
        return run

    def template(self, key: tuple[str, str, str]) -> Any:
        obj = self.world.cluster.get(*key)
        return copy.deepcopy(((obj or {}).get("spec") or {}).get("template"))

    def obj(self, key: tuple[str, str, str]) -> dict[str, Any]:
        found = self.world.cluster.get(*key)
        assert found is not None, key
        return found


def new_sequence(
    calico: dict[str, Any], cloud_nodes: int = 2, onprem_nodes: int = 2, stack: StackConfig | None = None
) -> Sequence:
    settings = settings_of(stack or config())
    assert settings.terway is not None
    first_ip = str(ipaddress.ip_network(settings.terway.service_cidr, strict=False)[1])
    nodes = [make_node(f"dc1-node-{i}", {}) for i in range(onprem_nodes)]
    nodes += [make_node(f"cn-hangzhou.192.168.10.{i}", CLOUD_LABEL) for i in range(cloud_nodes)]
    cluster = FakeCluster.of([*nodes, make_kubernetes_service(first_ip)])
    cluster.create(calico, manager=HELM)
    cluster.create(kubectl_secret(), manager=KUBECTL)
    world = World(FakeAlibabaCloud(settings.cluster_id, network=representative_network(settings)), cluster)
    return Sequence(settings, world)


# --- what a run did ------------------------------------------------------------------------------------------


def rolled(run: ProgramRun, key: tuple[str, str, str]) -> list[Any]:
    """The rollouts of the workload ``key`` that this run's applies caused: each wait that saw its pod template
    change (a skipped wait does not look)."""
    ref = f"{key[0]} {key[1]}/{key[2]}"
    return [w for w in run.waits if w.ref == ref and w.rollout is not None]


def changed(run: ProgramRun) -> dict[str, str]:
    """resource name -> step, for every step `--expect-no-changes` refuses."""
    return {s.urn.rsplit("::", 1)[1]: s.op for s in run.changed}


def waits(run: ProgramRun) -> list[tuple[str, str, float, float, bool]]:
    """(object, done | timed out | skipped, the wait, the time waited, whether its template changed)."""
    return [
        (
            w.ref,
            "skipped" if w.skipped else ("done" if w.completed else "timed out"),
            w.timeout,
            w.waited,
            w.rollout is not None,
        )
        for w in run.waits
    ]


def forced(run: ProgramRun) -> set[tuple[str, str, str]]:
    """(object, other manager, field) of every conflict a forced apply resolved."""
    return {(c.ref, c.other, c.path) for c in run.conflicts if c.forced}


def converged(seq: Sequence, stack: StackConfig) -> None:
    """Every on-prem CNI off cloud nodes, Terway only on them, eni_conf holding the stack's values, and a further
    `up` that changes, applies, waits for and rolls nothing."""
    nodes = NodeIndex(seq.world.cluster.nodes())
    label_key, label_value = constants.split_label(constants.CLOUD_NODE_LABEL)
    cloud = {
        n["metadata"]["name"]
        for n in seq.world.cluster.nodes()
        if n["metadata"]["labels"].get(label_key) == label_value
    }
    calico_on = set(nodes.admitted(scheduling.pod_spec_of(seq.obj(CALICO))))
    assert calico_on and not calico_on & cloud, calico_on
    assert set(nodes.admitted(scheduling.pod_spec_of(seq.obj(TERWAY)))) == cloud
    settings = settings_of(stack)
    assert settings.terway is not None
    live = json.loads(seq.obj(ENI_CONFIG)["data"][constants.ENI_CONF_KEY])
    for key, value in owned_eni_conf(settings.terway, None).items():
        assert live[key] == value, key
    restarts = seq.terway_restarts
    # `pulumi preview --expect-no-changes` holds, and so does a further `up`
    preview = run_program(stack.values, stack.secret_keys, stack.stack, seq.world, dry_run=True)
    assert preview.changed == [], [(s.urn, s.op, s.diffs) for s in preview.changed]
    again = seq.up(stack)
    assert again.changed == [], [(s.urn, s.op, s.diffs) for s in again.changed]
    assert again.waits == [] and again.conflicts == []
    assert seq.terway_restarts == restarts


# --- the sequences -------------------------------------------------------------------------------------------


def test_first_install_over_the_addon_helm_and_a_kubectl_secret() -> None:
    seq = new_sequence(helm_calico())
    stack = config()
    first = seq.up(stack)
    assert {
        n: changed(first)[n] for n in (ADDON, CALICO_PATCH, ENI_PATCH, SECRET_RESOURCE, TERWAY_PATCH)
    } == dict.fromkeys((ADDON, CALICO_PATCH, ENI_PATCH, SECRET_RESOURCE, TERWAY_PATCH), "create")
    assert seq.world.cloud.addon_events[0][:2] == ("install", constants.TERWAY_ADDON)
    # each manager this program must win over, each field it takes
    assert forced(first) == {
        (CALICO_REF, HELM, REQUIRED),
        (ENI_REF, ADDON_MANAGER, ".data.eni_conf"),
        (SECRET_REF, KUBECTL, ".data.access-key-id"),
        (SECRET_REF, KUBECTL, ".data.access-key-secret"),
    }
    assert [c for c in first.conflicts if not c.forced] == []
    # calico-node rolls its 2 on-prem nodes (1 at a time, 30 s each), Terway its 2 cloud nodes: both within the wait
    assert waits(first) == [
        (CALICO_REF, "done", DEFAULT_WAIT, 60.0, True),
        (TERWAY_REF, "done", DEFAULT_WAIT, 60.0, True),
    ]
    secret = seq.obj(SECRET)
    assert secret["data"][constants.ADDON_SECRET_ID_KEY] != kubectl_secret()["data"][constants.ADDON_SECRET_ID_KEY]
    assert seq.terway_restarts == 1, "the addon's Terway restarted once, on the stack's eni_conf"
    converged(seq, stack)


def installed(calico: dict[str, Any] | None = None, **seq_args: Any) -> tuple[Sequence, StackConfig]:
    """A sequence whose first `up` is done and converged."""
    seq = new_sequence(calico or helm_calico(), **seq_args)
    stack = config()
    seq.up(stack)
    converged(seq, stack)
    return seq, stack


def test_helm_upgrade_resets_calico_affinity_and_the_next_up_puts_the_exclusion_back() -> None:
    seq, stack = installed()
    restarts = seq.terway_restarts
    # `helm upgrade`: Helm's three-way merge puts the chart's affinity back, exactly what the first run started from
    live = copy.deepcopy(seq.obj(CALICO))
    live["spec"]["template"]["spec"]["affinity"] = copy.deepcopy(CHART_AFFINITY)
    seq.world.cluster.update(live, manager=HELM)
    assert set(NodeIndex(seq.world.cluster.nodes()).admitted(scheduling.pod_spec_of(seq.obj(CALICO)))) >= {
        "cn-hangzhou.192.168.10.0"
    }, "calico-node may land on cloud nodes again"
    run = seq.up(stack)
    assert changed(run) == {CALICO_PATCH: "update"}, "only the marker is new: the merged affinity is the same"
    assert forced(run) == {(CALICO_REF, HELM, REQUIRED)}
    assert waits(run) == [(CALICO_REF, "done", DEFAULT_WAIT, 60.0, True)]
    assert seq.terway_restarts == restarts, "Terway reads nothing of calico-node"
    converged(seq, stack)


def edited_eni_conf(seq: Sequence, **keys: Any) -> None:
    """``kubectl edit configmap eni-config``: owned keys of eni_conf changed by hand."""
    cm = copy.deepcopy(seq.obj(ENI_CONFIG))
    conf = json.loads(cm["data"][constants.ENI_CONF_KEY])
    cm["data"][constants.ENI_CONF_KEY] = json.dumps({**conf, **keys})
    seq.world.cluster.update(cm, manager=KUBECTL_EDIT)


def test_a_hand_edit_of_an_owned_eni_conf_key_is_reverted_and_terway_restarts_once_after_the_revert() -> None:
    seq, stack = installed()
    for attempt in (1, 2):  # the same hand edit twice: each one reverted, each revert restarts Terway once
        restarts = seq.terway_restarts
        edited_eni_conf(seq, max_pool_size=50)
        run = seq.up(stack)
        assert changed(run) == {ENI_PATCH: "update", TERWAY_PATCH: "update"}, attempt
        assert forced(run) == {(ENI_REF, KUBECTL_EDIT, ".data.eni_conf")}
        assert waits(run) == [(TERWAY_REF, "done", DEFAULT_WAIT, 60.0, True)]
        urns = [s.urn for s in run.steps]
        eni = next(u for u in urns if u.endswith(f"::{ENI_PATCH}"))
        ds = next(u for u in urns if u.endswith(f"::{TERWAY_PATCH}"))
        assert urns.index(eni) < urns.index(ds), "Terway restarts after the revert is applied"
        assert seq.terway_restarts == restarts + 1
        converged(seq, stack)


def with_terway(**keys: Any) -> StackConfig:
    terway_value = json.loads(stack_config("dev").values[f"{constants.PROJECT}:terway"])
    return config(terway=json.dumps({**terway_value, **keys}))


def test_an_addon_upgrade_that_re_renders_everything_is_corrected_in_the_same_up() -> None:
    seq, _ = installed()
    restarts = seq.terway_restarts
    upgraded = with_terway(version="v1.13.7")
    run = seq.up(upgraded)
    assert seq.world.cloud.addon_events[-1] == ("upgrade", constants.TERWAY_ADDON, "v1.13.7")
    # the addon re-rendered eni-config and terway-eniip (the worst case): the patches see it and win again
    assert changed(run) == {ADDON: "update", ENI_PATCH: "update", TERWAY_PATCH: "update"}
    assert forced(run) == {(ENI_REF, ADDON_MANAGER, ".data.eni_conf")}
    assert waits(run) == [(TERWAY_REF, "done", DEFAULT_WAIT, 60.0, True)]
    assert seq.obj(ENI_CONFIG)["metadata"]["annotations"][constants.TERWAY_VERSION_ANNOTATION] == "v1.13.7"
    assert seq.terway_restarts == restarts + 1, "one restart, on the corrected eni_conf"
    converged(seq, upgraded)


def test_an_on_delete_daemonset_is_not_waited_for_and_the_user_is_told_to_delete_its_pods() -> None:
    seq = new_sequence(helm_calico(on_delete=True))
    stack = config()
    run = seq.up(stack)
    assert changed(run)[CALICO_PATCH] == "create"
    # skipAwait: an OnDelete rollout never completes by itself; Terway's rollout is waited for as usual
    assert waits(run) == [(CALICO_REF, "skipped", 0.0, 0.0, False), (TERWAY_REF, "done", DEFAULT_WAIT, 60.0, True)]
    warnings = [m for level, m in run.logs if level == "warning"]
    assert any("OnDelete" in m and "kubectl -n kube-system delete pod -l app=calico-node" in m for m in warnings)
    converged(seq, stack)


def large_sequence(max_unavailable: Any) -> Sequence:
    seq = new_sequence(helm_calico(max_unavailable=max_unavailable), cloud_nodes=2, onprem_nodes=1998)
    # the DaemonSet controller's status: calico-node runs on all 2,000 nodes
    seq.world.cluster.objects[CALICO]["status"] = {"desiredNumberScheduled": 2000, "currentNumberScheduled": 2000}
    return seq


def test_a_rollout_of_2000_nodes_that_outlasts_the_default_wait_is_waited_for_within_the_bound() -> None:
    seq = large_sequence(50)  # 40 rounds: longer than the provider's default 10 minutes
    stack = config()
    run = seq.up(stack)
    # 1,998 on-prem nodes, 50 at a time: 40 rounds of 30 s, 20 minutes, where the default wait is 10
    assert waits(run) == [
        (CALICO_REF, "done", float(constants.ROLLOUT_WAIT_BOUND_SECONDS), 1200.0, True),
        (TERWAY_REF, "done", DEFAULT_WAIT, 60.0, True),
    ]
    assert constants.ROLLOUT_WAIT_BOUND_SECONDS * 2 < constants.KUBECONFIG_LIFETIME_MINUTES * 60
    converged(seq, stack)


def test_a_rollout_of_2000_nodes_longer_than_the_bound_is_not_waited_for_and_says_so() -> None:
    seq = large_sequence(None)  # one node at a time: 2,000 rounds, many hours
    stack = config()
    run = seq.up(stack)
    assert waits(run) == [(CALICO_REF, "skipped", 0.0, 0.0, False), (TERWAY_REF, "done", DEFAULT_WAIT, 60.0, True)]
    warnings = [m for level, m in run.logs if level == "warning"]
    assert any("2000 pod(s)" in m and "rollout status daemonset/calico-node" in m for m in warnings)
    converged(seq, stack)


def test_key_rotation_updates_the_secret_in_place_and_restarts_terway_once_at_the_switch() -> None:
    seq, _ = installed()

    def slots(key_slots: list[str], active: str) -> StackConfig:
        credentials = {"source": "managed", "store": "secret", "keySlots": key_slots, "activeKey": active}
        return config(credentials=json.dumps(credentials))

    steps = [slots(["a", "b"], "a"), slots(["a", "b"], "b"), slots(["b"], "b")]
    restarts = []
    for number, step in enumerate(steps, 1):
        before = seq.terway_restarts
        run = seq.up(step)
        restarts.append(seq.terway_restarts - before)
        assert SECRET_RESOURCE not in changed(run) or changed(run)[SECRET_RESOURCE] == "update", number
        if number == 2:  # the switch: the Secret gets key b in place (enableSecretMutable), Terway restarts
            assert {n: changed(run).get(n) for n in (SECRET_RESOURCE, TERWAY_PATCH)} == {
                SECRET_RESOURCE: "update",
                TERWAY_PATCH: "update",
            }
            assert waits(run) == [(TERWAY_REF, "done", DEFAULT_WAIT, 60.0, True)]
        else:
            assert waits(run) == [], number
        assert forced(run) == set()
        converged(seq, step)
    assert restarts == [0, 1, 0]
    keys = seq.world.cloud.of_type("alicloud:ram/accessKey:AccessKey")
    assert len(keys) == 1


def test_without_force_on_eni_config_the_first_install_fails_with_the_providers_conflict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the program guards against: the addon's manager owns data.eni_conf, so an unforced apply is a 409."""
    unforced = terway.eni_config_annotations

    def without_force(version: str | None, marker: Any) -> dict[str, Any]:
        annotations = unforced(version, marker)
        del annotations[constants.PATCH_FORCE_ANNOTATION]
        return annotations

    monkeypatch.setattr(terway, "eni_config_annotations", without_force)
    seq = new_sequence(helm_calico())
    with pytest.raises(DeploymentError) as failed:
        seq.up(config())
    message = str(failed.value)
    # pulumi-kubernetes await.go handleSSAErr, around the API server's 409
    assert "server-side apply field conflict detected" in message
    assert f'The resource managed by field manager "{constants.FIELD_MANAGER}" had an apply conflict' in message
    assert ".data.eni_conf" in message
    # Terway's DaemonSet patch waits for eni-config: it never ran
    assert constants.RESTART_ANNOTATION not in (
        (seq.template(TERWAY) or {}).get("metadata", {}).get("annotations") or {}
    )


def test_a_fetched_kubeconfig_updates_only_the_provider_on_a_further_up() -> None:
    """docs/running-up.md: DiffConfig sees the new kubeconfig; nothing in the cluster changes."""
    seq, _ = installed()
    fetched = stack_config("dev")
    seq.up(fetched)
    run = seq.up(fetched)
    assert {s.type for s in run.changed} == {"pulumi:providers:kubernetes"}, [(s.urn, s.op) for s in run.changed]
    assert run.waits == [] and run.conflicts == []


@pytest.mark.parametrize("source", ["existing", "managed"])
def test_state_of_a_configmap_store_stack_holds_no_accesskey_secret(source: str) -> None:
    """`grep <secret> state.json` finds nothing, on the second `up` too, whose read of eni-config finds the key in
    the live eni_conf: the read (its `__inputs` and metadata included), the eni-config patch and the AccessKey keep
    it as secret envelopes (docs/running-up.md, "Secrets in state")."""
    credentials = {"source": source, "store": "configmap"}
    if source == "existing":
        credentials["accessKeyId"] = "LTAI5tConfigMapKeyId98765"
    stack = config("example-configmap", credentials=json.dumps(credentials))
    if source == "managed":
        stack.values.pop(f"{constants.PROJECT}:accessKeySecret", None)
        stack.secret_keys.remove(f"{constants.PROJECT}:accessKeySecret")
    seq = new_sequence(helm_calico(), stack=stack)
    seq.up(stack)
    secrets = {str(k.state["secret"]) for k in seq.world.cloud.of_type("alicloud:ram/accessKey:AccessKey")}
    secrets |= {secret_placeholder(f"{constants.PROJECT}:accessKeySecret")} if source == "existing" else set()
    assert secrets and all(len(secret) > 10 for secret in secrets)
    live = json.loads(seq.obj(ENI_CONFIG)["data"][constants.ENI_CONF_KEY])
    assert live[terway_model.ACCESS_SECRET] in secrets, "store: configmap: the key is in eni_conf, in the cluster"
    second = seq.up(stack)
    assert second.changed == []
    for run in seq.runs:
        state = artifacts.json_bytes(run.state.export()).decode()
        for secret in secrets:
            assert secret not in state
        assert f'"{SECRET_SIG_KEY}": "{SECRET_SIG}"' in state, "the key is there, as the engine's secret envelope"


def test_the_addons_node_selector_keys_are_kept_when_terway_is_pinned_to_cloud_nodes() -> None:
    """PodSpec.nodeSelector is atomic: Terway's patch sends the live selector back with the cloud-node label set,
    or the apply would remove every key the addon put there."""
    seq = new_sequence(helm_calico())
    seq.world.cluster.install_addon(constants.TERWAY_ADDON, constants.CLOUD_NODE_LABEL)
    rendered = copy.deepcopy(seq.obj(TERWAY))
    rendered["spec"]["template"]["spec"]["nodeSelector"]["kubernetes.io/os"] = "linux"
    seq.world.cluster.update(rendered, manager=ADDON_MANAGER)
    stack = config()
    seq.up(stack)
    assert seq.obj(TERWAY)["spec"]["template"]["spec"]["nodeSelector"] == {
        "alibabacloud.com/external": "true",
        "kubernetes.io/os": "linux",
    }
    converged(seq, stack)
