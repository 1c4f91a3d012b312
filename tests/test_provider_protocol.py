"""The component package over the real provider protocol: the plugin started as Pulumi's language host starts it.

``GetSchema`` states the contract; ``Construct`` of the ``dev`` settings registers, with a resource monitor served
over gRPC, the same resources (types, names, parents, dependencies, inputs) as the Python program registers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hybrid_terway import constants
from hybrid_terway.settings import SECRET_KEYS
from preview.engine import mask
from preview.provider_harness import EngineServer, ProviderError, ProviderProcess
from preview.stack_config import load_stack_config
from tests.conftest import ROOT, dev_inputs, dev_world, run_stack

TOKEN = constants.NETWORK_COMPONENT_TYPE


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
    assert list(schema["resources"]) == [TOKEN]
    assert schema["resources"][TOKEN]["isComponent"] is True
    assert sorted(schema["types"]) == [
        f"hybrid-terway:index:{name}"
        for name in (
            "CredentialSource",
            "CredentialStore",
            "CredentialsConfig",
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
            "delete_before_replace": r.delete_before_replace,
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
    assert result["urn"] == f"urn:pulumi:dev::hybrid-terway::pulumi:pulumi:Stack${TOKEN}::hybrid"
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
        with pytest.raises(ProviderError, match=r"hybrid-terway:terway\.maxPoolSize = -1: Input should be greater"):
            process.construct(server, TOKEN, "hybrid", inputs)
        # A setting decides which resources exist: it cannot be a secret or another resource's output.
        secret_id = {"clusterId": inputs.pop("clusterId")}
        with pytest.raises(ProviderError, match=r"hybrid-terway:clusterId: must be a plain value known before"):
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
