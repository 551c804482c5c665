"""``labwarden ingest``: parse access logs, resolve what they touched and store them in the lake.

Each file is parsed by its format's parser (detected, or forced), in batches of bounded size;
a batch is enriched (:mod:`labwarden.watch.enrich`) in DuckDB and written as one Parquet part
per day. CloudTrail files take the fast path of :mod:`labwarden.watch.bulk` (the same mapping
in DuckDB SQL, several files per query, on a thread pool) and fall back to the parser when
they are not well formed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa

from labwarden.core.errors import InputError, LabwardenError
from labwarden.core.events import SCHEMA, Event
from labwarden.engines.duckdb import connect
from labwarden.engines.interface import Engine, EngineError
from labwarden.store.lake import COMPACT_AT, Lake
from labwarden.store.ledger import LedgerEntry
from labwarden.watch import bulk
from labwarden.watch.enrich import Enricher
from labwarden.watch.parsers import cloudtrail
from labwarden.watch.parsers.authlog import SyslogClock
from labwarden.watch.parsers.base import GZIP_MAGIC, Issue, LogFile, Parser
from labwarden.watch.parsers.registry import detect, get_parser
from labwarden.watch.parts import sort_order, write_days
from labwarden.watch.resources import Resolver

log = logging.getLogger(__name__)

BATCH_EVENTS = 100_000
"""Events parsed before a batch is written (bounds memory per file); also a part's size."""
_HASH_CHUNK = 1 << 20


@dataclass(slots=True)
class FileResult:
    """What happened to one input file."""

    path: str
    format: str
    events: int = 0
    status: str = "ingested"
    """``ingested``, ``unchanged`` (nothing new since last time) or ``failed``."""


@dataclass(slots=True)
class IngestResult:
    """Summary of one ingest run."""

    files: list[FileResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    """Remarks on how files were read (a guessed syslog year); nothing was left out."""
    events: int = 0
    parts_written: int = 0
    compacted: int = 0
    """Days whose small parts were merged into one."""
    seconds: float = 0.0

    @property
    def by_source(self) -> dict[str, int]:
        """Events ingested per format."""
        counts: dict[str, int] = {}
        for item in self.files:
            counts[item.format] = counts.get(item.format, 0) + item.events
        return counts


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named directly or found below named folders (hidden entries skipped), sorted,
    as absolute paths: events record them in ``origin_file``, which must name the file wherever
    a later command runs.

    A file named twice (directly and through its folder, say) is listed once.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    seen: set[Path] = set()
    unique = []
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path.absolute())
    return unique


@dataclass(frozen=True, slots=True)
class _Read:
    """What one read of a file gives its plan."""

    digest: str
    """BLAKE2b of the whole file."""
    head: str | None
    """BLAKE2b of its first ``split`` bytes (``None`` without a split)."""
    tail: str | None
    """BLAKE2b of the bytes after ``split``."""
    newlines: int


def _read(handle: BinaryIO, split: int | None, *, count_lines: bool) -> _Read:
    """Digests (whole, head and tail at ``split``) and, if asked, the newline count of a file,
    in one pass."""
    whole = hashlib.blake2b(digest_size=16)
    head = hashlib.blake2b(digest_size=16) if split is not None else None
    tail = hashlib.blake2b(digest_size=16) if split is not None else None
    position = newlines = 0
    while chunk := handle.read(_HASH_CHUNK):
        whole.update(chunk)
        if count_lines:
            newlines += chunk.count(b"\n")
        if head is not None and tail is not None and split is not None:
            cut = max(0, min(len(chunk), split - position))
            head.update(chunk[:cut])
            tail.update(chunk[cut:])
        position += len(chunk)
    return _Read(
        whole.hexdigest(),
        head.hexdigest() if head else None,
        tail.hexdigest() if tail else None,
        newlines,
    )


@dataclass(slots=True)
class _Plan:
    path: Path
    size: int
    digest: str
    compressed: bool
    start: int
    first_line: int
    segment: str
    lines: int
    """Lines of a plain file up to :attr:`size` (0 for a compressed one)."""
    events_before: int = 0
    """Events of the part of the file ingested before (a grown file's head)."""


_Unit = list[tuple[_Plan, Parser]]


class Ingestor:
    """Ingests files into one lake with one resolver.

    ``threads`` is the number of workers of the CloudTrail fast path (one per CPU by default).
    """

    def __init__(
        self,
        lake: Lake,
        resolver: Resolver,
        *,
        fmt: str | None = None,
        mapping: Mapping[str, str] | None = None,
        report: Callable[[Issue], None] | None = None,
        threads: int | None = None,
        clock: SyslogClock | None = None,
    ) -> None:
        self.lake = lake.ensure()
        self.resolver = resolver
        self.enricher = Enricher(resolver)
        self.mapping = dict(mapping or {})
        self.clock = clock
        self.forced = get_parser(fmt, self.mapping, clock) if fmt else None
        self.result = IngestResult()
        self._report = report
        self.workers = max(1, threads or os.cpu_count() or 1)
        # Parallelism comes from the workers, one query each: DuckDB's own threads on top
        # would only compete for the same cores (measured: 15% more CPU for the same work).
        self.con = connect(threads=1)
        self._local = threading.local()
        self._cursors: list[Engine] = []
        self._cursors_lock = threading.Lock()

    def issue(self, item: Issue) -> None:
        """Keep and pass on one problem (or note)."""
        (self.result.notes if item.note else self.result.issues).append(item)
        if self._report is not None:
            self._report(item)

    def close(self) -> None:
        """Release the engine sessions and the ledger."""
        for cursor in self._cursors:
            cursor.close()
        self.con.close()
        self.lake.close()

    # -- planning --------------------------------------------------------------------------

    def _plan(self, path: Path, before: LedgerEntry | None) -> _Plan | None:
        """What to read of ``path``: nothing, the new tail of a grown file, or all of it."""
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            compressed = handle.read(2) == GZIP_MAGIC
            handle.seek(0)
            grown = (
                before is not None
                and not compressed
                and not before.compressed
                and size > before.size
            )
            split = before.size if grown and before is not None else None
            read = _read(handle, split, count_lines=not compressed)
        lines = read.newlines
        if before is None:
            return _Plan(path, size, read.digest, compressed, 0, 1, read.digest, lines)
        if before.size == size and before.digest == read.digest:
            return None
        if grown and read.head == before.digest and read.tail is not None:
            tail = read.tail
            return _Plan(
                path,
                size,
                read.digest,
                False,
                before.size,
                before.lines + 1,
                tail,
                lines,
                before.events,
            )
        return _Plan(path, size, read.digest, compressed, 0, 1, read.digest, lines)

    # -- running ---------------------------------------------------------------------------

    def run(self, paths: Iterable[Path]) -> IngestResult:
        """Ingest every file; a file that fails is reported and the rest goes on."""
        started = time.perf_counter()
        files = expand(paths)
        with self.lake.writing():
            self._run(files)
            self._compact()
        order = {str(p): i for i, p in enumerate(files)}
        self.result.files.sort(key=lambda item: order.get(item.path, len(order)))
        self.result.seconds = time.perf_counter() - started
        return self.result

    def _compact(self) -> None:
        """Merge the small parts of the days this run wrote to, where they have piled up."""
        for source, day in sorted(self.lake.touched):
            small = self.lake.small_parts(source, day)
            if len(small) >= COMPACT_AT:
                try:
                    self.lake.compact(source, day, small)
                    self.result.compacted += 1
                except LabwardenError as exc:
                    self.issue(Issue(str(small[0].parent), 0, exc.message))

    def _run(self, files: list[Path]) -> None:
        in_flight: deque[tuple[_Unit, Future[bulk.UnitDone]]] = deque()
        unit: _Unit = []
        cost = 0
        with ThreadPoolExecutor(self.workers, thread_name_prefix="labwarden-ingest") as pool:
            known = self.lake.ledgers(files)
            for path in files:
                try:
                    plan = self._plan(path, known.get(str(path.absolute())))
                    if plan is None:
                        self.result.files.append(FileResult(str(path), "-", 0, "unchanged"))
                        continue
                    parser = self.forced or detect(_log_file(plan), self.mapping, self.clock)
                except (OSError, LabwardenError) as exc:
                    message = exc.message if isinstance(exc, LabwardenError) else str(exc)
                    self.issue(Issue(str(path), 0, message.removeprefix(f"{path}: ")))
                    self.result.files.append(FileResult(str(path), "-", 0, "failed"))
                    continue
                if not isinstance(parser, cloudtrail.CloudTrailParser):
                    self._parse_file(plan, parser)
                    continue
                unit.append((plan, parser))
                cost += bulk.unit_cost(plan.size - plan.start, plan.compressed)
                if cost >= bulk.UNIT_BYTES or len(unit) >= bulk.UNIT_FILES:
                    in_flight.append((unit, pool.submit(self._bulk_unit, unit)))
                    unit, cost = [], 0
                    # Bounded read-ahead: at most one waiting unit per worker.
                    while len(in_flight) > self.workers:
                        self._finish(*in_flight.popleft())
            if unit:
                in_flight.append((unit, pool.submit(self._bulk_unit, unit)))
            while in_flight:
                self._finish(*in_flight.popleft())

    def _cursor(self) -> Engine:
        """This thread's session of the ingest engine."""
        con: Engine | None = getattr(self._local, "con", None)
        if con is None:
            con = self.con.cursor()
            self._local.con = con
            with self._cursors_lock:
                self._cursors.append(con)
        return con

    def _bulk_unit(self, unit: _Unit) -> bulk.UnitDone:
        files = [
            bulk.BulkFile(
                p.path, p.compressed, p.start, p.size, p.first_line, p.segment, BATCH_EVENTS
            )
            for p, _ in unit
        ]
        return bulk.ingest_unit(files, self._cursor(), self.enricher, self.lake)

    def _finish(self, unit: _Unit, future: Future[bulk.UnitDone]) -> None:
        """Account for a unit of the fast path; files it could not take go to the parser."""
        try:
            done = future.result()
        except (EngineError, pa.ArrowException, LabwardenError, OSError) as exc:
            log.info("bulk CloudTrail unit failed (%s); parsing file by file", exc)
            for plan, parser in unit:
                self._parse_file(plan, parser)
            return
        self.result.parts_written += done.parts_written
        entries = []
        for (plan, parser), item in zip(unit, done.files, strict=True):
            if item.fallback is not None:
                log.info("%s: %s; parsing record by record", plan.path, item.fallback)
                self._parse_file(plan, parser)
                continue
            for found in item.issues:
                self.issue(found)
            self.result.files.append(FileResult(str(plan.path), parser.name, item.events))
            self.result.events += item.events
            lines = item.last if plan.compressed else plan.lines
            entries.append(_entry(plan, parser.name, item.events, lines))
        self.lake.record(*entries)

    def _parse_file(self, plan: _Plan, parser: Parser) -> None:
        log_file = _log_file(plan)
        outcome = FileResult(str(plan.path), parser.name)
        self.result.files.append(outcome)
        last_line = plan.first_line - 1
        batch_no = 0
        try:
            for batch in _batches(parser.parse(log_file, self.issue), BATCH_EVENTS):
                last_line = max(last_line, *(int(e.get("origin_line") or 0) for e in batch))
                table = pa.Table.from_pylist(batch, schema=SCHEMA)
                self._store(parser.name, f"{plan.segment}-{batch_no:05d}", table)
                outcome.events += table.num_rows
                batch_no += 1
        except (OSError, LabwardenError) as exc:
            message = exc.message if isinstance(exc, LabwardenError) else str(exc)
            self.issue(Issue(str(plan.path), 0, message))
            outcome.status = "failed"
            return
        lines = last_line if plan.compressed else plan.lines
        self.lake.record(_entry(plan, parser.name, outcome.events, lines))

    def _store(self, source: str, name: str, table: pa.Table) -> None:
        """Enrich one parsed batch and write it, one part per day."""
        if table.num_rows == 0:
            return
        enriched = self.enricher.table(self.con, table)
        groups = np.zeros(enriched.num_rows, dtype=np.int64)
        enriched = enriched.take(sort_order(enriched, groups))
        written = write_days(self.lake, source, enriched, groups, lambda _: name)
        self.result.parts_written += written.parts
        self.result.events += table.num_rows


def _log_file(plan: _Plan) -> LogFile:
    """The part of the file the plan covers (a plain file up to its planned size)."""
    end = None if plan.compressed else plan.size
    return LogFile(plan.path, plan.start, plan.first_line, end)


def _entry(plan: _Plan, fmt: str, events: int, lines: int) -> LedgerEntry:
    """The ledger entry of a file ingested up to its planned size."""
    return LedgerEntry(
        path=str(plan.path.absolute()),
        size=plan.size,
        digest=plan.digest,
        lines=lines,
        events=events + plan.events_before,
        compressed=plan.compressed,
        format=fmt,
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _batches(events: Iterator[Event], size: int) -> Iterator[list[Event]]:
    batch: list[Event] = []
    for event in events:
        batch.append(event)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest(
    paths: Iterable[Path],
    lake: Lake,
    resolver: Resolver,
    *,
    fmt: str | None = None,
    mapping: Mapping[str, str] | None = None,
    report: Callable[[Issue], None] | None = None,
    threads: int | None = None,
    clock: SyslogClock | None = None,
) -> IngestResult:
    """Ingest ``paths`` (files or folders) into ``lake``; see :class:`Ingestor`."""
    ingestor = Ingestor(
        lake, resolver, fmt=fmt, mapping=mapping, report=report, threads=threads, clock=clock
    )
    try:
        return ingestor.run(paths)
    finally:
        ingestor.close()


def parse_map_options(items: Iterable[str]) -> dict[str, Any]:
    """``column=field`` strings of ``--map`` as a dictionary."""
    mapping: dict[str, Any] = {}
    for item in items:
        column, sep, source = item.partition("=")
        if not sep or not column.strip() or not source.strip():
            raise InputError(f"--map {item!r}: expected COLUMN=FIELD, e.g. actor_user=user.name")
        mapping[column.strip()] = source.strip()
    return mapping
