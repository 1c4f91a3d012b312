"""Keep on-prem workloads (the on-prem CNI first of all) off cloud nodes.

The required node selector is atomic under server-side apply, so a patch replaces it whole: each patch carries
the *merged* required affinity, computed from the live object by ``hybrid_terway.core.scheduling`` (the exclusion is
added to every existing term; nothing the object already required is lost).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from hybrid_terway.checks import after_checks
from hybrid_terway.core import constants, drift, scheduling
from hybrid_terway.core.objects import value_at
from hybrid_terway.core.settings import OnPremWorkload
from hybrid_terway.core.topology import patch_refusal
from hybrid_terway.core.vocabulary import WorkloadKind
from hybrid_terway.core.waits import OperatorWait, RolloutWait, installation_wait, rollout_wait
from hybrid_terway.live import read_live

_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"


def isolation_patch_spec(workload: OnPremWorkload, live: Mapping[str, Any], cloud_node_label: str) -> dict[str, Any]:
    """The ``spec`` of the patch that keeps ``workload`` off cloud nodes, given its live object."""
    if workload.kind is WorkloadKind.INSTALLATION:
        affinity = value_at(live, constants.TIGERA_AFFINITY_PATH)
        merged = scheduling.exclude_affinity(affinity, cloud_node_label)
        spec: dict[str, Any] = merged
        for key in reversed(constants.TIGERA_AFFINITY_PATH[1:]):
            spec = {key: spec}
        return spec
    affinity = value_at(live, ("spec", "template", "spec", "affinity"))
    required = scheduling.exclude_affinity(affinity, cloud_node_label)["nodeAffinity"][_REQUIRED]
    # Only the required node selector: the patch owns nothing else of the workload's affinity.
    return {"template": {"spec": {"affinity": {"nodeAffinity": {_REQUIRED: required}}}}}


def isolation_metadata(workload: OnPremWorkload) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": workload.name,
        "annotations": {
            constants.PATCH_FIELD_MANAGER_ANNOTATION: constants.FIELD_MANAGER,
            # Force: the manager that set the old selector (Helm's, kubectl's, the chart's operator) owns the
            # required node selector, an atomic field; without force every `up` after its apply is a 409 conflict
            # (pulumi-kubernetes await.go patchForce). The merged selector keeps every term it had.
            constants.PATCH_FORCE_ANNOTATION: "true",
        },
        # Lets the policy pack of any stack recognise this workload as on-prem only.
        "labels": {constants.PLACEMENT_LABEL: constants.PLACEMENT_ONPREM},
    }
    if workload.namespace:
        metadata["namespace"] = workload.namespace
    return metadata


def owned_fields(workload: OnPremWorkload, obj: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the fields an isolation patch owns, as ``obj`` (the live object, or a patch) holds them."""
    label = value_at(obj, ("metadata", "labels", constants.PLACEMENT_LABEL))
    if workload.kind is WorkloadKind.INSTALLATION:
        return {"affinity": value_at(obj, constants.TIGERA_AFFINITY_PATH), "label": label}
    affinity_path = ("spec", "template", "spec", "affinity", "nodeAffinity", _REQUIRED)
    return {"required": value_at(obj, affinity_path), "label": label}


@dataclass(frozen=True)
class IsolationPatch:
    """What the patch of one on-prem workload sends, given the live object."""

    spec: dict[str, Any]
    metadata: dict[str, Any]
    converged: bool
    """The live object already holds what the patch owns: the patch sends the inputs of the last run."""
    wait: RolloutWait | OperatorWait
    """The wait for the rollout it causes; for an Installation, for the operator's rollout of calico-node."""
    notice: str | None
    """What the user must do about that rollout, when it is not waited for and this run changes the template."""


def isolation_patch(workload: OnPremWorkload, live: Mapping[str, Any], cloud_node_label: str) -> IsolationPatch:
    """The patch that keeps ``workload`` off cloud nodes, from its live object: the merged affinity, the drift
    marker (``hybrid_terway.core.drift``) and the rollout wait (``hybrid_terway.core.waits``)."""
    spec = isolation_patch_spec(workload, live, cloud_node_label)
    metadata = isolation_metadata(workload)
    wanted = owned_fields(workload, {"metadata": metadata, "spec": spec})
    found = owned_fields(workload, live)
    converged = drift.canonical(found) == drift.canonical(wanted)
    metadata["annotations"][constants.DRIFT_ANNOTATION] = drift.drift_marker(converged, live, drift.fingerprint(found))
    wait: RolloutWait | OperatorWait
    if workload.kind is WorkloadKind.INSTALLATION:
        wait = installation_wait(live)
    else:
        wait = rollout_wait(workload.kind.value, live)
    metadata["annotations"].update(wait.annotations())
    selector = value_at(live, ("spec", "selector", "matchLabels"))
    notice = wait.notice(selector if isinstance(selector, Mapping) else None) if not converged else None
    return IsolationPatch(spec, metadata, converged, wait, notice)


def resource_slug(workload: OnPremWorkload) -> str:
    return workload.resource_slug


@dataclass(frozen=True)
class OnPremIsolationArgs:
    workloads: tuple[OnPremWorkload, ...]
    cloud_node_label: str
    provider: k8s.Provider
    gate: pulumi.Output[Any] | None = None
    """Resolves only when the address plan's checks pass; every patch waits for it."""


_PATCH_TYPES: dict[WorkloadKind, Any] = {
    WorkloadKind.DAEMONSET: k8s.apps.v1.DaemonSetPatch,
    WorkloadKind.DEPLOYMENT: k8s.apps.v1.DeploymentPatch,
    WorkloadKind.STATEFULSET: k8s.apps.v1.StatefulSetPatch,
}
_API_VERSIONS = {
    WorkloadKind.DAEMONSET: "apps/v1",
    WorkloadKind.DEPLOYMENT: "apps/v1",
    WorkloadKind.STATEFULSET: "apps/v1",
    WorkloadKind.INSTALLATION: constants.TIGERA_API_VERSION,
}


class OnPremIsolation(pulumi.ComponentResource):
    """One patch per on-prem workload; each carries the merged affinity read from the live object."""

    patches: list[pulumi.CustomResource]

    def __init__(self, name: str, args: OnPremIsolationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hybrid-terway:isolation:OnPremIsolation", name, None, opts)
        k8s_child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        self.patches = []
        for workload in args.workloads:
            slug = resource_slug(workload)
            api_version = _API_VERSIONS[workload.kind]
            # the whole object: who owns it (metadata) decides whether it may be patched at all; its status
            # tells how many pods a rollout replaces
            fields = ("apiVersion", "kind", "metadata", "spec")
            live = read_live(
                f"{name}-{slug}-live", api_version, workload.kind.value, workload.id, fields, k8s_child, ("status",)
            )

            def patch_of(obj: dict[str, Any], workload: OnPremWorkload = workload) -> IsolationPatch:
                refusal = patch_refusal(workload.object_ref, obj)
                if refusal:
                    raise pulumi.RunError(refusal)
                patch = isolation_patch(workload, obj, args.cloud_node_label)
                if patch.notice:
                    pulumi.log.warn(patch.notice, self)
                return patch

            rendered = live.apply(patch_of)
            spec = rendered.apply(lambda p: p.spec)
            metadata = rendered.apply(lambda p: p.metadata)
            # retain_on_delete: relinquishing the merged selector on destroy would let the workload onto
            # cloud nodes; removing the exclusion is a deliberate, documented manual step.
            patch_opts = pulumi.ResourceOptions.merge(
                k8s_child,
                pulumi.ResourceOptions(
                    retain_on_delete=True,
                    depends_on=after_checks(args.gate),
                ),
            )
            if workload.kind is WorkloadKind.INSTALLATION:
                patch: pulumi.CustomResource = k8s.apiextensions.CustomResourcePatch(
                    f"{name}-{slug}",
                    api_version=api_version,
                    kind=workload.kind.value,
                    metadata=metadata,
                    spec=spec,
                    opts=patch_opts,
                )
            else:
                patch = _PATCH_TYPES[workload.kind](f"{name}-{slug}", metadata=metadata, spec=spec, opts=patch_opts)
            self.patches.append(patch)
        self.register_outputs({"patched": [w.ref for w in args.workloads]})
