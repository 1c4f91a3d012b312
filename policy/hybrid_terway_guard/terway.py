"""Terway's own pieces: none in scenario overlay, a valid ``eni_conf``, credentials kept out of the ConfigMap."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any, Final

from hybrid_terway.core import constants, json_text
from hybrid_terway.core import terway_model as tm
from hybrid_terway.core.vocabulary import Scenario

from .config import GuardSettings
from .redact import shown_map_key
from .resources import (
    CS_ADDON,
    NOT_KNOWN,
    CannotJudge,
    Report,
    ResourceView,
    StackScenario,
    is_addon_secret,
    is_eni_config,
    is_terway_daemonset,
    kube_object,
    mapping,
    read_field,
    shown,
    shown_key,
    text,
)

CREDENTIAL_FIELDS: Final = tm.CREDENTIAL_KEYS


# --- no-terway-in-overlay ----------------------------------------------------------------------------


def terway_piece(resource: ResourceView, settings: GuardSettings) -> str | None:
    """What Terway-related thing ``resource`` installs or configures, or None."""
    if resource.type == CS_ADDON:
        name = read_field(resource.props, "name")
        if name is NOT_KNOWN:
            raise CannotJudge(f"whether addon {resource.name} is {constants.TERWAY_ADDON}: its name is not known")
        return f"the {constants.TERWAY_ADDON} addon" if name == constants.TERWAY_ADDON else None
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
    cannot_judge = []
    for resource in resources:
        overlay = scenarios.for_resource(resource.urn) is Scenario.OVERLAY
        if not overlay and not scenarios.unknown_for(resource.urn):
            continue
        try:
            piece = terway_piece(resource, settings)
        except CannotJudge as exc:
            cannot_judge.append(exc.reason)
            continue
        if piece is None:
            continue
        if not overlay:
            cannot_judge.append(f"whether {piece} belongs in the stack: its scenario is not known during preview")
            continue
        report(
            f"{piece}: scenario overlay runs the on-prem overlay CNI on cloud nodes, so Terway must not be "
            "installed or configured (remove hybrid-terway:terway and hybrid-terway:credentials)",
            resource.urn,
        )
    if cannot_judge:
        raise CannotJudge("; ".join(cannot_judge))


# --- eni-config-valid ------------------------------------------------------------------------------


def eni_conf_problems(
    value: object, extra_keys: frozenset[str] = frozenset(), terway_version: str | None = None
) -> list[str]:
    """What is wrong with an ``eni_conf`` value (JSON text), judged as upstream Terway reads it
    (``hybrid_terway.core.terway_model``). Never shows the value of a credential field."""
    if not isinstance(value, str):
        return [f"must be JSON text (a string), not {json_text.kind_of(value)}"]
    try:
        conf = tm.parse_json_object(value)
    except ValueError as exc:
        return [str(exc)]
    problems = tm.value_problems(conf, show=shown, show_key=shown_map_key, version=terway_version)
    problems += _security_group_problems(conf, terway_version)
    problems += _service_cidr_problems(conf)
    problems += _pool_problems(conf)
    problems += list(tm.key_problems(conf, extra_keys, show_key=shown_key, version=terway_version))
    return problems


def _security_group_problems(conf: Mapping[str, Any], terway_version: str | None) -> list[str]:
    limit = tm.security_group_limit(terway_version)
    count = limit.count(conf)
    if count <= limit.limit:
        return []
    who = (
        f"Terway {terway_version}" if terway_version else "Terway of an unknown version (policy setting terwayVersion)"
    )
    counted = (
        f"{tm.SECURITY_GROUP} and {tm.SECURITY_GROUPS} together, each group once"
        if limit.counts_union
        else f"the {tm.SECURITY_GROUPS} list, duplicates included"
    )
    return [f"{count} security groups ({counted}); {who} accepts at most {limit.limit} ({limit.source})"]


def _service_cidr_problems(conf: Mapping[str, Any]) -> list[str]:
    value = conf.get(tm.SERVICE_CIDR)
    if not isinstance(value, str) or value == "":
        return []  # absent or empty: Terway reads the range from the kubeadm-config ConfigMap
    problems = []
    families: dict[str, str] = {}
    for part in tm.service_cidr_parts(value):
        network: ipaddress.IPv4Network | ipaddress.IPv6Network
        try:
            network = ipaddress.ip_network(part, strict=False)
        except ValueError:
            problems.append(
                f"{tm.SERVICE_CIDR}: {shown(part, cidr=True)} is not a CIDR (Terway does not trim spaces): "
                "Terway drops it silently"
            )
            continue
        try:
            ipaddress.ip_network(part, strict=True)
        except ValueError:
            problems.append(f"{tm.SERVICE_CIDR}: {shown(part, cidr=True)} has host bits set; the network is {network}")
        family = f"IPv{network.version}"
        if family in families:
            problems.append(
                f"{tm.SERVICE_CIDR}: {shown(part, cidr=True)} is a second {family} range; "
                "Terway keeps only the last one"
            )
        families[family] = part
    return problems


def _pool_problems(conf: Mapping[str, Any]) -> list[str]:
    problems = []
    sizes: dict[str, int] = {}
    for key in (tm.MAX_POOL_SIZE, tm.MIN_POOL_SIZE):
        value = conf.get(key)
        if type(value) is not int:
            continue  # a wrong type is a decode problem
        if value < 0:
            problems.append(f"{key} = {value}: must not be negative")
        else:
            sizes[key] = value
    low, high = sizes.get(tm.MIN_POOL_SIZE), sizes.get(tm.MAX_POOL_SIZE)
    if low is not None and high is not None and low > high:
        problems.append(
            f"{tm.MIN_POOL_SIZE} ({low}) exceeds {tm.MAX_POOL_SIZE} ({high}); Terway clamps it to {tm.MAX_POOL_SIZE}"
        )
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


def _annotated_version(resource: ResourceView) -> str | None:
    """The Terway version the object says reads it (this program's eni-config patch states a pinned version)."""
    metadata = mapping(resource.props.get("metadata")) or {}
    annotations = mapping(metadata.get("annotations")) or {}
    version = text(annotations.get(constants.TERWAY_VERSION_ANNOTATION))
    return version if version and tm.parse_version(version) else None


def eni_config_valid(resource: ResourceView, settings: GuardSettings, report: Report) -> None:
    """``eni_conf`` in kube-system/eni-config parses, has the right types, and holds no misspelt key."""
    found = _eni_conf(resource)
    if found is None:
        return
    ref, value = found
    if value is None:
        report(f"{ref} has no data.{constants.ENI_CONF_KEY}; Terway cannot start without it", resource.urn)
        return
    version = settings.terway_version or _annotated_version(resource)
    for problem in eni_conf_problems(value, settings.extra_eni_conf_keys, version):
        report(f"{ref} data.{constants.ENI_CONF_KEY}: {problem}", resource.urn)


# --- credentials-not-in-configmap --------------------------------------------------------------------


def credential_fields_set(value: object) -> list[str]:
    """The credential fields of an ``eni_conf`` value that hold something (their values are never returned)."""
    if not isinstance(value, str):
        return []
    try:
        conf = tm.parse_json_object(value)
    except ValueError:  # not JSON, or nested too deeply: eni-config-valid reports it
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
