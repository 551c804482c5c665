"""Instance-profile and task credentials used from an address that is not the workload's
(invictus, and ECS tasks sharing a role)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labwarden.engines.duckdb import connect, create_events_view
from labwarden.store.lake import Lake
from labwarden.watch.detect.run import run_rules
from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver
from tests.conftest import corpora_path
from tests.watch.detect.helpers import lake_of, record


def test_stolen_instance_credentials_found(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    ingest([corpora_path("logs", "cloudtrail-invictus")], lake, Resolver.empty())
    con = connect()
    create_events_view(con, lake.root)
    found = [
        d
        for d in run_rules(con, load([bundled_rules_dir()]).rules).detections
        if d.rule.title == "Instance Credentials Used from Another Address"
    ]
    # The stolen session called from the instance (3.225.16.109) and from the attacker; the
    # enumeration instance only ever called from its own address.
    assert [d.group["actor_user"] for d in found] == ["i-0dbc91f429e48eeed"]
    addresses = {e["src_ip"] for e in found[0].evidence}
    assert addresses == {"3.225.16.109", "192.168.10.20"}
    assert {e["actor_user"] for e in found[0].evidence} == {"i-0dbc91f429e48eeed"}


def _task_call(minute: float, task: str, address: str, name: str) -> dict[str, Any]:
    """A call with the credentials of ECS task ``task`` of the role ``ecsTaskRole``."""
    return record(
        minute,
        "unused",
        name,
        eventSource="s3.amazonaws.com",
        sourceIPAddress=address,
        userIdentity={
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLETASK:{task}",
            "arn": f"arn:aws:sts::111122223333:assumed-role/ecsTaskRole/{task}",
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "userName": "ecsTaskRole"},
                "attributes": {"creationDate": "2026-10-01T00:00:00Z", "mfaAuthenticated": "false"},
            },
        },
        eventID=f"{task}-{name}-{minute}-{address}",
    )


def test_stolen_task_credentials_found_per_task(tmp_path: Path) -> None:
    """Tasks of one role calling from two subnets' NAT gateways raise nothing; one task's
    credentials replayed from elsewhere do, although the task acts as its role."""
    task_a, task_b = "4f0c1d2e3b4a59687766554433221100", "9a8b7c6d5e4f30211203948576afbecd"
    records = [_task_call(m, task_a, "52.95.110.7", "GetObject") for m in range(0, 60, 5)]
    records += [_task_call(m, task_b, "18.200.33.4", "GetObject") for m in range(0, 60, 5)]
    records += [_task_call(m, task_a, "203.0.113.66", "ListBuckets") for m in (90, 91)]
    _, con = lake_of(tmp_path, records)
    found = [
        d
        for d in run_rules(con, load([bundled_rules_dir()]).rules).detections
        if d.rule.title == "Instance Credentials Used from Another Address"
    ]
    assert len(found) == 1
    assert found[0].group["actor_user"] == "ecsTaskRole"  # the task acts as its role ...
    assert str(found[0].group["actor_uid"]).endswith(task_a)  # ... the session is judged alone
    assert {e["src_ip"] for e in found[0].evidence} == {"52.95.110.7", "203.0.113.66"}
