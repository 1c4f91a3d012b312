"""The stack configuration contract (namespace ``hybrid-terway``), validated before any resource exists.

``parse_settings`` takes the raw stack configuration (key -> value, objects already decoded) and returns a
frozen :class:`Settings` or raises :class:`SettingsError` with one line per problem, each naming the key path,
the value and what is valid. Secret values never reach this module: only whether they are set.
"""

from __future__ import annotations

import ipaddress
import json
import re
import typing
from collections.abc import Collection, Mapping, Sequence
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from hybrid_terway.core import constants, scheduling, suggest, terway_model, topology
from hybrid_terway.core.problems import Problem
from hybrid_terway.core.vocabulary import (
    CredentialSource,
    CredentialStore,
    InterconnectMode,
    InterconnectVia,
    IpStack,
    KeySlot,
    Scenario,
    VswitchSelectionPolicy,
    WorkloadKind,
)

CONFIG_KEYS = (
    "scenario",
    "clusterId",
    "terway",
    "credentials",
    "onPremWorkloads",
    "onPremPodCidrs",
    "cloudNodeLabel",
    "interconnect",
    "kubeconfig",
    "accessKeySecret",
)
OBJECT_KEYS = frozenset({"terway", "credentials", "onPremWorkloads", "onPremPodCidrs", "interconnect"})
SECRET_KEYS = frozenset({"kubeconfig", "accessKeySecret"})
SECRET_FIXES = {
    "kubeconfig": f"pulumi config set --secret {constants.PROJECT}:kubeconfig < kubeconfig.yaml",
    "accessKeySecret": f"pulumi config set --secret {constants.PROJECT}:accessKeySecret  (it prompts for the value)",
}
"""The command that stores each secret-only setting encrypted (a multi-line value is piped to standard input)."""


STACK_CONFIGURATION = "stack configuration"
"""What the settings are read from in a program run: problems name ``hybrid-terway:<key path>``."""


def inputs_of(component: str) -> str:
    """What a component's settings are read from when it is given its inputs: problems name the input's path."""
    return f"inputs of {component}"


class SettingsError(ValueError):
    """Invalid stack configuration, or invalid inputs of a component (``subject``): one line per problem.

    A program raises it as ``hybrid_terway.config.ConfigError``, a ``pulumi.RunError`` (printed without a
    traceback)."""

    def __init__(self, problems: Sequence[Problem], subject: str = STACK_CONFIGURATION) -> None:
        self.problems = list(problems)
        self.subject = subject
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid {subject} ({len(problems)} problem(s)):\n{lines}")


# --- field types ---------------------------------------------------------------------------------


def _matching(pattern: str, what: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"must be {what}")
        return value

    return AfterValidator(check)


def _service_cidr(value: str) -> str:
    """One IPv4 CIDR, or ``<IPv4 CIDR>,<IPv6 CIDR>``: the form Terway splits on "," without trimming."""
    parts = terway_model.service_cidr_parts(value)
    if len(parts) > 2:
        raise ValueError("must be an IPv4 CIDR, or an IPv4 and an IPv6 CIDR joined by ',' (no spaces)")
    rendered = []
    for part, family in zip(parts, (ipaddress.IPv4Network, ipaddress.IPv6Network), strict=False):
        kind = "an IPv4" if family is ipaddress.IPv4Network else "an IPv6"
        if part != part.strip():
            raise ValueError(f"{part!r} has spaces, which Terway does not trim: the part would be dropped silently")
        try:
            network = family(part, strict=True)
        except ValueError as exc:
            example = "172.21.0.0/20" if family is ipaddress.IPv4Network else "fd00::/112"
            which = "" if len(parts) == 1 else f"part {part!r} "
            raise ValueError(f"{which}must be {kind} CIDR such as {example} ({exc})") from None
        rendered.append(str(network))
    return ",".join(rendered)


def _terway_version(value: str) -> str:
    if terway_model.parse_version(value) is None:
        raise ValueError("must be a Terway addon version such as v1.13.7")
    return value


def _ip_cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 or IPv6 CIDR such as 10.244.0.0/16 ({exc})") from None
    return str(network)


def _label(value: str) -> str:
    problem = scheduling.node_label_problem(value)
    if problem:
        raise ValueError(problem)
    return value


ClusterId = Annotated[StrictStr, _matching(r"c[0-9a-f]{32}", "'c' followed by 32 lowercase hex characters")]
ZoneId = Annotated[StrictStr, _matching(r"[a-z]{2}(-[a-z0-9]+)+", "an Alibaba Cloud zone id such as cn-hangzhou-h")]
VSwitchId = Annotated[StrictStr, _matching(r"vsw-[a-z0-9]{8,32}", "a vSwitch id such as vsw-bp1a2b3c4d5e6f7g8h9i0")]
SecurityGroupId = Annotated[
    StrictStr, _matching(r"sg-[a-z0-9]{8,32}", "a security group id such as sg-bp1a2b3c4d5e6f7g8h9i")
]
AccessKeyId = Annotated[
    StrictStr, _matching(r"LTAI[A-Za-z0-9]{12,26}", "an AccessKey id ('LTAI' and 12 to 26 letters or digits)")
]
RamUserName = Annotated[
    StrictStr, _matching(constants.RAM_USER_NAME_PATTERN, "1 to 64 characters of A-Z a-z 0-9 . _ -")
]
RamPolicyName = Annotated[
    StrictStr, _matching(constants.RAM_POLICY_NAME_PATTERN, "1 to 128 characters of A-Z a-z 0-9 -")
]
K8sName = Annotated[
    StrictStr,
    _matching(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?", "a Kubernetes object name (lowercase DNS subdomain)"),
]
K8sNamespace = Annotated[
    StrictStr, _matching(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", "a Kubernetes namespace name (DNS label)")
]
NodeLabel = Annotated[StrictStr, AfterValidator(_label)]
VbrId = Annotated[StrictStr, _matching(r"vbr-[a-z0-9]{8,32}", "a VBR id such as vbr-bp1a2b3c4d5e6f7g8h9i")]
CenId = Annotated[StrictStr, _matching(r"cen-[a-z0-9]{8,32}", "a CEN instance id such as cen-7qthudw0ll6jmc3a1b")]
EcrId = Annotated[
    StrictStr, _matching(r"ecr-[a-z0-9]{8,32}", "an Express Connect Router id such as ecr-mezk2idmsd0vx2a1b2")
]


def _go_int(value: int) -> int:
    if value > constants.INT64_MAX:  # max/min_pool_size are Go int in Terway; its images are 64-bit
        raise ValueError(f"must be at most {constants.INT64_MAX}, the largest number Terway's Go int holds")
    return value


GoInt = Annotated[StrictInt, Field(ge=0), AfterValidator(_go_int)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)


# --- sections ------------------------------------------------------------------------------------


class TerwaySettings(_Model):
    version: Annotated[StrictStr, AfterValidator(_terway_version)] | None = None
    ipvlan: StrictBool = False
    pod_vswitches: dict[ZoneId, Annotated[list[VSwitchId], Field(min_length=1)]] = Field(min_length=1)
    service_cidr: Annotated[StrictStr, AfterValidator(_service_cidr)]
    security_group_ids: Annotated[
        list[SecurityGroupId], Field(min_length=1, max_length=terway_model.SG_LIMIT_LIST_10.limit)
    ]
    min_pool_size: GoInt = 0
    max_pool_size: GoInt = 5
    vswitch_selection_policy: VswitchSelectionPolicy = VswitchSelectionPolicy.ORDERED
    ip_stack: IpStack = IpStack.IPV4

    @field_validator("security_group_ids", "pod_vswitches")
    @classmethod
    def _no_duplicates(cls, value: Any) -> Any:
        items = [v for vs in value.values() for v in vs] if isinstance(value, dict) else list(value)
        dupes = sorted({v for v in items if items.count(v) > 1})
        if dupes:
            raise ValueError(f"lists {', '.join(dupes)} more than once")
        return value

    @model_validator(mode="after")
    def _pool_bounds(self) -> TerwaySettings:
        if self.min_pool_size > self.max_pool_size:
            raise ValueError(f"minPoolSize ({self.min_pool_size}) must not exceed maxPoolSize ({self.max_pool_size})")
        problems: list[tuple[str, str]] = []
        if "," in self.service_cidr and self.ip_stack != "dual":
            problems.append(("serviceCidr", f"= {self.service_cidr!r}: an IPv6 part needs ipStack 'dual'"))
        limit = terway_model.security_group_limit(self.version)
        if len(self.security_group_ids) > limit.limit:
            pinned = f"Terway {self.version}" if self.version else "Terway of an unpinned addon version"
            problems.append(
                (
                    "securityGroupIds",
                    f"lists {len(self.security_group_ids)} security groups; {pinned} accepts at most "
                    f"{limit.limit} ({limit.source}); pin terway.version v1.13.7 or later for up to "
                    f"{terway_model.SG_LIMIT_LIST_10.limit}",
                )
            )
        if problems:
            raise _ScenarioProblems(problems)
        return self


def _unique_slots(value: list[KeySlot]) -> list[KeySlot]:
    if len(set(value)) != len(value):
        raise ValueError("must not name a slot twice")
    return value


KeySlots = Annotated[
    list[KeySlot],
    Field(min_length=1, max_length=constants.RAM_MAX_ACCESS_KEYS_PER_USER),
    AfterValidator(_unique_slots),
]
"""One AccessKey per slot, each slot at most once; RAM allows two keys per user."""


def _check_active_key(active: KeySlot, slots: Sequence[KeySlot]) -> None:
    if active not in slots:
        raise ValueError(f"activeKey '{active}' must be one of keySlots {list(slots)}")


class CredentialSettings(_Model):
    source: CredentialSource = CredentialSource.MANAGED
    store: CredentialStore = CredentialStore.SECRET
    access_key_id: AccessKeyId | None = None
    ram_user_name: RamUserName | None = None
    key_slots: KeySlots = [KeySlot.A]
    active_key: KeySlot | None = None
    legacy_ram_actions: StrictBool = False

    @model_validator(mode="after")
    def _consistent(self) -> CredentialSettings:
        if self.source == "existing":
            if self.access_key_id is None:
                raise ValueError("source 'existing' needs accessKeyId")
            managed_only = sorted(
                {"ram_user_name", "key_slots", "active_key", "legacy_ram_actions"} & self.model_fields_set
            )
            if managed_only:
                keys = ", ".join(to_camel(k) for k in managed_only)
                raise ValueError(f"{keys} only apply to source 'managed'")
        else:
            if self.access_key_id is not None:
                raise ValueError("accessKeyId only applies to source 'existing'")
            if self.active_key is not None:
                _check_active_key(self.active_key, self.key_slots)
        return self

    @property
    def active_slot(self) -> KeySlot:
        return self.active_key or self.key_slots[0]


class OnPremWorkload(_Model):
    kind: WorkloadKind
    namespace: K8sNamespace | None = None
    name: K8sName

    @model_validator(mode="after")
    def _namespace_rules(self) -> OnPremWorkload:
        if self.kind is WorkloadKind.INSTALLATION:
            if self.namespace is not None:
                raise ValueError("an Installation is cluster-scoped: leave namespace out")
        elif self.namespace is None:
            raise ValueError(f"a {self.kind.value} needs a namespace")
        if self.kind is WorkloadKind.DAEMONSET and topology.tigera_owner_of(self.object_ref) is not None:
            raise ValueError(
                f"DaemonSet {self.namespace}/{self.name} belongs to the tigera operator, which reverts direct "
                "patches: list {kind: Installation, name: default} instead"
            )
        if self.object_ref == topology.TERWAY_DAEMONSET:
            raise ValueError("terway-eniip is the cloud-node CNI, not an on-prem workload")
        return self

    @property
    def object_ref(self) -> topology.ObjectRef:
        return topology.ObjectRef(self.kind.value, self.name, self.namespace)

    @property
    def ref(self) -> str:
        return str(self.object_ref)

    @property
    def resource_slug(self) -> str:
        """The part of this workload's resource names that tells it apart; Settings refuses two that collide."""
        raw = f"{self.kind.value}-{self.namespace or 'cluster'}-{self.name}".lower()
        return re.sub(r"[^a-z0-9-]+", "-", raw)

    @property
    def id(self) -> str:
        """The Kubernetes provider id: ``namespace/name`` or ``name``."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def is_known_cni(self) -> bool:
        return topology.is_onprem_cni(self.object_ref)


class InterconnectSettings(_Model):
    """How the VPC reaches the data centre, and which of its pieces this program checks or manages
    (``hybrid_terway.core.interconnect``; docs/interconnect.md)."""

    via: InterconnectVia
    vbr_ids: Annotated[list[VbrId], Field(min_length=1)] | None = None
    cen_id: CenId | None = None
    ecr_id: EcrId | None = None
    on_prem_node_cidrs: tuple[Annotated[StrictStr, AfterValidator(_ip_cidr)], ...] = ()
    routes: InterconnectMode = InterconnectMode.CHECK
    bgp_networks: InterconnectMode = InterconnectMode.CHECK
    security_group_ingress: InterconnectMode = InterconnectMode.CHECK
    no_nat_pools: InterconnectMode = InterconnectMode.CHECK

    @model_validator(mode="after")
    def _via_rules(self) -> InterconnectSettings:
        problems: list[tuple[str, str]] = []
        if self.via == "vbr" and not self.vbr_ids:
            problems.append(("vbrIds", "is required with via 'vbr': the VBRs that connect the VPC to the data centre"))
        if self.via != "vbr":
            if self.vbr_ids is not None:
                problems.append(("vbrIds", f"only applies to via 'vbr', not {self.via!r}"))
            for key, mode in (("routes", self.routes), ("bgpNetworks", self.bgp_networks)):
                if mode == "manage":
                    problems.append(
                        (
                            key,
                            f"= 'manage' needs via 'vbr': with {self.via!r} the routes are learned and published "
                            "by that service, not added here; use 'check' or 'off'",
                        )
                    )
        # The instance whose attachments tell what publishes the pod vSwitch CIDRs: DescribeCenAttachedChildInstances
        # and ListTransitRouter*Attachments take a CenId, DescribeExpressConnectRouterAssociation an EcrId.
        wants_cen = self.via in ("cen", "transitRouter")
        if wants_cen and self.cen_id is None:
            problems.append(
                ("cenId", f"is required with via {self.via!r}: the CEN instance the VPC and the VBRs are attached to")
            )
        if not wants_cen and self.cen_id is not None:
            problems.append(("cenId", f"only applies to via 'cen' or 'transitRouter', not {self.via!r}"))
        if self.via == "expressConnectRouter" and self.ecr_id is None:
            problems.append(
                (
                    "ecrId",
                    "is required with via 'expressConnectRouter': the Express Connect Router the VPC is "
                    "associated with",
                )
            )
        if self.via != "expressConnectRouter" and self.ecr_id is not None:
            problems.append(("ecrId", f"only applies to via 'expressConnectRouter', not {self.via!r}"))
        if problems:
            raise _ScenarioProblems(problems)
        return self


DEFAULT_BGP_WORKLOADS = (OnPremWorkload(kind=WorkloadKind.DAEMONSET, namespace="kube-system", name="calico-node"),)


class Settings(_Model):
    scenario: Scenario
    cluster_id: ClusterId
    terway: TerwaySettings | None = None
    credentials: CredentialSettings | None = None
    on_prem_workloads: tuple[OnPremWorkload, ...] | None = None
    on_prem_pod_cidrs: tuple[Annotated[StrictStr, AfterValidator(_ip_cidr)], ...] = ()
    cloud_node_label: NodeLabel = constants.CLOUD_NODE_LABEL
    interconnect: InterconnectSettings | None = None
    has_kubeconfig: StrictBool = False
    has_access_key_secret: StrictBool = False

    @model_validator(mode="after")
    def _scenario_rules(self) -> Settings:
        problems: list[tuple[str, str]] = []
        if self.scenario.runs_terway:
            if self.terway is None:
                problems.append(("terway", f"is required for scenario '{self.scenario.value}'"))
        else:
            if self.terway is not None:
                problems.append(
                    (
                        "terway",
                        "must not be set for scenario 'overlay': cloud nodes run the on-prem overlay CNI, "
                        "and installing Terway there is a mistake",
                    )
                )
            if self.credentials is not None:
                problems.append(("credentials", "must not be set for scenario 'overlay': no Terway, no credentials"))
            if self.on_prem_pod_cidrs:
                problems.append(
                    ("onPremPodCidrs", "must not be set for scenario 'overlay': no Terway, no address plan to check")
                )
            for i, w in enumerate(self.on_prem_workloads or ()):
                if w.is_known_cni:
                    problems.append(
                        (
                            f"onPremWorkloads[{i}]",
                            f"{w.ref} is the overlay CNI, which must also run on cloud nodes in scenario 'overlay'",
                        )
                    )
        if self.interconnect is not None:
            if self.scenario is not Scenario.BGP:
                problems.append(
                    (
                        "interconnect",
                        f"must not be set for scenario '{self.scenario.value}': only in 'bgp' do cloud pods and "
                        "on-prem pods address each other across the VPC and the data centre",
                    )
                )
            elif not self.on_prem_pod_cidrs:
                problems.append(
                    (
                        "onPremPodCidrs",
                        "is required with interconnect: the on-prem pod CIDRs the VPC must route to and the "
                        "security groups must admit",
                    )
                )
        creds = self.effective_credentials
        if creds is not None:
            if creds.source == "existing" and not self.has_access_key_secret:
                problems.append(
                    (
                        "accessKeySecret",
                        "is required with credentials.source 'existing': "
                        "pulumi config set --secret hybrid-terway:accessKeySecret <secret>",
                    )
                )
            if creds.source == "managed" and self.has_access_key_secret:
                problems.append(
                    (
                        "accessKeySecret",
                        "is only used with credentials.source 'existing'; remove it or set credentials.source",
                    )
                )
        elif self.has_access_key_secret:
            problems.append(("accessKeySecret", "is only used with credentials.source 'existing'"))
        seen: set[str] = set()
        named: dict[str, tuple[int, OnPremWorkload]] = {}
        for i, w in enumerate(self.on_prem_workloads or ()):
            if w.id + w.kind.value in seen:
                problems.append((f"onPremWorkloads[{i}]", f"{w.ref} is listed twice"))
            elif w.resource_slug in named:
                j, other = named[w.resource_slug]
                problems.append(
                    (
                        f"onPremWorkloads[{i}]",
                        f"{w.ref} and onPremWorkloads[{j}] {other.ref} would both be named "
                        f"'{w.resource_slug}' (resource names keep only a-z, 0-9 and '-'); "
                        "two resources cannot share a name",
                    )
                )
            seen.add(w.id + w.kind.value)
            named.setdefault(w.resource_slug, (i, w))
        if problems:
            raise _ScenarioProblems(problems)
        return self

    @property
    def effective_credentials(self) -> CredentialSettings | None:
        if not self.scenario.runs_terway:
            return None
        return self.credentials or CredentialSettings()

    @property
    def workloads(self) -> tuple[OnPremWorkload, ...]:
        if self.on_prem_workloads is not None:
            return self.on_prem_workloads
        return DEFAULT_BGP_WORKLOADS if self.scenario is Scenario.BGP else ()

    @property
    def ram_user_name(self) -> str:
        creds = self.effective_credentials
        return (creds.ram_user_name if creds else None) or f"terway-{self.cluster_id}"

    @property
    def ram_policy_name(self) -> str:
        return f"terway-eniip-{self.cluster_id}"


class IdentitySettings(_Model):
    """The inputs of ``TerwayIdentity`` (``hybrid_terway.args.TerwayIdentityInputs``), by the rules ``credentials``
    follows: the RAM user name, the key slots and the active key are checked here only."""

    user_name: RamUserName
    policy_name: RamPolicyName
    ip_stack: IpStack
    key_slots: KeySlots
    active_key: KeySlot
    cluster_id: StrictStr
    """Named in the user's and the policy's descriptions."""
    legacy_ram_actions: StrictBool = False

    @model_validator(mode="after")
    def _active_key_in_slots(self) -> IdentitySettings:
        try:
            _check_active_key(self.active_key, self.key_slots)
        except ValueError as exc:
            raise _ScenarioProblems([("activeKey", str(exc))]) from None
        return self


IDENTITY_KEYS = tuple(field.alias or name for name, field in IdentitySettings.model_fields.items())


class _ScenarioProblems(ValueError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{k}: {m}" for k, m in problems))
        self.problems = problems


# --- parsing -------------------------------------------------------------------------------------


def _path(loc: tuple[int | str, ...], prefix: str = constants.PROJECT + ":") -> str:
    """The key path as the reader writes it: ``hybrid-terway:terway.podVswitches`` in a stack file, or
    ``terway.podVswitches`` among a component's inputs (``prefix`` empty)."""
    out = prefix
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if i else "") + part
    return out


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


_YAML_WORDS = (
    (re.compile(r"a valid dictionary( or instance of \w+)?"), "a mapping"),
    (re.compile(r"a valid (tuple|list|set|frozenset)"), "a list"),
    (re.compile(r"^Dictionary "), "Mapping "),
    (re.compile(r"^(Tuple|Set) "), "List "),
)


def _yaml_words(message: str) -> str:
    """Pydantic speaks of Python types ("valid tuple", "dictionary"); a stack file holds lists and mappings."""
    for pattern, words in _YAML_WORDS:
        message = pattern.sub(words, message)
    return message


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The settings model an annotation holds (directly, optional, or as the items of a tuple or list)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def keys_at(loc: Sequence[int | str], root: type[BaseModel] | None = None) -> list[str]:
    """The keys valid beside the last part of ``loc`` (a key path as pydantic reports it, in ``root``, the settings
    by default), or [] if none is known."""
    model: type[BaseModel] = root or Settings
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = next((f for name, f in model.model_fields.items() if (f.alias or name) == part), None)
        nested = _model_in(field.annotation) if field is not None else None
        if nested is None:
            return []
        model = nested
    if model is Settings:
        return list(CONFIG_KEYS)
    if model is IdentitySettings:
        return list(IDENTITY_KEYS)
    return [field.alias or name for name, field in model.model_fields.items()]


def unknown_key(key: str, valid: Sequence[str]) -> str:
    """``is not a known key; did you mean podVswitches? valid keys are ...`` (the guess only when there is one)."""
    meant = suggest.did_you_mean(key, valid)
    guess = f"did you mean {meant}? " if meant else ""
    if not valid:
        return f"is not a known key ({guess}check the spelling; keys are camelCase)"
    return f"is not a known key; {guess}valid keys are {', '.join(valid)}"


def _at(loc: tuple[int | str, ...], rest: str, prefix: str = constants.PROJECT + ":") -> Problem:
    """The problem at ``loc``: its line is the key path as the reader writes it, then ``rest``."""
    return Problem(_path(loc, ""), _path(loc, prefix) + rest)


def _problem(
    error: Mapping[str, Any], prefix: str = constants.PROJECT + ":", root: type[BaseModel] | None = None
) -> list[Problem]:
    # Validator wrappers show up in the location as "function-after[...]"; they are not part of the key path.
    loc = tuple(p for p in error["loc"] if not str(p).startswith("function-"))
    # Pydantic reports errors inside dict keys with a '[key]' suffix location; keep it readable.
    loc = tuple(str(p).replace("[key]", "") if isinstance(p, str) else p for p in loc)
    ctx_error = error.get("ctx", {}).get("error")
    if isinstance(ctx_error, _ScenarioProblems):
        return [_at((*loc, key), f": {msg}", prefix) for key, msg in ctx_error.problems]
    message = str(ctx_error) if ctx_error is not None else error["msg"]
    message = _yaml_words(message.removeprefix("Value error, "))
    if error["type"] == "missing":
        return [_at(loc, ": is required", prefix)]
    if error["type"] == "extra_forbidden":
        return [_at(loc, f": {unknown_key(str(loc[-1]), keys_at(loc, root))}", prefix)]
    value = error.get("input")
    shown = "" if isinstance(value, dict) and error["type"] not in ("dict_type",) else f" = {_show(value)}"
    return [_at(loc, f"{shown}: {message}", prefix)]


def decode_config(raw: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """Decode the string values Pulumi hands a program (objects arrive as JSON text)."""
    decoded: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, text in raw.items():
        if key in SECRET_KEYS:
            continue
        if key in OBJECT_KEYS:
            try:
                decoded[key] = json.loads(text)
            except json.JSONDecodeError as exc:
                problems.append(_at((key,), f": is not a structured value ({exc.msg})"))
            except RecursionError:
                problems.append(_at((key,), ": is nested too deeply to read"))
            except ValueError as exc:  # an integer with more digits than int() converts
                problems.append(_at((key,), f": is not a structured value this program can read ({exc})"))
        else:
            decoded[key] = text
    return decoded, problems


def plain_secret_problems(raw: Mapping[str, str], secret_keys: Collection[str]) -> list[Problem]:
    """Secret-only settings given in plain text (never their values), with the command that fixes each."""
    return [
        _at((key,), f": is a secret but is given in plain text; store it encrypted: {SECRET_FIXES[key]}")
        for key in sorted(SECRET_KEYS)
        if raw.get(key) and key not in secret_keys
    ]


def parse_settings(raw: Mapping[str, str], secret_keys: Collection[str] | None = None) -> Settings:
    """Validate the stack configuration (string values as Pulumi passes them) or raise SettingsError.

    ``secret_keys`` (keys without the namespace) are the values the engine holds encrypted; when given, a
    secret-only setting outside it is refused.
    """
    unknown = sorted(set(raw) - set(CONFIG_KEYS))
    problems = [_at((k,), f": {unknown_key(k, CONFIG_KEYS)}") for k in unknown]
    if secret_keys is not None:
        problems += plain_secret_problems(raw, secret_keys)
    decoded, decode_problems = decode_config({k: v for k, v in raw.items() if k in CONFIG_KEYS})
    problems += decode_problems
    if decode_problems or unknown:
        raise SettingsError(problems)
    decoded["hasKubeconfig"] = bool(raw.get("kubeconfig"))
    decoded["hasAccessKeySecret"] = bool(raw.get("accessKeySecret"))
    try:
        settings = validate_settings(decoded)
    except SettingsError as exc:
        raise SettingsError(problems + exc.problems) from None
    if problems:  # plain-text secrets, reported with every other problem of the same run
        raise SettingsError(problems)
    return settings


def validate_settings(values: Mapping[str, Any], subject: str = STACK_CONFIGURATION) -> Settings:
    """Validate decoded values (camelCase keys, objects as data, secrets as hasKubeconfig/hasAccessKeySecret).

    The stack configuration and the component package's inputs both come through here: one contract. For a
    component's inputs (``subject`` from :func:`inputs_of`) each problem names the input's path, without the
    stack configuration's namespace.
    """
    prefix = constants.PROJECT + ":" if subject == STACK_CONFIGURATION else ""
    try:
        return Settings.model_validate(dict(values))
    except ValidationError as exc:
        raise SettingsError([p for e in exc.errors() for p in _problem(e, prefix)], subject) from None


def validate_identity(values: Mapping[str, Any]) -> IdentitySettings:
    """Validate the inputs of ``TerwayIdentity`` (camelCase keys); each problem names the input's path."""
    try:
        return IdentitySettings.model_validate(dict(values))
    except ValidationError as exc:
        problems = [p for e in exc.errors() for p in _problem(e, "", IdentitySettings)]
        raise SettingsError(problems, inputs_of("TerwayIdentity")) from None
