"""hybrid_terway.core.scheduling against upstream Kubernetes test tables, documented semantics, the exclusion rule."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import pytest

from hybrid_terway.core.constants import CLOUD_NODE_LABEL, TIGERA_AFFINITY_PATH, split_label
from hybrid_terway.core.scheduling import (
    REQUIRED_AFFINITY,
    MalformedSpecError,
    exclude_affinity,
    exclude_nodes_with_label,
    is_cloud_node,
    is_label_value,
    is_qualified_name,
    label_selector_error,
    label_selector_matches,
    may_run_on_labelled_node,
    may_run_on_unlabelled_node,
    parse_int64,
    pod_fits_node,
    pod_spec_of,
    requirement_error,
    witness_node,
)

CLOUD_KEY, CLOUD_VALUE = split_label(CLOUD_NODE_LABEL)
OS_LINUX = {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}
EXCLUSION = {"key": CLOUD_KEY, "operator": "NotIn", "values": [CLOUD_VALUE]}


def req(key: str, operator: str, values: Sequence[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"key": key, "operator": operator}
    if values is not None:
        out["values"] = list(values)
    return out


def term(
    expressions: Sequence[Mapping[str, Any]] | None = None, fields: Sequence[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if expressions is not None:
        out["matchExpressions"] = list(expressions)
    if fields is not None:
        out["matchFields"] = list(fields)
    return out


def required(terms: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
    """A pod spec whose required node affinity has ``terms`` (None: the field is null)."""
    return {"affinity": {"nodeAffinity": {REQUIRED_AFFINITY: {"nodeSelectorTerms": terms}}}}


def node(name: str = "", labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if name:
        metadata["name"] = name
    if labels is not None:
        metadata["labels"] = dict(labels)
    return {"apiVersion": "v1", "kind": "Node", "metadata": metadata}


def name_in(*names: str) -> dict[str, Any]:
    return req("metadata.name", "In", names)


def freeze(value: Any) -> Any:
    """A read-only view: dicts become mappingproxies, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def terms_of(spec: Mapping[str, Any]) -> Any:
    return spec["affinity"]["nodeAffinity"][REQUIRED_AFFINITY]["nodeSelectorTerms"]


# --- upstream: nodeaffinity_test.go TestPodMatchesNodeSelectorAndAffinityTerms ----------------------
# kubernetes/kubernetes staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity_test.go,
# TestPodMatchesNodeSelectorAndAffinityTerms: (name, pod spec, node labels, node name, want).

POD_MATCHES_CASES: list[tuple[str, dict[str, Any], dict[str, str] | None, str, bool]] = [
    ("no selector", {}, None, "", True),
    ("missing labels", {"nodeSelector": {"foo": "bar"}}, None, "", False),
    ("same labels", {"nodeSelector": {"foo": "bar"}}, {"foo": "bar"}, "", True),
    ("node labels are superset", {"nodeSelector": {"foo": "bar"}}, {"foo": "bar", "baz": "blah"}, "", True),
    ("node labels are subset", {"nodeSelector": {"foo": "bar", "baz": "blah"}}, {"foo": "bar"}, "", False),
    (
        "Pod with matchExpressions using In operator that matches the existing node",
        required([term([req("foo", "In", ["bar", "value2"])])]),
        {"foo": "bar"},
        "",
        True,
    ),
    (
        "Pod with matchExpressions using Gt operator that matches the existing node",
        required([term([req("kernel-version", "Gt", ["0204"])])]),
        {"kernel-version": "0206"},
        "",
        True,
    ),
    (
        "Pod with matchExpressions using NotIn operator that matches the existing node",
        required([term([req("mem-type", "NotIn", ["DDR", "DDR2"])])]),
        {"mem-type": "DDR3"},
        "",
        True,
    ),
    (
        "Pod with matchExpressions using Exists operator that matches the existing node",
        required([term([req("GPU", "Exists")])]),
        {"GPU": "NVIDIA-GRID-K1"},
        "",
        True,
    ),
    (
        "Pod with affinity that don't match node's labels won't schedule onto the node",
        required([term([req("foo", "In", ["value1", "value2"])])]),
        {"foo": "bar"},
        "",
        False,
    ),
    (
        "Pod with a nil []NodeSelectorTerm in affinity, can't match the node's labels and won't schedule onto the node",
        required(None),
        {"foo": "bar"},
        "",
        False,
    ),
    (
        "Pod with an empty []NodeSelectorTerm in affinity, can't match the node's labels and won't schedule onto "
        "the node",
        required([]),
        {"foo": "bar"},
        "",
        False,
    ),
    (
        "Pod with empty MatchExpressions is not a valid value will match no objects and won't schedule onto the node",
        required([term([])]),
        {"foo": "bar"},
        "",
        False,
    ),
    ("Pod with no Affinity will schedule onto a node", {}, {"foo": "bar"}, "", True),
    (
        "Pod with Affinity but nil NodeSelector will schedule onto a node",
        {"affinity": {"nodeAffinity": {REQUIRED_AFFINITY: None}}},
        {"foo": "bar"},
        "",
        True,
    ),
    (
        "Pod with multiple matchExpressions ANDed that matches the existing node",
        required([term([req("GPU", "Exists"), req("GPU", "NotIn", ["AMD", "INTER"])])]),
        {"GPU": "NVIDIA-GRID-K1"},
        "",
        True,
    ),
    (
        "Pod with multiple matchExpressions ANDed that doesn't match the existing node",
        required([term([req("GPU", "Exists"), req("GPU", "In", ["AMD", "INTER"])])]),
        {"GPU": "NVIDIA-GRID-K1"},
        "",
        False,
    ),
    (
        "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the "
        "node",
        required([term([req("foo", "In", ["bar", "value2"])]), term([req("diffkey", "In", ["wrong", "value2"])])]),
        {"foo": "bar"},
        "",
        True,
    ),
    (
        "Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, "
        "will schedule onto the node",
        {"nodeSelector": {"foo": "bar"}, **required([term([req("foo", "Exists")])])},
        {"foo": "bar"},
        "",
        True,
    ),
    (
        "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are "
        "deprecating) is not satisfied, won't schedule onto the node",
        {"nodeSelector": {"foo": "bar"}, **required([term([req("foo", "Exists")])])},
        {"foo": "barrrrrr"},
        "",
        False,
    ),
    (
        "Pod with an invalid value in Affinity term won't be scheduled onto the node",
        required([term([req("foo", "NotIn", ["invalid value: ___@#$%^"])])]),
        {"foo": "bar"},
        "",
        False,
    ),
    (
        "Pod with matchFields using In operator that matches the existing node",
        required([term(fields=[name_in("node_1")])]),
        None,
        "node_1",
        True,
    ),
    (
        "Pod with matchFields using In operator that does not match the existing node",
        required([term(fields=[name_in("node_1")])]),
        None,
        "node_2",
        False,
    ),
    (
        "Pod with two terms: matchFields does not match, but matchExpressions matches",
        required([term(fields=[name_in("node_1")]), term([req("foo", "In", ["bar"])])]),
        {"foo": "bar"},
        "node_2",
        True,
    ),
    (
        "Pod with one term: matchFields does not match, but matchExpressions matches",
        required([term([req("foo", "In", ["bar"])], [name_in("node_1")])]),
        {"foo": "bar"},
        "node_2",
        False,
    ),
    (
        "Pod with one term: both matchFields and matchExpressions match",
        required([term([req("foo", "In", ["bar"])], [name_in("node_1")])]),
        {"foo": "bar"},
        "node_1",
        True,
    ),
    (
        "Pod with two terms: both matchFields and matchExpressions do not match",
        required([term(fields=[name_in("node_1")]), term([req("foo", "In", ["not-match-to-bar"])])]),
        {"foo": "bar"},
        "node_2",
        False,
    ),
]


@pytest.mark.parametrize(
    ("spec", "labels", "name", "want"), [c[1:] for c in POD_MATCHES_CASES], ids=[c[0] for c in POD_MATCHES_CASES]
)
def test_upstream_pod_matches_node_selector_and_affinity_terms(
    spec: dict[str, Any], labels: dict[str, str] | None, name: str, want: bool
) -> None:
    assert pod_fits_node(spec, node(name, labels)) is want


# --- upstream: nodeaffinity_test.go TestNodeSelectorMatch ------------------------------------------------
# The "nil node" case has no counterpart (a node is required here).

LABEL_1 = req("label_1", "In", ["label_1_val"])


def test_upstream_node_selector_match_invalid_field_selector_and_label_selector() -> None:
    # Upstream NewNodeSelector (strict) reports terms 0 and 2 as errors; the pod path (GetRequiredNodeAffinity) uses
    # the lazy selector, where only those terms match nothing and term 1 is still evaluated.
    invalid_fields = term(fields=[req("metadata.name", "In", ["host_1", "host_2"])])
    valid = term([LABEL_1], [name_in("host_1")])
    invalid_key = term([req("invalid key", "In", ["label_value"])])
    spec = required([invalid_fields, valid, invalid_key])
    assert requirement_error(invalid_fields["matchFields"][0], match_fields=True) is not None
    assert requirement_error(invalid_key["matchExpressions"][0]) is not None
    assert pod_fits_node(spec, node("host_1", {"label_1": "label_1_val"}))
    assert not pod_fits_node(spec, node("host_2", {"label_1": "label_1_val"}))
    for lone in (invalid_fields, invalid_key):
        assert not pod_fits_node(required([lone]), node("host_1", {"label_1": "label_1_val", "invalid key": "x"}))


@pytest.mark.parametrize(
    ("spec", "test_node", "want"),
    [
        pytest.param(required([term([LABEL_1], [name_in("host_1")])]), node("host_1"), False, id="labels-not"),
        pytest.param(
            required([term([LABEL_1], [name_in("host_1")])]),
            node("host_1", {"label_1": "label_1_val"}),
            True,
            id="node matches field selector and label selector",
        ),
        pytest.param(
            required([term([LABEL_1]), term(fields=[name_in("host_1")])]),
            node("host_1"),
            True,
            id="second term matches",
        ),
    ],
)
def test_upstream_node_selector_match(spec: dict[str, Any], test_node: dict[str, Any], want: bool) -> None:
    # "labels-not" is upstream's "node matches field selector, but not labels".
    assert pod_fits_node(spec, test_node) is want


# --- upstream: helpers_test.go TestMatchNodeSelectorTerms ------------------------------------------------
# kubernetes/kubernetes staging/src/k8s.io/component-helpers/scheduling/corev1/helpers_test.go. The node selector is
# used as the pod's required node affinity. The "nil terms" case (nil node) has no counterpart.

MATCH_TERMS_CASES: list[tuple[str, list[dict[str, Any]], dict[str, Any], bool]] = [
    ("node label matches matchExpressions terms", [term([LABEL_1])], node("", {"label_1": "label_1_val"}), True),
    ("node field matches matchFields terms", [term(fields=[name_in("host_1")])], node("host_1"), True),
    (
        "invalid node field requirement",
        [term(fields=[req("metadata.name", "In", ["host_1", "host_2"])])],
        node("host_1"),
        False,
    ),
    (
        "fieldSelectorTerm with node labels",
        [term(fields=[name_in("host_1")])],
        node("not_host_1", {"metadata.name": "host_1"}),
        False,
    ),
    ("labelSelectorTerm with node fields", [term([req("metadata.name", "In", ["host_1"])])], node("host_1"), False),
    (
        "labelSelectorTerm and fieldSelectorTerm was set, but only node fields",
        [term([LABEL_1], [name_in("host_1")])],
        node("host_1"),
        False,
    ),
    (
        "labelSelectorTerm and fieldSelectorTerm was set, both node fields and labels (both matched)",
        [term([LABEL_1], [name_in("host_1")])],
        node("host_1", {"label_1": "label_1_val"}),
        True,
    ),
    (
        "labelSelectorTerm and fieldSelectorTerm was set, both node fields and labels (one mismatched)",
        [term([LABEL_1], [name_in("host_1")])],
        node("host_1", {"label_1": "label_1_val-failed"}),
        False,
    ),
    (
        "multi-selector was set, both node fields and labels (one mismatched)",
        [term([LABEL_1]), term(fields=[name_in("host_1")])],
        node("host_1", {"label_1": "label_1_val-failed"}),
        True,
    ),
]


@pytest.mark.parametrize(
    ("terms", "test_node", "want"), [c[1:] for c in MATCH_TERMS_CASES], ids=[c[0] for c in MATCH_TERMS_CASES]
)
def test_upstream_match_node_selector_terms(terms: list[dict[str, Any]], test_node: dict[str, Any], want: bool) -> None:
    assert pod_fits_node(required(terms), test_node) is want


# --- upstream: helpers_test.go TestMatchNodeSelectorTermsStateless ---------------------------------------
# Matching must not modify (e.g. sort) the selector. The "nil terms" case has no counterpart.

STATELESS_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "nodeLabels: preordered matchExpressions and nil matchFields",
        term([req("label_1", "In", ["label_1_val", "label_2_val"])]),
        node("", {"label_1": "label_1_val"}),
    ),
    (
        "nodeLabels: unordered matchExpressions and nil matchFields",
        term([req("label_1", "In", ["label_2_val", "label_1_val"])]),
        node("", {"label_1": "label_1_val"}),
    ),
    (
        "nodeFields: nil matchExpressions and preordered matchFields",
        term(fields=[req("metadata.name", "In", ["host_1", "host_2"])]),
        node("host_1"),
    ),
    (
        "nodeFields: nil matchExpressions and unordered matchFields",
        term(fields=[req("metadata.name", "In", ["host_2", "host_1"])]),
        node("host_1"),
    ),
    (
        "nodeLabels and nodeFields: ordered matchExpressions and ordered matchFields",
        term(
            [req("label_1", "In", ["label_1_val", "label_2_val"])], [req("metadata.name", "In", ["host_1", "host_2"])]
        ),
        node("host_1", {"label_1": "label_1_val"}),
    ),
    (
        "nodeLabels and nodeFields: ordered matchExpressions and unordered matchFields",
        term(
            [req("label_1", "In", ["label_1_val", "label_2_val"])], [req("metadata.name", "In", ["host_2", "host_1"])]
        ),
        node("host_1", {"label_1": "label_1_val"}),
    ),
    (
        "nodeLabels and nodeFields: unordered matchExpressions and ordered matchFields",
        term(
            [req("label_1", "In", ["label_2_val", "label_1_val"])], [req("metadata.name", "In", ["host_1", "host_2"])]
        ),
        node("host_1", {"label_1": "label_1_val"}),
    ),
    (
        "nodeLabels and nodeFields: unordered matchExpressions and unordered matchFields",
        term(
            [req("label_1", "In", ["label_2_val", "label_1_val"])], [req("metadata.name", "In", ["host_2", "host_1"])]
        ),
        node("host_1", {"label_1": "label_1_val"}),
    ),
]


@pytest.mark.parametrize(
    ("the_term", "test_node"), [c[1:] for c in STATELESS_CASES], ids=[c[0] for c in STATELESS_CASES]
)
def test_upstream_match_node_selector_terms_stateless(the_term: dict[str, Any], test_node: dict[str, Any]) -> None:
    spec = required([the_term])
    before = copy.deepcopy(spec)
    node_before = copy.deepcopy(test_node)
    pod_fits_node(spec, test_node)
    may_run_on_labelled_node(spec)
    may_run_on_unlabelled_node(spec)
    assert spec == before
    assert test_node == node_before


# --- upstream: nodeaffinity_test.go TestNodeSelectorRequirementsAsSelector -------------------------------
# Upstream compares parsed selectors; here the same inputs are checked by what they match.


def test_upstream_requirements_as_selector_nil_and_empty_match_nothing() -> None:
    # {in: nil, out: labels.Nothing()} and {in: []NodeSelectorRequirement{}, out: labels.Nothing()}
    for the_term in (term(None), term([])):
        assert not pod_fits_node(required([the_term]), node("n", {"foo": "bar"}))


def test_upstream_requirements_as_selector_in() -> None:
    spec = required([term([req("foo", "In", ["bar", "baz"])])])  # "foo in (baz,bar)"
    assert pod_fits_node(spec, node("n", {"foo": "bar"}))
    assert pod_fits_node(spec, node("n", {"foo": "baz"}))
    assert not pod_fits_node(spec, node("n", {"foo": "qux"}))
    assert not pod_fits_node(spec, node("n", {}))


def test_upstream_requirements_as_selector_exists_with_values_is_an_error() -> None:
    exists = req("foo", "Exists", ["bar", "baz"])
    assert requirement_error(exists) == "Exists takes no values"
    assert not pod_fits_node(required([term([exists])]), node("n", {"foo": "bar"}))


def test_upstream_requirements_as_selector_gt_and_lt() -> None:
    gt = required([term([req("foo", "Gt", ["1"])])])  # "foo>1"
    assert pod_fits_node(gt, node("n", {"foo": "2"}))
    assert not pod_fits_node(gt, node("n", {"foo": "1"}))
    lt = required([term([req("bar", "Lt", ["7"])])])  # "bar<7"
    assert pod_fits_node(lt, node("n", {"bar": "6"}))
    assert not pod_fits_node(lt, node("n", {"bar": "7"}))


# --- upstream: apimachinery pkg/labels/selector_test.go TestRequirementConstructor -----------------------
# (key, operator, values, success); values as upstream's sets.String.List() (sorted).

REQUIREMENT_CONSTRUCTOR_CASES: list[tuple[str, str, list[str] | None, bool]] = [
    ("x", "In", None, False),
    ("x", "NotIn", [], False),
    ("x", "In", ["foo"], True),
    ("x", "NotIn", ["foo"], True),
    ("x", "Exists", None, True),
    ("x", "DoesNotExist", None, True),
    ("1foo", "In", ["bar"], True),
    ("1234", "In", ["bar"], True),
    ("y", "Gt", ["1"], True),
    ("z", "Lt", ["6"], True),
    ("foo", "Gt", ["bar"], False),
    ("barz", "Lt", ["blah"], False),
    ("a" * 254, "Exists", None, False),
]


@pytest.mark.parametrize(("key", "operator", "values", "success"), REQUIREMENT_CONSTRUCTOR_CASES)
def test_upstream_requirement_constructor(key: str, operator: str, values: list[str] | None, success: bool) -> None:
    assert (requirement_error(req(key, operator, values)) is None) is success
    # A valid requirement (all of these are satisfiable) lets its term match some node; an invalid one none.
    assert may_run_on_unlabelled_node(required([term([req(key, operator, values)])])) is success


# --- upstream: apimachinery pkg/labels/selector_test.go TestRequirementSelectorMatching ------------------
# The first upstream case is a zero Requirement (empty key and operator): here an invalid requirement.

SELECTOR_MATCHING_CASES: list[tuple[dict[str, str], list[dict[str, Any]], bool]] = [
    ({"x": "foo", "y": "baz"}, [req("", "")], False),
    ({"x": "foo", "y": "baz"}, [req("x", "In", ["foo"]), req("y", "NotIn", ["alpha"])], True),
    ({"x": "foo", "y": "baz"}, [req("x", "In", ["foo"]), req("y", "In", ["alpha"])], False),
    ({"y": ""}, [req("x", "NotIn", [""]), req("y", "Exists")], True),
    ({"y": ""}, [req("x", "DoesNotExist"), req("y", "Exists")], True),
    ({"y": ""}, [req("x", "NotIn", [""]), req("y", "DoesNotExist")], False),
    ({"y": "baz"}, [req("x", "In", [""])], False),
    ({"z": "2"}, [req("z", "Gt", ["1"])], True),
    ({"z": "v2"}, [req("z", "Gt", ["1"])], False),
]


@pytest.mark.parametrize(("labels", "expressions", "match"), SELECTOR_MATCHING_CASES)
def test_upstream_requirement_selector_matching(
    labels: dict[str, str], expressions: list[dict[str, Any]], match: bool
) -> None:
    assert pod_fits_node(required([term(expressions)]), node("n", labels)) is match


# --- upstream: apimachinery pkg/labels/selector_test.go TestSetMatches (SelectorFromSet = nodeSelector) --


@pytest.mark.parametrize(
    "selector",
    [{}, {"foo": "bar"}, {"baz": "blah"}, {"foo": "bar", "baz": "blah"}],
    ids=["empty", "foo", "baz", "both"],
)
def test_upstream_set_matches(selector: dict[str, str]) -> None:
    assert pod_fits_node({"nodeSelector": selector}, node("n", {"foo": "bar", "baz": "blah"}))


def test_upstream_selector_from_set_does_not_validate() -> None:
    # selector.go: SelectorFromSet "does not perform any validation" (TestValidatedSelectorFromSet's value is too
    # long for ValidatedSelectorFromSet, yet the scheduler's SelectorFromSet still compares it exactly).
    long_value = "axahm2EJ8Phiephe2eixohbee9eGeiyees1thuozi1xoh0GiuH3diewi8iem7Nui"
    assert not is_label_value(long_value)
    assert pod_fits_node({"nodeSelector": {"Key": long_value}}, node("n", {"Key": long_value}))
    assert not pod_fits_node({"nodeSelector": {"Key": long_value}}, node("n", {"Key": "other"}))


# --- validation helpers (apimachinery content.IsLabelKey / IsLabelValue, strconv.ParseInt) ----------------


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("foo", True),
        ("alibabacloud.com/external", True),
        ("kubernetes.io/os", True),
        ("1234", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("example.com/" + "a" * 63, True),
        ("a" * 254, False),
        ("", False),
        ("/foo", False),
        ("example.com/", False),
        ("a/b/c", False),
        ("Example.com/foo", False),
        ("invalid key", False),
        ("-foo", False),
        ("foo-", False),
        ("foo\n", False),
        ("f\u00f6o", False),
    ],
)
def test_is_qualified_name(key: str, valid: bool) -> None:
    assert is_qualified_name(key) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [("", True), ("true", True), ("a" * 63, True), ("a" * 64, False), ("-1", False), ("a b", False), ("x\n", False)],
)
def test_is_label_value(value: str, valid: bool) -> None:
    assert is_label_value(value) is valid


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("0204", 204),
        ("+5", 5),
        ("-5", -5),
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
        ("9223372036854775808", None),
        ("", None),
        (" 5", None),
        ("5 ", None),
        ("1_000", None),
        ("0x10", None),
        ("\u0665", None),
        ("1.5", None),
    ],
)
def test_parse_int64(text: str, number: int | None) -> None:
    assert parse_int64(text) == number


# --- Node affinity semantics, rule by rule -----------------------------------------------------------------------


def test_domain_node_selector_and_required_affinity_are_anded() -> None:
    spec = {"nodeSelector": {"a": "1"}, **required([term([req("b", "Exists")])])}
    assert pod_fits_node(spec, node("n", {"a": "1", "b": "x"}))
    assert not pod_fits_node(spec, node("n", {"a": "1"}))
    assert not pod_fits_node(spec, node("n", {"b": "x"}))


def test_domain_required_affinity_absent_matches_everything() -> None:
    specs: list[dict[str, Any] | None] = [
        None,
        {},
        {"affinity": None},
        {"affinity": {}},
        {"affinity": {"nodeAffinity": {}}},
    ]
    for spec in specs:
        assert pod_fits_node(spec, node("n", {"any": "thing"}))
        assert pod_fits_node(spec, node())


def test_domain_zero_terms_match_nothing() -> None:
    specs: list[dict[str, Any]] = [
        required([]),
        required(None),
        {"affinity": {"nodeAffinity": {REQUIRED_AFFINITY: {}}}},
    ]
    for spec in specs:
        assert not pod_fits_node(spec, node("n", {"foo": "bar"}))


def test_domain_empty_term_matches_nothing() -> None:
    for the_term in ({}, term([]), term(None, []), term([], []), None):
        assert not pod_fits_node(required([the_term]), node("n", {"foo": "bar"}))  # type: ignore[list-item]


def test_domain_terms_are_ored_and_requirements_anded() -> None:
    spec = required([term([req("a", "Exists"), req("b", "Exists")]), term([req("c", "Exists")])])
    assert pod_fits_node(spec, node("n", {"a": "", "b": ""}))
    assert pod_fits_node(spec, node("n", {"c": ""}))
    assert not pod_fits_node(spec, node("n", {"a": "", "c_": ""}))


def test_domain_match_fields_and_expressions_are_anded() -> None:
    spec = required([term([req("a", "Exists")], [req("metadata.name", "NotIn", ["bad"])])])
    assert pod_fits_node(spec, node("good", {"a": "1"}))
    assert not pod_fits_node(spec, node("bad", {"a": "1"}))
    assert not pod_fits_node(spec, node("good", {}))


@pytest.mark.parametrize(
    ("expression", "labels", "want"),
    [
        (req("k", "In", ["a", "b"]), {"k": "b"}, True),
        (req("k", "In", ["a", "b"]), {"k": "c"}, False),
        (req("k", "In", ["a", "b"]), {}, False),
        (req("k", "NotIn", ["a"]), {"k": "b"}, True),
        (req("k", "NotIn", ["a"]), {"k": "a"}, False),
        (req("k", "NotIn", ["a"]), {}, True),
        (req("k", "Exists"), {"k": ""}, True),
        (req("k", "Exists"), {}, False),
        (req("k", "Exists", []), {"k": ""}, True),
        (req("k", "DoesNotExist"), {}, True),
        (req("k", "DoesNotExist"), {"k": "x"}, False),
        (req("k", "Gt", ["5"]), {"k": "6"}, True),
        (req("k", "Gt", ["5"]), {"k": "5"}, False),
        (req("k", "Gt", ["5"]), {"k": "10"}, True),
        (req("k", "Gt", ["5"]), {"k": "06"}, True),
        (req("k", "Gt", ["5"]), {"k": "+6"}, True),
        (req("k", "Gt", ["5"]), {"k": "six"}, False),
        (req("k", "Gt", ["5"]), {"k": ""}, False),
        (req("k", "Gt", ["5"]), {"k": "99999999999999999999"}, False),
        (req("k", "Gt", ["5"]), {}, False),
        (req("k", "Lt", ["5"]), {"k": "4"}, True),
        (req("k", "Lt", ["5"]), {"k": "-4"}, True),
        (req("k", "Lt", ["5"]), {"k": "5"}, False),
        (req("k", "Lt", ["5"]), {"k": "4.5"}, False),
        (req("k", "Lt", ["5"]), {}, False),
    ],
)
def test_domain_operators(expression: dict[str, Any], labels: dict[str, str], want: bool) -> None:
    assert pod_fits_node(required([term([expression])]), node("n", labels)) is want


@pytest.mark.parametrize(
    "expression",
    [
        req("k", "in", ["a"]),
        req("k", "Equals", ["a"]),
        req("k", "", ["a"]),
        req("", "Exists"),
        req("bad key", "Exists"),
        req("k", "In"),
        req("k", "In", []),
        req("k", "NotIn"),
        req("k", "In", ["bad value"]),
        req("k", "NotIn", ["a" * 64]),
        req("k", "Exists", ["a"]),
        req("k", "DoesNotExist", ["a"]),
        req("k", "Gt"),
        req("k", "Gt", ["1", "2"]),
        req("k", "Lt", ["x"]),
        req("k", "Gt", ["-1"]),
        req("k", "Lt", ["+1"]),
        req("k", "Gt", ["99999999999999999999"]),
    ],
)
def test_domain_invalid_requirement_makes_its_term_match_nothing(expression: dict[str, Any]) -> None:
    assert requirement_error(expression) is not None
    everything = node("n", {"k": "1", "a": "a"})
    assert not pod_fits_node(required([term([req("a", "Exists"), expression])]), everything)
    # Other terms are still evaluated.
    assert pod_fits_node(required([term([expression]), term([req("a", "Exists")])]), everything)
    assert not may_run_on_labelled_node(required([term([expression])]))
    assert not may_run_on_unlabelled_node(required([term([expression])]))


@pytest.mark.parametrize(
    "field_requirement",
    [
        req("metadata.uid", "In", ["n"]),
        req("metadata.uid", "NotIn", ["x"]),
        req("metadata.name", "Exists"),
        req("metadata.name", "In", []),
        req("metadata.name", "In", ["n", "m"]),
        req("metadata.name", "NotIn", ["x", "y"]),
        req("metadata.name", "Gt", ["1"]),
    ],
)
def test_domain_match_fields_support_only_metadata_name_with_one_value(field_requirement: dict[str, Any]) -> None:
    assert requirement_error(field_requirement, match_fields=True) is not None
    assert not pod_fits_node(required([term(fields=[field_requirement])]), node("n"))
    assert pod_fits_node(required([term(fields=[field_requirement]), term([])]), node("n")) is False


def test_match_fields_in_and_not_in() -> None:
    assert requirement_error(req("metadata.name", "NotIn", ["x"]), match_fields=True) is None
    spec = required([term(fields=[req("metadata.name", "NotIn", ["x"])])])
    assert pod_fits_node(spec, node("y"))
    assert not pod_fits_node(spec, node("x"))


def test_match_fields_are_skipped_for_a_node_without_name() -> None:
    # nodeaffinity.go: extractNodeFields sets metadata.name only for a non-empty name, and a term's matchFields are
    # checked only when the node has fields.
    spec = required([term([req("a", "Exists")], [name_in("host_1")])])
    assert pod_fits_node(spec, node("", {"a": "1"}))
    assert not pod_fits_node(spec, node("", {}))
    # Parse errors still apply.
    bad = required([term(fields=[req("metadata.name", "In", ["a", "b"])])])
    assert not pod_fits_node(bad, node(""))


def test_expressions_never_look_at_the_name() -> None:
    spec = required([term([req("metadata.name", "In", ["host_1"])])])
    assert not pod_fits_node(spec, node("host_1"))
    assert pod_fits_node(spec, node("other", {"metadata.name": "host_1"}))


def test_node_selector_matches_exactly() -> None:
    spec = {"nodeSelector": {"k": ""}}
    assert pod_fits_node(spec, node("n", {"k": ""}))
    assert not pod_fits_node(spec, node("n", {}))
    assert not pod_fits_node({"nodeSelector": {"k": "True"}}, node("n", {"k": "true"}))


def test_null_values_decode_as_go_zero_values() -> None:
    assert pod_fits_node({"nodeSelector": {"k": None}}, node("n", {"k": ""}))
    spec = required([term([{"key": "k", "operator": "Exists", "values": None}])])
    assert pod_fits_node(spec, node("n", {"k": "v"}))
    assert pod_fits_node(required([term([req("k", "NotIn", [None])])]), node("n", {"k": "v"}))  # type: ignore[list-item]
    assert not pod_fits_node(required([term([req("k", "NotIn", [None])])]), node("n", {"k": ""}))  # type: ignore[list-item]


@pytest.mark.parametrize(
    "spec",
    [
        {"nodeSelector": ["k"]},
        {"nodeSelector": {"k": True}},
        {"affinity": "x"},
        {"affinity": {"nodeAffinity": []}},
        {"affinity": {"nodeAffinity": {REQUIRED_AFFINITY: "x"}}},
        required("abc"),  # type: ignore[arg-type]
        required(["term"]),  # type: ignore[list-item]
        required([{"matchExpressions": "x"}]),
        required([term([{"key": "k", "operator": "In", "values": "true"}])]),
        required([term([{"key": "k", "operator": "In", "values": [True]}])]),
        required([term([{"key": 1, "operator": "Exists"}])]),
        required([term(fields=[{"key": "metadata.name", "operator": "In", "values": [1]}])]),
        "spec",
    ],
)
def test_malformed_spec_raises(spec: Any) -> None:
    with pytest.raises(MalformedSpecError):
        pod_fits_node(spec, node("n"))
    with pytest.raises(MalformedSpecError):
        may_run_on_labelled_node(spec)


def test_malformed_node_raises() -> None:
    with pytest.raises(MalformedSpecError):
        pod_fits_node({}, {"metadata": {"labels": {"k": 1}}})
    with pytest.raises(MalformedSpecError):
        pod_fits_node({}, {"metadata": {"name": 5}})
    with pytest.raises(TypeError):
        is_cloud_node({"metadata": "x"})


def test_read_only_mappings_and_sequences_are_accepted() -> None:
    spec = freeze({"nodeSelector": {"a": "1"}, **required([term([req("b", "In", ["x", "y"])])])})
    assert pod_fits_node(spec, freeze(node("n", {"a": "1", "b": "y"})))
    assert not pod_fits_node(spec, freeze(node("n", {"a": "1", "b": "z"})))


def test_is_cloud_node() -> None:
    assert is_cloud_node(node("n", {CLOUD_KEY: CLOUD_VALUE}))
    assert not is_cloud_node(node("n", {CLOUD_KEY: "false"}))
    assert not is_cloud_node(node("n", {}))
    assert not is_cloud_node(node())
    assert not is_cloud_node({})
    assert is_cloud_node(node("n", {"example.com/pool": "gpu"}), "example.com/pool=gpu")


# --- exclusion --------------------------------------------------------------------------------------------


def test_exclude_calico_manifest_without_affinity_gets_one_term() -> None:
    # Manifest Calico kube-system/calico-node has nodeSelector os=linux and no affinity.
    calico = {"nodeSelector": {"kubernetes.io/os": "linux"}, "tolerations": [{"operator": "Exists"}]}
    out = exclude_nodes_with_label(calico)
    assert out == {
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"operator": "Exists"}],
        "affinity": {"nodeAffinity": {REQUIRED_AFFINITY: {"nodeSelectorTerms": [{"matchExpressions": [EXCLUSION]}]}}},
    }


def test_exclude_flannel_term_keeps_os_requirement_and_gains_not_in() -> None:
    # Flannel >= 0.19 kube-flannel/kube-flannel-ds already has a term kubernetes.io/os In [linux].
    flannel = required([term([OS_LINUX])])
    assert terms_of(exclude_nodes_with_label(flannel)) == [{"matchExpressions": [OS_LINUX, EXCLUSION]}]


def test_exclude_two_terms_and_node_selector() -> None:
    spec = {
        "nodeSelector": {"kubernetes.io/os": "linux"},
        **required(
            [
                term([req("node-role.kubernetes.io/worker", "Exists")]),
                term([req("zone", "In", ["a", "b"])], [req("metadata.name", "NotIn", ["n0"])]),
            ]
        ),
    }
    out = exclude_nodes_with_label(spec)
    assert out["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert terms_of(out) == [
        {"matchExpressions": [req("node-role.kubernetes.io/worker", "Exists"), EXCLUSION]},
        {
            "matchExpressions": [req("zone", "In", ["a", "b"]), EXCLUSION],
            "matchFields": [req("metadata.name", "NotIn", ["n0"])],
        },
    ]
    on_prem = node("n1", {"kubernetes.io/os": "linux", "zone": "a"})
    cloud = node("n2", {"kubernetes.io/os": "linux", "zone": "a", CLOUD_KEY: CLOUD_VALUE})
    assert pod_fits_node(spec, cloud) and pod_fits_node(spec, on_prem)
    assert pod_fits_node(out, on_prem) and not pod_fits_node(out, cloud)


def test_exclude_keeps_all_other_affinity_untouched() -> None:
    preferred = [{"weight": 10, "preference": {"matchExpressions": [req("ssd", "Exists")]}}]
    pod_affinity = {REQUIRED_AFFINITY: [{"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "zone"}]}
    pod_anti = {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "podAffinityTerm": {}}]}
    spec = {
        "nodeSelector": {"a": "b"},
        "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
        "containers": [{"name": "c", "image": "i"}],
        "affinity": {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": preferred,
                REQUIRED_AFFINITY: {"nodeSelectorTerms": [term([OS_LINUX])]},
            },
            "podAffinity": pod_affinity,
            "podAntiAffinity": pod_anti,
        },
    }
    out = exclude_nodes_with_label(spec)
    assert out["nodeSelector"] == spec["nodeSelector"]
    assert out["tolerations"] == spec["tolerations"]
    assert out["containers"] == spec["containers"]
    assert out["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] == preferred
    assert out["affinity"]["podAffinity"] == pod_affinity
    assert out["affinity"]["podAntiAffinity"] == pod_anti
    assert list(out) == list(spec)
    assert list(out["affinity"]) == list(spec["affinity"])


def test_exclude_keeps_terms_that_match_nothing() -> None:
    empties: list[Any] = [{}, term([]), term(None, []), term([], []), None]
    out = exclude_nodes_with_label(required([*empties, term([OS_LINUX])]))
    assert terms_of(out) == [*empties, term([OS_LINUX, EXCLUSION])]


@pytest.mark.parametrize(
    "spec",
    [required([]), required(None), {"affinity": {"nodeAffinity": {REQUIRED_AFFINITY: {}}}}],
    ids=["empty list", "null", "missing"],
)
def test_exclude_keeps_a_required_affinity_without_terms(spec: dict[str, Any]) -> None:
    out = exclude_nodes_with_label(spec)
    assert out == spec
    assert not may_run_on_unlabelled_node(out)


def test_exclude_term_with_only_match_fields_gains_expressions() -> None:
    out = exclude_nodes_with_label(required([term(fields=[name_in("n1")])]))
    assert terms_of(out) == [{"matchFields": [name_in("n1")], "matchExpressions": [EXCLUSION]}]


def test_exclude_invalid_term_still_matches_nothing() -> None:
    invalid = term([req("bad key", "Exists")])
    out = exclude_nodes_with_label(required([invalid]))
    assert terms_of(out) == [term([req("bad key", "Exists"), EXCLUSION])]
    assert not may_run_on_unlabelled_node(out)


def test_exclude_skips_a_term_that_already_has_the_requirement() -> None:
    spec = required([term([EXCLUSION, OS_LINUX]), term([OS_LINUX])])
    assert terms_of(exclude_nodes_with_label(spec)) == [term([EXCLUSION, OS_LINUX]), term([OS_LINUX, EXCLUSION])]


def test_exclude_appends_next_to_a_broader_exclusion() -> None:
    broader = req(CLOUD_KEY, "NotIn", [CLOUD_VALUE, "maybe"])
    assert terms_of(exclude_nodes_with_label(required([term([broader])]))) == [term([broader, EXCLUSION])]


def test_exclude_is_idempotent() -> None:
    specs: list[Any] = [
        None,
        {},
        {"nodeSelector": {"a": "b"}},
        required([term([OS_LINUX]), {}, term(fields=[name_in("x")])]),
        required([]),
        required(None),
    ]
    for spec in specs:
        once = exclude_nodes_with_label(spec)
        assert exclude_nodes_with_label(once) == once
        assert exclude_affinity(once["affinity"]) == once["affinity"]


def test_exclude_does_not_mutate_or_share_its_input() -> None:
    spec = {"nodeSelector": {"a": "b"}, **required([term([OS_LINUX]), term(fields=[name_in("x")])])}
    before = copy.deepcopy(spec)
    out = exclude_nodes_with_label(spec)
    assert spec == before
    out["nodeSelector"]["a"] = "changed"
    terms_of(out)[0]["matchExpressions"][0]["values"].append("changed")
    assert spec == before


def test_exclude_accepts_read_only_input_and_returns_plain_containers() -> None:
    spec = freeze({"nodeSelector": {"a": "b"}, **required([term([OS_LINUX])])})
    out = exclude_nodes_with_label(spec)
    assert type(out) is dict
    assert type(out["nodeSelector"]) is dict
    assert type(terms_of(out)) is list
    assert terms_of(out) == [term([OS_LINUX, EXCLUSION])]


def test_exclude_affinity_of_nothing() -> None:
    expected = {"nodeAffinity": {REQUIRED_AFFINITY: {"nodeSelectorTerms": [{"matchExpressions": [EXCLUSION]}]}}}
    assert exclude_affinity(None) == expected
    assert exclude_affinity({}) == expected
    assert exclude_affinity({"nodeAffinity": None}) == expected
    assert exclude_affinity({"nodeAffinity": {REQUIRED_AFFINITY: None}}) == expected
    assert exclude_nodes_with_label(None) == {"affinity": expected}


def test_exclude_other_label() -> None:
    out = exclude_affinity(None, "example.com/pool=gpu")
    assert out["nodeAffinity"][REQUIRED_AFFINITY]["nodeSelectorTerms"] == [
        {"matchExpressions": [{"key": "example.com/pool", "operator": "NotIn", "values": ["gpu"]}]}
    ]


@pytest.mark.parametrize("label", ["no-equals", "bad key=x", "k=bad value", "=x", "k=" + "a" * 64])
def test_exclude_refuses_a_label_it_cannot_express(label: str) -> None:
    with pytest.raises(ValueError):
        exclude_affinity(None, label)
    with pytest.raises(ValueError):
        exclude_nodes_with_label({}, label)


def test_exclude_label_with_empty_value() -> None:
    out = exclude_affinity(None, "example.com/flag=")
    assert out["nodeAffinity"][REQUIRED_AFFINITY]["nodeSelectorTerms"][0]["matchExpressions"] == [
        {"key": "example.com/flag", "operator": "NotIn", "values": [""]}
    ]


@pytest.mark.parametrize(
    "affinity",
    [
        "x",
        {"nodeAffinity": "x"},
        {"nodeAffinity": {REQUIRED_AFFINITY: []}},
        {"nodeAffinity": {REQUIRED_AFFINITY: {"nodeSelectorTerms": {}}}},
        {"nodeAffinity": {REQUIRED_AFFINITY: {"nodeSelectorTerms": ["x"]}}},
        {"nodeAffinity": {REQUIRED_AFFINITY: {"nodeSelectorTerms": [{"matchExpressions": "x"}]}}},
        {
            "nodeAffinity": {
                REQUIRED_AFFINITY: {"nodeSelectorTerms": [term([{"key": "k", "operator": "In", "values": "a"}])]}
            }
        },
        {
            "nodeAffinity": {
                REQUIRED_AFFINITY: {"nodeSelectorTerms": [term(fields=[{"key": "metadata.name", "values": [1]}])]}
            }
        },
    ],
)
def test_exclude_refuses_malformed_affinity(affinity: Any) -> None:
    with pytest.raises(MalformedSpecError):
        exclude_affinity(affinity)


def test_exclude_tigera_installation_affinity() -> None:
    installation = {
        "apiVersion": "operator.tigera.io/v1",
        "kind": "Installation",
        "metadata": {"name": "default"},
        "spec": {"calicoNodeDaemonSet": {"spec": {"template": {"spec": {"affinity": {}}}}}},
    }
    affinity: Any = installation
    for part in TIGERA_AFFINITY_PATH:
        affinity = affinity[part]
    out = exclude_affinity(affinity)
    spec = pod_spec_of(installation)
    assert spec is not None
    assert not may_run_on_labelled_node({**spec, "affinity": out})
    assert may_run_on_unlabelled_node({**spec, "affinity": out})


# --- may_run_on_* and witness_node -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "labelled", "unlabelled"),
    [
        pytest.param(None, True, True, id="no constraints"),
        pytest.param(required([term([req(CLOUD_KEY, "DoesNotExist")])]), False, True, id="DoesNotExist"),
        pytest.param(required([term([req(CLOUD_KEY, "NotIn", ["true"])])]), False, True, id="NotIn [true]"),
        pytest.param(required([term([req(CLOUD_KEY, "NotIn", ["false"])])]), True, True, id="NotIn [false]"),
        pytest.param(required([term([req(CLOUD_KEY, "In", ["true"])])]), True, False, id="In [true]"),
        pytest.param(required([term([req(CLOUD_KEY, "In", ["true", "false"])])]), True, True, id="In [true,false]"),
        pytest.param(required([term([req(CLOUD_KEY, "Exists")])]), True, True, id="Exists"),
        pytest.param({"nodeSelector": {CLOUD_KEY: "true"}}, True, False, id="nodeSelector pin (Terway)"),
        pytest.param({"nodeSelector": {CLOUD_KEY: "false"}}, False, True, id="nodeSelector other value"),
        pytest.param(
            {"nodeSelector": {CLOUD_KEY: "true"}, **required([term([req(CLOUD_KEY, "NotIn", ["true"])])])},
            False,
            False,
            id="nodeSelector pin contradicts affinity",
        ),
        pytest.param(
            required([term([req(CLOUD_KEY, "NotIn", ["true"])]), term([OS_LINUX])]),
            True,
            True,
            id="one term excludes, another does not",
        ),
        pytest.param(required([]), False, False, id="no terms"),
        pytest.param(required([{}]), False, False, id="empty term"),
        pytest.param(required([term([req(CLOUD_KEY, "In", ["bad value!"])])]), False, False, id="invalid term"),
        pytest.param(
            required([term([OS_LINUX, req("kubernetes.io/os", "NotIn", ["linux"])])]), False, False, id="contradiction"
        ),
        pytest.param(exclude_nodes_with_label({"nodeSelector": {"a": "b"}}), False, True, id="excluded"),
    ],
)
def test_may_run(spec: Any, labelled: bool, unlabelled: bool) -> None:
    assert may_run_on_labelled_node(spec) is labelled
    assert may_run_on_unlabelled_node(spec) is unlabelled
    for want, flag in ((labelled, True), (unlabelled, False)):
        witness = witness_node(spec, CLOUD_NODE_LABEL, flag)
        assert (witness is not None) is want
        if witness is not None:
            assert pod_fits_node(spec, witness)
            assert is_cloud_node(witness) is flag
            assert witness["metadata"]["name"]


GEN = "example.com/gen"


@pytest.mark.parametrize(
    ("expressions", "labelled", "unlabelled"),
    [
        pytest.param([req(GEN, "Gt", ["5"])], False, True, id="Gt 5"),
        pytest.param([req(GEN, "Gt", ["4"])], True, True, id="Gt 4"),
        pytest.param([req(GEN, "Lt", ["5"])], False, True, id="Lt 5"),
        pytest.param([req(GEN, "Lt", ["6"])], True, True, id="Lt 6"),
        # Only the integer 5 is in range, yet "05" parses to 5 and is not the label value "5".
        pytest.param([req(GEN, "Gt", ["4"]), req(GEN, "Lt", ["6"])], True, True, id="only 5"),
        pytest.param([req(GEN, "Gt", ["5"]), req(GEN, "Lt", ["6"])], False, False, id="empty range"),
        pytest.param([req(GEN, "Gt", ["9223372036854775807"])], False, False, id="above int64"),
        pytest.param([req(GEN, "Lt", ["0"])], False, True, id="negative only"),
        pytest.param([req(GEN, "Gt", ["4"]), req(GEN, "In", ["5", "x"])], True, False, id="In with range"),
        pytest.param([req(GEN, "Gt", ["4"]), req(GEN, "In", ["x"])], False, False, id="In outside range"),
        pytest.param([req(GEN, "Gt", ["3"]), req(GEN, "Lt", ["5"]), req(GEN, "NotIn", ["4"])], False, True, id="04"),
        pytest.param([req(GEN, "Gt", ["4"]), req(GEN, "DoesNotExist")], False, False, id="Gt and DoesNotExist"),
    ],
)
def test_may_run_with_integer_ranges(expressions: list[dict[str, Any]], labelled: bool, unlabelled: bool) -> None:
    label = f"{GEN}=5"
    spec = required([term(expressions)])
    assert may_run_on_labelled_node(spec, label) is labelled
    assert may_run_on_unlabelled_node(spec, label) is unlabelled


def test_witness_spells_an_excluded_integer_differently() -> None:
    # 4 is the only integer in range; "4" is excluded but "04" parses to 4 as well.
    spec = required([term([req(GEN, "Gt", ["3"]), req(GEN, "Lt", ["5"]), req(GEN, "NotIn", ["4"])])])
    witness = witness_node(spec, CLOUD_NODE_LABEL, False)
    assert witness is not None
    assert witness["metadata"]["labels"][GEN] == "04"


def test_witness_for_negative_range() -> None:
    witness = witness_node(required([term([req(GEN, "Lt", ["0"])])]), CLOUD_NODE_LABEL, True)
    assert witness is not None
    assert witness["metadata"]["labels"] == {GEN: "-1", CLOUD_KEY: CLOUD_VALUE}


@pytest.mark.parametrize(
    ("fields", "labelled"),
    [
        pytest.param([name_in("node-a")], True, id="In one name"),
        pytest.param([name_in("node-a"), name_in("node-a")], True, id="In the same name twice"),
        pytest.param([name_in("node-a"), name_in("node-b")], False, id="In two names"),
        pytest.param([name_in("node-a"), req("metadata.name", "NotIn", ["node-a"])], False, id="In and NotIn"),
        pytest.param([req("metadata.name", "NotIn", ["witness-node"])], True, id="NotIn"),
        pytest.param([name_in("")], False, id="In empty name"),
    ],
)
def test_may_run_with_match_fields(fields: list[dict[str, Any]], labelled: bool) -> None:
    spec = required([term([req(CLOUD_KEY, "Exists")], fields)])
    assert may_run_on_labelled_node(spec) is labelled
    witness = witness_node(spec, CLOUD_NODE_LABEL, True)
    if witness is not None:
        names = {f["values"][0] for f in fields if f["operator"] == "In"}
        assert not names or witness["metadata"]["name"] in names
        assert witness["metadata"]["name"] not in {f["values"][0] for f in fields if f["operator"] == "NotIn"}


def test_witness_combines_node_selector_and_term() -> None:
    spec = {"nodeSelector": {"kubernetes.io/os": "linux"}, **required([term([req("zone", "In", ["b", "a"])])])}
    assert witness_node(spec, CLOUD_NODE_LABEL, True) == {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": "witness-node",
            "labels": {CLOUD_KEY: CLOUD_VALUE, "kubernetes.io/os": "linux", "zone": "a"},
        },
    }
    assert witness_node(spec, CLOUD_NODE_LABEL, False) == {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "witness-node", "labels": {"kubernetes.io/os": "linux", "zone": "a"}},
    }


def test_unlabelled_witness_may_carry_the_key_with_another_value() -> None:
    witness = witness_node(required([term([req(CLOUD_KEY, "Exists")])]), CLOUD_NODE_LABEL, False)
    assert witness is not None
    assert witness["metadata"]["labels"][CLOUD_KEY] != CLOUD_VALUE


# --- pod_spec_of ------------------------------------------------------------------------------------------

POD_SPEC = {"nodeSelector": {"kubernetes.io/os": "linux"}, "containers": [{"name": "c"}]}


@pytest.mark.parametrize("kind", ["DaemonSet", "Deployment", "StatefulSet"])
def test_pod_spec_of_apps_v1_workloads(kind: str) -> None:
    obj = {"apiVersion": "apps/v1", "kind": kind, "spec": {"template": {"spec": POD_SPEC}}}
    assert pod_spec_of(obj) == POD_SPEC
    assert pod_spec_of({"kind": kind, "spec": {"template": {"spec": POD_SPEC}}}) == POD_SPEC
    assert pod_spec_of({"apiVersion": "extensions/v1beta1", "kind": kind, "spec": {"template": {}}}) is None


def test_pod_spec_of_tigera_installation() -> None:
    obj = {
        "apiVersion": "operator.tigera.io/v1",
        "kind": "Installation",
        "spec": {"calicoNodeDaemonSet": {"spec": {"template": {"spec": POD_SPEC}}}},
    }
    assert pod_spec_of(obj) == POD_SPEC
    assert pod_spec_of({**obj, "apiVersion": "operator.tigera.io/v2"}) is None


@pytest.mark.parametrize(
    "obj",
    [
        {"apiVersion": "apps/v1", "kind": "DaemonSet"},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": None},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": {}},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": {"template": None}},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": {"template": {"metadata": {"annotations": {}}}}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}},
        {"apiVersion": "operator.tigera.io/v1", "kind": "Installation"},
        {"apiVersion": "operator.tigera.io/v1", "kind": "Installation", "spec": {"variant": "Calico"}},
        {"apiVersion": "operator.tigera.io/v1", "kind": "Installation", "spec": {"calicoNodeDaemonSet": {}}},
        {"apiVersion": "operator.tigera.io/v1", "kind": "Installation", "spec": {"calicoNodeDaemonSet": {"spec": {}}}},
    ],
)
def test_pod_spec_of_partial_objects(obj: dict[str, Any]) -> None:
    assert pod_spec_of(obj) == {}
    assert pod_spec_of(freeze(obj)) == {}


@pytest.mark.parametrize(
    "obj",
    [
        {},
        {"apiVersion": "v1", "kind": "Pod", "spec": POD_SPEC},
        {"apiVersion": "v1", "kind": "ConfigMap"},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "spec": {"template": {"spec": POD_SPEC}}},
        {"apiVersion": "batch/v1", "kind": "Job", "spec": {"template": {"spec": POD_SPEC}}},
        {"apiVersion": "apps/v1", "kind": ["DaemonSet"]},
    ],
)
def test_pod_spec_of_other_objects(obj: dict[str, Any]) -> None:
    assert pod_spec_of(obj) is None


def test_pod_spec_of_malformed_path_raises() -> None:
    with pytest.raises(MalformedSpecError):
        pod_spec_of({"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": {"template": "x"}})


def test_pod_spec_of_is_read_only_and_feeds_the_other_functions() -> None:
    obj = freeze({"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": {"template": {"spec": POD_SPEC}}})
    spec = pod_spec_of(obj)
    assert spec is not None
    assert may_run_on_labelled_node(spec)
    assert not may_run_on_labelled_node(exclude_nodes_with_label(spec))


# apimachinery pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector (nil selects nothing, empty everything) and
# pkg/labels/selector.go Requirement.Matches, for the four operators a label selector has.
@pytest.mark.parametrize(
    ("selector", "labels", "matches"),
    [
        (None, {"app": "x"}, False),  # nil: labels.Nothing()
        ({}, {}, True),  # empty: labels.Everything()
        ({"matchLabels": {"app": "x"}}, {"app": "x", "tier": "a"}, True),
        ({"matchLabels": {"app": "x"}}, {"app": "y"}, False),
        ({"matchExpressions": [req("tier", "In", ["a", "b"])]}, {"tier": "b"}, True),
        ({"matchExpressions": [req("tier", "NotIn", ["a"])]}, {}, True),
        ({"matchExpressions": [req("tier", "Exists")]}, {"app": "x"}, False),
        ({"matchExpressions": [req("tier", "DoesNotExist")]}, {"app": "x"}, True),
        ({"matchLabels": {"app": "x"}, "matchExpressions": [req("tier", "Exists")]}, {"app": "x"}, False),
    ],
)
def test_label_selector_matches_as_apimachinery(
    selector: dict[str, Any] | None, labels: dict[str, str], matches: bool
) -> None:
    assert selector is None or label_selector_error(selector) is None
    assert label_selector_matches(selector, labels) is matches


@pytest.mark.parametrize(
    "selector",
    [
        {"matchExpressions": [req("app", "Gt", ["1"])]},  # node-selector operators only
        {"matchExpressions": [req("app", "In")]},  # In needs values
        {"matchExpressions": [req("app", "Exists", ["x"])]},
        {"matchLabels": {"app": "not a value"}},
    ],
)
def test_what_is_no_label_selector(selector: dict[str, Any]) -> None:
    assert label_selector_error(selector) is not None
