"""The checked network plan in a Pulumi program: a failed plan as a ``pulumi.RunError``, and what waits for it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from hybrid_terway.core.address_plan import NetworkPlanError


class AddressPlanError(NetworkPlanError, pulumi.RunError):
    """The network plan does not fit the cloud or the cluster. A RunError prints without a traceback."""


def after_checks(gate: pulumi.Output[Any] | None, resources: Sequence[pulumi.Resource] = ()) -> pulumi.Input[Any]:
    """``depends_on`` for what must wait for the checked plan: ``resources``, once ``gate`` resolves.

    ``gate`` fails with :class:`AddressPlanError` when a hard check fails, so nothing that depends on it is
    registered: no addon, no patch, nothing sent to the cluster.
    """
    if gate is None:
        return list(resources)
    return gate.apply(lambda _: list(resources))
