"""The pack as the engine runs it: its own process, driven over pulumirpc.Analyzer through the harness."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from hybrid_terway import constants
from policy.hybrid_terway_guard import config as pc
from preview.policy_harness import (
    UNKNOWN,
    AnalyzerResource,
    PolicyPackError,
    PolicyPackProcess,
    is_secret,
    mandatory,
    resource,
    resources_from_run,
    run_pack,
    secret,
)
from tests import policy_cases as pcs
from tests.policy_cases import CASES, Case

STACK_POLICIES = {pc.ONE_CNI_PER_NODE, pc.NO_TERWAY_IN_OVERLAY, pc.ACCESS_KEY_LIMIT}
ADVISORY = {pc.CREDENTIALS_NOT_IN_CONFIGMAP, pc.TERWAY_RAM_GUIDE_ACTIONS}


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess() as running:
        yield running


def test_analyzer_info_lists_every_policy(pack: PolicyPackProcess) -> None:
    info = pack.info()
    assert info.name == "hybrid-terway-guard"
    assert info.supports_config
    assert set(info.policies) == set(pc.POLICY_NAMES)
    for name, policy in info.policies.items():
        assert policy.description
        assert policy.level == ("advisory" if name in ADVISORY else "mandatory")
        assert policy.kind == ("stack" if name in STACK_POLICIES else "resource")
        expected = pc.schema_properties(name)
        sent = json.loads(json.dumps(expected)) if expected else None
        assert (policy.config_schema or {}).get("properties") == sent
    defaults = info.policies[pc.ONE_CNI_PER_NODE].config_schema or {}
    assert defaults["properties"][pc.CLOUD_NODE_LABEL]["default"] == constants.CLOUD_NODE_LABEL
    assert defaults["properties"][pc.ONPREM_CNI_DAEMONSETS]["default"] == list(constants.KNOWN_ONPREM_CNI_DAEMONSETS)
    assert defaults["properties"][pc.TERWAY_DAEMONSET]["default"] == constants.TERWAY_DAEMONSET
    assert pack.handshake_supported is False  # pulumi-policy 1.21 has no Handshake: the engine falls back


def test_configure_sends_levels_and_defaults(pack: PolicyPackProcess) -> None:
    effective = pack.configure()
    assert set(effective) == set(pc.POLICY_NAMES)
    assert effective[pc.ONPREM_WORKLOADS_AVOID_CLOUD_NODES] == {
        "enforcementLevel": "mandatory",
        pc.CLOUD_NODE_LABEL: constants.CLOUD_NODE_LABEL,
        pc.ONPREM_CNI_DAEMONSETS: list(constants.KNOWN_ONPREM_CNI_DAEMONSETS),
        pc.TERWAY_DAEMONSET: constants.TERWAY_DAEMONSET,
    }
    assert effective[pc.ACCESS_KEY_LIMIT] == {"enforcementLevel": "mandatory"}
    assert pack.configure({"all": "advisory"})[pc.ENI_CONFIG_VALID]["enforcementLevel"] == "advisory"


@pytest.mark.parametrize(
    "config",
    [
        {pc.ONE_CNI_PER_NODE: {pc.CLOUD_NODE_LABEL: 5}},
        {pc.ONE_CNI_PER_NODE: {pc.ONPREM_CNI_DAEMONSETS: "calico-node"}},
        {pc.ENI_CONFIG_VALID: "blocking"},
        {"no-such-policy": "advisory"},
    ],
)
def test_bad_configuration_is_refused(pack: PolicyPackProcess, config: dict[str, Any]) -> None:
    with pytest.raises(PolicyPackError):
        pack.configure(config)


def test_every_policy_has_violating_and_passing_cases() -> None:
    violating = Counter(c.policy for c in CASES if c.violations)
    passing = Counter(c.policy for c in CASES if not c.violations)
    for name in pc.POLICY_NAMES:
        assert violating[name] >= 2 and passing[name] >= 1, name


@pytest.mark.parametrize("case", CASES, ids=[f"{c.policy}:{c.id}" for c in CASES])
def test_case(pack: PolicyPackProcess, case: Case) -> None:
    report = pack.run(case.resources, config=case.config)
    assert case.policy in report.policies
    found = report.of(case.policy)
    assert len(found) == case.violations, report.messages(case.policy)
    for text in case.expect:
        assert any(text in v.message for v in found), (text, report.messages(case.policy))
    level = "advisory" if case.policy in ADVISORY else "mandatory"
    assert {v.level for v in found} <= {level}
    urns = {r.urn for r in case.resources} | {""}
    assert {v.urn for v in report.violations} <= urns
    if case.policy not in STACK_POLICIES:
        assert all(v.urn for v in found)


@pytest.mark.parametrize("case", [c for c in CASES if c.remediable], ids=lambda c: c.id)
def test_remediate_returns_properties_that_pass(pack: PolicyPackProcess, case: Case) -> None:
    policy = pc.ONPREM_WORKLOADS_AVOID_CLOUD_NODES
    config = {policy: {**case.config.get(policy, {}), "enforcementLevel": "remediate"}}
    pack.configure(config)
    changed = 0
    for item in case.resources:
        if item.read:
            continue
        remediations = [r for r in pack.remediate(item) if r.properties is not None]
        for remediation in remediations:
            assert remediation.policy == policy and remediation.diagnostic == ""
            assert remediation.properties is not None
            assert pack.analyze(replace(item, properties=remediation.properties)) == []
            changed += 1
    assert changed == case.violations
    report = pack.run(case.resources, config=config)
    assert report.of(policy) == []
    assert len([r for r in report.remediations if r.properties is not None]) == changed


def test_remediation_keeps_secrets_secret(pack: PolicyPackProcess) -> None:
    patch = pcs.workload_patch(
        pcs.DAEMONSET_PATCH, "kube-system", "calico-node", {"affinity": pcs.required([pcs.OS_LINUX])}
    )
    patch.properties["metadata"]["annotations"]["token"] = secret("hidden")
    pack.configure({pc.ONPREM_WORKLOADS_AVOID_CLOUD_NODES: "remediate"})
    (remediation,) = pack.remediate(patch)
    assert remediation.properties is not None
    assert is_secret(remediation.properties["metadata"]["annotations"]["token"])


def test_remediation_is_not_run_at_mandatory_level(pack: PolicyPackProcess) -> None:
    pack.configure()
    patch = pcs.workload_patch(
        pcs.DAEMONSET_PATCH, "kube-system", "calico-node", {"affinity": pcs.required([pcs.OS_LINUX])}
    )
    assert pack.remediate(patch) == []


def test_unknown_values_do_not_crash(pack: PolicyPackProcess) -> None:
    bgp = pcs.network(UNKNOWN)
    ident = pcs.identity(bgp)
    user = pcs.ram_user(UNKNOWN, ident)
    resources = (
        bgp,
        ident,
        user,
        *(pcs.access_key(s, UNKNOWN) for s in "abc"),
        pcs.ram_policy(UNKNOWN, parent=ident),
        pcs.eni_config(UNKNOWN, parent=bgp),
        pcs.terway_patch(UNKNOWN, bgp),
        pcs.workload_patch(pcs.DAEMONSET_PATCH, "kube-system", "calico-node", {"affinity": UNKNOWN}, parent=bgp),
        pcs.installation_patch({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": UNKNOWN}}, bgp),
        resource(pcs.CS_ADDON, "hybrid-terway-addon", {"name": UNKNOWN}, parent=bgp),
    )
    for config in ({}, {pc.ONPREM_WORKLOADS_AVOID_CLOUD_NODES: "remediate"}):
        report = pack.run(resources, config=config)
        assert mandatory(report) == []
        skipped = {v.policy for v in report.advisory() if "can't run policy" in v.message}
        assert {
            pc.ONPREM_WORKLOADS_AVOID_CLOUD_NODES,
            pc.TERWAY_ONLY_ON_CLOUD_NODES,
            pc.TERWAY_RAM_LEAST_PRIVILEGE,
            pc.ENI_CONFIG_VALID,
        } <= skipped
    assert pack.run(resources, config={}).to_json() == pack.run(resources, config={}).to_json()


def test_an_unknown_terway_spec_only_stops_the_terway_policy(pack: PolicyPackProcess) -> None:
    bgp = pcs.network("bgp")
    report = pack.run((bgp, pcs.calico_isolated(bgp), pcs.terway_patch(UNKNOWN, bgp)))
    assert mandatory(report) == []
    assert [v.policy for v in report.violations] == [pc.TERWAY_ONLY_ON_CLOUD_NODES]
    assert "can't run policy" in report.violations[0].message


def test_secrets_never_reach_a_message(pack: PolicyPackProcess) -> None:
    stack = pcs.secret_laden_stack()
    report = pack.run(stack)
    reported = {v.policy for v in report.violations}
    assert {
        pc.ACCESS_KEY_LIMIT,
        pc.TERWAY_RAM_LEAST_PRIVILEGE,
        pc.ENI_CONFIG_VALID,
        pc.CREDENTIALS_NOT_IN_CONFIGMAP,
        pc.ONE_CNI_PER_NODE,
    } <= reported
    text = json.dumps(report.to_json())
    assert pcs.ACCESS_KEY_SECRET not in text
    assert pcs.POLICY_DOCUMENT_SECRET not in text
    assert len(report.of(pc.ENI_CONFIG_VALID)) >= 5


def test_disabled_policy_does_not_run(pack: PolicyPackProcess) -> None:
    case = next(c for c in CASES if c.policy == pc.ENI_CONFIG_VALID and c.violations)
    report = pack.run(case.resources, config={pc.ENI_CONFIG_VALID: "disabled"})
    assert pc.ENI_CONFIG_VALID not in report.policies
    assert report.of(pc.ENI_CONFIG_VALID) == []


def test_read_resources_only_reach_the_stack_policies(pack: PolicyPackProcess) -> None:
    live = pcs.workload(pcs.DAEMONSET, "kube-system", "calico-node", {}, read=True)
    report = pack.run([live])
    assert report.of(pc.ONPREM_WORKLOADS_AVOID_CLOUD_NODES) == []
    assert len(report.of(pc.ONE_CNI_PER_NODE)) == 0
    assert pack.analyze(live) != []  # what Analyze would have said: the engine never asks it


def test_report_json_is_exact_and_sorted(pack: PolicyPackProcess) -> None:
    case = next(c for c in CASES if c.id == "overlay-all-pieces")
    document = pack.run(tuple(reversed(case.resources))).to_json()
    assert set(document) == {"policies", "violations"}
    assert document["policies"] == sorted(pc.POLICY_NAMES)
    assert all(set(v) == {"policy", "level", "urn", "message"} for v in document["violations"])
    keys = [(v["policy"], v["urn"], v["message"], v["level"]) for v in document["violations"]]
    assert keys == sorted(keys)
    assert document == pack.run(case.resources).to_json()


def test_run_pack_starts_and_stops_its_own_process() -> None:
    case = next(c for c in CASES if c.id == "three-keys")
    report = run_pack(case.resources, project=constants.PROJECT, stack="prod", dry_run=False)
    assert [v.policy for v in mandatory(report)] == [pc.ACCESS_KEY_LIMIT]
    assert mandatory(report.to_json()) == [json.loads(json.dumps(report.to_json()))["violations"][0]]


def test_the_engine_launcher_runs_the_same_pack() -> None:
    case = next(c for c in CASES if c.id == "calico-without-exclusion")
    with PolicyPackProcess(launcher="engine", stack_config={"hybrid-terway:scenario": "bgp"}) as pack:
        assert set(pack.info().policies) == set(pc.POLICY_NAMES)
        assert len(pack.run(case.resources).of(case.policy)) == 1


def test_a_failing_pack_reports_its_stderr(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("import sys\nsys.stderr.write('pack exploded\\n')\nsys.exit(3)\n")
    with pytest.raises(PolicyPackError, match="pack exploded"):
        PolicyPackProcess(tmp_path, startup_timeout=30).start()


def test_resources_from_a_recorded_run(pack: PolicyPackProcess) -> None:
    bgp = pcs.network("bgp")
    provider_urn = "urn:pulumi:dev::hybrid-terway::pulumi:providers:kubernetes::hybrid-cluster"
    live = pcs.workload(pcs.DAEMONSET, "kube-system", "calico-node", {}, read=True)
    patch = pcs.workload_patch(pcs.DAEMONSET_PATCH, "kube-system", "calico-node", {"affinity": pcs.required([])})

    def registration(item: AnalyzerResource, **extra: Any) -> SimpleNamespace:
        fields: dict[str, Any] = {
            "urn": item.urn,
            "type": item.type,
            "name": item.name,
            "parent": item.parent or "",
            "custom": True,
            "read": item.read,
            "dependencies": [],
            "provider": f"{provider_urn}::id",
            "inputs": item.properties,
            "state": {},
            "delete_before_replace": False,
        }
        return SimpleNamespace(**{**fields, **extra})

    run = SimpleNamespace(
        stack="dev",
        outputs={"scenario": "bgp"},
        registrations=[
            registration(resource("pulumi:pulumi:Stack", "hybrid-terway-dev", {}), custom=False, provider=""),
            SimpleNamespace(**{**vars(registration(bgp)), "custom": False, "provider": ""}),
            SimpleNamespace(
                **{
                    **vars(registration(resource("pulumi:providers:kubernetes", "hybrid-cluster", {}))),
                    "urn": provider_urn,
                    "provider": "",
                    "inputs": {"kubeconfig": secret("cfg")},
                }
            ),
            registration(live, inputs={}, state=live.properties),
            registration(patch, state=patch.properties),
        ],
    )
    resources = resources_from_run(run)
    assert [r.read for r in resources] == [False, False, False, True, False]
    assert resources[0].outputs == {"scenario": "bgp"}
    assert resources[3].properties == {} and resources[3].outputs == live.properties
    assert resources[4].provider is not None and resources[4].provider.urn == provider_urn
    report = pack.analyze_run(run)
    assert any("no Terway in this stack" in v["message"] for v in report["violations"])


def test_real_program_resources_with_a_broken_exclusion_are_caught(pack: PolicyPackProcess) -> None:
    """The dev stack's own registrations, with the calico-node patch losing its exclusion, over the protocol."""
    import dataclasses

    REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"

    from hybrid_terway.ssa import apply_patch
    from tests.conftest import run_stack, stack_config

    run, _ = run_stack(stack_config("dev"))
    clean = pack.analyze_run(run)
    assert clean["violations"] == []
    broken = []
    for r in run.registrations:
        if r.type == "kubernetes:apps/v1:DaemonSetPatch" and r.name.endswith("calico-node"):
            linux = {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}
            required = {"nodeSelectorTerms": [{"matchExpressions": [linux]}]}
            spec = {"template": {"spec": {"affinity": {"nodeAffinity": {REQUIRED: required}}}}}
            # what a real preview would show: the patch's inputs, and the object it leaves behind as its outputs
            r = dataclasses.replace(r, inputs={**r.inputs, "spec": spec}, state=apply_patch(r.state, {"spec": spec}))
        broken.append(r)
    report = pack.analyze_run(dataclasses.replace(run, registrations=broken))
    found = {v["policy"] for v in report["violations"] if v["level"] == "mandatory"}
    assert {"onprem-workloads-avoid-cloud-nodes", "one-cni-per-node"} <= found, report


# --- the pack's version --------------------------------------------------------------------------------


def test_the_pack_answers_the_version_of_its_policy_yaml(pack: PolicyPackProcess) -> None:
    from policy.hybrid_terway_guard.pack import pack_version

    version = pack_version()
    assert version != "0.0.1"
    assert pack.info().reported_version == version == pack.info().version
    report = pack.run([pcs.eni_config(UNKNOWN)])
    (advisory,) = report.of(pc.ENI_CONFIG_VALID)
    assert advisory.level == "advisory" and f"'hybrid-terway-guard@v{version}'" in advisory.message


def test_a_malformed_pack_version_is_refused(tmp_path: Path) -> None:
    from policy.hybrid_terway_guard.pack import pack_version

    (tmp_path / "PulumiPolicy.yaml").write_text("version: one\n")
    with pytest.raises(ValueError, match="version = 'one': must be a semantic version"):
        pack_version(tmp_path / "PulumiPolicy.yaml")


# --- JSON nested as deeply as Go's decoder reads it --------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [1_000, 9_999])
def test_deep_eni_conf_that_go_accepts_is_judged(pack: PolicyPackProcess, depth: int) -> None:
    conf = json.dumps(pcs.program_eni_conf(access_key=pcs.ACCESS_KEY_ID, access_secret=pcs.ACCESS_KEY_SECRET))
    text = conf[:-1] + f', "zzz": {_nested(depth)}, "version": {_nested(depth)}}}'  # 1 + depth levels
    report = pack.run([pcs.eni_config(text)])
    assert sorted(m.split("\n")[-1] for m in report.messages(pc.ENI_CONFIG_VALID)) == [
        f"ConfigMap kube-system/eni-config data.{constants.ENI_CONF_KEY}: 'zzz' is not a key Terway reads; "
        "Terway ignores it silently",
        f"ConfigMap kube-system/eni-config data.{constants.ENI_CONF_KEY}: version: a list cannot be decoded into "
        "Go string",
    ]
    assert [v.level for v in report.of(pc.CREDENTIALS_NOT_IN_CONFIGMAP)] == ["advisory"]
    assert pcs.ACCESS_KEY_SECRET not in json.dumps(report.to_json())


@pytest.mark.parametrize("depth", [10_000, 20_000])
def test_eni_conf_deeper_than_go_accepts_is_not_valid(pack: PolicyPackProcess, depth: int) -> None:
    text = '{"zzz": ' + _nested(depth) + "}"  # 1 + depth levels: one more than Go's 10,000 at the least
    report = pack.run([pcs.eni_config(text)])
    (violation,) = report.of(pc.ENI_CONFIG_VALID)
    assert violation.level == "mandatory"
    assert "nested more than 10000 levels deep (at line 1 column 10008)" in violation.message
    assert "exceeded max depth" in violation.message
    assert report.of(pc.CREDENTIALS_NOT_IN_CONFIGMAP) == []


@pytest.mark.parametrize("depth", [1_000, 20_000])
def test_deep_ram_policy_document_does_not_fail_the_call(pack: PolicyPackProcess, depth: int) -> None:
    document = '{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ' + _nested(depth) + "}]}"
    report = pack.run([pcs.ram_policy(document)])
    (violation,) = report.of(pc.TERWAY_RAM_LEAST_PRIVILEGE)
    assert violation.level == "mandatory"
    if depth + 3 <= 10_000:
        assert violation.message.endswith("statement 1: every Action must be a string")
    else:
        assert "policyDocument is nested more than 10000 levels deep" in violation.message
        assert "the provider refuses it as invalid JSON" in violation.message
