"""What a Kubernetes object the program sends changes in the live cluster: ``create``, ``update`` or ``same``
(``written`` for a Secret, which a snapshot never holds), with one ``{path, old, new}`` entry per changed value.

Pure functions over plain data. A patch is compared as the API server would apply it: the live object with the
server-side-apply patch applied (``hybrid_terway.core.ssa.apply_patch``) against the live object as it is. A string
that holds a JSON object on both sides (``eni_conf``) is compared key by key; the path then goes on after a
``:``, as in ``data.eni_conf:max_pool_size``. A secret value is never shown, old or new.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hybrid_terway.core import terway_model
from hybrid_terway.core.ssa import apply_patch
from hybrid_terway.core.topology import ObjectRef
from preview.engine.wire import MASK

CREATE, UPDATE, SAME, WRITTEN = "create", "update", "same", "written"
"""``written``: sent without comparison, because a snapshot cannot hold the object (a Secret)."""

UNCOMPARED_KINDS = frozenset({"Secret"})
"""Kinds a ``kubectl get`` snapshot does not hold (this project's snapshot command never lists Secrets)."""

SECRET_FIELDS = frozenset(terway_model.CREDENTIAL_KEYS)
"""Keys whose value is a credential wherever they appear (``eni_conf``'s AccessKey, even in plain text in the live
ConfigMap): shown only as ``[secret]``, or as the empty string when empty."""

Segment = str | int


class JsonInside:
    """A path marker: the value before it is a string holding JSON, and the path goes on inside that JSON."""

    def __repr__(self) -> str:
        return "JsonInside()"


JSON = JsonInside()
PathSegments = tuple["Segment | JsonInside", ...]

_ABSENT: Any = object()
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Entry:
    """One changed value. ``old``/``new`` are None where the value is absent on that side."""

    path: PathSegments
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"path": format_path(self.path), "old": self.old, "new": self.new}


@dataclass
class ObjectChange:
    kind: str
    namespace: str
    name: str
    change: str
    entries: list[Entry] = field(default_factory=list)
    before: Mapping[str, Any] | None = None
    """The live object as it is (None when it does not exist)."""
    after: Mapping[str, Any] | None = None
    """The object once the program's body is applied (None when not compared)."""

    @property
    def ref(self) -> str:
        return str(ObjectRef(self.kind, self.name, self.namespace or None))


def format_path(path: PathSegments) -> str:
    """``("spec", "template", "metadata", "annotations", "a/b")`` -> ``spec.template.metadata.annotations["a/b"]``."""
    out = ""
    after_json = False
    for segment in path:
        if isinstance(segment, JsonInside):
            out += ":"
            after_json = True
            continue
        if isinstance(segment, int):
            out += f"[{segment}]"
        elif _PLAIN_KEY.match(segment):
            out += segment if not out or after_json else f".{segment}"
        else:
            out += f"[{json.dumps(segment)}]"
        after_json = False
    return out


def _json_object(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, str) or not value.lstrip().startswith("{"):
        return None
    try:
        document = json.loads(value)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def diff_values(old: Any, new: Any, path: PathSegments = ()) -> list[Entry]:
    """Every changed value between ``old`` and ``new``: maps key by key (a map on one side only too, so a created
    object lists every value it sets), lists item by item (an item added or removed whole), and strings that hold
    JSON objects inside their JSON."""
    if old is not _ABSENT and new is not _ABSENT and old == new:
        return []
    old_map = old if isinstance(old, Mapping) else ({} if old is _ABSENT else None)
    new_map = new if isinstance(new, Mapping) else ({} if new is _ABSENT else None)
    if old_map is not None and new_map is not None and (isinstance(old, Mapping) or isinstance(new, Mapping)):
        entries: list[Entry] = []
        for key in sorted(set(old_map) | set(new_map), key=str):
            entries += diff_values(old_map.get(key, _ABSENT), new_map.get(key, _ABSENT), (*path, key))
        return entries
    if isinstance(old, list) and isinstance(new, list):
        entries = []
        for index in range(max(len(old), len(new))):
            if index < len(old) and index < len(new):
                entries += diff_values(old[index], new[index], (*path, index))
            else:  # an item added or removed is one entry, whole
                entries.append(
                    Entry(
                        (*path, index),
                        old[index] if index < len(old) else None,
                        new[index] if index < len(new) else None,
                    )
                )
        return entries
    old_doc = _json_object(old) if old is not _ABSENT else {}
    new_doc = _json_object(new) if new is not _ABSENT else {}
    if old_doc is not None and new_doc is not None and (old is not _ABSENT or new is not _ABSENT):
        if old_doc == new_doc:
            return []  # the same JSON, written differently: nothing a reader of the JSON would see
        return diff_values(old_doc if old is not _ABSENT else _ABSENT, new_doc, (*path, JSON))
    return [Entry(path, None if old is _ABSENT else old, None if new is _ABSENT else new)]


def _mask_value(value: Any) -> Any:
    if value is None or value == "":
        return value  # an absent or empty credential is no secret, and saying so helps the reader
    if isinstance(value, Mapping):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(v) for v in value]
    return MASK


def _is_secret(path: PathSegments, secret_paths: Sequence[PathSegments]) -> bool:
    keys = [s for s in path if isinstance(s, str)]
    if keys and keys[-1] in SECRET_FIELDS:
        return True
    for secret in secret_paths:
        if path[: len(secret)] == secret:
            rest = path[len(secret) :]
            # Inside a secret JSON document (eni_conf with its credentials) only the credentials are secret;
            # anything else under a secret is masked whole.
            if not rest or not isinstance(rest[0], JsonInside):
                return True
    return False


def masked(entries: Sequence[Entry], secret_paths: Sequence[PathSegments]) -> list[Entry]:
    return [
        Entry(e.path, _mask_value(e.old), _mask_value(e.new)) if _is_secret(e.path, secret_paths) else e
        for e in entries
    ]


def _strip_type(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}


def object_change(
    kind: str,
    namespace: str,
    name: str,
    live: Mapping[str, Any] | None,
    body: Mapping[str, Any],
    secret_paths: Sequence[PathSegments] = (),
) -> ObjectChange:
    """How sending ``body`` (a server-side-apply patch or an upserted object) changes the live object.

    ``secret_paths`` are the places in ``body`` that hold secret values: they are masked in the entries.
    An object that does not exist yet is a ``create`` whose entries are every value the body sets.
    """
    sent = _strip_type(body)
    if kind in UNCOMPARED_KINDS:
        return ObjectChange(kind, namespace, name, WRITTEN, [], live, None)
    if live is None:
        entries = masked(diff_values(_ABSENT, sent), secret_paths)
        return ObjectChange(kind, namespace, name, CREATE, entries, None, sent)
    after = apply_patch(live, sent)
    entries = masked(diff_values(_strip_type(live), _strip_type(after)), secret_paths)
    return ObjectChange(kind, namespace, name, UPDATE if entries else SAME, entries, live, after)
