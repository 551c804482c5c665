"""Spark, the engine for lakes one machine cannot scan in time (an :class:`Engine`).

The same SQL the DuckDB engine runs is translated per statement (:mod:`spark_sql`); results come
back as Arrow tables with times in UTC, so detections, analytics and alerts are built from them
exactly as from DuckDB's. ``CREATE TEMP TABLE`` becomes a persisted (memory, then disk) relation,
as DuckDB keeps such tables in memory. PySpark objects never leave this module and
:mod:`spark_session`: callers see Arrow tables, tuples and :class:`EngineError`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from labwarden.core.events import LAKE_SCHEMA
from labwarden.engines.interface import EngineError, Params
from labwarden.engines.spark_sql import Statement, translate

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

log = logging.getLogger(__name__)

EVENTS_VIEW = "events"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")
"""A relation given by name (``events``, ``global_temp.x``) rather than as a query."""
LAKE_FILES = "source=*/day=*/*.parquet"
"""The lake layout below its root (hive-style partitions ``source`` and ``day``)."""


def _errors() -> tuple[type[BaseException], ...]:
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    return (PySparkException, Py4JError)


class SparkEngine:
    """One Spark session (its own temporary relations) as an :class:`Engine`."""

    def __init__(self, spark: SparkSession, *, owns: bool = False) -> None:
        self._spark = spark
        self._owns = owns
        # Per session: times in UTC (a day near midnight must not move), partition values as
        # text (``source=123`` is a name, not a number; ``day`` is cast to a date).
        spark.conf.set("spark.sql.session.timeZone", "UTC")
        spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        self._cached: dict[str, DataFrame] = {}
        self._sources = 0

    @property
    def master(self) -> str:
        """The Spark master URL the session runs on."""
        return str(self._spark.sparkContext.master)

    def _run(self, sql: str, params: Params | None) -> tuple[Statement, DataFrame | None]:
        statement = translate(sql, params, self._parquet)
        log.debug("spark: %s %s", statement.kind, statement.sql)
        try:
            if statement.kind == "query":
                return statement, self._spark.sql(statement.sql)
            self._apply(statement)
        except _errors() as exc:
            raise EngineError(_message(exc)) from exc
        return statement, None

    def _apply(self, statement: Statement) -> None:
        if statement.kind == "table":
            self._forget(statement.name)
            frame = self._spark.sql(statement.sql).persist(_storage())
            frame.count()  # materialize now, as DuckDB does
            frame.createOrReplaceTempView(statement.name)
            self._cached[statement.name] = frame
        elif statement.kind == "view":
            self._forget(statement.name)
            self._spark.sql(statement.sql).createOrReplaceTempView(statement.name)
        elif statement.kind == "drop":
            self._forget(statement.name)

    def _forget(self, name: str) -> None:
        frame = self._cached.pop(name, None)
        if frame is not None:
            frame.unpersist()
        self._spark.catalog.dropTempView(name)

    def _parquet(self, paths: list[str], union_by_name: bool) -> str:
        """A temporary relation over Parquet files (``read_parquet`` in DuckDB SQL)."""
        self._sources += 1
        name = f"lw_parquet_{self._sources}"
        try:
            reader = self._spark.read.option("mergeSchema", str(union_by_name).lower())
            reader.parquet(*paths).createOrReplaceTempView(name)
        except _errors() as exc:
            raise EngineError(_message(exc)) from exc
        return name

    def table(self, sql: str, params: Params | None = None) -> pa.Table:
        """The result of a query as an Arrow table (times in UTC)."""
        statement, frame = self._run(sql, params)
        if frame is None:
            raise EngineError(f"the statement returned no result ({statement.kind})")
        try:
            result = frame.toArrow()
        except _errors() as exc:
            raise EngineError(_message(exc)) from exc
        # DuckDB's results are nullable throughout; Spark's say where no null can occur.
        return result.cast(pa.schema([f.with_nullable(True) for f in result.schema]))

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """The result of a query as tuples (through Arrow: times stay aware, in UTC)."""
        result = self.table(sql, params)
        columns = [result.column(i).to_pylist() for i in range(result.num_columns)]
        return list(zip(*columns, strict=True)) if columns else []

    def execute(self, sql: str, params: Params | None = None) -> None:
        """Run a statement; a query is run for its errors and its result dropped."""
        _, frame = self._run(sql, params)
        if frame is not None:
            try:
                frame.collect()
            except _errors() as exc:
                raise EngineError(_message(exc)) from exc

    @contextmanager
    def registered(self, name: str, table: pa.Table) -> Iterator[None]:
        """``table`` visible as relation ``name`` while the block runs."""
        try:
            frame = self._spark.createDataFrame(table)
            frame.createOrReplaceTempView(name)
        except _errors() as exc:
            raise EngineError(_message(exc)) from exc
        try:
            yield
        finally:
            self._spark.catalog.dropTempView(name)

    def columns(self, relation: str) -> list[str]:
        """The column names of a relation: a table or view name, or anything that may follow
        ``FROM`` in DuckDB SQL (``(SELECT ...)``, ``read_parquet(...)``), translated as any
        query is. Only the schema is resolved: no rows are read."""
        try:
            if _NAME.fullmatch(relation):
                return list(self._spark.table(relation).columns)
            _, frame = self._run(f"SELECT * FROM {relation} LIMIT 0", None)  # noqa: S608
            return list(frame.columns) if frame is not None else []
        except _errors() as exc:
            raise EngineError(_message(exc)) from exc

    def events_view(self, lake_root: Path | str, name: str = EVENTS_VIEW) -> int:
        """Create view ``name`` over the lake: a local folder or a Hadoop URL (``s3a://``).

        Like DuckDB's view, it has the union of the files' columns (``union_by_name``) and the
        partition columns ``source`` (text) and ``day`` (a date); an empty lake gives an empty
        view with every lake column. Returns the number of files read.
        """
        root = str(lake_root).rstrip("/")
        if isinstance(lake_root, Path) and not any(lake_root.glob(LAKE_FILES)):
            self._spark.createDataFrame([], lake_struct()).createOrReplaceTempView(name)
            return 0
        try:
            frame = (
                self._spark.read.option("basePath", root)
                .option("mergeSchema", "true")
                .parquet(f"{root}/{LAKE_FILES}")
            )
            frame = _lake_columns(frame)
            frame.createOrReplaceTempView(name)
            files = len(frame.inputFiles())
        except _errors() as exc:
            raise EngineError(_lake_message(root, exc)) from exc
        log.debug("events view over %d files", files)
        return files

    def cursor(self) -> SparkEngine:
        """A session for another thread: the same Spark application, its own relations."""
        return SparkEngine(self._spark.newSession())

    def close(self) -> None:
        """Drop what this session cached; stop Spark if this engine started it."""
        for name in list(self._cached):
            self._forget(name)
        if self._owns:
            self._spark.stop()


def lake_struct() -> StructType:
    """The lake's columns as a Spark schema, with the partition columns last."""
    from pyspark.sql import types as T

    kinds: dict[str, Any] = {
        "int32": T.IntegerType(),
        "int64": T.LongType(),
        "bool": T.BooleanType(),
        "string": T.StringType(),
    }
    fields = [
        T.StructField(
            f.name,
            T.TimestampType() if str(f.type).startswith("timestamp") else kinds[str(f.type)],
        )
        for f in LAKE_SCHEMA
    ]
    fields += [T.StructField("source", T.StringType()), T.StructField("day", T.DateType())]
    return T.StructType(fields)


def _lake_columns(frame: DataFrame) -> DataFrame:
    """The lake view's columns as DuckDB's view has them: the files' columns, then ``day``
    (a date) and ``source`` (text), then every lake column no file has yet (NULL, or false
    for a flag), so that ``SELECT *`` gives the same rows on both engines."""
    from pyspark.sql import functions as F

    struct = {f.name: f.dataType for f in lake_struct().fields}
    present = [c for c in frame.columns if c not in ("source", "day")]
    columns = [F.col(c) for c in present]
    columns += [F.col("day").cast("date").alias("day"), F.col("source").cast("string")]
    for lake_field in LAKE_SCHEMA:
        if lake_field.name not in present:
            kind = struct[lake_field.name]
            value = F.lit(False) if kind.typeName() == "boolean" else F.lit(None)
            columns.append(value.cast(kind).alias(lake_field.name))
    return frame.select(*columns)


def _storage() -> Any:
    from pyspark import StorageLevel

    return StorageLevel.MEMORY_AND_DISK


def _message(exc: BaseException) -> str:
    """The first line of Spark's message (its JVM stack trace is noise to a user)."""
    java = getattr(exc, "java_exception", None)
    text = str(java.toString() if java is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _lake_message(root: str, exc: BaseException) -> str:
    text = _message(exc)
    if "S3AFileSystem" in text or 'scheme "s3a"' in text:
        return (
            f"{root}: Spark cannot read s3a:// here: hadoop-aws and its AWS SDK must be on the "
            "classpath (spark-submit --packages org.apache.hadoop:hadoop-aws:<Hadoop version>)"
        )
    return f"{root}: {text}"
