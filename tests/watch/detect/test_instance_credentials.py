"""Instance-profile credentials used from an address that is not the instance's (invictus)."""

from __future__ import annotations

from pathlib import Path

from labwarden.engines.duckdb import connect, create_events_view
from labwarden.store.lake import Lake
from labwarden.watch.detect.run import run_rules
from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver
from tests.conftest import corpora_path


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
