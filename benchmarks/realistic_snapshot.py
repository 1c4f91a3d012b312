"""A realistic ``kubectl get nodes,daemonsets,deployments,statefulsets,configmaps -A`` snapshot, in JSON or YAML.

Object sizes follow what the kubelet and the controllers write (kubernetes/kubernetes, tag v1.33.0):

- each Node carries the status the kubelet sets (``pkg/kubelet/nodestatus/setters.go``): ``addresses``
  (InternalIP, Hostname), ``capacity`` and ``allocatable`` (cpu, ephemeral-storage, hugepages-1Gi, hugepages-2Mi,
  memory, pods), five ``conditions`` (MemoryPressure, DiskPressure, PIDPressure, Ready, and the CNI's
  NetworkUnavailable) with heartbeat and transition times, ``daemonEndpoints``, ``nodeInfo`` (the fields of
  ``core/v1`` ``NodeSystemInfo`` in ``staging/src/k8s.io/api/core/v1/types.go``) and ``images``: the kubelet
  reports at most ``nodeStatusMaxImages`` images (default 50, ``pkg/kubelet/apis/config/v1beta1/defaults.go``),
  each with at most ``MaxNamesPerImageInNodeStatus`` = 5 names (``setters.go``); a node here holds ``--images``
  (default 30) images of two names each (``repo@sha256:<digest>`` and ``repo:tag``), as the container runtime
  reports them. Labels are the kubelet's well-known ones (``kubernetes.io/*``, ``node.kubernetes.io/instance-type``,
  ``topology.kubernetes.io/*``, their deprecated ``beta`` twins) plus ACK's node-pool labels; annotations those
  the kubelet, the attach/detach controller and Calico write;
- each Deployment has a full pod template (containers with image, ports, env, resources, probes, volume mounts;
  volumes), the controller's ``status`` and the ``kubectl.kubernetes.io/last-applied-configuration`` annotation
  ``kubectl apply`` leaves;
- every namespace has the ``kube-root-ca.crt`` ConfigMap (``ca.crt``: one PEM certificate, about 1.1 kB) that
  kube-controller-manager's root-CA publisher writes (``pkg/controller/certificates/rootcacertpublisher``);
- kube-system holds Calico, kube-proxy and Terway as installed on the cloud nodes, with ``eni-config``
  (``tests/data/snapshots/bgp-calico-terway-installed.yaml``), each DaemonSet with its controller's status.

``--managed-fields`` adds ``metadata.managedFields`` as ``kubectl get --show-managed-fields`` prints them (the kubelet's
status entry on each Node; kubectl's apply entry and the controller's status entry on each Deployment).

``python benchmarks/realistic_snapshot.py --nodes 5000 --deployments 1500 --format json --out cluster.json``
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TIME = "2026-11-02T08:15:42Z"
HEARTBEAT = "2026-12-03T23:59:12Z"
ZONES = ("cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j")
PEM = (
    "-----BEGIN CERTIFICATE-----\n"
    + "\n".join(("MIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl" * 1)[:64] for _ in range(17))
    + "\n-----END CERTIFICATE-----\n"
)


ROOT_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the "
    "internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes "
    "clusters."
)


def _digest(*parts: object) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


def node(i: int, cloud: bool, images: int, managed_fields: bool) -> dict[str, Any]:
    zone = ZONES[i % len(ZONES)]
    ip = (
        f"192.168.{(i // 250) % 250}.{i % 250 + 2}"
        if cloud
        else f"10.{(i // 62500) % 250}.{(i // 250) % 250}.{i % 250 + 2}"
    )
    name = f"cn-hangzhou.{ip}" if cloud else f"dc1-node-{i}"
    instance_type = "ecs.g7.2xlarge" if cloud else "physical"
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": instance_type,
        "beta.kubernetes.io/instance-type": instance_type,
    }
    if cloud:
        labels |= {
            "alibabacloud.com/external": "true",
            "alibabacloud.com/nodepool-id": f"np{_digest('pool', i // 500)[:32]}",
            "topology.kubernetes.io/region": "cn-hangzhou",
            "topology.kubernetes.io/zone": zone,
            "failure-domain.beta.kubernetes.io/region": "cn-hangzhou",
            "failure-domain.beta.kubernetes.io/zone": zone,
        }
    else:
        labels |= {"topology.example.com/rack": f"rack{i // 40}"}
    resources = {
        "cpu": "8",
        "ephemeral-storage": "123460788Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": "32614360Ki",
        "pods": "110",
    }
    allocatable = resources | {"cpu": "7800m", "ephemeral-storage": "113779267637", "memory": "29970392Ki"}
    conditions = [
        {
            "lastHeartbeatTime": HEARTBEAT,
            "lastTransitionTime": TIME,
            "message": "Calico is running on this node",
            "reason": "CalicoIsUp",
            "status": "False",
            "type": "NetworkUnavailable",
        }
    ]
    for kind, reason, message in (
        ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "KubeletReady", "kubelet is posting ready status"),
    ):
        conditions.append(
            {
                "lastHeartbeatTime": HEARTBEAT,
                "lastTransitionTime": TIME,
                "message": message,
                "reason": reason,
                "status": "True" if kind == "Ready" else "False",
                "type": kind,
            }
        )
    image_list = []
    for k in range(images):
        repo = f"registry-cn-hangzhou.ack.aliyuncs.com/team-{k % 7}/service-{k}"
        image_list.append(
            {
                "names": [f"{repo}@sha256:{_digest('image', k, i % 3)}", f"{repo}:v1.{k % 10}.{i % 3}"],
                "sizeBytes": 20_000_000 + 7919 * k,
            }
        )
    meta: dict[str, Any] = {
        "annotations": {
            "node.alpha.kubernetes.io/ttl": "0",
            "projectcalico.org/IPv4Address": f"{ip}/24",
            "projectcalico.org/IPv4IPIPTunnelAddr": f"10.{100 + i % 100}.{(i // 100) % 250}.0",
            "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        },
        "creationTimestamp": TIME,
        "labels": labels,
        "name": name,
        "resourceVersion": str(1_000_000 + i),
        "uid": _uid("node", i),
    }
    if managed_fields:
        meta["managedFields"] = [
            {
                "apiVersion": "v1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {
                    "f:status": {
                        "f:conditions": {
                            f'k:{{"type":"{c["type"]}"}}': {"f:lastHeartbeatTime": {}, "f:status": {}}
                            for c in conditions
                        },
                        "f:images": {},
                        "f:nodeInfo": {"f:bootID": {}},
                    }
                },
                "manager": "kubelet",
                "operation": "Update",
                "subresource": "status",
                "time": HEARTBEAT,
            }
        ]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta,
        "spec": {
            "podCIDR": f"10.{100 + i % 100}.{(i // 100) % 250}.0/24",
            "podCIDRs": [f"10.{100 + i % 100}.{(i // 100) % 250}.0/24"],
            **({"providerID": f"cn-hangzhou.i-bp{_digest('ecs', i)[:18]}"} if cloud else {}),
        },
        "status": {
            "addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
            "allocatable": allocatable,
            "capacity": resources,
            "conditions": conditions,
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "images": image_list,
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": _uid("boot", i),
                "containerRuntimeVersion": "containerd://1.7.22",
                "kernelVersion": "5.10.134-17.3.al8.x86_64",
                "kubeProxyVersion": "v1.33.1",
                "kubeletVersion": "v1.33.1",
                "machineID": _digest("machine", i)[:32],
                "operatingSystem": "linux",
                "osImage": "Alibaba Cloud Linux 3.2104 U11 (OpenAnolis Edition)",
                "systemUUID": _uid("system", i),
            },
        },
    }


def _uid(kind: str, i: int) -> str:
    d = _digest(kind, i)
    return f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:32]}"


def deployment(i: int, namespace: str, managed_fields: bool) -> dict[str, Any]:
    name = f"service-{i}"
    labels = {"app": name, "team": namespace}
    container = {
        "env": [{"name": f"SETTING_{k}", "value": f"value-{k}-{i}"} for k in range(8)]
        + [{"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}],
        "image": f"registry-cn-hangzhou.ack.aliyuncs.com/{namespace}/{name}:v1.{i % 10}.0",
        "imagePullPolicy": "IfNotPresent",
        "livenessProbe": {
            "failureThreshold": 3,
            "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
            "initialDelaySeconds": 10,
            "periodSeconds": 10,
            "successThreshold": 1,
            "timeoutSeconds": 1,
        },
        "name": name,
        "ports": [
            {"containerPort": 8080, "name": "http", "protocol": "TCP"},
            {"containerPort": 9090, "name": "metrics", "protocol": "TCP"},
        ],
        "readinessProbe": {
            "failureThreshold": 3,
            "httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"},
            "periodSeconds": 5,
            "successThreshold": 1,
            "timeoutSeconds": 1,
        },
        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [
            {"mountPath": "/etc/config", "name": "config", "readOnly": True},
            {"mountPath": "/var/run/secrets/tls", "name": "tls", "readOnly": True},
        ],
    }
    pod_spec = {
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}
                    ]
                }
            }
        },
        "containers": [container],
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {
                "effect": "NoExecute",
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "tolerationSeconds": 300,
            }
        ],
        "volumes": [
            {"configMap": {"defaultMode": 420, "name": f"{name}-config"}, "name": "config"},
            {"name": "tls", "secret": {"defaultMode": 420, "secretName": f"{name}-tls"}},
        ],
    }
    spec = {
        "progressDeadlineSeconds": 600,
        "replicas": 2 + i % 3,
        "revisionHistoryLimit": 10,
        "selector": {"matchLabels": {"app": name}},
        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
        "template": {"metadata": {"labels": labels}, "spec": pod_spec},
    }
    applied = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": namespace}}
    meta: dict[str, Any] = {
        "annotations": {
            "deployment.kubernetes.io/revision": str(1 + i % 5),
            "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
                {**applied, "spec": spec}, separators=(",", ":")
            )
            + "\n",
        },
        "creationTimestamp": TIME,
        "generation": 1 + i % 5,
        "labels": labels,
        "name": name,
        "namespace": namespace,
        "resourceVersion": str(2_000_000 + i),
        "uid": _uid("deployment", i),
    }
    if managed_fields:
        meta["managedFields"] = [
            {
                "apiVersion": "apps/v1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {}}}}},
                "manager": "kubectl-client-side-apply",
                "operation": "Update",
                "time": TIME,
            },
            {
                "apiVersion": "apps/v1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:status": {"f:availableReplicas": {}, "f:readyReplicas": {}}},
                "manager": "kube-controller-manager",
                "operation": "Update",
                "subresource": "status",
                "time": HEARTBEAT,
            },
        ]
    replicas = spec["replicas"]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": spec,
        "status": {
            "availableReplicas": replicas,
            "conditions": [
                {
                    "lastTransitionTime": TIME,
                    "lastUpdateTime": TIME,
                    "message": f'ReplicaSet "{name}-{_digest("rs", i)[:10]}" has successfully progressed.',
                    "reason": "NewReplicaSetAvailable",
                    "status": "True",
                    "type": "Progressing",
                },
                {
                    "lastTransitionTime": TIME,
                    "lastUpdateTime": TIME,
                    "message": "Deployment has minimum availability.",
                    "reason": "MinimumReplicasAvailable",
                    "status": "True",
                    "type": "Available",
                },
            ],
            "observedGeneration": 1 + i % 5,
            "readyReplicas": replicas,
            "replicas": replicas,
            "updatedReplicas": replicas,
        },
    }


def root_ca(namespace: str, i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "data": {"ca.crt": PEM},
        "kind": "ConfigMap",
        "metadata": {
            "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION},
            "creationTimestamp": TIME,
            "name": "kube-root-ca.crt",
            "namespace": namespace,
            "resourceVersion": str(3_000_000 + i),
            "uid": _uid("configmap", i),
        },
    }


def system_objects(nodes: int = 4, cloud_nodes: int = 2) -> list[dict[str, Any]]:
    """kube-system of a cluster running Calico and, on its cloud nodes, Terway (the test snapshot
    ``bgp-calico-terway-installed.yaml``), each DaemonSet with the status its controller writes (apps/v1
    ``DaemonSetStatus``) for the nodes it runs on, and rolling 10% of them at a time, as a large cluster runs
    them: one node at a time (the default) would outlast the provider's wait for 5,000 nodes."""
    path = ROOT / "tests/data/snapshots/bgp-calico-terway-installed.yaml"
    found = [o for o in yaml.safe_load(path.read_text())["items"] if o["kind"] != "Node"]
    for obj in found:
        if obj["kind"] != "DaemonSet":
            continue
        count = cloud_nodes if obj["metadata"]["name"] == "terway-eniip" else nodes
        obj["spec"]["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "10%"}}
        obj["status"] = {
            "currentNumberScheduled": count,
            "desiredNumberScheduled": count,
            "numberAvailable": count,
            "numberMisscheduled": 0,
            "numberReady": count,
            "observedGeneration": obj["metadata"].get("generation", 1),
            "updatedNumberScheduled": count,
        }
    return found


def objects(nodes: int, deployments: int, images: int, managed_fields: bool) -> Iterator[dict[str, Any]]:
    for i in range(nodes):
        yield node(i, cloud=i % 2 == 1, images=images, managed_fields=managed_fields)
    yield from system_objects(nodes, nodes // 2)
    namespaces = [f"team-{n}" for n in range(max(1, deployments // 5))]
    for i in range(deployments):
        yield deployment(i, namespaces[i % len(namespaces)], managed_fields)
    for n, namespace in enumerate(["default", "kube-public", "kube-node-lease", *namespaces]):
        yield root_ca(namespace, n)


class _KubectlDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """kubectl writes no anchors or aliases, and does not fold long strings."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write(path: Path, fmt: str, nodes: int, deployments: int, images: int = 30, managed_fields: bool = False) -> int:
    """Write the snapshot as ``kubectl get -A -o json`` (4-space indent) or ``-o yaml`` prints it; its size."""
    with path.open("w") as out:
        if fmt == "json":
            out.write('{\n    "apiVersion": "v1",\n    "items": [\n')
            for n, obj in enumerate(objects(nodes, deployments, images, managed_fields)):
                text = json.dumps(obj, indent=4)
                out.write((",\n" if n else "") + "\n".join("        " + line for line in text.splitlines()))
            out.write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')
        else:
            out.write("apiVersion: v1\nitems:\n")
            for obj in objects(nodes, deployments, images, managed_fields):
                out.write(yaml.dump([obj], Dumper=_KubectlDumper, default_flow_style=False, width=1 << 30))
            out.write('kind: List\nmetadata:\n  resourceVersion: ""\n')
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--deployments", type=int, default=1500)
    parser.add_argument("--images", type=int, default=30, help="images per node (the kubelet reports at most 50)")
    parser.add_argument("--format", choices=("json", "yaml"), default="json")
    parser.add_argument("--managed-fields", action="store_true", help="as kubectl get --show-managed-fields")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    size = write(args.out, args.format, args.nodes, args.deployments, args.images, args.managed_fields)
    print(f"{args.out}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
