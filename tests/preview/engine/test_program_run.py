"""A run of the real program, as the offline engine records it: each component's registered outputs, and what
``AnalyzeStack`` then receives (pulumi/pulumi 1b5949891b ``pkg/resource/deploy/step_generator.go``
``AnalyzeResources``: every resource of the stack with its outputs, a component's being what it registered)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from hybrid_terway.core import constants
from policy.hybrid_terway_guard.resources import ResourceView, StackScenario
from preview.engine.policy_harness import PolicyPackProcess, resources_from_run
from preview.engine.program import ProgramRun, Registration
from preview.engine.wire import ROOT_STACK_TYPE, unwrap
from tests.conftest import DATA, one

RECORDER = DATA / "recording_analyzer"


def components(run: ProgramRun) -> list[Registration]:
    return [r for r in run.registrations if not r.custom and r.type != ROOT_STACK_TYPE]


@pytest.mark.parametrize("stack", ["dev", "example-tigera", "example-interconnect"])
def test_every_component_holds_the_outputs_it_registered(stack: str, example_runs: Mapping[str, ProgramRun]) -> None:
    run = example_runs[stack]
    found = components(run)
    assert found, "the program registers components"
    for component in found:
        assert component.outputs is not None, f"{component.type} {component.name} registered no outputs"
    network = unwrap(one(run, constants.NETWORK_COMPONENT_TYPE).outputs)
    assert network["scenario"] == unwrap(run.outputs)["scenario"]
    assert network["onPremWorkloads"] == unwrap(run.outputs)["onPremWorkloads"]


def test_the_stack_registers_its_exports_too(example_runs: Mapping[str, ProgramRun]) -> None:
    run = example_runs["dev"]
    stack = next(r for r in run.registrations if r.type == ROOT_STACK_TYPE)
    assert stack.outputs is not None and unwrap(stack.outputs) == unwrap(run.outputs)


def test_a_component_shows_its_outputs_not_its_inputs(example_runs: Mapping[str, ProgramRun]) -> None:
    run = example_runs["dev"]
    by_urn = {r.urn: r for r in resources_from_run(run)}
    for component in components(run):
        shown = by_urn[component.urn]
        assert shown.outputs == component.outputs
    custom = next(r for r in run.registrations if r.custom and r.state and not r.read)
    assert by_urn[custom.urn].outputs == custom.state


def test_property_dependencies_and_options_reach_the_pack(example_runs: Mapping[str, ProgramRun]) -> None:
    run = example_runs["dev"]
    by_urn = {r.urn: r for r in resources_from_run(run)}
    with_deps = [r for r in run.registrations if r.property_dependencies]
    assert with_deps, "the program passes outputs of one resource to another"
    for r in with_deps:
        assert by_urn[r.urn].property_dependencies == r.property_dependencies
    secret_outputs = [r for r in run.registrations if r.options.additional_secret_outputs]
    assert secret_outputs, "the program marks some outputs secret"
    for r in secret_outputs:
        assert by_urn[r.urn].options.additional_secret_outputs == r.options.additional_secret_outputs


def _recorded_stack_call(run: ProgramRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("RECORD_TO", str(log))
    with PolicyPackProcess(RECORDER) as recorder:
        recorder.run(resources_from_run(run))
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls[-1]["method"] == "AnalyzeStack"
    return list(calls[-1]["request"]["resources"])


def test_analyze_stack_receives_the_components_outputs(
    example_runs: Mapping[str, ProgramRun], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the protocol, to an analyzer that records what it is sent."""
    run = example_runs["dev"]
    sent = {r["urn"]: r for r in _recorded_stack_call(run, tmp_path, monkeypatch)}
    for component in components(run):
        received = sent[component.urn].get("properties", {})
        expected = {k: v for k, v in (component.outputs or {}).items() if not k.startswith("__")}
        assert received == expected, component.type
        assert received, f"{component.type} reached AnalyzeStack with empty outputs"
    network = sent[one(run, constants.NETWORK_COMPONENT_TYPE).urn]["properties"]
    assert network["scenario"] == "bgp"


def test_the_pack_reads_each_components_scenario_from_its_outputs(
    example_runs: Mapping[str, ProgramRun], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pack's stack view (``StackScenario``) of what AnalyzeStack received: the component's own scenario, not
    the stack's export it falls back on when a component shows no outputs."""
    run = example_runs["example-tigera"]
    received = _recorded_stack_call(run, tmp_path, monkeypatch)
    views = [
        ResourceView(r["type"], r["urn"], r["name"], r.get("properties", {}), r.get("parent") or None)
        for r in received
        if r["type"] != ROOT_STACK_TYPE  # no export to fall back on
    ]
    scenario = StackScenario.of(views)
    network = one(run, constants.NETWORK_COMPONENT_TYPE)
    assert scenario.by_component == {network.urn: scenario.single}
    assert scenario.single is not None and scenario.single.value == unwrap(run.outputs)["scenario"]
