"""Shared helpers of the preview's tests: the preview run as ``make preview`` runs it."""

from __future__ import annotations

from pathlib import Path

from preview.run import PreviewResult, preview
from tests.conftest import ROOT


def run_preview(
    stack: str, out: Path, snapshot: Path | None = None, root: Path = ROOT, policy: bool = False
) -> PreviewResult:
    return preview(root, stack, snapshot, out / stack, policy=policy)
