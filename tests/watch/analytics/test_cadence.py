"""Periodic principals: a weekly, monthly or every-other-day job is judged by its own runs.

A generated lab of weekday researchers and three scheduled jobs in one role: the jobs read far
more than the researchers, so judged by their peers alone every run looks anomalous. Judged by
their own previous runs they are quiet, while a job reading 10x on its usual day, a job's very
first run and a new researcher's second day are still judged as before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from labwarden.engines.duckdb import DuckDBEngine
from labwarden.engines.duckdb import connect as engine
from labwarden.store.analytics import FeatureStore
from labwarden.store.lake import Lake
from labwarden.watch.analytics.engine import AnalyticsAlert, AnalyticsConfig, refresh, score
from labwarden.watch.analytics.peers import peers_table
from labwarden.watch.analytics.scoring import score_day

MB = 1024 * 1024
START = date(2026, 1, 1)  # a Thursday
DAYS = 45
SUNDAYS = [d for d in range(DAYS) if (START + timedelta(days=d)).weekday() == 6]
REPLICATOR_FROM = 20
NEWCOMER_FROM = 33  # a Tuesday
JOBS_NET = "10.9.0.0/24"


@dataclass(frozen=True, slots=True)
class Read:
    """One read event of the generated lab."""

    who: str
    hour: float
    bucket: str
    key: str
    mb: int
    sensitivity: str
    network: str


def _researchers(day: date, rng: random.Random) -> list[Read]:
    if day.weekday() >= 5:
        return []
    index = (day - START).days
    people = [f"res-{i}" for i in range(8)] + (["res-new"] if index >= NEWCOMER_FROM else [])
    reads = []
    for person in people:
        team = f"team{sum(map(ord, person)) % 2}"
        for _ in range(rng.randint(20, 40)):
            key = f"{team}/images/part-{rng.randrange(400):04d}.parquet"
            hour = rng.uniform(9, 17)
            reads.append(Read(person, hour, "lab-data", key, 20, "internal", "10.1.0.0/24"))
    return reads


def _jobs(day: date, surge: bool) -> list[Read]:
    index = (day - START).days
    reads: list[Read] = []
    if day.weekday() == 6:  # weekly retraining: its whole corpus, Sundays at 02:00
        count = 1000 if surge else 100
        for k in range(count):
            key = f"chem/weights/shard-{k:05d}.safetensors"
            reads.append(
                Read("weekly-job", 2.0, "lab-models", key, 200, "confidential", "10.9.0.0/24")
            )
    if day.day == 1:  # the monthly report: restricted trial data on the 1st
        for k in range(60):
            key = f"study-7/sdtm/part-{k:03d}.xpt"
            reads.append(
                Read("monthly-report", 4.0, "lab-trial", key, 100, "restricted", "10.9.0.0/24")
            )
    if index >= REPLICATOR_FROM and (index - REPLICATOR_FROM) % 2 == 0:
        for k in range(50):
            key = f"replica/weights/part-{k:03d}.bin"
            reads.append(
                Read("replicator", 1.0, "lab-models", key, 100, "confidential", "10.9.0.0/24")
            )
    return reads


def _table(day: date, reads: list[Read]) -> pa.Table:
    base = datetime(day.year, day.month, day.day, tzinfo=UTC)
    reads = sorted(reads, key=lambda r: r.hour)
    assets = {r.bucket + "/" + r.key.split("/")[0] for r in reads}
    asset_ids = {name: index for index, name in enumerate(sorted(assets))}
    n = len(reads)
    return pa.table(
        {
            "time": pa.array(
                [base + timedelta(hours=r.hour) for r in reads], pa.timestamp("us", tz="UTC")
            ),
            "actor_user": [r.who for r in reads],
            "actor_uid": pa.nulls(n, pa.string()),
            "access_key": pa.nulls(n, pa.string()),
            "actor_role": ["lab"] * n,
            "activity": ["read"] * n,
            "api_operation": ["GetObject"] * n,
            "status": ["success"] * n,
            "bytes": pa.array([r.mb * MB for r in reads], pa.int64()),
            "asset_sensitivity": [r.sensitivity for r in reads],
            "asset_id": pa.array(
                [asset_ids[r.bucket + "/" + r.key.split("/")[0]] for r in reads], pa.int64()
            ),
            "resource_bucket": [r.bucket for r in reads],
            "resource_key": [r.key for r in reads],
            "src_network": [r.network for r in reads],
            "src_country": ["US"] * n,
            "user_agent": ["Boto3/1.35.71 md/Botocore#1.35.71"] * n,
        }
    )


def _write_lab(root: Path, surge_day: int | None) -> None:
    rng = random.Random(7)
    lake = Lake(root).ensure()
    for index in range(DAYS):
        day = START + timedelta(days=index)
        reads = _researchers(day, rng) + _jobs(day, surge=index == surge_day)
        lake.write_part("lab", day.isoformat(), "events", _table(day, reads), as_is=True)


def _connect(root: Path) -> DuckDBEngine:
    con = engine()
    con.execute(
        f"CREATE VIEW events AS SELECT * FROM read_parquet('{root}/source=*/day=*/*.parquet', "
        "hive_partitioning = false, union_by_name = true)"
    )
    return con


def _alerts(root: Path) -> list[AnalyticsAlert]:
    con = _connect(root)
    store = FeatureStore(root)
    days = refresh(con, root, store)
    return score(con, store, days, AnalyticsConfig())


@pytest.fixture(scope="module")
def benign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cadence")
    _write_lab(root, surge_day=None)
    return root


def _on(alerts: list[AnalyticsAlert], principal: str) -> list[int]:
    return sorted((a.day - START).days for a in alerts if a.principal == principal)


def test_scheduled_jobs_are_judged_by_their_own_runs(benign: Path) -> None:
    alerts = _alerts(benign)
    assert _on(alerts, "weekly-job") == []
    assert _on(alerts, "monthly-report") == []
    # A genuinely new principal is still judged by its peers: the replicator's first run alerts,
    # its runs every other day after it do not.
    assert _on(alerts, "replicator") == [REPLICATOR_FROM]
    assert not [a for a in alerts if a.principal.startswith("res-")], [a.title for a in alerts]


def test_a_weekly_job_reading_ten_times_its_usual_on_its_day_alerts(
    tmp_path: Path,
) -> None:
    surge = SUNDAYS[-2]
    _write_lab(tmp_path, surge_day=surge)
    alerts = _alerts(tmp_path)
    assert _on(alerts, "weekly-job") == [surge]
    alert = next(a for a in alerts if a.principal == "weekly-job")
    assert alert.risk >= 40
    volume = next(t for c, _, t in alert.components if c == "volume-confidential")
    assert "10x its median over its last" in volume and "active every 7 days" in volume


def _scores(root: Path, index: int) -> dict[str, dict[str, object]]:
    con = _connect(root)
    store = FeatureStore(root)
    refresh(con, root, store)
    for kind in ("features", "facts"):
        con.execute(
            f"CREATE OR REPLACE VIEW lw_{kind} AS SELECT * FROM read_parquet('{store.glob(kind)}')"
        )
    day = START + timedelta(days=index)
    peers = peers_table(con, "lw_facts", day - timedelta(days=30), day)
    with con.registered("lw_peers", peers):
        rows = score_day(con, "lw_features", "lw_facts", "lw_peers", day).to_pylist()
    return {str(r["principal"]): r for r in rows}


def test_history_needs_a_cadence_or_enough_days(benign: Path) -> None:
    second_sunday = _scores(benign, SUNDAYS[1])["weekly-job"]
    assert (second_sunday["active_days"], second_sunday["has_history"]) == (1, True)
    assert second_sunday["cadence_days"] == 7
    # The monthly report's previous run is more than a window back: still its own baseline.
    february = _scores(benign, 31)["monthly-report"]
    assert (february["active_days"], february["has_history"]) == (1, True)
    # A newcomer's second day (the day after its first) is not a cadence: peers judge it.
    newcomer = _scores(benign, NEWCOMER_FROM + 1)["res-new"]
    assert (newcomer["active_days"], newcomer["has_history"]) == (1, False)
    assert newcomer["cadence_days"] is None
