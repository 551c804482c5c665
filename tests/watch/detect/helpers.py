"""Build small lakes of CloudTrail events for detection tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from labwarden.engines.duckdb import DuckDBEngine, connect, create_events_view
from labwarden.store.lake import Lake
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver

START = datetime(2026, 10, 1, 0, 0, tzinfo=UTC)


def record(minute: float, user: str, name: str, **extra: Any) -> dict[str, Any]:
    """A CloudTrail record ``minute`` minutes after :data:`START`."""
    when = START + timedelta(minutes=minute)
    base: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "userName": user, "arn": f"arn:aws:iam::1:user/{user}"},
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "s3.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "Boto3",
        "eventID": f"{user}-{name}-{minute}",
    }
    base.update(extra)
    return base


def lake_of(tmp_path: Path, records: list[dict[str, Any]]) -> tuple[Path, DuckDBEngine]:
    """Ingest ``records`` into a fresh lake; a connection with the ``events`` view."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "trail.json"
    src.write_text(json.dumps({"Records": records}))
    lake = Lake(tmp_path / "lake")
    ingest([src], lake, Resolver.empty())
    con = connect()
    create_events_view(con, lake.root)
    return lake.root, con


def write_rule(folder: Path, name: str, text: str) -> Path:
    """Write one rule file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path
