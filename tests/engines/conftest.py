"""One Spark application for the whole test session (its start-up is paid once).

Spark tests are marked ``xdist_group("spark")`` so that ``--dist loadgroup`` runs them all in
one worker, the one that holds this session; each test works in its own Spark session (its
own temporary relations) of the same application.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from labwarden.engines.spark import SparkEngine


@pytest.fixture(scope="session")
def spark_app() -> Iterator[SparkEngine]:
    """The session's Spark application in local mode (two cores, two shuffle partitions)."""
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        if os.environ.get("CI"):
            pytest.fail("CI must have Java for the Spark tests (.ci/run installs it)")
        pytest.skip("the Spark tests need Java")
    from labwarden.engines.spark_session import connect

    engine = connect("local[2]", conf={"spark.sql.shuffle.partitions": "2"})
    yield engine
    engine.close()


@pytest.fixture
def spark(spark_app: SparkEngine) -> Iterator[SparkEngine]:
    """A fresh Spark session of the test application."""
    engine = spark_app.cursor()
    yield engine
    engine.close()
