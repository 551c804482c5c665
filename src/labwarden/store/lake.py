"""The event lake: Parquet files partitioned by source and day, written only by atomic rename.

Layout (Hive style, read as is by DuckDB and Spark)::

    lake/source=cloudtrail/day=2026-10-01/<segment>-<batch>.parquet
    lake/_ledger.sqlite              what was ingested from each log file, and up to where
    lake/.tmp/                       files being written; renamed into place when complete

Every batch of events has a *name* derived from the content of the log bytes it came from, so
ingesting the same bytes again (the same file twice, or a copy of it) finds the name taken and
writes nothing, and an ingest killed half-way is completed by the next run without duplicates.
A part holds one named batch (``<name>.parquet``) or several (``g-<digest>.parquet``, whose
Parquet metadata lists its members): many small log files then make few files in the lake.
Either way a part appears whole, by one rename.

Writers (ingest runs) hold the lake's lock, one at a time. A day that has gathered many parts
is *compacted* into one group part: the new part is renamed into place after a journal names
the parts it replaces, which are deleted next; a writer that finds a journal left by a killed
compaction finishes it, so no event is ever stored twice or lost.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from labwarden.core.errors import WorkspaceError
from labwarden.core.events import LAKE_SCHEMA
from labwarden.store.atomic import atomic_path, atomic_write
from labwarden.store.ledger import Ledger, LedgerEntry

log = logging.getLogger(__name__)


GROUP_PREFIX = "g-"
"""File names of parts that hold several batches."""
MEMBERS_KEY = b"labwarden.members"
"""Parquet metadata key of a group part: the JSON list of its batches' names."""


def group_members(path: Path) -> list[str]:
    """The batch names a group part holds (none when its metadata cannot be read)."""
    try:
        metadata = pq.read_metadata(path).metadata or {}
        members = json.loads(metadata.get(MEMBERS_KEY, b"[]"))
    except (OSError, ValueError, pa.ArrowException) as exc:
        log.warning("%s: cannot read its members: %s", path, exc)
        return []
    return [str(m) for m in members] if isinstance(members, list) else []


_UNIQUE = {"raw", "event_uid", "api_request_id", "resource_uri", "resource_key", "command"}
DICTIONARY_COLUMNS = [
    f.name for f in LAKE_SCHEMA if f.name not in _UNIQUE and not pa.types.is_integer(f.type)
]
"""Columns with few distinct values: dictionary encoded (trying it on the rest costs time)."""
STATISTICS_COLUMNS = [f.name for f in LAKE_SCHEMA if f.name != "raw"]
"""Columns with min/max statistics (those of whole JSON records help no query)."""
COMPACT_AT = 16
"""Small parts a day may gather before an ingest compacts them into one."""
COMPACT_BELOW = 64 << 20
"""Parts at least this large are left as they are (compaction cost stays proportional)."""
COMPACT_ROWS = 128 * 1024
"""Rows per row group of a compacted part (and at most held in memory while copying)."""
_WRITE_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 1,
    "use_dictionary": DICTIONARY_COLUMNS,
    "write_statistics": STATISTICS_COLUMNS,
}


class Lake:
    """One workspace's event lake."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._names: dict[tuple[str, str], set[str]] = {}
        self._names_lock = threading.Lock()
        self.touched: set[tuple[str, str]] = set()
        """Days (source, day) this object wrote parts to."""
        self._ledger = Ledger(self.ledger_path)

    @property
    def tmp(self) -> Path:
        """Where files are written before they are renamed into place."""
        return self.root / ".tmp"

    @property
    def ledger_path(self) -> Path:
        """The ledger: what was ingested from each log file (SQLite, WAL)."""
        return self.root / "_ledger.sqlite"

    @property
    def legacy_ledger_dir(self) -> Path:
        """Where labwarden 0.1.0 kept one JSON file per log file (imported into the ledger by
        its migration when the ledger is first opened, then removed)."""
        return self.root / "_ledger"

    def ensure(self) -> Lake:
        """Create the folders and remove leftovers of a killed writer."""
        try:
            self.tmp.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"{self.root}: cannot create the lake: {exc.strerror}") from exc
        cutoff = time.time() - 3600
        for leftover in self.tmp.iterdir():
            # Another ingest may be writing right now; only files abandoned long ago go.
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink(missing_ok=True)
            except OSError:
                continue
        return self

    def part_path(self, source: str, day: str, name: str) -> Path:
        """Where the events of ``source`` on ``day`` from part ``name`` live."""
        return self.root / f"source={source}" / f"day={day}" / f"{name}.parquet"

    def has_part(self, source: str, day: str, name: str) -> bool:
        """Whether the batch ``name`` is stored for that day, alone or in a group part.

        The names of a day are read once per :class:`Lake` (group parts from their metadata)
        and kept up to date by this object's writes.
        """
        key = (source, day)
        with self._names_lock:
            names = self._names.get(key)
            if names is None:
                names = self._names[key] = self._stored_names(source, day)
            return name in names

    def _stored_names(self, source: str, day: str) -> set[str]:
        folder = self.root / f"source={source}" / f"day={day}"
        names: set[str] = set()
        for path in folder.glob("*.parquet") if folder.is_dir() else ():
            names.add(path.stem)
            if path.name.startswith(GROUP_PREFIX):
                names.update(group_members(path))
        return names

    def _remember(self, source: str, day: str, names: Iterable[str]) -> None:
        with self._names_lock:
            self.touched.add((source, day))
            known = self._names.get((source, day))
            if known is not None:
                known.update(names)

    def write_part(
        self, source: str, day: str, name: str, table: pa.Table, *, as_is: bool = False
    ) -> bool:
        """Store ``table`` as the one batch ``name`` unless it exists; ``True`` when written.

        ``as_is`` keeps the table's own columns instead of the lake schema's (generated lakes
        of the analytics simulator hold the columns analytics read, nothing else).
        """
        final = self.part_path(source, day, name)
        if final.exists():
            return False
        self._write(final, table if as_is else table.cast(LAKE_SCHEMA))
        self._remember(source, day, [name])
        return True

    def write_group(self, source: str, day: str, members: list[str], table: pa.Table) -> bool:
        """Store ``table``, the events of the batches ``members``, as one part.

        The caller leaves out batches already stored (see :meth:`has_part`).
        """
        if len(members) == 1:
            return self.write_part(source, day, members[0], table)
        digest = hashlib.blake2b("\n".join(sorted(members)).encode(), digest_size=16)
        final = self.part_path(source, day, GROUP_PREFIX + digest.hexdigest())
        if final.exists():
            return False
        listed = {MEMBERS_KEY: json.dumps(sorted(members)).encode()}
        self._write(final, table.cast(LAKE_SCHEMA).replace_schema_metadata(listed))
        self._remember(source, day, [final.stem, *members])
        return True

    def _write(self, final: Path, table: pa.Table) -> None:
        with atomic_path(final, staging=self.tmp) as tmp:
            pq.write_table(table, tmp, row_group_size=256 * 1024, **_WRITE_OPTIONS)

    # -- writers, one at a time -------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[Lake]:
        """Hold the lake's writer lock (waiting for another writer to finish); a compaction a
        killed writer left half done is finished first."""
        self.ensure_dirs()
        with (self.root / ".lock").open("a") as handle:
            locked = True
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.warning("%s: another ingest is writing this lake; waiting for it", self.root)
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            except OSError as exc:  # a file system without locks (some network mounts)
                log.warning(
                    "%s: cannot lock the lake (%s); run one ingest at a time", self.root, exc
                )
                locked = False
            try:
                self._finish_compactions()
                with self._names_lock:
                    self._names.clear()  # others may have written while we waited
                yield self
            finally:
                if locked:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    @property
    def journal_dir(self) -> Path:
        """Compactions in progress: which parts a new part replaces."""
        return self.root / "_compacting"

    def _finish_compactions(self) -> None:
        if not self.journal_dir.is_dir():
            return
        for journal in sorted(self.journal_dir.glob("*.json")):
            try:
                entry = json.loads(journal.read_text(encoding="utf-8"))
                new, old = Path(entry["new"]), [Path(p) for p in entry["old"]]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("%s: unreadable compaction journal (%s); left alone", journal, exc)
                continue
            if (self.root / new).exists():
                for path in old:
                    (self.root / path).unlink(missing_ok=True)
            journal.unlink(missing_ok=True)

    def day_parts(self, source: str, day: str) -> list[Path]:
        """The parts of one day."""
        folder = self.root / f"source={source}" / f"day={day}"
        return sorted(folder.glob("*.parquet")) if folder.is_dir() else []

    def small_parts(self, source: str, day: str) -> list[Path]:
        """The parts of a day below :data:`COMPACT_BELOW` bytes."""
        small = []
        for path in self.day_parts(source, day):
            with contextlib.suppress(OSError):
                if path.stat().st_size < COMPACT_BELOW:
                    small.append(path)
        return small

    def compact(self, source: str, day: str, parts: list[Path] | None = None) -> Path | None:
        """Rewrite ``parts`` of a day (default: all) as one group part, while :meth:`writing`.

        Rows are copied a bounded number at a time, so memory stays small whatever the day
        holds. A part whose batches an earlier part already holds is dropped, not copied.
        Returns the new part, or ``None`` when there are fewer than two parts.
        """
        old = sorted(
            self.day_parts(source, day) if parts is None else parts,
            key=lambda p: (not p.name.startswith(GROUP_PREFIX), p.name),
        )
        if len(old) < 2:
            return None
        members: set[str] = set()
        copied = []
        for path in old:
            names = group_members(path) if path.name.startswith(GROUP_PREFIX) else [path.stem]
            if names and not set(names) <= members:
                copied.append(path)
            members.update(names)
        ordered = sorted(members)
        digest = hashlib.blake2b("\n".join(ordered).encode(), digest_size=16).hexdigest()
        final = self.part_path(source, day, GROUP_PREFIX + digest)
        schema = LAKE_SCHEMA.with_metadata({MEMBERS_KEY: json.dumps(ordered).encode()})
        journal = {
            "new": final.relative_to(self.root).as_posix(),
            "old": [p.relative_to(self.root).as_posix() for p in old if p != final],
        }
        try:
            with atomic_path(final, staging=self.tmp) as tmp:
                _copy_parts(copied, tmp, schema)
                # The journal is durable before the new part appears: a killed compaction is
                # finished by the next writer, never left with events stored twice.
                atomic_write(self.journal_dir / f"{source}.{day}.json", json.dumps(journal))
        except (WorkspaceError, OSError, pa.ArrowException) as exc:
            raise WorkspaceError(f"{final.parent}: cannot compact: {exc}") from exc
        self._finish_compactions()
        with self._names_lock:
            self._names.pop((source, day), None)
        return final

    def parts(self) -> list[Path]:
        """Every stored event file."""
        if not self.root.is_dir():
            return []
        return sorted(self.root.glob("source=*/day=*/*.parquet"))

    # -- ledger ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the ledger."""
        self._ledger.close()

    def ledger(self, path: Path) -> LedgerEntry | None:
        """What was ingested from ``path`` before, if anything."""
        return self.ledgers([path]).get(str(path.absolute()))

    def ledgers(self, paths: list[Path]) -> dict[str, LedgerEntry]:
        """:meth:`ledger` of many files at once, by absolute path (few queries, not one each)."""
        self.ensure_dirs()
        return self._ledger.entries(paths)

    def record(self, *entries: LedgerEntry) -> None:
        """Remember what was ingested from files (one SQLite transaction)."""
        self.ensure_dirs()
        self._ledger.record(*entries)

    def ensure_dirs(self) -> None:
        """Create the folders without cleaning (safe while another writer runs)."""
        self.tmp.mkdir(parents=True, exist_ok=True)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with ``schema``'s columns: one a part written before it existed is null."""
    columns = [
        table.column(f.name) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema.remove_metadata()).cast(schema)


def _copy_parts(parts: list[Path], target: Path, schema: pa.Schema) -> None:
    """Copy the rows of ``parts`` into one Parquet file, a bounded number at a time."""
    with pq.ParquetWriter(target, schema, **_WRITE_OPTIONS) as writer:
        buffered: list[pa.Table] = []
        for path in parts:
            handle = pq.ParquetFile(path)
            present = [n for n in LAKE_SCHEMA.names if n in handle.schema_arrow.names]
            for batch in handle.iter_batches(batch_size=64 * 1024, columns=present):
                buffered.append(_conform(pa.Table.from_batches([batch]), schema))
                if sum(t.num_rows for t in buffered) >= COMPACT_ROWS:
                    writer.write_table(pa.concat_tables(buffered), COMPACT_ROWS)
                    buffered = []
        if buffered:
            writer.write_table(pa.concat_tables(buffered), COMPACT_ROWS)
