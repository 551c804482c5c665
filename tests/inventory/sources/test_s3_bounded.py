"""What an S3 scan holds in memory stays bounded: versions go to the catalog page by page, and
the cache of small objects counts what each entry costs beyond its bytes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import pytest

from labwarden.core.workspace import Workspace
from labwarden.inventory import collect
from labwarden.inventory.policy import default_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources import s3 as s3_source
from labwarden.inventory.sources.choose import after_scan
from labwarden.inventory.sources.s3 import S3Source
from labwarden.store.catalog import Catalog
from labwarden.store.objects import VersionRow
from tests.s3server import client


def test_versions_are_stored_while_the_scan_walks(
    s3_endpoint: str, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = client(s3_endpoint)
    name = f"lab-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    for i in range(6):
        s3.put_object(Bucket=name, Key=f"logs/run{i}.log", Body=b"step 1\n")
    for i in range(3):
        s3.put_object(Bucket=name, Key=f"logs/run{i}.log", Body=b"step 2\n")  # a second version
    s3.delete_object(Bucket=name, Key="logs/run5.log")  # a delete marker
    source = S3Source(f"s3://{name}", endpoint_url=s3_endpoint, page_size=2)
    monkeypatch.setattr(collect, "_BATCH", 2)  # a big bucket's many batches, in a small one
    with Catalog.open(workspace) as catalog:
        calls: list[int] = []
        store = catalog.object_versions
        record = store.record

        def spy(rows: Sequence[VersionRow], scan_id: int) -> None:
            calls.append(len(rows))
            record(rows, scan_id)

        monkeypatch.setattr(store, "record", spy)
        result = run_scan(catalog, source, default_policy())
        assert source.pending == []  # nothing left for after_scan: it was stored batch by batch
        assert sum(calls) == 6 + 3 + 1
        assert len(calls) > 1 and max(calls) < sum(calls)  # never the whole listing at once
        seen = store.listing(name)
        after_scan(catalog, source, result.scan_id)
        assert store.listing(name) == seen
    assert len(seen) == 10
    assert sum(v.row.delete_marker for v in seen) == 1
    assert {v.row.key for v in seen if v.row.is_latest and not v.row.delete_marker} == {
        f"logs/run{i}.log" for i in range(5)
    }


def test_the_cache_bound_counts_each_entrys_overhead(
    s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = client(s3_endpoint)
    name = f"lab-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    for i in range(10):
        s3.put_object(Bucket=name, Key=f"c/{i}.txt", Body=bytes([65 + i]) * 10)
    entry_cost = 10 + s3_source._CACHE_OVERHEAD
    monkeypatch.setattr(s3_source, "_CACHE_TOTAL", 4 * entry_cost)
    source = S3Source(f"s3://{name}", endpoint_url=s3_endpoint)
    for i in range(10):
        with source.open_object(f"c/{i}.txt", 10) as handle:
            assert handle.read() == bytes([65 + i]) * 10
    # Tiny objects: bytes alone (100) would fit all ten; with their overhead, four do.
    assert list(source._cache) == [(f"c/{i}.txt", None) for i in range(6, 10)]
    assert source._cached == 4 * entry_cost
    s3.delete_object(Bucket=name, Key="c/9.txt")
    with source.open_object("c/9.txt", 10) as handle:  # served from the cache
        assert handle.read() == b"J" * 10
    source._remember(("c/9.txt", None), b"J" * 10)  # the same object again is not counted twice
    assert source._cached == 4 * entry_cost
