"""Scans: when each ran, over which roots, how it ended, and the notes it left."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from labwarden.store.db import Database, utcnow


class ScanStore:
    """The ``scans`` and ``scan_notes`` tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def start(self, roots: Sequence[str], algorithm: str) -> int:
        """Record the start of a scan and return its id; an earlier unfinished one is closed."""
        with self._db.transaction():
            self._db.execute("UPDATE scans SET status = 'interrupted' WHERE status = 'running'")
            cur = self._db.execute(
                "INSERT INTO scans (started_at, status, roots, digest_algorithm) "
                "VALUES (?, 'running', ?, ?)",
                (utcnow(), json.dumps(list(roots)), algorithm),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish(self, scan_id: int, stats: dict[str, Any]) -> None:
        """Mark a scan complete with its statistics."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE scans SET status = 'complete', finished_at = ?, stats = ? WHERE id = ?",
                (utcnow(), json.dumps(stats), scan_id),
            )

    def add_notes(self, scan_id: int, notes: Iterable[tuple[str, str, str]]) -> None:
        """Store ``(path, action, reason)`` notes about entries a scan skipped or flagged."""
        with self._db.transaction():
            self._db.executemany(
                "INSERT INTO scan_notes (scan_id, path, action, reason) VALUES (?, ?, ?, ?)",
                [(scan_id, p, a, r) for p, a, r in notes],
            )

    def notes(self, scan_id: int) -> list[tuple[str, str, str]]:
        """The notes of one scan as ``(path, action, reason)``."""
        rows = self._db.rows(
            "SELECT path, action, reason FROM scan_notes WHERE scan_id = ? ORDER BY id", (scan_id,)
        )
        return [(r[0], r[1], r[2]) for r in rows]
