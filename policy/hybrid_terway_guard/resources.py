"""What the rules read from a resource: its type, URN, parent, and the Kubernetes object it describes.

Rules see properties as read-only mappings (plain dicts in tests, the SDK's proxies under the engine). They
read only the fields they judge, so an unknown value elsewhere in a resource never stops a rule; an unknown
value in a judged field raises the SDK's ``UnknownValueError`` when it is touched.

An unknown value never reads as absent. What decides whether a rule concerns an object at all (its name,
namespace, the labels that opt it in) is read three-valued: known to match, known not to match, or not known yet.
An object known not to concern a rule is not judged, whatever else of it is unknown; one that may concern it
raises :class:`CannotJudge`, which the SDK reports as an advisory "can't run policy ... during preview: cannot
judge yet: ...", never as a violation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy import proxy
from pulumi_policy.proxy import UnknownValueError

from hybrid_terway.core import constants, scheduling, topology
from hybrid_terway.core.topology import ObjectRef
from hybrid_terway.core.vocabulary import Scenario, WorkloadKind

from .redact import looks_like_credential, shown_name

Report = Callable[[str, "str | None"], None]
"""``report(message, urn)``: pulumi-policy's ``ReportViolation``."""

# --- Pulumi type tokens ----------------------------------------------------------------------------

KUBERNETES: Final = "kubernetes"
STACK_TYPE: Final = "pulumi:pulumi:Stack"
RAM_USER: Final = "alicloud:ram/user:User"
RAM_POLICY: Final = "alicloud:ram/policy:Policy"
RAM_ACCESS_KEY: Final = "alicloud:ram/accessKey:AccessKey"
CS_ADDON: Final = "alicloud:cs/kubernetesAddon:KubernetesAddon"

APPS_V1: Final = "apps/v1"
CORE_V1: Final = "v1"
CONFIG_MAP: Final = "ConfigMap"
SECRET: Final = "Secret"
APPS_WORKLOAD_KINDS: Final = frozenset(
    {WorkloadKind.DAEMONSET.value, WorkloadKind.DEPLOYMENT.value, WorkloadKind.STATEFULSET.value}
)
_PATCH_SUFFIX: Final = "Patch"
_UNKNOWN_MARKERS: Final = frozenset(
    {
        proxy.UNKNOWN_STRING_VALUE,
        proxy.UNKNOWN_NUMBER_VALUE,
        proxy.UNKNOWN_BOOLEAN_VALUE,
        proxy.UNKNOWN_ARRAY_VALUE,
        proxy.UNKNOWN_OBJECT_VALUE,
        proxy.UNKNOWN_ASSET_VALUE,
        proxy.UNKNOWN_ARCHIVE_VALUE,
    }
)

NAME: Final = "metadata.name"
NAMESPACE: Final = "metadata.namespace"
NAME_NOT_KNOWN: Final = "(name not known yet)"
NAMESPACE_NOT_KNOWN: Final = "(namespace not known yet)"

_SHOWN_WORD: Final = re.compile(r"[A-Za-z0-9._-]{1,16}")
_CIDR_PART: Final = r"[0-9A-Fa-f.:]*[.:][0-9A-Fa-f.:]*(?:/[0-9]{1,3})?"
_SHOWN_CIDR: Final = re.compile(f"{_CIDR_PART}(?: ?, ?{_CIDR_PART}){{0,3}}")
_SHOWN_ACTION: Final = re.compile(r"[A-Za-z0-9]{1,32}:[A-Za-z0-9*?]{1,64}|[*?]")
_SHOWN_KEY: Final = re.compile(
    r"(?=.{1,40}$)(?:[A-Za-z][a-z0-9]*(?:_[A-Za-z0-9][a-z0-9]*)*|[a-z][a-z0-9]*(?:-[a-z0-9]+)+)"
)


class CannotJudge(UnknownValueError):
    """A rule cannot decide because something it needs is not known during preview (the SDK: an advisory)."""

    def __init__(self, reason: str) -> None:
        super().__init__(proxy.UNKNOWN_STRING_VALUE, [])
        self.reason = reason
        self.message = f"cannot judge yet: {reason}"


class _NotKnown:
    def __repr__(self) -> str:
        return "NOT_KNOWN"


NOT_KNOWN: Final = _NotKnown()
"""What :func:`read_field` gives for a value the engine marks unknown."""


def read_field(container: Mapping[str, Any] | None, key: str) -> Any:
    """``container[key]``; None when absent (or no container), :data:`NOT_KNOWN` when unknown during preview."""
    if container is None:
        return None
    try:
        return container.get(key)
    except UnknownValueError:
        return NOT_KNOWN


def both(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued ``a and b`` (None: not known)."""
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def either(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued ``a or b`` (None: not known)."""
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def negated(a: bool | None) -> bool | None:
    return None if a is None else not a


@dataclass(frozen=True)
class ResourceView:
    """One resource as a rule sees it: the engine's view, with properties in engine (camelCase) names."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def type_chain(urn: str) -> tuple[str, ...]:
    """The types from the root component down to the resource itself, read from a Pulumi URN."""
    parts = urn.split("::")
    if len(parts) < 4 or not parts[0].startswith("urn:pulumi:"):
        return ()
    return tuple(parts[2].split("$"))


def shown(value: object, *, cidr: bool = False, action: bool = False) -> str:
    """A value for a message, without echoing anything that could be a secret.

    Policies see secrets as plain values (the SDK drops the marker), so only values whose shape rules out a
    credential are shown: numbers, booleans, short words, CIDR-like text (``cidr``) or ``service:Action`` names
    (``action``). Anything else is described by its type and size.
    """
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        patterns = [_SHOWN_WORD] + ([_SHOWN_CIDR] if cidr else []) + ([_SHOWN_ACTION] if action else [])
        if any(p.fullmatch(value) for p in patterns) and not looks_like_credential(value):
            return json.dumps(value)
        return f"a string of {len(value)} characters"
    if isinstance(value, Mapping):
        return f"an object of {len(value)} keys"
    if isinstance(value, Sequence):
        return f"a list of {len(value)} items"
    return type(value).__name__


def shown_key(key: str) -> str:
    """An object key for a message: a snake_case name or a zone id is shown, what could be a credential is not."""
    return (
        repr(key) if _SHOWN_KEY.fullmatch(key) and not looks_like_credential(key) else f"a key of {len(key)} characters"
    )


def text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def mapping(value: object) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def plain(value: Any) -> Any:
    """A plain copy (dicts, lists, scalars) of a property value; touches, so checks, every part of it."""
    if isinstance(value, Mapping):
        return {key: plain(value[key]) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray)):
        return [plain(item) for item in value]
    return value


# --- Kubernetes objects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KubeObject:
    """A Kubernetes object (or a server-side-apply patch of one) that a resource registers or reads."""

    resource: ResourceView
    api_version: str
    kind: str
    patch: bool
    namespace: str | None
    name: str | None
    body: Mapping[str, Any]
    """The properties, with ``apiVersion`` and ``kind`` taken from the resource type."""
    unknown: frozenset[str] = frozenset()
    """Which of ``metadata.name`` and ``metadata.namespace`` are not known during preview (then None above)."""

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """(apiVersion, kind, namespace, name): the same for an object and every patch of it."""
        return (self.api_version, self.kind, self.namespace or "", self.name or "")

    @property
    def object_ref(self) -> ObjectRef:
        """The object as the core's rules see it (a name not known during preview is empty)."""
        return ObjectRef(self.kind, self.name or "", self.namespace, self.api_version)

    @property
    def ref(self) -> str:
        """The object as messages show it: a name not known during preview said so, a long or odd one shortened."""
        name = NAME_NOT_KNOWN if NAME in self.unknown else shown_name(self.name) if self.name is not None else "None"
        namespace = NAMESPACE_NOT_KNOWN if NAMESPACE in self.unknown else self.namespace and shown_name(self.namespace)
        return str(ObjectRef(self.kind, name, namespace or None))

    def named(self, api_version: str, kind: str, namespace: str, name: str) -> bool | None:
        """Whether this is ``namespace/name`` (an object without a namespace is accepted too); None: not known."""
        if self.api_version != api_version or self.kind != kind:
            return False
        if NAME not in self.unknown and self.name != name:
            return False
        if NAMESPACE not in self.unknown and self.namespace not in (None, namespace):
            return False
        return None if self.unknown else True

    def is_named(self, api_version: str, kind: str, namespace: str, name: str) -> bool:
        """:meth:`named`, raising :class:`CannotJudge` when it is not known."""
        result = self.named(api_version, kind, namespace, name)
        if result is None:
            raise CannotJudge(f"whether {self.ref} is {kind} {namespace}/{name}: {self.not_known}")
        return result

    @property
    def not_known(self) -> str:
        fields = " and ".join(sorted(self.unknown))
        return f"its {fields} {'are' if len(self.unknown) > 1 else 'is'} not known during preview"

    def label_is(self, key: str, value: str) -> bool | None:
        """Whether the object or its pod template is labelled ``key: value`` (only that label is read); None: one
        of the two is not known during preview and the other does not carry it."""
        metadata = read_field(self.body, "metadata")
        spec = read_field(self.body, "spec")
        template = read_field(mapping(spec), "template") if spec is not NOT_KNOWN else NOT_KNOWN
        template_metadata = read_field(mapping(template), "metadata") if template is not NOT_KNOWN else NOT_KNOWN
        result: bool | None = False
        for parent in (metadata, template_metadata):
            labels = read_field(mapping(parent), "labels") if parent is not NOT_KNOWN else NOT_KNOWN
            label = read_field(mapping(labels), key) if labels is not NOT_KNOWN else NOT_KNOWN
            result = either(result, None if label is NOT_KNOWN else label == value)
        return result

    def carries_label(self, key: str, value: str) -> bool:
        """:meth:`label_is`, raising :class:`CannotJudge` when it is not known."""
        result = self.label_is(key, value)
        if result is None:
            raise CannotJudge(f"whether {self.ref} is labelled {key}: {value}: its labels are not known during preview")
        return result


class _Typed(Mapping[str, Any]):
    """Resource properties seen with ``apiVersion`` and ``kind`` from the resource type; nothing is copied."""

    def __init__(self, api_version: str, kind: str, props: Mapping[str, Any]) -> None:
        self._type = {"apiVersion": api_version, "kind": kind}
        self._props = props

    def __getitem__(self, key: str) -> Any:
        return self._type[key] if key in self._type else self._props[key]

    def __iter__(self) -> Iterator[str]:
        yield from self._type
        yield from (key for key in self._props if key not in self._type)

    def __len__(self) -> int:
        return len(self._type) + sum(1 for key in self._props if key not in self._type)


def kube_type(resource_type: str) -> tuple[str, str, bool] | None:
    """``kubernetes:apps/v1:DaemonSetPatch`` -> ("apps/v1", "DaemonSet", True); None for other providers."""
    provider, _, rest = resource_type.partition(":")
    module, _, kind = rest.partition(":")
    if provider != KUBERNETES or not module or not kind:
        return None
    api_version = module.removeprefix("core/")
    patch = kind.endswith(_PATCH_SUFFIX) and kind != _PATCH_SUFFIX
    return api_version, kind.removesuffix(_PATCH_SUFFIX) if patch else kind, patch


def kube_object(resource: ResourceView) -> KubeObject | None:
    parsed = kube_type(resource.type)
    if parsed is None:
        return None
    api_version, kind, patch = parsed
    metadata = read_field(resource.props, "metadata")
    if metadata is NOT_KNOWN:
        namespace, name = NOT_KNOWN, NOT_KNOWN
    else:
        namespace, name = read_field(mapping(metadata), "namespace"), read_field(mapping(metadata), "name")
    unknown = frozenset(field for field, value in ((NAMESPACE, namespace), (NAME, name)) if value is NOT_KNOWN)
    return KubeObject(
        resource=resource,
        api_version=api_version,
        kind=kind,
        patch=patch,
        namespace=None if namespace is NOT_KNOWN else text(namespace) or None,
        name=None if name is NOT_KNOWN else text(name),
        body=_Typed(api_version, kind, resource.props),
        unknown=unknown,
    )


def is_terway_daemonset(obj: KubeObject, terway_daemonset: str) -> bool:
    return obj.is_named(APPS_V1, WorkloadKind.DAEMONSET.value, constants.TERWAY_NAMESPACE, terway_daemonset)


def is_eni_config(obj: KubeObject) -> bool:
    return obj.is_named(CORE_V1, CONFIG_MAP, constants.TERWAY_NAMESPACE, constants.ENI_CONFIG_MAP)


def is_addon_secret(obj: KubeObject) -> bool:
    return obj.is_named(CORE_V1, SECRET, constants.TERWAY_NAMESPACE, constants.ADDON_SECRET)


def is_tigera_installation(obj: KubeObject) -> bool:
    return topology.is_tigera_installation(obj.object_ref)


def is_apps_workload(obj: KubeObject) -> bool:
    return obj.api_version == APPS_V1 and obj.kind in APPS_WORKLOAD_KINDS


def onprem_cni(obj: KubeObject, onprem_cni_daemonsets: Iterable[str]) -> bool | None:
    """A known on-prem CNI: a DaemonSet with one of the given names (any namespace), or a tigera Installation;
    None: a DaemonSet whose name is not known during preview."""
    if NAME in obj.unknown and obj.api_version == APPS_V1 and obj.kind == WorkloadKind.DAEMONSET.value:
        return None
    return topology.is_onprem_cni(obj.object_ref, frozenset(onprem_cni_daemonsets))


def is_onprem_cni(obj: KubeObject, onprem_cni_daemonsets: Iterable[str]) -> bool:
    """:func:`onprem_cni`, raising :class:`CannotJudge` when it is not known."""
    result = onprem_cni(obj, onprem_cni_daemonsets)
    if result is None:
        raise CannotJudge(f"whether {obj.ref} is an on-prem CNI: {obj.not_known}")
    return result


def placement_fields(pod_spec: Mapping[str, Any]) -> dict[str, Any]:
    """What decides a pod's nodes, as plain data: ``nodeSelector`` and the required node affinity.

    For a server-side-apply patch this is the placement it owns; an empty result means it sets none, so it
    cannot be judged without the live object. Only these fields are read.
    """
    fields: dict[str, Any] = {}
    if pod_spec.get("nodeSelector") is not None:
        fields["nodeSelector"] = plain(pod_spec["nodeSelector"])
    affinity = pod_spec.get("affinity")
    if affinity is None:
        return fields
    if not isinstance(affinity, Mapping):
        fields["affinity"] = plain(affinity)  # malformed: the scheduling module refuses it
        return fields
    node_affinity = affinity.get("nodeAffinity")
    if node_affinity is None:
        return fields
    if not isinstance(node_affinity, Mapping):
        fields["affinity"] = {"nodeAffinity": plain(node_affinity)}
    elif node_affinity.get(scheduling.REQUIRED_AFFINITY) is not None:
        fields["affinity"] = {
            "nodeAffinity": {scheduling.REQUIRED_AFFINITY: plain(node_affinity[scheduling.REQUIRED_AFFINITY])}
        }
    return fields


def pod_spec_path(obj: KubeObject) -> tuple[str, ...] | None:
    """Where the pod spec sits in the object (what ``scheduling.pod_spec_of`` reads), for writing it back."""
    if is_tigera_installation(obj):
        return tuple(constants.TIGERA_AFFINITY_PATH[:-1])
    if is_apps_workload(obj):
        return ("spec", "template", "spec")
    return None


def has_unknown(value: Any) -> bool:
    """Whether plain data holds the engine's marker for a value not known during preview."""
    if isinstance(value, str):
        return value in _UNKNOWN_MARKERS
    if isinstance(value, Mapping):
        return any(has_unknown(item) for item in value.values())
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return any(has_unknown(item) for item in value)
    return False


def sets_required_node_affinity(pod_spec: Mapping[str, Any]) -> bool:
    affinity = mapping(pod_spec.get("affinity")) or {}
    node_affinity = mapping(affinity.get("nodeAffinity")) or {}
    return node_affinity.get(scheduling.REQUIRED_AFFINITY) is not None


# --- the HybridTerwayNetwork component ---------------------------------------------------------------


def scenario_value(value: object) -> Scenario | None:
    try:
        return Scenario(value) if isinstance(value, str) else None
    except ValueError:
        return None


@dataclass(frozen=True)
class StackScenario:
    """The scenario each HybridTerwayNetwork component of a stack declares."""

    by_component: Mapping[str, Scenario | None]
    """Component URN -> its scenario (None when it cannot be read)."""
    parents: Mapping[str, str | None]
    not_known: frozenset[str] = frozenset()
    """The components whose scenario is not known during preview."""

    @staticmethod
    def of(resources: Sequence[ResourceView]) -> StackScenario:
        components = [r for r in resources if r.type == constants.NETWORK_COMPONENT_TYPE]
        exported = _exported_scenario(resources) if components else None
        by_component: dict[str, Scenario | None] = {}
        not_known = set()
        for component in components:
            # The component's inputs carry the scenario; in the engine's stack view a component shows its
            # registered outputs instead, so the stack's exported ``scenario`` stands in for it there.
            declared = read_field(component.props, "scenario")
            if declared is None:
                declared = exported
            if declared is NOT_KNOWN:
                not_known.add(component.urn)
            by_component[component.urn] = scenario_value(declared)
        return StackScenario(by_component, {r.urn: r.parent for r in resources}, frozenset(not_known))

    @property
    def unknown(self) -> bool:
        """Some component's scenario is not known during preview."""
        return bool(self.not_known)

    def unknown_for(self, urn: str) -> bool:
        """The scenario :meth:`for_resource` would give ``urn`` is not known during preview."""
        component = self._component_of(urn)
        return component in self.not_known if component is not None else self.single is None and self.unknown

    def _component_of(self, urn: str) -> str | None:
        seen: set[str] = set()
        current: str | None = urn
        while current is not None and current not in seen:
            if current in self.by_component:
                return current
            seen.add(current)
            current = self.parents.get(current)
        return None

    @property
    def present(self) -> bool:
        return bool(self.by_component)

    @property
    def single(self) -> Scenario | None:
        """The scenario when every component of the stack declares the same one."""
        values = set(self.by_component.values())
        if len(values) != 1:
            return None
        return next(iter(values))

    def for_resource(self, urn: str) -> Scenario | None:
        """The scenario of the nearest enclosing component, else the stack's single scenario."""
        component = self._component_of(urn)
        return self.by_component[component] if component is not None else self.single


def _exported_scenario(resources: Sequence[ResourceView]) -> object:
    """The stack's exported ``scenario`` (:data:`NOT_KNOWN` during a preview that cannot know it)."""
    for resource in resources:
        if resource.type == STACK_TYPE:
            return read_field(resource.props, "scenario")
    return None
