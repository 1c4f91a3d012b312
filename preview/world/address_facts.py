"""The cluster side of the offline preview's address plan, read from the fake cluster (a snapshot or representative).

With a snapshot the preview knows more than a real run reads: the Calico IPPools (``crd.projectcalico.org/v1``
``IPPool``: ``spec.cidr``, pools with ``spec.disabled: true`` skipped), kubeadm's ``ClusterConfiguration`` in
``kube-system/kubeadm-config`` (``networking.podSubnet``, ``networking.serviceSubnet``), the on-prem nodes'
``InternalIP`` addresses and how many cloud nodes each zone has. All of it goes through the same checks as the
program's (``hybrid_terway.core.address_plan``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from hybrid_terway.core import constants, topology
from hybrid_terway.core.address_plan import (
    AddressPlan,
    CloudFacts,
    ClusterFacts,
    NodeAddress,
    SourcedCidr,
    kubernetes_service_ips,
    plan_addresses,
    service_ranges,
    setting_cidrs,
)
from hybrid_terway.core.settings import Settings
from preview.safe_yaml import YamlInputError, load_documents
from preview.world.fake_cluster import FakeCluster, make_kubernetes_service
from preview.world.snapshot import SnapshotError

IPPOOL_API_VERSIONS = ("crd.projectcalico.org/v1", "projectcalico.org/v3")
"""``kubectl get ippools.crd.projectcalico.org`` gives the first; Calico's API server serves the second."""

KUBEADM_CONFIG = ("ConfigMap", "kube-system", "kubeadm-config")


def _valid_cidr(value: Any) -> bool:
    try:
        ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        return False
    return isinstance(value, str)


def kubernetes_service(settings: Settings, cluster: FakeCluster) -> tuple[dict[str, Any], bool]:
    """The cluster's ``default/kubernetes`` Service, and whether it was assumed.

    A snapshot taken without services lacks it, while every real cluster has it: the preview then assumes the
    service range's first address as its ClusterIP (the check is then reported as not done).
    """
    namespace, name = constants.KUBERNETES_SERVICE_NAMESPACE, constants.KUBERNETES_SERVICE_NAME
    live = cluster.get("Service", namespace, name)
    if live is not None:
        return live, False
    first = next(iter(service_ranges(settings.terway.service_cidr))) if settings.terway else None
    return make_kubernetes_service(str(first[1]) if first is not None else "10.96.0.1"), True


def _ippool_cidrs(cluster: FakeCluster) -> list[SourcedCidr]:
    found = []
    for (kind, _, name), obj in sorted(cluster.objects.items()):
        if kind != "IPPool" or obj.get("apiVersion") not in IPPOOL_API_VERSIONS:
            continue
        spec = obj.get("spec") if isinstance(obj.get("spec"), Mapping) else {}
        assert isinstance(spec, Mapping)
        if spec.get("disabled") is True:
            continue
        if not _valid_cidr(spec.get("cidr")):
            raise SnapshotError(
                f"IPPool {name}: spec.cidr = {spec.get('cidr')!r}: must be a CIDR such as 10.244.0.0/16"
            )
        found.append(SourcedCidr(str(spec["cidr"]), f"Calico IPPool {name}"))
    return found


def _kubeadm_networking(cluster: FakeCluster) -> Mapping[str, Any]:
    config_map = cluster.get(*KUBEADM_CONFIG)
    if config_map is None:
        return {}
    text = (config_map.get("data") or {}).get("ClusterConfiguration")
    if not isinstance(text, str):
        return {}
    where = "ConfigMap kube-system/kubeadm-config data.ClusterConfiguration"
    try:
        documents = load_documents(text, where)
    except YamlInputError as exc:
        raise SnapshotError(str(exc)) from None
    networking = documents[0].get("networking") if documents and isinstance(documents[0], Mapping) else None
    if networking is None:
        return {}
    if not isinstance(networking, Mapping):
        raise SnapshotError(f"{where}: networking must be a map")
    for key in ("podSubnet", "serviceSubnet"):
        value = networking.get(key)
        if value is not None and not (isinstance(value, str) and all(_valid_cidr(p.strip()) for p in value.split(","))):
            raise SnapshotError(f"{where}: networking.{key} = {value!r}: must be CIDRs separated by commas")
    return networking


def cluster_facts(settings: Settings, cluster: FakeCluster) -> ClusterFacts:
    """What the preview knows about the cluster's addresses. Raises SnapshotError on a malformed object."""
    service, assumed = kubernetes_service(settings, cluster)
    pod_cidrs = setting_cidrs(settings.on_prem_pod_cidrs) + _ippool_cidrs(cluster)
    networking = _kubeadm_networking(cluster)
    if networking.get("podSubnet"):
        pod_cidrs += [
            SourcedCidr(p.strip(), "kubeadm-config ClusterConfiguration networking.podSubnet")
            for p in str(networking["podSubnet"]).split(",")
        ]
    addresses = []
    per_zone: dict[str, int] = {}
    for node in cluster.nodes():
        name = str(node["metadata"]["name"])
        if topology.is_cloud_node(node, settings.cloud_node_label):
            labels = node["metadata"].get("labels") or {}
            zone = next((labels[k] for k in constants.CLOUD_NODE_ZONE_LABELS if labels.get(k)), None)
            if zone is not None:
                per_zone[str(zone)] = per_zone.get(str(zone), 0) + 1
            continue
        status = node.get("status") if isinstance(node.get("status"), Mapping) else {}
        assert isinstance(status, Mapping)
        for entry in status.get("addresses") or []:
            if isinstance(entry, Mapping) and entry.get("type") == "InternalIP":
                try:
                    ipaddress.ip_address(str(entry.get("address")))
                except ValueError:
                    raise SnapshotError(
                        f"Node {name}: status.addresses InternalIP {entry.get('address')!r} is not an IP address"
                    ) from None
                addresses.append(NodeAddress(name, str(entry["address"])))
    return ClusterFacts(
        kubernetes_service_ips=None if assumed else kubernetes_service_ips(service),
        kubernetes_service_source=f"Service {constants.KUBERNETES_SERVICE_ID}",
        on_prem_pod_cidrs=tuple(pod_cidrs),
        on_prem_node_addresses=tuple(addresses),
        cloud_nodes_per_zone=per_zone,
        kubeadm_service_subnet=str(networking["serviceSubnet"]) if networking.get("serviceSubnet") else None,
    )


def preview_address_plan(settings: Settings, cloud: CloudFacts, cluster: ClusterFacts) -> AddressPlan | None:
    """The address plan with everything the preview knows; None without Terway (overlay: nothing to check)."""
    if settings.terway is None:
        return None
    return plan_addresses(settings.terway, cloud, cluster)
