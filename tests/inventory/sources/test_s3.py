"""The S3 source against a real S3 API (moto's server): listing, versions, ranged reads."""

from __future__ import annotations

import json
import struct
import uuid
from typing import Any

import pytest

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import default_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.choose import after_scan, choose_source
from labwarden.inventory.sources.interface import Entry
from labwarden.inventory.sources.objectio import BudgetExceeded
from labwarden.inventory.sources.s3 import S3Source
from labwarden.store.catalog import Catalog
from tests.s3server import client


def safetensors(payload: bytes = b"\0" * 64) -> bytes:
    header = json.dumps({"w": {"dtype": "F32", "shape": [16], "data_offsets": [0, 64]}}).encode()
    return struct.pack("<Q", len(header)) + header + payload


def bucket(endpoint: str, versioned: bool = False) -> tuple[Any, str]:
    s3 = client(endpoint)
    name = f"lab-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return s3, name


def entries(source: S3Source) -> list[Entry]:
    return [e for e in source.walk() if isinstance(e, Entry)]


def test_listing_is_paginated_and_prefixed(s3_endpoint: str) -> None:
    s3, name = bucket(s3_endpoint)
    for i in range(7):
        s3.put_object(Bucket=name, Key=f"models/m{i}.txt", Body=b"x" * i)
    s3.put_object(Bucket=name, Key="other/x.txt", Body=b"y")
    s3.put_object(Bucket=name, Key="models/folder/", Body=b"")
    source = S3Source(f"s3://{name}/models/", endpoint_url=s3_endpoint, page_size=2)
    found = entries(source)
    assert [e.path for e in found] == [f"s3://{name}/models/m{i}.txt" for i in range(7)]
    assert [e.size for e in found] == list(range(7))
    assert all(e.version for e in found)


def test_ranged_reads_detect_formats_without_whole_downloads(s3_endpoint: str) -> None:
    s3, name = bucket(s3_endpoint)
    blob = safetensors(b"\0" * (3 * 1024 * 1024))
    s3.put_object(Bucket=name, Key="llm/model.safetensors", Body=blob)
    source = S3Source(f"s3://{name}", endpoint_url=s3_endpoint, budget=2 * 1024 * 1024)
    (entry,) = entries(source)
    with source.open(entry) as handle:
        head = handle.read(8)
        assert struct.unpack("<Q", head)[0] == len(blob) - 8 - 3 * 1024 * 1024
        handle.seek(-4, 2)
        assert handle.read() == b"\0\0\0\0"
        handle.seek(0)
        with pytest.raises(BudgetExceeded, match="byte budget"):
            handle.read()


def test_scan_catalogs_objects_and_rescans_by_etag(s3_endpoint: str, workspace: Workspace) -> None:
    s3, name = bucket(s3_endpoint, versioned=True)
    s3.put_object(Bucket=name, Key="models/bert/config.json", Body=b'{"model_type": "bert"}')
    s3.put_object(Bucket=name, Key="models/bert/model.safetensors", Body=safetensors())
    s3.put_object(Bucket=name, Key="data/trial.csv", Body=b"subject_id,age\n1,40\n")
    url = f"s3://{name}"
    with Catalog.open(workspace) as catalog:
        source = choose_source([url], endpoint_url=s3_endpoint)
        first = run_scan(catalog, source, default_policy())
        after_scan(catalog, source, first.scan_id)
        assert first.files_new == 3
        formats = {f.path.rsplit("/", 1)[-1]: f.format for f in catalog.files.under([url]).values()}
        assert formats["model.safetensors"] == "safetensors"
        assert formats["trial.csv"] == "csv"
        digests = {f.digest_algorithm for f in catalog.files.under([url]).values()}
        assert digests == {"s3-etag"}

        s3.put_object(Bucket=name, Key="data/trial.csv", Body=b"subject_id,age\n1,41\n")
        s3.delete_object(Bucket=name, Key="models/bert/config.json")
        source = choose_source([url], endpoint_url=s3_endpoint)
        second = run_scan(catalog, source, default_policy())
        after_scan(catalog, source, second.scan_id)
        assert (second.files_new, second.files_changed, second.files_unchanged) == (0, 1, 1)
        assert second.files_deleted == 1
        history = catalog.object_versions.history(name, "data/trial.csv")
        assert len(history) == 2 and sum(v.is_latest for v in history) == 1
        (gone,) = catalog.object_versions.deleted(name)
        assert gone.key == "models/bert/config.json" and gone.delete_marker


def test_errors_name_the_url(s3_endpoint: str) -> None:
    source = S3Source("s3://no-such-bucket-here", endpoint_url=s3_endpoint)
    with pytest.raises(InputError, match="s3://no-such-bucket-here: NoSuchBucket"):
        list(source.walk())
    with pytest.raises(InputError, match="one s3:// URL at a time"):
        choose_source(["s3://a", "/tmp"])
    with pytest.raises(InputError, match="no bucket name"):
        choose_source(["s3://"])


def test_checks_read_objects_through_the_source(s3_endpoint: str, workspace: Workspace) -> None:
    from labwarden.checks.registry import all_checks

    s3, name = bucket(s3_endpoint)
    # GLOBAL os.system, then REDUCE: a pickle that would run a command if loaded.
    evil = b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03."
    s3.put_object(Bucket=name, Key="models/evil/model.pkl", Body=evil)
    url = f"s3://{name}"
    with Catalog.open(workspace) as catalog:
        source = choose_source([url], endpoint_url=s3_endpoint)
        assert isinstance(source, S3Source)
        result = run_scan(
            catalog, source, default_policy(), checks=all_checks(), opener=source.open_record
        )
    assert not result.check_errors
    hits = [f for f in result.findings if f.check == "modelfile"]
    assert hits and hits[0].location.path == f"s3://{name}/models/evil/model.pkl"
    assert "os" in json.dumps(hits[0].evidence) or "system" in hits[0].message
