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
        entry = _read(item)
        if entry is None:
            log.warning("%s: not a ledger entry; left out (the file is read again)", item)
            continue
        rows.append((entry.path, json.dumps(asdict(entry))))
    conn.executemany("INSERT OR IGNORE INTO ledger (path, entry) VALUES (?, ?)", rows)


def _read(item: Path) -> LedgerEntry | None:
    # Entries were small files labwarden wrote: anything else (a link, a device, a huge file)
    # is not one of them.
    if item.is_symlink() or not item.is_file() or item.stat().st_size > _MAX_ENTRY:
        return None
    try:
        return LedgerEntry.from_json(item.read_text("utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


_MAX_ENTRY = 64 * 1024


def finish(path: Path) -> None:
    """Remove the imported JSON ledger."""
    shutil.rmtree(legacy_dir(path), ignore_errors=True)
