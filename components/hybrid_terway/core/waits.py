"""How long ``pulumi up`` waits for the rollout a patch causes, sized from the live workload and bounded.

pulumi-kubernetes waits after each apply of a DaemonSet, Deployment or StatefulSet (``provider/pkg/await/
daemonset.go``, at 94977969); ``pulumi.com/timeoutSeconds`` sets the wait and ``pulumi.com/skipAwait`` skips it
(``provider/pkg/metadata/overrides.go``). Every wait is bounded by ``constants.ROLLOUT_WAIT_BOUND_SECONDS``; why,
and what an ``OnDelete`` rollout gets: docs/running-up.md, "Rollout waits and their bounds".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hybrid_terway.core import constants
from hybrid_terway.core.objects import value_at

ON_DELETE = "OnDelete"
RECREATE = "Recreate"


def whole(value: Any) -> int | None:
    """A whole number as the engine hands it over, or None. Property values cross the engine as protobuf
    ``Struct`` values, whose numbers are doubles: ``2000`` arrives as ``2000.0``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _int(value: Any, default: int) -> int:
    number = whole(value)
    return number if number is not None and number >= 0 else default


def scaled(value: Any, total: int, round_up: bool, default: int) -> int:
    """An IntOrString (``5`` or ``"25%"``) as a count of ``total`` pods (k8s.io/apimachinery ``intstr``
    ``GetScaledValueFromIntOrPercent``); ``default`` when unset or unreadable."""
    number = whole(value)
    if number is not None:
        return max(number, 0)
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        share = int(value[:-1]) * total / 100
        return math.ceil(share) if round_up else math.floor(share)
    return default


@dataclass(frozen=True)
class RolloutWait:
    """What ``up`` waits for after the patch of one workload, and for how long."""

    kind: str
    namespace: str
    name: str
    """The workload that rolls."""
    pods: int
    strategy: str
    batches: int
    """Pods replaced at once under the update strategy: the rollout takes this many rounds."""
    estimate_seconds: int
    timeout_seconds: int | None
    """The wait (``pulumi.com/timeoutSeconds``), or None when it is skipped."""
    outlasts_bound: bool = False

    @property
    def ref(self) -> str:
        """``namespace/name`` of the workload that rolls."""
        return f"{self.namespace}/{self.name}"

    @property
    def skipped(self) -> bool:
        return self.timeout_seconds is None

    def annotations(self) -> dict[str, str]:
        """The patch's await annotations: both keys always (so a patch's annotation keys never depend on the live
        object), ``skipAwait`` "true" or "false", and the wait (the bound when skipped)."""
        return {
            constants.SKIP_AWAIT_ANNOTATION: "true" if self.skipped else "false",
            constants.TIMEOUT_SECONDS_ANNOTATION: str(self.timeout_seconds or constants.ROLLOUT_WAIT_BOUND_SECONDS),
        }

    def notice(self, selector: Mapping[str, Any] | None = None) -> str | None:
        """What the user must do when the rollout is not waited for (None when it is)."""
        if not self.skipped:
            return None
        namespace, resource = self.namespace, f"{self.kind.lower()}/{self.name}"
        if self.strategy == ON_DELETE:
            labels = ",".join(f"{k}={v}" for k, v in sorted((selector or {}).items())) or "<its pod labels>"
            return (
                f"{self.kind} {self.ref} updates with OnDelete: `pulumi up` does not wait for it "
                f"(pulumi.com/skipAwait), and its {self.pods} pod(s) keep the old template until deleted; delete them "
                f"node by node once the run is done (kubectl -n {namespace} delete pod -l {labels} "
                f"--field-selector spec.nodeName=<node>)"
            )
        return (
            f"{self.kind} {self.ref}: the rollout of {self.pods} pod(s) in {self.batches} round(s) is estimated at "
            f"{self.estimate_seconds // 60} min, longer than the {constants.ROLLOUT_WAIT_BOUND_SECONDS // 60} min "
            f"a wait may take within the kubeconfig's {constants.KUBECONFIG_LIFETIME_MINUTES} min lifetime: `pulumi "
            f"up` does not wait for it (pulumi.com/skipAwait); watch it with "
            f"`kubectl -n {namespace} rollout status {resource}`"
        )


def _bucket(seconds: int) -> int:
    """The wait for an estimate: at least the provider's default, doubling from it (so a cluster that grows by a
    few nodes keeps the same annotation), at most the bound."""
    timeout = constants.DEFAULT_ROLLOUT_WAIT_SECONDS
    while timeout < seconds and timeout < constants.ROLLOUT_WAIT_BOUND_SECONDS:
        timeout *= 2
    return min(timeout, constants.ROLLOUT_WAIT_BOUND_SECONDS)


def rollout_wait(kind: str, live: Mapping[str, Any]) -> RolloutWait:
    """The wait for a rollout of the live workload ``live`` (a DaemonSet, Deployment or StatefulSet).

    Pods: a DaemonSet's ``status.desiredNumberScheduled`` (the nodes it runs on), a Deployment's or StatefulSet's
    ``spec.replicas`` (default 1). Pods replaced at once (Kubernetes ``pkg/apis/apps/v1/defaults.go`` and the
    controllers): a DaemonSet ``maxUnavailable`` (default 1, a percentage rounded up) or ``maxSurge``, whichever is
    larger; a Deployment ``maxSurge`` (default 25%, rounded up) plus ``maxUnavailable`` (default 25%, rounded down);
    a StatefulSet one at a time; ``Recreate`` all at once. Each round is estimated at
    ``constants.SECONDS_PER_ROLLOUT_ROUND``, with half again as slack.
    """
    meta = live.get("metadata") or {}
    namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))
    strategy_path = constants.UPDATE_STRATEGY_PATHS[kind]
    strategy = value_at(live, strategy_path)
    strategy = strategy if isinstance(strategy, str) and strategy else constants.DEFAULT_UPDATE_STRATEGY
    rolling = value_at(live, (*strategy_path[:-1], "rollingUpdate")) or {}
    if kind == "DaemonSet":
        status = live.get("status") or {}
        pods = _int(status.get("desiredNumberScheduled"), _int(status.get("currentNumberScheduled"), 1))
        at_once = max(
            scaled(rolling.get("maxUnavailable"), pods, True, 1), scaled(rolling.get("maxSurge"), pods, True, 0)
        )
    else:
        pods = _int(value_at(live, ("spec", "replicas")), constants.DEFAULT_REPLICAS)
        if kind == "Deployment":
            at_once = scaled(rolling.get("maxSurge"), pods, True, math.ceil(pods / 4)) + scaled(
                rolling.get("maxUnavailable"), pods, False, pods // 4
            )
        else:
            at_once = 1
        if strategy == RECREATE:
            at_once = pods
    batches = math.ceil(pods / max(at_once, 1)) if pods else 0
    estimate = batches * constants.SECONDS_PER_ROLLOUT_ROUND
    if strategy == ON_DELETE:
        return RolloutWait(kind, namespace, name, pods, strategy, batches, estimate, None)
    wanted = math.ceil(estimate * 1.5)
    if wanted > constants.ROLLOUT_WAIT_BOUND_SECONDS:
        return RolloutWait(kind, namespace, name, pods, strategy, batches, estimate, None, outlasts_bound=True)
    return RolloutWait(kind, namespace, name, pods, strategy, batches, estimate, _bucket(wanted))


@dataclass(frozen=True)
class OperatorWait:
    """What ``up`` waits for after the patch of a tigera ``Installation``: the operator's own report on it.

    The operator, not the apply, rolls ``calico-system/calico-node``, so no built-in awaiter covers it. The wait is
    the provider's generic one (``pulumi.com/waitFor``, pulumi-kubernetes ``provider/pkg/metadata/overrides.go``
    ``ReadyCondition``, at 94977969): a condition of the Installation's ``status.conditions``, checked as ``kubectl
    wait`` checks it (``provider/pkg/await/condition/kubectl.go`` ``checkCondition``): a condition whose
    ``observedGeneration`` is below the object's ``metadata.generation`` does not count. The operator stamps its
    conditions with the generation it reconciled, after it rendered calico-node from it (tigera/operator
    ``pkg/controller/installation/core_controller.go`` ``Reconcile`` defers ``status.SetMetaData``), so the status
    the Installation had before this apply can never satisfy the wait.
    """

    ref: str
    """``Installation <name>``."""
    strategy: str
    """calico-node's update strategy, the Installation's ``spec.nodeUpdateStrategy.type``."""
    condition: str
    timeout_seconds: int

    def annotations(self) -> dict[str, str]:
        return {
            constants.SKIP_AWAIT_ANNOTATION: "false",
            constants.WAIT_FOR_ANNOTATION: self.condition,
            constants.TIMEOUT_SECONDS_ANNOTATION: str(self.timeout_seconds),
        }

    def notice(self, selector: Mapping[str, Any] | None = None) -> str | None:
        """What the user must do: only for ``OnDelete``, whose pods keep the old template until deleted."""
        if self.strategy != ON_DELETE:
            return None
        ns, name = constants.TIGERA_NAMESPACE, constants.TIGERA_NODE_DAEMONSET
        return (
            f"{self.ref} updates calico-node with OnDelete: `pulumi up` waits only until the operator has rendered "
            f"DaemonSet {ns}/{name} ({self.condition}), and its pods keep the old template until deleted; delete "
            f"them node by node once the run is done (kubectl -n {ns} delete pod -l k8s-app={name} "
            f"--field-selector spec.nodeName=<node>)"
        )


def installation_wait(live: Mapping[str, Any]) -> OperatorWait:
    """The wait after a patch of the live tigera ``Installation`` ``live``.

    ``RollingUpdate`` (the default): ``condition=Ready``, which holds once the operator's rollout of calico-node is
    done. ``OnDelete``: that rollout never ends by itself, so ``condition=Degraded=False``, which holds once the
    operator reconciled this generation (rendered calico-node) without error. The number of calico-node pods is not
    in the Installation: the wait is the bound (``constants.ROLLOUT_WAIT_BOUND_SECONDS``), and a rollout longer
    than that fails the ``up`` with the patch applied; the next ``up`` waits again (the step's ``initErrors``).
    """
    name = str((live.get("metadata") or {}).get("name") or "default")
    strategy = value_at(live, (*constants.TIGERA_NODE_UPDATE_STRATEGY_PATH, "type"))
    strategy = strategy if isinstance(strategy, str) and strategy else constants.DEFAULT_UPDATE_STRATEGY
    condition = constants.TIGERA_RECONCILED_CONDITION if strategy == ON_DELETE else constants.TIGERA_READY_CONDITION
    return OperatorWait(
        f"{constants.TIGERA_INSTALLATION_KIND} {name}", strategy, condition, constants.ROLLOUT_WAIT_BOUND_SECONDS
    )
