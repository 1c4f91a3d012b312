"""A long list of problems, told so a reader sees its shape: grouped, each group with its count and first examples.

Up to ``SHOWN_ONE_BY_ONE`` problems are listed one per line, as they are. Beyond that, problems that differ only
in their ids, addresses and numbers form one group: ``600 like this (first 3): ...``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SHOWN_ONE_BY_ONE = 10
EXAMPLES = 3
_VARYING = re.compile(r"[\w.:/\[\]-]*\d[\w.:/\[\]-]*")


def shape(problem: str) -> str:
    """The problem with every word holding a digit (an id, a CIDR, an address, a count, an index) as ``#``."""
    return _VARYING.sub("#", problem)


def grouped(problems: Sequence[str], one_by_one: int = SHOWN_ONE_BY_ONE, examples: int = EXAMPLES) -> list[str]:
    """The lines to print: every problem when there are few, otherwise one line per shape with its first examples."""
    if len(problems) <= one_by_one:
        return list(problems)
    groups: dict[str, list[str]] = {}
    for problem in problems:
        groups.setdefault(shape(problem), []).append(problem)
    lines = []
    for members in groups.values():
        if len(members) == 1:
            lines.append(members[0])
            continue
        first = members[:examples]
        more = len(members) - len(first)
        lines.append(f"{len(members)} like this (first {len(first)}): " + " | ".join(first))
        if more:
            lines[-1] += f" | and {more} more"
    return lines
