"""Drift markers: what makes a patch's inputs change when the live object drifts from what the program wants.

pulumi-kubernetes diffs new inputs against the last ``up``'s, never the live object (``provider/pkg/provider/
provider.go`` ``Diff``, at 94977969), so each patch carries ``hybrid-terway/applied``: the live marker while the
live object holds what the patch owns, a new digest (never of anything secret) when it drifted. Why and how:
docs/running-up.md, "Drift: why every patch carries a marker".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from hybrid_terway.core import constants
from hybrid_terway.core.objects import value_at

MARKER_LENGTH = 16


def canonical(value: Any) -> str:
    """``value`` as canonical JSON (sorted keys, no spaces): equal data, equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:MARKER_LENGTH]


def live_marker(live: Mapping[str, Any] | None) -> str | None:
    """The marker on the live object, or None."""
    value = value_at(live, ("metadata", "annotations", constants.DRIFT_ANNOTATION))
    return value if isinstance(value, str) and value else None


def live_version(live: Mapping[str, Any] | None) -> str:
    """The live object's ``metadata.resourceVersion`` ("" when absent): unique to each state the object has had."""
    value = value_at(live, ("metadata", "resourceVersion"))
    return str(value) if value is not None else ""


def drift_marker(converged: bool, live: Mapping[str, Any] | None, live_fingerprint: str = "") -> str:
    """The marker a patch carries this run.

    ``converged``: the live object holds what the patch wants in every field it owns. Then the live marker is kept
    (a first marker when the object has none). Otherwise the marker is new: a digest of the live marker, the live
    object's version and ``live_fingerprint`` (a digest of the live owned values, secret-free; it tells two drifts
    apart where the live object carries no version).
    """
    previous = live_marker(live)
    if converged:
        return previous or _digest("converged")
    return _digest(f"{previous or ''}\0{live_version(live)}\0{live_fingerprint}")


def fingerprint(value: Any) -> str:
    """A digest of secret-free live values, for ``drift_marker``."""
    return _digest(canonical(value))
