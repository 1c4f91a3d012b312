"""The tigera operator, as far as a ``pulumi up`` that patches its ``Installation`` sees it: each write of the
Installation renders ``calico-system/calico-node`` from it (a rollout) and stamps its conditions with the generation
reconciled. What is modelled, what is not, and the one unconfirmed value (``OPERATOR_MANAGER``):
docs/engine-rules.md, "The tigera operator".

Read in tigera/operator at 40788b9b: ``pkg/controller/installation/core_controller.go`` ``Reconcile``,
``pkg/render/node.go``, ``pkg/controller/status/status.go`` ``syncState``, ``IsAvailable``, ``set`` and
``UpdateStatusCondition`` (since v1.28.0, commit 2c324e7d5).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hybrid_terway.core import constants
from hybrid_terway.core.objects import value_at
from preview.engine.awaits import Rollout, rollout_of
from preview.world.fake_cluster import FakeCluster

OPERATOR_MANAGER = "operator"
INSTALLATION_KEY = (constants.TIGERA_INSTALLATION_KIND, "", "default")
NODE_KEY = ("DaemonSet", constants.TIGERA_NAMESPACE, constants.TIGERA_NODE_DAEMONSET)
Key = tuple[str, str, str]


@dataclass
class TigeraOperator:
    """The operator of one cluster: what it rendered, and the generation it observed."""

    running: bool = True
    observed_generation: int | None = None
    """The Installation's generation the last reconcile rendered (what its conditions are stamped with)."""
    rolled: list[tuple[str, Rollout]] = field(default_factory=list)
    """Each rollout of calico-node a reconcile started: (``DaemonSet calico-system/calico-node``, its rollout)."""

    @classmethod
    def of(cls, cluster: FakeCluster, now: float, rollouts: dict[Key, float]) -> TigeraOperator | None:
        """The operator of a cluster that holds an Installation, as it stands: it has reconciled the generation its
        conditions carry (a snapshot's ``status``), or, without them, the Installation's generation, which it then
        reports (``Ready`` unless calico-node is rolling)."""
        installation = cluster.get(*INSTALLATION_KEY)
        if installation is None:
            return None
        operator = cls()
        conditions = (installation.get("status") or {}).get("conditions")
        found = [c.get("observedGeneration") for c in conditions or [] if isinstance(c, dict)]
        stamped = [g for g in found if isinstance(g, int) and not isinstance(g, bool)]
        if stamped:
            operator.observed_generation = max(stamped)
        else:
            generation = (installation.get("metadata") or {}).get("generation")
            operator.observed_generation = generation if isinstance(generation, int) else 1
            operator.sync(cluster, now, rollouts)
        return operator

    def reconcile(
        self,
        cluster: FakeCluster,
        now: float,
        rollouts: dict[Key, float],
        pods: Callable[[dict[str, Any]], int],
        seconds_per_batch: float,
    ) -> Rollout | None:
        """Render calico-node from the Installation; returns the rollout it started, if its template changed."""
        installation = cluster.get(*INSTALLATION_KEY)
        node = cluster.get(*NODE_KEY)
        if not self.running or installation is None:
            return None
        if node is None:
            # A cluster (snapshot) without the DaemonSet the operator renders: its rendering is not modelled, so
            # there is nothing to roll, and the operator reports the generation it reconciled.
            self._observe(installation)
            self.sync(cluster, now, rollouts)
            return None
        wanted = copy.deepcopy(node)
        spec = wanted.setdefault("spec", {})
        pod_spec = spec.setdefault("template", {}).setdefault("spec", {})
        affinity = value_at(installation, constants.TIGERA_AFFINITY_PATH)
        if affinity:
            pod_spec["affinity"] = copy.deepcopy(affinity)
        else:
            pod_spec.pop("affinity", None)
        strategy = value_at(installation, constants.TIGERA_NODE_UPDATE_STRATEGY_PATH)
        if isinstance(strategy, dict) and strategy:
            spec["updateStrategy"] = copy.deepcopy(strategy)
        started: Rollout | None = None
        if wanted != node:
            wanted["metadata"] = {k: v for k, v in wanted["metadata"].items() if k != "managedFields"}
            written = cluster.update(wanted, manager=OPERATOR_MANAGER)
            if written.get("spec", {}).get("template") != node.get("spec", {}).get("template"):
                started = rollout_of(written, pods(written), seconds_per_batch)
                rollouts[NODE_KEY] = float("inf") if started.seconds is None else now + started.seconds
                self.rolled.append((f"DaemonSet {NODE_KEY[1]}/{NODE_KEY[2]}", started))
        self._observe(installation)
        self.sync(cluster, now, rollouts)
        return started

    def _observe(self, installation: dict[str, Any]) -> None:
        """``status.SetMetaData``, deferred to the end of the reconcile: the generation its conditions carry."""
        generation = (installation.get("metadata") or {}).get("generation")
        self.observed_generation = generation if isinstance(generation, int) else 1

    def sync(self, cluster: FakeCluster, now: float, rollouts: dict[Key, float]) -> None:
        """Write the Installation's ``status.conditions`` as the status manager reports them at ``now``."""
        installation = cluster.get(*INSTALLATION_KEY)
        if not self.running or installation is None or self.observed_generation is None:
            return
        finish = rollouts.get(NODE_KEY)
        rolling = finish is not None and finish > now
        conditions = [
            _condition("Ready", not rolling, "AllObjectsAvailable" if not rolling else "Unknown", self),
            _condition("Progressing", rolling, "ResourceNotReady" if rolling else "AllObjectsAvailable", self),
            _condition("Degraded", False, "AllObjectsAvailable" if not rolling else "Unknown", self),
        ]
        status = dict(installation.get("status") or {})
        if status.get("conditions") == conditions:
            return
        status["conditions"] = conditions
        cluster.write_status(INSTALLATION_KEY, status)


def _condition(kind: str, true: bool, reason: str, operator: TigeraOperator) -> dict[str, Any]:
    """A ``metav1.Condition`` as ``UpdateStatusCondition`` writes it (its transition time left out)."""
    return {
        "type": kind,
        "status": "True" if true else "False",
        "reason": reason,
        "observedGeneration": operator.observed_generation,
        "message": "",
    }
