"""The pack as the engine runs it: its own process, driven over pulumirpc.Analyzer through the harness."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

import pytest

from hybrid_terway.core import constants
from policy.hybrid_terway_guard import config as pc
from preview.engine.policy_harness import (
    AnalyzerResource,
    PolicyPackError,
    PolicyPackProcess,
    PolicyReport,
    ProviderResource,
    ResourceOptions,
    mandatory,
    resource,
    resources_from_run,
    run_pack,
)
from preview.engine.program import ProgramRun, Registration
from preview.engine.wire import UNKNOWN, is_secret, secret
from tests.policy import policy_cases as pcs
from tests.policy.policy_cases import CASES, Case

STACK_POLICIES = {
    pc.ONE_CNI_PER_NODE,
    pc.NO_TERWAY_IN_OVERLAY,
    pc.ACCESS_KEY_LIMIT,
    pc.CLOUD_NODE_POOLS_WAIT_FOR_GATE,
    pc.CLOUD_NODE_POOLS_GATE_ELSEWHERE,
    pc.TERWAY_GROUPS_NOT_OPEN,
}
ADVISORY = {
    pc.CREDENTIALS_NOT_IN_CONFIGMAP,
    pc.TERWAY_RAM_GUIDE_ACTIONS,
    pc.CLOUD_NODE_POOLS_GATE_ELSEWHERE,
    pc.ON_PREM_ROUTES_NOT_VIA_INSTANCE,
}


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


# What only the engine's check of each policy's config schema refuses: the harness checks it as the engine does with
# jsonschema, a test tool of make test (not in the pack's own virtualenv, policy/requirements.txt).
ENGINE_SCHEMA_CHECK = pytest.mark.skipif(
    importlib.util.find_spec("jsonschema") is None, reason="the engine's config-schema check needs jsonschema"
)
# The program's own run needs the provider SDKs (requirements.txt); the pack does not.
PROGRAM = pytest.mark.skipif(
    importlib.util.find_spec("pulumi_alicloud") is None, reason="running the program needs the provider SDKs"
)


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({pc.ONE_CNI_PER_NODE: {pc.CLOUD_NODE_LABEL: 5}}, marks=ENGINE_SCHEMA_CHECK),
        pytest.param({pc.ONE_CNI_PER_NODE: {pc.ONPREM_CNI_DAEMONSETS: "calico-node"}}, marks=ENGINE_SCHEMA_CHECK),
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
    assert {v.level for v in found if "can't run policy" not in v.message} <= {level}
    assert {v.level for v in found if "can't run policy" in v.message} <= {"advisory"}  # "cannot judge yet"
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


def test_an_unknown_terway_spec_is_said_so_and_never_a_violation(pack: PolicyPackProcess) -> None:
    bgp = pcs.network("bgp")
    report = pack.run((bgp, pcs.calico_isolated(bgp), pcs.terway_patch(UNKNOWN, bgp)))
    assert mandatory(report) == []
    assert sorted(v.policy for v in report.violations) == [pc.ONE_CNI_PER_NODE, pc.TERWAY_ONLY_ON_CLOUD_NODES]
    assert all("can't run policy" in v.message and "cannot judge yet" in v.message for v in report.violations)


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
    """Registrations as the offline engine records them: reads, a provider, a component that registered no
    outputs (so the pack falls back on the stack's exported scenario)."""
    bgp = pcs.network("bgp")
    provider_urn = "urn:pulumi:dev::hybrid-terway::pulumi:providers:kubernetes::hybrid-cluster"
    live = pcs.workload(pcs.DAEMONSET, "kube-system", "calico-node", {}, read=True)
    patch = pcs.workload_patch(pcs.DAEMONSET_PATCH, "kube-system", "calico-node", {"affinity": pcs.required([])})

    def registration(item: AnalyzerResource, **fields: Any) -> Registration:
        values: dict[str, Any] = {
            "urn": item.urn,
            "type": item.type,
            "name": item.name,
            "parent": item.parent or "",
            "custom": True,
            "read": item.read,
            "dependencies": [],
            "provider": f"{provider_urn}::id",
            "inputs": item.properties,
        }
        return Registration(**{**values, **fields})

    stack = resource("pulumi:pulumi:Stack", "hybrid-terway-dev", {})
    provider = resource("pulumi:providers:kubernetes", "hybrid-cluster", {})
    run = ProgramRun(
        stack="dev",
        outputs={"scenario": "bgp"},
        logs=[],
        registrations=[
            registration(stack, custom=False, provider=""),
            registration(bgp, custom=False, provider=""),
            registration(provider, urn=provider_urn, provider="", inputs={"kubeconfig": secret("cfg")}),
            registration(live, inputs={}, state=live.properties),
            registration(patch, state=patch.properties),
        ],
    )
    resources = resources_from_run(run)
    assert [r.read for r in resources] == [False, False, False, True, False]
    assert resources[0].outputs == {"scenario": "bgp"}
    assert resources[1].outputs == {}  # a component shows what it registered, never its inputs
    assert resources[3].properties == {} and resources[3].outputs == live.properties
    assert resources[4].provider is not None and resources[4].provider.urn == provider_urn
    report = pack.analyze_run(run)
    assert any("no Terway in this stack" in v["message"] for v in report["violations"])


@PROGRAM
def test_real_program_resources_with_a_broken_exclusion_are_caught(pack: PolicyPackProcess) -> None:
    """The dev stack's own registrations, with the calico-node patch losing its exclusion, over the protocol."""
    import dataclasses

    REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"

    from hybrid_terway.core.ssa import apply_patch
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


# --- an unknown is never "absent" -----------------------------------------------------------------------


def _cannot_judge(report: PolicyReport, policy: str) -> list[str]:
    """The "cannot judge yet" advisories of ``policy`` (every advisory of a mandatory policy is one)."""
    found = [v for v in report.of(policy) if v.level == "advisory"]
    assert all("cannot judge yet" in v.message for v in found), report.messages(policy)
    return [v.message for v in found]


@pytest.mark.parametrize("metadata", [UNKNOWN, {"name": UNKNOWN, "namespace": "kube-system"}])
def test_a_terway_daemonset_whose_metadata_is_unknown_is_not_absent(pack: PolicyPackProcess, metadata: Any) -> None:
    bgp = pcs.network("bgp")
    terway = pcs.pinned_terway(bgp)
    terway.properties["metadata"] = metadata
    report = pack.run((bgp, pcs.calico_isolated(bgp), terway))
    assert mandatory(report) == []
    (message,) = _cannot_judge(report, pc.ONE_CNI_PER_NODE)
    assert "(name not known yet)" in message and "whether it is Terway or an on-prem CNI" in message
    assert not any("no Terway in this stack" in m for m in report.messages())


def test_an_onprem_cni_whose_name_is_unknown_is_not_absent(pack: PolicyPackProcess) -> None:
    bgp = pcs.network("bgp")
    calico = pcs.calico_isolated(bgp)
    calico.properties["metadata"]["name"] = UNKNOWN
    report = pack.run((bgp, calico, pcs.pinned_terway(bgp)))
    assert mandatory(report) == []
    assert not any("no on-prem CNI in this stack" in m for m in report.messages())
    assert len(_cannot_judge(report, pc.ONE_CNI_PER_NODE)) == 1
    (resource_level,) = _cannot_judge(report, pc.ONPREM_WORKLOADS_AVOID_CLOUD_NODES)
    assert "whether DaemonSet kube-system/(name not known yet) is an on-prem workload" in resource_level


def test_a_known_violation_is_reported_beside_what_cannot_be_judged(pack: PolicyPackProcess) -> None:
    bgp = pcs.network("bgp")
    unknown = pcs.workload_patch(pcs.DAEMONSET_PATCH, "kube-system", "cilium", {"nodeSelector": {"a": "b"}})
    unknown.properties["metadata"] = UNKNOWN
    everywhere = pcs.workload(pcs.DAEMONSET, "kube-system", "calico-node", {})  # on cloud and on-prem nodes
    report = pack.run((bgp, unknown, everywhere, pcs.pinned_terway(bgp)))
    assert [v.message.split("\n")[-1] for v in mandatory(report) if v.policy == pc.ONE_CNI_PER_NODE] == [
        "cloud nodes: more than one CNI can run there: DaemonSet kube-system/calico-node, DaemonSet "
        "kube-system/terway-eniip"
    ]
    assert len(_cannot_judge(report, pc.ONE_CNI_PER_NODE)) == 1


def test_overlay_pieces_that_cannot_be_identified_are_said_so(pack: PolicyPackProcess) -> None:
    overlay = pcs.network("overlay")
    addon = pcs.addon(overlay)
    addon.properties["name"] = UNKNOWN
    secret_of_unknown_namespace = pcs.addon_secret(overlay)
    secret_of_unknown_namespace.properties["metadata"]["namespace"] = UNKNOWN
    report = pack.run((overlay, addon, secret_of_unknown_namespace))
    assert mandatory(report) == []
    (message,) = _cannot_judge(report, pc.NO_TERWAY_IN_OVERLAY)
    assert f"whether addon {addon.name} is terway-eniip" in message
    assert "whether Secret (namespace not known yet)/alibaba-addon-secret is Secret kube-system/" in message


def test_an_unknown_scenario_is_said_so(pack: PolicyPackProcess) -> None:
    network = pcs.network(UNKNOWN)
    report = pack.run((network, pcs.addon(network), pcs.calico_isolated(network), pcs.pinned_terway(network)))
    assert mandatory(report) == []
    assert "the scenario is not known during preview" in _cannot_judge(report, pc.ONE_CNI_PER_NODE)[0]
    assert "its scenario is not known during preview" in _cannot_judge(report, pc.NO_TERWAY_IN_OVERLAY)[0]


def test_access_keys_of_an_unknown_user_are_counted_as_unknown(pack: PolicyPackProcess) -> None:
    user = pcs.ram_user("terway-x")
    known = [pcs.access_key(s, "terway-x", user=user) for s in "ab"]
    report = pack.run((user, *known, pcs.access_key("c", UNKNOWN)))
    assert mandatory(report) == []
    (message,) = _cannot_judge(report, pc.ACCESS_KEY_LIMIT)
    assert "the user of hybrid-identity-key-c is not known during preview" in message
    assert pack.run((user, known[0], pcs.access_key("c", UNKNOWN))).of(pc.ACCESS_KEY_LIMIT) == []


def test_objects_no_policy_concerns_are_not_judged_whatever_is_unknown(pack: PolicyPackProcess) -> None:
    bgp = pcs.network("bgp")
    namespace = resource("kubernetes:core/v1:Namespace", "apps", {"metadata": {"name": UNKNOWN}})
    web = pcs.workload(pcs.DEPLOYMENT, "apps", "web", {"nodeSelector": UNKNOWN})
    web.properties["metadata"]["namespace"] = UNKNOWN
    web.properties["metadata"]["labels"] = {"app": "web"}
    config_map = resource(pcs.CONFIG_MAP, "app-config", {"metadata": {"name": "app", "namespace": UNKNOWN}})
    tls = resource(pcs.SECRET_TYPE, "tls", {"metadata": {"name": "tls", "namespace": UNKNOWN}, "data": UNKNOWN})
    service = resource("kubernetes:core/v1:Service", "web", {"metadata": UNKNOWN, "spec": UNKNOWN})
    vpc = resource("alicloud:vpc/network:Network", "vpc", {"vpcName": UNKNOWN, "cidrBlock": UNKNOWN})
    unrelated = (namespace, web, config_map, tls, service, vpc)
    report = pack.run((bgp, pcs.calico_isolated(bgp), pcs.pinned_terway(bgp), *unrelated))
    assert report.violations == []


# --- nothing that may be a credential reaches a message ---------------------------------------------------

HOSTILE: tuple[str, ...] = (
    pcs.ACCESS_KEY_ID,
    pcs.ACCESS_KEY_SECRET,
    "LTAI5tShort01x9q",  # a 16-character AccessKey ID
    "ltai5texamplekeyid01",
    "q7Zx9Kp2Lm4Nv8Rt",  # a random-looking token
)


def _assert_hidden(report: PolicyReport) -> None:
    text = json.dumps(report.to_json())
    for hostile in HOSTILE:
        assert hostile not in text and hostile.lower() not in text.lower()


def test_hostile_keys_and_values_in_eni_conf_never_reach_a_message(pack: PolicyPackProcess) -> None:
    conf = pcs.program_eni_conf(
        eni_tags={key: 1 for key in HOSTILE},
        vswitches={key: [1] for key in HOSTILE},
        backoff_override={key: {"Steps": "3"} for key in HOSTILE},
        ip_stack=HOSTILE[2],
        eni_selection_policy=HOSTILE[4],
        **{key: 1 for key in HOSTILE},
    )
    report = pack.run([pcs.eni_config(conf)])
    messages = report.messages(pc.ENI_CONFIG_VALID)
    assert len(messages) == 3 * len(HOSTILE) + 2 + len(HOSTILE)
    assert any('eni_tags[(a key of 20 characters)]: an integer cannot be decoded into Go string' in m for m in messages)
    assert any("ip_stack = a string of 16 characters: must be one of" in m for m in messages)
    _assert_hidden(report)


def test_hostile_node_selectors_never_reach_a_message(pack: PolicyPackProcess) -> None:
    selector = {key: "x" for key in HOSTILE} | {"password": "hunter2", "zone": HOSTILE[1]}
    calico = pcs.workload_patch(pcs.DAEMONSET_PATCH, "kube-system", "calico-node", {"nodeSelector": selector})
    unknown_under_hostile_key = pcs.workload_patch(
        pcs.DAEMONSET_PATCH, "kube-system", "kube-flannel-ds", {"nodeSelector": {HOSTILE[0]: UNKNOWN}}
    )
    invalid = pcs.workload_patch(
        pcs.DAEMONSET_PATCH, "kube-system", "cilium", {"nodeSelector": {f"bad key {HOSTILE[1]}": HOSTILE[0]}}
    )
    report = pack.run([calico, unknown_under_hostile_key, invalid])
    messages = report.messages(pc.ONPREM_WORKLOADS_AVOID_CLOUD_NODES)
    assert len(messages) == 3, messages
    assert any("password=(hidden)" in m and "zone=(hidden)" in m for m in messages)
    assert any("cannot judge yet: spec.template.spec.nodeSelector.(a key of 20 characters)" in m for m in messages)
    assert "hunter2" not in json.dumps(report.to_json())
    _assert_hidden(report)


def test_hostile_ram_documents_and_names_never_reach_a_message(pack: PolicyPackProcess) -> None:
    document = pcs.policy_document(pcs.allow(*(f"ecs:{key}" for key in HOSTILE), *HOSTILE))
    policy = pcs.ram_policy(document, name=f"terway-{HOSTILE[1]}", parent=pcs.identity())
    user = pcs.ram_user(HOSTILE[0])
    keys = [pcs.access_key(s, HOSTILE[0], user=user) for s in "abc"]
    report = pack.run([policy, user, *keys])
    (grants,) = report.of(pc.TERWAY_RAM_LEAST_PRIVILEGE)
    assert grants.message.split("\n")[-1].startswith(f"RAM policy {policy.name}: statement 1: grants actions")
    assert len(report.of(pc.ACCESS_KEY_LIMIT)) == 1
    _assert_hidden(report)


def test_messages_are_scrubbed_whatever_builds_them() -> None:
    from policy.hybrid_terway_guard import redact

    assert redact.scrub(f"x {pcs.ACCESS_KEY_SECRET}, ({pcs.ACCESS_KEY_ID}) y") == (
        f"x (hidden: {len(pcs.ACCESS_KEY_SECRET)} characters), ((hidden: {len(pcs.ACCESS_KEY_ID)} characters)) y"
    )
    kept = (
        "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution "
        "ecs:AssignIpv6Addresses alibabacloud.com/external=true fd00::/112 v1.13.7 terway-eniip-"
        f"{pcs.CLUSTER_ID} cn-hangzhou-h"
    )
    assert redact.scrub(kept) == kept


# --- what the harness sends: the engine's encoding and order ----------------------------------------------

RECORDER: Final = Path(__file__).parents[1] / "data" / "recording_analyzer"


def _recorded(resources: list[AnalyzerResource], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("RECORD_TO", str(log))
    with PolicyPackProcess(RECORDER) as recorder:
        report = recorder.run(resources)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    return report, calls


def test_the_harness_sends_what_the_engine_sends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    provider = ProviderResource(
        "urn:pulumi:dev::hybrid-terway::pulumi:providers:kubernetes::cluster",
        "pulumi:providers:kubernetes",
        "cluster",
        {"kubeconfig": secret("apiVersion: v1"), "__internal": "x"},
    )
    bgp = pcs.network("bgp")
    live = pcs.workload(pcs.DAEMONSET, "kube-system", "calico-node", {}, read=True)
    live = replace(live, outputs={**live.properties, "__inputs": {"metadata": {}}, "status": UNKNOWN})
    patched = resource(
        pcs.DAEMONSET_PATCH,
        "remediated",
        {
            "metadata": {"name": "calico-node", "namespace": "kube-system", "annotations": {"token": secret("t")}},
            "spec": UNKNOWN,
            "__defaults": ["spec"],
        },
        parent=bgp,
        dependencies=[live.urn],
        property_dependencies={"spec": [live.urn]},
        options=ResourceOptions(protect=True, ignore_changes=("spec",), custom_timeouts=(60.0, 120.0, 0.0)),
        provider=provider,
    )
    stuck = resource(pcs.CONFIG_MAP, "unremediable", {"metadata": {"name": "x"}, "data": {"k": None}})
    report, calls = _recorded([bgp, live, patched, stuck], tmp_path, monkeypatch)

    per_resource = [(c["method"], c["request"].get("name")) for c in calls if c["method"] in ("Remediate", "Analyze")]
    assert per_resource == [  # Remediate before Analyze, for registered resources only (never a read)
        ("Remediate", "hybrid"),
        ("Analyze", "hybrid"),
        ("Remediate", "remediated"),
        ("Analyze", "remediated"),
        ("Remediate", "unremediable"),
        ("Analyze", "unremediable"),
    ]
    assert [c["method"] for c in calls][-1] == "AnalyzeStack"
    by = {(c["method"], c["request"].get("name")): c["request"] for c in calls}

    remediate = by["Remediate", "remediated"]["properties"]
    assert remediate["spec"] == UNKNOWN  # the unknown sentinel, kept
    assert is_secret(remediate["metadata"]["annotations"]["token"])  # the secret envelope, kept
    assert remediate["__defaults"] == ["spec"]  # Remediate keeps internal keys
    analyze = by["Analyze", "remediated"]
    assert "__defaults" not in analyze["properties"]  # Analyze skips top-level internal keys
    assert analyze["properties"]["metadata"]["labels"] == {"fixed": "yes"}  # the remediated inputs
    assert is_secret(analyze["properties"]["metadata"]["annotations"]["token"])
    assert analyze["options"]["protect"] is True and analyze["options"]["ignoreChanges"] == ["spec"]
    assert analyze["options"]["customTimeouts"] == {"create": 60.0, "update": 120.0}
    assert analyze["provider"]["urn"] == provider.urn
    assert is_secret(analyze["provider"]["properties"]["kubeconfig"])
    assert "__internal" not in analyze["provider"]["properties"]
    assert by["Analyze", "unremediable"]["properties"]["data"] == {"k": None}  # nulls are kept

    stack = {r["name"]: r for r in by["AnalyzeStack", None]["resources"]}
    assert set(stack) == {"hybrid", live.name, "remediated", "unremediable"}  # reads included
    assert stack[live.name]["properties"]["status"] == UNKNOWN  # outputs, unknowns kept
    assert "__inputs" not in stack[live.name]["properties"]
    assert stack["remediated"]["parent"] == bgp.urn
    assert stack["remediated"]["dependencies"] == [live.urn]
    assert stack["remediated"]["propertyDependencies"] == {"spec": {"urns": [live.urn]}}
    assert stack["remediated"]["provider"]["name"] == "cluster"
    assert stack["remediated"]["properties"]["metadata"]["labels"] == {"fixed": "yes"}

    # a remediation that cannot run is shown as an advisory, and the inputs stay as they were
    assert [(v.policy, v.level, v.urn, v.message) for v in report.violations] == [
        ("fix", "advisory", stuck.urn, "can't fix it yet")
    ]
