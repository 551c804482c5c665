"""A pure-Python reader of the LZ4 frame format (what ``joblib.dump(..., compress="lz4")`` and
``lz4.frame`` write), so that lz4-compressed models are scanned without the optional lz4 package.

Output comes block by block (at most 4 MiB each), for :mod:`.inflate` to bound. Linked blocks
keep a 64 KiB window of history; independent blocks keep none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAGIC = b"\x04\x22\x4d\x18"
_WINDOW = 64 << 10
_BLOCK_SIZES = {4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20}


class LZ4Error(ValueError):
    """The bytes are not a valid LZ4 frame."""


def _varlen(block: bytes, pos: int, base: int) -> tuple[int, int]:
    """An LZ4 length: ``base`` (15) followed by bytes of 255 until one is smaller."""
    if base != 15:
        return base, pos
    total = base
    while True:
        if pos >= len(block):
            raise LZ4Error("a length runs past the block")
        extra = block[pos]
        pos += 1
        total += extra
        if extra != 255:
            return total, pos


def _copy_match(out: bytearray, offset: int, length: int) -> None:
    if offset == 0 or offset > len(out):
        raise LZ4Error("a match points before the start of the output")
    start = len(out) - offset
    if length <= offset:
        out += out[start : start + length]
        return
    pattern = bytes(out[start:])
    repeats, rest = divmod(length, offset)
    out += pattern * repeats + pattern[:rest]


def decode_block(block: bytes, history: bytes, limit: int) -> bytes:
    """One compressed block, with ``history`` (the previous output window) for matches."""
    out = bytearray(history)
    base = len(out)
    pos = 0
    end = len(block)
    while pos < end:
        token = block[pos]
        pos += 1
        literals, pos = _varlen(block, pos, token >> 4)
        out += block[pos : pos + literals]
        pos += literals
        if pos >= end:
            break  # the last sequence has literals only
        if pos + 2 > end:
            raise LZ4Error("a match offset runs past the block")
        offset = block[pos] | block[pos + 1] << 8
        pos += 2
        length, pos = _varlen(block, pos, token & 15)
        _copy_match(out, offset, length + 4)
        if len(out) - base > limit:
            raise LZ4Error("a block expands past its declared maximum size")
    return bytes(out[base:])


def _header(data: Any, start: int) -> tuple[int, int, bool, bool]:
    """The frame header: (offset of the first block, block maximum, block checksums, linked)."""
    if bytes(data[start : start + 4]) != MAGIC:
        raise LZ4Error("not an LZ4 frame")
    flags, descriptor = data[start + 4], data[start + 5]
    if flags >> 6 != 1:
        raise LZ4Error("unknown LZ4 frame version")
    maximum = _BLOCK_SIZES.get((descriptor >> 4) & 7)
    if maximum is None:
        raise LZ4Error("unknown LZ4 block size")
    pos = start + 6 + (8 if flags & 0x08 else 0) + (4 if flags & 0x01 else 0) + 1
    return pos, maximum, bool(flags & 0x10), not flags & 0x20


def frame_pieces(data: Any, start: int, end: int, used: list[int]) -> Iterator[bytes]:
    """The decompressed blocks of the LZ4 frame at ``data[start:end]``."""
    pos, maximum, checksums, linked = _header(data, start)
    history = b""
    while True:
        if pos + 4 > end:
            raise LZ4Error("the frame is truncated")
        size = int.from_bytes(data[pos : pos + 4], "little")
        pos += 4
        if size == 0:
            used[0] = pos - start
            return
        raw = bool(size & 0x80000000)
        size &= 0x7FFFFFFF
        if size > maximum or pos + size > end:
            raise LZ4Error("a block is larger than the frame allows")
        block = bytes(data[pos : pos + size])
        pos += size + (4 if checksums else 0)
        used[0] = pos - start
        out = block if raw else decode_block(block, history, maximum)
        if linked:
            history = (history + out)[-_WINDOW:]
        yield out
