"""Kubernetes scheduling semantics: does a pod spec fit a node, and how to keep a pod spec off labelled nodes.

The one source of node placement for the program, the offline preview and the pack, as upstream decides it:
``k8s.io/component-helpers/scheduling/corev1/nodeaffinity`` (``GetRequiredNodeAffinity``,
``RequiredNodeAffinity.Match``), ``k8s.io/apimachinery/pkg/labels`` (``NewRequirement``, ``Requirement.Matches``)
and ``ValidateNodeFieldSelectorRequirement``; every rule is spelled out in docs/scheduling.md. A value of the wrong
JSON type raises :class:`MalformedSpecError`, as Kubernetes cannot decode it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from hybrid_terway.core.constants import (
    CLOUD_NODE_LABEL,
    INT64_MAX,
    INT64_MIN,
    TIGERA_AFFINITY_PATH,
    TIGERA_API_VERSION,
    TIGERA_INSTALLATION_KIND,
    split_label,
)
from hybrid_terway.core.json_text import is_string_map, kind_of

__all__ = [
    "NODE_NAME_FIELD",
    "OPERATORS",
    "REQUIRED_AFFINITY",
    "MalformedSpecError",
    "exclude_affinity",
    "exclude_nodes_with_label",
    "is_cloud_node",
    "is_label_value",
    "is_qualified_name",
    "may_run_on_labelled_node",
    "may_run_on_unlabelled_node",
    "parse_int64",
    "pod_fits_node",
    "pod_spec_of",
    "requirement_error",
    "witness_node",
]

REQUIRED_AFFINITY: Final = "requiredDuringSchedulingIgnoredDuringExecution"
NODE_NAME_FIELD: Final = "metadata.name"
"""The only ``matchFields`` key Kubernetes supports."""

IN: Final = "In"
NOT_IN: Final = "NotIn"
EXISTS: Final = "Exists"
DOES_NOT_EXIST: Final = "DoesNotExist"
GT: Final = "Gt"
LT: Final = "Lt"
OPERATORS: Final = (IN, NOT_IN, EXISTS, DOES_NOT_EXIST, GT, LT)
"""Node selector operators (``v1.NodeSelectorOperator``); they are case-sensitive."""

_FIELD_OPERATORS: Final = (IN, NOT_IN)
_WORKLOAD_KINDS: Final = frozenset({"DaemonSet", "Deployment", "StatefulSet"})
_APPS_V1: Final = "apps/v1"

_LABEL_NAME_MAX: Final = 63
_LABEL_VALUE_MAX: Final = 63
_DNS1123_SUBDOMAIN_MAX: Final = 253

_LABEL_NAME_RE: Final = re.compile(r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS1123_SUBDOMAIN_RE: Final = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*")
_INT_RE: Final = re.compile(r"[+-]?[0-9]+")

_WITNESS_NAME: Final = "witness-node"
_WITNESS_VALUE: Final = "witness"


class MalformedSpecError(TypeError):
    """A field holds a value of the wrong JSON type, which Kubernetes would refuse to decode."""


# --- upstream validation helpers -----------------------------------------------------------------


def is_qualified_name(key: str) -> bool:
    """A valid label key: ``[prefix/]name`` (apimachinery ``IsQualifiedName``/``IsLabelKey``)."""
    parts = key.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix or len(prefix) > _DNS1123_SUBDOMAIN_MAX or not _DNS1123_SUBDOMAIN_RE.fullmatch(prefix):
            return False
    else:
        return False
    return 0 < len(name) <= _LABEL_NAME_MAX and _LABEL_NAME_RE.fullmatch(name) is not None


def is_label_value(value: str) -> bool:
    """A valid label value: empty, or at most 63 alphanumerics, ``-``, ``_``, ``.`` starting and ending alphanumeric."""
    return len(value) <= _LABEL_VALUE_MAX and (value == "" or _LABEL_NAME_RE.fullmatch(value) is not None)


def node_label_problem(label: str) -> str | None:
    """Why ``label`` is not a usable node label ``key=value`` (such as the cloud-node label), or None: the key a
    label key and the value a label value (:func:`is_qualified_name`, :func:`is_label_value`), the value not
    empty (nodes are told apart by a value they carry)."""
    key, sep, value = label.partition("=")
    if not sep:
        return f"must be a node label as key=value, such as {CLOUD_NODE_LABEL}"
    if not is_qualified_name(key):
        return (
            f"must be a node label as key=value; {key!r} is not a valid label key ([prefix/]name: a name of 1 to 63 "
            "of A-Z a-z 0-9 - _ . starting and ending alphanumeric, a prefix a DNS subdomain)"
        )
    if not value:
        return "must be a node label as key=value; the value is empty: nodes are told apart by the value they carry"
    if not is_label_value(value):
        return (
            f"must be a node label as key=value; {value!r} is not a valid label value (at most 63 of A-Z a-z 0-9 - _ ."
            " starting and ending alphanumeric)"
        )
    return None


def parse_int64(value: object) -> int | None:
    """Go's ``strconv.ParseInt(value, 10, 64)``: optional sign, ASCII digits, int64 range; None when it fails."""
    if not isinstance(value, str) or _INT_RE.fullmatch(value) is None:
        return None
    number = int(value)
    return number if INT64_MIN <= number <= INT64_MAX else None


# --- reading Kubernetes JSON ----------------------------------------------------------------------


def _mapping(value: object, path: str) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return value
    raise MalformedSpecError(f"{path}: expected a mapping, got {kind_of(value)}")


def _sequence(value: object, path: str) -> Sequence[Any]:
    if value is None:
        return ()
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray)):
        return value
    raise MalformedSpecError(f"{path}: expected a list, got {kind_of(value)}")


def _string(value: object, path: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise MalformedSpecError(f"{path}: expected a string, got {kind_of(value)}")


def _string_map(value: object, path: str) -> dict[str, str]:
    if is_string_map(value):
        return dict(value)
    mapping = _mapping(value, path)
    if mapping is None:
        return {}
    result: dict[str, str] = {}
    for key, item in mapping.items():
        result[_string(key, f"{path} key")] = _string(item, f"{path}[{key!r}]")
    return result


@dataclass(frozen=True)
class _Requirement:
    key: str
    operator: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class _Term:
    expressions: tuple[_Requirement, ...]
    fields: tuple[_Requirement, ...]


@dataclass(frozen=True)
class _Placement:
    """What a pod spec requires of a node: the nodeSelector map and the valid terms of its required affinity.

    ``terms is None`` means no required node affinity (every node); an empty tuple means no node.
    """

    node_selector: tuple[tuple[str, str], ...]
    terms: tuple[_Term, ...] | None


def _read_requirement(raw: object, path: str) -> _Requirement:
    expr = _mapping(raw, path) or {}
    key = _string(expr.get("key"), f"{path}.key")
    operator = _string(expr.get("operator"), f"{path}.operator")
    values = tuple(
        _string(v, f"{path}.values[{i}]") for i, v in enumerate(_sequence(expr.get("values"), f"{path}.values"))
    )
    return _Requirement(key, operator, values)


def _expression_error(req: _Requirement) -> str | None:
    if req.operator not in OPERATORS:
        return f"operator {req.operator!r} is not one of {', '.join(OPERATORS)}"
    if not is_qualified_name(req.key):
        return f"key {req.key!r} is not a valid label key"
    if req.operator in (IN, NOT_IN) and not req.values:
        return f"{req.operator} needs at least one value"
    if req.operator in (EXISTS, DOES_NOT_EXIST) and req.values:
        return f"{req.operator} takes no values"
    if req.operator in (GT, LT):
        if len(req.values) != 1:
            return f"{req.operator} needs exactly one value"
        if parse_int64(req.values[0]) is None:
            return f"{req.operator} value {req.values[0]!r} is not an integer"
    for value in req.values:
        if not is_label_value(value):
            return f"value {value!r} is not a valid label value"
    return None


def _field_error(req: _Requirement) -> str | None:
    if req.operator not in _FIELD_OPERATORS:
        return f"matchFields operator {req.operator!r} is not In or NotIn"
    if len(req.values) != 1:
        return f"matchFields {req.operator} needs exactly one value"
    if req.key != NODE_NAME_FIELD:
        return f"matchFields key {req.key!r} is not {NODE_NAME_FIELD}"
    return None


def requirement_error(requirement: Mapping[str, Any] | None, *, match_fields: bool = False) -> str | None:
    """Why a node selector requirement is invalid (so its whole term matches nothing), or None when it is valid.

    ``match_fields`` selects the rules of ``matchFields`` instead of ``matchExpressions``.
    """
    req = _read_requirement(requirement, "requirement")
    return _field_error(req) if match_fields else _expression_error(req)


def _read_term(raw: object, path: str) -> _Term | None:
    """The parsed term, or None when it matches nothing (empty, or holding an invalid requirement)."""
    term = _mapping(raw, path)
    if term is None:
        return None
    raw_expressions = _sequence(term.get("matchExpressions"), f"{path}.matchExpressions")
    raw_fields = _sequence(term.get("matchFields"), f"{path}.matchFields")
    expressions = tuple(_read_requirement(e, f"{path}.matchExpressions[{i}]") for i, e in enumerate(raw_expressions))
    fields = tuple(_read_requirement(f, f"{path}.matchFields[{i}]") for i, f in enumerate(raw_fields))
    if not expressions and not fields:
        return None
    if any(_expression_error(e) for e in expressions) or any(_field_error(f) for f in fields):
        return None
    return _Term(expressions, fields)


def _placement(pod_spec: Mapping[str, Any] | None) -> _Placement:
    spec = _mapping(pod_spec, "spec") or {}
    node_selector = tuple(_string_map(spec.get("nodeSelector"), "spec.nodeSelector").items())
    affinity = _mapping(spec.get("affinity"), "spec.affinity") or {}
    node_affinity = _mapping(affinity.get("nodeAffinity"), "spec.affinity.nodeAffinity") or {}
    path = f"spec.affinity.nodeAffinity.{REQUIRED_AFFINITY}"
    required = _mapping(node_affinity.get(REQUIRED_AFFINITY), path)
    if required is None:
        return _Placement(node_selector, None)
    raw_terms = _sequence(required.get("nodeSelectorTerms"), f"{path}.nodeSelectorTerms")
    terms = (_read_term(t, f"{path}.nodeSelectorTerms[{i}]") for i, t in enumerate(raw_terms))
    return _Placement(node_selector, tuple(t for t in terms if t is not None))


def _node_view(node: Mapping[str, Any]) -> tuple[dict[str, str], str]:
    source = _mapping(node, "node") or {}
    meta = _mapping(source.get("metadata"), "node.metadata") or {}
    return _string_map(meta.get("labels"), "node.metadata.labels"), _string(meta.get("name"), "node.metadata.name")


# --- matching -------------------------------------------------------------------------------------


def _expression_matches(req: _Requirement, labels: Mapping[str, str]) -> bool:
    present = req.key in labels
    if req.operator == IN:
        return present and labels[req.key] in req.values
    if req.operator == NOT_IN:
        return not present or labels[req.key] not in req.values
    if req.operator == EXISTS:
        return present
    if req.operator == DOES_NOT_EXIST:
        return not present
    if not present:
        return False
    node_value = parse_int64(labels[req.key])
    bound = parse_int64(req.values[0])
    if node_value is None or bound is None:
        return False
    return node_value > bound if req.operator == GT else node_value < bound


_LABEL_SELECTOR_OPERATORS: Final = (IN, NOT_IN, EXISTS, DOES_NOT_EXIST)


def label_selector_error(selector: Mapping[str, Any]) -> str | None:
    """Why a ``metav1.LabelSelector`` is no selector (apimachinery ``pkg/apis/meta/v1/helpers.go``
    ``LabelSelectorAsSelector``: label selectors have no ``Gt``/``Lt``), or None."""
    for key, value in (_mapping(selector.get("matchLabels"), "selector.matchLabels") or {}).items():
        if not is_qualified_name(str(key)) or not isinstance(value, str) or not is_label_value(value):
            return f"matchLabels {key!r}: {value!r} is not a valid label"
    for i, raw in enumerate(_sequence(selector.get("matchExpressions"), "selector.matchExpressions")):
        req = _read_requirement(raw, f"selector.matchExpressions[{i}]")
        if req.operator not in _LABEL_SELECTOR_OPERATORS:
            return f"operator {req.operator!r} is not one of {', '.join(_LABEL_SELECTOR_OPERATORS)}"
        if (problem := _expression_error(req)) is not None:
            return problem
    return None


def label_selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether ``labels`` satisfy a valid ``metav1.LabelSelector`` (``label_selector_error`` is None), as
    ``LabelSelectorAsSelector(selector).Matches(labels)``: a nil selector selects nothing, an empty one everything,
    otherwise every ``matchLabels`` pair and every ``matchExpressions`` requirement must hold."""
    if selector is None:
        return False
    for key, value in (_mapping(selector.get("matchLabels"), "selector.matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    raw_expressions = _sequence(selector.get("matchExpressions"), "selector.matchExpressions")
    requirements = (_read_requirement(r, "selector.matchExpressions") for r in raw_expressions)
    return all(_expression_matches(req, labels) for req in requirements)


def _term_matches(term: _Term, labels: Mapping[str, str], name: str) -> bool:
    if not all(_expression_matches(e, labels) for e in term.expressions):
        return False
    if term.fields and name:
        return all((name == f.values[0]) == (f.operator == IN) for f in term.fields)
    return True


def _fits(placement: _Placement, labels: Mapping[str, str], name: str) -> bool:
    if any(key not in labels or labels[key] != value for key, value in placement.node_selector):
        return False
    if placement.terms is None:
        return True
    return any(_term_matches(term, labels, name) for term in placement.terms)


def pod_fits_node(pod_spec: Mapping[str, Any] | None, node: Mapping[str, Any]) -> bool:
    """Whether the pod's ``nodeSelector`` and required node affinity admit ``node`` (a Node object).

    Upstream ``nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)``. A ``None`` pod spec has no constraints.
    """
    return node_filter(pod_spec).admits(view_node(node))


@dataclass(frozen=True)
class NodeView:
    """What scheduling reads of a node: its labels and its name."""

    labels: Mapping[str, str]
    name: str


def view_node(node: Mapping[str, Any]) -> NodeView:
    labels, name = _node_view(node)
    return NodeView(labels, name)


@dataclass(frozen=True)
class NodeFilter:
    """``pod_fits_node`` with the pod spec read once, for judging one pod against many nodes."""

    _placement: _Placement

    def admits(self, node: NodeView) -> bool:
        return _fits(self._placement, node.labels, node.name)

    def label_keys(self) -> frozenset[str]:
        """The node labels ``admits`` reads: two nodes with the same value (or absence) of each of these labels,
        and the same name where ``reads_name``, are admitted alike."""
        keys = {key for key, _ in self._placement.node_selector}
        for term in self._placement.terms or ():
            keys.update(req.key for req in term.expressions)
        return frozenset(keys)

    def reads_name(self) -> bool:
        """Whether ``admits`` reads the node's name (a ``matchFields`` requirement on ``metadata.name``)."""
        return any(term.fields for term in self._placement.terms or ())


def node_filter(pod_spec: Mapping[str, Any] | None) -> NodeFilter:
    return NodeFilter(_placement(pod_spec))


def is_cloud_node(node: Mapping[str, Any], label: str = CLOUD_NODE_LABEL) -> bool:
    """Whether ``node`` carries the ``key=value`` label."""
    key, value = split_label(label)
    labels, _ = _node_view(node)
    return key in labels and labels[key] == value


# --- exclusion ------------------------------------------------------------------------------------


def _thaw(value: Any) -> Any:
    """A deep, mutable copy: every Mapping becomes a dict and every non-string Sequence a list."""
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, (str, bytes, bytearray)):
        return value
    if isinstance(value, Sequence):
        return [_thaw(item) for item in value]
    return copy.deepcopy(value)


def _exclusion(label: str) -> dict[str, Any]:
    if "=" not in label:
        raise ValueError(f"label {label!r} is not of the form key=value")
    key, value = split_label(label)
    requirement: dict[str, Any] = {"key": key, "operator": NOT_IN, "values": [value]}
    error = _expression_error(_Requirement(key, NOT_IN, (value,)))
    if error is not None:
        raise ValueError(f"label {label!r} cannot be excluded: {error}")
    return requirement


def _is_exclusion(expression: object, requirement: Mapping[str, Any]) -> bool:
    if not isinstance(expression, Mapping):
        return False
    values = expression.get("values")
    return (
        expression.get("key") == requirement["key"]
        and expression.get("operator") == NOT_IN
        and isinstance(values, Sequence)
        and not isinstance(values, (str, bytes, bytearray))
        and list(values) == requirement["values"]
    )


def _exclude_term(term: Any, requirement: Mapping[str, Any], path: str) -> Any:
    if term is None:
        return None
    if not isinstance(term, dict):
        raise MalformedSpecError(f"{path}: expected a mapping, got {kind_of(term)}")
    expressions = term.get("matchExpressions")
    fields = term.get("matchFields")
    for name, value in (("matchExpressions", expressions), ("matchFields", fields)):
        if value is not None and not isinstance(value, list):
            raise MalformedSpecError(f"{path}.{name}: expected a list, got {kind_of(value)}")
    if not expressions and not fields:
        return term
    if expressions and any(_is_exclusion(e, requirement) for e in expressions):
        return term
    term["matchExpressions"] = [*(expressions or []), dict(requirement, values=list(requirement["values"]))]
    return term


def exclude_affinity(affinity: Mapping[str, Any] | None, label: str = CLOUD_NODE_LABEL) -> dict[str, Any]:
    """A new ``affinity`` whose required node affinity also excludes nodes labelled ``key=value``.

    ``{key, operator: NotIn, values: [value]}`` is appended to the ``matchExpressions`` of every term that has
    expressions or fields, every existing expression and field kept in order (a term holding an invalid
    requirement stays invalid and keeps matching nothing). A term that already holds exactly that requirement is
    left alone, so applying this twice equals applying it once. With no required node affinity the result has
    exactly one term holding just that requirement. Terms without expressions and fields, and a required affinity
    without terms (``nodeSelectorTerms`` null or ``[]``), match nothing and are kept as they are: adding anything
    there would let the pod onto nodes it could not reach before. Preferred terms, pod (anti-)affinity and every
    other field are copied unchanged. The result always holds
    ``nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution``. Raises ValueError for a label that cannot be
    written as a valid requirement and :class:`MalformedSpecError` for an affinity Kubernetes could not decode.
    """
    requirement = _exclusion(label)
    source = _mapping(affinity, "affinity")
    _placement({"affinity": source})
    result: dict[str, Any] = _thaw(source) if source is not None else {}
    node_affinity = result.get("nodeAffinity")
    if node_affinity is None:
        node_affinity = {}
    elif not isinstance(node_affinity, dict):
        raise MalformedSpecError(f"affinity.nodeAffinity: expected a mapping, got {kind_of(node_affinity)}")
    path = f"affinity.nodeAffinity.{REQUIRED_AFFINITY}"
    required = node_affinity.get(REQUIRED_AFFINITY)
    if required is None:
        node_affinity[REQUIRED_AFFINITY] = {"nodeSelectorTerms": [{"matchExpressions": [requirement]}]}
    elif not isinstance(required, dict):
        raise MalformedSpecError(f"{path}: expected a mapping, got {kind_of(required)}")
    else:
        terms = required.get("nodeSelectorTerms")
        if terms is not None:
            if not isinstance(terms, list):
                raise MalformedSpecError(f"{path}.nodeSelectorTerms: expected a list, got {kind_of(terms)}")
            required["nodeSelectorTerms"] = [
                _exclude_term(term, requirement, f"{path}.nodeSelectorTerms[{i}]") for i, term in enumerate(terms)
            ]
    result["nodeAffinity"] = node_affinity
    return result


def exclude_nodes_with_label(pod_spec: Mapping[str, Any] | None, label: str = CLOUD_NODE_LABEL) -> dict[str, Any]:
    """A new pod spec (deep copy) that fits exactly the nodes the old one fits, minus those labelled ``label``.

    The spec's ``affinity`` goes through :func:`exclude_affinity`; everything else is copied unchanged.
    """
    source = _mapping(pod_spec, "spec")
    spec: dict[str, Any] = _thaw(source) if source is not None else {}
    spec["affinity"] = exclude_affinity(_mapping(spec.get("affinity"), "spec.affinity"), label)
    return spec


# --- reachability ---------------------------------------------------------------------------------


@dataclass
class _KeyConstraint:
    """Everything one node label must satisfy."""

    allowed: set[str] | None = None
    forbidden: set[str] = field(default_factory=set)
    must_exist: bool = False
    must_not_exist: bool = False
    above: int | None = None
    below: int | None = None

    def allow_only(self, values: Sequence[str]) -> None:
        self.must_exist = True
        self.allowed = set(values) if self.allowed is None else self.allowed & set(values)

    def add(self, req: _Requirement) -> None:
        if req.operator == IN:
            self.allow_only(req.values)
        elif req.operator == NOT_IN:
            self.forbidden.update(req.values)
        elif req.operator == EXISTS:
            self.must_exist = True
        elif req.operator == DOES_NOT_EXIST:
            self.must_not_exist = True
        else:
            bound = parse_int64(req.values[0])
            if bound is None:  # excluded by validation before any constraint is built
                raise AssertionError(req)
            self.must_exist = True
            if req.operator == GT:
                self.above = bound if self.above is None else max(self.above, bound)
            else:
                self.below = bound if self.below is None else min(self.below, bound)

    def _numeric(self) -> bool:
        return self.above is not None or self.below is not None

    def _in_range(self, value: str) -> bool:
        number = parse_int64(value)
        return (
            number is not None
            and (self.above is None or number > self.above)
            and (self.below is None or number < self.below)
        )

    def _integer_candidates(self) -> Iterator[str]:
        low = INT64_MIN if self.above is None else self.above + 1
        high = INT64_MAX if self.below is None else self.below - 1
        if low > high:
            return
        start = low if low > 0 else (high if high < 0 else 0)
        step = -1 if start < 0 else 1
        count = len(self.forbidden) + 1
        numbers = [n for n in range(start, start + step * count, step) if low <= n <= high]
        if step == 1 and start == 0:
            numbers += [n for n in range(-1, -count - 1, -1) if low <= n]
        yield from (str(n) for n in numbers)
        sign, digits = ("-", str(-start)) if start < 0 else ("", str(start))
        for zeros in range(1, count + 1):
            yield f"{sign}{'0' * zeros}{digits}"

    def solve(self) -> tuple[bool, str | None]:
        """(satisfiable, value); value None means the label is absent."""
        if self.must_not_exist or not self.must_exist:
            return (not self.must_exist), None
        if self.allowed is not None:
            candidates: Iterator[str] = iter(sorted(self.allowed))
        elif self._numeric():
            candidates = self._integer_candidates()
        else:
            candidates = (f"{_WITNESS_VALUE}-{i}" if i else _WITNESS_VALUE for i in range(len(self.forbidden) + 1))
        for value in candidates:
            if value not in self.forbidden and (not self._numeric() or self._in_range(value)):
                return True, value
        return False, None


def _witness_name(term: _Term | None) -> str | None:
    fields = term.fields if term is not None else ()
    wanted = {f.values[0] for f in fields if f.operator == IN}
    avoided = {f.values[0] for f in fields if f.operator == NOT_IN}
    if wanted:
        if len(wanted) > 1:
            return None
        (name,) = wanted
        return name if name and name not in avoided else None
    return next(
        n for n in (f"{_WITNESS_NAME}-{i}" if i else _WITNESS_NAME for i in range(len(avoided) + 1)) if n not in avoided
    )


def _witness_for_term(
    placement: _Placement, term: _Term | None, key: str, value: str, labelled: bool
) -> dict[str, Any] | None:
    constraints: dict[str, _KeyConstraint] = {}
    for selector_key, selector_value in placement.node_selector:
        constraints.setdefault(selector_key, _KeyConstraint()).allow_only((selector_value,))
    for req in term.expressions if term is not None else ():
        constraints.setdefault(req.key, _KeyConstraint()).add(req)
    own = constraints.setdefault(key, _KeyConstraint())
    if labelled:
        own.allow_only((value,))
    else:
        own.forbidden.add(value)
    name = _witness_name(term)
    if name is None:
        return None
    labels: dict[str, str] = {}
    for label_key in sorted(constraints):
        ok, label_value = constraints[label_key].solve()
        if not ok:
            return None
        if label_value is not None:
            labels[label_key] = label_value
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}}


def witness_node(pod_spec: Mapping[str, Any] | None, label: str, labelled: bool) -> dict[str, Any] | None:
    """A node that ``pod_spec`` fits and that carries ``label`` (``labelled``) or does not; None if none exists.

    Decided exactly, not by sampling, over every node with a non-empty name (Kubernetes requires one) and any
    string labels: for each term of the required affinity (or the spec's nodeSelector alone when there is no
    required affinity) the constraints on each label key and on the name are solved together with the label
    constraint; the first satisfiable term gives the node, which is then confirmed with :func:`pod_fits_node`.
    Without ``labelled`` the node lacks the key or holds another value.
    """
    key, value = split_label(label)
    placement = _placement(pod_spec)
    terms: tuple[_Term | None, ...] = (None,) if placement.terms is None else placement.terms
    for term in terms:
        node = _witness_for_term(placement, term, key, value, labelled)
        if node is None:
            continue
        if not pod_fits_node(pod_spec, node) or is_cloud_node(node, label) != labelled:
            raise AssertionError(f"witness node {node} does not satisfy the pod spec it was built for")
        return node
    return None


def may_run_on_labelled_node(pod_spec: Mapping[str, Any] | None, label: str = CLOUD_NODE_LABEL) -> bool:
    """Whether some node carrying ``label`` (``key=value``), with any other labels and any name, fits the spec."""
    return witness_node(pod_spec, label, True) is not None


def may_run_on_unlabelled_node(pod_spec: Mapping[str, Any] | None, label: str = CLOUD_NODE_LABEL) -> bool:
    """Whether some node without ``label`` (key absent, or another value) fits the spec."""
    return witness_node(pod_spec, label, False) is not None


# --- workloads ------------------------------------------------------------------------------------


def pod_spec_of(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod spec of a workload object, or None when ``obj`` is no workload this module knows.

    ``apps/v1`` DaemonSet, Deployment and StatefulSet: ``spec.template.spec``; ``operator.tigera.io/v1``
    Installation: ``spec.calicoNodeDaemonSet.spec.template.spec``. A missing ``apiVersion`` is accepted for these
    kinds. Partial objects (a server-side-apply patch carries only the fields it sets) are fine: when a part of the
    path is missing or null the result is ``{}``, a pod spec without constraints.
    """
    source = _mapping(obj, "object") or {}
    kind = source.get("kind")
    api_version = source.get("apiVersion")
    if not isinstance(kind, str):
        return None
    if kind in _WORKLOAD_KINDS and api_version in (None, _APPS_V1):
        path: Sequence[str] = ("spec", "template", "spec")
    elif kind == TIGERA_INSTALLATION_KIND and api_version in (None, TIGERA_API_VERSION):
        path = TIGERA_AFFINITY_PATH[:-1]
    else:
        return None
    current: Mapping[str, Any] = source
    walked = ""
    for part in path:
        walked = f"{walked}.{part}" if walked else part
        found = _mapping(current.get(part), walked)
        if found is None:
            return {}
        current = found
    return current
