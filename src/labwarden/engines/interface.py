"""What every query engine offers: SQL over the lake and over Arrow tables handed to it.

Detections, ingest enrichment and analytics write their SQL once against this interface; DuckDB
(:mod:`labwarden.engines.duckdb`) is the default engine. Engines read and compute; they never
write the lake or the catalog (``store/`` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

Params = Sequence[Any] | dict[str, Any]
"""Bound values of a query: positional (``?``) or named (``$name``)."""


class EngineError(Exception):
    """The engine could not run a statement (bad SQL, a type it cannot convert, a file it
    cannot read); the message is the engine's."""


class Engine(Protocol):
    """An SQL engine session (one per thread; :meth:`cursor` gives another thread its own)."""

    def table(self, sql: str, params: Params | None = None) -> pa.Table:
        """The result of a query as an Arrow table."""
        ...

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """The result of a query as tuples."""
        ...

    def execute(self, sql: str, params: Params | None = None) -> None:
        """Run a statement (``CREATE TEMP TABLE``, ``DROP``, ``SET``...)."""
        ...

    def registered(self, name: str, table: pa.Table) -> AbstractContextManager[None]:
        """``table`` visible to queries as relation ``name`` while the block runs."""
        ...

    def columns(self, relation: str) -> list[str]:
        """The column names of a relation: a table or view name, or anything that may follow
        ``FROM`` (a parenthesized query, ``read_parquet(...)``); no rows are read."""
        ...

    def events_view(self, lake_root: Path | str, name: str = "events") -> int:
        """Create view ``name`` over the lake (typed and empty when it holds no events yet);
        the number of files it reads. ``lake_root`` is a folder, or a URL where the engine
        reads one (Spark: ``s3a://bucket/lake``)."""
        ...

    def cursor(self) -> Engine:
        """A session for another thread, sharing this one's database."""
        ...

    def close(self) -> None:
        """End the session."""
        ...
