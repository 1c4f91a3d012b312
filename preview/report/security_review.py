"""PLAN.md's section for a security reviewer: the RAM actions granted, the addon's version and configuration, and
every secret written (named, never shown).

Read from the registrations the program made, so it says what would be sent, not what the settings intend.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from hybrid_terway.core import terway_model
from preview.engine.program import Registration
from preview.engine.wire import unwrap

RAM_POLICY = "alicloud:ram/policy:Policy"
ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
SECRET = "kubernetes:core/v1:Secret"
ACCESS_KEY = "alicloud:ram/accessKey:AccessKey"
ENI_CONFIG_PATCH = "kubernetes:core/v1:ConfigMapPatch"
ENI_CONF_CREDENTIALS = ("access_key", "access_secret")


def granted_actions(document: str) -> list[str]:
    """Every action an Allow statement of a RAM policy document grants, sorted."""
    try:
        parsed = json.loads(document)
    except json.JSONDecodeError:
        return []
    statements = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    actions: set[str] = set()
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, dict) and statement.get("Effect") == "Allow":
            listed = statement.get("Action", [])
            actions.update([listed] if isinstance(listed, str) else [a for a in listed if isinstance(a, str)])
    return sorted(actions)


def why_granted(action: str) -> str:
    """Where an action comes from: Terway's published list, its IPv6 pair, or the 2021 guide's extras."""
    if action in terway_model.RAM_ACTIONS:
        return "Terway's published list"
    if action in terway_model.RAM_ACTIONS_IPV6:
        return "Terway's published list, IPv6 (`ipStack: dual`)"
    if action in terway_model.RAM_ACTIONS_GUIDE_EXTRA:
        return "**the 2021 guide only** (`credentials.legacyRamActions`)"
    return "**not Terway's**"


def _secret_keys(value: Any) -> list[str]:
    plain = unwrap(value)
    return sorted(plain) if isinstance(plain, Mapping) else []


def review_document(resources: Iterable[Registration]) -> dict[str, Any]:
    """plan.json's ``securityReview``: RAM policies and their actions, addons, and the secrets written (names)."""
    review: dict[str, Any] = {"ramPolicies": [], "addons": [], "secretsWritten": []}
    for r in resources:
        inputs = r.inputs
        if r.type == RAM_POLICY:
            actions = granted_actions(str(unwrap(inputs.get("policyDocument", ""))))
            review["ramPolicies"].append(
                {"name": unwrap(inputs.get("policyName")), "resource": r.name, "actions": actions}
            )
        elif r.type == ADDON:
            config = unwrap(inputs.get("config"))
            review["addons"].append(
                {
                    "name": unwrap(inputs.get("name")),
                    "version": unwrap(inputs.get("version")),
                    "config": json.loads(config) if isinstance(config, str) and config else config,
                }
            )
        elif r.type == SECRET:
            meta = unwrap(inputs.get("metadata")) or {}
            keys = sorted({*_secret_keys(inputs.get("stringData")), *_secret_keys(inputs.get("data"))})
            review["secretsWritten"].append(
                {
                    "where": f"Secret {meta.get('namespace')}/{meta.get('name')}",
                    "keys": keys,
                    "plainText": False,
                    "how": "as Kubernetes Secret data: readable by whoever may read Secrets in its namespace",
                }
            )
        elif r.type == ENI_CONFIG_PATCH:
            data = unwrap(inputs.get("data")) or {}
            try:
                conf = json.loads(data.get("eni_conf", "")) if isinstance(data, Mapping) else {}
            except (json.JSONDecodeError, TypeError):
                conf = {}
            held = [k for k in ENI_CONF_CREDENTIALS if isinstance(conf, dict) and conf.get(k)]
            if held:
                meta = unwrap(inputs.get("metadata")) or {}
                review["secretsWritten"].append(
                    {
                        "where": f"ConfigMap {meta.get('namespace')}/{meta.get('name')} (eni_conf)",
                        "keys": held,
                        "plainText": True,
                        "how": "**in plain text** in a ConfigMap (`credentials.store: configmap`)",
                    }
                )
        elif r.type == ACCESS_KEY:
            review["secretsWritten"].append(
                {
                    "where": f"AccessKey {r.name}",
                    "keys": ["secret"],
                    "plainText": False,
                    "how": "in the stack's state, encrypted as a Pulumi secret",
                }
            )
    return review


def review_markdown(review: Mapping[str, Any]) -> list[str]:
    """The section itself; nothing in it is a secret value."""
    out = ["## Security review", ""]
    policies = review.get("ramPolicies", [])
    if not policies:
        out += ["- RAM: no policy is created by this stack.", ""]
    for policy in policies:
        actions = policy["actions"]
        out += [
            f"RAM policy `{policy['name']}` grants {len(actions)} action(s), each on every resource (`*`). "
            "What changed: the offline preview holds no earlier state, so every action shows as granted anew; "
            "`pulumi preview` diffs the policy document against the stack's state.",
            "",
            "| action | why |",
            "|---|---|",
        ]
        out += [f"| `{a}` | {why_granted(a)} |" for a in actions]
        out.append("")
    for addon in review.get("addons", []):
        version = f"`{addon['version']}`" if addon.get("version") else "not pinned (the version ACK installs)"
        out += [
            f"- Addon `{addon['name']}`: version {version}; configuration `{json.dumps(addon.get('config'))}`",
        ]
    written = review.get("secretsWritten", [])
    if written:
        for secret in written:
            keys = ", ".join(f"`{k}`" for k in secret["keys"])
            out.append(f"- Secret written (named, never shown): {secret['where']}: {keys}, {secret['how']}")
    else:
        out.append("- Secrets written: none")
    return [*out, ""]

