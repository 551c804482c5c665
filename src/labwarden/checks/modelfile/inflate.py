"""Bounded decompression for archive members and compressed streams.

Every codec is a generator of output pieces of at most :data:`PIECE` bytes, so that memory never
holds more than one piece of a stream being inflated; :func:`inflate` collects the pieces in
memory up to :data:`SPILL` bytes and in an anonymous temporary file past that (the result is then
an mmap of it). A stream that expands past the bomb ratio is cut at :data:`BOMB_SCAN` bytes and
reported once as a bomb; the scan reads what was kept. Nothing decompressed is ever executed.
"""

from __future__ import annotations

import bz2
import lzma
import mmap
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

PIECE = 1 << 20
SPILL = 32 << 20
"""Output kept in memory; larger output goes to a temporary file."""
BOMB_MIN = 16 << 20
"""Output size from which the expansion ratio is judged."""
BOMB_SCAN = 64 << 20
"""How much of a bomb's output is kept and scanned."""


class InflateError(ValueError):
    """The stream cannot be decompressed."""


@dataclass
class Inflated:
    """The output of one stream (bytes, or an mmap of a temporary file)."""

    data: Any
    consumed: int
    """Input bytes read to produce it."""
    cut: bool = False
    """The output stopped at a limit before the stream ended."""
    bomb: bool = False
    """The stream expands past the bomb ratio."""
    _file: IO[bytes] | None = field(default=None, repr=False)

    @property
    def size(self) -> int:
        """Bytes kept."""
        return len(self.data)

    @property
    def ratio(self) -> float:
        """Output per input byte."""
        return self.size / max(self.consumed, 1)

    def close(self) -> None:
        """Release the temporary file."""
        if isinstance(self.data, mmap.mmap):
            self.data.close()
        if self._file is not None:
            self._file.close()


def _input(data: Any, start: int, end: int, step: int = PIECE) -> Iterator[bytes]:
    for pos in range(start, end, step):
        yield bytes(data[pos : min(end, pos + step)])


def zlib_pieces(data: Any, start: int, end: int, wbits: int, used: list[int]) -> Iterator[bytes]:
    """zlib, raw deflate (``wbits`` -15) or gzip (31)."""
    decomp = zlib.decompressobj(wbits)
    for chunk in _input(data, start, end):
        before = used[0]
        buf = chunk
        while buf:
            out = decomp.decompress(buf, PIECE)
            buf = decomp.unconsumed_tail
            used[0] = before + len(chunk) - len(buf)
            if out:
                yield out
            if decomp.eof:
                return
    tail = decomp.flush()
    if tail:
        yield tail


def lib_pieces(decomp: Any, data: Any, start: int, end: int, used: list[int]) -> Iterator[bytes]:
    """bz2 or lzma (any format), whose decompressors keep their own input buffer."""
    for chunk in _input(data, start, end, 16 << 10):
        used[0] += len(chunk)
        out = decomp.decompress(chunk, PIECE)
        while True:
            if out:
                yield out
            if decomp.eof or decomp.needs_input:
                break
            out = decomp.decompress(b"", PIECE)
        if decomp.eof:
            return


def codec_pieces(kind: str, data: Any, start: int, end: int, used: list[int]) -> Iterator[bytes]:
    """The output pieces of a ``kind`` stream (gzip, zlib, deflate, bzip2, xz, lzma, lz4)."""
    if kind in ("gzip", "zlib", "deflate"):
        return zlib_pieces(data, start, end, {"gzip": 31, "zlib": 15, "deflate": -15}[kind], used)
    if kind == "bzip2":
        return lib_pieces(bz2.BZ2Decompressor(), data, start, end, used)
    if kind == "xz":
        return lib_pieces(lzma.LZMADecompressor(lzma.FORMAT_XZ), data, start, end, used)
    if kind == "lzma":
        return lib_pieces(lzma.LZMADecompressor(lzma.FORMAT_ALONE), data, start, end, used)
    if kind == "lz4":
        from labwarden.checks.modelfile.lz4 import frame_pieces

        return frame_pieces(data, start, end, used)
    raise InflateError(f"unknown codec {kind}")


class _Output:
    """Collects output pieces: in memory up to :data:`SPILL`, then in a temporary file."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.spill: IO[bytes] | None = None
        self.total = 0

    def write(self, piece: bytes) -> None:
        self.total += len(piece)
        if self.spill is None and self.total > SPILL:
            self.spill = tempfile.TemporaryFile()  # noqa: SIM115 (closed by Inflated.close)
            self.spill.write(self.buffer)
            self.buffer = bytearray()
        if self.spill is not None:
            self.spill.write(piece)
        else:
            self.buffer += piece

    def result(self, consumed: int, cut: bool, bomb: bool) -> Inflated:
        if self.spill is None:
            return Inflated(bytes(self.buffer), consumed, cut, bomb)
        self.spill.flush()
        view = mmap.mmap(self.spill.fileno(), 0, access=mmap.ACCESS_READ)
        return Inflated(view, consumed, cut, bomb, self.spill)

    def close(self) -> None:
        if self.spill is not None:
            self.spill.close()


def inflate(
    kind: str, data: Any, start: int, end: int, *, limit: int, max_ratio: float
) -> Inflated:
    """Decompress ``data[start:end]`` as ``kind``, keeping at most ``limit`` bytes (and only
    :data:`BOMB_SCAN` once the ratio says bomb)."""
    used = [0]
    out = _Output()
    cut = bomb = False
    try:
        for piece in codec_pieces(kind, data, start, end, used):
            cut = out.total + len(piece) > limit
            out.write(piece[: limit - out.total])
            bomb = out.total >= BOMB_MIN and out.total / max(used[0], 1) > max_ratio
            if cut or (bomb and out.total >= BOMB_SCAN):
                cut = True
                break
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        out.close()
        raise InflateError(str(exc)) from exc
    consumed = max(used[0], 1)
    bomb = bomb or (cut and out.total / consumed > max_ratio)
    return out.result(consumed, cut, bomb)
