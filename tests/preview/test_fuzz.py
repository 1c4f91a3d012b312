"""Fuzz the offline preview with structurally mutated stack files and snapshots.

Whatever the input: the exit code is 0, 1 or 2, nothing raises (no traceback), and nothing is written or removed
outside the stack's own output folder. The mutations work on the parsed documents (delete, replace with any
JSON-like value or a YAML hazard, wrap in a list, add, rename, duplicate) and then on the text (truncation,
hostile fragments, invalid bytes).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preview.__main__ import main
from preview.paths import STACK_NAME
from tests.conftest import DATA, ROOT

MAX_EXAMPLES = 200  # per test of stack files and snapshots; every test here together: 20 to 40 s on two shared cores
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure here is reproducible, never flaky
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

STACK = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
SNAPSHOT = yaml.safe_load((DATA / "snapshots" / "bgp-calico-two-terms.yaml").read_text())
CLOUD = json.loads((DATA / "cloud" / "dev-cn-hangzhou.json").read_text())

HAZARDS = [
    "2024-01-01", "yes", "off", "0777", "1:20", "", "~", "../../x", "*", "calico.node", "Inn", "true",
    "9" * 30, "c" + "0" * 32, "kube-system", "DaemonSet", "Installation", "alibabacloud.com/external=true",
    "NotIn", "DoesNotExist", "Gt", "secure",
]  # fmt: skip
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(HAZARDS)
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8) | st.sampled_from(HAZARDS), inner, max_size=3)
    ),
    max_leaves=8,
)
TEXT_HAZARDS = [
    "a: &a [*a]\n", "x: !!binary aGk=\n", "\t", "\x00", ": :", "{", "[[[[", "a: 1\na: 2\n", "? [1]\n: 2\n",
    "--- \n", "...\n", "%YAML 1.1\n", "k: !!python/object/apply:os.system [ls]\n",
    "l0: &l0 [x, x, x, x, x, x, x, x, x]\nl1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\n"
    "l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\nl3: [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]\n",
]  # fmt: skip


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


def at(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> bytes:
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(list(paths(document))))
        operation = draw(st.sampled_from(["delete", "replace", "wrap", "add", "rename", "duplicate"]))
        if not path:
            if operation in ("replace", "wrap"):
                document = draw(VALUES) if operation == "replace" else [document]
            continue
        parent, last = at(document, path[:-1]), path[-1]
        if operation == "delete":
            del parent[last]
        elif operation == "replace":
            parent[last] = draw(VALUES)
        elif operation == "wrap":
            parent[last] = [parent[last]]
        elif operation == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8) | st.sampled_from(HAZARDS))] = draw(VALUES)
        elif operation == "add":
            parent.insert(last, draw(VALUES))
        elif operation == "rename" and isinstance(parent, dict):
            parent[str(last) + draw(st.sampled_from(["s", "x", "", ".", "-"]))] = parent.pop(last)
        elif operation == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode()
    damage = draw(st.sampled_from(["none", "none", "truncate", "insert", "bytes"]))
    if damage == "truncate":
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    elif damage == "insert":
        where = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:where] + draw(st.sampled_from(TEXT_HAZARDS)).encode() + text[where:]
    elif damage == "bytes":
        where = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:where] + draw(st.binary(min_size=1, max_size=4)) + text[where:]
    return text


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_in_sandbox(
    sandbox: Path, stack_text: bytes, snapshot_text: bytes | None, cloud_text: bytes | None = None, stack: str = "fuzz"
) -> None:
    project = sandbox / "project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "Pulumi.fuzz.yaml").write_bytes(stack_text)
    (sandbox / "out" / "other").mkdir(parents=True, exist_ok=True)
    (sandbox / "out" / "other" / "plan.json").write_text('{"another stack": true}')
    (sandbox / "keep.txt").write_text("outside the output folder")
    arguments = ["--cwd", str(project), "--stack", stack, "--out", str(sandbox / "out"), "--no-policy"]
    if snapshot_text is not None:
        (sandbox / "snapshot.yaml").write_bytes(snapshot_text)
        arguments += ["--snapshot", str(sandbox / "snapshot.yaml")]
    if cloud_text is not None:
        (sandbox / "cloud.json").write_bytes(cloud_text)
        arguments += ["--cloud-snapshot", str(sandbox / "cloud.json")]
    before = {k: v for k, v in files(sandbox).items() if not k.startswith("out/fuzz/")}
    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        code = main(arguments)  # an exception here is the traceback a user would see: the test fails
    assert code in (0, 1, 2), (code, stderr.getvalue())
    assert "Traceback" not in stderr.getvalue()
    after = {k: v for k, v in files(sandbox).items() if not k.startswith("out/fuzz/")}
    assert after == before, "written or removed outside the stack's own output folder"


@FUZZ
@given(stack_text=mutated(STACK))
def test_fuzzed_stack_files(stack_text: bytes, tmp_path_factory: Any) -> None:
    run_in_sandbox(tmp_path_factory.mktemp("fuzz"), stack_text, None)


@FUZZ
@given(snapshot_text=mutated(SNAPSHOT))
def test_fuzzed_snapshots(snapshot_text: bytes, tmp_path_factory: Any) -> None:
    stack_text = (ROOT / "Pulumi.dev.yaml").read_bytes()
    run_in_sandbox(tmp_path_factory.mktemp("fuzz"), stack_text, snapshot_text)


@settings(FUZZ, max_examples=80)
@given(cloud_text=mutated(CLOUD), as_json=st.booleans())
def test_fuzzed_cloud_snapshots(cloud_text: bytes, as_json: bool, tmp_path_factory: Any) -> None:
    """The aliyun CLI's JSON (tab-indented) or YAML, mutated like the others, with the dev stack and a snapshot."""
    if as_json:
        with contextlib.suppress(yaml.YAMLError, ValueError, TypeError):
            cloud_text = json.dumps(yaml.safe_load(cloud_text), indent="\t").encode()
    stack_text = (ROOT / "Pulumi.dev.yaml").read_bytes()
    snapshot_text = (DATA / "snapshots" / "bgp-calico-two-terms.yaml").read_bytes()
    run_in_sandbox(tmp_path_factory.mktemp("fuzz"), stack_text, snapshot_text, cloud_text)


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(stack=st.sampled_from([".", "..", "../x", "a/b", "", "-", "x" * 101, "fuzz", "../out"]) | st.text(max_size=6))
def test_fuzzed_stack_names(stack: str, tmp_path_factory: Any) -> None:
    sandbox = tmp_path_factory.mktemp("names")
    project = sandbox / "project"
    project.mkdir()
    (project / "Pulumi.fuzz.yaml").write_bytes((ROOT / "Pulumi.dev.yaml").read_bytes())
    (sandbox / "out" / "other").mkdir(parents=True)
    (sandbox / "out" / "other" / "plan.json").write_text("{}")
    before = files(sandbox)
    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        code = main(["--cwd", str(project), "--stack", stack, "--out", str(sandbox / "out"), "--no-policy"])
    assert code in (0, 1, 2) and "Traceback" not in stderr.getvalue()
    after = files(sandbox)
    if STACK_NAME.fullmatch(stack) and stack not in (".", ".."):  # a valid name: its own folder may hold the result
        after = {k: v for k, v in after.items() if not k.startswith(f"out/{stack}/")}
    assert after == before
