"""Shared helpers of the report's tests: a preview that must pass, its plan.json, and a snapshot with a plan
applied to it (what the cluster holds after ``pulumi up``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from hybrid_terway.core import constants
from hybrid_terway.core.ssa import apply_patch
from preview.engine.wire import unwrap
from preview.report.artifacts import is_applied_object, object_key
from preview.run import EXIT_OK, PreviewResult, preview
from preview.world.fake_cluster import FakeCluster
from preview.world.snapshot import load_snapshot
from tests.conftest import ROOT


def run(stack: str, out: Path, snapshot: Path | None, root: Path = ROOT, policy: bool = False) -> PreviewResult:
    result = preview(root, stack, snapshot, out / stack, policy=policy)
    assert result.exit_code == EXIT_OK, result.summary
    return result


def plan_of(out: Path, stack: str) -> dict[str, Any]:
    return json.loads((out / stack / "plan.json").read_text())


def plan_applied(snapshot: Path, result: PreviewResult) -> list[dict[str, Any]]:
    """The snapshot as it is after ``pulumi up``: the addon's objects in place and every patch of the plan applied
    to its live object (server-side apply); Secrets left out, as ``kubectl get`` of these kinds leaves them."""
    cluster = FakeCluster.of(load_snapshot(snapshot.read_text()))
    if any(r.type == "alicloud:cs/kubernetesAddon:KubernetesAddon" for r in result.run.registrations):
        cluster.install_addon(constants.TERWAY_ADDON, result.world.cloud_node_label)
    for r in result.run.registrations:
        key = object_key(r)
        if is_applied_object(r) and key[0] != "Secret":
            cluster.objects[key] = apply_patch(cluster.objects.get(key) or {}, unwrap(r.inputs))
    return list(cluster.objects.values())


def write_snapshot(objects: list[dict[str, Any]], path: Path) -> Path:
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": objects}))
    return path
