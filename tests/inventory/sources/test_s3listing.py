"""Which listing an S3 scan uses, against a real S3 API (moto's server): ListObjectsV2 for a
bucket never versioned, giving the very records ListObjectVersions gives; ListObjectVersions for
versioned (enabled or suspended) buckets; fallbacks with notes when a call is denied.

A denied call is simulated by wrapping the boto3 client so that one operation raises botocore's
``ClientError`` (what boto3 raises for an S3 ``AccessDenied``); every other call reaches moto.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import default_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.choose import after_scan
from labwarden.inventory.sources.interface import Entry, Note
from labwarden.inventory.sources.s3 import S3Source
from labwarden.inventory.sources.s3listing import (
    LIST_OBJECTS,
    LIST_VERSIONS,
    error_code,
    parse_page,
)
from labwarden.store.catalog import Catalog
from tests.s3server import CREDENTIALS, client


class Denying:
    """A boto3 S3 client on which some operations (by method or paginator name) are denied."""

    def __init__(self, real: Any, *denied: str, code: str = "AccessDenied") -> None:
        self.real = real
        self.denied = set(denied)
        self.code = code
        self.calls: list[str] = []

    def _error(self, operation: str) -> ClientError:
        return ClientError({"Error": {"Code": self.code, "Message": "Access Denied"}}, operation)

    def get_paginator(self, name: str) -> Any:
        self.calls.append(name)
        if name not in self.denied:
            return self.real.get_paginator(name)
        error = self._error(name)

        class Paginator:
            def paginate(self, **_: Any) -> Iterator[dict[str, Any]]:
                raise error
                yield {}  # a generator: the call fails on the first page, as botocore's does

        return Paginator()

    def __getattr__(self, name: str) -> Any:
        if name in self.denied:

            def deny(**_: Any) -> Any:
                self.calls.append(name)
                raise self._error(name)

            return deny
        return getattr(self.real, name)


def new_bucket(endpoint: str, status: str | None = None) -> tuple[Any, str]:
    s3 = client(endpoint)
    name = f"lst-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    if status is not None:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    return s3, name


def fill(s3: Any, name: str) -> None:
    for i in range(5):
        s3.put_object(Bucket=name, Key=f"models/run{i}/config.json", Body=b'{"i": %d}' % i)
    s3.put_object(Bucket=name, Key="models/run0/secrets/key.txt", Body=b"token")
    s3.put_object(Bucket=name, Key="models/folder/", Body=b"")
    s3.put_object(Bucket=name, Key="data/trial.csv", Body=b"subject_id,age\n1,40\n")


def walk(source: S3Source) -> tuple[list[Entry], list[Note]]:
    items = list(source.walk())
    return [e for e in items if isinstance(e, Entry)], [n for n in items if isinstance(n, Note)]


def test_a_never_versioned_bucket_is_listed_with_list_objects_v2_and_the_same_records(
    s3_endpoint: str,
) -> None:
    s3, name = new_bucket(s3_endpoint)
    fill(s3, name)
    url = f"s3://{name}"
    v2 = S3Source(url, client=client(s3_endpoint), page_size=2)
    entries, notes = walk(v2)
    assert v2.listed_with == LIST_OBJECTS and notes == []
    # The same bucket listed with ListObjectVersions (its versioning status denied to us):
    versions = S3Source(url, client=Denying(client(s3_endpoint), "get_bucket_versioning"))
    same, why = walk(versions)
    assert versions.listed_with == LIST_VERSIONS
    assert [n.reason for n in why] == [
        "GetBucketVersioning failed (AccessDenied): listed with ListObjectVersions"
    ]
    assert entries == same and len(entries) == 7
    assert v2.pending == versions.pending and len(v2.pending) == 8  # with the folder placeholder
    assert {(r.version_id, r.is_latest, r.delete_marker) for r in v2.pending} == {
        ("null", True, False)
    }
    assert all(r.owner and r.etag and r.last_modified_ns for r in v2.pending)
    assert all(e.version == f"{e.handle.etag}/null" for e in entries)  # type: ignore[attr-defined]
    # And the rows ListObjectVersions itself gives, page by page (boto3's own pagination):
    pages = client(s3_endpoint).get_paginator("list_object_versions").paginate(Bucket=name)
    assert [r for p in pages for r in parse_page(name, p, LIST_VERSIONS)] == v2.pending


@pytest.mark.parametrize("status", ["Enabled", "Suspended"])
def test_versioned_buckets_keep_their_history(s3_endpoint: str, status: str) -> None:
    """A suspended bucket keeps the versions it had: they are history too. (The history is made
    before suspending: moto's server drops a key's versions on a put or delete while suspended,
    where S3 keeps them.)"""
    s3, name = new_bucket(s3_endpoint, "Enabled")
    s3.put_object(Bucket=name, Key="data/trial.csv", Body=b"v1")
    s3.put_object(Bucket=name, Key="data/gone.csv", Body=b"v1")
    s3.put_object(Bucket=name, Key="data/trial.csv", Body=b"v2")
    s3.delete_object(Bucket=name, Key="data/gone.csv")
    if status == "Suspended":
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
        s3.put_object(Bucket=name, Key="data/new.csv", Body=b"n")  # a "null" version
    source = S3Source(f"s3://{name}", client=client(s3_endpoint))
    entries, notes = walk(source)
    assert source.listed_with == LIST_VERSIONS and notes == []
    current = ["data/trial.csv"] if status == "Enabled" else ["data/new.csv", "data/trial.csv"]
    assert [e.path for e in entries] == [f"s3://{name}/{key}" for key in current]
    rows = source.pending
    assert len(rows) == 3 + len(current) and sum(r.delete_marker for r in rows) == 1
    trial = sorted((r for r in rows if r.key == "data/trial.csv"), key=lambda r: r.is_latest)
    assert [r.is_latest for r in trial] == [False, True]
    assert "null" not in {r.version_id for r in trial}
    assert entries[-1].version == f"{trial[1].etag}/{trial[1].version_id}"
    if status == "Suspended":
        assert entries[0].version.endswith("/null")


def test_a_rescan_after_the_change_of_listing_sees_nothing_changed(
    s3_endpoint: str, workspace: Workspace
) -> None:
    s3, name = new_bucket(s3_endpoint)
    fill(s3, name)
    url = f"s3://{name}"
    with Catalog.open(workspace) as catalog:
        # The first scan lists with ListObjectVersions, as the previous revision always did.
        before = S3Source(url, client=Denying(client(s3_endpoint), "get_bucket_versioning"))
        first = run_scan(catalog, before, default_policy())
        after_scan(catalog, before, first.scan_id)
        assert before.listed_with == LIST_VERSIONS and first.files_new == 7
        files = catalog.files.under([url])
        history = catalog.object_versions.listing(name)
        for _ in range(2):
            source = S3Source(url, client=client(s3_endpoint), endpoint_url=s3_endpoint)
            again = run_scan(catalog, source, default_policy())
            after_scan(catalog, source, again.scan_id)
            assert source.listed_with == LIST_OBJECTS
            counts = (again.files_new, again.files_changed, again.files_deleted)
            assert counts == (0, 0, 0) and again.files_unchanged == 7
            assert not again.asset_changes and again.bytes_read == 0
            assert catalog.files.under([url]) == files
            assert [v.row for v in catalog.object_versions.listing(name)] == [
                v.row for v in history
            ]


def test_denied_versioning_falls_back_to_versions_with_a_note(s3_endpoint: str) -> None:
    s3, name = new_bucket(s3_endpoint, "Enabled")
    s3.put_object(Bucket=name, Key="a.txt", Body=b"1")
    s3.put_object(Bucket=name, Key="a.txt", Body=b"2")
    wrapped = Denying(client(s3_endpoint), "get_bucket_versioning")
    source = S3Source(f"s3://{name}", client=wrapped)
    entries, notes = walk(source)
    assert source.listed_with == LIST_VERSIONS
    assert [(n.path, n.action) for n in notes] == [(f"s3://{name}", "scanned")]
    assert "AccessDenied" in notes[0].reason
    assert len(entries) == 1 and len(source.pending) == 2  # history kept


def test_denied_versions_too_falls_back_to_objects_without_history(s3_endpoint: str) -> None:
    s3, name = new_bucket(s3_endpoint)
    fill(s3, name)
    wrapped = Denying(client(s3_endpoint), "get_bucket_versioning", "list_object_versions")
    source = S3Source(f"s3://{name}/models/", client=wrapped)
    entries, notes = walk(source)
    assert source.listed_with == LIST_OBJECTS
    assert wrapped.calls == ["get_bucket_versioning", "list_object_versions", "list_objects_v2"]
    reasons = [n.reason for n in notes if n.path == f"s3://{name}/models/"]
    assert reasons == [
        "GetBucketVersioning failed (AccessDenied): listed with ListObjectVersions",
        "ListObjectVersions failed (AccessDenied): listed with ListObjectsV2, history not recorded",
    ]
    assert len(entries) == 6 and source.pending == []  # no history: nothing to keep
    assert {e.version.rpartition("/")[2] for e in entries} == {"null"}


def test_a_store_without_versions_falls_back_too(s3_endpoint: str) -> None:
    s3, name = new_bucket(s3_endpoint)
    fill(s3, name)
    wrapped = Denying(
        client(s3_endpoint), "get_bucket_versioning", "list_object_versions", code="NotImplemented"
    )
    source = S3Source(f"s3://{name}", client=wrapped)
    entries, notes = walk(source)
    assert source.listed_with == LIST_OBJECTS and len(entries) == 7
    assert sum("NotImplemented" in n.reason for n in notes) == 2


def test_denied_versions_of_a_versioned_bucket_is_an_error(s3_endpoint: str) -> None:
    """Versioning is known to be on: listing without history would lose it silently."""
    s3, name = new_bucket(s3_endpoint, "Enabled")
    s3.put_object(Bucket=name, Key="a.txt", Body=b"1")
    source = S3Source(f"s3://{name}", client=Denying(client(s3_endpoint), "list_object_versions"))
    with pytest.raises(InputError, match=f"s3://{name}: AccessDenied"):
        walk(source)
    with pytest.raises(InputError, match="NoSuchBucket"):
        walk(S3Source("s3://no-such-bucket-listing", client=client(s3_endpoint)))


def test_prefix_pagination_and_exclusion_are_the_same_with_either_listing(
    s3_endpoint: str,
) -> None:
    s3, name = new_bucket(s3_endpoint)
    fill(s3, name)
    url = f"s3://{name}/models/"
    real = client(s3_endpoint)
    v2 = S3Source(url, client=real, page_size=2, exclude=("secrets",))
    items = list(v2.walk())
    versions = S3Source(
        url, client=Denying(real, "get_bucket_versioning"), page_size=2, exclude=("secrets",)
    )
    assert items == list(versions.walk())[1:]  # less the note on the denied versioning
    paths = [i.path for i in items if isinstance(i, Entry)]
    assert paths == [f"s3://{name}/models/run{i}/config.json" for i in range(5)]
    skipped = [(i.path, i.reason) for i in items if isinstance(i, Note)]
    assert skipped == [(f"s3://{name}/models/run0/secrets/key.txt", "excluded by policy")]
    assert {r.key for r in v2.pending} == {
        *(f"models/run{i}/config.json" for i in range(5)),
        "models/run0/secrets/key.txt",
        "models/folder/",
    }


def test_the_scan_reports_the_listing(s3_endpoint: str, tmp_path: Path) -> None:
    s3, name = new_bucket(s3_endpoint)
    s3.put_object(Bucket=name, Key="logs/train.log", Body=b"step 1\n")
    command = [sys.executable, "-m", "labwarden", "-w", str(tmp_path / "ws"), "scan"]
    command += [f"s3://{name}", "--endpoint-url", s3_endpoint, "--no-progress", "-f", "json"]
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **CREDENTIALS}, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["listed_with"] == LIST_OBJECTS
    assert f"s3://{name}: listed with ListObjectsV2" in done.stderr


# What a listing page may hold: botocore's shapes, and what an odd S3-compatible store sends.
_ODD = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.booleans(), st.lists(st.none()))
_WHEN = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
_OBJECT = st.fixed_dictionaries(
    {
        "Key": st.text(min_size=1, max_size=20),
        "ETag": st.text(alphabet="0123456789abcdef", min_size=32, max_size=32).map(
            lambda h: f'"{h}"'
        ),
        "Size": st.integers(0, 2**40),
        "LastModified": _WHEN,
    },
    optional={
        "Owner": st.fixed_dictionaries(
            {}, optional={"DisplayName": st.text(max_size=8), "ID": st.text(max_size=8)}
        ),
        "StorageClass": st.sampled_from(["STANDARD", "GLACIER"]),
    },
)
_RAW = st.one_of(
    _OBJECT,
    st.dictionaries(
        st.sampled_from(["Key", "ETag", "Size", "LastModified", "Owner", "IsLatest", "VersionId"]),
        st.one_of(_ODD, _WHEN, st.dictionaries(st.text(max_size=3), _ODD, max_size=2)),
    ),
    _ODD,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_OBJECT, max_size=8))
def test_an_unversioned_page_gives_the_same_rows_either_way(objects: list[dict[str, Any]]) -> None:
    v2 = {"Contents": objects, "KeyCount": len(objects)}
    versions = {"Versions": [{**o, "VersionId": "null", "IsLatest": True} for o in objects]}
    rows = parse_page("b", v2, LIST_OBJECTS)
    assert rows == parse_page("b", versions, LIST_VERSIONS)
    assert [r.key for r in rows] == [o["Key"] for o in objects]
    assert all(r.version_id == "null" and r.is_latest and not r.delete_marker for r in rows)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        _ODD,
        st.dictionaries(
            st.sampled_from(["Contents", "Versions", "DeleteMarkers", "IsTruncated"]),
            st.one_of(_ODD, st.lists(_RAW, max_size=5)),
        ),
    ),
    st.sampled_from([LIST_OBJECTS, LIST_VERSIONS]),
)
def test_odd_pages_never_break_the_listing(page: object, operation: str) -> None:
    rows = parse_page("b", page, operation)
    for row in rows:
        assert row.key and row.size >= 0 and row.last_modified_ns >= 0
        assert isinstance(row.owner, str) and isinstance(row.etag, str)


def test_error_codes_come_only_from_s3_answers() -> None:
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListObjectsV2")
    assert error_code(denied) == "AccessDenied"
    assert error_code(ClientError({}, "ListObjectsV2")) is None
    assert error_code(OSError("connection refused")) is None
