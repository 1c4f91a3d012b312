"""hybrid-terway: the container network of an ACK One registered cluster (see README.md)."""

import pulumi

from hybrid_terway.config import parse_settings, read_secret_keys, read_stack_config
from hybrid_terway.core import constants
from hybrid_terway.network import HybridTerwayNetwork, StackSecrets

# Raises ConfigError before any resource is registered; a secret-only setting not held as a secret is refused.
settings = parse_settings(read_stack_config(), read_secret_keys())
network = HybridTerwayNetwork("hybrid", settings, StackSecrets.from_config(pulumi.Config(constants.PROJECT)))

pulumi.export("scenario", network.scenario)
pulumi.export("clusterId", network.cluster_id)
pulumi.export("onPremWorkloads", network.on_prem_workloads)
pulumi.export("readyForCloudNodes", network.ready_for_cloud_nodes)
pulumi.export("cloudNodeGate", network.cloud_node_gate.id)  # for node pools in other stacks
if network.terway_ram_user is not None:
    pulumi.export("terwayRamUser", network.terway_ram_user)
if network.terway_access_key_id is not None:
    pulumi.export("terwayAccessKeyId", network.terway_access_key_id)
