"""Canaries and shares: the decoys planted and the marked copies handed out."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from labwarden.core.errors import InputError
from labwarden.store.db import Database, utcnow
from labwarden.store.rows import json_dict, marks

CANARY_STATUSES = ("active", "retired")


@dataclass(slots=True)
class Canary:
    """A decoy registered in the catalog.

    ``token`` is what betrays it (an access key id, a beacon token, a path); ``matches`` are the
    resource URIs or path prefixes whose access is a touch; ``location`` is where it was planted.
    """

    id: int
    name: str
    kind: str
    token: str
    location: str
    matches: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    status: str = "active"
    created_at: str = ""
    retired_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "token": self.token,
            "location": self.location,
            "matches": self.matches,
            "status": self.status,
            "created_at": self.created_at,
            "retired_at": self.retired_at,
            "detail": self.detail,
        }


def _canary(row: sqlite3.Row) -> Canary:
    return Canary(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        token=row["token"],
        location=row["location"],
        matches=list(json.loads(row["matches"])),
        detail=json_dict(row["detail"]),
        status=row["status"],
        created_at=row["created_at"],
        retired_at=row["retired_at"],
    )


class CanaryStore:
    """The ``canaries`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        *,
        name: str,
        kind: str,
        token: str,
        location: str,
        matches: list[str],
        detail: dict[str, Any],
    ) -> Canary:
        """Register a canary; :class:`InputError` when the name is taken."""
        now = utcnow()
        with self._db.transaction():
            if self._db.one("SELECT 1 FROM canaries WHERE name = ?", (name,)) is not None:
                raise InputError(f"a canary named {name!r} exists already; choose another --name")
            cur = self._db.execute(
                "INSERT INTO canaries (name, kind, token, location, matches, detail, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (name, kind, token, location, json.dumps(matches), json.dumps(detail), now),
            )
        assert cur.lastrowid is not None
        return self.get(str(cur.lastrowid))

    def names(self) -> set[str]:
        """Every canary name, retired ones included."""
        return {str(r[0]) for r in self._db.rows("SELECT name FROM canaries")}

    def decoy_of(self, path: str) -> str | None:
        """The name of the active canary planted at ``path`` or at a folder above it."""
        rows = self._db.rows(
            "SELECT name FROM canaries WHERE status = 'active' AND (location = ? OR "
            "substr(?, 1, length(location) + 1) = location || '/') ORDER BY id",
            (path, path),
        )
        return str(rows[0][0]) if rows else None

    def find(self, *, status: str | None = "active", kind: str | None = None) -> list[Canary]:
        """Canaries, oldest first."""
        where, params = ["1 = 1"], []
        if status:
            where.append("status = ?")
            params.append(status)
        if kind:
            where.append("kind = ?")
            params.append(kind)
        rows = self._db.rows(
            f"SELECT * FROM canaries WHERE {' AND '.join(where)} ORDER BY id", params
        )
        return [_canary(r) for r in rows]

    def get(self, ref: str) -> Canary:
        """A canary by id or name; :class:`InputError` when there is none."""
        row = self._db.one(
            "SELECT * FROM canaries WHERE name = ? OR (id = ? AND ? GLOB '[0-9]*')",
            (ref, int(ref) if ref.isdigit() else -1, ref),
        )
        if row is None:
            raise InputError(f"no canary {ref!r} in {self._db.path}; `labwarden canary list`")
        return _canary(row)

    def by_token(self, token: str) -> Canary | None:
        """The canary (active or not) whose token is ``token``."""
        row = self._db.one("SELECT * FROM canaries WHERE token = ? ORDER BY id", (token,))
        return _canary(row) if row is not None else None

    def retire(self, ref: str) -> Canary:
        """Mark a canary retired: it no longer raises alerts."""
        canary = self.get(ref)
        with self._db.transaction():
            self._db.execute(
                "UPDATE canaries SET status = 'retired', retired_at = ? WHERE id = ?",
                (utcnow(), canary.id),
            )
        return self.get(str(canary.id))

    def secret_sightings(self, hashes: list[str]) -> list[dict[str, Any]]:
        """Open secrets findings whose secret hash is one of ``hashes``: where a scan saw them."""
        if not hashes:
            return []
        rows = self._db.rows(
            "SELECT f.id, f.path, coalesce(s.started_at, '') AS seen_at FROM findings f "
            "LEFT JOIN scans s ON s.id = f.last_seen_scan WHERE f.check_name = 'secrets' "
            "AND f.status = 'open' "
            f"AND json_extract(f.evidence, '$.hash') IN ({marks(len(hashes))}) "
            "ORDER BY f.id",
            hashes,
        )
        return [{"finding_id": r[0], "path": r[1], "seen_at": r[2]} for r in rows]

    def alert_evidence(self, fingerprint: str) -> list[dict[str, Any]]:
        """The evidence events stored with the alert ``fingerprint`` (none when it is new)."""
        rows = self._db.rows(
            "SELECT e.event FROM alert_evidence e JOIN alerts a ON a.id = e.alert_id "
            "WHERE a.fingerprint = ? ORDER BY e.event_time, e.event_uid",
            (fingerprint,),
        )
        return [json.loads(r[0]) for r in rows]

    def alert_ids(self, fingerprints: list[str]) -> list[int]:
        """The ids of the alerts with these fingerprints."""
        if not fingerprints:
            return []
        rows = self._db.rows(
            f"SELECT id FROM alerts WHERE fingerprint IN ({marks(len(fingerprints))}) ORDER BY id",
            fingerprints,
        )
        return [int(r[0]) for r in rows]


@dataclass(slots=True)
class Share:
    """One marked copy of a table version handed to a recipient."""

    id: int
    asset_id: int | None
    source: str
    source_digest: str
    recipient: str
    key_id: str
    output: str
    created_at: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "asset_id": self.asset_id,
            "source": self.source,
            "source_digest": self.source_digest,
            "recipient": self.recipient,
            "key_id": self.key_id,
            "output": self.output,
            "created_at": self.created_at,
            "detail": self.detail,
        }


def _share(row: sqlite3.Row) -> Share:
    return Share(
        id=row["id"],
        asset_id=row["asset_id"],
        source=row["source"],
        source_digest=row["source_digest"],
        recipient=row["recipient"],
        key_id=row["key_id"],
        output=row["output"],
        created_at=row["created_at"],
        detail=json_dict(row["detail"]),
    )


class ShareStore:
    """The ``shares`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        *,
        asset_id: int | None,
        source: str,
        source_digest: str,
        recipient: str,
        key_id: str,
        output: str,
        detail: dict[str, Any],
    ) -> Share:
        """Record a share; sharing the same version with the same recipient again (which gives
        the same copy) updates the record."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO shares (asset_id, source, source_digest, recipient, key_id, output, "
                "created_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (source_digest, recipient) DO UPDATE SET "
                "asset_id = excluded.asset_id, "
                "source = excluded.source, key_id = excluded.key_id, output = excluded.output, "
                "created_at = excluded.created_at, detail = excluded.detail",
                (
                    asset_id,
                    source,
                    source_digest,
                    recipient,
                    key_id,
                    output,
                    utcnow(),
                    json.dumps(detail, default=str),
                ),
            )
            row = self._db.one(
                "SELECT * FROM shares WHERE source_digest = ? AND recipient = ?",
                (source_digest, recipient),
            )
        assert row is not None
        return _share(row)

    def find(self, source_digest: str | None = None) -> list[Share]:
        """Every share (of one table version when ``source_digest`` is given), oldest first."""
        if source_digest is None:
            return [_share(r) for r in self._db.rows("SELECT * FROM shares ORDER BY id")]
        return [
            _share(r)
            for r in self._db.rows(
                "SELECT * FROM shares WHERE source_digest = ? ORDER BY id", (source_digest,)
            )
        ]

    def sources(self) -> dict[str, str]:
        """Each shared table version's digest and the source path it was read from (latest)."""
        return {
            str(r[0]): str(r[1])
            for r in self._db.rows("SELECT source_digest, source FROM shares ORDER BY id")
        }

    def table_files(
        self, formats: tuple[str, ...] = ("csv", "tsv", "parquet")
    ) -> list[dict[str, Any]]:
        """Catalog files that are tables: path, digest, column names and asset."""
        rows = self._db.rows(
            "SELECT path, digest, digest_algorithm, columns, asset_id FROM files "
            f"WHERE format IN ({marks(len(formats))}) ORDER BY path",
            formats,
        )
        return [
            {
                "path": r[0],
                "digest": r[1],
                "algorithm": r[2],
                "columns": json.loads(r[3]) if r[3] else [],
                "asset_id": r[4],
            }
            for r in rows
        ]

    def files_larger(self, size: int, suffix: str, limit: int) -> list[dict[str, Any]]:
        """Catalog files larger than ``size`` bytes whose name ends with ``suffix`` (any when
        empty), smallest first: the files a truncated leak may be the start of."""
        rows = self._db.rows(
            "SELECT f.path, f.size, f.asset_id, a.name, a.uri FROM files f "
            "LEFT JOIN assets a ON a.id = f.asset_id "
            "WHERE f.size > ? AND lower(f.path) LIKE ? ORDER BY f.size, f.path LIMIT ?",
            (size, f"%{suffix.lower()}", limit),
        )
        return [
            {"path": r[0], "size": r[1], "asset_id": r[2], "asset": r[3], "uri": r[4]} for r in rows
        ]

    def files_with_digests(self, digests: list[str]) -> list[dict[str, Any]]:
        """Catalog files whose content digest is one of ``digests``, with their asset."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(digests), 500):
            chunk = digests[start : start + 500]
            rows = self._db.rows(
                "SELECT f.path, f.digest, f.asset_id, a.name, a.uri FROM files f "
                "LEFT JOIN assets a ON a.id = f.asset_id "
                f"WHERE f.digest IN ({marks(len(chunk))}) ORDER BY f.path",
                chunk,
            )
            found += [
                {"path": r[0], "digest": r[1], "asset_id": r[2], "asset": r[3], "uri": r[4]}
                for r in rows
            ]
        return found
