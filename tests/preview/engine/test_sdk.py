"""The Pulumi SDK internals the offline engine uses (``preview.engine.sdk``): each still there in the pinned SDK, with
the shape the engine relies on, and no other module of the preview reaching for one."""

from __future__ import annotations

import ast
from contextvars import ContextVar

import pytest
from pulumi.runtime import mocks, rpc

from preview.engine import sdk, wire
from tests.conftest import ROOT


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, n, _ in sdk.INTERNALS], ids=lambda v: v)
def test_each_internal_is_in_the_pinned_sdk(module: str, name: str) -> None:
    assert sdk.internal(module, name) is not None, f"{module}.{name}"


def test_a_missing_internal_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(rpc, "_special_sig_key")
    with pytest.raises(sdk.SdkInternalMissing, match=r"pulumi\.runtime\.rpc\._special_sig_key .*secret marker key"):
        sdk.internal("pulumi.runtime.rpc", "_special_sig_key")


def test_an_unlisted_internal_is_refused() -> None:
    with pytest.raises(KeyError, match="INTERNALS"):
        sdk.internal("pulumi.runtime.rpc", "_expand_dependencies")


def test_the_sdk_speaks_the_wire_form_of_the_engine() -> None:
    """The SDK's private markers are the engine's (sig.go ``Key``/``Secret``, rpc.go ``UnknownStringValue``)."""
    assert sdk.internal("pulumi.runtime.rpc", "_special_sig_key") == wire.SECRET_SIG_KEY
    assert sdk.internal("pulumi.runtime.rpc", "_special_secret_sig") == wire.SECRET_SIG
    assert sdk.internal("pulumi.runtime.rpc", "UNKNOWN") == wire.UNKNOWN


def test_the_shapes_the_engine_relies_on() -> None:
    assert sdk.MockMonitor.ResourceRegistration._fields == ("urn", "id", "state")
    class NoMocks(mocks.Mocks):
        def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, object]]:
            raise AssertionError

        def call(self, args: mocks.MockCallArgs) -> dict[str, object]:  # type: ignore[override]
            raise AssertionError

    assert isinstance(sdk.MockMonitor(NoMocks()).resources, dict)
    assert hasattr(sdk.SETTINGS, "outputs") and callable(sdk.SETTINGS.outputs.clear)
    assert isinstance(sdk.ROOT, ContextVar)


def sdk_internals_used(source: str) -> list[str]:
    """The private names of ``pulumi`` modules that ``source`` imports or reads (``from pulumi.x import _y``,
    ``rpc._y`` where ``rpc`` is a pulumi module)."""
    found = []
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith("pulumi")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pulumi"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{node.module}.{alias.name}")
                modules.add(alias.asname or alias.name)
    for node in ast.walk(ast.parse(source)):
        private = isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
        if private and isinstance(node.value, ast.Name) and node.value.id in modules:
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_the_check_sees_an_internal() -> None:
    assert sdk_internals_used("from pulumi.runtime import rpc\nrpc._special_sig_key\n") == ["rpc._special_sig_key"]
    assert sdk_internals_used("from pulumi.runtime.sync_await import _sync_await\n") == [
        "pulumi.runtime.sync_await._sync_await"
    ]


def test_no_other_preview_module_uses_an_sdk_internal() -> None:
    found = []
    for path in sorted((ROOT / "preview").rglob("*.py")):
        if path != ROOT / "preview" / "engine" / "sdk.py":
            found += [f"{path.relative_to(ROOT)}: {name}" for name in sdk_internals_used(path.read_text())]
    assert found == [], "SDK internals belong in preview/engine/sdk.py:\n" + "\n".join(found)
