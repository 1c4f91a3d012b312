"""Property tests of hybrid_terway.core.scheduling over generated pod specs and nodes."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hybrid_terway.core.constants import CLOUD_NODE_LABEL, split_label
from hybrid_terway.core.scheduling import (
    REQUIRED_AFFINITY,
    exclude_affinity,
    exclude_nodes_with_label,
    is_cloud_node,
    may_run_on_labelled_node,
    may_run_on_unlabelled_node,
    pod_fits_node,
    pod_spec_of,
    witness_node,
)
from tests.core.test_scheduling import freeze

CLOUD_KEY, CLOUD_VALUE = split_label(CLOUD_NODE_LABEL)
EXCLUSION = {"key": CLOUD_KEY, "operator": "NotIn", "values": [CLOUD_VALUE]}

PROFILE = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KEYS = [CLOUD_KEY, "kubernetes.io/os", "zone", "gen", "bad key"]
EXPRESSION_VALUES = ["true", "false", "linux", "a", "0", "4", "5", "6", "05", "", "bad value", "-1"]
NUMBERS = ["0", "4", "5", "6", "05", "-1", "x", "9223372036854775807"]
NODE_VALUES = ["true", "false", "linux", "a", "0", "4", "5", "6", "05", "", "-1", "+5", "x y"]
NAMES = ["node-a", "node-b", "witness-node", "witness-node-1"]


def _with_values(key: str, operator: str, values: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"key": key, "operator": operator}
    if values is not None:
        out["values"] = values
    return out


_KEY = st.sampled_from(KEYS)
_VALUE = st.sampled_from(EXPRESSION_VALUES)
_NUMBER = st.sampled_from(NUMBERS)

expressions = st.one_of(
    st.builds(
        _with_values,
        _KEY,
        st.sampled_from(["In", "NotIn", "Bogus"]),
        st.one_of(st.lists(_VALUE, min_size=1, max_size=3), st.none()),
    ),
    st.builds(
        _with_values,
        _KEY,
        st.sampled_from(["Exists", "DoesNotExist"]),
        st.one_of(st.none(), st.just([]), st.lists(_VALUE, max_size=1)),
    ),
    st.builds(
        _with_values,
        _KEY,
        st.sampled_from(["Gt", "Lt"]),
        st.one_of(st.lists(_NUMBER, min_size=1, max_size=1), st.lists(_NUMBER, max_size=2)),
    ),
)

field_requirements = st.fixed_dictionaries(
    {
        "key": st.sampled_from(["metadata.name", "metadata.name", "metadata.uid"]),
        "operator": st.sampled_from(["In", "In", "NotIn", "NotIn", "Exists"]),
        "values": st.one_of(
            st.lists(st.sampled_from([*NAMES, ""]), min_size=1, max_size=1),
            st.lists(st.sampled_from(NAMES), max_size=2),
        ),
    }
)

terms: st.SearchStrategy[dict[str, Any] | None] = st.one_of(
    st.fixed_dictionaries(
        {"matchExpressions": st.lists(expressions, min_size=1, max_size=3)},
        optional={"matchFields": st.lists(field_requirements, max_size=2)},
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "matchExpressions": st.lists(expressions, max_size=2),
            "matchFields": st.lists(field_requirements, max_size=2),
        },
    ),
    st.sampled_from([None, {}, {"matchExpressions": []}, {"matchExpressions": None, "matchFields": []}]),
)

_POD_ANTI_AFFINITY = {
    "preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 1, "podAffinityTerm": {"topologyKey": "zone", "labelSelector": {"matchLabels": {"a": "b"}}}}
    ]
}
_PREFERRED = st.builds(
    lambda t: {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 5, "preference": t or {}}]}, terms
)
_REQUIRED = st.one_of(
    st.sampled_from([{}, {"nodeSelectorTerms": None}, {"nodeSelectorTerms": []}]),
    st.fixed_dictionaries({"nodeSelectorTerms": st.lists(terms, min_size=1, max_size=3)}),
    st.fixed_dictionaries({"nodeSelectorTerms": st.lists(terms, min_size=1, max_size=3)}),
)


def _affinity(shape: str, required: dict[str, Any], preferred: dict[str, Any], extras: bool) -> dict[str, Any] | None:
    base: dict[str, Any] = {"podAntiAffinity": _POD_ANTI_AFFINITY} if extras else {}
    if shape == "absent":
        return None
    if shape == "empty":
        return base
    if shape == "no-node":
        return {**base, "nodeAffinity": None}
    if shape == "no-required":
        return {**base, "nodeAffinity": preferred}
    if shape == "null-required":
        return {**base, "nodeAffinity": {REQUIRED_AFFINITY: None}}
    return {**base, "nodeAffinity": {REQUIRED_AFFINITY: required, **preferred}}


affinities = st.builds(
    _affinity,
    st.sampled_from(["absent", "empty", "no-node", "no-required", "null-required", *["required"] * 5]),
    _REQUIRED,
    st.one_of(st.just({}), _PREFERRED),
    st.booleans(),
)


def _pod_spec(
    absent: bool, node_selector: dict[str, str] | None, affinity: dict[str, Any] | None, tolerations: bool
) -> dict[str, Any] | None:
    if absent:
        return None
    spec: dict[str, Any] = {}
    if node_selector is not None:
        spec["nodeSelector"] = node_selector
    spec["affinity"] = affinity
    if affinity is None and tolerations:
        del spec["affinity"]
    if tolerations:
        spec["tolerations"] = [{"operator": "Exists"}]
    return spec


pod_specs = st.builds(
    _pod_spec,
    st.integers(0, 19).map(lambda n: n == 0),
    st.one_of(
        st.none(),
        st.dictionaries(_KEY, st.sampled_from(["true", "false", "linux", "5", "x y"]), max_size=2),
    ),
    affinities,
    st.booleans(),
)

_NODE_VALUE = st.one_of(*[st.sampled_from(NODE_VALUES)] * 4, st.text(max_size=3))


def _node(labels: dict[str, str], cloud: str | None, name: str) -> dict[str, Any]:
    if cloud is not None:
        labels = {**labels, CLOUD_KEY: cloud}
    metadata: dict[str, Any] = {"labels": labels}
    if name:
        metadata["name"] = name
    return {"apiVersion": "v1", "kind": "Node", "metadata": metadata}


def nodes(named: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        _node,
        st.dictionaries(st.sampled_from([*KEYS, "other"]), _NODE_VALUE, max_size=5),
        st.sampled_from([None, CLOUD_VALUE, CLOUD_VALUE, "false"]),
        st.sampled_from(NAMES if named else [*NAMES, ""]),
    )


node_lists = st.lists(nodes(), min_size=1, max_size=8)
named_node_lists = st.lists(nodes(named=True), min_size=1, max_size=12)


@PROFILE
@given(pod_specs, node_lists)
def test_exclusion_removes_exactly_the_labelled_nodes(
    spec: dict[str, Any] | None, candidates: list[dict[str, Any]]
) -> None:
    excluded = exclude_nodes_with_label(spec)
    for node in candidates:
        assert pod_fits_node(excluded, node) == (pod_fits_node(spec, node) and not is_cloud_node(node))


@PROFILE
@given(pod_specs)
def test_exclusion_is_idempotent_and_keeps_everything_else(spec: dict[str, Any] | None) -> None:
    excluded = exclude_nodes_with_label(spec)
    assert exclude_nodes_with_label(excluded) == excluded
    assert exclude_affinity(excluded["affinity"]) == excluded["affinity"]
    affinity = (spec or {}).get("affinity")
    assert exclude_affinity(exclude_affinity(affinity)) == exclude_affinity(affinity)
    source = spec or {}
    assert {k: v for k, v in excluded.items() if k != "affinity"} == {
        k: v for k, v in source.items() if k != "affinity"
    }
    before = source.get("affinity") or {}
    after = excluded["affinity"]
    assert {k: v for k, v in after.items() if k != "nodeAffinity"} == {
        k: v for k, v in before.items() if k != "nodeAffinity"
    }
    node_before = before.get("nodeAffinity") or {}
    assert {k: v for k, v in after["nodeAffinity"].items() if k != REQUIRED_AFFINITY} == {
        k: v for k, v in node_before.items() if k != REQUIRED_AFFINITY
    }
    required_before = node_before.get(REQUIRED_AFFINITY)
    terms_after = after["nodeAffinity"][REQUIRED_AFFINITY].get("nodeSelectorTerms")
    if required_before is None:
        assert terms_after == [{"matchExpressions": [EXCLUSION]}]
        return
    terms_before = required_before.get("nodeSelectorTerms")
    if terms_before is None:
        assert terms_after is None
        return
    assert len(terms_after) == len(terms_before)
    for old, new in zip(terms_before, terms_after, strict=True):
        if not old or not (old.get("matchExpressions") or old.get("matchFields")):
            assert new == old
            continue
        assert new.get("matchFields") == old.get("matchFields")
        old_expressions = old.get("matchExpressions") or []
        assert new["matchExpressions"][: len(old_expressions)] == old_expressions
        added = [] if EXCLUSION in old_expressions else [EXCLUSION]
        assert new["matchExpressions"] == [*old_expressions, *added]


def _relabelled(node: dict[str, Any] | None, value: str | None) -> list[dict[str, Any]]:
    """``node`` with the cloud label set to ``value`` (None: removed)."""
    if node is None:
        return []
    labels = {k: v for k, v in node["metadata"]["labels"].items() if k != CLOUD_KEY}
    if value is not None:
        labels[CLOUD_KEY] = value
    return [{**node, "metadata": {**node["metadata"], "labels": labels}}]


def _check_reachability(spec: Any, candidates: list[dict[str, Any]], labelled: bool) -> None:
    # Besides the generated nodes, the witness of the other side with the cloud label flipped is a close candidate.
    other = witness_node(spec, CLOUD_NODE_LABEL, not labelled)
    candidates = [*candidates, *(_relabelled(other, CLOUD_VALUE if labelled else None))]
    if not labelled:
        candidates += _relabelled(other, "false")
    witness = witness_node(spec, CLOUD_NODE_LABEL, labelled)
    may_run = may_run_on_labelled_node(spec) if labelled else may_run_on_unlabelled_node(spec)
    assert may_run == (witness is not None)
    if witness is None:
        for node in candidates:
            assert not (pod_fits_node(spec, node) and is_cloud_node(node) == labelled), node
    else:
        assert witness["metadata"]["name"]
        assert is_cloud_node(witness) == labelled
        assert pod_fits_node(spec, witness)


@PROFILE
@given(pod_specs, named_node_lists)
def test_reachability_is_decided_exactly(spec: dict[str, Any] | None, candidates: list[dict[str, Any]]) -> None:
    _check_reachability(spec, candidates, True)
    _check_reachability(spec, candidates, False)
    excluded = exclude_nodes_with_label(spec)
    assert not may_run_on_labelled_node(excluded)
    assert may_run_on_unlabelled_node(excluded) == may_run_on_unlabelled_node(spec)


@PROFILE
@given(pod_specs, node_lists)
def test_inputs_are_not_mutated(spec: dict[str, Any] | None, candidates: list[dict[str, Any]]) -> None:
    spec_before = copy.deepcopy(spec)
    nodes_before = copy.deepcopy(candidates)
    workload = {"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": {"template": {"spec": spec}}}
    workload_before = copy.deepcopy(workload)
    results = [pod_fits_node(spec, n) for n in candidates]
    excluded = exclude_nodes_with_label(spec)
    affinity = exclude_affinity((spec or {}).get("affinity"))
    reach = (may_run_on_labelled_node(spec), may_run_on_unlabelled_node(spec))
    witnesses = (witness_node(spec, CLOUD_NODE_LABEL, True), witness_node(spec, CLOUD_NODE_LABEL, False))
    assert pod_spec_of(workload) == (spec or {})
    assert spec == spec_before
    assert candidates == nodes_before
    assert workload == workload_before
    # Read-only views give the same answers.
    frozen = freeze(spec)
    assert [pod_fits_node(frozen, freeze(n)) for n in candidates] == results
    assert exclude_nodes_with_label(frozen) == excluded
    assert exclude_affinity(freeze((spec or {}).get("affinity"))) == affinity
    assert (may_run_on_labelled_node(frozen), may_run_on_unlabelled_node(frozen)) == reach
    assert (witness_node(frozen, CLOUD_NODE_LABEL, True), witness_node(frozen, CLOUD_NODE_LABEL, False)) == witnesses
