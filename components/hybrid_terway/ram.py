"""Terway's RAM identity: a user, a least-privilege custom policy, its attachment and one AccessKey per slot.

No ``from __future__ import annotations`` here: the component package infers ``TerwayIdentity``'s schema from
this module's annotations at runtime.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

import pulumi
import pulumi_alicloud as alicloud

from hybrid_terway.args import TerwayIdentityInputs, holds_output, plain_values
from hybrid_terway.core import constants, terway_model
from hybrid_terway.core.problems import Problem
from hybrid_terway.core.settings import SettingsError, validate_identity
from hybrid_terway.core.vocabulary import IpStack, KeySlot


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


def policy_document_problem(document: str) -> Problem | None:
    """RAM's limit on a policy document's size, checked before anything is created (the document grows only with
    the actions asked for, so the problem names ``legacyRamActions``)."""
    size = len(document.encode())
    if size <= constants.RAM_POLICY_DOCUMENT_MAX_BYTES:
        return None
    return Problem(
        "legacyRamActions",
        f"legacyRamActions: the policy document is {size} bytes; RAM allows {constants.RAM_POLICY_DOCUMENT_MAX_BYTES}",
    )


class IdentityInputError(ValueError):
    """Arguments of ``TerwayIdentity`` that break a rule, each a :class:`Problem` naming the input it concerns."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class TerwayIdentityArgs:
    """Checked by ``core.settings.IdentitySettings`` (the rules the settings' ``credentials`` follow) and RAM's
    policy-size limit; an :class:`IdentityInputError` names each bad argument."""

    user_name: str
    policy_name: str
    ip_stack: IpStack
    key_slots: tuple[KeySlot, ...]
    active_key: KeySlot
    cluster_id: str
    legacy_actions: bool = False
    """Also grant the 2021 guide's DescribeInstanceAttribute, DescribeInstances, ModifyNetworkInterfaceAttribute."""

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        try:
            checked = validate_identity(
                {
                    "userName": self.user_name,
                    "policyName": self.policy_name,
                    "ipStack": self.ip_stack,
                    "keySlots": list(self.key_slots),
                    "activeKey": self.active_key,
                    "clusterId": self.cluster_id,
                    "legacyRamActions": self.legacy_actions,
                }
            )
        except SettingsError as exc:
            problems += exc.problems
        else:
            # the enums, whatever the caller passed (their values are equal)
            object.__setattr__(self, "ip_stack", checked.ip_stack)
            object.__setattr__(self, "key_slots", tuple(checked.key_slots))
            object.__setattr__(self, "active_key", checked.active_key)
            too_big = policy_document_problem(render_policy_document(checked.ip_stack, checked.legacy_ram_actions))
            problems += [too_big] if too_big else []
        if problems:
            raise IdentityInputError(problems)


def identity_args_from_inputs(inputs: Mapping[str, Any]) -> TerwayIdentityArgs:
    """The component package's inputs (``TerwayIdentityInputs``) as ``TerwayIdentityArgs``, checked by the same
    rules; an ``IdentityInputError`` names each bad input, its value and what is valid.

    Every input decides a resource's name or which keys exist, so it must be a plain value known before the
    deployment, not an output of another resource or a secret.
    """
    problems = [
        Problem(
            key, f"{key}: must be a plain value known before the deployment, not another resource's output or a secret"
        )
        for key, value in inputs.items()
        if holds_output(value)
    ]
    if problems:
        raise IdentityInputError(problems)
    try:
        checked = validate_identity(plain_values(dict(inputs)))
    except SettingsError as exc:
        raise IdentityInputError(exc.problems) from None
    return TerwayIdentityArgs(
        user_name=checked.user_name,
        policy_name=checked.policy_name,
        ip_stack=checked.ip_stack,
        key_slots=tuple(checked.key_slots),
        active_key=checked.active_key,
        cluster_id=checked.cluster_id,
        legacy_actions=checked.legacy_ram_actions,
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
