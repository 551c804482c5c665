"""GCP Cloud Audit Logs, Azure Activity and Storage logs, and JSON Lines with a mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labwarden.core.errors import InputError
from labwarden.watch.parsers.azure_activity import AzureActivityParser
from labwarden.watch.parsers.azure_storage import AzureStorageParser
from labwarden.watch.parsers.base import Issue, LogFile, Parser
from labwarden.watch.parsers.gcp import GcpAuditParser
from labwarden.watch.parsers.jsonl import JsonLinesParser
from tests.watch.parsers.conftest import parse

GCP_ENTRY = {
    "protoPayload": {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        "status": {},
        "authenticationInfo": {"principalEmail": "trainer@acme.iam.gserviceaccount.com"},
        "requestMetadata": {"callerIp": "34.1.2.3", "callerSuppliedUserAgent": "gcloud/470"},
        "serviceName": "storage.googleapis.com",
        "methodName": "storage.objects.get",
        "resourceName": "projects/_/buckets/acme-datasets/objects/assays/part-0.parquet",
    },
    "insertId": "abc123",
    "resource": {"type": "gcs_bucket", "labels": {"project_id": "acme", "location": "eu"}},
    "timestamp": "2026-10-01T08:00:00.123456Z",
    "logName": "projects/acme/logs/cloudaudit.googleapis.com%2Fdata_access",
}
ACTIVITY = {
    "time": "2026-10-01T08:00:00Z",
    "resourceId": (
        "/SUBSCRIPTIONS/SUB-1/RESOURCEGROUPS/ML/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/acme"
    ),
    "operationName": "MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION",
    "category": "Administrative",
    "resultType": "Success",
    "callerIpAddress": "52.1.2.3",
    "correlationId": "c-1",
    "identity": {"claims": {"name": "alice@acme.example"}},
}
STORAGE = {
    "time": "2026-10-01T08:00:00Z",
    "resourceId": (
        "/subscriptions/sub-1/resourceGroups/ml/providers/Microsoft.Storage/storageAccounts/acme"
        "/blobServices/default"
    ),
    "category": "StorageRead",
    "operationName": "GetBlob",
    "statusCode": 200,
    "statusText": "Success",
    "callerIpAddress": "52.1.2.3:50123",
    "correlationId": "c-2",
    "identity": {"type": "OAuth", "requester": {"upn": "bob@acme.example"}},
    "properties": {
        "accountName": "acme",
        "userAgentHeader": "azcopy/10",
        "serviceType": "blob",
        "objectKey": "/acme/models/docking/run-1.ckpt",
        "responseBodySize": 2048,
    },
}


def test_gcp_array_export(tmp_path: Path) -> None:
    path = tmp_path / "gcp.json"
    path.write_text(json.dumps([GCP_ENTRY, {"insertId": "x"}], indent=2))
    events, issues = parse(GcpAuditParser(), path)
    assert len(issues) == 1 and "protoPayload" in issues[0].message
    (event,) = events
    assert event["resource_uri"] == "gs://acme-datasets/assays/part-0.parquet"
    assert event["actor_type"] == "service_account"
    assert event["activity"] == "read"
    assert event["src_ip"] == "34.1.2.3"


def test_azure_activity_records_container(tmp_path: Path) -> None:
    path = tmp_path / "PT1H.json"
    path.write_text(json.dumps({"records": [ACTIVITY]}))
    (event,), issues = parse(AzureActivityParser(), path)
    assert issues == []
    assert event["cloud_account"] == "SUB-1"
    assert event["actor_user"] == "alice@acme.example"
    assert event["activity"] == "update"


def test_azure_storage_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "storage.json"
    path.write_text(json.dumps(STORAGE) + "\n" + json.dumps({**STORAGE, "time": 5}) + "\n")
    events, issues = parse(AzureStorageParser(), path)
    assert [i.line for i in issues] == [2]
    (event,) = events
    assert event["resource_uri"] == "azure://acme/models/docking/run-1.ckpt"
    assert event["src_ip"] == "52.1.2.3"
    assert event["bytes"] == 2048 and event["actor_user"] == "bob@acme.example"


def test_jsonl_mapping(tmp_path: Path) -> None:
    path = tmp_path / "app.jsonl"
    path.write_text(
        json.dumps(
            {"ts": 1790841600, "who": {"name": "carol"}, "obj": "/models/x", "op": "GetObject"}
        )
        + "\n"
        + json.dumps({"who": {"name": "dave"}})
        + "\n"
    )
    parser = JsonLinesParser(
        {"time": "ts", "actor_user": "who.name", "resource_uri": "obj", "api_operation": "op"}
    )
    events, issues = parse(parser, path)
    assert [i.line for i in issues] == [2]
    (event,) = events
    assert event["actor_user"] == "carol" and event["resource_uri"] == "/models/x"
    assert event["activity"] == "read"
    with pytest.raises(InputError, match="not an event column"):
        JsonLinesParser({"nonsense": "x"})


PARSERS: list[Parser] = [
    GcpAuditParser(),
    AzureActivityParser(),
    AzureStorageParser(),
    JsonLinesParser(),
]


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
def test_untrusted_bytes_never_crash(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.json"
    for content in (data, b'{"records":[' + data, b"[" + data):
        path.write_bytes(content)
        for parser in PARSERS:
            issues: list[Issue] = []
            list(parser.parse(LogFile(path), issues.append))


def test_gcp_impersonation_is_the_caller_with_the_account_as_role(tmp_path: Path) -> None:
    """Forty researchers impersonating one service account stay forty principals."""
    entry = json.loads(json.dumps(GCP_ENTRY))
    entry["protoPayload"]["authenticationInfo"] = {
        "principalEmail": "trainer@acme-ml.iam.gserviceaccount.com",
        "serviceAccountDelegationInfo": [
            {"firstPartyPrincipal": {"principalEmail": "r17@acme.example"}}
        ],
    }
    workforce = json.loads(json.dumps(GCP_ENTRY))
    subject = "principal://iam.googleapis.com/locations/global/workforcePools/lab/subject/r18"
    workforce["protoPayload"]["authenticationInfo"] = {"principalSubject": subject}
    path = tmp_path / "gcp.json"
    path.write_text(json.dumps([entry, workforce, GCP_ENTRY]))
    events, issues = parse(GcpAuditParser(), path)
    assert issues == []
    who = [(e["actor_user"], e["actor_role"], e["actor_uid"]) for e in events]
    account = "trainer@acme-ml.iam.gserviceaccount.com"
    assert who[0] == ("r17@acme.example", account, account)
    assert who[1] == (subject, None, subject)
    assert who[2][1] is None
