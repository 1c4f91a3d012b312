"""What the offline preview writes: plan.json, manifests/, PLAN.md (placement and policy files live beside)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
import yaml

from hybrid_terway.core import constants, terway_model
from hybrid_terway.core.address_plan import AddressPlan
from hybrid_terway.core.interconnect import InterconnectPlan
from hybrid_terway.core.problems import grouped
from preview.engine.program import ProgramRun, Registration
from preview.engine.wire import MASK, is_secret, map_secrets, mask, unwrap
from preview.report import engine_report
from preview.report.diff import CREATE, SAME, UPDATE, WRITTEN, ObjectChange, PathSegments, object_change
from preview.report.placement import Placement, findings
from preview.report.rollouts import Rollout
from preview.world import interconnect_snapshot
from preview.world.fake_cluster import Key, parse_type_token


def json_bytes(data: Any) -> bytes:
    """``data`` as indented JSON in UTF-8, keys sorted, a newline at the end: orjson (C), or the standard library's
    encoder for what orjson does not encode (an integer beyond 64 bits, a key that is not a string). The two write
    the same text but for a float below 1e-4 (``1e-7`` against ``1e-07``) and NaN or infinity (``null``, where the
    standard library writes ``NaN``, which is not JSON)."""
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def program_resources(run: ProgramRun) -> list[Registration]:
    """Every registration, in a stable order (URN), the stack itself first."""
    return sorted(run.registrations, key=lambda r: (r.type != "pulumi:pulumi:Stack", r.urn))


def plan_document(
    run: ProgramRun,
    changes: Mapping[str, ObjectChange] | None = None,
    rollouts: Sequence[Rollout] = (),
    snapshot: str | None = None,
    placeholders: Collection[str] = (),
) -> dict[str, Any]:
    """The plan: every resource (a Kubernetes object sent also with its ``change`` and ``diff`` against the live
    cluster), the rollouts those changes cause, the outputs, and which outputs are placeholders."""
    changes = changes or {}

    def resource(r: Registration) -> dict[str, Any]:
        entry = {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "parent": r.parent or None,
            "dependsOn": r.dependencies,
            "inputs": mask(r.inputs),
            **engine_report.resource_entry(run, r),
        }
        change = changes.get(r.urn)
        if change is not None:
            entry["change"] = change.change
            entry["diff"] = [e.as_dict() for e in change.entries]
        return entry

    return {
        "project": constants.PROJECT,
        "stack": run.stack,
        "liveCluster": snapshot if snapshot is not None else "representative",
        "rollouts": [r.as_json() for r in rollouts],
        "resources": [resource(r) for r in program_resources(run)],
        "outputs": mask(run.outputs),
        "placeholderOutputs": sorted(placeholders),
        **engine_report.plan_entries(run),
    }


def placeholder_outputs(run: ProgramRun, invented: Collection[str]) -> list[str]:
    """The stack outputs that hold a value the fake cloud made up (an AccessKey id), not one a real run gives."""

    def leaves(value: Any) -> Iterable[Any]:
        if isinstance(value, dict):
            for v in value.values():
                yield from leaves(v)
        elif isinstance(value, list):
            for v in value:
                yield from leaves(v)
        else:
            yield value

    return sorted(name for name, value in run.outputs.items() if any(v in invented for v in leaves(unwrap(value))))


# --- changes against the live cluster -----------------------------------------------------------


def secret_paths(value: Any, path: PathSegments = ()) -> list[PathSegments]:
    """Where the wire-form ``value`` holds secrets."""
    if is_secret(value):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in secret_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in secret_paths(v, (*path, i))]
    return []


def object_key(r: Registration) -> Key:
    _, kind, _ = parse_type_token(r.type)
    meta = r.inputs.get("metadata") or {}
    return kind, str(unwrap(meta.get("namespace")) or ""), str(unwrap(meta.get("name")) or r.name)


def object_changes(run: ProgramRun, before: Mapping[Key, Mapping[str, Any]]) -> dict[str, ObjectChange]:
    """Each Kubernetes object the program sends (by URN), compared with the live object ``before`` the run."""
    changes: dict[str, ObjectChange] = {}
    for r in program_resources(run):
        if not is_applied_object(r):
            continue
        key = object_key(r)
        changes[r.urn] = object_change(*key, before.get(key), unwrap(r.inputs), secret_paths(r.inputs))
    return changes


# --- manifests ----------------------------------------------------------------------------------


def is_applied_object(r: Registration) -> bool:
    """A Kubernetes object the program sends to the cluster (not a read, not the provider)."""
    return r.type.startswith("kubernetes:") and not r.read


def _mask_manifest_value(value: Any) -> Any:
    """Secrets masked value by value: a secret map keeps its keys, and a secret eni_conf stays readable JSON
    with only its ``access_secret`` masked."""
    return map_secrets(value, _masked_secret)


def _masked_secret(value: Any) -> Any:
    plain = unwrap(value)
    if isinstance(plain, dict):
        return {k: _mask_leaves(v) for k, v in plain.items()}
    if isinstance(plain, str):
        try:
            document = json.loads(plain)
        except ValueError:
            return MASK
        if isinstance(document, dict) and terway_model.ACCESS_SECRET in document:
            document[terway_model.ACCESS_SECRET] = MASK if document[terway_model.ACCESS_SECRET] else ""
            return json.dumps(document, indent=2, sort_keys=True) + "\n"
    return MASK


def _mask_leaves(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask_leaves(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_leaves(v) for v in value]
    return MASK


_METADATA_ORDER = ("name", "namespace", "labels", "annotations")


def _ordered_metadata(metadata: Any) -> Any:
    if not isinstance(metadata, dict):
        return metadata
    first = {k: metadata[k] for k in _METADATA_ORDER if k in metadata}
    return {**first, **{k: v for k, v in sorted(metadata.items()) if k not in first}}


def manifest_of(r: Registration, masked: bool = True) -> dict[str, Any]:
    """The object as sent: apiVersion and kind first, then its fields (secrets masked unless asked)."""
    api_version, kind, _ = parse_type_token(r.type)
    body = _mask_manifest_value(r.inputs) if masked else unwrap(r.inputs)
    body = {k: v for k, v in body.items() if k not in ("apiVersion", "kind")}
    head = {"apiVersion": api_version, "kind": kind, "metadata": _ordered_metadata(body.pop("metadata", {}))}
    return {**head, **body}


def manifest_filename(r: Registration) -> str:
    _, kind, patch = parse_type_token(r.type)
    meta = r.inputs.get("metadata") or {}
    parts = [kind + ("Patch" if patch else ""), meta.get("namespace") or "", meta.get("name") or r.name]
    return re.sub(r"[^a-z0-9.-]+", "-", "-".join(p for p in parts if p).lower()) + ".yaml"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def to_yaml(obj: Any) -> str:
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True)


# --- PLAN.md ------------------------------------------------------------------------------------


def _short(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


_MARKS = {CREATE: "+", UPDATE: "~", SAME: "=", WRITTEN: "w"}
MARK_LEGEND = (
    "`+` create, `~` update, `=` same as the live object, `w` written without comparison (a snapshot holds no "
    "Secrets), `read` read from the cluster"
)


def _mark(r: Registration, changes: Mapping[str, ObjectChange]) -> str:
    if r.read:
        return "read"
    if r.type == "pulumi:pulumi:Stack":
        return " "
    change = changes.get(r.urn)
    return _MARKS[change.change] if change is not None else "+"


def _mermaid_id(urn: str) -> str:
    """Unique and stable: a readable slug of the kind and name, and a hash of the whole URN (``calico.node`` and
    ``calico-node`` have the same slug, never the same id)."""
    type_chain, _, name = urn.rpartition("::")
    kind = type_chain.rsplit("$", 1)[-1].rsplit(":", 1)[-1]
    slug = re.sub(r"[^A-Za-z0-9]+", "_", f"{kind}_{name}")[:48].strip("_")
    return f"r_{slug}_{hashlib.sha256(urn.encode()).hexdigest()[:8]}"


def _mermaid_text(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _provider_urn(reference: str) -> str:
    """``<provider urn>::<provider id>`` -> the provider's URN."""
    return reference.rsplit("::", 1)[0] if reference else ""


def mermaid_edges(resources: Iterable[Registration]) -> list[tuple[str, str, str]]:
    """``(from urn, to urn, kind)`` with kind ``depends`` or ``provider``, among the listed resources."""
    listed = [r for r in resources if r.type != "pulumi:pulumi:Stack"]
    known = {r.urn for r in listed}
    edges: list[tuple[str, str, str]] = []
    for r in listed:
        provider = _provider_urn(r.provider)
        if provider in known:
            edges.append((provider, r.urn, "provider"))
        edges += [(dep, r.urn, "depends") for dep in r.dependencies if dep in known and dep != provider]
    return edges


def mermaid(resources: Iterable[Registration], changes: Mapping[str, ObjectChange] | None = None) -> str:
    """A flowchart: each component a subgraph holding its children, an arrow per dependency, a dotted arrow from
    the provider to each resource it manages; Kubernetes objects styled by their change."""
    changes = changes or {}
    listed = [r for r in resources if r.type != "pulumi:pulumi:Stack"]
    known = {r.urn for r in listed}
    children: dict[str, list[Registration]] = {}
    for r in listed:
        children.setdefault(r.parent if r.parent in known else "", []).append(r)
    lines = ["```mermaid", "flowchart LR"]
    classes: dict[str, list[str]] = {}

    def emit(r: Registration, depth: int) -> None:
        pad = "  " * depth
        ident = _mermaid_id(r.urn)
        kind = r.type.rsplit(":", 1)[-1]
        if not r.custom:
            lines.append(f'{pad}subgraph {ident}["{_mermaid_text(f"{kind}: {r.name}")}"]')
            for child in children.get(r.urn, []):
                emit(child, depth + 1)
            lines.append(f"{pad}end")
            return
        if r.type.startswith("pulumi:providers:"):
            kind = f"provider {kind}"
        shape = ("[/", "/]") if r.read else ("[", "]")
        mark = _mark(r, changes)
        label = "<br/>".join(_mermaid_text(t) for t in (f"{mark} {kind}" if mark.strip() else kind, r.name))
        lines.append(f'{pad}{ident}{shape[0]}"{label}"{shape[1]}')
        change = changes.get(r.urn)
        classes.setdefault("read" if r.read else change.change if change else CREATE, []).append(ident)

    for r in children.get("", []):
        emit(r, 1)
    for source, target, kind in mermaid_edges(listed):
        arrow = "-. provider .->" if kind == "provider" else "-->"
        lines.append(f"  {_mermaid_id(source)} {arrow} {_mermaid_id(target)}")
    styles = {
        CREATE: "fill:#dafbe1,stroke:#1a7f37",
        UPDATE: "fill:#fff8c5,stroke:#9a6700",
        SAME: "fill:#f6f8fa,stroke:#8c959f",
        WRITTEN: "fill:#ddf4ff,stroke:#0969da",
        "read": "fill:#ffffff,stroke:#8c959f,stroke-dasharray:3 3",
    }
    for name in sorted(classes):
        lines.append(f"  classDef {name} {styles[name]}")
        lines.append(f"  class {','.join(classes[name])} {name}")
    lines.append("```")
    return "\n".join(lines)


def resource_tree(run: ProgramRun, changes: Mapping[str, ObjectChange] | None = None) -> str:
    """An indented tree of the registered resources, as the CLI prints a preview, each marked with its change."""
    changes = changes or {}
    children: dict[str, list[Registration]] = {}
    for r in program_resources(run):
        children.setdefault(r.parent, []).append(r)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        for r in children.get(parent, []):
            op = _mark(r, changes)
            notes = []
            if r.retain_on_delete:
                notes.append("retained on destroy")
            if r.delete_before_replace:
                notes.append("delete before replace")
            suffix = f"  ({', '.join(notes)})" if notes else ""
            lines.append(f"{'    ' * depth}{op:<4} {r.type:<58} {r.name}{suffix}")
            walk(r.urn, depth + 1)

    walk("", 0)
    return "\n".join(lines)


def _plural(count: int, noun: str, plural: str = "") -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _cell(value: Any) -> str:
    """A diff value in a Markdown table cell."""
    if value is None:
        return "*(absent)*"
    if value == "":
        return "*(empty)*"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = text.replace("|", "\\|").replace("\n", "\\n").replace("`", "'")
    return f"`{text}`"


def changes_markdown(run: ProgramRun, changes: Mapping[str, ObjectChange], snapshot: str | None) -> list[str]:
    """Each Kubernetes object sent, with its change against the live cluster; diffs in collapsed blocks."""
    by_urn = {r.urn: r for r in run.registrations}
    if snapshot is not None:
        basis = f"Compared with the live objects in the snapshot `{snapshot}`."
    else:
        basis = (
            "No snapshot was given: compared with a **representative cluster** (one on-prem node, one cloud node, "
            "the listed workloads as `kubectl apply` would create them), so the changes are what such a cluster "
            "implies, not what yours holds. Pass `--snapshot` (see the README) to compare with your cluster."
        )
    out = ["## Changes in the cluster", "", basis, ""]
    for urn, change in sorted(changes.items(), key=lambda item: (item[1].change == SAME, item[1].ref)):
        r = by_urn[urn]
        kind = r.type.rsplit(":", 1)[-1]
        title = f"<code>{_MARKS[change.change]} {change.change}</code> {change.ref} ({kind} <code>{r.name}</code>)"
        if change.change == WRITTEN:
            out += [
                f"- {title}: written without comparison; a snapshot holds no Secrets, and its values are secret",
                "",
            ]
            continue
        if not change.entries:
            out += [f"- {title}: the live object already holds everything this sends", ""]
            continue
        if change.change == CREATE and r.type.endswith("Patch"):
            title += ", not in the cluster today (the addon creates it; the patch applies once it exists)"
        out += [
            "<details>",
            f"<summary>{title}: {_plural(len(change.entries), 'change')}</summary>",
            "",
            "| path | today | after the plan |",
            "|---|---|---|",
        ]
        out += [f"| `{e.as_dict()['path']}` | {_cell(e.old)} | {_cell(e.new)} |" for e in change.entries]
        out += ["", "</details>", ""]
    return out


def rollout_reach(r: Rollout) -> str:
    """Where a rollout replaces pods, in words (PLAN.md's table and the console line)."""
    if r.kind == "DaemonSet":
        where = _plural(r.nodes, "node")
        extra = [f"leaves {_plural(r.nodes_left, 'node')}"] if r.nodes_left else []
        extra += [f"starts on {_plural(r.nodes_joined, 'node')}"] if r.nodes_joined else []
        where += f" ({'; '.join(extra)})" if extra else ""
    else:
        where = _plural(r.nodes, "replica")
    if r.strategy == "OnDelete":
        where += ", each only when its pod is deleted"
    return where


def rollouts_markdown(rollouts: Sequence[Rollout]) -> list[str]:
    out = ["## Rollouts", ""]
    if not rollouts:
        return [*out, "No workload rolls: no pod template changes.", ""]
    out += ["| workload | pods replaced on | strategy | because of |", "|---|---|---|---|"]
    out += [f"| {r.ref} | {rollout_reach(r)} | {r.strategy} | {r.reason} |" for r in rollouts]
    return [*out, ""]


PLACEMENT_OK = "**ok**: every node runs exactly one CNI and no on-prem workload can run on a cloud node"
PLACEMENT_UNMANAGED = (
    "- Why the policy pack reports no mandatory violation: the pack judges only the objects this stack sends; "
    "placement judges every workload of the cluster, so a CNI or workload this stack does not manage (not in "
    "`onPremWorkloads`) fails placement alone. List it in `onPremWorkloads`, or move it off cloud nodes yourself."
)


def _placement_lines(placement: Placement, mandatory: int | None = None) -> list[str]:
    """Placement in plain words; ``mandatory``: the policy pack's mandatory violations (None: the pack did not run)."""
    failing = "; ".join(findings(placement, today=False)) or "see the placement failures below"
    lines = [f"- Placement after the plan: {PLACEMENT_OK if placement.ok else '**fails**: ' + failing}"]
    if placement.today is not None:
        if placement.today[0]:
            lines.append("- Placement today: ok")
        else:
            fixed = "the plan fixes this" if placement.ok else "the plan does not fix all of it"
            lines.append(f"- Placement today: {'; '.join(findings(placement, today=True)) or 'fails'}; {fixed}")
    if not placement.ok and mandatory == 0:
        lines.append(PLACEMENT_UNMANAGED)
    return lines


def _violation_lines(report: Mapping[str, Any], by_urn: Mapping[str, Registration]) -> list[str]:
    out = ["## Policy violations", ""]
    for v in report.get("violations", []):
        urn = str(v.get("urn") or "")
        if not urn:
            where = "the whole stack"
        elif urn in by_urn:
            where = f"`{by_urn[urn].type.rsplit(':', 1)[-1]} {by_urn[urn].name}`"
        else:
            where = f"`{_short(urn)}`"
        first, *rest = str(v.get("message", "")).splitlines() or [""]
        out.append(f"- **{v.get('policy')}** ({v.get('level')}), {where}: {first}")
        out += [f"  - {line.strip()}" for line in rest if line.strip()]
    return [*out, ""]


def _outputs_lines(run: ProgramRun, placeholders: Collection[str]) -> list[str]:
    out = ["## Stack outputs", "", "| output | value |", "|---|---|"]
    for name, value in sorted(mask(run.outputs).items()):
        note = (
            " *(placeholder: made up by the fake cloud; a real run gives another value)*"
            if name in placeholders
            else ""
        )
        out.append(f"| `{name}` | {_cell(value)}{note} |")
    return [*out, ""]


def plan_markdown(
    run: ProgramRun,
    scenario: str,
    manifests: list[str],
    placement: Placement | None,
    report: Mapping[str, Any] | None,
    warnings: list[str],
    changes: Mapping[str, ObjectChange] | None = None,
    rollouts: Sequence[Rollout] | None = None,
    snapshot: str | None = None,
    placeholders: Collection[str] = (),
    provenance: Sequence[str] = (),
    review: Sequence[str] = (),
    after_rollouts: Sequence[str] = (),
) -> str:
    """``provenance``: the "where these facts come from" section, and ``review``: the security review, both after
    the rollouts (each from its own module); ``after_rollouts``: lines right after the rollouts (the cloud nodes to
    recycle)."""
    changes = changes or {}
    resources = program_resources(run)
    counts: dict[str, int] = {}
    for r in resources:
        if r.type != "pulumi:pulumi:Stack":
            key = "read" if r.read else changes[r.urn].change if r.urn in changes else CREATE
            counts[key] = counts.get(key, 0) + 1
    told = [
        _plural(counts.get(CREATE, 0), "resource") + " to create",
        f"{counts.get(UPDATE, 0)} to update",
        f"{counts.get(SAME, 0)} unchanged",
    ]
    if counts.get(WRITTEN):
        told.append(f"{counts[WRITTEN]} written without comparison")
    told.append(_plural(counts.get("read", 0), "live object") + " read")
    out = [
        f"# hybrid-terway offline preview: `{run.stack}`",
        "",
        f"Scenario **{scenario}**; {', '.join(told)}. Generated against a fake cloud and "
        + (f"the cluster snapshot `{snapshot}`" if snapshot else "a representative cluster (no snapshot)")
        + ": it shows what the program would do; cloud resources always show as created.",
        "",
    ]
    mandatory = [v for v in (report or {}).get("violations", []) if v.get("level") == "mandatory"]
    if rollouts is not None:
        out += [f"- Rollouts: {_plural(len(rollouts), 'workload')} (below)"]
    if placement is not None:
        out += _placement_lines(placement, len(mandatory) if report is not None else None)
    if report is not None:
        out += [
            f"- Policy pack: {_plural(len(report.get('policies', [])), 'policy', 'policies')}, "
            f"{_plural(len(mandatory), 'mandatory violation')}"
        ]
    out.append("")
    if rollouts is not None:
        out += rollouts_markdown(rollouts)
    out += after_rollouts
    out += engine_report.markdown(run)
    out += provenance
    out += review
    if warnings:
        out += ["## Warnings", ""] + [f"- {w}" for w in warnings] + [""]
    if placement is not None and not placement.ok:
        out += ["## Placement failures", ""] + [f"- {p}" for p in grouped(placement.problems)] + [""]
    if report is not None and report.get("violations"):
        out += _violation_lines(report, {r.urn: r for r in resources})
    if changes:
        out += changes_markdown(run, changes, snapshot)
    out += ["## Resources", "", MARK_LEGEND + ".", "", "```", resource_tree(run, changes), "```", ""]
    out += ["## Dependency graph", "", mermaid(resources, changes), ""]
    if manifests:
        out += ["## Kubernetes objects sent", ""] + [f"- `manifests/{m}`" for m in manifests] + [""]
    out += _outputs_lines(run, placeholders)
    return "\n".join(out)


STAND_IN = " *(stand-in)*"
STAND_IN_NOTE = (
    "**Not checked against your account**: no cloud snapshot was given, so every value marked *(stand-in)* (VPC, "
    "CIDRs, free IPs) was made up to fit the stack, and the checks below compare stand-ins. A mistyped vSwitch or "
    "security group id passes here: give `--cloud-snapshot` (see docs/offline-preview.md) to check them."
)


CLOUD_FACTS = ("vSwitch", "VPC", "security group")
"""A check whose name holds one of these compares facts of the cloud (stand-ins without a cloud snapshot)."""


def address_plan_section(plan: AddressPlan, stand_ins: bool = False, cluster_stand_ins: bool = False) -> str:
    """PLAN.md's address plan: per zone its pod vSwitches, CIDRs and free IPs; the service range; the on-prem
    pod CIDRs and where each came from; the verdict of every check. ``stand_ins``: the cloud's facts were made up
    (no cloud snapshot), and each such value is marked where it appears; ``cluster_stand_ins``: the same for the
    cluster's facts (no cluster snapshot)."""
    mark = STAND_IN if stand_ins else ""
    cluster_mark = STAND_IN if cluster_stand_ins else ""
    out = ["## Address plan", ""]
    if stand_ins:
        out += [STAND_IN_NOTE, ""]
    out += ["| zone | pod vSwitch | VPC | CIDR | free IPs |", "|---|---|---|---|---|"]
    for zone in plan.zones:
        for v in zone.vswitches:
            cidrs = ", ".join(c for c in (v.cidr_block, v.ipv6_cidr_block) if c)
            out.append(f"| {zone.zone} | `{v.id}` | `{v.vpc_id}`{mark} | {cidrs}{mark} | {v.available_ips}{mark} |")
        for missing in zone.missing:
            out.append(f"| {zone.zone} | `{missing}` | - | **does not exist** | - |")
        out.append(f"| **{zone.zone}** | | | **total** ({zone.need}) | **{zone.free_ips}**{mark} |")
    out.append("")
    vpcs = "; ".join(f"`{v.id}` {', '.join(v.cidr_blocks)}{mark}" for v in plan.vpcs) or "none found"
    out += [f"- VPC: {vpcs}", f"- Service range (`serviceCidr`): {', '.join(plan.service_ranges)}"]
    if plan.kubernetes_service_ips is None:
        out.append(f"- {plan.kubernetes_service_source}: not in the snapshot (assumed the range's first address)")
    else:
        ips = ", ".join(plan.kubernetes_service_ips) or "none"
        out.append(f"- {plan.kubernetes_service_source} ClusterIP: {ips}{cluster_mark}")
    out += ["", "On-prem pod CIDRs:", ""]
    out += [f"- {c.cidr} ({c.source})" for c in plan.on_prem_pod_cidrs] or ["- none known"]
    nodes = ", ".join(f"{a.node} {a.address}" for a in plan.on_prem_node_addresses) or "none known"
    out += ["", f"On-prem node addresses: {nodes}", "", "| check | verdict | compared |", "|---|---|---|"]
    for check in plan.checks:
        verdict = "not done" if check.ok is None else ("ok" if check.ok else "**FAILS**")
        cloud_check = any(word in check.name for word in CLOUD_FACTS)
        if check.ok is not None and ((stand_ins and cloud_check) or (cluster_stand_ins and not cloud_check)):
            verdict += " (against stand-ins)"
        out.append(f"| {check.name} | {verdict} | {check.detail} |")
    out.append("")
    return "\n".join(out)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_json(path: Path, data: Any) -> None:
    """``json_bytes(data)`` written as they are (``placement.json`` of 5,000 nodes and 300 workloads is 130 MB:
    no text is decoded to be encoded again)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(json_bytes(data))


def failure_document(stack: str, message: str, exit_code: int) -> dict[str, Any]:
    """plan.json of a run that stopped before a plan existed: what failed, and no resources."""
    return {"project": constants.PROJECT, "stack": stack, "failed": True, "exitCode": exit_code, "error": message}


def failure_markdown(stack: str, message: str, exit_code: int) -> str:
    return "\n".join(
        [
            f"# hybrid-terway offline preview: `{stack}`",
            "",
            f"**FAILED** (exit {exit_code}): the preview stopped before a plan existed. Nothing here is a plan.",
            "",
            "```text",
            message.replace("```", "'''"),
            "```",
            "",
        ]
    )


def write_failure(out: Path, stack: str, message: str, exit_code: int) -> None:
    """PLAN.md and plan.json saying what failed (the stack folder was cleared before the run began)."""
    write_json(out / "plan.json", failure_document(stack, message, exit_code))
    write_text(out / "PLAN.md", failure_markdown(stack, message, exit_code))


def interconnect_section(plan: InterconnectPlan | None, scenario: str) -> str:
    """PLAN.md's "Interconnect" section (``preview.world.interconnect_snapshot.section_lines``); empty outside bgp."""
    lines = interconnect_snapshot.section_lines(plan, scenario)
    return "\n" + "\n".join(lines) if lines else ""
