"""What Terway is told: the owned eni_conf keys, the merge with the live eni_conf, the restart token, the patch."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hybrid_terway.core import constants, terway_model
from hybrid_terway.core.settings import TerwaySettings
from hybrid_terway.terway import (
    Credentials,
    EniConfError,
    addon_config,
    eni_config_annotations,
    merge_eni_conf,
    owned_eni_conf,
    parse_live_eni_conf,
    render_eni_conf,
    restart_token,
    terway_node_selector,
    terway_placement_spec,
)

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


def conf(
    terway: TerwaySettings, creds: Credentials | None = None, live: dict[str, Any] | None = None
) -> dict[str, Any]:
    return merge_eni_conf(live or {}, owned_eni_conf(terway, creds), CLUSTER).conf


def test_every_owned_field_with_its_type() -> None:
    c = conf(settings(minPoolSize=2, maxPoolSize=10, vswitchSelectionPolicy="random", ipStack="dual"))
    assert c == {
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
    assert set(c) - {terway_model.ENI_TAGS} <= set(terway_model.OWNED_KEYS)
    assert not terway_model.value_problems(c)
    assert not list(terway_model.key_problems(c))


def test_defaults_match_the_guide() -> None:
    c = conf(settings())
    assert (c["max_pool_size"], c["min_pool_size"], c["vswitch_selection_policy"], c["ip_stack"]) == (
        5,
        0,
        "ordered",
        "ipv4",
    )


def test_dual_stack_service_range_is_rendered_as_upstream_parses_it() -> None:
    c = conf(settings(ipStack="dual", serviceCidr="172.21.0.0/20,fd00:0::/112"))
    assert c["service_cidr"] == "172.21.0.0/20,fd00::/112"
    assert terway_model.service_cidr_parts(c["service_cidr"]) == ["172.21.0.0/20", "fd00::/112"]


def test_several_security_groups_use_the_list_field() -> None:
    groups = ["sg-bp1d5f7h9j1k3m5n7p9r", "sg-bp1d5f7h9j1k3m5n7p9s"]
    c = conf(settings(securityGroupIds=groups), live={"security_group": "sg-old00000000"})
    assert c["security_groups"] == groups and "security_group" not in c, "an owned key left out is removed"


def test_configmap_store_carries_the_key() -> None:
    c = conf(settings(), Credentials("LTAI5tExampleKeyId0123456", "s3cr3t"))
    assert c["access_key"] == "LTAI5tExampleKeyId0123456" and c["access_secret"] == "s3cr3t"


def test_merge_keeps_every_key_it_does_not_own() -> None:
    live = {
        "version": "1",
        "credential_path": "/var/addon/token-config",
        "ip_warm_up_size": 3,
        "enable_eni_trunking": True,
        "eni_tags": {"team": "net", "ack.aliyun.com": "stale"},
        "max_pool_size": 99,
        "vswitch_selection_policy": "random",
        "someone_elses_key": {"nested": [1, 2]},
    }
    merged = merge_eni_conf(live, owned_eni_conf(settings(), None), CLUSTER)
    for key in ("version", "credential_path", "ip_warm_up_size", "enable_eni_trunking", "someone_elses_key"):
        assert merged.conf[key] == live[key]
    assert merged.conf["eni_tags"] == {"team": "net", "ack.aliyun.com": CLUSTER}
    assert (merged.conf["max_pool_size"], merged.conf["vswitch_selection_policy"]) == (5, "ordered")
    assert merged.kept == ("credential_path", "enable_eni_trunking", "ip_warm_up_size", "someone_elses_key", "version")
    assert live["max_pool_size"] == 99, "the live object is not changed"


def test_secret_store_blanks_a_plaintext_key_left_in_the_live_eni_conf() -> None:
    live = {"access_key": "LTAI5tOldKey000000000", "access_secret": "old-plaintext-secret"}
    merged = merge_eni_conf(live, owned_eni_conf(settings(), None), CLUSTER)
    assert merged.conf["access_key"] == "" and merged.conf["access_secret"] == ""
    assert merged.blanked == ("access_key", "access_secret")
    assert merge_eni_conf({"access_key": ""}, owned_eni_conf(settings(), None), CLUSTER).blanked == ()
    creds = Credentials("LTAI5tExampleKeyId0123456", "s3cr3t")
    assert merge_eni_conf(live, owned_eni_conf(settings(), creds), CLUSTER).blanked == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "must be a JSON object, not a list"),
        ('"text"', "must be a JSON object, not a string"),
        ("{not json", "is not valid JSON"),
        ('{"max_pool_size": NaN}', "NaN is not JSON"),
    ],
)
def test_a_live_eni_conf_that_is_no_object_stops_the_run(text: str, message: str) -> None:
    with pytest.raises(EniConfError) as raised:
        parse_live_eni_conf(text)
    assert message in str(raised.value)
    assert "kube-system/eni-config data.eni_conf" in str(raised.value)
    assert text not in str(raised.value), "the value may hold a secret: never quoted"


def test_a_missing_or_empty_live_eni_conf_merges_into_nothing() -> None:
    assert parse_live_eni_conf(None) == {} and parse_live_eni_conf("") == {}


def test_rendering_is_canonical() -> None:
    first = render_eni_conf(conf(settings()))
    assert first == render_eni_conf(conf(settings()))
    assert first == json.dumps(json.loads(first), indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize(("ipvlan", "expected"), [(True, {"IPVlan": "true"}), (False, {"IPVlan": "false"})])
def test_ipvlan_goes_to_the_addon_config(ipvlan: bool, expected: dict[str, str]) -> None:
    # explicit both ways: the addon merges its config server side, so a missing key would never switch it off
    assert json.loads(addon_config(settings(ipvlan=ipvlan))) == expected
    assert "IPVlan" not in render_eni_conf(conf(settings(ipvlan=ipvlan)))


def test_restart_token_follows_config_and_key_id_only() -> None:
    base = conf(settings())
    token = restart_token(base, "LTAI5tA")
    assert token == restart_token(base, "LTAI5tA")
    assert token != restart_token(base, "LTAI5tB")
    assert token != restart_token(conf(settings(maxPoolSize=6)), "LTAI5tA")
    with_secret = conf(settings(), Credentials("LTAI5tA", "one"))
    assert restart_token(with_secret, "LTAI5tA") == restart_token(
        conf(settings(), Credentials("LTAI5tA", "two")), "LTAI5tA"
    )


def test_restart_token_rolls_when_this_run_changes_the_live_eni_conf() -> None:
    merged = conf(settings())
    base = restart_token(merged, "LTAI5tA")
    assert restart_token(merged, "LTAI5tA", live=merged, live_token=f"{base}.0123abcd") == f"{base}.0123abcd"
    drifted = {**merged, "max_pool_size": 50}
    rolled = restart_token(merged, "LTAI5tA", live=drifted, live_token=f"{base}.0123abcd")
    assert rolled.startswith(base + ".") and rolled != f"{base}.0123abcd"
    assert restart_token(merged, "LTAI5tA", live=merged, live_token="something-else") == base


def test_placement_spec_pins_terway_to_cloud_nodes() -> None:
    selector = terway_node_selector("alibabacloud.com/external=true", None)
    spec = terway_placement_spec(selector, "abc")
    assert spec["template"]["spec"]["nodeSelector"] == {"alibabacloud.com/external": "true"}
    assert spec["template"]["metadata"]["annotations"] == {"hybrid-terway/config-hash": "abc"}


def test_the_node_selector_keeps_the_live_keys_because_an_apply_replaces_it_whole() -> None:
    """PodSpec.nodeSelector is atomic: a selector of the cloud-node label alone would drop the addon's keys."""
    live = {"spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux", "team": "net"}}}}}
    assert terway_node_selector("example.com/cloud=yes", live) == {
        "kubernetes.io/os": "linux",
        "team": "net",
        "example.com/cloud": "yes",
    }
    drifted = {"spec": {"template": {"spec": {"nodeSelector": {"alibabacloud.com/external": "false"}}}}}
    assert terway_node_selector("alibabacloud.com/external=true", drifted) == {"alibabacloud.com/external": "true"}


def test_the_eni_config_patch_forces_and_carries_its_marker() -> None:
    """The addon's manager owns data.eni_conf: without force every `up` would be a 409 (docs/running-up.md)."""
    annotations = eni_config_annotations("v1.13.7", "m1")
    assert annotations[constants.PATCH_FORCE_ANNOTATION] == "true"
    assert annotations[constants.PATCH_FIELD_MANAGER_ANNOTATION] == constants.FIELD_MANAGER
    assert annotations[constants.DRIFT_ANNOTATION] == "m1"
    assert annotations[constants.TERWAY_VERSION_ANNOTATION] == "v1.13.7"
    assert constants.TERWAY_VERSION_ANNOTATION not in eni_config_annotations(None, "m1")
