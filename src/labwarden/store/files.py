"""Files: every file the inventory has seen, with its metadata, digest and asset."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from labwarden.core.asset import FileRecord
from labwarden.core.values import AssetKind
from labwarden.store.db import Database
from labwarden.store.rows import json_dict, json_list, prefix_bounds

_COLUMNS = (
    "id, path, size, mtime_ns, inode, mode, uid, owner, kind, format, digest, "
    "digest_algorithm, columns, properties, asset_id"
)


def _record(row: sqlite3.Row) -> FileRecord:
    return FileRecord(
        id=row["id"],
        path=row["path"],
        size=row["size"],
        mtime_ns=row["mtime_ns"],
        inode=row["inode"],
        mode=row["mode"],
        uid=row["uid"],
        owner=row["owner"],
        kind=AssetKind(row["kind"]),
        format=row["format"],
        digest=row["digest"],
        digest_algorithm=row["digest_algorithm"],
        columns=json_list(row["columns"]),
        properties=json_dict(row["properties"]),
        asset_id=row["asset_id"],
    )


class FileStore:
    """The ``files`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def under(self, roots: Sequence[str]) -> dict[str, FileRecord]:
        """Every stored file at or below any of ``roots``, by path."""
        found: dict[str, FileRecord] = {}
        for root in roots:
            low, high = prefix_bounds(root)
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM files WHERE path = ? OR (path >= ? AND path < ?)",
                (root, low, high),
            )
            for row in rows:
                found[row["path"]] = _record(row)
        return found

    def of_asset(self, asset_id: int) -> list[FileRecord]:
        """The current files of an asset, by path."""
        rows = self._db.rows(
            f"SELECT {_COLUMNS} FROM files WHERE asset_id = ? ORDER BY path", (asset_id,)
        )
        return [_record(r) for r in rows]

    def upsert(self, records: Sequence[FileRecord], scan_id: int) -> None:
        """Insert new or update changed files in one transaction."""
        rows = [
            (
                r.path,
                r.size,
                r.mtime_ns,
                r.inode,
                r.mode,
                r.uid,
                r.owner,
                r.kind.value,
                r.format,
                r.digest,
                r.digest_algorithm,
                json.dumps(r.columns) if r.columns is not None else None,
                json.dumps(r.properties, sort_keys=True),
                scan_id,
                scan_id,
            )
            for r in records
        ]
        with self._db.transaction():
            self._db.executemany(
                "INSERT INTO files (path, size, mtime_ns, inode, mode, uid, owner, kind, format, "
                "digest, digest_algorithm, columns, properties, first_seen_scan, "
                "last_changed_scan) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(path) DO UPDATE SET size = excluded.size, "
                "mtime_ns = excluded.mtime_ns, inode = excluded.inode, mode = excluded.mode, "
                "uid = excluded.uid, owner = excluded.owner, kind = excluded.kind, "
                "format = excluded.format, digest = excluded.digest, "
                "digest_algorithm = excluded.digest_algorithm, columns = excluded.columns, "
                "properties = excluded.properties, last_changed_scan = excluded.last_changed_scan",
                rows,
            )

    def update_metadata(self, records: Sequence[FileRecord]) -> None:
        """Update mode, owner and mtime of files whose content did not change."""
        with self._db.transaction():
            self._db.executemany(
                "UPDATE files SET mode = ?, uid = ?, owner = ?, mtime_ns = ?, inode = ? "
                "WHERE path = ?",
                [(r.mode, r.uid, r.owner, r.mtime_ns, r.inode, r.path) for r in records],
            )

    def delete(self, paths: Sequence[str]) -> None:
        """Forget files that no longer exist."""
        with self._db.transaction():
            self._db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])
