"""The checked network plan in a Pulumi program: a failed plan as a ``pulumi.RunError``, and what waits for it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pulumi

from hybrid_terway.core.address_plan import NetworkPlanError


class AddressPlanError(NetworkPlanError, pulumi.RunError):
    """The network plan does not fit the cloud or the cluster. A RunError prints without a traceback."""


def log_checked(what: str, errors: Sequence[str], lines: Callable[[], Iterable[str]], warnings: Iterable[str]) -> None:
    """A checked plan in the run's log: :class:`AddressPlanError` naming every hard problem, otherwise each of
    ``lines()`` as ``<what>: <line>`` and each warning."""
    if errors:
        raise AddressPlanError(errors)
    for line in lines():
        pulumi.log.info(f"{what}: {line}")
    for warning in warnings:
        pulumi.log.warn(warning)


def after_checks(gate: pulumi.Output[Any] | None, resources: Sequence[pulumi.Resource] = ()) -> pulumi.Input[Any]:
    """``depends_on`` for what must wait for the checked plan: ``resources``, once ``gate`` resolves.

    ``gate`` fails with :class:`AddressPlanError` when a hard check fails, so nothing that depends on it is
    registered: no addon, no patch, nothing sent to the cluster.
    """
    if gate is None:
        return list(resources)
    return gate.apply(lambda _: list(resources))
