"""SigmaHQ rules: every CloudTrail rule converts and runs; auditd and GCP audit rules convert."""

from __future__ import annotations

from pathlib import Path

import pytest

from labwarden.engines.duckdb import connect, create_events_view
from labwarden.store.lake import Lake
from labwarden.watch.detect.run import run_rules
from labwarden.watch.detect.sigma.rules import load
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver
from tests.conftest import corpora_path


@pytest.fixture(scope="module")
def invictus_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = Lake(tmp_path_factory.mktemp("invictus") / "lake")
    ingest([corpora_path("logs", "cloudtrail-invictus")], lake, Resolver.empty())
    return lake.root


def test_all_cloudtrail_rules_convert_and_run(invictus_lake: Path) -> None:
    folder = corpora_path("sigma", "cloud", "aws", "cloudtrail")
    rules = load([folder])
    assert rules.problems == []
    assert len(rules.rules) == len(list(folder.glob("*.yml"))) == 57
    con = connect()
    create_events_view(con, invictus_lake)
    result = run_rules(con, rules.rules)
    assert result.problems == [] and result.rules_run == 57
    titles = {d.rule.title for d in result.detections}
    # Techniques of the Stratus Red Team simulation in the corpus.
    assert {
        "AWS IAM Backdoor Users Keys",
        "AWS Snapshot Backup Exfiltration",
        "AWS VPC Flow Logs Deleted",
        "AWS Bucket Deleted",
    } <= titles
    for detection in result.detections:
        assert detection.evidence, detection.rule.title
        assert all(e["source"] == "cloudtrail" for e in detection.evidence)


def test_auditd_and_gcp_audit_rules_convert() -> None:
    for parts, expected in ((("linux", "auditd"), 53), (("cloud", "gcp", "audit"), 16)):
        rules = load([corpora_path("sigma", *parts)])
        assert rules.problems == [], rules.problems[:3]
        assert len(rules.rules) == expected


def test_google_workspace_rules_are_reported_with_reason() -> None:
    rules = load([corpora_path("sigma", "cloud", "gcp", "gworkspace")])
    assert rules.rules == []
    assert len(rules.problems) == 10
    assert all("google_workspace" in p.reason for p in rules.problems)
