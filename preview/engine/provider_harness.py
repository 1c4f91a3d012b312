"""The component package driven as the Pulumi engine drives it: a plugin process and gRPC, both ways.

``ProviderProcess`` starts ``provider/`` the way Pulumi's Python language host starts a plugin
(``<python> <plugin folder> <engine address>``, from the consumer's directory), reads the port it prints and
calls it over ``pulumirpc.ResourceProvider`` (``GetSchema``, ``Construct``). ``EngineServer`` is the other side:
the ``pulumirpc.Engine`` (logs) and ``pulumirpc.ResourceMonitor`` the provider registers the component's
resources with, answered from the same ``World`` (fake cloud and cluster) as the offline preview.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Mapping
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    errors_pb2,
    provider_pb2,
    provider_pb2_grpc,
    resource_pb2,
    resource_pb2_grpc,
    status_pb2,
)

from hybrid_terway.core import constants
from preview.engine.plugin import Plugin, plugin_environment
from preview.engine.program import Registration, World, registered_outputs
from preview.engine.wire import secret, stack_urn, struct, unwrap

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_DIR = ROOT / "provider"
PACKAGE_DIR = ROOT / "components"
"""Holds the ``hybrid_terway`` package the plugin imports."""

_FEATURES = {
    "secrets": resource_pb2.RESOURCE_MONITOR_FEATURE_SECRETS,
    "resourceReferences": resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
    "aliasSpecs": resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
}
"""What the fake monitor supports, as the engine of Pulumi 3.272 does; the SDK does without the rest."""


class ProviderError(RuntimeError):
    """The plugin did not start, or a call to it failed (its stderr is in the message).

    ``property_errors``: the input-property errors the call was refused with, as (property path, reason), the way
    the engine reads them (``pulumirpc.InputPropertiesError`` in the status details).
    """

    def __init__(self, message: str, property_errors: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.property_errors = property_errors or []


def input_property_errors(error: grpc.RpcError) -> list[tuple[str, str]]:
    """The input-property errors carried by a failed call's status details (trailing ``grpc-status-details-bin``)."""
    found: list[tuple[str, str]] = []
    metadata = error.trailing_metadata() if isinstance(error, grpc.Call) else None
    for key, value in metadata or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            errors = errors_pb2.InputPropertiesError()
            if detail.Unpack(errors):
                found += [(e.property_path, e.reason) for e in errors.errors]
    return found


@dataclass
class MonitorLog:
    registrations: list[Registration] = field(default_factory=list)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # URN -> registered outputs, wire form
    invokes: list[str] = field(default_factory=list)
    logs: list[tuple[int, str]] = field(default_factory=list)


class FakeResourceMonitor(resource_pb2_grpc.ResourceMonitorServicer):
    """Registers what the provider sends, answering from the World, as the engine would tell it."""

    def __init__(self, world: World, stack: str, project: str, log: MonitorLog) -> None:
        self.world, self.stack, self.project, self.log = world, stack, project, log
        self._lock = threading.Lock()

    def GetDeploymentInfo(self, request: Any, context: Any) -> resource_pb2.DeploymentInfo:
        return resource_pb2.DeploymentInfo(
            project=self.project, stack=self.stack, organization="organization", supportedFeatures=_FEATURES.values()
        )

    def SupportsFeature(self, request: Any, context: Any) -> resource_pb2.SupportsFeatureResponse:
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id in _FEATURES)

    def _keep(self, registration: Registration) -> None:
        with self._lock:
            self.log.registrations.append(registration)

    def RegisterResource(self, request: Any, context: Any) -> resource_pb2.RegisterResourceResponse:
        r = self.world.record(self.stack, self.project, request, None, self._keep)
        return resource_pb2.RegisterResourceResponse(urn=r.urn, id=r.id, object=struct(r.state))

    def ReadResource(self, request: Any, context: Any) -> resource_pb2.ReadResourceResponse:
        r = self.world.record(self.stack, self.project, request, request.id, self._keep)
        return resource_pb2.ReadResourceResponse(urn=r.urn, properties=struct(r.state))

    def RegisterResourceOutputs(self, request: Any, context: Any) -> empty_pb2.Empty:
        with self._lock:
            self.log.outputs[request.urn] = registered_outputs(self.log.registrations, request)
        return empty_pb2.Empty()

    def Invoke(self, request: Any, context: Any) -> resource_pb2.ResourceInvokeResponse:
        with self._lock:
            self.log.invokes.append(request.tok)
        with self.world.lock:
            result = self.world.cloud.call(request.tok, unwrap(json_format.MessageToDict(request.args)))
        return resource_pb2.ResourceInvokeResponse(**{"return": struct(result)})


class FakeEngine(engine_pb2_grpc.EngineServicer):
    """The engine's log service: what the provider reports (warnings, errors) is kept."""

    def __init__(self, root_urn: str, log: MonitorLog) -> None:
        self.root_urn, self.log = root_urn, log

    def Log(self, request: Any, context: Any) -> empty_pb2.Empty:
        self.log.logs.append((request.severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> engine_pb2.GetRootResourceResponse:
        return engine_pb2.GetRootResourceResponse(urn=self.root_urn)

    def SetRootResource(self, request: Any, context: Any) -> engine_pb2.SetRootResourceResponse:
        return engine_pb2.SetRootResourceResponse()


class EngineServer:
    """The engine and resource monitor on one local port. Use it as a context manager."""

    def __init__(self, world: World, stack: str, project: str = constants.PROJECT) -> None:
        self.stack, self.project = stack, project
        self.log = MonitorLog()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(
            FakeResourceMonitor(world, stack, project, self.log), self._server
        )
        engine_pb2_grpc.add_EngineServicer_to_server(FakeEngine(stack_urn(stack, project), self.log), self._server)
        self.address = f"127.0.0.1:{self._server.add_insecure_port('127.0.0.1:0')}"

    def __enter__(self) -> EngineServer:
        self._server.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.stop(grace=None)


class ProviderProcess:
    """The plugin as a running process and a client of its ResourceProvider service."""

    def __init__(
        self,
        engine_address: str,
        cwd: Path,
        *,
        plugin_dir: Path = PROVIDER_DIR,
        python: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        self.engine_address, self.cwd, self.plugin_dir = engine_address, cwd, plugin_dir
        self.python = python or sys.executable
        self.timeout = timeout
        self._plugin = Plugin(
            [self.python, str(self.plugin_dir), self.engine_address],
            self.cwd,
            plugin_environment(PACKAGE_DIR),
            noun="plugin",
            error=ProviderError,
            startup_timeout=self.timeout,
        )
        self._stub: provider_pb2_grpc.ResourceProviderStub | None = None

    @property
    def port(self) -> int | None:
        return self._plugin.port

    def __enter__(self) -> ProviderProcess:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._plugin.connect())

    def stop(self) -> None:
        self._plugin.stop()
        self._stub = None

    def stderr(self) -> str:
        return self._plugin.stderr()

    def _error(self, message: str, property_errors: list[tuple[str, str]] | None = None) -> ProviderError:
        error = self._plugin.error(message)
        return ProviderError(str(error), property_errors)

    def _call(self, method: str, request: Any) -> Any:
        assert self._stub is not None, "the plugin is not running"
        try:
            return getattr(self._stub, method)(request, timeout=self.timeout)
        except grpc.RpcError as exc:
            details = exc.details() if isinstance(exc, grpc.Call) else str(exc)
            raise self._error(f"{method} failed: {details}", input_property_errors(exc)) from None

    def get_schema(self) -> dict[str, Any]:
        response = self._call("GetSchema", provider_pb2.GetSchemaRequest(version=0))
        return dict(json.loads(response.schema))

    def construct(
        self,
        server: EngineServer,
        type_: str,
        name: str,
        inputs: Mapping[str, Any],
        secret_inputs: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Construct a component under the stack, as the engine does for a remote component; its state."""
        wire = dict(inputs)
        for key, value in (secret_inputs or {}).items():
            wire[key] = secret(value)
        request = provider_pb2.ConstructRequest(
            project=server.project,
            stack=server.stack,
            organization="organization",
            dryRun=False,
            parallel=4,
            monitorEndpoint=server.address,
            type=type_,
            name=name,
            parent=stack_urn(server.stack, server.project),
            inputs=struct(wire),
        )
        response = self._call("Construct", request)
        return {"urn": response.urn, "state": json_format.MessageToDict(response.state)}
