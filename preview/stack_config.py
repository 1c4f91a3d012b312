"""Reads ``Pulumi.<stack>.yaml`` the way the Pulumi CLI hands it to a program: every value a string."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from preview.safe_yaml import YamlInputError, YamlNotice, load_documents, read_input


class StackFileError(Exception):
    """The stack file is missing or not a Pulumi stack configuration (the preview exits 2)."""


@dataclass(frozen=True)
class StackConfig:
    stack: str
    values: dict[str, str]  # "namespace:key" -> value as the CLI passes it
    secret_keys: list[str]
    notices: tuple[str, ...] = ()  # unquoted values read as the string written (YAML 1.1 would differ)


def secret_placeholder(key: str) -> str:
    """What a ``secure:`` value becomes offline: opaque, clearly not a real secret, and still marked secret."""
    return f"offline-placeholder-for-{key}"


def _as_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def available_stacks(root: Path) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def load_stack_config(root: Path, stack: str) -> StackConfig:
    path = root / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise StackFileError(
            f"--stack {stack!r}: no {path.name} in {root}; stacks here: {', '.join(available_stacks(root)) or 'none'}"
        )
    notices: list[YamlNotice] = []
    try:
        documents = load_documents(read_input(path, path.name), path.name, notices)
    except YamlInputError as exc:
        raise StackFileError(str(exc)) from None
    if len(documents) > 1:
        raise StackFileError(f"{path.name}: holds {len(documents)} YAML documents; a stack file is one mapping")
    document = documents[0] if documents else {}
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise StackFileError(f"{path.name}: needs a top-level 'config:' mapping")
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in config.items():
        if ":" not in str(key):
            raise StackFileError(f"{path.name}: config key {key!r} needs a namespace, such as hybrid-terway:{key}")
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[key] = secret_placeholder(key)
            secret_keys.append(key)
        else:
            values[key] = _as_config_string(value)
    return StackConfig(stack, values, sorted(secret_keys), tuple(str(n) for n in notices))
