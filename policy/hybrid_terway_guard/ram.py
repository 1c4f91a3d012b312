"""Terway's RAM identity: a least-privilege policy, and no more AccessKeys per user than RAM allows."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy.proxy import UnknownValueError

from hybrid_terway.core import constants, gojson, json_text, terway_model

from .redact import safe_word, shown_name
from .resources import (
    RAM_ACCESS_KEY,
    RAM_POLICY,
    RAM_USER,
    CannotJudge,
    Report,
    ResourceView,
    shown,
    text,
    type_chain,
)

TERWAY_POLICY_PREFIX: Final = "terway"
"""A RAM policy whose name starts with this is judged as Terway's even outside the TerwayIdentity component."""

ALLOW: Final = "Allow"
DENY: Final = "Deny"
_WILDCARDS: Final = ("*", "?")


@dataclass(frozen=True)
class Statement:
    """One statement, from a policy document (``Effect``/``Action``) or the ``statements`` input form."""

    number: int
    effect: object
    actions: object
    not_action: bool


def policy_name(resource: ResourceView) -> str | None:
    return text(resource.props.get("policyName")) or text(resource.props.get("name"))


def _policy_ref(resource: ResourceView) -> str:
    """The policy's name for a message; its resource name when the name could be a credential."""
    name = policy_name(resource)
    return name if name is not None and safe_word(name) == name else resource.name


def is_terway_policy(resource: ResourceView) -> bool:
    """A RAM policy inside ``hybrid-terway:ram:TerwayIdentity`` (by URN), or one named ``terway...``."""
    if resource.type != RAM_POLICY:
        return False
    if constants.IDENTITY_COMPONENT_TYPE in type_chain(resource.urn)[:-1]:
        return True
    name = policy_name(resource)
    return name is not None and name.lower().startswith(TERWAY_POLICY_PREFIX)


def statements_of(props: Mapping[str, Any]) -> tuple[list[Statement], list[str]]:
    """The statements of a RAM policy's inputs, and what makes them unreadable."""
    document = props.get("policyDocument")
    if document is None:
        document = props.get("document")
    if document is not None:
        return _document_statements(document)
    raw = props.get("statements")
    if raw is None:
        return [], ["has neither policyDocument nor statements"]
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        return [], ["statements must be a list"]
    statements = []
    for number, item in enumerate(raw, start=1):
        entry = item if isinstance(item, Mapping) else {}
        statements.append(Statement(number, entry.get("effect"), entry.get("actions"), False))
    return statements, []


def _document_statements(document: object) -> tuple[list[Statement], list[str]]:
    if not isinstance(document, str):
        return [], ["policyDocument must be JSON text"]
    try:
        parsed = gojson.loads(document)
    except json.JSONDecodeError as exc:
        problem = json_text.describe(exc)
        return [], [
            f"policyDocument is not valid JSON ({problem.message} at line {problem.line} column {problem.column})"
        ]
    except gojson.NestingError as exc:  # the provider's ValidateJsonString decodes with Go's encoding/json
        return [], [f"policyDocument {exc}, so the provider refuses it as invalid JSON"]
    except ValueError:  # a number Python cannot read (over 4,300 digits) overflows Go's float64 too
        return [], ["policyDocument is not valid JSON (a number too large for Go's float64)"]
    if not isinstance(parsed, dict):
        return [], ["policyDocument must be a JSON object"]
    raw = parsed.get("Statement")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return [], ["policyDocument has no Statement list"]
    statements = []
    for number, item in enumerate(raw, start=1):
        entry = item if isinstance(item, dict) else {}
        statements.append(Statement(number, entry.get("Effect"), entry.get("Action"), "NotAction" in entry))
    return statements, []


def statement_problems(statement: Statement) -> list[str]:
    """What a statement grants beyond Terway's published action list (``terway_model.RAM_ACTIONS_PUBLISHED``).

    The 2021 guide's three extra actions are left to :func:`guide_actions_granted` (advisory)."""
    where = f"statement {statement.number}"
    if statement.effect == DENY:
        return []
    if statement.effect != ALLOW:
        return [f"{where}: Effect must be {ALLOW} or {DENY}"]
    if statement.not_action:
        return [f"{where}: {ALLOW} with NotAction grants every action not listed; list Terway's actions under Action"]
    actions = statement.actions
    if isinstance(actions, str):
        actions = [actions]
    if not isinstance(actions, Sequence) or not actions:
        return [f"{where}: grants no Action list"]
    if not all(isinstance(a, str) for a in actions):
        return [f"{where}: every Action must be a string"]
    wildcards = sorted({a for a in actions if any(w in a for w in _WILDCARDS)})
    allowed = terway_model.RAM_ACTIONS_PUBLISHED | set(terway_model.RAM_ACTIONS_GUIDE_EXTRA)
    extra = sorted({a for a in actions if a not in allowed} - set(wildcards))
    problems = []
    if wildcards:
        problems.append(f"{where}: wildcard actions {_actions(wildcards)} grant more than Terway calls")
    if extra:
        problems.append(f"{where}: grants actions Terway does not call: {_actions(extra)}")
    return problems


def _actions(actions: Sequence[str]) -> str:
    return ", ".join(shown(a, action=True).strip('"') for a in actions)


def terway_ram_least_privilege(resource: ResourceView, report: Report) -> None:
    """Terway's RAM policy allows only the actions Terway calls, each named (no wildcard)."""
    if not is_terway_policy(resource):
        return
    who = f"RAM policy {_policy_ref(resource)}"
    statements, problems = statements_of(resource.props)
    for statement in statements:
        problems += statement_problems(statement)
    for problem in problems:
        report(f"{who}: {problem}", resource.urn)


def guide_actions_granted(statement: Statement) -> list[str]:
    """The 2021 guide's extra actions (``terway_model.RAM_ACTIONS_GUIDE_EXTRA``) an Allow statement grants."""
    if statement.effect != ALLOW or statement.not_action:
        return []
    actions = [statement.actions] if isinstance(statement.actions, str) else statement.actions
    if isinstance(actions, str) or not isinstance(actions, Sequence):
        return []
    return sorted({a for a in actions if isinstance(a, str) and a in terway_model.RAM_ACTIONS_GUIDE_EXTRA})


def terway_ram_guide_actions(resource: ResourceView, report: Report) -> None:
    """Terway's RAM policy grants none of the 2021 guide's actions that no Terway source calls (advisory: an old
    build may need them; ``hybrid-terway:credentials.legacyRamActions`` grants them on purpose)."""
    if not is_terway_policy(resource):
        return
    statements, _ = statements_of(resource.props)
    for statement in statements:
        granted = guide_actions_granted(statement)
        if granted:
            report(
                f"RAM policy {_policy_ref(resource)}: statement {statement.number} grants "
                f"{_actions(granted)} from the 2021 guide; Terway's published policy (docs/ecs.md) has none of "
                "them and no Terway source from v1.9.6 on calls them (ModifyNetworkInterfaceAttribute can move "
                "any ENI into another security group): drop them unless an old Terway build needs them",
                resource.urn,
            )


# --- access-key-limit ------------------------------------------------------------------------------


def _known(props: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        try:
            value = text(props.get(key))
        except UnknownValueError:
            continue
        if value:
            return value
    return None


def key_owner(key: ResourceView, users: Mapping[str, ResourceView]) -> str | None:
    """The RAM user an AccessKey belongs to: its ``userName``, else the one User resource it depends on."""
    name = _known(key.props, "userName")
    if name is not None:
        return name
    depended = key.property_dependencies.get("userName") or key.dependencies
    owners = sorted({urn for urn in depended if urn in users})
    if len(owners) != 1:
        return None
    user = users[owners[0]]
    return _known(user.props, "name", "userName") or user.urn


def access_key_limit(resources: Sequence[ResourceView], report: Report) -> None:
    """At most constants.RAM_MAX_ACCESS_KEYS_PER_USER AccessKeys per RAM user."""
    users = {r.urn: r for r in resources if r.type == RAM_USER}
    by_user: dict[str, list[ResourceView]] = {}
    unowned: list[ResourceView] = []
    for resource in resources:
        if resource.type == RAM_ACCESS_KEY:
            owner = key_owner(resource, users)
            if owner is not None:
                by_user.setdefault(owner, []).append(resource)
            else:
                unowned.append(resource)
    limit = constants.RAM_MAX_ACCESS_KEYS_PER_USER
    for owner, keys in sorted(by_user.items()):
        if len(keys) > limit:
            report(
                f"RAM user {shown_name(owner, 'user name')}: {len(keys)} AccessKeys in this stack "
                f"({', '.join(k.name for k in keys)}); RAM allows at most {limit} per user, so creating the extra "
                "key fails",
                keys[limit].urn,
            )
    # A key whose user is not known yet may belong to any user: the limit holds only if it holds with it.
    at_risk = [owner for owner, keys in sorted(by_user.items()) if len(keys) <= limit < len(keys) + len(unowned)]
    if unowned and (at_risk or (not by_user and len(unowned) > limit)):
        names = ", ".join(k.name for k in unowned)
        raise CannotJudge(f"how many AccessKeys each RAM user has: the user of {names} is not known during preview")
