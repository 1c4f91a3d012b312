"""Sequences of ``pulumi up`` on a cluster whose Calico the tigera operator runs: the program patches the
``Installation``, the operator rolls ``calico-system/calico-node``, and the ``up`` (with the gate for cloud nodes
after it) waits for the operator's own report that the rollout is done (``pulumi.com/waitFor: condition=Ready``,
checked against the generation it observed: docs/running-up.md, "The tigera operator's rollout").
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

import pytest

from hybrid_terway.core import constants, scheduling
from preview.engine.deploy import DeploymentError
from preview.engine.program import World, run_program
from preview.run import settings_of
from preview.stack_config import StackConfig
from preview.world.cloud_snapshot import representative_network
from preview.world.fake_cloud import FakeAlibabaCloud
from preview.world.fake_cluster import FakeCluster, make_kubernetes_service, make_node, make_workload
from preview.world.node_index import NodeIndex
from preview.world.tigera_operator import INSTALLATION_KEY, NODE_KEY
from tests.preview.engine.test_sequences import CLOUD_LABEL, KUBECTL, Sequence, changed, config, kubectl_secret

INSTALLATION_REF = "Installation default"
INSTALLATION_PATCH = "hybrid-isolation-installation-cluster-default"
GATE = "hybrid-cloud-node-gate"
BOUND = float(constants.ROLLOUT_WAIT_BOUND_SECONDS)


def tigera_config() -> StackConfig:
    return config(onPremWorkloads=json.dumps([{"kind": "Installation", "name": "default"}]))


def operator_calico_node(update_strategy: dict[str, Any] | None) -> dict[str, Any]:
    """calico-system/calico-node as the operator renders it, owned by the Installation."""
    ds = make_workload("DaemonSet", constants.TIGERA_NAMESPACE, constants.TIGERA_NODE_DAEMONSET)
    ds["metadata"]["ownerReferences"] = [
        {
            "apiVersion": constants.TIGERA_API_VERSION,
            "kind": "Installation",
            "name": "default",
            "uid": "5a4e1d2c-0b9f-4e6a-8c7d-3f2e1a0b9c8d",
            "controller": True,
        }
    ]
    if update_strategy is not None:
        ds["spec"]["updateStrategy"] = update_strategy
    return ds


def tigera_sequence(
    *, onprem_nodes: int = 2, on_delete: bool = False, max_unavailable: Any = None
) -> tuple[Sequence, StackConfig]:
    """A cluster with the operator's Calico on every Linux node (cloud nodes too): the operator has reconciled the
    Installation (generation 1, Ready), and another addon's ``alibaba-addon-secret`` exists."""
    stack = tigera_config()
    settings = settings_of(stack)
    assert settings.terway is not None
    first_ip = str(ipaddress.ip_network(settings.terway.service_cidr, strict=False)[1])
    nodes = [make_node(f"dc1-node-{i}", {}) for i in range(onprem_nodes)]
    nodes += [make_node(f"cn-hangzhou.192.168.10.{i}", CLOUD_LABEL) for i in range(2)]
    cluster = FakeCluster.of([*nodes, make_kubernetes_service(first_ip)])
    installation = make_workload("Installation", None, "default")
    strategy: dict[str, Any] | None = None
    if on_delete:
        strategy = {"type": "OnDelete"}
    elif max_unavailable is not None:
        strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": max_unavailable}}
    if strategy is not None:
        installation["spec"]["nodeUpdateStrategy"] = strategy
    cluster.create(installation, manager="kubectl-client-side-apply")
    cluster.create(operator_calico_node(strategy), manager="operator")
    cluster.create(kubectl_secret(), manager=KUBECTL)
    world = World(FakeAlibabaCloud(settings.cluster_id, network=representative_network(settings)), cluster)
    assert world.tigera is not None, "a cluster with an Installation runs the operator"
    assert [c["type"] for c in cluster.get(*INSTALLATION_KEY)["status"]["conditions"]] == [
        "Ready",
        "Progressing",
        "Degraded",
    ]
    return Sequence(settings, world), stack


def cloud_nodes(seq: Sequence) -> set[str]:
    key, value = constants.split_label(constants.CLOUD_NODE_LABEL)
    return {n["metadata"]["name"] for n in seq.world.cluster.nodes() if n["metadata"]["labels"].get(key) == value}


def calico_on(seq: Sequence) -> set[str]:
    return set(NodeIndex(seq.world.cluster.nodes()).admitted(scheduling.pod_spec_of(seq.obj(NODE_KEY))))


def installation_waits(run: Any) -> list[tuple[str, str | None, str, float, float, str | None]]:
    return [
        (w.ref, w.condition, "done" if w.completed else "timed out", w.timeout, w.waited, w.rolled)
        for w in run.waits
        if w.ref == INSTALLATION_REF
    ]


def step_index(run: Any, name: str) -> int:
    return next(i for i, s in enumerate(run.steps) if s.urn.endswith(f"::{name}"))


def test_the_up_waits_for_the_operators_rollout_and_the_gate_opens_after_it() -> None:
    seq, stack = tigera_sequence()
    assert calico_on(seq) & cloud_nodes(seq), "before: the operator's calico-node may run on cloud nodes"
    generation = seq.obj(INSTALLATION_KEY)["metadata"]["generation"]
    run = seq.up(stack)
    assert changed(run)[INSTALLATION_PATCH] == "create" and changed(run)[GATE] == "create"
    # the Installation's generation moved on: its Ready condition (observedGeneration 1) no longer counts; the
    # operator rolled calico-node on the 2 on-prem nodes, one at a time, 30 s each, and only then reported Ready
    assert seq.obj(INSTALLATION_KEY)["metadata"]["generation"] == generation + 1
    assert installation_waits(run) == [
        (INSTALLATION_REF, "condition=Ready", "done", BOUND, 60.0, "DaemonSet calico-system/calico-node")
    ]
    wait = next(w for w in run.waits if w.ref == INSTALLATION_REF)
    assert wait.rollout is not None and wait.rollout.pods == 2
    assert not calico_on(seq) & cloud_nodes(seq), "after: calico-node is kept off every cloud node"
    annotations = seq.obj(INSTALLATION_KEY)["metadata"]["annotations"]
    assert annotations[constants.WAIT_FOR_ANNOTATION] == "condition=Ready"
    # the gate waits for the Installation's patch, so for the operator's rollout
    assert step_index(run, INSTALLATION_PATCH) < step_index(run, GATE)
    conditions = {c["type"]: c for c in seq.obj(INSTALLATION_KEY)["status"]["conditions"]}
    assert conditions["Ready"]["status"] == "True" and conditions["Ready"]["observedGeneration"] == generation + 1
    # converged: a preview and a further `up` change nothing and wait for nothing
    preview = run_program(stack.values, stack.secret_keys, stack.stack, seq.world, dry_run=True)
    assert preview.changed == []
    again = seq.up(stack)
    assert again.changed == [] and again.waits == []


def test_a_stale_ready_condition_does_not_end_the_wait_when_the_operator_never_reconciles() -> None:
    """The operator is stopped: the Installation keeps Ready=True from generation 1. The wait does not take it
    (kubectl.go checkCondition: observedGeneration below the generation), runs out, fails the `up`, and the gate
    is never created."""
    seq, stack = tigera_sequence()
    assert seq.world.tigera is not None
    seq.world.tigera.running = False
    with pytest.raises(DeploymentError) as failed:
        seq.up(stack)
    message = str(failed.value)
    assert "failed to fully initialize or become live: timed out waiting for the condition" in message
    assert (
        seq.world.cluster.get("ConfigMap", constants.CLOUD_NODE_GATE_NAMESPACE, constants.CLOUD_NODE_GATE_CONFIG_MAP)
        is None
    )
    assert seq.world.clock.now >= BOUND, "the wait ran its whole timeout"
    ready = next(c for c in seq.obj(INSTALLATION_KEY)["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True" and ready["observedGeneration"] == 1, "the stale condition is still there"
    # the operator is back: the next `up` updates the patch again (its initErrors) and waits for the rollout
    seq.world.tigera.running = True
    run = seq.up(stack)
    assert changed(run)[INSTALLATION_PATCH] == "update"
    assert installation_waits(run)[0][:3] == (INSTALLATION_REF, "condition=Ready", "done")
    assert changed(run)[GATE] == "create"
    assert not calico_on(seq) & cloud_nodes(seq)


def test_an_operator_rollout_longer_than_the_bound_times_out_and_the_next_up_waits_for_the_rest() -> None:
    seq, stack = tigera_sequence(onprem_nodes=200)  # one node at a time, 30 s each: 6,000 s, past the bound
    with pytest.raises(DeploymentError, match="timed out waiting for the condition"):
        seq.up(stack)
    assert (
        seq.world.cluster.get("ConfigMap", constants.CLOUD_NODE_GATE_NAMESPACE, constants.CLOUD_NODE_GATE_CONFIG_MAP)
        is None
    )
    run = seq.up(stack)
    assert installation_waits(run) == [(INSTALLATION_REF, "condition=Ready", "done", BOUND, 6000.0 - BOUND, None)]
    assert changed(run)[GATE] == "create"


def test_an_on_delete_calico_node_is_waited_for_until_the_operator_rendered_it_and_the_user_is_told() -> None:
    seq, stack = tigera_sequence(on_delete=True)
    run = seq.up(stack)
    # OnDelete never completes by itself: the wait is for the operator's reconcile of this generation
    assert installation_waits(run) == [
        (INSTALLATION_REF, "condition=Degraded=False", "done", BOUND, 0.0, "DaemonSet calico-system/calico-node")
    ]
    assert seq.obj(NODE_KEY)["spec"]["template"]["spec"]["affinity"], "rendered before the gate opens"
    warnings = [m for level, m in run.logs if level == "warning"]
    assert any("OnDelete" in m and "kubectl -n calico-system delete pod -l k8s-app=calico-node" in m for m in warnings)
    assert changed(run)[GATE] == "create"
    seq.world.delete_pods(*NODE_KEY)
    again = seq.up(stack)
    assert again.changed == []


def _obj(conditions: list[dict[str, Any]] | None, generation: int | None = None, **status: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"status": {**status, **({"conditions": conditions} if conditions is not None else {})}}
    if generation is not None:
        obj["metadata"] = {"generation": generation}
    return obj


@pytest.mark.parametrize(
    ("expr", "obj", "satisfied"),
    [
        # pulumi-kubernetes provider/pkg/await/condition/custom_test.go TestCustom, case by case
        ("condition=Custom", _obj([{"type": "Custom", "status": "False"}]), False),
        ("condition=Custom", _obj([{"type": "Custom", "status": "True"}]), True),
        ("condition=Custom", _obj([{"type": "Custom", "status": "True", "observedGeneration": 1}], 2), False),
        ("condition=Custom", _obj([{"type": "Custom", "status": "True"}], 2, observedGeneration=1), False),
        ("condition=Custom=foo", _obj([{"type": "Custom", "status": "False"}]), False),
        ("condition=Custom=Foo", _obj([{"type": "Custom", "status": "foo"}]), True),
        ("condition=Custom", _obj([{"type": "Custom"}]), False),
        ("condition=Custom", _obj([{"type": "Other", "status": "True"}]), False),
        ("condition=Custom", _obj(None), False),
        # the Installation as the operator stamps it: the generation it reconciled
        ("condition=Ready", _obj([{"type": "Ready", "status": "True", "observedGeneration": 2}], 2), True),
        ("condition=Ready", _obj([{"type": "Ready", "status": "True", "observedGeneration": 1}], 2), False),
        ("condition=Degraded=False", _obj([{"type": "Degraded", "status": "False", "observedGeneration": 2}], 2), True),
    ],
)
def test_the_generic_awaiters_condition_check(expr: str, obj: dict[str, Any], satisfied: bool) -> None:
    from preview.engine.provider_rules import condition_satisfied, wait_for_conditions

    annotated = {**obj, "metadata": {**obj.get("metadata", {}), "annotations": {"pulumi.com/waitFor": expr}}}
    conditions = wait_for_conditions(annotated)
    assert conditions is not None and len(conditions) == 1
    assert condition_satisfied(obj, conditions[0]) is satisfied


@pytest.mark.parametrize(
    ("annotation", "error"),
    [
        ("[]", "at least one condition must be specified"),
        ("Ready", 'expected a "jsonpath=" or "condition=" prefix, got "Ready"'),
        ('["condition=Ready", "Available"]', 'expected a "jsonpath=" or "condition=" prefix, got "Available"'),
    ],
)
def test_the_wait_for_annotation_is_read_as_ready_condition_reads_it(annotation: str, error: str) -> None:
    """metadata/overrides.go ReadyCondition: a JSON array of expressions or one expression, each with a prefix."""
    from preview.engine.provider_rules import WaitForError, wait_for_conditions

    with pytest.raises(WaitForError, match=re.escape(error)):
        wait_for_conditions({"metadata": {"annotations": {"pulumi.com/waitFor": annotation}}})
    both = wait_for_conditions(
        {"metadata": {"annotations": {"pulumi.com/waitFor": '["condition=Ready", "condition=Degraded=False"]'}}}
    )
    assert both is not None and [(c.type, c.status) for c in both] == [("Ready", "True"), ("Degraded", "False")]
