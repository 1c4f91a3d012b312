"""Long problem lists are grouped with their count and first examples (hybrid_terway.core.problems)."""

from __future__ import annotations

from hybrid_terway.core.address_plan import NetworkPlanError
from hybrid_terway.core.problems import grouped, shape


def overlap(i: int) -> str:
    return f"hybrid-terway:terway.podVswitches.cn-hangzhou-h: vSwitch vsw-{i:04d} overlaps on-prem node 10.0.{i}.1"


def test_a_few_problems_are_listed_one_by_one() -> None:
    few = [overlap(i) for i in range(10)]
    assert grouped(few) == few


def test_many_problems_are_grouped_by_shape_with_count_and_first_examples() -> None:
    many = [overlap(i) for i in range(600)] + ["hybrid-terway:terway: pod vSwitches and security groups in two VPCs"]
    lines = grouped(many)
    assert len(lines) == 2
    assert lines[0].startswith("600 like this (first 3): " + overlap(0) + " | " + overlap(1) + " | " + overlap(2))
    assert lines[0].endswith(" | and 597 more")
    assert lines[1] == many[-1]


def test_the_shape_hides_ids_addresses_and_numbers_only() -> None:
    shown = shape("vSwitch vsw-bp1m7 (192.168.0.0/24) is in zone cn-hangzhou-h")
    assert shown == "vSwitch # (#) is in zone cn-hangzhou-h"


def test_the_address_plan_error_groups_a_long_list_but_keeps_every_problem() -> None:
    error = NetworkPlanError([overlap(i) for i in range(600)])
    assert len(error.problems) == 600
    message = str(error)
    assert message.startswith("the network plan does not fit the cloud and the cluster (600 problem(s)):\n")
    assert len(message.splitlines()) == 2
