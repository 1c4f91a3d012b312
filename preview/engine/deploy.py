"""One ``pulumi up`` (or ``pulumi preview``) as the engine runs it: each registration becomes a step decided by the
previous run's state, carried out by the provider model of its package.

pulumi/pulumi (1b5949891b) ``pkg/resource/deploy/step_generator.go``: a resource with no old state is created; one
found in the old state (by URN, then by alias) is diffed by its provider (``Diff``/``DiffConfig``) against the
*old state*, and is ``same`` (nothing sent), ``update`` or ``replace``; an old resource with ``initErrors`` is
updated again even without a diff; resources of the old state the program no longer registers are deleted after the
program ends (``retainOnDelete`` deletes them from the state only, ``step.go`` DeleteStep); a failed run deletes
nothing. ``step_executor.go``: after each step, the ``additionalSecretOutputs`` and every top-level output whose
input of the same name is secret become secret (top-level keys only).

pulumi/pulumi-kubernetes (94977969) ``provider/pkg/provider/provider.go`` and ``await/await.go``: see
``preview.engine.provider_rules`` for each rule; this module applies them to the fake cluster.
"""

from __future__ import annotations

import contextlib
import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hybrid_terway.core import constants, scheduling
from hybrid_terway.core.topology import ObjectRef
from preview.engine import provider_rules as rules
from preview.engine.awaits import Clock, Rollout, Wait, rollout_of
from preview.engine.state import (
    CREATE,
    DELETE,
    READ,
    REPLACE,
    SAME,
    UPDATE,
    Options,
    ResourceState,
    StackState,
    Step,
    top_level_diff,
)
from preview.engine.wire import UNKNOWN, is_secret, secret, unwrap
from preview.world.fake_cloud import FakeAlibabaCloud
from preview.world.fake_cluster import ApplyConflict, ClusterError, FakeCluster
from preview.world.node_index import NodeIndex
from preview.world.tigera_operator import TigeraOperator


class DeploymentError(Exception):
    """A step failed: the engine's ``error:`` line for the resource, worded as the provider or engine words it."""

    def __init__(self, urn: str, message: str) -> None:
        super().__init__(message)
        self.urn = urn


# terraform-provider-alicloud (81c43b672): the arguments marked ForceNew, which replace the resource when changed.
CLOUD_FORCE_NEW: dict[str, tuple[str, ...]] = {
    # alicloud/resource_alicloud_ram_access_key.go
    "alicloud:ram/accessKey:AccessKey": ("userName", "secretFile", "pgpKey"),
    # alicloud/resource_alicloud_ram_policy.go
    "alicloud:ram/policy:Policy": ("policyName", "name"),
    # alicloud/resource_alicloud_ram_user_policy_attachment.go
    "alicloud:ram/userPolicyAttachment:UserPolicyAttachment": ("policyName", "policyType", "userName"),
    # alicloud/resource_alicloud_cs_kubernetes_addon.go
    "alicloud:cs/kubernetesAddon:KubernetesAddon": ("clusterId", "name"),
}


@dataclass
class ProviderConfig:
    """A Kubernetes provider's settings that decide how it applies (provider.go Configure; v4 defaults)."""

    server_side_apply: bool = True
    enable_patch_force: bool = False
    upsert_existing_objects: bool = False
    enable_secret_mutable: bool = False
    enable_configmap_mutable: bool = False

    @classmethod
    def of(cls, inputs: Mapping[str, Any]) -> ProviderConfig:
        def flag(key: str, default: bool) -> bool:
            value = unwrap(inputs.get(key))
            if isinstance(value, str):
                return value.lower() == "true"
            return bool(value) if value is not None else default

        return cls(
            server_side_apply=flag("enableServerSideApply", True),
            enable_patch_force=flag("enablePatchForce", False),
            upsert_existing_objects=flag("upsertExistingObjects", False),
            enable_secret_mutable=flag("enableSecretMutable", False),
            enable_configmap_mutable=flag("enableConfigMapMutable", False),
        )


@dataclass(frozen=True)
class Conflict:
    """A field another manager owned, taken by a forced apply (or, unforced, the reason an apply failed)."""

    urn: str
    ref: str
    manager: str  # who applied
    other: str  # who owned it
    path: str
    forced: bool


@dataclass
class Request:
    """What the engine learns from one registration."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]  # wire form
    dependencies: list[str]
    provider: str
    options: Options
    alias_urns: list[str]
    read_id: str | None = None


@dataclass
class Deployment:
    """The engine's work for one run against ``cloud`` and ``cluster``, starting from ``old``."""

    stack: str
    project: str
    old: StackState
    cloud: FakeAlibabaCloud
    cluster: FakeCluster
    clock: Clock
    rollouts: dict[tuple[str, str, str], float]
    seconds_per_batch: float
    dry_run: bool
    new: StackState = field(init=False)
    steps: list[Step] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    found_under: dict[str, str] = field(default_factory=dict)  # urn -> the old (alias) URN it was found under
    providers: dict[str, ProviderConfig] = field(default_factory=dict)  # provider reference -> config
    on_addon: Callable[[str, str, Mapping[str, Any]], None] | None = None  # (event, name, state)
    operator: TigeraOperator | None = None
    """The tigera operator of the cluster, when it runs one (``preview.world.tigera_operator``)."""

    _nodes: tuple[list[dict[str, Any]], NodeIndex] | None = field(default=None, init=False, repr=False)
    """The cluster's nodes in an index, with the Node objects it was built from: one index for every rollout the
    run sizes while the nodes stay the same (``_node_index``)."""

    def __post_init__(self) -> None:
        self.new = StackState(self.stack, self.project)

    # --- the step generator ---------------------------------------------------------------------------------

    def old_of(self, request: Request) -> ResourceState | None:
        for urn in [request.urn, *request.alias_urns]:
            old = self.old.get(urn)
            if old is not None:
                if urn != request.urn:
                    self.found_under[request.urn] = urn
                    # The cloud knows resources by id; this fake files them by URN, so it follows the alias.
                    self.cloud.move(urn, request.urn)
                return old
        return None

    def register(self, request: Request) -> tuple[str, dict[str, Any]]:
        """Carry out the step for ``request``; returns the id and the outputs (wire form) the program gets."""
        old = self.old_of(request)
        if request.read_id is not None:
            return self._read(request, old)
        if old is not None and request.options.ignore_changes:
            request.inputs = ignore_changes(request.inputs, old.inputs, request.options.ignore_changes)
        if not request.custom:
            return self._component(request, old)
        if request.type.startswith("pulumi:providers:"):
            return self._provider(request, old)
        if request.type.startswith("kubernetes:"):
            return self._kubernetes(request, old)
        if self.cloud.handles(request.type):
            return self._cloud(request, old)
        raise DeploymentError(request.urn, f"the offline engine does not model {request.type}")

    def _record(
        self,
        request: Request,
        op: str,
        ident: str,
        outputs: dict[str, Any],
        inputs: dict[str, Any] | None = None,
        diffs: tuple[str, ...] = (),
        replaces: tuple[str, ...] = (),
        detail: str = "",
        init_errors: list[str] | None = None,
    ) -> None:
        state = ResourceState(
            urn=request.urn,
            type=request.type,
            custom=request.custom,
            id=ident,
            inputs=copy.deepcopy(request.inputs if inputs is None else inputs),
            outputs=outputs,
            parent=request.parent,
            dependencies=list(request.dependencies),
            provider=request.provider,
            external=request.read_id is not None,
            options=request.options,
            aliases=list(request.alias_urns),
            init_errors=list(init_errors or []),
        )
        _mark_secret_outputs(state)
        self.new.resources.pop(request.urn, None)
        self.new.resources[request.urn] = state
        self.steps.append(Step(request.urn, op, request.type, diffs, replaces, detail))

    def _component(self, request: Request, old: ResourceState | None) -> tuple[str, dict[str, Any]]:
        # Components have no provider: the engine records them, same when they existed before.
        self._record(request, SAME if old is not None else CREATE, "", {})
        return "", {}

    def _provider(self, request: Request, old: ResourceState | None) -> tuple[str, dict[str, Any]]:
        op = CREATE
        diffs: tuple[str, ...] = ()
        replaces: tuple[str, ...] = ()
        ident = f"{request.name}-provider-id"  # the engine gives a provider a UUID; stable here
        if old is not None:
            changed, replacing = rules.diff_provider_config(old.inputs, request.inputs)
            diffs, replaces = tuple(changed), tuple(replacing)
            op = REPLACE if replaces else UPDATE if diffs else SAME
            ident = old.id if op != REPLACE else f"{request.name}-provider-id-{len(self.steps)}"
        self.providers[f"{request.urn}::{ident}"] = ProviderConfig.of(request.inputs)
        self._record(request, op, ident, copy.deepcopy(request.inputs), diffs=diffs, replaces=replaces)
        return ident, unwrap(request.inputs)

    def _config(self, request: Request) -> ProviderConfig:
        return self.providers.get(request.provider, ProviderConfig())

    # --- reads ------------------------------------------------------------------------------------------------

    def _read(self, request: Request, old: ResourceState | None) -> tuple[str, dict[str, Any]]:
        object_id = request.read_id or ""
        if object_id == UNKNOWN:
            # A read whose id is unknown is skipped in a preview: every output unknown (pulumi/pulumi#1124).
            self.steps.append(Step(request.urn, READ, request.type, detail="skipped: its id is not known yet"))
            return "", {}
        if not request.type.startswith("kubernetes:"):
            raise DeploymentError(request.urn, f"the offline engine does not model a read of {request.type}")
        try:
            live = self.cluster.read(request.type, object_id)
        except ClusterError:
            # provider.go Read answers a 404 with no outputs; step.go ReadStep turns that into this error.
            raise DeploymentError(request.urn, f"resource '{object_id}' does not exist") from None
        manager = rules.field_manager({}, None, request.urn)
        outputs = rules.read_outputs(request.type, object_id, live, manager)
        self._record(request, READ, object_id, outputs)
        return object_id, unwrap(outputs)

    # --- Kubernetes objects -------------------------------------------------------------------------------------

    def _kubernetes(self, request: Request, old: ResourceState | None) -> tuple[str, dict[str, Any]]:
        _api_version, kind, _patch = rules.parse_token(request.type)
        config = self._config(request)
        checked = _check_inputs(request.inputs, kind)
        body = unwrap(checked)
        unknown = rules.has_unknowns(body)
        ref = _ref(kind, body)
        if old is not None and old.type == request.type:
            old_inputs, old_live = rules.split_checkpoint(old.outputs)
            if unknown:
                # Diff cannot tell: an unknown input is a change (shown as an update in preview).
                diff = rules.KubernetesDiff(True, ("(unknown)",), (), False)
            else:
                diff = rules.diff_object(
                    request.type,
                    old_inputs,
                    old_live,
                    body,
                    secret_mutable=config.enable_secret_mutable,
                    configmap_mutable=config.enable_configmap_mutable,
                    ignore_changes=request.options.ignore_changes,
                )
            replaces = diff.replaces + _replace_on_changes(diff.diffs, request.options.replace_on_changes)
            if not diff.changes and not old.init_errors:
                self._record(request, SAME, old.id, copy.deepcopy(old.outputs), checked)
                return old.id, unwrap(old.outputs)
            if replaces:
                return self._replace_object(request, old, checked, body, diff.diffs, replaces, config, ref)
            return self._update_object(request, old, checked, body, diff.diffs, config, ref)
        return self._create_object(request, checked, body, config, ref, unknown)

    def _create_object(
        self,
        request: Request,
        checked: dict[str, Any],
        body: dict[str, Any],
        config: ProviderConfig,
        ref: str,
        unknown: bool,
        op: str = CREATE,
        diffs: tuple[str, ...] = (),
        replaces: tuple[str, ...] = (),
    ) -> tuple[str, dict[str, Any]]:
        _api_version, kind, patch = rules.parse_token(request.type)
        if self.dry_run and (unknown or patch or not config.server_side_apply):
            # provider.go Create: in preview a Patch resource (or inputs with unknowns) is returned as-is, with
            # no server dry run, so neither a missing target nor a conflict shows before `up`.
            self._record(request, op, "", copy.deepcopy(checked), checked, diffs, replaces, "not sent in preview")
            return "", unwrap(checked)
        manager = rules.field_manager(body, None, request.urn)
        live_before = self.cluster.get(*_key(kind, body))
        if config.server_side_apply and (config.upsert_existing_objects or patch):
            force = rules.patch_force(body, None, config.enable_patch_force, self.dry_run)
            live = self._apply(request, ref, body, manager, force, create=True)
        else:
            key = _key(kind, body)
            if self.cluster.get(*key) is not None:
                raise DeploymentError(request.urn, rules.create_failed(request.urn, _already_exists(kind, key[2])))
            live = self._apply(request, ref, body, manager, True, create=True)
        ident = "" if self.dry_run else _object_id(live)
        outputs = rules.checkpoint(checked, live, checked, manager)
        wait = None if self.dry_run else self._await(request, ref, body, live, create=True, before=live_before)
        self._record_waited(request, op, ident, outputs, checked, diffs, replaces, kind, live, wait)
        return ident, unwrap(outputs)

    def _record_waited(
        self,
        request: Request,
        op: str,
        ident: str,
        outputs: dict[str, Any],
        checked: dict[str, Any],
        diffs: tuple[str, ...],
        replaces: tuple[str, ...],
        kind: str,
        live: Mapping[str, Any],
        wait: Wait | None,
    ) -> None:
        """An applied object's step, recorded once the provider's wait is over; a wait that did not complete is the
        provider's partial failure (provider.go ``Create``/``Update``: the step keeps its outputs and fails)."""
        if wait is None or wait.completed:
            self._record(request, op, ident, outputs, checked, diffs, replaces, wait.describe() if wait else "")
            return
        cause = _wait_failure(kind, live, wait)
        message = rules.update_partial(ident, cause) if op == UPDATE else rules.create_partial(request.urn, cause)
        self._record(request, op, ident, outputs, checked, diffs, replaces, wait.describe(), [message])
        raise DeploymentError(request.urn, message)

    def _update_object(
        self,
        request: Request,
        old: ResourceState,
        checked: dict[str, Any],
        body: dict[str, Any],
        diffs: tuple[str, ...],
        config: ProviderConfig,
        ref: str,
    ) -> tuple[str, dict[str, Any]]:
        _api_version, kind, _patch = rules.parse_token(request.type)
        if self.dry_run and rules.has_unknowns(body):
            # provider.go Update: in preview, inputs with unknowns are returned as they are.
            self._record(request, UPDATE, old.id, copy.deepcopy(checked), checked, diffs, (), "not sent in preview")
            return old.id, unwrap(checked)
        key = _key(kind, body)
        live_before = self.cluster.get(*key)
        if live_before is None:
            raise DeploymentError(request.urn, f'update of resource "{request.urn}" failed: {_not_found(kind, key[2])}')
        manager = rules.field_manager(body, old.outputs, request.urn)
        old_manager = rules.field_manager(rules.split_checkpoint(old.outputs)[0], old.outputs, request.urn)
        force = rules.patch_force(body, live_before, config.enable_patch_force, self.dry_run)
        try:
            live = self._apply(request, ref, body, manager, force, create=False)
        except DeploymentError as exc:
            # provider.go Update: the live object can be read again, so the failure is reported as a partial one.
            message = rules.update_partial(old.id, str(exc))
            self._record(request, UPDATE, old.id, copy.deepcopy(old.outputs), checked, diffs, (), "", [message])
            raise DeploymentError(request.urn, message) from None
        outputs = rules.checkpoint(checked, live, checked, manager)
        if self.dry_run:
            self._record(request, UPDATE, old.id, outputs, checked, diffs)
            return old.id, unwrap(outputs)
        if manager != old_manager:
            # provider.go Update: a changed field manager gives up the old one's fields.
            self._relinquish(request.type, old.id, old_manager)
        wait = self._await(request, ref, body, live, create=False, before=live_before)
        self._record_waited(request, UPDATE, old.id, outputs, checked, diffs, (), kind, live, wait)
        return old.id, unwrap(outputs)

    def _replace_object(
        self,
        request: Request,
        old: ResourceState,
        checked: dict[str, Any],
        body: dict[str, Any],
        diffs: tuple[str, ...],
        replaces: tuple[str, ...],
        config: ProviderConfig,
        ref: str,
    ) -> tuple[str, dict[str, Any]]:
        # provider.go Diff asks for delete-before-replace when the replacement keeps the object's name.
        if not self.dry_run:
            self._delete_state(old)
        return self._create_object(
            request, checked, body, config, ref, rules.has_unknowns(body), REPLACE, diffs, replaces
        )

    def _apply(
        self, request: Request, ref: str, body: dict[str, Any], manager: str, force: bool, create: bool
    ) -> dict[str, Any]:
        """A server-side apply; a conflict is the provider's error (handleSSAErr), wrapped as Create words it."""
        if force:
            # What the force takes: the conflicts an unforced apply would have met (a dry run changes nothing).
            try:
                _cluster_apply(self.cluster, request.type, body, manager, False, True)
            except ApplyConflict as exc:
                for other, path in exc.conflicts:
                    self.conflicts.append(Conflict(request.urn, ref, manager, other, path, True))
            except ClusterError:
                pass  # the real apply below reports it
        try:
            live = _cluster_apply(self.cluster, request.type, body, manager, force, self.dry_run)
        except ApplyConflict as exc:
            for other, path in exc.conflicts:
                self.conflicts.append(Conflict(request.urn, ref, manager, other, path, False))
            cause = rules.conflict_error(manager, str(exc))
            if create:
                raise DeploymentError(request.urn, rules.create_failed(request.urn, cause)) from None
            raise DeploymentError(request.urn, cause) from None
        except ClusterError as exc:
            cause = str(exc)
            if create:
                raise DeploymentError(request.urn, rules.create_failed(request.urn, cause)) from None
            raise DeploymentError(request.urn, cause) from None
        return live

    def _relinquish(self, token: str, object_id: str, manager: str) -> None:
        # await.go Deletion: a 404 is a delete done (the object is gone: nothing to give up).
        with contextlib.suppress(ClusterError):
            self.cluster.relinquish(token, object_id, manager=manager)

    # --- waiting for rollouts (await.go; await/daemonset.go, deployment.go, statefulset.go) ------------------

    def _await(
        self,
        request: Request,
        ref: str,
        body: dict[str, Any],
        live: Mapping[str, Any],
        create: bool,
        before: Mapping[str, Any] | None = None,
    ) -> Wait | None:
        api_version = str(live.get("apiVersion"))
        kind = str(live.get("kind"))
        started_rollout = None
        if kind == "Installation" and self.operator is not None:
            # The operator reacts to the write (its watch on the Installation): it renders calico-node.
            started_rollout = self.operator.reconcile(
                self.cluster, self.clock.now, self.rollouts, self._pods, self.seconds_per_batch
            )
        try:
            conditions = rules.wait_for_conditions(live)
        except rules.WaitForError as exc:
            if rules.skip_await(body):
                conditions = None
            else:
                wait = Wait(request.urn, ref, self.clock.now, 0.0, 0.0, False, False, None, error=str(exc))
                self.waits.append(wait)
                return wait
        if conditions is None and f"{api_version}/{kind}" not in rules.AWAITED_KINDS:
            return None
        key = _key(kind, live)
        if rules.skip_await(body):
            # metadata/overrides.go ReadyCondition: skipAwait (read from the inputs) is an immediate condition.
            wait = Wait(request.urn, ref, self.clock.now, 0.0, 0.0, True, True, None)
            self.waits.append(wait)
            return wait
        custom = request.options.custom_timeouts.get("create" if create else "update", 0.0)
        timeout = rules.await_timeout_seconds(custom, body)
        if conditions is not None:
            # await.go Creation/Update: with pulumi.com/waitFor the generic awaiter replaces the kind's own.
            return self._await_conditions(request, ref, key, conditions, timeout, started_rollout)
        rollout: Rollout | None = None
        template_before = ((before or {}).get("spec") or {}).get("template")
        if before is None or template_before != (live.get("spec") or {}).get("template"):
            rollout = rollout_of(live, self._pods(live), self.seconds_per_batch)
            self.rollouts[key] = math.inf if rollout.seconds is None else self.clock.now + rollout.seconds
        finish = self.rollouts.get(key, self.clock.now)
        started = self.clock.now
        remaining = max(0.0, finish - self.clock.now)
        if remaining <= timeout:
            self.clock.advance(remaining)
            self.rollouts.pop(key, None)
            wait = Wait(request.urn, ref, started, timeout, remaining, True, False, rollout)
        else:
            self.clock.advance(timeout)
            wait = Wait(request.urn, ref, started, timeout, timeout, False, False, rollout)
        self.waits.append(wait)
        self.clock.waits.append(wait)
        return wait

    def _await_conditions(
        self,
        request: Request,
        ref: str,
        key: tuple[str, str, str],
        conditions: list[rules.ConditionWait],
        timeout: float,
        rollout: Rollout | None,
    ) -> Wait:
        """await/internal/awaiter.go ``Await`` over the object's watch events: the conditions are checked on the
        object as it is now, and again each time it changes, until all hold or the timeout. The objects' controllers
        change them only when a rollout ends, so those are the instants checked."""
        started = self.clock.now
        expression = ", ".join(c.expression for c in conditions)
        rolled = self.operator.rolled[-1][0] if rollout is not None and self.operator is not None else None
        deadline = started + timeout
        instants = sorted({started, *(t for t in self.rollouts.values() if started < t <= deadline)})
        for instant in instants:
            self.clock.advance(instant - self.clock.now)
            self.sync_controllers()
            obj = self.cluster.get(*key) or {}
            if all(rules.condition_satisfied(obj, c) for c in conditions):
                wait = Wait(
                    request.urn, ref, started, timeout, instant - started, True, False, rollout, expression, rolled
                )
                break
        else:
            self.clock.advance(deadline - self.clock.now)
            self.sync_controllers()
            wait = Wait(request.urn, ref, started, timeout, timeout, False, False, rollout, expression, rolled)
        self.waits.append(wait)
        self.clock.waits.append(wait)
        return wait

    def sync_controllers(self) -> None:
        """The controllers' status writes at the World's time (the tigera operator's Installation conditions)."""
        if self.operator is not None:
            self.operator.sync(self.cluster, self.clock.now, self.rollouts)

    def _pods(self, live: Mapping[str, Any]) -> int:
        if live.get("kind") == "DaemonSet":
            return len(self._node_index().admitted(scheduling.pod_spec_of(live)))
        replicas = (live.get("spec") or {}).get("replicas")
        return replicas if isinstance(replicas, int) else constants.DEFAULT_REPLICAS

    def _node_index(self) -> NodeIndex:
        """One index while the nodes stay the same objects: the fake cluster replaces an object it writes, never
        changes it in place (``FakeCluster.copy``), and the index holds the nodes it was built from, so no id is
        reused while it is cached. Checked by identity, unsorted: 300 rollout waits on 5,000 nodes spent a second
        sorting them again."""
        nodes = [obj for key, obj in self.cluster.objects.items() if key[0] == "Node"]
        if self._nodes is None or list(map(id, nodes)) != list(map(id, self._nodes[0])):
            self._nodes = (nodes, NodeIndex(nodes))
        return self._nodes[1]

    # --- the fake cloud ------------------------------------------------------------------------------------------

    def _cloud(self, request: Request, old: ResourceState | None) -> tuple[str, dict[str, Any]]:
        inputs = unwrap(request.inputs)
        if old is not None and old.type == request.type:
            diffs = tuple(top_level_diff(old.inputs, request.inputs))
            if not diffs and not old.init_errors:
                self.cloud.keep(request.urn)
                self._record(request, SAME, old.id, copy.deepcopy(old.outputs))
                return old.id, unwrap(old.outputs)
            forced = CLOUD_FORCE_NEW.get(request.type, ())
            replaces = tuple(d for d in diffs if d in forced)
            replaces += _replace_on_changes(diffs, request.options.replace_on_changes)
            if self.dry_run:
                op = REPLACE if replaces else UPDATE
                self._record(request, op, old.id, copy.deepcopy(request.inputs), diffs=diffs, replaces=replaces)
                return old.id, {**unwrap(old.outputs), **inputs}
            if replaces:
                ident, state = self.cloud.replace(
                    request.urn, request.type, inputs, delete_first=request.options.delete_before_replace
                )
                self._record(request, REPLACE, ident, dict(state), diffs=diffs, replaces=replaces)
                return ident, state
            ident, state = self.cloud.register(request.urn, request.type, inputs)
            self._record(request, UPDATE, ident, dict(state), diffs=diffs)
            return ident, state
        if self.dry_run:
            # A preview's Create returns the inputs with every computed output unknown, and no id.
            self._record(request, CREATE, "", copy.deepcopy(request.inputs))
            return "", inputs
        ident, state = self.cloud.register(request.urn, request.type, inputs)
        self._record(request, CREATE, ident, dict(state))
        return ident, state

    # --- the end of the run: deletes -------------------------------------------------------------------------

    def finish(self) -> None:
        """Delete, dependents first, what the old state holds and this run did not register (or find by alias)."""
        seen = set(self.new.resources) | set(self.found_under.values())
        gone = [r for urn, r in self.old.resources.items() if urn not in seen]
        for r in _dependents_first(gone):
            self.steps.append(
                Step(r.urn, DELETE, r.type, detail="retained (retainOnDelete)" if r.options.retain_on_delete else "")
            )
            if r.options.protect:
                raise DeploymentError(
                    r.urn,
                    f'unable to delete resource "{r.urn}"\nas it is currently marked for protection. To unprotect the '
                    "resource, remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`",
                )
            if not self.dry_run:
                self._delete_state(r)

    def _delete_state(self, r: ResourceState) -> None:
        if r.options.retain_on_delete or not r.custom or r.external:
            return
        if r.type.startswith("kubernetes:"):
            _, kind, patch = rules.parse_token(r.type)
            old_inputs, old_live = rules.split_checkpoint(r.outputs)
            if patch:
                # await.go Deletion: deleting a Patch resource relinquishes its fields (ssa.Relinquish).
                self._relinquish(r.type, r.id, rules.field_manager(old_inputs, r.outputs, r.urn))
            else:
                self.cluster.objects.pop(_key(kind, old_live), None)
        elif self.cloud.handles(r.type):
            self.cloud.delete(r.urn)


# --- helpers ------------------------------------------------------------------------------------------------------


def _wait_failure(kind: str, live: Mapping[str, Any], wait: Wait) -> str:
    """Why a wait failed, as the awaiter words it (the provider wraps it as a partial failure)."""
    if wait.error is not None:
        return wait.error
    name = str((live.get("metadata") or {}).get("name"))
    return rules.await_timeout_cause(kind, name, generic=wait.condition is not None)


def _mark_secret_outputs(state: ResourceState) -> None:
    """step_executor.go: additionalSecretOutputs, then any top-level output whose input of that name is secret."""
    for key in state.options.additional_secret_outputs:
        if key != "id" and key in state.outputs and not is_secret(state.outputs[key]):
            state.outputs[key] = secret(state.outputs[key])
    for key, value in list(state.outputs.items()):
        if not is_secret(value) and is_secret(state.inputs.get(key)):
            state.outputs[key] = secret(value)


def _check_inputs(inputs: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """provider.go Check: inputs without unknowns are normalised (a Secret's ``stringData`` becomes base64 ``data``)
    and secrets re-annotated from what the program sent (wire form)."""
    if rules.has_unknowns(unwrap(dict(inputs))):
        return copy.deepcopy(dict(inputs))
    checked = rules.normalize_inputs(unwrap(dict(inputs)), kind)
    rules.annotate_secrets(checked, inputs)
    return checked


def _path_steps(path: str) -> list[str | int]:
    """``a.b[0].c`` or ``a["b.c"]`` -> ``["a", "b", 0, "c"]`` (resource.ParsePropertyPath, without wildcards)."""
    import re

    steps: list[str | int] = []
    for match in re.finditer(r'\[(\d+)\]|\["([^"]*)"\]|([^.\[\]]+)', path):
        index, quoted, plain_key = match.groups()
        steps.append(int(index) if index is not None else quoted if quoted is not None else plain_key)
    return steps


def ignore_changes(inputs: Mapping[str, Any], old: Mapping[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """step_generator.go ``processIgnoreChanges`` (wire form): at each path the new inputs take the old value, or
    lose the key when the old inputs had none (``PropertyPath.Reset``)."""
    result = copy.deepcopy(dict(inputs))
    for path in paths:
        steps = _path_steps(path)
        if not steps:
            continue
        source: Any = old
        for step in steps:
            source = _step_into(source, step)
            if source is _MISSING:
                break
        target: Any = result
        for step in steps[:-1]:
            target = _step_into(target, step)
            if target is _MISSING:
                break
        if target is _MISSING or not isinstance(target, (dict, list)):
            continue
        last = steps[-1]
        if isinstance(target, dict) and isinstance(last, str):
            if source is _MISSING:
                target.pop(last, None)
            else:
                target[last] = copy.deepcopy(source)
        elif isinstance(target, list) and isinstance(last, int) and last < len(target) and source is not _MISSING:
            target[last] = copy.deepcopy(source)
    return result


_MISSING = object()


def _step_into(value: Any, step: str | int) -> Any:
    if is_secret(value):
        value = value.get("value")
    if isinstance(step, int):
        return value[step] if isinstance(value, list) and step < len(value) else _MISSING
    return value[step] if isinstance(value, dict) and step in value else _MISSING


def _replace_on_changes(diffs: tuple[str, ...], replace_on_changes: tuple[str, ...]) -> tuple[str, ...]:
    """The engine's ``replaceOnChanges`` (step_generator.go applyReplaceOnChanges): a changed path under one of
    them replaces (``*`` matches everything)."""
    found = []
    for path in diffs:
        for pattern in replace_on_changes:
            if pattern == "*" or path == pattern or path.startswith(pattern + ".") or path.startswith(pattern + "["):
                found.append(path)
                break
    return tuple(found)


def _key(kind: str, obj: Mapping[str, Any]) -> tuple[str, str, str]:
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}  # unknown in a preview
    return kind, str(meta.get("namespace") or ""), str(meta.get("name"))


def _ref(kind: str, obj: Mapping[str, Any]) -> str:
    _, namespace, name = _key(kind, obj)
    return str(ObjectRef(kind, name, namespace or None))


def _object_id(live: Mapping[str, Any]) -> str:
    """provider.go ``fqObjName``: ``namespace/name``, or the name of a cluster-scoped object."""
    meta = live.get("metadata") or {}
    return f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else str(meta.get("name"))


_PLURALS = {"Secret": "secrets", "ConfigMap": "configmaps", "DaemonSet": "daemonsets.apps", "Service": "services"}


def _already_exists(kind: str, name: str) -> str:
    """The API server's 409 AlreadyExists (k8s.io/apimachinery errors.NewAlreadyExists), with the hint provider.go
    Create adds."""
    resource = _PLURALS.get(kind, kind.lower() + "s")
    return (
        f'{resource} "{name}" already exists\n\nThe resource already exists in the cluster. This can happen when:\n\n'
        "  - Renaming a Pulumi resource: use an alias to preserve the identity,\n"
        "    or use deleteBeforeReplace if the resource needs replacement.\n"
        "  - Managing an existing resource: use a Patch resource (e.g. NamespacePatch)\n"
        "    to manage specific fields without owning the resource lifecycle.\n"
        "  - Adopting a resource into Pulumi: use `pulumi import`. Note that\n"
        "    protected resources (e.g. kube-system) cannot be deleted on destroy.\n"
        "  - Intentional upsert: set upsertExistingObjects on the provider to allow\n"
        "    server-side apply to update existing objects on create."
    )


def _not_found(kind: str, name: str) -> str:
    return f'{_PLURALS.get(kind, kind.lower() + "s")} "{name}" not found'


def _cluster_apply(
    cluster: FakeCluster, token: str, body: dict[str, Any], manager: str, force: bool, dry_run: bool
) -> dict[str, Any]:
    """A server-side apply by ``manager`` (``PATCH`` with ``application/apply-patch+yaml``, ``force``, dry run)."""
    return cluster.apply(token, body, manager=manager, force=force, dry_run=dry_run)


def _dependents_first(resources: list[ResourceState]) -> list[ResourceState]:
    """Each resource after every one that depends on it (its dependencies, parent or provider), as the engine
    orders deletes (pkg/resource/graph: the reverse of the dependency order)."""
    by_urn = {r.urn: r for r in resources}

    def needs(r: ResourceState) -> set[str]:
        refs = {*r.dependencies, r.parent, r.provider.rsplit("::", 1)[0] if r.provider else ""}
        return {u for u in refs if u in by_urn and u != r.urn}

    dependents: dict[str, set[str]] = {urn: set() for urn in by_urn}
    for r in resources:
        for dep in needs(r):
            dependents[dep].add(r.urn)
    ordered: list[ResourceState] = []
    done: set[str] = set()
    pending = list(reversed(resources))
    while pending:
        ready = [r for r in pending if dependents[r.urn] <= done]
        if not ready:  # a cycle cannot come from one program; keep the state's order if it did
            ready = pending[:1]
        for r in ready:
            ordered.append(r)
            done.add(r.urn)
            pending.remove(r)
    return ordered
