"""``labwarden detect --engine spark``: the same detections, analytics and alerts in the catalog
as with DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labwarden.cli.app import app
from labwarden.core.workspace import Workspace
from labwarden.engines.spark import SparkEngine
from labwarden.store.catalog import Catalog
from tests.conftest import corpora_path

pytestmark = pytest.mark.xdist_group("spark")


def _fingerprints(workspace: Path) -> list[str]:
    with Catalog.open(Workspace(workspace)) as catalog:
        return sorted(a.fingerprint for a in catalog.alerts.find(limit=10_000))


def test_detect_on_spark_stores_the_same_alerts(spark_app: SparkEngine, tmp_path: Path) -> None:
    # spark_app is the running application: the command uses it as spark-submit's would be.
    runner = CliRunner()
    rules = str(corpora_path("sigma", "cloud", "aws", "cloudtrail"))
    logs = str(corpora_path("logs", "cloudtrail-invictus"))
    outputs = {}
    for engine in ("duckdb", "spark"):
        ws = ["--workspace", str(tmp_path / engine / ".labwarden")]
        assert runner.invoke(app, [*ws, "ingest", "--threads", "1", logs]).exit_code == 0
        result = runner.invoke(
            app,
            [*ws, "detect", "--rules", rules, "--engine", engine, "-f", "json"],
        )
        assert result.exit_code == 0, result.output
        outputs[engine] = json.loads(result.stdout)
    assert outputs["spark"] == outputs["duckdb"] and len(outputs["spark"]) >= 20
    spark_alerts = _fingerprints(tmp_path / "spark" / ".labwarden")
    assert spark_alerts == _fingerprints(tmp_path / "duckdb" / ".labwarden")
