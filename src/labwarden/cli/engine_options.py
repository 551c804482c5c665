"""``--engine`` and ``--spark-master``: the query engine a lake-reading command runs on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from labwarden.cli.state import stderr
from labwarden.core.errors import InputError

if TYPE_CHECKING:
    from labwarden.engines.interface import Engine


class EngineName(StrEnum):
    """Query engines a lake-reading command can run on."""

    DUCKDB = "duckdb"
    SPARK = "spark"


EngineOpt = Annotated[
    EngineName,
    typer.Option("--engine", help="Query engine: duckdb (embedded) or spark."),
]
SparkMasterOpt = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="Spark master URL (default local[*]; spark://host:7077, yarn, k8s://...).",
    ),
]


def open_engine(engine: EngineName, master: str | None) -> Engine | None:
    """The engine ``--engine`` names (``None``: the default DuckDB session per run)."""
    if master and engine is not EngineName.SPARK:
        raise InputError("--spark-master needs --engine spark")
    if engine is EngineName.DUCKDB:
        return None
    from labwarden.engines.spark_session import connect

    stderr.print(f"starting Spark on {master or 'local[*]'}", markup=False)
    return connect(master)


@contextmanager
def query_engine(engine: EngineName, master: str | None) -> Iterator[Engine | None]:
    """:func:`open_engine` for the block, closed after it."""
    opened = open_engine(engine, master)
    try:
        yield opened
    finally:
        if opened is not None:
            opened.close()
