"""The stack's state between runs: what ``pulumi stack export`` holds, and the steps a run took.

Shapes from pulumi/pulumi (read at 1b5949891b): ``sdk/go/common/apitype/core.go`` (``UntypedDeployment`` version 3,
``DeploymentV3``, ``ResourceV3``: urn, custom, id, type, inputs, outputs, parent, protect, external, dependencies,
initErrors, provider, additionalSecretOutputs, aliases, customTimeouts, retainOnDelete, ignoreChanges,
replaceOnChanges), ``sdk/go/common/resource/custom_timeouts.go`` (timeouts in seconds), and the secret envelope of
``sdk/go/common/resource/sig`` / ``pkg/resource/stack/deployment.go``: ``{"4dabf18193072939515e22adb298388d":
"1b47061264138c4ac30d75fd1eb44270", "ciphertext": ...}`` (``"plaintext"`` only with ``--show-secrets``).

Inside a run, values are in the SDK's wire form (a secret is ``{sig: secret sig, "value": ...}``); the export turns
every secret into an envelope whose ciphertext never holds the value.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from preview.engine.wire import SECRET_SIG, SECRET_SIG_KEY, is_secret, unwrap

CREATE, UPDATE, REPLACE, SAME, DELETE, READ = "create", "update", "replace", "same", "delete", "read"
STEPS = (CREATE, UPDATE, REPLACE, SAME, DELETE, READ)
NO_CHANGE = frozenset({SAME, READ})
"""What ``--expect-no-changes`` accepts (pkg/cmd/pulumi preview/up: any step other than same or read is a change)."""


@dataclass
class Options:
    """The resource options the engine receives with a registration."""

    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    additional_secret_outputs: tuple[str, ...] = ()
    custom_timeouts: dict[str, float] = field(default_factory=dict)  # create/update/delete/read, seconds
    aliases: tuple[dict[str, Any], ...] = ()  # the specs as sent
    ignore_changes: tuple[str, ...] = ()
    replace_on_changes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "protect": self.protect,
            "retainOnDelete": self.retain_on_delete,
            "deleteBeforeReplace": self.delete_before_replace,
            "additionalSecretOutputs": list(self.additional_secret_outputs),
            "customTimeouts": dict(self.custom_timeouts),
            "aliases": [dict(a) for a in self.aliases],
            "ignoreChanges": list(self.ignore_changes),
            "replaceOnChanges": list(self.replace_on_changes),
        }


@dataclass
class ResourceState:
    """One resource of the state, values in wire form."""

    urn: str
    type: str
    custom: bool
    id: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    provider: str = ""
    external: bool = False  # a read
    options: Options = field(default_factory=Options)
    aliases: list[str] = field(default_factory=list)  # the URNs the engine resolved the alias specs to
    init_errors: list[str] = field(default_factory=list)

    def copy(self) -> ResourceState:
        return copy.deepcopy(self)


@dataclass
class StackState:
    """The resources of a stack, in the order the engine wrote them (dependencies first)."""

    stack: str = ""
    project: str = ""
    resources: dict[str, ResourceState] = field(default_factory=dict)

    def copy(self) -> StackState:
        return StackState(self.stack, self.project, {urn: r.copy() for urn, r in self.resources.items()})

    def get(self, urn: str) -> ResourceState | None:
        return self.resources.get(urn)

    def urns(self) -> list[str]:
        return list(self.resources)

    def ordered(self) -> list[ResourceState]:
        """Dependencies (parent, provider, dependsOn) before dependents, as a snapshot holds them; ties by URN, so
        the order does not follow the SDK's scheduling."""
        remaining = dict(sorted(self.resources.items()))
        placed: set[str] = set()
        out: list[ResourceState] = []
        while remaining:
            ready = [
                r for r in remaining.values() if all(d in placed or d not in self.resources for d in _needs(r))
            ] or [next(iter(remaining.values()))]
            for r in ready:
                out.append(r)
                placed.add(r.urn)
                del remaining[r.urn]
        return out

    def export(self) -> dict[str, Any]:
        """What ``pulumi stack export`` prints (version 3), every secret an envelope with a ciphertext."""
        resources = [_export_resource(r) for r in self.ordered()]
        return {
            "version": 3,
            "deployment": {
                "manifest": {"time": "2026-01-01T00:00:00Z", "magic": "", "version": "offline"},
                "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:offline"}},
                "resources": resources,
            },
        }


def _needs(r: ResourceState) -> set[str]:
    refs = {*r.dependencies, r.parent, r.provider.rsplit("::", 1)[0] if r.provider else ""}
    return {u for u in refs if u and u != r.urn}


def _omit_empty(required: dict[str, Any], *optional: tuple[str, Any]) -> dict[str, Any]:
    """``required``, then each optional key whose value is not empty, in order (Go's ``omitempty``)."""
    return {**required, **{key: value for key, value in optional if value}}


def _export_resource(r: ResourceState) -> dict[str, Any]:
    """apitype ``ResourceV3`` (``sdk/go/common/apitype/core.go``), in its field order: every field but urn, custom
    and type is ``omitempty`` (a resource's type is never empty, so it stays among the others here)."""
    o = r.options
    return _omit_empty(
        {"urn": r.urn, "custom": r.custom},
        ("id", r.id),
        ("type", r.type),
        ("inputs", envelope(r.inputs, r.urn) if r.inputs else None),
        ("outputs", envelope(r.outputs, r.urn) if r.outputs else None),
        ("parent", r.parent),
        ("protect", o.protect),
        ("external", r.external),
        ("dependencies", list(r.dependencies)),
        ("initErrors", list(r.init_errors)),
        ("provider", r.provider),
        ("additionalSecretOutputs", list(o.additional_secret_outputs)),
        ("aliases", list(r.aliases)),
        ("customTimeouts", dict(o.custom_timeouts)),
        ("retainOnDelete", o.retain_on_delete),
        ("ignoreChanges", list(o.ignore_changes)),
        ("replaceOnChanges", list(o.replace_on_changes)),
    )


def ciphertext(value: Any, salt: str) -> str:
    """An opaque stand-in for the secrets manager's ciphertext: derived from the value and its place, never
    reversible (a digest, not an encryption), so an export can be compared run to run and never shows the value."""
    digest = hashlib.sha256(f"{salt}\0{json.dumps(value, sort_keys=True)}".encode()).digest()
    return "v1:" + base64.b64encode(digest[:12]).decode() + ":" + base64.b64encode(digest[12:]).decode()


def envelope(value: Any, salt: str, path: str = "") -> Any:
    """Wire form -> export form: each secret becomes ``{sig, "ciphertext"}`` (a secret inside a secret is one)."""
    if is_secret(value):
        return {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": ciphertext(unwrap(value), f"{salt}#{path}")}
    if isinstance(value, dict):
        return {k: envelope(v, salt, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [envelope(v, salt, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


@dataclass(frozen=True)
class Step:
    """What the engine did with one resource in a run."""

    urn: str
    op: str  # one of STEPS
    type: str
    diffs: tuple[str, ...] = ()  # changed top-level input keys (or paths, for a Kubernetes object)
    replaces: tuple[str, ...] = ()  # the ones that force a replacement
    detail: str = ""  # what happened, in words (a conflict forced, a wait), for the plan

    def as_dict(self) -> dict[str, Any]:
        return _omit_empty(
            {"urn": self.urn, "op": self.op},
            ("diffs", list(self.diffs)),
            ("replaces", list(self.replaces)),
            ("detail", self.detail),
        )


def no_changes(steps: Iterable[Step]) -> bool:
    """``pulumi preview --expect-no-changes``: every step is same or read."""
    return all(s.op in NO_CHANGE for s in steps)


def top_level_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The top-level keys whose values differ (secretness aside), as the engine's ``PropertyMap.Diff`` reports."""
    keys = sorted(set(old) | set(new))
    return [k for k in keys if unwrap(old.get(k)) != unwrap(new.get(k))]
