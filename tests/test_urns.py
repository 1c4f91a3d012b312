"""Every example stack's URNs, pinned: a URN the engine no longer finds is a delete.

A deleted ``alicloud.cs.KubernetesAddon`` uninstalls Terway from every cloud node (terraform-provider-alicloud
``alicloud/resource_alicloud_cs_kubernetes_addon.go``: delete uninstalls, create adopts), and a deleted patch
relinquishes its fields. So every URN is pinned in ``tests/data/urns/<stack>.txt``: a rename, a new type token
or a new parent fails here. A change that moves a resource on purpose gives it a ``pulumi.Alias`` for its old
URN, and the pinned list is then updated in the same commit (``UPDATE_URN_PINS=1 venv/bin/pytest
tests/test_urns.py``), so the review shows both.

The URNs are built as the Pulumi engine builds them (pulumi/pulumi ``pkg/resource/deploy/deployment.go``
``generateURN``, at 1b594989): ``urn:pulumi:<stack>::<project>::<qualified type>::<name>``, where the qualified
type is the parent's qualified type, ``$``, and the resource's own type; the root stack's type is left out. That
is computed here from each registration's type, name and parent, not taken from the offline engine's own URNs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pytest

from hybrid_terway.core import constants
from preview.engine.program import ProgramRun, Registration
from tests.conftest import DATA, EXAMPLE_STACKS

PINS = DATA / "urns"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


def qualified_type(r: Registration, by_urn: Mapping[str, Registration]) -> str:
    """The type chain of ``r``: its parents' types (the root stack's left out) and its own, joined by ``$``."""
    parent = by_urn.get(r.parent)
    if parent is None or parent.type == ROOT_STACK_TYPE:
        return r.type
    return f"{qualified_type(parent, by_urn)}${r.type}"


def engine_urn(r: Registration, by_urn: Mapping[str, Registration], stack: str) -> str:
    return f"urn:pulumi:{stack}::{constants.PROJECT}::{qualified_type(r, by_urn)}::{r.name}"


def urn_lines(run: ProgramRun) -> list[str]:
    """One line per resource: its URN and, after two spaces, its parent's URN (``-`` for none)."""
    by_urn = {r.urn: r for r in run.registrations}
    lines = []
    for r in run.registrations:
        parent = by_urn.get(r.parent)
        parent_urn = engine_urn(parent, by_urn, run.stack) if parent is not None else "-"
        lines.append(f"{engine_urn(r, by_urn, run.stack)}  {parent_urn}")
    return sorted(lines)


def test_every_example_stack_has_its_urns_pinned() -> None:
    assert sorted(p.stem for p in PINS.glob("*.txt")) == sorted(EXAMPLE_STACKS)


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_urns_are_the_pinned_ones(stack: str, example_runs: Mapping[str, ProgramRun]) -> None:
    lines = urn_lines(example_runs[stack])
    assert len(set(lines)) == len(lines), "two resources with one URN"
    pinned_file = PINS / f"{stack}.txt"
    if os.environ.get("UPDATE_URN_PINS") == "1":
        PINS.mkdir(parents=True, exist_ok=True)
        pinned_file.write_text("\n".join(lines) + "\n")
    pinned = pinned_file.read_text().splitlines()
    gone = sorted(set(pinned) - set(lines))
    new = sorted(set(lines) - set(pinned))
    assert not gone and not new, (
        f"URNs of stack {stack} changed; a URN that is gone is deleted by the next `pulumi up` (the addon: "
        "Terway uninstalled): give the moved resource a pulumi.Alias for its old URN, then update the pins\n"
        "gone:\n  " + "\n  ".join(gone) + "\nnew:\n  " + "\n  ".join(new)
    )


def test_a_moved_resource_is_reported() -> None:
    """The comparison sees a renamed child and a new parent type, not only a new leaf name."""
    stack = Registration("urn:s", ROOT_STACK_TYPE, "p-s", "", False, False, [], "", {})
    top = Registration("urn:t", "a:b:Top", "top", "urn:s", False, False, [], "", {})
    mid = Registration("urn:m", "a:b:Mid", "mid", "urn:t", False, False, [], "", {})
    leaf = Registration("urn:l", "k:c:Leaf", "leaf", "urn:m", True, False, [], "", {})
    run = ProgramRun("dev", [stack, top, mid, leaf], {}, [])
    assert (
        "urn:pulumi:dev::hybrid-terway::a:b:Top$a:b:Mid$k:c:Leaf::leaf  "
        "urn:pulumi:dev::hybrid-terway::a:b:Top$a:b:Mid::mid" in urn_lines(run)
    )
    moved = Registration("urn:m2", "a:b:Other", "mid", "urn:t", False, False, [], "", {})
    leaf2 = Registration("urn:l", "k:c:Leaf", "leaf", "urn:m2", True, False, [], "", {})
    assert urn_lines(ProgramRun("dev", [stack, top, moved, leaf2], {}, [])) != urn_lines(run)
