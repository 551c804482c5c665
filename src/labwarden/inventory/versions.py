"""The history of objects in object stores, as scans listed it: every version and delete
marker below a location, and which versions were purged since.

A location is ``s3://bucket/prefix`` (or one object's key), or a catalog asset held in an
object store (its objects' history).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from labwarden.core.errors import InputError
from labwarden.store.catalog import Catalog
from labwarden.store.objects import SeenVersion


@dataclass(slots=True)
class ObjectHistory:
    """Versions and delete markers below one location."""

    bucket: str
    prefix: str
    versions: list[SeenVersion]
    counts: dict[str, int]

    def rows(self) -> list[dict[str, Any]]:
        """One row per version or delete marker, for tables and CSV."""
        return [version_row(v) for v in self.versions]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "bucket": self.bucket,
            "prefix": self.prefix,
            "counts": self.counts,
            "versions": [v.to_dict() for v in self.versions],
        }


def iso(ns: int) -> str:
    """An object time in ISO 8601, UTC, to the microsecond."""
    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat(timespec="microseconds")


def version_row(seen: SeenVersion) -> dict[str, Any]:
    """What a user reads of one version."""
    v = seen.row
    state = "delete marker" if v.delete_marker else "current" if v.is_latest else "older version"
    if seen.gone_in_scan is not None:
        state += f", purged (not listed by scan {seen.gone_in_scan})"
    return {
        "key": v.key,
        "version_id": v.version_id,
        "state": state,
        "last_modified": iso(v.last_modified_ns),
        "size": v.size,
        "etag": v.etag,
        "owner": v.owner,
        "seen": f"scans {seen.first_seen_scan}..{seen.last_seen_scan}",
    }


def location(catalog: Catalog, target: str) -> tuple[str, str]:
    """``(bucket, prefix)`` of an ``s3://`` URL, or of a catalog asset held in an object store."""
    uri = target
    if "://" not in target:
        uri = catalog.assets.get(target).uri
        if not uri.startswith("s3://"):
            raise InputError(f"{target}: asset at {uri} is not in an object store (no versions)")
    if not uri.startswith("s3://"):
        raise InputError(f"{target}: give an s3://bucket/prefix URL or an object-store asset")
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    if not bucket:
        raise InputError(f"{target}: no bucket name")
    if "://" not in target and prefix and not prefix.endswith("/"):
        # an asset folder's objects are below it; a one-object asset is its own key
        folder = catalog.object_versions.counts(bucket, prefix + "/")["objects"]
        prefix = prefix + "/" if folder else prefix
    return bucket, prefix


def object_history(
    catalog: Catalog, target: str, *, deleted: bool = False, limit: int | None = None
) -> ObjectHistory:
    """Every version and delete marker the scans saw below ``target``."""
    bucket, prefix = location(catalog, target)
    versions = catalog.object_versions.listing(bucket, prefix, deleted=deleted, limit=limit)
    counts = catalog.object_versions.counts(bucket, prefix)
    if counts["objects"] == 0:
        raise InputError(
            f"s3://{bucket}/{prefix}: no object versions in the catalog; "
            f"scan it first (labwarden scan s3://{bucket}/{prefix})"
        )
    return ObjectHistory(bucket, prefix, versions, counts)
