from __future__ import annotations

from hybrid_terway_guard.pack import serve
from hybrid_terway_guard.policies import POLICIES

serve(POLICIES)
