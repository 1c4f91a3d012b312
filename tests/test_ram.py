"""The RAM policy Terway gets: exactly the actions it calls, canonical JSON, RAM's limits checked up front."""

from __future__ import annotations

import json

import pytest

from hybrid_terway import constants, terway_model
from hybrid_terway.ram import TerwayIdentityArgs, check_ram_limits, render_policy_document, terway_actions

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
        ("x" * 65, "terway-eniip", "{}", ["a"], ["RAM user name"]),
        ("terway user", "terway-eniip", "{}", ["a"], ["RAM user name"]),
        ("terway", "terway_eniip", "{}", ["a"], ["RAM policy name"]),
        ("terway", "p" * 129, "{}", ["a"], ["RAM policy name"]),
        ("terway", "terway-eniip", "x" * 6145, ["a"], ["6145 bytes; RAM allows 6144"]),
        ("terway", "terway-eniip", "{}", ["a", "b", "c"], ["3 key slots; RAM allows 1 to 2"]),
    ],
)
def test_ram_limits(user: str, policy: str, document: str, slots: list[str], expected: list[str]) -> None:
    found = check_ram_limits(user, policy, document, slots)
    assert len(found) == len(expected)
    for message, fragment in zip(found, expected, strict=True):
        assert fragment in message


def test_identity_args_refuse_an_active_key_outside_the_slots() -> None:
    with pytest.raises(ValueError, match="active key 'b' is not one of the key slots"):
        TerwayIdentityArgs("terway", "terway-eniip", "ipv4", ("a",), "b", "c" + "0" * 32)
