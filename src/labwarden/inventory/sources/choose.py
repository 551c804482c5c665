"""Which source a scan's arguments name: local folders and files, or one ``s3://`` URL."""

from __future__ import annotations

from collections.abc import Sequence

from labwarden.core.errors import InputError
from labwarden.inventory.sources.interface import Source
from labwarden.inventory.sources.local import LocalSource
from labwarden.store.catalog import Catalog


def is_object_url(text: str) -> bool:
    """Whether ``text`` names an object store location."""
    return text.startswith("s3://")


def choose_source(
    paths: Sequence[str], *, exclude: tuple[str, ...] = (), endpoint_url: str | None = None
) -> Source:
    """A :class:`LocalSource` over local paths, or an S3 source over one ``s3://`` URL."""
    urls = [p for p in paths if is_object_url(p)]
    if not urls:
        if endpoint_url:
            raise InputError("--endpoint-url is for s3:// URLs")
        return LocalSource(list(paths), exclude=exclude)
    if len(paths) > 1:
        raise InputError("scan one s3:// URL at a time, and local paths in another scan")
    from labwarden.inventory.sources.s3 import S3Source  # boto3 only when it is needed

    return S3Source(urls[0], endpoint_url=endpoint_url, exclude=exclude)


def after_scan(catalog: Catalog, source: Source, scan_id: int) -> None:
    """Keep what a scan learned beyond files: the versions and delete markers of objects, and
    where the bucket is, its policy and its ACL's grants to everyone (so that later commands
    read the same bucket again and judge grants with them)."""
    from labwarden.inventory.sources.s3 import S3Source
    from labwarden.inventory.sources.s3_acl import read_acl

    if not isinstance(source, S3Source):
        return
    source.keep(catalog, scan_id)  # what the scan has not stored yet (all of it without a scan)
    state, policy, detail = source.policy()
    acl = read_acl(source.client, source.bucket)
    catalog.buckets.remember(
        source.bucket,
        endpoint_url=source.endpoint_url,
        region=str(source.client.meta.region_name or ""),
        policy=policy,
        policy_state=state,
        policy_detail=detail,
        scan_id=scan_id,
        acl=(acl.to_json(), acl.state, acl.detail),
    )
