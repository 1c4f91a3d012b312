"""A fake registered cluster: the objects the program reads and patches, seeded from ``kubectl get -o yaml``.

Without a snapshot it holds one representative on-prem node, one cloud node, the on-prem workloads the stack
names and, where the scenario has one, a representative on-prem CNI.

It owns fields as the API server does (``hybrid_terway.core.ssa`` holds the algorithm): every object it stores carries
``metadata.managedFields``, a server-side apply (``apply``) claims the fields it sends and fails with the API
server's 409 (``ApplyConflict``) when it changes a field another manager owns, unless forced; an ``update`` (a PUT
or client-side patch by a person, Helm 3 or a controller) takes the fields it changes; ``relinquish`` is the
apply of an empty object that deleting a Patch resource sends. ``metadata.resourceVersion`` changes on every
write that changes the object, ``metadata.generation`` when the spec changes. docs/cluster-model.md has the
rules and their upstream files.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from hybrid_terway.core import constants, scheduling, ssa, terway_model
from hybrid_terway.core.settings import Settings
from hybrid_terway.core.vocabulary import Scenario, WorkloadKind
from preview.report.schema import missing_required
from preview.world.snapshot import SnapshotError, load_snapshot  # noqa: F401  (loading lives in preview.world.snapshot)

Key = tuple[str, str, str]  # kind, namespace ("" when cluster-scoped), name

WORKLOAD_KINDS = ("DaemonSet", "Deployment", "StatefulSet", "Installation")


class ClusterError(Exception):
    """What the API server would refuse (a missing object, a patch of nothing)."""


class ApplyConflict(ClusterError):
    """The API server's 409 for a server-side apply that changes fields other managers own, worded as the API
    server words it (``Apply failed with 1 conflict: conflict with "helm" using apps/v1: .spec...``: kubernetes
    ``staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go``).

    ``conflicts``: (manager, field path) pairs, the manager by its name, the path as ``fieldpath.Path.String()``.
    ``operations``: the operation of each conflict's manager (``Apply`` or ``Update``), in the same order.
    """

    def __init__(self, conflicts: list[tuple[ssa.Manager, ssa.Path]]) -> None:
        super().__init__(ssa.conflict_message(conflicts))
        self.conflicts: list[tuple[str, str]] = [(m.name, ssa.path_string(p)) for m, p in conflicts]
        self.operations: list[str] = [m.operation for m, _ in conflicts]


ADDON_MANAGER: Final = "ack-addon-manager"
"""The field manager of what the ACK addon manager writes (``eni-config``, ``terway-eniip``), as an ``Update``.
A stand-in: no public source names ACK's addon manager's field manager (docs/cluster-model.md)."""
BEFORE_FIRST_APPLY: Final = "before-first-apply"
"""What the API server records for the fields of an object that had no managed fields when it was first applied
(``beforeApplyManagerName`` in kubernetes ``staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/
skipnonapplied.go``)."""
HELM_MANAGER: Final = "helm"
"""Helm 3 writes client-side; the API server names an Update without ``fieldManager`` after the user agent's
first part (``managerOrUserAgent`` in kubernetes ``staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go``):
``helm``."""
KUBECTL_CSA_MANAGER: Final = "kubectl-client-side-apply"
"""``kubectl apply`` without ``--server-side`` (kubernetes ``staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go``)."""

LAST_APPLIED_ANNOTATION: Final = "kubectl.kubernetes.io/last-applied-configuration"
HELM_RELEASE_ANNOTATION: Final = "meta.helm.sh/release-name"
HELM_MANAGED_BY: Final = ("app.kubernetes.io/managed-by", "Helm")

MAX_FIELD_MANAGER_LENGTH: Final = 128
"""``ValidateFieldManager`` (kubernetes ``staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/
validation.go``), which ``ValidatePatchOptions`` calls after requiring a manager for an apply."""

GENERATION_KINDS: Final = frozenset({"DaemonSet", "Deployment", "StatefulSet", "Installation"})
"""Kinds whose ``metadata.generation`` the API server keeps: 1 on create, +1 when the spec changes (the apps
strategies' ``PrepareForUpdate``, ``pkg/registry/apps/*/strategy.go``), and for a custom resource when anything but
metadata and status changes (``staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/
strategy.go``)."""
STATUS_KINDS: Final = frozenset({"DaemonSet", "Deployment", "StatefulSet", "Service", "Installation"})
"""Kinds with a status subresource: a write of the main resource never changes ``status`` and no manager of it
owns status fields (the strategies' ``GetResetFields``)."""
_STATUS: Final[ssa.Path] = (("f", "status"),)

RESOURCES: Final = {
    "DaemonSet": "daemonsets.apps",
    "Deployment": "deployments.apps",
    "StatefulSet": "statefulsets.apps",
    "ConfigMap": "configmaps",
    "Secret": "secrets",
    "Service": "services",
    "Installation": "installations.operator.tigera.io",
}
"""The resource (plural.group) the API server names in its errors."""

_EPOCH: Final = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _where(namespace: str, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def creator_of(kind: str, obj: Mapping[str, Any]) -> str:
    """Who owns an object that carries no ``managedFields`` (a snapshot taken without ``--show-managed-fields``):
    the addon manager for what the terway-eniip addon installs, ``helm`` for what Helm's annotations or labels
    mark, ``kubectl-client-side-apply`` for what ``kubectl apply`` left its annotation on, else
    ``before-first-apply``."""
    meta = _meta(obj)
    key = (kind, str(meta.get("namespace") or ""), str(meta.get("name")))
    ns = constants.TERWAY_NAMESPACE
    if key in (("ConfigMap", ns, constants.ENI_CONFIG_MAP), ("DaemonSet", ns, constants.TERWAY_DAEMONSET)):
        return ADDON_MANAGER
    annotations: Mapping[str, Any] = meta["annotations"] if isinstance(meta.get("annotations"), Mapping) else {}
    labels: Mapping[str, Any] = meta["labels"] if isinstance(meta.get("labels"), Mapping) else {}
    if HELM_RELEASE_ANNOTATION in annotations or labels.get(HELM_MANAGED_BY[0]) == HELM_MANAGED_BY[1]:
        return HELM_MANAGER
    if LAST_APPLIED_ANNOTATION in annotations:
        return KUBECTL_CSA_MANAGER
    return BEFORE_FIRST_APPLY


def _plain(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object as the field manager sees it: without ``metadata.managedFields``."""
    out = dict(obj)
    meta = dict(_meta(obj))
    meta.pop("managedFields", None)
    out["metadata"] = meta
    return out


def _ignored(kind: str) -> tuple[ssa.Path, ...]:
    return (_STATUS,) if kind in STATUS_KINDS else ()


def key_of(obj: Mapping[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    return str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name"))


def create_errors(api_version: str, kind: str, body: Mapping[str, Any]) -> list[str]:
    """What the API server's validation says of ``body`` as a new object (``field.ErrorList`` as it prints): the
    fields the upstream OpenAPI requires, and for the apps/v1 workloads the selector rules of kubernetes
    ``pkg/apis/apps/validation/validation.go`` (``ValidateDaemonSetSpec``, ``ValidateDeploymentSpec``,
    ``ValidateStatefulSetSpec``): the selector must be a selector, not empty, and match the template's labels.
    The API server's other create checks (container images, ports, names) are not modelled."""
    errors = [f"{path}: Required value" for path in missing_required(body)]
    if api_version != "apps/v1" or kind not in ("DaemonSet", "Deployment", "StatefulSet"):
        return errors
    spec = _part(body, "spec")
    labels = _part(_part(_part(spec, "template"), "metadata"), "labels")
    selector = spec.get("selector")
    if isinstance(selector, Mapping):
        try:
            problem = scheduling.label_selector_error(selector)
        except scheduling.MalformedSpecError as exc:
            problem = str(exc)
        if problem is not None:
            return [*errors, f"spec.selector: Invalid value: {_shown(selector)}: {problem}"]
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            empty = f"empty selector is invalid for {kind.lower()}"
            return [*errors, f"spec.selector: Invalid value: {_shown(selector)}: {empty}"]
    if not scheduling.label_selector_matches(selector if isinstance(selector, Mapping) else None, labels):
        errors.append(
            f"spec.template.metadata.labels: Invalid value: {_shown(labels or None)}: "
            "`selector` does not match template `labels`"
        )
    return errors


def _part(obj: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = obj.get(name)
    return value if isinstance(value, Mapping) else {}


def _shown(value: object) -> str:
    """A value as recent releases' ``field.Invalid`` print it (apimachinery ``pkg/util/validation/field/errors.go``;
    older ones print Go syntax)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def parse_type_token(token: str) -> tuple[str, str, bool]:
    """``kubernetes:apps/v1:DaemonSetPatch`` -> (``apps/v1``, ``DaemonSet``, True)."""
    _, group_version, kind = token.split(":", 2)
    api_version = group_version.removeprefix("core/")
    patch = kind.endswith("Patch")
    return api_version, kind.removesuffix("Patch") if patch else kind, patch


@dataclass
class FakeCluster:
    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)
    revision: int = 0
    """The last resourceVersion written (the etcd revision)."""
    written: frozenset[Key] = frozenset()
    """Objects this API server wrote: their managedFields are exactly what it keeps (none means none). Any other
    object came from a snapshot, whose missing managedFields only mean kubectl did not show them."""

    # --- seeding -------------------------------------------------------------------------------------

    @classmethod
    def of(cls, objects: Iterable[Mapping[str, Any]], fresh: bool = False) -> FakeCluster:
        """``fresh``: the objects are new and nobody else holds them (a snapshot just read): taken without a copy."""
        cluster = cls()
        for obj in objects:
            cluster.objects[key_of(obj)] = dict(obj) if fresh else copy.deepcopy(dict(obj))
            version = str(_meta(obj).get("resourceVersion") or "")
            if version.isdigit():
                cluster.revision = max(cluster.revision, int(version))
        return cluster

    @classmethod
    def representative(cls, settings: Settings) -> FakeCluster:
        """One on-prem node, one cloud node, the named on-prem workloads and the scenario's on-prem CNI."""
        label_key, label_value = constants.split_label(settings.cloud_node_label)
        zone = next(iter(settings.terway.pod_vswitches)) if settings.terway else "cn-hangzhou-h"
        region = zone.rsplit("-", 1)[0]
        objects: list[dict[str, Any]] = [
            make_node("onprem-node-1", {}),
            make_node(f"{region}.192.168.0.10", {label_key: label_value, "topology.kubernetes.io/zone": zone}),
        ]
        workloads = list(settings.workloads)
        for workload in workloads:
            objects.append(make_workload(workload.kind.value, workload.namespace, workload.name))
        has_cni = any(w.is_known_cni for w in workloads)
        if settings.scenario is Scenario.BGP and not has_cni:
            objects.append(make_workload("DaemonSet", "kube-system", "calico-node"))
        if settings.terway is not None:
            # Every cluster has it; the program reads it. Its ClusterIP is the service range's first address.
            first = ipaddress.ip_network(terway_model.service_cidr_parts(settings.terway.service_cidr)[0], strict=False)
            objects.append(make_kubernetes_service(str(first[1])))
        if settings.scenario is Scenario.OVERLAY:
            flannel = make_workload("DaemonSet", "kube-flannel", "kube-flannel-ds")
            flannel["spec"]["template"]["spec"]["affinity"] = _linux_only_affinity()
            objects.append(flannel)
        return cls.of(objects)

    def copy(self) -> FakeCluster:
        """The cluster as it is now, kept as it is while this one changes.

        Objects are never changed in place (``apply`` and ``install_addon`` store new ones), so sharing them is
        safe and costs nothing on a large snapshot.
        """
        return FakeCluster(dict(self.objects), self.revision, self.written)

    # --- queries -------------------------------------------------------------------------------------

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.objects.get((kind, namespace, name))

    def nodes(self) -> list[dict[str, Any]]:
        return sorted((o for k, o in self.objects.items() if k[0] == "Node"), key=lambda o: o["metadata"]["name"])

    def workloads(self) -> list[dict[str, Any]]:
        return sorted(
            (o for k, o in self.objects.items() if k[0] in WORKLOAD_KINDS and scheduling.pod_spec_of(o) is not None),
            key=key_of,
        )

    # --- the API server, as the program's provider sees it -------------------------------------------

    def read(self, token: str, object_id: str) -> dict[str, Any]:
        """The live object, with its ``managedFields`` (as ``kubectl get --show-managed-fields`` shows them)."""
        api_version, kind, _ = parse_type_token(token)
        namespace, _, name = object_id.rpartition("/")
        obj = self.get(kind, namespace, name)
        if obj is None:
            where = f"{namespace}/{name}" if namespace else name
            raise ClusterError(f"{kind} {where} ({api_version}) does not exist in the cluster")
        return self._with_managed_fields(obj)

    def managed_fields(self, kind: str, namespace: str, name: str) -> ssa.ManagedFields:
        """Who owns which fields of the object (its ``managedFields``, or its creator's when it has none)."""
        obj = self.get(kind, namespace, name)
        if obj is None:
            raise ClusterError(f"{kind} {_where(namespace, name)} does not exist in the cluster")
        return self._managed(kind, obj)

    def apply(
        self,
        token: str,
        inputs: Mapping[str, Any],
        *,
        manager: str,
        force: bool = False,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """A server-side apply (``PATCH`` with ``application/apply-patch+yaml``) of ``inputs`` by ``manager``.

        An object that does not exist is created, for a Patch token (``kubernetes:apps/v1:DaemonSetPatch``) as for
        a plain kind, if the body is a whole object (the schema's required fields; otherwise the API server's 422
        ``is invalid: ...: Required value``); one that exists is upserted. Raises ``ApplyConflict`` when, without
        ``force``, the apply changes a field another manager owns; forced, the other manager loses the field.
        Fields ``manager`` applied last time and not now are removed unless another manager owns them.
        ``dry_run``: the result, nothing stored. Returns the object as stored, with ``managedFields``. A Secret's
        ``stringData`` is written into ``data`` (as the provider does before it applies).
        """
        api_version, kind, _ = parse_type_token(token)
        self._check_manager(manager)
        body = copy.deepcopy(dict(inputs))
        sent_version, sent_kind = body.get("apiVersion", api_version), body.get("kind", kind)
        if sent_version != api_version:
            # structuredmerge.go (Apply): a 400
            raise ClusterError(
                "Incorrect version specified in apply patch. "
                f"Specified patch version: {sent_version}, expected: {api_version}"
            )
        if sent_kind != kind:
            raise ClusterError(f"the body's kind {sent_kind} is not the resource's {kind}")
        body["apiVersion"], body["kind"] = api_version, kind
        meta = body.get("metadata")
        if not isinstance(meta, Mapping) or not isinstance(meta.get("name"), str) or not meta.get("name"):
            raise ClusterError(f"{kind}: metadata.name: Required value: name or generateName is required")
        if meta.get("managedFields") is not None:
            raise ClusterError("metadata.managedFields must be nil")
        if kind == "Secret" and isinstance(body.get("stringData"), Mapping):
            body["data"] = {**(body.get("data") or {}), **body.pop("stringData")}
        key = (kind, str(meta.get("namespace") or ""), str(meta["name"]))
        live = self.objects.get(key)
        if live is None and (errors := create_errors(api_version, kind, body)):
            # An apply creates what does not exist (handlers/patch.go: forceAllowCreate for apply patches), a Patch
            # resource's as any other (the provider's Create applies it as it is); the object must then be whole.
            group = api_version.rpartition("/")[0]
            raise ClusterError(
                f'{kind}{"." + group if group else ""} "{key[2]}" is invalid: '
                + (errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]")
            )
        managers = self._managed(kind, live) if live is not None else {}
        base = _plain(live) if live is not None else {"apiVersion": api_version, "kind": kind}
        try:
            outcome = ssa.apply(
                base,
                body,
                ssa.root_type(api_version, kind),
                managers,
                ssa.Manager(manager, ssa.APPLY),
                force,
                api_version,
                _ignored(kind),
            )
        except ssa.Conflicts as exc:
            raise ApplyConflict(exc.conflicts) from None
        except ssa.SchemaError as exc:
            raise ClusterError(f"{kind} {_where(key[1], key[2])} is invalid: {exc}") from None
        written = outcome.obj if outcome.obj is not None else base
        return self._write(key, live, written, outcome.managed, ssa.Manager(manager, ssa.APPLY), dry_run)

    def update(self, obj: Mapping[str, Any], *, manager: str) -> dict[str, Any]:
        """An ``Update`` (a PUT, or a client-side patch: ``kubectl edit``, Helm 3, a controller) of the whole object
        by ``manager``: it takes the fields it changes or adds, and a field it drops is owned by nobody.

        The object must exist. A ``metadata.resourceVersion`` that is not the live one is the API server's 409
        ("the object has been modified"); without one the write is unconditional. ``status`` is kept as it is
        (it belongs to the status subresource). Returns the object as stored.
        """
        self._check_manager(manager)
        api_version, kind = str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")
        meta = _meta(obj)
        key = (kind, str(meta.get("namespace") or ""), str(meta.get("name")))
        resource = RESOURCES.get(kind, kind.lower() + "s")
        live = self.objects.get(key)
        if live is None:
            raise ClusterError(f'{resource} "{key[2]}" not found')
        version = meta.get("resourceVersion")
        if version is not None and str(version) != str(_meta(live).get("resourceVersion")):
            raise ClusterError(
                f'Operation cannot be fulfilled on {resource} "{key[2]}": the object has been modified; please '
                "apply your changes to the latest version and try again"
            )
        managers = self._managed(kind, live)
        sent_managed = meta.get("managedFields")
        if sent_managed is not None and (sent_managed == [] or sent_managed == [{}]):
            # isResetManagedFields (fieldmanager.go): an empty list, or one empty entry, clears them; with no
            # managed fields an update of an existing object tracks nothing (skipnonapplied.go)
            new = _plain(copy.deepcopy(dict(obj)))
            return self._write(key, live, new, {}, ssa.Manager(manager, ssa.UPDATE, api_version), dry_run=False)
        if sent_managed:
            managers = self._decode(kind, key, sent_managed)
        new = _plain(copy.deepcopy(dict(obj)))
        acting = ssa.Manager(manager, ssa.UPDATE, api_version)
        try:
            outcome = ssa.update(
                _plain(live), new, ssa.root_type(api_version, kind), managers, acting, _ignored(kind)
            )
        except ssa.SchemaError as exc:
            raise ClusterError(f"{kind} {_where(key[1], key[2])} is invalid: {exc}") from None
        return self._write(key, live, new, outcome.managed, acting, dry_run=False)

    def relinquish(self, token: str, object_id: str, *, manager: str) -> dict[str, Any]:
        """What deleting a Patch resource does (pulumi-kubernetes ``provider/pkg/ssa/actions.go`` ``Relinquish``):
        an apply, not forced, of the object's identity alone, so ``manager`` owns nothing any more and the fields
        nobody else owns are removed."""
        api_version, kind, _ = parse_type_token(token)
        namespace, _, name = object_id.rpartition("/")
        if self.get(kind, namespace, name) is None:
            raise ClusterError(f"{kind} {_where(namespace, name)} ({api_version}) does not exist in the cluster")
        identity: dict[str, Any] = {"name": name, **({"namespace": namespace} if namespace else {})}
        plain_token = token.removesuffix("Patch")
        return self.apply(
            plain_token,
            {"apiVersion": api_version, "kind": kind, "metadata": identity},
            manager=manager,
        )

    def replace_managers(
        self, token: str, object_id: str, *, managers: Sequence[tuple[str, str]], manager: str
    ) -> dict[str, Any]:
        """Give ``manager`` (as an applier) the fields of every entry whose manager name starts with one of
        ``managers``' names, with its operation (``(name prefix, "Apply"|"Update")``), main resource only; the
        JSON patch of ``metadata.managedFields`` that pulumi-kubernetes sends before it updates an object that is
        not a Patch resource (``fixCSAFieldManagers`` in ``provider/pkg/await/await.go``, built by fluxcd/pkg/ssa
        ``PatchReplaceFieldsManagers``: the first match is renamed, later ones merged into it). Nothing matches:
        nothing is written. Returns the object as stored."""
        _, kind, _ = parse_type_token(token)
        namespace, _, name = object_id.rpartition("/")
        key = (kind, namespace, name)
        live = self.objects.get(key)
        if live is None:
            raise ClusterError(f'{RESOURCES.get(kind, kind.lower() + "s")} "{name}" not found')
        current = self._managed(kind, live)
        target = ssa.Manager(manager, ssa.APPLY)
        merged = current.get(target)
        out: ssa.ManagedFields = {}
        edited = False
        for entry, owned in current.items():
            if entry == target:
                continue
            matches = not entry.subresource and any(
                entry.name.startswith(prefix) and entry.operation == operation for prefix, operation in managers
            )
            if not matches:
                out[entry] = owned
                continue
            edited = True
            merged = owned if merged is None else ssa.Owned(merged.fields | owned.fields, merged.api_version)
        if not edited:
            return self._with_managed_fields(live)
        assert merged is not None
        out[target] = merged
        return self._write(key, live, _plain(live), out, target, dry_run=False)

    # --- the API server's bookkeeping ----------------------------------------------------------------

    @staticmethod
    def _check_manager(manager: str) -> None:
        if not isinstance(manager, str) or not manager:
            raise ClusterError("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
                               "for apply patch")  # fmt: skip
        if len(manager.encode()) > MAX_FIELD_MANAGER_LENGTH:
            raise ClusterError(f"fieldManager: Too long: may not be more than {MAX_FIELD_MANAGER_LENGTH} bytes")
        for position, char in enumerate(manager):
            if not char.isprintable():
                raise ClusterError(
                    f"fieldManager: Invalid value: {manager!r}: invalid character U+{ord(char):04X} "
                    f"(at position {position})"
                )

    def _managed(self, kind: str, obj: Mapping[str, Any]) -> ssa.ManagedFields:
        meta = _meta(obj)
        if meta.get("managedFields"):
            return ssa.decode_managed_fields(meta["managedFields"])
        if key_of(obj) in self.written:
            return {}
        api_version = str(obj.get("apiVersion") or "v1")
        creator = ssa.Manager(creator_of(kind, obj), ssa.UPDATE, api_version)
        try:
            return ssa.update(None, _plain(obj), ssa.root_type(api_version, kind), {}, creator, _ignored(kind)).managed
        except ssa.SchemaError as exc:
            meta_of = _meta(obj)
            where = _where(str(meta_of.get("namespace") or ""), str(meta_of.get("name")))
            raise ClusterError(f"{kind} {where} is invalid: {exc}") from None

    @staticmethod
    def _decode(kind: str, key: Key, entries: Any) -> ssa.ManagedFields:
        try:
            return ssa.decode_managed_fields(entries)
        except ssa.SchemaError as exc:
            raise ClusterError(f"{kind} {_where(key[1], key[2])} is invalid: {exc}") from None

    def _with_managed_fields(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(dict(obj))
        if not _meta(obj).get("managedFields") and key_of(obj) not in self.written:
            managed = self._managed(str(obj.get("kind")), obj)
            if managed:
                out.setdefault("metadata", {})["managedFields"] = ssa.encode_managed_fields(managed)
        return out

    def write_status(self, key: Key, status: Mapping[str, Any]) -> dict[str, Any]:
        """A write of the ``status`` subresource by the object's controller: only ``status`` changes, and
        ``metadata.resourceVersion`` moves on; ``generation`` does not (the strategies' ``PrepareForUpdate`` of the
        status subresource). The controller's managedFields entry for the status subresource is not kept."""
        live = self.objects.get(key)
        if live is None:
            raise ClusterError(f"{key[0]} {_where(key[1], key[2])} does not exist in the cluster")
        obj = copy.deepcopy(live)
        obj["status"] = copy.deepcopy(dict(status))
        self.revision += 1
        obj["metadata"] = {**_meta(obj), "resourceVersion": str(self.revision)}
        self.objects[key] = obj
        return copy.deepcopy(obj)

    def _time(self, revision: int) -> str:
        return (_EPOCH + timedelta(seconds=revision)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _write(
        self,
        key: Key,
        live: Mapping[str, Any] | None,
        new: Mapping[str, Any],
        managed: ssa.ManagedFields,
        acting: ssa.Manager,
        dry_run: bool,
    ) -> dict[str, Any]:
        """Store ``new`` as the API server does: status kept, managedFields encoded, resourceVersion and generation
        moved on only when something changed (an unchanged write is not written: ``GuaranteedUpdate`` in
        kubernetes ``staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go``)."""
        kind = key[0]
        obj = _without_new_nulls(copy.deepcopy(dict(new)), live)
        meta: dict[str, Any] = dict(_meta(obj))
        live_meta = _meta(live) if live is not None else {}
        for bookkeeping in ("uid", "creationTimestamp", "resourceVersion", "generation"):
            meta.pop(bookkeeping, None)
            if bookkeeping in live_meta:
                meta[bookkeeping] = live_meta[bookkeeping]
        if kind in STATUS_KINDS:
            obj.pop("status", None)
            if live is not None and "status" in live:
                obj["status"] = copy.deepcopy(live["status"])
        previous = self._managed(kind, live) if live is not None else {}
        same_fields = {m: o.fields for m, o in managed.items()} == {m: o.fields for m, o in previous.items()}
        unchanged = live is not None and same_fields and _content(obj) == _content(_plain(live))
        if unchanged:
            assert live is not None
            return self._with_managed_fields(live)
        revision = self.revision + 1
        now = self._time(revision)
        stamped = {
            m: ssa.Owned(o.fields, o.api_version, now if m == acting else (o.time or now))
            for m, o in managed.items()
        }
        if live is None:
            meta["uid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(key)))
            meta["creationTimestamp"] = now
            if kind in GENERATION_KINDS:
                meta["generation"] = 1
        elif kind in GENERATION_KINDS and _spec_of(kind, obj) != _spec_of(kind, live):
            meta["generation"] = int(live_meta.get("generation") or 1) + 1
        if not dry_run:
            meta["resourceVersion"] = str(revision)
        if stamped:
            meta["managedFields"] = ssa.encode_managed_fields(stamped)
        else:
            meta.pop("managedFields", None)
        obj["metadata"] = meta
        if not dry_run:
            self.revision = revision
            self.objects[key] = obj
            self.written = self.written | {key}
        return copy.deepcopy(obj)

    def install_addon(self, name: str, cloud_node_label: str) -> None:
        """What the ACK addon manager creates for terway-eniip on a registered cluster, owned by ``ADDON_MANAGER``."""
        if name != constants.TERWAY_ADDON:
            return
        ns = constants.TERWAY_NAMESPACE
        if (("ConfigMap", ns, constants.ENI_CONFIG_MAP)) not in self.objects:
            self.create(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": constants.ENI_CONFIG_MAP, "namespace": ns},
                    "data": {
                        constants.CNI_CONF_KEY: json.dumps(
                            {"cniVersion": "0.3.0", "name": "terway", "type": "terway"}
                        ),
                        constants.ENI_CONF_KEY: json.dumps(
                            {terway_model.VERSION: "1", terway_model.MAX_POOL_SIZE: 5, terway_model.MIN_POOL_SIZE: 0}
                        ),
                    },
                },
                manager=ADDON_MANAGER,
            )
        if ("DaemonSet", ns, constants.TERWAY_DAEMONSET) not in self.objects:
            key, value = constants.split_label(cloud_node_label)
            terway = make_workload("DaemonSet", ns, constants.TERWAY_DAEMONSET)
            pod = terway["spec"]["template"]["spec"]
            pod["nodeSelector"] = {key: value}
            pod["tolerations"] = [{"operator": "Exists"}]
            pod["hostNetwork"] = True
            self.create(terway, manager=ADDON_MANAGER)

    def create(self, obj: Mapping[str, Any], *, manager: str) -> dict[str, Any]:
        """A ``POST`` (an ``Update`` operation) of a new object by ``manager``: it owns every field it sets."""
        self._check_manager(manager)
        api_version, kind = str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")
        meta = _meta(obj)
        key = (kind, str(meta.get("namespace") or ""), str(meta.get("name")))
        if key in self.objects:
            raise ClusterError(f'{RESOURCES.get(kind, kind.lower() + "s")} "{key[2]}" already exists')
        sent = meta.get("managedFields")
        # decodeLiveOrNew (fieldmanager.go): managedFields sent with the object are kept, then the creator's
        managers = self._decode(kind, key, sent) if sent else {}
        new = _plain(copy.deepcopy(dict(obj)))
        acting = ssa.Manager(manager, ssa.UPDATE, api_version)
        outcome = ssa.update(None, new, ssa.root_type(api_version, kind), managers, acting, _ignored(kind))
        return self._write(key, None, new, outcome.managed, acting, dry_run=False)


def _without_new_nulls(new: dict[str, Any], live: Any) -> dict[str, Any]:
    """The object as the API server stores it after converting it to its typed form: a field a write left null (an
    emptied struct, map or list) is omitted; a null the live object already held stays as it was."""
    out: dict[str, Any] = {}
    for key, value in new.items():
        before = live.get(key, _MISSING) if isinstance(live, Mapping) else _MISSING
        if value is None and before is not None:
            continue
        out[key] = _without_new_nulls(value, before) if isinstance(value, dict) else value
    return out


_MISSING: Any = object()


def _content(obj: Mapping[str, Any]) -> dict[str, Any]:
    """What a write compares: the object without the API server's bookkeeping."""
    out = dict(obj)
    meta = dict(_meta(obj))
    for bookkeeping in ("managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"):
        meta.pop(bookkeeping, None)
    out["metadata"] = meta
    return out


def _spec_of(kind: str, obj: Mapping[str, Any]) -> Any:
    """What moves ``metadata.generation``: the spec, or for a custom resource everything but metadata and status."""
    if kind == "Installation":
        return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}
    return obj.get("spec")


def make_node(name: str, labels: Mapping[str, str]) -> dict[str, Any]:
    base = {"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {**base, **labels}}}


def make_kubernetes_service(cluster_ip: str) -> dict[str, Any]:
    """The API server's ``default/kubernetes`` Service with the given ClusterIP."""
    namespace, name = constants.KUBERNETES_SERVICE_NAMESPACE, constants.KUBERNETES_SERVICE_NAME
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "labels": {"component": "apiserver"}},
        "spec": {
            "clusterIP": cluster_ip,
            "clusterIPs": [cluster_ip],
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            "type": "ClusterIP",
        },
    }


def _linux_only_affinity() -> dict[str, Any]:
    term = {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}}


def make_workload(kind: str, namespace: str | None, name: str) -> dict[str, Any]:
    if kind == WorkloadKind.INSTALLATION.value:
        return {
            "apiVersion": constants.TIGERA_API_VERSION,
            "kind": kind,
            "metadata": {"name": name},
            "spec": {"calicoNodeDaemonSet": {"spec": {"template": {"spec": {}}}}},
        }
    labels = {"app": name}
    obj: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": {
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "containers": [{"name": name, "image": f"registry.example.com/{name}:stable"}],
                },
            },
        },
    }
    if kind == "StatefulSet":
        obj["spec"]["serviceName"] = name
    return obj
