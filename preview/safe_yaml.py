"""The one reader of YAML and JSON input: stack files, cluster snapshots and cloud snapshots.

Input is hostile until read: size, UTF-8, nesting (``MAX_NESTING``), duplicate keys and tags are checked, alias
expansion is bounded as Go's ``gopkg.in/yaml.v3`` (the Pulumi CLI's YAML library) bounds it, scalars are typed as
yaml.v3 types them (YAML 1.2, a ``YamlNotice`` for each YAML 1.1 reading avoided), and every error names
``file:line:column``. The rules, and how they are kept: docs/offline-preview.md (its ``safe_yaml`` paragraphs); the
event-driven reader's cost: docs/benchmarks.md.

Upstream: go-yaml/yaml ``decode.go`` (branch v3, commit f6f7691b1fdeb513f56608cd2c32c51f8194bf51):
``allowedAliasRatio``, "anchor ... value contains itself", "mapping key ... already defined at line ...".
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver, Resolver

from hybrid_terway.core import json_text

MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024
"""A cluster snapshot may be larger: ``kubectl get -o json`` of 5,000 nodes (the largest cluster Kubernetes supports)
each reporting the kubelet's limit of 50 images, with 1,500 Deployments, is about 160 MB."""
MAX_NESTING = 100
"""Lists and mappings nested deeper than this are refused (a Kubernetes object nests about 20 deep); what is read
must stay well inside the interpreter's recursion limit for every consumer (copying, JSON encoding)."""

# go-yaml/yaml decode.go (v3, f6f7691b): alias_ratio_range_low/high and the "aliasCount > 100 && decodeCount >
# 1000" guard of decoder.unmarshal.
ALIAS_RATIO_RANGE_LOW = 400_000
ALIAS_RATIO_RANGE_HIGH = 4_000_000
ALIAS_MIN_COUNT = 100
ALIAS_MIN_DECODES = 1000

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# What the resolver gives an unquoted scalar that YAML 1.1 would type but YAML 1.2 reads as a string.
_YAML11_STRING = "tag:hybrid-terway,2026:yaml11-string"


class YamlInputError(Exception):
    """The input cannot be read: the message names ``file:line:column`` where the problem is known."""


@dataclass(frozen=True)
class YamlNotice:
    """An unquoted value read as the string written, where YAML 1.1 would have read something else."""

    source: str
    line: int
    column: int
    text: str
    yaml11: str  # what YAML 1.1 (PyYAML's default, kubectl's yaml.v2) would make of it

    def __str__(self) -> str:
        return (
            f"{self.source}:{self.line}:{self.column}: unquoted {self.text} is read as the string {self.text!r} "
            f"(YAML 1.1 would read {self.yaml11}); quote it to keep this reading without a notice"
        )


# --- resolving scalars: YAML 1.2 core schema, as gopkg.in/yaml.v3 resolve.go -------------------------------


class _Yaml12Resolver(BaseResolver):
    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is not ScalarNode or not implicit[0]:
            return str(super().resolve(kind, value, implicit))
        tag = _PLAIN_TAGS.get(value)  # a snapshot repeats the same few thousand plain scalars
        if tag is None:
            tag = str(super().resolve(kind, value, implicit))
            if (
                tag == _STR
                and value[:1] in _YAML11_FIRST_CHARS
                and _YAML11.resolve(ScalarNode, value, (True, False)) in _YAML11_TYPED
            ):
                tag = _YAML11_STRING
            if len(value) <= 64 and len(_PLAIN_TAGS) < 65_536:
                _PLAIN_TAGS[value] = tag
        return tag


_PLAIN_TAGS: dict[str, str] = {}
_Yaml12Resolver.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Yaml12Resolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
# Integers without a leading zero (yaml.v3 reads 0777 as octal, YAML 1.2 as decimal: neither is assumed).
_Yaml12Resolver.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+|0o[0-7]+)$"), list("-+0123456789")
)
_Yaml12Resolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
_Yaml12Resolver.add_implicit_resolver(_MERGE, re.compile(r"^<<$"), ["<"])

_YAML11 = Resolver()
_YAML11_TYPED = frozenset((_BOOL, _INT, _FLOAT, "tag:yaml.org,2002:timestamp"))
_YAML11_FIRST_CHARS = frozenset(ch for ch in Resolver.yaml_implicit_resolvers if ch)


# --- constructing: only JSON-like values, duplicate keys refused ---------------------------------------------

_INT_TEXT = re.compile(r"^[-+]?(?:[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$")


def yaml12_int(text: str) -> int:
    """An integer as yaml.v3 reads one (decimal, ``0x``, ``0o``); ``ValueError`` names what is wrong."""
    text = text.strip()
    if not _INT_TEXT.match(text):
        raise ValueError(f"{text!r} is not an integer")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    base = 16 if digits.startswith("0x") else 8 if digits.startswith("0o") else 10
    try:
        return sign * int(digits[2:] if base != 10 else digits, base)
    except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
        raise ValueError(f"integer of {len(digits)} digits is too large") from None


def yaml12_float(text: str) -> float:
    text = text.strip()
    lowered = text.lower()
    if lowered in (".inf", "+.inf"):
        return float("inf")
    if lowered == "-.inf":
        return float("-inf")
    if lowered == ".nan":
        return float("nan")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None


def yaml12_bool(text: str) -> bool:
    text = text.strip()
    if text.lower() not in ("true", "false"):
        raise ValueError(f"{text!r} is not true or false")
    return text.lower() == "true"


def _marked(read: Callable[[str], Any], text: str, mark: Any) -> Any:
    try:
        return read(text)
    except ValueError as exc:
        raise ConstructorError(None, None, str(exc), mark) from None


class _Constructor(SafeConstructor):
    yaml_constructors: ClassVar[dict[Any, Any]] = {}
    yaml_multi_constructors: ClassVar[dict[Any, Any]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.notices: list[tuple[int, int, str, str]] = []

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        if isinstance(node, MappingNode):
            first_seen: dict[Any, Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    raise ConstructorError(
                        None,
                        None,
                        "a mapping key must be a string or a number, not a list or mapping",
                        key_node.start_mark,
                    ) from None
                if key in first_seen:
                    raise ConstructorError(
                        None,
                        None,
                        f"mapping key {key!r} already defined at line {first_seen[key].start_mark.line + 1}",
                        key_node.start_mark,
                    )
                first_seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_yaml12_int(self, node: ScalarNode) -> int:
        return _marked(yaml12_int, str(self.construct_scalar(node)), node.start_mark)

    def construct_yaml12_float(self, node: ScalarNode) -> float:
        return _marked(yaml12_float, str(self.construct_scalar(node)), node.start_mark)

    def construct_yaml12_bool(self, node: ScalarNode) -> bool:
        return _marked(yaml12_bool, str(self.construct_scalar(node)), node.start_mark)

    def construct_yaml11_string(self, node: ScalarNode) -> str:
        text = str(self.construct_scalar(node))
        self.notices.append((node.start_mark.line + 1, node.start_mark.column + 1, text, _yaml11_reading(text)))
        return text

    def construct_refused(self, node: Node) -> Any:
        tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
        supported = "a string, number, true/false, null, list or mapping"
        raise ConstructorError(None, None, f"the tag {tag} is not supported here: use {supported}", node.start_mark)


def _yaml11_reading(text: str) -> str:
    """What YAML 1.1 (PyYAML's default) makes of the plain scalar ``text``."""
    try:
        yaml11 = yaml.safe_load(text)
    except yaml.YAMLError:
        return "a non-string value"
    return f"{json_text.kind_of(yaml11)}, {yaml11!s}"


_Constructor.yaml_constructors.update(
    {
        _NULL: SafeConstructor.construct_yaml_null,
        _BOOL: _Constructor.construct_yaml12_bool,
        _INT: _Constructor.construct_yaml12_int,
        _FLOAT: _Constructor.construct_yaml12_float,
        _STR: SafeConstructor.construct_yaml_str,
        _YAML11_STRING: _Constructor.construct_yaml11_string,
        _SEQ: SafeConstructor.construct_yaml_seq,
        _MAP: SafeConstructor.construct_yaml_map,
        None: _Constructor.construct_refused,
    }
)


try:  # libyaml: parses a large snapshot about ten times faster
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]

    def _parser_init(loader: Any, stream: bytes) -> None:
        _Parser.__init__(loader, stream)

except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):  # type: ignore[no-redef]
        pass

    def _parser_init(loader: Any, stream: bytes) -> None:
        yaml.reader.Reader.__init__(loader, stream)
        yaml.scanner.Scanner.__init__(loader)
        yaml.parser.Parser.__init__(loader)
        yaml.composer.Composer.__init__(loader)


class _Loader(_Parser, _Constructor, _Yaml12Resolver):
    def __init__(self, stream: bytes) -> None:
        _parser_init(self, stream)
        _Constructor.__init__(self)
        _Yaml12Resolver.__init__(self)


# --- alias expansion bound -----------------------------------------------------------------------------------


def allowed_alias_ratio(expanded: int) -> float:
    """The share of a document's expanded nodes that may come from aliases (yaml.v3 ``allowedAliasRatio``)."""
    if expanded <= ALIAS_RATIO_RANGE_LOW:
        return 0.99
    if expanded >= ALIAS_RATIO_RANGE_HIGH:
        return 0.10
    span = ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW
    return 0.99 - 0.89 * (expanded - ALIAS_RATIO_RANGE_LOW) / span


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def expansion_counts(root: Node) -> tuple[int, int, int]:
    """(nodes with every alias expanded, nodes written, nesting depth). Each collection is visited once (memoised).

    Raises ``ConstructorError`` on an alias to a node that contains it.
    """
    expanded_size: dict[int, int] = {}
    height: dict[int, int] = {}
    on_path: set[int] = set()
    written = 1 if not isinstance(root, CollectionNode) else 0
    stack: list[tuple[Node, bool]] = [(root, False)] if isinstance(root, CollectionNode) else []
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        children = _children(node)
        if leaving:
            on_path.discard(key)
            collections = [id(c) for c in children if isinstance(c, CollectionNode)]
            expanded_size[key] = 1 + len(children) - len(collections) + sum(expanded_size[c] for c in collections)
            height[key] = 1 + max((height[c] for c in collections), default=0)
            written += 1 + len(children) - len(collections)
            continue
        if key in expanded_size:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in children:
            if not isinstance(child, CollectionNode) or id(child) in expanded_size:
                continue
            if id(child) in on_path:
                raise ConstructorError(
                    None,
                    None,
                    "an alias refers to a node that contains it (a recursive structure)",
                    child.start_mark,
                )
            stack.append((child, False))
    return expanded_size.get(id(root), 1), written, height.get(id(root), 0)


def _deeper_than(root: Node, limit: int) -> Node | None:
    """The first collection nested more than ``limit`` deep in a tree (a document without aliases), or None."""
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return node
        if isinstance(node, SequenceNode):
            stack.extend((c, depth + 1) for c in node.value if isinstance(c, CollectionNode))
        elif isinstance(node, MappingNode):
            stack.extend((c, depth + 1) for pair in node.value for c in pair if isinstance(c, CollectionNode))
    return None


def _too_deep(mark: Any) -> ConstructorError:
    return ConstructorError(None, None, f"nested more than {MAX_NESTING} levels deep", mark)


def _check_document(root: Node, may_alias: bool) -> None:
    if not may_alias:
        deep = _deeper_than(root, MAX_NESTING)
        if deep is not None:
            raise _too_deep(deep.start_mark)
        return
    _check_aliases(root)


def _check_aliases(root: Node) -> None:
    expanded, written, depth = expansion_counts(root)
    if depth > MAX_NESTING:
        raise _too_deep(root.start_mark)
    aliased = expanded - written
    if (
        aliased > ALIAS_MIN_COUNT
        and expanded > ALIAS_MIN_DECODES
        and aliased / expanded > allowed_alias_ratio(expanded)
    ):
        raise ConstructorError(
            None,
            None,
            f"excessive aliasing: {written} nodes written expand to {expanded} through aliases "
            f"(at most {allowed_alias_ratio(expanded):.0%} of a document may come from aliases)",
            root.start_mark,
        )


# --- reading from events: documents without anchors, aliases, tags or merge keys --------------------------------

Trim = Mapping[tuple[str, str], Mapping[str, Collection[str]]]
"""What is kept of some objects: ``(apiVersion, kind)`` to the fields kept of each of its parts (a part that is not
a mapping is kept whole)."""


def trim_object(obj: dict[Any, Any], trim: Trim) -> dict[Any, Any]:
    """``obj`` trimmed in place to what ``trim`` keeps of its kind (the fields in the order ``trim`` names them)."""
    api, kind = obj.get("apiVersion"), obj.get("kind")
    parts = trim.get((api, kind)) if type(api) is str and type(kind) is str else None
    for part, fields in (parts or {}).items():
        value = obj.get(part)
        if isinstance(value, dict):
            obj[part] = {f: value[f] for f in fields if f in value}
    return obj


class _NotPlain(Exception):
    """The event reader stops: the composing reader reads the input (and refuses it where it must)."""


_UNKNOWN = object()
_PLAIN_VALUES: dict[str, Any] = {}  # plain scalar text to its value (never a YAML 1.1 string: each has a notice)
_RESOLVER = _Yaml12Resolver()
_PLAIN_READERS: dict[str, Callable[[str], Any]] = {
    _STR: str,
    _NULL: lambda text: None,
    _BOOL: yaml12_bool,
    _INT: yaml12_int,
    _FLOAT: yaml12_float,
}


class _EventReader:
    """Builds each document from libyaml's events, with no node graph, so that what is dropped of an object is never
    built, and what is kept is held once. The events are PyYAML's (``yaml.events``: stream, document, mapping and
    sequence start and end, scalar, alias; https://pyyaml.org/wiki/PyYAMLDocumentation, "Events"), produced by
    libyaml through ``CParser.get_event`` (PyYAML's ``yaml/_yaml.pyx``). A scalar's ``implicit`` pair is libyaml's
    ``plain_implicit`` and ``quoted_implicit`` (yaml/libyaml ``include/yaml.h``): the first is set for a plain
    scalar without a tag, which the resolver types; any other scalar without a tag is a string.

    It reads only what it can read exactly as the composing reader (``_Loader``) does: a document with an anchor,
    an alias, a tag, a ``<<`` key or a list or mapping as a key, and any input the composing reader refuses
    (nested more than ``MAX_NESTING`` deep, a duplicate key, a value it cannot construct, a syntax error), stops it
    with ``_NotPlain``; the composing reader then reads the input from the start and gives its result or its
    message. Without an alias nothing expands, so the alias bound holds; every other check is made on every
    event, in what is dropped as well. A YAML 1.1 reading is noted where a value is kept: a dropped value is never
    read, as a string or otherwise.
    """

    def __init__(self, raw: bytes, trim: Trim) -> None:
        parser = _Parser.__new__(_Parser)
        _parser_init(parser, raw)
        self.get: Callable[[], Any] = parser.get_event
        self.trim = trim
        self.parts = frozenset(part for parts in trim.values() for part in parts)
        self.notices: list[tuple[int, int, str, str]] = []

    def documents(self) -> list[Any]:
        get = self.get
        get()  # StreamStartEvent
        documents = []
        while type(get()) is DocumentStartEvent:
            document = self.value(get(), 0)
            get()  # DocumentEndEvent
            if document is not None:
                documents.append(document)
        return documents  # after StreamEndEvent

    def plain(self, event: Any, noted: bool = True) -> Any:
        """The value of a plain scalar (resolved as ``_Yaml12Resolver`` resolves it)."""
        text = event.value
        tag = _RESOLVER.resolve(ScalarNode, text, (True, False))
        if tag == _YAML11_STRING:
            if noted:
                mark = event.start_mark
                self.notices.append((mark.line + 1, mark.column + 1, text, _yaml11_reading(text)))
            return text
        read = _PLAIN_READERS.get(tag)
        if read is None:  # a merge key
            raise _NotPlain
        try:
            value = read(text)
        except ValueError:
            raise _NotPlain from None
        if len(text) <= 64 and len(_PLAIN_VALUES) < 65_536:
            _PLAIN_VALUES[text] = value
        return value

    def scalar(self, event: Any, noted: bool = True) -> Any:
        if event.tag is not None or event.anchor is not None:
            raise _NotPlain
        if not event.implicit[0]:  # quoted, or a literal or folded block
            return event.value
        value = _PLAIN_VALUES.get(event.value, _UNKNOWN)
        return self.plain(event, noted) if value is _UNKNOWN else value

    def value(self, event: Any, depth: int, fields: Collection[str] | None = None) -> Any:
        kind = type(event)
        if kind is ScalarEvent:
            return self.scalar(event)
        if event.anchor is not None or kind is AliasEvent or event.tag is not None or depth >= MAX_NESTING:
            raise _NotPlain
        if kind is SequenceStartEvent:
            return self.sequence(depth + 1)
        return self.mapping(depth + 1, fields)

    def sequence(self, depth: int) -> list[Any]:
        get, scalar, value = self.get, self.scalar, self.value
        result: list[Any] = []
        append = result.append
        while True:
            event = get()
            kind = type(event)
            if kind is ScalarEvent:
                append(scalar(event))
            elif kind is SequenceEndEvent:
                return result
            else:
                append(value(event, depth))

    def mapping(self, depth: int, fields: Collection[str] | None) -> dict[Any, Any]:
        get, scalar, value, parts = self.get, self.scalar, self.value, self.parts
        result: dict[Any, Any] = {}
        dropped: set[Any] = set()
        while True:
            event = get()
            kind = type(event)
            if kind is MappingEndEvent:
                break
            if kind is not ScalarEvent:
                raise _NotPlain  # an alias or a list or mapping as the key
            key = scalar(event, fields is None or event.value in fields)
            if key in result or key in dropped:
                raise _NotPlain
            event = get()
            if fields is not None and key not in fields:
                dropped.add(key)
                self.skip(event, depth)
            elif type(event) is ScalarEvent:
                result[key] = scalar(event)
            elif key in parts and "kind" in result:
                result[key] = value(event, depth, self.fields(result, key))
            else:
                result[key] = value(event, depth)
        if "kind" in result and self.trim:
            trim_object(result, self.trim)
        return result

    def fields(self, obj: dict[Any, Any], part: str) -> Collection[str] | None:
        api, kind = obj.get("apiVersion"), obj["kind"]
        parts = self.trim.get((api, kind)) if type(api) is str and type(kind) is str else None
        return parts.get(part) if parts else None

    def skip(self, event: Any, depth: int) -> None:
        """Reads past the value that starts with ``event`` without building it, refusing what ``value`` refuses."""
        kind = type(event)
        if kind is ScalarEvent:
            self.scalar(event, noted=False)
            return
        if event.anchor is not None or kind is AliasEvent or event.tag is not None or depth >= MAX_NESTING:
            raise _NotPlain
        get, scalar, skip = self.get, self.scalar, self.skip
        if kind is SequenceStartEvent:
            while True:
                event = get()
                kind = type(event)
                if kind is ScalarEvent:
                    scalar(event, False)
                elif kind is SequenceEndEvent:
                    return
                else:
                    skip(event, depth + 1)
        keys: set[Any] = set()
        while True:
            event = get()
            kind = type(event)
            if kind is MappingEndEvent:
                return
            if kind is not ScalarEvent:
                raise _NotPlain
            key = scalar(event, False)
            if key in keys:
                raise _NotPlain
            keys.add(key)
            event = get()
            if type(event) is ScalarEvent:
                scalar(event, False)
            else:
                skip(event, depth + 1)


# --- the public readers ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a document is read. Reading creates millions of containers and frees
    none of them, and the collector runs after every 700 allocations (``gc.get_threshold``), each of its full
    collections traversing every container read so far: with it on, composing the 63 MB snapshot of
    ``benchmarks/realistic_snapshot.py`` takes 35 s, without it 5 s (Python 3.11). What is read holds no cycle (a
    recursive alias is refused); the composed nodes of a refused one are collected once the collector runs again,
    when the reader returns (``gc.disable``: https://docs.python.org/3/library/gc.html)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _utf8_text(data: str | bytes, source: str, limit: int | None = None) -> tuple[bytes, str]:
    """``data`` as UTF-8 bytes and as text, at most ``limit`` bytes (``MAX_INPUT_BYTES`` by default); not UTF-8 is
    refused with its position."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    size = len(data)
    if size > limit:
        raise YamlInputError(f"{source}: {size} bytes, more than the {limit} this reader accepts")
    if isinstance(data, str):
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise YamlInputError(f"{_position(data, exc.start, source)}: not UTF-8 text") from None
        if len(raw) > limit:
            raise YamlInputError(f"{source}: {len(raw)} bytes, more than the {limit} this reader accepts")
        return raw, data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8")
        bad = data[exc.start : exc.start + 1].hex()
        raise YamlInputError(
            f"{_position(prefix, len(prefix), source)}: not UTF-8 text (byte 0x{bad}); binary data is not YAML or JSON"
        ) from None
    return bytes(data), text


def _as_utf8(data: str | bytes, source: str, limit: int | None = None) -> bytes:
    return _utf8_text(data, source, limit)[0]


def read_input(path: Path, source: str | None = None, limit: int | None = None) -> bytes:
    """The bytes of ``path``, reading no more than ``limit`` bytes (``MAX_INPUT_BYTES`` by default; a device or a
    huge file is refused)."""
    name = source or str(path)
    limit = MAX_INPUT_BYTES if limit is None else limit
    try:
        if path.is_file() and path.stat().st_size > limit:  # refused without reading it
            raise YamlInputError(f"{name}: larger than the {limit} bytes this reader accepts")
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise YamlInputError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise YamlInputError(f"{name}: larger than the {limit} bytes this reader accepts")
    return data


def _position(text: str, offset: int, source: str) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{source}:{line}:{column}"


def _yaml_message(exc: yaml.YAMLError, source: str, raw: bytes) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
        problem = exc.problem or exc.context or "not valid YAML"
        context = ""
        if exc.context and exc.problem and exc.context_mark is not None:
            context = f" ({exc.context} at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1})"
        return f"{where}: {problem}{context}"
    if isinstance(exc, yaml.reader.ReaderError):
        prefix = raw[: exc.position].decode("utf-8", errors="replace")
        return f"{_position(prefix, len(prefix), source)}: {exc.reason}"
    return f"{source}: not valid YAML: {exc}"


def load_documents(
    data: str | bytes, source: str, notices: list[YamlNotice] | None = None, trim: Trim | None = None
) -> list[Any]:
    """Every YAML document in ``data`` (empty documents dropped), read safely; see the module docstring.

    ``source`` names the input in messages. Unquoted values that YAML 1.1 would type differently are read as
    the string written and appended to ``notices`` (in the order written) when a list is given. Every mapping of
    a kind named in ``trim`` is trimmed to what it keeps: read from events, what it drops is never built (nor
    noted); read by composing, the document is built whole, then trimmed.
    """
    raw = _as_utf8(data, source)
    found: list[tuple[int, int, str, str]] = []
    with _collector_paused():
        try:
            reader = _EventReader(raw, trim or {})
            documents = reader.documents()
            found = reader.notices
        except (_NotPlain, yaml.YAMLError, RecursionError):
            documents = _compose_documents(raw, source, found)
            if trim:
                _trim_all(documents, trim)
    if notices is not None:
        notices.extend(YamlNotice(source, line, column, text, what) for line, column, text, what in sorted(found))
    return documents


def _trim_all(documents: list[Any], trim: Trim) -> None:
    """Every mapping in ``documents`` trimmed (each visited once: an alias shares what it names)."""
    seen: set[int] = set()
    stack = list(documents)
    while stack:
        value = stack.pop()
        if id(value) in seen or not isinstance(value, (dict, list)):
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            if "kind" in value:
                trim_object(value, trim)
            stack.extend(value.values())
        else:
            stack.extend(value)


def _compose_documents(raw: bytes, source: str, notices: list[tuple[int, int, str, str]]) -> list[Any]:
    """The documents of ``raw`` read by composing each one's node graph and checking it before anything is built."""
    documents: list[Any] = []
    may_alias = b"*" in raw  # an alias is written *name: without one, nothing can expand
    loader: _Loader | None = None
    try:
        loader = _Loader(raw)
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            _check_document(node, may_alias)
            document = loader.construct_document(node)
            if document is not None:
                documents.append(document)
        notices.extend(loader.notices)
    except yaml.YAMLError as exc:
        raise YamlInputError(_yaml_message(exc, source, raw)) from None
    except RecursionError:
        raise YamlInputError(f"{source}: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    return documents


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


ObjectHook = Callable[[dict[str, Any]], Any]


def _pairs_hook(keep: Mapping[str, ObjectHook]) -> Callable[[list[tuple[str, Any]]], Any]:
    """Builds each JSON object from its pairs, refusing a duplicate key; an object whose ``kind`` is a key of
    ``keep`` is replaced by what that function returns (what of it is kept), so that what is dropped is freed
    while the rest is still being read."""

    def build(pairs: list[tuple[str, Any]]) -> Any:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    raise _DuplicateKey(key)
                seen.add(key)
        if "kind" in result:
            kind = result["kind"]
            if type(kind) is str and kind in keep:
                return keep[kind](result)
        return result

    return build


def load_json(
    data: str | bytes,
    source: str,
    keep: Mapping[str, ObjectHook] | None = None,
    limit: int | None = None,
) -> Any:
    """One JSON value, read as JSON: at most ``limit`` bytes of UTF-8 (``MAX_INPUT_BYTES`` by default), nesting
    bounded, duplicate keys and NaN/Infinity refused, ``file:line:column`` in errors.

    ``keep`` maps a ``kind`` to a function called on every object of that kind once it is read (innermost
    first); what it returns stands for the object.
    """
    return _read_json(data, source, keep, limit, several=False)[0]


def load_json_values(
    data: str | bytes,
    source: str,
    keep: Mapping[str, ObjectHook] | None = None,
    limit: int | None = None,
) -> list[Any]:
    """Every JSON value of ``data``, one after the other (the output of several ``kubectl ... -o json``
    commands), read as ``load_json`` reads one."""
    return _read_json(data, source, keep, limit, several=True)


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _read_json(
    data: str | bytes, source: str, keep: Mapping[str, ObjectHook] | None, limit: int | None, several: bool
) -> list[Any]:
    raw, text = _utf8_text(data, source, limit)
    if not _json_depth_within(raw, MAX_NESTING):
        _check_json_depth(text, source)  # names where; an unbalanced text is left to the parser
    del raw
    with _collector_paused():  # as for YAML: millions of containers, none freed while the text is read
        return _decode_json(text, source, keep, several)


def _decode_json(text: str, source: str, keep: Mapping[str, ObjectHook] | None, several: bool) -> list[Any]:
    try:
        if not several:
            return [json.loads(text, object_pairs_hook=_pairs_hook(keep or {}), parse_constant=_refuse_constant)]
        decoder = json.JSONDecoder(object_pairs_hook=_pairs_hook(keep or {}), parse_constant=_refuse_constant)
        values = []
        end = _JSON_SPACE.match(text, 0).end()  # type: ignore[union-attr]
        while end < len(text):
            value, end = decoder.raw_decode(text, end)
            values.append(value)
            end = _JSON_SPACE.match(text, end).end()  # type: ignore[union-attr]
        return values
    except json.JSONDecodeError as exc:
        problem = json_text.describe(exc)
        raise YamlInputError(f"{source}:{problem.line}:{problem.column}: not valid JSON: {problem.message}") from None
    except _DuplicateKey as exc:
        where = _locate_duplicate(text, exc.key)
        raise YamlInputError(f"{_position(text, where, source)}: duplicate key {exc.key!r} in a JSON object") from None
    except RecursionError:
        raise YamlInputError(f"{source}: nested too deeply") from None
    except ValueError as exc:  # NaN/Infinity, or an integer with more digits than int() converts
        raise YamlInputError(f"{source}: not valid JSON: {exc}") from None


_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'"[]{}\\/bfnrtu')
_NOT_BRACKET_OR_QUOTE = bytes(c for c in range(256) if c not in b'"[]{}')
_QUOTED = re.compile(rb'"[^"]*"')


def _json_depth_within(raw: bytes, limit: int) -> bool:
    """Whether no list or object in the JSON text ``raw`` nests deeper than ``limit`` (False also for a text
    whose brackets do not pair up). Runs as a few passes over the bytes, none of them per token in Python:
    everything is dropped but brackets, quotes, backslashes and what a backslash may escape; then escaped
    backslashes and escaped quotes (JSON pairs escapes left to right), so that what is left between two quotes
    is a string's contents; then all but brackets and quotes, then the strings with the brackets inside them;
    then the innermost pairs of brackets are removed, once per level."""
    stream = raw.translate(None, _NOT_STRUCTURE)  # a seventh of a Kubernetes object's text is left
    if stream.count(b"[") + stream.count(b"{") <= limit:
        return True
    if b"\\" in stream:
        stream = stream.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Two adjacent quotes are dropped first: an empty string, or the end of one string and the start of the next
    # with no bracket between them; either way no bracket outside a string is lost.
    stream = _QUOTED.sub(b"", stream.translate(None, _NOT_BRACKET_OR_QUOTE).replace(b'""', b""))
    stream = stream.replace(b"{", b"[").replace(b"}", b"]")
    for _ in range(limit):
        if not stream:
            return True
        shorter = stream.replace(b"[]", b"")
        if len(shorter) == len(stream):
            return False
        stream = shorter
    return not stream


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _check_json_depth(text: str, source: str) -> None:
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_NESTING:
                where = _position(text, token.start(), source)
                raise YamlInputError(f"{where}: nested more than {MAX_NESTING} levels deep")
        elif bracket in "]}":
            depth -= 1


_WS = re.compile(r"[ \t\n\r]*")


def _locate_duplicate(text: str, key: str) -> int:
    """Offset of the second occurrence of ``key`` within one object of ``text`` (valid JSON but for that)."""
    decoder = json.JSONDecoder()

    def skip(i: int) -> int:
        match = _WS.match(text, i)
        return match.end() if match else i

    def walk(i: int) -> int:
        i = skip(i)
        if text[i] == "{":
            seen: set[str] = set()
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                i = skip(i)
                name, end = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                if name == key and name in seen:
                    raise _Found(i)
                seen.add(name)
                i = walk(skip(end) + 1)
                i = skip(i)
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if text[i] == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            while True:
                i = skip(walk(i))
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        _, end = decoder.raw_decode(text, i)
        return int(end)

    try:
        walk(0)
    except _Found as found:
        return found.offset
    except (ValueError, IndexError, RecursionError):
        pass
    return 0


class _Found(Exception):
    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset
