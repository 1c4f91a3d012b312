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
from importlib import metadata
from typing import Any

from pulumi.provider.experimental.component import ComponentProvider

from hybrid_terway import constants
from hybrid_terway.network import HybridTerwayNetwork
from hybrid_terway.settings import SECRET_KEYS

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
