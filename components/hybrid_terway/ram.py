"""Terway's RAM identity: a user, a least-privilege custom policy, its attachment and one AccessKey per slot.

No ``from __future__ import annotations`` here: the component package infers ``TerwayIdentity``'s schema from
this module's annotations at runtime.
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args, overload

import pulumi
import pulumi_alicloud as alicloud

from hybrid_terway.args import KeySlot, TerwayIdentityInputs, holds_output, plain_values
from hybrid_terway.core import constants, suggest, terway_model

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


def check_ram_limits(
    user_name: str, policy_name: str, document: str, key_slots: Sequence[str]
) -> list[tuple[str, str]]:
    """RAM's own limits, checked before anything is created. Returns each broken limit as (the input it concerns,
    by its ``TerwayIdentityInputs`` key; a message)."""
    problems = []
    if not re.fullmatch(constants.RAM_USER_NAME_PATTERN, user_name):
        problems.append(("userName", f"RAM user name {user_name!r} must be 1 to 64 characters of A-Z a-z 0-9 . _ -"))
    if not re.fullmatch(constants.RAM_POLICY_NAME_PATTERN, policy_name):
        problems.append(("policyName", f"RAM policy name {policy_name!r} must be 1 to 128 characters of A-Z a-z 0-9 -"))
    size = len(document.encode())
    if size > constants.RAM_POLICY_DOCUMENT_MAX_BYTES:
        # The document grows only with the actions asked for.
        problems.append(
            (
                "legacyRamActions",
                f"policy document is {size} bytes; RAM allows {constants.RAM_POLICY_DOCUMENT_MAX_BYTES}",
            )
        )
    if not 1 <= len(key_slots) <= constants.RAM_MAX_ACCESS_KEYS_PER_USER:
        problems.append(
            (
                "keySlots",
                f"{len(key_slots)} key slots; RAM allows 1 to {constants.RAM_MAX_ACCESS_KEYS_PER_USER} keys per user",
            )
        )
    return problems


class IdentityInputError(ValueError):
    """Arguments of ``TerwayIdentity`` that break a rule, each as (the input it concerns, a message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


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
        if len(set(self.key_slots)) != len(self.key_slots):
            problems.append(("keySlots", f"key slots {list(self.key_slots)} name a slot twice"))
        if self.active_key not in self.key_slots:
            problems.append(
                ("activeKey", f"active key {self.active_key!r} is not one of the key slots {list(self.key_slots)}")
            )
        if problems:
            raise IdentityInputError(problems)


def _meant(key: str, known: list[str]) -> str:
    meant = suggest.did_you_mean(key, known)
    return f"did you mean {meant}? " if meant else ""


def identity_args_from_inputs(inputs: Mapping[str, Any]) -> TerwayIdentityArgs:
    """The component package's inputs (``TerwayIdentityInputs``) as ``TerwayIdentityArgs``, checked by the same
    rules; an ``IdentityInputError`` names each bad input, its value and what is valid.

    Every input decides a resource's name or which keys exist, so it must be a plain value known before the
    deployment, not an output of another resource or a secret.
    """
    known = TerwayIdentityInputs.__annotations__
    required = sorted(TerwayIdentityInputs.__required_keys__)
    ip_stacks, slots = list(get_args(IpStack)), [slot.value for slot in KeySlot]
    problems: list[tuple[str, str]] = [(key, f"{key}: is required") for key in required if inputs.get(key) is None]
    problems += [
        (key, f"{key}: not an input of TerwayIdentity ({_meant(key, list(known))}its inputs: {', '.join(known)})")
        for key in inputs
        if key not in known
    ]
    problems += [
        (key, f"{key}: must be a plain value known before the deployment, not another resource's output or a secret")
        for key, value in inputs.items()
        if key in known and holds_output(value)
    ]
    if problems:
        raise IdentityInputError(problems)
    values = plain_values(dict(inputs))
    for key in ("userName", "policyName", "clusterId"):
        if not isinstance(values[key], str):
            problems.append((key, f"{key} = {values[key]!r}: must be a string"))
    if values["ipStack"] not in ip_stacks:
        problems.append(("ipStack", f"ipStack = {values['ipStack']!r}: must be one of {ip_stacks}"))
    key_slots = values["keySlots"]
    if not isinstance(key_slots, list) or not all(isinstance(s, str) and s in slots for s in key_slots):
        problems.append(("keySlots", f"keySlots = {key_slots!r}: must be a list of one or two of {slots}"))
    if values["activeKey"] not in slots:
        problems.append(("activeKey", f"activeKey = {values['activeKey']!r}: must be one of {slots}"))
    legacy = values.get("legacyRamActions", False)
    if not isinstance(legacy, bool):
        problems.append(("legacyRamActions", f"legacyRamActions = {legacy!r}: must be true or false"))
    if problems:
        raise IdentityInputError(problems)
    return TerwayIdentityArgs(
        user_name=values["userName"],
        policy_name=values["policyName"],
        ip_stack=values["ipStack"],
        key_slots=tuple(key_slots),
        active_key=values["activeKey"],
        cluster_id=values["clusterId"],
        legacy_actions=legacy,
    )


class TerwayIdentity(pulumi.ComponentResource):
    """The RAM user Terway acts as: the user, a least-privilege custom policy, its attachment and one AccessKey per
    key slot. Only the active key's secret leaves the component, as a Pulumi secret."""

    # The annotated attributes are the component's outputs in the package schema (hybrid_terway.package).
    user_name: pulumi.Output[str]
    """The RAM user."""
    policy_name: pulumi.Output[str]
    """The custom policy attached to the user."""
    access_key_id: pulumi.Output[str]
    """The id of the active slot's AccessKey."""
    access_key_secret: pulumi.Output[str]
    """The active slot's AccessKey secret (secret)."""

    @overload
    def __init__(self, name: str, args: TerwayIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """From checked arguments (a Python program; HybridTerwayNetwork does so)."""

    @overload
    def __init__(self, name: str, args: TerwayIdentityInputs, opts: pulumi.ResourceOptions | None = None) -> None:
        """From the package's inputs (any Pulumi language, through the component package)."""

    # The schema is inferred from this signature's ``args`` annotation, which must name the inputs' type alone.
    def __init__(  # type: ignore[misc]
        self, name: str, args: TerwayIdentityInputs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Checked before registering anything, so a bad value registers nothing.
        checked = args if isinstance(args, TerwayIdentityArgs) else identity_args_from_inputs(args)
        super().__init__(constants.IDENTITY_COMPONENT_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.user = alicloud.ram.User(
            f"{name}-user",
            name=checked.user_name,  # explicit: the provider would otherwise autoname
            comments=f"Terway ENI management for registered cluster {checked.cluster_id} (managed by Pulumi)",
            force=True,  # the user only holds this program's keys and attachment
            opts=child,
        )
        self.policy = alicloud.ram.Policy(
            f"{name}-policy",
            policy_name=checked.policy_name,
            policy_document=render_policy_document(checked.ip_stack, checked.legacy_actions),
            description=f"Least privilege for Terway on registered cluster {checked.cluster_id}",
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
        replace_opts = pulumi.ResourceOptions(parent=self, delete_before_replace=len(checked.key_slots) > 1)
        self.keys = {
            slot: alicloud.ram.AccessKey(
                f"{name}-key-{slot}",
                user_name=self.user.name,
                status="Active",
                # neither pgp_key (the secret would be empty) nor secret_file (plain text on disk)
                opts=replace_opts,
            )
            for slot in checked.key_slots
        }
        active = self.keys[checked.active_key]
        self.access_key_id = active.id
        # The engine marks AccessKey.secret secret; wrapping makes that hold wherever the value flows.
        secret: pulumi.Output[str] = active.secret.apply(lambda s: s or "")
        self.access_key_secret = pulumi.Output.secret(secret)
        self.user_name = self.user.name
        self.policy_name = self.policy.policy_name
        self.register_outputs(
            {
                "userName": self.user_name,
                "policyName": self.policy_name,
                "accessKeyId": self.access_key_id,
                "accessKeySecret": self.access_key_secret,
            }
        )
