"""The RAM policy Terway gets: exactly the actions it calls, canonical JSON, RAM's limits checked up front."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hybrid_terway.args import IpStack, KeySlot
from hybrid_terway.core import constants, terway_model
from hybrid_terway.ram import (
    IdentityInputError,
    TerwayIdentityArgs,
    check_ram_limits,
    identity_args_from_inputs,
    render_policy_document,
    terway_actions,
)

PUBLISHED = {  # AliyunContainerService/terway docs/ecs.md (d589083e), without the IPv6 pair
    "ecs:CreateNetworkInterface",
    "ecs:DescribeNetworkInterfaces",
    "ecs:AttachNetworkInterface",
    "ecs:DetachNetworkInterface",
    "ecs:DeleteNetworkInterface",
    "ecs:DescribeInstanceTypes",
    "ecs:AssignPrivateIpAddresses",
    "ecs:UnassignPrivateIpAddresses",
    "vpc:DescribeVSwitches",
}
GUIDE_2021 = {
    "ecs:CreateNetworkInterface",
    "ecs:DescribeNetworkInterfaces",
    "ecs:AttachNetworkInterface",
    "ecs:DetachNetworkInterface",
    "ecs:DeleteNetworkInterface",
    "ecs:DescribeInstanceAttribute",
    "ecs:AssignPrivateIpAddresses",
    "ecs:UnassignPrivateIpAddresses",
    "ecs:DescribeInstances",
    "ecs:ModifyNetworkInterfaceAttribute",
    "vpc:DescribeVSwitches",
}


def test_ipv4_actions_are_terways_published_list() -> None:
    assert set(terway_actions("ipv4")) == PUBLISHED


def test_the_guides_extra_actions_only_when_asked_for() -> None:
    extra = {"ecs:DescribeInstanceAttribute", "ecs:DescribeInstances", "ecs:ModifyNetworkInterfaceAttribute"}
    assert set(terway_actions("ipv4", legacy=True)) == PUBLISHED | extra
    assert set(terway_actions("ipv4", legacy=True)) == GUIDE_2021 | {"ecs:DescribeInstanceTypes"}
    assert not extra & set(terway_actions("dual"))
    document = json.loads(render_policy_document("ipv4", legacy=True))
    assert extra <= set(document["Statement"][0]["Action"])


def test_dual_stack_adds_exactly_the_ipv6_address_actions() -> None:
    assert set(terway_actions("dual")) - set(terway_actions("ipv4")) == {
        "ecs:AssignIpv6Addresses",
        "ecs:UnassignIpv6Addresses",
    }


@pytest.mark.parametrize("ip_stack", ["ipv4", "dual"])
def test_document_is_canonical_least_privilege_json(ip_stack: str) -> None:
    text = render_policy_document(ip_stack)  # type: ignore[arg-type]
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, separators=(",", ":")), "not canonical: would diff"
    assert document["Version"] == "1"
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == ["*"]
    assert statement["Action"] == sorted(statement["Action"])
    assert not any("*" in action for action in statement["Action"])
    assert set(statement["Action"]) <= terway_model.RAM_ACTIONS_PUBLISHED
    assert len(text.encode()) <= constants.RAM_POLICY_DOCUMENT_MAX_BYTES


def test_rendering_is_stable() -> None:
    assert render_policy_document("dual") == render_policy_document("dual")


@pytest.mark.parametrize(
    ("user", "policy", "document", "slots", "expected"),
    [
        ("terway", "terway-eniip", "{}", ["a"], []),
        ("x" * 65, "terway-eniip", "{}", ["a"], [("userName", "RAM user name")]),
        ("terway user", "terway-eniip", "{}", ["a"], [("userName", "RAM user name")]),
        ("terway", "terway_eniip", "{}", ["a"], [("policyName", "RAM policy name")]),
        ("terway", "p" * 129, "{}", ["a"], [("policyName", "RAM policy name")]),
        ("terway", "terway-eniip", "x" * 6145, ["a"], [("legacyRamActions", "6145 bytes; RAM allows 6144")]),
        ("terway", "terway-eniip", "{}", ["a", "b", "c"], [("keySlots", "3 key slots; RAM allows 1 to 2")]),
    ],
)
def test_ram_limits(user: str, policy: str, document: str, slots: list[str], expected: list[tuple[str, str]]) -> None:
    found = check_ram_limits(user, policy, document, slots)
    assert len(found) == len(expected)
    for (key, message), (expected_key, fragment) in zip(found, expected, strict=True):
        assert key == expected_key
        assert fragment in message


def test_identity_args_refuse_an_active_key_outside_the_slots() -> None:
    with pytest.raises(ValueError, match="active key 'b' is not one of the key slots"):
        TerwayIdentityArgs("terway", "terway-eniip", "ipv4", ("a",), "b", "c" + "0" * 32)


CLUSTER = "c" + "0" * 32
INPUTS: dict[str, Any] = {
    "userName": "terway",
    "policyName": "terway-eniip",
    "ipStack": "dual",
    "keySlots": ["a", "b"],
    "activeKey": "b",
    "clusterId": CLUSTER,
}


def test_identity_inputs_become_the_same_args() -> None:
    assert identity_args_from_inputs(INPUTS) == TerwayIdentityArgs(
        "terway", "terway-eniip", "dual", ("a", "b"), "b", CLUSTER, legacy_actions=False
    )
    # From Python the enums of hybrid_terway.args are accepted as well.
    typed = {**INPUTS, "ipStack": IpStack.IPV4, "keySlots": [KeySlot.A], "activeKey": KeySlot.A}
    assert identity_args_from_inputs({**typed, "legacyRamActions": True}) == TerwayIdentityArgs(
        "terway", "terway-eniip", "ipv4", ("a",), "a", CLUSTER, legacy_actions=True
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"userName": None}, [("userName", "userName: is required")]),
        ({"zone": "cn-hangzhou-h"}, [("zone", "zone: not an input of TerwayIdentity (its inputs: userName, ")]),
        (
            {"activekey": "a"},
            [("activekey", "activekey: not an input of TerwayIdentity (did you mean activeKey? its inputs: userName")],
        ),
        ({"activeKey": "c"}, [("activeKey", "activeKey = 'c': must be one of ['a', 'b']")]),
        ({"keySlots": "a"}, [("keySlots", "keySlots = 'a': must be a list of one or two of ['a', 'b']")]),
        ({"legacyRamActions": "yes"}, [("legacyRamActions", "legacyRamActions = 'yes': must be true or false")]),
        ({"clusterId": 7}, [("clusterId", "clusterId = 7: must be a string")]),
        ({"keySlots": ["b", "b"]}, [("keySlots", "key slots ['b', 'b'] name a slot twice")]),
        ({"keySlots": []}, [("keySlots", "0 key slots; RAM allows 1 to 2"), ("activeKey", "active key 'b' is not")]),
        ({"userName": "terway user"}, [("userName", "RAM user name 'terway user' must be 1 to 64 characters")]),
    ],
)
def test_identity_input_problems_name_the_input(change: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    inputs = {k: v for k, v in {**INPUTS, **change}.items() if v is not None}
    with pytest.raises(IdentityInputError) as raised:
        identity_args_from_inputs(inputs)
    assert [key for key, _ in raised.value.problems] == [key for key, _ in expected]
    for (_, message), (_, fragment) in zip(raised.value.problems, expected, strict=True):
        assert message.startswith(fragment)
