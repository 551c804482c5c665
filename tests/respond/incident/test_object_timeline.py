"""Object versions and delete markers in an incident's timeline: an overwrite of a model in a
versioned bucket shows up even when no access log recorded it (moto's S3 server)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import default_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.choose import after_scan, choose_source
from labwarden.respond.incident import IncidentRequest, open_incident
from labwarden.respond.incident.timeline import build_timeline
from labwarden.store.catalog import Catalog
from tests.inventory.sources.test_s3 import safetensors
from tests.s3server import client


def _scan(catalog: Catalog, url: str, endpoint: str) -> None:
    source = choose_source([url], endpoint_url=endpoint)
    result = run_scan(catalog, source, default_policy())
    after_scan(catalog, source, result.scan_id)


def test_overwritten_and_deleted_objects_are_timeline_lines(
    s3_endpoint: str, workspace: Workspace
) -> None:
    s3 = client(s3_endpoint)
    name = f"lab-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=name, Key="models/lm/model.safetensors", Body=safetensors())
    s3.put_object(Bucket=name, Key="models/lm/config.json", Body=b'{"model_type": "gpt2"}')
    url = f"s3://{name}"
    with Catalog.open(workspace) as catalog:
        _scan(catalog, url, s3_endpoint)
        model = catalog.assets.get(f"{url}/models/lm")
        start = datetime.now(UTC) + timedelta(seconds=1)
        time.sleep(1.1)  # listings give times to the second: the breach comes after `start`
        trojan = safetensors(b"\1" * 64)
        bad = s3.put_object(Bucket=name, Key="models/lm/model.safetensors", Body=trojan)
        s3.delete_object(Bucket=name, Key="models/lm/config.json")
        _scan(catalog, url, s3_endpoint)
        incident = open_incident(
            catalog,
            "weights swapped",
            IncidentRequest(assets=[str(model.id)]),
            "responder",
            since=start.isoformat(),
        )
        timeline = build_timeline(catalog, workspace, incident)
        lines = [line for line in timeline.lines() if line.kind == "object"]
    # the model folder was removed from the catalog (its config is gone): its history stays
    assert sorted((line.timestamp_desc, line.fields["resource"]) for line in lines) == [
        ("Delete Marker Created", f"{url}/models/lm/config.json"),
        ("Object Version Created", f"{url}/models/lm/model.safetensors"),
    ]
    written = next(line for line in lines if line.timestamp_desc == "Object Version Created")
    assert bad["VersionId"] in written.message and "current" in written.message
    assert written.fields["asset_id"] == model.id
    assert written.to_dict()["datetime"].endswith("+00:00")
