"""Which known key a misspelt one probably means: case ignored first, then the fewest edits.

Pure: the settings, the component package's inputs and anything else that names valid keys ask here.
"""

from __future__ import annotations

from collections.abc import Iterable


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps, each one edit."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def did_you_mean(given: str, known: Iterable[str]) -> str | None:
    """The known key ``given`` probably means, or None.

    The same letters in another case win (``podVSwitches`` is ``podVswitches``); otherwise the closest key by
    edit distance, case ignored, if it is within a third of the key's length (at least one edit) and no other key
    is as close.
    """
    choices = [key for key in known if key != given]
    folded = given.lower()
    same = [key for key in choices if key.lower() == folded]
    if len(same) == 1:
        return same[0]
    scored = sorted((edit_distance(folded, key.lower()), key) for key in choices)
    if not scored:
        return None
    best, key = scored[0]
    tied = len(scored) > 1 and scored[1][0] == best
    return key if best <= max(1, len(given) // 3) and not tied else None
