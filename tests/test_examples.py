"""The public API and the examples: what a consumer imports, the Python example's own test run from outside the
repository with hybrid_terway.testing, and the TypeScript example's inputs against the component schema."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import hybrid_terway
from hybrid_terway.package import HybridTerwayProvider
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def test_the_package_exports_its_components_and_argument_types() -> None:
    from hybrid_terway.args import HybridTerwayNetworkArgs, TerwayIdentityInputs
    from hybrid_terway.network import HybridTerwayNetwork
    from hybrid_terway.ram import TerwayIdentity

    assert hybrid_terway.HybridTerwayNetwork is HybridTerwayNetwork
    assert hybrid_terway.TerwayIdentity is TerwayIdentity
    assert hybrid_terway.HybridTerwayNetworkArgs is HybridTerwayNetworkArgs
    assert hybrid_terway.TerwayIdentityInputs is TerwayIdentityInputs
    for name in hybrid_terway.__all__:
        assert getattr(hybrid_terway, name) is not None, name
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = hybrid_terway.Nope  # type: ignore[attr-defined]


def test_a_pure_module_pulls_in_no_provider_sdk() -> None:
    """The policy pack imports hybrid_terway's pure modules; the package's exports must not load the SDKs."""
    code = (
        "import sys, hybrid_terway.core.constants, hybrid_terway.core.scheduling, hybrid_terway.core.terway_model;"
        "print(sorted(m for m in sys.modules if m.startswith(('pulumi_alicloud', 'pulumi_kubernetes'))))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "components")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"


def test_the_python_example_passes_its_own_test_from_outside_the_repository(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    assert (site / "hybrid_terway" / "testing.py").is_file() and (site / "hybrid_terway" / "py.typed").is_file()
    example = tmp_path / "consumer"
    shutil.copytree(EXAMPLES / "python", example, ignore=shutil.ignore_patterns("__pycache__", "venv"))
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "test_program.py", "-q", "-p", "no:cacheprovider", "-W", "ignore"],
        cwd=example,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout


def _object_literal(source: str, start: str) -> str:
    begin = source.index(start) + len(start) - 1
    depth = 0
    for i in range(begin, len(source)):
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        if depth == 0:
            return source[begin + 1 : i]
    raise AssertionError("unbalanced object literal")


def _keys(literal: str) -> list[str]:
    """The keys of an object literal's own level (nested literals skipped)."""
    keys, depth = [], 0
    for match in re.finditer(r'[{}\[\]]|(?:^|[,{\s])"?([A-Za-z][\w-]*)"?\s*:', literal, re.M):
        token = match.group(0).strip()
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
        elif depth == 0:
            keys.append(match.group(1))
    return keys


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    provider = HybridTerwayProvider()
    assert provider.schema is not None
    return dict(json.loads(provider.schema))


def test_the_typescript_example_uses_the_schemas_inputs_and_outputs(schema: dict[str, Any]) -> None:
    source = (EXAMPLES / "typescript" / "index.ts").read_text()
    resource = schema["resources"]["hybrid-terway:index:HybridTerwayNetwork"]
    literal = _object_literal(source, 'new hybridTerway.HybridTerwayNetwork("hybrid", {')
    given = _keys(literal)
    assert set(given) <= set(resource["inputProperties"]), given
    assert set(resource["requiredInputs"]) <= set(given)
    terway_type = schema["types"]["hybrid-terway:index:TerwayConfig"]
    terway = _keys(_object_literal(literal, "terway: {"))
    assert set(terway) <= set(terway_type["properties"]), terway
    assert set(terway_type.get("required", [])) <= set(terway)
    for output in re.findall(r"network\.(\w+)", source):
        assert output in resource["properties"], output

