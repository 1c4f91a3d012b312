"""hybrid_terway.core.gojson: json.loads's result and errors at every depth, Go's nesting limit, no recursion."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hybrid_terway.core import gojson, json_text

_PIECES = [*'{}[]:," \n\t\\/abcu0123456789-.eE+', '"a"', "null", "true", "false", "NaN", "-Infinity", '{"k":', "[1,"]


def _outcome(parse: Any, text: str) -> tuple[Any, ...]:
    try:
        return ("value", json.dumps(parse(text)))
    except json.JSONDecodeError as exc:  # in the project's wording, the same on every Python (json_text)
        return ("error", json_text.describe(exc))


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_the_deep_parser_reads_as_json_loads(text: str) -> None:
    def deep(source: str) -> Any:  # the parser deep text goes to, here on any text
        return gojson._Parser(source, None, float).parse()

    assert _outcome(deep, text) == _outcome(json.loads, text)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
        lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=3), kids, max_size=3),
    )
)
def test_the_deep_parser_reads_what_json_writes(value: Any) -> None:
    text = json.dumps(value)
    assert gojson._Parser(text, None, float).parse() == json.loads(text)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_go_accepts_ten_thousand_levels_and_refuses_one_more() -> None:
    value = gojson.loads(_nested(gojson.MAX_NESTING_DEPTH))
    for _ in range(gojson.MAX_NESTING_DEPTH - 1):
        (value,) = value
    assert value == []
    with pytest.raises(gojson.NestingError, match=r"nested more than 10000 levels deep \(at line 1 column 10001\)"):
        gojson.loads(_nested(gojson.MAX_NESTING_DEPTH + 1))
    assert gojson.nesting_depth('["[[[", {"a": [1]}]') == 3


def test_errors_come_in_text_order() -> None:
    with pytest.raises(json.JSONDecodeError, match="Expecting ',' delimiter"):
        gojson.loads("[1 2" + _nested(20_000))  # the syntax error comes before the level that is too deep
    with pytest.raises(gojson.NestingError):
        gojson.loads(_nested(20_000) + "x")
    with pytest.raises(ValueError, match="NaN is refused"):
        gojson.loads("[" * 500 + "NaN" + "]" * 500, parse_constant=_refuse)
    assert gojson.loads(_nested(20_000), max_depth=None) is not None


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is refused")
