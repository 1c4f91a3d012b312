"""The RAM policy Terway gets: exactly the actions it calls, canonical JSON, RAM's limits checked up front."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hybrid_terway.core import constants, terway_model
from hybrid_terway.core.vocabulary import IpStack, KeySlot
from hybrid_terway.ram import (
    IdentityInputError,
    TerwayIdentityArgs,
    identity_args_from_inputs,
    policy_document_problem,
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


def test_a_policy_document_over_rams_limit_is_refused() -> None:
    assert policy_document_problem("{}") is None
    problem = policy_document_problem("x" * 6145)
    assert problem is not None and problem.path == "legacyRamActions"
    assert "6145 bytes; RAM allows 6144" in problem


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"user_name": "x" * 65}, [("userName", "userName = 'xxxx")]),
        ({"user_name": "terway user"}, [("userName", "userName = 'terway user': must be 1 to 64 characters")]),
        ({"policy_name": "terway_eniip"}, [("policyName", "policyName = 'terway_eniip': must be 1 to 128")]),
        ({"policy_name": "p" * 129}, [("policyName", "policyName = 'pppp")]),
        ({"key_slots": ("a", "b", "a")}, [("keySlots", 'keySlots = ["a", "b", "a"]: List should have at most 2')]),
        ({"key_slots": ("b", "b")}, [("keySlots", 'keySlots = ["b", "b"]: must not name a slot twice')]),
        ({"active_key": "b"}, [("activeKey", "activeKey: activeKey 'b' must be one of keySlots ['a']")]),
    ],
)
def test_identity_args_are_checked_by_the_settings_rules(
    change: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    """The same rules as the settings' credentials: one RAM user name rule, the slots and the active key."""
    args = {
        "user_name": "terway",
        "policy_name": "terway-eniip",
        "ip_stack": "ipv4",
        "key_slots": ("a",),
        "active_key": "a",
        "cluster_id": "c" + "0" * 32,
        **change,
    }
    with pytest.raises(IdentityInputError) as raised:
        TerwayIdentityArgs(**args)
    assert [
        (p.path, p[: len(fragment)]) for p, (_, fragment) in zip(raised.value.problems, expected, strict=True)
    ] == expected


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
        ({"zone": "cn-hangzhou-h"}, [("zone", "zone: is not a known key; valid keys are userName, ")]),
        (
            {"activekey": "a"},
            [("activekey", "activekey: is not a known key; did you mean activeKey? valid keys are userName")],
        ),
        ({"activeKey": "c"}, [("activeKey", "activeKey = 'c': Input should be 'a' or 'b'")]),
        ({"keySlots": "a"}, [("keySlots", "keySlots = 'a': Input should be a list")]),
        (
            {"legacyRamActions": "yes"},
            [("legacyRamActions", "legacyRamActions = 'yes': Input should be a valid boolean")],
        ),
        ({"clusterId": 7}, [("clusterId", "clusterId = 7: Input should be a valid string")]),
        ({"keySlots": ["b", "b"]}, [("keySlots", 'keySlots = ["b", "b"]: must not name a slot twice')]),
        ({"keySlots": []}, [("keySlots", "keySlots = []: List should have at least 1 item")]),
        ({"userName": "terway user"}, [("userName", "userName = 'terway user': must be 1 to 64 characters")]),
    ],
)
def test_identity_input_problems_name_the_input(change: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    inputs = {k: v for k, v in {**INPUTS, **change}.items() if v is not None}
    with pytest.raises(IdentityInputError) as raised:
        identity_args_from_inputs(inputs)
    assert [problem.path for problem in raised.value.problems] == [key for key, _ in expected]
    for problem, (_, fragment) in zip(raised.value.problems, expected, strict=True):
        assert problem.startswith(fragment)
