"""Assets: what the inventory grouped files into, how sensitive each is, and its history."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.core.asset import SensitivityReason
from labwarden.core.errors import InputError
from labwarden.core.values import AssetKind, Sensitivity
from labwarden.store.db import Database, utcnow
from labwarden.store.rows import prefix_bounds


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


@dataclass(frozen=True, slots=True)
class AssetChange:
    """What an asset is now, for :meth:`AssetStore.save`."""

    uri: str
    name: str
    kind: AssetKind
    grouping: str
    sensitivity: Sensitivity
    reasons: Sequence[SensitivityReason]
    formats: Sequence[str]
    file_paths: Sequence[str]
    size: int
    content_digest: str


_COLUMNS = (
    "id, uri, name, kind, grouping, sensitivity, reasons, formats, file_count, size, "
    "content_digest, first_seen_scan, last_changed_scan, removed_scan"
)


def _asset(row: sqlite3.Row) -> StoredAsset:
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


def _reasons_json(reasons: Sequence[SensitivityReason]) -> str:
    return json.dumps([r.to_dict() for r in reasons])


class AssetStore:
    """The ``assets`` and ``asset_events`` tables (and the links of files to assets)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- reading ---------------------------------------------------------------------------

    def under(self, roots: Sequence[str]) -> dict[str, StoredAsset]:
        """Active (not removed) assets whose URI is at or below any of ``roots``, by URI."""
        found: dict[str, StoredAsset] = {}
        for root in roots:
            low, high = prefix_bounds(root)
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM assets WHERE removed_scan IS NULL "
                "AND (uri = ? OR (uri >= ? AND uri < ?))",
                (root, low, high),
            )
            for row in rows:
                found[row["uri"]] = _asset(row)
        return found

    def index_under(self, roots: Sequence[str]) -> dict[str, AssetSummary]:
        """Active assets at or below ``roots`` by URI, with just what a rescan compares."""
        found: dict[str, AssetSummary] = {}
        for root in roots:
            low, high = prefix_bounds(root)
            rows = self._db.execute(
                "SELECT id, uri, name, kind, grouping, sensitivity, reasons, content_digest "
                "FROM assets WHERE removed_scan IS NULL AND (uri = ? OR (uri >= ? AND uri < ?))",
                (root, low, high),
            )
            for r in rows:
                found[r[1]] = AssetSummary(r[0], r[2], r[3], r[4], r[5], r[6], r[7])
        return found

    def counts(self) -> dict[tuple[str, str], int]:
        """Active assets counted by ``(kind, sensitivity)``."""
        rows = self._db.rows(
            "SELECT kind, sensitivity, count(*) FROM assets WHERE removed_scan IS NULL "
            "GROUP BY kind, sensitivity"
        )
        return {(r[0], r[1]): r[2] for r in rows}

    def find(
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
        rows = self._db.rows(
            f"SELECT {_COLUMNS} FROM assets WHERE {' AND '.join(where)} "
            f"ORDER BY {order} END, kind, uri",
            params,
        )
        return [_asset(r) for r in rows]

    def get(self, ref: str) -> StoredAsset:
        """Find one asset by id, by URI or by a unique name; raise :class:`InputError` if none."""
        text = ref.strip()
        rows: list[sqlite3.Row] = []
        if text.isdigit():
            rows = self._db.rows(f"SELECT {_COLUMNS} FROM assets WHERE id = ?", (int(text),))
        if not rows:
            absolute = str(Path(text).absolute()) if not text.startswith("s3://") else text
            rows = self._db.rows(
                f"SELECT {_COLUMNS} FROM assets WHERE uri IN (?, ?)", (text, absolute)
            )
        if not rows:
            rows = self._db.rows(
                f"SELECT {_COLUMNS} FROM assets WHERE name = ? AND removed_scan IS NULL", (text,)
            )
            if len(rows) > 1:
                ids = ", ".join(str(r["id"]) for r in rows)
                raise InputError(f"asset {text!r} is ambiguous: it names assets {ids}; use an id")
        if not rows:
            raise InputError(f"no asset {text!r} in {self._db.path}; `labwarden assets` lists them")
        return _asset(rows[0])

    def at(self, uri: str) -> StoredAsset | None:
        """The active asset whose URI is exactly ``uri``, if any."""
        row = self._db.one(
            f"SELECT {_COLUMNS} FROM assets WHERE uri = ? AND removed_scan IS NULL", (uri,)
        )
        return None if row is None else _asset(row)

    def exists(self, asset_id: int) -> bool:
        """Whether the catalog holds an asset with this id (removed or not)."""
        return self._db.one("SELECT 1 FROM assets WHERE id = ?", (asset_id,)) is not None

    def history(self, asset_id: int) -> list[AssetEvent]:
        """The recorded changes of an asset, oldest first."""
        rows = self._db.rows(
            "SELECT scan_id, at, change, detail FROM asset_events WHERE asset_id = ? ORDER BY id",
            (asset_id,),
        )
        return [AssetEvent(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    # -- writing ---------------------------------------------------------------------------

    def save(
        self, asset: AssetChange, scan_id: int, change: str | None, detail: dict[str, Any]
    ) -> int:
        """Insert or update an asset, link its files and log ``change`` if any; its id."""
        values = (
            asset.name,
            asset.kind.value,
            asset.grouping,
            asset.sensitivity.value,
            _reasons_json(asset.reasons),
            json.dumps(sorted(asset.formats)),
            len(asset.file_paths),
            asset.size,
            asset.content_digest,
        )
        with self._db.transaction():
            row = self._db.one("SELECT id FROM assets WHERE uri = ?", (asset.uri,))
            if row is None:
                cur = self._db.execute(
                    "INSERT INTO assets (name, kind, grouping, sensitivity, reasons, formats, "
                    "file_count, size, content_digest, uri, first_seen_scan, last_changed_scan) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, asset.uri, scan_id, scan_id),
                )
                assert cur.lastrowid is not None
                asset_id = cur.lastrowid
            else:
                asset_id = int(row[0])
                self._db.execute(
                    "UPDATE assets SET name = ?, kind = ?, grouping = ?, sensitivity = ?, "
                    "reasons = ?, formats = ?, file_count = ?, size = ?, content_digest = ?, "
                    "removed_scan = NULL, last_changed_scan = CASE WHEN ? IS NULL "
                    "THEN last_changed_scan ELSE ? END WHERE id = ?",
                    (*values, change, scan_id, asset_id),
                )
            self._db.executemany(
                "UPDATE files SET asset_id = ? WHERE path = ?",
                [(asset_id, p) for p in asset.file_paths],
            )
            if change is not None:
                self.log(asset_id, scan_id, change, detail)
        return asset_id

    def log(
        self, asset_id: int, scan_id: int | None, change: str, detail: dict[str, Any], at: str = ""
    ) -> None:
        """Add an entry to an asset's history (``at`` defaults to now)."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO asset_events (asset_id, scan_id, at, change, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                (asset_id, scan_id, at or utcnow(), change, json.dumps(detail)),
            )

    def set_sensitivity(
        self,
        asset_id: int,
        sensitivity: Sensitivity,
        reasons: Sequence[SensitivityReason],
        scan_id: int,
        before: Sensitivity,
    ) -> None:
        """Change an asset's sensitivity (checks raise it) and log the change."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE assets SET sensitivity = ?, reasons = ? WHERE id = ?",
                (sensitivity.value, _reasons_json(reasons), asset_id),
            )
            detail = {"from": before.value, "to": sensitivity.value, "by": "checks"}
            self.log(asset_id, scan_id, "reclassified", detail)

    def remove(self, asset_id: int, scan_id: int) -> None:
        """Mark an asset removed (its history stays) and resolve its open findings."""
        with self._db.transaction():
            self._db.execute("UPDATE assets SET removed_scan = ? WHERE id = ?", (scan_id, asset_id))
            self.log(asset_id, scan_id, "removed", {})
            self._db.execute(
                "UPDATE findings SET status = 'resolved' WHERE asset_id = ? AND status = 'open'",
                (asset_id,),
            )
