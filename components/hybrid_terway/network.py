"""The top-level component: the container network of one ACK One registered cluster."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from hybrid_terway import constants
from hybrid_terway.isolation import OnPremIsolation, OnPremIsolationArgs
from hybrid_terway.ram import TerwayIdentity, TerwayIdentityArgs
from hybrid_terway.settings import Settings
from hybrid_terway.terway import TerwayNetwork, TerwayNetworkArgs


@dataclass(frozen=True)
class StackSecrets:
    """Secret stack configuration, kept as Pulumi secrets from the moment it is read."""

    kubeconfig: pulumi.Output[str] | None = None
    access_key_secret: pulumi.Output[str] | None = None

    @staticmethod
    def from_config(config: pulumi.Config) -> StackSecrets:
        return StackSecrets(
            kubeconfig=config.get_secret("kubeconfig"), access_key_secret=config.get_secret("accessKeySecret")
        )


def cluster_kubeconfig(
    cluster_id: str, given: pulumi.Output[str] | None, parent: pulumi.Resource
) -> pulumi.Output[str]:
    """The given kubeconfig, or a fresh one from ACK: a fetched kubeconfig expires, so it is fetched every run."""
    if given is not None:
        return pulumi.Output.secret(given)
    credential = alicloud.cs.get_cluster_credential_output(
        cluster_id=cluster_id,
        temporary_duration_minutes=180,  # outlasts a rolling update of terway-eniip on a large node pool
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    return pulumi.Output.secret(credential.kube_config)


class HybridTerwayNetwork(pulumi.ComponentResource):
    """Terway on cloud nodes and on-prem workloads kept off them, for one scenario (overlay, bgp or host).

    Its inputs (scenario, cluster id, cloud-node label) are visible to the policy pack, which uses them to judge
    what the stack as a whole must leave running on each kind of node.
    """

    ready_for_cloud_nodes: pulumi.Output[bool]
    identity: TerwayIdentity | None
    terway: TerwayNetwork | None

    def __init__(
        self, name: str, settings: Settings, secrets: StackSecrets, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        creds = settings.effective_credentials
        # Build every argument object before registering anything, so a bad value registers nothing.
        identity_args = (
            TerwayIdentityArgs(
                user_name=settings.ram_user_name,
                policy_name=settings.ram_policy_name,
                ip_stack=settings.terway.ip_stack,
                key_slots=tuple(creds.key_slots),
                active_key=creds.active_slot,
                cluster_id=settings.cluster_id,
            )
            if creds and creds.source == "managed" and settings.terway
            else None
        )
        visible = {
            "scenario": settings.scenario.value,
            "clusterId": settings.cluster_id,
            "cloudNodeLabel": settings.cloud_node_label,
        }
        super().__init__(constants.NETWORK_COMPONENT_TYPE, name, visible, opts)
        self.provider = k8s.Provider(
            f"{name}-cluster",
            kubeconfig=cluster_kubeconfig(settings.cluster_id, secrets.kubeconfig, self),
            # The kubeconfig is new every run (fresh ACK credentials). Without a stable identifier the provider
            # may take that for another cluster and replace every patch; the cluster id is that identity.
            cluster_identifier=settings.cluster_id,
            enable_server_side_apply=True,
            # Only the shared addon Secret is a plain resource; it may already exist (see TerwayNetwork).
            upsert_existing_objects=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.isolation = OnPremIsolation(
            f"{name}-isolation",
            OnPremIsolationArgs(settings.workloads, settings.cloud_node_label, self.provider),
            opts=pulumi.ResourceOptions(parent=self),
        )
        gates: list[pulumi.Output[str]] = [p.id for p in self.isolation.patches]

        self.identity = None
        self.terway = None
        self.access_key_id: pulumi.Output[str] | None = None
        if settings.terway is not None and creds is not None:
            if identity_args is not None:
                self.identity = TerwayIdentity(f"{name}-identity", identity_args, pulumi.ResourceOptions(parent=self))
                key_id: pulumi.Input[str] = self.identity.access_key_id
                key_secret: pulumi.Input[str] = self.identity.access_key_secret
            else:
                assert creds.access_key_id is not None and secrets.access_key_secret is not None
                key_id, key_secret = creds.access_key_id, secrets.access_key_secret
            self.terway = TerwayNetwork(
                f"{name}-terway",
                TerwayNetworkArgs(
                    cluster_id=settings.cluster_id,
                    terway=settings.terway,
                    store=creds.store,
                    cloud_node_label=settings.cloud_node_label,
                    access_key_id=key_id,
                    access_key_secret=key_secret,
                    provider=self.provider,
                    # Terway lets cloud nodes in: only after the on-prem workloads are kept off them.
                    after=[self.isolation],
                ),
                pulumi.ResourceOptions(parent=self),
            )
            gates += [r.id for r in self.terway.configuration]
            self.access_key_id = pulumi.Output.from_input(key_id)

        self.ready_for_cloud_nodes = pulumi.Output.all(*gates).apply(lambda _: True)
        # The engine shows a component's registered outputs to stack policies: keep the scenario visible there.
        self.register_outputs({**visible, "readyForCloudNodes": self.ready_for_cloud_nodes})
