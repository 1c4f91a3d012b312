"""Large clusters (`make bench`): measures and prints, asserts nothing.

Every figure is a fresh ``python -m preview`` process (wall time; peak resident memory from
``getrusage(RUSAGE_CHILDREN)`` in a meter process, as ``hostile_input_bench.py``), and every target is a ratio
measured in this run against the ``dev`` preview without a snapshot, so that a busy machine moves both sides:

1. 5,000 realistic nodes and 1,500 Deployments (``realistic_snapshot.py``), as JSON: at most 2.5x dev, 500 MB;
2. the same as YAML: at most 8x dev, 500 MB;
3. 300 on-prem workloads on 5,000 small nodes against the same on 1,000 nodes, as JSON: at most 1.3x;
4. 50,000 small nodes as JSON against 25,000: doubling the nodes costs at most 2.1x.

``python benchmarks/large_cluster_bench.py [--repeat 3]``
"""

from __future__ import annotations

import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import realistic_snapshot
import yaml
from common import arguments, measure, node_labels, preview_command
from preview_bench import synthetic_cluster

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def run(cmd: list[str], repeat: int) -> tuple[float, float, str | None]:
    """Median wall time and highest peak memory (MB) of ``repeat`` fresh processes, and what a failing one said
    (it is not repeated), else None."""
    walls, peaks = [], []
    for _ in range(repeat):
        result = measure(cmd)
        walls.append(float(str(result["wall"])))
        peaks.append(float(str(result["peak_mb"])))
        if result["code"] != 0:
            last = result["last"] if isinstance(result["last"], list) else []
            return (
                walls[-1],
                peaks[-1],
                f"exit {result['code']}: {' '.join(str(line) for line in last)[:160]}",
            )
    return statistics.median(walls), max(peaks), None


def small_nodes_json(path: Path, nodes: int) -> None:
    """``nodes`` Nodes with the kubelet's labels and (on-prem) an address only, and the dev stack's Calico."""
    items: list[dict[str, Any]] = []
    for i in range(nodes):
        name = f"node-{i}"
        labels = node_labels(name, cloud=bool(i % 2))
        address = {
            "type": "InternalIP",
            "address": f"10.{i // 62500 % 250}.{i // 250 % 250}.{i % 250 + 2}",
        }
        node = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": name, "labels": labels},
        }
        items.append(node | {"status": {"addresses": [] if i % 2 else [address]}})
    items += realistic_snapshot.system_objects(nodes, nodes // 2)
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=4))


def verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else "NOT MET"


def figure(wall: float, peak: float, failed: str | None) -> str:
    return f"{wall:.2f} s, {peak:.0f} MB peak" + (f" ({failed})" if failed else "")


def main() -> None:
    args = arguments(__doc__, "--repeat", 3, "fresh processes per figure (median wall time)")
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "out"
        dev, dev_peak, failed = run(preview_command(out, "dev"), max(args.repeat, 5))
        if failed:
            raise SystemExit(f"the dev preview failed: {failed}")
        print(f"dev preview, no snapshot: {figure(dev, dev_peak, None)} (the unit of the ratios below)")

        for fmt, limit in (("json", 2.5), ("yaml", 8.0)):
            path = work / f"cluster.{fmt}"
            size = realistic_snapshot.write(path, fmt, nodes=5000, deployments=1500)
            name = f"5,000 realistic nodes + 1,500 Deployments as {fmt.upper()} ({size / 1e6:.0f} MB)"
            wall, peak, failed = run(preview_command(out, "dev", snapshot=path), args.repeat)
            print(f"{name}: {figure(wall, peak, failed)}")
            if failed:
                rows.append(f"{name} | refused | at most {limit}x, 500 MB | NOT MET")
            else:
                plan = (work / "out" / "dev" / "PLAN.md").read_text()
                print(
                    "  PLAN.md: " + " / ".join(line[2:] for line in plan.splitlines() if line.startswith("- Placement"))
                )
                rows.append(
                    f"{name} | {wall / dev:.2f}x dev, {peak:.0f} MB | at most {limit}x, 500 MB | "
                    f"{verdict(wall / dev, limit)}, {verdict(peak, 500)}"
                )
            path.unlink()

        times = {}
        for nodes in (1000, 5000):
            folder = work / f"classes-{nodes}"
            folder.mkdir()
            project, written = synthetic_cluster(nodes, 300, folder)
            snapshot = written.with_suffix(".json")  # the form recommended for large clusters
            snapshot.write_text(json.dumps(yaml.load(written.read_text(), Loader=LOADER), indent=4))
            cmd = preview_command(out, "bench", cwd=project, snapshot=snapshot)
            times[nodes], peak, failed = run(cmd, args.repeat)
            print(f"300 on-prem workloads on {nodes:,} small nodes: {figure(times[nodes], peak, failed)}")
        ratio = times[5000] / times[1000]
        rows.append(f"300 workloads, 5,000 nodes against 1,000 | {ratio:.2f}x | at most 1.3x | {verdict(ratio, 1.3)}")

        for nodes in (25_000, 50_000):
            path = work / f"nodes-{nodes}.json"
            small_nodes_json(path, nodes)
            times[nodes], peak, failed = run(preview_command(out, "dev", snapshot=path), args.repeat)
            print(
                f"{nodes:,} small nodes as JSON ({path.stat().st_size / 1e6:.0f} MB): "
                + figure(times[nodes], peak, failed)
            )
        ratio = times[50_000] / times[25_000]
        rows.append(f"50,000 nodes as JSON against 25,000 | {ratio:.2f}x | at most 2.1x | {verdict(ratio, 2.1)}")
    print("\ntarget | measured | limit | verdict")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
