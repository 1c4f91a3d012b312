"""The wire form and the URNs, written once (``preview.engine.wire``) and used by the offline engine and both
plugin harnesses."""

from __future__ import annotations

import pytest

from hybrid_terway.core import constants
from preview.engine import wire
from preview.engine.policy_harness import make_urn
from tests.conftest import DATA, EXAMPLE_STACKS

STACK = "urn:pulumi:dev::hybrid-terway::pulumi:pulumi:Stack::hybrid-terway-dev"
TOP = "urn:pulumi:dev::hybrid-terway::a:b:Top::top"


def test_a_child_of_the_root_stack_carries_no_stack_type() -> None:
    assert wire.new_urn("dev", "hybrid-terway", STACK, "a:b:Top", "top") == TOP
    assert wire.new_urn("dev", "hybrid-terway", "", "a:b:Top", "top") == TOP
    assert wire.stack_urn("dev", "hybrid-terway") == STACK


def test_a_grandchild_carries_the_whole_chain() -> None:
    mid = wire.new_urn("dev", "hybrid-terway", TOP, "a:b:Mid", "mid")
    leaf = wire.new_urn("dev", "hybrid-terway", mid, "a:b:Leaf", "leaf")
    assert leaf == "urn:pulumi:dev::hybrid-terway::a:b:Top$a:b:Mid$a:b:Leaf::leaf"
    assert (wire.qualified_type(leaf), wire.urn_type(leaf), wire.urn_name(leaf)) == (
        "a:b:Top$a:b:Mid$a:b:Leaf",
        "a:b:Leaf",
        "leaf",
    )


def test_the_policy_harness_builds_urns_by_the_same_rule() -> None:
    mid = make_urn("a:b:Mid", "mid", parent=TOP)
    assert make_urn("a:b:Leaf", "leaf", parent=mid) == wire.new_urn("dev", constants.PROJECT, mid, "a:b:Leaf", "leaf")
    assert make_urn("a:b:Top", "top", parent=STACK) == TOP


def _last_type_only(stack: str, parent: str, type_: str, name: str) -> str:
    """The SDK's mock monitor's rule (pulumi 3.272.0 ``mocks.py`` ``MockMonitor.make_urn``): the parent's last
    type only. Not the engine's; here to show which pins it would get wrong."""
    chain = f"{wire.urn_type(parent)}${type_}" if parent else type_
    return f"urn:pulumi:{stack}::{constants.PROJECT}::{chain}::{name}"


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_pinned_urn_follows_the_engines_rule(stack: str) -> None:
    """Each pin (``<urn>  <parent urn>``) is ``new_urn`` of its parent, type and name; every pin under a
    component nested in a component is one the last-type rule would have got wrong."""
    differ = 0
    for line in (DATA / "urns" / f"{stack}.txt").read_text().splitlines():
        urn, parent = line.split("  ")
        parent = "" if parent == "-" else parent
        type_, name = wire.urn_type(urn), wire.urn_name(urn)
        assert wire.new_urn(stack, constants.PROJECT, parent, type_, name) == urn
        root_parent = "" if parent and wire.qualified_type(parent) == wire.ROOT_STACK_TYPE else parent
        if _last_type_only(stack, root_parent, type_, name) != urn:
            differ += 1
            assert wire.qualified_type(urn).count("$") >= 2
    assert differ > 0


def test_secrets_on_the_wire() -> None:
    value = {"a": wire.secret("s"), "b": [wire.secret({"c": 1})], "d": 2}
    assert wire.is_secret(value["a"]) and not wire.is_secret(value)
    assert wire.secret(value["a"]) == value["a"]  # secrets do not nest
    assert wire.unwrap(value) == {"a": "s", "b": [{"c": 1}], "d": 2}
    assert wire.mask(value) == {"a": wire.MASK, "b": [wire.MASK], "d": 2}
    assert wire.contains_secrets(value) and not wire.contains_secrets(wire.unwrap(value))


def test_structs_skip_internal_keys_only_when_asked() -> None:
    values = {"__inputs": {"x": 1}, "data": {"k": None}}
    assert set(wire.struct(values, skip_internal_keys=True).keys()) == {"data"}
    assert set(wire.struct(values).keys()) == {"__inputs", "data"}
