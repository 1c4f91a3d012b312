"""hybrid-terway: the container network of an ACK One registered cluster (see README.md)."""

import pulumi

from hybrid_terway import constants
from hybrid_terway.network import HybridTerwayNetwork, StackSecrets
from hybrid_terway.settings import parse_settings, read_stack_config

settings = parse_settings(read_stack_config())  # raises ConfigError before any resource is registered
network = HybridTerwayNetwork("hybrid", settings, StackSecrets.from_config(pulumi.Config(constants.PROJECT)))

pulumi.export("scenario", settings.scenario.value)
pulumi.export("clusterId", settings.cluster_id)
pulumi.export("onPremWorkloads", [w.ref for w in settings.workloads])
pulumi.export("readyForCloudNodes", network.ready_for_cloud_nodes)
if network.identity is not None:
    pulumi.export("terwayRamUser", network.identity.user.name)
if network.terway is not None:
    pulumi.export("terwayAccessKeyId", network.access_key_id)
