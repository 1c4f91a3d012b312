"""Shared fixtures: run the real program against the fake cloud and cluster.

The program's modules are imported when a helper runs it, so the policy pack's tests also run in a virtualenv of
``policy/requirements.txt`` alone (docs/policy-pack.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from hybrid_terway.core import constants
from hybrid_terway.core.settings import Settings, decode_config
from preview.engine.policy_harness import PolicyPackProcess
from preview.engine.program import ProgramRun, Registration, World, run_program
from preview.stack_config import StackConfig, available_stacks, load_stack_config
from preview.world.cloud_snapshot import representative_network
from preview.world.fake_cloud import FakeAlibabaCloud
from preview.world.fake_cluster import FakeCluster
from preview.world.interconnect_snapshot import interconnect_cloud

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_STACKS = available_stacks(ROOT)
DATA = Path(__file__).resolve().parent / "data"


def stack_config(stack: str, **overrides: Any) -> StackConfig:
    """A stack file's configuration with some ``hybrid-terway:*`` values replaced (None removes a key)."""
    config = load_stack_config(ROOT, stack)
    values = dict(config.values)
    for key, value in overrides.items():
        full = f"hybrid-terway:{key}"
        if value is None:
            values.pop(full, None)
        else:
            values[full] = value
    secret_keys = [k for k in config.secret_keys if k in values]
    return StackConfig(stack, values, secret_keys)


def dev_variant(tmp_path: Path, stack: str, on_prem_workloads: str = "[]") -> Path:
    """A project directory holding Pulumi.<stack>.yaml: the dev stack with another onPremWorkloads (flow YAML)."""
    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    text = (ROOT / "Pulumi.dev.yaml").read_text()
    text = text[: text.index("  hybrid-terway:onPremWorkloads:")]
    (root / f"Pulumi.{stack}.yaml").write_text(f"{text}  hybrid-terway:onPremWorkloads: {on_prem_workloads}\n")
    return root


def world_for(settings: Settings, cluster: FakeCluster | None = None) -> World:
    network = representative_network(settings)
    return World(
        FakeAlibabaCloud(
            settings.cluster_id,
            network=network,
            interconnect=interconnect_cloud(settings, None, None, network.vswitches),
        ),
        cluster or FakeCluster.representative(settings),
        settings.cloud_node_label,
    )


def run_stack(config: StackConfig, world: World | None = None) -> tuple[ProgramRun, World]:
    from preview.run import settings_of

    settings = settings_of(config)
    world = world or world_for(settings)
    return run_program(config.values, config.secret_keys, config.stack, world), world


def by_type(run: ProgramRun, type_: str) -> list[Registration]:
    return [r for r in run.registrations if r.type == type_]


def one(run: ProgramRun, type_: str, name_suffix: str = "") -> Registration:
    found = [r for r in by_type(run, type_) if r.name.endswith(name_suffix)]
    assert len(found) == 1, f"expected one {type_} ending {name_suffix!r}, got {[r.name for r in found]}"
    return found[0]


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    """The policy pack, started as the Pulumi CLI starts it (``preview/engine/policy_harness.py``)."""
    with PolicyPackProcess() as running:
        yield running


@pytest.fixture(scope="session")
def example_runs() -> Mapping[str, ProgramRun]:
    return {stack: run_stack(load_stack_config(ROOT, stack))[0] for stack in EXAMPLE_STACKS}


RunStack = Callable[..., tuple[ProgramRun, World]]


def dev_inputs() -> dict[str, Any]:
    """The dev stack's configuration as the component's inputs (the same keys)."""
    config = load_stack_config(ROOT, "dev")
    prefix = constants.PROJECT + ":"
    raw = {k.removeprefix(prefix): v for k, v in config.values.items() if k.startswith(prefix)}
    decoded, problems = decode_config(raw)
    assert problems == []
    return decoded


def dev_world() -> World:
    """A fresh fake cloud and cluster for the dev settings, as the program's offline run gets."""
    from preview.run import settings_of

    return world_for(settings_of(load_stack_config(ROOT, "dev")))
