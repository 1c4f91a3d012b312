"""One wording of a JSON error on every supported Python (hybrid_terway.core.json_text)."""

from __future__ import annotations

import json

import pytest

from hybrid_terway.core.json_text import JsonProblem, describe


def problem(text: str) -> JsonProblem:
    with pytest.raises(json.JSONDecodeError) as info:
        json.loads(text)
    return describe(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1,}', JsonProblem("trailing comma before }", 1, 8, 7)),
        ('{"a": 1, \n }', JsonProblem("trailing comma before }", 1, 8, 7)),
        ("[1,]", JsonProblem("trailing comma before ]", 1, 3, 2)),
        ("[\n\t1,\n]", JsonProblem("trailing comma before ]", 2, 3, 4)),
        # not a trailing comma: CPython's words, which 3.10 to 3.13 share
        ('{"a":1,]', JsonProblem("Expecting property name enclosed in double quotes", 1, 8, 7)),
        ("[1,}", JsonProblem("Expecting value", 1, 4, 3)),
        ("[,]", JsonProblem("Expecting value", 1, 2, 1)),
        ('{"a" 1}', JsonProblem("Expecting ':' delimiter", 1, 6, 5)),
        ("{} x", JsonProblem("Extra data", 1, 4, 3)),
    ],
)
def test_a_json_error_is_worded_alike_on_every_python(text: str, expected: JsonProblem) -> None:
    assert problem(text) == expected
