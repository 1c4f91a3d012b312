"""Objects as they are in the cluster: the one way this package reads them (``core.objects.value_at`` looks in)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi.output import Unknown

_IDENTITY = ("apiVersion", "kind", "metadata")


def read_live(
    name: str,
    api_version: str,
    kind: str,
    object_id: pulumi.Input[str],
    fields: Sequence[str],
    opts: pulumi.ResourceOptions,
    optional: Sequence[str] = (),
) -> pulumi.Output[dict[str, Any]]:
    """Read a Kubernetes object as it is in the cluster, as plain camelCase data holding ``fields``.

    A generic read (rather than a typed ``DaemonSet.get``) serves every kind alike, the tigera Installation
    included, and gives the object in the shape the pure functions (scheduling, the eni_conf merge) work on.
    Absent fields are left out; ``optional`` fields (``status``) may be absent in a preview too. An ``object_id``
    unknown during preview skips the read (its outputs stay unknown), which is how reads of objects the addon has
    yet to create wait for it.
    """
    live = pulumi.CustomResource(
        f"kubernetes:{api_version}:{kind}",
        name,
        dict.fromkeys((*_IDENTITY, *fields, *optional)),
        pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=object_id)),
    )
    outputs = {f: getattr(live, f) for f in fields}
    for f in optional:
        # In a preview the SDK marks an output the read's response lacks as unknown: a known read of an object
        # without the field (a DaemonSet the controller has not reported on yet) must not make all of it unknown.
        outputs[f] = getattr(live, f).apply(_absent_as_none, run_with_unknowns=True)
    return pulumi.Output.all(**outputs).apply(lambda obj: {k: v for k, v in obj.items() if v is not None})


def _absent_as_none(value: Any) -> Any:
    return None if isinstance(value, Unknown) else value
