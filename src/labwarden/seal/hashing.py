"""Content digests, the one hashing module: of bytes and single files (the inventory), and of a
folder's files in parallel, whole or in fixed-size shards (seals).

* SHA-256 cannot be split, so whole-file digests run one file per thread (``hashlib`` releases
  the GIL), reading into a reused buffer; with a shard size, large files are cut into shards that
  are hashed in parallel (model-signing's ``shards`` serialization).
* BLAKE3 is a tree hash: one large file is hashed by all cores at once over ``mmap``, as
  ``b3sum`` does; small files go through the thread pool.

Every file a seal hashes is opened without following links and its ``fstat`` is compared before
and after reading: a file that changes while it is hashed is an error, never a digest.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import mmap
import os
import stat
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO, Literal, Protocol

import blake3

from labwarden.seal.errors import HashingError
from labwarden.seal.safetensors import (
    SafetensorsError,
    TensorSpan,
    header_length,
    is_safetensors_name,
    parse_header,
)
from labwarden.seal.walk import FileEntry

log = logging.getLogger(__name__)

Algorithm = Literal["sha256", "blake3"]
"""A content digest: BLAKE3 (the inventory's default) or SHA-256 (model-signing's)."""
ALGORITHMS: tuple[Algorithm, ...] = ("sha256", "blake3")
TENSOR_ALGORITHM = "blake3"
"""Per-tensor digests are diagnostics (which tensors changed); the file digest is the anchor."""

HEADER_ENTRY = "__metadata__"
"""The tensor-digest entry for the header bytes (a name safetensors reserves, never a tensor)."""

_CHUNK = 1024 * 1024  # fits in L2: larger reads measured 10-30% slower here
_MMAP_MIN = 16 * 1024 * 1024
_MMAP_SINGLE = 8 * 1024 * 1024
"""Single files (the inventory) at least this large are hashed over mmap."""
_SMALL = 1024 * 1024
_HEADER_PREFIX = 64 * 1024
_BATCH_BYTES = 4 * 1024 * 1024
_PER_FILE_COST = 32 * 1024
"""Opening and closing a file costs about as much as hashing this many bytes."""


class _Hasher(Protocol):
    def update(self, data: bytes | memoryview | mmap.mmap, /) -> object: ...

    def hexdigest(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Shard:
    """The digest of bytes ``[start, end)`` of a file."""

    start: int
    end: int
    digest: str


@dataclass(frozen=True, slots=True)
class HashedFile:
    """A file's size and digest (or shard digests), with per-tensor digests for safetensors."""

    name: str
    size: int
    digest: str | None
    shards: tuple[Shard, ...] = ()
    tensors: dict[str, str] | None = None
    tensor_error: str | None = None

    @property
    def identity(self) -> tuple[int, str | None, tuple[Shard, ...]]:
        """What two files must share to have the same content."""
        return self.size, self.digest, self.shards


def parse_algorithm(text: str) -> Algorithm:
    """``blake3`` or ``sha256`` from what a user typed (any case, ``SHA-256``); ``ValueError``
    naming both otherwise."""
    low = text.lower().replace("-", "")
    for algorithm in ALGORITHMS:
        if low == algorithm:
            return algorithm
    raise ValueError(f"{text!r}: use blake3 or sha256")


def new_hasher(algorithm: Algorithm, threads: int = 1) -> _Hasher:
    """A fresh hash object for ``algorithm``."""
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "blake3":
        return blake3.blake3(max_threads=threads) if threads != 1 else blake3.blake3()
    raise ValueError(f"unknown algorithm {algorithm!r}")


def digest_bytes(data: bytes, algorithm: Algorithm = "blake3") -> str:
    """Hex digest of ``data``."""
    hasher = new_hasher(algorithm)
    hasher.update(data)
    return hasher.hexdigest()


def digest_file(path: str | bytes, algorithm: Algorithm = "blake3") -> str:
    """Hex digest of the file at ``path`` (never through a link), over mmap when it is large."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        return digest_handle(handle, algorithm)


def digest_handle(handle: BinaryIO, algorithm: Algorithm = "blake3") -> str:
    """Hex digest of the whole file behind an open handle: mmap (and every core, for BLAKE3)
    when it is a large local file."""
    try:
        fileno = handle.fileno()
        size = os.fstat(fileno).st_size
    except (OSError, ValueError, io.UnsupportedOperation):  # not an OS file (an object store)
        size = 0
    handle.seek(0)
    if size >= _MMAP_SINGLE:
        with mmap.mmap(fileno, 0, access=mmap.ACCESS_READ) as view:
            hasher = new_hasher(algorithm, blake3.blake3.AUTO)
            hasher.update(view)
            return hasher.hexdigest()
    return digest_stream(handle, algorithm)


def digest_stream(handle: BinaryIO, algorithm: Algorithm = "blake3") -> str:
    """Hex digest of everything left in ``handle``."""
    hasher = new_hasher(algorithm)
    while chunk := handle.read(_CHUNK):
        hasher.update(chunk)
    return hasher.hexdigest()


def shard_bounds(size: int, shard_size: int) -> list[tuple[int, int]]:
    """Shards of a file as model-signing cuts them (an empty file has none)."""
    return [(start, min(start + shard_size, size)) for start in range(0, size, shard_size)]


def _stat_key(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


def _open(entry: FileEntry) -> tuple[int, os.stat_result]:
    try:
        fd = os.open(entry.os_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise HashingError(f"{os.fsdecode(entry.os_path)}: vanished while sealing") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise HashingError(
                f"{os.fsdecode(entry.os_path)}: replaced by a symbolic link while sealing"
            ) from exc
        raise HashingError(f"{os.fsdecode(entry.os_path)}: cannot read: {exc.strerror}") from exc
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise HashingError(f"{os.fsdecode(entry.os_path)}: no longer a regular file")
    return fd, st


def _changed(entry: FileEntry) -> HashingError:
    return HashingError(
        f"{os.fsdecode(entry.os_path)}: changed while being hashed; "
        "wait until writes have stopped and try again"
    )


def _read_exact(fd: int, size: int, offset: int) -> bytes:
    data = os.pread(fd, size, offset)
    if len(data) != size:
        raise OSError(errno.EIO, "short read")
    return data


Progress = Callable[[int], None]
"""Called with a number of bytes just hashed (from worker threads)."""


class ProgressSink(Protocol):
    """Where sealing and verification report how far hashing got (a progress bar)."""

    def total(self, files: int, size: int) -> None:
        """The number of files and bytes about to be hashed."""

    def advance(self, size: int) -> None:
        """``size`` more bytes were hashed (called from worker threads)."""


def _stream(
    fd: int,
    start: int,
    end: int,
    sinks: Sequence[Callable[[memoryview, int], None]],
    progress: Progress | None = None,
) -> None:
    """Feed bytes ``[start, end)`` to every sink as ``(chunk, offset)``, in order."""
    buffer = bytearray(min(_CHUNK, max(end - start, 1)))
    view = memoryview(buffer)
    offset = start
    while offset < end:
        want = min(len(buffer), end - offset)
        got = os.preadv(fd, [view[:want]], offset)
        if got != want:
            raise OSError(errno.EIO, "the file is shorter than its size")
        for sink in sinks:
            sink(view[:got], offset)
        offset += got
        if progress is not None:
            progress(got)


class _TensorSink:
    """Hashes each tensor span of a stream separately (spans sorted and disjoint)."""

    def __init__(self, spans: list[TensorSpan]) -> None:
        self.spans = spans
        self.hashers = [blake3.blake3() for _ in spans]
        self._next = 0

    def __call__(self, chunk: memoryview, offset: int) -> None:
        end = offset + len(chunk)
        i = self._next
        while i < len(self.spans) and self.spans[i].start < end:
            span = self.spans[i]
            lo, hi = max(span.start, offset), min(span.end, end)
            if lo < hi:
                self.hashers[i].update(chunk[lo - offset : hi - offset])
            if span.end <= end:
                i += 1
            else:
                break
        self._next = i

    def digests(self) -> dict[str, str]:
        return {s.name: str(h.hexdigest()) for s, h in zip(self.spans, self.hashers, strict=True)}


def _tensor_spans(entry: FileEntry, fd: int, size: int) -> tuple[list[TensorSpan] | None, str]:
    """Parsed spans of a safetensors file, or ``None`` and why not."""
    try:
        prefix = os.pread(fd, min(size, _HEADER_PREFIX), 0)
        length = 8 + header_length(prefix, size)
        data = prefix if len(prefix) >= length else _read_exact(fd, length, 0)
        header = TensorSpan(HEADER_ENTRY, 0, length)
        return [header, *parse_header(data, size)], ""
    except SafetensorsError as exc:
        log.info("%s: not a valid safetensors file: %s", entry.name, exc)
        return None, f"not a valid safetensors header: {exc}"


def hash_file(
    entry: FileEntry,
    algorithm: Algorithm,
    *,
    tensors: bool = True,
    threads: int = 1,
    progress: Progress | None = None,
) -> HashedFile:
    """Whole-file digest (and tensor digests for safetensors) of one file."""
    fd, before = _open(entry)
    try:
        size = before.st_size
        spans, why = (
            _tensor_spans(entry, fd, size)
            if tensors and is_safetensors_name(entry.name)
            else (None, "")
        )
        tensor_sink = _TensorSink(spans) if spans is not None else None
        sinks: list[Callable[[memoryview, int], None]] = [tensor_sink] if tensor_sink else []
        if size <= _SMALL:
            digest = _hash_small(fd, size, algorithm, sinks)
        elif algorithm == "blake3" and size >= _MMAP_MIN:
            digest = _hash_mapped(fd, size, algorithm, threads, sinks)
        else:
            hasher = new_hasher(algorithm)
            _stream(fd, 0, size, [_feed(hasher), *sinks], progress)
            digest = hasher.hexdigest()
            progress = None  # _stream reported it
        after = os.fstat(fd)
    except OSError as exc:
        raise HashingError(f"{os.fsdecode(entry.os_path)}: cannot read: {exc.strerror}") from exc
    finally:
        os.close(fd)
    if _stat_key(before) != _stat_key(after):
        raise _changed(entry)
    if progress is not None:
        progress(size)
    return HashedFile(
        entry.name,
        size,
        digest,
        tensors=tensor_sink.digests() if tensor_sink is not None else None,
        tensor_error=why or None,
    )


def _feed(hasher: _Hasher) -> Callable[[memoryview, int], None]:
    """A sink of :func:`_stream` that feeds ``hasher``."""

    def feed(chunk: memoryview, _offset: int) -> None:
        hasher.update(chunk)

    return feed


def _hash_small(
    fd: int, size: int, algorithm: Algorithm, sinks: list[Callable[[memoryview, int], None]]
) -> str:
    """A small file, read at once."""
    data = _read_exact(fd, size, 0)
    for sink in sinks:
        sink(memoryview(data), 0)
    return digest_bytes(data, algorithm)


def _hash_mapped(
    fd: int,
    size: int,
    algorithm: Algorithm,
    threads: int,
    sinks: list[Callable[[memoryview, int], None]],
) -> str:
    """A large file over mmap (BLAKE3 spreads it over ``threads``)."""
    with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as view:
        hasher = new_hasher(algorithm, threads)
        hasher.update(view)
        if sinks:
            whole = memoryview(view)
            for sink in sinks:
                sink(whole, 0)
            whole.release()  # the map cannot close while a view is exported
        return hasher.hexdigest()


def _hash_shard(
    entry: FileEntry,
    algorithm: Algorithm,
    start: int,
    end: int,
    expected: tuple[int, ...],
    progress: Progress | None,
) -> Shard:
    fd, before = _open(entry)
    try:
        if _stat_key(before) != expected:
            raise _changed(entry)
        hasher = new_hasher(algorithm)
        _stream(fd, start, end, [_feed(hasher)], progress)
        after = os.fstat(fd)
    except OSError as exc:
        raise HashingError(f"{os.fsdecode(entry.os_path)}: cannot read: {exc.strerror}") from exc
    finally:
        os.close(fd)
    if _stat_key(after) != expected:
        raise _changed(entry)
    return Shard(start, end, hasher.hexdigest())


def tensor_digests(
    entry: FileEntry, expected: tuple[int, ...] | None = None
) -> tuple[dict[str, str] | None, str]:
    """Per-tensor digests of a safetensors file, or ``None`` and why the header is unusable."""
    fd, before = _open(entry)
    if expected is None:
        expected = _stat_key(before)
    try:
        if _stat_key(before) != expected:
            raise _changed(entry)
        spans, why = _tensor_spans(entry, fd, before.st_size)
        if spans is None:
            return None, why
        sink = _TensorSink(spans)
        first = spans[0].start if spans else before.st_size
        _stream(fd, first, spans[-1].end if spans else first, [sink])
        if _stat_key(os.fstat(fd)) != expected:
            raise _changed(entry)
        return sink.digests(), ""
    except OSError as exc:
        raise HashingError(f"{os.fsdecode(entry.os_path)}: cannot read: {exc.strerror}") from exc
    finally:
        os.close(fd)


def _batches(entries: list[FileEntry]) -> list[list[FileEntry]]:
    """Group small files so that the pool hands out work in lumps, not one future per file."""
    batches: list[list[FileEntry]] = []
    current: list[FileEntry] = []
    weight = 0
    for entry in entries:
        current.append(entry)
        weight += entry.size + _PER_FILE_COST
        if weight >= _BATCH_BYTES:
            batches.append(current)
            current, weight = [], 0
    if current:
        batches.append(current)
    return batches


def default_workers() -> int:
    """Threads for hashing: one per core plus two that keep the cores busy while others wait
    for reads (cold caches, network file systems); ``hashlib`` and BLAKE3 release the GIL."""
    return (os.cpu_count() or 1) + 2


def hash_files(
    entries: Sequence[FileEntry],
    algorithm: Algorithm,
    *,
    shard_size: int | None = None,
    tensors: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[HashedFile]:
    """Hash ``entries`` in parallel; the result is in the order of ``entries``.

    With ``shard_size`` (SHA-256 only), every file is cut into shards of that size, hashed in
    parallel; the file's ``digest`` is then ``None`` and its ``shards`` hold the digests.
    """
    workers = workers or default_workers()
    if shard_size is not None:
        if algorithm != "sha256":
            raise ValueError("shards are for SHA-256; BLAKE3 already hashes one file in parallel")
        if shard_size <= 0:
            raise ValueError("the shard size must be positive")
        return _hash_sharded(entries, algorithm, shard_size, tensors, workers, progress)
    results: dict[str, HashedFile] = {}
    big = [e for e in entries if algorithm == "blake3" and e.size >= _MMAP_MIN]
    rest = sorted(
        (e for e in entries if not (algorithm == "blake3" and e.size >= _MMAP_MIN)),
        key=lambda e: -e.size,
    )

    def run_batch(batch: list[FileEntry]) -> list[HashedFile]:
        return [hash_file(e, algorithm, tensors=tensors, progress=progress) for e in batch]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = pool.map(run_batch, _batches(rest))
        # BLAKE3 spreads one big file over every core itself; run those one at a time.
        for entry in big:
            results[entry.name] = hash_file(
                entry, algorithm, tensors=tensors, threads=blake3.blake3.AUTO, progress=progress
            )
        for done in pending:
            results.update((f.name, f) for f in done)
    return [results[e.name] for e in entries]


def _hash_sharded(
    entries: Sequence[FileEntry],
    algorithm: Algorithm,
    shard_size: int,
    tensors: bool,
    workers: int,
    progress: Progress | None,
) -> list[HashedFile]:
    expected: dict[str, tuple[int, ...]] = {}
    for entry in entries:
        fd, st = _open(entry)
        os.close(fd)
        expected[entry.name] = _stat_key(st)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        shard_jobs = {
            e.name: [
                pool.submit(_hash_shard, e, algorithm, lo, hi, expected[e.name], progress)
                for lo, hi in shard_bounds(expected[e.name][0], shard_size)
            ]
            for e in entries
        }
        tensor_jobs = {
            e.name: pool.submit(tensor_digests, e, expected[e.name])
            for e in entries
            if tensors and is_safetensors_name(e.name)
        }
        out: list[HashedFile] = []
        for entry in entries:
            shards = tuple(job.result() for job in shard_jobs[entry.name])
            found, why = (
                tensor_jobs[entry.name].result() if entry.name in tensor_jobs else (None, "")
            )
            out.append(
                HashedFile(
                    entry.name,
                    expected[entry.name][0],
                    None,
                    shards,
                    tensors=found,
                    tensor_error=why or None,
                )
            )
    return out
