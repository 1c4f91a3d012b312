"""``HybridTerwayNetwork(name, args)``: the package's inputs as a Python dict, validated by the settings model."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from hybrid_terway.config import ConfigError
from preview.engine.program import run_program
from preview.engine.wire import mask
from preview.stack_config import load_stack_config
from tests.conftest import ROOT, dev_inputs, dev_world, run_stack

PROGRAM = textwrap.dedent(
    """
    import json
    import pulumi
    from hybrid_terway import CredentialSource, IpStack, KeySlot, Scenario, VswitchSelectionPolicy, WorkloadKind
    from hybrid_terway.network import HybridTerwayNetwork

    args = json.loads({inputs!r})
    # Enum members, as a typed Python caller writes them.
    args["scenario"] = Scenario(args["scenario"])
    args["terway"].update(ipStack=IpStack.IPV4, vswitchSelectionPolicy=VswitchSelectionPolicy.ORDERED)
    args["credentials"].update(source=CredentialSource.MANAGED, keySlots=[KeySlot.A], activeKey=KeySlot.A)
    args["onPremWorkloads"][0]["kind"] = WorkloadKind.DAEMONSET
    {extra}
    network = HybridTerwayNetwork("hybrid", args)
    pulumi.export("readyForCloudNodes", network.ready_for_cloud_nodes)
    pulumi.export("terwayRamUser", network.terway_ram_user)
    """
)


def write_program(tmp_path: Path, extra: str = "") -> Path:
    program = tmp_path / "__main__.py"
    program.write_text(PROGRAM.format(inputs=json.dumps(dev_inputs()), extra=extra))
    return program


def test_args_build_the_same_resources_as_settings(tmp_path: Path) -> None:
    expected, _ = run_stack(load_stack_config(ROOT, "dev"))
    run = run_program({}, [], "dev", dev_world(), write_program(tmp_path))
    graph = sorted((r.type, r.name, r.parent, r.dependencies, json.dumps(mask(r.inputs))) for r in run.registrations)
    assert graph == sorted(
        (r.type, r.name, r.parent, r.dependencies, json.dumps(mask(r.inputs))) for r in expected.registrations
    )
    assert run.outputs["readyForCloudNodes"] is True
    assert run.outputs["terwayRamUser"] == expected.outputs["terwayRamUser"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('args["terway"]["maxPoolSize"] = -1', "- terway.maxPoolSize = -1: Input should be greater"),
        ('args["clusterId"] = pulumi.Output.from_input(args["clusterId"])', "- clusterId: must be a plain"),
        ('args["tereway"] = {}', "- tereway: is not a known key; did you mean terway?"),
        ('args["terway"]["podVSwitches"] = {}', "- terway.podVSwitches: is not a known key; did you mean podVswit"),
    ],
)
def test_bad_args_are_named_and_register_nothing(tmp_path: Path, extra: str, message: str) -> None:
    world = dev_world()
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        run_program({}, [], "dev", world, write_program(tmp_path, extra))
    assert world.cloud.resources == {}
