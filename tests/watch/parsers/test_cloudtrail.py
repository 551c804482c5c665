"""CloudTrail: the invictus corpus, containers, gzip, NDJSON, bad records, and the bulk SQL."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labwarden.core.events import SCHEMA
from labwarden.engines.duckdb import connect
from labwarden.watch.parsers.activity import activity_of
from labwarden.watch.parsers.base import Issue, LogFile
from labwarden.watch.parsers.cloudtrail import CloudTrailParser, bulk_sql, normalize
from tests.conftest import corpora_path
from tests.watch.parsers.conftest import parse

RECORD = {
    "eventVersion": "1.09",
    "userIdentity": {
        "type": "IAMUser",
        "arn": "arn:aws:iam::1:user/alice",
        "accountId": "1",
        "accessKeyId": "AKIAEXAMPLE",
        "userName": "alice",
    },
    "eventTime": "2026-10-01T08:00:00Z",
    "eventSource": "s3.amazonaws.com",
    "eventName": "GetObject",
    "awsRegion": "eu-west-1",
    "sourceIPAddress": "198.51.100.7",
    "userAgent": "Boto3/1.34",
    "requestParameters": {"bucketName": "acme-models-prod", "key": "docking/a.safetensors"},
    "additionalEventData": {"bytesTransferredOut": 1234, "bytesTransferredIn": 0},
    "eventID": "e-1",
    "recipientAccountId": "1",
}


def _files() -> list[Path]:
    return sorted(corpora_path("logs", "cloudtrail-invictus").glob("*.json"))


def test_invictus_corpus_parses_completely() -> None:
    parser = CloudTrailParser()
    total, issues = 0, []
    operations: set[str] = set()
    for path in _files():
        events, found = parse(parser, path)
        total += len(events)
        issues += found
        operations.update(str(e["api_operation"]) for e in events)
    assert total == 2900
    assert issues == []
    assert {"CreateVolume", "GetBucketAcl", "ConsoleLogin"} <= operations


def test_s3_data_event_fields(tmp_path: Path) -> None:
    path = tmp_path / "trail.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"Records": [RECORD]}).encode()))
    (event,), issues = parse(CloudTrailParser(), path)
    assert issues == []
    assert event["resource_uri"] == "s3://acme-models-prod/docking/a.safetensors"
    assert event["resource_type"] == "s3_object"
    assert event["activity"] == "read"
    assert event["actor_user"] == "alice"
    assert event["access_key"] == "AKIAEXAMPLE"
    assert event["bytes"] == 1234
    assert event["time"].isoformat() == "2026-10-01T08:00:00+00:00"
    assert json.loads(event["raw"])["eventID"] == "e-1"


def test_ndjson_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    lines = [json.dumps(RECORD), "{not json", json.dumps({**RECORD, "eventTime": None}), ""]
    lines.append(json.dumps({**RECORD, "eventID": "e-2"}))
    path.write_text("\n".join(lines) + "\n")
    events, issues = parse(CloudTrailParser(), path)
    assert [e["event_uid"] for e in events] == ["e-1", "e-2"]
    assert [(i.line, i.file) for i in issues] == [(2, str(path)), (3, str(path))]
    assert "not valid JSON" in issues[0].message


def test_truncated_container_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    text = json.dumps({"Records": [RECORD, {**RECORD, "eventID": "e-2"}]}, indent=1)
    path.write_text(text[: len(text) // 2 + 40])
    events, issues = parse(CloudTrailParser(), path)
    assert [e["event_uid"] for e in events] == ["e-1"]
    assert len(issues) == 1 and issues[0].line > 1


def _session(name: str, role: str = "ml-researcher", **context: str) -> dict[str, Any]:
    return {
        "type": "AssumedRole",
        "arn": f"arn:aws:sts::1:assumed-role/{role}/{name}",
        "sessionContext": {"sessionIssuer": {"userName": role}, **context},
    }


@pytest.mark.parametrize(
    ("identity", "who"),
    [
        # A named session is who acted: forty researchers in one role stay forty principals.
        (_session("r17"), "r17"),
        (_session("alice@lab.example", "AWSReservedSSO_Researcher_0a1b"), "alice@lab.example"),
        # sourceIdentity is set by the identity provider and survives role chaining.
        (_session("gha-17", "ci-runner", sourceIdentity="bob"), "bob"),
        # An instance's credentials act as the instance.
        (_session("i-0dbc91f429e48eeed", "app-server"), "i-0dbc91f429e48eeed"),
        # Made-up names (SDK timestamps, service numbers, task ids) name no one: the role acts.
        (_session("aws-go-sdk-1688990082523310002", "ops"), "ops"),
        (_session("botocore-session-1700000000", "train-job"), "train-job"),
        (_session("MandoService2842426183934887787", "AWSServiceRoleForInspector2"), None),
        (_session("4f0c1d2e3b4a59687766554433221100", "ecs-task"), "ecs-task"),
        (
            {"type": "FederatedUser", "arn": "arn:aws:sts::1:federated-user/carol"},
            "carol",
        ),
        ({"type": "IAMUser", "userName": "dave", "accessKeyId": "AKIA1"}, "dave"),
        ({"type": "Root", "arn": "arn:aws:iam::1:root"}, "root"),
    ],
)
def test_session_identity(identity: dict[str, Any], who: str | None) -> None:
    from labwarden.watch.parsers.cloudtrail import actor_user

    role = identity.get("sessionContext", {}).get("sessionIssuer", {}).get("userName")
    assert actor_user(identity) == (who or role)


def test_session_role_is_a_column_in_both_readings() -> None:
    record = {
        "eventVersion": "1.08",
        "eventTime": "2026-10-01T08:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "userIdentity": _session("r17"),
    }
    event = normalize(record, json.dumps(record))
    assert (event["actor_user"], event["actor_role"]) == ("r17", "ml-researcher")
    con = connect()
    with con.registered(
        "recs", pa.table({"raw": [json.dumps(record)], "origin_file": ["f"], "origin_line": [1]})
    ):
        row = con.rows(f"SELECT actor_user, actor_role FROM ({bulk_sql('recs')})")
    assert row == [("r17", "ml-researcher")]


def test_bulk_sql_equals_parser_on_corpus() -> None:
    from labwarden.watch.bulk import BulkFile, read_bytes, split_records

    con = connect()
    tables = []
    for path in _files():
        file = BulkFile(path, path.suffix == ".gz", 0, path.stat().st_size, 1, "x", 100_000)
        records = split_records(read_bytes(file), 1)
        tables.append(
            pa.table(
                {
                    "raw": records.raw,
                    "origin_file": [str(path)] * len(records.raw),
                    "origin_line": records.positions,
                }
            )
        )
    with con.registered("records_in", pa.concat_tables(tables)):
        table = con.table(bulk_sql("records_in"))
    assert table.schema.names == SCHEMA.names
    parser = CloudTrailParser()
    expected = {}
    for path in _files():
        for event in parse(parser, path)[0]:
            expected[(event["origin_file"], event["origin_line"])] = event
    rows = table.cast(SCHEMA).to_pylist()
    assert len(rows) == len(expected) == 2900
    for row in rows:
        event = expected[(row["origin_file"], row["origin_line"])]
        for column in SCHEMA.names:
            if column not in ("raw", "activity"):
                assert row[column] == event.get(column), (column, row["origin_file"])
        # Ingest derives the activity of bulk rows from their operation.
        assert row["activity"] is None
        assert activity_of(row["api_operation"]) == event["activity"]
        assert row["raw"] == event["raw"]  # both keep the record's own bytes


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=600))
def test_untrusted_bytes_never_crash(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.json"
    for content in (data, b'{"Records":[' + data, gzip.compress(data)):
        path.write_bytes(content)
        issues: list[Issue] = []
        events = list(CloudTrailParser().parse(LogFile(path), issues.append))
        if events:
            pa.Table.from_pylist(events, schema=SCHEMA)


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_a_record_too_deep_is_skipped_alone(tmp_path: Path, depth: int) -> None:
    """One record nested past what JSON readers allow costs that record, not its file."""
    from labwarden.store.lake import Lake
    from labwarden.watch.ingest import ingest
    from labwarden.watch.resources import Resolver

    texts = [json.dumps({**RECORD, "eventID": f"e-{i}"}) for i in range(4)]
    # Strings with brackets and escaped quotes must not confuse the search for its end.
    deep = '{"a": "]}\\"[{", "b":' + "[" * depth + '"x"' + "]" * depth + "}"
    texts[1] = texts[1][:-1] + f', "additionalEventData": {deep}}}'
    path = tmp_path / "trail.json"
    path.write_text('{"Records": [' + ",\n".join(texts) + "]}")
    events, issues = parse(CloudTrailParser(), path)
    assert [e["event_uid"] for e in events] == ["e-0", "e-2", "e-3"]
    assert [(i.line, i.message.split(":")[0]) for i in issues] == [(2, "record 2")]
    result = ingest([path], Lake(tmp_path / "lake"), Resolver.empty())
    assert result.events == 3 and [i.line for i in result.issues] == [2]
