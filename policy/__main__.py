"""The policy pack's entry point, as the Pulumi CLI runs it (``python __main__.py`` in this folder).

The pack imports only the pure modules of ``hybrid_terway`` (and pydantic, PyYAML and the policy SDK), never a
provider SDK. From a checkout of this repository they are read from ``../components``; a published pack carries
them beside this file (``make policy-pack`` writes ``build/policy-pack/``, what ``pulumi policy publish`` ships).
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
for _where in (_HERE, _HERE.parent / "components"):
    if (_where / "hybrid_terway" / "__init__.py").is_file():
        sys.path.insert(0, str(_where))
        break

from hybrid_terway_guard.pack import serve  # noqa: E402 - after the path to hybrid_terway is known
from hybrid_terway_guard.policies import POLICIES  # noqa: E402

serve(POLICIES)
