"""First-seen facts: ``private``/``public`` (an address without a location) is not a country."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from labwarden.engines.duckdb import connect
from labwarden.store.analytics import FeatureStore
from labwarden.store.lake import Lake
from labwarden.watch.analytics.engine import refresh
from labwarden.watch.analytics.peers import peers_table
from labwarden.watch.analytics.scoring import score_day

START = date(2026, 3, 2)
DAYS = 6
PEOPLE = ("ana", "ben", "cho", "dev")
OFFICE = ("203.0.113.0/24", "public")
ELSEWHERE = {
    "ana": ("100.64.23.0/24", "private"),  # home, behind the ISP's shared address space
    "ben": ("198.51.100.0/24", "DE"),  # a labelled network abroad
}


def _day(day: date, last: bool) -> pa.Table:
    rows = []
    for person in PEOPLE:
        network, country = ELSEWHERE.get(person, OFFICE) if last else OFFICE
        for k in range(10):
            when = datetime(day.year, day.month, day.day, 10 + k % 6, tzinfo=UTC)
            rows.append((when, person, network, country, f"team/{person}/part-{k}.parquet"))
    n = len(rows)
    return pa.table(
        {
            "time": pa.array([r[0] for r in rows], pa.timestamp("us", tz="UTC")),
            "actor_user": [r[1] for r in rows],
            "activity": ["read"] * n,
            "api_operation": ["GetObject"] * n,
            "bytes": pa.array([50_000_000] * n, pa.int64()),
            "asset_sensitivity": ["confidential"] * n,
            "resource_bucket": ["lab-data"] * n,
            "resource_key": [r[4] for r in rows],
            "src_network": [r[2] for r in rows],
            "src_country": [r[3] for r in rows],
            "user_agent": ["Boto3/1.35.71"] * n,
        }
    )


def test_an_address_without_a_location_is_a_new_network_not_a_new_country(
    tmp_path: Path,
) -> None:
    lake = Lake(tmp_path).ensure()
    for index in range(DAYS):
        day = START + timedelta(days=index)
        lake.write_part("lab", day.isoformat(), "events", _day(day, index == DAYS - 1), as_is=True)
    con = connect()
    store = FeatureStore(tmp_path)
    refresh(con, tmp_path, store)
    for kind in ("features", "facts"):
        con.execute(
            f"CREATE OR REPLACE VIEW lw_{kind} AS SELECT * FROM read_parquet('{store.glob(kind)}')"
        )
    last = START + timedelta(days=DAYS - 1)
    with con.registered("lw_peers", peers_table(con, "lw_facts", START, last)):
        rows = {
            r["principal"]: r
            for r in score_day(con, "lw_features", "lw_facts", "lw_peers", last).to_pylist()
        }
    assert (rows["ana"]["new_networks"], rows["ana"]["new_countries"]) == (1, 0)
    assert (rows["ben"]["new_networks"], rows["ben"]["new_countries"]) == (1, 1)
    assert rows["ana"]["pts_new"] == 1.5 and rows["ben"]["pts_new"] == 3.5
    assert (rows["cho"]["new_networks"], rows["cho"]["pts_new"]) == (0, 0)
