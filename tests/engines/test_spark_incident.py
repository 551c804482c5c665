"""``labwarden incident timeline|scope|report --engine spark``: the incident's lake queries on
Spark give the same timeline, blast radius and breach report as on DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labwarden.cli.app import app
from labwarden.core.incident import IncidentDraft, Scope
from labwarden.engines.spark import SparkEngine
from labwarden.store.catalog import Catalog
from tests.respond.incident.scenario import ATTACKER_EVENTS, BYTES_READ, STOLEN_KEY, build

pytestmark = pytest.mark.xdist_group("spark")


def test_timeline_scope_and_report_on_spark(spark_app: SparkEngine, tmp_path: Path) -> None:
    # spark_app is the running application: the commands use it as spark-submit's would be.
    scenario = build(tmp_path)
    with Catalog.open(scenario.workspace) as catalog:
        scope = Scope(selectors=[("access_key", STOLEN_KEY)])
        incident = str(catalog.incidents.open(IncidentDraft(title="key", scope=scope), "t").id)
    runner = CliRunner()
    ws = ["--workspace", str(scenario.workspace.root)]
    outputs: dict[str, dict[str, str]] = {}
    for engine in ("duckdb", "spark"):
        outputs[engine] = {}
        for command in (
            ["timeline", incident, "-f", "jsonl"],
            ["scope", incident, "-f", "json"],
            ["report", incident, "-f", "json"],
        ):
            result = runner.invoke(app, [*ws, "incident", *command, "--engine", engine])
            assert result.exit_code == 0, result.output
            outputs[engine][command[0]] = result.stdout
    lines = [json.loads(line) for line in outputs["spark"]["timeline"].splitlines()]
    assert sum(1 for line in lines if line.get("source") == "lake") >= ATTACKER_EVENTS
    assert json.loads(outputs["spark"]["scope"])["totals"]["bytes_read"]["value"] == BYTES_READ
    assert outputs["spark"]["timeline"] == outputs["duckdb"]["timeline"]
    assert json.loads(outputs["spark"]["scope"]) == json.loads(outputs["duckdb"]["scope"])
    spark_report = json.loads(outputs["spark"]["report"])
    duck_report = json.loads(outputs["duckdb"]["report"])
    for document in (spark_report, duck_report):  # what depends on when it was made
        document.pop("generated")
        document.pop("clock")
    assert spark_report == duck_report
