"""What a server-side-apply patch does to a live object, for the fields this project patches.

Maps merge key by key; every other value the patch sets replaces the live one whole. That is exact for what
the program patches: ``nodeSelector`` and ``annotations``/``labels`` are granular maps, and the required node
selector (``nodeSelectorTerms``) is atomic (Kubernetes marks NodeSelector and its terms atomic). It is not a
general SSA implementation: keyed lists such as ``containers`` would merge by name on a real server.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def apply_patch(live: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """A new object: ``live`` with ``patch`` applied. Neither argument is changed."""
    merged: dict[str, Any] = copy.deepcopy(dict(live))
    for key, value in patch.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = apply_patch(current, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
