"""The re-identification check on trial tables held in an object store (moto's S3 server):
read through the scan's opener under the byte budget, never reported unreadable."""

from __future__ import annotations

import io
import uuid

import pyarrow as pa
import pyarrow.parquet as pq

from labwarden.checks.registry import all_checks
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import default_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.choose import choose_source
from labwarden.inventory.sources.s3 import S3Source
from labwarden.store.catalog import Catalog
from tests.s3server import client


def _dm(subjects: int) -> dict[str, list[str]]:
    return {
        "USUBJID": [f"CTX-{i:04d}" for i in range(subjects)],
        "AGE": [str(20 + i) for i in range(subjects)],
        "SEX": ["FM"[i % 2] for i in range(subjects)],
        "COUNTRY": ["DNK"] * subjects,
    }


def test_trial_tables_in_a_bucket_are_assessed(s3_endpoint: str, workspace: Workspace) -> None:
    s3 = client(s3_endpoint)
    name = f"lab-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    rows = _dm(40)
    csv = "USUBJID,AGE,SEX,COUNTRY\n" + "".join(
        ",".join(r) + "\n" for r in zip(*rows.values(), strict=True)
    )
    s3.put_object(Bucket=name, Key="sdtm/CTX-9/dm.csv", Body=csv.encode())
    buffer = io.BytesIO()
    pq.write_table(pa.table(rows), buffer)
    s3.put_object(Bucket=name, Key="sdtm/CTX-10/dm.parquet", Body=buffer.getvalue())
    with Catalog.open(workspace) as catalog:
        source = choose_source([f"s3://{name}"], endpoint_url=s3_endpoint)
        assert isinstance(source, S3Source)
        result = run_scan(
            catalog, source, default_policy(), checks=all_checks(), opener=source.open_record
        )
    privacy = {f.location.path: f for f in result.findings if f.check == "privacy"}
    assert set(privacy) == {
        f"s3://{name}/sdtm/CTX-9/dm.csv",
        f"s3://{name}/sdtm/CTX-10/dm.parquet",
    }
    for finding in privacy.values():
        assert finding.rule == "reidentification-risk", finding.message
        assert finding.evidence["rows"] == 40 and finding.evidence["k_anonymity"] == 1
        assert finding.evidence["subject_column"] is None  # one row per subject
        assert "USUBJID" in finding.evidence["direct_identifiers"]
