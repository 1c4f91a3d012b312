"""A policy pack configuration file, read as ``pulumi preview --policy-pack-config FILE`` reads it.

pulumi/pulumi ``pkg/resource/analyzer/config.go`` (1b594989), ``LoadPolicyPackConfigFromFile`` and
``parsePolicyPackConfig``: empty content (whitespace only) is no configuration; otherwise the file is one JSON
object; its ``environments`` key, if present, must be a list of strings (ESC environments, which the offline
preview cannot open: refused here); every other key names a policy (or ``all``) and holds either an enforcement
level (a string) or an object whose ``enforcementLevel``, if present, is a string and a valid level, the rest
being the policy's settings. The levels ``apitype.EnforcementLevel.IsValid`` accepts: advisory, mandatory,
remediate, disabled. What the file then says is checked against the pack's policies and their settings' schemas
by the harness (``preview.engine.policy_harness.reconcile_config``), as the engine does after loading it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from preview.safe_yaml import YamlInputError, load_json, read_input

LEVELS = ("advisory", "mandatory", "remediate", "disabled")


class PolicyConfigFileError(ValueError):
    """The file is not a policy pack configuration; the message names the file and what is wrong."""


def _level(value: object, where: str) -> None:
    if not isinstance(value, str):
        raise PolicyConfigFileError(f"{where}: {value!r} is not a valid enforcement level; must be a string")
    if value not in LEVELS:
        raise PolicyConfigFileError(f"{where}: {value!r} is not a valid enforcement level; valid: {', '.join(LEVELS)}")


def load_policy_config(path: Path) -> dict[str, Any] | None:
    """The configuration in ``path`` (None for an empty file), as the CLI would hand it to the pack."""
    name = str(path)
    try:
        data = read_input(path, name)
        if not data.strip():
            return None
        config = load_json(data, name)
    except YamlInputError as exc:
        raise PolicyConfigFileError(str(exc)) from None
    if not isinstance(config, dict):
        raise PolicyConfigFileError(f"{name}: must be a JSON object mapping policy names to their configuration")
    if "environments" in config:
        environments = config.pop("environments")
        if not isinstance(environments, list) or not all(isinstance(e, str) for e in environments):
            raise PolicyConfigFileError(f'{name}: "environments" must be an array of strings')
        if environments:
            raise PolicyConfigFileError(
                f'{name}: "environments" names ESC environments ({", ".join(environments)}), which only the Pulumi '
                "CLI can open; give their values in the file for the offline preview"
            )
    for key, value in config.items():
        if isinstance(value, str):
            _level(value, f"{name}: parsing enforcement level for {key!r}")
        elif isinstance(value, dict):
            if "enforcementLevel" in value:
                _level(value["enforcementLevel"], f"{name}: parsing enforcement level for {key!r}")
        else:
            raise PolicyConfigFileError(
                f"{name}: parsing {key!r}: {value!r} is not a valid value; must be a string or object"
            )
    return config
