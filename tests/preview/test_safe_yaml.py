"""The one YAML/JSON reader: bounded, strict about keys and tags, YAML 1.2 scalars, file:line:column in errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from preview import safe_yaml
from preview.safe_yaml import YamlInputError, YamlNotice, expansion_counts, load_documents, load_json
from preview.stack_config import StackFileError, load_stack_config
from tests.conftest import DATA, ROOT


def billion_laughs(levels: int = 9, fan_out: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * fan_out) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan_out) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_before_construction() -> None:
    text = billion_laughs()
    assert len(text) < 1024
    with pytest.raises(YamlInputError, match=r"^bomb\.yaml:1:1: excessive aliasing: \d+ nodes written expand to"):
        load_documents(text, "bomb.yaml")


def test_expansion_is_counted_once_per_node() -> None:
    loader = safe_yaml._Loader(billion_laughs(levels=3, fan_out=4).encode())
    assert loader.check_node()
    expanded, written, depth = expansion_counts(loader.get_node())
    # a0 = 1 + 4; a1 = 1 + 4 * 5; a2 = 1 + 4 * 21; the root mapping adds 1 and the three keys
    assert expanded == 1 + 3 + 5 + 21 + 85
    assert written == 1 + 3 + 5 + 1 + 1
    assert depth == 4


def test_moderate_aliasing_is_read() -> None:
    text = "base: &b {image: x, pull: Always}\none: *b\ntwo:\n  <<: *b\n  pull: Never\n"
    assert load_documents(text, "s.yaml") == [
        {
            "base": {"image": "x", "pull": "Always"},
            "one": {"image": "x", "pull": "Always"},
            "two": {"image": "x", "pull": "Never"},
        }
    ]


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlInputError, match=r"^s\.yaml:1:\d+: an alias refers to a node that contains it"):
        load_documents("a: &a [1, *a]\n", "s.yaml")


def test_allowed_alias_ratio_follows_yaml_v3() -> None:
    assert safe_yaml.allowed_alias_ratio(1000) == 0.99
    assert safe_yaml.allowed_alias_ratio(4_000_000) == 0.10
    assert safe_yaml.allowed_alias_ratio(2_200_000) == pytest.approx(0.545)


def test_input_size_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_yaml, "MAX_INPUT_BYTES", 100)
    with pytest.raises(YamlInputError, match=r"^big\.yaml: 101 bytes, more than the 100"):
        load_documents("a" * 101, "big.yaml")
    with pytest.raises(YamlInputError, match=r"more than the 100"):
        load_json(b"1" * 101, "big.json")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", r"^f\.yaml:3:1: mapping key 'a' already defined at line 1$"),
        ("x:\n  k: {b: 1, b: 2}\n", r"^f\.yaml:2:13: mapping key 'b' already defined at line 2$"),
        ("? [1]\n: 2\n", r"^f\.yaml:1:3: a mapping key must be a string or a number"),
        ("a: !!binary aGk=\n", r"^f\.yaml:1:4: the tag !!binary is not supported here"),
        ("a: !!python/object/apply:os.system [ls]\n", r"^f\.yaml:1:4: the tag !!python/object/apply:os.system"),
        ("a: !!set {x}\n", r"the tag !!set is not supported"),
        ("a: !!timestamp 2024-01-01\n", r"the tag !!timestamp is not supported"),
        ("a: !!int abc\n", r"^f\.yaml:1:4: 'abc' is not an integer"),
        ("a: !!int " + "9" * 5000 + "\n", r"integer of 5000 digits is too large"),
        ("a: [1\n", r"^f\.yaml:2:1: did not find expected ',' or '\]'"),
        ("a: *missing\n", r"^f\.yaml:1:4: found undefined alias"),
        ("[" * 2000, r"^f\.yaml:1:1001: exceeded maximum nesting depth"),
        ("[" * 101 + "]" * 101, r"^f\.yaml:1:101: nested more than 100 levels deep$"),
        ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 120)), r"^f\.yaml:\d+:\d+: nested more than 100 levels"),
        ("b: &b " + "[" * 60 + "]" * 60 + "\nc: " + "[" * 50 + "*b" + "]" * 50, r"^f\.yaml:1:1: nested more than 100"),
        ("a: 1\nb: x\x00y\n", r"^f\.yaml:2:5: control characters are not allowed"),
    ],
)
def test_broken_yaml_names_file_line_and_column(text: str, message: str) -> None:
    with pytest.raises(YamlInputError, match=message):
        load_documents(text, "f.yaml")


def test_binary_garbage_is_refused_with_the_position_of_the_first_bad_byte() -> None:
    with pytest.raises(YamlInputError, match=r"^g\.yaml:2:5: not UTF-8 text \(byte 0xff\)"):
        load_documents(b"a: 1\nb: x\xff\xfe\x00\x01", "g.yaml")
    with pytest.raises(YamlInputError, match=r"^g\.yaml:1:1: not UTF-8 text"):
        load_documents("\udcff", "g.yaml")


def test_yaml_1_1_surprises_are_read_as_written_and_reported() -> None:
    notices: list[YamlNotice] = []
    text = (
        "clusterId: 2024-01-01\nipvlan: yes\nmode: on\nmask: 0777\ntime: 1:20\nbig: 1_000\n"
        "quoted: 'yes'\ntagged: !!str no\nn: 12\nf: 1.5\ne: 1e3\nh: 0x1f\nt: true\nz: ~\n"
    )
    assert load_documents(text, "Pulumi.x.yaml", notices) == [
        {
            "clusterId": "2024-01-01",
            "ipvlan": "yes",
            "mode": "on",
            "mask": "0777",
            "time": "1:20",
            "big": "1_000",
            "quoted": "yes",
            "tagged": "no",
            "n": 12,
            "f": 1.5,
            "e": 1000.0,
            "h": 31,
            "t": True,
            "z": None,
        }
    ]
    assert [(n.line, n.column, n.text) for n in notices] == [
        (1, 12, "2024-01-01"),
        (2, 9, "yes"),
        (3, 7, "on"),
        (4, 7, "0777"),
        (5, 7, "1:20"),
        (6, 6, "1_000"),
    ]
    assert str(notices[3]) == (
        "Pulumi.x.yaml:4:7: unquoted 0777 is read as the string '0777' (YAML 1.1 would read an integer, 511); "
        "quote it to keep this reading without a notice"
    )
    assert "a date, 2024-01-01" in str(notices[0]) and "a boolean, True" in str(notices[1])


def test_documents_are_all_read_and_empty_ones_dropped() -> None:
    assert load_documents("---\n---\na: 1\n---\n...\n---\n- 2\n", "m.yaml") == [{"a": 1}, [2]]
    assert load_documents("", "m.yaml") == []


def test_json_is_read_as_json() -> None:
    # the aliyun CLI indents with tabs
    text = (
        '{\n\t"VSwitches": {\n\t\t"VSwitch": [\n\t\t\t{"VSwitchId": "vsw-1", "CidrBlock": "10.0.0.0/24"}\n'
        "\t\t]\n\t}\n}\n"
    )
    vswitch = {"VSwitchId": "vsw-1", "CidrBlock": "10.0.0.0/24"}
    assert load_json(text, "cloud.json") == {"VSwitches": {"VSwitch": [vswitch]}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n\t"a": 1,\n\t"b": {"c": 1, "c": 2}\n}', r"^c\.json:3:16: duplicate key 'c' in a JSON object$"),
        ('{"a": {"x": 1}, "b": {"x": 2}, "a": 3}', r"^c\.json:1:32: duplicate key 'a'"),
        ('{"a": 1,}', r"^c\.json:1:8: not valid JSON: trailing comma before }$"),
        ('{"a": NaN}', r"^c\.json: not valid JSON: NaN is not a JSON value"),
        ("[" + "9" * 5000 + "]", r"^c\.json: not valid JSON: .*digits"),
        (b'{"a": "\xc3\x28"}', r"^c\.json:1:8: not UTF-8 text"),
        ("[" * 100_000, r"^c\.json:1:101: nested more than 100 levels deep$"),
        ('[{"a": "[[[[' + "[" * 2000 + '"}]', None),
        ("[" * 100 + "]" * 100, None),
    ],
)
def test_broken_json_names_file_and_line(text: str | bytes, message: str | None) -> None:
    if message is None:  # brackets inside strings are not nesting; 100 levels are fine
        assert load_json(text, "c.json")
        return
    with pytest.raises(YamlInputError, match=message):
        load_json(text, "c.json")


def test_stack_file_is_read_with_the_safe_reader(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.s.yaml").write_text(
        "config:\n  hybrid-terway:clusterId: 2024-01-01\n  hybrid-terway:scenario: on\n"
    )
    config = load_stack_config(tmp_path, "s")
    assert config.values == {"hybrid-terway:clusterId": "2024-01-01", "hybrid-terway:scenario": "on"}
    assert [notice.split(": unquoted")[0] for notice in config.notices] == ["Pulumi.s.yaml:2:28", "Pulumi.s.yaml:3:27"]
    (tmp_path / "Pulumi.d.yaml").write_text("config:\n  hybrid-terway:scenario: bgp\n  hybrid-terway:scenario: host\n")
    with pytest.raises(StackFileError, match=r"^Pulumi\.d\.yaml:3:3: mapping key 'hybrid-terway:scenario' already"):
        load_stack_config(tmp_path, "d")
    (tmp_path / "Pulumi.b.yaml").write_text(billion_laughs())
    with pytest.raises(StackFileError, match=r"^Pulumi\.b\.yaml:1:1: excessive aliasing"):
        load_stack_config(tmp_path, "b")


# --- the event reader: what it reads, the composing reader reads the same; what it cannot, it leaves to it ---------

PLAIN = [
    "yes", "no", "on", "Off", "0777", "1:20", "1_000", "0b101", "2024-01-01", "12", "-3", "0x1f", "0o17", "1.5",
    "1e3", ".inf", "-.inf", ".nan", "true", "False", "~", "null", "", "x", "kube-system", "9" * 30, "9" * 5000, "<<",
    "a b", "'q'", '"d"', "|\n  block", "!!str s", "!!binary aGk=", "!custom v", "&a v", "*a", "[]", "{}",
]  # fmt: skip
KEYS = ["a", "b", "1", "true", "True", "~", "yes", "'a'", "<<", "? [k]\n"]


def compose(text: bytes) -> str:
    """What the composing reader makes of ``text``: documents and notices, or its message."""
    found: list[tuple[int, int, str, str]] = []
    try:
        with safe_yaml._collector_paused():
            documents = safe_yaml._compose_documents(text, "d.yaml", found)
    except YamlInputError as exc:
        return f"refused: {exc}"
    return repr((documents, sorted(found)))  # repr: key order counts, and nan reads as nan on both sides


def block(draw: st.DrawFn, indent: int, depth: int) -> str:
    """A block mapping or sequence at ``indent``: plain hazards, duplicate keys, tags, anchors, deep flow lists."""
    pad = " " * indent
    lines = []
    sequence = draw(st.booleans())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        lead = pad + ("- " if sequence else draw(st.sampled_from(KEYS)) + ": ")
        choice = draw(st.integers(min_value=0, max_value=4 if depth < 4 else 2))
        if choice <= 1:
            value = draw(st.sampled_from(PLAIN)).replace("\n", "\n" + pad)
        elif choice == 2:
            levels = draw(st.sampled_from([1, 2, 95, 98, 99, 100, 101]))
            value = "[" * levels + draw(st.sampled_from(["x", "yes", "1"])) + "]" * levels
        else:
            value = "\n" + block(draw, indent + 2, depth + 1)
        lines.append(lead + value)
    return "\n".join(lines)


@st.composite
def documents_text(draw: st.DrawFn) -> bytes:
    return ("\n---\n".join(block(draw, 0, 0) for _ in range(draw(st.integers(1, 2)))) + "\n").encode()


@given(documents_text())
@settings(max_examples=400, deadline=None, derandomize=True, database=None)
def test_events_read_what_composing_reads(text: bytes) -> None:
    composed = compose(text)
    reader = safe_yaml._EventReader(text, {})
    try:
        read = repr((reader.documents(), sorted(reader.notices)))
    except safe_yaml._NotPlain:
        read = None  # left to the composing reader
    except yaml.YAMLError:
        read = None
    if read is not None:
        assert read == composed
    event("read from events" if read is not None else "left to the composing reader")
    notices: list[YamlNotice] = []
    try:
        documents = load_documents(text, "d.yaml", notices)
        loaded = repr((documents, sorted((n.line, n.column, n.text, n.yaml11) for n in notices)))
    except YamlInputError as exc:
        loaded = f"refused: {exc}"
    assert loaded == composed


def test_snapshots_and_stack_files_are_read_from_events() -> None:
    for path in [*sorted((DATA / "snapshots").glob("*.yaml")), *sorted(ROOT.glob("Pulumi*.yaml"))]:
        text = path.read_bytes()
        reader = safe_yaml._EventReader(text, {})
        assert repr((reader.documents(), sorted(reader.notices))) == compose(text), path


NODE = """\
apiVersion: v1
kind: Node
metadata:
  name: n1
  labels: {a: "1"}
  managedFields: [{manager: kubelet}]
status:
  addresses: [{type: InternalIP, address: 10.0.0.1}]
  images:
  - names: [x@sha256:00, x:1]
    sizeBytes: 10
"""


def test_a_trimmed_object_is_built_without_what_it_drops() -> None:
    trim = {("v1", "Node"): {"metadata": ("name", "labels"), "status": ("addresses",)}}
    kept = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "n1", "labels": {"a": "1"}},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.1"}]},
    }
    assert load_documents(NODE, "n.yaml", trim=trim) == [kept]
    # kind written last: trimmed once read, the fields in the order trim names them
    late = "status: {images: [], addresses: []}\nmetadata: {uid: u, name: n}\napiVersion: v1\nkind: Node\n"
    (node,) = load_documents(late, "n.yaml", trim=trim)
    assert node == {"status": {"addresses": []}, "metadata": {"name": "n"}, "apiVersion": "v1", "kind": "Node"}
    assert list(node["metadata"]) == ["name"]
    # with an alias the document is composed, built whole, then trimmed the same way
    (aliased,) = load_documents(NODE + "extra: &e [1]\nagain: *e\n", "n.yaml", trim=trim)
    assert aliased == kept | {"extra": [1], "again": [1]}
    # a dropped value is never read, so it has no YAML 1.1 reading to note; a kept one has
    notices: list[YamlNotice] = []
    load_documents(NODE.replace("sizeBytes: 10", "sizeBytes: 0777") + "  extra: yes\n", "n.yaml", notices, trim)
    assert notices == []
    load_documents(NODE.replace('{a: "1"}', "{a: on}"), "n.yaml", notices, trim)
    assert [(n.line, n.column, n.text) for n in notices] == [(5, 15, "on")]


@pytest.mark.parametrize(
    ("hazard", "message"),
    [
        ("    sizeBytes: 11\n", r"^n\.yaml:12:5: mapping key 'sizeBytes' already defined at line 11"),
        ("    tag: !!binary aGk=\n", r"^n\.yaml:12:10: the tag !!binary is not supported here"),
        ("    deep: " + "[" * 101 + "]" * 101 + "\n", r"^n\.yaml:\d+:\d+: nested more than 100 levels deep"),
        ("    big: " + "9" * 5000 + "\n", r"^n\.yaml:12:10: integer of 5000 digits is too large"),
        ("    self: &s [*s]\n", r"^n\.yaml:12:\d+: an alias refers to a node that contains it"),
        ("    ? [k]\n    : v\n", r"^n\.yaml:12:7: a mapping key must be a string or a number"),
    ],
)
def test_what_is_dropped_is_still_checked(hazard: str, message: str) -> None:
    trim = {("v1", "Node"): {"metadata": ("name",), "status": ("addresses",)}}
    with pytest.raises(YamlInputError, match=message):
        load_documents(NODE + hazard, "n.yaml", trim=trim)
