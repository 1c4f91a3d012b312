"""The pack as a process: pulumi-policy's ``PolicyPack`` serving :data:`policies.POLICIES` under its real version.

The version is stated once, in ``PulumiPolicy.yaml``: the CLI reads it from there (pulumi/pulumi
``pkg/resource/plugin/analyzer_plugin.go`` prefers it over the version a pack answers), and the pack answers the
same over the protocol and in its own messages. pulumi-policy's Python ``PolicyPack`` (v1.21.0,
``sdk/python/lib/pulumi_policy/policy.py``) takes no version: it hands its servicer the placeholder ``"0.0.1"``,
which then names the pack ``hybrid-terway-guard@v0.0.1`` in every "can't run policy" advisory. :func:`serve`
keeps everything else of ``PolicyPack`` and replaces only that argument.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import yaml
from pulumi_policy import EnforcementLevel, Policy, PolicyPack
from pulumi_policy import policy as sdk_policy

PACK_NAME: Final = "hybrid-terway-guard"
POLICY_YAML: Final = Path(__file__).resolve().parent.parent / "PulumiPolicy.yaml"
_VERSION: Final = re.compile(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?")


def pack_version(path: Path = POLICY_YAML) -> str:
    """The ``version`` of ``PulumiPolicy.yaml``; a missing or malformed one is an error naming the file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise ValueError(f"{path}: version = {version!r}: must be a semantic version such as 0.1.0")
    return version


def _servicer_with_version(version: str) -> type:
    base: Any = getattr(sdk_policy, "_PolicyAnalyzerServicer")  # noqa: B009 - the SDK's private servicer
    parameters = list(inspect.signature(base.__init__).parameters)
    if parameters[:3] != ["self", "name", "version"]:
        raise RuntimeError(
            "pulumi-policy's _PolicyAnalyzerServicer no longer takes (name, version, ...): "
            f"its parameters are {parameters}; pin pulumi-policy==1.21.0 or update {__name__}"
        )

    class VersionedServicer(base):  # type: ignore[misc, valid-type]
        def __init__(self, name: str, _placeholder: str, *args: Any, **kwargs: Any) -> None:
            super().__init__(name, version, *args, **kwargs)

    return VersionedServicer


def serve(policies: Sequence[Policy], version: str | None = None) -> None:
    """Start the pack (prints its port, then serves until killed), answering ``version``."""
    setattr(sdk_policy, "_PolicyAnalyzerServicer", _servicer_with_version(version or pack_version()))  # noqa: B010
    PolicyPack(PACK_NAME, enforcement_level=EnforcementLevel.MANDATORY, policies=list(policies))
