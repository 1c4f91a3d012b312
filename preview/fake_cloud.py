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

from hybrid_terway import constants
from hybrid_terway.address_plan import CloudFacts

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
    resources: dict[str, CloudResource] = field(default_factory=dict)
    on_addon_installed: Callable[[str, Mapping[str, Any]], None] | None = None
    _touched: set[str] = field(default_factory=set)
    _key_serial: int = 0

    # --- run bookkeeping (what the engine does with resources a run no longer registers) -------------

    def begin_run(self) -> None:
        self._touched = set()

    def end_run(self) -> list[str]:
        """Delete what this run did not register, dependents (keys, attachments) first. Returns their URNs."""
        gone = [urn for urn in self.resources if urn not in self._touched]
        order = {"alicloud:ram/accessKey:AccessKey": 0, "alicloud:ram/userPolicyAttachment:UserPolicyAttachment": 1}
        gone.sort(key=lambda urn: order.get(self.resources[urn].type, 2))
        for urn in gone:
            del self.resources[urn]
        return gone

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

    def register(self, urn: str, type_: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        self._touched.add(urn)
        existing = self.resources.get(urn)
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
            return {
                "clusterId": self.cluster_id,
                "clusterName": "registered-cluster",
                "kubeConfig": _fake_kubeconfig(self.cluster_id),
                "expiration": "2026-01-01T03:00:00Z",
                "temporaryDurationMinutes": args.get("temporaryDurationMinutes"),
                "certificateAuthorities": [],
                "id": self.cluster_id,
            }
        network_call = _NETWORK_CALLS.get(token)
        if network_call is not None:
            if self.network is None:
                raise CloudError("UnsupportedCall", f"{token}: this fake cloud holds no network facts (network=...)")
            return network_call(self.network, args)
        raise CloudError("UnsupportedCall", f"the fake cloud does not model {token}")


def _fake_kubeconfig(cluster_id: str) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": cluster_id, "cluster": {"server": "https://127.0.0.1:6443"}}],
            "users": [{"name": "offline", "user": {"token": derived(cluster_id + "token", 32)}}],
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
    if inputs.get("clusterId") != cloud.cluster_id:
        raise CloudError("ErrorClusterNotFound", f"cluster {inputs.get('clusterId')} not found")
    name = inputs.get("name")
    if not name:
        raise CloudError("MissingParameter.Name", "addon name is required")
    ident = f"{cloud.cluster_id}:{name}"
    state = {
        **inputs,
        "id": ident,
        "version": inputs.get("version") or "v1.9.6",
        "canUpgrade": False,
        "required": False,
    }
    if cloud.on_addon_installed is not None:
        cloud.on_addon_installed(name, state)
    return CloudResource("alicloud:cs/kubernetesAddon:KubernetesAddon", ident, state)


_HANDLERS: dict[str, Callable[[FakeAlibabaCloud, str, dict[str, Any], CloudResource | None], CloudResource]] = {
    "alicloud:ram/user:User": _user,
    "alicloud:ram/policy:Policy": _policy,
    "alicloud:ram/userPolicyAttachment:UserPolicyAttachment": _attachment,
    "alicloud:ram/accessKey:AccessKey": _access_key,
    "alicloud:cs/kubernetesAddon:KubernetesAddon": _addon,
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
