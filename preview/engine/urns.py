"""The aliases the engine derives for a registration (URNs themselves: ``preview.engine.wire.new_urn``).

pulumi/pulumi (read at 1b5949891b) ``pkg/resource/deploy/step_generator.go`` ``collapseAliasToUrn``,
``inheritedChildAlias``, ``generateAliases``: how an alias spec becomes a URN, and how a parent's alias multiplies
into its children's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from preview.engine.wire import ROOT_STACK_TYPE, new_urn, qualified_type, urn_name, urn_type


@dataclass(frozen=True)
class AliasSpec:
    """One alias as the SDK sends it (``pulumirpc.Alias``): a whole URN, or a spec whose unset parts default to the
    resource's own."""

    urn: str = ""
    name: str = ""
    type: str = ""
    stack: str = ""
    project: str = ""
    parent_urn: str = ""
    no_parent: bool = False

    def as_dict(self) -> dict[str, object]:
        if self.urn:
            return {"urn": self.urn}
        spec: dict[str, object] = {k: v for k, v in (("name", self.name), ("type", self.type)) if v}
        spec.update({k: v for k, v in (("stack", self.stack), ("project", self.project)) if v})
        if self.no_parent:
            spec["noParent"] = True
        elif self.parent_urn:
            spec["parentUrn"] = self.parent_urn
        return spec


def collapse_alias(
    stack: str,
    project: str,
    name: str,
    type_: str,
    parent: str,
    alias: AliasSpec,
    parent_aliases: Mapping[str, str],
) -> str:
    """``collapseAliasToUrn``: the URN an alias spec stands for. ``parent_aliases``: for each parent URN of this
    run, the old URN it was found under (its alias), which is this resource's old parent as well."""
    if alias.urn:
        return alias.urn
    alias_parent = alias.parent_urn
    alias_parent = parent if not alias_parent else parent_aliases.get(alias_parent, alias_parent)
    if alias.no_parent or (alias_parent and qualified_type(alias_parent) == ROOT_STACK_TYPE):
        alias_parent = ""
    return new_urn(
        alias.stack or stack, alias.project or project, alias_parent, alias.type or type_, alias.name or name
    )


def inherited_child_alias(
    stack: str, project: str, child_type: str, child_name: str, parent: str, parent_alias: str
) -> str:
    """``inheritedChildAlias``: a child named ``<parent name>-x`` is aliased to ``<parent alias name>-x``."""
    parent_name = urn_name(parent)
    alias_name = child_name
    if child_name.startswith(parent_name):
        alias_name = urn_name(parent_alias) + child_name[len(parent_name) :]
    return new_urn(stack, project, parent_alias, child_type, alias_name)


def generate_aliases(
    stack: str,
    project: str,
    name: str,
    type_: str,
    parent: str,
    aliases: Sequence[AliasSpec],
    parent_aliases: Mapping[str, str],
) -> list[str]:
    """``generateAliases``: the resource's own aliases, then those its parent's alias implies, each once."""
    found: list[str] = []

    def add(urn: str) -> None:
        if urn not in found:
            found.append(urn)

    for alias in aliases:
        add(collapse_alias(stack, project, name, type_, parent, alias, parent_aliases))
    if parent and parent in parent_aliases:
        parent_alias = parent_aliases[parent]
        add(inherited_child_alias(stack, project, type_, name, parent, parent_alias))
        for alias in aliases:
            child = collapse_alias(stack, project, name, type_, parent, alias, parent_aliases)
            add(inherited_child_alias(stack, project, urn_type(child), urn_name(child), parent, parent_alias))
    return found


def alias_specs_of(request_aliases: Iterable[object]) -> tuple[AliasSpec, ...]:
    """``RegisterResourceRequest.aliases`` (``pulumirpc.Alias`` messages) as AliasSpecs."""
    specs = []
    for alias in request_aliases:
        which = alias.WhichOneof("alias")  # type: ignore[attr-defined]
        if which == "urn":
            specs.append(AliasSpec(urn=alias.urn))  # type: ignore[attr-defined]
            continue
        spec = alias.spec  # type: ignore[attr-defined]
        specs.append(
            AliasSpec(
                name=spec.name,
                type=spec.type,
                stack=spec.stack,
                project=spec.project,
                parent_urn=spec.parentUrn if spec.WhichOneof("parent") == "parentUrn" else "",
                no_parent=spec.WhichOneof("parent") == "noParent" and spec.noParent,
            )
        )
    return tuple(specs)
