"""The component package: ``HybridTerwayNetwork`` and ``TerwayIdentity`` for every Pulumi language, served by
``provider/__main__.py``.

The schema is inferred (``pulumi.provider.experimental``) from ``HybridTerwayNetworkArgs``, ``TerwayIdentityInputs``
and the components' annotated outputs; the inference cannot mark a property secret, so this provider marks the
secret inputs and outputs. The inference also puts every component in module ``index``: ``TerwayIdentity`` keeps
its own type token ``hybrid-terway:ram:TerwayIdentity`` (existing stacks' URNs and the policy pack rely on it), so
this provider states that token in the schema and dispatches ``Construct`` by the full token.

``OnPremIsolation`` and ``TerwayNetwork`` are not in the package: they take a Kubernetes provider object and the
resources to wait for, which their schema could not state.
"""

import inspect
import json
from typing import Any, cast

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from hybrid_terway.args import HybridTerwayNetworkArgs, TerwayIdentityInputs
from hybrid_terway.config import ConfigError
from hybrid_terway.core import constants
from hybrid_terway.core.settings import SECRET_KEYS
from hybrid_terway.core.version import __version__
from hybrid_terway.network import HybridTerwayNetwork
from hybrid_terway.ram import IdentityInputError, TerwayIdentity

PACKAGE_NAME = constants.PROJECT
"""The package name: the first part of every type token."""

COMPONENTS: dict[str, type[pulumi.ComponentResource]] = {
    constants.NETWORK_COMPONENT_TYPE: HybridTerwayNetwork,
    constants.IDENTITY_COMPONENT_TYPE: TerwayIdentity,
}
"""The components the package hosts, by their own type tokens."""

SECRET_OUTPUTS: dict[str, tuple[str, ...]] = {constants.IDENTITY_COMPONENT_TYPE: ("accessKeySecret",)}
"""Outputs that are Pulumi secrets, by component: the SDKs then keep them secret."""


def package_version() -> str:
    """The schema's version: this repository's one version (``hybrid_terway.core.version``), not what pip recorded."""
    return __version__


def mark_secrets(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the components' secret inputs and outputs marked ``secret`` (SDKs then wrap them as
    secrets)."""
    inputs = schema["resources"][constants.NETWORK_COMPONENT_TYPE]["inputProperties"]
    for key in sorted(SECRET_KEYS):
        inputs[key]["secret"] = True
    for token, keys in SECRET_OUTPUTS.items():
        for key in keys:
            schema["resources"][token]["properties"][key]["secret"] = True
    return schema


def with_own_tokens(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each component under its own type token (the inference names them all ``index``)."""
    resources = schema["resources"]
    for token, component in COMPONENTS.items():
        inferred = f"{PACKAGE_NAME}:index:{component.__name__}"
        resource = resources.pop(inferred)
        # The inference keeps the docstring's indentation; the SDKs show this text as it is.
        resource["description"] = inspect.cleandoc(component.__doc__ or "")
        resources[token] = resource
    return schema


def wire_numbers(value: Any) -> Any:
    """``value`` with the whole numbers the protocol sends as floats (``5.0``) back as ints; 5.5 stays a float."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: wire_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [wire_numbers(v) for v in value]
    return value


def property_errors(error: ConfigError) -> list[InputPropertyErrorDetails]:
    """Each settings problem as the engine's input-property error: the key path, and what is wrong with it."""
    return [{"property_path": problem.path, "reason": str(problem)} for problem in error.problems]


def identity_property_errors(error: IdentityInputError) -> list[InputPropertyErrorDetails]:
    """Each problem with ``TerwayIdentity``'s inputs as the engine's input-property error."""
    return [{"property_path": problem.path, "reason": str(problem)} for problem in error.problems]


class HybridTerwayProvider(ComponentProvider):
    """Hosts ``HybridTerwayNetwork`` and ``TerwayIdentity``; the inferred schema with their own type tokens and the
    secrets marked."""

    def __init__(self) -> None:
        super().__init__(list(COMPONENTS.values()), PACKAGE_NAME, version=package_version())
        assert self.schema is not None
        schema = mark_secrets(with_own_tokens(json.loads(self.schema)))
        schema["description"] = (
            "The container network of ACK One registered (hybrid) clusters: Terway on cloud nodes, "
            "on-prem workloads and CNIs kept off them."
        )
        self.schema = json.dumps(schema, sort_keys=True)

    def construct(
        self, name: str, resource_type: str, inputs: pulumi.Inputs, options: pulumi.ResourceOptions | None = None
    ) -> ConstructResult:
        """Build the component from the inputs as they arrive: their keys already are the arguments' keys.

        Dispatched by the full type token: ``ComponentProvider.validate_resource_type`` accepts module ``index``
        only. The inputs go to the component as they are, not through the inference's own mapping
        (``ComponentProvider.map_input_properties`` in pulumi/pulumi ``sdk/python/lib/pulumi/provider/experimental/
        component.py``, SDK 3.272.0), which turns a list of enum values into empty objects and leaves integers
        as floats; the components check everything (required keys included) and report each problem by key.
        """
        if resource_type not in COMPONENTS:
            raise ValueError(f"unknown resource type {resource_type!r}; this package has {sorted(COMPONENTS)}")
        try:
            component: pulumi.ComponentResource
            if resource_type == constants.IDENTITY_COMPONENT_TYPE:
                component = TerwayIdentity(name, cast(TerwayIdentityInputs, dict(inputs)), options)
            else:
                network_args = cast(HybridTerwayNetworkArgs, wire_numbers(dict(inputs)))
                component = HybridTerwayNetwork(name, network_args, options)
        except ConfigError as exc:
            raise InputPropertiesError(str(exc), property_errors(exc)) from None
        except IdentityInputError as exc:
            message = f"invalid inputs of TerwayIdentity: {exc}"
            raise InputPropertiesError(message, identity_property_errors(exc)) from None
        except Exception as exc:
            raise ComponentInitError(exc) from exc
        return ConstructResult(component.urn, self.get_state(component, self._component_defs[type(component).__name__]))
