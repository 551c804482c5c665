"""Secrets removed from configuration files before they are archived."""

from __future__ import annotations

import re

_SECRET_KEY = re.compile(
    rb"^(?P<head>\s*[\w.\-]*(?:pass|password|secret|token|key|credential|session)[\w.\-]*\s*[=:]\s*)"
    rb"(?P<value>\S.*?)\s*$",
    re.IGNORECASE,
)


def redact_credentials(data: bytes) -> bytes:
    """Every ``name = value`` line whose name speaks of a password, secret, token or key keeps
    its name and loses its value (``<redacted>``); other lines are kept as they are."""
    out = []
    for line in data.split(b"\n"):
        match = _SECRET_KEY.match(line)
        out.append(match["head"] + b"<redacted>" if match else line)
    return b"\n".join(out)
