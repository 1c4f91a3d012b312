"""hybrid-terway: Pulumi components for the container network of ACK One registered (hybrid) clusters.

The components and their argument types are exported here::

    from hybrid_terway import HybridTerwayNetwork, HybridTerwayNetworkArgs

They load on first use: ``import hybrid_terway.core.constants`` (as the policy pack does) pulls in no provider SDK;
:mod:`hybrid_terway.core` is the pure part (standard library and pydantic only).
Mocks for testing a program that uses them are in :mod:`hybrid_terway.testing`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hybrid_terway.core.version import __version__

if TYPE_CHECKING:
    from hybrid_terway.args import (
        CredentialsConfig,
        HybridTerwayNetworkArgs,
        OnPremWorkloadRef,
        TerwayConfig,
        TerwayIdentityInputs,
    )
    from hybrid_terway.config import ConfigError, parse_settings, validate_settings
    from hybrid_terway.core.settings import Settings
    from hybrid_terway.core.vocabulary import (
        CredentialSource,
        CredentialStore,
        IpStack,
        KeySlot,
        Scenario,
        VswitchSelectionPolicy,
        WorkloadKind,
    )
    from hybrid_terway.isolation import OnPremIsolation
    from hybrid_terway.network import HybridTerwayNetwork, StackSecrets
    from hybrid_terway.ram import TerwayIdentity, TerwayIdentityArgs
    from hybrid_terway.terway import TerwayNetwork

_EXPORTS = {
    "HybridTerwayNetwork": "network",
    "StackSecrets": "network",
    "TerwayIdentity": "ram",
    "TerwayIdentityArgs": "ram",
    "OnPremIsolation": "isolation",
    "TerwayNetwork": "terway",
    "HybridTerwayNetworkArgs": "args",
    "TerwayIdentityInputs": "args",
    "TerwayConfig": "args",
    "CredentialsConfig": "args",
    "OnPremWorkloadRef": "args",
    "Scenario": "core.vocabulary",
    "IpStack": "core.vocabulary",
    "VswitchSelectionPolicy": "core.vocabulary",
    "CredentialSource": "core.vocabulary",
    "CredentialStore": "core.vocabulary",
    "KeySlot": "core.vocabulary",
    "WorkloadKind": "core.vocabulary",
    "Settings": "core.settings",
    "ConfigError": "config",
    "parse_settings": "config",
    "validate_settings": "config",
}

__all__ = [
    "ConfigError",
    "CredentialSource",
    "CredentialStore",
    "CredentialsConfig",
    "HybridTerwayNetwork",
    "HybridTerwayNetworkArgs",
    "IpStack",
    "KeySlot",
    "OnPremIsolation",
    "OnPremWorkloadRef",
    "Scenario",
    "Settings",
    "StackSecrets",
    "TerwayConfig",
    "TerwayIdentity",
    "TerwayIdentityArgs",
    "TerwayIdentityInputs",
    "TerwayNetwork",
    "VswitchSelectionPolicy",
    "WorkloadKind",
    "__version__",
    "parse_settings",
    "validate_settings",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hybrid_terway' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"hybrid_terway.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
