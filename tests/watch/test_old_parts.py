"""Lake parts written before a column existed stay readable: views, detection, analytics and
compaction see the missing column as null."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from labwarden.core.events import LAKE_SCHEMA
from labwarden.engines.duckdb import connect, create_events_view
from labwarden.store.analytics import FeatureStore
from labwarden.store.lake import Lake
from labwarden.watch.analytics.engine import refresh
from labwarden.watch.detect.run import run_rules
from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load

# The columns of the first lake layout: no role, no inferred-sensitivity reason, no asset name.
OLD = [f for f in LAKE_SCHEMA if f.name not in ("actor_role", "asset_reason", "asset_name")]


def _old_part(lake: Path, day: int, name: str) -> None:
    when = datetime(2026, 10, 1, 9, tzinfo=UTC) + timedelta(days=day)
    rows = [
        {
            "time": when + timedelta(minutes=i),
            "class_uid": 6003,
            "activity": "read",
            "actor_user": "alice",
            "api_operation": "GetObject",
            "resource_uri": f"s3://b/models/x/{i}.bin",
            "resource_bucket": "b",
            "resource_key": f"models/x/{i}.bin",
            "event_uid": f"{name}-{i}",
            "bytes": 10,
            "raw": json.dumps({"i": i}),
        }
        for i in range(5)
    ]
    folder = lake / "source=cloudtrail" / f"day={when.date().isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema(OLD)), folder / f"{name}.parquet")


def test_old_parts_are_read_with_defaults(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    for day in range(3):
        _old_part(lake, day, f"old{day}")
    con = connect()
    assert create_events_view(con, lake) == 3
    assert con.rows("SELECT count(*), count(asset_name), count(actor_role) FROM events") == [
        (15, 0, 0)
    ]
    rules = load([bundled_rules_dir()])
    result = run_rules(con, rules.rules)
    assert result.problems == []
    store = FeatureStore(lake)
    assert len(refresh(con, lake, store)) == 3


def test_compaction_fills_missing_columns(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    _old_part(root, 0, "a")
    _old_part(root, 0, "b")
    lake = Lake(root).ensure()
    day = "2026-10-01"
    merged = lake.compact("cloudtrail", day, lake.day_parts("cloudtrail", day))
    assert merged is not None
    table = pq.read_table(merged)
    assert table.num_rows == 10 and table.schema.names == LAKE_SCHEMA.names
    assert table.column("actor_role").null_count == 10
