"""Identical detections on DuckDB and Spark over the same lake: every SigmaHQ CloudTrail rule
and labwarden's whole pack on real CloudTrail and OpenSSH logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from labwarden.engines.duckdb import connect as duckdb
from labwarden.engines.interface import Engine
from labwarden.engines.spark import SparkEngine
from labwarden.store.lake import Lake
from labwarden.watch.detect.run import DetectResult, run_rules
from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver
from tests.conftest import corpora_path

pytestmark = pytest.mark.xdist_group("spark")


def detections(result: DetectResult) -> list[tuple[Any, ...]]:
    """Everything an alert is made of: rule, group, times, count, value, evidence events."""
    return sorted(
        (
            d.rule.id,
            sorted((k, str(v)) for k, v in d.group.items()),
            d.first_seen.isoformat(),
            d.last_seen.isoformat(),
            d.count,
            d.value,
            [str(e["event_uid"]) for e in d.evidence],
            d.fingerprint,
        )
        for d in result.detections
    )


def run_on(engine: Engine, lake: Path, rules_paths: list[Path]) -> DetectResult:
    rules = load(rules_paths)
    assert rules.problems == []
    engine.events_view(lake)
    result = run_rules(engine, rules.rules)
    assert result.problems == []
    return result


def test_sigmahq_cloudtrail_and_the_pack_on_real_logs(spark: SparkEngine, tmp_path: Path) -> None:
    # Real CloudTrail (an attack simulation) and a real OpenSSH log (brute force, spraying).
    lake = Lake(tmp_path / "lake")
    logs = [corpora_path("logs", "cloudtrail-invictus"), corpora_path("logs", "linux")]
    ingest(logs, lake, Resolver.empty())
    paths = [corpora_path("sigma", "cloud", "aws", "cloudtrail"), bundled_rules_dir()]
    expected = run_on(duckdb(), lake.root, paths)
    found = run_on(spark, lake.root, paths)
    assert found.rules_run == expected.rules_run >= 57 + 20
    assert len(expected.detections) >= 20
    assert {d.rule.kind for d in expected.detections} == {"detection", "correlation"}
    assert detections(found) == detections(expected)
    for detection in found.detections:
        assert detection.evidence and detection.evidence[0]["time"]


def test_role_members_for_routine_alike(spark: SparkEngine, tmp_path: Path) -> None:
    """Who acted through each role, each day (what routine suppression asks the lake)."""
    import pyarrow as pa

    from labwarden.watch.detect.routine import ROLE_MEMBERS_SQL, ROLES_TABLE, role_members

    lake = Lake(tmp_path / "lake")
    ingest([corpora_path("logs", "cloudtrail-invictus")], lake, Resolver.empty())
    roles = pa.table(
        {"role": ["stratus-red-team-ec2-steal-credentials-role", "AWSServiceRoleForRDS"]}
    )
    found = []
    for engine in (duckdb(), spark):
        engine.events_view(lake.root)
        with engine.registered(ROLES_TABLE, roles):
            found.append(role_members(engine.rows(ROLE_MEMBERS_SQL)))
    assert found[0] == found[1]
    assert "i-0dbc91f429e48eeed" in set().union(
        *found[0]["stratus-red-team-ec2-steal-credentials-role"].values()
    )
