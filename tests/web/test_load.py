"""A bounded load test on loopback: 50 concurrent clients for 30 seconds against the API while a
scan writes to the catalog; no error and no lost update. Latency is reported by
``benchmarks/web/load.py``, not asserted here."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.web.lab import build, serve
from tests.web.load import lost_updates, run_load


@pytest.mark.slow
def test_fifty_clients_while_a_scan_writes(tmp_path: Path) -> None:
    lab = serve(build(tmp_path, extra_alerts=12), tmp_path / "serve.log")
    try:
        with lab.client("viewer") as client:
            listed = client.get("/api/v1/alerts", params={"status": "all"}).json()["items"]
        alerts = [a["id"] for a in listed]
        before = {a["id"]: a["revision"] for a in listed}
        folder = tmp_path / "lab"
        result = run_load(
            lab.url, lab.tokens, alerts, clients=50, seconds=30, scan=(lab.workspace.root, folder)
        )
        assert not result.errors, result.errors[:5]
        assert not result.scan_failures, result.scan_failures[:2]
        assert result.scans >= 1, "no scan ran during the load"
        assert result.requests > 50
        assert sum(result.notes_sent.values()) > 0
        assert lost_updates(lab.url, lab.tokens["analyst"], result, before) == []
        health = httpx.get(f"{lab.url}/healthz")
        assert health.status_code == 200
    finally:
        lab.stop()
