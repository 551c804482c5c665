"""The SQLite catalog: assets, their files and history, findings and scan notes.

One writer at a time (``BEGIN IMMEDIATE``), any number of readers (WAL mode), so that the CLI and
the web server can share it. Writes happen in short transactions per batch: a scan that is killed
half-way leaves every committed batch intact and the next scan completes the rest.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from labwarden.core.asset import FileRecord, SensitivityReason
from labwarden.core.errors import InputError, WorkspaceError
from labwarden.core.finding import Finding, Location
from labwarden.core.values import AssetKind, Sensitivity, Severity
from labwarden.core.workspace import Workspace
from labwarden.store.migrate import migrate


def utcnow() -> str:
    """The current time as an ISO 8601 UTC string with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class StoredAsset:
    """An asset row of the catalog."""

    id: int
    uri: str
    name: str
    kind: AssetKind
    grouping: str
    sensitivity: Sensitivity
    reasons: list[SensitivityReason]
    formats: list[str]
    file_count: int
    size: int
    content_digest: str | None
    first_seen_scan: int | None
    last_changed_scan: int | None
    removed_scan: int | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "uri": self.uri,
            "name": self.name,
            "kind": self.kind.value,
            "grouping": self.grouping,
            "sensitivity": self.sensitivity.value,
            "reasons": [r.to_dict() for r in self.reasons],
            "formats": self.formats,
            "file_count": self.file_count,
            "size": self.size,
            "content_digest": self.content_digest,
            "first_seen_scan": self.first_seen_scan,
            "last_changed_scan": self.last_changed_scan,
            "removed_scan": self.removed_scan,
        }


@dataclass(frozen=True, slots=True)
class AssetSummary:
    """The fields of a stored asset that a rescan compares."""

    id: int
    name: str
    kind: str
    grouping: str
    sensitivity: str
    reasons_json: str
    content_digest: str | None


@dataclass(slots=True)
class AssetEvent:
    """One entry of an asset's history."""

    scan_id: int | None
    at: str
    change: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"scan_id": self.scan_id, "at": self.at, "change": self.change, **self.detail}


_ASSET_COLUMNS = (
    "id, uri, name, kind, grouping, sensitivity, reasons, formats, file_count, size, "
    "content_digest, first_seen_scan, last_changed_scan, removed_scan"
)
_FILE_COLUMNS = (
    "id, path, size, mtime_ns, inode, mode, uid, owner, kind, format, digest, "
    "digest_algorithm, columns, properties, asset_id"
)


def _asset_from_row(row: sqlite3.Row) -> StoredAsset:
    reasons = [
        SensitivityReason(r["rule"], Sensitivity(r["sensitivity"]), r["reason"])
        for r in json.loads(row["reasons"])
    ]
    return StoredAsset(
        id=row["id"],
        uri=row["uri"],
        name=row["name"],
        kind=AssetKind(row["kind"]),
        grouping=row["grouping"],
        sensitivity=Sensitivity(row["sensitivity"]),
        reasons=reasons,
        formats=json.loads(row["formats"]),
        file_count=row["file_count"],
        size=row["size"],
        content_digest=row["content_digest"],
        first_seen_scan=row["first_seen_scan"],
        last_changed_scan=row["last_changed_scan"],
        removed_scan=row["removed_scan"],
    )


@lru_cache(maxsize=1024)
def _parse_json(text: str) -> Any:
    return json.loads(text)


def _json_dict(text: str) -> dict[str, Any]:
    """Parse a JSON object; identical strings (most rows) are parsed once and copied."""
    return dict(_parse_json(text))


def _json_list(text: str | None) -> list[str] | None:
    return None if text is None else list(_parse_json(text))


def _file_from_row(row: sqlite3.Row) -> FileRecord:
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
        columns=_json_list(row["columns"]),
        properties=_json_dict(row["properties"]),
        asset_id=row["asset_id"],
    )


def _prefix_bounds(root: str) -> tuple[str, str]:
    """Half-open string range that holds every path strictly below ``root``."""
    base = root.rstrip("/") + "/"
    return base, base[:-1] + "0"  # '0' sorts right after '/'


def storable(text: str | None) -> str | None:
    """``text`` as SQLite can store it: undecodable bytes a check kept as lone surrogates (from
    names or strings inside a hostile file) are written as ``\\udcXX`` escapes."""
    if text is None:
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class Catalog:
    """Access to one workspace's ``catalog.db``."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, workspace: Workspace) -> Catalog:
        """Open (creating and migrating if needed) the catalog of ``workspace``."""
        workspace.ensure()
        path = workspace.catalog_path
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, str(path))
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(f"{path}: not a usable labwarden catalog: {exc}") from exc
        return cls(conn, path)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- scans -----------------------------------------------------------------------------

    def start_scan(self, roots: Sequence[str], algorithm: str) -> int:
        """Record the start of a scan and return its id; an earlier unfinished one is closed."""
        with self.transaction() as tx:
            tx.execute("UPDATE scans SET status = 'interrupted' WHERE status = 'running'")
            cur = tx.execute(
                "INSERT INTO scans (started_at, status, roots, digest_algorithm) "
                "VALUES (?, 'running', ?, ?)",
                (utcnow(), json.dumps(list(roots)), algorithm),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish_scan(self, scan_id: int, stats: dict[str, Any]) -> None:
        """Mark a scan complete with its statistics."""
        with self.transaction() as tx:
            tx.execute(
                "UPDATE scans SET status = 'complete', finished_at = ?, stats = ? WHERE id = ?",
                (utcnow(), json.dumps(stats), scan_id),
            )

    def add_notes(self, scan_id: int, notes: Iterable[tuple[str, str, str]]) -> None:
        """Store ``(path, action, reason)`` notes about entries a scan skipped or flagged."""
        with self.transaction() as tx:
            tx.executemany(
                "INSERT INTO scan_notes (scan_id, path, action, reason) VALUES (?, ?, ?, ?)",
                [(scan_id, p, a, r) for p, a, r in notes],
            )

    def scan_notes(self, scan_id: int) -> list[tuple[str, str, str]]:
        """The notes of one scan as ``(path, action, reason)``."""
        rows = self.conn.execute(
            "SELECT path, action, reason FROM scan_notes WHERE scan_id = ? ORDER BY id", (scan_id,)
        )
        return [(r[0], r[1], r[2]) for r in rows]

    # -- files -----------------------------------------------------------------------------

    def files_under(self, roots: Sequence[str]) -> dict[str, FileRecord]:
        """Every stored file at or below any of ``roots``, by path."""
        found: dict[str, FileRecord] = {}
        for root in roots:
            low, high = _prefix_bounds(root)
            rows = self.conn.execute(
                f"SELECT {_FILE_COLUMNS} FROM files WHERE path = ? OR (path >= ? AND path < ?)",
                (root, low, high),
            )
            for row in rows:
                found[row["path"]] = _file_from_row(row)
        return found

    def upsert_files(self, records: Sequence[FileRecord], scan_id: int) -> None:
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
        with self.transaction() as tx:
            tx.executemany(
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

    def update_file_metadata(self, records: Sequence[FileRecord]) -> None:
        """Update mode, owner and mtime of files whose content did not change."""
        with self.transaction() as tx:
            tx.executemany(
                "UPDATE files SET mode = ?, uid = ?, owner = ?, mtime_ns = ?, inode = ? "
                "WHERE path = ?",
                [(r.mode, r.uid, r.owner, r.mtime_ns, r.inode, r.path) for r in records],
            )

    def delete_files(self, tx: sqlite3.Connection, paths: Sequence[str]) -> None:
        """Forget files that no longer exist, inside ``tx``."""
        tx.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])

    # -- assets ----------------------------------------------------------------------------

    def assets_under(self, roots: Sequence[str]) -> dict[str, StoredAsset]:
        """Active (not removed) assets whose URI is at or below any of ``roots``, by URI."""
        found: dict[str, StoredAsset] = {}
        for root in roots:
            low, high = _prefix_bounds(root)
            rows = self.conn.execute(
                f"SELECT {_ASSET_COLUMNS} FROM assets WHERE removed_scan IS NULL "
                "AND (uri = ? OR (uri >= ? AND uri < ?))",
                (root, low, high),
            )
            for row in rows:
                found[row["uri"]] = _asset_from_row(row)
        return found

    def asset_index_under(self, roots: Sequence[str]) -> dict[str, AssetSummary]:
        """Active assets at or below ``roots`` by URI, with just what a rescan compares."""
        found: dict[str, AssetSummary] = {}
        for root in roots:
            low, high = _prefix_bounds(root)
            rows = self.conn.execute(
                "SELECT id, uri, name, kind, grouping, sensitivity, reasons, content_digest "
                "FROM assets WHERE removed_scan IS NULL AND (uri = ? OR (uri >= ? AND uri < ?))",
                (root, low, high),
            )
            for r in rows:
                found[r[1]] = AssetSummary(r[0], r[2], r[3], r[4], r[5], r[6], r[7])
        return found

    def asset_counts(self) -> dict[tuple[str, str], int]:
        """Active assets counted by ``(kind, sensitivity)``."""
        rows = self.conn.execute(
            "SELECT kind, sensitivity, count(*) FROM assets WHERE removed_scan IS NULL "
            "GROUP BY kind, sensitivity"
        )
        return {(r[0], r[1]): r[2] for r in rows}

    def save_asset(
        self,
        tx: sqlite3.Connection,
        *,
        uri: str,
        name: str,
        kind: AssetKind,
        grouping: str,
        sensitivity: Sensitivity,
        reasons: Sequence[SensitivityReason],
        formats: Sequence[str],
        file_paths: Sequence[str],
        size: int,
        content_digest: str,
        scan_id: int,
        change: str | None,
        detail: dict[str, Any],
    ) -> int:
        """Insert or update an asset inside ``tx``, link its files and log ``change`` if any."""
        reasons_json = json.dumps([r.to_dict() for r in reasons])
        row = tx.execute("SELECT id FROM assets WHERE uri = ?", (uri,)).fetchone()
        values = (
            name,
            kind.value,
            grouping,
            sensitivity.value,
            reasons_json,
            json.dumps(sorted(formats)),
            len(file_paths),
            size,
            content_digest,
        )
        if row is None:
            cur = tx.execute(
                "INSERT INTO assets (name, kind, grouping, sensitivity, reasons, formats, "
                "file_count, size, content_digest, uri, first_seen_scan, last_changed_scan) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, uri, scan_id, scan_id),
            )
            assert cur.lastrowid is not None
            asset_id = cur.lastrowid
        else:
            asset_id = int(row[0])
            tx.execute(
                "UPDATE assets SET name = ?, kind = ?, grouping = ?, sensitivity = ?, "
                "reasons = ?, formats = ?, file_count = ?, size = ?, content_digest = ?, "
                "removed_scan = NULL, last_changed_scan = CASE WHEN ? IS NULL "
                "THEN last_changed_scan ELSE ? END WHERE id = ?",
                (*values, change, scan_id, asset_id),
            )
        tx.executemany(
            "UPDATE files SET asset_id = ? WHERE path = ?", [(asset_id, p) for p in file_paths]
        )
        if change is not None:
            tx.execute(
                "INSERT INTO asset_events (asset_id, scan_id, at, change, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                (asset_id, scan_id, utcnow(), change, json.dumps(detail)),
            )
        return asset_id

    def set_sensitivity(
        self,
        tx: sqlite3.Connection,
        asset_id: int,
        sensitivity: Sensitivity,
        reasons: Sequence[SensitivityReason],
        scan_id: int,
        before: Sensitivity,
    ) -> None:
        """Change an asset's sensitivity inside ``tx`` (checks raise it) and log the change."""
        tx.execute(
            "UPDATE assets SET sensitivity = ?, reasons = ? WHERE id = ?",
            (sensitivity.value, json.dumps([r.to_dict() for r in reasons]), asset_id),
        )
        tx.execute(
            "INSERT INTO asset_events (asset_id, scan_id, at, change, detail) "
            "VALUES (?, ?, ?, 'reclassified', ?)",
            (
                asset_id,
                scan_id,
                utcnow(),
                json.dumps({"from": before.value, "to": sensitivity.value, "by": "checks"}),
            ),
        )

    def remove_asset(self, tx: sqlite3.Connection, asset_id: int, scan_id: int) -> None:
        """Mark an asset removed (its history stays) inside ``tx``."""
        tx.execute("UPDATE assets SET removed_scan = ? WHERE id = ?", (scan_id, asset_id))
        tx.execute(
            "INSERT INTO asset_events (asset_id, scan_id, at, change, detail) "
            "VALUES (?, ?, ?, 'removed', '{}')",
            (asset_id, scan_id, utcnow()),
        )
        tx.execute(
            "UPDATE findings SET status = 'resolved' WHERE asset_id = ? AND status = 'open'",
            (asset_id,),
        )

    def list_assets(
        self,
        *,
        kind: AssetKind | None = None,
        sensitivity: Sensitivity | None = None,
        include_removed: bool = False,
    ) -> list[StoredAsset]:
        """Assets of the catalog, most sensitive first."""
        where, params = ["1 = 1"], []
        if not include_removed:
            where.append("removed_scan IS NULL")
        if kind is not None:
            where.append("kind = ?")
            params.append(kind.value)
        if sensitivity is not None:
            where.append("sensitivity = ?")
            params.append(sensitivity.value)
        order = "CASE sensitivity " + " ".join(
            f"WHEN '{s.value}' THEN {-s.rank}" for s in Sensitivity
        )
        rows = self.conn.execute(
            f"SELECT {_ASSET_COLUMNS} FROM assets WHERE {' AND '.join(where)} "
            f"ORDER BY {order} END, kind, uri",
            params,
        )
        return [_asset_from_row(r) for r in rows]

    def get_asset(self, ref: str) -> StoredAsset:
        """Find one asset by id, by URI or by a unique name; raise :class:`InputError` if none."""
        text = ref.strip()
        rows: list[sqlite3.Row] = []
        if text.isdigit():
            rows = list(
                self.conn.execute(f"SELECT {_ASSET_COLUMNS} FROM assets WHERE id = ?", (int(text),))
            )
        if not rows:
            absolute = str(Path(text).absolute()) if not text.startswith("s3://") else text
            rows = list(
                self.conn.execute(
                    f"SELECT {_ASSET_COLUMNS} FROM assets WHERE uri IN (?, ?)", (text, absolute)
                )
            )
        if not rows:
            rows = list(
                self.conn.execute(
                    f"SELECT {_ASSET_COLUMNS} FROM assets WHERE name = ? AND removed_scan IS NULL",
                    (text,),
                )
            )
            if len(rows) > 1:
                ids = ", ".join(str(r["id"]) for r in rows)
                raise InputError(f"asset {text!r} is ambiguous: it names assets {ids}; use an id")
        if not rows:
            raise InputError(f"no asset {text!r} in {self.path}; `labwarden assets` lists them")
        return _asset_from_row(rows[0])

    def asset_files(self, asset_id: int) -> list[FileRecord]:
        """The current files of an asset, by path."""
        rows = self.conn.execute(
            f"SELECT {_FILE_COLUMNS} FROM files WHERE asset_id = ? ORDER BY path", (asset_id,)
        )
        return [_file_from_row(r) for r in rows]

    def asset_history(self, asset_id: int) -> list[AssetEvent]:
        """The recorded changes of an asset, oldest first."""
        rows = self.conn.execute(
            "SELECT scan_id, at, change, detail FROM asset_events WHERE asset_id = ? ORDER BY id",
            (asset_id,),
        )
        return [AssetEvent(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    # -- findings --------------------------------------------------------------------------

    def record_findings(
        self,
        tx: sqlite3.Connection,
        asset_id: int,
        checks_run: Sequence[str],
        findings: Sequence[Finding],
        scan_id: int | None,
    ) -> None:
        """Store what ``checks_run`` found on an asset; earlier findings now absent are resolved.

        ``scan_id`` is ``None`` for findings made outside a scan (``labwarden verify --all``).
        """
        if checks_run:
            marks = ",".join("?" * len(checks_run))
            tx.execute(
                f"UPDATE findings SET status = 'resolved' WHERE asset_id = ? "
                f"AND check_name IN ({marks}) AND status = 'open'",
                (asset_id, *checks_run),
            )
        tx.executemany(
            "INSERT INTO findings (fingerprint, asset_id, check_name, rule, severity, path, "
            'member, "offset", line, message, remediation, evidence, status, first_seen_scan, '
            "last_seen_scan) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) "
            "ON CONFLICT(fingerprint) DO UPDATE SET status = 'open', severity = excluded.severity, "
            "asset_id = excluded.asset_id, evidence = excluded.evidence, "
            "remediation = excluded.remediation, last_seen_scan = excluded.last_seen_scan",
            [
                (
                    f.fingerprint,
                    asset_id,
                    f.check,
                    f.rule,
                    f.severity.value,
                    storable(f.location.path),
                    storable(f.location.member),
                    f.location.offset,
                    f.location.line,
                    storable(f.message),
                    storable(f.remediation),
                    json.dumps(f.evidence, sort_keys=True, default=str),
                    scan_id,
                    scan_id,
                )
                for f in findings
            ],
        )

    def list_findings(
        self,
        *,
        asset_id: int | None = None,
        min_severity: Severity | None = None,
        include_resolved: bool = False,
    ) -> list[Finding]:
        """Stored findings, most severe first."""
        where, params = ["1 = 1"], []
        if asset_id is not None:
            where.append("asset_id = ?")
            params.append(asset_id)
        if not include_resolved:
            where.append("status = 'open'")
        rows = self.conn.execute(
            'SELECT check_name, rule, severity, path, member, "offset", line, message, '
            f"remediation, evidence, asset_id FROM findings WHERE {' AND '.join(where)} "
            "ORDER BY id",
            params,
        )
        found = [
            Finding(
                check=r[0],
                rule=r[1],
                severity=Severity(r[2]),
                location=Location(r[3], r[4], r[5], r[6]),
                message=r[7],
                remediation=r[8],
                evidence=json.loads(r[9]),
                asset_id=r[10],
            )
            for r in rows
        ]
        if min_severity is not None:
            found = [f for f in found if f.severity >= min_severity]
        found.sort(key=lambda f: -f.severity.rank)
        return found
