"""The component package's schema and the settings model state the same contract, field by field.

The schema is inferred from ``hybrid_terway.args``; the values are validated by ``hybrid_terway.core.settings``. A
setting added to one and not the other fails here, naming the key.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest

from hybrid_terway.config import ConfigError, validate_settings
from hybrid_terway.core import constants
from hybrid_terway.core.settings import CONFIG_KEYS, SECRET_KEYS, Settings, inputs_of
from hybrid_terway.package import HybridTerwayProvider, property_errors, wire_numbers
from tests.conftest import dev_inputs

Shape = Any  # "string" | "integer" | "boolean" | "number" | ("enum", values) | ("array", Shape) | ("map", Shape)
# | ("object", {key: (required, Shape)})


def model_shape(node: dict[str, Any], defs: dict[str, Any]) -> Shape:
    """A node of the model's JSON schema (pydantic, by alias) as a comparable shape."""
    if "$ref" in node:
        return model_shape(defs[node["$ref"].split("/")[-1]], defs)
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o != {"type": "null"}]
        assert len(options) == 1, f"a union the package schema cannot state: {node}"
        return model_shape(options[0], defs)
    if "enum" in node:
        return ("enum", tuple(sorted(node["enum"])))
    if "const" in node:
        return ("enum", (node["const"],))
    kind = node.get("type")
    if kind == "array":
        return ("array", model_shape(node["items"], defs))
    if kind == "object" and "properties" in node:
        required = set(node.get("required", ()))
        return ("object", {k: (k in required, model_shape(v, defs)) for k, v in node["properties"].items()})
    if kind == "object":
        return ("map", model_shape(node["additionalProperties"], defs))
    assert kind in ("string", "integer", "boolean", "number"), f"unexpected model schema node {node}"
    return kind


def package_shape(node: dict[str, Any], types: dict[str, Any]) -> Shape:
    """A property of the package schema (Pulumi) as a comparable shape."""
    if "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/types/"), f"a reference outside the package: {ref}"
        return package_shape(types[ref.removeprefix("#/types/")], types)
    if "enum" in node:
        return ("enum", tuple(sorted(v["value"] for v in node["enum"])))
    kind = node.get("type")
    if kind == "array":
        return ("array", package_shape(node["items"], types))
    if kind == "object" and "properties" in node:
        required = set(node.get("required", ()))
        return ("object", {k: (k in required, package_shape(v, types)) for k, v in node["properties"].items()})
    if kind == "object":
        return ("map", package_shape(node["additionalProperties"], types))
    assert kind in ("string", "integer", "boolean", "number"), f"unexpected package schema node {node}"
    return kind


def mismatches(model: Shape, package: Shape, path: str) -> list[str]:
    """Every place where the two shapes differ, by key path."""
    if isinstance(model, tuple) and isinstance(package, tuple) and model[0] == package[0] == "object":
        found = []
        for key in sorted(set(model[1]) | set(package[1])):
            where = f"{path}.{key}" if path else key
            if key not in package[1]:
                found.append(f"{where}: in the settings model, not in the package schema")
            elif key not in model[1]:
                found.append(f"{where}: in the package schema, not in the settings model")
            else:
                (m_required, m_shape), (p_required, p_shape) = model[1][key], package[1][key]
                if m_required != p_required:
                    found.append(f"{where}: required {m_required} in the settings model, {p_required} in the schema")
                found += mismatches(m_shape, p_shape, where)
        return found
    if isinstance(model, tuple) and isinstance(package, tuple) and model[0] == package[0] in ("array", "map"):
        return mismatches(model[1], package[1], f"{path}[]")
    if model != package:
        return [f"{path}: {model} in the settings model, {package} in the package schema"]
    return []


def contract_mismatches(model: type[pydantic.BaseModel], schema: dict[str, Any]) -> list[str]:
    """The model's contract against the component's inputs; the secrets appear as has<Key> in the model."""
    json_schema = model.model_json_schema(by_alias=True)
    model_top = model_shape(json_schema, json_schema.get("$defs", {}))
    resource = schema["resources"][constants.NETWORK_COMPONENT_TYPE]
    found: list[str] = []
    inputs = dict(resource["inputProperties"])
    fields = dict(model_top[1])
    for key in sorted(SECRET_KEYS):
        flag = "has" + key[0].upper() + key[1:]
        if fields.pop(flag, None) != (False, "boolean"):
            found.append(f"{key}: the settings model has no optional boolean {flag}")
        prop = inputs.pop(key, None)
        if prop is None or prop.get("type") != "string" or not prop.get("secret"):
            found.append(f"{key}: the package schema has no secret string input {key}: {prop}")
        elif key in resource.get("requiredInputs", ()):
            found.append(f"{key}: must be optional in the package schema")
    required = set(resource.get("requiredInputs", ()))
    package_top = ("object", {k: (k in required, package_shape(v, schema["types"])) for k, v in inputs.items()})
    return found + mismatches(("object", fields), package_top, "")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    provider = HybridTerwayProvider()
    assert provider.schema is not None
    return dict(json.loads(provider.schema))


def test_schema_and_settings_model_agree_field_by_field(schema: dict[str, Any]) -> None:
    assert contract_mismatches(Settings, schema) == []


def test_inputs_are_the_stack_configuration_keys(schema: dict[str, Any]) -> None:
    inputs = schema["resources"][constants.NETWORK_COMPONENT_TYPE]["inputProperties"]
    assert sorted(inputs) == sorted(CONFIG_KEYS)


def test_a_setting_missing_from_the_schema_is_named() -> None:
    """The check fails, naming the key, when the model gains a setting the package schema does not state."""
    extended = pydantic.create_model("Extended", __base__=Settings, on_prem_gateways=(list[str], ...))
    provider = HybridTerwayProvider()
    assert provider.schema is not None
    found = contract_mismatches(extended, json.loads(provider.schema))
    assert found == ["onPremGateways: in the settings model, not in the package schema"]


def test_a_type_or_required_difference_is_named(schema: dict[str, Any]) -> None:
    changed = json.loads(json.dumps(schema))
    terway = changed["types"]["hybrid-terway:index:TerwayConfig"]
    terway["properties"]["maxPoolSize"]["type"] = "string"
    terway["required"].remove("serviceCidr")
    changed["types"]["hybrid-terway:index:IpStack"]["enum"].pop()
    assert contract_mismatches(Settings, changed) == [
        "terway.ipStack: ('enum', ('dual', 'ipv4')) in the settings model, ('enum', ('ipv4',)) in the package schema",
        "terway.maxPoolSize: integer in the settings model, string in the package schema",
        "terway.serviceCidr: required True in the settings model, False in the schema",
    ]


def test_secret_inputs_are_marked_secret(schema: dict[str, Any]) -> None:
    inputs = schema["resources"][constants.NETWORK_COMPONENT_TYPE]["inputProperties"]
    assert sorted(k for k, v in inputs.items() if v.get("secret")) == sorted(SECRET_KEYS)
    # Every other input decides which resources exist: the SDKs take it as a plain value.
    assert all(v.get("plain") for k, v in inputs.items() if k not in SECRET_KEYS)


def test_settings_problems_become_input_property_errors_by_key_path() -> None:
    """Each problem carries its key path (``Problem.path``): the engine's input-property error names it as is."""
    inputs = dev_inputs()
    inputs["terway"] = {**inputs["terway"], "maxPoolSize": -1, "podVSwitches": {}}
    inputs["onPremWorkloads"] = [{"kind": "DaemonSet", "name": "calico-node"}]
    with pytest.raises(ConfigError) as raised:
        validate_settings(inputs, inputs_of("HybridTerwayNetwork"))
    error = raised.value
    details = [(d["property_path"], d["reason"]) for d in property_errors(error)]
    assert sorted(path for path, _ in details) == ["onPremWorkloads[0]", "terway.maxPoolSize", "terway.podVSwitches"]
    for path, reason in details:
        assert reason.startswith(f"{path}: ") or reason.startswith(f"{path} = ")
    assert str(error).startswith("invalid inputs of HybridTerwayNetwork (3 problem(s)):\n")


def test_whole_numbers_from_the_wire_become_ints() -> None:
    assert wire_numbers({"terway": {"maxPoolSize": 5.0, "minPoolSize": 0.5}, "keySlots": ["a"]}) == {
        "terway": {"maxPoolSize": 5, "minPoolSize": 0.5},
        "keySlots": ["a"],
    }
