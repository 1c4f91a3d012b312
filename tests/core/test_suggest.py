"""Which known key a misspelt one probably means (hybrid_terway.core.suggest)."""

from __future__ import annotations

import pytest

from hybrid_terway.core.suggest import did_you_mean, edit_distance

TERWAY_KEYS = ["version", "ipvlan", "podVswitches", "serviceCidr", "securityGroupIds", "minPoolSize", "maxPoolSize"]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("", "", 0), ("abc", "abc", 0), ("abc", "", 3), ("kitten", "sitting", 3), ("ab", "ba", 1), ("abcd", "acbd", 1)],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance == edit_distance(b, a)


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        ("podVSwitches", "podVswitches"),  # case only
        ("ServiceCIDR", "serviceCidr"),
        ("secutiryGroupIds", "securityGroupIds"),  # a swap
        ("maxPoolSise", "maxPoolSize"),
        ("podVswitch", "podVswitches"),
        ("vesion", "version"),
        ("zzz", None),  # nothing close
        ("PoolSize", None),  # minPoolSize and maxPoolSize are as close: no guess
    ],
)
def test_did_you_mean(given: str, meant: str | None) -> None:
    assert did_you_mean(given, TERWAY_KEYS) == meant
