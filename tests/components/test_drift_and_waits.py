"""The pure pieces behind drift correction and bounded rollout waits: markers, tokens, timeout sizing."""

from __future__ import annotations

from typing import Any

import pytest

from hybrid_terway.core import constants
from hybrid_terway.core.drift import drift_marker, fingerprint, live_marker
from hybrid_terway.core.settings import OnPremWorkload
from hybrid_terway.core.vocabulary import WorkloadKind
from hybrid_terway.core.waits import rollout_wait, scaled
from hybrid_terway.isolation import isolation_patch
from hybrid_terway.terway import restart_token

LABEL = constants.CLOUD_NODE_LABEL
CALICO = OnPremWorkload(kind=WorkloadKind.DAEMONSET, namespace="kube-system", name="calico-node")


def obj(marker: str | None = None, version: str | None = "100", **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "x", "namespace": "kube-system"}
    if marker:
        meta["annotations"] = {constants.DRIFT_ANNOTATION: marker}
    if version:
        meta["resourceVersion"] = version
    return {"metadata": meta, **extra}


# --- drift markers -------------------------------------------------------------------------------


def test_a_converged_object_keeps_its_marker() -> None:
    assert drift_marker(True, obj("m1")) == "m1"
    assert drift_marker(True, obj("m1", version="999")) == "m1", "a status update changes nothing"


def test_a_drifted_object_gets_a_new_marker_unlike_the_live_one() -> None:
    new = drift_marker(False, obj("m1"), fingerprint({"a": 1}))
    assert new != "m1" and new == drift_marker(False, obj("m1"), fingerprint({"a": 1})), "preview == up"


def test_a_drift_back_to_an_earlier_state_still_gets_a_new_marker() -> None:
    """A helm upgrade resets the affinity to exactly what it was before the first run: the inputs must change."""
    first = drift_marker(False, obj(None, version="1"), fingerprint("helm's affinity"))
    # applied: the live object now carries `first`; then helm resets the affinity to the same values
    second = drift_marker(False, obj(first, version="7"), fingerprint("helm's affinity"))
    assert second != first
    # even where the reset also removed the marker, the object's version differs
    assert drift_marker(False, obj(None, version="9"), fingerprint("helm's affinity")) != first


def test_a_drift_without_a_version_is_told_apart_by_its_values() -> None:
    a = drift_marker(False, obj(None, version=None), fingerprint({"v": 1}))
    b = drift_marker(False, obj(None, version=None), fingerprint({"v": 2}))
    assert a != b


def test_live_marker_reads_only_a_nonempty_string() -> None:
    assert live_marker(obj("m")) == "m"
    assert live_marker(obj()) is None
    assert live_marker({"metadata": {"annotations": {constants.DRIFT_ANNOTATION: ""}}}) is None
    assert live_marker(None) is None


def test_fingerprint_is_a_digest_not_the_value() -> None:
    text = fingerprint({"access_secret": "not-in-the-marker"})
    assert "not-in-the-marker" not in text and len(text) == 16


# --- the restart token ------------------------------------------------------------------------------


def test_the_token_changes_on_every_revert_even_of_the_same_hand_edit() -> None:
    merged = {"max_pool_size": 5}
    edited = {"max_pool_size": 10}
    base = restart_token(merged, "LTAI5tA")
    first = restart_token(merged, "LTAI5tA", live=edited, live_token=base)
    assert first != base and first.startswith(base + ".")
    # converged after the revert: kept
    assert restart_token(merged, "LTAI5tA", live=merged, live_token=first) == first
    # the same hand edit again: a new token, so Terway restarts once more, after this revert
    second = restart_token(merged, "LTAI5tA", live=edited, live_token=first)
    assert second not in (first, base)


def test_the_token_leaves_the_secret_out() -> None:
    merged = {"access_secret": "s3cr3t-value", "max_pool_size": 5}
    token = restart_token(merged, "LTAI5tA", live={"access_secret": "other-s3cr3t"}, live_token=None)
    assert "s3cr3t" not in token
    # the secret is left out of both hashes: another secret, the same token
    assert token == restart_token(
        {**merged, "access_secret": "rotated"}, "LTAI5tA", live={"access_secret": "x"}, live_token=None
    )


# --- the isolation patch: marker in its own metadata ------------------------------------------------


def calico(affinity: Any = None, marker: str | None = None, version: str = "10", pods: int = 3) -> dict[str, Any]:
    live = obj(marker, version=version)
    live["metadata"]["name"] = "calico-node"
    live["kind"] = "DaemonSet"
    live["spec"] = {"selector": {"matchLabels": {"k8s-app": "calico-node"}}, "template": {"spec": {}}}
    if affinity is not None:
        live["spec"]["template"]["spec"]["affinity"] = affinity
    live["status"] = {"desiredNumberScheduled": pods}
    return live


def applied(live: dict[str, Any], patch: Any, version: str) -> dict[str, Any]:
    """``live`` as it is after the patch (affinity, label, annotations) with a new resourceVersion."""
    out = calico(patch.spec["template"]["spec"]["affinity"], version=version)
    out["metadata"]["annotations"] = dict(patch.metadata["annotations"])
    out["metadata"]["labels"] = dict(patch.metadata["labels"])
    return out


def test_isolation_inputs_change_on_drift_and_not_once_converged() -> None:
    first = isolation_patch(CALICO, calico(), LABEL)
    assert not first.converged
    live = applied(calico(), first, "11")
    again = isolation_patch(CALICO, live, LABEL)
    assert again.converged and (again.spec, again.metadata) == (first.spec, first.metadata), "no perpetual diff"
    # a status change (more nodes, same wait bucket) or a new resourceVersion changes nothing
    live["metadata"]["resourceVersion"] = "12"
    assert isolation_patch(CALICO, live, LABEL).metadata == first.metadata
    # helm upgrade: affinity reset to the chart's (none), label and annotations kept
    reset = applied(calico(), first, "13")
    del reset["spec"]["template"]["spec"]["affinity"]
    drifted = isolation_patch(CALICO, reset, LABEL)
    assert not drifted.converged
    assert drifted.spec == first.spec, "the merge of the same chart values is the same..."
    assert drifted.metadata != first.metadata, "...so only the marker makes `up` send it again"


def test_isolation_patch_waits_are_sized_from_the_live_daemonset() -> None:
    small = isolation_patch(CALICO, calico(pods=3), LABEL)
    assert small.metadata["annotations"][constants.TIMEOUT_SECONDS_ANNOTATION] == "600"
    assert small.metadata["annotations"][constants.SKIP_AWAIT_ANNOTATION] == "false"
    on_delete = calico(pods=40)
    on_delete["spec"]["updateStrategy"] = {"type": "OnDelete"}
    patch = isolation_patch(CALICO, on_delete, LABEL)
    assert patch.metadata["annotations"][constants.SKIP_AWAIT_ANNOTATION] == "true"
    assert patch.notice is not None and "OnDelete" in patch.notice
    assert "kubectl -n kube-system delete pod -l k8s-app=calico-node" in patch.notice
    # once converged nothing rolls: no notice
    converged = applied(on_delete, patch, "20")
    converged["spec"]["updateStrategy"] = {"type": "OnDelete"}
    assert isolation_patch(CALICO, converged, LABEL).notice is None


# --- timeout sizing ---------------------------------------------------------------------------------


def daemonset(pods: int, **rolling: Any) -> dict[str, Any]:
    live: dict[str, Any] = {"metadata": {"namespace": "kube-system", "name": "calico-node"}, "spec": {}}
    live["status"] = {"desiredNumberScheduled": pods}
    if rolling:
        live["spec"]["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": rolling}
    return live


@pytest.mark.parametrize(
    ("value", "total", "up", "expected"),
    [(5, 100, True, 5), ("10%", 15, True, 2), ("10%", 15, False, 1), ("25%", 3, False, 0), (None, 9, True, 7)],
)
def test_int_or_percent_scales_as_kubernetes_does(value: Any, total: int, up: bool, expected: int) -> None:
    assert scaled(value, total, up, 7) == expected


def test_numbers_as_the_engine_hands_them_over_are_doubles() -> None:
    """2,000 pods and maxUnavailable 50 arrive as 2000.0 and 50.0 (protobuf Struct numbers)."""
    live = daemonset(2000, maxUnavailable=50.0)
    live["status"] = {"desiredNumberScheduled": 2000.0}
    assert (rollout_wait("DaemonSet", live).pods, rollout_wait("DaemonSet", live).batches) == (2000, 40)
    assert scaled(2.5, 10, True, 7) == 7, "not a whole number: the default"


def test_a_small_daemonset_waits_the_default() -> None:
    wait = rollout_wait("DaemonSet", daemonset(5))
    assert (wait.pods, wait.batches, wait.timeout_seconds) == (5, 5, constants.DEFAULT_ROLLOUT_WAIT_SECONDS)


def test_the_wait_doubles_with_the_rollout_and_stops_at_the_bound() -> None:
    wait = rollout_wait("DaemonSet", daemonset(20))  # 20 rounds of 60 s, 1.5x: 30 min
    assert wait.timeout_seconds == 2400
    assert rollout_wait("DaemonSet", daemonset(21)).timeout_seconds == 2400, "a few more nodes, same annotation"
    bound = rollout_wait("DaemonSet", daemonset(45))  # 67.5 min, more than 40 min: the bound (75 min)
    assert bound.timeout_seconds == constants.ROLLOUT_WAIT_BOUND_SECONDS
    assert constants.ROLLOUT_WAIT_BOUND_SECONDS * 2 < constants.KUBECONFIG_LIFETIME_MINUTES * 60


def test_a_rollout_longer_than_the_bound_is_not_waited_for_and_says_so() -> None:
    wait = rollout_wait("DaemonSet", daemonset(2000))  # one at a time: 2,000 rounds
    assert wait.skipped and wait.outlasts_bound
    assert wait.annotations()[constants.SKIP_AWAIT_ANNOTATION] == "true"
    notice = wait.notice()
    assert notice is not None and "kubectl -n kube-system rollout status daemonset/calico-node" in notice
    assert "2000 pod(s)" in notice


def test_max_unavailable_in_percent_shortens_a_large_rollout_into_the_bound() -> None:
    wait = rollout_wait("DaemonSet", daemonset(2000, maxUnavailable="10%"))  # 200 at once: 10 rounds
    assert (wait.batches, wait.skipped, wait.timeout_seconds) == (10, False, 1200)


def test_max_surge_counts_for_a_daemonset() -> None:
    assert rollout_wait("DaemonSet", daemonset(100, maxUnavailable=0, maxSurge=50)).batches == 2


def test_deployment_and_statefulset_rounds() -> None:
    deployment = {"metadata": {"namespace": "a", "name": "d"}, "spec": {"replicas": 8}}
    assert rollout_wait("Deployment", deployment).batches == 2  # 25% surge + 25% unavailable: 4 at once
    recreate = {"metadata": {"namespace": "a", "name": "d"}, "spec": {"replicas": 8, "strategy": {"type": "Recreate"}}}
    assert rollout_wait("Deployment", recreate).batches == 1
    sts = {"metadata": {"namespace": "a", "name": "s"}, "spec": {"replicas": 3}}
    assert rollout_wait("StatefulSet", sts).batches == 3
    assert rollout_wait("StatefulSet", {"metadata": {}, "spec": {}}).pods == constants.DEFAULT_REPLICAS


def test_on_delete_is_never_waited_for() -> None:
    live = daemonset(3)
    live["spec"]["updateStrategy"] = {"type": "OnDelete"}
    wait = rollout_wait("DaemonSet", live)
    assert wait.skipped and not wait.outlasts_bound and wait.strategy == "OnDelete"
