"""The stack configuration in a Pulumi program: read from the running stack, validated by ``core.settings``.

A problem is raised as :class:`ConfigError`, a ``pulumi.RunError``: Pulumi prints its message without a
traceback (``sdk/python/lib/pulumi/runtime/stack.py`` in pulumi/pulumi).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pulumi

from hybrid_terway.core import constants
from hybrid_terway.core import settings as core
from hybrid_terway.core.settings import SECRET_KEYS, STACK_CONFIGURATION, Settings, SettingsError


class ConfigError(SettingsError, pulumi.RunError):
    """Invalid stack configuration, or invalid inputs of a component (``subject``)."""


def parse_settings(raw: Mapping[str, str], secret_keys: Collection[str] | None = None) -> Settings:
    """:func:`hybrid_terway.core.settings.parse_settings`, its problems raised as :class:`ConfigError`."""
    try:
        return core.parse_settings(raw, secret_keys)
    except SettingsError as exc:
        raise ConfigError(exc.problems, exc.subject) from None


def validate_settings(values: Mapping[str, Any], subject: str = STACK_CONFIGURATION) -> Settings:
    """:func:`hybrid_terway.core.settings.validate_settings`, its problems raised as :class:`ConfigError`."""
    try:
        return core.validate_settings(values, subject)
    except SettingsError as exc:
        raise ConfigError(exc.problems, exc.subject) from None


def read_secret_keys() -> frozenset[str]:
    """The ``hybrid-terway:*`` keys the engine passed as secrets (``secure:`` in the stack file), namespace removed."""
    from pulumi.runtime import config as runtime_config

    prefix = constants.PROJECT + ":"
    keys = {key for key in runtime_config.get_config_secret_keys_env() if key.startswith(prefix)}
    keys |= {f"{prefix}{key}" for key in SECRET_KEYS if runtime_config.is_config_secret(f"{prefix}{key}")}
    return frozenset(key.removeprefix(prefix) for key in keys)


def read_stack_config() -> dict[str, str]:
    """The raw ``hybrid-terway:*`` values of the running stack (secret values included, never logged).

    Keys are enumerated (not looked up one by one) so that a misspelt key is reported, not ignored.
    """
    from pulumi.runtime import config as runtime_config

    prefix = constants.PROJECT + ":"
    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return {
        key.removeprefix(prefix): str(value)
        for key, value in merged.items()
        if key.startswith(prefix) and value is not None
    }
