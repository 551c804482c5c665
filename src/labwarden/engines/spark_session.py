"""Starting Spark for labwarden: local mode by default, a cluster when given its master URL.

Sessions run in UTC (the lake's times are UTC; a session in another zone would move the day
of events near midnight), without the web UI, and with few shuffle partitions in local mode
(Spark's default of 200 makes each of a rule pack's small queries pay for 200 tasks). Under
``spark-submit`` the session that is already running is used as it was configured.
"""

from __future__ import annotations

import logging
import os
import shutil

from labwarden.core.errors import LabwardenError
from labwarden.engines.spark import SparkEngine

log = logging.getLogger(__name__)

DEFAULT_MASTER = "local[*]"
INSTALL_HINT = "the Spark engine needs PySpark: pip install 'labwarden[spark]'"


class SparkUnavailableError(LabwardenError):
    """PySpark or Java is missing, or Spark could not start."""


def _local_partitions(master: str) -> int:
    inside = master.removeprefix("local[").removesuffix("]")
    if master == "local":
        return 2
    cores = (os.cpu_count() or 2) if inside in ("*", "") else int(inside.split(",")[0])
    return max(2, 2 * cores)


def connect(
    master: str | None = None, *, conf: dict[str, str] | None = None, app: str = "labwarden"
) -> SparkEngine:
    """A :class:`SparkEngine` on ``master`` (default ``local[*]``), owning its session.

    An already active session (``spark-submit``, a notebook) is used instead when ``master``
    is not given; the engine then leaves it running when closed.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailableError(INSTALL_HINT) from None
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return SparkEngine(active.newSession())
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise SparkUnavailableError("the Spark engine needs Java 17 or later (no `java` on PATH)")
    # Under spark-submit the JVM is already up (its gateway port is in the environment) and
    # holds the master and resources given on its command line: keep them.
    submitted = master is None and bool(os.environ.get("PYSPARK_GATEWAY_PORT"))
    url = master or DEFAULT_MASTER
    builder = SparkSession.builder if submitted else SparkSession.builder.master(url)
    builder = (
        builder.appName(app)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if url.startswith("local") and not submitted:
        builder = builder.config("spark.sql.shuffle.partitions", str(_local_partitions(url)))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # Py4J and JVM start-up errors have no common base
        raise SparkUnavailableError(f"Spark could not start on {url}: {exc}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    log.debug("spark %s on %s", spark.version, url)
    return SparkEngine(spark, owns=True)
