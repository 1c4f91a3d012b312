from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyPack

from hybrid_terway_guard.policies import (
    access_key_limit,
    credentials_not_in_configmap,
    eni_config_valid,
    no_terway_in_overlay,
    one_cni_per_node,
    onprem_workloads_avoid_cloud_nodes,
    terway_only_on_cloud_nodes,
    terway_ram_guide_actions,
    terway_ram_least_privilege,
)

PolicyPack(
    "hybrid-terway-guard",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        onprem_workloads_avoid_cloud_nodes,
        terway_only_on_cloud_nodes,
        one_cni_per_node,
        no_terway_in_overlay,
        terway_ram_least_privilege,
        terway_ram_guide_actions,
        eni_config_valid,
        access_key_limit,
        credentials_not_in_configmap,
    ],
)
