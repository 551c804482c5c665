"""Checksums that providers build into their tokens, computed here to tell real from look-alike.

A token that carries a checksum and fails it is a typo, a truncation or a made-up example, never
a working credential of that provider.
"""

from __future__ import annotations

import base64
import binascii
import zlib

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def base62_crc32(data: str) -> str:
    """The 6-character base62 CRC32 that GitHub and npm append to their tokens."""
    number = zlib.crc32(data.encode("ascii"))
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(BASE62[rest])
    return "".join(reversed(digits)).rjust(6, "0")


def _bech32_polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_BECH32_GEN):
            check ^= gen if (top >> i) & 1 else 0
    return check


def bech32_valid(text: str) -> bool:
    """Whether ``text`` (``hrp1data``, one case) has a valid Bech32 checksum (BIP 173)."""
    if text.lower() != text and text.upper() != text:
        return False
    low = text.lower()
    hrp, sep, data = low.rpartition("1")
    if not sep or not hrp or len(data) < 6 or any(c not in BECH32 for c in data):
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _bech32_polymod(expanded + [BECH32.index(c) for c in data]) == 1


def crc24(data: bytes) -> int:
    """The OpenPGP ASCII-armor CRC-24 (RFC 4880, section 6.1)."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def armor_crc_matches(body: bytes, line: str) -> bool:
    """Whether the armor checksum line ``=XXXX`` matches ``body``."""
    try:
        raw = base64.b64decode(line.removeprefix("="), validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) == 3 and int.from_bytes(raw, "big") == crc24(body)
