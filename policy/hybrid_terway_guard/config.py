"""Policy names, their settings (a JSON schema with defaults each) and the parsed settings the rules read."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from hybrid_terway.core import constants, scheduling, terway_model

ONPREM_WORKLOADS_AVOID_CLOUD_NODES: Final = "onprem-workloads-avoid-cloud-nodes"
TERWAY_ONLY_ON_CLOUD_NODES: Final = "terway-only-on-cloud-nodes"
ONE_CNI_PER_NODE: Final = "one-cni-per-node"
NO_TERWAY_IN_OVERLAY: Final = "no-terway-in-overlay"
TERWAY_RAM_LEAST_PRIVILEGE: Final = "terway-ram-least-privilege"
TERWAY_RAM_GUIDE_ACTIONS: Final = "terway-ram-guide-actions"
ENI_CONFIG_VALID: Final = "eni-config-valid"
ACCESS_KEY_LIMIT: Final = "access-key-limit"
CREDENTIALS_NOT_IN_CONFIGMAP: Final = "credentials-not-in-configmap"
CLOUD_NODE_POOLS_WAIT_FOR_GATE: Final = "cloud-node-pools-wait-for-gate"  # node_pools.py
CLOUD_NODE_POOLS_GATE_ELSEWHERE: Final = "cloud-node-pools-gate-elsewhere"  # node_pools.py
TERWAY_GROUPS_NOT_OPEN: Final = "terway-security-groups-not-open-to-the-world"
ON_PREM_ROUTES_NOT_VIA_INSTANCE: Final = "on-prem-pod-routes-not-via-an-instance"

POLICY_NAMES: Final = (
    ONPREM_WORKLOADS_AVOID_CLOUD_NODES,
    TERWAY_ONLY_ON_CLOUD_NODES,
    ONE_CNI_PER_NODE,
    NO_TERWAY_IN_OVERLAY,
    TERWAY_RAM_LEAST_PRIVILEGE,
    TERWAY_RAM_GUIDE_ACTIONS,
    ENI_CONFIG_VALID,
    ACCESS_KEY_LIMIT,
    CREDENTIALS_NOT_IN_CONFIGMAP,
    CLOUD_NODE_POOLS_WAIT_FOR_GATE,
    CLOUD_NODE_POOLS_GATE_ELSEWHERE,
    TERWAY_GROUPS_NOT_OPEN,
    ON_PREM_ROUTES_NOT_VIA_INSTANCE,
)

# --- setting keys (policy configuration, camelCase like every Pulumi policy setting) --------------

CLOUD_NODE_LABEL: Final = "cloudNodeLabel"
ONPREM_CNI_DAEMONSETS: Final = "onPremCniDaemonSets"
TERWAY_DAEMONSET: Final = "terwayDaemonSet"
EXTRA_ENI_CONF_KEYS: Final = "extraEniConfKeys"
TERWAY_VERSION: Final = "terwayVersion"
TERWAY_SECURITY_GROUP_IDS: Final = "terwaySecurityGroupIds"
ON_PREM_POD_CIDRS: Final = "onPremPodCidrs"

_STRING_LIST: Final = {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True}

SETTING_SCHEMAS: Final[Mapping[str, Mapping[str, Any]]] = {
    CLOUD_NODE_LABEL: {
        "type": "string",
        "pattern": "^[^=]+=[^=]*$",
        "description": "The key=value label every cloud (ECS) node of the registered cluster carries.",
        "default": constants.CLOUD_NODE_LABEL,
    },
    ONPREM_CNI_DAEMONSETS: {
        **_STRING_LIST,
        "description": "DaemonSet names that are on-prem CNIs, whatever their namespace.",
        "default": list(constants.KNOWN_ONPREM_CNI_DAEMONSETS),
    },
    TERWAY_DAEMONSET: {
        "type": "string",
        "minLength": 1,
        "description": f"The name of Terway's DaemonSet in namespace {constants.TERWAY_NAMESPACE}.",
        "default": constants.TERWAY_DAEMONSET,
    },
    EXTRA_ENI_CONF_KEYS: {
        **_STRING_LIST,
        "description": "eni_conf keys to accept besides those upstream Terway reads (for a fork or an old build); "
        "any other unknown key is reported.",
        "default": [],
    },
    TERWAY_VERSION: {
        "type": "string",
        "pattern": r"^v?\d+\.\d+\.\d+",
        "description": "The Terway version the cluster runs (such as v1.13.7): selects the tagged release whose keys, "
        "types and rate_limit names apply, and the security-group limit. Unset: the version eni-config states in "
        "its hybrid-terway/terway-version annotation, else the newest tagged release (v1.17.5, not main) and a "
        "limit of 5, which every version since v1.5.7 accepts (10 from v1.13.7).",
    },
    TERWAY_SECURITY_GROUP_IDS: {
        **_STRING_LIST,
        "description": "Terway's security groups (terway.securityGroupIds), besides those the stack's eni-config "
        "names.",
        "default": [],
    },
    ON_PREM_POD_CIDRS: {**_STRING_LIST, "description": "The on-prem pod CIDRs (Calico's IP pools).", "default": []},
}

POLICY_SETTINGS: Final[Mapping[str, tuple[str, ...]]] = {
    ONPREM_WORKLOADS_AVOID_CLOUD_NODES: (CLOUD_NODE_LABEL, ONPREM_CNI_DAEMONSETS, TERWAY_DAEMONSET),
    TERWAY_ONLY_ON_CLOUD_NODES: (CLOUD_NODE_LABEL, TERWAY_DAEMONSET),
    ONE_CNI_PER_NODE: (CLOUD_NODE_LABEL, ONPREM_CNI_DAEMONSETS, TERWAY_DAEMONSET),
    NO_TERWAY_IN_OVERLAY: (TERWAY_DAEMONSET,),
    ENI_CONFIG_VALID: (EXTRA_ENI_CONF_KEYS, TERWAY_VERSION),
    TERWAY_GROUPS_NOT_OPEN: (TERWAY_SECURITY_GROUP_IDS,),
    ON_PREM_ROUTES_NOT_VIA_INSTANCE: (ON_PREM_POD_CIDRS,),
}
"""Which settings each policy takes; a policy not listed has none."""


def schema_properties(policy: str) -> dict[str, dict[str, Any]] | None:
    """The JSON-schema ``properties`` of ``policy``'s settings (each with its default), or None without settings."""
    keys = POLICY_SETTINGS.get(policy)
    if not keys:
        return None
    return {key: dict(SETTING_SCHEMAS[key]) for key in keys}


@dataclass(frozen=True)
class GuardSettings:
    """The settings every rule reads, defaults filled in."""

    cloud_node_label: str = constants.CLOUD_NODE_LABEL
    onprem_cni_daemonsets: frozenset[str] = frozenset(constants.KNOWN_ONPREM_CNI_DAEMONSETS)
    terway_daemonset: str = constants.TERWAY_DAEMONSET
    extra_eni_conf_keys: frozenset[str] = frozenset()
    terway_version: str | None = None
    terway_security_group_ids: frozenset[str] = frozenset()
    on_prem_pod_cidrs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problem = scheduling.node_label_problem(self.cloud_node_label)
        if problem:
            raise ValueError(f"policy setting {CLOUD_NODE_LABEL} = {self.cloud_node_label!r}: {problem}")

    @property
    def cloud_label_key(self) -> str:
        return constants.split_label(self.cloud_node_label)[0]

    @property
    def cloud_label_value(self) -> str:
        return constants.split_label(self.cloud_node_label)[1]

    @staticmethod
    def from_config(config: Mapping[str, Any] | None, policy: str | None = None) -> GuardSettings:
        """Settings from a policy's configuration (what ``args.get_config()`` returns); missing keys take defaults.

        With ``policy`` a setting that policy does not take is refused (the engine passes unknown ones along).
        """
        config = config or {}
        if policy is not None:
            check_settings(policy, config)
        return GuardSettings(
            cloud_node_label=_string(config, CLOUD_NODE_LABEL, constants.CLOUD_NODE_LABEL),
            onprem_cni_daemonsets=frozenset(
                _strings(config, ONPREM_CNI_DAEMONSETS, constants.KNOWN_ONPREM_CNI_DAEMONSETS)
            ),
            terway_daemonset=_string(config, TERWAY_DAEMONSET, constants.TERWAY_DAEMONSET),
            extra_eni_conf_keys=frozenset(_strings(config, EXTRA_ENI_CONF_KEYS, ())),
            terway_version=_optional_version(config),
            terway_security_group_ids=frozenset(_strings(config, TERWAY_SECURITY_GROUP_IDS, ())),
            on_prem_pod_cidrs=tuple(_strings(config, ON_PREM_POD_CIDRS, ())),
        )


def setting_problems(policy: str, given: Mapping[str, Any] | None) -> list[str]:
    """A setting ``policy`` does not take (misspelt, or another policy's), naming the valid ones."""
    valid = POLICY_SETTINGS.get(policy, ())
    problems = []
    for key in sorted(set(given or {}) - set(valid) - {"enforcementLevel"}):
        close = difflib.get_close_matches(key, valid, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        takes = f"its settings are {', '.join(valid)}" if valid else "it takes no settings"
        problems.append(f"policy {policy}: unknown setting {key!r}; {hint}{takes}")
    return problems


def check_settings(policy: str, given: Mapping[str, Any] | None) -> None:
    problems = setting_problems(policy, given)
    if problems:
        raise ValueError("; ".join(problems))


def _optional_version(config: Mapping[str, Any]) -> str | None:
    value = config.get(TERWAY_VERSION)
    if value is None:
        return None
    if not isinstance(value, str) or terway_model.parse_version(value) is None:
        raise ValueError(f"policy setting {TERWAY_VERSION} = {value!r}: must be a Terway version such as v1.13.7")
    return value


def _string(config: Mapping[str, Any], key: str, default: str) -> str:
    value = config.get(key, default)
    if not isinstance(value, str) or not value:
        raise ValueError(f"policy setting {key} = {value!r}: must be a non-empty string")
    return value


def _strings(config: Mapping[str, Any], key: str, default: Sequence[str]) -> list[str]:
    value = config.get(key, list(default))
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"policy setting {key} = {value!r}: must be a list of strings")
    return list(value)
