"""The sessions of one cloud role are each other's peers; a mapping file still wins."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from labwarden.engines.duckdb import connect
from labwarden.watch.analytics.peers import MAX_GROUP_PEERS, peers_table, roles

DAY = date(2026, 10, 10)


def _facts(rows: list[tuple[str, str, str]]) -> pa.Table:
    return pa.table(
        {
            "principal": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "value": [r[2] for r in rows],
            "day": pa.array([DAY] * len(rows), pa.date32()),
        }
    )


def test_role_sessions_are_peers() -> None:
    rows = [(f"r{i:02d}", "role", "ml-researcher") for i in range(60)]
    rows += [("job-a", "role", "train"), ("job-b", "role", "train"), ("solo", "role", "ops")]
    rows += [("ml-researcher", "role", "ml-researcher")]  # a session acting as its role
    con = connect()
    with con.registered("facts", _facts(rows)):
        assert roles(con, "facts", DAY, DAY)["r07"] == "ml-researcher"
        assert "ml-researcher" not in roles(con, "facts", DAY, DAY)
        peers = peers_table(con, "facts", DAY, DAY, {"solo": "team-x", "bob": "team-x"})
    pairs: dict[str, set[str]] = {}
    for row in peers.to_pylist():
        pairs.setdefault(row["principal"], set()).add(row["peer"])
    assert pairs["job-a"] == {"job-b"}
    assert len(pairs["r07"]) == MAX_GROUP_PEERS and "r07" not in pairs["r07"]
    assert all(p.startswith("r") for p in pairs["r07"])
    # The mapping file puts `solo` with `bob`, whatever its role says.
    assert pairs["solo"] == {"bob"}
