"""Redaction: what of a secret any output may show (a short prefix, its length and a hash)."""

from __future__ import annotations

import hashlib


def secret_hash(value: str) -> str:
    """A short SHA-256 of the value: stable across scans, used by baselines, never reversible
    for random tokens (a weak password can still be guessed from it, as from any hash)."""
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def redact(value: str) -> str:
    """``AKIA…(20 chars)``: a prefix long enough to tell the key type, never the secret."""
    token_like = value[:4].replace("_", "").replace("-", "").isalnum()
    if not token_like:
        shown = ""
    elif len(value) >= 20:
        shown = value[:4]
    elif len(value) >= 10:
        shown = value[:1]
    else:
        shown = ""
    return f"{shown}…({len(value)} chars)"
