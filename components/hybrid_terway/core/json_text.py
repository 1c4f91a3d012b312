"""What is wrong with a JSON text, in one wording on every supported Python.

CPython's ``json`` module words its errors itself, and the wording changed: from 3.13 a comma before a closing
bracket is "Illegal trailing comma before end of object" at the comma, where 3.10 to 3.12 say "Expecting property
name enclosed in double quotes" (or "Expecting value") at the bracket (CPython gh-113149, ``Modules/_json.c`` and
``Lib/json/decoder.py`` of 3.13). Messages of this project name a trailing comma the same way on all of them, at
the comma; every other message is CPython's, which is the same from 3.10 to 3.13.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeGuard

_WHITESPACE = " \t\n\r"
# Before 3.13, the message at the closing bracket of a trailing comma: an object's, then an array's.
_BEFORE_313 = {"Expecting property name enclosed in double quotes": "}", "Expecting value": "]"}


def is_string_map(value: object) -> TypeGuard[dict[str, str]]:
    """Whether a decoded value is a mapping of strings to strings (labels, annotations), checked at C speed: the
    common case, for which the key-by-key checks that name what is wrong need not run."""
    return type(value) is dict and {*map(type, value), *map(type, value.values())} <= {str}


def kind_of(value: object) -> str:
    """What a decoded JSON or YAML value is, in the words every message of this project uses: a mapping, a list,
    a string, an integer, a number with a fraction or exponent (what Go's int fields refuse), a boolean, null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction or exponent"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    return f"a {type(value).__name__}"


@dataclass(frozen=True)
class JsonProblem:
    """What is wrong and where: ``line`` and ``column`` count from 1, as ``json.JSONDecodeError``'s do."""

    message: str
    line: int
    column: int
    offset: int


def _trailing_comma(text: str, pos: int, closing: str) -> int | None:
    """Offset of the comma when ``pos`` is the ``closing`` bracket and follows a comma (whitespace between)."""
    if pos >= len(text) or text[pos] != closing:
        return None
    before = pos - 1
    while before >= 0 and text[before] in _WHITESPACE:
        before -= 1
    return before if before >= 0 and text[before] == "," else None


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def describe(exc: json.JSONDecodeError) -> JsonProblem:
    """``exc`` in this project's wording: a trailing comma is "trailing comma before }" (or ``]``), at the comma."""
    text, pos = exc.doc, exc.pos
    comma: int | None = None
    if exc.msg.startswith("Illegal trailing comma"):
        comma = pos
        closing = text[pos + 1 :].lstrip(_WHITESPACE)[:1]
    elif exc.msg in _BEFORE_313:
        closing = _BEFORE_313[exc.msg]
        comma = _trailing_comma(text, pos, closing)
    if comma is not None:
        line, column = _line_column(text, comma)
        return JsonProblem(f"trailing comma before {closing}", line, column, comma)
    return JsonProblem(exc.msg, exc.lineno, exc.colno, pos)
