"""Open catalog files held in object stores again, after their scan: the version the scan saw,
through the endpoint it used (``catalog.buckets``), under the usual byte budget. Commands that
read content later (the incident scope's count of data subjects) use it."""

from __future__ import annotations

from typing import BinaryIO

from labwarden.core.asset import FileRecord
from labwarden.inventory.sources.s3 import S3Source, parse_url
from labwarden.store.catalog import Catalog


class ObjectReader:
    """Opens ``s3://`` catalog files; one client per bucket, made when first needed."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._sources: dict[str, S3Source] = {}

    def open(self, record: FileRecord) -> BinaryIO:
        """A seekable reader of the version of ``record`` the catalog holds (``OSError`` if it
        cannot be read; :class:`~labwarden.core.errors.InputError` without boto3)."""
        bucket, _ = parse_url(record.path)
        source = self._sources.get(bucket)
        if source is None:
            stored = self._catalog.buckets.get(bucket)
            endpoint = stored.endpoint_url if stored is not None else ""
            source = S3Source(f"s3://{bucket}", endpoint_url=endpoint or None)
            self._sources[bucket] = source
        return source.open_record(record)
