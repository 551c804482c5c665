"""Catalog access for seals: asset versions (one per seal) and their verification records."""

# ruff: noqa: S608 -- queries interpolate only the constant column list, never user input.

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from labwarden.core.errors import InputError
from labwarden.core.finding import Finding
from labwarden.store.catalog import Catalog, utcnow

_COLUMNS = (
    "id, asset_id, version, sealed_at, sealed_by, key_name, key_fingerprint, key_type, "
    "algorithm, method, root_digest, file_count, size, excluded_count, seal_path, bundle"
)
_REF = re.compile(r"^(?P<asset>.+?)(?:@v?(?P<version>\d+))?$")


@dataclass(frozen=True, slots=True)
class AssetVersion:
    """One seal of an asset: version ``N`` with who sealed it, when, with which key."""

    id: int
    asset_id: int
    version: int
    sealed_at: str
    sealed_by: str
    key_name: str
    key_fingerprint: str
    key_type: str
    algorithm: str
    method: str
    root_digest: str
    file_count: int
    size: int
    excluded_count: int
    seal_path: str
    bundle: str

    @property
    def ref(self) -> str:
        """``ID@vN``."""
        return f"{self.asset_id}@v{self.version}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (without the bundle text)."""
        return {
            "ref": self.ref,
            "asset_id": self.asset_id,
            "version": self.version,
            "sealed_at": self.sealed_at,
            "sealed_by": self.sealed_by,
            "key": self.key_name,
            "key_fingerprint": self.key_fingerprint,
            "key_type": self.key_type,
            "algorithm": self.algorithm,
            "method": self.method,
            "root_digest": self.root_digest,
            "files": self.file_count,
            "size": self.size,
            "excluded": self.excluded_count,
            "seal_path": self.seal_path,
        }


def _row(row: sqlite3.Row) -> AssetVersion:
    return AssetVersion(*(row[i] for i in range(16)))


def parse_ref(text: str) -> tuple[str, int | None]:
    """Split ``ASSET@vN`` (or ``ASSET@N``, or ``ASSET`` for the latest) into its parts."""
    match = _REF.match(text.strip())
    if not match or not match.group("asset"):
        raise InputError(f"{text!r}: give an asset as ID, ID@vN or NAME@vN")
    version = match.group("version")
    return match.group("asset"), int(version) if version else None


def next_version(tx: sqlite3.Connection, asset_id: int) -> int:
    """The number the next seal of ``asset_id`` gets (call inside the inserting transaction)."""
    row = tx.execute(
        "SELECT COALESCE(MAX(version), 0) FROM asset_versions WHERE asset_id = ?", (asset_id,)
    ).fetchone()
    return int(row[0]) + 1


def add_version(tx: sqlite3.Connection, version: AssetVersion) -> AssetVersion:
    """Insert a sealed version (its ``id`` is assigned) and log a ``sealed`` asset event."""
    values = (
        version.asset_id,
        version.version,
        version.sealed_at,
        version.sealed_by,
        version.key_name,
        version.key_fingerprint,
        version.key_type,
        version.algorithm,
        version.method,
        version.root_digest,
        version.file_count,
        version.size,
        version.excluded_count,
        version.seal_path,
        version.bundle,
    )
    cur = tx.execute(
        f"INSERT INTO asset_versions ({_COLUMNS.removeprefix('id, ')}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        values,
    )
    assert cur.lastrowid is not None
    detail = {
        "version": version.version,
        "root_digest": version.root_digest,
        "key": version.key_name,
        "by": version.sealed_by,
        "files": version.file_count,
    }
    tx.execute(
        "INSERT INTO asset_events (asset_id, scan_id, at, change, detail) "
        "VALUES (?, NULL, ?, 'sealed', ?)",
        (version.asset_id, version.sealed_at, json.dumps(detail)),
    )
    return AssetVersion(cur.lastrowid, *values)


def get_version(catalog: Catalog, asset_id: int, version: int | None) -> AssetVersion:
    """Version ``version`` of an asset (the latest when ``None``); :class:`InputError` if none."""
    if version is None:
        row = catalog.conn.execute(
            f"SELECT {_COLUMNS} FROM asset_versions WHERE asset_id = ? "
            "ORDER BY version DESC LIMIT 1",
            (asset_id,),
        ).fetchone()
    else:
        row = catalog.conn.execute(
            f"SELECT {_COLUMNS} FROM asset_versions WHERE asset_id = ? AND version = ?",
            (asset_id, version),
        ).fetchone()
    if row is None:
        which = f"version v{version}" if version is not None else "any seal"
        known = ", ".join(f"v{v.version}" for v in list_versions(catalog, asset_id)) or "none"
        raise InputError(
            f"asset {asset_id} has no {which} in {catalog.path} (sealed versions: {known}); "
            f"`labwarden seal {asset_id}` makes one"
        )
    return _row(row)


def list_versions(catalog: Catalog, asset_id: int | None = None) -> list[AssetVersion]:
    """Sealed versions, by asset and version."""
    where, params = ("WHERE asset_id = ?", (asset_id,)) if asset_id is not None else ("", ())
    rows = catalog.conn.execute(
        f"SELECT {_COLUMNS} FROM asset_versions {where} ORDER BY asset_id, version", params
    )
    return [_row(r) for r in rows]


def latest_versions(catalog: Catalog) -> list[AssetVersion]:
    """The newest seal of every asset that is still in the catalog."""
    rows = catalog.conn.execute(
        f"SELECT {', '.join('v.' + c.strip() for c in _COLUMNS.split(','))} "
        "FROM asset_versions v JOIN assets a ON a.id = v.asset_id "
        "WHERE v.version = (SELECT MAX(version) FROM asset_versions w "
        "WHERE w.asset_id = v.asset_id) ORDER BY v.asset_id"
    )
    return [_row(r) for r in rows]


def record_verification(
    tx: sqlite3.Connection, version_id: int, target: str, outcome: str, detail: dict[str, Any]
) -> None:
    """Remember that ``target`` was checked against a version, and the outcome."""
    tx.execute(
        "INSERT INTO seal_verifications (version_id, checked_at, target, outcome, detail) "
        "VALUES (?, ?, ?, ?, ?)",
        (version_id, utcnow(), target, outcome, json.dumps(detail, default=str)),
    )


def verifications(catalog: Catalog, version_id: int) -> list[dict[str, Any]]:
    """The recorded verifications of one version, oldest first."""
    rows = catalog.conn.execute(
        "SELECT checked_at, target, outcome, detail FROM seal_verifications "
        "WHERE version_id = ? ORDER BY id",
        (version_id,),
    )
    return [{"checked_at": r[0], "target": r[1], "outcome": r[2], **json.loads(r[3])} for r in rows]


def record_drift(
    catalog: Catalog, tx: sqlite3.Connection, asset_id: int, findings: Sequence[Finding]
) -> None:
    """Store the ``seal`` findings of an asset; earlier ones that are gone are resolved.

    Verification runs are not scans: their findings carry no scan id (the column is nullable).
    """
    catalog.record_findings(tx, asset_id, ["seal"], findings, None)
