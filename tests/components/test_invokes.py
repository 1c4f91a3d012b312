"""The provider functions the components call by token: the provider version the installed SDK pins, and none of
the generated function modules loaded (hybrid_terway.invokes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata

from hybrid_terway.invokes import alicloud_version
from tests.conftest import ROOT


def test_the_version_is_the_installed_sdks() -> None:
    # pulumi_alicloud's versions are plain releases, so PEP 440 and semver spell them alike.
    assert alicloud_version() == metadata.version("pulumi_alicloud")


def test_a_run_loads_no_generated_vpc_or_ecs_function() -> None:
    code = (
        "import json, sys\n"
        "from preview.stack_config import load_stack_config\n"
        "from tests.conftest import ROOT, run_stack\n"
        "run, _ = run_stack(load_stack_config(ROOT, 'dev'))\n"
        "assert run.registrations\n"
        "prefixes = ('pulumi_alicloud.vpc.', 'pulumi_alicloud.ecs.')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(prefixes))))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "components"), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert [m for m in loaded if m.rsplit(".", 1)[1].startswith("get_")] == []
