"""``labwarden detect --iam --engine spark``: the grant check runs on the run's engine and lake
(so over ``--lake s3a://`` too), with the same never-granted alerts and grant context as DuckDB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from labwarden.cli.app import app
from labwarden.engines.spark import SparkEngine
from labwarden.identity.grant_alerts import RULE_ID
from tests.identity.test_grant_check import RULE, _details, _identity, _records

pytestmark = pytest.mark.xdist_group("spark")

_VOLATILE = ("id", "created_at", "updated_at", "first_raised", "last_raised")


def _lab(root: Path) -> list[str]:
    """A workspace with the grant lab's CloudTrail ingested; its ``--workspace`` arguments."""
    (root / "logs").mkdir(parents=True)
    # A bucket-policy change before the stolen read: both engines must find and show it.
    change = {
        **_records()[0],
        "eventName": "PutBucketPolicy",
        "eventTime": "2026-11-08T12:00:00Z",
        "userIdentity": _identity("user", "bob"),
        "requestParameters": {"bucketName": "lab-trials", "policy": "{}"},
        "eventID": "ev-policy",
    }
    records = [*_records(), change]
    (root / "logs" / "trail.json").write_text(json.dumps({"Records": records}))
    (root / "auth.json").write_text(json.dumps(_details()))
    (root / "rule.yml").write_text(RULE)
    ws = ["--workspace", str(root / ".labwarden")]
    ingested = CliRunner().invoke(app, [*ws, "ingest", str(root / "logs")])
    assert ingested.exit_code == 0, ingested.output
    return ws


def _detect(root: Path, ws: list[str], *engine: str) -> list[dict[str, Any]]:
    runner = CliRunner()
    rules = ["--no-bundled", "--no-analytics", "--rules", str(root / "rule.yml")]
    run = runner.invoke(
        app, [*ws, "detect", *rules, "--iam", str(root / "auth.json"), "--fail-on", "high", *engine]
    )
    assert run.exit_code == 1, run.output  # the never-granted read is high
    listed = runner.invoke(app, [*ws, "alerts", "-f", "json", "-n", "100"])
    alerts: list[dict[str, Any]] = json.loads(listed.stdout)
    for alert in alerts:
        for key in _VOLATILE:
            alert.pop(key, None)
        for grant in alert.get("detail", {}).get("grants", []):
            grant.pop("alert", None)  # the never-granted alert's id in that catalog
    # Rule paths and evidence origins name the lab's own folder.
    text = json.dumps(alerts, sort_keys=True, default=str).replace(str(root), "LAB")
    found: list[dict[str, Any]] = json.loads(text)
    return sorted(found, key=lambda a: json.dumps(a, sort_keys=True))


def test_grant_verdicts_are_the_same_on_spark(spark_app: SparkEngine, tmp_path: Path) -> None:
    duck_ws = _lab(tmp_path / "duck")
    spark_ws = _lab(tmp_path / "spark")
    on_duckdb = _detect(tmp_path / "duck", duck_ws)
    # The lake named as --lake, as a cluster would name its s3a:// lake.
    lake = str(tmp_path / "spark" / ".labwarden" / "lake")
    on_spark = _detect(tmp_path / "spark", spark_ws, "--engine", "spark", "--lake", lake)
    never = [a for a in on_spark if a["rule"]["id"] == RULE_ID]
    assert [(a["principal"], a["group"]["bucket"]) for a in never] == [("i-0abc", "lab-trials")]
    why = " ".join(never[0]["detail"]["explanations"])
    assert "PutBucketPolicy by bob" in why
    assert never[0]["detail"]["role"] == "trainer"  # read from the evidence events
    assert on_spark == on_duckdb
