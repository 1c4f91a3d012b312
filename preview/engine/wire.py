"""Property values in the engine's wire form, and URNs as the engine builds them: one rule for the offline engine,
the policy harness and the provider harness.

pulumi/pulumi (read at 1b5949891b):

- ``sdk/go/common/resource/sig/sig.go``: ``Key``, the key that marks a special value, and ``Secret``, its value for a
  secret; a secret is ``{Key: Secret, "value": ...}`` on the wire (the Python SDK's ``rpc._special_sig_key`` and
  ``rpc._special_secret_sig``, checked against these in ``tests/preview/engine/test_sdk.py``).
- ``pkg/resource/plugin/rpc.go``: ``UnknownStringValue``, a value not known during preview.
- ``sdk/go/common/resource/properties.go`` ``IsInternalPropertyKey``: top-level keys starting with ``__``.
- ``sdk/go/common/resource/urn/urn.go`` ``New`` and ``pkg/resource/deploy/deployment.go`` ``generateURN``:
  ``urn:pulumi:<stack>::<project>::<type chain>::<name>``, the type chain being the parent's *whole* qualified type,
  ``$``, then the resource's type; a parent that is the root stack adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final

from google.protobuf import struct_pb2

SECRET_SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's wire value for a string property not known during preview (an unknown output of any type is
marshalled as this one too)."""
INTERNAL_PREFIX: Final = "__"
MASK: Final = "[secret]"
"""What the preview shows in place of a secret's value."""

ROOT_STACK_TYPE: Final = "pulumi:pulumi:Stack"
_URN_PREFIX: Final = "urn:pulumi:"
_NAME_DELIMITER: Final = "::"
_TYPE_DELIMITER: Final = "$"


# --- secrets -------------------------------------------------------------------------------------------------


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def secret(value: Any) -> dict[str, Any]:
    """``value`` as a secret on the wire (a secret stays as it is: secrets do not nest)."""
    return dict(value) if is_secret(value) else {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def map_secrets(value: Any, replace: Callable[[Any], Any]) -> Any:
    """``value`` with each secret (outermost) replaced by ``replace(secret)``; the rest copied as it is."""
    if is_secret(value):
        return replace(value)
    if isinstance(value, dict):
        return {k: map_secrets(v, replace) for k, v in value.items()}
    if isinstance(value, list):
        return [map_secrets(v, replace) for v in value]
    return value


def any_value(value: Any, test: Callable[[Any], bool]) -> bool:
    """Whether ``value`` or a value anywhere inside it passes ``test``."""
    if test(value):
        return True
    if isinstance(value, dict):
        return any(any_value(v, test) for v in value.values())
    if isinstance(value, list):
        return any(any_value(v, test) for v in value)
    return False


def unwrap(value: Any) -> Any:
    """Wire form -> plain values (secret markers removed)."""
    return map_secrets(value, lambda s: unwrap(s.get("value")))


def mask(value: Any) -> Any:
    """Wire form -> plain values with every secret replaced by :data:`MASK`."""
    return map_secrets(value, lambda _: MASK)


def contains_secrets(value: Any) -> bool:
    return any_value(value, is_secret)


def struct(values: Mapping[str, Any], *, skip_internal_keys: bool = False) -> struct_pb2.Struct:
    """``values`` (wire form, JSON data) as a protobuf ``Struct``; ``skip_internal_keys`` drops the top-level
    internal keys, as the engine does for every analyzer call but ``Remediate``
    (``pkg/resource/plugin/analyzer_plugin.go``: ``MarshalOptions{SkipInternalKeys: true}``)."""
    kept = {k: v for k, v in values.items() if not (skip_internal_keys and k.startswith(INTERNAL_PREFIX))}
    message = struct_pb2.Struct()
    message.update(json.loads(json.dumps(kept)))
    return message


# --- URNs ----------------------------------------------------------------------------------------------------


def qualified_type(urn: str) -> str:
    """The type chain of ``urn`` (``a:b:C$d:e:F``)."""
    return urn.removeprefix(_URN_PREFIX).split(_NAME_DELIMITER)[2]


def urn_type(urn: str) -> str:
    """The resource's own type: the chain's last element."""
    return qualified_type(urn).split(_TYPE_DELIMITER)[-1]


def urn_name(urn: str) -> str:
    return urn.removeprefix(_URN_PREFIX).split(_NAME_DELIMITER, 3)[3]


def new_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """``urn.New`` with ``generateURN``'s parent rule: the parent's qualified type, unless it is the root stack."""
    chain = type_
    if parent:
        parent_type = qualified_type(parent)
        if parent_type != ROOT_STACK_TYPE:
            chain = parent_type + _TYPE_DELIMITER + type_
    return f"{_URN_PREFIX}{stack}{_NAME_DELIMITER}{project}{_NAME_DELIMITER}{chain}{_NAME_DELIMITER}{name}"


def stack_urn(stack: str, project: str) -> str:
    """The root stack's URN: ``<project>-<stack>`` of type ``pulumi:pulumi:Stack`` (``sdk/python/lib/pulumi/runtime/
    stack.py`` ``Stack.__init__``)."""
    return new_urn(stack, project, "", ROOT_STACK_TYPE, f"{project}-{stack}")
