"""Runs the real ``__main__.py`` under ``pulumi.runtime.set_mocks`` against the fake cloud and cluster.

The monitor records every registration the way the engine receives it (type, name, parent, dependencies, property
dependencies, options, inputs in wire form with secrets still marked) and the outputs each component registers
(``RegisterResourceOutputs``), which is what the plan, the manifests and the policy pack are built from.
"""

from __future__ import annotations

import asyncio
import logging
import re
import runpy
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import empty_pb2, json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.proto import resource_pb2

from hybrid_terway.core import constants
from preview.engine import sdk
from preview.engine.awaits import DEFAULT_SECONDS_PER_BATCH, Clock, Wait
from preview.engine.deploy import Conflict, Deployment, Request
from preview.engine.state import NO_CHANGE, Options, StackState, Step
from preview.engine.urns import alias_specs_of, generate_aliases
from preview.engine.wire import ROOT_STACK_TYPE, new_urn, secret, unwrap
from preview.world.fake_cloud import DEFAULT_ADDON_VERSION, FakeAlibabaCloud
from preview.world.fake_cluster import FakeCluster
from preview.world.tigera_operator import TigeraOperator

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "__main__.py"

@dataclass
class Registration:
    """One resource as the engine saw it: what its registration (or read) carried, and what the engine answered."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    read: bool
    dependencies: list[str]
    provider: str
    inputs: dict[str, Any]  # wire form: secrets still marked
    id: str = ""
    options: Options = field(default_factory=Options)
    alias_urns: list[str] = field(default_factory=list)
    """The old URNs the engine looks this resource up under (its aliases, and those its parent's alias implies)."""
    state: dict[str, Any] = field(default_factory=dict)
    """What the engine answered: a custom resource's outputs (wire form)."""
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    """Input property -> the URNs its value came from (``RegisterResourceRequest.propertyDependencies``)."""
    outputs: dict[str, Any] | None = None
    """The outputs a component registered (``RegisterResourceOutputs``, wire form); None until it registers any.
    The engine shows these, not the inputs, to ``AnalyzeStack`` (pulumi/pulumi 1b5949891b
    ``pkg/resource/deploy/step_executor.go`` ``ExecuteRegisterResourceOutputs`` sets the new state's outputs;
    ``step_generator.go`` ``AnalyzeResources`` sends each resource's outputs)."""

    @property
    def retain_on_delete(self) -> bool:
        return self.options.retain_on_delete

    @property
    def delete_before_replace(self) -> bool:
        return self.options.delete_before_replace


def go_duration_seconds(text: str) -> float:
    """Go's ``time.ParseDuration`` (``5m``, ``1h30m``, ``90s``), as source_eval.go ``generateTimeoutInSeconds``
    reads a custom timeout."""
    units = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    parts = re.findall(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text.lstrip("+"):
        raise ValueError(f"time: invalid duration {text!r}")
    return sum(float(n) * units[u] for n, u in parts)


def options_of(request: Any, read: bool) -> Options:
    """The resource options a ``RegisterResourceRequest`` carries (a read carries only its secret outputs)."""
    secret_outputs = tuple(getattr(request, "additionalSecretOutputs", ()) or ())
    if read:
        return Options(additional_secret_outputs=secret_outputs)
    timeouts: dict[str, float] = {}
    if request.HasField("customTimeouts"):
        for key in ("create", "update", "delete"):
            text = getattr(request.customTimeouts, key)
            if text:
                timeouts[key] = go_duration_seconds(text)
    specs = [a.as_dict() for a in alias_specs_of(request.aliases)] + [{"urn": u} for u in request.aliasURNs]
    return Options(
        protect=bool(request.protect),
        retain_on_delete=bool(request.retainOnDelete),
        delete_before_replace=bool(request.deleteBeforeReplace),
        additional_secret_outputs=secret_outputs,
        custom_timeouts=timeouts,
        aliases=tuple(specs),
        ignore_changes=tuple(request.ignoreChanges),
        replace_on_changes=tuple(request.replaceOnChanges),
    )


def registration_of(request: Any, urn: str, read_id: str | None) -> Registration:
    """What the engine learns from a ``RegisterResourceRequest`` (or, with ``read_id``, a ``ReadResourceRequest``)."""
    properties = request.properties if read_id is not None else request.object
    property_dependencies = {} if read_id is not None else request.propertyDependencies
    return Registration(
        urn=urn,
        type=request.type,
        name=request.name,
        parent=request.parent,
        custom=read_id is not None or bool(getattr(request, "custom", False)),
        read=read_id is not None,
        dependencies=sorted(set(request.dependencies)),
        provider=request.provider,
        inputs=json_format.MessageToDict(properties),
        options=options_of(request, read_id is not None),
        property_dependencies={key: sorted(set(deps.urns)) for key, deps in property_dependencies.items()},
    )


@dataclass
class World:
    """Everything outside the program, and what persists between its runs: the cloud, the cluster, the stack's
    state (what the last ``up`` wrote), the time (only waits move it) and the rollouts still under way."""

    cloud: FakeAlibabaCloud
    cluster: FakeCluster
    cloud_node_label: str = constants.CLOUD_NODE_LABEL
    lock: threading.Lock = field(default_factory=threading.Lock)
    state: StackState = field(default_factory=StackState)
    clock: Clock = field(default_factory=Clock)
    seconds_per_batch: float = DEFAULT_SECONDS_PER_BATCH
    """The pace of a rollout: how long one batch of pods takes to be replaced and Ready (preview.engine.awaits)."""
    rollouts: dict[tuple[str, str, str], float] = field(default_factory=dict)
    deployment: Deployment | None = None
    """The run under way."""
    tigera: TigeraOperator | None = None
    """The tigera operator, in a cluster where it renders calico-node from the ``Installation``."""

    def __post_init__(self) -> None:
        self.cloud.on_addon = self._addon_changed
        if self.tigera is None:
            # A cluster with an Installation runs the tigera operator, which has reconciled it.
            self.tigera = TigeraOperator.of(self.cluster, self.clock.now, self.rollouts)
        terway = self.cluster.get("DaemonSet", constants.TERWAY_NAMESPACE, constants.TERWAY_DAEMONSET)
        if terway is not None and constants.TERWAY_ADDON not in self.cloud.installed_addons:
            # The addon manager installed it before this stack existed: the addon resource adopts it.
            self.cloud.installed_addons[constants.TERWAY_ADDON] = {
                "version": DEFAULT_ADDON_VERSION,
                "config": "{}",
                "required": False,
            }

    def _addon_changed(self, action: str, name: str, installed: Mapping[str, Any]) -> None:
        if name != constants.TERWAY_ADDON:
            return
        ns = constants.TERWAY_NAMESPACE
        keys = [("ConfigMap", ns, constants.ENI_CONFIG_MAP), ("DaemonSet", ns, constants.TERWAY_DAEMONSET)]
        if action in ("install", "adopt"):
            self.cluster.install_addon(name, self.cloud_node_label)
        elif action == "upgrade":
            # Policy "overwrite": what the addon keeps is not documented; the worst case, everything re-rendered.
            for key in keys:
                self.cluster.objects.pop(key, None)
            self.cluster.install_addon(name, self.cloud_node_label)
        elif action == "uninstall":
            for key in keys:
                self.cluster.objects.pop(key, None)

    def delete_pods(self, kind: str, namespace: str, name: str) -> None:
        """What a person does for an ``OnDelete`` workload (``kubectl delete pod`` of each of its pods): the
        controller recreates them from the new template, so the rollout under way completes now."""
        key = (kind, namespace, name)
        if key in self.rollouts:
            self.rollouts[key] = self.clock.now

    def begin(self, stack: str, project: str, dry_run: bool, state: StackState | None = None) -> Deployment:
        if state is not None:
            self.state = state
        self.deployment = Deployment(
            stack=stack,
            project=project,
            old=self.state,
            cloud=self.cloud,
            cluster=self.cluster,
            clock=self.clock,
            rollouts=self.rollouts,
            seconds_per_batch=self.seconds_per_batch,
            dry_run=dry_run,
            operator=self.tigera,
        )
        # What the controllers wrote while no run was under way (a rollout that ended since).
        self.deployment.sync_controllers()
        return self.deployment

    def register(self, registration: Registration, read_id: str | None) -> tuple[str, dict[str, Any]]:
        with self.lock:
            if self.deployment is None:
                self.begin("", constants.PROJECT, False)
            assert self.deployment is not None
            if registration.type.startswith(constants.PROJECT + ":") and registration.custom and read_id is None:
                raise RuntimeError(f"the offline preview does not model {registration.type}")
            request = Request(
                urn=registration.urn,
                type=registration.type,
                name=registration.name,
                parent=registration.parent,
                custom=registration.custom,
                inputs=registration.inputs,
                dependencies=registration.dependencies,
                provider=registration.provider,
                options=registration.options,
                alias_urns=registration.alias_urns,
                read_id=read_id,
            )
            return self.deployment.register(request)

    def urn_of(self, stack: str, project: str, request: Any) -> tuple[str, list[str]]:
        """The URN the engine gives a registration, and the old URNs it is looked up under."""
        urn = new_urn(stack, project, request.parent, request.type, request.name)
        found_under = self.deployment.found_under if self.deployment is not None else {}
        aliases = generate_aliases(
            stack,
            project,
            request.name,
            request.type,
            request.parent,
            alias_specs_of(getattr(request, "aliases", [])),
            found_under,
        )
        aliases += [u for u in getattr(request, "aliasURNs", []) if u not in aliases]
        return urn, aliases

    def record(
        self, stack: str, project: str, request: Any, read_id: str | None, recorded: Callable[[Registration], None]
    ) -> Registration:
        """A ``RegisterResourceRequest`` (with ``read_id``, a ``ReadResourceRequest``) as the engine takes it: its
        URN and aliases, then ``recorded`` (the registration is kept even if its step fails), then its step, whose
        id and state the registration holds (the root stack has neither)."""
        with self.lock:
            urn, aliases = self.urn_of(stack, project, request)
        registration = registration_of(request, urn, read_id)
        registration.alias_urns = aliases
        recorded(registration)
        ident, state = self.register(registration, read_id)
        if registration.type != ROOT_STACK_TYPE:
            registration.id, registration.state = ident, state
        return registration


def registered_outputs(registrations: Sequence[Registration], request: Any) -> dict[str, Any]:
    """A ``RegisterResourceOutputsRequest`` kept on the registration of its URN (wire form), as the engine keeps
    it in the resource's new state (a second call replaces the first); the outputs."""
    outputs = json_format.MessageToDict(request.outputs)
    for registration in registrations:
        if registration.urn == request.urn:
            registration.outputs = outputs
    return outputs


class _Mocks(pulumi_mocks.Mocks):
    def __init__(self, world: World) -> None:
        self.world = world

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        raise AssertionError("registrations go through RecordingMonitor")  # pragma: no cover

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict[Any, Any]:  # type: ignore[override]
        with self.world.lock:
            return self.world.cloud.call(args.token, unwrap(args.args))


class RecordingMonitor(sdk.MockMonitor):  # type: ignore[misc]
    """A mock monitor that keeps what the engine would be told, and answers from the World."""

    def __init__(self, world: World) -> None:
        super().__init__(_Mocks(world))
        self.world = world
        self.registrations: list[Registration] = []
        self._order_lock = threading.Lock()

    def _keep(self, registration: Registration) -> None:
        with self._order_lock:
            self.registrations.append(registration)

    def _record(self, request: Any, read_id: str | None) -> Any:
        sdk.ensure_event_loop()
        registration = self.world.record(pulumi.get_stack(), pulumi.get_project(), request, read_id, self._keep)
        urn, ident, state = registration.urn, registration.id, registration.state
        if registration.type == ROOT_STACK_TYPE:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        self.resources[urn] = sdk.MockMonitor.ResourceRegistration(urn, ident, state)
        props = sdk.sync_await(sdk.serialize_properties(state, {}))
        if read_id is not None:
            return resource_pb2.ReadResourceResponse(urn=urn, properties=props)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=ident, object=props)

    def RegisterResource(self, request: Any) -> Any:
        return self._record(request, None)

    def ReadResource(self, request: Any) -> Any:
        return self._record(request, request.id)

    def RegisterResourceOutputs(self, request: Any) -> empty_pb2.Empty:
        """The outputs a component (or the stack) registers, kept on its registration as the engine keeps them in
        the resource's new state (a second call replaces the first)."""
        with self._order_lock:
            registered_outputs(self.registrations, request)
        return empty_pb2.Empty()


@dataclass
class ProgramRun:
    stack: str
    registrations: list[Registration]
    outputs: dict[str, Any]  # wire form: secret outputs marked
    logs: list[tuple[str, str]]  # (level, message)
    output_dependencies: dict[str, list[str]] = field(default_factory=dict)  # output -> URNs it waits for
    state: StackState = field(default_factory=StackState)
    """The state this run leaves (an ``up``: what ``pulumi stack export`` holds after it; a preview: what an
    ``up`` of this plan would write)."""
    steps: list[Step] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    dry_run: bool = False

    def step_of(self, urn: str) -> Step | None:
        found = [s for s in self.steps if s.urn == urn]
        return found[-1] if found else None

    @property
    def changed(self) -> list[Step]:
        """The steps ``--expect-no-changes`` refuses (anything but same and read)."""
        return [s for s in self.steps if s.op not in NO_CHANGE]

    def urns(self) -> list[str]:
        """Every URN this run registered, sorted (registration order varies with the SDK's scheduling)."""
        return sorted(r.urn for r in self.registrations)


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelname.lower(), record.getMessage()))


def run_program(
    config: Mapping[str, str],
    secret_keys: list[str],
    stack: str,
    world: World,
    program: Path = PROGRAM,
    project: str = constants.PROJECT,
    dry_run: bool = False,
    state: StackState | None = None,
) -> ProgramRun:
    """Run ``program`` once, as ``pulumi up`` would (``pulumi preview`` with ``dry_run``), against ``world``,
    diffing against ``state`` (default: ``world.state``, what the last ``up`` on this world wrote).

    An ``up`` leaves its state in ``world.state`` (and in the result); a preview leaves ``world.state`` and the
    cluster as they were. A failed ``up`` keeps what its finished steps wrote and deletes nothing, as the engine
    does; it raises ``DeploymentError`` (a step's error) or what the program raises."""
    handler = _ListHandler()
    logger = logging.getLogger(f"hybrid-terway.offline.{stack}")
    logger.propagate = False
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    monitor = RecordingMonitor(world)
    sdk.ROOT.set(None)  # a fresh Stack per run, as the engine gives each `pulumi up`
    # A fresh event loop per run: work left over from a failed run must not resume inside the next one.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    raised: list[BaseException] = []

    def quiet_when_raised(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # A failed run leaves the SDK's futures holding the error it already raised to the caller: no echo.
        if raised and context.get("exception") is not None and str(context["exception"]) == str(raised[0]):
            return
        loop.default_exception_handler(context)

    loop.set_exception_handler(quiet_when_raised)
    try:
        pulumi.runtime.set_mocks(
            monitor.mocks, project=project, stack=stack, preview=dry_run, logger=logger, monitor=monitor
        )
        pulumi.runtime.set_all_config(dict(config), secret_keys=list(secret_keys))
        sdk.SETTINGS.outputs.clear()  # outputs still pending from an earlier run belong to its (closed) loop
        deployment = world.begin(stack, project, dry_run, state)

        def run() -> None:
            runpy.run_path(str(program), run_name="__main__")

        completed = False
        try:
            sdk.sync_await(sdk.run_pulumi_func(run))
            deployment.finish()
            completed = True
        finally:
            # after a failure the SDK's threads may still be registering: read the deployment under the lock
            with world.lock:
                kept = _kept_state(deployment, completed)
            if not dry_run:
                world.state = kept
        result = _finish(stack, monitor, handler)
        result.state = kept
        result.steps = list(deployment.steps)
        result.waits = list(deployment.waits)
        result.conflicts = list(deployment.conflicts)
        result.dry_run = dry_run
        return result
    except BaseException as exc:
        raised.append(exc)
        raise
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(asyncio.gather(*asyncio.all_tasks(loop), return_exceptions=True))
        # The SDK's RPC threads must be gone before the next run (or anything else) starts: CPython 3.11.7
        # can corrupt a concurrent compile() in another thread ("AST constructor recursion depth mismatch").
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)


def _kept_state(deployment: Deployment, completed: bool) -> StackState:
    """The state after the run: what it wrote; after a failed run also the old resources it did not reach (the
    engine deletes nothing when the program or a step fails)."""
    new = deployment.new.copy()
    if completed:
        return new
    reached = set(new.resources) | set(deployment.found_under.values())
    for urn, old in deployment.old.resources.items():
        if urn not in reached:
            new.resources[urn] = old.copy()
    return new


def _finish(stack: str, monitor: RecordingMonitor, handler: _ListHandler) -> ProgramRun:
    root = sdk.get_root_resource()
    exported = dict(getattr(root, "outputs", {}) or {})
    resolved = {name: _resolve(value) for name, value in sorted(exported.items())}
    outputs = {name: value for name, (value, _) in resolved.items()}
    dependencies = {name: deps for name, (_, deps) in resolved.items()}
    for registration in monitor.registrations:
        if registration.type == ROOT_STACK_TYPE:
            # What the language host's Stack registers once the program returns (pulumi 3.272.0
            # sdk/python/lib/pulumi/runtime/stack.py ``Stack._finish``); run_pulumi_func alone does not.
            registration.outputs = dict(outputs)
    return ProgramRun(stack, list(monitor.registrations), outputs, handler.records, dependencies)


def _resolve(value: Any) -> tuple[Any, list[str]]:
    output = pulumi.Output.from_input(value)

    async def resolve() -> tuple[Any, bool, list[str]]:
        resources = await output.resources()
        urns = [await r.urn.future() for r in resources]
        return await output.future(), await output.is_secret(), sorted(u for u in urns if u)

    plain, is_secret, urns = sdk.sync_await(resolve())
    plain = _plain(plain)
    return (secret(plain) if is_secret else plain), urns


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
