"""OpenPGP armor for the labelled set: a secret-key or public-key packet with its CRC-24."""

from __future__ import annotations

import base64
import random


def crc24(data: bytes) -> int:
    """RFC 4880 section 6.1, written here apart from ``labwarden.checks.secrets.checksums`` on
    purpose: the set must not share a bug with the validator it measures."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def pgp_armor(rng: random.Random, *, secret: bool) -> str:
    """An armored key block: old-format packet tag 5 (secret key) or 6 (public key)."""
    tag = 0x95 if secret else 0x99
    body = bytes([tag, 0x03, 0xC6, 0x04]) + rng.randbytes(rng.randrange(400, 700))
    text = base64.b64encode(body).decode()
    check = "=" + base64.b64encode(crc24(body).to_bytes(3, "big")).decode()
    kind = "PRIVATE" if secret else "PUBLIC"
    lines = [f"-----BEGIN PGP {kind} KEY BLOCK-----", "Comment: lab release signing", ""]
    lines += [text[i : i + 64] for i in range(0, len(text), 64)]
    lines += [check, f"-----END PGP {kind} KEY BLOCK-----"]
    return "\n".join(lines)
