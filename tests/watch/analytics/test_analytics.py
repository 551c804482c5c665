"""Behaviour analytics on a labelled simulated population: attacks rank first, noise stays quiet."""

from __future__ import annotations

import os
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.engines.duckdb import DuckDBEngine
from labwarden.engines.duckdb import connect as engine
from labwarden.store.analytics import FeatureStore
from labwarden.watch.analytics.engine import AnalyticsAlert, AnalyticsConfig, refresh, score
from labwarden.watch.analytics.peers import load_mapping
from labwarden.watch.analytics.simulate import Attack, Scenario, Truth, write_lake

SCENARIO = Scenario(
    principals=150,
    days=24,
    events_per_day=12_000,
    seed=11,
    attacks=[Attack("stolen-key", 10, 20), Attack("insider", 5, 22)],
)
SCORED = [SCENARIO.start + timedelta(days=d) for d in range(18, 24)]


def connect(lake: Path) -> DuckDBEngine:
    con = engine()
    con.execute(
        f"CREATE VIEW events AS SELECT * FROM read_parquet('{lake}/source=*/day=*/*.parquet', "
        "hive_partitioning = false, union_by_name = true)"
    )
    return con


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth, list[AnalyticsAlert]]:
    lake = tmp_path_factory.mktemp("lake")
    truth = write_lake(SCENARIO, lake)
    con = connect(lake)
    store = FeatureStore(lake)
    assert len(refresh(con, lake, store)) == SCENARIO.days
    alerts = score(con, store, SCORED, AnalyticsConfig())
    return lake, truth, alerts


def test_each_attack_is_the_top_alert_of_its_day(
    run: tuple[Path, Truth, list[AnalyticsAlert]],
) -> None:
    _, truth, alerts = run
    for attack, principal, days in truth.attacks:
        for day in days:
            that_day = [a for a in alerts if a.day == day]
            assert that_day, f"no alert on {day} for {attack.kind}"
            assert that_day[0].principal == principal, (attack.kind, that_day[0].title)
            assert that_day[0].risk >= 50


def test_no_false_alerts_and_training_jobs_stay_quiet(
    run: tuple[Path, Truth, list[AnalyticsAlert]],
) -> None:
    _, truth, alerts = run
    false = [a for a in alerts if (a.principal, a.day) not in truth.positives]
    assert len(false) <= 1, [a.title for a in false]
    assert not [a for a in alerts if a.principal.startswith("train-job")]


def test_alerts_explain_themselves_and_carry_evidence(
    run: tuple[Path, Truth, list[AnalyticsAlert]],
) -> None:
    _, truth, alerts = run
    stolen = next(a for a in alerts if truth.positives.get((a.principal, a.day)) == "stolen-key")
    components = {c for c, _, _ in stolen.components}
    assert {"first-seen", "odd-hours", "listing"} <= components
    assert "185.220.101.0/24" in stolen.title or any(
        "185.220.101.0/24" in t for *_, t in stolen.components
    )
    assert stolen.baseline["active_days"] >= 10
    assert stolen.evidence and stolen.evidence[0]["bytes"] >= stolen.evidence[-1]["bytes"]
    assert all(e["src_network"] for e in stolen.evidence)
    insider = next(a for a in alerts if truth.positives.get((a.principal, a.day)) == "insider")
    assert any(c.startswith("volume-restricted") for c, _, _ in insider.components)
    assert "restricted" in insider.title


def test_refresh_is_incremental(run: tuple[Path, Truth, list[AnalyticsAlert]]) -> None:
    lake, _, _ = run
    con = connect(lake)
    store = FeatureStore(lake)
    assert refresh(con, lake, store) == []
    last = SCENARIO.start + timedelta(days=SCENARIO.days - 1)
    part = next((lake / "source=sim" / f"day={last.isoformat()}").glob("*.parquet"))
    later = time.time() + 5
    os.utime(part, (later, later))
    assert refresh(con, lake, store) == [last]


def test_mapping_files(tmp_path: Path) -> None:
    csv = tmp_path / "teams.csv"
    csv.write_text("principal,group\nalice,chem\nbob,chem\n# comment\ncarol,clinical\n")
    assert load_mapping(csv) == {"alice": "chem", "bob": "chem", "carol": "clinical"}
    toml = tmp_path / "teams.toml"
    toml.write_text('[groups]\nchem = ["alice", "bob"]\n')
    assert load_mapping(toml) == {"alice": "chem", "bob": "chem"}
    bad = tmp_path / "bad.csv"
    bad.write_text("principal,group\nalice\n")
    with pytest.raises(InputError, match=r"bad.csv:2: expected `principal,group`"):
        load_mapping(bad)


def test_a_day_without_features_scores_nothing(tmp_path: Path) -> None:
    con = engine()
    assert score(con, FeatureStore(tmp_path), [date(2026, 1, 1)], AnalyticsConfig()) == []
