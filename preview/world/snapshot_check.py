"""Structure of the objects in a cluster snapshot, checked before anything uses them.

What the API server would never have admitted (and so a snapshot of a real cluster never holds) is a snapshot
error naming the object (``kind namespace/name``) and the field: wrong JSON types, labels that are not strings,
a workload without ``spec.template``, a node selector requirement with an operator Kubernetes does not know or
the wrong number of values (``ValidateNodeSelectorRequirement`` in kubernetes ``pkg/apis/core/validation``), an
object listed twice, two tigera ``Installation`` objects (the operator reconciles only ``default``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hybrid_terway.core import constants, json_text, scheduling, ssa

_APPS_KINDS = ("DaemonSet", "Deployment", "StatefulSet")
_MATCH_EXPRESSION_OPERATORS = scheduling.OPERATORS
_MATCH_FIELD_OPERATORS = ("In", "NotIn")
MAX_REPORTED = 25


def describe(obj: Mapping[str, Any]) -> str:
    """``kind namespace/name``, or ``kind name`` for a cluster-scoped object."""
    meta: Mapping[str, Any] = obj["metadata"] if isinstance(obj.get("metadata"), Mapping) else {}
    namespace, name = meta.get("namespace"), meta.get("name")
    return f"{obj.get('kind')} {namespace}/{name}" if namespace else f"{obj.get('kind')} {name}"


type_name = json_text.kind_of


def as_label_string(value: object) -> str | None:
    """The string a scalar stands for, as the API server would hold it: what a quoted fix should write.

    An unquoted ``true`` in a snapshot is YAML's boolean; the node carries the string ``"true"`` (never Python's
    ``"True"``, which no selector of ``alibabacloud.com/external=true`` matches). A number is its decimal text,
    null the empty string. A mapping or a list stands for no string: None.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if value is None:
        return ""
    return None


def quote_it(key: str | None, value: object) -> str:
    """`` (quote it: key: "value")``, the fix of a scalar that must be a string; empty for a mapping or list."""
    text = as_label_string(value)
    if text is None:
        return ""
    return f' (quote it: {key}: "{text}")' if key is not None else f' (quote it: "{text}")'


class _Checker:
    def __init__(self, obj: Mapping[str, Any]) -> None:
        self.what = describe(obj)
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{self.what}: {path}: {message}")

    def mapping(self, value: object, path: str, required: bool = False) -> Mapping[str, Any] | None:
        if value is None:
            if required:
                self.problem(path, "is required")
            return None
        if not isinstance(value, Mapping):
            self.problem(path, f"must be a mapping, not {type_name(value)}")
            return None
        return value

    def sequence(self, value: object, path: str) -> Sequence[Any]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(path, f"must be a list, not {type_name(value)}")
            return ()
        return value

    def string(self, value: object, path: str, required: bool = False) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str):
            self.problem(path, f"must be a string, not {type_name(value)}")
            return None
        return value

    def string_map(self, value: object, path: str) -> None:
        if json_text.is_string_map(value):
            return
        mapping = self.mapping(value, path)
        for key, item in (mapping or {}).items():
            if not isinstance(key, str):
                self.problem(f"{path}", f"key {key!r} must be a string, not {type_name(key)}")
            elif not isinstance(item, str):
                self.problem(f"{path}.{key}", f"must be a string, not {type_name(item)}{quote_it(key, item)}")

    def requirement(self, raw: object, path: str, operators: Sequence[str]) -> None:
        requirement = self.mapping(raw, path)
        if requirement is None:
            return
        key = self.string(requirement.get("key"), f"{path}.key", required=True)
        operator = self.string(requirement.get("operator"), f"{path}.operator", required=True)
        values = self.sequence(requirement.get("values"), f"{path}.values")
        for i, value in enumerate(values):
            if value is not None and not isinstance(value, str):
                self.problem(f"{path}.values[{i}]", f"must be a string, not {type_name(value)}{quote_it(None, value)}")
            else:
                self.string(value, f"{path}.values[{i}]", required=True)
        if operator is None or key is None:
            return
        if operator not in operators:
            self.problem(f"{path}.operator", f"{operator!r} is not one of {', '.join(operators)}")
        elif operator in ("In", "NotIn") and not values:
            self.problem(f"{path}.values", f"{operator} needs at least one value")
        elif operator in ("Exists", "DoesNotExist") and values:
            self.problem(f"{path}.values", f"{operator} takes no values")
        elif operator in ("Gt", "Lt") and len(values) != 1:
            self.problem(f"{path}.values", f"{operator} needs exactly one value")
        if operators is _MATCH_EXPRESSION_OPERATORS and not scheduling.is_qualified_name(key):
            self.problem(f"{path}.key", f"{key!r} is not a valid label key")

    def term(self, raw: object, path: str) -> None:
        term = self.mapping(raw, path)
        if term is None:
            return
        for i, expression in enumerate(self.sequence(term.get("matchExpressions"), f"{path}.matchExpressions")):
            self.requirement(expression, f"{path}.matchExpressions[{i}]", _MATCH_EXPRESSION_OPERATORS)
        for i, field in enumerate(self.sequence(term.get("matchFields"), f"{path}.matchFields")):
            self.requirement(field, f"{path}.matchFields[{i}]", _MATCH_FIELD_OPERATORS)

    def pod_spec(self, raw: object, path: str) -> None:
        spec = self.mapping(raw, path)
        if spec is None:
            return
        self.string_map(spec.get("nodeSelector"), f"{path}.nodeSelector")
        affinity = self.mapping(spec.get("affinity"), f"{path}.affinity") or {}
        node_path = f"{path}.affinity.nodeAffinity"
        node_affinity = self.mapping(affinity.get("nodeAffinity"), node_path) or {}
        required_path = f"{node_path}.{scheduling.REQUIRED_AFFINITY}"
        required = self.mapping(node_affinity.get(scheduling.REQUIRED_AFFINITY), required_path) or {}
        terms_path = f"{required_path}.nodeSelectorTerms"
        for i, term in enumerate(self.sequence(required.get("nodeSelectorTerms"), terms_path)):
            self.term(term, f"{terms_path}[{i}]")
        preferred_path = f"{node_path}.preferredDuringSchedulingIgnoredDuringExecution"
        for i, raw_item in enumerate(
            self.sequence(node_affinity.get(preferred_path.rsplit(".", 1)[1]), preferred_path)
        ):
            item = self.mapping(raw_item, f"{preferred_path}[{i}]")
            if item is None:
                continue
            weight = item.get("weight")
            if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 100:
                self.problem(f"{preferred_path}[{i}].weight", f"{weight!r} is not an integer from 1 to 100")
            self.term(item.get("preference"), f"{preferred_path}[{i}].preference")
        tolerations = self.sequence(spec.get("tolerations"), f"{path}.tolerations")
        for i, toleration in enumerate(tolerations):
            self.mapping(toleration, f"{path}.tolerations[{i}]")


def check_object(obj: Mapping[str, Any]) -> list[str]:
    """Problems of one object that has a string ``kind`` and a ``metadata.name``."""
    check = _Checker(obj)
    meta = check.mapping(obj.get("metadata"), "metadata", required=True) or {}
    check.string(meta.get("namespace"), "metadata.namespace")
    check.string_map(meta.get("labels"), "metadata.labels")
    check.string_map(meta.get("annotations"), "metadata.annotations")
    if meta.get("managedFields") is not None:
        # kubectl get --show-managed-fields: entries the API server could decode (DecodeManagedFields)
        try:
            ssa.decode_managed_fields(meta["managedFields"])
        except ssa.SchemaError as exc:
            check.problems.append(f"{check.what}: {exc}")
    kind, api_version = obj.get("kind"), obj.get("apiVersion")
    if kind in _APPS_KINDS and api_version == "apps/v1":
        spec = check.mapping(obj.get("spec"), "spec", required=True) or {}
        check.mapping(spec.get("selector"), "spec.selector")
        template = check.mapping(spec.get("template"), "spec.template", required=True)
        if template is not None:
            template_meta = check.mapping(template.get("metadata"), "spec.template.metadata") or {}
            check.string_map(template_meta.get("labels"), "spec.template.metadata.labels")
            check.string_map(template_meta.get("annotations"), "spec.template.metadata.annotations")
            check.pod_spec(template.get("spec"), "spec.template.spec")
    elif kind == constants.TIGERA_INSTALLATION_KIND and api_version == constants.TIGERA_API_VERSION:
        spec = check.mapping(obj.get("spec"), "spec") or {}
        path = "spec"
        current: Mapping[str, Any] | None = spec
        for part in constants.TIGERA_AFFINITY_PATH[1:-1]:
            path = f"{path}.{part}"
            current = check.mapping((current or {}).get(part), path)
        if current is not None:
            check.pod_spec(current, path)
    elif kind == "ConfigMap":
        check.string_map(obj.get("data"), "data")
    elif kind == "Pod" and api_version == "v1":  # read for the cloud nodes to recycle (preview/report/recycle.py)
        spec = check.mapping(obj.get("spec"), "spec") or {}
        check.string(spec.get("nodeName"), "spec.nodeName")
        for i, ref in enumerate(check.sequence(meta.get("ownerReferences"), "metadata.ownerReferences")):
            owner = check.mapping(ref, f"metadata.ownerReferences[{i}]") or {}
            check.string(owner.get("kind"), f"metadata.ownerReferences[{i}].kind")
            check.string(owner.get("name"), f"metadata.ownerReferences[{i}].name")
    return check.problems


def check_objects(objects: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """Problems of every object (``where`` is its place in the file), then duplicates and Installations."""
    problems: list[str] = []
    first_seen: dict[tuple[str, str, str], str] = {}
    installations: list[str] = []
    for where, obj in objects:
        problems += [f"{where}: {p}" for p in check_object(obj)]
        meta: Mapping[str, Any] = obj["metadata"] if isinstance(obj.get("metadata"), Mapping) else {}
        key = (str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name")))
        if key in first_seen:
            problems.append(f"{where}: {describe(obj)}: listed twice (also at {first_seen[key]})")
        else:
            first_seen[key] = where
        if obj.get("kind") == constants.TIGERA_INSTALLATION_KIND:
            installations.append(f"{describe(obj)} ({where})")
    if len(installations) > 1:
        problems.append(
            f"{len(installations)} tigera Installations: {', '.join(installations)}; the operator reconciles only "
            "the one named default"
        )
    return problems
