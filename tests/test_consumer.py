"""The components reused from outside this project: a consumer program, run under mocks in a clean directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSUMER = ROOT / "tests" / "consumer"

DRIVER = textwrap.dedent(
    """
    import json, pathlib, sys
    from preview.engine.program import World, run_program
    from hybrid_terway.core.address_plan import CloudFacts, SecurityGroupFact, VpcFact, VSwitchFact
    from preview.world.fake_cloud import FakeAlibabaCloud
    from preview.world.fake_cluster import FakeCluster, make_kubernetes_service, make_node, make_workload

    cluster = FakeCluster.of([
        make_node("onprem-1", {}),
        make_node("cn-shenzhen.10.0.0.1", {"alibabacloud.com/external": "true"}),
        make_workload("StatefulSet", "db", "onprem-postgres"),
        make_kubernetes_service("10.96.0.1"),
    ])
    network = CloudFacts(
        (VSwitchFact("vsw-wz9a1b2c3d4e5f6g7h8i9", "cn-shenzhen-a", "vpc-wz9edge", "172.16.0.0/24", 252),),
        (SecurityGroupFact("sg-wz9a1b2c3d4e5f6g7h8i", "vpc-wz9edge"),),
        (VpcFact("vpc-wz9edge", ("172.16.0.0/12",)),),
    )
    world = World(FakeAlibabaCloud("c" + "5e" * 16, network=network), cluster)
    config = {"consumer:kubeconfig": "apiVersion: v1"}
    run = run_program(config, ["consumer:kubeconfig"], "prod", world, pathlib.Path(sys.argv[1]), "consumer")
    import components, hybrid_terway
    print(json.dumps({
        "package_from": hybrid_terway.__file__,
        "own_components_from": components.__file__,
        "types": sorted({r.type for r in run.registrations}),
        "names": sorted(r.name for r in run.registrations),
        "ready": run.outputs["ready"],
    }))
    """
)


def test_consumer_program_builds_the_components(tmp_path: Path) -> None:
    """`pip install` this repository (a real wheel build), then run a program that lives elsewhere.

    The consumer keeps its own components in its own `components/` package: both import side by side.
    """
    site, driver = tmp_path / "site", tmp_path / "driver"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    assert (site / "hybrid_terway" / "network.py").is_file()
    assert not (site / "components").exists(), "the package must not install a top-level 'components'"
    # The offline engine (not part of the package) is copied beside the consumer, the repository is not on the path.
    shutil.copytree(ROOT / "preview", driver / "preview")
    consumer = tmp_path / "consumer"
    shutil.copytree(CONSUMER, consumer, ignore=shutil.ignore_patterns("__pycache__"))
    program = consumer / "__main__.py"
    # As the Pulumi CLI runs a program: its own directory first on the path, then the installed packages.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(consumer), str(site), str(driver)])}
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, str(program)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["package_from"] == str(site / "hybrid_terway" / "__init__.py")
    assert out["own_components_from"] == str(consumer / "components" / "__init__.py")
    assert "hybrid-terway:index:HybridTerwayNetwork" in out["types"]
    assert "alicloud:ram/user:User" in out["types"]
    assert "kubernetes:apps/v1:StatefulSetPatch" in out["types"]
    assert "edge-site-identity-user" in out["names"]
    assert out["ready"] is True
