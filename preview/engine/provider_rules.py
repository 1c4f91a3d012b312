"""The rules of pulumi-kubernetes that decide what an ``up`` or a preview does, as pure functions.

Read in pulumi/pulumi-kubernetes at 94977969 (``provider/pkg/...``); each function names its source. Values are
plain (secret markers removed) unless a docstring says "wire form".
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from preview.engine.wire import UNKNOWN, any_value, contains_secrets, is_secret, secret, unwrap

# metadata/annotations.go
ANNOTATION_PATCH_FORCE = "pulumi.com/patchForce"
ANNOTATION_PATCH_FIELD_MANAGER = "pulumi.com/patchFieldManager"
ANNOTATION_SKIP_AWAIT = "pulumi.com/skipAwait"
ANNOTATION_TIMEOUT_SECONDS = "pulumi.com/timeoutSeconds"

# provider/provider.go: the checkpoint object's private keys
INPUTS_KEY = "__inputs"
INITIAL_API_VERSION_KEY = "__initialApiVersion"
FIELD_MANAGER_KEY = "__fieldManager"

# await/await.go Creation/Update and await/daemonset.go _defaultDaemonSetTimeout, deployment.go
# DefaultDeploymentTimeoutMins, statefulset.go DefaultStatefulSetTimeoutMins: 10 minutes.
DEFAULT_AWAIT_SECONDS = 600.0

# await/awaiters.go: the kinds with a rollout awaiter (Patch kinds included: the awaiter is chosen by the applied
# object's apiVersion/kind, not by the resource type).
AWAITED_KINDS = frozenset({"apps/v1/DaemonSet", "apps/v1/Deployment", "apps/v1/StatefulSet"})

# await/await.go handleSSAErr
SSA_CONFLICT_LINK = (
    "https://www.pulumi.com/registry/packages/kubernetes/how-to-guides/"
    "managing-resources-with-server-side-apply/#handle-field-conflicts-on-existing-resources"
)


def parse_token(token: str) -> tuple[str, str, bool]:
    """``kubernetes:apps/v1:DaemonSetPatch`` -> (``apps/v1``, ``DaemonSet``, True).

    kinds/util.go ``IsPatchResource``: a Patch resource is one whose type name is the object's kind + ``Patch``
    (``CustomResourcePatch`` registers ``kubernetes:<apiVersion>:<Kind>Patch``, so it counts too)."""
    _, group_version, name = token.split(":", 2)
    api_version = group_version.removeprefix("core/")
    patch = name.endswith("Patch")
    return api_version, name.removesuffix("Patch") if patch else name, patch


def annotations_of(obj: Mapping[str, Any] | None) -> Mapping[str, Any]:
    meta = (obj or {}).get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, Mapping) else None
    return annotations if isinstance(annotations, Mapping) else {}


def annotation_true(obj: Mapping[str, Any] | None, key: str) -> bool:
    """metadata/annotations.go ``IsAnnotationTrue``: exactly ``"true"``."""
    return annotations_of(obj).get(key) == "true"


def patch_force(
    inputs: Mapping[str, Any], live: Mapping[str, Any] | None, enable_patch_force: bool, preview: bool
) -> bool:
    """await/await.go ``patchForce``.

    Forced with ``pulumi.com/patchForce: "true"`` or the provider's ``enablePatchForce``; in preview, when there is
    no live object (Creation always passes none) or a client-side pulumi-kubernetes manager owns fields; and for a
    live object without ``managedFields`` (a legacy object owned by ``before-first-apply``). ``Creation`` (the first
    apply of a Patch resource, or the upsert of an existing object) passes ``live=None``, so in ``up`` neither of
    the last two applies there."""
    if annotation_true(inputs, ANNOTATION_PATCH_FORCE) or enable_patch_force:
        return True
    managed = ((live or {}).get("metadata") or {}).get("managedFields") or []
    if preview:
        if live is None:
            return True
        for entry in managed:
            if entry.get("operation") == "Update" and entry.get("manager") in (
                "pulumi-resource-kubernetes",
                "pulumi-kubernetes",
                "pulumi-kubernetes.exe",
            ):
                return True
    return live is not None and not managed


def unique_field_manager(seed: str) -> str:
    """provider/provider.go ``fieldManagerName``'s last resort, ``resource.NewUniqueName(nil, "pulumi-kubernetes-",
    0, 0, nil)``: the prefix and 8 random hex digits. Derived from ``seed`` here so runs repeat."""
    return "pulumi-kubernetes-" + hashlib.sha256(seed.encode()).hexdigest()[:8]


def field_manager(inputs: Mapping[str, Any], state: Mapping[str, Any] | None, seed: str) -> str:
    """provider/provider.go ``fieldManagerName`` (server-side apply mode): the ``pulumi.com/patchFieldManager``
    annotation, else the manager the state recorded (``__fieldManager``), else a new random one."""
    pinned = annotations_of(inputs).get(ANNOTATION_PATCH_FIELD_MANAGER)
    if isinstance(pinned, str) and pinned:
        return pinned
    recorded = unwrap((state or {}).get(FIELD_MANAGER_KEY))
    if isinstance(recorded, str) and recorded:
        return recorded
    return unique_field_manager(seed)


# --- normalisation and diff (provider/provider.go Diff, normalizeInputs, pruneLiveState; clients/unstructured.go) ---

_READ_ONLY_METADATA = (
    "creationTimestamp",
    "deletionGracePeriodSeconds",
    "deletionTimestamp",
    "generation",
    "managedFields",
    "resourceVersion",
    "uid",
)


def normalize_secret(obj: Mapping[str, Any]) -> dict[str, Any]:
    """clients/unstructured.go ``normalizeSecret``: ``stringData`` is base64-encoded into ``data`` (stringData
    overwrites data) and removed, as the API server stores it."""
    out = copy.deepcopy(dict(obj))
    string_data = out.get("stringData")
    if isinstance(string_data, Mapping) and string_data:
        data = dict(out.get("data") or {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        out["data"] = data
        del out["stringData"]
    return out


def normalize_inputs(obj: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """provider/provider.go ``normalizeInputs``: Secrets normalised, ``status`` and read-only metadata dropped."""
    out = normalize_secret(obj) if kind == "Secret" else copy.deepcopy(dict(obj))
    out.pop("status", None)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        for key in _READ_ONLY_METADATA:
            meta.pop(key, None)
    return out


def prune_map(source: Mapping[str, Any] | None, target: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """provider/util.go ``pruneMap``: the keys of ``source`` that ``target`` has, recursively."""
    if source is None or target is None:
        return None
    out: dict[str, Any] = {}
    for key, value in source.items():
        if key not in target:
            continue
        want = target[key]
        if value is None or want is None or type(value) is not type(want):
            out[key] = copy.deepcopy(value)
        elif isinstance(value, dict):
            out[key] = prune_map(value, want)
        elif isinstance(value, list):
            out[key] = prune_slice(value, want)
        else:
            out[key] = value
    return out


def prune_slice(source: list[Any], target: list[Any]) -> list[Any]:
    """provider/util.go ``pruneSlice``."""
    if not source or not target:
        return []
    if type(source[0]) is not type(target[0]):
        return copy.deepcopy(source)
    out: list[Any] = []
    for index, want in enumerate(target):
        if index >= len(source):
            break
        value = source[index]
        if value is None or want is None:
            out.append(value)
        elif isinstance(value, dict) and isinstance(want, dict):
            pruned = prune_map(value, want)
            if pruned is not None:
                out.append(pruned)
        elif isinstance(value, list) and isinstance(want, list):
            out.append(prune_slice(value, want))
        else:
            out.append(value)
    return out


def _paths(old: Any, new: Any, prefix: str) -> list[str]:
    """Where ``new`` differs from ``old``, as the detailed diff's paths (``spec.template.metadata``, ``a[0].b``)."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[str] = []
        for key in sorted(set(old) | set(new)):
            step = f"{prefix}.{key}" if prefix else str(key)
            if key not in new or key not in old:
                found.append(step)
            else:
                found += _paths(old[key], new[key], step)
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [p for i, (a, b) in enumerate(zip(old, new, strict=False)) for p in _paths(a, b, f"{prefix}[{i}]")]
    return [] if old == new else [prefix]


def force_new_properties(
    api_version: str, kind: str, patch: bool, obj: Mapping[str, Any], secret_mutable: bool, configmap_mutable: bool
) -> list[str]:
    """provider/diff.go ``forceNewProperties`` (for the kinds this project sends). Patch resources replace only
    when the name or namespace changes (provider.go Diff)."""
    props = [".metadata.name", ".metadata.namespace"]
    if patch:
        return props
    group = api_version.split("/")[0] if "/" in api_version else ""
    immutable = obj.get("immutable") is True
    if group in ("", "core") and kind == "Secret" and (not secret_mutable or immutable):
        return [*props, ".type", ".stringData", ".data"]
    if group in ("", "core") and kind == "Secret":
        return [*props, ".type"]
    if group == "apps" and kind in ("DaemonSet", "Deployment", "StatefulSet"):
        extra = [".spec.selector"]
        if kind == "StatefulSet":
            extra += [".spec.podManagementPolicy", ".spec.revisionHistoryLimit", ".spec.serviceName"]
            extra += [".spec.volumeClaimTemplates"]
        return [*props, *extra]
    if group in ("", "core") and kind == "ConfigMap" and (not configmap_mutable or immutable):
        return [*props, ".binaryData", ".data"]
    return props


def _under(path: str, prop: str) -> bool:
    prop = prop.lstrip(".")
    return path == prop or path.startswith(prop + ".") or path.startswith(prop + "[")


@dataclass(frozen=True)
class KubernetesDiff:
    changes: bool
    diffs: tuple[str, ...]
    replaces: tuple[str, ...]
    delete_before_replace: bool


def has_unknowns(value: Any) -> bool:
    return any_value(value, lambda v: v == UNKNOWN)


def diff_object(
    token: str,
    old_inputs: Mapping[str, Any],
    old_live: Mapping[str, Any],
    new_inputs: Mapping[str, Any],
    *,
    secret_mutable: bool = False,
    configmap_mutable: bool = False,
    ignore_changes: Sequence[str] = (),
) -> KubernetesDiff:
    """provider/provider.go ``Diff``: the new inputs against the *state* (the old live object pruned to the old
    inputs' shape), never against the cluster as it is now. Plain values."""
    api_version, kind, patch = parse_token(token)
    old_norm = normalize_inputs(old_inputs, kind)
    new_norm = normalize_inputs(new_inputs, kind)
    pruned = prune_map(old_live, old_norm) or {}
    pruned.pop("status", None)
    meta = pruned.get("metadata")
    if isinstance(meta, dict):
        for key in _READ_ONLY_METADATA:
            meta.pop(key, None)
    for obj in (pruned, new_norm):
        obj.setdefault("apiVersion", api_version)
        obj.setdefault("kind", kind)
    paths = [p for p in _paths(pruned, new_norm, "") if not any(_under(p, i) for i in ignore_changes)]
    if not paths:
        return KubernetesDiff(False, (), (), False)
    forced = force_new_properties(api_version, kind, patch, new_norm, secret_mutable, configmap_mutable)
    replaces = tuple(p for p in paths if any(_under(p, f) for f in forced))
    new_meta = new_norm.get("metadata") or {}
    old_meta = (old_live.get("metadata") or {}) if isinstance(old_live, Mapping) else {}
    same_identity = new_meta.get("name") == old_meta.get("name") and (new_meta.get("namespace") or "") == (
        old_meta.get("namespace") or ""
    )
    return KubernetesDiff(True, tuple(paths), replaces, bool(replaces) and bool(new_meta.get("name")) and same_identity)


# --- the provider resource (provider/provider.go DiffConfig) ----------------------------------------------------


class KubeconfigError(ValueError):
    """provider.go parseKubeconfigPropertyValue: a kubeconfig that does not parse."""


def _parse_kubeconfig(value: Any) -> dict[str, Any]:
    """provider.go ``parseKubeconfigPropertyValue``: null is an empty config; a string (JSON or YAML) or an object
    is parsed; anything else, or text that is no kubeconfig, is an error."""
    import yaml

    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        raise KubeconfigError(f"unexpected kubeconfig format, type: {type(value).__name__}")
    try:
        config = yaml.safe_load(value) if value.strip() else {}
    except yaml.YAMLError as exc:
        raise KubeconfigError(f"failed to parse kubeconfig: {exc}") from None
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise KubeconfigError("failed to parse kubeconfig: not a mapping")
    for key in ("clusters", "contexts", "users"):
        entries = config.get(key)
        if entries is not None and (not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries)):
            # clientcmd's Config holds these as lists of named entries
            raise KubeconfigError(f"failed to parse kubeconfig: {key} must be a list of named entries")
    return config


def _active_cluster(config: Mapping[str, Any], overrides: Mapping[str, Any]) -> Any:
    """provider/util.go ``getActiveClusterFromConfig``: the cluster of the current context (or the ``context`` and
    ``cluster`` overrides); None when there is none."""
    clusters = {c.get("name"): c.get("cluster") for c in config.get("clusters") or [] if isinstance(c, dict)}
    if not clusters:
        return None
    current = overrides.get("context") or config.get("current-context")
    contexts = {c.get("name"): c.get("context") for c in config.get("contexts") or [] if isinstance(c, dict)}
    context = contexts.get(current)
    if context is None:
        return None
    name = overrides.get("cluster") or context.get("cluster")
    return clusters.get(name)


def diff_provider_config(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """provider/provider.go ``DiffConfig``: (changed keys, keys that replace the provider). Wire form or plain.

    Any changed key is a diff, so a kubeconfig fetched anew on every run updates the provider on every run. A
    changed active cluster replaces it, and so does a changed ``clusterIdentifier``; with ``clusterIdentifier`` set
    and unchanged nothing replaces it. An unknown kubeconfig (context, cluster) is a replacement."""
    keys = sorted(set(olds) | set(news))
    diffs = [k for k in keys if unwrap(olds.get(k)) != unwrap(news.get(k))]
    if not diffs:
        return [], []
    replaces: list[str] = []
    old_id, new_id = unwrap(olds.get("clusterIdentifier")), unwrap(news.get("clusterIdentifier"))
    if "clusterIdentifier" in diffs and old_id is not None and new_id is not None:
        replaces.append("clusterIdentifier")
    suppress = old_id is not None and old_id == new_id
    for key in ("kubeconfig", "context", "cluster"):
        if unwrap(news.get(key)) == UNKNOWN:
            return [key], [] if suppress else [*replaces, key]
    old_config = _parse_kubeconfig(unwrap(olds.get("kubeconfig")))
    new_config = _parse_kubeconfig(unwrap(news.get("kubeconfig")))
    if "renderYamlToDirectory" in diffs:
        replaces.append("renderYamlToDirectory")
    old_cluster = _active_cluster(old_config, unwrap(dict(olds)))
    new_cluster = _active_cluster(new_config, unwrap(dict(news)))
    if old_cluster is not None and new_cluster is not None and old_cluster != new_cluster:
        replaces += [k for k in ("kubeconfig", "context", "cluster") if k in diffs]
    return diffs, [] if suppress else replaces


# --- secrets in the checkpoint (provider/provider.go annotateSecrets, checkpointObject) -------------------------


def annotate_secrets(outs: dict[str, Any], ins: Mapping[str, Any] | None) -> None:
    """provider/provider.go ``annotateSecrets`` (wire form, in place): a Secret's ``data``/``stringData`` are
    secret; otherwise an output is made secret where the same input path holds a secret."""
    if outs.get("kind") == "Secret":
        for key in ("data", "stringData"):
            if key in outs:
                outs[key] = secret(outs[key])
        return
    if not ins:
        return
    for key, in_value in ins.items():
        if key not in outs:
            continue
        out_value = outs[key]
        if isinstance(out_value, dict) and not is_secret(out_value) and isinstance(in_value, dict):
            if is_secret(in_value):
                outs[key] = secret(out_value)
            else:
                annotate_secrets(out_value, in_value)
        elif not is_secret(out_value) and contains_secrets(in_value):
            outs[key] = secret(out_value)


def checkpoint(
    inputs: Mapping[str, Any], live: Mapping[str, Any], from_inputs: Mapping[str, Any], field_manager_name: str
) -> dict[str, Any]:
    """provider/provider.go ``checkpointObject`` (wire form): the live object, ``__inputs``, the initial API
    version and the field manager, with secrets annotated from ``from_inputs``. A Secret's ``data`` that came from
    secret ``stringData`` is secret."""
    obj = copy.deepcopy(dict(live))
    inputs_pm = copy.deepcopy(dict(inputs))
    annotate_secrets(obj, from_inputs)
    annotate_secrets(inputs_pm, from_inputs)
    if obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1":
        string_data = from_inputs.get("stringData")
        if string_data is not None and "data" in obj and is_secret(string_data) and not is_secret(obj["data"]):
            obj["data"] = secret(obj["data"])
    obj[INPUTS_KEY] = inputs_pm
    obj[INITIAL_API_VERSION_KEY] = str(unwrap(inputs.get("apiVersion")) or live.get("apiVersion") or "")
    obj[FIELD_MANAGER_KEY] = field_manager_name
    return obj


def split_checkpoint(outputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """provider/provider.go ``parseCheckpointObject``: (old inputs, old live), plain."""
    values = unwrap(dict(outputs))
    inputs = values.pop(INPUTS_KEY, None) or {}
    for key in (INITIAL_API_VERSION_KEY, FIELD_MANAGER_KEY):
        values.pop(key, None)
    return inputs, values


# provider/cmd/pulumi-resource-kubernetes/schema.json: each type's inputProperties, which a read with no prior
# inputs fills from the live object (provider.go Read, readFromCluster).
READ_INPUT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "ConfigMap": ("apiVersion", "binaryData", "data", "immutable", "kind", "metadata"),
    "Secret": ("apiVersion", "data", "immutable", "kind", "metadata", "stringData", "type"),
    "DaemonSet": ("apiVersion", "kind", "metadata", "spec"),
    "Deployment": ("apiVersion", "kind", "metadata", "spec"),
    "StatefulSet": ("apiVersion", "kind", "metadata", "spec"),
    "Service": ("apiVersion", "kind", "metadata", "spec"),
}
_READ_DROPPED_METADATA = ("creationTimestamp", "generation", "managedFields", "resourceVersion", "uid")
_READ_DROPPED_ANNOTATIONS = ("deployment.kubernetes.io/revision", "kubectl.kubernetes.io/last-applied-configuration")


def read_outputs(token: str, object_id: str, live: Mapping[str, Any], field_manager_name: str) -> dict[str, Any]:
    """provider/provider.go ``Read`` of an object with no prior state (a ``get``, or a CustomResource with an
    ``id``): the whole live object plus ``__inputs``, the object's identity and the live value of each of the
    type's input properties in the provider's schema (``readFromCluster``; a custom resource's kind has none
    there), read-only metadata dropped. The Python SDK sends no property it has no value for, so nothing else is
    kept. Wire form: a Secret's ``data`` is secret (annotateSecrets), nothing else is."""
    _, kind, _ = parse_token(token)
    namespace, _, name = object_id.rpartition("/")
    inputs: dict[str, Any] = {"apiVersion": live.get("apiVersion"), "kind": live.get("kind")}
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    inputs["metadata"] = meta
    for key in READ_INPUT_PROPERTIES.get(kind, ()):
        if key in live and key not in ("apiVersion", "kind"):
            inputs[key] = copy.deepcopy(live[key])
    if isinstance(inputs.get("metadata"), dict):
        inputs["metadata"] = {k: v for k, v in inputs["metadata"].items() if k not in _READ_DROPPED_METADATA}
        annotations = inputs["metadata"].get("annotations")
        if isinstance(annotations, dict):
            kept = {k: v for k, v in annotations.items() if k not in _READ_DROPPED_ANNOTATIONS}
            if kept:
                inputs["metadata"]["annotations"] = kept
            else:
                del inputs["metadata"]["annotations"]
    return checkpoint(inputs, live, {}, field_manager_name)


# --- awaiting -----------------------------------------------------------------------------------------------------


def await_timeout_seconds(custom_timeout: float, inputs: Mapping[str, Any]) -> float:
    """metadata/overrides.go ``TimeoutDuration``: the custom timeout, else ``pulumi.com/timeoutSeconds`` (an
    integer; anything else is ignored), else the 10-minute default of await.go."""
    if custom_timeout:
        return float(int(custom_timeout))
    text = annotations_of(inputs).get(ANNOTATION_TIMEOUT_SECONDS)
    if isinstance(text, str) and re.fullmatch(r"[+-]?\d+", text):
        return float(int(text))
    return DEFAULT_AWAIT_SECONDS


def skip_await(inputs: Mapping[str, Any]) -> bool:
    """metadata/overrides.go ``SkipAwaitLogic``: ``pulumi.com/skipAwait: "true"``."""
    return annotation_true(inputs, ANNOTATION_SKIP_AWAIT)


def conflict_error(manager: str, api_server_message: str) -> str:
    """await/await.go ``handleSSAErr``: the API server's 409 wrapped (``errors.Join``: one line each)."""
    return (
        f"server-side apply field conflict detected, see {SSA_CONFLICT_LINK} for troubleshooting help\n"
        f'The resource managed by field manager "{manager}" had an apply conflict: {api_server_message}'
    )


def create_failed(urn: str, cause: str) -> str:
    """provider/provider.go ``Create``: an error that is not a partial one."""
    return f'resource "{urn}" was not successfully created by the Kubernetes API server: {cause}'


def create_partial(urn: str, cause: str) -> str:
    """provider/provider.go ``Create``: created, but the awaiter failed."""
    return (
        f'resource "{urn}" was successfully created, but the Kubernetes API server reported that it failed to '
        f"fully initialize or become live: {cause}"
    )


def update_partial(object_id: str, cause: str) -> str:
    """provider/provider.go ``Update``: any error of await.Update once the live object could be read again."""
    return f'the Kubernetes API server reported that "{object_id}" failed to fully initialize or become live: {cause}'


def await_timeout_cause(kind: str, name: str, generic: bool = False) -> str:
    """The awaiter's timeout: await/daemonset.go returns ``wait.ErrorInterrupted(nil)`` (k8s.io/apimachinery
    pkg/util/wait/error.go: "timed out waiting for the condition"), and so does the generic awaiter of a
    ``pulumi.com/waitFor`` (await/internal/awaiter.go ``Await``, which keeps that error on a deadline);
    deployment.go and statefulset.go return ``timeoutError`` (await/error.go: "'<name>' timed out waiting to be
    Ready")."""
    if kind == "DaemonSet" or generic:
        return "timed out waiting for the condition"
    return f"'{name}' timed out waiting to be Ready"


# --- the generic awaiter (pulumi.com/waitFor) ------------------------------------------------------------------

ANNOTATION_WAIT_FOR = "pulumi.com/waitFor"


class WaitForError(ValueError):
    """metadata/overrides.go ``ReadyCondition``: an annotation it refuses (the step fails after the apply)."""


@dataclass(frozen=True)
class ConditionWait:
    """One ``condition=<type>[=<status>]`` expression (await/condition/custom.go ``NewCustom``: the status
    defaults to ``True``; the ``condition=`` prefix is required by ReadyCondition)."""

    expression: str
    type: str
    status: str


def wait_for_conditions(obj: Mapping[str, Any] | None) -> list[ConditionWait] | None:
    """metadata/overrides.go ``ReadyCondition``: the ``pulumi.com/waitFor`` annotation of ``obj`` (the object as
    the apply returned it, not the inputs), as a JSON array of expressions or a single one; None without it.

    ``condition=`` expressions are modelled; ``jsonpath=`` ones (``provider/pkg/jsonpath``, kubectl's JSONPath) are
    refused here rather than guessed. Anything else is the provider's error."""
    import json

    text = annotations_of(obj).get(ANNOTATION_WAIT_FOR)
    if not isinstance(text, str) or text == "":
        return None
    try:
        values = json.loads(text)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError
    except ValueError:
        values = [text]
    if not values:
        raise WaitForError("at least one condition must be specified")
    found = []
    for expr in values:
        if expr.startswith("jsonpath="):
            raise WaitForError(f"the offline engine does not model jsonpath= waits ({expr!r})")
        if not expr.startswith("condition="):
            raise WaitForError(f'expected a "jsonpath=" or "condition=" prefix, got "{expr}"')
        body = expr.removeprefix("condition=")
        kind, sep, status = body.partition("=")
        found.append(ConditionWait(expr, kind, status if sep else "True"))
    return found


def _whole(value: Any) -> int | None:
    """unstructured.NestedInt64: an int64 (a JSON number decoded as a whole int), else not found."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def condition_satisfied(obj: Mapping[str, Any], wanted: ConditionWait) -> bool:
    """await/condition/kubectl.go ``checkCondition`` (kubectl's ``wait --for=condition``): the first condition of
    ``status.conditions`` whose type matches (case-insensitively) and that has a status decides; when the object has
    ``metadata.generation``, a condition whose ``observedGeneration`` (its own, else ``status.observedGeneration``)
    is below it does not hold; the status is compared case-insensitively."""
    status = obj.get("status")
    conditions = status.get("conditions") if isinstance(status, Mapping) else None
    if not isinstance(conditions, list):
        return False
    generation = _whole((obj.get("metadata") or {}).get("generation"))
    for condition in conditions:
        if not isinstance(condition, Mapping):
            continue
        name = condition.get("type")
        if not isinstance(name, str) or name.lower() != wanted.type.lower():
            continue
        value = condition.get("status")
        if not isinstance(value, str):
            continue
        if generation is not None:
            observed = _whole(condition.get("observedGeneration"))
            if observed is None and isinstance(status, Mapping):
                observed = _whole(status.get("observedGeneration"))
            if observed is not None and observed < generation:
                return False
        return value.lower() == wanted.status.lower()
    return False
