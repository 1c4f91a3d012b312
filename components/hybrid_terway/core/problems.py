"""Problems with a value, each a line that names the key path it concerns; a long list told so a reader sees its
shape: grouped, each group with its count and first examples.

Up to ``SHOWN_ONE_BY_ONE`` problems are listed one per line, as they are. Beyond that, problems that differ only
in their ids, addresses and numbers form one group: ``600 like this (first 3): ...``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


class Problem(str):
    """One problem: the line a reader is shown (``hybrid-terway:terway.serviceCidr = '10.0.0.0': must be ...``), and
    ``path``, the key path it concerns as the inputs name it (``terway.serviceCidr``; no stack namespace), which the
    component package reports as the input property's path. A ``str``: it prints, compares and groups as its line."""

    path: str

    def __new__(cls, path: str, line: str) -> Problem:
        problem = super().__new__(cls, line)
        problem.path = path
        return problem

    def __reduce__(self) -> tuple[type[Problem], tuple[str, str]]:
        return (Problem, (self.path, str(self)))


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
