"""Validates rendered Kubernetes objects against the upstream OpenAPI schemas (``kubernetes-validate``).

The strict schemas are used, so a misspelt field is an error. A server-side-apply patch is a partial object:
for patches the schemas' ``required`` lists are dropped, and everything else (types, enums, unknown fields)
still holds. The tigera ``Installation`` has no upstream schema; the affinity it carries is validated against
the core ``Affinity`` definition.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate

from hybrid_terway.core import constants

KUBERNETES_VERSION = "1.33.0"
"""The Kubernetes API version the rendered objects are checked against (pinned; see docs/offline-preview.md)."""

_SCHEMA_ROOT = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
_SCHEMA_DIR = _SCHEMA_ROOT / f"v{KUBERNETES_VERSION}-local-strict"
_LENIENT_SCHEMA_DIR = _SCHEMA_ROOT / f"v{KUBERNETES_VERSION}-local"
"""Unknown fields allowed: for live objects of a snapshot, which a newer cluster may give newer fields."""


class SchemaError(Exception):
    """A rendered object does not validate (the preview exits 2: the program would send an invalid object)."""


def _drop_required(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_required(v) for k, v in node.items() if k != "required"}
    if isinstance(node, list):
        return [_drop_required(v) for v in node]
    return node


@functools.lru_cache(maxsize=2)
def _definitions(directory: Path = _SCHEMA_DIR) -> dict[str, Any]:
    return dict(json.loads((directory / "_definitions.json").read_text())["$defs"])


_REF = re.compile(r"^(?:/api/_definitions\.json)?#/\$defs/(.+)$")


def _local_refs(node: Any, found: set[str]) -> Any:
    """A copy of ``node`` whose definition references point into its own ``$defs``; collects their names."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and (match := _REF.match(value)):
                found.add(match.group(1))
                out[key] = f"#/$defs/{match.group(1)}"
            else:
                out[key] = _local_refs(value, found)
        return out
    if isinstance(node, list):
        return [_local_refs(v, found) for v in node]
    return node


@functools.lru_cache(maxsize=64)
def _validator(filename: str, partial: bool, strict: bool = True) -> jsonschema.protocols.Validator:
    """A self-contained schema: the kind's schema plus only the definitions it reaches (fast to build and use)."""
    directory = _SCHEMA_DIR if strict else _LENIENT_SCHEMA_DIR
    path = directory / filename
    if not path.is_file():
        raise SchemaError(f"no schema {filename} for Kubernetes {KUBERNETES_VERSION}")
    definitions = _definitions(directory)
    pending: set[str] = set()
    schema = _local_refs(json.loads(path.read_text()), pending)
    reached: dict[str, Any] = {}
    while pending:
        name = pending.pop()
        if name not in reached:
            found: set[str] = set()
            reached[name] = _local_refs(definitions[name], found)
            pending |= found - reached.keys()
    schema["$defs"] = reached
    if partial:
        schema = _drop_required(schema)
    return jsonschema.Draft202012Validator(schema)


def _schema_file(api_version: str, kind: str) -> str:
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{group_version}.json"


CRD_SCHEMAS = {
    ("crd.projectcalico.org/v1", "IPPool"): Path(__file__).parent / "schemas" / "ippool-crd-projectcalico-org-v1.json"
}
"""Custom resources the program sends, with their CRD's schema ported as data (cited in each file)."""


@functools.lru_cache(maxsize=4)
def _crd_validator(path: Path, partial: bool) -> jsonschema.protocols.Validator:
    schema = json.loads(path.read_text())
    return jsonschema.Draft202012Validator(_drop_required(schema) if partial else schema)


def validate_object(obj: Mapping[str, Any], *, partial: bool, strict: bool = True) -> list[str]:
    """Problems with ``obj`` (empty when it validates). ``partial``: a server-side-apply patch body.

    ``strict=False`` allows unknown fields (a live object of a snapshot: only the types are held to the schema).
    """
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    if api_version == constants.TIGERA_API_VERSION and kind == constants.TIGERA_INSTALLATION_KIND:
        target: Any = obj
        for key in constants.TIGERA_AFFINITY_PATH:
            target = target.get(key, {}) if isinstance(target, Mapping) else {}
        validator = _validator("affinity-v1.json", partial, strict)
        prefix = ".".join(constants.TIGERA_AFFINITY_PATH) + "."
    elif (api_version, kind) in CRD_SCHEMAS:
        target, prefix = obj, ""
        validator = _crd_validator(CRD_SCHEMAS[(api_version, kind)], partial)
    else:
        target, prefix = obj, ""
        validator = _validator(_schema_file(api_version, kind), partial, strict)
    problems = []
    for error in sorted(validator.iter_errors(target), key=lambda e: list(map(str, e.absolute_path))):
        where = prefix + ".".join(str(p) for p in error.absolute_path)
        problems.append(f"{kind} {_name(obj)}: {where or '(root)'}: {error.message}")
    return problems


def missing_required(obj: Mapping[str, Any]) -> list[str]:
    """The paths of the fields the schema requires that ``obj`` lacks (``spec.selector``), for an object the API
    server would create from it; empty for a kind without a schema here (a custom resource the preview does not
    know: its CRD decides)."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    if (api_version, kind) in CRD_SCHEMAS:
        validator = _crd_validator(CRD_SCHEMAS[(api_version, kind)], False)
    else:
        try:
            validator = _validator(_schema_file(api_version, kind), False, False)
        except SchemaError:
            return []
    missing = []
    for error in validator.iter_errors(obj):
        if error.validator == "required" and isinstance(error.instance, Mapping):
            at = "".join(f"{p}." for p in error.absolute_path)
            missing += [f"{at}{name}" for name in error.validator_value if name not in error.instance]
    return sorted(missing)


def _name(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return f"{meta.get('namespace')}/{meta.get('name')}" if meta.get("namespace") else str(meta.get("name"))
