"""The upstream Terway model: versions, the security-group limit as each version counts it, the JSON decoder."""

from __future__ import annotations

import pytest

from hybrid_terway.core import terway_model as tm


@pytest.mark.parametrize(
    ("version", "parsed"),
    [
        ("v1.13.7", (1, 13, 7)),
        ("1.9.6", (1, 9, 6)),
        ("v1.17.5-aliyun.1", (1, 17, 5)),
        ("latest", None),
        ("v1.13", None),
    ],
)
def test_parse_version(version: str, parsed: tuple[int, int, int] | None) -> None:
    assert tm.parse_version(version) == parsed


@pytest.mark.parametrize(
    ("version", "limit", "union"),
    [
        (None, 5, False),
        ("v1.5.6", 5, True),
        ("v1.5.7", 5, False),
        ("v1.9.6", 5, False),
        ("v1.13.4", 5, False),
        ("v1.13.7", 10, False),
        ("v1.17.5", 10, False),
    ],
)
def test_security_group_limit_by_version(version: str | None, limit: int, union: bool) -> None:
    found = tm.security_group_limit(version)
    assert (found.limit, found.counts_union) == (limit, union)


def test_security_groups_are_counted_as_upstream_counts_them() -> None:
    conf = {"security_group": "sg-a", "security_groups": ["sg-a", "sg-b", "sg-b"]}
    assert tm.SG_LIMIT_LIST_10.count(conf) == 3, "the list's length, duplicates included, security_group not"
    assert tm.SG_LIMIT_UNION_5.count(conf) == 2, "before v1.5.7: the union, each group once"
    assert tm.SG_LIMIT_LIST_10.count({"security_group": "sg-a"}) == 0


@pytest.mark.parametrize(
    ("value", "go_type", "refused"),
    [
        (5, tm.INT, False),
        ("5", tm.INT, True),
        (5.5, tm.INT, True),
        (5.0, tm.INT, True),  # Go's decoder refuses a fraction or exponent for an int
        (True, tm.INT, True),
        (None, tm.INT, False),  # null leaves the zero value
        (5, tm.FLOAT64, False),
        (0.5, tm.FLOAT64, False),
        ("x", tm.STRING, False),
        (1, tm.STRING, True),
        (["a", None], tm.STRINGS, False),
        ({"z": ["vsw-a"]}, tm.KEYS_BY_NAME["vswitches"].go_type, False),
        ({"z": "vsw-a"}, tm.KEYS_BY_NAME["vswitches"].go_type, True),
        ({"dst": "10.0.0.0/8", "other": 1}, tm.ROUTE, False),  # unknown struct keys are ignored
    ],
)
def test_decode_problems_follow_gos_decoder(value: object, go_type: tm.GoType, refused: bool) -> None:
    assert bool(tm.decode_problems(value, go_type, "key")) == refused


def test_json_text_is_read_as_strictly_as_go_reads_it() -> None:
    assert tm.parse_json_object('{"max_pool_size": 5}') == {"max_pool_size": 5}
    for text, message in (("[]", "must be a JSON object"), ('{"a": Infinity}', "Infinity is not JSON"), ("{", "JSON")):
        with pytest.raises(ValueError, match=message):
            tm.parse_json_object(text)


def test_probable_key() -> None:
    assert tm.probable_key("max_pool_szie") == "max_pool_size"
    assert tm.probable_key("MaxPoolSize") == "max_pool_size"
    assert tm.probable_key("zzz") is None


def test_owned_keys_and_removed_keys_against_the_keys_upstream_reads() -> None:
    assert set(tm.OWNED_KEYS) <= set(tm.KEYS_BY_NAME)
    assert not set(tm.REMOVED_KEYS) & set(tm.KEYS_BY_NAME)
    assert len(tm.ENI_CONF_KEYS) == len(tm.KEYS_BY_NAME) == 43


def test_ram_actions() -> None:
    assert tm.ram_actions(dual_stack=False) == tuple(sorted(tm.RAM_ACTIONS))
    assert set(tm.ram_actions(dual_stack=True)) - set(tm.ram_actions(dual_stack=False)) == set(tm.RAM_ACTIONS_IPV6)
    assert not set(tm.RAM_ACTIONS_GUIDE_EXTRA) & tm.RAM_ACTIONS_PUBLISHED
