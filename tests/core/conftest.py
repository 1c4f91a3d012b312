"""Shared by the core's tests: a valid stack configuration to vary, and the problems a variation has."""

from __future__ import annotations

import json

import pytest

from hybrid_terway.core.problems import Problem
from hybrid_terway.core.settings import SettingsError, parse_settings

CLUSTER = "c" + "0123456789abcdef" * 2
TERWAY = {
    "podVswitches": {"cn-hangzhou-h": ["vsw-bp1m7k2x9q4w6e8r0t2y4"]},
    "serviceCidr": "172.21.0.0/20",
    "securityGroupIds": ["sg-bp1d5f7h9j1k3m5n7p9r"],
}


def raw(**values: object) -> dict[str, str]:
    """The string values Pulumi hands the program: a bgp stack with ``values`` changed (None removes a key)."""
    base: dict[str, object] = {"scenario": "bgp", "clusterId": CLUSTER, "terway": TERWAY}
    base.update(values)
    return {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in base.items() if v is not None}


def problems(**values: object) -> list[Problem]:
    with pytest.raises(SettingsError) as info:
        parse_settings(raw(**values))
    return info.value.problems
