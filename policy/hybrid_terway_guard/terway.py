"""Terway's own pieces: none in scenario overlay, a valid ``eni_conf``, credentials kept out of the ConfigMap."""

from __future__ import annotations

import difflib
import ipaddress
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pulumi_policy.proxy import UnknownValueError

from hybrid_terway import constants
from hybrid_terway.settings import Scenario

from .config import GuardSettings
from .resources import (
    CS_ADDON,
    Report,
    ResourceView,
    StackScenario,
    is_addon_secret,
    is_eni_config,
    is_terway_daemonset,
    kube_object,
    mapping,
    shown,
    shown_key,
    text,
)

IP_STACKS: Final = ("ipv4", "dual")
CREDENTIAL_FIELDS: Final = ("access_key", "access_secret")


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, Sequence):
        return "a list"
    return "null" if value is None else type(value).__name__


# --- no-terway-in-overlay ----------------------------------------------------------------------------


def terway_piece(resource: ResourceView, settings: GuardSettings) -> str | None:
    """What Terway-related thing ``resource`` installs or configures, or None."""
    if resource.type == CS_ADDON:
        return f"the {constants.TERWAY_ADDON} addon" if resource.props.get("name") == constants.TERWAY_ADDON else None
    obj = kube_object(resource)
    if obj is None:
        return None
    if is_terway_daemonset(obj, settings.terway_daemonset):
        return f"Terway's {obj.ref}" + (" (a patch)" if obj.patch else "")
    if is_eni_config(obj):
        return f"Terway's configuration {obj.ref}"
    if is_addon_secret(obj):
        return f"Terway's credentials {obj.ref}"
    return None


def no_terway_in_overlay(resources: Sequence[ResourceView], settings: GuardSettings, report: Report) -> None:
    """In scenario overlay cloud nodes run the on-prem overlay CNI: no Terway piece belongs in the stack."""
    scenarios = StackScenario.of(resources)
    if not scenarios.present:
        return
    for resource in resources:
        if scenarios.for_resource(resource.urn) is not Scenario.OVERLAY:
            continue
        try:
            piece = terway_piece(resource, settings)
        except UnknownValueError:
            continue
        if piece is not None:
            report(
                f"{piece}: scenario overlay runs the on-prem overlay CNI on cloud nodes, so Terway must not be "
                "installed or configured (remove hybrid-terway:terway and hybrid-terway:credentials)",
                resource.urn,
            )


# --- eni-config-valid ------------------------------------------------------------------------------


def eni_conf_problems(value: object, extra_keys: frozenset[str] = frozenset()) -> list[str]:
    """What is wrong with an ``eni_conf`` value (JSON text). Never shows the value of a credential field."""
    if not isinstance(value, str):
        return [f"must be JSON text (a string), not {_json_type(value)}"]
    try:
        conf = json.loads(value)
    except json.JSONDecodeError as exc:
        return [f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"]
    if not isinstance(conf, dict):
        return [f"must be a JSON object, not {_json_type(conf)}"]
    problems: list[str] = []
    problems += _version_problems(conf)
    problems += _vswitch_problems(conf)
    problems += _security_group_problems(conf)
    problems += _service_cidr_problems(conf)
    problems += _pool_problems(conf)
    problems += _string_field_problems(conf)
    problems += _unknown_key_problems(conf, extra_keys)
    return problems


def _version_problems(conf: Mapping[str, Any]) -> list[str]:
    if "version" not in conf:
        return ['version is missing; Terway expects "1"']
    if conf["version"] != "1":
        return [f'version = {shown(conf["version"])}: must be the string "1"']
    return []


def _vswitch_problems(conf: Mapping[str, Any]) -> list[str]:
    if "vswitches" not in conf:
        return []
    vswitches = conf["vswitches"]
    if not isinstance(vswitches, dict):
        return [f"vswitches must be an object (zone id -> list of vSwitch ids), not {_json_type(vswitches)}"]
    problems = []
    for zone, ids in sorted(vswitches.items()):
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            problems.append(f"vswitches[{shown_key(zone)}] must be a non-empty list of vSwitch ids (strings)")
    return problems


def _security_group_problems(conf: Mapping[str, Any]) -> list[str]:
    problems = []
    groups: set[str] = set()
    single = conf.get("security_group")
    if single is not None:
        if not isinstance(single, str):
            problems.append(f"security_group must be a string, not {_json_type(single)}")
        elif single:
            groups.add(single)
    many = conf.get("security_groups")
    if many is not None:
        if not isinstance(many, list) or not all(isinstance(g, str) and g for g in many):
            problems.append(f"security_groups must be a list of security group ids (strings), not {shown(many)}")
        else:
            groups.update(many)
    if len(groups) > constants.SECURITY_GROUPS_MAX:
        problems.append(
            f"{len(groups)} security groups (security_group and security_groups together); Terway allows at most "
            f"{constants.SECURITY_GROUPS_MAX}"
        )
    return problems


def _service_cidr_problems(conf: Mapping[str, Any]) -> list[str]:
    if "service_cidr" not in conf:
        return ["service_cidr is missing; set the cluster's service CIDR explicitly (v4, or v4,v6 for dual stack)"]
    value = conf["service_cidr"]
    if not isinstance(value, str):
        return [f"service_cidr must be a string such as 172.21.0.0/20, not {_json_type(value)}"]
    parts = [part.strip() for part in value.split(",")]
    if len(parts) > 2:
        return [f"service_cidr = {shown(value, cidr=True)}: must be one IPv4 CIDR, optionally followed by ,<IPv6 CIDR>"]
    problems = []
    for part, family in zip(parts, (ipaddress.IPv4Network, ipaddress.IPv6Network), strict=False):
        kind = "IPv4" if family is ipaddress.IPv4Network else "IPv6"
        try:
            family(part, strict=True)
        except ValueError:
            try:
                network = family(part, strict=False)
            except ValueError:
                problems.append(f"service_cidr: {shown(part, cidr=True)} is not an {kind} CIDR")
            else:
                problems.append(f"service_cidr: {shown(part, cidr=True)} has host bits set; the network is {network}")
    return problems


def _pool_problems(conf: Mapping[str, Any]) -> list[str]:
    problems = []
    sizes: dict[str, int] = {}
    for key in ("max_pool_size", "min_pool_size"):
        if key not in conf:
            continue
        value = conf[key]
        if type(value) is not int:
            problems.append(f"{key} = {shown(value)}: must be an integer (such as 5), not {_json_type(value)}")
        elif value < 0:
            problems.append(f"{key} = {value}: must not be negative")
        else:
            sizes[key] = value
    if len(sizes) == 2 and sizes["min_pool_size"] > sizes["max_pool_size"]:
        problems.append(
            f"min_pool_size ({sizes['min_pool_size']}) exceeds max_pool_size ({sizes['max_pool_size']}); Terway "
            "clamps it to max_pool_size"
        )
    return problems


def _string_field_problems(conf: Mapping[str, Any]) -> list[str]:
    problems = []
    ip_stack = conf.get("ip_stack")
    if ip_stack is not None and ip_stack not in IP_STACKS:
        problems.append(f"ip_stack = {shown(ip_stack)}: must be one of {', '.join(IP_STACKS)}")
    policy = conf.get("vswitch_selection_policy")
    if policy is not None and not isinstance(policy, str):
        problems.append(f"vswitch_selection_policy must be a string (ordered or random), not {_json_type(policy)}")
    tags = conf.get("eni_tags")
    if tags is not None and (not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values())):
        problems.append("eni_tags must be an object of string values")
    for key in CREDENTIAL_FIELDS:
        if key in conf and not isinstance(conf[key], str):
            problems.append(f"{key} must be a string, not {_json_type(conf[key])}")
    return problems


def _unknown_key_problems(conf: Mapping[str, Any], extra_keys: frozenset[str]) -> list[str]:
    known = sorted(constants.ENI_CONF_FIELDS | extra_keys)
    problems = []
    for key in sorted(set(conf) - set(known)):
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        problems.append(f"unknown key {shown_key(key)}: Terway ignores it silently{hint}")
    return problems


def _eni_conf(resource: ResourceView) -> tuple[str, object] | None:
    """(object reference, eni_conf value) of an eni-config ConfigMap or patch that sets eni_conf."""
    obj = kube_object(resource)
    if obj is None or not is_eni_config(obj):
        return None
    data = mapping(resource.props.get("data")) or {}
    value = data.get(constants.ENI_CONF_KEY)
    if value is None:
        return (obj.ref, None) if not obj.patch else None
    return obj.ref, value


def eni_config_valid(resource: ResourceView, settings: GuardSettings, report: Report) -> None:
    """``eni_conf`` in kube-system/eni-config parses, has the right types, and holds no misspelt key."""
    found = _eni_conf(resource)
    if found is None:
        return
    ref, value = found
    if value is None:
        report(f"{ref} has no data.{constants.ENI_CONF_KEY}; Terway cannot start without it", resource.urn)
        return
    for problem in eni_conf_problems(value, settings.extra_eni_conf_keys):
        report(f"{ref} data.{constants.ENI_CONF_KEY}: {problem}", resource.urn)


# --- credentials-not-in-configmap --------------------------------------------------------------------


def credential_fields_set(value: object) -> list[str]:
    """The credential fields of an ``eni_conf`` value that hold something (their values are never returned)."""
    if not isinstance(value, str):
        return []
    try:
        conf = json.loads(value)
    except json.JSONDecodeError:
        return []
    if not isinstance(conf, dict):
        return []
    return [key for key in CREDENTIAL_FIELDS if text(conf.get(key))]


def credentials_not_in_configmap(resource: ResourceView, report: Report) -> None:
    """Static credentials in ``eni_conf`` are plain text in a ConfigMap; the addon Secret is the place for them."""
    found = _eni_conf(resource)
    if found is None:
        return
    ref, value = found
    fields = credential_fields_set(value)
    if fields:
        report(
            f"{ref} data.{constants.ENI_CONF_KEY} holds {' and '.join(fields)} (plain text, readable by anyone who "
            f"can read ConfigMaps in {constants.TERWAY_NAMESPACE}); keep the key in Secret "
            f"{constants.TERWAY_NAMESPACE}/{constants.ADDON_SECRET} instead (hybrid-terway:credentials.store: secret)",
            resource.urn,
        )
