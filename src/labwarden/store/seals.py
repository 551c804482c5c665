"""Seals: each signed manifest of an asset is a numbered version, with its verifications."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import astuple, dataclass
from typing import Any

from labwarden.core.errors import InputError
from labwarden.store.assets import AssetStore
from labwarden.store.db import Database, utcnow

_COLUMNS = (
    "id, asset_id, version, sealed_at, sealed_by, key_name, key_fingerprint, key_type, "
    "algorithm, method, root_digest, file_count, size, excluded_count, seal_path, bundle"
)


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


def _version(row: sqlite3.Row) -> AssetVersion:
    return AssetVersion(*(row[i] for i in range(16)))


class SealStore:
    """The ``asset_versions`` and ``seal_verifications`` tables."""

    def __init__(self, db: Database, assets: AssetStore) -> None:
        self._db = db
        self._assets = assets

    def next_number(self, asset_id: int) -> int:
        """The number the next seal of ``asset_id`` gets (ask inside the adding transaction)."""
        row = self._db.one(
            "SELECT COALESCE(MAX(version), 0) FROM asset_versions WHERE asset_id = ?", (asset_id,)
        )
        assert row is not None
        return int(row[0]) + 1

    def add(self, version: AssetVersion) -> AssetVersion:
        """Insert a sealed version (its ``id`` is assigned) and log a ``sealed`` asset event."""
        values = astuple(version)[1:]
        with self._db.transaction():
            cur = self._db.execute(
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
            self._assets.log(version.asset_id, None, "sealed", detail, at=version.sealed_at)
        return AssetVersion(cur.lastrowid, *values)

    def get(self, asset_id: int, version: int | None) -> AssetVersion:
        """Version ``version`` of an asset (the latest when ``None``); :class:`InputError` if
        there is none."""
        if version is None:
            row = self._db.one(
                f"SELECT {_COLUMNS} FROM asset_versions WHERE asset_id = ? "
                "ORDER BY version DESC LIMIT 1",
                (asset_id,),
            )
        else:
            row = self._db.one(
                f"SELECT {_COLUMNS} FROM asset_versions WHERE asset_id = ? AND version = ?",
                (asset_id, version),
            )
        if row is None:
            which = f"version v{version}" if version is not None else "any seal"
            known = ", ".join(f"v{v.version}" for v in self.versions(asset_id)) or "none"
            raise InputError(
                f"asset {asset_id} has no {which} in {self._db.path} (sealed versions: {known}); "
                f"`labwarden seal {asset_id}` makes one"
            )
        return _version(row)

    def versions(self, asset_id: int | None = None) -> list[AssetVersion]:
        """Sealed versions, by asset and version."""
        where, params = ("WHERE asset_id = ?", (asset_id,)) if asset_id is not None else ("", ())
        rows = self._db.rows(
            f"SELECT {_COLUMNS} FROM asset_versions {where} ORDER BY asset_id, version", params
        )
        return [_version(r) for r in rows]

    def latest(self) -> list[AssetVersion]:
        """The newest seal of every asset that is still in the catalog."""
        rows = self._db.rows(
            f"SELECT {', '.join('v.' + c.strip() for c in _COLUMNS.split(','))} "
            "FROM asset_versions v JOIN assets a ON a.id = v.asset_id "
            "WHERE v.version = (SELECT MAX(version) FROM asset_versions w "
            "WHERE w.asset_id = v.asset_id) ORDER BY v.asset_id"
        )
        return [_version(r) for r in rows]

    def record_verification(
        self, version_id: int, target: str, outcome: str, detail: dict[str, Any]
    ) -> None:
        """Remember that ``target`` was checked against a version, and the outcome."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO seal_verifications (version_id, checked_at, target, outcome, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                (version_id, utcnow(), target, outcome, json.dumps(detail, default=str)),
            )

    def verifications(self, version_id: int) -> list[dict[str, Any]]:
        """The recorded verifications of one version, oldest first."""
        rows = self._db.rows(
            "SELECT checked_at, target, outcome, detail FROM seal_verifications "
            "WHERE version_id = ? ORDER BY id",
            (version_id,),
        )
        return [
            {"checked_at": r[0], "target": r[1], "outcome": r[2], **json.loads(r[3])} for r in rows
        ]
