"""Lakes with canary touches for the canary tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.watch.service import ingest_paths


def trail(minute: int, name: str, **extra: Any) -> dict[str, Any]:
    """A CloudTrail record on 2026-10-01."""
    base: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "userName": "mallory",
            "arn": "arn:aws:iam::1:user/mallory",
            "accessKeyId": "AKIAREALKEY000000001",
        },
        "eventTime": f"2026-10-01T03:{minute:02d}:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.9",
        "userAgent": "aws-cli/2.15",
        "eventID": f"evt-{name}-{minute}",
    }
    base.update(extra)
    return base


def ingest_trail(tmp: Path, workspace: Workspace, records: list[dict[str, Any]]) -> None:
    """Write ``records`` as a CloudTrail file and ingest it."""
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / f"trail-{len(list(tmp.iterdir()))}.json"
    path.write_text(json.dumps({"Records": records}), encoding="utf-8")
    with Catalog.open(workspace) as catalog:
        ingest_paths(workspace, catalog, [path], threads=1)
