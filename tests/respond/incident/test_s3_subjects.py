"""Data subjects of trial tables read from a bucket: the scope reads the objects again, at the
version scanned, through the endpoint the scan used (moto's S3 server)."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from labwarden.checks.registry import all_checks
from labwarden.core.events import LAKE_SCHEMA
from labwarden.core.incident import IncidentDraft, Scope
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import default_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.choose import after_scan, choose_source
from labwarden.inventory.sources.s3 import S3Source
from labwarden.respond.incident.scope import build_scope
from labwarden.store.catalog import Catalog
from labwarden.store.lake import Lake
from tests.s3server import client

KEY = "AKIASTOLENKEY0000001"


def _table(first: int, count: int) -> dict[str, list[str]]:
    ids = range(first, first + count)
    return {
        "USUBJID": [f"CTX-{i:04d}" for i in ids],
        "AGE": [str(20 + i % 50) for i in ids],
        "SEX": ["FM"[i % 2] for i in ids],
    }


def _read(name: str, key: str, asset_id: int, n: int) -> dict[str, object]:
    return {
        "time": datetime(2026, 3, 3, 2, n, tzinfo=UTC),
        "actor_user": "intruder",
        "access_key": KEY,
        "api_operation": "GetObject",
        "activity": "read",
        "resource_uri": f"s3://{name}/{key}",
        "asset_id": asset_id,
        "bytes": 100,
        "status": "success",
        "event_uid": f"u{n}",
    }


def test_subjects_of_tables_read_from_a_bucket(s3_endpoint: str, workspace: Workspace) -> None:
    s3 = client(s3_endpoint)
    name = f"lab-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    dm = _table(0, 40)
    csv = "USUBJID,AGE,SEX\n" + "".join(",".join(r) + "\n" for r in zip(*dm.values(), strict=True))
    s3.put_object(Bucket=name, Key="sdtm/dm.csv", Body=csv.encode())
    buffer = io.BytesIO()
    pq.write_table(pa.table(_table(30, 30)), buffer)  # 10 subjects in both tables
    s3.put_object(Bucket=name, Key="sdtm/ae.parquet", Body=buffer.getvalue())
    with Catalog.open(workspace) as catalog:
        source = choose_source([f"s3://{name}"], endpoint_url=s3_endpoint)
        assert isinstance(source, S3Source)
        scanned = run_scan(
            catalog, source, default_policy(), checks=all_checks(), opener=source.open_record
        )
        after_scan(catalog, source, scanned.scan_id)
        stored = catalog.buckets.get(name)
        assert stored is not None and stored.endpoint_url == s3_endpoint
        assert stored.policy_state == "present" and json.loads(stored.policy or "") == policy
        # the intruder overwrites dm.csv after the scan: the scope reads the scanned version
        s3.put_object(Bucket=name, Key="sdtm/dm.csv", Body=b"USUBJID,AGE,SEX\nX,1,M\n")
        files = catalog.files.under([f"s3://{name}"])
        ids = {path.rsplit("/", 1)[-1]: record.asset_id for path, record in files.items()}
        assert all(i is not None for i in ids.values())
        lake = Lake(workspace.lake_path).ensure()
        events = [_read(name, "sdtm/dm.csv", ids["dm.csv"] or 0, 1)]
        events.append(_read(name, "sdtm/ae.parquet", ids["ae.parquet"] or 0, 2))
        with lake.writing():
            part = pa.Table.from_pylist(events, LAKE_SCHEMA)
            lake.write_part("cloudtrail", "2026-03-03", "p1", part)
        lake.close()
        incident = catalog.incidents.open(
            IncidentDraft(title="t", scope=Scope(selectors=[("access_key", KEY)])), "t"
        )
        scope = build_scope(catalog, workspace, catalog.incidents.get(incident.id))
    personal = scope.personal
    assert personal.subjects.value == 60, personal.notes
    assert personal.records.value == 70
    assert {t.path.rsplit("/", 1)[-1]: t.subjects for t in personal.tables} == {
        "dm.csv": 40,
        "ae.parquet": 30,
    }
    risks = {t.path.rsplit("/", 1)[-1]: t.risk_source for t in personal.tables}
    assert risks["dm.csv"].startswith("privacy finding")  # the scan's check ran on the object
