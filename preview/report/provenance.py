"""Where each fact of a preview comes from: a cluster snapshot, a cloud snapshot, or the representative stand-ins.

PLAN.md and plan.json say it per section, so a reader knows which verdicts are about their cluster and account
and which only about stand-ins consistent with the stack file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CLUSTER_SNAPSHOT = "cluster snapshot"
CLOUD_SNAPSHOT = "cloud snapshot"
STAND_INS = "representative stand-ins"
FAKE_CLOUD = "made up by the fake cloud"
STACK_FILE = "stack file"


@dataclass(frozen=True)
class Sources:
    """The inputs of one preview run: the stack file, and the snapshots given (None: stand-ins were used)."""

    stack: str
    cluster_snapshot: str | None
    cloud_snapshot: str | None
    runs_terway: bool

    @property
    def cluster(self) -> str:
        return CLUSTER_SNAPSHOT if self.cluster_snapshot else STAND_INS

    @property
    def cloud(self) -> str:
        return CLOUD_SNAPSHOT if self.cloud_snapshot else STAND_INS

    @property
    def address_plan_checked_against_account(self) -> bool:
        return self.cloud_snapshot is not None

    def sections(self) -> list[tuple[str, str, str]]:
        """(section, where its facts come from, what that means), in PLAN.md's order."""
        cluster_what = (
            f"`{self.cluster_snapshot}`"
            if self.cluster_snapshot
            else "one on-prem node, one cloud node, the listed workloads: **not your cluster**"
        )
        rows = [
            ("Settings", STACK_FILE, f"`Pulumi.{self.stack}.yaml`"),
            ("Rollouts, changes in the cluster", self.cluster, cluster_what),
            ("Placement today and after the plan", self.cluster, cluster_what),
            (
                "Cloud resources (RAM user, policy, AccessKeys, addon)",
                FAKE_CLOUD,
                "always shown as created; ids and AccessKeys are placeholders",
            ),
            ("Policy pack", "this plan", "the resources above, over the Analyzer protocol"),
        ]
        if self.runs_terway:
            cloud_what = (
                f"`{self.cloud_snapshot}`"
                if self.cloud_snapshot
                else "made up to fit the stack: **not checked against your account**"
            )
            rows.append(("Address plan: pod vSwitches, security groups, VPCs, free IPs", self.cloud, cloud_what))
            rows.append(("Address plan: `kubernetes` Service, IP pools, node addresses", self.cluster, cluster_what))
        return rows


def provenance_document(sources: Sources) -> dict[str, Any]:
    """plan.json's ``provenance``: the snapshots given and, per section, where its facts come from."""
    return {
        "clusterSnapshot": sources.cluster_snapshot,
        "cloudSnapshot": sources.cloud_snapshot,
        "addressPlanCheckedAgainstAccount": (
            sources.address_plan_checked_against_account if sources.runs_terway else None
        ),
        "sections": {section: source for section, source, _ in sources.sections()},
    }


def provenance_markdown(sources: Sources) -> list[str]:
    """PLAN.md's "Where these facts come from" table."""
    out = ["## Where these facts come from", "", "| section | from | |", "|---|---|---|"]
    out += [f"| {section} | {source} | {what} |" for section, source, what in sources.sections()]
    return [*out, ""]


def console_notices(sources: Sources) -> list[str]:
    """What the console says about stand-ins, so a reader of the output alone is not misled."""
    notices = []
    if sources.cluster_snapshot is None:
        notices.append(
            "no --snapshot: the changes, rollouts and placement are those of a representative cluster, not yours"
        )
    if sources.runs_terway and sources.cloud_snapshot is None:
        notices.append(
            "no --cloud-snapshot: the address plan was not checked against the account; its VPC, CIDRs and free IPs "
            "are stand-ins that fit the stack (a mistyped vSwitch or security group id is not found this way)"
        )
    return notices
