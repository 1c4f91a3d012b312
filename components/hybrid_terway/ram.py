"""Terway's RAM identity: a user, a least-privilege custom policy, its attachment and one AccessKey per slot."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_alicloud as alicloud

from hybrid_terway import constants, terway_model

IpStack = Literal["ipv4", "dual"]


def terway_actions(ip_stack: IpStack, legacy: bool = False) -> tuple[str, ...]:
    """The RAM actions Terway calls (its published list; the IPv6 pair for dual stack), plus the 2021 guide's
    three extra actions when ``legacy`` is asked for."""
    return terway_model.ram_actions(dual_stack=ip_stack == "dual", guide_extra=legacy)


def render_policy_document(ip_stack: IpStack, legacy: bool = False) -> str:
    """The custom policy as canonical JSON (sorted keys, no spaces), so re-rendering never shows a diff."""
    document = {
        "Version": "1",
        "Statement": [{"Effect": "Allow", "Action": list(terway_actions(ip_stack, legacy)), "Resource": ["*"]}],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def check_ram_limits(user_name: str, policy_name: str, document: str, key_slots: Sequence[str]) -> list[str]:
    """RAM's own limits, checked before anything is created. Returns one message per broken limit."""
    problems = []
    if not re.fullmatch(constants.RAM_USER_NAME_PATTERN, user_name):
        problems.append(f"RAM user name {user_name!r} must be 1 to 64 characters of A-Z a-z 0-9 . _ -")
    if not re.fullmatch(constants.RAM_POLICY_NAME_PATTERN, policy_name):
        problems.append(f"RAM policy name {policy_name!r} must be 1 to 128 characters of A-Z a-z 0-9 -")
    size = len(document.encode())
    if size > constants.RAM_POLICY_DOCUMENT_MAX_BYTES:
        problems.append(f"policy document is {size} bytes; RAM allows {constants.RAM_POLICY_DOCUMENT_MAX_BYTES}")
    if not 1 <= len(key_slots) <= constants.RAM_MAX_ACCESS_KEYS_PER_USER:
        problems.append(
            f"{len(key_slots)} key slots; RAM allows 1 to {constants.RAM_MAX_ACCESS_KEYS_PER_USER} keys per user"
        )
    return problems


@dataclass(frozen=True)
class TerwayIdentityArgs:
    user_name: str
    policy_name: str
    ip_stack: IpStack
    key_slots: tuple[str, ...]
    active_key: str
    cluster_id: str
    legacy_actions: bool = False
    """Also grant the 2021 guide's DescribeInstanceAttribute, DescribeInstances, ModifyNetworkInterfaceAttribute."""

    def __post_init__(self) -> None:
        problems = check_ram_limits(
            self.user_name, self.policy_name, render_policy_document(self.ip_stack, self.legacy_actions), self.key_slots
        )
        if self.active_key not in self.key_slots:
            problems.append(f"active key {self.active_key!r} is not one of the key slots {list(self.key_slots)}")
        if problems:
            raise ValueError("; ".join(problems))


class TerwayIdentity(pulumi.ComponentResource):
    """The RAM user Terway acts as. Only the active key's secret leaves the component, as a Pulumi secret."""

    access_key_id: pulumi.Output[str]
    access_key_secret: pulumi.Output[str]

    def __init__(self, name: str, args: TerwayIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(constants.IDENTITY_COMPONENT_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.user = alicloud.ram.User(
            f"{name}-user",
            name=args.user_name,  # explicit: the provider would otherwise autoname
            comments=f"Terway ENI management for registered cluster {args.cluster_id} (managed by Pulumi)",
            force=True,  # the user only holds this program's keys and attachment
            opts=child,
        )
        self.policy = alicloud.ram.Policy(
            f"{name}-policy",
            policy_name=args.policy_name,
            policy_document=render_policy_document(args.ip_stack, args.legacy_actions),
            description=f"Least privilege for Terway on registered cluster {args.cluster_id}",
            rotate_strategy=constants.RAM_POLICY_ROTATE_STRATEGY,  # RAM keeps at most 5 versions
            force=True,
            opts=child,
        )
        self.attachment = alicloud.ram.UserPolicyAttachment(
            f"{name}-attachment",
            policy_name=self.policy.policy_name,
            policy_type="Custom",
            user_name=self.user.name,
            opts=child,
        )
        # user_name is force-new. With one slot, create-before-delete keeps a key alive throughout; with two,
        # a third key would break RAM's 2-key limit, so the old key goes first.
        replace_opts = pulumi.ResourceOptions(parent=self, delete_before_replace=len(args.key_slots) > 1)
        self.keys = {
            slot: alicloud.ram.AccessKey(
                f"{name}-key-{slot}",
                user_name=self.user.name,
                status="Active",
                # neither pgp_key (the secret would be empty) nor secret_file (plain text on disk)
                opts=replace_opts,
            )
            for slot in args.key_slots
        }
        active = self.keys[args.active_key]
        self.access_key_id = active.id
        # The engine marks AccessKey.secret secret; wrapping makes that hold wherever the value flows.
        secret: pulumi.Output[str] = active.secret.apply(lambda s: s or "")
        self.access_key_secret = pulumi.Output.secret(secret)
        self.register_outputs(
            {
                "userName": self.user.name,
                "policyName": self.policy.policy_name,
                "accessKeyId": self.access_key_id,
                "accessKeySecret": self.access_key_secret,
            }
        )
