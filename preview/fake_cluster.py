"""A fake registered cluster: the objects the program reads and patches, seeded from ``kubectl get -o yaml``.

Without a snapshot it holds one representative on-prem node, one cloud node, the on-prem workloads the stack
names and, where the scenario has one, a representative on-prem CNI.
"""

from __future__ import annotations

import copy
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hybrid_terway import constants, scheduling, terway_model
from hybrid_terway.settings import Scenario, Settings, WorkloadKind
from hybrid_terway.ssa import apply_patch
from preview.snapshot import SnapshotError, load_snapshot  # noqa: F401  (loading lives in preview.snapshot)

Key = tuple[str, str, str]  # kind, namespace ("" when cluster-scoped), name

WORKLOAD_KINDS = ("DaemonSet", "Deployment", "StatefulSet", "Installation")


class ClusterError(Exception):
    """What the API server would refuse (a missing object, a patch of nothing)."""


def key_of(obj: Mapping[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    return str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name"))


def parse_type_token(token: str) -> tuple[str, str, bool]:
    """``kubernetes:apps/v1:DaemonSetPatch`` -> (``apps/v1``, ``DaemonSet``, True)."""
    _, group_version, kind = token.split(":", 2)
    api_version = group_version.removeprefix("core/")
    patch = kind.endswith("Patch")
    return api_version, kind.removesuffix("Patch") if patch else kind, patch


@dataclass
class FakeCluster:
    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)

    # --- seeding -------------------------------------------------------------------------------------

    @classmethod
    def of(cls, objects: Iterable[Mapping[str, Any]]) -> FakeCluster:
        cluster = cls()
        for obj in objects:
            cluster.objects[key_of(obj)] = copy.deepcopy(dict(obj))
        return cluster

    @classmethod
    def representative(cls, settings: Settings) -> FakeCluster:
        """One on-prem node, one cloud node, the named on-prem workloads and the scenario's on-prem CNI."""
        label_key, label_value = constants.split_label(settings.cloud_node_label)
        zone = next(iter(settings.terway.pod_vswitches)) if settings.terway else "cn-hangzhou-h"
        region = zone.rsplit("-", 1)[0]
        objects: list[dict[str, Any]] = [
            make_node("onprem-node-1", {}),
            make_node(f"{region}.192.168.0.10", {label_key: label_value, "topology.kubernetes.io/zone": zone}),
        ]
        workloads = list(settings.workloads)
        for workload in workloads:
            objects.append(make_workload(workload.kind.value, workload.namespace, workload.name))
        has_cni = any(w.is_known_cni for w in workloads)
        if settings.scenario is Scenario.BGP and not has_cni:
            objects.append(make_workload("DaemonSet", "kube-system", "calico-node"))
        if settings.terway is not None:
            # Every cluster has it; the program reads it. Its ClusterIP is the service range's first address.
            first = ipaddress.ip_network(settings.terway.service_cidr.split(",")[0].strip(), strict=False)
            objects.append(make_kubernetes_service(str(first[1])))
        if settings.scenario is Scenario.OVERLAY:
            flannel = make_workload("DaemonSet", "kube-flannel", "kube-flannel-ds")
            flannel["spec"]["template"]["spec"]["affinity"] = _linux_only_affinity()
            objects.append(flannel)
        return cls.of(objects)

    def copy(self) -> FakeCluster:
        """The cluster as it is now, kept as it is while this one changes.

        Objects are never changed in place (``apply`` and ``install_addon`` store new ones), so sharing them is
        safe and costs nothing on a large snapshot.
        """
        return FakeCluster(dict(self.objects))

    # --- queries -------------------------------------------------------------------------------------

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.objects.get((kind, namespace, name))

    def nodes(self) -> list[dict[str, Any]]:
        return sorted((o for k, o in self.objects.items() if k[0] == "Node"), key=lambda o: o["metadata"]["name"])

    def workloads(self) -> list[dict[str, Any]]:
        return sorted(
            (o for k, o in self.objects.items() if k[0] in WORKLOAD_KINDS and scheduling.pod_spec_of(o) is not None),
            key=key_of,
        )

    # --- the API server, as the program's provider sees it -------------------------------------------

    def read(self, token: str, object_id: str) -> dict[str, Any]:
        api_version, kind, _ = parse_type_token(token)
        namespace, _, name = object_id.rpartition("/")
        obj = self.get(kind, namespace, name)
        if obj is None:
            where = f"{namespace}/{name}" if namespace else name
            raise ClusterError(f"{kind} {where} ({api_version}) does not exist in the cluster")
        return copy.deepcopy(obj)

    def apply(self, token: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """A Patch resource patches an existing object; a plain resource is created or upserted."""
        api_version, kind, patch = parse_type_token(token)
        body = {k: v for k, v in inputs.items() if k not in ("apiVersion", "kind")}
        meta = body.get("metadata") or {}
        key = (kind, str(meta.get("namespace") or ""), str(meta.get("name")))
        live = self.objects.get(key)
        if patch and live is None:
            where = f"{key[1]}/{key[2]}" if key[1] else key[2]
            raise ClusterError(f"cannot patch {kind} {where}: it does not exist in the cluster")
        base = live if live is not None else {"apiVersion": api_version, "kind": kind}
        merged = apply_patch(base, body)
        if kind == "Secret" and "stringData" in merged:
            merged.setdefault("data", {}).update(merged.pop("stringData"))
        self.objects[key] = merged
        return copy.deepcopy(merged)

    def install_addon(self, name: str, cloud_node_label: str) -> None:
        """What the ACK addon manager creates for terway-eniip on a registered cluster."""
        if name != constants.TERWAY_ADDON:
            return
        ns = constants.TERWAY_NAMESPACE
        if (("ConfigMap", ns, constants.ENI_CONFIG_MAP)) not in self.objects:
            self.objects[("ConfigMap", ns, constants.ENI_CONFIG_MAP)] = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": constants.ENI_CONFIG_MAP, "namespace": ns},
                "data": {
                    constants.CNI_CONF_KEY: json.dumps({"cniVersion": "0.3.0", "name": "terway", "type": "terway"}),
                    constants.ENI_CONF_KEY: json.dumps(
                        {terway_model.VERSION: "1", terway_model.MAX_POOL_SIZE: 5, terway_model.MIN_POOL_SIZE: 0}
                    ),
                },
            }
        if ("DaemonSet", ns, constants.TERWAY_DAEMONSET) not in self.objects:
            key, value = constants.split_label(cloud_node_label)
            terway = make_workload("DaemonSet", ns, constants.TERWAY_DAEMONSET)
            pod = terway["spec"]["template"]["spec"]
            pod["nodeSelector"] = {key: value}
            pod["tolerations"] = [{"operator": "Exists"}]
            pod["hostNetwork"] = True
            self.objects[("DaemonSet", ns, constants.TERWAY_DAEMONSET)] = terway


def make_node(name: str, labels: Mapping[str, str]) -> dict[str, Any]:
    base = {"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {**base, **labels}}}


def make_kubernetes_service(cluster_ip: str) -> dict[str, Any]:
    """The API server's ``default/kubernetes`` Service with the given ClusterIP."""
    namespace, name = constants.KUBERNETES_SERVICE_ID.split("/")
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "labels": {"component": "apiserver"}},
        "spec": {
            "clusterIP": cluster_ip,
            "clusterIPs": [cluster_ip],
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            "type": "ClusterIP",
        },
    }


def _linux_only_affinity() -> dict[str, Any]:
    term = {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}}


def make_workload(kind: str, namespace: str | None, name: str) -> dict[str, Any]:
    if kind == WorkloadKind.INSTALLATION.value:
        return {
            "apiVersion": constants.TIGERA_API_VERSION,
            "kind": kind,
            "metadata": {"name": name},
            "spec": {"calicoNodeDaemonSet": {"spec": {"template": {"spec": {}}}}},
        }
    labels = {"app": name}
    obj: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": {
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "containers": [{"name": name, "image": f"registry.example.com/{name}:stable"}],
                },
            },
        },
    }
    if kind == "StatefulSet":
        obj["spec"]["serviceName"] = name
    return obj
