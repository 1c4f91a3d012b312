"""The component package: ``HybridTerwayNetwork`` for every Pulumi language, served by ``provider/__main__.py``.

The schema is inferred (``pulumi.provider.experimental``) from ``HybridTerwayNetworkArgs`` and the component's
annotated outputs; the inference cannot mark a property secret, so this provider marks the secret inputs.

The inner components are not in the package: the inference puts every component in module ``index`` while
theirs keep their own type tokens (``hybrid-terway:ram:TerwayIdentity``, ...), on which existing stacks' URNs
and the policy pack rely; and ``OnPremIsolation``/``TerwayNetwork`` take a Kubernetes provider object and the
resources to wait for, which their schema could not state.
"""

import inspect
import json
import re
from importlib import metadata
from typing import Any, cast

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from hybrid_terway import constants
from hybrid_terway.args import HybridTerwayNetworkArgs
from hybrid_terway.network import HybridTerwayNetwork
from hybrid_terway.settings import SECRET_KEYS, ConfigError

PACKAGE_NAME = constants.PROJECT
"""The package name: its type tokens read ``hybrid-terway:index:<Component>``."""


def package_version() -> str:
    return metadata.version("hybrid-terway")


def mark_secrets(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the component's secret inputs marked ``secret`` (SDKs then wrap them as secrets)."""
    inputs = schema["resources"][constants.NETWORK_COMPONENT_TYPE]["inputProperties"]
    for key in sorted(SECRET_KEYS):
        inputs[key]["secret"] = True
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
    details: list[InputPropertyErrorDetails] = []
    for problem in error.problems:
        found = re.match(rf"{re.escape(constants.PROJECT)}:(\S+?)(?::| =) ", problem)
        path = found.group(1) if found else ""
        details.append({"property_path": path, "reason": problem})
    return details


class HybridTerwayProvider(ComponentProvider):
    """Hosts ``HybridTerwayNetwork``; its schema is the inferred one with the secret inputs marked."""

    def __init__(self) -> None:
        super().__init__([HybridTerwayNetwork], PACKAGE_NAME, version=package_version())
        assert self.schema is not None
        schema = mark_secrets(json.loads(self.schema))
        # The inference keeps the docstring's indentation; the SDKs show this text as it is.
        resource = schema["resources"][constants.NETWORK_COMPONENT_TYPE]
        resource["description"] = inspect.cleandoc(HybridTerwayNetwork.__doc__ or "")
        schema["description"] = (
            "The container network of ACK One registered (hybrid) clusters: Terway on cloud nodes, "
            "on-prem workloads and CNIs kept off them."
        )
        self.schema = json.dumps(schema, sort_keys=True)

    def construct(
        self, name: str, resource_type: str, inputs: pulumi.Inputs, options: pulumi.ResourceOptions | None = None
    ) -> ConstructResult:
        """Build the component from the inputs as they arrive: their keys already are the settings' keys.

        The inputs go to the settings model as they are, not through the inference's own mapping
        (``ComponentProvider.map_input_properties`` in pulumi/pulumi ``sdk/python/lib/pulumi/provider/experimental/
        component.py``, SDK 3.272.0), which turns a list of enum values into empty objects and leaves integers
        as floats; the model checks everything (required keys included) and reports each problem by key.
        """
        self.validate_resource_type(self._name, resource_type)
        args = cast(HybridTerwayNetworkArgs, wire_numbers(dict(inputs)))
        try:
            component = HybridTerwayNetwork(name, args, options)
        except ConfigError as exc:
            raise InputPropertiesError(str(exc), property_errors(exc)) from None
        except Exception as exc:
            raise ComponentInitError(exc) from exc
        return ConstructResult(component.urn, self.get_state(component, self._component_defs[type(component).__name__]))
