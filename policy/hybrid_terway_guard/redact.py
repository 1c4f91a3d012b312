"""What a message may show of a resource's data: nothing that could be a credential.

Policies see secrets as plain values (the SDK unwraps the engine's secret envelopes before a rule runs), so a
message never relies on the engine to hide one. Every piece of resource data a message names goes through one of
the functions here; :func:`scrub` then runs over each whole message as it is reported, so text built elsewhere
(the scheduling module's errors, the SDK's "can't be known" paths) is held to the same rule.

A credential is recognised by its shape, never by a list of known values: an Alibaba Cloud AccessKey ID
(``LTAI`` followed by letters and digits), an STS token (``STS.``), or a random-looking run of 10 or more
characters that mixes letters and digits, or of 16 or more whose lower-case runs are shorter than words. Values
under a credential-like name (``access_key``, ``password``, ``token`` ...) are never shown, whatever their shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

_ACCESS_KEY_ID: Final = re.compile(r"LTAI[0-9A-Za-z]{8,}|STS\.[0-9A-Za-z_-]{8,}", re.IGNORECASE)
_TOKEN: Final = re.compile(r"[A-Za-z0-9+/=_.:~-]{10,}")
_SEPARATORS: Final = re.compile(r"[._/:~=-]+")
_LOWER_RUN: Final = re.compile(r"[a-z]+")
_CREDENTIAL_NAME: Final = re.compile(
    r"secret|passw|token|credential|private|signature|access.?key|api.?key|\bak\b|\bsk\b", re.IGNORECASE
)
_CLUSTER_ID: Final = re.compile(r"c[0-9a-f]{32}")
"""An ACK cluster id (``hybrid_terway.core.settings.ClusterId``): random-looking, but an identifier every RAM name here
carries, never a credential (an AccessKey secret is 30 letters and digits of both cases)."""
_WORDISH: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,62}")
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,252}")


def looks_like_credential(text: str) -> bool:
    """Whether ``text`` has the shape of an AccessKey ID, a secret or a token anywhere in it."""
    if _ACCESS_KEY_ID.search(text):
        return True
    for segment in _SEPARATORS.split(text):
        if len(segment) < 10 or _CLUSTER_ID.fullmatch(segment):
            continue
        digits = sum(c.isdigit() for c in segment)
        letters = sum(c.isalpha() for c in segment)
        if digits >= 2 and letters >= 2:
            return True
        if len(segment) >= 16:
            runs = _LOWER_RUN.findall(segment)
            if not runs or sum(map(len, runs)) / len(runs) < 3:
                return True
    return False


def is_credential_name(name: str) -> bool:
    """Whether a key names a credential (``access_key``, ``accessKeySecret``, ``password``, ``token`` ...)."""
    return bool(_CREDENTIAL_NAME.search(name))


def safe_word(text: object) -> str | None:
    """``text`` when a message may show it (a short name, label key or value), else None."""
    if not isinstance(text, str) or not _WORDISH.fullmatch(text) or looks_like_credential(text):
        return None
    return text


def shown_name(name: object, what: str = "name") -> str:
    """An object name for a message, or ``a name of N characters`` when it could be a credential."""
    if isinstance(name, str) and _NAME.fullmatch(name) and not looks_like_credential(name):
        return name
    return f"(a {what} of {len(name)} characters)" if isinstance(name, str) else f"(a {what} that is not a string)"


def shown_map_key(key: str) -> str:
    """A map key inside a path (``eni_tags["..."]``): quoted when it may be shown, described otherwise."""
    word = safe_word(key)
    return f'"{word}"' if word is not None else f"(a key of {len(key)} characters)"


def shown_labels(labels: Mapping[str, object]) -> str:
    """``key=value, ...`` of node labels, sorted, hiding what could be a credential and values of credential names."""
    parts = []
    for key, value in sorted(labels.items()):
        shown_key = safe_word(key) or f"(a key of {len(key)} characters)"
        word = None if is_credential_name(key) else safe_word(value)
        if word is None and value == "":
            word = ""
        shown_value = word if word is not None else "(hidden)"
        parts.append(f"{shown_key}={shown_value}")
    return ", ".join(parts)


def scrub(message: str) -> str:
    """``message`` with every credential-shaped run of characters replaced by its length."""

    def hide(match: re.Match[str]) -> str:
        token = match.group()
        return f"(hidden: {len(token)} characters)" if looks_like_credential(token) else token

    return _TOKEN.sub(hide, message)


def scrub_path(path: Sequence[object]) -> list[str]:
    """A property path (the SDK's ``UnknownValueError.props``) with keys that could be credentials described."""
    return [str(p) if safe_word(str(p)) is not None else f"(a key of {len(str(p))} characters)" for p in path]
