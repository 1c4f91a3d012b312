"""A stateful fake of the Alibaba Cloud APIs the program uses, with RAM's limits enforced.

State is keyed by resource URN and survives several program runs, so a sequence of runs (key rotation) is
played against the same "cloud". Ids are realistic in shape and derived from the URN, so runs are repeatable.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hybrid_terway.core import constants
from hybrid_terway.core.address_plan import CloudFacts
from hybrid_terway.core.interconnect import InterconnectCloudFacts
from preview.world import fake_interconnect

_ALNUM = string.ascii_letters + string.digits


class CloudError(Exception):
    """What the real API would answer with an error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def derived(seed: str, length: int, alphabet: str = _ALNUM) -> str:
    """A deterministic pseudo-random string."""
    out = ""
    counter = 0
    while len(out) < length:
        digest = hashlib.sha256(f"{seed}#{counter}".encode()).digest()
        out += "".join(alphabet[b % len(alphabet)] for b in digest)
        counter += 1
    return out[:length]


@dataclass
class CloudResource:
    type: str
    id: str
    state: dict[str, Any]


@dataclass
class FakeAlibabaCloud:
    """RAM users, policies, attachments and access keys, and ACK addons of one registered cluster."""

    cluster_id: str
    network: CloudFacts | None = None
    """The region's vSwitches, security groups and VPCs (a cloud snapshot, or representative facts)."""
    interconnect: InterconnectCloudFacts | None = None
    """Route tables, VBRs, BGP and security-group rules (a cloud snapshot, or representative facts)."""
    resources: dict[str, CloudResource] = field(default_factory=dict)
    installed_addons: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The cluster's installed addons by name (``version``, ``config``, ``required``), whoever installed them."""
    addon_events: list[tuple[str, str, str]] = field(default_factory=list)
    """(action, addon, version) in order: ``install``, ``adopt``, ``upgrade`` (Policy overwrite), ``config``,
    ``uninstall``, ``keep`` (a required addon is never uninstalled)."""
    on_addon: Callable[[str, str, Mapping[str, Any]], None] | None = None
    """Called with (action, name, addon state) after the addon manager changed the cluster."""
    _key_serial: int = 0
    _credential_serial: int = 0

    # --- what the engine does with a resource it no longer registers, or replaces ----------------------

    def keep(self, urn: str) -> None:
        """The engine found the resource unchanged: nothing is sent."""
        if urn not in self.resources:
            raise CloudError("InvalidState", f"{urn} is in the stack's state but not in the cloud")

    def move(self, old_urn: str, urn: str) -> None:
        """The engine found the resource under an alias: the same resource, known by its new URN from now on."""
        if old_urn in self.resources:
            self.resources[urn] = self.resources.pop(old_urn)

    def delete(self, urn: str) -> None:
        """The provider's Delete of the resource the state records under ``urn``."""
        resource = self.resources.pop(urn, None)
        if resource is not None and resource.type == "alicloud:cs/kubernetesAddon:KubernetesAddon":
            _uninstall_addon(self, resource)

    def replace(
        self, urn: str, type_: str, inputs: Mapping[str, Any], delete_first: bool
    ) -> tuple[str, dict[str, Any]]:
        """A replacement: the new resource is created before the old one is deleted, unless ``delete_first``
        (``deleteBeforeReplace``). Meanwhile both exist, and count against RAM's limits."""
        old = self.resources.pop(urn)
        if delete_first:
            self.resources[urn] = old
            self.delete(urn)
            return self.register(urn, type_, inputs, fresh=True)
        self.resources[urn + "#replaced"] = old
        try:
            return self.register(urn, type_, inputs, fresh=True)
        except CloudError:
            self.resources[urn] = self.resources.pop(urn + "#replaced")
            raise
        finally:
            if urn + "#replaced" in self.resources:
                self.delete(urn + "#replaced")

    def of_type(self, type_: str) -> list[CloudResource]:
        return [r for r in self.resources.values() if r.type == type_]

    def invented_values(self) -> set[str]:
        """What only this fake made up (AccessKey ids and secrets): a real cloud gives other values."""
        return {v for r in self.of_type("alicloud:ram/accessKey:AccessKey") for v in (r.id, r.state["secret"])}

    def access_keys(self, user_name: str) -> list[CloudResource]:
        return [r for r in self.of_type("alicloud:ram/accessKey:AccessKey") if r.state["userName"] == user_name]

    # --- the mock entry points ----------------------------------------------------------------------

    def handles(self, type_: str) -> bool:
        return type_.startswith("alicloud:")

    def register(
        self, urn: str, type_: str, inputs: Mapping[str, Any], fresh: bool = False
    ) -> tuple[str, dict[str, Any]]:
        """The provider's Create (no resource under ``urn``, or ``fresh``) or Update."""
        existing = None if fresh else self.resources.get(urn)
        handler = _HANDLERS.get(type_)
        if handler is None:
            raise CloudError("UnsupportedResource", f"the fake cloud does not model {type_}")
        resource = handler(self, urn, dict(inputs), existing)
        self.resources[urn] = resource
        return resource.id, dict(resource.state)

    def call(self, token: str, args: Mapping[str, Any]) -> dict[str, Any]:
        if token == "alicloud:cs/getClusterCredential:getClusterCredential":
            if args.get("clusterId") != self.cluster_id:
                raise CloudError("ErrorClusterNotFound", f"cluster {args.get('clusterId')} not found")
            # Each call issues a new temporary credential (DescribeClusterUserKubeconfig with
            # TemporaryDurationMinutes): the kubeconfig differs from one run to the next.
            self._credential_serial += 1
            return {
                "clusterId": self.cluster_id,
                "clusterName": "registered-cluster",
                "kubeConfig": _fake_kubeconfig(self.cluster_id, self._credential_serial),
                "expiration": "2026-01-01T03:00:00Z",
                "temporaryDurationMinutes": args.get("temporaryDurationMinutes"),
                "certificateAuthorities": [],
                "id": self.cluster_id,
            }
        interconnect_call = fake_interconnect.INTERCONNECT_CALLS.get(token)
        if interconnect_call is not None:
            if self.interconnect is None:
                raise CloudError("UnsupportedCall", f"{token}: this fake cloud holds no interconnect facts")
            try:
                return interconnect_call(self.interconnect, args)
            except fake_interconnect.InterconnectCallError as exc:
                raise CloudError(exc.code, str(exc)) from None
        network_call = _NETWORK_CALLS.get(token)
        if network_call is not None:
            if self.network is None:
                raise CloudError("UnsupportedCall", f"{token}: this fake cloud holds no network facts (network=...)")
            return network_call(self.network, args)
        raise CloudError("UnsupportedCall", f"the fake cloud does not model {token}")


def _fake_kubeconfig(cluster_id: str, serial: int = 1) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": cluster_id, "cluster": {"server": "https://127.0.0.1:6443"}}],
            "users": [{"name": "offline", "user": {"token": derived(f"{cluster_id}token#{serial}", 32)}}],
            "contexts": [{"name": cluster_id, "context": {"cluster": cluster_id, "user": "offline"}}],
            "current-context": cluster_id,
        }
    )


def _user(cloud: FakeAlibabaCloud, urn: str, inputs: dict[str, Any], existing: CloudResource | None) -> CloudResource:
    name = inputs.get("name") or ""
    if not re.fullmatch(constants.RAM_USER_NAME_PATTERN, name):
        raise CloudError("InvalidParameter.UserName", f"user name {name!r} is invalid")
    for other_urn, other in cloud.resources.items():
        if other.type == "alicloud:ram/user:User" and other.id == name and other_urn != urn:
            raise CloudError("EntityAlreadyExists.User", f"user {name} already exists")
    return CloudResource("alicloud:ram/user:User", name, {**inputs, "id": name})


def _policy(cloud: FakeAlibabaCloud, urn: str, inputs: dict[str, Any], existing: CloudResource | None) -> CloudResource:
    name = inputs.get("policyName") or ""
    if not name:
        raise CloudError("MissingParameter.PolicyName", "policy_name is required")
    if not re.fullmatch(constants.RAM_POLICY_NAME_PATTERN, name):
        raise CloudError("InvalidParameter.PolicyName", f"policy name {name!r} is invalid")
    document = inputs.get("policyDocument") or ""
    if len(document.encode()) > constants.RAM_POLICY_DOCUMENT_MAX_BYTES:
        raise CloudError("LimitExceeded.Policy.Document", "policy document is larger than 6144 bytes")
    json.loads(document)
    version = 1
    if existing is not None:
        version = existing.state["defaultVersionNumber"] + (existing.state["policyDocument"] != document)
    state = {**inputs, "id": name, "defaultVersion": f"v{version}", "defaultVersionNumber": version}
    return CloudResource("alicloud:ram/policy:Policy", name, state)


def _attachment(
    cloud: FakeAlibabaCloud, urn: str, inputs: dict[str, Any], existing: CloudResource | None
) -> CloudResource:
    user, policy, kind = inputs.get("userName"), inputs.get("policyName"), inputs.get("policyType")
    if kind not in ("Custom", "System"):
        raise CloudError("InvalidParameter.PolicyType", f"policy type {kind!r} is invalid")
    if user not in {r.id for r in cloud.of_type("alicloud:ram/user:User")}:
        raise CloudError("EntityNotExist.User", f"user {user} does not exist")
    if kind == "Custom" and policy not in {r.id for r in cloud.of_type("alicloud:ram/policy:Policy")}:
        raise CloudError("EntityNotExist.Policy", f"policy {policy} does not exist")
    ident = f"user:{policy}:{kind}:{user}"
    return CloudResource("alicloud:ram/userPolicyAttachment:UserPolicyAttachment", ident, {**inputs, "id": ident})


def _access_key(
    cloud: FakeAlibabaCloud, urn: str, inputs: dict[str, Any], existing: CloudResource | None
) -> CloudResource:
    user = inputs.get("userName")
    if user not in {r.id for r in cloud.of_type("alicloud:ram/user:User")}:
        raise CloudError("EntityNotExist.User", f"user {user} does not exist")
    if existing is not None and existing.state["userName"] == user:
        state = {**existing.state, "status": inputs.get("status") or "Active"}
        return CloudResource(existing.type, existing.id, state)
    if len(cloud.access_keys(user)) >= constants.RAM_MAX_ACCESS_KEYS_PER_USER:
        raise CloudError(
            "LimitExceeded.User.AccessKey",
            f"user {user} already has {constants.RAM_MAX_ACCESS_KEYS_PER_USER} AccessKeys",
        )
    cloud._key_serial += 1
    seed = f"{urn}#{cloud._key_serial}"
    key_id = "LTAI5t" + derived(seed, 18)
    state = {
        "id": key_id,
        "userName": user,
        "status": inputs.get("status") or "Active",
        "secret": derived(seed + "secret", 30),
        "createTime": "2026-01-01T00:00:00Z",
    }
    return CloudResource("alicloud:ram/accessKey:AccessKey", key_id, state)


def _addon(cloud: FakeAlibabaCloud, urn: str, inputs: dict[str, Any], existing: CloudResource | None) -> CloudResource:
    """terraform-provider-alicloud (81c43b672) alicloud/resource_alicloud_cs_kubernetes_addon.go.

    Create: an addon already installed is adopted (and upgraded when another version is asked, ``updateAddon``),
    otherwise installed. Update: a version change upgrades with ``Policy: "overwrite"`` (service_alicloud_cs.go
    ``upgradeAddon``); a config that is not a subset of the installed one is sent (``updateAddonConfig``)."""
    if inputs.get("clusterId") != cloud.cluster_id:
        raise CloudError("ErrorClusterNotFound", f"cluster {inputs.get('clusterId')} not found")
    name = inputs.get("name")
    if not name:
        raise CloudError("MissingParameter.Name", "addon name is required")
    ident = f"{cloud.cluster_id}:{name}"
    installed = cloud.installed_addons.get(name)
    wanted = inputs.get("version") or ""
    if installed is None:
        version = wanted or DEFAULT_ADDON_VERSION
        installed = {"version": version, "config": inputs.get("config") or "{}", "required": False}
        cloud.installed_addons[name] = installed
        _addon_event(cloud, "install", name, installed)
    else:
        if existing is None:
            _addon_event(cloud, "adopt", name, installed)
        if wanted and installed.get("version") and wanted != installed["version"]:
            installed["version"] = wanted
            if inputs.get("config"):
                installed["config"] = inputs["config"]
            _addon_event(cloud, "upgrade", name, installed)
        elif inputs.get("config") and not _is_subset(
            _json_object(inputs["config"]), _json_object(installed.get("config"))
        ):
            installed["config"] = json.dumps(
                {**_json_object(installed.get("config")), **_json_object(inputs["config"])}
            )
            _addon_event(cloud, "config", name, installed)
    state = {
        **inputs,
        "id": ident,
        "version": installed["version"],
        "config": installed.get("config") or inputs.get("config") or "{}",
        "canUpgrade": False,
        "required": bool(installed.get("required")),
    }
    return CloudResource("alicloud:cs/kubernetesAddon:KubernetesAddon", ident, state)


DEFAULT_ADDON_VERSION = "v1.9.6"
"""The version the fake addon manager installs when none is asked (a real cluster gets ACK's current default)."""


def _addon_event(cloud: FakeAlibabaCloud, action: str, name: str, installed: Mapping[str, Any]) -> None:
    cloud.addon_events.append((action, name, str(installed.get("version") or "")))
    if cloud.on_addon is not None:
        cloud.on_addon(action, name, installed)


def _uninstall_addon(cloud: FakeAlibabaCloud, resource: CloudResource) -> None:
    """resource_alicloud_cs_kubernetes_addon.go Delete: a required addon (or one without the Uninstall action)
    is left installed; otherwise it is uninstalled."""
    name = str(resource.state.get("name"))
    installed = cloud.installed_addons.get(name)
    if installed is None:
        return
    if installed.get("required"):
        _addon_event(cloud, "keep", name, installed)
        return
    del cloud.installed_addons[name]
    _addon_event(cloud, "uninstall", name, installed)


def _json_object(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) and text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _is_subset(small: Mapping[str, Any], big: Mapping[str, Any]) -> bool:
    """resource_alicloud_cs_kubernetes_addon.go ``isSubset``."""
    for key, value in small.items():
        if key not in big:
            return False
        if isinstance(value, Mapping) and isinstance(big[key], Mapping):
            if not _is_subset(value, big[key]):
                return False
        elif value != big[key]:
            return False
    return True


def _interconnect_resource(
    check: Callable[[FakeAlibabaCloud, list[Mapping[str, Any]], dict[str, Any]], str],
) -> Callable[[FakeAlibabaCloud, str, dict[str, Any], CloudResource | None], CloudResource]:
    """A route, BGP network or rule: refused as the API refuses it (``preview.world.fake_interconnect``)."""

    def handle(
        cloud: FakeAlibabaCloud, urn: str, inputs: dict[str, Any], existing: CloudResource | None
    ) -> CloudResource:
        type_ = next(t for t, h in _HANDLERS.items() if h is handle)
        if existing is not None:
            return CloudResource(type_, existing.id, {**existing.state, **inputs})
        others: list[Mapping[str, Any]] = [r.state for u, r in cloud.resources.items() if r.type == type_ and u != urn]
        try:
            ident = check(cloud, others, inputs)
        except fake_interconnect.InterconnectCallError as exc:
            raise CloudError(exc.code, str(exc)) from None
        return CloudResource(type_, ident, {**inputs, "id": ident})

    return handle


_HANDLERS: dict[str, Callable[[FakeAlibabaCloud, str, dict[str, Any], CloudResource | None], CloudResource]] = {
    "alicloud:ram/user:User": _user,
    "alicloud:ram/policy:Policy": _policy,
    "alicloud:ram/userPolicyAttachment:UserPolicyAttachment": _attachment,
    "alicloud:ram/accessKey:AccessKey": _access_key,
    "alicloud:cs/kubernetesAddon:KubernetesAddon": _addon,
    "alicloud:vpc/routeEntry:RouteEntry": _interconnect_resource(
        lambda cloud, others, inputs: fake_interconnect.check_route_entry(cloud.interconnect, others, inputs)
    ),
    "alicloud:vpc/bgpNetwork:BgpNetwork": _interconnect_resource(
        lambda cloud, others, inputs: fake_interconnect.check_bgp_network(cloud.interconnect, others, inputs)
    ),
    "alicloud:ecs/securityGroupRule:SecurityGroupRule": _interconnect_resource(
        lambda cloud, others, inputs: fake_interconnect.check_security_group_rule(
            cloud.network, cloud.interconnect, others, inputs
        )
    ),
}


# --- network invokes: the API's facts in the provider's invoke result shape -----------------------------
# The provider lists the region and keeps the requested ids (terraform-provider-alicloud
# alicloud/data_source_alicloud_vswitches.go and data_source_alicloud_security_groups.go: an id that does not
# exist is simply absent). Result fields: pulumi_alicloud 4.0.0 vpc/outputs.py GetSwitchesVswitchResult,
# GetNetworksVpcResult, ecs/outputs.py GetSecurityGroupsGroupResult (engine names, camelCase).


def _wanted(args: Mapping[str, Any]) -> set[str] | None:
    ids = args.get("ids")
    return set(ids) if ids else None


def _listing_id(ids: list[str]) -> str:
    return hashlib.sha256(",".join(ids).encode()).hexdigest()[:10]


def _get_switches(network: CloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    wanted = _wanted(args)
    found = [v for v in network.vswitches if wanted is None or v.id in wanted]
    items = [
        {
            "availableIpAddressCount": v.available_ips,
            "cidrBlock": v.cidr_block,
            "creationTime": "2026-01-01T00:00:00Z",
            "description": "",
            "enableIpv6": bool(v.ipv6_cidr_block),
            "id": v.id,
            "ipv6CidrBlock": v.ipv6_cidr_block,
            "isDefault": False,
            "name": v.id,
            "resourceGroupId": "",
            "routeTableId": "",
            "status": "Available",
            "tags": {},
            "vpcId": v.vpc_id,
            "vswitchId": v.id,
            "vswitchName": v.id,
            "zoneId": v.zone_id,
        }
        for v in found
    ]
    ids = [v.id for v in found]
    return {**args, "id": _listing_id(ids), "ids": ids, "names": ids, "vswitches": items}


def _get_security_groups(network: CloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    wanted = _wanted(args)
    found = [g for g in network.security_groups if wanted is None or g.id in wanted]
    items = [
        {
            "creationTime": "2026-01-01T00:00:00Z",
            "description": "",
            "id": g.id,
            "innerAccess": False,
            "name": g.id,
            "resourceGroupId": "",
            "securityGroupType": "normal",
            "vpcId": g.vpc_id,
            "tags": {},
        }
        for g in found
    ]
    ids = [g.id for g in found]
    return {**args, "id": _listing_id(ids), "ids": ids, "names": ids, "groups": items, "totalCount": len(ids)}


def _get_networks(network: CloudFacts, args: Mapping[str, Any]) -> dict[str, Any]:
    wanted = _wanted(args)
    found = [v for v in network.vpcs if wanted is None or v.id in wanted]
    items = [
        {
            "cidrBlock": v.cidr_blocks[0],
            "creationTime": "2026-01-01T00:00:00Z",
            "description": "",
            "dhcpOptionsSetId": "",
            "dhcpOptionsSetStatus": "",
            "dnsHostnameStatus": "",
            "id": v.id,
            "ipv6CidrBlock": "",
            "isDefault": False,
            "regionId": "",
            "resourceGroupId": "",
            "routeTableId": "",
            "routerId": "",
            "secondaryCidrBlocks": list(v.cidr_blocks[1:]),
            "status": "Available",
            "tags": {},
            "userCidrs": [],
            "vpcId": v.id,
            "vpcName": v.id,
            "vrouterId": "",
            "vswitchIds": [s.id for s in network.vswitches if s.vpc_id == v.id],
        }
        for v in found
    ]
    ids = [v.id for v in found]
    return {**args, "id": _listing_id(ids), "ids": ids, "names": ids, "vpcs": items, "totalCount": len(ids)}


_NETWORK_CALLS: dict[str, Callable[[CloudFacts, Mapping[str, Any]], dict[str, Any]]] = {
    "alicloud:vpc/getSwitches:getSwitches": _get_switches,
    "alicloud:ecs/getSecurityGroups:getSecurityGroups": _get_security_groups,
    "alicloud:vpc/getNetworks:getNetworks": _get_networks,
}
