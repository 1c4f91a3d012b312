"""Snapshot structure is checked before use: every problem names the object and the field; duplicates refused."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from preview.run import EXIT_INVALID, PreviewError, preview
from preview.world.fake_cluster import make_node, make_workload
from preview.world.snapshot import SnapshotError, load_snapshot
from tests.conftest import DATA

CALICO_TWO_TERMS = DATA / "snapshots" / "bgp-calico-two-terms.yaml"
CALICO = "DaemonSet kube-system/calico-node"
TERMS = "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"


def base() -> list[dict[str, Any]]:
    return load_snapshot(CALICO_TWO_TERMS.read_text(), "base.yaml")


def calico(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == "DaemonSet" and o["metadata"]["name"] == "calico-node")


def dump(objects: list[dict[str, Any]]) -> str:
    return yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": objects})


def problems_of(objects: list[dict[str, Any]]) -> str:
    with pytest.raises(SnapshotError) as info:
        load_snapshot(dump(objects), "snap.yaml")
    return str(info.value)


def with_terms(terms: Any) -> list[dict[str, Any]]:
    objects = base()
    affinity = calico(objects)["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
    affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] = terms
    return objects


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ("not-a-list", f"{CALICO}: {TERMS}: must be a list, not a string"),
        ([["a"]], f"{CALICO}: {TERMS}[0]: must be a mapping, not a list"),
        ([{"matchExpressions": {"key": "x"}}], f"{CALICO}: {TERMS}[0].matchExpressions: must be a list, not a mapping"),
        (
            [{"matchExpressions": [{"key": "a", "operator": "Inn", "values": ["b"]}]}],
            f"{CALICO}: {TERMS}[0].matchExpressions[0].operator: 'Inn' is not one of In, NotIn, Exists, DoesNotExist",
        ),
        (
            [{"matchExpressions": [{"key": "a", "operator": "In"}]}],
            f"{CALICO}: {TERMS}[0].matchExpressions[0].values: In needs at least one value",
        ),
        (
            [{"matchExpressions": [{"key": "a", "operator": "Exists", "values": [1]}]}],
            f"{CALICO}: {TERMS}[0].matchExpressions[0].values[0]: must be a string, not an integer",
        ),
        (
            [{"matchFields": [{"key": "metadata.name", "operator": "Exists"}]}],
            f"{CALICO}: {TERMS}[0].matchFields[0].operator: 'Exists' is not one of In, NotIn",
        ),
    ],
)
def test_malformed_affinity_is_a_snapshot_error_naming_object_and_field(terms: Any, message: str) -> None:
    assert message in problems_of(with_terms(terms))


def test_non_string_labels_name_the_label() -> None:
    objects = base()
    objects[0]["metadata"]["labels"]["alibabacloud.com/external"] = True
    objects[1]["metadata"]["labels"] = ["x"]
    problems = problems_of(objects)
    assert (
        "Node dc1-rack1-node1: metadata.labels.alibabacloud.com/external: must be a string, not a boolean"
        in problems
    )
    assert "Node dc1-rack2-node7: metadata.labels: must be a mapping, not a list" in problems


def test_workload_without_template_is_refused() -> None:
    objects = base()
    del calico(objects)["spec"]["template"]
    assert f"{CALICO}: spec.template: is required" in problems_of(objects)


def test_an_object_listed_twice_is_refused() -> None:
    objects = base()
    objects.append(copy.deepcopy(objects[0]))
    assert "Node dc1-rack1-node1: listed twice (also at snap.yaml: document 0, item 0)" in problems_of(objects)


def test_two_installations_are_refused() -> None:
    objects = [make_node("n1", {}), make_workload("Installation", None, "default")]
    objects.append(make_workload("Installation", None, "other"))
    assert "2 tigera Installations: Installation default" in problems_of(objects)


def test_invalid_operator_exits_2_not_a_placement_failure(tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.yaml"
    snapshot.write_text(dump(with_terms([{"matchExpressions": [{"key": "a", "operator": "in", "values": ["b"]}]}])))
    with pytest.raises(PreviewError) as info:
        preview(DATA.parent.parent, "dev", snapshot, tmp_path / "out" / "dev", policy=False)
    assert info.value.exit_code == EXIT_INVALID
    assert f"{CALICO}: {TERMS}[0].matchExpressions[0].operator: 'in' is not one of" in str(info.value)


def test_a_valid_snapshot_has_no_problems() -> None:
    assert len(base()) > 4
