"""Terway on the cloud nodes: the addon, its ``eni_conf``, its credentials and its placement.

The rendering (``render_eni_conf``, ``restart_token``, the patch bodies) is pure; ``TerwayNetwork`` only wires
the results into resources in the order Terway needs them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from hybrid_terway import constants
from hybrid_terway.settings import TerwaySettings


@dataclass(frozen=True)
class Credentials:
    """The key Terway uses. ``secret`` is plain only inside an apply; it never leaves one unwrapped."""

    access_key_id: str
    secret: str


def render_eni_conf(terway: TerwaySettings, cluster_id: str, credentials: Credentials | None) -> str:
    """Terway's daemon configuration (``eni_conf``) as canonical JSON.

    ``credentials`` is given only when they are kept in the ConfigMap (``store: configmap``); otherwise the
    access fields stay empty and Terway takes the key from ``kube-system/alibaba-addon-secret``.
    """
    conf: dict[str, Any] = {
        "version": "1",
        "vswitches": {zone: list(ids) for zone, ids in sorted(terway.pod_vswitches.items())},
        "vswitch_selection_policy": terway.vswitch_selection_policy,
        "service_cidr": terway.service_cidr,
        "eni_tags": {constants.ENI_TAG_CLUSTER: cluster_id},
        "max_pool_size": terway.max_pool_size,
        "min_pool_size": terway.min_pool_size,
        "ip_stack": terway.ip_stack,
        "access_key": credentials.access_key_id if credentials else "",
        "access_secret": credentials.secret if credentials else "",
    }
    groups = list(terway.security_group_ids)
    if len(groups) == 1:
        conf["security_group"] = groups[0]
    else:
        conf["security_groups"] = groups
    return json.dumps(conf, indent=2, sort_keys=True) + "\n"


def addon_config(terway: TerwaySettings) -> str:
    """The addon configuration the console sends for the IPvlan choice.

    Always explicit, "false" included: the addon merges its config server side, so leaving the key out would
    never turn IPvlan off again.
    """
    return json.dumps({"IPVlan": "true" if terway.ipvlan else "false"}, sort_keys=True)


def restart_token(eni_conf_without_secret: str, access_key_id: str) -> str:
    """Pod-template annotation value: changes exactly when Terway's configuration or active key changes.

    Built from the rendered config with the secret left out and from the key *id*, never from the secret.
    """
    digest = hashlib.sha256(f"{eni_conf_without_secret}\0{access_key_id}".encode()).hexdigest()
    return digest[:16]


def patch_annotations() -> dict[str, str]:
    """Pinned field manager for patches of objects this program does not own (so re-runs own the same fields)."""
    return {constants.PATCH_FIELD_MANAGER_ANNOTATION: constants.FIELD_MANAGER}


def terway_placement_spec(cloud_node_label: str, token: str) -> dict[str, Any]:
    """The DaemonSet patch body: Terway only on cloud nodes, and a template annotation that rolls its pods."""
    key, value = constants.split_label(cloud_node_label)
    return {
        "template": {
            "metadata": {"annotations": {constants.RESTART_ANNOTATION: token}},
            "spec": {"nodeSelector": {key: value}},
        }
    }


@dataclass(frozen=True)
class TerwayNetworkArgs:
    cluster_id: str
    terway: TerwaySettings
    store: str  # "secret" | "configmap"
    cloud_node_label: str
    access_key_id: pulumi.Input[str]
    access_key_secret: pulumi.Input[str]
    provider: k8s.Provider
    after: Sequence[pulumi.Resource] = ()
    """What must be in place before the addon goes in (the on-prem isolation, in bgp)."""


class TerwayNetwork(pulumi.ComponentResource):
    """Installs terway-eniip, configures ``eni_conf`` and credentials, pins Terway to cloud nodes and restarts it."""

    def __init__(self, name: str, args: TerwayNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hybrid-terway:terway:TerwayNetwork", name, None, opts)
        k8s_child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        terway = args.terway

        self.addon = alicloud.cs.KubernetesAddon(
            f"{name}-addon",
            name=constants.TERWAY_ADDON,  # always explicit: the addon is looked up by name
            cluster_id=args.cluster_id,
            version=terway.version,
            config=addon_config(terway),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.after)),
        )

        key_id = pulumi.Output.from_input(args.access_key_id)
        secret = pulumi.Output.secret(args.access_key_secret)
        in_configmap = args.store == "configmap"
        blank = render_eni_conf(terway, args.cluster_id, None)  # eni_conf without credentials
        if in_configmap:
            pulumi.log.warn(
                "credentials.store is 'configmap': the AccessKey secret sits in plain text in ConfigMap "
                "kube-system/eni-config, readable by anyone who can read ConfigMaps there; prefer store 'secret'",
                self,
            )
            # The whole eni_conf value carries the secret, so the whole value is a Pulumi secret.
            eni_conf_value: pulumi.Input[str] = pulumi.Output.secret(
                pulumi.Output.all(key_id, secret).apply(
                    lambda v: render_eni_conf(terway, args.cluster_id, Credentials(v[0], v[1]))
                )
            )
        else:
            eni_conf_value = blank

        # The addon creates eni-config; this patch owns only the eni_conf key (10-terway.conf stays the addon's).
        # retain_on_delete: relinquishing the field on destroy would erase eni_conf and break Terway.
        self.eni_config = k8s.core.v1.ConfigMapPatch(
            f"{name}-eni-config",
            metadata={
                "name": constants.ENI_CONFIG_MAP,
                "namespace": constants.TERWAY_NAMESPACE,
                "annotations": patch_annotations(),
            },
            data={constants.ENI_CONF_KEY: eni_conf_value},
            opts=pulumi.ResourceOptions.merge(
                k8s_child, pulumi.ResourceOptions(depends_on=[self.addon], retain_on_delete=True)
            ),
        )

        restart_inputs: list[pulumi.CustomResource] = [self.eni_config]
        self.addon_secret: k8s.core.v1.Secret | None = None
        if not in_configmap:
            # Terway prefers this Secret over eni_conf; it is read raw, so no trailing newline.
            # The Secret may exist already (every addon of a registered cluster may read it): the provider
            # upserts it, and retain_on_delete keeps it for those addons when this stack is destroyed.
            self.addon_secret = k8s.core.v1.Secret(
                f"{name}-credentials",
                metadata={
                    "name": constants.ADDON_SECRET,
                    "namespace": constants.TERWAY_NAMESPACE,
                    "annotations": patch_annotations(),
                },
                type="Opaque",
                string_data={
                    constants.ADDON_SECRET_ID_KEY: key_id,
                    constants.ADDON_SECRET_SECRET_KEY: secret,
                },
                opts=pulumi.ResourceOptions.merge(
                    k8s_child, pulumi.ResourceOptions(depends_on=[self.addon], retain_on_delete=True)
                ),
            )
            restart_inputs.append(self.addon_secret)

        token = key_id.apply(lambda kid: restart_token(blank, kid))
        # Terway reads its configuration once at start: a new template annotation rolls its pods after the
        # config and the credentials are in place, and only when one of them changed.
        self.placement = k8s.apps.v1.DaemonSetPatch(
            f"{name}-daemonset",
            metadata={
                "name": constants.TERWAY_DAEMONSET,
                "namespace": constants.TERWAY_NAMESPACE,
                "annotations": {**patch_annotations(), constants.PATCH_FORCE_ANNOTATION: "true"},
            },
            spec=token.apply(lambda t: terway_placement_spec(args.cloud_node_label, t)),
            opts=pulumi.ResourceOptions.merge(
                k8s_child, pulumi.ResourceOptions(depends_on=restart_inputs, retain_on_delete=True)
            ),
        )
        self.configuration: list[pulumi.CustomResource] = [*restart_inputs, self.placement]
        """Everything Terway reads, and its restart: what a cloud node needs before it joins."""
        self.register_outputs({"addonId": self.addon.id, "restartToken": token})
