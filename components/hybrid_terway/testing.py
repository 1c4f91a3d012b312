"""Ready mocks for testing a program that uses these components, under ``pulumi.runtime.set_mocks``.

The components make three cloud look-ups (``alicloud.vpc.get_switches``, ``alicloud.ecs.get_security_groups``,
``alicloud.vpc.get_networks``; ``alicloud.cs.get_cluster_credential`` as well when no kubeconfig is given) and
read live Kubernetes objects (the ``default/kubernetes`` Service, each on-prem workload, ``kube-system/eni-config``
and the ``terway-eniip`` DaemonSet). :class:`HybridTerwayMocks` answers each of them with facts that fit the
settings you give it, so the address plan holds, and records every resource registered::

    import pulumi
    from hybrid_terway.testing import HybridTerwayMocks

    mocks = HybridTerwayMocks(pod_vswitches={"cn-hangzhou-h": ["vsw-bp1m7k2x9q4w6e8r0t2y4"]},
                              service_cidr="172.21.0.0/20")
    pulumi.runtime.set_mocks(mocks, preview=False)
    import my_program  # builds HybridTerwayNetwork(...)

    assert "alicloud:ram/user:User" in mocks.types()

The answers are stand-ins, shaped as the provider SDKs return them (pulumi-alicloud 4.0.0: ``vpc/outputs.py``
``GetSwitchesVswitchResult``, ``GetNetworksVpcResult``, ``ecs/outputs.py`` ``GetSecurityGroupsGroupResult``): they
test your program's wiring, not the cloud. Nothing here imports the provider SDKs beyond what the components do.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from hybrid_terway.core.terway_model import service_cidr_parts

GET_SWITCHES = "alicloud:vpc/getSwitches:getSwitches"
GET_SECURITY_GROUPS = "alicloud:ecs/getSecurityGroups:getSecurityGroups"
GET_NETWORKS = "alicloud:vpc/getNetworks:getNetworks"
GET_CLUSTER_CREDENTIAL = "alicloud:cs/getClusterCredential:getClusterCredential"
LOOKUPS = (GET_SWITCHES, GET_SECURITY_GROUPS, GET_NETWORKS, GET_CLUSTER_CREDENTIAL)
"""Every provider function the components call."""

VPC_ID = "vpc-mock0000000000000000"
VPC_CIDR = "192.168.0.0/16"


@dataclass(frozen=True)
class Registered:
    """One resource the program registered (or read, ``read`` true) under the mocks."""

    type: str
    name: str
    inputs: dict[str, Any]
    read: bool


@dataclass
class HybridTerwayMocks(pulumi.runtime.Mocks):
    """Mocks answering every look-up and live read of ``HybridTerwayNetwork`` and ``TerwayIdentity``.

    ``pod_vswitches``: the same zone -> vSwitch ids map the program passes (each vSwitch is placed in its zone, a
    /24 of one VPC with ``free_ips_per_vswitch`` free addresses); ``service_cidr``: the program's ``serviceCidr``
    (the ``kubernetes`` Service gets its first address); ``eni_conf``: what the live ``kube-system/eni-config``
    holds before the run.
    """

    pod_vswitches: Mapping[str, Sequence[str]] = field(default_factory=dict)
    service_cidr: str = "172.21.0.0/20"
    free_ips_per_vswitch: int = 252
    eni_conf: Mapping[str, Any] = field(default_factory=lambda: {"version": "1"})
    registered: list[Registered] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    # --- what a test asserts on -------------------------------------------------------------------

    def types(self) -> set[str]:
        """The type tokens of everything registered (reads included)."""
        return {r.type for r in self.registered}

    def of_type(self, type_: str) -> list[Registered]:
        return [r for r in self.registered if r.type == type_]

    # --- cloud look-ups -----------------------------------------------------------------------------

    def _vswitch(self, vswitch_id: str, index: int) -> dict[str, Any]:
        zone = next((z for z, ids in self.pod_vswitches.items() if vswitch_id in ids), "")
        subnet = list(ipaddress.ip_network(VPC_CIDR).subnets(new_prefix=24))[index]
        return {
            "id": vswitch_id,
            "vswitchId": vswitch_id,
            "zoneId": zone,
            "vpcId": VPC_ID,
            "cidrBlock": str(subnet),
            "availableIpAddressCount": self.free_ips_per_vswitch,
            "ipv6CidrBlock": "",
        }

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        with self._lock:
            self.calls.append(args.token)
        ids = [str(i) for i in (args.args.get("ids") or [])]
        if args.token == GET_SWITCHES:
            found = [self._vswitch(i, n) for n, i in enumerate(sorted(ids))]
            return {"ids": ids, "vswitches": found}
        if args.token == GET_SECURITY_GROUPS:
            return {"ids": ids, "groups": [{"id": i, "vpcId": VPC_ID} for i in ids]}
        if args.token == GET_NETWORKS:
            return {"ids": ids, "vpcs": [{"id": VPC_ID, "vpcId": VPC_ID, "cidrBlock": VPC_CIDR}]}
        if args.token == GET_CLUSTER_CREDENTIAL:
            kubeconfig = json.dumps({"apiVersion": "v1", "kind": "Config", "clusters": [], "users": []})
            return {"clusterId": args.args.get("clusterId"), "kubeConfig": kubeconfig, "id": "mock"}
        raise NotImplementedError(f"HybridTerwayMocks does not answer {args.token}")

    # --- resources and live reads -------------------------------------------------------------------

    def _live(self, kind: str, object_id: str) -> dict[str, Any]:
        namespace, _, name = object_id.rpartition("/")
        metadata = {"name": name, "generation": 1, **({"namespace": namespace} if namespace else {})}
        if kind == "Service":
            first = next(ipaddress.ip_network(service_cidr_parts(self.service_cidr)[0], strict=False).hosts())
            return {"metadata": metadata, "spec": {"clusterIP": str(first), "clusterIPs": [str(first)]}}
        if kind == "ConfigMap":
            return {"metadata": metadata, "data": {"eni_conf": json.dumps(dict(self.eni_conf))}}
        status = {"observedGeneration": 1, "desiredNumberScheduled": 1, "numberReady": 1, "updatedNumberScheduled": 1}
        if kind == "Installation":
            return {"metadata": metadata, "spec": {}}
        return {"metadata": metadata, "spec": {"template": {"metadata": {}, "spec": {}}}, "status": status}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        read = args.resource_id is not None and args.resource_id != ""
        with self._lock:
            self.registered.append(Registered(args.typ, args.name, dict(args.inputs), read))
        if read:
            kind = args.typ.rsplit(":", 1)[-1]
            state = {**dict(args.inputs), **self._live(kind, str(args.resource_id))}
            return str(args.resource_id), state
        state = dict(args.inputs)
        if args.typ == "alicloud:ram/accessKey:AccessKey":
            state["secret"] = f"mock-secret-of-{args.name}"
            return f"LTAImock{len(self.registered):016d}", state
        if args.typ == "alicloud:ram/user:User":
            return str(state.get("name") or args.name), state
        return f"{args.name}-id", state


def mocks_for(settings: Mapping[str, Any]) -> HybridTerwayMocks:
    """Mocks fitting a settings mapping with the stack configuration's keys (``HybridTerwayNetworkArgs``)."""
    terway = settings.get("terway") or {}
    return HybridTerwayMocks(
        pod_vswitches={zone: list(ids) for zone, ids in (terway.get("podVswitches") or {}).items()},
        service_cidr=str(terway.get("serviceCidr") or "172.21.0.0/20"),
    )


__all__ = ["LOOKUPS", "HybridTerwayMocks", "Registered", "mocks_for"]
