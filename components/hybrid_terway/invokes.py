"""Alibaba Cloud provider functions called by token, through the public ``pulumi.runtime`` invoke API.

Called as the generated ``pulumi_alicloud`` functions call them (same token, camelCase arguments and results, the
provider version the installed SDK pins), without importing those functions' modules: ``alicloud.vpc.
get_switches_output`` and its two siblings load 196 modules of ``pulumi_alicloud.vpc`` and ``.ecs`` (their typed
results), 0.15 to 0.37 s of every run by ``python -X importtime``, for three dictionaries.

The version is the one the installed SDK declares in its ``pulumi-plugin.json``, the file the Python language host
reads to know which plugin a package needs (pulumi/pulumi ``sdk/python/cmd/pulumi-language-python/main.go``,
``determinePluginDependency``).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from typing import Any

import pulumi

PROVIDER_SDK = "pulumi_alicloud"


@functools.cache
def alicloud_version() -> str:
    """The alicloud provider version the installed ``pulumi_alicloud`` is generated for."""
    plugin = importlib.resources.files(PROVIDER_SDK).joinpath("pulumi-plugin.json")
    return str(json.loads(plugin.read_text())["version"])


def invoke_output(token: str, args: dict[str, Any], parent: pulumi.Resource) -> pulumi.Output[Any]:
    """A provider function's result as an Output (unknown in a preview while its arguments are)."""
    opts = pulumi.InvokeOutputOptions(parent=parent, version=alicloud_version())
    return pulumi.runtime.invoke_output(token, args, opts=opts)


def invoke(token: str, args: dict[str, Any], parent: pulumi.Resource) -> dict[str, Any]:
    """A provider function's result, waited for (its arguments are plain values)."""
    result = pulumi.runtime.invoke(token, args, opts=pulumi.InvokeOptions(parent=parent, version=alicloud_version()))
    return dict(result.value or {})
