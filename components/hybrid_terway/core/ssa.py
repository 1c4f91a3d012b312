"""Server-side apply as the Kubernetes API server does it: field sets, merge, ownership, conflicts and pruning.

Pure functions over plain data, read from kubernetes-sigs/structured-merge-diff 15d07547 (``typed/merge.go``,
``typed/compare.go``, ``typed/remove.go``, ``typed/tofieldset.go``, ``fieldpath/set.go``, ``merge/update.go``,
``merge/conflict.go``); the types from the upstream OpenAPI (``ssa_schema.py``). docs/cluster-model.md gives each
rule with its upstream file. ``apply_patch`` is the merge alone (no ownership): what a patch leaves behind.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from hybrid_terway.core.json_text import kind_of
from hybrid_terway.core.ssa_schema import TYPES

# --- types -----------------------------------------------------------------------------------------------------

TypeRef = Any
"""A definition name (a struct in ``TYPES``), an inline struct (``{"fields": {...}, "atomic": bool}``),
``"scalar"``, ``"untyped"`` (atomic, anything), ``"deduced"`` (by the
value: a map is granular, a list atomic), ``["list", relation, keys, element]`` or ``["map", relation, element]``."""

SCALAR: Final = "scalar"
UNTYPED: Final = "untyped"
DEDUCED: Final = "deduced"

INSTALLATION_TYPES: Final[dict[str, Any]] = {
    # operator.tigera.io/v1 Installation is a CustomResourceDefinition: the API server builds its merge schema from
    # the CRD's structural schema. The path this project patches is typed as tigera/operator's shipped CRD types it
    # (pkg/imports/crds/operator/operator.tigera.io_installations.yaml at 40788b9b): under
    # spec.calicoNodeDaemonSet.spec.template.spec the required node selector is `x-kubernetes-map-type: atomic`
    # and its terms `x-kubernetes-list-type: atomic` (as the Kubernetes Affinity type), nodeSelector a plain
    # (granular) map, tolerations, containers and initContainers lists without a list type (atomic); the CRD has
    # a status subresource. Every other field is deduced (granular maps, atomic lists).
    "operator.tigera.io.v1.Installation": {
        "atomic": False,
        "fields": {
            "apiVersion": SCALAR,
            "kind": SCALAR,
            "metadata": "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
            "spec": "operator.tigera.io.v1.InstallationSpec",
            "status": DEDUCED,
        },
    },
    "operator.tigera.io.v1.InstallationSpec": {
        "atomic": False,
        "fields": {"calicoNodeDaemonSet": "operator.tigera.io.v1.CalicoNodeDaemonSet"},
        "open": True,
    },
    "operator.tigera.io.v1.CalicoNodeDaemonSet": {
        "atomic": False,
        "fields": {"metadata": DEDUCED, "spec": "operator.tigera.io.v1.CalicoNodeDaemonSetSpec"},
        "open": True,
    },
    "operator.tigera.io.v1.CalicoNodeDaemonSetSpec": {
        "atomic": False,
        "fields": {"template": "operator.tigera.io.v1.CalicoNodeDaemonSetPodTemplateSpec"},
        "open": True,
    },
    "operator.tigera.io.v1.CalicoNodeDaemonSetPodTemplateSpec": {
        "atomic": False,
        "fields": {"metadata": DEDUCED, "spec": "operator.tigera.io.v1.CalicoNodeDaemonSetPodSpec"},
        "open": True,
    },
    "operator.tigera.io.v1.CalicoNodeDaemonSetPodSpec": {
        "atomic": False,
        "fields": {
            "affinity": "io.k8s.api.core.v1.Affinity",
            "containers": ["list", "atomic", [], UNTYPED],
            "initContainers": ["list", "atomic", [], UNTYPED],
            "nodeSelector": ["map", "granular", SCALAR],
            "tolerations": ["list", "atomic", [], UNTYPED],
        },
        "open": True,
    },
}
"""An ``open`` struct takes fields it does not declare as deduced (``x-kubernetes-preserve-unknown-fields``)."""

ALL_TYPES: Final[dict[str, Any]] = {**TYPES, **INSTALLATION_TYPES}

ROOT_TYPES: Final[dict[tuple[str, str], str]] = {
    ("apps/v1", "DaemonSet"): "io.k8s.api.apps.v1.DaemonSet",
    ("apps/v1", "Deployment"): "io.k8s.api.apps.v1.Deployment",
    ("apps/v1", "StatefulSet"): "io.k8s.api.apps.v1.StatefulSet",
    ("v1", "ConfigMap"): "io.k8s.api.core.v1.ConfigMap",
    ("v1", "Secret"): "io.k8s.api.core.v1.Secret",
    ("v1", "Service"): "io.k8s.api.core.v1.Service",
    ("operator.tigera.io/v1", "Installation"): "operator.tigera.io.v1.Installation",
}
"""The kinds this project writes or reads, by (apiVersion, kind). Any other kind is deduced whole."""

POD_SPEC: Final = "io.k8s.api.core.v1.PodSpec"


def root_type(api_version: str, kind: str) -> TypeRef:
    return ROOT_TYPES.get((api_version, kind), DEDUCED)


class SchemaError(ValueError):
    """A value that does not fit its type (the API server's 400/422 for a malformed body)."""


@dataclass(frozen=True)
class _Atom:
    shape: str  # "scalar" (a leaf: scalars and atomic values), "list" (associative), "map" (granular)
    element: TypeRef = None
    fields: Mapping[str, TypeRef] | None = None
    keys: tuple[str, ...] = ()
    set_list: bool = False
    open: bool = False


_LEAF = _Atom("scalar")


def _resolve(t: TypeRef, value: Any) -> _Atom:
    """What ``t`` is for ``value`` (a deduced type looks at the value)."""
    if t == DEDUCED:
        return _Atom("map", element=DEDUCED) if isinstance(value, Mapping) else _LEAF
    if t in (SCALAR, UNTYPED) or t is None:
        return _LEAF
    if isinstance(t, list):
        if t[0] == "list":
            _, relation, keys, element = t
            if relation == "atomic":
                return _LEAF
            return _Atom("list", element=element, keys=tuple(keys), set_list=relation == "set")
        _, relation, element = t
        return _LEAF if relation == "atomic" else _Atom("map", element=element)
    definition = t if isinstance(t, Mapping) else ALL_TYPES[t]
    if definition.get("atomic"):
        return _LEAF
    return _Atom("map", fields=definition["fields"], open=bool(definition.get("open")), element=None)


def _field_type(atom: _Atom, name: str) -> TypeRef:
    if atom.fields is not None:
        if name in atom.fields:
            return atom.fields[name]
        return DEDUCED  # an undeclared field: kept, as deduced (see docs/cluster-model.md)
    return atom.element


def _declared(atom: _Atom, name: str) -> bool:
    return atom.fields is not None and name in atom.fields


def _check_shape(atom: _Atom, value: Any, where: Path) -> None:
    if value is None:
        return
    if atom.shape == "map" and not isinstance(value, Mapping):
        raise SchemaError(f"{path_string(where) or '.'}: expected map, got {kind_of(value)}")
    if atom.shape == "list" and not isinstance(value, list):
        raise SchemaError(f"{path_string(where) or '.'}: expected list, got {kind_of(value)}")


# --- paths -----------------------------------------------------------------------------------------------------

PathElement = tuple[str, Any]
"""``("f", name)``, ``("k", '{"name":"x"}')`` (the key fields as JSON, sorted by name), ``("v", '"x"')`` (a set
item as JSON) or ``("i", index)``: the four kinds of ``fieldpath.PathElement``."""
Path = tuple[PathElement, ...]
FieldSet = frozenset[Path]

EMPTY: Final[FieldSet] = frozenset()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _go_string(value: Any) -> str:
    """``value.ToString`` of structured-merge-diff: strings quoted as Go's %q, numbers and bools bare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(_go_string(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "".join(f"{k}={_go_string(v)}" for k, v in value.items())
    return str(value)


def element_string(pe: PathElement) -> str:
    """``PathElement.String()`` (``fieldpath/element.go``): ``.name``, ``[name="x"]``, ``[="x"]``, ``[3]``."""
    tag, payload = pe
    if tag == "f":
        return "." + str(payload)
    if tag == "k":
        fields = json.loads(payload)
        return "[" + ",".join(f"{k}={_go_string(v)}" for k, v in fields.items()) + "]"
    if tag == "v":
        return f"[={_go_string(json.loads(payload))}]"
    return f"[{payload}]"


def path_string(path: Path) -> str:
    """``fieldpath.Path.String()``: ``.spec.template.spec.containers[name="calico-node"].image``."""
    return "".join(element_string(pe) for pe in path)


def _item_element(atom: _Atom, item: Any, where: Path) -> PathElement:
    """``listItemToPathElement``: the key of an associative list's item."""
    if atom.keys:
        if not isinstance(item, Mapping):
            raise SchemaError(f"{path_string(where)}: associative list with keys has an element that is not a map")
        fields = {}
        for key in atom.keys:
            if key not in item:
                if key == "protocol":
                    fields[key] = "TCP"  # the OpenAPI default of every "protocol" list key (ports)
                    continue
                raise SchemaError(
                    f"{path_string(where)}: associative list with keys has an element that omits key field "
                    f'"{key}" (and doesn\'t have default value)'
                )
            fields[key] = item[key]
        return ("k", _json(dict(sorted(fields.items()))))
    if isinstance(item, (Mapping, list)):
        raise SchemaError(f"{path_string(where)}: associative list without keys has an element that's a map type")
    return ("v", _json(item))


# --- field sets ------------------------------------------------------------------------------------------------


def field_set(value: Any, t: TypeRef) -> FieldSet:
    """``TypedValue.ToFieldSet``: the fields ``value`` sets (the root itself is not one)."""
    out: set[Path] = set()
    _field_set(value, t, (), out)
    out.discard(())
    return frozenset(out)


def _field_set(value: Any, t: TypeRef, path: Path, out: set[Path]) -> None:
    atom = _resolve(t, value)
    _check_shape(atom, value, path)
    if atom.shape == "scalar" or value is None:
        out.add(path)
        return
    if atom.shape == "list":
        seen: dict[PathElement, int] = {}
        elements = [_item_element(atom, item, path) for item in value]
        for pe in elements:
            seen[pe] = seen.get(pe, 0) + 1
        for item, pe in zip(value, elements, strict=True):
            child = (*path, pe)
            if seen[pe] > 1:
                out.add(child)  # a duplicated item is owned whole
                continue
            _field_set(item, atom.element, child, out)
            out.add(child)
        return
    for key, item in value.items():
        child = (*path, ("f", key))
        _field_set(item, _field_type(atom, key), child, out)
        if item is None or (isinstance(item, Mapping) and not item) or not _declared(atom, key):
            out.add(child)


def with_prefix(fields: Iterable[Path], pe: PathElement) -> FieldSet:
    """``Set.WithPrefix``: the paths under ``pe``, with ``pe`` taken off."""
    return frozenset(p[1:] for p in fields if len(p) > 1 and p[0] == pe)


def ensure_named_fields(fields: FieldSet, t: TypeRef) -> FieldSet:
    """``Set.EnsureNamedFieldsAreMembers``: every declared struct field on the way to a member is a member too."""
    out = set(fields)
    for path in fields:
        current: TypeRef = t
        for depth, pe in enumerate(path[:-1]):
            atom = _resolve(current, {})
            tag, payload = pe
            if tag == "f" and atom.shape == "map":
                if _declared(atom, payload):
                    out.add(path[: depth + 1])
                current = _field_type(atom, payload)
            elif tag == "k" and atom.shape == "list":
                current = atom.element
            else:
                current = None
    return frozenset(out)


# --- merge, compare, remove ------------------------------------------------------------------------------------

_ABSENT: Any = object()


def _same(a: Any, b: Any) -> bool:
    """Deep equality as ``value.Equals``: a bool never equals a number; 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (Mapping, list)) or isinstance(b, (Mapping, list)):
        return False
    if _number(a) and _number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _empty(value: Any) -> bool:
    return value is _ABSENT or value is None or (isinstance(value, (Mapping, list)) and not value)


def merge(live: Any, applied: Any, t: TypeRef) -> Any:
    """``TypedValue.Merge``: ``applied`` over ``live`` (neither is changed)."""
    out = _merge(live, applied, t, ())
    return None if out is _ABSENT else out


def _merge(lhs: Any, rhs: Any, t: TypeRef, path: Path) -> Any:
    if rhs is _ABSENT:
        return lhs if lhs is _ABSENT else copy.deepcopy(lhs)
    probe = rhs if rhs is not None else lhs
    atom = _resolve(t, probe)
    _check_shape(atom, rhs, path)
    if lhs is not _ABSENT:
        latom = _resolve(t, lhs)
        if latom.shape != atom.shape:
            return copy.deepcopy(rhs)
    if atom.shape == "scalar" or (_empty(lhs) and _empty(rhs)):
        return copy.deepcopy(rhs)
    if atom.shape == "list":
        return _merge_list(atom, lhs if isinstance(lhs, list) else [], rhs if isinstance(rhs, list) else [], path)
    left = lhs if isinstance(lhs, Mapping) else {}
    right = rhs if isinstance(rhs, Mapping) else {}
    out: dict[str, Any] = {}
    for key in [*left, *(k for k in right if k not in left)]:
        merged = _merge(left.get(key, _ABSENT), right.get(key, _ABSENT), _field_type(atom, key), (*path, ("f", key)))
        if merged is not _ABSENT:
            out[key] = merged
    return out


def _index(atom: _Atom, items: list[Any], path: Path, duplicates: bool) -> tuple[list[PathElement], dict[Any, Any]]:
    elements: list[PathElement] = []
    observed: dict[PathElement, Any] = {}
    for item in items:
        pe = _item_element(atom, item, path)
        if pe in observed:
            if not duplicates:
                raise SchemaError(f"{path_string(path)}: duplicate entries for key {element_string(pe)}")
            observed[pe] = _ABSENT  # duplicated items are not merged
        else:
            observed[pe] = item
        elements.append(pe)
    return elements, observed


def _merge_list(atom: _Atom, lhs: list[Any], rhs: list[Any], path: Path) -> list[Any]:
    """``mergingWalker.visitListItems``: shared items in the applied order, live-only items where they were."""
    rhs_pes, observed_rhs = _index(atom, rhs, path, duplicates=False)
    lhs_pes, observed_lhs = _index(atom, lhs, path, duplicates=True)
    shared = [pe for pe in rhs_pes if pe in observed_lhs]
    next_shared = shared.pop(0) if shared else None
    merged_rhs: set[PathElement] = set()
    out: list[Any] = []

    def item(pe: PathElement, left: Any, right: Any) -> None:
        merged = _merge(left, right, atom.element, (*path, pe))
        if merged is not _ABSENT:
            out.append(merged)

    li = ri = 0
    while li < len(lhs_pes) or ri < len(rhs_pes):
        if li < len(lhs_pes) and ri < len(rhs_pes):
            pe = lhs_pes[li]
            if pe == rhs_pes[ri]:
                merged_rhs.add(pe)
                item(pe, observed_lhs[pe], observed_rhs[pe])
                li += 1
                ri += 1
                next_shared = shared.pop(0) if shared else None
                continue
            if pe in observed_rhs and next_shared is not None and next_shared != pe:
                li += 1
                continue
        if li < len(lhs_pes):
            pe = lhs_pes[li]
            if pe not in observed_rhs:
                item(pe, lhs[li], _ABSENT)
                li += 1
                continue
            if pe in merged_rhs:
                li += 1
        if ri < len(rhs_pes):
            pe = rhs_pes[ri]
            merged_rhs.add(pe)
            item(pe, observed_lhs.get(pe, _ABSENT), observed_rhs[pe])
            ri += 1
            if next_shared is not None and next_shared == pe:
                next_shared = shared.pop(0) if shared else None
    return out


@dataclass(frozen=True)
class Comparison:
    modified: FieldSet = EMPTY
    added: FieldSet = EMPTY
    removed: FieldSet = EMPTY

    @property
    def same(self) -> bool:
        return not (self.modified or self.added or self.removed)


def compare(old: Any, new: Any, t: TypeRef) -> Comparison:
    """``TypedValue.Compare``: the fields ``new`` modifies, adds and removes against ``old``."""
    modified: set[Path] = set()
    added: set[Path] = set()
    removed: set[Path] = set()
    _compare(old, new, t, (), modified, added, removed)
    for found in (modified, added, removed):
        found.discard(())
    return Comparison(frozenset(modified), frozenset(added), frozenset(removed))


def _compare(lhs: Any, rhs: Any, t: TypeRef, path: Path, mod: set[Path], add: set[Path], rem: set[Path]) -> None:
    if lhs is _ABSENT and rhs is _ABSENT:
        return
    atom = _resolve(t, rhs if rhs is not _ABSENT and rhs is not None else lhs)
    other = _resolve(t, lhs if lhs is not _ABSENT and lhs is not None else rhs)
    leaf = atom.shape == "scalar" or atom.shape != other.shape
    if leaf or (_empty(lhs) and _empty(rhs)) or lhs is None or rhs is None:
        if lhs is _ABSENT:
            add.add(path)
        elif rhs is _ABSENT:
            rem.add(path)
        elif not _same(lhs, rhs):
            mod.add(path)
        return
    # A map or list present on one side only is itself added or removed, and so is everything in it.
    if lhs is _ABSENT:
        add.add(path)
    elif rhs is _ABSENT:
        rem.add(path)
    if atom.shape == "list":
        left = lhs if isinstance(lhs, list) else []
        right = rhs if isinstance(rhs, list) else []
        lvalues: dict[PathElement, list[Any]] = {}
        rvalues: dict[PathElement, list[Any]] = {}
        order: list[PathElement] = []
        for items, values in ((left, lvalues), (right, rvalues)):
            for entry in items:
                pe = _item_element(atom, entry, path)
                if pe not in lvalues and pe not in rvalues:
                    order.append(pe)
                values.setdefault(pe, []).append(entry)
        for pe in order:
            ls, rs = lvalues.get(pe, []), rvalues.get(pe, [])
            child = (*path, pe)
            if len(ls) >= 2 and len(rs) >= 2:
                if not _same(ls, rs):
                    mod.add(child)
            elif len(ls) >= 2:
                if rs:
                    _compare(_ABSENT, rs[0], atom.element, child, mod, add, rem)
                rem.add(child)
            elif len(rs) >= 2:
                if ls:
                    _compare(ls[0], _ABSENT, atom.element, child, mod, add, rem)
                add.add(child)
            else:
                _compare(ls[0] if ls else _ABSENT, rs[0] if rs else _ABSENT, atom.element, child, mod, add, rem)
        return
    left_map = lhs if isinstance(lhs, Mapping) else {}
    right_map = rhs if isinstance(rhs, Mapping) else {}
    for key in [*left_map, *(k for k in right_map if k not in left_map)]:
        _compare(
            left_map.get(key, _ABSENT),
            right_map.get(key, _ABSENT),
            _field_type(atom, key),
            (*path, ("f", key)),
            mod,
            add,
            rem,
        )


def remove_items(value: Any, fields: FieldSet, t: TypeRef) -> Any:
    """``TypedValue.RemoveItems``: ``value`` without the members of ``fields``; a map or list that the removal
    empties is left null under its key (the API server's conversion to its typed objects then drops it)."""
    out = _remove(value, fields, t)
    return {} if out is _ABSENT else out


def _remove(value: Any, fields: FieldSet, t: TypeRef) -> Any:
    atom = _resolve(t, value)
    if atom.shape == "scalar" or value is None:
        return value
    if not value:
        return _ABSENT
    if atom.shape == "list":
        items = []
        for entry in value:
            pe = _item_element(atom, entry, ())
            if (pe,) in fields:
                continue
            sub = with_prefix(fields, pe)
            if sub:
                entry = _remove(entry, sub, atom.element)
                if entry is _ABSENT:
                    entry = {}
            items.append(entry)
        return items if items else _ABSENT
    out: dict[str, Any] = {}
    for key, entry in value.items():
        pe = ("f", key)
        if (pe,) in fields:
            continue
        sub = with_prefix(fields, pe)
        if sub:
            entry = _remove(entry, sub, _field_type(atom, key))
            if entry is _ABSENT:
                entry = None  # a map or list emptied by the removal stays, null (typed/remove.go)
        out[key] = entry
    return out if out else _ABSENT


def apply_patch(live: Mapping[str, Any], patch: Mapping[str, Any], t: TypeRef | None = None) -> dict[str, Any]:
    """What a server-side apply of ``patch`` leaves of ``live`` (the merge, no ownership). ``t``: the type of both,
    by default the root type of their ``apiVersion``/``kind`` (deduced when neither says). Neither is changed."""
    if t is None:
        typed = patch if patch.get("kind") else live
        t = root_type(str(typed.get("apiVersion", "")), str(typed.get("kind", "")))
    merged = merge(dict(live), dict(patch), t)
    return dict(merged) if isinstance(merged, Mapping) else {}


# --- managed fields --------------------------------------------------------------------------------------------

APPLY: Final = "Apply"
UPDATE: Final = "Update"


@dataclass(frozen=True)
class Manager:
    """A manager identifier, as ``BuildManagerIdentifier`` builds it: an applier is one entry whatever its
    apiVersion; an updater is one entry per apiVersion. ``subresource`` is "" for the main resource."""

    name: str
    operation: str
    api_version: str = ""
    subresource: str = ""

    def printed(self) -> str:
        """``printManager`` of ``managedfields/internal/conflict.go``: ``"helm" using apps/v1`` for an updater."""
        out = json.dumps(self.name, ensure_ascii=False)
        if self.subresource:
            out += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == UPDATE:
            out += f" using {self.api_version}"
        return out


@dataclass(frozen=True)
class Owned:
    fields: FieldSet
    api_version: str
    time: str = ""


ManagedFields = dict[Manager, Owned]


class Conflicts(Exception):
    """``merge.Conflicts``: fields another manager owns that an apply changes, in the API server's words."""

    def __init__(self, conflicts: list[tuple[Manager, Path]]) -> None:
        self.conflicts = conflicts
        super().__init__(conflict_message(conflicts))


def _iteration_order(fields: Iterable[Path]) -> list[Path]:
    """``Set.Iterate``: at each level the members first, then the children, each in ``PathElement`` order."""

    def rank(pe: PathElement) -> tuple[int, Any]:
        tag, payload = pe
        return ({"f": 0, "k": 1, "v": 2, "i": 3}[tag], payload if tag != "i" else int(payload))

    def walk(paths: list[Path], prefix: Path) -> list[Path]:
        members = sorted({p[0] for p in paths if len(p) == 1}, key=rank)
        children = sorted({p[0] for p in paths if len(p) > 1}, key=rank)
        out = [(*prefix, pe) for pe in members]
        for pe in children:
            out += walk([p[1:] for p in paths if len(p) > 1 and p[0] == pe], (*prefix, pe))
        return out

    return walk(list(fields), ())


def conflicts_from_managers(sets: Mapping[Manager, FieldSet]) -> list[tuple[Manager, Path]]:
    """``ConflictsFromManagers``: one conflict per field, managers by identifier, fields in ``Set.Iterate`` order."""
    return [(manager, path) for manager in sorted(sets, key=_identifier) for path in _iteration_order(sets[manager])]


def conflict_message(conflicts: list[tuple[Manager, Path]]) -> str:
    """``getConflictMessage`` (kubernetes ``staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/
    conflict.go``): one conflict on one line; several grouped by manager, managers sorted by identifier."""
    if len(conflicts) == 1:
        manager, path = conflicts[0]
        return f"Apply failed with 1 conflict: conflict with {manager.printed()}: {path_string(path)}"
    by_manager: dict[Manager, list[Path]] = {}
    for manager, path in conflicts:
        by_manager.setdefault(manager, []).append(path)
    lines: list[str] = []
    for manager in sorted(by_manager, key=_identifier):
        lines.append(f"conflicts with {manager.printed()}:")
        lines += [f"- {path_string(p)}" for p in by_manager[manager]]
    return f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)


def _identifier(manager: Manager) -> str:
    """The JSON manager identifier the API server sorts by (``BuildManagerIdentifier``)."""
    entry: dict[str, str] = {"manager": manager.name, "operation": manager.operation}
    if manager.operation == UPDATE:
        entry["apiVersion"] = manager.api_version
    if manager.subresource:
        entry["subresource"] = manager.subresource
    return json.dumps(entry, separators=(",", ":"))


def _without_ignored(fields: FieldSet, ignored: Iterable[Path]) -> FieldSet:
    """``Set.RecursiveDifference`` with an exclude filter: nothing at or under an ignored path."""
    prefixes = tuple(ignored)
    return frozenset(p for p in fields if not any(p[: len(i)] == i for i in prefixes))


def _update_ownership(
    old: Any,
    new: Any,
    t: TypeRef,
    managers: ManagedFields,
    acting: Manager | None,
    force: bool,
    ignored: Iterable[Path],
) -> tuple[ManagedFields, Comparison]:
    """``Updater.update``: strip from the other managers what this write changes (a conflict unless forced) and
    what it removes."""
    found = compare(old, new, t)
    ignored = tuple(ignored)
    comparison = Comparison(
        _without_ignored(found.modified, ignored),
        _without_ignored(found.added, ignored),
        _without_ignored(found.removed, ignored),
    )
    changed = comparison.modified | comparison.added
    conflicts: dict[Manager, FieldSet] = {}
    for manager, owned in managers.items():
        if manager == acting:
            continue
        overlap = owned.fields & changed
        if overlap:
            conflicts[manager] = overlap
    if conflicts and not force:
        raise Conflicts(conflicts_from_managers(conflicts))
    out: ManagedFields = {}
    for manager, owned in managers.items():
        if manager == acting:
            out[manager] = owned
            continue
        kept = owned.fields - conflicts.get(manager, EMPTY) - comparison.removed
        if kept:
            out[manager] = Owned(kept, owned.api_version, owned.time)
    return out, comparison


def _prune(merged: Any, t: TypeRef, managers: ManagedFields, last: FieldSet) -> Any:
    """``Updater.prune``: remove what the applier applied last time and not now, unless someone owns it."""
    if not last:
        return merged
    last_named = ensure_named_fields(last, t)
    pruned = remove_items(merged, last_named, t)
    owned: set[Path] = set()
    for entry in managers.values():
        owned |= entry.fields
    merged_set = ensure_named_fields(field_set(merged, t), t)
    pruned_set = ensure_named_fields(field_set(pruned, t), t)
    pruned = remove_items(merged, merged_set - (pruned_set | ensure_named_fields(frozenset(owned), t)), t)
    pruned_set = ensure_named_fields(field_set(pruned, t), t)
    return remove_items(merged, (merged_set - pruned_set) & last_named, t)


STRIPPED: Final[FieldSet] = frozenset(
    {
        (("f", "apiVersion"),),
        (("f", "kind"),),
        (("f", "metadata"),),
        *((("f", "metadata"), ("f", name)) for name in (
            "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
            "managedFields", "resourceVersion",
        )),
    }
)  # fmt: skip
"""``NewStripMetaManager`` (``managedfields/internal/stripmeta.go``): never part of a manager's set."""


@dataclass(frozen=True)
class Outcome:
    """What a write leaves: the object (None when an apply changes nothing) and the managed fields."""

    obj: dict[str, Any] | None
    managed: ManagedFields
    comparison: Comparison


def apply(
    live: Mapping[str, Any],
    applied: Mapping[str, Any],
    t: TypeRef,
    managers: ManagedFields,
    manager: Manager,
    force: bool,
    api_version: str,
    ignored: Iterable[Path] = (),
) -> Outcome:
    """``Updater.Apply`` with the API server's strip of metadata: raises ``Conflicts`` unless ``force``.
    ``api_version``: the version applied (recorded with the applier's fields)."""
    ignored = tuple(ignored)
    merged = merge(dict(live), dict(applied), t)
    last = managers.get(manager)
    claimed = _without_ignored(field_set(applied, t), ignored) - STRIPPED
    working = dict(managers)
    working[manager] = Owned(claimed, api_version, last.time if last else "")
    pruned = _prune(merged, t, working, last.fields if last else EMPTY)
    result, comparison = _update_ownership(live, pruned, t, working, manager, force, ignored)
    if not result[manager].fields:
        del result[manager]
    changed = not _same(dict(live), pruned)
    return Outcome(pruned if changed else None, result, comparison)


def update(
    live: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    t: TypeRef,
    managers: ManagedFields,
    manager: Manager,
    ignored: Iterable[Path] = (),
) -> Outcome:
    """``Updater.Update`` (through ``managedFieldsUpdater``): the updater takes what it changes and adds."""
    ignored = tuple(ignored)
    old: Any = dict(live) if live is not None else {}
    result, comparison = _update_ownership(old, dict(new), t, managers, None, True, ignored)
    taken = (comparison.modified | comparison.added) - STRIPPED
    previous = result.get(manager)
    fields = ((previous.fields if previous else EMPTY) - comparison.removed) | taken
    if taken:
        result[manager] = Owned(fields, manager.api_version, previous.time if previous else "")
    elif previous is not None and not fields:
        del result[manager]
    return Outcome(dict(new), result, comparison)


# --- fieldsV1 --------------------------------------------------------------------------------------------------


def _serialize_element(pe: PathElement) -> str:
    tag, payload = pe
    return f"{tag}:{payload}"


def fields_v1(fields: FieldSet) -> dict[str, Any]:
    """``Set.ToJSON`` (``fieldpath/serialize.go``): ``f:``/``k:``/``v:``/``i:`` keys, ``.`` for a member with
    children, in ``PathElement`` order."""

    def rank(pe: PathElement) -> tuple[int, str]:
        tag, payload = pe
        return ({"f": 0, "k": 1, "v": 2, "i": 3}[tag], str(payload).zfill(12) if tag == "i" else str(payload))

    def build(paths: list[Path], member: bool) -> dict[str, Any]:
        heads = sorted({p[0] for p in paths}, key=rank)
        out: dict[str, Any] = {}
        if member and heads:
            out["."] = {}
        for pe in heads:
            rest = [p[1:] for p in paths if p[0] == pe and len(p) > 1]
            is_member = any(p[0] == pe and len(p) == 1 for p in paths)
            out[_serialize_element(pe)] = build(rest, is_member) if rest else {}
        return out

    return build([p for p in fields if p], False)


def parse_fields_v1(document: Mapping[str, Any], where: str = "fieldsV1") -> FieldSet:
    """``SetFromJSON``: the field set a ``fieldsV1`` document holds."""
    out: set[Path] = set()

    def walk(node: Mapping[str, Any], prefix: Path) -> None:
        for key, child in node.items():
            if key == ".":
                out.add(prefix)
                continue
            tag, sep, payload = key.partition(":")
            if not sep or tag not in ("f", "k", "v", "i"):
                raise SchemaError(f"{where}: {key!r} is not a field path element (f:, k:, v:, i:)")
            if not isinstance(child, Mapping):
                raise SchemaError(f"{where}: {key!r} holds {kind_of(child)}, not a map")
            if tag in ("k", "v"):
                try:
                    decoded = json.loads(payload)
                except ValueError:
                    raise SchemaError(f"{where}: {key!r} does not hold JSON after {tag}:") from None
                if tag == "k" and not isinstance(decoded, Mapping):
                    raise SchemaError(f"{where}: {key!r} does not hold a JSON object after k:")
                pe: PathElement = (tag, _json(dict(sorted(decoded.items())) if tag == "k" else decoded))
            elif tag == "i":
                pe = (tag, int(payload))
            else:
                pe = (tag, payload)
            path = (*prefix, pe)
            if child:
                walk(child, path)
            else:
                out.add(path)

    walk(document, ())
    out.discard(())
    return frozenset(out)


def encode_managed_fields(managed: ManagedFields) -> list[dict[str, Any]]:
    """``encodeManagedFields``: ``metadata.managedFields`` entries, sorted as the API server sorts them
    (operation, time, manager, apiVersion, subresource)."""
    entries = []
    for manager, owned in managed.items():
        entry: dict[str, Any] = {
            "apiVersion": owned.api_version,
            "fieldsType": "FieldsV1",
            "fieldsV1": fields_v1(owned.fields),
            "manager": manager.name,
            "operation": manager.operation,
        }
        if manager.subresource:
            entry["subresource"] = manager.subresource
        if owned.time:
            entry["time"] = owned.time
        entries.append(entry)
    entries.sort(
        key=lambda e: (e["operation"], e.get("time", ""), e["manager"], e["apiVersion"], e.get("subresource", ""))
    )
    return entries


def decode_managed_fields(entries: Any, where: str = "metadata.managedFields") -> ManagedFields:
    """``DecodeManagedFields``: the managers of ``metadata.managedFields``; an entry the API server could not
    decode is an error naming it."""
    if not isinstance(entries, list):
        raise SchemaError(f"{where}: is {kind_of(entries)}, not a list")
    out: ManagedFields = {}
    for index, entry in enumerate(entries):
        at = f"{where}[{index}]"
        if not isinstance(entry, Mapping):
            raise SchemaError(f"{at}: is {kind_of(entry)}, not a map")
        operation = entry.get("operation")
        if operation not in (APPLY, UPDATE):
            raise SchemaError(f"{at}: operation must be `Apply` or `Update`")
        api_version = entry.get("apiVersion")
        if not isinstance(api_version, str) or not api_version:
            raise SchemaError(f"{at}: apiVersion must not be empty")
        if entry.get("fieldsType") != "FieldsV1":
            raise SchemaError(f"{at}: fieldsType must be FieldsV1, not {entry.get('fieldsType')!r}")
        name = entry.get("manager")
        subresource = entry.get("subresource") or ""
        manager = Manager(
            str(name or ""), operation, api_version if operation == UPDATE else "", str(subresource)
        )
        fields = entry.get("fieldsV1") or {}
        if not isinstance(fields, Mapping):
            raise SchemaError(f"{at}.fieldsV1: is {kind_of(fields)}, not a map")
        out[manager] = Owned(parse_fields_v1(fields, f"{at}.fieldsV1"), api_version, str(entry.get("time") or ""))
    return out
