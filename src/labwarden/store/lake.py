"""The event lake: Parquet files partitioned by source and day, written only by atomic rename.

Layout (Hive style, read as is by DuckDB and Spark)::

    lake/source=cloudtrail/day=2026-10-01/<segment>-<batch>.parquet
    lake/_ledger/<path key>.json     what was ingested from each log file, and up to where
    lake/.tmp/                       files being written; renamed into place when complete

A file name derives from the content of the log bytes it came from, so ingesting the same
bytes again (the same file twice, or a copy of it) finds the names taken and writes nothing,
and an ingest killed half-way is completed by the next run without duplicates.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from labwarden.core.errors import WorkspaceError
from labwarden.watch.events import LAKE_SCHEMA

log = logging.getLogger(__name__)


_UNIQUE = {"raw", "event_uid", "api_request_id", "resource_uri", "resource_key", "command"}
DICTIONARY_COLUMNS = [
    f.name for f in LAKE_SCHEMA if f.name not in _UNIQUE and not pa.types.is_integer(f.type)
]
"""Columns with few distinct values: dictionary encoded (trying it on the rest costs time)."""
STATISTICS_COLUMNS = [f.name for f in LAKE_SCHEMA if f.name != "raw"]
"""Columns with min/max statistics (those of whole JSON records help no query)."""


@dataclass(slots=True)
class LedgerEntry:
    """What one log file contributed so far."""

    path: str
    size: int
    digest: str
    """BLAKE2b of the first ``size`` bytes (to recognize a file that only grew)."""
    lines: int
    """Lines consumed (so that line numbers continue when the file grows)."""
    events: int
    compressed: bool
    format: str
    ingested_at: str


class Lake:
    """One workspace's event lake."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def tmp(self) -> Path:
        """Where files are written before they are renamed into place."""
        return self.root / ".tmp"

    @property
    def ledger_dir(self) -> Path:
        """Per log file ingest records."""
        return self.root / "_ledger"

    def ensure(self) -> Lake:
        """Create the folders and remove leftovers of a killed writer."""
        try:
            self.tmp.mkdir(parents=True, exist_ok=True)
            self.ledger_dir.mkdir(parents=True, exist_ok=True)
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
        """Whether that part is already stored (complete, thanks to the rename)."""
        return self.part_path(source, day, name).exists()

    def write_part(self, source: str, day: str, name: str, table: pa.Table) -> bool:
        """Store ``table`` as one part unless it exists; ``True`` when written."""
        final = self.part_path(source, day, name)
        if final.exists():
            return False
        final.parent.mkdir(parents=True, exist_ok=True)
        # Threads of one ingest may write at once: the thread is part of the temporary name.
        tmp = self.tmp / f"{source}.{day}.{name}.{os.getpid()}.{threading.get_ident()}.parquet"
        try:
            pq.write_table(
                table.cast(LAKE_SCHEMA),
                tmp,
                compression="zstd",
                compression_level=1,
                row_group_size=256 * 1024,
                use_dictionary=DICTIONARY_COLUMNS,
                write_statistics=STATISTICS_COLUMNS,
            )
            with tmp.open("rb+") as handle:
                os.fsync(handle.fileno())
            tmp.replace(final)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise WorkspaceError(f"{final}: cannot write: {exc.strerror}") from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return True

    def parts(self) -> list[Path]:
        """Every stored event file."""
        if not self.root.is_dir():
            return []
        return sorted(self.root.glob("source=*/day=*/*.parquet"))

    # -- ledger ----------------------------------------------------------------------------

    @staticmethod
    def _key(path: Path) -> str:
        return hashlib.blake2b(str(path.absolute()).encode(), digest_size=16).hexdigest()

    def ledger(self, path: Path) -> LedgerEntry | None:
        """What was ingested from ``path`` before, if anything."""
        entry = self.ledger_dir / f"{self._key(path)}.json"
        try:
            data: dict[str, Any] = json.loads(entry.read_text(encoding="utf-8"))
            return LedgerEntry(**data)
        except (OSError, ValueError, TypeError):
            return None

    def record(self, entry: LedgerEntry) -> None:
        """Remember (atomically) what was ingested from a file."""
        self.ensure_dirs()
        final = self.ledger_dir / f"{self._key(Path(entry.path))}.json"
        tmp = self.tmp / f"{final.name}.{os.getpid()}"
        tmp.write_text(json.dumps(asdict(entry), indent=1), encoding="utf-8")
        tmp.replace(final)

    def ensure_dirs(self) -> None:
        """Create the folders without cleaning (safe while another writer runs)."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.ledger_dir.mkdir(parents=True, exist_ok=True)
