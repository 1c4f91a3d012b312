"""Cloud nodes to recycle: cloud nodes that run, or ran, an on-prem CNI keep that CNI's conflist after the plan
(docs/cloud-nodes.md, "Cloud nodes to recycle").

containerd/go-cni ``opts.go`` ``loadFromConfDir`` (the first file of ``/etc/cni/net.d`` in lexical order wins);
AliyunContainerService/terway ``cmd/terway-cli/node.go`` ``cniFilePath`` (``10-terway.conflist``, v1.17.5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from hybrid_terway.core import constants, problems
from hybrid_terway.core.vocabulary import Scenario
from preview.report.placement import Placement
from preview.world.fake_cluster import FakeCluster

TERWAY_CONFLIST: Final = "10-terway.conflist"


@dataclass(frozen=True)
class Conflist:
    """The CNI configuration file a CNI's install step writes into ``/etc/cni/net.d``, and where that is said."""

    file: str
    source: str


CNI_CONFLISTS: Final[Mapping[str, Conflist]] = {
    "Calico": Conflist(
        "10-calico.conflist",
        'projectcalico/calico cni-plugin/pkg/install/install.go: getEnv("CNI_CONF_NAME", "10-calico.conflist"); '
        "the manifests set CNI_CONF_NAME to the same",
    ),
    "Canal": Conflist(
        "10-canal.conflist",
        'projectcalico/calico manifests/canal.yaml: install-cni env CNI_CONF_NAME "10-canal.conflist"',
    ),
    "Flannel": Conflist(
        "10-flannel.conflist",
        "flannel-io/flannel Documentation/kube-flannel.yml: init container install-cni copies cni-conf.json to "
        "/etc/cni/net.d/10-flannel.conflist",
    ),
    "Cilium": Conflist(
        "05-cilium.conflist",
        "cilium/cilium install/kubernetes/cilium/templates/cilium-configmap.yaml: write-cni-conf-when-ready "
        "<hostConfDirMountPath>/05-cilium.conflist",
    ),
}
"""The CNIs whose conflist name was read in their own install source; for the others the entry says so."""

REMEDY: Final = (
    "drain the node and recycle it (remove it from its node pool and let a new one join), or remove the file from "
    "/etc/cni/net.d on the node and restart the kubelet and the container runtime"
)


def _owner_daemonset(pod: Mapping[str, Any]) -> str | None:
    for ref in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if isinstance(ref, Mapping) and ref.get("kind") == "DaemonSet" and ref.get("controller", True):
            name = ref.get("name")
            return name if isinstance(name, str) else None
    return None


def _cni_of_daemonset(name: str) -> str | None:
    family = constants.cni_family(name)
    return family[0] if family else None


def cloud_nodes_to_recycle(placement: Placement, before: FakeCluster, scenario: Scenario) -> list[dict[str, Any]]:
    """One entry per cloud node and on-prem CNI that runs there today or has a pod there in the snapshot:
    ``{node, cni, why, conflist, sortsBeforeTerway, source, remedy}``, sorted by node then CNI. None in scenario
    overlay, whose cloud nodes keep running the on-prem overlay CNI."""
    if not scenario.runs_terway:
        return []
    cloud = {n.name: n for n in placement.nodes if n.cloud}
    found: dict[tuple[str, str], list[str]] = {}
    for name, verdict in cloud.items():
        for running in verdict.before.cnis if verdict.before is not None else ():
            if not running.terway:
                found.setdefault((name, running.cni), []).append(f"{running.ref} schedules there today")
    for (kind, namespace, pod_name), pod in sorted(before.objects.items()):
        if kind != "Pod":
            continue
        node_name = (pod.get("spec") or {}).get("nodeName")
        owner = _owner_daemonset(pod)
        cni = _cni_of_daemonset(owner) if owner else None
        if cni is None or not isinstance(node_name, str) or node_name not in cloud:
            continue
        found.setdefault((node_name, cni), []).append(f"its pod {namespace}/{pod_name} is in the snapshot")
    entries = []
    for (node, cni), why in sorted(found.items()):
        conflist = CNI_CONFLISTS.get(cni)
        entries.append(
            {
                "node": node,
                "cni": cni,
                "why": why,
                "conflist": conflist.file if conflist else None,
                "sortsBeforeTerway": conflist.file < TERWAY_CONFLIST if conflist else None,
                "source": conflist.source if conflist else None,
                "remedy": REMEDY,
            }
        )
    return entries


def _file(entry: Mapping[str, Any]) -> str:
    if entry["conflist"] is None:
        return f"the conflist {entry['cni']} writes (its file name is not modelled here)"
    order = "before" if entry["sortsBeforeTerway"] else "after"
    return f"/etc/cni/net.d/{entry['conflist']} (sorts {order} {TERWAY_CONFLIST})"


def _warning(e: Mapping[str, Any]) -> str:
    return (
        f"cloud node {e['node']} runs or ran {e['cni']} ({'; '.join(e['why'])}): it may keep {_file(e)} after the "
        f"patch removes the pod; {e['remedy']}"
    )


def recycle_warnings(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """The console warnings: one per entry when there are few (``problems.SHOWN_ONE_BY_ONE``), otherwise one per
    CNI and file with the count and the first nodes; PLAN.md and plan.json list every node."""
    if len(entries) <= problems.SHOWN_ONE_BY_ONE:
        return [_warning(e) for e in entries]
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for e in entries:
        groups.setdefault((e["cni"], _file(e)), []).append(e)
    lines = []
    for (cni, file), members in groups.items():
        if len(members) == 1:
            lines.append(_warning(members[0]))
            continue
        first = ", ".join(str(e["node"]) for e in members[: problems.EXAMPLES])
        more = len(members) - min(len(members), problems.EXAMPLES)
        lines.append(
            f"{len(members)} cloud nodes run or ran {cni} ({first}{f', and {more} more' if more else ''}; each "
            f"with the reason in PLAN.md's \"Cloud nodes to recycle\" and plan.json's cloudNodesToRecycle): they "
            f"may keep {file} after the patch removes the pod; {members[0]['remedy']}"
        )
    return lines


def recycle_markdown(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """PLAN.md's "Cloud nodes to recycle" section (empty when there are none)."""
    if not entries:
        return []
    out = [
        "## Cloud nodes to recycle",
        "",
        "These cloud nodes run, or ran, an on-prem CNI. Its pod wrote its CNI configuration into the node's "
        "/etc/cni/net.d, and the file stays after the patch removes the pod; the container runtime uses the first "
        f"file in lexical order, so a file sorting before {TERWAY_CONFLIST} stays in force. A warning: the plan "
        f"holds. Remedy: {REMEDY}.",
        "",
        "| cloud node | CNI | why | file left behind | source |",
        "|---|---|---|---|---|",
    ]
    for e in entries:
        out.append(
            f"| `{e['node']}` | {e['cni']} | {'; '.join(e['why'])} | {_file(e)} | {e['source'] or 'not modelled'} |"
        )
    return [*out, ""]
