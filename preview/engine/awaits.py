"""Rollouts in simulated time: how long a DaemonSet, Deployment or StatefulSet takes to roll, and the provider's
wait for it.

The provider waits after each apply (Patch kinds included) until the rollout is complete
(pulumi/pulumi-kubernetes 94977969 ``provider/pkg/await/await.go`` Creation/Update, ``await/daemonset.go``:
kstatus ``Current``; ``deployment.go``, ``statefulset.go``), for the timeout of ``provider_rules``.

The pace is a model, not a measurement: each batch of pods takes ``seconds_per_batch`` to be replaced and Ready.
A batch is what the controller replaces at once (kubernetes/kubernetes ``pkg/controller/daemon/update.go``
``updatedDesiredNodeCounts``: ``maxUnavailable`` (default 1) and ``maxSurge`` (default 0), a percentage of the
nodes the DaemonSet runs on, rounded up; ``pkg/controller/deployment``: ``maxSurge`` 25% rounded up and
``maxUnavailable`` 25% rounded down; a StatefulSet replaces one pod at a time from ``partition`` up). ``OnDelete``
replaces a pod only when it is deleted: the rollout never completes on its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hybrid_terway.core.objects import value_at

DEFAULT_SECONDS_PER_BATCH = 30.0


def _scaled(value: Any, total: int, round_up: bool, default: int) -> int:
    """k8s.io/apimachinery intstr ``GetScaledValueFromIntOrPercent``."""
    if value is None:
        return default
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%") and text[:-1].isdigit():
        exact = int(text[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    if text.isdigit():
        return int(text)
    return default


@dataclass(frozen=True)
class Rollout:
    kind: str
    pods: int  # nodes (DaemonSet) or replicas to replace
    batch: int  # pods replaced at once
    strategy: str
    seconds: float | None  # None: never completes by itself (OnDelete)

    def describe(self) -> str:
        unit = "node" if self.kind == "DaemonSet" else "pod"
        head = f"{self.pods} {unit}{'s' if self.pods != 1 else ''}"
        if self.seconds is None:
            return f"{head}, {self.strategy}: pods are replaced only when deleted, so the rollout never completes"
        return f"{head}, {self.batch} at a time: about {format_seconds(self.seconds)}"


def format_seconds(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 120:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 120:
        return f"{minutes} min" + (f" {rest} s" if rest else "")
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def rollout_of(obj: Mapping[str, Any], pods: int, seconds_per_batch: float = DEFAULT_SECONDS_PER_BATCH) -> Rollout:
    """How ``obj`` (a workload, as it is after the apply) rolls ``pods`` pods."""
    kind = str(obj.get("kind"))
    if kind == "DaemonSet":
        strategy = str(value_at(obj, ("spec", "updateStrategy", "type")) or "RollingUpdate")
        rolling = value_at(obj, ("spec", "updateStrategy", "rollingUpdate")) or {}
        surge = _scaled(rolling.get("maxSurge"), pods, True, 0)
        unavailable = _scaled(rolling.get("maxUnavailable"), pods, True, 1)
        batch = max(1, surge + unavailable)
    elif kind == "Deployment":
        strategy = str(value_at(obj, ("spec", "strategy", "type")) or "RollingUpdate")
        rolling = value_at(obj, ("spec", "strategy", "rollingUpdate")) or {}
        batch = max(1, _scaled(rolling.get("maxSurge"), pods, True, math.ceil(pods * 0.25)))
        batch = max(1, batch + _scaled(rolling.get("maxUnavailable"), pods, False, math.floor(pods * 0.25)))
        if strategy == "Recreate":
            batch = max(1, pods)
    else:  # StatefulSet
        strategy = str(value_at(obj, ("spec", "updateStrategy", "type")) or "RollingUpdate")
        partition = value_at(obj, ("spec", "updateStrategy", "rollingUpdate", "partition"))
        if isinstance(partition, int) and partition > 0:
            pods = max(0, pods - partition)
        batch = 1
    if strategy == "OnDelete" and pods > 0:
        return Rollout(kind, pods, batch, strategy, None)
    return Rollout(kind, pods, batch, strategy, math.ceil(pods / batch) * seconds_per_batch)


@dataclass
class Clock:
    """The World's time, in seconds since the first run. Only waits move it."""

    now: float = 0.0
    waits: list[Wait] = field(default_factory=list)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class Wait:
    """One wait of the provider after an apply: what for, how long it could wait, and how it ended."""

    urn: str
    ref: str  # "DaemonSet kube-system/terway-eniip"
    started: float
    timeout: float
    waited: float
    completed: bool
    skipped: bool
    rollout: Rollout | None
    condition: str | None = None
    """The ``pulumi.com/waitFor`` expressions waited for (the generic awaiter), or None (the kind's own)."""
    rolled: str | None = None
    """What rolled, when it is not the object itself (the operator's ``DaemonSet calico-system/calico-node``)."""
    error: str | None = None
    """Why the wait could not start (the provider's error about the annotation)."""

    def describe(self) -> str:
        if self.skipped:
            return f"{self.ref}: not awaited (pulumi.com/skipAwait)"
        if self.error is not None:
            return f"{self.ref}: {self.error}"
        what = f"the rollout of {self.rolled or self.ref}" + (f" ({self.rollout.describe()})" if self.rollout else "")
        if self.condition is not None:
            what = f"{self.ref} {self.condition}, " + what
        verdict = (
            f"done after {format_seconds(self.waited)}"
            if self.completed
            else f"timed out after {format_seconds(self.waited)}"
        )
        return f"{what}: waits up to {format_seconds(self.timeout)}; {verdict}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "object": self.ref,
            "timeoutSeconds": self.timeout,
            "waitedSeconds": self.waited,
            "completed": self.completed,
            "skipped": self.skipped,
            "waitFor": self.condition,
            "rolled": self.rolled,
            "rollout": None
            if self.rollout is None
            else {
                "pods": self.rollout.pods,
                "batch": self.rollout.batch,
                "strategy": self.rollout.strategy,
                "seconds": self.rollout.seconds,
            },
        }
