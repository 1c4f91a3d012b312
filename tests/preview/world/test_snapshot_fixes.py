"""Every fix the snapshot checker suggests is exactly what the program reads: applied to the file as a reader
would apply it, the snapshot previews as the correctly quoted one does (cloud nodes counted as cloud nodes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from preview.run import EXIT_INVALID, PreviewError, PreviewResult, preview
from preview.world.snapshot_check import as_label_string
from tests.conftest import DATA, ROOT

TWO_TERMS = (DATA / "snapshots" / "bgp-calico-two-terms.yaml").read_text()
RACK_EXISTS = "                - key: topology.example.com/rack\n                  operator: Exists\n"
FIX = re.compile(r'\(quote it: (?:(?P<key>[^:()]+): )?"(?P<value>[^"]*)"\)')


def rack_not_in(item: str) -> str:
    return (
        "                - key: topology.example.com/rack\n                  operator: NotIn\n"
        f"                  values:\n                  - {item}\n"
    )


def variant(old: str, new: str) -> str:
    assert old in TWO_TERMS
    return TWO_TERMS.replace(old, new)


# (the snapshot correctly quoted, the same with the scalar unquoted)
CASES = {
    "boolean cloud-node label": (TWO_TERMS, variant('external: "true"', "external: true")),
    "capitalised boolean label": (TWO_TERMS, variant('external: "true"', "external: True")),
    "number in a node selector": (variant("os: linux", 'os: "1"'), variant("os: linux", "os: 1")),
    "number in match-expression values": (
        variant(RACK_EXISTS, rack_not_in('"7"')),
        variant(RACK_EXISTS, rack_not_in("7")),
    ),
}


def apply_fixes(text: str, message: str) -> str:
    """Each suggested ``key: "value"`` (or list item ``"value"``) replaces the unquoted scalar it is about."""
    fixes = [(m.group("key"), m.group("value")) for m in FIX.finditer(message)]
    assert fixes, message
    lines = text.split("\n")
    for key, value in fixes:
        for i, line in enumerate(lines):
            if key is not None:
                found = re.match(rf"^(\s*(?:- )?){re.escape(key)}: (.+)$", line)
                fixed = f'{found.group(1) if found else ""}{key}: "{value}"'
            else:
                found = re.match(r"^(\s*- )(.+)$", line)
                fixed = f'{found.group(1) if found else ""}"{value}"'
            scalar = yaml.safe_load(found.group(2)) if found else None
            if found and not isinstance(scalar, str) and as_label_string(scalar) == value:
                lines[i] = fixed
    return "\n".join(lines)


def run(text: str, folder: Path) -> PreviewResult:
    folder.mkdir(parents=True)
    snapshot = folder / "cluster.yaml"
    snapshot.write_text(text)
    return preview(ROOT, "dev", snapshot, folder / "out" / "dev", policy=False)


@pytest.mark.parametrize("which", CASES)
def test_each_suggested_fix_applied_previews_as_the_quoted_snapshot(which: str, tmp_path: Path) -> None:
    correct, broken = CASES[which]
    with pytest.raises(PreviewError) as info:
        run(broken, tmp_path / "broken")
    assert info.value.exit_code == EXIT_INVALID
    fixed = apply_fixes(broken, str(info.value))
    assert fixed == correct
    after = run(fixed, tmp_path / "fixed")
    expected = run(correct, tmp_path / "expected")
    assert after.placement == expected.placement
    assert after.exit_code == expected.exit_code


def test_an_unquoted_true_label_is_suggested_as_the_string_true(tmp_path: Path) -> None:
    broken = CASES["boolean cloud-node label"][1]
    with pytest.raises(PreviewError) as info:
        run(broken, tmp_path / "broken")
    assert 'must be a string, not a boolean (quote it: alibabacloud.com/external: "true")' in str(info.value)
    assert '"True"' not in str(info.value)
    fixed = apply_fixes(broken, str(info.value))
    result = run(fixed, tmp_path / "fixed")
    cloud = [node["name"] for node in result.placement["nodes"] if node["cloud"]]
    assert len(cloud) == 2
    assert all("DaemonSet kube-system/terway-eniip" in n["cni"] for n in result.placement["nodes"] if n["cloud"])


@pytest.mark.parametrize(
    ("value", "text"), [(True, "true"), (False, "false"), (7, "7"), (1.5, "1.5"), (None, ""), ({}, None), ([], None)]
)
def test_a_scalar_is_quoted_as_the_string_it_stands_for(value: object, text: str | None) -> None:
    assert as_label_string(value) == text
