"""Ready to release: a license, a changelog, one version for the package, the pack and the schema, the package
metadata, the tag form the docs use, and a policy pack that ships without this repository or a provider SDK."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import yaml

from hybrid_terway.core.version import __version__
from hybrid_terway.package import HybridTerwayProvider
from preview.pack_bundle import bundle
from tests.conftest import ROOT

TAG = f"v{__version__}"


def test_license_and_changelog() -> None:
    license_text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{__version__}]" in changelog and "## [Unreleased]" in changelog


def test_one_version_for_the_package_the_pack_and_the_schema() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = {attr = "hybrid_terway.core.version.__version__"}' in pyproject
    assert yaml.safe_load((ROOT / "policy" / "PulumiPolicy.yaml").read_text())["version"] == __version__
    schema = HybridTerwayProvider().schema
    assert schema is not None and json.loads(schema)["version"] == __version__


def test_the_package_metadata(tmp_path: Path) -> None:
    """Build the wheel's metadata as pip would, and read it back."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (dist,) = tmp_path.glob("hybrid_terway-*.dist-info")
    meta = metadata.PathDistribution(dist).metadata
    assert meta["Version"] == __version__
    assert meta["License-Expression"] == "Apache-2.0"
    classifiers = meta.get_all("Classifier") or []
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert "Typing :: Typed" in classifiers
    assert (tmp_path / "hybrid_terway" / "py.typed").is_file()
    assert (dist / "licenses" / "LICENSE").is_file()


def test_the_docs_name_the_release_tag() -> None:
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "examples").rglob("*.*")]:
        if page.suffix not in {".md", ".ts", ".yaml", ".txt", ".py"}:
            continue
        text = page.read_text()
        assert "@<tag>" not in text, page
        for tag in re.findall(r"@(v\d+\.\d+\.\d+)", text):
            assert tag == TAG, f"{page.name} names {tag}, the release is {TAG}"


def _closure(requirements: list[str]) -> set[str]:
    """The distributions named, and every distribution they depend on (as installed)."""
    seen: set[str] = set()
    todo = [re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0] for r in requirements]
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for requirement in metadata.requires(name) or []:
            if "extra ==" not in requirement:
                todo.append(re.split(r"[<>=!~\[; (]", requirement, maxsplit=1)[0])
    return seen


def test_the_published_pack_needs_only_its_requirements(tmp_path: Path) -> None:
    requirements = [
        line.strip()
        for line in (ROOT / "policy" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert all(not r.startswith((".", "-e", "pulumi-alicloud", "pulumi-kubernetes")) for r in requirements)
    pack = tmp_path / "pack"
    written = bundle(pack)
    assert pack / "hybrid_terway" / "core" / "constants.py" in written
    assert not (pack / "hybrid_terway" / "network.py").exists()
    # A fresh interpreter without site-packages' .pth hooks (so this checkout's editable install is not found):
    # only the bundle and the installed libraries are importable.
    code = (
        "import json, sys; import hybrid_terway_guard.policies, hybrid_terway_guard.pack, hybrid_terway;"
        "print(json.dumps({'from': hybrid_terway.__file__, 'modules': sorted({m.split('.')[0] for m in sys.modules})}))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(pack), sysconfig.get_paths()["purelib"]])}
    done = subprocess.run([sys.executable, "-S", "-c", code], cwd=pack, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout)
    assert loaded["from"] == str(pack / "hybrid_terway" / "__init__.py")
    assert not {"pulumi_alicloud", "pulumi_kubernetes"} & set(loaded["modules"])
    shipped = _closure(requirements)
    by_module = metadata.packages_distributions()
    for module in loaded["modules"]:
        if (pack / module).is_dir():
            continue  # the bundle's own
        dists = {d.lower().replace("_", "-") for d in by_module.get(module, [])}
        if dists:
            assert dists & shipped, f"the pack imports {module} ({dists}), which policy/requirements.txt does not bring"
