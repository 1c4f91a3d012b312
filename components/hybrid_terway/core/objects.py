"""Kubernetes objects as plain data (camelCase, as the API server and the provider's reads give them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def value_at(obj: Mapping[str, Any] | None, path: Sequence[str]) -> Any:
    """``obj[path[0]][path[1]]...``, or None where a step is missing or not a mapping."""
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj
