"""The README and docs/: every link resolves, every docs page is listed in the README, and the make commands
they show name targets, stacks and files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_STACKS, ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
MAKE = re.compile(r"(?<![\w/-])make ([a-z][\w-]*)((?: [A-Z_]+=\S+)*)")
# Files a reader makes for their own cluster, and stacks a reader creates; every other one must exist.
READERS_OWN = {"cluster.yaml", "cluster.json", "cloud.json", "mine", "prod"}


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation other than - and _ dropped, spaces as -."""
    found = set()
    for line in page.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", title)))
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{page.name}: link to {target} names no file"
        if anchor:
            assert anchor in anchors(resolved), f"{page.name}: link to {target} names no heading"


def test_the_readme_lists_every_docs_page() -> None:
    readme = (ROOT / "README.md").read_text()
    reference = readme[readme.index("\n## Reference\n") :]
    listed = {target for target in LINK.findall(reference) if target.startswith("docs/")}
    assert listed == {f"docs/{page.name}" for page in PAGES[1:]}


def test_the_readme_stays_short() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 150


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_make_commands_name_real_targets_stacks_and_files(page: Path) -> None:
    targets = set(re.findall(r"^([a-z][\w.-]*):", (ROOT / "Makefile").read_text(), re.M))
    for target, variables in MAKE.findall(page.read_text()):
        assert target in targets, f"{page.name}: make {target} is no Makefile target"
        for assignment in variables.split():
            name, _, value = assignment.partition("=")
            value = value.strip("`'\".,;)")
            if value in READERS_OWN or name == "PYTHON":
                continue
            if name == "STACK":
                assert value in EXAMPLE_STACKS, f"{page.name}: make {target} {assignment}: no Pulumi.{value}.yaml"
            elif name in {"SNAPSHOT", "CLOUD_SNAPSHOT"}:
                assert (ROOT / value).is_file(), f"{page.name}: make {target} {assignment}: no such file"


# A path into this repository, as the pages write it in backticks (`preview/world/snapshot.py`); upstream paths
# (pulumi-kubernetes' `provider/pkg/...`) are told apart by their folders.
REPO_PATH = re.compile(r"`((?:components|preview|policy|tests|benchmarks|examples|provider|\.github)/[\w./-]+)`")
UPSTREAM = ("provider/pkg/", "provider/cmd/")
MADE_AT_RUN_TIME = {"provider/venv"}  # the virtualenv the Pulumi CLI builds for the component package


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_repository_path_named_exists(page: Path) -> None:
    for path in REPO_PATH.findall(page.read_text()):
        if path.startswith(UPSTREAM) or path in MADE_AT_RUN_TIME:
            continue
        assert (ROOT / path.rstrip("/.")).exists(), f"{page.name}: `{path}` names no file in this repository"
