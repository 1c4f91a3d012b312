"""The Pulumi Python SDK's internals the offline engine runs the program with, all here (pulumi 3.272.0, pinned in
requirements.txt; sdk/python/lib/pulumi/runtime/ of pulumi/pulumi). Nothing else in the preview imports an SDK
internal: ``tests/preview/engine/test_sdk.py`` checks each one and names the symbol when a new SDK changes it.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Final, TypeVar, cast

T = TypeVar("T")


class SdkInternalMissing(ImportError):
    """The pinned Pulumi SDK no longer has an internal the offline engine uses."""


INTERNALS: Final = (
    ("pulumi.runtime.sync_await", "_sync_await", "runs a coroutine to its end from synchronous code"),
    ("pulumi.runtime.mocks", "_ensure_event_loop", "gives a monitor's gRPC thread an event loop"),
    ("pulumi.runtime.mocks", "MockMonitor", "the monitor the program registers with (RecordingMonitor's base)"),
    ("pulumi.runtime.rpc", "serialize_properties", "a resource's state in the wire form the SDK reads back"),
    ("pulumi.runtime.rpc", "_special_sig_key", "the SDK's secret marker key (preview.engine.wire.SECRET_SIG_KEY)"),
    ("pulumi.runtime.rpc", "_special_secret_sig", "the SDK's secret marker value (preview.engine.wire.SECRET_SIG)"),
    ("pulumi.runtime.rpc", "UNKNOWN", "the SDK's unknown value (preview.engine.wire.UNKNOWN)"),
    ("pulumi.runtime.settings", "ROOT", "the root Stack resource, cleared so each run gets a fresh Stack"),
    ("pulumi.runtime.settings", "SETTINGS", "the SDK's settings; its pending outputs are cleared between runs"),
    ("pulumi.runtime.stack", "run_pulumi_func", "runs the program as the language host does"),
    ("pulumi.runtime.stack", "get_root_resource", "the Stack, whose outputs the program exported"),
)
"""(module, name, what the offline engine uses it for)."""


def internal(module: str, name: str) -> Any:
    """``module.name`` of the installed SDK; :class:`SdkInternalMissing` names it when it is gone."""
    uses = {(m, n): why for m, n, why in INTERNALS}
    if (module, name) not in uses:
        raise KeyError(f"{module}.{name} is not listed in preview.engine.sdk.INTERNALS")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise SdkInternalMissing(
            f"the installed Pulumi SDK has no {module}.{name} ({exc}); the offline engine uses it: "
            f"{uses[(module, name)]} (preview/engine/sdk.py)"
        ) from None


_sync_await = internal("pulumi.runtime.sync_await", "_sync_await")


def sync_await(awaitable: Awaitable[T]) -> T:
    return cast(T, _sync_await(awaitable))


ensure_event_loop = cast(Callable[[], Any], internal("pulumi.runtime.mocks", "_ensure_event_loop"))
MockMonitor: Any = internal("pulumi.runtime.mocks", "MockMonitor")
serialize_properties = cast(
    Callable[[dict[str, Any], dict[str, Any]], Awaitable[Any]], internal("pulumi.runtime.rpc", "serialize_properties")
)
ROOT = cast(ContextVar[Any], internal("pulumi.runtime.settings", "ROOT"))
SETTINGS: Any = internal("pulumi.runtime.settings", "SETTINGS")
run_pulumi_func = cast(
    Callable[[Callable[[], None]], Awaitable[None]], internal("pulumi.runtime.stack", "run_pulumi_func")
)
get_root_resource = cast(Callable[[], Any], internal("pulumi.runtime.stack", "get_root_resource"))
