"""The pack's rule functions called directly, violations collected in a list (as pulumi-policy's own tests do)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy import EnforcementLevel, PolicyResourceOptions, ResourceValidationArgs
from pulumi_policy.policy import PolicyCustomTimeouts
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from hybrid_terway.core import constants, scheduling, terway_model
from hybrid_terway.core.topology import CniRole, NodeClass
from hybrid_terway.core.vocabulary import Scenario
from policy.hybrid_terway_guard import config as pc
from policy.hybrid_terway_guard import interconnect, node_pools, placement, policies, ram, terway
from policy.hybrid_terway_guard.config import GuardSettings
from policy.hybrid_terway_guard.resources import (
    Report,
    ResourceView,
    StackScenario,
    kube_object,
    kube_type,
    shown,
    type_chain,
)
from preview.engine.policy_harness import AnalyzerResource
from preview.engine.wire import UNKNOWN
from tests.policy import policy_cases as pcs
from tests.policy.policy_cases import CASES, Case, unwrap, view

ResourceRule = Callable[[ResourceView, GuardSettings, Report], None]
StackRule = Callable[[Sequence[ResourceView], GuardSettings, Report], None]

RESOURCE_RULES: dict[str, ResourceRule] = {
    pc.ONPREM_WORKLOADS_AVOID_CLOUD_NODES: placement.onprem_workloads_avoid_cloud_nodes,
    pc.TERWAY_ONLY_ON_CLOUD_NODES: placement.terway_only_on_cloud_nodes,
    pc.TERWAY_RAM_LEAST_PRIVILEGE: lambda r, _s, report: ram.terway_ram_least_privilege(r, report),
    pc.TERWAY_RAM_GUIDE_ACTIONS: lambda r, _s, report: ram.terway_ram_guide_actions(r, report),
    pc.ENI_CONFIG_VALID: terway.eni_config_valid,
    pc.CREDENTIALS_NOT_IN_CONFIGMAP: lambda r, _s, report: terway.credentials_not_in_configmap(r, report),
    pc.ON_PREM_ROUTES_NOT_VIA_INSTANCE: interconnect.on_prem_routes_not_via_instance,
}
STACK_RULES: dict[str, StackRule] = {
    pc.ONE_CNI_PER_NODE: placement.one_cni_per_node,
    pc.NO_TERWAY_IN_OVERLAY: terway.no_terway_in_overlay,
    pc.ACCESS_KEY_LIMIT: lambda rs, _s, report: ram.access_key_limit(rs, report),
    pc.CLOUD_NODE_POOLS_WAIT_FOR_GATE: lambda rs, _s, report: node_pools.node_pools_wait_for_gate(rs, report),
    pc.CLOUD_NODE_POOLS_GATE_ELSEWHERE: lambda rs, _s, report: node_pools.node_pools_gate_elsewhere(rs, report),
    pc.TERWAY_GROUPS_NOT_OPEN: interconnect.terway_groups_not_open,
}


class Collected(list[tuple[str, str | None]]):
    """A report callback that keeps every violation."""

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.append((message, urn))

    @property
    def messages(self) -> list[str]:
        return [m for m, _ in self]


def settings_for(case: Case) -> GuardSettings:
    entry = case.config.get(case.policy, {})
    return GuardSettings.from_config({k: v for k, v in entry.items() if k != "enforcementLevel"})


def evaluate(policy: str, resources: Sequence[AnalyzerResource], guard: GuardSettings) -> Collected:
    """What the engine would get from ``policy``: resource rules on every registered resource, stack rules once."""
    found = Collected()
    if policy in RESOURCE_RULES:
        for item in resources:
            if item.read:
                continue
            try:
                RESOURCE_RULES[policy](view(item), guard, found)
            except UnknownValueError as exc:  # the SDK reports it as an advisory "can't run ... during preview"
                found.append((f"can't run policy '{policy}' during preview: {exc.message}", None))
    else:
        try:
            STACK_RULES[policy]([view(item, stack=True) for item in resources], guard, found)
        except UnknownValueError as exc:
            found.append((f"can't run policy '{policy}' during preview: {exc.message}", None))
    return found


def plain_view(item: AnalyzerResource) -> ResourceView:
    return ResourceView(item.type, item.urn, item.name, unwrap(copy.deepcopy(item.properties)), item.parent)


# --- the shared cases, rule by rule ------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[f"{c.policy}:{c.id}" for c in CASES])
def test_case(case: Case) -> None:
    found = evaluate(case.policy, case.resources, settings_for(case))
    assert len(found) == case.violations, found.messages
    for text in case.expect:
        assert any(text in m for m in found.messages), (text, found.messages)
    urns = {r.urn for r in case.resources}
    assert all(urn is None or urn in urns for _, urn in found)


@pytest.mark.parametrize("case", [c for c in CASES if c.remediable], ids=lambda c: c.id)
def test_remediation_fixes_the_case(case: Case) -> None:
    guard = settings_for(case)
    for item in case.resources:
        before = plain_view(item)
        props = placement.remediate_onprem_workload(before, guard)
        after = ResourceView(item.type, item.urn, item.name, props if props is not None else before.props)
        found = Collected()
        placement.onprem_workloads_avoid_cloud_nodes(after, guard, found)
        assert found == []
        if props is not None:
            assert placement.remediate_onprem_workload(after, guard) is None  # idempotent


# --- placement ----------------------------------------------------------------------------------------


def test_remediation_keeps_every_other_field() -> None:
    flannel = pcs.workload(
        pcs.DAEMONSET,
        "kube-flannel",
        "kube-flannel-ds",
        {
            "tolerations": [{"operator": "Exists"}],
            "affinity": {
                **pcs.required([pcs.OS_LINUX]),
                "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": []},
            },
        },
    )
    before = copy.deepcopy(flannel.properties)
    props = placement.remediate_onprem_workload(plain_view(flannel), GuardSettings())
    assert props is not None
    pod_spec = props["spec"]["template"]["spec"]
    assert pod_spec["tolerations"] == [{"operator": "Exists"}]
    assert pod_spec["affinity"]["podAntiAffinity"] == before["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
    terms = pod_spec["affinity"]["nodeAffinity"][scheduling.REQUIRED_AFFINITY]["nodeSelectorTerms"]
    assert terms == [{"matchExpressions": [pcs.OS_LINUX, pcs.EXCLUDE_CLOUD]}]
    assert props["metadata"] == before["metadata"]


def test_remediation_leaves_a_patch_without_required_affinity() -> None:
    patch = pcs.workload_patch(pcs.STATEFULSET_PATCH, "db", "postgres", {"nodeSelector": {"disk": "ssd"}})
    assert placement.remediate_onprem_workload(plain_view(patch), GuardSettings()) is None


def test_remediation_creates_the_installation_path() -> None:
    installation = pcs.resource(
        pcs.INSTALLATION,
        "default",
        {"metadata": {"name": "default"}, "spec": {"variant": "Calico"}},
    )
    props = placement.remediate_onprem_workload(plain_view(installation), GuardSettings())
    assert props is not None
    assert props["spec"]["variant"] == "Calico"
    affinity = props["spec"]["calicoNodeDaemonSet"]["spec"]["template"]["spec"]["affinity"]
    assert affinity == pcs.required([pcs.EXCLUDE_CLOUD])


def test_remediation_skips_unknown_placement() -> None:
    patch = pcs.workload_patch(
        pcs.DAEMONSET_PATCH,
        "kube-system",
        "calico-node",
        {"affinity": pcs.required([{**pcs.OS_LINUX, "key": UNKNOWN}])},
    )
    assert placement.remediate_onprem_workload(plain_view(patch), GuardSettings()) is None


def test_placement_rules_raise_unknown_for_the_sdk() -> None:
    patch = pcs.workload_patch(pcs.DAEMONSET_PATCH, "kube-system", "calico-node", {"affinity": UNKNOWN})
    with pytest.raises(UnknownValueError):
        placement.onprem_workloads_avoid_cloud_nodes(view(patch), GuardSettings(), Collected())
    with pytest.raises(UnknownValueError):
        placement.terway_only_on_cloud_nodes(view(pcs.terway_patch(pcs.UNKNOWN)), GuardSettings(), Collected())


def test_unknowns_elsewhere_do_not_stop_a_rule() -> None:
    patch = pcs.workload_patch(pcs.DAEMONSET_PATCH, "kube-system", "calico-node", {"nodeSelector": {"os": "linux"}})
    patch.properties["spec"]["template"]["metadata"] = {"annotations": {"rolled": UNKNOWN}}
    patch.properties["spec"]["template"]["spec"]["containers"] = UNKNOWN
    found = Collected()
    placement.onprem_workloads_avoid_cloud_nodes(view(patch), GuardSettings(), found)
    assert len(found) == 1


def test_malformed_placement_is_reported() -> None:
    patch = pcs.workload_patch(pcs.DAEMONSET_PATCH, "kube-system", "calico-node", {"nodeSelector": ["linux"]})
    found = Collected()
    placement.onprem_workloads_avoid_cloud_nodes(view(patch), GuardSettings(), found)
    assert len(found) == 1 and "cannot be judged" in found.messages[0]


def test_cni_workloads_merge_live_and_patch() -> None:
    live = pcs.workload(
        pcs.DAEMONSET, "kube-system", "calico-node", {"nodeSelector": {"kubernetes.io/os": "linux"}}, read=True
    )
    patch = pcs.calico_isolated()
    (cni,) = placement.cni_workloads([view(live, stack=True), view(patch, stack=True)], GuardSettings())
    assert cni.node_classes == frozenset({NodeClass.ONPREM})
    assert cni.urn == patch.urn and cni.role == CniRole.ONPREM
    (alone,) = placement.cni_workloads([view(live, stack=True)], GuardSettings())
    assert alone.node_classes == frozenset(NodeClass)


def test_cni_workloads_without_placement_are_undetermined() -> None:
    cnis = placement.cni_workloads(
        [view(pcs.terway_patch(None), stack=True), view(pcs.terway_patch(UNKNOWN), stack=True)], GuardSettings()
    )
    assert [c.node_classes for c in cnis] == [None]


def test_describe_node() -> None:
    assert placement.describe_node(None) == "a node with no labels"
    node = {"metadata": {"labels": {"b": "2", "a": "1"}}}
    assert placement.describe_node(node) == "a node labelled a=1, b=2"


_KEYS = st.sampled_from([pcs.CLOUD_KEY, "kubernetes.io/os", "zone"])
_VALUES = st.lists(st.sampled_from([pcs.CLOUD_VALUE, "false", "linux", "a"]), min_size=1, max_size=2, unique=True)
_EXPRESSIONS = st.one_of(
    st.builds(lambda k, o, v: {"key": k, "operator": o, "values": v}, _KEYS, st.sampled_from(["In", "NotIn"]), _VALUES),
    st.builds(lambda k, o: {"key": k, "operator": o}, _KEYS, st.sampled_from(["Exists", "DoesNotExist"])),
)
_POD_SPECS = st.fixed_dictionaries(
    {},
    optional={
        "nodeSelector": st.dictionaries(_KEYS, st.sampled_from([pcs.CLOUD_VALUE, "linux"]), max_size=2),
        "affinity": st.lists(st.lists(_EXPRESSIONS, min_size=1, max_size=3), min_size=1, max_size=3).map(
            lambda terms: pcs.required(*terms)
        ),
    },
)


@settings(max_examples=150, deadline=None)
@given(_POD_SPECS)
def test_remediation_excludes_cloud_nodes_and_keeps_onprem_ones(pod_spec: dict[str, Any]) -> None:
    calico = pcs.workload(pcs.DAEMONSET, "kube-system", "calico-node", pod_spec)
    guard = GuardSettings()
    props = placement.remediate_onprem_workload(plain_view(calico), guard)
    before = calico.properties["spec"]["template"]["spec"]
    label = guard.cloud_node_label
    if props is None:
        assert not scheduling.may_run_on_labelled_node(before, label)
        return
    after = props["spec"]["template"]["spec"]
    assert not scheduling.may_run_on_labelled_node(after, label)
    assert scheduling.may_run_on_unlabelled_node(after, label) == scheduling.may_run_on_unlabelled_node(before, label)


# --- eni_conf -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conf", "expected"),
    [
        (pcs.program_eni_conf(), []),
        (pcs.program_eni_conf(security_group=None, security_groups=["sg-a", "sg-b"]), []),
        (pcs.program_eni_conf(vswitches={}), []),
        (pcs.program_eni_conf(vswitches={"z": []}), []),  # an empty zone falls back to the node's vSwitch
        (pcs.program_eni_conf(vswitches=None, ip_stack=None, eni_tags=None, version=None, service_cidr=None), []),
        (pcs.program_eni_conf(ip_stack=""), []),
        (pcs.program_eni_conf(max_pool_size=None, min_pool_size=None, eni_tags=None, vswitches=None), []),
        (pcs.program_eni_conf(max_pool_size=None, eni_cap_ratio=1, kube_client_qps=20.5), []),
        (pcs.program_eni_conf(version=1), ["version: an integer cannot be decoded into Go string"]),
        (
            pcs.program_eni_conf(vswitches=["vsw-a"]),
            ["vswitches: a list cannot be decoded into Go map[string][]string"],
        ),
        (
            pcs.program_eni_conf(vswitches={"z": ["vsw-a", 3]}),
            ['vswitches["z"][1]: an integer cannot be decoded into Go string'],
        ),
        (pcs.program_eni_conf(vswitches={"z": ["vsw-a", None]}), []),  # null leaves the zero value
        (pcs.program_eni_conf(security_group=5), ["security_group: an integer cannot be decoded into Go string"]),
        (
            pcs.program_eni_conf(security_groups="sg-a"),
            ["security_groups: a string cannot be decoded into Go []string"],
        ),
        (pcs.program_eni_conf(service_cidr="fd00::/112"), []),
        (pcs.program_eni_conf(service_cidr="fd00::/112,172.21.0.0/20"), []),  # the family decides, not the order
        (
            pcs.program_eni_conf(service_cidr="10.0.0.0/16,10.1.0.0/16"),
            ['service_cidr: "10.1.0.0/16" is a second IPv4 range; Terway keeps only the last one'],
        ),
        (
            pcs.program_eni_conf(service_cidr="10.0.0.0/16, fd00::/112"),
            [
                "service_cidr: a string of 11 characters is not a CIDR (Terway does not trim spaces): Terway drops it"
                " silently"
            ],
        ),
        (
            pcs.program_eni_conf(service_cidr="deadbeef" * 3),
            [
                "service_cidr: a string of 24 characters is not a CIDR (Terway does not trim spaces): Terway drops it "
                "silently"
            ],
        ),
        (pcs.program_eni_conf(max_pool_size=-1), ["max_pool_size = -1: must not be negative"]),
        (
            pcs.program_eni_conf(max_pool_size=5.0),
            ["max_pool_size: a number with a fraction or exponent cannot be decoded into Go int"],
        ),
        (pcs.program_eni_conf(max_pool_size=2**63), [f"max_pool_size: {2**63} overflows Go int"]),
        (pcs.program_eni_conf(kube_client_qps=1e39), ["kube_client_qps: 1e+39 overflows Go float32"]),
        (pcs.program_eni_conf(eni_tags={"a": 1}), ['eni_tags["a"]: an integer cannot be decoded into Go string']),
        (
            pcs.program_eni_conf(access_secret=None, access_key=7),
            ["access_key: an integer cannot be decoded into Go secret.Secret"],
        ),
        (
            pcs.program_eni_conf(vswitch_selection_policy=["ordered"]),
            ["vswitch_selection_policy: a list cannot be decoded into Go string"],
        ),
        (
            pcs.program_eni_conf(eni_selection_policy="least_ip"),
            [
                'eni_selection_policy = "least_ip": must be one of "", "most_ips", "least_ips"; any other value '
                "silently means most_ips"
            ],
        ),
        (
            pcs.program_eni_conf(extra_routes=[{"dst": 5}], backoff_override={"x": {"Steps": "3"}}),
            [
                'backoff_override["x"].Steps: a string cannot be decoded into Go int',
                "extra_routes[0].dst: an integer cannot be decoded into Go string",
            ],
        ),
        (
            pcs.program_eni_conf(Version="1"),
            ["'Version' is not a key Terway reads (keys are case-sensitive); it probably means version"],
        ),
        (
            pcs.program_eni_conf(enable_eip_pool="true"),
            ["'enable_eip_pool' was removed upstream by commit 8adcc66f: Terway v1.9.6 and later ignore it"],
        ),
        (pcs.program_eni_conf(zzz=1), ["'zzz' is not a key Terway reads; Terway ignores it silently"]),
    ],
)
def test_eni_conf_problems(conf: dict[str, Any], expected: list[str]) -> None:
    assert terway.eni_conf_problems(json.dumps(conf)) == expected


def test_eni_conf_that_is_no_object() -> None:
    assert terway.eni_conf_problems(json.dumps([1])) == ["must be a JSON object, not a list"]
    assert terway.eni_conf_problems(5) == ["must be JSON text (a string), not an integer"]
    assert terway.eni_conf_problems("") == ["is not valid JSON (Expecting value at line 1 column 1)"]


@pytest.mark.parametrize(
    ("version", "groups", "single", "problems"),
    [
        (None, 5, None, 0),
        (None, 6, None, 1),  # unknown version: the limit every version since v1.5.7 accepts
        ("v1.9.6", 6, None, 1),
        ("v1.13.4", 6, None, 1),
        ("v1.13.7", 10, None, 0),  # commit 61f98b8d
        ("v1.16.7", 11, None, 1),
        ("v1.13.7", 10, "sg-x", 0),  # security_group is not counted
        ("v1.5.6", 5, "sg-x", 1),  # before abfdaab1 the union was counted
    ],
)
def test_security_group_limit_by_version(version: str | None, groups: int, single: str | None, problems: int) -> None:
    conf = pcs.program_eni_conf(security_group=single, security_groups=[f"sg-{i}" for i in range(groups)])
    found = terway.eni_conf_problems(json.dumps(conf), terway_version=version)
    assert len(found) == problems, found


def test_duplicate_security_groups_are_counted() -> None:
    conf = pcs.program_eni_conf(security_group=None, security_groups=["sg-a"] * 11)
    (problem,) = terway.eni_conf_problems(json.dumps(conf), terway_version="v1.16.7")
    assert problem.startswith("11 security groups (the security_groups list, duplicates included)")


def test_credential_fields_never_return_values() -> None:
    conf = pcs.program_eni_conf(access_key=pcs.ACCESS_KEY_ID, access_secret=pcs.ACCESS_KEY_SECRET)
    assert terway.credential_fields_set(json.dumps(conf)) == ["access_key", "access_secret"]
    assert terway.credential_fields_set("not json") == []
    assert terway.credential_fields_set(json.dumps(pcs.program_eni_conf())) == []


def test_eni_conf_messages_never_show_a_secret() -> None:
    secret = pcs.ACCESS_KEY_SECRET
    conf = {key.name: secret for key in terway_model.ENI_CONF_KEYS} | {f"x{secret}": secret}
    problems = terway.eni_conf_problems(json.dumps(conf))
    assert len(problems) >= 8
    assert not any(secret in p for p in problems)


# --- RAM ------------------------------------------------------------------------------------------------


def test_terway_policy_scope() -> None:
    ident = pcs.identity(pcs.network("bgp"))
    inside = plain_view(pcs.ram_policy(pcs.policy_document(pcs.allow("*")), name="any-name", parent=ident))
    by_name = plain_view(pcs.ram_policy(pcs.policy_document(pcs.allow("*")), name="Terway-Custom"))
    other = plain_view(pcs.ram_policy(pcs.policy_document(pcs.allow("*")), name="admin"))
    assert [ram.is_terway_policy(r) for r in (inside, by_name, other)] == [True, True, False]
    assert type_chain(inside.urn)[-2:] == (constants.IDENTITY_COMPONENT_TYPE, pcs.RAM_POLICY)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ({"Effect": "Allow", "Action": "ecs:CreateNetworkInterface"}, []),
        ({"Effect": "Deny", "Action": "*"}, []),
        ({"Effect": "allow", "Action": "ecs:CreateNetworkInterface"}, ["statement 1: Effect must be Allow or Deny"]),
        ({"Effect": "Allow"}, ["statement 1: grants no Action list"]),
        ({"Effect": "Allow", "Action": [1]}, ["statement 1: every Action must be a string"]),
        (
            {"Effect": "Allow", "Action": ["ecs:Describe?nstances", "*"]},
            ["statement 1: wildcard actions *, ecs:Describe?nstances grant more than Terway calls"],
        ),
        (
            {"Effect": "Allow", "Action": ["ram:CreateUser", "ECS:CreateNetworkInterface"]},
            ["statement 1: grants actions Terway does not call: ECS:CreateNetworkInterface, ram:CreateUser"],
        ),
    ],
)
def test_statement_problems(statement: dict[str, Any], expected: list[str]) -> None:
    statements, problems = ram.statements_of({"policyDocument": json.dumps({"Statement": statement})})
    assert problems == []
    assert [p for s in statements for p in ram.statement_problems(s)] == expected


@pytest.mark.parametrize(
    ("props", "problem"),
    [
        ({}, "has neither policyDocument nor statements"),
        ({"policyDocument": "[]"}, "policyDocument must be a JSON object"),
        ({"policyDocument": "{}"}, "policyDocument has no Statement list"),
        ({"policyDocument": 5}, "policyDocument must be JSON text"),
        ({"statements": "x"}, "statements must be a list"),
    ],
)
def test_unreadable_policies(props: dict[str, Any], problem: str) -> None:
    assert ram.statements_of(props) == ([], [problem])


def test_deprecated_document_input() -> None:
    statements, _ = ram.statements_of({"document": pcs.policy_document(pcs.allow("ecs:*"))})
    assert [ram.statement_problems(s) for s in statements] == [
        ["statement 1: wildcard actions ecs:* grant more than Terway calls"]
    ]


def test_action_lists_never_show_a_secret() -> None:
    (problem,) = ram.statement_problems(ram.Statement(1, "Allow", [pcs.ACCESS_KEY_SECRET], False))
    assert pcs.ACCESS_KEY_SECRET not in problem
    assert problem.endswith(f"a string of {len(pcs.ACCESS_KEY_SECRET)} characters")


def test_key_owner_through_the_user_resource() -> None:
    user = pcs.ram_user("terway-x", None)
    key = pcs.access_key("a", UNKNOWN, user=user)
    assert ram.key_owner(view(key, stack=True), {user.urn: view(user, stack=True)}) == "terway-x"
    orphan = pcs.access_key("b", UNKNOWN)
    assert ram.key_owner(view(orphan, stack=True), {}) is None


# --- settings, reading resources -----------------------------------------------------------------------


def test_settings_defaults_come_from_constants() -> None:
    guard = GuardSettings.from_config({})
    assert guard == GuardSettings()
    assert guard.cloud_node_label == constants.CLOUD_NODE_LABEL
    assert guard.onprem_cni_daemonsets == frozenset(constants.KNOWN_ONPREM_CNI_DAEMONSETS)
    assert guard.terway_daemonset == constants.TERWAY_DAEMONSET
    defaults = {key: schema["default"] for key, schema in pc.SETTING_SCHEMAS.items() if "default" in schema}
    assert GuardSettings.from_config(defaults) == guard
    assert pc.schema_properties(pc.TERWAY_RAM_LEAST_PRIVILEGE) is None
    assert set(pc.schema_properties(pc.ONE_CNI_PER_NODE) or {}) == {
        pc.CLOUD_NODE_LABEL,
        pc.ONPREM_CNI_DAEMONSETS,
        pc.TERWAY_DAEMONSET,
    }


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({pc.CLOUD_NODE_LABEL: "no-equals-sign"}, "must be a node label as key=value"),
        ({pc.CLOUD_NODE_LABEL: "bad key!=true"}, "is not a valid label key"),
        ({pc.CLOUD_NODE_LABEL: "k=bad value"}, "is not a valid label value"),
        ({pc.ONPREM_CNI_DAEMONSETS: "calico-node"}, "must be a list of strings"),
        ({pc.TERWAY_DAEMONSET: ""}, "must be a non-empty string"),
    ],
)
def test_bad_settings(config: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        GuardSettings.from_config(config)


def test_shown_hides_what_could_be_a_secret() -> None:
    assert shown("ipv6") == '"ipv6"'
    assert shown(5) == "5"
    assert shown("10.0.0.0/16", cidr=True) == '"10.0.0.0/16"'
    assert shown("ecs:Describe*", action=True) == '"ecs:Describe*"'
    assert shown(pcs.ACCESS_KEY_SECRET) == f"a string of {len(pcs.ACCESS_KEY_SECRET)} characters"
    assert shown(pcs.ACCESS_KEY_SECRET, cidr=True, action=True).startswith("a string of")
    assert shown({"a": 1}) == "an object of 1 keys"


@pytest.mark.parametrize(
    ("token", "parsed"),
    [
        ("kubernetes:apps/v1:DaemonSetPatch", ("apps/v1", "DaemonSet", True)),
        ("kubernetes:core/v1:ConfigMap", ("v1", "ConfigMap", False)),
        ("kubernetes:operator.tigera.io/v1:InstallationPatch", ("operator.tigera.io/v1", "Installation", True)),
        ("alicloud:ram/policy:Policy", None),
    ],
)
def test_kube_type(token: str, parsed: tuple[str, str, bool] | None) -> None:
    assert kube_type(token) == parsed


def test_kube_object_takes_kind_from_the_type() -> None:
    patch = plain_view(pcs.calico_isolated())
    obj = kube_object(patch)
    assert obj is not None
    assert (obj.kind, obj.api_version, obj.patch) == ("DaemonSet", "apps/v1", True)
    assert obj.ref == "DaemonSet kube-system/calico-node"
    assert obj.body["kind"] == "DaemonSet" and set(obj.body) == {"apiVersion", "kind", "metadata", "spec"}


def test_stack_scenario() -> None:
    bgp = pcs.network("bgp")
    ident = pcs.identity(bgp)
    policy = pcs.ram_policy("{}", parent=ident)
    overlay = pcs.resource(pcs.NETWORK, "other", {"scenario": "overlay"})
    both = StackScenario.of([view(r, stack=True) for r in (bgp, ident, policy, overlay)])
    assert both.for_resource(policy.urn) is Scenario.BGP
    assert both.for_resource(overlay.urn) is Scenario.OVERLAY
    assert both.single is None
    unknown = StackScenario.of([view(pcs.network(UNKNOWN), stack=True)])
    assert unknown.present and unknown.single is None
    assert not StackScenario.of([view(policy, stack=True)]).present


# --- the SDK wiring -------------------------------------------------------------------------------------


def test_policies_match_the_names_and_levels() -> None:
    pack = policies.POLICIES
    assert [p.name for p in pack] == list(pc.POLICY_NAMES)
    levels = {p.name: p.enforcement_level for p in pack}
    assert levels.pop(pc.CREDENTIALS_NOT_IN_CONFIGMAP) is EnforcementLevel.ADVISORY
    assert levels.pop(pc.TERWAY_RAM_GUIDE_ACTIONS) is EnforcementLevel.ADVISORY
    assert levels.pop(pc.CLOUD_NODE_POOLS_GATE_ELSEWHERE) is EnforcementLevel.ADVISORY
    assert levels.pop(pc.ON_PREM_ROUTES_NOT_VIA_INSTANCE) is EnforcementLevel.ADVISORY
    assert set(levels.values()) == {EnforcementLevel.MANDATORY}


def _args(item: AnalyzerResource, config: Mapping[str, Any] | None = None) -> ResourceValidationArgs:
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], item.parent)
    props = unknown_checking_proxy(unwrap(copy.deepcopy(item.properties)))
    return ResourceValidationArgs(item.type, props, item.urn, item.name, options, None, config)


def test_policy_objects_validate_and_remediate() -> None:
    calico = pcs.workload_patch(pcs.DAEMONSET_PATCH, "kube-system", "calico-node", {"affinity": pcs.required([])})
    found = Collected()
    policies.onprem_workloads_avoid_cloud_nodes.validate(_args(calico), found)
    assert found == []  # a required affinity with no terms fits no node
    cilium = pcs.workload_patch(
        pcs.DAEMONSET_PATCH, "kube-system", "cilium", {"affinity": pcs.required([pcs.OS_LINUX])}
    )
    config = {pc.CLOUD_NODE_LABEL: "node.example.com/pool=ecs"}
    policies.onprem_workloads_avoid_cloud_nodes.validate(_args(cilium, config), found)
    assert len(found) == 1 and "node.example.com/pool=ecs" in found.messages[0]
    remediated = policies.onprem_workloads_avoid_cloud_nodes.remediate(_args(cilium, config))
    assert isinstance(remediated, Mapping)
    terms = remediated["spec"]["template"]["spec"]["affinity"]["nodeAffinity"][scheduling.REQUIRED_AFFINITY]
    assert terms["nodeSelectorTerms"][0]["matchExpressions"][-1] == {
        "key": "node.example.com/pool",
        "operator": "NotIn",
        "values": ["ecs"],
    }
