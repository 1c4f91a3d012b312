"""Another Pulumi project that reuses the components: `pip install <this repository>` and build them.

It keeps its own components in its own `components/` folder (as Pulumi projects do), next to the installed
`hybrid_terway`. It does not read this project's stack configuration: it builds its settings in code, names
its own component, and brings its own kubeconfig.
"""

import pulumi
from components.edge_site import SITE, edge_site_settings

from hybrid_terway.network import HybridTerwayNetwork, StackSecrets

config = pulumi.Config()
site = HybridTerwayNetwork(
    SITE,
    edge_site_settings("c" + "5e" * 16),
    StackSecrets(kubeconfig=config.require_secret("kubeconfig")),
)
pulumi.export("ready", site.ready_for_cloud_nodes)
