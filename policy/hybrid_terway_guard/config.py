"""Policy names, their settings (a JSON schema with defaults each) and the parsed settings the rules read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from hybrid_terway import constants, scheduling

ONPREM_WORKLOADS_AVOID_CLOUD_NODES: Final = "onprem-workloads-avoid-cloud-nodes"
TERWAY_ONLY_ON_CLOUD_NODES: Final = "terway-only-on-cloud-nodes"
ONE_CNI_PER_NODE: Final = "one-cni-per-node"
NO_TERWAY_IN_OVERLAY: Final = "no-terway-in-overlay"
TERWAY_RAM_LEAST_PRIVILEGE: Final = "terway-ram-least-privilege"
ENI_CONFIG_VALID: Final = "eni-config-valid"
ACCESS_KEY_LIMIT: Final = "access-key-limit"
CREDENTIALS_NOT_IN_CONFIGMAP: Final = "credentials-not-in-configmap"

POLICY_NAMES: Final = (
    ONPREM_WORKLOADS_AVOID_CLOUD_NODES,
    TERWAY_ONLY_ON_CLOUD_NODES,
    ONE_CNI_PER_NODE,
    NO_TERWAY_IN_OVERLAY,
    TERWAY_RAM_LEAST_PRIVILEGE,
    ENI_CONFIG_VALID,
    ACCESS_KEY_LIMIT,
    CREDENTIALS_NOT_IN_CONFIGMAP,
)

# --- setting keys (policy configuration, camelCase like every Pulumi policy setting) --------------

CLOUD_NODE_LABEL: Final = "cloudNodeLabel"
ONPREM_CNI_DAEMONSETS: Final = "onPremCniDaemonSets"
TERWAY_DAEMONSET: Final = "terwayDaemonSet"
EXTRA_ENI_CONF_KEYS: Final = "extraEniConfKeys"

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
        "description": "eni_conf keys Terway reads that this project does not manage; any other unknown key is "
        "reported as a probable typo.",
        "default": [],
    },
}

POLICY_SETTINGS: Final[Mapping[str, tuple[str, ...]]] = {
    ONPREM_WORKLOADS_AVOID_CLOUD_NODES: (CLOUD_NODE_LABEL, ONPREM_CNI_DAEMONSETS, TERWAY_DAEMONSET),
    TERWAY_ONLY_ON_CLOUD_NODES: (CLOUD_NODE_LABEL, TERWAY_DAEMONSET),
    ONE_CNI_PER_NODE: (CLOUD_NODE_LABEL, ONPREM_CNI_DAEMONSETS, TERWAY_DAEMONSET),
    NO_TERWAY_IN_OVERLAY: (TERWAY_DAEMONSET,),
    ENI_CONFIG_VALID: (EXTRA_ENI_CONF_KEYS,),
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

    def __post_init__(self) -> None:
        problem = label_problem(self.cloud_node_label)
        if problem:
            raise ValueError(f"policy setting {CLOUD_NODE_LABEL} = {self.cloud_node_label!r}: {problem}")

    @property
    def cloud_label_key(self) -> str:
        return constants.split_label(self.cloud_node_label)[0]

    @property
    def cloud_label_value(self) -> str:
        return constants.split_label(self.cloud_node_label)[1]

    @staticmethod
    def from_config(config: Mapping[str, Any] | None) -> GuardSettings:
        """Settings from a policy's configuration (what ``args.get_config()`` returns); missing keys take defaults."""
        config = config or {}
        return GuardSettings(
            cloud_node_label=_string(config, CLOUD_NODE_LABEL, constants.CLOUD_NODE_LABEL),
            onprem_cni_daemonsets=frozenset(
                _strings(config, ONPREM_CNI_DAEMONSETS, constants.KNOWN_ONPREM_CNI_DAEMONSETS)
            ),
            terway_daemonset=_string(config, TERWAY_DAEMONSET, constants.TERWAY_DAEMONSET),
            extra_eni_conf_keys=frozenset(_strings(config, EXTRA_ENI_CONF_KEYS, ())),
        )


def label_problem(label: str) -> str | None:
    """Why ``label`` is not a usable ``key=value`` node label, or None."""
    key, sep, value = label.partition("=")
    if not sep:
        return "must be key=value, such as " + constants.CLOUD_NODE_LABEL
    if not scheduling.is_qualified_name(key):
        return f"{key!r} is not a valid label key"
    if not scheduling.is_label_value(value):
        return f"{value!r} is not a valid label value"
    return None


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
