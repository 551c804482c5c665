"""Tokens and times shared by the space-separated web log formats (S3 access, HTTP combined)."""

from __future__ import annotations

import re
from datetime import datetime

from labwarden.watch.parsers.base import RecordError

TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|\[([^\]]*)\]|(\S+)')
"""A quoted string, a bracketed time or a bare word."""


def tokens(line: str) -> list[str]:
    """Split a log line into fields, unquoting ``"..."`` and ``[...]``."""
    out: list[str] = []
    for match in TOKEN.finditer(line):
        quoted, bracketed, bare = match.groups()
        if quoted is not None:
            out.append(quoted.replace('\\"', '"'))
        elif bracketed is not None:
            out.append(bracketed)
        else:
            out.append(bare)
    return out


def clf_time(text: str) -> datetime:
    """``10/Oct/2000:13:55:36 -0700`` as an aware datetime."""
    try:
        return datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z")
    except ValueError:
        raise RecordError(f"bad time {text!r} (expected dd/Mon/yyyy:HH:MM:SS +zzzz)") from None
