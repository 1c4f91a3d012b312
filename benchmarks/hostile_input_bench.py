"""Hostile and large input: wall time and peak memory of the offline preview (measures and prints; no target is
asserted). Each run is a fresh ``python -m preview`` process; its peak resident memory is read with
``getrusage(RUSAGE_CHILDREN)`` in a meter process that starts nothing else.

1. A stack file of nested aliases (about 500 bytes that expand to half a billion nodes): refused, exit 2.
2. A snapshot of nested aliases, with the dev stack: refused, exit 2.
3. Hostile snapshots in both formats, each refused (exit 2): nesting 100,000 deep, a duplicate key, a string
   larger than the format's size bound (64 MiB for YAML, 256 MiB for JSON), a byte that is not UTF-8.
4. A generated snapshot of about 50 MB (realistic Nodes: labels, annotations, conditions, images) plus Calico and
   Terway as installed: previewed, exit 0.

``python benchmarks/hostile_input_bench.py [--size-mb 50]``
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import realistic_snapshot
import yaml
from common import arguments, measure, node_labels, preview_command


def nested_aliases(indent: str = "") -> list[str]:
    """Nine levels of nine aliases each: 9^9 leaves once expanded."""
    lines = [indent + 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [indent + f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return lines


def big_snapshot(path: Path, size: int) -> int:
    """A kubectl-like List of Nodes until ``size`` bytes, then the dev stack's calico-node DaemonSet."""
    nodes = 0
    with path.open("w") as out:
        out.write('apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: ""\nitems:\n')
        written = 0
        while written < size:
            labels = node_labels(f"node-{nodes}", cloud=bool(nodes % 2))
            node = {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": f"node-{nodes}",
                    "labels": labels,
                    "annotations": {f"example.com/a{j}": "x" * 40 for j in range(10)},
                },
                "status": {
                    "conditions": [
                        {
                            "type": t,
                            "status": "False",
                            "reason": f"KubeletHasSufficient{t}",
                            "message": t,
                        }
                        for t in (
                            "MemoryPressure",
                            "DiskPressure",
                            "PIDPressure",
                            "Ready",
                        )
                    ],
                    "images": [
                        {
                            "names": [f"registry.example.com/app-{k}@sha256:{k:064x}"],
                            "sizeBytes": 100000 + k,
                        }
                        for k in range(30)
                    ],
                },
            }
            chunk = yaml.safe_dump([node])
            out.write(chunk)
            written += len(chunk)
            nodes += 1
        # Calico and Terway as installed, their DaemonSets with the status of this many nodes, rolling 10% at a time
        # (one node at a time outlasts the provider's wait on thousands of nodes).
        installed = realistic_snapshot.system_objects(nodes, nodes // 2)
        names = ("calico-node", "terway-eniip", "eni-config")
        out.write(yaml.safe_dump([o for o in installed if o["metadata"]["name"] in names]))
    return nodes


def hostile_snapshots() -> list[tuple[str, bytes]]:
    """(file name, content) of each hostile snapshot, in JSON and in YAML."""
    node = b'{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": {"a": "%s"}}}'
    deep = b"[" * 100_000 + b"]" * 100_000
    cases = [
        ("deep.json", b'{"apiVersion": "v1", "kind": "List", "items": ' + deep + b"}"),
        ("deep.yaml", b"apiVersion: v1\nkind: List\nitems: " + deep + b"\n"),
        (
            "duplicate-key.json",
            b'{"apiVersion": "v1", "kind": "List", "kind": "List", "items": []}',
        ),
        ("duplicate-key.yaml", b"apiVersion: v1\nkind: List\nitems: []\nkind: List\n"),
        ("huge-string.json", node % (b"x" * (256 * 1024 * 1024))),
        (
            "huge-string.yaml",
            b"apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels: {a: " + b"x" * (64 << 20) + b"}\n",
        ),
        ("not-utf8.json", node % b"\xff"),
        (
            "not-utf8.yaml",
            b"apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels: {a: \xff}\n",
        ),
    ]
    return cases


def report(what: str, result: dict[str, object]) -> None:
    print(f"{what}: exit {result['code']}, {result['wall']:.2f} s wall, {result['peak_mb']:.0f} MB peak")
    for line in result["last"] if isinstance(result["last"], list) else []:
        print(f"  {str(line)[:160]}")


def main() -> None:
    args = arguments(__doc__, "--size-mb", 50.0, "size of the generated snapshot (default 50)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        stack = work / "Pulumi.bomb.yaml"
        stack.write_text("\n".join(["config:", "  hybrid-terway:scenario: bgp", *nested_aliases("  ")]) + "\n")
        out = work / "out"
        report(
            f"nested-alias stack file ({stack.stat().st_size} bytes)",
            measure(preview_command(out, "bomb", cwd=work)),
        )
        snapshot = work / "bomb-snapshot.yaml"
        snapshot.write_text("\n".join(["apiVersion: v1", "kind: List", "items: []", *nested_aliases()]) + "\n")
        report(
            f"nested-alias snapshot ({snapshot.stat().st_size} bytes)",
            measure(preview_command(out, "dev", snapshot=snapshot)),
        )
        for name, content in hostile_snapshots():
            path = work / name
            path.write_bytes(content)
            report(
                f"{name} ({len(content):,} bytes)",
                measure(preview_command(out, "dev", snapshot=path)),
            )
            path.unlink()
        big = work / "big-snapshot.yaml"
        nodes = big_snapshot(big, int(args.size_mb * 1_000_000))
        report(
            f"generated snapshot ({big.stat().st_size / 1e6:.1f} MB, {nodes} Nodes), dev stack, policy pack included",
            measure(preview_command(out, "dev", snapshot=big)),
        )


if __name__ == "__main__":
    main()
