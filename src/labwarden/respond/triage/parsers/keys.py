"""``authorized_keys`` lines: options, key type, key and comment; fingerprints as ssh-keygen."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

_TYPE = re.compile(
    r"(?:^|\s)((?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|sk-\S+@openssh\.com|"
    r"\S+-cert-v01@openssh\.com))\s+([A-Za-z0-9+/=]+)(?:\s+(.*))?$"
)


@dataclass(frozen=True, slots=True)
class KeyLine:
    """One key."""

    line: int
    key_type: str
    fingerprint: str
    """``SHA256:...`` as ``ssh-keygen -l`` prints it."""
    comment: str
    options: str


def fingerprint(blob: str) -> str:
    """The SHA-256 fingerprint of a base64 key (``?`` when it is not base64)."""
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        return "SHA256:?"
    digest = base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def parse_authorized_keys(
    lines: Iterable[tuple[int, str]],
) -> tuple[list[KeyLine], list[tuple[int, str]]]:
    """Keys, and the lines that hold no recognizable key."""
    found: list[KeyLine] = []
    bad: list[tuple[int, str]] = []
    for number, text in lines:
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _TYPE.search(stripped)
        if not match:
            bad.append((number, "no key type and key on the line"))
            continue
        options = stripped[: match.start(1)].strip()
        found.append(
            KeyLine(number, match[1], fingerprint(match[2]), (match[3] or "").strip(), options)
        )
    return found, bad
