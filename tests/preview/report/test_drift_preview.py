"""Drift seen by the preview: a patch's inputs differ from the converged run's exactly when the live object lost
what the patch owns, and are identical, run after run, once converged (pulumi-kubernetes diffs inputs against
state, never against the live object: ``hybrid_terway.core.drift``)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hybrid_terway.core import constants
from preview.world.snapshot import load_snapshot
from tests.conftest import DATA
from tests.preview.report.conftest import plan_applied, plan_of, run, write_snapshot

CALICO_SNAPSHOT = DATA / "snapshots" / "bgp-calico-two-terms.yaml"
CALICO_PATCH = "hybrid-isolation-daemonset-kube-system-calico-node"
ENI_PATCH = "hybrid-terway-eni-config"
TERWAY_PATCH = "hybrid-terway-daemonset"


def inputs_of(out: Path, name: str) -> dict[str, Any]:
    [resource] = [r for r in plan_of(out, "dev")["resources"] if r["name"] == name]
    return dict(resource["inputs"])


def calico_of(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == "DaemonSet" and o["metadata"]["name"] == "calico-node")


def test_a_lost_exclusion_changes_the_patch_inputs_and_a_converged_cluster_does_not(tmp_path: Path) -> None:
    first = run("dev", tmp_path / "first", CALICO_SNAPSHOT)
    converged_run = inputs_of(tmp_path / "first", CALICO_PATCH)
    objects = plan_applied(CALICO_SNAPSHOT, first)
    converged = write_snapshot(objects, tmp_path / "converged.yaml")

    run("dev", tmp_path / "again-1", converged)
    run("dev", tmp_path / "again-2", converged)
    for name in (CALICO_PATCH, ENI_PATCH, TERWAY_PATCH):
        assert inputs_of(tmp_path / "again-1", name) == inputs_of(tmp_path / "again-2", name), name
    assert inputs_of(tmp_path / "again-1", CALICO_PATCH) == converged_run, "converged: the last up's inputs"

    # `helm upgrade` puts back the chart's affinity: exactly what the first run started from
    lost = copy.deepcopy(objects)
    original = calico_of(load_snapshot(CALICO_SNAPSHOT.read_text()))
    calico_of(lost)["spec"]["template"]["spec"]["affinity"] = copy.deepcopy(
        original["spec"]["template"]["spec"]["affinity"]
    )
    run("dev", tmp_path / "lost", write_snapshot(lost, tmp_path / "lost.yaml"))
    drifted = inputs_of(tmp_path / "lost", CALICO_PATCH)
    assert drifted["spec"] == converged_run["spec"], "the merge of the same chart values is the same patch..."
    assert drifted != converged_run, "...and the marker makes the inputs differ, so `up` applies it again"
    marker = constants.DRIFT_ANNOTATION
    assert drifted["metadata"]["annotations"][marker] != converged_run["metadata"]["annotations"][marker]
