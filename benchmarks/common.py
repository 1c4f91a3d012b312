"""What the benchmarks share: the interpreter, a fresh ``python -m preview`` command, and its wall time and peak
resident memory (``getrusage(RUSAGE_CHILDREN)`` read in a meter process, so each figure is one fresh process)."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

METER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:]
print(json.dumps({"code": done.returncode, "wall": wall, "peak_mb": peak_mb, "last": last}))
"""


def node_labels(name: str, cloud: bool) -> dict[str, str]:
    """The kubelet's labels of a small node; a cloud node also carries the cloud-node label and a zone."""
    labels = {"kubernetes.io/os": "linux", "kubernetes.io/hostname": name, "kubernetes.io/arch": "amd64"}
    if cloud:
        labels |= {"alibabacloud.com/external": "true", "topology.kubernetes.io/zone": "cn-hangzhou-h"}
    return labels


def preview_command(out: Path, stack: str, *, cwd: Path | None = None, snapshot: Path | None = None) -> list[str]:
    """``python -m preview`` writing into ``out``, of ``stack`` (in the project ``cwd``), against ``snapshot``."""
    command = [PYTHON, "-m", "preview", "--out", str(out)]
    command += ["--cwd", str(cwd)] if cwd is not None else []
    command += ["--stack", stack]
    return command + (["--snapshot", str(snapshot)] if snapshot is not None else [])


def measure(cmd: list[str], cwd: Path = ROOT) -> dict[str, object]:
    """One fresh process: ``{code, wall, peak_mb, last}`` (``last``: its last line of output)."""
    out = subprocess.run([PYTHON, "-c", METER, *cmd], capture_output=True, text=True, check=True, cwd=cwd)
    result: dict[str, object] = json.loads(out.stdout)
    return result


def wall(cmd: list[str], cwd: Path = ROOT, repeat: int = 5) -> float:
    """Median wall time of ``repeat`` fresh processes; a failing command stops the benchmark."""
    times = []
    for _ in range(repeat):
        result = measure(cmd, cwd)
        times.append(float(str(result["wall"])))
        if result["code"] != 0:
            last = result["last"] if isinstance(result["last"], list) else []
            raise SystemExit(f"benchmark command failed ({result['code']}): {' '.join(cmd)}\n{' '.join(last)}")
    return statistics.median(times)


def arguments(doc: str | None, option: str, default: float, help: str) -> argparse.Namespace:
    """The command line of a benchmark: its one option (an int when ``default`` is one)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument(option, type=type(default), default=default, help=help)
    return parser.parse_args()
