"""Reading a cluster snapshot (``kubectl get ... -o yaml``) into the objects the fake cluster is seeded from."""

from __future__ import annotations

from typing import Any

from preview.safe_yaml import YamlInputError, YamlNotice, load_documents
from preview.snapshot_check import MAX_REPORTED, check_objects, type_name


class SnapshotError(Exception):
    """The snapshot is not valid YAML or not Kubernetes objects (the preview exits 2)."""


def load_snapshot(
    text: str | bytes, source: str = "snapshot", notices: list[YamlNotice] | None = None
) -> list[dict[str, Any]]:
    """Objects from ``kubectl get ... -o yaml`` output: a ``List`` or several documents (each may be a List)."""
    try:
        documents = load_documents(text, source, notices)
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
