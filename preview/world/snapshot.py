"""Reading a cluster snapshot (``kubectl get ... -o json`` or ``-o yaml``) into the objects the fake cluster is
seeded from.

JSON is read as JSON (``safe_yaml.load_json``: up to ``MAX_SNAPSHOT_BYTES``, nesting bounded, duplicate keys
refused), YAML by the safe YAML reader (up to ``MAX_INPUT_BYTES``). Of each Node only what the preview reads is
kept (``NODE_FIELDS``: its name, labels, annotations, taints and addresses); the rest is dropped as soon as the
Node is read (in YAML without anchors, aliases or tags, never built), so memory follows the nodes and these fields,
not the file. Every other object is kept whole
(the program reads, patches and compares them; ``metadata.managedFields`` included).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from preview.safe_yaml import (
    MAX_INPUT_BYTES,
    MAX_SNAPSHOT_BYTES,
    YamlInputError,
    YamlNotice,
    load_documents,
    load_json_values,
    trim_object,
)
from preview.world.snapshot_check import MAX_REPORTED, check_objects, type_name

NODE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "metadata": ("name", "namespace", "labels", "annotations"),
    "spec": ("taints", "unschedulable", "podCIDR", "podCIDRs", "providerID"),
    "status": ("addresses",),
}
"""What is kept of a Node (core/v1 ``Node``): scheduling reads its labels and name (``scheduling.view_node``), the
address plan its ``InternalIP`` addresses; its other status (images, conditions, nodeInfo, capacity) and its
``managedFields`` are never read."""

_LEADING_SPACE = re.compile(rb"[ \t\r\n]*")


class SnapshotError(Exception):
    """The snapshot is not valid YAML or JSON, or not Kubernetes objects (the preview exits 2)."""


TRIM = {("v1", "Node"): NODE_FIELDS}


def trim_node(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj``, trimmed in place to ``NODE_FIELDS`` if it is a Node (a part that is not a mapping is kept whole, for
    the checks to name)."""
    return trim_object(obj, TRIM)


def is_json(data: str | bytes) -> bool:
    """``kubectl get -o json`` output: its first character is ``{`` (or ``[``, a bare list of objects)."""
    raw = data.encode("utf-8", "replace")[:4096] if isinstance(data, str) else data[:4096]
    start = _LEADING_SPACE.match(raw)
    return raw[start.end() if start else 0 :][:1] in (b"{", b"[")


def load_snapshot(
    text: str | bytes, source: str = "snapshot", notices: list[YamlNotice] | None = None
) -> list[dict[str, Any]]:
    """Objects from ``kubectl get ... -o json`` output (a ``List`` or one object; the output of several such
    commands one after the other) or ``-o yaml`` output (a ``List`` or several documents, each may be a List)."""
    try:
        if is_json(text):  # Nodes are trimmed as they are read, in JSON and YAML
            documents = load_json_values(text, source, keep={"Node": trim_node}, limit=MAX_SNAPSHOT_BYTES)
        else:
            if len(text) > MAX_INPUT_BYTES:
                raise SnapshotError(
                    f"{source}: {len(text)} bytes of YAML, more than the {MAX_INPUT_BYTES} this reader accepts "
                    f"(a JSON snapshot, `kubectl get ... -o json`, may hold up to {MAX_SNAPSHOT_BYTES} bytes)"
                )
            documents = load_documents(text, source, notices, TRIM)
    except YamlInputError as exc:
        raise SnapshotError(str(exc)) from None
    if not documents:
        raise SnapshotError(f"{source}: holds no Kubernetes objects")
    objects: list[dict[str, Any]] = []
    placed: list[tuple[str, dict[str, Any]]] = []
    for index, doc in enumerate(documents):
        items = doc.get("items") if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") else [doc]
        if not isinstance(items, list):
            raise SnapshotError(f"{source}: document {index}: 'items' of a List must be a list")
        for position, item in enumerate(items):
            where = f"{source}: document {index}" + (f", item {position}" if doc is not item else "")
            if not isinstance(item, dict):
                raise SnapshotError(f"{where}: is {type_name(item)}, not a Kubernetes object")
            missing = [f for f in ("apiVersion", "kind") if not isinstance(item.get(f), str) or not item.get(f)]
            name = item["metadata"].get("name") if isinstance(item.get("metadata"), dict) else None
            if not isinstance(name, str) or not name:
                missing.append("metadata.name (a string)")
            if missing:
                raise SnapshotError(f"{where}: is not a Kubernetes object (missing {', '.join(missing)})")
            objects.append(item)
            placed.append((where, item))
    problems = check_objects(placed)
    if problems:
        shown = problems[:MAX_REPORTED]
        more = [f"... and {len(problems) - len(shown)} more"] if len(problems) > len(shown) else []
        raise SnapshotError("\n".join(shown + more))
    return objects
