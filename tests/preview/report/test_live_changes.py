"""The preview against a live cluster: per-object changes, rollouts, placement before and after, a second run
that changes nothing, and PLAN.md for reviewers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from hybrid_terway.core import constants
from preview.report.artifacts import _mermaid_id
from preview.run import EXIT_OK, preview
from preview.world.fake_cluster import FakeCluster
from preview.world.snapshot import load_snapshot
from tests.conftest import DATA, dev_variant
from tests.preview.report.conftest import plan_applied, plan_of, run, write_snapshot

SNAPSHOTS = DATA / "snapshots"
CALICO = SNAPSHOTS / "bgp-calico-two-terms.yaml"
TIGERA = SNAPSHOTS / "bgp-tigera-operator.yaml"
EXCLUSION = {"key": "alibabacloud.com/external", "operator": "NotIn", "values": ["true"]}
TERMS = "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"


def kubernetes_changes(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in plan["resources"] if "change" in r}


def test_calico_snapshot_changes_and_rollouts(tmp_path: Path) -> None:
    run("dev", tmp_path, CALICO)
    plan = plan_of(tmp_path, "dev")
    assert plan["liveCluster"] == str(CALICO)
    assert plan["rollouts"] == [
        {
            "kind": "DaemonSet",
            "namespace": "kube-system",
            "name": "calico-node",
            "nodes": 2,  # dc1-rack1-node1 and dc1-rack2-node7 keep it; their pods are replaced
            "nodesLeft": 1,  # cn-hangzhou.192.168.10.21 (amd64) loses it; the arm64 cloud node never had it
            "nodesJoined": 0,
            "strategy": "RollingUpdate",
            "reason": "affinity",
        }
    ]
    changes = kubernetes_changes(plan)
    calico = changes["hybrid-isolation-daemonset-kube-system-calico-node"]
    assert calico["change"] == "update"
    marker = calico["diff"][0]
    assert marker["path"] == 'metadata.annotations["hybrid-terway/applied"]' and marker["old"] is None
    assert calico["diff"][1:] == [
        {"path": 'metadata.annotations["pulumi.com/patchFieldManager"]', "old": None, "new": "hybrid-terway"},
        {"path": 'metadata.annotations["pulumi.com/patchForce"]', "old": None, "new": "true"},
        # 2 pods, one at a time: 2 rounds of 60 s, half again as slack: the provider's default 10 min is enough
        {"path": 'metadata.annotations["pulumi.com/skipAwait"]', "old": None, "new": "false"},
        {"path": 'metadata.annotations["pulumi.com/timeoutSeconds"]', "old": None, "new": "600"},
        {"path": 'metadata.labels["hybrid-terway/placement"]', "old": None, "new": "on-prem"},
        {"path": f"{TERMS}[0].matchExpressions[1]", "old": None, "new": EXCLUSION},
        {"path": f"{TERMS}[1].matchExpressions[2]", "old": None, "new": EXCLUSION},
    ]
    # Terway is not installed in this cluster yet: its objects are created (by the addon), nothing of it rolls
    assert changes["hybrid-terway-daemonset"]["change"] == "create"
    eni = changes["hybrid-terway-eni-config"]
    assert eni["change"] == "create"
    assert {"path": "data.eni_conf:max_pool_size", "old": None, "new": 5} in eni["diff"]
    secret = changes["hybrid-terway-credentials"]
    assert (secret["change"], secret["diff"]) == ("written", [])
    reads = [r for r in plan["resources"] if r["type"] == "kubernetes:apps/v1:DaemonSet"]
    assert reads and all("change" not in r for r in reads), "a read sends nothing"


def test_placement_before_and_after(tmp_path: Path) -> None:
    result = run("dev", tmp_path, CALICO)
    nodes = {n["name"]: n for n in json.loads((tmp_path / "dev" / "placement.json").read_text())["nodes"]}
    assert nodes["cn-hangzhou.192.168.10.21"]["before"] == {
        "cni": ["DaemonSet kube-system/calico-node"],
        "onPremWorkloads": [],
        "ok": False,
    }
    assert nodes["cn-hangzhou.192.168.10.21"]["cni"] == ["DaemonSet kube-system/terway-eniip"]
    assert nodes["cn-hangzhou.192.168.11.9"]["before"] == {"cni": [], "onPremWorkloads": [], "ok": False}
    assert nodes["dc1-rack1-node1"]["before"]["ok"] and nodes["dc1-rack1-node1"]["ok"]
    assert result.placement["before"]["ok"] is False and result.placement["ok"] is True
    plan_md = (tmp_path / "dev" / "PLAN.md").read_text()
    assert (
        "- Placement today: 1 cloud node runs DaemonSet kube-system/calico-node, not terway-eniip only; "
        "1 cloud node runs no CNI; the plan fixes this" in plan_md
    )


def test_a_cluster_running_two_cnis_today_is_summarised(tmp_path: Path) -> None:
    """Terway already installed by its addon on every node: today the cloud nodes run two CNIs."""
    objects = load_snapshot(CALICO.read_text())
    cluster = FakeCluster.of(objects)
    cluster.install_addon(constants.TERWAY_ADDON, "kubernetes.io/os=linux")  # an addon not pinned to cloud nodes
    snapshot = write_snapshot(list(cluster.objects.values()), tmp_path / "two-cnis.yaml")
    run("dev", tmp_path, snapshot)
    plan_md = (tmp_path / "dev" / "PLAN.md").read_text()
    assert "- Placement today: 1 cloud node runs two CNIs; 2 on-prem nodes run two CNIs; the plan fixes this" in (
        plan_md
    )
    assert "after the plan: none" not in plan_md
    rolled = {r["name"]: r for r in plan_of(tmp_path, "dev")["rollouts"]}
    assert rolled["terway-eniip"]["nodes"] == 2 and rolled["terway-eniip"]["nodesLeft"] == 2
    assert rolled["terway-eniip"]["reason"] == "config hash (annotation hybrid-terway/config-hash), nodeSelector"


@pytest.mark.parametrize(("stack", "snapshot"), [("dev", CALICO), ("example-tigera", TIGERA)])
def test_a_second_run_against_the_applied_plan_changes_nothing(stack: str, snapshot: Path, tmp_path: Path) -> None:
    first = run(stack, tmp_path / "first", snapshot)
    assert plan_of(tmp_path / "first", stack)["rollouts"], "the first run rolls the on-prem CNI"
    applied = write_snapshot(plan_applied(snapshot, first), tmp_path / "applied.yaml")
    second = run(stack, tmp_path / "second", applied)
    plan = plan_of(tmp_path / "second", stack)
    assert plan["rollouts"] == []
    changes = {name: r["change"] for name, r in kubernetes_changes(plan).items()}
    assert changes.pop("hybrid-terway-credentials") == "written", "a snapshot holds no Secret to compare with"
    assert changes and set(changes.values()) == {"same"}, changes
    assert all(not r["diff"] for r in kubernetes_changes(plan).values())
    assert second.placement["before"]["ok"] and second.placement["ok"]
    plan_md = (tmp_path / "second" / stack / "PLAN.md").read_text()
    assert "No workload rolls" in plan_md and "<details>" not in plan_md


MARKER_PATH = 'metadata.annotations["hybrid-terway/applied"]'


def split_marker(diff: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """A patch's diff without its drift marker, and the marker's own entry (None when it did not change)."""
    marker = [d for d in diff if d["path"] == MARKER_PATH]
    return [d for d in diff if d["path"] != MARKER_PATH], (marker[0] if marker else None)


def drifted(objects: list[dict[str, Any]], **keys: Any) -> list[dict[str, Any]]:
    """``objects`` with owned keys of the live eni_conf edited by hand."""
    eni = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "eni-config")
    eni["data"]["eni_conf"] = json.dumps({**json.loads(eni["data"]["eni_conf"]), **keys})
    return objects


def test_drift_in_an_owned_eni_conf_key_is_reverted_and_rolls_terway_once(tmp_path: Path) -> None:
    first = run("dev", tmp_path / "first", CALICO)
    snapshot = write_snapshot(drifted(plan_applied(CALICO, first), max_pool_size=10), tmp_path / "drifted.yaml")
    second = run("dev", tmp_path / "second", snapshot)
    plan = plan_of(tmp_path / "second", "dev")
    changes = kubernetes_changes(plan)
    assert changes["hybrid-terway-eni-config"]["change"] == "update"
    diff, marker = split_marker(changes["hybrid-terway-eni-config"]["diff"])
    assert diff == [{"path": "data.eni_conf:max_pool_size", "old": 10, "new": 5}]
    # the marker is new: the patch's inputs differ from the converged run's, so `up` sends the revert
    assert marker is not None and marker["old"] and marker["old"] != marker["new"]
    [token], ds_marker = split_marker(changes["hybrid-terway-daemonset"]["diff"])
    assert ds_marker is not None
    assert token["path"] == 'spec.template.metadata.annotations["hybrid-terway/config-hash"]'
    assert token["old"] != token["new"]
    assert changes["hybrid-isolation-daemonset-kube-system-calico-node"]["change"] == "same"
    assert plan["rollouts"] == [
        {
            "kind": "DaemonSet",
            "namespace": "kube-system",
            "name": "terway-eniip",
            "nodes": 2,  # both cloud nodes: every Terway pod restarts with the stored configuration
            "nodesLeft": 0,
            "nodesJoined": 0,
            "strategy": "RollingUpdate",
            "reason": "config hash (annotation hybrid-terway/config-hash)",
        }
    ]
    # converged: the drift reverted and Terway rolled, a further run changes and rolls nothing
    converged = write_snapshot(plan_applied(snapshot, second), tmp_path / "converged.yaml")
    run("dev", tmp_path / "third", converged)
    plan = plan_of(tmp_path / "third", "dev")
    assert plan["rollouts"] == []
    assert {r["change"] for r in kubernetes_changes(plan).values()} == {"same", "written"}


def test_without_a_snapshot_the_representative_cluster_is_named(tmp_path: Path) -> None:
    run("dev", tmp_path, None)
    plan = plan_of(tmp_path, "dev")
    assert plan["liveCluster"] == "representative"
    plan_md = (tmp_path / "dev" / "PLAN.md").read_text()
    assert "No snapshot was given: compared with a **representative cluster**" in plan_md
    assert kubernetes_changes(plan)["hybrid-isolation-daemonset-kube-system-calico-node"]["change"] == "update"


def test_a_plain_credential_in_the_live_eni_conf_is_never_shown(tmp_path: Path) -> None:
    """The 2021 guide kept the AccessKey in eni_conf: moving it to the Secret shows that it goes, never its value."""
    first = run("dev", tmp_path / "first", CALICO)
    objects = drifted(
        plan_applied(CALICO, first), access_key="LTAI5tOldPlainKeyId00000", access_secret="old-plain-text-secret-value"
    )
    result = run("dev", tmp_path / "second", write_snapshot(objects, tmp_path / "plain.yaml"))
    texts = [result.summary] + [p.read_text() for p in (tmp_path / "second" / "dev").rglob("*") if p.is_file()]
    assert all("old-plain-text-secret-value" not in t and "LTAI5tOldPlainKeyId00000" not in t for t in texts)
    diff, _ = split_marker(kubernetes_changes(plan_of(tmp_path / "second", "dev"))["hybrid-terway-eni-config"]["diff"])
    assert diff == [
        {"path": "data.eni_conf:access_key", "old": "[secret]", "new": ""},
        {"path": "data.eni_conf:access_secret", "old": "[secret]", "new": ""},
    ]


def test_plan_md_puts_rollouts_first_and_diffs_in_collapsed_blocks(tmp_path: Path) -> None:
    run("dev", tmp_path, CALICO)
    plan_md = (tmp_path / "dev" / "PLAN.md").read_text()
    sections = re.findall(r"^## (.+)$", plan_md, flags=re.M)
    assert sections[0] == "Rollouts", sections
    assert "| DaemonSet kube-system/calico-node | 2 nodes (leaves 1 node) | RollingUpdate | affinity |" in plan_md
    assert "<summary><code>~ update</code> DaemonSet kube-system/calico-node" in plan_md
    assert f"| `{TERMS}[0].matchExpressions[1]` | *(absent)* |" in plan_md
    assert "| `data.eni_conf:access_secret` | *(absent)* | *(empty)* |" in plan_md
    assert "~    kubernetes:apps/v1:DaemonSetPatch" in plan_md and "w    kubernetes:core/v1:Secret" in plan_md
    assert "`terwayAccessKeyId` | `LTAI5t" in plan_md
    assert "placeholder: made up by the fake cloud" in plan_md


def test_placeholder_outputs_are_only_those_the_fake_cloud_made_up(tmp_path: Path) -> None:
    run("dev", tmp_path, None)
    run("example-host", tmp_path, None)
    assert plan_of(tmp_path, "dev")["placeholderOutputs"] == ["terwayAccessKeyId"]
    assert plan_of(tmp_path, "example-host")["placeholderOutputs"] == [], "its key id is the stack's own"


def test_stack_level_violations_are_rendered_as_such(tmp_path: Path) -> None:
    root = dev_variant(tmp_path, "bare")
    result = preview(root, "bare", CALICO, tmp_path / "out" / "bare", policy=True)
    assert result.exit_code != EXIT_OK
    plan_md = (tmp_path / "out" / "bare" / "PLAN.md").read_text()
    line = next(li for li in plan_md.splitlines() if li.startswith("- **one-cni-per-node**"))
    assert "(mandatory), the whole stack:" in line and "``" not in line
    assert "  - on-prem nodes: no on-prem CNI in this stack; list it in onPremWorkloads" in plan_md


# --- the Mermaid graph ---------------------------------------------------------------------------------------

_NODE = re.compile(r'^(?P<id>r_\w+)(\[/|\[)"(?P<label>[^"]*)"(/\]|\])$')
_EDGE = re.compile(r"^(?P<a>r_\w+) (-->|-\. provider \.->) (?P<b>r_\w+)$")
_SUBGRAPH = re.compile(r'^subgraph (?P<id>r_\w+)\["(?P<label>[^"]*)"\]$')
_CLASS = re.compile(r"^(classDef \w+ [\w:#,.\- ]+|class (r_\w+,)*r_\w+ \w+)$")


def mermaid_graph(plan_md: str) -> tuple[set[str], set[str], list[tuple[str, str]]]:
    """Nodes, subgraphs and edges of PLAN.md's flowchart; fails on any line outside the grammar it uses."""
    block = plan_md.split("```mermaid\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0] == "flowchart LR"
    nodes: set[str] = set()
    subgraphs: set[str] = set()
    edges: list[tuple[str, str]] = []
    depth = 0
    for raw in block[1:]:
        line = raw.strip()
        if m := _SUBGRAPH.match(line):
            assert m["id"] not in subgraphs | nodes, f"duplicate id {m['id']}"
            subgraphs.add(m["id"])
            depth += 1
        elif line == "end":
            depth -= 1
            assert depth >= 0
        elif m := _NODE.match(line):
            assert m["id"] not in subgraphs | nodes, f"duplicate id {m['id']}"
            nodes.add(m["id"])
        elif m := _EDGE.match(line):
            edges.append((m["a"], m["b"]))
        else:
            assert _CLASS.match(line), f"not a line of the graph: {line!r}"
    assert depth == 0
    for a, b in edges:
        assert {a, b} <= nodes | subgraphs, (a, b)
    return nodes, subgraphs, edges


@pytest.mark.parametrize(("stack", "snapshot"), [("dev", CALICO), ("example-tigera", TIGERA), ("example-host", None)])
def test_every_graph_node_is_connected_and_components_are_subgraphs(
    stack: str, snapshot: Path | None, tmp_path: Path
) -> None:
    result = run(stack, tmp_path, snapshot)
    nodes, subgraphs, edges = mermaid_graph((tmp_path / stack / "PLAN.md").read_text())
    custom = [r for r in result.run.registrations if r.custom]
    components = [r for r in result.run.registrations if not r.custom and r.type != "pulumi:pulumi:Stack"]
    assert nodes == {_mermaid_id(r.urn) for r in custom}
    assert subgraphs == {_mermaid_id(r.urn) for r in components}
    linked = {a for a, _ in edges} | {b for _, b in edges}
    assert nodes <= linked, f"unconnected: {nodes - linked}"
    provider = next(r for r in custom if r.type == "pulumi:providers:kubernetes")
    assert _mermaid_id(provider.urn) in {a for a, _ in edges}


def test_graph_ids_are_unique_and_stable() -> None:
    prefix = (
        "urn:pulumi:dev::hybrid-terway::hybrid-terway:index:HybridTerwayNetwork$kubernetes:apps/v1:DaemonSetPatch::"
    )
    dotted, dashed = _mermaid_id(prefix + "calico.node"), _mermaid_id(prefix + "calico-node")
    assert dotted != dashed
    assert dotted == _mermaid_id(prefix + "calico.node")
    assert re.fullmatch(r"r_DaemonSetPatch_calico_node_[0-9a-f]{8}", dashed)
