"""How a rule function of the pack becomes a pulumi-policy validator: the views it reads, its settings, messages
scrubbed of credentials, and an unknown value reported as "cannot judge yet"."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import UnknownValueError

from . import config, redact
from .config import GuardSettings
from .resources import CannotJudge, Report, ResourceView

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
            raise cannot_judge(exc) from None

    return run


def cannot_judge(exc: UnknownValueError) -> CannotJudge:
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


def on_resource(policy: str, rule: Callable[[ResourceView, GuardSettings, Report], None]) -> Validate:
    """The validator of a resource policy whose rule reads the policy's settings."""

    @guarded
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        rule(resource_view(args), settings_of(args, policy), report)

    return validate


def on_resource_unconfigured(policy: str, rule: Callable[[ResourceView, Report], None]) -> Validate:
    """The validator of a resource policy without settings (any given are refused, ``config.check_settings``)."""

    @guarded
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        config.check_settings(policy, args.get_config())
        rule(resource_view(args), report)

    return validate


def on_stack(policy: str, rule: Callable[[Sequence[ResourceView], GuardSettings, Report], None]) -> Validate:
    """The validator of a stack policy whose rule reads the policy's settings."""

    @guarded
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        rule([stack_view(r) for r in args.resources], settings_of(args, policy), report)

    return validate


def on_stack_unconfigured(policy: str, rule: Callable[[Sequence[ResourceView], Report], None]) -> Validate:
    """The validator of a stack policy without settings (any given are refused, ``config.check_settings``)."""

    @guarded
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config.check_settings(policy, args.get_config())
        rule([stack_view(r) for r in args.resources], report)

    return validate
