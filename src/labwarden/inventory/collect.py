"""Walk a source and turn each file into a :class:`FileRecord`: detect, read columns, hash.

Unchanged files (same size, mtime and inode as the catalog remembers) are not read again.
Files are processed by a small thread pool: reading and hashing release the GIL.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import islice

from labwarden.core.asset import FileRecord
from labwarden.inventory.columns import read_columns
from labwarden.inventory.formats import detect
from labwarden.inventory.sources.interface import Entry, Note, Source
from labwarden.seal.hashing import Algorithm, digest_handle

log = logging.getLogger(__name__)

_BATCH = 256
_TABULAR = {"csv", "tsv", "jsonl", "parquet", "arrow", "feather", "sas-xpt", "excel"}


@dataclass(slots=True)
class Collected:
    """One walk's outcome, delivered batch by batch through :func:`collect`."""

    changed: list[FileRecord] = field(default_factory=list)
    """New or modified files (read and hashed)."""
    unchanged: list[FileRecord] = field(default_factory=list)
    """Files the catalog already knew with the same size, mtime and inode."""
    notes: list[Note] = field(default_factory=list)
    markers: dict[str, set[str]] = field(default_factory=dict)


def collect(
    source: Source,
    known: Mapping[str, FileRecord],
    algorithm: Algorithm | None,
    *,
    workers: int = 4,
    on_progress: Callable[[int, int], None] | None = None,
) -> Iterator[Collected]:
    """Yield the walk in batches; ``algorithm=None`` skips hashing (for quick inspections)."""
    walk = source.walk()
    seen_files = 0
    seen_bytes = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while chunk := list(islice(walk, _BATCH)):
            batch, to_read = _sort(chunk, known, algorithm)
            results = pool.map(lambda entry: _read(source, entry, algorithm), to_read)
            for entry, result in zip(to_read, results, strict=True):
                if isinstance(result, Note):
                    batch.notes.append(result)
                else:
                    batch.changed.append(result)
                seen_bytes += entry.size
            seen_files += sum(1 for item in chunk if isinstance(item, Entry))
            if on_progress is not None:
                on_progress(seen_files, seen_bytes)
            yield batch


def _sort(
    chunk: list[Entry | Note], known: Mapping[str, FileRecord], algorithm: Algorithm | None
) -> tuple[Collected, list[Entry]]:
    """A batch holding the chunk's notes and unchanged files, and the entries to read."""
    batch = Collected()
    to_read: list[Entry] = []
    for item in chunk:
        if isinstance(item, Note):
            batch.notes.append(item)
            if item.reason == "folder excluded by policy":
                parent, _, name = item.path.rpartition("/")
                batch.markers.setdefault(parent, set()).add(name)
            continue
        old = known.get(item.path)
        if old is not None and _same_file(old, item, algorithm):
            if (old.mode, old.uid) != (item.mode, item.uid):
                old = replace(old, mode=item.mode, uid=item.uid, owner=item.owner)
            batch.unchanged.append(old)
        else:
            to_read.append(item)
    return batch, to_read


def _same_file(old: FileRecord, entry: Entry, algorithm: Algorithm | None) -> bool:
    """Whether the catalog's record still describes the file (it need not be read again)."""
    if entry.version:
        return (
            old.size == entry.size
            and old.mtime_ns == entry.mtime_ns
            and old.properties.get("version") == entry.version
        )
    return (
        old.size == entry.size
        and old.mtime_ns == entry.mtime_ns
        and old.inode == entry.inode
        and (algorithm is None or old.digest_algorithm == algorithm)
    )


def _read(source: Source, entry: Entry, algorithm: Algorithm | None) -> FileRecord | Note:
    """Detect, read columns and hash one file; a file that changes while read is retried once."""
    for attempt in (1, 2):
        try:
            record = _read_once(source, entry, algorithm)
        except FileNotFoundError:
            return Note(entry.path, "skipped", "vanished during the scan")
        except PermissionError:
            return Note(entry.path, "skipped", "permission denied")
        except OSError as exc:
            return Note(entry.path, "skipped", f"cannot read: {exc.strerror or exc}")
        except Exception as exc:  # one hostile file must never stop the scan
            log.warning("%s: cannot be read: %r", entry.path, exc)
            return Note(entry.path, "skipped", f"cannot be read: {type(exc).__name__}: {exc}")
        now = source.stat_again(entry)
        if now is None:
            return Note(entry.path, "skipped", "vanished during the scan")
        if now == (record.size, record.mtime_ns):
            return record
        log.debug("%s changed while being read (attempt %d)", entry.path, attempt)
        entry = _refreshed(entry, now)
    return Note(entry.path, "skipped", "kept changing while being read; scan it again later")


def _refreshed(entry: Entry, now: tuple[int, int]) -> Entry:
    return replace(entry, size=now[0], mtime_ns=now[1])


def _read_once(source: Source, entry: Entry, algorithm: Algorithm | None) -> FileRecord:
    name = entry.path.rsplit("/", 1)[-1]
    parent = entry.path.rsplit("/", 2)[-2] if entry.path.count("/") >= 2 else ""
    with source.open(entry) as handle:
        found = detect(name, handle, entry.size, parent)
        columns = (
            read_columns(found.format, handle, entry.size) if found.format in _TABULAR else None
        )
        given = source.content_digest(entry) if algorithm is not None else None
        if given is None and algorithm is not None:
            given = algorithm, digest_handle(handle, algorithm)
    properties = dict(found.properties)
    properties["detected_by"] = found.by
    if entry.version:
        properties["version"] = entry.version
    local = source.local_path(entry)
    if isinstance(local, bytes) and os.fsdecode(local) != entry.path:
        properties["os_path"] = os.fsdecode(local)
    return FileRecord(
        path=entry.path,
        size=entry.size,
        mtime_ns=entry.mtime_ns,
        inode=entry.inode,
        mode=entry.mode,
        uid=entry.uid,
        owner=entry.owner,
        kind=found.kind,
        format=found.format,
        digest=given[1] if given else None,
        digest_algorithm=given[0] if given else None,
        columns=columns,
        properties=properties,
    )
