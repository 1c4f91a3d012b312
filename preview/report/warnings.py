"""The warnings a preview prints: each with the setting it is about, so the preview's fuller checks replace the
program's own by setting, not by the wording of a message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hybrid_terway.core import constants

_PREFIX = constants.PROJECT + ":"


@dataclass(frozen=True)
class Warning:
    text: str
    setting: str | None = None
    """The stack setting it names, without the project (``terway.podVswitches[0]``); None: no one setting."""

    @staticmethod
    def of(text: str) -> Warning:
        """A warning as the program words it: ``hybrid-terway:<setting>...: <message>`` names its setting."""
        if not text.startswith(_PREFIX):
            return Warning(text)
        rest = text[len(_PREFIX) :]
        end = min((i for i in (rest.find(":"), rest.find(" ")) if i >= 0), default=len(rest))
        return Warning(text, rest[:end])

    def about(self, setting: str) -> bool:
        """Whether it names ``setting`` or a setting inside it (``terway.podVswitches`` holds ``...[0]``)."""
        here = self.setting
        return here is not None and (here == setting or here.startswith((setting + ".", setting + "[")))


def superseded(program: Iterable[Warning], settings: Sequence[str], fuller: Iterable[str]) -> list[Warning]:
    """The program's warnings, those about ``settings`` replaced by ``fuller`` (the same checks with more facts)."""
    kept = [w for w in program if not any(w.about(s) for s in settings)]
    return kept + [Warning.of(text) for text in fuller]
