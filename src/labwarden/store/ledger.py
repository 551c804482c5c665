"""The lake's ledger: what was ingested from each log file, and up to where.

A SQLite file beside the lake (``lake/_ledger.sqlite``), migrated like the catalog. Ingest
threads share one connection; writes are serialized by the lake's writer lock and one
transaction per :meth:`Ledger.record`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from labwarden.store.db import Database
from labwarden.store.migrate import LEDGER


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

    @classmethod
    def from_json(cls, text: str) -> LedgerEntry | None:
        """The entry written as ``text``; ``None`` when it is not one (a damaged ledger entry
        only costs reading that log file again: its events are stored once whatever happens)."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or set(data) != set(_TYPES):
            return None
        if not all(_valid(data[name], kind) for name, kind in _TYPES.items()):
            return None
        return cls(**data)


_TYPES: dict[str, type] = {
    "path": str,
    "size": int,
    "digest": str,
    "lines": int,
    "events": int,
    "compressed": bool,
    "format": str,
    "ingested_at": str,
}
_CHUNK = 500


def _valid(value: object, kind: type) -> bool:
    if kind is int:  # a count: a non-negative integer, not a bool
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return isinstance(value, kind)


class Ledger:
    """The ledger at ``path``, opened (and migrated) on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: Database | None = None
        self._lock = threading.Lock()

    def _database(self) -> Database:
        with self._lock:
            if self._db is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = Database.open(
                    self.path, LEDGER, what="ledger", foreign_keys=False, threads=True, timeout=60
                )
            return self._db

    def close(self) -> None:
        """Close the connection (it is opened again when needed)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def entries(self, paths: list[Path]) -> dict[str, LedgerEntry]:
        """The entries of ``paths`` that have one, by absolute path (few queries, not one each)."""
        keys = [str(p.absolute()) for p in paths]
        found: dict[str, LedgerEntry] = {}
        db = self._database()
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            for row in db.rows(f"SELECT path, entry FROM ledger WHERE path IN ({marks})", chunk):
                entry = LedgerEntry.from_json(row[1])
                if entry is not None:
                    found[row[0]] = entry
        return found

    def record(self, *entries: LedgerEntry) -> None:
        """Remember what was ingested from files (one transaction)."""
        db = self._database()
        with self._lock, db.transaction():
            db.executemany(
                "INSERT OR REPLACE INTO ledger (path, entry) VALUES (?, ?)",
                [(entry.path, json.dumps(asdict(entry))) for entry in entries],
            )
