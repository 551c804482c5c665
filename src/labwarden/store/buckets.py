"""Buckets of object-store scans: how to reach each again, and its policy as last read."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from labwarden.store.db import Database, utcnow


@dataclass(frozen=True, slots=True)
class StoredBucket:
    """One bucket as the last scan of it left it."""

    name: str
    endpoint_url: str
    """Empty for AWS's own endpoint."""
    region: str
    policy: str | None
    """The bucket policy document (JSON text), if it has one and it could be read."""
    policy_state: str
    """``present``, ``absent`` (the bucket has none) or ``unknown`` (could not be read)."""
    policy_detail: str
    """Why the policy is unknown (the API's error code)."""
    read_at: str
    scan_id: int | None
    acl: str = "[]"
    """The ACL's grants to everyone and to any AWS account that take effect (JSON list of
    ``{"grantee", "permission"}``)."""
    acl_state: str = "unknown"
    """``present``, ``disabled`` (ACLs do not apply) or ``unknown`` (could not be read)."""
    acl_detail: str = ""


class BucketStore:
    """The ``buckets`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def remember(
        self,
        name: str,
        *,
        endpoint_url: str,
        region: str,
        policy: str | None,
        policy_state: str,
        policy_detail: str = "",
        scan_id: int | None = None,
        acl: tuple[str, str, str] = ("[]", "unknown", ""),
    ) -> None:
        """Record (or refresh) what a scan learned of a bucket; ``acl`` is the grants (JSON),
        their state and its detail (as :class:`StoredBucket` has them)."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO buckets (name, endpoint_url, region, policy, policy_state, "
                "policy_detail, read_at, scan_id, acl, acl_state, acl_detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET endpoint_url = excluded.endpoint_url, "
                "region = excluded.region, policy = excluded.policy, "
                "policy_state = excluded.policy_state, policy_detail = excluded.policy_detail, "
                "read_at = excluded.read_at, scan_id = excluded.scan_id, acl = excluded.acl, "
                "acl_state = excluded.acl_state, acl_detail = excluded.acl_detail",
                (
                    name,
                    endpoint_url,
                    region,
                    policy,
                    policy_state,
                    policy_detail,
                    utcnow(),
                    scan_id,
                    *acl,
                ),
            )

    def get(self, name: str) -> StoredBucket | None:
        """The bucket, if a scan listed it."""
        row = self._db.one("SELECT * FROM buckets WHERE name = ?", (name,))
        return None if row is None else _bucket(row)

    def all(self) -> list[StoredBucket]:
        """Every bucket scans listed, by name."""
        return [_bucket(r) for r in self._db.rows("SELECT * FROM buckets ORDER BY name")]


def _bucket(row: sqlite3.Row) -> StoredBucket:
    return StoredBucket(
        row["name"],
        row["endpoint_url"],
        row["region"],
        row["policy"],
        row["policy_state"],
        row["policy_detail"],
        row["read_at"],
        row["scan_id"],
        row["acl"],
        row["acl_state"],
        row["acl_detail"],
    )
