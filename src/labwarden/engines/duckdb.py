"""DuckDB, the embedded engine over the Parquet lake (the default :class:`Engine`).

Sessions never install or download extensions: only the built-in ``json``, ``parquet`` and
``icu`` are used. Times are UTC. DuckDB's own objects never leave this module: callers see
Arrow tables, tuples and :class:`EngineError`.

A session's memory is capped (:func:`memory_cap`) and what does not fit spills to a private
folder under the system's temporary directory (``TMPDIR``), removed when the session closes: a
lake larger than memory is read in one pass, at the cost of disk writes, where an uncapped
session would be killed by the kernel.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from labwarden.core.errors import InputError
from labwarden.core.events import LAKE_SCHEMA
from labwarden.engines.interface import Engine, EngineError, Params

log = logging.getLogger(__name__)

EVENTS_VIEW = "events"


class DuckDBEngine:
    """One DuckDB connection (or cursor) as an :class:`Engine`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, spill: Path | None = None) -> None:
        self._con = con
        self._spill = spill

    def table(self, sql: str, params: Params | None = None) -> pa.Table:
        """The result of a query as an Arrow table."""
        try:
            table = self._con.sql(sql, params=params).to_arrow_table()
        except duckdb.Error as exc:
            raise EngineError(str(exc)) from exc
        if table is None:  # pragma: no cover - DuckDB returns a table for every SELECT
            raise EngineError("the statement returned no result")
        return table

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """The result of a query as tuples."""
        try:
            return self._con.execute(sql, params).fetchall()
        except duckdb.Error as exc:
            raise EngineError(str(exc)) from exc

    def execute(self, sql: str, params: Params | None = None) -> None:
        """Run a statement."""
        try:
            self._con.execute(sql, params)
        except duckdb.Error as exc:
            raise EngineError(str(exc)) from exc

    @contextmanager
    def registered(self, name: str, table: pa.Table) -> Iterator[None]:
        """``table`` visible as relation ``name`` while the block runs (no copy is made)."""
        try:
            self._con.register(name, table)
        except duckdb.Error as exc:
            raise EngineError(str(exc)) from exc
        try:
            yield
        finally:
            try:
                self._con.unregister(name)
            except duckdb.Error as exc:  # a failed statement may have closed the session
                log.debug("unregister %s: %s", name, exc)

    def columns(self, relation: str) -> list[str]:
        """The column names of a relation: a table or view name, or anything that may follow
        ``FROM`` (a parenthesized query, ``read_parquet(...)``); no rows are read."""
        return [str(row[0]) for row in self.rows(f"DESCRIBE SELECT * FROM {relation}")]  # noqa: S608

    def events_view(self, lake_root: Path | str, name: str = EVENTS_VIEW) -> int:
        """Create view ``name`` over the lake (see :meth:`Engine.events_view`); a local folder
        only (reading object stores would need an extension DuckDB would download)."""
        if isinstance(lake_root, str) and "://" in lake_root:
            raise EngineError(f"{lake_root}: the DuckDB engine reads local lakes only")
        return create_events_view(self, Path(lake_root), name)

    def cursor(self) -> DuckDBEngine:
        """A session for another thread (DuckDB cursors do not inherit settings: set UTC)."""
        cursor = DuckDBEngine(self._con.cursor())
        cursor.execute("SET TimeZone = 'UTC'")
        return cursor

    def close(self) -> None:
        """Close the connection or cursor (and remove the session's spill folder)."""
        self._con.close()
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
            self._spill = None


MEMORY_ENV = "LABWARDEN_DUCKDB_MEMORY"
"""Environment variable that sets the memory cap of every DuckDB session (``8GB``, ``512MB``)."""
MEMORY_SHARE = 0.5
"""Share of the machine's memory a session may use by default: the rest is left to Python,
the Arrow results handed back and the rest of the machine (DuckDB's own default, 80 %, leaves
too little for them once a pass spills)."""
_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def memory_cap() -> str | None:
    """The memory cap of a new session: ``$LABWARDEN_DUCKDB_MEMORY``, else half the machine's
    memory (``None`` where the platform does not tell: DuckDB's own default)."""
    configured = os.environ.get(MEMORY_ENV, "").strip()
    if configured:
        if not _SIZE.fullmatch(configured):
            raise InputError(f"{MEMORY_ENV}={configured!r}: not a size such as 8GB or 512MB")
        return configured
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    return f"{max(256, int(total * MEMORY_SHARE) // 2**20)}MB"


def connect(*, threads: int | None = None, memory_limit: str | None = None) -> DuckDBEngine:
    """An in-memory DuckDB session with extension downloads disabled, UTC time, a memory cap
    (``memory_limit``, else :func:`memory_cap`) and a private spill folder."""
    con = duckdb.connect(":memory:")
    # DuckDB creates the folder only when a query spills.
    spill = Path(tempfile.gettempdir()) / f"labwarden-duckdb-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET parquet_metadata_cache = true")
        con.execute("SET enable_progress_bar = false")
        con.execute("SET temp_directory = ?", [str(spill)])
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        cap = memory_limit or memory_cap()
        if cap:
            con.execute("SET memory_limit = ?", [cap])
    except duckdb.Error as exc:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
        raise EngineError(f"cannot start DuckDB: {exc}") from exc
    return DuckDBEngine(con, spill)


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


def create_events_view(engine: Engine, lake_root: Path, name: str = EVENTS_VIEW) -> int:
    """Create view ``name`` over the lake (an empty typed view when it holds no events yet).

    Returns the number of Parquet files the view reads.
    """
    files = sorted(lake_root.glob("source=*/day=*/*.parquet")) if lake_root.is_dir() else []
    if not files:
        columns = ", ".join(f"NULL::{_type(f.type)} AS {f.name}" for f in LAKE_SCHEMA)
        engine.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT {columns}, NULL::VARCHAR AS source, "
            "NULL::DATE AS day WHERE false"
        )
        return 0
    pattern = lake_glob(lake_root).replace("'", "''")
    scan = (
        f"read_parquet('{pattern}', hive_partitioning = true, union_by_name = true, "
        "hive_types = {'source': 'VARCHAR', 'day': 'DATE'})"
    )
    # Parts written before a column existed lack it; union_by_name fills it in only when some
    # part has it, so a lake of old parts gets the column here, as NULL (or false).
    present = {row[0] for row in engine.rows(f"DESCRIBE SELECT * FROM {scan}")}  # noqa: S608
    missing = ", ".join(
        f"{'false' if _type(f.type) == 'BOOLEAN' else 'NULL'}::{_type(f.type)} AS {f.name}"
        for f in LAKE_SCHEMA
        if f.name not in present
    )
    engine.execute(
        f"CREATE OR REPLACE VIEW {name} AS SELECT *{', ' + missing if missing else ''} "  # noqa: S608
        f"FROM {scan}"
    )
    log.debug("events view over %d files", len(files))
    return len(files)
