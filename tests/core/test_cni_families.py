"""CNIs with several node-local DaemonSets: listing one of them leaves the others free to land on cloud nodes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hybrid_terway.core import constants
from policy.hybrid_terway_guard import config as pc
from preview.run import EXIT_FAILED, EXIT_OK
from tests.conftest import DATA, ROOT

KUBE_OVN = DATA / "snapshots" / "bgp-kube-ovn.yaml"


def kube_ovn_stack(tmp_path: Path, names: list[str]) -> Path:
    """The dev stack (bgp) with onPremWorkloads listing the given kube-system DaemonSets."""
    text = (ROOT / "Pulumi.dev.yaml").read_text()
    text = text[: text.index("  hybrid-terway:onPremWorkloads:")]
    listed = "".join(f"    - {{kind: DaemonSet, namespace: kube-system, name: {n}}}\n" for n in names)
    (tmp_path / "Pulumi.kube-ovn.yaml").write_text(f"{text}  hybrid-terway:onPremWorkloads:\n{listed}")
    return tmp_path


def preview_cli(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "preview",
            "--cwd",
            str(root),
            "--stack",
            "kube-ovn",
            "--snapshot",
            str(KUBE_OVN),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_default_list_holds_every_node_local_daemonset_grouped_by_cni() -> None:
    assert constants.ONPREM_CNI_FAMILIES["Kube-OVN"] == ("kube-ovn-cni", "ovs-ovn")
    assert constants.ONPREM_CNI_FAMILIES["Cilium"] == ("cilium", "cilium-envoy")
    flat = [name for names in constants.ONPREM_CNI_FAMILIES.values() for name in names]
    assert list(constants.KNOWN_ONPREM_CNI_DAEMONSETS) == flat
    assert pc.SETTING_SCHEMAS[pc.ONPREM_CNI_DAEMONSETS]["default"] == flat
    assert constants.cni_family("ovs-ovn") == ("Kube-OVN", ("kube-ovn-cni", "ovs-ovn"))
    assert constants.cni_family("coredns") is None


def test_kube_ovn_listing_only_kube_ovn_cni_fails_placement_naming_ovs_ovn(tmp_path: Path) -> None:
    result = preview_cli(kube_ovn_stack(tmp_path, ["kube-ovn-cni"]), "--no-policy")
    assert result.returncode == EXIT_FAILED, result.stderr
    assert (
        "placement: hybrid-terway:onPremWorkloads[0] lists DaemonSet kube-system/kube-ovn-cni, but Kube-OVN also "
        "runs DaemonSet kube-system/ovs-ovn (would run on cn-hangzhou.192.168.10.31): list every node-local "
        "DaemonSet of Kube-OVN in onPremWorkloads"
    ) in result.stdout


def test_kube_ovn_with_both_daemonsets_listed_is_one_cni_on_prem(tmp_path: Path) -> None:
    result = preview_cli(kube_ovn_stack(tmp_path, ["kube-ovn-cni", "ovs-ovn"]))
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "placement:" not in result.stdout and "policy " not in result.stdout
