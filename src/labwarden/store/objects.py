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


@dataclass(frozen=True, slots=True)
class SeenVersion:
    """A version as the catalog remembers it: when scans saw it, and whether it is gone."""

    row: VersionRow
    first_seen_scan: int
    last_seen_scan: int
    gone_in_scan: int | None
    """The first complete later scan over the object that no longer listed this version
    (purged for good: ``DeleteObjectVersion``, a lifecycle rule); ``None``: still listed."""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            **self.row.to_dict(),
            "first_seen_scan": self.first_seen_scan,
            "last_seen_scan": self.last_seen_scan,
            "gone_in_scan": self.gone_in_scan,
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

    def listing(
        self, bucket: str, prefix: str = "", *, deleted: bool = False, limit: int | None = None
    ) -> list[SeenVersion]:
        """Every version and delete marker below ``prefix``, by key, newest first; ``deleted``:
        only objects whose current version is a delete marker, and their versions."""
        where = "v.bucket = ? AND substr(v.key, 1, ?) = ?"
        if deleted:
            where += (
                " AND EXISTS (SELECT 1 FROM object_versions d WHERE d.bucket = v.bucket AND "
                "d.key = v.key AND d.is_latest = 1 AND d.delete_marker = 1)"
            )
        # A later complete scan whose root covers the object (S3 prefixes are string prefixes)
        # and that did not list the version: it was purged.
        gone = (
            "(SELECT min(s.id) FROM scans s, json_each(s.roots) r WHERE s.status = 'complete' "
            "AND s.id > v.last_seen_scan AND substr('s3://' || v.bucket || '/' || v.key, 1, "
            "length(r.value)) = r.value)"
        )
        columns = ", ".join(f"v.{c.strip()}" for c in _COLUMNS.split(","))
        rows = self._db.rows(
            f"SELECT {columns}, v.first_seen_scan, v.last_seen_scan, {gone} AS gone "
            f"FROM object_versions v WHERE {where} "
            "ORDER BY v.key, v.last_modified_ns DESC, v.is_latest DESC, v.version_id LIMIT ?",
            (bucket, len(prefix), prefix, -1 if limit is None else limit),
        )
        return [
            SeenVersion(
                _row(r),
                int(r["first_seen_scan"]),
                int(r["last_seen_scan"]),
                None if r["gone"] is None else int(r["gone"]),
            )
            for r in rows
        ]

    def counts(self, bucket: str, prefix: str = "") -> dict[str, int]:
        """Objects, versions, delete markers and deleted objects below ``prefix``."""
        row = self._db.rows(
            "SELECT count(DISTINCT key), sum(delete_marker = 0), sum(delete_marker), "
            "count(DISTINCT CASE WHEN is_latest = 1 AND delete_marker = 1 THEN key END) "
            "FROM object_versions WHERE bucket = ? AND substr(key, 1, ?) = ?",
            (bucket, len(prefix), prefix),
        )[0]
        return {
            "objects": int(row[0] or 0),
            "versions": int(row[1] or 0),
            "delete_markers": int(row[2] or 0),
            "deleted_objects": int(row[3] or 0),
        }

    def changed_between(
        self, bucket: str, prefix: str, start_ns: int, end_ns: int
    ) -> list[VersionRow]:
        """Versions and delete markers below ``prefix`` made in ``[start_ns, end_ns]``, oldest
        first (what was written, overwritten or deleted in a window)."""
        rows = self._db.rows(
            f"SELECT {_COLUMNS} FROM object_versions WHERE bucket = ? AND substr(key, 1, ?) = ? "
            "AND last_modified_ns BETWEEN ? AND ? ORDER BY last_modified_ns, key, version_id",
            (bucket, len(prefix), prefix, start_ns, end_ns),
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
