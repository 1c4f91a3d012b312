"""The pack's policies: each wires one rule function to pulumi-policy, with its level and settings schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ResourceRemediation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from hybrid_terway.core import constants

from . import config, interconnect, node_pools, placement, ram, terway
from .wiring import (
    cannot_judge,
    on_resource,
    on_resource_unconfigured,
    on_stack,
    on_stack_unconfigured,
    resource_view,
    schema,
    settings_of,
)

# --- resource policies -----------------------------------------------------------------------------


def _remediate_onprem(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    try:
        return placement.remediate_onprem_workload(
            resource_view(args), settings_of(args, config.ONPREM_WORKLOADS_AVOID_CLOUD_NODES)
        )
    except UnknownValueError as exc:
        raise cannot_judge(exc) from None


onprem_workloads_avoid_cloud_nodes = ResourceValidationPolicy(
    name=config.ONPREM_WORKLOADS_AVOID_CLOUD_NODES,
    description=(
        "On-prem CNIs, the tigera Installation and workloads labelled "
        f"{constants.PLACEMENT_LABEL}: {constants.PLACEMENT_ONPREM} must not be schedulable on cloud nodes."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=schema(config.ONPREM_WORKLOADS_AVOID_CLOUD_NODES),
    validate=on_resource(config.ONPREM_WORKLOADS_AVOID_CLOUD_NODES, placement.onprem_workloads_avoid_cloud_nodes),
    # The SDK types remediations as awaitable but runs plain functions alike.
    remediate=cast(ResourceRemediation, _remediate_onprem),
)

terway_only_on_cloud_nodes = ResourceValidationPolicy(
    name=config.TERWAY_ONLY_ON_CLOUD_NODES,
    description="Terway's DaemonSet must not be schedulable on nodes without the cloud-node label.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=schema(config.TERWAY_ONLY_ON_CLOUD_NODES),
    validate=on_resource(config.TERWAY_ONLY_ON_CLOUD_NODES, placement.terway_only_on_cloud_nodes),
)

terway_ram_least_privilege = ResourceValidationPolicy(
    name=config.TERWAY_RAM_LEAST_PRIVILEGE,
    description="Terway's RAM policy may allow only the actions Terway calls, each named, no wildcard.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=on_resource_unconfigured(config.TERWAY_RAM_LEAST_PRIVILEGE, ram.terway_ram_least_privilege),
)

terway_ram_guide_actions = ResourceValidationPolicy(
    name=config.TERWAY_RAM_GUIDE_ACTIONS,
    description="Terway's RAM policy should not grant the 2021 guide's DescribeInstanceAttribute, "
    "DescribeInstances or ModifyNetworkInterfaceAttribute, which no Terway source calls.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=on_resource_unconfigured(config.TERWAY_RAM_GUIDE_ACTIONS, ram.terway_ram_guide_actions),
)

eni_config_valid = ResourceValidationPolicy(
    name=config.ENI_CONFIG_VALID,
    description=(
        f"{constants.ENI_CONF_KEY} in {constants.TERWAY_NAMESPACE}/{constants.ENI_CONFIG_MAP} must be a valid "
        "Terway configuration as upstream reads it: a JSON object, types its decoder accepts, values it "
        "knows, no misspelt or removed key, the security-group limit of its version."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=schema(config.ENI_CONFIG_VALID),
    validate=on_resource(config.ENI_CONFIG_VALID, terway.eni_config_valid),
)

credentials_not_in_configmap = ResourceValidationPolicy(
    name=config.CREDENTIALS_NOT_IN_CONFIGMAP,
    description=(
        f"Terway's AccessKey should live in Secret {constants.TERWAY_NAMESPACE}/{constants.ADDON_SECRET}, "
        f"not in plain text in {constants.ENI_CONF_KEY}."
    ),
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=on_resource_unconfigured(config.CREDENTIALS_NOT_IN_CONFIGMAP, terway.credentials_not_in_configmap),
)

# --- stack policies --------------------------------------------------------------------------------

one_cni_per_node = StackValidationPolicy(
    name=config.ONE_CNI_PER_NODE,
    description="Each node class (cloud, on-prem) must end up with exactly the one CNI its scenario expects.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=schema(config.ONE_CNI_PER_NODE),
    validate=on_stack(config.ONE_CNI_PER_NODE, placement.one_cni_per_node),
)

no_terway_in_overlay = StackValidationPolicy(
    name=config.NO_TERWAY_IN_OVERLAY,
    description="Scenario overlay runs the on-prem overlay CNI on cloud nodes: no Terway addon, DaemonSet, "
    "eni-config or credentials.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=schema(config.NO_TERWAY_IN_OVERLAY),
    validate=on_stack(config.NO_TERWAY_IN_OVERLAY, terway.no_terway_in_overlay),
)

access_key_limit = StackValidationPolicy(
    name=config.ACCESS_KEY_LIMIT,
    description=f"RAM allows at most {constants.RAM_MAX_ACCESS_KEYS_PER_USER} AccessKeys per user.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=on_stack_unconfigured(config.ACCESS_KEY_LIMIT, ram.access_key_limit),
)


# --- the pack ----------------------------------------------------------------------------------------

POLICIES: list[Policy] = [
    onprem_workloads_avoid_cloud_nodes,
    terway_only_on_cloud_nodes,
    one_cni_per_node,
    no_terway_in_overlay,
    terway_ram_least_privilege,
    terway_ram_guide_actions,
    eni_config_valid,
    access_key_limit,
    credentials_not_in_configmap,
    *node_pools.POLICIES,
]
"""Every policy the pack serves, in ``config.POLICY_NAMES`` order; a new module's policies are added here."""
POLICIES += interconnect.POLICIES
