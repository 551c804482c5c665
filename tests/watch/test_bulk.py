"""The CloudTrail fast path stores exactly what the streaming parser stores, for any input."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labwarden.engines.duckdb import connect, create_events_view
from labwarden.store.lake import Lake
from labwarden.watch import bulk
from labwarden.watch.ingest import IngestResult, ingest
from labwarden.watch.resources import Resolver

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_TIMES = st.sampled_from(
    [
        "2026-10-01T08:00:00Z",
        "2026-10-01T23:59:59.123456Z",
        "2026-10-02T00:00:00+02:00",
        "2026-10-01T08:00:00",
        "not a time",
        "",
    ]
)
_IDENTITY = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["IAMUser", "AssumedRole", "Root", "AWSService", ""]),
        "userName": _TEXT,
        "arn": st.sampled_from(["arn:aws:iam::1:user/al", "arn:aws:sts::1:assumed-role/r/s"]),
        "principalId": _TEXT,
        "accountId": st.sampled_from(["1", "2"]),
        "accessKeyId": _TEXT,
        "invokedBy": _TEXT,
        "sessionContext": st.just({"sessionIssuer": {"userName": "role-x"}}),
    },
)
_RECORD = st.fixed_dictionaries(
    {"eventVersion": st.just("1.09"), "eventSource": st.just("s3.amazonaws.com")},
    optional={
        "eventTime": _TIMES,
        "eventName": st.sampled_from(["GetObject", "PutObject", "ListBuckets", "StopLogging"]),
        "userIdentity": _IDENTITY,
        "sourceIPAddress": st.sampled_from(["10.0.0.1", "198.51.100.7", "::1", "s3.amazonaws.com"]),
        "userAgent": _TEXT,
        "errorCode": st.sampled_from(["AccessDenied", ""]),
        "eventID": _TEXT,
        "requestParameters": st.fixed_dictionaries(
            {}, optional={"bucketName": _TEXT, "key": _TEXT}
        ),
        "additionalEventData": st.fixed_dictionaries(
            {},
            optional={
                "bytesTransferredOut": st.one_of(st.integers(-5, 10**12), st.just("12")),
                "bytesTransferredIn": st.integers(0, 100),
            },
        ),
        "resources": st.just([{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/k"}]),
        "awsRegion": st.sampled_from(["eu-west-1", "us-east-1"]),
    },
)


def _file(records: list[Any], shape: str, compressed: bool, tail: bytes) -> bytes:
    if shape == "container":
        data = json.dumps({"Records": records}, ensure_ascii=False).encode() + tail
    elif shape == "array":
        data = json.dumps(records, indent=1, ensure_ascii=False).encode() + tail
    else:
        data = b"\n".join(json.dumps(r, ensure_ascii=False).encode() for r in records) + tail
    return gzip.compress(data) if compressed else data


def _stored(lake: Lake) -> list[dict[str, Any]]:
    con = connect()
    create_events_view(con, lake.root)
    rows: list[dict[str, Any]] = con.table(
        "SELECT * EXCLUDE (day) FROM events ORDER BY origin_line, event_uid"
    ).to_pylist()
    return rows


def _run(path: Path, root: Path) -> tuple[IngestResult, list[dict[str, Any]]]:
    lake = Lake(root)
    return ingest([path], lake, Resolver.empty()), _stored(lake)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(st.one_of(_RECORD, _RECORD, _RECORD, st.just(1)), min_size=1, max_size=8),
    shape=st.sampled_from(["container", "array", "lines"]),
    compressed=st.booleans(),
    tail=st.sampled_from([b"", b"\n", b"\n\n", b"\xff", b"]"]),
)
def test_fast_path_equals_the_parser(
    records: list[Any], shape: str, compressed: bool, tail: bytes
) -> None:
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        root = Path(folder)
        path = root / ("trail.json.gz" if compressed else "trail.json")
        path.write_bytes(_file(records, shape, compressed, tail))
        fast, fast_rows = _run(path, root / "fast")

        def refuse(*_: object) -> bulk.Records:
            raise bulk.Unsupported("parser only")

        patch.setattr(bulk, "split_records", refuse)
        slow, slow_rows = _run(path, root / "slow")
    assert fast.events == slow.events
    assert fast_rows == slow_rows
    assert sorted(i.line for i in fast.issues) == sorted(i.line for i in slow.issues)


_REC = {"eventVersion": "1.09", "eventTime": "2026-10-01T08:00:00Z", "eventName": "GetObject"}


def test_hostile_files_are_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    rec = json.dumps(_REC)
    (tmp_path / "deep.json").write_text(
        '{"Records":[' + rec + "," + rec[:-1] + ',"x":' + "[" * 100_000 + "]" * 100_000 + "}]}"
    )
    (tmp_path / "deep.ndjson").write_text(rec + "\n" + "[" * 100_000 + "]" * 100_000 + "\n" + rec)
    # Blanks between records (a cheap way to make a document huge) cost little.
    blanks = b'{"Records":[' + rec.encode() + b"," + b" \n" * 3_000_000 + rec.encode() + b"]}"
    (tmp_path / "blanks.json.gz").write_bytes(gzip.compress(blanks))
    whole = gzip.compress(json.dumps({"Records": [_REC] * 4000}).encode(), compresslevel=1)
    (tmp_path / "cut.json.gz").write_bytes(whole[: len(whole) // 2])
    result = ingest([tmp_path], Lake(tmp_path / "lake"), Resolver.empty())
    events = {Path(f.path).name: f.events for f in result.files}
    assert events["deep.json"] == 1 and events["deep.ndjson"] == 2
    assert events["blanks.json.gz"] == 2
    assert 0 < events["cut.json.gz"] < 4000  # what precedes the damage
    problems = {Path(i.file).name: i.message for i in result.issues}
    assert "nested too deeply" in problems["deep.json"]
    assert "nested too deeply" in problems["deep.ndjson"]
    assert "truncated" in problems["cut.json.gz"]
