"""Canary rows: synthetic rows unique to one recipient's copy.

Each value is drawn from the column's own values (so the row looks like the others), except in
identifier-like columns (nearly every value distinct), where a fresh value of the same shape is
made (digits for digits, letters for letters; e-mail addresses on the lab's domain when one is
given). A row equal to a real one is drawn again.
"""

from __future__ import annotations

import hashlib

import numpy as np

from labwarden.trace.fingerprint.frame import Frame

_UNIQUE = 0.9
_DIGITS = "0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz"


def _shaped(template: str, rng: np.random.Generator, domain: str | None) -> str:
    local, at, host = template.partition("@")
    out = []
    for char in local if at else template:
        if char.isdigit():
            out.append(_DIGITS[int(rng.integers(10))])
        elif char.isalpha():
            letter = _LOWER[int(rng.integers(26))]
            out.append(letter.upper() if char.isupper() else letter)
        else:
            out.append(char)
    text = "".join(out)
    return f"{text}@{domain or host}" if at else text


def _row(frame: Frame, rng: np.random.Generator, domain: str | None) -> list[str]:
    row = []
    for column in frame.columns:
        template = column.values[int(column.codes[int(rng.integers(frame.rows))])]
        if len(column.values) >= _UNIQUE * frame.rows and template:
            row.append(_shaped(template, rng, domain))
        else:
            row.append(template)
    return row


def canary_rows(frame: Frame, key: bytes, count: int, domain: str | None = None) -> list[list[str]]:
    """``count`` synthetic rows for the copy under ``key``, none equal to a row of ``frame``."""
    if count <= 0 or frame.rows == 0:
        return []
    seed = int.from_bytes(hashlib.sha256(b"canary-rows|" + key).digest()[:8], "little")
    rng = np.random.default_rng(seed)
    existing = frame.row_set()
    taken: set[tuple[str, ...]] = set()
    rows: list[list[str]] = []
    for _ in range(count):
        for _attempt in range(50):
            row = _row(frame, rng, domain)
            if tuple(row) not in existing and tuple(row) not in taken:
                taken.add(tuple(row))
                rows.append(row)
                break
    return rows


def positions(key: bytes, rows: int, count: int) -> list[int]:
    """Where the canary rows go in the copy (indices into the original rows, sorted)."""
    seed = int.from_bytes(hashlib.sha256(b"canary-positions|" + key).digest()[:8], "little")
    rng = np.random.default_rng(seed)
    return sorted(int(p) for p in rng.integers(0, rows + 1, size=count))
