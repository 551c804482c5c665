"""The behaviour analytics on both engines over the same lake (a generated month and the real
corpora): the same daily aggregates, scores, explanations and evidence."""

from __future__ import annotations

import math
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from labwarden.engines.duckdb import connect as duckdb
from labwarden.engines.interface import Engine
from labwarden.engines.spark import SparkEngine
from labwarden.store.analytics import FeatureStore
from labwarden.store.lake import Lake
from labwarden.watch.analytics.engine import AnalyticsAlert, AnalyticsConfig, refresh, score
from labwarden.watch.analytics.simulate import Attack, Scenario, write_lake
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver
from tests.conftest import corpora_path

pytestmark = pytest.mark.xdist_group("spark")

SCENARIO = Scenario(
    principals=80,
    days=10,
    events_per_day=3000,
    seed=11,
    attacks=[Attack("stolen-key", 10, 8), Attack("insider", 5, 9)],
)
SCORED = [SCENARIO.start + timedelta(days=d) for d in (8, 9)]


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same generated lake twice (each engine keeps its aggregates beside its lake)."""
    root = tmp_path_factory.mktemp("month")
    write_lake(SCENARIO, root / "duckdb")
    shutil.copytree(root / "duckdb", root / "spark")
    return root / "duckdb", root / "spark"


def _analytics(
    engine: Engine, lake: Path, days: list[date] | None, config: AnalyticsConfig
) -> tuple[list[AnalyticsAlert], FeatureStore]:
    engine.events_view(lake)
    store = FeatureStore(lake)
    refreshed = refresh(engine, lake, store)
    assert refreshed
    return score(engine, store, days or refreshed, config), store


def _close(a: Any, b: Any) -> bool:
    """Equal, floats within 1e-9 relative (sums in another order differ in the last bits)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _same_analytics(
    spark: SparkEngine, lakes: tuple[Path, Path], days: list[date] | None, config: AnalyticsConfig
) -> list[AnalyticsAlert]:
    """Run the analytics on DuckDB over ``lakes[0]`` and on Spark over ``lakes[1]`` (copies),
    check that everything they store and return is the same; DuckDB's alerts."""
    duck = duckdb()
    expected, duck_store = _analytics(duck, lakes[0], days, config)
    found, spark_store = _analytics(spark, lakes[1], days, config)
    assert spark.columns("events") == duck.columns("events")
    for kind in ("features", "facts"):
        assert spark_store.days(kind) == duck_store.days(kind)
        for day in duck_store.days(kind):
            keys = ["principal"] if kind == "features" else ["principal", "kind", "value"]
            ours = pq.read_table(duck_store.path(kind, day)).sort_by(
                [(k, "ascending") for k in keys]
            )
            theirs = pq.read_table(spark_store.path(kind, day)).sort_by(
                [(k, "ascending") for k in keys]
            )
            assert theirs.schema == ours.schema
            assert theirs.to_pylist() == ours.to_pylist(), (kind, day)
    assert [(a.principal, a.day, a.risk, a.role) for a in found] == [
        (a.principal, a.day, a.risk, a.role) for a in expected
    ]
    for ours, theirs in zip(expected, found, strict=True):
        assert theirs.title == ours.title
        assert _close(theirs.points, ours.points)
        assert _close(theirs.components, ours.components)
        assert _close(theirs.baseline, ours.baseline)
        assert theirs.evidence == ours.evidence
    return expected


def test_analytics_on_a_generated_month(spark: SparkEngine, lakes: tuple[Path, Path]) -> None:
    expected = _same_analytics(spark, lakes, SCORED, AnalyticsConfig())
    assert len(expected) >= 2


def test_analytics_on_the_real_corpora(spark: SparkEngine, tmp_path: Path) -> None:
    # Real CloudTrail and S3 server access logs; every day is scored (no warm-up, no floor)
    # so that each principal's score, explanation and evidence is compared.
    lake = Lake(tmp_path / "duckdb")
    logs = [corpora_path("logs", "cloudtrail-invictus"), corpora_path("logs", "s3-server-access")]
    ingest(logs, lake, Resolver.empty())
    shutil.copytree(lake.root, tmp_path / "spark")
    config = AnalyticsConfig(warmup_days=0, min_risk=0.0, budget=50, evidence_events=5)
    expected = _same_analytics(spark, (lake.root, tmp_path / "spark"), None, config)
    assert len(expected) >= 3
