"""The inputs of an Alibaba Cloud resource held to the provider's schema, as the installed pulumi_alicloud SDK
states it: each input one of the resource's ``<Resource>Args`` properties (their engine names, from
``@pulumi.getter(name=...)``), and every argument without a default given.

The SDK is generated from the provider's schema (pulumi_alicloud 4.0.0, e.g. ``vpc/route_entry.py``
``RouteEntryArgs``), so a misspelt or a missing input here is one the engine would refuse.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Mapping
from typing import Any


def _args_class(type_token: str) -> type | None:
    """``alicloud:vpc/routeEntry:RouteEntry`` -> ``pulumi_alicloud.vpc.RouteEntryArgs``."""
    package, module_path, name = type_token.split(":", 2)
    if package != "alicloud":
        return None
    package_module = importlib.import_module(f"pulumi_alicloud.{module_path.split('/')[0]}")
    resource = getattr(package_module, name, None)
    if not isinstance(resource, type):
        return None
    # The resource's own module: a package may export a nested input type of the same name (cs.KubernetesAddonArgs
    # is a block of cs.Kubernetes; the addon resource's arguments are cs/kubernetes_addon.py KubernetesAddonInitArgs).
    module = inspect.getmodule(resource)
    for candidate in (f"{name}Args", f"{name}InitArgs"):
        found = getattr(module, candidate, None)
        if isinstance(found, type) and found.__module__ == resource.__module__:
            return found
    return None


_GETTER = re.compile(r'@pulumi\.getter(?:\(name="(\w+)"\))?\s*\n\s*def (\w+)\(')


def input_problems(type_token: str, inputs: Mapping[str, Any]) -> list[str]:
    args = _args_class(type_token)
    if args is None:
        return [f"{type_token}: no such resource in pulumi_alicloud"]
    # The getters as the generated source declares them (``@pulumi.getter(name="routeTableId")`` above
    # ``def route_table_id``; a bare ``@pulumi.getter`` keeps the Python name); ``pulumi.input_type`` rewrites
    # the class, so its properties are read from the source, not from the class.
    module_source = inspect.getsource(importlib.import_module(args.__module__))
    start = module_source.index(f"class {args.__name__}:")
    end = module_source.find("\nclass ", start + 1)
    source = module_source[start : end if end > 0 else None]
    names = {engine or python: python for engine, python in _GETTER.findall(source)}
    problems = [f"{type_token}: {key}: not an input of {args.__name__}" for key in sorted(inputs) if key not in names]
    engine_name = {python: engine for engine, python in names.items()}
    for param in inspect.signature(vars(args)["__init__"]).parameters.values():
        if param.name in ("self", "__self__") or param.default is not inspect.Parameter.empty:
            continue
        if engine_name.get(param.name, param.name) not in inputs:
            problems.append(f"{type_token}: {engine_name.get(param.name, param.name)} is required")
    return problems
