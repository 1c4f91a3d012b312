"""Runs the real ``__main__.py`` under ``pulumi.runtime.set_mocks`` against the fake cloud and cluster.

The monitor records every registration the way the engine receives it (type, name, parent, dependencies,
options, inputs in wire form with secrets still marked), which is what the plan, the manifests and the
policy pack are built from.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import runpy
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.stack import get_root_resource, run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from hybrid_terway import constants
from preview.fake_cloud import FakeAlibabaCloud
from preview.fake_cluster import FakeCluster

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "__main__.py"

SECRET_SIG = rpc._special_sig_key  # "4dabf18193072939515e22adb298388d"
SECRET_VALUE = rpc._special_secret_sig
MASK = "[secret]"


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_VALUE


def unwrap(value: Any) -> Any:
    """Wire form -> plain values (secret markers removed)."""
    if is_secret(value):
        return unwrap(value.get("value"))
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def mask(value: Any) -> Any:
    """Wire form -> plain values with every secret replaced by ``[secret]``."""
    if is_secret(value):
        return MASK
    if isinstance(value, dict):
        return {k: mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v) for v in value]
    return value


@dataclass
class Registration:
    """One resource as the engine saw it."""

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
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    state: dict[str, Any] = field(default_factory=dict)


def registration_of(request: Any, urn: str, read_id: str | None) -> Registration:
    """What the engine learns from a ``RegisterResourceRequest`` (or, with ``read_id``, a ``ReadResourceRequest``)."""
    properties = request.properties if read_id is not None else request.object
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
        retain_on_delete=bool(getattr(request, "retainOnDelete", False)),
        delete_before_replace=bool(getattr(request, "deleteBeforeReplace", False)),
    )


def field_manager(urn: str, inputs: Mapping[str, Any]) -> str:
    """The field manager pulumi-kubernetes applies with (``fieldManagerName`` in ``provider/pkg/provider/
    provider.go``): the ``pulumi.com/patchFieldManager`` annotation, else ``pulumi-kubernetes-`` and a random
    suffix chosen once per resource (kept in its state); here the suffix is derived from the URN, so it is stable."""
    meta = inputs.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, Mapping) else None
    pinned = annotations.get(constants.PATCH_FIELD_MANAGER_ANNOTATION) if isinstance(annotations, Mapping) else None
    if isinstance(pinned, str) and pinned:
        return pinned
    return "pulumi-kubernetes-" + hashlib.sha256(urn.encode()).hexdigest()[:8]


@dataclass
class World:
    """Everything outside the program: the cloud, the cluster and the stack's cloud-node label."""

    cloud: FakeAlibabaCloud
    cluster: FakeCluster
    cloud_node_label: str = constants.CLOUD_NODE_LABEL
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.cloud.on_addon_installed = lambda name, _state: self.cluster.install_addon(name, self.cloud_node_label)

    def register(
        self, urn: str, type_: str, name: str, inputs: dict[str, Any], read_id: str | None
    ) -> tuple[str, dict[str, Any]]:
        with self.lock:
            if type_.startswith("pulumi:providers:"):
                return f"{name}-provider-id", inputs
            if self.cloud.handles(type_):
                return self.cloud.register(urn, type_, inputs)
            if type_.startswith("kubernetes:"):
                if read_id == rpc.UNKNOWN:
                    # As the engine does in a preview: a read whose id is not known yet is skipped, and every
                    # output of it is unknown (pulumi/pulumi#1124).
                    return "", {}
                if read_id is not None:
                    state = self.cluster.read(type_, read_id)
                    return read_id, state
                # patchForce() (pulumi-kubernetes provider/pkg/await/await.go) is not modelled here yet: every
                # apply is forced, so a conflict with another manager is resolved as the program's patches resolve
                # it with pulumi.com/patchForce.
                state = self.cluster.apply(type_, inputs, manager=field_manager(urn, inputs), force=True)
                meta = state.get("metadata") or {}
                ident = f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else str(meta.get("name"))
                return ident, state
            if not type_.startswith(constants.PROJECT + ":"):
                raise RuntimeError(f"the offline preview does not model {type_}")
            return "", inputs


class _Mocks(pulumi_mocks.Mocks):
    def __init__(self, world: World) -> None:
        self.world = world

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        raise AssertionError("registrations go through RecordingMonitor")  # pragma: no cover

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict[Any, Any]:  # type: ignore[override]
        with self.world.lock:
            return self.world.cloud.call(args.token, unwrap(args.args))


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that keeps what the engine would be told, and answers from the World."""

    def __init__(self, world: World) -> None:
        super().__init__(_Mocks(world))
        self.world = world
        self.registrations: list[Registration] = []
        self._order_lock = threading.Lock()

    def _record(self, request: Any, read_id: str | None) -> resource_pb2.RegisterResourceResponse | Any:
        pulumi_mocks._ensure_event_loop()
        urn = self.make_urn(request.parent, request.type, request.name)
        registration = registration_of(request, urn, read_id)
        wire = registration.inputs
        with self._order_lock:
            self.registrations.append(registration)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        ident, state = self.world.register(urn, request.type, request.name, unwrap(wire), read_id)
        registration.id = ident
        registration.state = state
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, ident, state)
        props = _sync_await(rpc.serialize_properties(state, {}))
        if read_id is not None:
            return resource_pb2.ReadResourceResponse(urn=urn, properties=props)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=ident, object=props)

    def RegisterResource(self, request: Any) -> Any:
        return self._record(request, None)

    def ReadResource(self, request: Any) -> Any:
        return self._record(request, request.id)


@dataclass
class ProgramRun:
    stack: str
    registrations: list[Registration]
    outputs: dict[str, Any]  # wire form: secret outputs marked
    logs: list[tuple[str, str]]  # (level, message)
    output_dependencies: dict[str, list[str]] = field(default_factory=dict)  # output -> URNs it waits for


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
) -> ProgramRun:
    """Run ``program`` once, as ``pulumi up`` would (``pulumi preview`` with ``dry_run``), against ``world``.
    Raises what the program raises."""
    handler = _ListHandler()
    logger = logging.getLogger(f"hybrid-terway.offline.{stack}")
    logger.propagate = False
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    monitor = RecordingMonitor(world)
    pulumi_settings.ROOT.set(None)  # a fresh Stack per run, as the engine gives each `pulumi up`
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
        SETTINGS.outputs.clear()  # outputs still pending from an earlier run belong to its (closed) loop
        world.cloud.begin_run()

        def run() -> None:
            runpy.run_path(str(program), run_name="__main__")

        _sync_await(run_pulumi_func(run))
        world.cloud.end_run()
        return _finish(stack, monitor, handler)
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


def _finish(stack: str, monitor: RecordingMonitor, handler: _ListHandler) -> ProgramRun:
    root = get_root_resource()
    exported = dict(getattr(root, "outputs", {}) or {})
    resolved = {name: _resolve(value) for name, value in sorted(exported.items())}
    outputs = {name: value for name, (value, _) in resolved.items()}
    dependencies = {name: deps for name, (_, deps) in resolved.items()}
    return ProgramRun(stack, list(monitor.registrations), outputs, handler.records, dependencies)


def _resolve(value: Any) -> tuple[Any, list[str]]:
    output = pulumi.Output.from_input(value)

    async def resolve() -> tuple[Any, bool, list[str]]:
        resources = await output.resources()
        urns = [await r.urn.future() for r in resources]
        return await output.future(), await output.is_secret(), sorted(u for u in urns if u)

    plain, secret, urns = _sync_await(resolve())
    plain = _plain(plain)
    return ({SECRET_SIG: SECRET_VALUE, "value": plain} if secret else plain), urns


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
