"""``labwarden ingest``: parse access logs, resolve what they touched and store them in the lake.

Each file is parsed by its format's parser (detected, or forced), in batches of bounded size;
a batch is enriched (source network and country, catalog asset) in DuckDB and written as one
Parquet part per day. Well-formed CloudTrail ``Records`` files are normalized directly by
DuckDB (the same mapping as the Python parser, see :data:`cloudtrail.BULK_SELECT`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from labwarden.core.errors import InputError, LabwardenError
from labwarden.engines.duckdb import connect
from labwarden.store.lake import Lake, LedgerEntry
from labwarden.watch.events import LAKE_SCHEMA, SCHEMA, Event, network_of
from labwarden.watch.parsers import cloudtrail
from labwarden.watch.parsers.activity import activity_of
from labwarden.watch.parsers.base import GZIP_MAGIC, Issue, LogFile, Parser
from labwarden.watch.parsers.registry import detect, get_parser
from labwarden.watch.resources import ResolvedAsset, Resolver

log = logging.getLogger(__name__)

BATCH_EVENTS = 100_000
"""Events parsed before a batch is written (bounds memory per file)."""
BULK_FILES = 16
"""CloudTrail files normalized together by one DuckDB query."""
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
    events: int = 0
    parts_written: int = 0
    seconds: float = 0.0

    @property
    def by_source(self) -> dict[str, int]:
        """Events ingested per format."""
        counts: dict[str, int] = {}
        for item in self.files:
            counts[item.format] = counts.get(item.format, 0) + item.events
        return counts


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named directly or found below named folders (hidden entries skipped), sorted."""
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
    return found


def _digest(path: Path, limit: int | None = None) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    remaining = limit
    with path.open("rb") as handle:
        while remaining is None or remaining > 0:
            chunk = handle.read(_HASH_CHUNK if remaining is None else min(_HASH_CHUNK, remaining))
            if not chunk:
                break
            hasher.update(chunk)
            if remaining is not None:
                remaining -= len(chunk)
    return hasher.hexdigest()


@dataclass(slots=True)
class _Plan:
    path: Path
    size: int
    digest: str
    compressed: bool
    start: int
    first_line: int
    segment: str


class Ingestor:
    """Ingests files into one lake with one resolver."""

    def __init__(
        self,
        lake: Lake,
        resolver: Resolver,
        *,
        fmt: str | None = None,
        mapping: Mapping[str, str] | None = None,
        report: Callable[[Issue], None] | None = None,
        threads: int | None = None,
    ) -> None:
        self.lake = lake.ensure()
        self.resolver = resolver
        self.mapping = dict(mapping or {})
        self.forced = get_parser(fmt, self.mapping) if fmt else None
        self.result = IngestResult()
        self._report = report
        self.con = connect(threads=threads)

    def issue(self, item: Issue) -> None:
        """Keep and pass on one problem."""
        self.result.issues.append(item)
        if self._report is not None:
            self._report(item)

    def close(self) -> None:
        """Release the DuckDB connection."""
        self.con.close()

    # -- planning --------------------------------------------------------------------------

    def _plan(self, path: Path) -> _Plan | None:
        """What to read of ``path``: nothing, the new tail of a grown file, or all of it."""
        size = path.stat().st_size
        with path.open("rb") as handle:
            compressed = handle.read(2) == GZIP_MAGIC
        before = self.lake.ledger(path)
        if before is not None and not compressed and before.compressed is False:
            if size == before.size and _digest(path) == before.digest:
                return None
            if size > before.size and _digest(path, before.size) == before.digest:
                tail = _digest_range(path, before.size, size)
                return _Plan(path, size, _digest(path), False, before.size, before.lines + 1, tail)
        digest = _digest(path)
        if before is not None and before.digest == digest and before.size == size:
            return None
        return _Plan(path, size, digest, compressed, 0, 1, digest)

    # -- running ---------------------------------------------------------------------------

    def run(self, paths: Iterable[Path]) -> IngestResult:
        """Ingest every file; a file that fails is reported and the rest goes on."""
        started = time.perf_counter()
        # Bulk groups by compression: one DuckDB read handles one compression.
        bulk: dict[bool, list[tuple[_Plan, Parser]]] = {False: [], True: []}
        for path in expand(paths):
            try:
                plan = self._plan(path)
                if plan is None:
                    self.result.files.append(FileResult(str(path), "-", 0, "unchanged"))
                    continue
                log_file = LogFile(path, plan.start, plan.first_line)
                parser = self.forced or detect(log_file, self.mapping)
            except (OSError, LabwardenError) as exc:
                message = exc.message if isinstance(exc, LabwardenError) else str(exc)
                self.issue(Issue(str(path), 0, message.removeprefix(f"{path}: ")))
                self.result.files.append(FileResult(str(path), "-", 0, "failed"))
                continue
            if isinstance(parser, cloudtrail.CloudTrailParser) and _is_container(log_file):
                group = bulk[plan.compressed]
                group.append((plan, parser))
                if len(group) >= BULK_FILES:
                    self._bulk(group)
                    bulk[plan.compressed] = []
                continue
            self._parse_file(plan, parser)
        for group in bulk.values():
            if group:
                self._bulk(group)
        self.result.seconds = time.perf_counter() - started
        return self.result

    def _parse_file(self, plan: _Plan, parser: Parser) -> None:
        log_file = LogFile(plan.path, plan.start, plan.first_line)
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
        lines = last_line if plan.compressed else _count_lines(plan.path, plan.size)
        self._remember(plan, parser.name, outcome.events, lines)

    def _bulk(self, items: list[tuple[_Plan, Parser]]) -> None:
        """Normalize CloudTrail files with DuckDB; on any error fall back to the parser.

        Parts are named exactly as the parser path names them (file digest and batch of
        :data:`BATCH_EVENTS` records), so either path recognizes what the other stored.
        """
        files = [str(plan.path) for plan, _ in items]
        try:
            compression = "gzip" if items[0][0].compressed else None
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE batch AS {cloudtrail.bulk_sql(compression)}",
                [files],
            )
        except duckdb.Error as exc:
            log.info("bulk CloudTrail read failed (%s); parsing file by file", exc)
            self.con.execute("DROP TABLE IF EXISTS batch")
            for plan, parser in items:
                self._parse_file(plan, parser)
            return
        table = self.enrich(None)
        names = table.column("origin_file")
        batches = pc.divide(pc.subtract(table.column("origin_line"), 1), BATCH_EVENTS)
        for plan, parser in items:
            mine = table.filter(pc.equal(names, str(plan.path)))
            mine_batches = batches.filter(pc.equal(names, str(plan.path)))
            outcome = FileResult(str(plan.path), parser.name, mine.num_rows)
            self.result.files.append(outcome)
            for batch_no in sorted(pc.unique(mine_batches).to_pylist()):
                part = mine.filter(pc.equal(mine_batches, batch_no))
                self._store(parser.name, f"{plan.segment}-{int(batch_no):05d}", part, enriched=True)
            self._remember(plan, parser.name, mine.num_rows, 0)

    def _remember(self, plan: _Plan, fmt: str, events: int, lines: int) -> None:
        before = self.lake.ledger(plan.path) if plan.start else None
        self.lake.record(
            LedgerEntry(
                path=str(plan.path.absolute()),
                size=plan.size,
                digest=plan.digest,
                lines=lines,
                events=events + (before.events if before else 0),
                compressed=plan.compressed,
                format=fmt,
                ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )

    # -- enrichment and storage ------------------------------------------------------------

    def _store(self, source: str, name: str, table: pa.Table, *, enriched: bool = False) -> None:
        if table.num_rows == 0:
            return
        if not enriched:
            table = self.enrich(table)
        enriched_table = table
        days = pc.strftime(enriched_table.column("time"), format="%Y-%m-%d")
        for day in sorted(pc.unique(days).to_pylist()):
            if self.lake.has_part(source, day, name):
                continue
            part = enriched_table.filter(pc.equal(days, day))
            if self.lake.write_part(source, day, name, part):
                self.result.parts_written += 1
        self.result.events += table.num_rows

    def _networks(self) -> pa.Table:
        """Network and country of each distinct source address of ``batch``.

        IPv4 addresses are handled in SQL (there may be hundreds of thousands per batch);
        the rest (IPv6, service names such as ``s3.amazonaws.com``) in Python.
        """
        con = self.con
        labels = [
            {
                "lo": int(n.network.network_address),
                "hi": int(n.network.broadcast_address),
                "plen": n.network.prefixlen,
                "country": n.country,
            }
            for n in self.resolver.networks
            if n.network.version == 4
        ]
        con.register(
            "labels",
            pa.Table.from_pylist(
                labels,
                schema=pa.schema(
                    [
                        ("lo", pa.int64()),
                        ("hi", pa.int64()),
                        ("plen", pa.int32()),
                        ("country", pa.string()),
                    ]
                ),
            ),
        )
        try:
            v4 = con.sql(_IPV4_SQL).to_arrow_table()
            others = [
                r[0]
                for r in con.sql(
                    "SELECT DISTINCT src_ip FROM batch WHERE src_ip IS NOT NULL AND NOT "  # noqa: S608
                    f"regexp_full_match(src_ip, '{_IPV4_RE}')"
                ).fetchall()
            ]
        finally:
            con.unregister("labels")
        rest = pa.Table.from_pylist(
            [
                {
                    "src_ip": ip,
                    "src_network": network_of(ip),
                    "src_country": self.resolver.network(ip),
                }
                for ip in others
            ],
            schema=v4.schema,
        )
        return pa.concat_tables([v4, rest])

    def enrich(self, table: pa.Table | None) -> pa.Table:
        """Add event ids where missing, source network and country, and the asset touched.

        ``table`` is registered as relation ``batch``; ``None`` means ``batch`` is already a
        table of the connection (the bulk path keeps its rows inside DuckDB).
        """
        con = self.con
        if table is not None:
            con.register("batch", table)
        try:
            folders = [
                r[0]
                for r in con.sql(
                    "SELECT DISTINCT regexp_replace(resource_uri, '[^/]*$', '') FROM batch "
                    "WHERE resource_uri IS NOT NULL"
                ).fetchall()
            ]
            by_folder = [(f, self.resolver.folder(f)) for f in folders]
            exact = self.resolver.exact_uris()
            con.register("exact_found", _asset_table("resource_uri", list(exact.items())))
            con.register("folders_found", _asset_table("folder", by_folder))
            con.register("leaves_found", _asset_table("leaf", list(self.resolver.by_name.items())))
            networks = self._networks()
            operations = [
                r[0]
                for r in con.sql(
                    "SELECT DISTINCT api_operation FROM batch WHERE activity IS NULL"
                ).fetchall()
            ]
            con.register(
                "activities_found",
                pa.table(
                    {
                        "api_operation": pa.array(operations, pa.string()),
                        "activity": pa.array([activity_of(o) for o in operations], pa.string()),
                    }
                ),
            )
            con.register("networks_found", networks)
            special = {
                "event_uid": "coalesce(b.event_uid, md5(b.raw)) AS event_uid",
                "activity": "coalesce(b.activity, ac.activity, 'other') AS activity",
            }
            columns = ", ".join(special.get(name, f"b.{name}") for name in SCHEMA.names)
            asset = "coalesce(e.asset, f.asset, l.asset)"
            result = con.sql(
                f"SELECT {columns}, n.src_network, n.src_country, "  # noqa: S608
                f"{asset}.asset_id AS asset_id, {asset}.asset_name AS asset_name, "
                f"{asset}.asset_kind AS asset_kind, "
                f"{asset}.asset_sensitivity AS asset_sensitivity, "
                f"coalesce({asset}.asset_canary, false) AS asset_canary "
                "FROM batch b LEFT JOIN networks_found n ON b.src_ip = n.src_ip "
                "LEFT JOIN activities_found ac ON b.api_operation = ac.api_operation "
                "LEFT JOIN exact_found e ON b.resource_uri = e.resource_uri "
                "LEFT JOIN folders_found f "
                "ON regexp_replace(b.resource_uri, '[^/]*$', '') = f.folder "
                "LEFT JOIN leaves_found l ON regexp_extract(b.resource_uri, '[^/]*$') = l.leaf"
            ).to_arrow_table()
        finally:
            for name in (
                "batch",
                "networks_found",
                "exact_found",
                "folders_found",
                "leaves_found",
                "activities_found",
            ):
                with contextlib.suppress(duckdb.Error):
                    con.unregister(name)
            con.execute("DROP TABLE IF EXISTS batch")
        return result.cast(LAKE_SCHEMA)


_ASSET_FIELDS = [f for f in LAKE_SCHEMA if f.name.startswith("asset_")]
_ASSET_STRUCT = pa.struct(_ASSET_FIELDS)


def _asset_table(key: str, items: list[tuple[str, ResolvedAsset | None]]) -> pa.Table:
    """``key`` and an ``asset`` struct per resolved item (unresolved ones are left out)."""
    rows = [
        {
            key: name,
            "asset": {
                "asset_id": found.asset_id,
                "asset_name": found.name,
                "asset_kind": found.kind,
                "asset_sensitivity": found.sensitivity,
                "asset_canary": found.canary,
            },
        }
        for name, found in items
        if found is not None
    ]
    return pa.Table.from_pylist(
        rows, schema=pa.schema([(key, pa.string()), ("asset", _ASSET_STRUCT)])
    )


_IPV4_RE = r"(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}"
_INTERNAL_V4 = (
    ("10.0.0.0", 8),
    ("172.16.0.0", 12),
    ("192.168.0.0", 16),
    ("100.64.0.0", 10),
    ("127.0.0.0", 8),
    ("169.254.0.0", 16),
)


def _v4_int(text: str) -> int:
    a, b, c, d = (int(x) for x in text.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d


_INTERNAL_SQL = " OR ".join(
    f"(n BETWEEN {_v4_int(base)} AND {_v4_int(base) + (1 << (32 - plen)) - 1})"
    for base, plen in _INTERNAL_V4
)
# Same results as events.network_of and Resolver.network, for IPv4 in bulk.
_IPV4_SQL = f"""
WITH ips AS (
  SELECT src_ip,
    CAST(split_part(src_ip, '.', 1) AS BIGINT) AS a,
    CAST(split_part(src_ip, '.', 2) AS BIGINT) AS b,
    CAST(split_part(src_ip, '.', 3) AS BIGINT) AS c,
    CAST(split_part(src_ip, '.', 4) AS BIGINT) AS d
  FROM (SELECT DISTINCT src_ip FROM batch WHERE src_ip IS NOT NULL)
  WHERE regexp_full_match(src_ip, '{_IPV4_RE}')
), nums AS (
  SELECT *, (a << 24) + (b << 16) + (c << 8) + d AS n FROM ips
), marked AS (
  SELECT *, ({_INTERNAL_SQL}) AS internal FROM nums
)
SELECT m.src_ip,
  CASE WHEN m.internal THEN a || '.' || b || '.0.0/16'
       ELSE a || '.' || b || '.' || c || '.0/24' END AS src_network,
  coalesce(arg_max(l.country, l.plen),
           CASE WHEN m.internal THEN 'private' ELSE 'public' END) AS src_country
FROM marked m LEFT JOIN labels l ON m.n BETWEEN l.lo AND l.hi
GROUP BY m.src_ip, a, b, c, m.internal
"""  # noqa: S608


def _digest_range(path: Path, start: int, end: int) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        handle.seek(start)
        remaining = end - start
        while remaining > 0:
            chunk = handle.read(min(_HASH_CHUNK, remaining))
            if not chunk:
                break
            hasher.update(chunk)
            remaining -= len(chunk)
    return hasher.hexdigest()


def _count_lines(path: Path, size: int) -> int:
    count = 0
    remaining = size
    with path.open("rb") as handle:
        while remaining > 0:
            chunk = handle.read(min(_HASH_CHUNK, remaining))
            if not chunk:
                break
            count += chunk.count(b"\n")
            remaining -= len(chunk)
    return count


def _is_container(log_file: LogFile) -> bool:
    import re

    return bool(re.match(r'\A\s*\{\s*"Records"\s*:\s*\[', log_file.sample(256)))


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
) -> IngestResult:
    """Ingest ``paths`` (files or folders) into ``lake``; see :class:`Ingestor`."""
    ingestor = Ingestor(lake, resolver, fmt=fmt, mapping=mapping, report=report)
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
