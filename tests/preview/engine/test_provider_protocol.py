"""The component package over the real provider protocol: the plugin started as Pulumi's language host starts it.

``GetSchema`` states the contract; ``Construct`` of the ``dev`` settings registers, with a resource monitor served
over gRPC, the same resources (types, names, parents, dependencies, inputs) as the Python program registers, and
``Construct`` of ``TerwayIdentity`` with the dev stack's identity the same children as the program's identity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hybrid_terway.core import constants
from hybrid_terway.core.settings import SECRET_KEYS
from preview.engine.provider_harness import EngineServer, ProviderError, ProviderProcess
from preview.engine.wire import is_secret, mask, stack_urn, unwrap
from preview.run import settings_of
from preview.stack_config import load_stack_config
from tests.conftest import ROOT, dev_inputs, dev_world, run_stack

TOKEN = constants.NETWORK_COMPONENT_TYPE
IDENTITY = constants.IDENTITY_COMPONENT_TYPE


NETWORK_READS = (
    "alicloud:vpc/getSwitches:getSwitches",
    "alicloud:ecs/getSecurityGroups:getSecurityGroups",
    "alicloud:vpc/getNetworks:getNetworks",
)
"""The address plan's provider functions."""


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    consumer = tmp_path_factory.mktemp("consumer")  # the language host runs plugins from the consumer's directory
    with EngineServer(dev_world(), "dev") as server, ProviderProcess(server.address, consumer) as process:
        return process.get_schema()


def test_schema_names_the_component_and_its_types(schema: dict[str, Any]) -> None:
    assert schema["name"] == "hybrid-terway"
    assert list(schema["resources"]) == [TOKEN, IDENTITY]
    assert all(resource["isComponent"] is True for resource in schema["resources"].values())
    assert sorted(schema["types"]) == [
        f"hybrid-terway:index:{name}"
        for name in (
            "CredentialSource",
            "CredentialStore",
            "CredentialsConfig",
            "InterconnectConfig",
            "InterconnectMode",
            "InterconnectVia",
            "IpStack",
            "KeySlot",
            "OnPremWorkloadRef",
            "Scenario",
            "TerwayConfig",
            "VswitchSelectionPolicy",
            "WorkloadKind",
        )
    ]
    scenario = schema["types"]["hybrid-terway:index:Scenario"]
    assert [v["value"] for v in scenario["enum"]] == ["overlay", "bgp", "host"]


def test_schema_inputs_required_inputs_and_secrets(schema: dict[str, Any]) -> None:
    resource = schema["resources"][TOKEN]
    inputs = resource["inputProperties"]
    assert sorted(inputs) == sorted(
        [
            "scenario",
            "clusterId",
            "terway",
            "credentials",
            "onPremWorkloads",
            "onPremPodCidrs",
            "cloudNodeLabel",
            "interconnect",
            "kubeconfig",
            "accessKeySecret",
        ]
    )
    assert resource["requiredInputs"] == ["clusterId", "scenario"]
    assert sorted(k for k, v in inputs.items() if v.get("secret")) == sorted(SECRET_KEYS)
    assert inputs["terway"]["$ref"] == "#/types/hybrid-terway:index:TerwayConfig"
    terway = schema["types"]["hybrid-terway:index:TerwayConfig"]
    assert terway["required"] == ["podVswitches", "securityGroupIds", "serviceCidr"]
    assert terway["properties"]["podVswitches"]["additionalProperties"]["items"]["type"] == "string"
    assert terway["properties"]["maxPoolSize"]["type"] == "integer"


def test_schema_outputs(schema: dict[str, Any]) -> None:
    resource = schema["resources"][TOKEN]
    outputs = {k: v.get("type") for k, v in resource["properties"].items()}
    assert outputs == {
        "scenario": "string",
        "clusterId": "string",
        "onPremWorkloads": "array",
        "readyForCloudNodes": "boolean",
        "terwayRamUser": "string",
        "terwayAccessKeyId": "string",
    }
    assert resource["required"] == ["clusterId", "onPremWorkloads", "readyForCloudNodes", "scenario"]


def test_schema_hosts_terway_identity_under_its_own_token(schema: dict[str, Any]) -> None:
    resource = schema["resources"][IDENTITY]
    inputs = resource["inputProperties"]
    assert sorted(inputs) == sorted(
        ["userName", "policyName", "ipStack", "keySlots", "activeKey", "clusterId", "legacyRamActions"]
    )
    assert resource["requiredInputs"] == ["activeKey", "clusterId", "ipStack", "keySlots", "policyName", "userName"]
    assert inputs["ipStack"]["$ref"] == "#/types/hybrid-terway:index:IpStack"
    assert inputs["keySlots"]["type"] == "array"
    assert inputs["keySlots"]["items"]["$ref"] == inputs["activeKey"]["$ref"] == "#/types/hybrid-terway:index:KeySlot"
    assert inputs["legacyRamActions"]["type"] == "boolean"
    # Each input names a resource or decides which keys exist: the SDKs take it as a plain value.
    assert all(v.get("plain") for v in inputs.values())
    assert not any(v.get("secret") for v in inputs.values())
    outputs = resource["properties"]
    assert {k: v["type"] for k, v in outputs.items()} == dict.fromkeys(
        ["accessKeyId", "accessKeySecret", "policyName", "userName"], "string"
    )
    assert resource["required"] == sorted(outputs)
    assert [k for k, v in outputs.items() if v.get("secret")] == ["accessKeySecret"]
    print(f"\nGetSchema resources: {list(schema['resources'])}")
    optional = sorted(set(inputs) - set(resource["requiredInputs"]))
    print(f"{IDENTITY}: requiredInputs {resource['requiredInputs']}, optional {optional}")
    print(f"  outputs {resource['required']}, secret: {[k for k, v in outputs.items() if v.get('secret')]}")


def graph(registrations: list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """What the engine is told about each resource, by type and name: parent, dependencies, provider, options,
    inputs (secrets masked)."""
    return {
        (r.type, r.name): {
            "parent": r.parent,
            "dependencies": r.dependencies,
            "custom": r.custom,
            "read": r.read,
            "provider": r.provider,
            "retain_on_delete": r.retain_on_delete,
            "options": r.options.as_dict(),
            "inputs": mask(r.inputs),
        }
        for r in registrations
        if r.type != "pulumi:pulumi:Stack"
    }


def test_construct_registers_the_same_graph_as_the_program(tmp_path: Path) -> None:
    expected_run, _ = run_stack(load_stack_config(ROOT, "dev"))
    with EngineServer(dev_world(), "dev") as server, ProviderProcess(server.address, tmp_path) as process:
        result = process.construct(server, TOKEN, "hybrid", dev_inputs())
    registered = graph(server.log.registrations)
    assert len(registered) == len(server.log.registrations) == len(expected_run.registrations) - 1  # no Stack
    assert registered == graph(expected_run.registrations)
    # The engine leaves the root stack's type out of its children's URNs (pulumi/pulumi deployment.go generateURN).
    assert result["urn"] == f"urn:pulumi:dev::hybrid-terway::{TOKEN}::hybrid"
    state = result["state"]
    assert state["readyForCloudNodes"] is True
    assert state["terwayRamUser"] == expected_run.outputs["terwayRamUser"]
    assert state["terwayAccessKeyId"] == expected_run.outputs["terwayAccessKeyId"]
    assert state["onPremWorkloads"] == ["DaemonSet kube-system/calico-node"]
    # No kubeconfig input: a fresh one is fetched from ACK, as the program does; the address plan reads the network.
    assert sorted(server.log.invokes) == sorted(
        ["alicloud:cs/getClusterCredential:getClusterCredential", *NETWORK_READS]
    )
    print("\nConstruct registered:")
    for (type_, name), seen in sorted(registered.items()):
        print(f"  {type_:<55} {name:<55} parent {seen['parent'].rsplit('::', 1)[-1]}")


def test_construct_with_a_bad_setting_names_it_and_registers_nothing(tmp_path: Path) -> None:
    inputs = dev_inputs()
    inputs["terway"]["maxPoolSize"] = -1
    with EngineServer(dev_world(), "dev") as server, ProviderProcess(server.address, tmp_path) as process:
        expected = r"invalid inputs of HybridTerwayNetwork \(1 problem\(s\)\):\n  - terway\.maxPoolSize = -1: Input"
        with pytest.raises(ProviderError, match=expected):
            process.construct(server, TOKEN, "hybrid", inputs)
        # A setting decides which resources exist: it cannot be a secret or another resource's output.
        secret_id = {"clusterId": inputs.pop("clusterId")}
        with pytest.raises(ProviderError, match=r"  - clusterId: must be a plain value known before"):
            process.construct(server, TOKEN, "hybrid", inputs, secret_inputs=secret_id)
    assert server.log.registrations == []


def test_construct_keeps_a_given_kubeconfig_secret(tmp_path: Path) -> None:
    with EngineServer(dev_world(), "dev") as server, ProviderProcess(server.address, tmp_path) as process:
        process.construct(server, TOKEN, "hybrid", dev_inputs(), secret_inputs={"kubeconfig": "apiVersion: v1"})
    assert sorted(server.log.invokes) == sorted(NETWORK_READS), "no credential is fetched when one is given"
    provider = next(r for r in server.log.registrations if r.type == "pulumi:providers:kubernetes")
    assert mask(provider.inputs)["kubeconfig"] == "[secret]"


def test_yaml_example_uses_the_package_with_the_dev_settings(schema: dict[str, Any]) -> None:
    """examples/yaml: the component's token and inputs from the schema, the dev stack's values."""
    program = yaml.safe_load((ROOT / "examples" / "yaml" / "Pulumi.yaml").read_text())
    assert program["runtime"] == "yaml"
    assert program["packages"] == {"hybrid-terway": "../../provider"}
    (resource,) = program["resources"].values()
    assert resource["type"] in schema["resources"]
    assert resource["properties"] == dev_inputs()
    outputs = schema["resources"][TOKEN]["properties"]
    for expression in program["outputs"].values():
        assert expression.removeprefix("${hybrid.").removesuffix("}") in outputs


def dev_identity_inputs() -> dict[str, Any]:
    """The dev stack's ``TerwayIdentity`` arguments, as ``HybridTerwayNetwork`` derives them, as package inputs."""
    settings = settings_of(load_stack_config(ROOT, "dev"))
    creds = settings.effective_credentials
    assert settings.terway is not None and creds is not None
    return {
        "userName": settings.ram_user_name,
        "policyName": settings.ram_policy_name,
        "ipStack": settings.terway.ip_stack,
        "keySlots": list(creds.key_slots),
        "activeKey": creds.active_slot,
        "clusterId": settings.cluster_id,
        "legacyRamActions": creds.legacy_ram_actions,
    }


def children(registrations: list[Any], parent: str) -> dict[tuple[str, str], dict[str, Any]]:
    """``graph`` of the resources whose parent is ``parent``, with the parent and the dependencies named by their
    own type and name: the engine's URNs carry the whole parent chain, which differs between the program (under
    HybridTerwayNetwork) and a Construct of the identity alone."""

    def short(urn: str) -> str:
        _, _, types, name = urn.split("::")
        return f"{types.rsplit('$', 1)[-1]}::{name}"

    found = graph([r for r in registrations if r.parent == parent])
    for seen in found.values():
        seen["parent"] = short(seen["parent"])
        seen["dependencies"] = [short(d) for d in seen["dependencies"]]
    return found


def test_construct_terway_identity_registers_the_same_children_as_the_program(tmp_path: Path) -> None:
    expected_run, _ = run_stack(load_stack_config(ROOT, "dev"))
    (expected,) = [r for r in expected_run.registrations if r.type == IDENTITY]
    world = dev_world()
    with EngineServer(world, "dev") as server, ProviderProcess(server.address, tmp_path) as process:
        result = process.construct(server, IDENTITY, expected.name, dev_identity_inputs())
    identity, *rest = server.log.registrations
    assert (identity.type, identity.name, identity.parent) == (
        IDENTITY,
        "hybrid-identity",
        stack_urn("dev", "hybrid-terway"),
    )
    assert (
        result["urn"]
        == identity.urn
        == f"urn:pulumi:dev::hybrid-terway::{IDENTITY}::hybrid-identity"
    )
    registered = children(server.log.registrations, identity.urn)
    assert len(registered) == len(rest)
    assert sorted(registered) == [
        ("alicloud:ram/accessKey:AccessKey", "hybrid-identity-key-a"),
        ("alicloud:ram/policy:Policy", "hybrid-identity-policy"),
        ("alicloud:ram/user:User", "hybrid-identity-user"),
        ("alicloud:ram/userPolicyAttachment:UserPolicyAttachment", "hybrid-identity-attachment"),
    ]
    assert registered == children(expected_run.registrations, expected.urn)
    state = result["state"]
    assert state["userName"] == expected_run.outputs["terwayRamUser"]
    assert state["policyName"] == dev_identity_inputs()["policyName"]
    # The key the identity created (the fake cloud derives ids from URNs, which carry the parent chain).
    (key,) = world.cloud.of_type("alicloud:ram/accessKey:AccessKey")
    assert state["accessKeyId"] == key.id
    print("\nConstruct of TerwayIdentity registered:")
    for (type_, name), seen in sorted(registered.items()):
        print(f"  {type_:<55} {name:<27} parent {seen['parent']}")


def test_construct_terway_identity_keeps_the_key_secret_secret(tmp_path: Path) -> None:
    with EngineServer(dev_world(), "dev") as server, ProviderProcess(server.address, tmp_path) as process:
        result = process.construct(server, IDENTITY, "hybrid-identity", dev_identity_inputs())
        stderr = process.stderr()
    identity = server.log.registrations[0]
    key = next(r for r in server.log.registrations if r.type == "alicloud:ram/accessKey:AccessKey")
    secret = key.state["secret"]
    assert secret, "the fake cloud gives the key a secret"
    # Both what Construct returns and the component's registered outputs carry it as a secret, never in plain text.
    for outputs in (result["state"], server.log.outputs[identity.urn]):
        assert is_secret(outputs["accessKeySecret"])
        assert unwrap(outputs["accessKeySecret"]) == secret
        assert secret not in str(mask(outputs))
    assert secret not in stderr
    assert all(secret not in message for _, message in server.log.logs)


def test_construct_terway_identity_with_bad_inputs_names_them_and_registers_nothing(tmp_path: Path) -> None:
    good = dev_identity_inputs()
    with EngineServer(dev_world(), "dev") as server, ProviderProcess(server.address, tmp_path) as process:
        with pytest.raises(ProviderError, match=r"activeKey 'b' must be one of keySlots \['a'\]") as raised:
            process.construct(server, IDENTITY, "hybrid-identity", {**good, "activeKey": "b"})
        assert raised.value.property_errors == [("activeKey", "activeKey: activeKey 'b' must be one of keySlots ['a']")]
        bad = {**good, "ipStack": "ipv6", "keySlots": ["a", "c"], "policyName": "terway_eniip"}
        with pytest.raises(ProviderError) as raised:
            process.construct(server, IDENTITY, "hybrid-identity", bad)
        assert raised.value.property_errors == [
            ("policyName", "policyName = 'terway_eniip': must be 1 to 128 characters of A-Z a-z 0-9 -"),
            ("ipStack", "ipStack = 'ipv6': Input should be 'ipv4' or 'dual'"),
            ("keySlots[1]", "keySlots[1] = 'c': Input should be 'a' or 'b'"),
        ]
        with pytest.raises(ProviderError) as raised:
            process.construct(server, IDENTITY, "hybrid-identity", {**good, "keySlots": ["a", "a"], "policyName": "p_"})
        assert [path for path, _ in raised.value.property_errors] == ["policyName", "keySlots"]
        # A name is decided before the deployment: a secret (or another resource's output) is refused by key.
        user = {"userName": good.pop("userName")}
        with pytest.raises(ProviderError) as raised:
            process.construct(server, IDENTITY, "hybrid-identity", good, secret_inputs=user)
        assert [path for path, _ in raised.value.property_errors] == ["userName"]
        assert "must be a plain value known before the deployment" in raised.value.property_errors[0][1]
    assert server.log.registrations == []
