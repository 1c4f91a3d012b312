"""The policy pack as ``pulumi policy publish`` ships it: ``policy/`` with the pure modules of ``hybrid_terway``
it imports copied beside it, so the published pack needs only ``policy/requirements.txt`` (no provider SDK).

``python -m preview.pack_bundle DEST`` (``make policy-pack``) writes it; the modules are found by importing the
pack in a fresh interpreter and listing what of ``hybrid_terway`` it loaded.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policy"
COMPONENTS = ROOT / "components"
PACK_FILES = ("PulumiPolicy.yaml", "__main__.py", "requirements.txt")


def pack_modules() -> list[str]:
    """The ``hybrid_terway`` modules the pack loads (``__init__`` files included), as paths below ``hybrid_terway/``:
    the package's ``__init__.py`` and the core's modules (``core/settings.py``)."""
    code = (
        "import json, sys; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "import hybrid_terway_guard.policies, hybrid_terway_guard.pack;"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'hybrid_terway' or m.startswith('hybrid_terway.'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(POLICY), str(COMPONENTS)], capture_output=True, text=True, check=True
    )
    names = json.loads(done.stdout)
    paths = [Path(*n.split(".")[1:]) for n in names]
    return sorted(
        str(p / "__init__.py" if (COMPONENTS / "hybrid_terway" / p / "__init__.py").is_file() else p.with_suffix(".py"))
        for p in paths
    )


def bundle(dest: Path) -> list[Path]:
    """Write the publishable pack into ``dest`` (emptied first); returns the files written."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in PACK_FILES:
        shutil.copy2(POLICY / name, dest / name)
    guard = dest / "hybrid_terway_guard"
    shutil.copytree(POLICY / "hybrid_terway_guard", guard, ignore=shutil.ignore_patterns("__pycache__"))
    for name in pack_modules():
        (dest / "hybrid_terway" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(COMPONENTS / "hybrid_terway" / name, dest / "hybrid_terway" / name)
    return sorted(p for p in dest.rglob("*") if p.is_file())


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "build/policy-pack")
    written = bundle(target)
    print(f"{target}: {len(written)} files; publish with: cd {target} && pulumi policy publish [org]")
