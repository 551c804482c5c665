"""Import the JSON ledger of labwarden 0.1.0 (``lake/_ledger/<digest>.json``), then remove it.

An entry the SQLite ledger already holds wins (it is the newer one); unreadable files are left
out, as the reader of the JSON ledger left them out.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from dataclasses import asdict
from pathlib import Path

from labwarden.store.ledger import LedgerEntry

log = logging.getLogger(__name__)


def legacy_dir(ledger_path: Path) -> Path:
    """Where labwarden 0.1.0 kept one JSON file per ingested log file."""
    return ledger_path.parent / "_ledger"


def apply(conn: sqlite3.Connection, path: Path) -> None:
    """Copy every readable legacy entry into the ``ledger`` table."""
    folder = legacy_dir(path)
    if not folder.is_dir():
        return
    rows = []
    for item in sorted(folder.glob("*.json")):
        try:
            entry = LedgerEntry(**json.loads(item.read_text("utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            log.warning("%s: unreadable ledger entry left out: %s", item, exc)
            continue
        rows.append((entry.path, json.dumps(asdict(entry))))
    conn.executemany("INSERT OR IGNORE INTO ledger (path, entry) VALUES (?, ?)", rows)


def finish(path: Path) -> None:
    """Remove the imported JSON ledger."""
    shutil.rmtree(legacy_dir(path), ignore_errors=True)
