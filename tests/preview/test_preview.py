"""The offline preview as users run it: artifacts, exit codes, determinism, and no secret anywhere."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from policy.hybrid_terway_guard import config as pc
from preview import run as run_module
from preview.engine.program import Registration
from preview.report.artifacts import manifest_of
from preview.report.schema import validate_object
from preview.run import EXIT_FAILED, EXIT_INVALID, EXIT_OK, PreviewError, PreviewResult
from tests.conftest import DATA, EXAMPLE_STACKS, ROOT, dev_variant
from tests.preview.conftest import run_preview

SNAPSHOTS = DATA / "snapshots"
CALICO_TWO_TERMS = SNAPSHOTS / "bgp-calico-two-terms.yaml"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preview", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def secrets_of(result: PreviewResult) -> set[str]:
    values = {str(k.state["secret"]) for k in result.world.cloud.of_type("alicloud:ram/accessKey:AccessKey")}
    return values | {
        "offline-placeholder-for-hybrid-terway:accessKeySecret",
        "offline-placeholder-for-hybrid-terway:kubeconfig",
    }


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_example_stack_previews(stack: str, tmp_path: Path) -> None:
    result = run_preview(stack, tmp_path)
    assert result.exit_code == EXIT_OK, result.summary
    out = tmp_path / stack
    assert {"plan.json", "PLAN.md", "placement.json"} <= {p.name for p in out.iterdir()}
    plan = json.loads((out / "plan.json").read_text())
    assert plan["project"] == "hybrid-terway" and plan["stack"] == stack
    for resource in plan["resources"]:
        optional = {"change", "diff", "stepDiffs", "stepReplaces"} & set(resource)
        assert set(resource) == {"urn", "type", "name", "parent", "dependsOn", "inputs", "options", "step"} | optional
        # the options the engine receives with the registration
        assert set(resource["options"]) == {
            "protect",
            "retainOnDelete",
            "deleteBeforeReplace",
            "additionalSecretOutputs",
            "customTimeouts",
            "aliases",
            "ignoreChanges",
            "replaceOnChanges",
        }
    sent = [r for r in plan["resources"] if "change" in r]
    assert len(sent) == len(list((out / "manifests").glob("*.yaml"))), "each object sent is compared"
    assert "```mermaid" in (out / "PLAN.md").read_text()
    for manifest in (out / "manifests").glob("*.yaml"):
        obj = yaml.safe_load(manifest.read_text())
        assert validate_object(obj, partial=manifest.name.split("-")[0].endswith("patch")) == [], manifest.name


def test_two_runs_give_byte_identical_artifacts(tmp_path: Path) -> None:
    run_preview("dev", tmp_path / "one", CALICO_TWO_TERMS)
    run_preview("dev", tmp_path / "two", CALICO_TWO_TERMS)
    first, second = files(tmp_path / "one" / "dev"), files(tmp_path / "two" / "dev")
    assert first.keys() == second.keys() and first == second


def test_dev_manifests(tmp_path: Path) -> None:
    run_preview("dev", tmp_path)
    manifests = tmp_path / "dev" / "manifests"
    assert sorted(p.name for p in manifests.iterdir()) == [
        "configmap-kube-system-hybrid-terway-cloud-nodes.yaml",
        "configmappatch-kube-system-eni-config.yaml",
        "daemonsetpatch-kube-system-calico-node.yaml",
        "daemonsetpatch-kube-system-terway-eniip.yaml",
        "secret-kube-system-alibaba-addon-secret.yaml",
    ]
    eni = yaml.safe_load((manifests / "configmappatch-kube-system-eni-config.yaml").read_text())
    assert set(eni["data"]) == {"eni_conf"}, "the addon's 10-terway.conf stays untouched"
    secret = yaml.safe_load((manifests / "secret-kube-system-alibaba-addon-secret.yaml").read_text())
    assert secret["stringData"] == {"access-key-id": "[secret]", "access-key-secret": "[secret]"}


def test_configmap_store_masks_only_the_secret_inside_eni_conf(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    text = (ROOT / "Pulumi.dev.yaml").read_text().replace("store: secret", "store: configmap")
    (root / "Pulumi.cm.yaml").write_text(text)
    result = run_preview("cm", tmp_path / "out", root=root)
    eni = yaml.safe_load(
        (tmp_path / "out" / "cm" / "manifests" / "configmappatch-kube-system-eni-config.yaml").read_text()
    )
    conf = json.loads(eni["data"]["eni_conf"])
    assert conf["access_secret"] == "[secret]"
    assert conf["access_key"].startswith("LTAI5t"), "the key id stays readable; only the secret is masked"
    assert conf["service_cidr"] == "172.21.0.0/20"
    assert "plain text in ConfigMap" in (tmp_path / "out" / "cm" / "PLAN.md").read_text()
    assert "warning:" in result.summary


@pytest.mark.parametrize("stack", ["dev", "example-host"])
def test_no_secret_in_any_artifact_or_output(stack: str, tmp_path: Path) -> None:
    result = run_preview(stack, tmp_path)
    secrets = secrets_of(result)
    assert secrets
    texts = [result.summary] + [b.decode() for b in files(tmp_path / stack).values()]
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_snapshot_keeps_both_calico_terms_and_placement_holds(tmp_path: Path) -> None:
    result = run_preview("dev", tmp_path, CALICO_TWO_TERMS)
    assert result.exit_code == EXIT_OK
    patch = yaml.safe_load((tmp_path / "dev" / "manifests" / "daemonsetpatch-kube-system-calico-node.yaml").read_text())
    terms = patch["spec"]["template"]["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]["nodeSelectorTerms"]
    exclusion = {"key": "alibabacloud.com/external", "operator": "NotIn", "values": ["true"]}
    assert terms == [
        {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}, exclusion]},
        {
            "matchExpressions": [
                {"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]},
                {"key": "topology.example.com/rack", "operator": "Exists"},
                exclusion,
            ]
        },
    ]
    assert "nodeSelector" not in patch["spec"]["template"]["spec"], "the live nodeSelector is left to its owner"
    placement = json.loads((tmp_path / "dev" / "placement.json").read_text())
    assert placement["ok"] and not placement["representative"]
    verdict = {n["name"]: n["cni"] for n in placement["nodes"]}
    assert verdict == {
        "cn-hangzhou.192.168.10.21": ["DaemonSet kube-system/terway-eniip"],
        "cn-hangzhou.192.168.11.9": ["DaemonSet kube-system/terway-eniip"],
        "dc1-rack1-node1": ["DaemonSet kube-system/calico-node"],
        "dc1-rack2-node7": ["DaemonSet kube-system/calico-node"],
    }
    # after the plan the fake cluster holds the merged object, with its selector and preferred terms intact
    live = result.world.cluster.get("DaemonSet", "kube-system", "calico-node")
    pod = live["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert pod["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]


def test_bgp_without_isolation_fails_placement(tmp_path: Path) -> None:
    root = dev_variant(tmp_path, "bare")
    result = run_preview("bare", tmp_path / "out", CALICO_TWO_TERMS, root=root)
    assert result.exit_code == EXIT_FAILED
    assert any(
        "cloud node cn-hangzhou.192.168.10.21 runs DaemonSet kube-system/calico-node, "
        "DaemonSet kube-system/terway-eniip" in p
        for p in result.placement["problems"]
    ), result.placement["problems"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("items: [\n", "snap.yaml:2:1: did not find expected node content"),
        ("just a string\n", "not a Kubernetes object"),
        ("apiVersion: v1\nkind: List\nitems:\n- kind: Node\n  metadata: {name: x}\n", "missing apiVersion"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\n", "holds no Node objects"),
        ("", "holds no Kubernetes objects"),
    ],
)
def test_bad_snapshot_exits_2(content: str, message: str, tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.yaml"
    snapshot.write_text(content)
    with pytest.raises(PreviewError) as info:
        run_preview("dev", tmp_path, snapshot)
    assert info.value.exit_code == EXIT_INVALID and message in str(info.value)


def test_a_preview_leaves_the_collector_as_it_found_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview collects less often while it runs; whoever calls it in-process gets the thresholds back, also
    when it fails."""
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []

    def failing(*_: object) -> None:
        seen.append(gc.get_threshold())
        raise OSError("disk gone")

    with monkeypatch.context() as patched:
        patched.setattr(run_module, "load_stack_config", failing)
        with pytest.raises(OSError, match="disk gone"):
            run_preview("dev", tmp_path)
    assert seen == [run_module.COLLECTOR_THRESHOLDS] and gc.get_threshold() == before
    run_preview("dev", tmp_path)
    assert gc.get_threshold() == before


def test_snapshot_without_the_listed_workload_exits_2(tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.yaml"
    snapshot.write_text(
        CALICO_TWO_TERMS.read_text().replace("name: calico-node\n    namespace", "name: calico\n    namespace")
    )
    with pytest.raises(
        PreviewError, match=r"onPremWorkloads\[0\]: DaemonSet kube-system/calico-node is not in the snapshot"
    ):
        run_preview("dev", tmp_path, snapshot)


def test_cli_exit_codes(tmp_path: Path) -> None:
    ok = cli("--stack", "example-overlay", "--no-policy", "--out", str(tmp_path))
    assert ok.returncode == EXIT_OK, ok.stderr
    assert "hybrid-terway:index:HybridTerwayNetwork" in ok.stdout
    missing = cli("--stack", "nope", "--out", str(tmp_path))
    assert missing.returncode == EXIT_INVALID and "Pulumi.nope.yaml" in missing.stderr
    bad_arg = cli("--snapshot", str(tmp_path / "none.yaml"))
    assert bad_arg.returncode == EXIT_INVALID and "no such file" in bad_arg.stderr


def test_cli_reports_config_errors_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.bad.yaml").write_text(
        "config:\n  hybrid-terway:scenario: vxlan\n  hybrid-terway:clusterId: c123\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "preview", "--cwd", str(tmp_path), "--stack", "bad", "--no-policy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == EXIT_INVALID
    assert "hybrid-terway:scenario = 'vxlan': Input should be 'overlay', 'bgp' or 'host'" in result.stderr
    assert "hybrid-terway:clusterId = 'c123'" in result.stderr
    assert "Traceback" not in result.stderr
    # an invalid configuration leaves only the failure: no plan, no manifests
    stack_dir = tmp_path / "build" / "preview" / "bad"
    assert sorted(p.name for p in stack_dir.iterdir()) == [".hybrid-terway-preview", "PLAN.md", "plan.json"]
    assert json.loads((stack_dir / "plan.json").read_text())["failed"] is True


def test_schema_failure_is_an_error(tmp_path: Path) -> None:
    bad = Registration(
        urn="urn:x",
        type="kubernetes:apps/v1:DaemonSetPatch",
        name="x",
        parent="",
        custom=True,
        read=False,
        dependencies=[],
        provider="",
        inputs={"metadata": {"name": "x", "namespace": "y"}, "spec": {"template": {"spec": {"nodeSelectorTerms": []}}}},
    )
    problems = validate_object(manifest_of(bad, masked=False), partial=True)
    assert problems and "'nodeSelectorTerms' was unexpected" in problems[0]


def test_bgp_stack_that_constrains_no_onprem_cni_fails_policy_and_placement(tmp_path: Path) -> None:
    """The pull-request gate: onPremWorkloads emptied in a bgp stack, previewed against a cluster with Calico."""
    root = dev_variant(tmp_path, "bare")
    result = subprocess.run(
        [sys.executable, "-m", "preview", "--cwd", str(root), "--stack", "bare", "--snapshot", str(CALICO_TWO_TERMS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == EXIT_FAILED, result.stderr
    out = root / "build" / "preview" / "bare"
    report = json.loads((out / "policy-report.json").read_text())
    assert len(report["policies"]) == len(pc.POLICY_NAMES)
    violations = [v for v in report["violations"] if v["level"] == "mandatory"]
    assert any(v["policy"] == "one-cni-per-node" and "on-prem nodes" in v["message"] for v in violations), violations
    plan = (out / "PLAN.md").read_text()
    assert "## Policy violations" in plan and "one-cni-per-node" in plan


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_example_stacks_pass_the_policy_pack(stack: str, tmp_path: Path) -> None:
    result = run_preview(stack, tmp_path, policy=True)
    assert result.exit_code == EXIT_OK, result.summary
    assert result.report is not None
    # the configmap example keeps the key as the 2021 guide did: the advisory says so, and only it
    expected = ["credentials-not-in-configmap"] if stack == "example-configmap" else []
    assert [v["policy"] for v in result.report["violations"]] == expected
    assert all(v["level"] == "advisory" for v in result.report["violations"])
    assert json.loads((tmp_path / stack / "policy-report.json").read_text()) == result.report


def test_overlay_snapshot_keeps_the_overlay_cni_everywhere_and_the_nas_client_on_prem(tmp_path: Path) -> None:
    result = run_preview("example-overlay", tmp_path, SNAPSHOTS / "overlay-flannel.yaml")
    assert result.exit_code == EXIT_OK, result.summary
    nodes = {n["name"]: n for n in result.placement["nodes"]}
    for node in nodes.values():
        assert node["cni"] == ["DaemonSet kube-flannel/kube-flannel-ds"], "overlay: one CNI, on every node"
    assert nodes["lab-node-1"]["onPremWorkloads"] == ["Deployment storage/nfs-subdir-external-provisioner"]
    assert nodes["cn-shanghai.10.8.0.5"]["onPremWorkloads"] == []
    assert not (tmp_path / "example-overlay" / "manifests" / "configmappatch-kube-system-eni-config.yaml").exists()
