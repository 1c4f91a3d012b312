"""JSON text read as Go's ``encoding/json`` reads it, at any depth it accepts, without recursion.

Go's scanner refuses a value nested more than ``MAX_NESTING_DEPTH`` levels (``encoding/json/scanner.go``,
``const maxNestingDepth = 10000``, golang/go at 23bf5c9a: ``pushParseState`` fails with "exceeded max depth" when
the stack of open objects and arrays grows past it). ``sigs.k8s.io/json`` (behind ``k8s.io/apimachinery``'s
``util/json``, which Terway decodes ``eni_conf`` with) and ``terraform-plugin-sdk``'s ``ValidateJsonString``
(which the alicloud provider runs on a RAM policy document, ``alicloud/resource_alicloud_ram_policy.go``) decode
with that scanner, so anything nested up to that depth is valid to them.

Python's ``json.loads`` recurses once per level and raises ``RecursionError`` near 1,000 levels. :func:`loads`
gives the same result and the same ``JSONDecodeError`` as ``json.loads`` at every depth: shallow text goes to
``json.loads``, deeper text to an explicit-stack parser that uses ``json``'s own string scanner and number
pattern. Nothing here quotes the text in an error: it may hold a credential.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable
from typing import Any, Final

MAX_NESTING_DEPTH: Final = 10000
"""Go ``encoding/json`` ``maxNestingDepth``: 10,000 open objects and arrays are accepted, one more is refused."""

_SHALLOW: Final = 200
"""Text nested no deeper than this goes to ``json.loads`` (far below any recursion limit)."""
_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")
_BRACKETS: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')
_CONSTANTS: Final = (("NaN", 3), ("Infinity", 8), ("-Infinity", 9))
_scanstring: Final[Callable[[str, int, bool], tuple[str, int]]] = json.decoder.scanstring  # type: ignore[attr-defined]
"""``json``'s own string scanner (C-accelerated): the same escapes, control-character rule and messages."""


class NestingError(ValueError):
    """The text nests deeper than the Go decoder accepts."""

    def __init__(self, depth_limit: int, text: str, pos: int) -> None:
        self.depth_limit = depth_limit
        self.pos = pos
        self.lineno = text.count("\n", 0, pos) + 1
        self.colno = pos - text.rfind("\n", 0, pos)
        super().__init__(
            f"is nested more than {depth_limit} levels deep (at line {self.lineno} column {self.colno}); Go's JSON "
            f'decoder refuses it ("exceeded max depth", encoding/json maxNestingDepth = {depth_limit})'
        )


def nesting_depth(text: str) -> int:
    """How deep objects and arrays nest in ``text`` (strings skipped); an estimate for text that is not JSON."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def loads(
    text: str,
    *,
    max_depth: int | None = MAX_NESTING_DEPTH,
    parse_constant: Callable[[str], Any] | None = None,
) -> Any:
    """``json.loads(text, parse_constant=...)`` at any depth; deeper than ``max_depth`` raises NestingError.

    Errors come in text order, as Go's scanner reports them: a syntax error before the level that is too deep wins.
    """
    if nesting_depth(text) <= _SHALLOW:
        try:
            return json.loads(text, parse_constant=parse_constant)
        except RecursionError:  # pragma: no cover - nesting_depth never underestimates valid JSON
            pass
    if text.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _Parser(text, max_depth, parse_constant or float).parse()


class _Parser:
    """An explicit-stack JSON parser with ``json.decoder``'s messages and positions."""

    def __init__(self, text: str, max_depth: int | None, parse_constant: Callable[[str], Any]) -> None:
        self.s = text
        self.max_depth = max_depth
        self.parse_constant = parse_constant

    def _ws(self, idx: int) -> int:
        match = _WHITESPACE.match(self.s, idx)
        assert match is not None
        return match.end()

    def _error(self, message: str, idx: int) -> json.JSONDecodeError:
        return json.JSONDecodeError(message, self.s, idx)

    def _key(self, idx: int) -> tuple[str, int]:
        """A key at ``idx`` (its opening quote), then the ':' and the space before the value."""
        if self.s[idx : idx + 1] != '"':
            raise self._error("Expecting property name enclosed in double quotes", idx)
        key, idx = _scanstring(self.s, idx + 1, True)
        idx = self._ws(idx)
        if self.s[idx : idx + 1] != ":":
            raise self._error("Expecting ':' delimiter", idx)
        return key, self._ws(idx + 1)

    def _scalar(self, idx: int) -> tuple[Any, int]:
        s = self.s
        char = s[idx : idx + 1]
        if char == '"':
            return _scanstring(s, idx + 1, True)
        for word, value in (("null", None), ("true", True), ("false", False)):
            if s.startswith(word, idx):
                return value, idx + len(word)
        number = json.scanner.NUMBER_RE.match(s, idx)
        if number is not None:
            integer, fraction, exponent = number.groups()
            if fraction or exponent:
                return float(integer + (fraction or "") + (exponent or "")), number.end()
            return int(integer), number.end()
        for word, length in _CONSTANTS:
            if s.startswith(word, idx):
                return self.parse_constant(word), idx + length
        raise self._error("Expecting value", idx)

    def parse(self) -> Any:
        s = self.s
        stack: list[tuple[dict[str, Any] | list[Any], str]] = []
        idx = self._ws(0)
        while True:
            # a value starts at idx
            char = s[idx : idx + 1]
            value: Any
            if char in ("{", "[") and char:
                if self.max_depth is not None and len(stack) + 1 > self.max_depth:
                    raise NestingError(self.max_depth, s, idx)
                inner = self._ws(idx + 1)
                if char == "{":
                    if s[inner : inner + 1] == "}":
                        value, idx = {}, inner + 1
                    else:
                        key, idx = self._key(inner)
                        stack.append(({}, key))
                        continue
                elif s[inner : inner + 1] == "]":
                    value, idx = [], inner + 1
                else:
                    stack.append(([], ""))
                    idx = inner
                    continue
            else:
                value, idx = self._scalar(idx)
            # a value ended at idx: add it to the open containers, closing those that end here
            while True:
                if not stack:
                    end = self._ws(idx)
                    if end != len(s):
                        raise self._error("Extra data", end)
                    return value
                container, key = stack[-1]
                idx = self._ws(idx)
                char = s[idx : idx + 1]
                if isinstance(container, dict):
                    container[key] = value
                    closing = "}"
                else:
                    container.append(value)
                    closing = "]"
                if char == closing:
                    stack.pop()
                    value, idx = container, idx + 1
                    continue
                if char != ",":
                    raise self._error("Expecting ',' delimiter", idx)
                idx = self._ws(idx + 1)
                if isinstance(container, dict):
                    key, idx = self._key(idx)
                    stack[-1] = (container, key)
                break
