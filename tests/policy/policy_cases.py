"""Hand-written resources for the policy pack: small stacks that each violate, or pass, one policy.

Resources are in the engine's wire form (``secret(...)`` and ``UNKNOWN`` from the harness), shaped like what
the program registers. ``view`` turns one into what a rule function sees under the SDK (secrets unwrapped,
unknown values raising ``UnknownValueError`` when touched), so the same cases feed the rule tests and the
protocol tests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml
from pulumi_policy.proxy import unknown_checking_proxy

from hybrid_terway.core import constants, terway_model
from hybrid_terway.core.scheduling import REQUIRED_AFFINITY
from policy.hybrid_terway_guard import config as pc
from policy.hybrid_terway_guard.resources import (
    CS_ADDON,
    RAM_ACCESS_KEY,
    RAM_POLICY,
    RAM_USER,
    STACK_TYPE,
    ResourceView,
)
from preview.engine.policy_harness import AnalyzerResource, make_urn, resource
from preview.engine.wire import UNKNOWN, is_secret, secret

CLOUD_KEY, CLOUD_VALUE = constants.split_label(constants.CLOUD_NODE_LABEL)
OS_LINUX: Final = {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}
EXCLUDE_CLOUD: Final = {"key": CLOUD_KEY, "operator": "NotIn", "values": [CLOUD_VALUE]}
CLOUD_ABSENT: Final = {"key": CLOUD_KEY, "operator": "DoesNotExist"}
NOT_IN_FALSE: Final = {"key": CLOUD_KEY, "operator": "NotIn", "values": ["false"]}
ONLY_CLOUD: Final = {"key": CLOUD_KEY, "operator": "In", "values": [CLOUD_VALUE]}

NETWORK: Final = constants.NETWORK_COMPONENT_TYPE
IDENTITY: Final = constants.IDENTITY_COMPONENT_TYPE
DAEMONSET: Final = "kubernetes:apps/v1:DaemonSet"
DAEMONSET_PATCH: Final = "kubernetes:apps/v1:DaemonSetPatch"
DEPLOYMENT: Final = "kubernetes:apps/v1:Deployment"
STATEFULSET_PATCH: Final = "kubernetes:apps/v1:StatefulSetPatch"
INSTALLATION: Final = f"kubernetes:{constants.TIGERA_API_VERSION}:{constants.TIGERA_INSTALLATION_KIND}"
INSTALLATION_PATCH: Final = INSTALLATION + "Patch"
CONFIG_MAP: Final = "kubernetes:core/v1:ConfigMap"
CONFIG_MAP_PATCH: Final = "kubernetes:core/v1:ConfigMapPatch"
SECRET_TYPE: Final = "kubernetes:core/v1:Secret"

CLUSTER_ID: Final = "c0123456789abcdef0123456789abcdef"
ACCESS_KEY_ID: Final = "LTAI5tExampleKeyId01"
ACCESS_KEY_SECRET: Final = "s3cr3t-Vm9sY2Fuby1Ub3AtU2VjcmV0"
"""A secret value that must never reach a violation message."""
POLICY_DOCUMENT_SECRET: Final = "wDKq-policy-doc-secret-marker"


# --- building blocks ---------------------------------------------------------------------------------


def required(*terms: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An ``affinity`` whose required node affinity has one term per argument (each a list of expressions)."""
    return {
        "nodeAffinity": {
            REQUIRED_AFFINITY: {"nodeSelectorTerms": [{"matchExpressions": [dict(e) for e in t]} for t in terms]}
        }
    }


def network(scenario: str) -> AnalyzerResource:
    return resource(
        NETWORK,
        "hybrid",
        {"scenario": scenario, "clusterId": CLUSTER_ID, "cloudNodeLabel": constants.CLOUD_NODE_LABEL},
    )


def patch_annotations() -> dict[str, str]:
    return {constants.PATCH_FIELD_MANAGER_ANNOTATION: constants.FIELD_MANAGER, constants.PATCH_FORCE_ANNOTATION: "true"}


def workload_patch(
    type_: str,
    namespace: str,
    name: str,
    pod_spec: Mapping[str, Any] | None,
    *,
    parent: AnalyzerResource | None = None,
    labelled: bool = True,
    slug: str | None = None,
) -> AnalyzerResource:
    """An on-prem isolation patch as the program registers it (``pod_spec`` None: a patch without a spec)."""
    metadata: dict[str, Any] = {"name": name, "namespace": namespace, "annotations": patch_annotations()}
    if labelled:
        metadata["labels"] = {constants.PLACEMENT_LABEL: constants.PLACEMENT_ONPREM}
    props: dict[str, Any] = {"metadata": metadata}
    if pod_spec is not None:
        props["spec"] = {"template": {"spec": dict(pod_spec)}}
    return resource(type_, slug or f"hybrid-isolation-{namespace}-{name}", props, parent=parent)


def workload(
    type_: str, namespace: str, name: str, pod_spec: Mapping[str, Any], *, read: bool = False, **metadata: Any
) -> AnalyzerResource:
    """A whole workload object: registered by some stack, or read (``.get``) as it is live."""
    props = {
        "metadata": {"name": name, "namespace": namespace, **metadata},
        "spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": dict(pod_spec)}},
    }
    suffix = "-live" if read else ""
    return resource(type_, f"{namespace}-{name}{suffix}", props, read=read)


def installation_patch(affinity: Mapping[str, Any] | None, parent: AnalyzerResource | None = None) -> AnalyzerResource:
    spec: dict[str, Any] = {}
    if affinity is not None:
        spec = {"calicoNodeDaemonSet": {"spec": {"template": {"spec": {"affinity": dict(affinity)}}}}}
    props = {
        "apiVersion": constants.TIGERA_API_VERSION,
        "kind": constants.TIGERA_INSTALLATION_KIND,
        "metadata": {"name": "default", "annotations": patch_annotations()},
        "spec": spec,
    }
    return resource(INSTALLATION_PATCH, "hybrid-isolation-installation-default", props, parent=parent)


def terway_patch(pod_spec: Mapping[str, Any] | str | None, parent: AnalyzerResource | None = None) -> AnalyzerResource:
    """Terway's DaemonSetPatch; ``pod_spec`` UNKNOWN makes the whole spec unknown, as in a first preview."""
    metadata = {
        "name": constants.TERWAY_DAEMONSET,
        "namespace": constants.TERWAY_NAMESPACE,
        "annotations": patch_annotations(),
    }
    props: dict[str, Any] = {"metadata": metadata}
    if pod_spec == UNKNOWN:
        props["spec"] = UNKNOWN
    elif pod_spec is not None:
        props["spec"] = {
            "template": {
                "metadata": {"annotations": {constants.RESTART_ANNOTATION: "0123456789abcdef"}},
                "spec": pod_spec,
            }
        }
    return resource(DAEMONSET_PATCH, "hybrid-terway-daemonset", props, parent=parent)


def pinned_terway(parent: AnalyzerResource | None = None) -> AnalyzerResource:
    return terway_patch({"nodeSelector": {CLOUD_KEY: CLOUD_VALUE}}, parent)


def calico_isolated(parent: AnalyzerResource | None = None) -> AnalyzerResource:
    return workload_patch(
        DAEMONSET_PATCH, "kube-system", "calico-node", {"affinity": required([EXCLUDE_CLOUD])}, parent=parent
    )


def program_eni_conf(**changes: Any) -> dict[str, Any]:
    """``eni_conf`` as the program renders it (secret store), with ``changes`` applied (None removes a key)."""
    conf: dict[str, Any] = {
        "version": "1",
        "vswitches": {"cn-hangzhou-h": ["vsw-bp1a2b3c4d5e6f7g8h9i0"]},
        "vswitch_selection_policy": "ordered",
        "service_cidr": "172.21.0.0/20",
        "eni_tags": {terway_model.ENI_TAG_CLUSTER: CLUSTER_ID},
        "max_pool_size": 5,
        "min_pool_size": 0,
        "ip_stack": "ipv4",
        "access_key": "",
        "access_secret": "",
        "security_group": "sg-bp1a2b3c4d5e6f7g8h9i",
    }
    for key, value in changes.items():
        if value is None:
            conf.pop(key, None)
        else:
            conf[key] = value
    return conf


CHART_ENI_CONFIG: Final = Path(__file__).parents[1] / "data" / "upstream" / "terway-chart-eni-config.yaml"


def chart_eni_config() -> AnalyzerResource:
    """kube-system/eni-config as Terway's own chart renders it (see the fixture's header for the source)."""
    chart = yaml.safe_load(CHART_ENI_CONFIG.read_text())
    return eni_config(chart["data"][constants.ENI_CONF_KEY], patch=False)


def eni_config(
    conf: Mapping[str, Any] | str | None,
    *,
    patch: bool = True,
    parent: AnalyzerResource | None = None,
    wrap_secret: bool = False,
    terway_version: str | None = None,
) -> AnalyzerResource:
    """kube-system/eni-config; ``conf`` a dict is rendered as JSON text, a str is used as is, None sets no eni_conf.
    ``terway_version``: the version annotation the program's patch carries when ``terway.version`` is pinned."""
    data: dict[str, Any] = {}
    if conf is not None:
        text = conf if isinstance(conf, str) else json.dumps(conf, indent=2, sort_keys=True) + "\n"
        data[constants.ENI_CONF_KEY] = secret(text) if wrap_secret else text
    else:
        data[constants.CNI_CONF_KEY] = '{"cniVersion":"0.3.0","name":"terway","type":"terway"}'
    props = {
        "metadata": {
            "name": constants.ENI_CONFIG_MAP,
            "namespace": constants.TERWAY_NAMESPACE,
            "annotations": {
                constants.PATCH_FIELD_MANAGER_ANNOTATION: constants.FIELD_MANAGER,
                **({constants.TERWAY_VERSION_ANNOTATION: terway_version} if terway_version else {}),
            },
        },
        "data": data,
    }
    return resource(CONFIG_MAP_PATCH if patch else CONFIG_MAP, "hybrid-terway-eni-config", props, parent=parent)


def addon(parent: AnalyzerResource | None = None) -> AnalyzerResource:
    props = {"name": constants.TERWAY_ADDON, "clusterId": CLUSTER_ID}
    return resource(CS_ADDON, "hybrid-terway-addon", props, parent=parent)


def addon_secret(parent: AnalyzerResource | None = None) -> AnalyzerResource:
    props = {
        "metadata": {"name": constants.ADDON_SECRET, "namespace": constants.TERWAY_NAMESPACE},
        "type": "Opaque",
        "stringData": {
            constants.ADDON_SECRET_ID_KEY: ACCESS_KEY_ID,
            constants.ADDON_SECRET_SECRET_KEY: secret(ACCESS_KEY_SECRET),
        },
    }
    return resource(SECRET_TYPE, "hybrid-terway-credentials", props, parent=parent)


def policy_document(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "1", "Statement": list(statements)}, sort_keys=True, separators=(",", ":"))


def allow(*actions: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": ["*"]}


def identity(parent: AnalyzerResource | None = None) -> AnalyzerResource:
    return resource(IDENTITY, "hybrid-identity", {}, parent=parent)


def ram_policy(
    document: Any, *, name: str = f"terway-eniip-{CLUSTER_ID}", parent: AnalyzerResource | None = None, **props: Any
) -> AnalyzerResource:
    inputs: dict[str, Any] = {
        "policyName": name,
        "description": f"Least privilege for Terway on registered cluster {CLUSTER_ID}",
        "rotateStrategy": constants.RAM_POLICY_ROTATE_STRATEGY,
        "force": True,
        **props,
    }
    if document is not None:
        inputs["policyDocument"] = document
    return resource(RAM_POLICY, "hybrid-identity-policy" if parent else name, inputs, parent=parent)


def ram_user(name: Any, parent: AnalyzerResource | None = None) -> AnalyzerResource:
    return resource(RAM_USER, "hybrid-identity-user", {"name": name, "force": True}, parent=parent)


def access_key(slot: str, user_name: Any, *, user: AnalyzerResource | None = None) -> AnalyzerResource:
    deps = [user.urn] if user is not None else []
    return resource(
        RAM_ACCESS_KEY,
        f"hybrid-identity-key-{slot}",
        {"userName": user_name, "status": "Active"},
        parent=user.parent if user is not None else None,
        dependencies=deps,
        property_dependencies={"userName": deps} if deps else {},
        outputs={"userName": user_name, "status": "Active", "secret": secret(ACCESS_KEY_SECRET)},
    )


def stack_root(outputs: Mapping[str, Any]) -> AnalyzerResource:
    return AnalyzerResource(
        urn=make_urn(STACK_TYPE, f"{constants.PROJECT}-dev"),
        type=STACK_TYPE,
        name=f"{constants.PROJECT}-dev",
        properties={},
        outputs=dict(outputs),
    )


# --- the SDK's view of a resource ------------------------------------------------------------------


def unwrap(value: Any) -> Any:
    """Wire form -> what a policy sees: secrets as their plain value (unknown markers kept)."""
    if is_secret(value):
        return unwrap(value["value"])
    if isinstance(value, Mapping):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def view(item: AnalyzerResource, *, stack: bool = False) -> ResourceView:
    """The resource as a rule sees it: inputs (outputs in a stack policy), unknown values raising when touched."""
    source = item.outputs if stack and item.outputs is not None else item.properties
    return ResourceView(
        item.type,
        item.urn,
        item.name,
        unknown_checking_proxy(unwrap(json.loads(json.dumps(source)))),
        item.parent,
        tuple(item.dependencies),
        {k: tuple(v) for k, v in item.property_dependencies.items()},
    )


# --- the cases -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    policy: str
    resources: tuple[AnalyzerResource, ...]
    violations: int
    """How many violations of ``policy`` the stack yields (0: it passes)."""
    expect: tuple[str, ...] = ()
    """Text each of which some violation message of ``policy`` contains."""
    config: Mapping[str, Any] = field(default_factory=dict)
    remediable: bool = False
    """Whether ``policy``'s remediation fixes every violation."""


def _cases() -> list[Case]:
    cases: list[Case] = []
    add = cases.append

    # onprem-workloads-avoid-cloud-nodes ------------------------------------------------------------
    policy = pc.ONPREM_WORKLOADS_AVOID_CLOUD_NODES
    bgp = network("bgp")
    add(
        Case(
            "calico-without-exclusion",
            policy,
            (
                bgp,
                workload_patch(
                    DAEMONSET_PATCH, "kube-system", "calico-node", {"affinity": required([OS_LINUX])}, parent=bgp
                ),
            ),
            1,
            (
                "DaemonSet kube-system/calico-node (an on-prem CNI) can be scheduled on cloud nodes",
                f"{CLOUD_KEY}={CLOUD_VALUE}",
                "kubernetes.io/os=linux",
            ),
            remediable=True,
        )
    )
    add(
        Case(
            "installation-not-in-false",
            policy,
            (bgp, installation_patch(required([NOT_IN_FALSE]), bgp)),
            1,
            (
                "Installation default (the tigera operator's Calico) can be scheduled on cloud nodes",
                "spec.calicoNodeDaemonSet.spec.template.spec.affinity",
            ),
            remediable=True,
        )
    )
    add(
        Case(
            "labelled-deployment-unconstrained",
            policy,
            (
                workload(
                    DEPLOYMENT,
                    "monitoring",
                    "gateway",
                    {},
                    labels={constants.PLACEMENT_LABEL: constants.PLACEMENT_ONPREM},
                ),
            ),
            1,
            ("Deployment monitoring/gateway", "a node labelled alibabacloud.com/external=true."),
            remediable=True,
        )
    )
    add(
        Case(
            "labelled-template-deployment",
            policy,
            (
                resource(
                    DEPLOYMENT,
                    "ingress",
                    {
                        "metadata": {"name": "ingress", "namespace": "edge"},
                        "spec": {
                            "template": {
                                "metadata": {"labels": {constants.PLACEMENT_LABEL: constants.PLACEMENT_ONPREM}},
                                "spec": {"nodeSelector": {"kubernetes.io/os": "linux"}},
                            }
                        },
                    },
                ),
            ),
            1,
            (f"Deployment edge/ingress (labelled {constants.PLACEMENT_LABEL}: {constants.PLACEMENT_ONPREM})",),
            remediable=True,
        )
    )
    add(
        Case(
            "flannel-exclusion-in-one-term-only",
            policy,
            (
                workload(
                    DAEMONSET,
                    "kube-flannel",
                    "kube-flannel-ds",
                    {
                        "affinity": required(
                            [OS_LINUX, EXCLUDE_CLOUD], [{"key": "kubernetes.io/arch", "operator": "Exists"}]
                        )
                    },
                ),
            ),
            1,
            ("DaemonSet kube-flannel/kube-flannel-ds", "kubernetes.io/arch="),
            remediable=True,
        )
    )
    add(
        Case(
            "statefulset-patch-node-selector-only",
            policy,
            (workload_patch(STATEFULSET_PATCH, "db", "postgres", {"nodeSelector": {"disk": "ssd"}}),),
            1,
            ("StatefulSet db/postgres",),
        )
    )
    add(Case("calico-excluded", policy, (bgp, calico_isolated(bgp)), 0))
    add(
        Case(
            "calico-does-not-exist",
            policy,
            (
                workload_patch(
                    DAEMONSET_PATCH, "kube-system", "calico-node", {"affinity": required([OS_LINUX, CLOUD_ABSENT])}
                ),
            ),
            0,
        )
    )
    add(
        Case(
            "patch-without-placement", policy, (workload_patch(DAEMONSET_PATCH, "kube-system", "calico-node", None),), 0
        )
    )
    add(Case("unrelated-daemonset", policy, (workload(DAEMONSET, "logging", "fluent-bit", {}),), 0))
    add(Case("installation-excluded", policy, (bgp, installation_patch(required([EXCLUDE_CLOUD]), bgp)), 0))
    add(
        Case(
            "custom-cloud-label",
            policy,
            (workload_patch(DAEMONSET_PATCH, "kube-system", "cilium", {"affinity": required([EXCLUDE_CLOUD])}),),
            1,
            ("node.example.com/pool=ecs",),
            config={policy: {pc.CLOUD_NODE_LABEL: "node.example.com/pool=ecs"}},
            remediable=True,
        )
    )
    add(
        Case(
            "custom-cni-list",
            policy,
            (workload(DAEMONSET, "kube-system", "my-cni", {}),),
            1,
            ("DaemonSet kube-system/my-cni (an on-prem CNI)",),
            config={policy: {pc.ONPREM_CNI_DAEMONSETS: ["my-cni"]}},
            remediable=True,
        )
    )

    # terway-only-on-cloud-nodes ------------------------------------------------------------------
    policy = pc.TERWAY_ONLY_ON_CLOUD_NODES
    add(
        Case(
            "terway-linux-only",
            policy,
            (terway_patch({"nodeSelector": {"kubernetes.io/os": "linux"}}),),
            1,
            ("DaemonSet kube-system/terway-eniip (Terway) can be scheduled on nodes without", "tolerates every taint"),
        )
    )
    add(
        Case(
            "terway-whole-object-tolerating-taints",
            policy,
            (
                workload(
                    DAEMONSET,
                    constants.TERWAY_NAMESPACE,
                    constants.TERWAY_DAEMONSET,
                    {"tolerations": [{"operator": "Exists"}], "hostNetwork": True},
                ),
            ),
            1,
            ("a node with no labels",),
        )
    )
    add(Case("terway-not-in-false", policy, (terway_patch({"affinity": required([NOT_IN_FALSE])}),), 1))
    add(Case("terway-pinned", policy, (pinned_terway(),), 0))
    add(Case("terway-affinity-in-true", policy, (terway_patch({"affinity": required([ONLY_CLOUD])}),), 0))
    add(Case("terway-patch-annotations-only", policy, (terway_patch(None),), 0))
    add(Case("terway-other-namespace", policy, (workload(DAEMONSET, "default", constants.TERWAY_DAEMONSET, {}),), 0))
    add(
        Case(
            "terway-custom-label",
            policy,
            (pinned_terway(),),
            1,
            ("node.example.com/pool=ecs",),
            config={policy: {pc.CLOUD_NODE_LABEL: "node.example.com/pool=ecs"}},
        )
    )

    # one-cni-per-node -----------------------------------------------------------------------------
    policy = pc.ONE_CNI_PER_NODE
    bgp = network("bgp")
    host = network("host")
    overlay = network("overlay")
    add(
        Case(
            "bgp-two-onprem-cnis",
            policy,
            (
                bgp,
                calico_isolated(bgp),
                pinned_terway(bgp),
                workload_patch(
                    DAEMONSET_PATCH,
                    "kube-flannel",
                    "kube-flannel-ds",
                    {"affinity": required([EXCLUDE_CLOUD])},
                    parent=bgp,
                ),
            ),
            1,
            (
                "on-prem nodes: more than one CNI can run there: DaemonSet kube-flannel/kube-flannel-ds, "
                "DaemonSet kube-system/calico-node",
            ),
        )
    )
    add(
        Case(
            "bgp-kube-ovn-both-daemonsets-are-one-cni",
            policy,
            (
                bgp,
                pinned_terway(bgp),
                *(
                    workload_patch(
                        DAEMONSET_PATCH, "kube-system", name, {"affinity": required([EXCLUDE_CLOUD])}, parent=bgp
                    )
                    for name in constants.ONPREM_CNI_FAMILIES["Kube-OVN"]
                ),
            ),
            0,
        )
    )
    add(
        Case(
            "bgp-kube-ovn-and-cilium",
            policy,
            (
                bgp,
                pinned_terway(bgp),
                *(
                    workload_patch(
                        DAEMONSET_PATCH, "kube-system", name, {"affinity": required([EXCLUDE_CLOUD])}, parent=bgp
                    )
                    for name in ("kube-ovn-cni", "ovs-ovn", "cilium-envoy")
                ),
            ),
            1,
            ("on-prem nodes: more than one CNI can run there",),
        )
    )
    add(
        Case(
            "bgp-without-onprem-cni",
            policy,
            (bgp, pinned_terway(bgp)),
            1,
            ("on-prem nodes: no on-prem CNI in this stack; list it in onPremWorkloads",),
        )
    )
    add(
        Case(
            "bgp-calico-on-cloud-too",
            policy,
            (
                bgp,
                workload_patch(
                    DAEMONSET_PATCH, "kube-system", "calico-node", {"affinity": required([OS_LINUX])}, parent=bgp
                ),
                pinned_terway(bgp),
            ),
            1,
            (
                "cloud nodes: more than one CNI can run there: DaemonSet kube-system/calico-node, "
                "DaemonSet kube-system/terway-eniip",
            ),
        )
    )
    add(
        Case(
            "host-with-onprem-cni",
            policy,
            (
                host,
                pinned_terway(host),
                workload(DAEMONSET, "kube-system", "kube-router", {"affinity": required([EXCLUDE_CLOUD])}),
            ),
            1,
            ("on-prem nodes: DaemonSet kube-system/kube-router can run there, but scenario host runs no CNI",),
        )
    )
    add(
        Case(
            "no-component-terway-everywhere",
            policy,
            (
                terway_patch({"nodeSelector": {"kubernetes.io/os": "linux"}}),
                workload(DAEMONSET, "kube-system", "calico-node", {}),
            ),
            2,
            ("cloud nodes: more than one CNI", "on-prem nodes: more than one CNI"),
        )
    )
    add(
        Case(
            "live-terway-merged-with-annotation-patch",
            policy,
            (
                workload(DAEMONSET, constants.TERWAY_NAMESPACE, constants.TERWAY_DAEMONSET, {}, read=True),
                terway_patch(None),
                calico_isolated(),
            ),
            1,
            (
                "on-prem nodes: more than one CNI can run there: DaemonSet kube-system/calico-node, "
                "DaemonSet kube-system/terway-eniip",
            ),
        )
    )
    add(
        Case(
            "overlay-with-unknown-terway",
            policy,
            (overlay, terway_patch(UNKNOWN, overlay)),
            1,
            ("scenario overlay needs no Terway, but this stack holds DaemonSet kube-system/terway-eniip",),
        )
    )
    add(
        Case(
            "host-terway-off-cloud",
            policy,
            (host, terway_patch({"affinity": required([EXCLUDE_CLOUD])}, host)),
            2,
            (
                "cloud nodes: no CNI can run there; scenario host runs Terway there",
                "on-prem nodes: DaemonSet kube-system/terway-eniip can run there, but scenario host runs no CNI",
            ),
        )
    )
    add(
        Case(
            "overlay-cni-kept-off-cloud",
            policy,
            (overlay, calico_isolated(overlay)),
            1,
            (
                "cloud nodes: no CNI can run there; scenario overlay runs the on-prem CNI there, but "
                "DaemonSet kube-system/calico-node cannot be scheduled on cloud nodes",
            ),
        )
    )
    add(
        Case(
            "bgp-program-shape",
            policy,
            (
                bgp,
                workload(
                    DAEMONSET, "kube-system", "calico-node", {"nodeSelector": {"kubernetes.io/os": "linux"}}, read=True
                ),
                calico_isolated(bgp),
                pinned_terway(bgp),
            ),
            0,
        )
    )
    add(
        Case(
            "bgp-live-calico-fixed-by-patch",
            policy,
            (
                bgp,
                workload(DAEMONSET, "kube-system", "calico-node", {"affinity": required([OS_LINUX])}, read=True),
                workload_patch(
                    DAEMONSET_PATCH,
                    "kube-system",
                    "calico-node",
                    {"affinity": required([OS_LINUX, EXCLUDE_CLOUD])},
                    parent=bgp,
                ),
                pinned_terway(bgp),
            ),
            0,
        )
    )
    add(Case("host-program-shape", policy, (host, pinned_terway(host)), 0))
    add(Case("overlay-nothing", policy, (overlay,), 0))
    add(
        Case(
            "bgp-terway-unknown-in-preview",
            policy,
            (bgp, calico_isolated(bgp), terway_patch(UNKNOWN, bgp)),
            1,  # an advisory: Terway could still land on on-prem nodes
            ("cannot judge yet: where DaemonSet kube-system/terway-eniip can run: its placement is not known",),
        )
    )
    add(
        Case(
            "tigera-installation-and-its-daemonset",
            policy,
            (
                bgp,
                installation_patch(required([EXCLUDE_CLOUD]), bgp),
                workload(DAEMONSET, constants.TIGERA_NAMESPACE, "calico-node", {}, read=True),
                pinned_terway(bgp),
            ),
            0,
        )
    )
    add(
        Case(
            "scenario-from-stack-exports",
            policy,
            (
                resource(NETWORK, "hybrid", {"readyForCloudNodes": True}),
                stack_root({"scenario": "bgp"}),
                pinned_terway(),
            ),
            1,
            ("on-prem nodes: no on-prem CNI in this stack",),
        )
    )

    # no-terway-in-overlay -------------------------------------------------------------------------
    policy = pc.NO_TERWAY_IN_OVERLAY
    add(Case("overlay-addon", policy, (overlay, addon(overlay)), 1, ("the terway-eniip addon: scenario overlay",)))
    add(
        Case(
            "overlay-all-pieces",
            policy,
            (
                overlay,
                addon(overlay),
                eni_config(program_eni_conf(), parent=overlay),
                addon_secret(overlay),
                terway_patch({"nodeSelector": {CLOUD_KEY: CLOUD_VALUE}}, overlay),
            ),
            4,
            (
                "Terway's configuration ConfigMap kube-system/eni-config",
                "Terway's credentials Secret kube-system/alibaba-addon-secret",
                "Terway's DaemonSet kube-system/terway-eniip (a patch)",
            ),
        )
    )
    add(
        Case(
            "bgp-with-terway",
            policy,
            (bgp, addon(bgp), eni_config(program_eni_conf(), parent=bgp), addon_secret(bgp), pinned_terway(bgp)),
            0,
        )
    )
    add(Case("no-component", policy, (addon(),), 0))
    add(
        Case(
            "overlay-other-addon",
            policy,
            (overlay, resource(CS_ADDON, "logtail", {"name": "logtail-ds", "clusterId": CLUSTER_ID}, parent=overlay)),
            0,
        )
    )

    # terway-ram-least-privilege -----------------------------------------------------------------------
    policy = pc.TERWAY_RAM_LEAST_PRIVILEGE
    ident = identity(bgp)
    good = policy_document(allow(*sorted(terway_model.RAM_ACTIONS)))
    add(
        Case(
            "wildcard-in-identity",
            policy,
            (
                bgp,
                ident,
                ram_policy(policy_document(allow("ecs:*", "vpc:DescribeVSwitches")), name="custom", parent=ident),
            ),
            1,
            ("RAM policy custom: statement 1: wildcard actions ecs:*",),
        )
    )
    add(
        Case(
            "extra-action-by-name",
            policy,
            (ram_policy(policy_document(allow(*terway_model.RAM_ACTIONS, "ecs:DeleteInstance"))),),
            1,
            ("grants actions Terway does not call: ecs:DeleteInstance",),
        )
    )
    add(
        Case(
            "document-not-json",
            policy,
            (ram_policy('{"Version": "1", "Statement": [}'),),
            1,
            ("policyDocument is not valid JSON",),
        )
    )
    add(
        Case(
            "statements-input-form",
            policy,
            (ram_policy(None, statements=[{"effect": "Allow", "actions": ["ecs:Describe*"], "resources": ["*"]}]),),
            1,
            ("wildcard actions ecs:Describe*",),
        )
    )
    add(
        Case(
            "not-action",
            policy,
            (ram_policy(policy_document({"Effect": "Allow", "NotAction": ["ram:*"], "Resource": ["*"]})),),
            1,
            ("NotAction",),
        )
    )
    add(Case("program-policy", policy, (bgp, ident, ram_policy(good, parent=ident)), 0))
    add(
        Case(
            "dual-stack-and-deny",
            policy,
            (
                ram_policy(
                    policy_document(
                        allow(*terway_model.RAM_ACTIONS, *terway_model.RAM_ACTIONS_IPV6),
                        {"Effect": "Deny", "Action": ["*"], "Resource": ["acs:ecs:*:*:instance/i-x"]},
                    )
                ),
            ),
            0,
        )
    )
    add(Case("unrelated-admin-policy", policy, (ram_policy(policy_document(allow("*")), name="AdminAccess"),), 0))
    guide = policy_document(allow(*terway_model.RAM_ACTIONS, *terway_model.RAM_ACTIONS_GUIDE_EXTRA))
    add(Case("guide-actions-are-not-mandatory", policy, (bgp, ident, ram_policy(guide, parent=ident)), 0))

    # terway-ram-guide-actions ---------------------------------------------------------------------------
    policy = pc.TERWAY_RAM_GUIDE_ACTIONS
    add(
        Case(
            "guide-policy",
            policy,
            (bgp, ident, ram_policy(guide, parent=ident)),
            1,
            (
                "statement 1 grants ecs:DescribeInstanceAttribute, ecs:DescribeInstances, "
                "ecs:ModifyNetworkInterfaceAttribute from the 2021 guide",
            ),
        )
    )
    add(
        Case(
            "one-guide-action-by-name",
            policy,
            (ram_policy(policy_document(allow(*terway_model.RAM_ACTIONS, "ecs:DescribeInstances"))),),
            1,
            ("grants ecs:DescribeInstances from the 2021 guide",),
        )
    )
    add(Case("published-policy", policy, (bgp, ident, ram_policy(good, parent=ident)), 0))

    # eni-config-valid -----------------------------------------------------------------------------------
    policy = pc.ENI_CONFIG_VALID
    add(
        Case(
            "pool-sizes-wrong-types",
            policy,
            (eni_config(program_eni_conf(max_pool_size=True, min_pool_size="0")),),
            2,
            ("max_pool_size: a boolean cannot be decoded into Go int", "min_pool_size: a string cannot be decoded"),
        )
    )
    add(
        Case(
            "int-given-as-text-or-fraction",
            policy,
            (eni_config(program_eni_conf(max_pool_size="5", min_pool_size=5.5, ip_warm_up_size=1e1)),),
            3,
            (
                "max_pool_size: a string cannot be decoded into Go int",
                "min_pool_size: a number with a fraction or exponent cannot be decoded into Go int",
                "ip_warm_up_size: a number with a fraction or exponent cannot be decoded into Go *int",
            ),
        )
    )
    add(Case("not-json", policy, (eni_config("{version: 1}"),), 1, ("is not valid JSON",)))
    add(Case("nan-is-not-json", policy, (eni_config('{"eni_cap_ratio": NaN}'),), 1, ("NaN is not JSON",)))
    add(
        Case(
            "typo-key",
            policy,
            (eni_config(program_eni_conf(max_pool_szie=10)),),
            1,
            ("'max_pool_szie' is not a key Terway reads (keys are case-sensitive); it probably means max_pool_size",),
        )
    )
    add(
        Case(
            "case-differs",
            policy,
            (eni_config(program_eni_conf(Max_Pool_Size=10, ipWarmUpSize=3)),),
            2,
            (
                "'Max_Pool_Size' is not a key Terway reads (keys are case-sensitive); it probably means max_pool_size",
                "it probably means ip_warm_up_size",
            ),
        )
    )
    add(
        Case(
            "removed-keys",
            policy,
            (eni_config(program_eni_conf(wait_trunk_eni=True, eni_cap_policy="preferTrunk")),),
            2,
            (
                "'wait_trunk_eni' was removed upstream by commit 8adcc66f: Terway v1.9.6 and later ignore it",
                "'eni_cap_policy' was removed upstream by commit 0eb1f4a9: Terway v1.11.1 and later ignore it",
            ),
        )
    )
    add(
        Case(
            "many-problems",
            policy,
            (
                eni_config(
                    program_eni_conf(
                        version=1,
                        security_group=None,
                        security_groups=[f"sg-{i:020d}" for i in range(11)],
                        service_cidr="172.21.0.1/20, fd00::/112",
                        ip_stack="ipv6",
                        vswitch_selection_policy="orderd",
                        min_pool_size=6,
                    )
                ),
            ),
            7,
            (
                "version: an integer cannot be decoded into Go string",
                "11 security groups",
                "has host bits set",
                "Terway drops it silently",
                'ip_stack = "ipv6"',
                'vswitch_selection_policy = "orderd": must be one of "", "ordered", "random"; any other value '
                "silently means random",
                "min_pool_size (6) exceeds max_pool_size (5)",
            ),
        )
    )
    add(
        Case(
            "six-groups-for-an-unknown-version",
            policy,
            (eni_config(program_eni_conf(security_group=None, security_groups=[f"sg-{i:020d}" for i in range(6)])),),
            1,
            ("6 security groups (the security_groups list, duplicates included)", "at most 5"),
        )
    )
    add(
        Case(
            "ten-groups-on-a-current-version",
            policy,
            (eni_config(program_eni_conf(security_group=None, security_groups=[f"sg-{i:020d}" for i in range(10)])),),
            0,
            config={policy: {pc.TERWAY_VERSION: "v1.16.7"}},
        )
    )
    add(
        Case(
            "duplicates-count-as-upstream-counts",
            policy,
            (eni_config(program_eni_conf(security_group="sg-a", security_groups=["sg-a"] * 11)),),
            1,
            ("11 security groups",),
            config={policy: {pc.TERWAY_VERSION: "v1.13.7"}},
        )
    )
    ten = program_eni_conf(security_group=None, security_groups=[f"sg-{i:020d}" for i in range(10)])
    add(Case("ten-groups-for-the-pinned-version", policy, (eni_config(ten, terway_version="v1.13.7"),), 0))
    add(
        Case(
            "six-groups-for-the-pinned-v1-9-6",
            policy,
            (eni_config(ten, terway_version="v1.9.6"),),
            1,
            ("10 security groups (the security_groups list, duplicates included); Terway v1.9.6 accepts at most 5",),
        )
    )
    add(Case("terway-chart-eni-conf", policy, (chart_eni_config(),), 0))
    add(
        Case(
            "version-and-service-cidr-not-required",
            policy,
            (eni_config(program_eni_conf(version=None, service_cidr=None)),),
            0,
        )
    )
    add(
        Case("whole-configmap-without-eni-conf", policy, (eni_config(None, patch=False),), 1, ("has no data.eni_conf",))
    )
    add(
        Case(
            "dual-stack-cidr",
            policy,
            (eni_config(program_eni_conf(ip_stack="dual", service_cidr="172.21.0.0/20,fd00::/112")),),
            0,
        )
    )
    add(Case("program-eni-conf", policy, (eni_config(program_eni_conf()),), 0))
    add(Case("patch-of-other-key", policy, (eni_config(None),), 0))
    add(
        Case(
            "extra-key-allowed",
            policy,
            (eni_config(program_eni_conf(my_fork_option=True)),),
            0,
            config={policy: {pc.EXTRA_ENI_CONF_KEYS: ["my_fork_option"]}},
        )
    )

    # access-key-limit -----------------------------------------------------------------------------------
    policy = pc.ACCESS_KEY_LIMIT
    user_name = f"terway-{CLUSTER_ID}"
    user = ram_user(user_name, ident)
    add(
        Case(
            "three-keys",
            policy,
            (user, *(access_key(s, user_name, user=user) for s in "abc")),
            1,
            (f"RAM user {user_name}: 3 AccessKeys in this stack", "at most 2 per user"),
        )
    )
    unknown_user = ram_user(UNKNOWN, ident)
    add(
        Case(
            "three-keys-user-unknown",
            policy,
            (unknown_user, *(access_key(s, UNKNOWN, user=unknown_user) for s in "abc")),
            1,
            ("3 AccessKeys in this stack",),
        )
    )
    add(
        Case(
            "two-keys", policy, (user, access_key("a", user_name, user=user), access_key("b", user_name, user=user)), 0
        )
    )
    add(
        Case(
            "keys-of-two-users",
            policy,
            (access_key("a", "u1"), access_key("b", "u1"), resource(RAM_ACCESS_KEY, "other", {"userName": "u2"})),
            0,
        )
    )

    # credentials-not-in-configmap -------------------------------------------------------------------------
    policy = pc.CREDENTIALS_NOT_IN_CONFIGMAP
    add(
        Case(
            "key-and-secret",
            policy,
            (
                eni_config(
                    program_eni_conf(access_key=ACCESS_KEY_ID, access_secret=ACCESS_KEY_SECRET), wrap_secret=True
                ),
            ),
            1,
            ("holds access_key and access_secret",),
        )
    )
    add(
        Case(
            "secret-only-whole-configmap",
            policy,
            (eni_config(program_eni_conf(access_secret=ACCESS_KEY_SECRET), patch=False),),
            1,
            ("holds access_secret (plain text",),
        )
    )
    add(Case("empty-credentials", policy, (eni_config(program_eni_conf()),), 0))
    add(Case("credentials-absent", policy, (eni_config(program_eni_conf(access_key=None, access_secret=None)),), 0))
    from tests.policy.node_pool_cases import node_pool_cases  # the gate's policies: their cases in their own module

    cases += node_pool_cases()
    # terway-security-groups-not-open-to-the-world ----------------------------------------------------
    policy = pc.TERWAY_GROUPS_NOT_OPEN
    terway_group = "sg-bp1a2b3c4d5e6f7g8h9i"  # program_eni_conf's security_group

    def sg_rule(name: str, group: str, **props: Any) -> AnalyzerResource:
        base = {"securityGroupId": group, "type": "ingress", "ipProtocol": "all", "portRange": "-1/-1"}
        return resource("alicloud:ecs/securityGroupRule:SecurityGroupRule", name, {**base, **props})

    conf = eni_config(program_eni_conf(), parent=bgp)
    add(
        Case(
            "world-into-the-eni-config-group",
            policy,
            (bgp, conf, sg_rule("open", terway_group, cidrIp="0.0.0.0/0")),
            1,
            ("accepts ingress from 0.0.0.0/0 into", "one of Terway's security groups"),
        )
    )
    add(
        Case(
            "world-v6-into-a-configured-group",
            policy,
            (sg_rule("open6", "sg-bp1othergroup0a1b2c3", ipv6CidrIp="::/0", policy="accept"),),
            1,
            ("accepts ingress from ::/0 into",),
            config={policy: {pc.TERWAY_SECURITY_GROUP_IDS: ["sg-bp1othergroup0a1b2c3"]}},
        )
    )
    add(Case("on-prem-cidr-only", policy, (bgp, conf, sg_rule("pods", terway_group, cidrIp="10.244.0.0/16")), 0))
    add(
        Case(
            "world-into-another-group",
            policy,
            (bgp, conf, sg_rule("web", "sg-bp1web0a1b2c3d4e5", cidrIp="0.0.0.0/0")),
            0,
        )
    )
    add(Case("world-dropped", policy, (bgp, conf, sg_rule("deny", terway_group, cidrIp="0.0.0.0/0", policy="drop")), 0))

    # on-prem-pod-routes-not-via-an-instance -------------------------------------------------------------
    policy = pc.ON_PREM_ROUTES_NOT_VIA_INSTANCE

    def route_entry(name: str, cidr: str, hop_type: str, hop: str) -> AnalyzerResource:
        props = {
            "routeTableId": "vtb-bp1route0000000000",
            "destinationCidrblock": cidr,
            "nexthopType": hop_type,
            "nexthopId": hop,
        }
        return resource("alicloud:vpc/routeEntry:RouteEntry", name, props)

    pods = {policy: {pc.ON_PREM_POD_CIDRS: ["10.244.0.0/16"]}}
    add(
        Case(
            "pods-via-an-instance",
            policy,
            (route_entry("gw", "10.244.0.0/16", "Instance", "i-bp1gateway0a1b2c3d4"),),
            1,
            ("sends 10.244.0.0/16 (on-prem pod CIDR 10.244.0.0/16) to ECS instance",),
            config=pods,
        )
    )
    add(
        Case(
            "part-of-the-pods-via-an-instance",
            policy,
            (route_entry("gw", "10.244.8.0/24", "Instance", "i-bp1gateway0a1b2c3d4"),),
            1,
            ("sends 10.244.8.0/24",),
            config=pods,
        )
    )
    add(
        Case(
            "pods-via-the-vbr",
            policy,
            (route_entry("vbr", "10.244.0.0/16", "RouterInterface", "ri-bp1x"),),
            0,
            config=pods,
        )
    )
    add(
        Case(
            "other-cidr-via-an-instance",
            policy,
            (route_entry("gw", "172.30.0.0/16", "Instance", "i-bp1x"),),
            0,
            config=pods,
        )
    )

    return cases


CASES: Final = tuple(_cases())


def secret_laden_stack() -> tuple[AnalyzerResource, ...]:
    """Resources carrying secrets in every place a policy reads, each also violating that policy."""
    bgp = network("bgp")
    ident = identity(bgp)
    user = ram_user(f"terway-{CLUSTER_ID}", ident)
    leaky_conf = program_eni_conf(
        access_key=ACCESS_KEY_ID,
        access_secret=ACCESS_KEY_SECRET,
        acess_secret=ACCESS_KEY_SECRET,
        max_pool_size=ACCESS_KEY_SECRET,
        service_cidr=ACCESS_KEY_SECRET,
        ip_stack=ACCESS_KEY_SECRET,
        version=ACCESS_KEY_SECRET,
    )
    return (
        bgp,
        ident,
        user,
        *(access_key(s, f"terway-{CLUSTER_ID}", user=user) for s in "abc"),
        ram_policy(secret(policy_document(allow("ecs:*"), allow(POLICY_DOCUMENT_SECRET))), parent=ident),
        eni_config(leaky_conf, wrap_secret=True, parent=bgp),
        eni_config(json.dumps(leaky_conf)[:-5], patch=False),
        addon_secret(bgp),
    )
