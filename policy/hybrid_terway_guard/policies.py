"""The pack's policies: each wires one rule function to pulumi-policy, with its level and settings schema."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, cast

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceRemediation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from hybrid_terway.core import constants

from . import config, interconnect, node_pools, placement, ram, redact, terway
from .config import GuardSettings
from .resources import CannotJudge, ResourceView

Validate = Callable[[Any, ReportViolation], None]


def guarded(validate: Validate) -> Validate:
    """``validate`` with every message scrubbed of what could be a credential (``redact.scrub``), and an unknown
    value it touches reported as "cannot judge yet: <path> is not known during preview", keys in the path that
    could be credentials described rather than printed."""

    @functools.wraps(validate)
    def run(args: Any, report: ReportViolation) -> None:
        def scrubbed(message: str, urn: str | None = None) -> None:
            report(redact.scrub(message), urn)

        try:
            validate(args, scrubbed)
        except UnknownValueError as exc:
            raise _cannot_judge(exc) from None

    return run


def _cannot_judge(exc: UnknownValueError) -> CannotJudge:
    if isinstance(exc, CannotJudge):
        return CannotJudge(redact.scrub(exc.reason))
    path = ".".join(redact.scrub_path(exc.props))
    return CannotJudge(f"{path} is not known during preview")


def resource_view(args: ResourceValidationArgs) -> ResourceView:
    return ResourceView(args.resource_type, args.urn, args.name, args.props, args.opts.parent)


def stack_view(resource: PolicyResource) -> ResourceView:
    parent = resource.parent.urn if resource.parent is not None else resource.opts.parent
    return ResourceView(
        resource.resource_type,
        resource.urn,
        resource.name,
        resource.props,
        parent or None,
        tuple(d.urn for d in resource.dependencies),
        {key: tuple(d.urn for d in deps) for key, deps in resource.property_dependencies.items()},
    )


def settings_of(args: ResourceValidationArgs | StackValidationArgs, policy: str) -> GuardSettings:
    return GuardSettings.from_config(args.get_config(), policy)


def schema(policy: str) -> PolicyConfigSchema | None:
    properties = config.schema_properties(policy)
    return PolicyConfigSchema(properties=properties) if properties else None


# --- resource policies -----------------------------------------------------------------------------


@guarded
def _validate_onprem(args: ResourceValidationArgs, report: ReportViolation) -> None:
    placement.onprem_workloads_avoid_cloud_nodes(
        resource_view(args), settings_of(args, config.ONPREM_WORKLOADS_AVOID_CLOUD_NODES), report
    )


def _remediate_onprem(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    try:
        return placement.remediate_onprem_workload(
            resource_view(args), settings_of(args, config.ONPREM_WORKLOADS_AVOID_CLOUD_NODES)
        )
    except UnknownValueError as exc:
        raise _cannot_judge(exc) from None


@guarded
def _validate_terway_placement(args: ResourceValidationArgs, report: ReportViolation) -> None:
    placement.terway_only_on_cloud_nodes(
        resource_view(args), settings_of(args, config.TERWAY_ONLY_ON_CLOUD_NODES), report
    )


@guarded
def _validate_ram_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config.check_settings(config.TERWAY_RAM_LEAST_PRIVILEGE, args.get_config())
    ram.terway_ram_least_privilege(resource_view(args), report)


@guarded
def _validate_ram_guide_actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config.check_settings(config.TERWAY_RAM_GUIDE_ACTIONS, args.get_config())
    ram.terway_ram_guide_actions(resource_view(args), report)


@guarded
def _validate_eni_config(args: ResourceValidationArgs, report: ReportViolation) -> None:
    terway.eni_config_valid(resource_view(args), settings_of(args, config.ENI_CONFIG_VALID), report)


@guarded
def _validate_credentials(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config.check_settings(config.CREDENTIALS_NOT_IN_CONFIGMAP, args.get_config())
    terway.credentials_not_in_configmap(resource_view(args), report)


onprem_workloads_avoid_cloud_nodes = ResourceValidationPolicy(
    name=config.ONPREM_WORKLOADS_AVOID_CLOUD_NODES,
    description=(
        "On-prem CNIs, the tigera Installation and workloads labelled "
        f"{constants.PLACEMENT_LABEL}: {constants.PLACEMENT_ONPREM} must not be schedulable on cloud nodes."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=schema(config.ONPREM_WORKLOADS_AVOID_CLOUD_NODES),
    validate=_validate_onprem,
    # The SDK types remediations as awaitable but runs plain functions alike.
    remediate=cast(ResourceRemediation, _remediate_onprem),
)

terway_only_on_cloud_nodes = ResourceValidationPolicy(
    name=config.TERWAY_ONLY_ON_CLOUD_NODES,
    description="Terway's DaemonSet must not be schedulable on nodes without the cloud-node label.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=schema(config.TERWAY_ONLY_ON_CLOUD_NODES),
    validate=_validate_terway_placement,
)

terway_ram_least_privilege = ResourceValidationPolicy(
    name=config.TERWAY_RAM_LEAST_PRIVILEGE,
    description="Terway's RAM policy may allow only the actions Terway calls, each named, no wildcard.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_ram_policy,
)

terway_ram_guide_actions = ResourceValidationPolicy(
    name=config.TERWAY_RAM_GUIDE_ACTIONS,
    description="Terway's RAM policy should not grant the 2021 guide's DescribeInstanceAttribute, "
    "DescribeInstances or ModifyNetworkInterfaceAttribute, which no Terway source calls.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_validate_ram_guide_actions,
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
    validate=_validate_eni_config,
)

credentials_not_in_configmap = ResourceValidationPolicy(
    name=config.CREDENTIALS_NOT_IN_CONFIGMAP,
    description=(
        f"Terway's AccessKey should live in Secret {constants.TERWAY_NAMESPACE}/{constants.ADDON_SECRET}, "
        f"not in plain text in {constants.ENI_CONF_KEY}."
    ),
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_validate_credentials,
)

# --- stack policies --------------------------------------------------------------------------------


@guarded
def _validate_one_cni(args: StackValidationArgs, report: ReportViolation) -> None:
    placement.one_cni_per_node(
        [stack_view(r) for r in args.resources], settings_of(args, config.ONE_CNI_PER_NODE), report
    )


@guarded
def _validate_overlay(args: StackValidationArgs, report: ReportViolation) -> None:
    terway.no_terway_in_overlay(
        [stack_view(r) for r in args.resources], settings_of(args, config.NO_TERWAY_IN_OVERLAY), report
    )


@guarded
def _validate_access_keys(args: StackValidationArgs, report: ReportViolation) -> None:
    config.check_settings(config.ACCESS_KEY_LIMIT, args.get_config())
    ram.access_key_limit([stack_view(r) for r in args.resources], report)


one_cni_per_node = StackValidationPolicy(
    name=config.ONE_CNI_PER_NODE,
    description="Each node class (cloud, on-prem) must end up with exactly the one CNI its scenario expects.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=schema(config.ONE_CNI_PER_NODE),
    validate=_validate_one_cni,
)

no_terway_in_overlay = StackValidationPolicy(
    name=config.NO_TERWAY_IN_OVERLAY,
    description="Scenario overlay runs the on-prem overlay CNI on cloud nodes: no Terway addon, DaemonSet, "
    "eni-config or credentials.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=schema(config.NO_TERWAY_IN_OVERLAY),
    validate=_validate_overlay,
)

access_key_limit = StackValidationPolicy(
    name=config.ACCESS_KEY_LIMIT,
    description=f"RAM allows at most {constants.RAM_MAX_ACCESS_KEYS_PER_USER} AccessKeys per user.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_access_keys,
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
