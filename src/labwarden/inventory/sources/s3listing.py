"""Which listing an ``s3://`` scan uses, and running it: ListObjectVersions or ListObjectsV2.

``GetBucketVersioning`` is asked once. A bucket whose versioning is ``Enabled`` or ``Suspended``
is listed with ``ListObjectVersions``: its old versions and delete markers are catalog history.
A bucket that was never versioned has no history, and is listed with ``ListObjectsV2`` (with
``FetchOwner``), which AWS answers faster and moto's server answers in linear time; its objects
become exactly the rows ``ListObjectVersions`` gives an unversioned bucket (version id ``null``,
latest, no delete marker), so a rescan after the change of listing sees nothing changed.

When ``GetBucketVersioning`` is denied, the listing is ``ListObjectVersions``; when that is
denied too (or the store does not implement it), ``ListObjectsV2`` without history. A
:class:`Note` says why. Listing pages come from boto3 (botocore parses the XML); their entries
are still read defensively: an entry without a key is passed over, odd fields become defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from labwarden.inventory.sources.interface import Note
from labwarden.store.objects import VersionRow

LIST_VERSIONS = "ListObjectVersions"
LIST_OBJECTS = "ListObjectsV2"
VERSIONED = frozenset({"Enabled", "Suspended"})
"""``GetBucketVersioning`` states of a bucket that has (or had) versions."""
DENIED = frozenset({"AccessDenied", "NotImplemented", "MethodNotAllowed"})
"""Error codes of a ``ListObjectVersions`` the caller may not (or the store cannot) answer."""
_PAGINATORS = {LIST_VERSIONS: "list_object_versions", LIST_OBJECTS: "list_objects_v2"}


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing, as catalog rows."""

    rows: tuple[VersionRow, ...]
    """Delete markers, then versions (or objects), in the order the page lists them."""
    history: bool
    """Whether the rows are catalog history (not when a fallback could not tell versions)."""


def error_code(exc: BaseException) -> str | None:
    """The S3 error code a botocore ``ClientError`` carries; ``None`` for other errors."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    error = response.get("Error")
    code = error.get("Code") if isinstance(error, dict) else None
    return str(code) if code else None


def _ns(when: object) -> int:
    if not isinstance(when, datetime):
        return 0
    return int(when.timestamp()) * 1_000_000_000 + when.microsecond * 1000


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return 0
    try:
        return max(int(value), 0)
    except ValueError:
        return 0


def _owner(raw: dict[str, Any]) -> str:
    owner = raw.get("Owner")
    if not isinstance(owner, dict):
        return ""
    return str(owner.get("DisplayName") or owner.get("ID") or "")


def parse_row(
    bucket: str, raw: object, *, marker: bool = False, current: bool = False
) -> VersionRow | None:
    """One listed version, delete marker or object as a catalog row (``None`` without a key).

    ``current``: the entry comes from ``ListObjectsV2``, which lists only current objects.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("Key"), str) or not raw["Key"]:
        return None
    return VersionRow(
        bucket=bucket,
        key=raw["Key"],
        version_id=str(raw.get("VersionId") or "null"),
        etag=str(raw.get("ETag") or "").strip('"'),
        size=_int(raw.get("Size", 0)),
        last_modified_ns=_ns(raw.get("LastModified")),
        is_latest=current or raw.get("IsLatest") is True,
        delete_marker=marker,
        owner=_owner(raw),
    )


def _entries(page: dict[str, Any], field: str) -> list[object]:
    found = page.get(field)
    return list(found) if isinstance(found, list) else []


def parse_page(bucket: str, page: object, operation: str) -> tuple[VersionRow, ...]:
    """The rows of one ``ListObjectVersions`` or ``ListObjectsV2`` page."""
    if not isinstance(page, dict):
        return ()
    if operation == LIST_OBJECTS:
        listed = [parse_row(bucket, raw, current=True) for raw in _entries(page, "Contents")]
    else:
        listed = [parse_row(bucket, raw, marker=True) for raw in _entries(page, "DeleteMarkers")]
        listed += [parse_row(bucket, raw) for raw in _entries(page, "Versions")]
    return tuple(row for row in listed if row is not None)


class Listing:
    """One listing of ``bucket/prefix``: it chooses the operation, then yields its pages."""

    def __init__(self, client: Any, bucket: str, prefix: str, page_size: int, url: str) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.page_size = page_size
        self.url = url
        self.operation = ""
        """The operation that lists the objects (empty until the listing starts)."""

    def choose(self) -> tuple[str, Note | None]:
        """The operation the bucket's versioning calls for, and a note when it is unknown."""
        try:
            got = self.client.get_bucket_versioning(Bucket=self.bucket)
        except Exception as exc:  # botocore's ClientError: denied, or not implemented
            code = error_code(exc)
            if code is None or code == "NoSuchBucket":
                raise
            why = f"GetBucketVersioning failed ({code}): listed with {LIST_VERSIONS}"
            return LIST_VERSIONS, Note(self.url, "scanned", why)
        status = got.get("Status") if isinstance(got, dict) else None
        return (LIST_VERSIONS if status in VERSIONED else LIST_OBJECTS), None

    def pages(self) -> Iterator[Page | Note]:
        """The notes on the choice, then every page, in key order."""
        operation, note = self.choose()
        if note is not None:
            yield note
        if operation == LIST_OBJECTS:
            yield from self._run(LIST_OBJECTS, history=True)
        else:
            yield from self._versions(fallback=note is not None)

    def _paginate(self, operation: str) -> Iterator[Any]:
        extra = {"FetchOwner": True} if operation == LIST_OBJECTS else {}
        paginator = self.client.get_paginator(_PAGINATORS[operation])
        pages = paginator.paginate(
            Bucket=self.bucket,
            Prefix=self.prefix,
            PaginationConfig={"PageSize": self.page_size},
            **extra,
        )
        return iter(pages)

    def _run(
        self, operation: str, *, history: bool, pages: Iterator[Any] | None = None
    ) -> Iterator[Page]:
        self.operation = operation
        for page in pages if pages is not None else self._paginate(operation):
            yield Page(parse_page(self.bucket, page, operation), history)

    def _versions(self, *, fallback: bool) -> Iterator[Page | Note]:
        pages = self._paginate(LIST_VERSIONS)
        try:
            first = next(pages, None)
        except Exception as exc:  # botocore's ClientError on the first call
            code = error_code(exc)
            if not fallback or code not in DENIED:
                raise
            why = (
                f"{LIST_VERSIONS} failed ({code}): listed with {LIST_OBJECTS}, history not recorded"
            )
            yield Note(self.url, "scanned", why)
            yield from self._run(LIST_OBJECTS, history=False)
            return
        head = [first] if first is not None else []
        yield from self._run(LIST_VERSIONS, history=True, pages=chain(head, pages))
