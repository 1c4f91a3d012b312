"""The import contract: the core imports only the standard library and pydantic; the policy pack only the core,
the policy SDK, pydantic and PyYAML; the offline preview no provider SDK and no component module, except the
module that runs the program (``preview/engine/program.py``) and the harnesses that start the program's plugins.

Checked twice: every import statement in the source (function-level ones included, read with ``ast``), and what a
fresh interpreter has in ``sys.modules`` after importing each side.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "components" / "hybrid_terway"
CORE = PACKAGE / "core"
STDLIB = frozenset(sys.stdlib_module_names)
PYDANTIC = frozenset({"pydantic", "pydantic_core", "annotated_types", "typing_extensions", "typing_inspection"})
PROVIDER_SDKS = frozenset({"pulumi_alicloud", "pulumi_kubernetes"})
COMPONENT_MODULES = frozenset(
    p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__",)
)  # hybrid_terway.<module>: every module beside the core
PREVIEW_RUNS_PROGRAM = frozenset({"preview/engine/program.py"})
"""Where the preview runs the program (it imports ``__main__.py`` and so the components)."""


def imports(path: Path, base: Path) -> Iterable[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``, relative ones resolved against its package (the
    folders from ``base``, the folder on ``sys.path``, to the file)."""
    package = path.relative_to(base).parent.parts
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            parts = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*parts, *([node.module] if node.module else [])])
            # each name too: ``from hybrid_terway import network`` imports hybrid_terway.network
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _top(module: str) -> str:
    return module.split(".")[0]


def core_violations(core: Path = CORE) -> list[str]:
    found = []
    for path in sorted(core.rglob("*.py")):
        for line, module in imports(path, core.parent.parent):
            ok = (
                _top(module) in STDLIB | PYDANTIC
                or module == "hybrid_terway.core"
                or module.startswith("hybrid_terway.core.")
            )
            if not ok:
                found.append(f"{path.relative_to(core.parent.parent)}:{line} imports {module}")
    return found


POLICY_ALLOWED = STDLIB | PYDANTIC | {"pulumi_policy", "yaml", "hybrid_terway_guard"}


def policy_violations(policy: Path) -> list[str]:
    found = []
    for path in sorted(policy.rglob("*.py")):
        if "venv" in path.parts:
            continue
        for line, module in imports(path, policy):
            ok = (
                _top(module) in POLICY_ALLOWED
                or module == "hybrid_terway.core"
                or module.startswith("hybrid_terway.core.")
            )
            if not ok:
                found.append(f"{path.relative_to(policy.parent)}:{line} imports {module}")
    return found


def preview_violations(preview: Path) -> list[str]:
    found = []
    for path in sorted(preview.rglob("*.py")):
        where = path.relative_to(preview.parent).as_posix()
        if where in PREVIEW_RUNS_PROGRAM:
            continue
        for line, module in imports(path, preview.parent):
            parts = module.split(".")
            component = parts[0] == "hybrid_terway" and len(parts) > 1 and parts[1] in COMPONENT_MODULES
            if parts[0] in PROVIDER_SDKS or component:
                found.append(f"{where}:{line} imports {module}")
    return found


def test_the_core_imports_only_the_standard_library_and_pydantic() -> None:
    assert core_violations() == []


def test_the_policy_pack_imports_only_the_core_and_its_libraries() -> None:
    assert policy_violations(ROOT / "policy") == []


def test_the_preview_imports_no_provider_sdk_and_no_component() -> None:
    assert preview_violations(ROOT / "preview") == []


def test_a_broken_contract_is_refused(tmp_path: Path) -> None:
    """Each check on a copy with one violating import added: it names the file, the line and the module."""
    core = tmp_path / "components" / "hybrid_terway" / "core"
    shutil.copytree(CORE, core, ignore=shutil.ignore_patterns("__pycache__"))
    with (core / "topology.py").open("a") as f:
        f.write("\n\ndef _late() -> None:\n    import pulumi_kubernetes  # noqa: F401\n")
    (core / "extra.py").write_text("from .. import network  # noqa: F401\n")
    assert core_violations(core) == [
        "hybrid_terway/core/extra.py:1 imports hybrid_terway.network",
        f"hybrid_terway/core/topology.py:{len((CORE / 'topology.py').read_text().splitlines()) + 4} imports "
        "pulumi_kubernetes",
    ]
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", policy, ignore=shutil.ignore_patterns("__pycache__", "venv"))
    (policy / "hybrid_terway_guard" / "wrong.py").write_text("import pulumi_alicloud\nfrom hybrid_terway import ram\n")
    assert policy_violations(policy) == [
        "policy/hybrid_terway_guard/wrong.py:1 imports pulumi_alicloud",
        "policy/hybrid_terway_guard/wrong.py:2 imports hybrid_terway.ram",
    ]
    preview = tmp_path / "preview"
    shutil.copytree(ROOT / "preview", preview, ignore=shutil.ignore_patterns("__pycache__"))
    (preview / "report" / "wrong.py").write_text("from hybrid_terway.isolation import OnPremIsolation\n")
    (preview / "report" / "wrong_too.py").write_text("from hybrid_terway import network\n")
    assert preview_violations(preview) == [
        "preview/report/wrong.py:1 imports hybrid_terway.isolation.OnPremIsolation",
        "preview/report/wrong_too.py:1 imports hybrid_terway.network",
    ]


def _loaded(code: str) -> list[str]:
    """The modules ``code`` loads in a fresh interpreter (this checkout's packages first on the path)."""
    script = (
        f"import json, sys\nbefore = set(sys.modules)\n{code}\nprint(json.dumps(sorted(set(sys.modules) - before)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'components'}:{ROOT}:{ROOT / 'policy'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(done.stdout))


def test_loading_the_core_loads_nothing_else() -> None:
    modules = [f"hybrid_terway.core.{p.stem}" for p in sorted(CORE.glob("*.py")) if p.stem != "__init__"]
    loaded = _loaded("\n".join(f"import {m}" for m in modules))
    # _sysconfigdata_<platform>: the standard library's build settings, named per platform
    outside = sorted(
        {
            m
            for m in loaded
            if _top(m) not in STDLIB | PYDANTIC | {"hybrid_terway"} and not m.startswith("_sysconfigdata")
        }
    )
    assert outside == []
    assert sorted(m for m in loaded if m.startswith("hybrid_terway.") and not m.startswith("hybrid_terway.core")) == []


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import hybrid_terway_guard.policies, hybrid_terway_guard.pack", id="policy pack"),
        pytest.param("import preview.run", id="preview"),
    ],
)
def test_the_pack_and_the_preview_load_no_provider_sdk(code: str) -> None:
    loaded = _loaded(code)
    assert sorted(m for m in loaded if _top(m) in PROVIDER_SDKS) == []
    components = sorted(
        m for m in loaded if m.split(".")[:2] != ["hybrid_terway", "core"] and m.startswith("hybrid_terway.")
    )
    assert components == []
