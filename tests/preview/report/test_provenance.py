"""Every artifact says where its facts come from, marks made-up values where they appear, and tells a security
reviewer the RAM actions, the addon and the secrets written (never their values)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hybrid_terway.core import terway_model
from preview.report.artifacts import PLACEMENT_UNMANAGED, STAND_IN
from preview.report.provenance import CLOUD_SNAPSHOT, CLUSTER_SNAPSHOT, STAND_INS
from preview.run import EXIT_FAILED, PreviewResult, preview
from tests.conftest import DATA, ROOT
from tests.core.test_cni_families import KUBE_OVN, kube_ovn_stack

ADDRESSES = DATA / "snapshots" / "bgp-calico-addresses.yaml"
CLOUD = DATA / "cloud" / "dev-cn-hangzhou.json"


def run(out: Path, snapshot: Path | None = None, cloud: Path | None = None, stack: str = "dev") -> PreviewResult:
    return preview(ROOT, stack, snapshot, out / stack, policy=False, cloud_snapshot=cloud)


def artifacts(out: Path, stack: str = "dev") -> tuple[str, dict[str, Any]]:
    return (out / stack / "PLAN.md").read_text(), json.loads((out / stack / "plan.json").read_text())


def test_without_snapshots_every_section_says_stand_ins_and_made_up_values_are_marked(tmp_path: Path) -> None:
    result = run(tmp_path)
    plan_md, plan = artifacts(tmp_path)
    provenance = plan["provenance"]
    assert provenance["clusterSnapshot"] is None and provenance["cloudSnapshot"] is None
    assert provenance["addressPlanCheckedAgainstAccount"] is False
    sections = provenance["sections"]
    assert sections["Placement today and after the plan"] == STAND_INS
    assert sections["Address plan: pod vSwitches, security groups, VPCs, free IPs"] == STAND_INS
    assert "## Where these facts come from" in plan_md
    address_plan = plan_md[plan_md.index("## Address plan") :]
    assert "**Not checked against your account**" in address_plan
    assert f"252{STAND_IN}" in address_plan  # free IPs made up for a /24
    assert "ok (against stand-ins)" in address_plan
    assert (
        "notice: no --cloud-snapshot: the address plan was not checked against the account" in result.summary
    )
    assert "notice: no --snapshot: the changes, rollouts and placement are those of a representative" in result.summary


def test_with_both_snapshots_the_sections_name_them_and_nothing_is_a_stand_in(tmp_path: Path) -> None:
    result = run(tmp_path, ADDRESSES, CLOUD)
    plan_md, plan = artifacts(tmp_path)
    provenance = plan["provenance"]
    assert provenance["clusterSnapshot"] == str(ADDRESSES)
    assert provenance["cloudSnapshot"] == str(CLOUD)
    assert provenance["addressPlanCheckedAgainstAccount"] is True
    assert set(provenance["sections"].values()) >= {CLUSTER_SNAPSHOT, CLOUD_SNAPSHOT}
    assert STAND_INS not in provenance["sections"].values()
    assert "stand-in" not in plan_md
    assert "notice:" not in result.summary


def test_the_security_review_lists_the_ram_actions_the_addon_and_the_secrets_by_name(tmp_path: Path) -> None:
    result = run(tmp_path)
    plan_md, plan = artifacts(tmp_path)
    review = plan["securityReview"]
    (policy,) = review["ramPolicies"]
    assert policy["actions"] == sorted(terway_model.RAM_ACTIONS)
    section = plan_md[plan_md.index("## Security review") : plan_md.index("## Changes in the cluster")]
    for action in terway_model.RAM_ACTIONS:
        assert f"| `{action}` | Terway's published list |" in section
    addon = '- Addon `terway-eniip`: version not pinned (the version ACK installs); configuration `{"IPVlan": "false"}`'
    assert addon in section
    assert "Secret kube-system/alibaba-addon-secret: `access-key-id`, `access-key-secret`" in section
    invented = result.world.cloud.invented_values()
    assert invented
    for value in invented:  # the AccessKey id and secret the fake cloud made up appear nowhere in PLAN.md's review
        assert value not in section
    secret_values = [v for v in invented if len(v) > 24]
    assert all(value not in plan_md and value not in json.dumps(plan) for value in secret_values)


def test_the_security_review_marks_the_guide_actions_and_a_pinned_version(tmp_path: Path) -> None:
    text = (ROOT / "Pulumi.dev.yaml").read_text()
    text = text.replace("    ipvlan: false\n", "    ipvlan: false\n    version: v1.13.7\n")
    text = text.replace("    activeKey: a\n", "    activeKey: a\n    legacyRamActions: true\n")
    root = tmp_path / "project"
    root.mkdir()
    (root / "Pulumi.legacy.yaml").write_text(text)
    preview(root, "legacy", None, tmp_path / "out" / "legacy", policy=False)
    plan_md, plan = artifacts(tmp_path / "out", "legacy")
    for action in terway_model.RAM_ACTIONS_GUIDE_EXTRA:
        assert f"| `{action}` | **the 2021 guide only** (`credentials.legacyRamActions`) |" in plan_md
    assert "- Addon `terway-eniip`: version `v1.13.7`" in plan_md
    assert plan["securityReview"]["addons"][0]["version"] == "v1.13.7"


def test_an_existing_key_creates_no_policy_and_overlay_has_no_address_plan(tmp_path: Path) -> None:
    run(tmp_path, stack="example-host")
    plan_md, plan = artifacts(tmp_path, "example-host")
    assert plan["securityReview"]["ramPolicies"] == []
    assert "- RAM: no policy is created by this stack." in plan_md
    run(tmp_path, stack="example-overlay")
    plan_md, plan = artifacts(tmp_path, "example-overlay")
    assert plan["provenance"]["addressPlanCheckedAgainstAccount"] is None
    assert "## Address plan" not in plan_md and "- Secrets written: none" in plan_md


def test_placement_words_and_why_it_fails_without_a_mandatory_violation(tmp_path: Path) -> None:
    root = kube_ovn_stack(tmp_path, ["kube-ovn-cni"])
    result = preview(root, "kube-ovn", KUBE_OVN, tmp_path / "out" / "kube-ovn", policy=True)
    assert result.exit_code == EXIT_FAILED
    assert result.report is not None
    assert not [v for v in result.report["violations"] if v["level"] == "mandatory"]
    plan_md = (tmp_path / "out" / "kube-ovn" / "PLAN.md").read_text()
    assert "- Placement after the plan: **fails**: 1 cloud node runs two CNIs" in plan_md
    assert "the plan does not fix all of it" in plan_md
    assert PLACEMENT_UNMANAGED in plan_md
    assert "after the plan: none" not in plan_md and "Placement (one CNI" not in plan_md
