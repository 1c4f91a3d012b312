"""The top-level component: the container network of one ACK One registered cluster.

No ``from __future__ import annotations`` here: the component package infers its schema from this module's
annotations at runtime (``hybrid_terway.package``).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, overload

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from hybrid_terway.args import HybridTerwayNetworkArgs, holds_output, plain_values
from hybrid_terway.checks import log_checked
from hybrid_terway.config import ConfigError, validate_settings
from hybrid_terway.core import constants
from hybrid_terway.core.address_plan import (
    AddressPlan,
    CloudFacts,
    ClusterFacts,
    SecurityGroupFact,
    VpcFact,
    VSwitchFact,
    kubernetes_service_ips,
    plan_addresses,
    setting_cidrs,
)
from hybrid_terway.core.problems import Problem
from hybrid_terway.core.settings import SECRET_KEYS, Settings, inputs_of
from hybrid_terway.gate import cloud_node_gate
from hybrid_terway.interconnect_wiring import build_interconnect
from hybrid_terway.invokes import invoke_output
from hybrid_terway.isolation import OnPremIsolation, OnPremIsolationArgs
from hybrid_terway.live import read_live
from hybrid_terway.ram import TerwayIdentity, TerwayIdentityArgs
from hybrid_terway.terway import TerwayNetwork, TerwayNetworkArgs


@dataclass(frozen=True)
class StackSecrets:
    """Secret stack configuration, kept as Pulumi secrets from the moment it is read."""

    kubeconfig: pulumi.Output[str] | None = None
    access_key_secret: pulumi.Output[str] | None = None

    @staticmethod
    def from_config(config: pulumi.Config) -> "StackSecrets":
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
        # every rollout wait of the run is bounded below it (hybrid_terway.core.waits)
        temporary_duration_minutes=constants.KUBECONFIG_LIFETIME_MINUTES,
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    return pulumi.Output.secret(credential.kube_config)


def settings_from_args(args: Mapping[str, Any]) -> tuple[Settings, StackSecrets]:
    """The component's inputs (``HybridTerwayNetworkArgs``) as validated settings and secrets, or ConfigError.

    The same model validates them as the stack configuration. The non-secret inputs decide which resources exist
    and how they are named, so they must be plain values, known before the deployment; the secrets may be
    outputs of other resources, and stay secrets.
    """
    subject = inputs_of("HybridTerwayNetwork")
    problems = [
        Problem(
            key,
            f"{key}: must be a plain value known before the deployment (it decides which "
            "resources exist), not an output of another resource or a secret",
        )
        for key, value in args.items()
        if key not in SECRET_KEYS and holds_output(value)
    ]
    if problems:
        raise ConfigError(problems, subject)
    kubeconfig, access_key_secret = args.get("kubeconfig"), args.get("accessKeySecret")
    settings = validate_settings(
        {
            **{key: plain_values(value) for key, value in args.items() if key not in SECRET_KEYS},
            "hasKubeconfig": kubeconfig is not None,
            "hasAccessKeySecret": access_key_secret is not None,
        },
        subject,
    )
    secrets = StackSecrets(
        kubeconfig=None if kubeconfig is None else pulumi.Output.secret(kubeconfig),
        access_key_secret=None if access_key_secret is None else pulumi.Output.secret(access_key_secret),
    )
    return settings, secrets


# Provider functions, called by token with the engine's argument and result names (camelCase), exactly as the
# generated pulumi_alicloud 4.0.0 functions call them: vpc/get_switches.py (alicloud.vpc.get_switches_output),
# ecs/get_security_groups.py (alicloud.ecs.get_security_groups_output), vpc/get_networks.py
# (alicloud.vpc.get_networks_output). Their results: vpc/outputs.py GetSwitchesVswitchResult, GetNetworksVpcResult,
# ecs/outputs.py GetSecurityGroupsGroupResult; called through hybrid_terway.invokes (why: its docstring).
GET_SWITCHES = "alicloud:vpc/getSwitches:getSwitches"
GET_SECURITY_GROUPS = "alicloud:ecs/getSecurityGroups:getSecurityGroups"
GET_NETWORKS = "alicloud:vpc/getNetworks:getNetworks"


def read_cloud_facts(settings: Settings, parent: pulumi.Resource) -> pulumi.Output[CloudFacts]:
    """The stack's pod vSwitches and security groups as the cloud has them, and their VPCs (provider invokes).

    Both listings are filtered by the ids the stack names (the provider drops ids that do not exist); the VPCs
    are those the found vSwitches and groups are in.
    """
    assert settings.terway is not None
    vswitch_ids = sorted({v for ids in settings.terway.pod_vswitches.values() for v in ids})
    switches = invoke_output(GET_SWITCHES, {"ids": vswitch_ids}, parent)
    groups = invoke_output(GET_SECURITY_GROUPS, {"ids": list(settings.terway.security_group_ids)}, parent)

    def with_vpcs(found: list[Any]) -> pulumi.Output[CloudFacts]:
        vswitches = tuple(
            VSwitchFact(
                id=str(v.get("vswitchId") or v.get("id")),
                zone_id=str(v.get("zoneId") or ""),
                vpc_id=str(v.get("vpcId") or ""),
                cidr_block=str(v.get("cidrBlock") or ""),
                available_ips=int(v.get("availableIpAddressCount") or 0),
                ipv6_cidr_block=str(v.get("ipv6CidrBlock") or ""),
            )
            for v in (found[0] or {}).get("vswitches") or []
        )
        security_groups = tuple(
            SecurityGroupFact(id=str(g.get("id")), vpc_id=str(g.get("vpcId") or ""))
            for g in (found[1] or {}).get("groups") or []
        )
        vpc_ids = sorted({v.vpc_id for v in vswitches if v.vpc_id} | {g.vpc_id for g in security_groups if g.vpc_id})
        if not vpc_ids:
            return pulumi.Output.from_input(CloudFacts(vswitches, security_groups, ()))
        return invoke_output(GET_NETWORKS, {"ids": vpc_ids}, parent).apply(
            lambda result: CloudFacts(
                vswitches,
                security_groups,
                tuple(
                    VpcFact(
                        id=str(n.get("vpcId") or n.get("id")),
                        cidr_blocks=(str(n.get("cidrBlock") or ""), *(n.get("secondaryCidrBlocks") or [])),
                    )
                    for n in (result or {}).get("vpcs") or []
                ),
            )
        )

    return pulumi.Output.all(switches, groups).apply(with_vpcs)


def read_kubernetes_service(name: str, opts: pulumi.ResourceOptions) -> pulumi.Output[dict[str, Any]]:
    """The ``default/kubernetes`` Service as it is in the cluster: its ClusterIP is the service range's first."""
    live = read_live(name, "core/v1", "Service", constants.KUBERNETES_SERVICE_ID, ("spec",), opts)
    return live.apply(lambda obj: {"spec": obj.get("spec") or {}})


def checked_address_plan(
    settings: Settings, cloud: pulumi.Output[CloudFacts], service: pulumi.Output[dict[str, Any]]
) -> pulumi.Output[AddressPlan]:
    """The address plan, resolving only when every hard check passes (otherwise it fails with AddressPlanError).

    Whatever changes the cluster or installs the addon depends on this Output, so a failed check stops the run
    before any of it is sent.
    """
    assert settings.terway is not None
    terway = settings.terway

    def check(facts: list[Any]) -> AddressPlan:
        cluster = ClusterFacts(
            kubernetes_service_ips=kubernetes_service_ips(facts[1]),
            on_prem_pod_cidrs=tuple(setting_cidrs(settings.on_prem_pod_cidrs)),
        )
        plan = plan_addresses(terway, facts[0], cluster)
        log_checked("address plan", plan.errors, plan.capacity_lines, plan.warnings)
        return plan

    return pulumi.Output.all(cloud, service).apply(check)


class HybridTerwayNetwork(pulumi.ComponentResource):
    """The container network of an ACK One registered cluster: Terway on cloud nodes, on-prem workloads kept off them.

    Its inputs (scenario, cluster id, cloud-node label) are visible to the policy pack, which uses them to judge
    what the stack as a whole must leave running on each kind of node.
    """

    # The annotated attributes are the component's outputs in the package schema (hybrid_terway.package).
    scenario: str
    """The scenario: overlay, bgp or host."""
    cluster_id: str
    """The registered cluster."""
    on_prem_workloads: list[str]
    """The workloads kept off cloud nodes, as 'Kind namespace/name'."""
    ready_for_cloud_nodes: pulumi.Output[bool]
    """True once every isolation patch and Terway's configuration is applied: add cloud nodes only then."""
    terway_ram_user: pulumi.Output[str] | None
    """The RAM user Terway acts as (bgp and host with credentials.source managed)."""
    terway_access_key_id: pulumi.Output[str] | None
    """The id of the AccessKey Terway is given (bgp and host); its secret never leaves the component."""

    @overload
    def __init__(
        self, name: str, args: Settings, secrets: StackSecrets, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """From validated settings and the stack's secrets (a Python program, as ``__main__.py`` does)."""

    @overload
    def __init__(self, name: str, args: HybridTerwayNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """From the package's inputs (any Pulumi language, through the component package), secrets included."""

    # The schema is inferred from this signature's ``args`` annotation, which must name the inputs' type alone.
    def __init__(  # type: ignore[misc]
        self,
        name: str,
        args: HybridTerwayNetworkArgs,
        secrets: StackSecrets | pulumi.ResourceOptions | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if isinstance(args, Settings):
            if not isinstance(secrets, StackSecrets):
                raise TypeError("HybridTerwayNetwork(name, settings, secrets, opts): secrets must be StackSecrets")
            settings = args
        else:
            if isinstance(secrets, pulumi.ResourceOptions):  # (name, args, opts), as the package host calls it
                opts = secrets
            elif secrets is not None:
                raise TypeError("HybridTerwayNetwork(name, args, opts): kubeconfig and accessKeySecret go in args")
            settings, secrets = settings_from_args(args)
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
                legacy_actions=creds.legacy_ram_actions,
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
            # A key switch changes the Secret's data: updated in place. Without this the provider plans a replace
            # of any Secret whose type, data or stringData changes (pulumi-kubernetes provider/pkg/provider/diff.go
            # forceNewProperties, at 94977969): every key switch would show as a replace of the shared Secret.
            enable_secret_mutable=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The network plan is checked against the cloud and the cluster before anything changes: every patch and
        # the addon wait for the checked plan, so a failed check stops the run with nothing applied.
        self.address_plan: pulumi.Output[AddressPlan] | None = None
        if settings.terway is not None:
            self.address_plan = checked_address_plan(
                settings,
                read_cloud_facts(settings, self),
                read_kubernetes_service(
                    f"{name}-kubernetes-service", pulumi.ResourceOptions(parent=self, provider=self.provider)
                ),
            )
        # The interconnect (bgp, hybrid-terway:interconnect): checked through invokes now; what `manage` adds waits
        # for the checked plan and is in readyForCloudNodes.
        self.interconnect = build_interconnect(name, settings, self, self.provider, self.address_plan)
        self.isolation = OnPremIsolation(
            f"{name}-isolation",
            OnPremIsolationArgs(settings.workloads, settings.cloud_node_label, self.provider, gate=self.address_plan),
            opts=pulumi.ResourceOptions(parent=self),
        )
        gates: list[pulumi.Output[str]] = [p.id for p in self.isolation.patches]
        gates += self.interconnect.gates if self.interconnect is not None else []

        self.identity: TerwayIdentity | None = None
        self.terway: TerwayNetwork | None = None
        self.terway_ram_user = None
        self.terway_access_key_id = None
        if settings.terway is not None and creds is not None:
            if identity_args is not None:
                self.identity = TerwayIdentity(f"{name}-identity", identity_args, pulumi.ResourceOptions(parent=self))
                self.terway_ram_user = self.identity.user.name
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
                    gate=self.address_plan,
                ),
                pulumi.ResourceOptions(parent=self),
            )
            gates += [r.id for r in self.terway.configuration]
            self.terway_access_key_id = pulumi.Output.from_input(key_id)

        # What a node pool depends on: created once every patch above is applied and rolled out, and once what
        # `interconnect: manage` adds (routes, BGP networks, ingress rules, no-NAT pools) is in place.
        self.cloud_node_gate = cloud_node_gate(
            f"{name}-cloud-node-gate",
            settings,
            [
                *self.isolation.patches,
                *(self.terway.configuration if self.terway else []),
                *(self.interconnect.resources if self.interconnect else []),
            ],
            self.provider,
            self,
        )
        gates.append(self.cloud_node_gate.id)

        self.scenario = settings.scenario.value
        self.cluster_id = settings.cluster_id
        self.on_prem_workloads = [w.ref for w in settings.workloads]
        self.ready_for_cloud_nodes = pulumi.Output.all(*gates).apply(lambda _: True)
        # The engine shows a component's registered outputs to stack policies: keep the scenario visible there.
        outputs: dict[str, Any] = {
            **visible,
            "onPremWorkloads": self.on_prem_workloads,
            "readyForCloudNodes": self.ready_for_cloud_nodes,
            "cloudNodeGate": self.cloud_node_gate.id,
        }
        if self.terway_ram_user is not None:
            outputs["terwayRamUser"] = self.terway_ram_user
        if self.terway_access_key_id is not None:
            outputs["terwayAccessKeyId"] = self.terway_access_key_id
        self.register_outputs(outputs)
