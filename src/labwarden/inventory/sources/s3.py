"""S3-compatible object stores (AWS, MinIO, Ceph...): listing, versions, ranged reads.

``s3://bucket/prefix`` is listed with ``ListObjectVersions`` when the bucket is (or was)
versioned, with ``ListObjectsV2`` when it never was (:mod:`s3listing` chooses, and notes why
when a call is denied): current versions are entries; every version and delete marker is
catalog history, stored page by page
(:meth:`S3Source.keep`, called by the scan after each batch) rather than held for the whole
listing. An object's ETag and version id are its ``version``: with size and last-modified time
they decide whether a rescan reads it again. Content is read with ranged GETs under a byte
budget (:mod:`objectio`); boto3 finds credentials the way it always does.
"""

from __future__ import annotations

import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from labwarden.core.asset import FileRecord
from labwarden.core.errors import InputError
from labwarden.inventory.sources.interface import Entry, Note
from labwarden.inventory.sources.objectio import DEFAULT_BUDGET, open_ranged
from labwarden.inventory.sources.s3listing import Listing, error_code
from labwarden.store.catalog import Catalog
from labwarden.store.objects import VersionRow

log = logging.getLogger(__name__)

INSTALL_HINT = "scanning s3:// needs boto3: pip install 'labwarden[cloud]'"
_CACHE_ITEM = 1024 * 1024
_CACHE_TOTAL = 64 * 1024 * 1024
_CACHE_OVERHEAD = 256
"""Bytes an entry of the cache costs beyond its data (key tuple and strings, the ``bytes``
header, the ordered dict's slot): counted, so that many tiny objects cannot outgrow the bound."""


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """What the source needs to read an object again."""

    bucket: str
    key: str
    version_id: str | None
    etag: str


def parse_url(url: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> ``(bucket, prefix)``."""
    if not url.startswith("s3://"):
        raise InputError(f"{url}: not an s3:// URL")
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not bucket:
        raise InputError(f"{url}: no bucket name")
    return bucket, prefix


def make_client(endpoint_url: str | None = None, region: str | None = None) -> Any:
    """A boto3 S3 client (credentials, region and retries as boto3 finds them)."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    session = boto3.session.Session()
    config = Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=16)
    return session.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region or session.region_name or "us-east-1",
        config=config,
    )


def client_error(url: str, exc: Exception) -> InputError:
    """A user-facing error for a failed S3 call."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        return InputError(f"{url}: {error.get('Code', 'error')}: {error.get('Message', exc)}")
    return InputError(f"{url}: {exc}")


class S3Source:
    """The objects below one ``s3://bucket/prefix``."""

    def __init__(
        self,
        url: str,
        *,
        client: Any = None,
        endpoint_url: str | None = None,
        exclude: tuple[str, ...] = (),
        budget: int = DEFAULT_BUDGET,
        page_size: int = 1000,
    ) -> None:
        self.bucket, self.prefix = parse_url(url)
        self.page_size = page_size
        self.url = url
        self.client = client if client is not None else make_client(endpoint_url)
        self.endpoint_url = endpoint_url or ""
        """The endpoint the scan was given (empty: AWS's own, as boto3 chooses it)."""
        self.roots: tuple[str, ...] = (f"s3://{self.bucket}/{self.prefix}".rstrip("/"),)
        self.exclude = exclude
        self.budget = budget
        self.pending: list[VersionRow] = []
        """Versions and delete markers the walk listed and :meth:`keep` has not stored yet (at
        most about a page of the listing)."""
        self._cache: OrderedDict[tuple[str, str | None], bytes] = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()
        self._listing: Listing | None = None

    def _excluded(self, key: str) -> bool:
        parts = key.split("/")
        return any(part in self.exclude for part in parts)

    @property
    def listed_with(self) -> str:
        """The operation the last walk listed with (``ListObjectsV2`` or ``ListObjectVersions``;
        empty before a walk)."""
        return self._listing.operation if self._listing is not None else ""

    def walk(self) -> Iterator[Entry | Note]:
        """Yield the current version of every object, in key order (:mod:`s3listing` chooses
        the listing and notes why when it had to fall back)."""
        self.pending = []
        self._listing = Listing(self.client, self.bucket, self.prefix, self.page_size, self.url)
        try:
            for page in self._listing.pages():
                if isinstance(page, Note):
                    yield page
                    continue
                if page.history:
                    self.pending.extend(page.rows)
                yield from self._entries(page.rows)
        except Exception as exc:  # botocore's errors: no bucket, no access, no endpoint
            if type(exc).__module__.startswith(("botocore", "boto3")):
                raise client_error(self.url, exc) from None
            raise

    def _entries(self, rows: tuple[VersionRow, ...]) -> Iterator[Entry | Note]:
        for version in rows:
            if not version.is_latest or version.delete_marker:
                continue
            path = f"s3://{self.bucket}/{version.key}"
            if version.key.endswith("/") and version.size == 0:
                continue  # a "folder" placeholder made by consoles
            if self._excluded(version.key):
                yield Note(path, "skipped", "excluded by policy")
                continue
            ref = ObjectRef(self.bucket, version.key, version.version_id, version.etag)
            yield Entry(
                path=path,
                size=version.size,
                mtime_ns=version.last_modified_ns,
                inode=0,
                mode=0,
                uid=0,
                owner=version.owner,
                handle=ref,
                version=f"{version.etag}/{version.version_id}",
            )

    def keep(self, catalog: Catalog, scan_id: int) -> None:
        """Store the versions and delete markers listed since the last call, and forget them."""
        rows, self.pending = self.pending, []
        if rows:
            catalog.object_versions.record(rows, scan_id)

    def policy(self) -> tuple[str, str | None, str]:
        """The bucket policy: ``(state, document, detail)``, state ``present``, ``absent`` (the
        bucket has none) or ``unknown`` (with the API's error in ``detail``)."""
        try:
            response = self.client.get_bucket_policy(Bucket=self.bucket)
        except Exception as exc:  # botocore's ClientError and connection errors
            code = error_code(exc) or type(exc).__name__
            if code == "NoSuchBucketPolicy":
                return "absent", None, ""
            return "unknown", None, code
        return "present", str(response["Policy"]), ""

    def open(self, entry: Entry) -> BinaryIO:
        """A seekable reader over ranged GETs of the entry's version."""
        ref = entry.handle
        assert isinstance(ref, ObjectRef)
        return self.open_object(ref.key, entry.size, ref.version_id)

    def open_object(self, key: str, size: int, version_id: str | None = None) -> BinaryIO:
        """A seekable reader over one object (one version of it).

        Small objects read whole once (detection fetches them in one GET) are kept in a bounded
        cache, so that the checks that read them next do not fetch them again.
        """
        with self._lock:  # checks read from several threads
            cached = self._cache.get((key, version_id))
            if cached is not None:
                self._cache.move_to_end((key, version_id))
        if cached is not None:
            return io.BytesIO(cached)
        extra = {"VersionId": version_id} if version_id and version_id != "null" else {}

        def fetch(start: int, end: int) -> bytes:
            try:
                response = self.client.get_object(
                    Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end}", **extra
                )
            except Exception as exc:
                raise OSError(str(client_error(f"s3://{self.bucket}/{key}", exc))) from None
            body = response["Body"]
            try:
                data: bytes = body.read()
            finally:
                body.close()
            if start == 0 and len(data) == size and size <= _CACHE_ITEM:
                self._remember((key, version_id), data)
            return data

        return open_ranged(f"s3://{self.bucket}/{key}", size, fetch, self.budget)

    def _remember(self, key: tuple[str, str | None], data: bytes) -> None:
        with self._lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._cached -= len(old) + _CACHE_OVERHEAD
            self._cache[key] = data
            self._cached += len(data) + _CACHE_OVERHEAD
            while self._cached > _CACHE_TOTAL:
                _, old = self._cache.popitem(last=False)
                self._cached -= len(old) + _CACHE_OVERHEAD

    def local_path(self, entry: Entry) -> None:
        """Objects have no local path."""
        return

    def stat_again(self, entry: Entry) -> tuple[int, int] | None:
        """The size and time the listing gave (a ranged read of a version cannot change)."""
        return entry.size, entry.mtime_ns

    def content_digest(self, entry: Entry) -> tuple[str, str] | None:
        """``("s3-etag", etag)``: objects are identified by their ETag, never downloaded whole."""
        ref = entry.handle
        assert isinstance(ref, ObjectRef)
        return "s3-etag", ref.etag

    def open_record(self, record: FileRecord) -> BinaryIO:
        """Open a catalog file of this bucket (the version the scan saw) for the checks."""
        bucket, key = parse_url(record.path)
        if bucket != self.bucket:
            raise OSError(f"{record.path}: not in s3://{self.bucket}")
        version = str(record.properties.get("version", ""))
        version_id = version.rpartition("/")[2] or None
        return self.open_object(key, record.size, version_id)
