"""Another Pulumi project that reuses the components: `pip install <this repository>` and build them.

It does not read this project's stack configuration: it builds its settings in code, names its own
component, and brings its own kubeconfig.
"""

import pulumi

from hybrid_terway.network import HybridTerwayNetwork, StackSecrets
from hybrid_terway.settings import Settings

settings = Settings.model_validate(
    {
        "scenario": "host",
        "clusterId": "c" + "5e" * 16,
        "terway": {
            "podVswitches": {"cn-shenzhen-a": ["vsw-wz9a1b2c3d4e5f6g7h8i9"]},
            "serviceCidr": "10.96.0.0/16",
            "securityGroupIds": ["sg-wz9a1b2c3d4e5f6g7h8i"],
        },
        "credentials": {"ramUserName": "edge-site-terway"},
        "onPremWorkloads": [{"kind": "StatefulSet", "namespace": "db", "name": "onprem-postgres"}],
    }
)
config = pulumi.Config()
site = HybridTerwayNetwork(
    "edge-site",
    settings,
    StackSecrets(kubeconfig=config.require_secret("kubeconfig")),
)
pulumi.export("ready", site.ready_for_cloud_nodes)
