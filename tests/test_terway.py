"""What Terway is told: eni_conf field by field, per credential store; the restart token; the placement patch."""

from __future__ import annotations

import json

import pytest

from hybrid_terway.settings import TerwaySettings
from hybrid_terway.terway import Credentials, addon_config, render_eni_conf, restart_token, terway_placement_spec

CLUSTER = "c" + "ab" * 16


def settings(**overrides: object) -> TerwaySettings:
    base: dict[str, object] = {
        "podVswitches": {
            "cn-hangzhou-i": ["vsw-bp1n8l3z0r5x7f9s1u3w5"],
            "cn-hangzhou-h": ["vsw-bp1m7k2x9q4w6e8r0t2y4"],
        },
        "serviceCidr": "172.21.0.0/20",
        "securityGroupIds": ["sg-bp1d5f7h9j1k3m5n7p9r"],
    }
    base.update(overrides)
    return TerwaySettings.model_validate(base)


def conf(terway: TerwaySettings, creds: Credentials | None = None) -> dict[str, object]:
    return json.loads(render_eni_conf(terway, CLUSTER, creds))


def test_every_field_with_its_type() -> None:
    c = conf(settings(minPoolSize=2, maxPoolSize=10, vswitchSelectionPolicy="random", ipStack="dual"))
    assert c == {
        "version": "1",
        "vswitches": {"cn-hangzhou-h": ["vsw-bp1m7k2x9q4w6e8r0t2y4"], "cn-hangzhou-i": ["vsw-bp1n8l3z0r5x7f9s1u3w5"]},
        "vswitch_selection_policy": "random",
        "service_cidr": "172.21.0.0/20",
        "security_group": "sg-bp1d5f7h9j1k3m5n7p9r",
        "eni_tags": {"ack.aliyun.com": CLUSTER},
        "max_pool_size": 10,
        "min_pool_size": 2,
        "ip_stack": "dual",
        "access_key": "",
        "access_secret": "",
    }
    assert isinstance(c["max_pool_size"], int) and isinstance(c["min_pool_size"], int)


def test_defaults_match_the_guide() -> None:
    c = conf(settings())
    assert (c["max_pool_size"], c["min_pool_size"], c["vswitch_selection_policy"], c["ip_stack"]) == (
        5,
        0,
        "ordered",
        "ipv4",
    )


def test_several_security_groups_use_the_list_field() -> None:
    groups = ["sg-bp1d5f7h9j1k3m5n7p9r", "sg-bp1d5f7h9j1k3m5n7p9s"]
    c = conf(settings(securityGroupIds=groups))
    assert c["security_groups"] == groups and "security_group" not in c


def test_secret_store_leaves_the_access_fields_empty() -> None:
    c = conf(settings(), None)
    assert c["access_key"] == "" and c["access_secret"] == ""


def test_configmap_store_carries_the_key() -> None:
    c = conf(settings(), Credentials("LTAI5tExampleKeyId0123456", "s3cr3t"))
    assert c["access_key"] == "LTAI5tExampleKeyId0123456" and c["access_secret"] == "s3cr3t"


def test_rendering_is_canonical() -> None:
    first = render_eni_conf(settings(), CLUSTER, None)
    assert first == render_eni_conf(settings(), CLUSTER, None)
    assert first == json.dumps(json.loads(first), indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize(("ipvlan", "expected"), [(True, {"IPVlan": "true"}), (False, {"IPVlan": "false"})])
def test_ipvlan_goes_to_the_addon_config(ipvlan: bool, expected: dict[str, str]) -> None:
    # explicit both ways: the addon merges its config server side, so a missing key would never switch it off
    assert json.loads(addon_config(settings(ipvlan=ipvlan))) == expected
    assert "IPVlan" not in render_eni_conf(settings(ipvlan=ipvlan), CLUSTER, None)


def test_restart_token_follows_config_and_key_id_only() -> None:
    base = render_eni_conf(settings(), CLUSTER, None)
    token = restart_token(base, "LTAI5tA")
    assert token == restart_token(base, "LTAI5tA")
    assert token != restart_token(base, "LTAI5tB")
    assert token != restart_token(render_eni_conf(settings(maxPoolSize=6), CLUSTER, None), "LTAI5tA")


def test_placement_spec_pins_terway_to_cloud_nodes() -> None:
    spec = terway_placement_spec("alibabacloud.com/external=true", "abc")
    assert spec["template"]["spec"]["nodeSelector"] == {"alibabacloud.com/external": "true"}
    assert spec["template"]["metadata"]["annotations"] == {"hybrid-terway/config-hash": "abc"}
