"""The demo lab's 30 days of access logs: the bundled pack finds the intrusion, not the staff."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labwarden.core.workspace import Workspace
from labwarden.demo.lab import Lab
from labwarden.demo.steps.watch import LOG_FOLDERS, demo_resources
from labwarden.store.catalog import Catalog
from labwarden.watch.ingest import IngestResult
from labwarden.watch.service import DetectRun, compile_rules, detect, ingest_paths

DemoRun = tuple[Lab, IngestResult, DetectRun]


@pytest.fixture(scope="module")
def demo_run(demo_lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    workspace = Workspace(tmp_path_factory.mktemp("demo-watch") / ".labwarden").ensure()
    (workspace.root / "resources.toml").write_text(demo_resources(demo_lab.root))
    catalog = Catalog.open(workspace)
    ingested = ingest_paths(workspace, catalog, [demo_lab.root / f for f in LOG_FOLDERS])
    run = detect(workspace, catalog, compile_rules([]))
    yield demo_lab, ingested, run
    catalog.close()


def test_logs_ingest_cleanly(demo_run: DemoRun) -> None:
    lab, ingested, _ = demo_run
    assert ingested.issues == []
    assert ingested.by_source["cloudtrail"] == lab.facts["access_logs"]["events"]
    assert {"cloudtrail", "s3access", "http", "authlog", "auditd"} <= set(ingested.by_source)


def test_intrusion_is_detected(demo_run: DemoRun) -> None:
    _, _, run = demo_run
    assert run.rules.problems == []
    by_rule: dict[str, set[str]] = {}
    for d in run.result.detections:
        principal = str(d.group.get("actor_user"))
        by_rule.setdefault(d.rule.title, set()).add(principal)
    intruder = {"svc-weights-sync"}
    for title in (
        "Bulk Read of Model or Dataset Objects",
        "Bulk Download Volume from Model or Dataset Storage",
        "Bucket Listing Sweep",
        "Logging Disabled or Altered",
        "New Access Key for a Service Account",
        "Access to a Canary Asset",
        "Public Access Granted on a Bucket",
        "Sensitive Data Read from a New Network",
        "Sensitive Data Read with a New User Agent",
        "Stolen Credential Pattern - Reconnaissance and Reads from a New Network",
    ):
        assert by_rule.get(title) == intruder, (title, by_rule.get(title))


def test_canary_alert_carries_evidence(demo_run: DemoRun) -> None:
    lab, _, run = demo_run
    (canary,) = [d for d in run.result.detections if d.rule.title == "Access to a Canary Asset"]
    (event,) = canary.evidence
    assert event["resource_uri"] == lab.facts["access_logs"]["canary"]
    assert Path(event["origin_file"]).name.endswith(".json.gz")
    assert event["src_ip"].startswith("185.220.101.")
