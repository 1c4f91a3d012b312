"""JSON snapshots (``kubectl get ... -o json``) are read as JSON, as strictly as YAML ones, and keep of each Node only
what the preview reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from preview.run import EXIT_OK, preview
from preview.world import snapshot as snapshot_module
from preview.world.snapshot import SnapshotError, load_snapshot
from tests.conftest import DATA, ROOT

SNAPSHOTS = sorted((DATA / "snapshots").glob("*.yaml"))
CALICO = DATA / "snapshots" / "bgp-calico-two-terms.yaml"


def as_json(path: Path) -> str:
    """The snapshot as ``kubectl get -o json`` prints it (4-space indent)."""
    return json.dumps(yaml.safe_load(path.read_text()), indent=4)


def kubelet_node(name: str) -> dict[str, Any]:
    """A Node as the kubelet reports it: status images, conditions and nodeInfo beside what the preview reads."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/hostname": name, "alibabacloud.com/external": "true"},
            "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
            "managedFields": [{"manager": "kubelet", "operation": "Update", "fieldsV1": {"f:status": {}}}],
            "uid": "0b7c7e8e-1f7a-4c55-9d2b-0f1c8a9d3e11",
        },
        "spec": {"podCIDR": "10.244.1.0/24", "taints": [{"key": "k", "effect": "NoSchedule"}]},
        "status": {
            "addresses": [{"type": "InternalIP", "address": "192.168.0.7"}, {"type": "Hostname", "address": name}],
            "images": [{"names": [f"registry.example.com/app@sha256:{'0' * 64}"], "sizeBytes": 1}],
            "conditions": [{"type": "Ready", "status": "True"}],
            "nodeInfo": {"kubeletVersion": "v1.33.1"},
        },
    }


@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: p.stem)
def test_json_snapshot_reads_as_the_yaml_one(path: Path) -> None:
    assert load_snapshot(as_json(path), "snap.json") == load_snapshot(path.read_text(), "snap.yaml")


def test_a_node_keeps_what_the_preview_reads_and_workloads_stay_whole() -> None:
    calico = yaml.safe_load(CALICO.read_text())
    daemonset = next(o for o in calico["items"] if o["kind"] == "DaemonSet")
    daemonset["metadata"]["managedFields"] = [
        {"manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "fieldsType": "FieldsV1",
         "fieldsV1": {"f:spec": {}}}
    ]  # fmt: skip
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": [kubelet_node("n1"), daemonset]})
    node, workload = load_snapshot(text, "snap.json")
    assert node == {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": "n1",
            "labels": {"kubernetes.io/hostname": "n1", "alibabacloud.com/external": "true"},
            "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {"podCIDR": "10.244.1.0/24", "taints": [{"key": "k", "effect": "NoSchedule"}]},
        "status": {
            "addresses": [{"type": "InternalIP", "address": "192.168.0.7"}, {"type": "Hostname", "address": "n1"}]
        },
    }
    assert workload == daemonset  # managedFields included
    # The YAML reader keeps the same of a Node.
    assert load_snapshot(yaml.safe_dump({"kind": "List", "items": [kubelet_node("n1")]}), "s.yaml") == [node]


def test_a_single_object_is_a_snapshot() -> None:
    assert [o["metadata"]["name"] for o in load_snapshot(json.dumps(kubelet_node("n1")), "node.json")] == ["n1"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{\n    "kind": "List",\n    "items": [{"kind": "Node", "apiVersion": "v1", "kind": "Node"}]\n}',
            r"^snap\.json:3:52: duplicate key 'kind' in a JSON object$",
        ),
        (
            '{"kind": "List", "items": [{"metadata": {"labels": {"a": "1", "a": "2"}}}]}',
            r"^snap\.json:1:63: duplicate key 'a'",
        ),
        (
            '{"kind": "List", "items": [{"status": {"images": ' + "[" * 200 + "]" * 200 + "}}]}",
            r"^snap\.json:1:\d+: nested more than 100 levels deep$",
        ),
        (b'{"kind": "List",\n "items": ["\xff"]}', r"^snap\.json:2:13: not UTF-8 text \(byte 0xff\)"),
        ('{"kind": "List", "items": [}', r"^snap\.json:1:28: not valid JSON"),
        ('{"kind": "List", "items": [{"kind": "Node"}]}', r"is not a Kubernetes object \(missing apiVersion"),
        ('[{"kind": "Node"}]', r"document 0: is a list, not a Kubernetes object"),
    ],
)
def test_hostile_json_is_refused_with_file_line_column(text: str | bytes, message: str) -> None:
    with pytest.raises(SnapshotError, match=message):
        load_snapshot(text, "snap.json")


def test_deep_nesting_hidden_in_a_dropped_field_is_refused_too() -> None:
    node = kubelet_node("n1")
    node["status"]["images"] = json.loads("[" * 101 + "]" * 101)
    with pytest.raises(SnapshotError, match=r"nested more than 100 levels deep"):
        load_snapshot(json.dumps({"kind": "List", "items": [node]}), "snap.json")


def test_size_bounds_are_stated_per_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_module, "MAX_SNAPSHOT_BYTES", 200)
    monkeypatch.setattr(snapshot_module, "MAX_INPUT_BYTES", 100)
    text = json.dumps(kubelet_node("n1"))
    with pytest.raises(SnapshotError, match=rf"^snap\.json: {len(text)} bytes, more than the 200 this reader accepts$"):
        load_snapshot(text, "snap.json")
    with pytest.raises(SnapshotError, match=r"bytes of YAML, more than the 100 .* `kubectl get \.\.\. -o json`"):
        load_snapshot("kind: List\nitems: []\n" + "#" * 100, "snap.yaml")


def test_a_huge_string_is_read_once_and_bounded() -> None:
    node = kubelet_node("n1")
    node["status"]["images"][0]["names"] = ["x" * 20_000_000]
    (kept,) = load_snapshot(json.dumps(node), "snap.json")
    assert "images" not in kept["status"]


def test_json_snapshot_previews_like_the_yaml_one(tmp_path: Path) -> None:
    (tmp_path / "snap.json").write_text(as_json(CALICO))
    result = preview(ROOT, "dev", tmp_path / "snap.json", tmp_path / "json", policy=False)
    assert result.exit_code == EXIT_OK
    by_yaml = preview(ROOT, "dev", CALICO, tmp_path / "yaml", policy=False)
    assert result.placement == by_yaml.placement
    assert (tmp_path / "json" / "placement.json").read_text() == (tmp_path / "yaml" / "placement.json").read_text()


def test_several_kubectl_outputs_one_after_the_other_are_one_snapshot() -> None:
    nodes = {"apiVersion": "v1", "kind": "List", "items": [kubelet_node("n1"), kubelet_node("n2")]}
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "kubeadm-config", "namespace": "kube-system"},
    }
    text = json.dumps(nodes, indent=4) + "\n" + json.dumps(config, indent=4) + "\n"
    assert [o["metadata"]["name"] for o in load_snapshot(text, "snap.json")] == ["n1", "n2", "kubeadm-config"]
    with pytest.raises(SnapshotError, match=r"^snap\.json:2:1: not valid JSON"):
        load_snapshot(json.dumps(config) + "\n}", "snap.json")
