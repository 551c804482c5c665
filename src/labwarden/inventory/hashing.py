"""Content digests: BLAKE3 (default, multi-threaded over mmap for big files) or SHA-256."""

from __future__ import annotations

import hashlib
import io
import mmap
import os
from typing import BinaryIO, Literal

import blake3

Algorithm = Literal["blake3", "sha256"]

_BIG = 8 * 1024 * 1024
_CHUNK = 1024 * 1024


def digest_file(path: str | bytes, algorithm: Algorithm = "blake3") -> str:
    """Hex digest of the file at ``path``, read with mmap when it is large."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        return digest_handle(handle, algorithm)


def digest_handle(handle: BinaryIO, algorithm: Algorithm = "blake3") -> str:
    """Hex digest of the whole file behind an open handle: mmap when it is a large local file."""
    try:
        fileno = handle.fileno()
        size = os.fstat(fileno).st_size
    except (OSError, ValueError, io.UnsupportedOperation):  # not an OS file (an object store)
        size = 0
    handle.seek(0)
    if size >= _BIG:
        with mmap.mmap(fileno, 0, access=mmap.ACCESS_READ) as view:
            return _digest_buffer(view, algorithm)
    return digest_stream(handle, algorithm)


def _digest_buffer(view: mmap.mmap, algorithm: Algorithm) -> str:
    if algorithm == "blake3":
        hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
        hasher.update(view)
        return str(hasher.hexdigest())
    return hashlib.sha256(view).hexdigest()


def digest_stream(handle: BinaryIO, algorithm: Algorithm = "blake3") -> str:
    """Hex digest of everything left in ``handle``."""
    if algorithm == "blake3":
        b3 = blake3.blake3()
        while chunk := handle.read(_CHUNK):
            b3.update(chunk)
        return str(b3.hexdigest())
    sha = hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        sha.update(chunk)
    return sha.hexdigest()


def digest_bytes(data: bytes, algorithm: Algorithm = "blake3") -> str:
    """Hex digest of ``data``."""
    if algorithm == "blake3":
        return str(blake3.blake3(data).hexdigest())
    return hashlib.sha256(data).hexdigest()
