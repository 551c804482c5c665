"""Identical, non-empty alerts on DuckDB and Spark over a generated month with attacks planted
by technique (the population's object reads plus CloudTrail with every planted technique),
with the bundled pack and every SigmaHQ CloudTrail rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from labwarden.engines.duckdb import connect as duckdb
from labwarden.engines.spark import SparkEngine
from labwarden.store.lake import Lake
from labwarden.watch.analytics.simulate import Attack, Scenario, write_lake
from labwarden.watch.analytics.simulate_trail import TECHNIQUES, Plant, write_trail
from labwarden.watch.detect.sigma.rules import bundled_rules_dir
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver
from tests.conftest import corpora_path
from tests.engines.test_spark_equivalence import detections, run_on

pytestmark = pytest.mark.xdist_group("spark")

SCENARIO = Scenario(
    principals=80,
    days=10,
    events_per_day=3000,
    seed=13,
    attacks=[Attack("stolen-key", 10, 8), Attack("insider", 5, 9)],
)
PLANTED_RULES = {
    "Logging Disabled or Altered",
    "AWS CloudTrail Important Change",
    "AWS Successful Console Login Without MFA",
    "Disk Snapshot, Image or Database Snapshot Shared",
    "AWS Snapshot Backup Exfiltration",
    "New Access Key for a Service Account",
    "AWS IAM Backdoor Users Keys",
    "IAM Persistence After Key Theft",
    "Public Access Granted on a Bucket",
    "Secrets Sweep",
    "Bucket Listing Sweep",
    "Bulk Read of Model or Dataset Objects",
    "Bulk Download Volume from Model or Dataset Storage",
    "Mass Object Deletion",
}
"""Rules each planted technique must set off (besides the population's own novelty alerts)."""


def test_planted_attacks_give_the_same_alerts(spark: SparkEngine, tmp_path: Path) -> None:
    sigmahq = corpora_path("sigma", "cloud", "aws", "cloudtrail")
    truth = write_lake(SCENARIO, tmp_path / "lake")
    victim = truth.roles.index("researcher")
    plants = [Plant(name, -1, victim) for name in TECHNIQUES]
    files = write_trail(SCENARIO, truth.principals, plants, tmp_path / "trail")
    result = ingest(files, Lake(tmp_path / "lake"), Resolver.empty())
    assert result.issues == []
    paths = [bundled_rules_dir(), sigmahq]
    expected = run_on(duckdb(), tmp_path / "lake", paths)
    found = run_on(spark, tmp_path / "lake", paths)
    assert found.rules_run == expected.rules_run
    assert detections(found) == detections(expected)
    titles = {d.rule.title for d in expected.detections}
    assert titles >= PLANTED_RULES, PLANTED_RULES - titles
    victim_name = truth.principals[victim]
    planted = [d for d in expected.detections if d.group.get("actor_user") == victim_name]
    assert {d.first_seen.date() for d in planted} == {SCENARIO.start.replace(day=10)}
    # The population's stolen key (new network, country and tool) is found too.
    stolen = next(name for (attack, name, _) in truth.attacks if attack.kind == "stolen-key")
    assert any(d.group.get("actor_user") == stolen for d in expected.detections)
