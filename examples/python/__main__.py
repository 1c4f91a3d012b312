"""HybridTerwayNetwork from another Python project: `pip install` this repository's package and build it.

The settings are given in code, with the stack configuration's own keys (HybridTerwayNetworkArgs); these are the
dev stack's values. The kubeconfig comes from this project's own secret configuration when set, otherwise the
component fetches one from ACK.
"""

import pulumi

from hybrid_terway import HybridTerwayNetwork, HybridTerwayNetworkArgs

config = pulumi.Config()
args: HybridTerwayNetworkArgs = {
    "scenario": "bgp",
    "clusterId": "c8f1a2b3c4d5e6f708192a3b4c5d6e7f8",
    "terway": {
        "podVswitches": {"cn-hangzhou-h": ["vsw-bp1m7k2x9q4w6e8r0t2y4"]},
        "serviceCidr": "172.21.0.0/20",
        "securityGroupIds": ["sg-bp1d5f7h9j1k3m5n7p9r"],
    },
}
kubeconfig = config.get_secret("kubeconfig")
if kubeconfig is not None:
    args["kubeconfig"] = kubeconfig

network = HybridTerwayNetwork("hybrid", args)
pulumi.export("readyForCloudNodes", network.ready_for_cloud_nodes)
pulumi.export("terwayRamUser", network.terway_ram_user)
