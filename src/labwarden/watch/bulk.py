"""The fast path of ``ingest`` for CloudTrail: no Python object per record.

A CloudTrail file (a ``{"Records": [...]}`` document, a JSON array or NDJSON; plain or gzip) is
decompressed with ISA-L and split into its records by msgspec, each record kept as its original
bytes (the ``raw`` column). Every field is then extracted in one DuckDB pass
(:func:`cloudtrail.bulk_sql`), enriched (:class:`Enricher`) and written as lake parts by
pyarrow. Several files go through one query together (a *unit*), and units run on a thread
pool: decompression, DuckDB and Parquet writing release the GIL.

Whatever this path cannot take whole (invalid JSON or UTF-8, a record that is not an object, a
file larger than :data:`MAX_BYTES` once decompressed, nesting too deep) goes back to the
streaming parser, which reports each bad record with its line. Batches are named as the parser
path names them (file digest and batch number); a unit's batches of one day share one part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import numpy as np
import pyarrow as pa
from isal import isal_zlib

from labwarden.engines.interface import Engine
from labwarden.store.lake import Lake
from labwarden.watch.enrich import Enricher
from labwarden.watch.parsers import cloudtrail
from labwarden.watch.parsers.base import Issue
from labwarden.watch.parts import sort_order, write_days

MAX_BYTES = 256 << 20
"""Decompressed size above which a file is left to the streaming parser (bounded memory)."""
UNIT_BYTES = 48 << 20
"""Record bytes normalized together by one DuckDB query."""
UNIT_FILES = 512
"""Files normalized together at most (many small CloudTrail files share one query)."""
GZIP_RATIO = 8
"""Assumed expansion of gzip CloudTrail when sizing units before reading."""
_GROUP_SHIFT = 32
_CONTAINER_HEAD = re.compile(rb'\A\s*\{\s*"Records"\s*:\s*\[')
_OPEN_BRACE = ord("{")
_PASSTHROUGH = ("part_group", "rid")


class Unsupported(Exception):
    """This path cannot take the file whole; the streaming parser will."""


class _Container(msgspec.Struct):
    Records: list[msgspec.Raw]


_CONTAINER = msgspec.json.Decoder(_Container)
_ARRAY = msgspec.json.Decoder(list[msgspec.Raw])


@dataclass(frozen=True, slots=True)
class BulkFile:
    """One file for the fast path, and how its parts are named."""

    path: Path
    compressed: bool
    start: int
    """Byte offset to read from (the new tail of a plain file that grew)."""
    end: int
    """Byte offset of a plain file to stop at (its planned size; appended lines wait)."""
    first_line: int
    """Line number of the byte at :attr:`start`."""
    segment: str
    """Prefix of its part names (a digest of the bytes read)."""
    batch_events: int
    """Records per part name, as the parser path batches them."""


@dataclass(slots=True)
class FileDone:
    """What the fast path did with one file."""

    file: BulkFile
    events: int = 0
    last: int = 0
    """The last record's position (line or record number), for the ledger of a gzip file."""
    fallback: str | None = None
    """Why the streaming parser must take this file instead (nothing was stored from it)."""
    issues: list[Issue] = field(default_factory=list)


@dataclass(slots=True)
class UnitDone:
    """What the fast path did with one unit of files."""

    files: list[FileDone]
    parts_written: int = 0


@dataclass(frozen=True, slots=True)
class Records:
    """The records of one file as JSON texts and their positions."""

    raw: pa.StringArray
    positions: np.ndarray
    """1-based record number (documents and arrays) or line number (NDJSON)."""


def read_bytes(file: BulkFile) -> bytes:
    """The (decompressed) bytes of ``file`` from its start; :class:`Unsupported` when too big."""
    with file.path.open("rb") as handle:
        handle.seek(file.start)
        wanted = MAX_BYTES + 1 if file.compressed else min(MAX_BYTES + 1, file.end - file.start)
        data = handle.read(wanted)
    if len(data) > MAX_BYTES:
        raise Unsupported(f"larger than {MAX_BYTES >> 20} MiB")
    return _gunzip(data) if file.compressed else data


def _gunzip(data: bytes) -> bytes:
    out: list[bytes] = []
    total = 0
    while data.strip(b"\0"):
        inflater = isal_zlib.decompressobj(wbits=31)
        try:
            chunk = inflater.decompress(data, MAX_BYTES + 1 - total)
        except isal_zlib.error as exc:  # type: ignore[misc]  # the stub types it as an instance
            raise Unsupported(f"corrupt gzip data: {exc}") from exc
        total += len(chunk)
        out.append(chunk)
        if total > MAX_BYTES or inflater.unconsumed_tail:
            raise Unsupported(f"larger than {MAX_BYTES >> 20} MiB decompressed")
        if not inflater.eof:
            raise Unsupported("truncated gzip data")
        data = inflater.unused_data
    return b"".join(out)


def split_records(data: bytes, first_line: int) -> Records:
    """The records of a CloudTrail document, array or NDJSON text, without parsing them."""
    try:
        if _CONTAINER_HEAD.match(data):
            raws = _CONTAINER.decode(data).Records
            positions = np.arange(1, len(raws) + 1, dtype=np.int64)
        elif data.lstrip()[:1] == b"[":
            raws = _ARRAY.decode(data)
            positions = np.arange(1, len(raws) + 1, dtype=np.int64)
        else:
            numbered = [(i, line) for i, line in enumerate(data.split(b"\n")) if line.strip()]
            raws = _ARRAY.decode(b"[" + b",".join(line for _, line in numbered) + b"]")
            if len(raws) != len(numbered):
                raise Unsupported("a line holds more than one JSON value")
            positions = np.fromiter((first_line + i for i, _ in numbered), np.int64, len(raws))
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise Unsupported(f"not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise Unsupported("JSON nested too deeply") from exc
    lengths = np.fromiter((len(r) for r in raws), np.int64, len(raws))
    offsets = np.zeros(len(raws) + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    joined = b"".join(raws)
    if len(raws) and not (np.frombuffer(joined, np.uint8)[offsets[:-1]] == _OPEN_BRACE).all():
        raise Unsupported("a record is not a JSON object")
    texts = pa.StringArray.from_buffers(len(raws), pa.py_buffer(offsets), pa.py_buffer(joined))
    try:
        texts.validate(full=True)
    except pa.ArrowInvalid as exc:
        raise Unsupported("not valid UTF-8") from exc
    return Records(texts, positions)


def unit_cost(size: int, compressed: bool) -> int:
    """Estimated record bytes of a file, for sizing units."""
    return size * GZIP_RATIO if compressed else size


def ingest_unit(
    files: list[BulkFile],
    con: Engine,
    enricher: Enricher,
    lake: Lake,
    source: str = "cloudtrail",
) -> UnitDone:
    """Normalize, enrich and store ``files`` with one query on ``con`` (one per thread)."""
    done = [FileDone(f) for f in files]
    result = UnitDone(done)
    raws: list[pa.StringArray] = []
    names: list[pa.Array] = []
    positions: list[np.ndarray] = []
    groups: list[np.ndarray] = []
    for index, item in enumerate(done):
        try:
            records = split_records(read_bytes(item.file), item.file.first_line)
        except (Unsupported, OSError) as exc:
            item.fallback = str(exc)
            continue
        item.last = int(records.positions[-1]) if len(records.positions) else 0
        count = len(records.raw)
        raws.append(records.raw)
        names.append(pa.array([str(item.file.path)] * count, pa.string()))
        positions.append(records.positions)
        batch = (records.positions - item.file.first_line) // item.file.batch_events
        groups.append((np.int64(index) << _GROUP_SHIFT) + batch)
    if not raws or not sum(len(r) for r in raws):
        return result
    raw = pa.chunked_array(raws, pa.string())
    source_table = pa.table(
        {
            "raw": raw,
            "origin_file": pa.chunked_array(names, pa.string()),
            "origin_line": pa.chunked_array([pa.array(p) for p in positions], pa.int64()),
            "part_group": pa.chunked_array([pa.array(g) for g in groups], pa.int64()),
            "rid": pa.array(np.arange(len(raw), dtype=np.int64)),
        }
    )
    # The record texts stay in Arrow: DuckDB reads them once to extract the fields, and only
    # the narrow normalized rows (with their row id) go through the joins and the sort.
    with con.registered("records_in", source_table):
        normalized = cloudtrail.bulk_sql("records_in", _PASSTHROUGH)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE batch AS SELECT * EXCLUDE (raw) FROM ({normalized})"  # noqa: S608
        )
    del source_table
    try:
        untimed = con.rows(
            "SELECT origin_file, origin_line FROM batch WHERE time IS NULL "
            "ORDER BY origin_file, origin_line"
        )
        with enricher.select(con, _PASSTHROUGH, with_raw=False) as select:
            table = con.table(f"{select} WHERE b.time IS NOT NULL")
    finally:
        con.execute("DROP TABLE IF EXISTS batch")
    # Parts are runs of rows: order by day, batch and position (numpy beats a SQL sort here,
    # and the rows usually come back in order already).
    order = sort_order(table, _ints(table, "part_group"))
    if not _is_identity(order):
        table = table.take(pa.array(order))
    rows = _ints(table, "rid")
    if len(rows) != len(raw) or not _is_identity(rows):
        raw = raw.take(pa.array(rows))
    table = table.drop_columns(["rid"]).append_column("raw", raw)
    by_path = {str(item.file.path): item for item in done}
    for path, line in untimed:
        by_path[path].issues.append(Issue(path, line, "record has no valid eventTime"))
    part_groups = _ints(table, "part_group")
    mask = (1 << _GROUP_SHIFT) - 1

    def name_of(group: int) -> str:
        item = done[group >> _GROUP_SHIFT]
        return f"{item.file.segment}-{group & mask:05d}"

    written = write_days(lake, source, table, part_groups, name_of)
    for group, count in written.rows_by_group.items():
        done[group >> _GROUP_SHIFT].events += count
    result.parts_written = written.parts
    return result


def _ints(table: pa.Table, column: str) -> np.ndarray:
    return np.asarray(table.column(column).to_numpy(), dtype=np.int64)


def _is_identity(order: np.ndarray) -> bool:
    return bool((order == np.arange(len(order))).all())
