"""DuckDB, the embedded engine over the Parquet lake.

Connections never install or download extensions: only the built-in ``json``, ``parquet`` and
``icu`` are used. Times are UTC.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from labwarden.core.events import LAKE_SCHEMA

log = logging.getLogger(__name__)

EVENTS_VIEW = "events"


def connect(
    *, threads: int | None = None, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with extension downloads disabled and UTC time."""
    con = duckdb.connect(":memory:")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET parquet_metadata_cache = true")
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute("SET memory_limit = ?", [memory_limit])
    return con


def query(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> pa.Table:
    """Run ``sql`` with named ``params`` and return the result as an Arrow table."""
    table = con.sql(sql, params=params).to_arrow_table()
    if table is None:  # pragma: no cover - DuckDB returns a table for every SELECT
        raise RuntimeError("DuckDB returned no result")
    return table


def lake_glob(lake_root: Path) -> str:
    """The glob of every event file of a lake."""
    return str(lake_root / "source=*" / "day=*" / "*.parquet")


def _type(field_type: object) -> str:
    text = str(field_type)
    if text.startswith("timestamp"):
        return "TIMESTAMPTZ"
    return {
        "int32": "INTEGER",
        "int64": "BIGINT",
        "bool": "BOOLEAN",
        "string": "VARCHAR",
    }.get(text, "VARCHAR")


def create_events_view(
    con: duckdb.DuckDBPyConnection, lake_root: Path, name: str = EVENTS_VIEW
) -> int:
    """Create view ``name`` over the lake (an empty typed view when it holds no events yet).

    Returns the number of Parquet files the view reads.
    """
    files = sorted(lake_root.glob("source=*/day=*/*.parquet")) if lake_root.is_dir() else []
    if not files:
        columns = ", ".join(f"NULL::{_type(f.type)} AS {f.name}" for f in LAKE_SCHEMA)
        con.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT {columns}, NULL::VARCHAR AS source, "
            "NULL::DATE AS day WHERE false"
        )
        return 0
    pattern = lake_glob(lake_root).replace("'", "''")
    con.execute(
        f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet('{pattern}', "  # noqa: S608
        "hive_partitioning = true, union_by_name = true, "
        "hive_types = {'source': 'VARCHAR', 'day': 'DATE'})"
    )
    log.debug("events view over %d files", len(files))
    return len(files)
