"""The simulated CloudTrail: routine calls and planted techniques, parsed by the real ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labwarden.engines.duckdb import connect
from labwarden.store.lake import Lake
from labwarden.watch.analytics.simulate import Scenario
from labwarden.watch.analytics.simulate_trail import (
    ROUTINE,
    TECHNIQUES,
    Plant,
    trail_records,
    write_trail,
)
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver

SCENARIO = Scenario(principals=20, days=9, events_per_day=100, seed=3)
PEOPLE = [f"researcher-{i:05d}" for i in range(20)]


def test_every_technique_is_ingested_as_cloudtrail(tmp_path: Path) -> None:
    plants = [Plant(name, -1, 4) for name in TECHNIQUES]
    files = write_trail(SCENARIO, PEOPLE, plants, tmp_path / "trail")
    assert len(files) == SCENARIO.days
    lake = Lake(tmp_path / "lake")
    result = ingest(files, lake, Resolver.empty())
    assert result.issues == []
    assert {f.format for f in result.files} == {"cloudtrail"}
    con = connect()
    con.events_view(lake.root)
    attacker = con.rows(
        "SELECT api_operation, count(*) FROM events WHERE src_ip = '185.220.101.44' "
        "GROUP BY ALL ORDER BY ALL"
    )
    operations = dict(attacker)
    assert operations["GetObject"] == 300
    assert operations["GetSecretValue"] == 30
    assert operations["DeleteObject"] == 60
    assert {"StopLogging", "DeleteTrail", "ConsoleLogin", "CreateAccessKey"} <= set(operations)
    last = (SCENARIO.start.toordinal() + SCENARIO.days - 1,)
    days = con.rows(
        "SELECT DISTINCT CAST(time AS DATE) FROM events WHERE src_ip = '185.220.101.44'"
    )
    assert [(d.toordinal(),) for (d,) in days] == [last]
    assert con.rows("SELECT DISTINCT actor_user FROM events WHERE src_ip = '185.220.101.44'") == [
        (PEOPLE[4],)
    ]
    routine = {name for _, name in ROUTINE}
    others = con.rows("SELECT DISTINCT api_operation FROM events WHERE src_ip <> '185.220.101.44'")
    assert {op for (op,) in others} == routine


def test_records_are_reproducible_and_sorted() -> None:
    first = trail_records(SCENARIO, PEOPLE, [Plant("secrets-sweep", 3, 1)])
    again = trail_records(SCENARIO, PEOPLE, [Plant("secrets-sweep", 3, 1)])
    assert json.dumps(list(first.values())) == json.dumps(list(again.values()))
    for records in first.values():
        times = [r["eventTime"] for r in records]
        assert times == sorted(times)
    weekend = [d for d in first if d.weekday() >= 5]
    working = [d for d in first if d.weekday() < 5]
    assert max(len(first[d]) for d in weekend) < min(len(first[d]) for d in working)


def test_an_unknown_technique_is_named() -> None:
    with pytest.raises(ValueError, match="unknown technique 'phishing'"):
        trail_records(SCENARIO, PEOPLE, [Plant("phishing", 0)])


def test_the_population_has_event_ids_and_asset_names(tmp_path: Path) -> None:
    # Novelty is computed per event (event_uid) and per asset (asset_name), as on real lakes.
    from labwarden.watch.analytics.simulate import write_lake

    write_lake(SCENARIO, tmp_path / "lake")
    con = connect()
    con.events_view(tmp_path / "lake")
    [(rows, uids, nameless, wrong)] = con.rows(
        "SELECT count(*), count(DISTINCT event_uid), count(*) - count(asset_name), "
        "count(*) FILTER (WHERE asset_name NOT LIKE resource_bucket || '/%') FROM events"
    )
    assert rows > 0
    assert (uids, nameless, wrong) == (rows, 0, 0)
