"""The stack configuration contract: valid stacks parse, every bad value gets a message naming key, value and rule."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from hybrid_terway.core import terway_model
from hybrid_terway.core.settings import SettingsError, TerwaySettings, parse_settings
from hybrid_terway.core.vocabulary import Scenario, WorkloadKind
from preview.run import settings_of
from tests.conftest import EXAMPLE_STACKS, stack_config
from tests.core.conftest import TERWAY, problems, raw


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_example_stack_is_valid(stack: str) -> None:
    settings = settings_of(stack_config(stack))
    assert settings.scenario in set(Scenario)


def test_defaults_for_bgp() -> None:
    settings = parse_settings(raw())
    assert settings.cloud_node_label == "alibabacloud.com/external=true"
    assert [(w.kind, w.namespace, w.name) for w in settings.workloads] == [
        (WorkloadKind.DAEMONSET, "kube-system", "calico-node")
    ]
    creds = settings.effective_credentials
    assert creds is not None
    assert (creds.source, creds.store, creds.key_slots, creds.active_slot) == ("managed", "secret", ["a"], "a")
    assert settings.terway is not None
    assert (settings.terway.min_pool_size, settings.terway.max_pool_size) == (0, 5)
    assert settings.terway.vswitch_selection_policy == "ordered"
    assert settings.terway.ipvlan is False


def test_host_has_no_default_workloads_and_overlay_no_credentials() -> None:
    assert parse_settings(raw(scenario="host")).workloads == ()
    overlay = parse_settings(raw(scenario="overlay", terway=None))
    assert overlay.effective_credentials is None and overlay.terway is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"scenario": "vxlan"}, "hybrid-terway:scenario = 'vxlan': Input should be 'overlay', 'bgp' or 'host'"),
        ({"clusterId": "C123"}, "hybrid-terway:clusterId = 'C123': must be 'c' followed by 32 lowercase hex"),
        ({"terway": None}, "hybrid-terway:terway: is required for scenario 'bgp'"),
        ({"scenario": "overlay"}, "hybrid-terway:terway: must not be set for scenario 'overlay'"),
        (
            {"terway": {**TERWAY, "serviceCidr": "172.21.0.1/20"}},
            "hybrid-terway:terway.serviceCidr = '172.21.0.1/20': must be an IPv4 CIDR",
        ),
        (
            {"terway": {**TERWAY, "podVswitches": {"cn-hangzhou-h": []}}},
            "hybrid-terway:terway.podVswitches.cn-hangzhou-h = []",
        ),
        (
            {"terway": {**TERWAY, "podVswitches": {"cn-hangzhou-h": ["subnet-1"]}}},
            "hybrid-terway:terway.podVswitches.cn-hangzhou-h[0] = 'subnet-1': must be a vSwitch id",
        ),
        (
            {"terway": {**TERWAY, "securityGroupIds": [f"sg-bp1d5f7h9j1k3m5n7p{i:02d}" for i in range(11)]}},
            "hybrid-terway:terway.securityGroupIds",
        ),
        ({"terway": {**TERWAY, "securityGroupIds": []}}, "hybrid-terway:terway.securityGroupIds = []"),
        (
            {"terway": {**TERWAY, "maxPoolSize": "5"}},
            "hybrid-terway:terway.maxPoolSize = '5': Input should be a valid integer",
        ),
        (
            {"terway": {**TERWAY, "minPoolSize": -1}},
            "hybrid-terway:terway.minPoolSize = -1: Input should be greater than or equal to 0",
        ),
        (
            {"terway": {**TERWAY, "minPoolSize": 6}},
            "hybrid-terway:terway: minPoolSize (6) must not exceed maxPoolSize (5)",
        ),
        (
            {"terway": {**TERWAY, "vswitchSelectionPolicy": "mostFree"}},
            "hybrid-terway:terway.vswitchSelectionPolicy = 'mostFree': Input should be 'ordered' or 'random'",
        ),
        (
            {"terway": {**TERWAY, "ipStack": "ipv6"}},
            "hybrid-terway:terway.ipStack = 'ipv6': Input should be 'ipv4' or 'dual'",
        ),
        (
            {"terway": {**TERWAY, "ipvlan": "yes"}},
            "hybrid-terway:terway.ipvlan = 'yes': Input should be a valid boolean",
        ),
        (
            {"terway": {**TERWAY, "servicecidr": "10.0.0.0/16"}},
            "hybrid-terway:terway.servicecidr: is not a known key; did you mean serviceCidr? valid keys are version, ",
        ),
        (
            {"terway": {**TERWAY, "podVSwitches": {}}},
            "hybrid-terway:terway.podVSwitches: is not a known key; did you mean podVswitches? valid keys are ",
        ),
        (
            {"credentials": {"keySlot": ["a"]}},
            "hybrid-terway:credentials.keySlot: is not a known key; did you mean keySlots? valid keys are source, ",
        ),
        (
            {"onPremWorkloads": [{"kind": "DaemonSet", "namespace": "kube-system", "nmae": "calico-node"}]},
            "hybrid-terway:onPremWorkloads[0].nmae: is not a known key; did you mean name? valid keys are kind, ",
        ),
        (
            {"credentials": {"source": "vault"}},
            "hybrid-terway:credentials.source = 'vault': Input should be 'managed' or 'existing'",
        ),
        (
            {"credentials": {"store": "env"}},
            "hybrid-terway:credentials.store = 'env': Input should be 'secret' or 'configmap'",
        ),
        ({"credentials": {"source": "existing"}}, "hybrid-terway:credentials: source 'existing' needs accessKeyId"),
        (
            {"credentials": {"source": "existing", "accessKeyId": "LTAI5tExampleKeyId0123456"}},
            "hybrid-terway:accessKeySecret: is required with credentials.source 'existing'",
        ),
        (
            {"credentials": {"source": "existing", "accessKeyId": "AKIA123"}},
            "hybrid-terway:credentials.accessKeyId = 'AKIA123'",
        ),
        (
            {"credentials": {"keySlots": ["a", "a"]}},
            'hybrid-terway:credentials.keySlots = ["a", "a"]: must not name a slot twice',
        ),
        (
            {"credentials": {"keySlots": ["a", "c"]}},
            "hybrid-terway:credentials.keySlots[1] = 'c': Input should be 'a' or 'b'",
        ),
        (
            {"credentials": {"keySlots": ["a", "b", "a"]}},
            'hybrid-terway:credentials.keySlots = ["a", "b", "a"]: List should have at most 2 items',
        ),
        (
            {"credentials": {"keySlots": ["a"], "activeKey": "b"}},
            "hybrid-terway:credentials: activeKey 'b' must be one of keySlots ['a']",
        ),
        (
            {"credentials": {"ramUserName": "terway user"}},
            "hybrid-terway:credentials.ramUserName = 'terway user': must be 1 to 64 characters",
        ),
        (
            {"onPremWorkloads": [{"kind": "Pod", "namespace": "a", "name": "b"}]},
            "hybrid-terway:onPremWorkloads[0].kind = 'Pod': "
            "Input should be 'DaemonSet', 'Deployment', 'StatefulSet' or 'Installation'",
        ),
        (
            {"onPremWorkloads": [{"kind": "DaemonSet", "name": "calico-node"}]},
            "hybrid-terway:onPremWorkloads[0]: a DaemonSet needs a namespace",
        ),
        (
            {"onPremWorkloads": [{"kind": "Installation", "namespace": "x", "name": "default"}]},
            "hybrid-terway:onPremWorkloads[0]: an Installation is cluster-scoped",
        ),
        (
            {"onPremWorkloads": [{"kind": "DaemonSet", "namespace": "calico-system", "name": "calico-node"}]},
            "list {kind: Installation, name: default} instead",
        ),
        (
            {"onPremWorkloads": [{"kind": "DaemonSet", "namespace": "kube-system", "name": "terway-eniip"}]},
            "terway-eniip is the cloud-node CNI",
        ),
        (
            {"onPremWorkloads": [{"kind": "DaemonSet", "namespace": "kube-system", "name": "x"}] * 2},
            "hybrid-terway:onPremWorkloads[1]: DaemonSet kube-system/x is listed twice",
        ),
        (
            {
                "scenario": "overlay",
                "terway": None,
                "onPremWorkloads": [{"kind": "DaemonSet", "namespace": "kube-flannel", "name": "kube-flannel-ds"}],
            },
            "is the overlay CNI, which must also run on cloud nodes",
        ),
        (
            {"scenario": "overlay", "terway": None, "credentials": {}},
            "hybrid-terway:credentials: must not be set for scenario 'overlay'",
        ),
        (
            {"cloudNodeLabel": "external"},
            "hybrid-terway:cloudNodeLabel = 'external': must be a node label as key=value",
        ),
        ({"terway": "{not json"}, "hybrid-terway:terway: is not a structured value"),
        ({"tearway": "{}"}, "hybrid-terway:tearway: is not a known key; did you mean terway? valid keys are scenario"),
        ({"Scenario": "bgp"}, "hybrid-terway:Scenario: is not a known key; did you mean scenario? valid keys are "),
        ({"zzz": "1"}, "hybrid-terway:zzz: is not a known key; valid keys are scenario, clusterId"),
    ],
)
def test_each_bad_value_is_named(values: dict[str, object], expected: str) -> None:
    found = problems(**values)
    assert any(expected in p for p in found), found


def test_all_problems_are_reported_at_once() -> None:
    found = problems(scenario="bgp", clusterId="x", terway={**TERWAY, "ipStack": "v6", "maxPoolSize": -2})
    assert len(found) == 3
    assert str(SettingsError(found)).startswith("invalid stack configuration (3 problem(s)):")


def test_accessKeySecret_is_refused_with_managed_credentials() -> None:
    found = problems(accessKeySecret="abc")
    assert any("hybrid-terway:accessKeySecret: is only used with credentials.source 'existing'" in p for p in found)


def test_secret_values_never_appear_in_messages() -> None:
    secret = "Sup3rSecretValueThatMustNotLeak"
    with pytest.raises(SettingsError) as info:
        parse_settings(raw(accessKeySecret=secret, clusterId="bad"))
    assert secret not in str(info.value)


def test_settings_are_immutable() -> None:
    settings = parse_settings(raw())
    with pytest.raises(ValidationError, match="frozen"):
        settings.scenario = Scenario.HOST  # type: ignore[misc]


def groups(count: int) -> list[str]:
    return [f"sg-bp1d5f7h9j1k3m5n{i:04d}" for i in range(count)]


def test_six_security_groups_with_terway_v1_9_6_are_refused_naming_the_limit() -> None:
    (problem,) = problems(terway={**TERWAY, "version": "v1.9.6", "securityGroupIds": groups(6)})
    assert problem.startswith(
        "hybrid-terway:terway.securityGroupIds: lists 6 security groups; Terway v1.9.6 accepts at most 5 "
        "(types/daemon/config.go Config.Validate from commit abfdaab1 (v1.5.7): len(SecurityGroups) > 5)"
    )
    assert "pin terway.version v1.13.7 or later for up to 10" in problem


def test_ten_security_groups_with_a_current_terway_are_accepted() -> None:
    for version in ("v1.13.7", "v1.16.7", "v1.17.5-aliyun.1"):
        settings = parse_settings(raw(terway={**TERWAY, "version": version, "securityGroupIds": groups(10)}))
        assert settings.terway is not None and len(settings.terway.security_group_ids) == 10
    (problem,) = problems(terway={**TERWAY, "version": "v1.16.7", "securityGroupIds": groups(11)})
    assert "securityGroupIds" in problem


def test_without_a_pinned_version_the_limit_every_version_accepts_applies() -> None:
    assert parse_settings(raw(terway={**TERWAY, "securityGroupIds": groups(5)})).terway is not None
    (problem,) = problems(terway={**TERWAY, "securityGroupIds": groups(6)})
    assert "Terway of an unpinned addon version accepts at most 5" in problem


def test_terway_version_must_be_a_version() -> None:
    (problem,) = problems(terway={**TERWAY, "version": "latest"})
    assert problem == "hybrid-terway:terway.version = 'latest': must be a Terway addon version such as v1.13.7"


def test_dual_stack_service_range_in_the_form_terway_parses() -> None:
    settings = parse_settings(raw(terway={**TERWAY, "ipStack": "dual", "serviceCidr": "172.21.0.0/20,fd00:0::/112"}))
    assert settings.terway is not None and settings.terway.service_cidr == "172.21.0.0/20,fd00::/112"
    single = parse_settings(raw(terway={**TERWAY, "ipStack": "dual"}))
    assert single.terway is not None and single.terway.service_cidr == "172.21.0.0/20"


@pytest.mark.parametrize(
    ("cidr", "stack", "expected"),
    [
        ("172.21.0.0/20, fd00::/112", "dual", "' fd00::/112' has spaces, which Terway does not trim"),
        ("172.21.0.0/20,172.22.0.0/20", "dual", "part '172.22.0.0/20' must be an IPv6 CIDR"),
        ("172.21.0.0/20,fd00::/112,fd01::/112", "dual", "must be an IPv4 CIDR, or an IPv4 and an IPv6 CIDR"),
        ("172.21.0.0/20,fd00::/112", "ipv4", "an IPv6 part needs ipStack 'dual'"),
    ],
)
def test_bad_service_ranges_are_named(cidr: str, stack: str, expected: str) -> None:
    (problem,) = problems(terway={**TERWAY, "ipStack": stack, "serviceCidr": cidr})
    assert problem.startswith("hybrid-terway:terway.serviceCidr") and expected in problem, problem


def test_legacy_ram_actions_only_with_a_managed_key() -> None:
    settings = parse_settings(raw(credentials={"legacyRamActions": True}))
    assert settings.effective_credentials is not None and settings.effective_credentials.legacy_ram_actions
    found = problems(
        credentials={"source": "existing", "accessKeyId": "LTAI5tExampleKeyId0123456", "legacyRamActions": True},
        accessKeySecret="x",
    )
    assert any("legacyRamActions only apply to source 'managed'" in p for p in found), found


def test_vocabularies_are_within_what_upstream_distinguishes() -> None:
    fields = TerwaySettings.model_fields
    assert set(get_args(fields["ip_stack"].annotation)) <= set(terway_model.IP_STACKS)
    assert set(get_args(fields["vswitch_selection_policy"].annotation)) <= set(terway_model.VSWITCH_POLICIES)
    (problem,) = problems(terway={**TERWAY, "vswitchSelectionPolicy": "orderd"})
    assert "vswitchSelectionPolicy = 'orderd'" in problem
