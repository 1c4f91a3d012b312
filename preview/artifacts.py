"""What the offline preview writes: plan.json, manifests/, PLAN.md (placement and policy files live beside)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from hybrid_terway import constants
from preview.engine import MASK, ProgramRun, Registration, is_secret, mask, unwrap
from preview.fake_cluster import parse_type_token


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def program_resources(run: ProgramRun) -> list[Registration]:
    """Every registration, in a stable order (URN), the stack itself first."""
    return sorted(run.registrations, key=lambda r: (r.type != "pulumi:pulumi:Stack", r.urn))


def plan_document(run: ProgramRun) -> dict[str, Any]:
    return {
        "project": constants.PROJECT,
        "stack": run.stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent or None,
                "dependsOn": r.dependencies,
                "inputs": mask(r.inputs),
            }
            for r in program_resources(run)
        ],
        "outputs": mask(run.outputs),
    }


# --- manifests ----------------------------------------------------------------------------------


def is_applied_object(r: Registration) -> bool:
    """A Kubernetes object the program sends to the cluster (not a read, not the provider)."""
    return r.type.startswith("kubernetes:") and not r.read


def _mask_manifest_value(value: Any) -> Any:
    """Secrets masked value by value: a secret map keeps its keys, and a secret eni_conf stays readable JSON
    with only its ``access_secret`` masked."""
    if is_secret(value):
        plain = unwrap(value)
        if isinstance(plain, dict):
            return {k: _mask_leaves(v) for k, v in plain.items()}
        if isinstance(plain, str):
            try:
                document = json.loads(plain)
            except ValueError:
                return MASK
            if isinstance(document, dict) and "access_secret" in document:
                document["access_secret"] = MASK if document["access_secret"] else ""
                return json.dumps(document, indent=2, sort_keys=True) + "\n"
        return MASK
    if isinstance(value, dict):
        return {k: _mask_manifest_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_manifest_value(v) for v in value]
    return value


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


def _mermaid_id(urn: str) -> str:
    return "r_" + re.sub(r"[^A-Za-z0-9_]", "_", _short(urn))


def mermaid(resources: Iterable[Registration]) -> str:
    lines = ["```mermaid", "flowchart LR"]
    listed = [r for r in resources if r.type != "pulumi:pulumi:Stack"]
    known = {r.urn for r in listed}
    for r in listed:
        shape = ("[[", "]]") if not r.custom else (("[/", "/]") if r.read else ("[", "]"))
        label = f"{r.type.rsplit(':', 1)[-1]}<br/>{r.name}"
        lines.append(f'  {_mermaid_id(r.urn)}{shape[0]}"{label}"{shape[1]}')
    for r in listed:
        for dep in r.dependencies:
            if dep in known:
                lines.append(f"  {_mermaid_id(dep)} --> {_mermaid_id(r.urn)}")
    lines.append("```")
    return "\n".join(lines)


def resource_tree(run: ProgramRun) -> str:
    """An indented tree of the registered resources, as the CLI prints a preview."""
    children: dict[str, list[Registration]] = {}
    for r in program_resources(run):
        children.setdefault(r.parent, []).append(r)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        for r in children.get(parent, []):
            op = "read" if r.read else ("+" if r.type != "pulumi:pulumi:Stack" else " ")
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


def plan_markdown(
    run: ProgramRun,
    scenario: str,
    manifests: list[str],
    placement: Mapping[str, Any] | None,
    report: Mapping[str, Any] | None,
    warnings: list[str],
) -> str:
    resources = program_resources(run)
    counts: dict[str, int] = {}
    for r in resources:
        if r.type != "pulumi:pulumi:Stack":
            key = "read" if r.read else "create"
            counts[key] = counts.get(key, 0) + 1
    out = [
        f"# hybrid-terway offline preview: `{run.stack}`",
        "",
        f"Scenario **{scenario}**; {_plural(counts.get('create', 0), 'resource')} to create or update, "
        f"{_plural(counts.get('read', 0), 'live object')} read. Generated against a fake cloud and cluster: "
        "it shows what "
        "the program would do, not what the real cluster holds.",
        "",
    ]
    mandatory = [v for v in (report or {}).get("violations", []) if v.get("level") == "mandatory"]
    if placement is not None:
        verdict = "holds" if placement.get("ok") else "**FAILS**"
        out += [f"- Placement (one CNI per node, on-prem workloads off cloud nodes): {verdict}"]
    if report is not None:
        out += [
            f"- Policy pack: {_plural(len(report.get('policies', [])), 'policy', 'policies')}, "
            f"{_plural(len(mandatory), 'mandatory violation')}"
        ]
    out.append("")
    if warnings:
        out += ["## Warnings", ""] + [f"- {w}" for w in warnings] + [""]
    if placement is not None and not placement.get("ok"):
        out += ["## Placement failures", ""] + [f"- {p}" for p in placement.get("problems", [])] + [""]
    if report is not None and report.get("violations"):
        out += ["## Policy violations", "", "| policy | level | resource | message |", "|---|---|---|---|"]
        for v in report["violations"]:
            message = str(v.get("message", "")).replace("|", "\\|").replace("\n", " ")
            out.append(f"| {v.get('policy')} | {v.get('level')} | `{_short(str(v.get('urn', '')))}` | {message} |")
        out.append("")
    out += ["## Resources", "", "```", resource_tree(run), "```", ""]
    out += ["## Dependency graph", "", mermaid(resources), ""]
    if manifests:
        out += ["## Kubernetes objects sent", ""] + [f"- `manifests/{m}`" for m in manifests] + [""]
    outputs = mask(run.outputs)
    out += ["## Stack outputs", "", "```json", json.dumps(outputs, indent=2, sort_keys=True), "```", ""]
    return "\n".join(out)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


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
    write_text(out / "plan.json", dump_json(failure_document(stack, message, exit_code)))
    write_text(out / "PLAN.md", failure_markdown(stack, message, exit_code))
