"""Object versions and delete markers of object-store scans (the ``object_versions`` table)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from labwarden.store.db import Database


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One version of an object, or a delete marker."""

    bucket: str
    key: str
    version_id: str
    etag: str
    size: int
    last_modified_ns: int
    is_latest: bool
    delete_marker: bool
    owner: str = ""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "bucket": self.bucket,
            "key": self.key,
            "version_id": self.version_id,
            "etag": self.etag,
            "size": self.size,
            "last_modified_ns": self.last_modified_ns,
            "is_latest": self.is_latest,
            "delete_marker": self.delete_marker,
            "owner": self.owner,
        }


_COLUMNS = "bucket, key, version_id, etag, size, last_modified_ns, is_latest, delete_marker, owner"


class ObjectVersionStore:
    """What the scans of object stores saw of each object's versions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, rows: Sequence[VersionRow], scan_id: int) -> None:
        """Store the versions one listing saw (one transaction); known ones get ``is_latest``
        and ``last_seen_scan`` updated."""
        with self._db.transaction():
            self._db.executemany(
                f"INSERT INTO object_versions ({_COLUMNS}, first_seen_scan, last_seen_scan) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (bucket, key, version_id) DO UPDATE SET "
                "is_latest = excluded.is_latest, last_seen_scan = excluded.last_seen_scan",
                [
                    (
                        r.bucket,
                        r.key,
                        r.version_id,
                        r.etag,
                        r.size,
                        r.last_modified_ns,
                        int(r.is_latest),
                        int(r.delete_marker),
                        r.owner,
                        scan_id,
                        scan_id,
                    )
                    for r in rows
                ],
            )

    def history(self, bucket: str, key: str) -> list[VersionRow]:
        """Every version of one object seen, newest first."""
        rows = self._db.rows(
            f"SELECT {_COLUMNS} FROM object_versions WHERE bucket = ? AND key = ? "
            "ORDER BY last_modified_ns DESC, version_id",
            (bucket, key),
        )
        return [_row(r) for r in rows]

    def deleted(self, bucket: str, prefix: str = "") -> list[VersionRow]:
        """Objects whose current version is a delete marker (deleted, still recoverable)."""
        rows = self._db.rows(
            f"SELECT {_COLUMNS} FROM object_versions WHERE bucket = ? AND substr(key, 1, ?) = ? "
            "AND is_latest = 1 AND delete_marker = 1 ORDER BY key",
            (bucket, len(prefix), prefix),
        )
        return [_row(r) for r in rows]


def _row(r: sqlite3.Row) -> VersionRow:
    return VersionRow(
        r["bucket"],
        r["key"],
        r["version_id"],
        r["etag"],
        int(r["size"]),
        int(r["last_modified_ns"]),
        bool(r["is_latest"]),
        bool(r["delete_marker"]),
        r["owner"],
    )
