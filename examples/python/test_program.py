"""A unit test of the example program, with the mocks hybrid_terway.testing gives: no cloud, no cluster, no CLI.

Run from this directory with the package installed: `python -m pytest test_program.py`.
"""

import importlib.util
import sys
from pathlib import Path

import pulumi

from hybrid_terway.testing import HybridTerwayMocks

MOCKS = HybridTerwayMocks(pod_vswitches={"cn-hangzhou-h": ["vsw-bp1m7k2x9q4w6e8r0t2y4"]}, service_cidr="172.21.0.0/20")
pulumi.runtime.set_mocks(MOCKS, project="consumer", stack="test", preview=False)


def load_program():
    spec = importlib.util.spec_from_file_location("program", Path(__file__).with_name("__main__.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["program"] = module
    spec.loader.exec_module(module)
    return module


program = load_program()


@pulumi.runtime.test
def test_the_network_is_ready_and_terway_has_its_own_ram_user():
    def check(values):
        ready, user = values
        assert ready is True
        assert user == "terway-c8f1a2b3c4d5e6f708192a3b4c5d6e7f8"
        types = MOCKS.types()
        assert {"alicloud:ram/user:User", "alicloud:ram/policy:Policy"} <= types
        assert "alicloud:cs/kubernetesAddon:KubernetesAddon" in types
        assert "kubernetes:apps/v1:DaemonSetPatch" in types  # calico-node kept off cloud nodes, Terway pinned to them
        assert "alicloud:vpc/getSwitches:getSwitches" in MOCKS.calls  # the address plan read the pod vSwitches

    return pulumi.Output.all(program.network.ready_for_cloud_nodes, program.network.terway_ram_user).apply(check)
