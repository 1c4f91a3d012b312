"""eni_conf merged with the live one, and Terway restarted exactly when what it reads changes, run after run."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi.runtime import rpc

from hybrid_terway.core import constants
from preview.engine.program import ProgramRun, World, run_program
from preview.engine.wire import unwrap
from preview.run import EXIT_INVALID, PreviewError, preview, settings_of
from tests.conftest import DATA, ROOT, one, run_stack, stack_config, world_for

INSTALLED = DATA / "snapshots" / "bgp-calico-terway-installed.yaml"
ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
CM_PATCH = "kubernetes:core/v1:ConfigMapPatch"
DS_PATCH = "kubernetes:apps/v1:DaemonSetPatch"
NS = constants.TERWAY_NAMESPACE


def sent_eni_conf(run: ProgramRun) -> dict[str, Any]:
    data = unwrap(one(run, CM_PATCH).inputs)["data"]
    return json.loads(data[constants.ENI_CONF_KEY])


def sent_token(run: ProgramRun) -> str:
    spec = unwrap(one(run, DS_PATCH, "terway-daemonset").inputs)["spec"]
    return str(spec["template"]["metadata"]["annotations"][constants.RESTART_ANNOTATION])


def live_eni_conf(world: World) -> dict[str, Any]:
    config_map = world.cluster.get("ConfigMap", NS, constants.ENI_CONFIG_MAP)
    assert config_map is not None
    return json.loads(config_map["data"][constants.ENI_CONF_KEY])


def edit_live_eni_conf(world: World, **changes: Any) -> None:
    """An operator's hand edit of eni_conf (kubectl edit)."""
    config_map = world.cluster.get("ConfigMap", NS, constants.ENI_CONFIG_MAP)
    assert config_map is not None
    conf = json.loads(config_map["data"][constants.ENI_CONF_KEY])
    conf.update(changes)
    config_map["data"][constants.ENI_CONF_KEY] = json.dumps(conf)


def terway_objects(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    config_map = world.cluster.get("ConfigMap", NS, constants.ENI_CONFIG_MAP)
    daemonset = world.cluster.get("DaemonSet", NS, constants.TERWAY_DAEMONSET)
    assert config_map is not None and daemonset is not None
    return copy.deepcopy(config_map), copy.deepcopy(daemonset)


def test_preview_of_an_installed_cluster_keeps_every_key_it_does_not_own(tmp_path: Path) -> None:
    result = preview(ROOT, "dev", INSTALLED, tmp_path / "dev", policy=False)
    manifest = (tmp_path / "dev" / "manifests").glob("*eni-config*")
    (path,) = list(manifest)
    text = path.read_text()
    conf = json.loads(yaml.safe_load(text)["data"]["eni_conf"])
    kept = {
        "version": "1",
        "credential_path": "/var/addon/token-config",
        "ip_warm_up_size": 4,
        "enable_eni_trunking": False,
        "idle_ip_reclaim_after": "30m",
    }
    assert {k: conf[k] for k in kept} == kept
    assert conf["eni_tags"] == {"ack.aliyun.com": "c8f1a2b3c4d5e6f708192a3b4c5d6e7f8", "cost-center": "network"}
    assert (conf["max_pool_size"], conf["min_pool_size"]) == (5, 0), "owned keys take the stack's values"
    assert set(conf["vswitches"]) == {"cn-hangzhou-h", "cn-hangzhou-i"}
    assert conf["access_key"] == "" and conf["access_secret"] == "", "store secret: the plaintext key is blanked"
    assert (
        "warning: ConfigMap kube-system/eni-config held a plaintext access_key and access_secret in eni_conf: "
        "blanked" in result.summary
    )
    for artifact in (tmp_path / "dev").rglob("*"):
        if artifact.is_file():
            body = artifact.read_text()
            assert "snapshot-old-plaintext-secret" not in body, artifact  # a key id is not secret, its secret is


@pytest.mark.parametrize(
    ("eni_conf", "message"),
    [
        ("[1, 2]", "must be a JSON object, not a list"),
        ("{version: 1", "is not valid JSON"),
    ],
)
def test_a_live_eni_conf_that_is_no_object_exits_2(eni_conf: str, message: str, tmp_path: Path) -> None:
    text = INSTALLED.read_text()
    start = text.index("    eni_conf: |")
    snapshot = tmp_path / "snap.yaml"
    snapshot.write_text(text[:start] + f"    eni_conf: '{eni_conf}'\n")
    with pytest.raises(PreviewError) as raised:
        preview(ROOT, "dev", snapshot, tmp_path / "dev", policy=False)
    assert raised.value.exit_code == EXIT_INVALID
    assert f"ConfigMap kube-system/eni-config data.eni_conf {message}" in str(raised.value)
    assert "never replaces it" in str(raised.value)


def test_terway_restarts_exactly_when_what_it_reads_changes() -> None:
    config = stack_config("dev")
    run, world = run_stack(config)  # first install: the addon's eni_conf becomes the stack's
    installed = sent_token(run)

    run, world = run_stack(config, world)  # converged: nothing changes
    assert sent_token(run) == installed
    before = terway_objects(world)
    run, world = run_stack(config, world)
    assert terway_objects(world) == before, "a converged run changes nothing in the cluster"

    terway = {**json.loads(config.values["hybrid-terway:terway"]), "maxPoolSize": 7}
    changed = stack_config("dev", terway=json.dumps(terway))
    run, world = run_stack(changed, world)  # a settings change rolls Terway
    assert live_eni_conf(world)["max_pool_size"] == 7
    rolled = sent_token(run)
    assert rolled != installed
    run, world = run_stack(changed, world)
    assert sent_token(run) == rolled, "converged again"

    edit_live_eni_conf(world, ip_warm_up_size=3)  # an operator's own key: kept, and Terway reads it from now on
    run, world = run_stack(changed, world)
    assert live_eni_conf(world)["ip_warm_up_size"] == 3
    assert sent_token(run) != rolled
    settled = sent_token(run)
    run, world = run_stack(changed, world)
    assert sent_token(run) == settled


def test_first_install_preview_shows_the_merge_as_unknown() -> None:
    config = stack_config("dev")
    settings = settings_of(config)
    # `pulumi preview` of a first install: the addon is not created, so its id is unknown and the reads that wait
    # for it are skipped; no Patch resource is sent (the provider skips their create in preview).
    world = world_for(settings)
    cluster = world.cluster
    run = run_program(config.values, config.secret_keys, config.stack, world, dry_run=True)
    reads = [r for r in run.registrations if r.read and r.name.startswith("hybrid-terway-")]
    assert {r.name for r in reads} == {"hybrid-terway-eni-config-live", "hybrid-terway-daemonset-live"}
    assert all(r.id == "" and r.state == {} for r in reads), "a read whose id is unknown is skipped"
    data = one(run, CM_PATCH).inputs["data"]
    assert data == rpc.UNKNOWN or data.get(constants.ENI_CONF_KEY) == rpc.UNKNOWN
    assert cluster.get("ConfigMap", NS, constants.ENI_CONFIG_MAP) is None, "nothing was read or installed"
    template = one(run, DS_PATCH, "terway-daemonset").inputs["spec"]["template"]
    assert template["spec"]["nodeSelector"] == {"alibabacloud.com/external": "true"}, "placement stays judgeable"
    assert template["metadata"]["annotations"][constants.RESTART_ANNOTATION] == rpc.UNKNOWN


def test_a_pinned_version_with_ten_security_groups_passes_settings_and_pack(tmp_path: Path) -> None:
    text = (ROOT / "Pulumi.dev.yaml").read_text()
    groups = "".join(f"      - sg-bp1d5f7h9j1k3m5n{i:04d}\n" for i in range(10))
    start = text.index("    securityGroupIds:\n")
    end = text.index("    minPoolSize:")
    text = text[:start] + "    securityGroupIds:\n" + groups + text[end:]
    text = text.replace("    ipvlan: false\n", "    version: v1.16.7\n    ipvlan: false\n")
    (tmp_path / "Pulumi.ten.yaml").write_text(text)
    result = preview(tmp_path, "ten", None, tmp_path / "out" / "ten", policy=True)
    assert result.exit_code == 0, result.summary
    sent = unwrap(one(result.run, CM_PATCH).inputs)
    assert sent["metadata"]["annotations"][constants.TERWAY_VERSION_ANNOTATION] == "v1.16.7"
    assert len(json.loads(sent["data"][constants.ENI_CONF_KEY])["security_groups"]) == 10


def test_the_guides_extra_ram_actions_only_on_request_and_advisory(tmp_path: Path) -> None:
    text = (
        (ROOT / "Pulumi.dev.yaml")
        .read_text()
        .replace("    activeKey: a\n", "    activeKey: a\n    legacyRamActions: true\n")
    )
    (tmp_path / "Pulumi.legacy.yaml").write_text(text)
    result = preview(tmp_path, "legacy", None, tmp_path / "out" / "legacy", policy=True)
    document = json.loads(unwrap(one(result.run, "alicloud:ram/policy:Policy").inputs)["policyDocument"])
    extra = {"ecs:DescribeInstanceAttribute", "ecs:DescribeInstances", "ecs:ModifyNetworkInterfaceAttribute"}
    assert extra <= set(document["Statement"][0]["Action"])
    assert result.exit_code == 0, "the guide's actions are advisory"
    assert result.report is not None
    found = [v for v in result.report["violations"] if v["policy"] == "terway-ram-guide-actions"]
    assert [v["level"] for v in found] == ["advisory"]
    default = preview(ROOT, "dev", None, tmp_path / "out" / "dev", policy=True)
    assert default.report is not None and not default.report["violations"]
