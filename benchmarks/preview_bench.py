"""Benchmarks of the offline preview (`make bench`). Measures and prints; asserts nothing.

1. `dev` preview wall time against the floor of importing pulumi, pulumi_kubernetes and pulumi_alicloud
   (target: at most 1.5x). Two floors are printed: the bare package imports, and the same packages with the
   submodules whose resources the program declares (core/v1, apps/v1, apiextensions, ram, cs), which any
   program declaring these resources pays before it does anything.
2. A preview with a snapshot of 1,000 nodes and 300 on-prem workloads, against half of that
   (targets: at most 10 s, and doubling the cluster costs at most 2.3x).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import realistic_snapshot
import yaml
from common import PYTHON, ROOT, node_labels, preview_command, wall

BARE_FLOOR = "import pulumi, pulumi_kubernetes, pulumi_alicloud"
USED_FLOOR = (
    "import pulumi, pulumi_kubernetes, pulumi_alicloud, pulumi_kubernetes.core.v1, pulumi_kubernetes.apps.v1, "
    "pulumi_kubernetes.apiextensions, pulumi_alicloud.ram, pulumi_alicloud.cs"
)


def synthetic_cluster(nodes: int, workloads: int, directory: Path) -> tuple[Path, Path]:
    """A snapshot and a bgp stack file naming every on-prem workload in it."""
    items: list[dict[str, object]] = []
    for i in range(nodes):
        labels = node_labels(f"node-{i}", cloud=i % 2 == 1)
        items.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{i}", "labels": labels}})
    term = {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64", "arm64"]}]}
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}}

    def workload(kind: str, namespace: str, name: str) -> dict[str, object]:
        spec: dict[str, object] = {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "affinity": affinity,
                    "containers": [{"name": name, "image": f"example/{name}:1"}],
                },
            },
        }
        if kind == "StatefulSet":
            spec["serviceName"] = name
        if kind == "DaemonSet":
            # As a large cluster runs its DaemonSets: with the default of one node at a time, rolling 1,000 nodes
            # outlasts the provider's wait, and the preview says the program would fail.
            spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "10%"}}
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": namespace}, "spec": spec}

    listed = [{"kind": "DaemonSet", "namespace": "kube-system", "name": "calico-node"}]
    items.append(workload("DaemonSet", "kube-system", "calico-node"))
    kinds = ("Deployment", "StatefulSet", "DaemonSet")
    for i in range(workloads - 1):
        kind, namespace, name = kinds[i % 3], f"team-{i % 17}", f"onprem-app-{i}"
        items.append(workload(kind, namespace, name))
        listed.append({"kind": kind, "namespace": namespace, "name": name})
    # Terway as installed on the cloud nodes (its addon's DaemonSet and eni-config), rolling 10% at a time.
    installed = realistic_snapshot.system_objects(nodes, nodes // 2)
    items += [o for o in installed if o["metadata"]["name"] in ("terway-eniip", "eni-config")]
    snapshot = directory / "snapshot.yaml"
    snapshot.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}))
    stack = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    stack["config"]["hybrid-terway:onPremWorkloads"] = listed
    (directory / "Pulumi.bench.yaml").write_text(yaml.safe_dump(stack))
    return directory, snapshot


def main() -> None:
    bare = wall([PYTHON, "-c", BARE_FLOOR])
    used = wall([PYTHON, "-c", USED_FLOOR])
    with tempfile.TemporaryDirectory() as out:
        dev = wall(preview_command(Path(out), "dev"))
    print("offline preview of dev (median of 5 fresh processes, policy pack included)")
    print(f"  floor, bare imports ({BARE_FLOOR}): {bare:.2f} s")
    print(f"  floor, imports of what the program declares:                      {used:.2f} s")
    print(f"  preview:                                                          {dev:.2f} s")
    print(
        f"  ratio to the bare floor: {dev / bare:.2f}   ratio to the declared-resources floor: {dev / used:.2f}"
        "   (target 1.5)"
    )

    results = {}
    for nodes, workloads in ((500, 150), (1000, 300)):
        with tempfile.TemporaryDirectory() as tmp:
            project, snapshot = synthetic_cluster(nodes, workloads, Path(tmp))
            results[nodes] = wall(preview_command(Path(tmp) / "out", "bench", cwd=project, snapshot=snapshot), repeat=3)
            placement = json.loads((Path(tmp) / "out" / "bench" / "placement.json").read_text())
            verdict = "ok" if placement["ok"] else "FAILED"
        print(
            f"preview with a {nodes}-node snapshot and {workloads} on-prem workloads: {results[nodes]:.2f} s "
            f"(placement {verdict})"
        )
    print(
        f"  doubling cost: {results[1000] / results[500]:.2f}x (target at most 2.3x); "
        f"1,000 nodes: {results[1000]:.2f} s (target at most 10 s)"
    )


if __name__ == "__main__":
    main()
