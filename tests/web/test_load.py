"""A bounded load test on loopback: 50 concurrent clients for 30 seconds against the API while a
scan writes to the catalog.

Everything asserted is about correctness, never speed: every answer is a 200 whose content is
right and complete for the moment it was read (nothing torn between two states of the catalog),
no update is lost, and every scan's writes are in the catalog afterwards. Clients go on past the
30 seconds until each has asked everything once and a scan has finished, so a slow machine makes
the test longer, not red. Throughput and latency are measured by ``benchmarks/web/load.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.lab import build, serve
from tests.web.load import Mix, lost_updates, run_load

READS = (
    ("alerts", "/api/v1/alerts?status=all&limit=200"),
    ("alert", "/api/v1/alerts/{alert}"),
    ("assets", "/api/v1/assets?limit=500"),
    ("findings", "/api/v1/findings?status=all&limit=500"),
    ("overview", "/api/v1/overview"),
    ("events", "/api/v1/events?limit=20"),
)
NEW = re.compile(r"new-(\d+)\.txt$")


class Expected:
    """What every answer must hold, from the catalog as it was before the load."""

    def __init__(self, client: httpx.Client) -> None:
        alerts = client.get("/api/v1/alerts", params={"status": "all", "limit": 200}).json()
        self.alerts = {a["id"]: a for a in alerts["items"]}
        assert alerts["total"] == len(self.alerts)
        assets = client.get("/api/v1/assets", params={"limit": 500}).json()["items"]
        self.assets = {a["id"] for a in assets}
        findings = client.get("/api/v1/findings", params={"status": "all", "limit": 500}).json()
        self.findings = {f["fingerprint"] for f in findings["items"]}
        self.events = client.get("/api/v1/events", params={"limit": 20}).json()
        assert self.events["items"], "the lab has events"
        self.open_alerts = client.get("/api/v1/overview").json()["alerts"]["open"]

    def check(self, kind: str, path: str, answer: Any) -> list[str]:
        """What is wrong with one answer (empty when it is right)."""
        return getattr(self, f"_{kind}")(path, answer)  # type: ignore[no-any-return]

    def _alerts(self, path: str, answer: Any) -> list[str]:
        items = {a["id"]: a for a in answer["items"]}
        wrong = _complete(answer)
        if set(items) != set(self.alerts):
            wrong.append(f"alerts {sorted(set(items) ^ set(self.alerts))} missing or extra")
        wrong += [
            f"alert {i} went back from revision {self.alerts[i]['revision']} to {a['revision']}"
            for i, a in items.items()
            if i in self.alerts and a["revision"] < self.alerts[i]["revision"]
        ]
        return wrong

    def _alert(self, path: str, answer: Any) -> list[str]:
        wanted = int(path.rsplit("/", 1)[1])
        if answer["id"] != wanted:
            return [f"asked for alert {wanted}, got {answer['id']}"]
        notes = sum(1 for n in answer["notes"] if n["text"].startswith("load c"))
        grew = answer["revision"] - self.alerts[wanted]["revision"]
        wrong = [] if notes == grew else [f"torn: {notes} load notes but revision +{grew}"]
        if answer["status"] != self.alerts[wanted]["status"]:
            wrong.append(f"status changed to {answer['status']} (only notes were written)")
        return wrong

    def _assets(self, path: str, answer: Any) -> list[str]:
        wrong = _complete(answer)
        ids = [a["id"] for a in answer["items"]]
        if not self.assets <= set(ids):
            wrong.append(f"assets {sorted(self.assets - set(ids))} missing")
        numbers = sorted(int(m[1]) for a in answer["items"] if (m := NEW.search(a["uri"])))
        if numbers != list(range(1, len(numbers) + 1)):
            wrong.append(f"torn: the files of scans {numbers} are not those of whole scans")
        return wrong

    def _findings(self, path: str, answer: Any) -> list[str]:
        wrong = _complete(answer)
        seen = [f["fingerprint"] for f in answer["items"]]
        if len(seen) != len(set(seen)):
            wrong.append("a finding is listed twice")
        if not self.findings <= set(seen):
            wrong.append(f"{len(self.findings - set(seen))} findings missing")
        return wrong

    def _overview(self, path: str, answer: Any) -> list[str]:
        assets = answer["assets"]
        wrong = []
        by_kind = sum(n for row in assets["by_kind"].values() for n in row.values())
        if not assets["total"] == sum(assets["by_sensitivity"].values()) == by_kind:
            wrong.append(f"asset counts disagree: {assets}")
        if assets["total"] < len(self.assets):
            wrong.append(f"{assets['total']} assets, fewer than the {len(self.assets)} before")
        if answer["alerts"]["open"] != self.open_alerts:
            wrong.append(f"{answer['alerts']['open']} open alerts, not {self.open_alerts}")
        if answer["findings"]["open"] != sum(answer["findings"]["by_severity"].values()):
            wrong.append("open findings disagree with their counts by severity")
        return wrong

    def _events(self, path: str, answer: Any) -> list[str]:
        return [] if answer == self.events else ["events differ from the (unchanged) lake's"]


def _complete(answer: Any) -> list[str]:
    """A list answer whose page holds everything holds exactly ``total`` items."""
    if answer["next_offset"] is not None:
        return [f"the page was meant to hold everything, but total is {answer['total']}"]
    if len(answer["items"]) != answer["total"]:
        return [f"torn: {len(answer['items'])} items but total {answer['total']}"]
    return []


@pytest.mark.slow
def test_fifty_clients_while_a_scan_writes(tmp_path: Path) -> None:
    lab = serve(build(tmp_path, extra_alerts=12), tmp_path / "serve.log")
    try:
        with lab.client("viewer") as client:
            expected = Expected(client)
        folder = tmp_path / "lab"
        result = run_load(
            lab.url,
            lab.tokens,
            sorted(expected.alerts),
            clients=50,
            seconds=30,
            scan=(lab.workspace.root, folder),
            mix=Mix(reads=READS),
            check=expected.check,
            min_rounds=1,
        )
        assert not result.errors, result.errors[:5]
        assert set(result.statuses) == {200}, result.statuses
        assert not result.problems, result.problems[:5]
        assert not result.scan_failures, result.scan_failures[:2]
        assert result.scans >= 1
        assert sum(result.notes_sent.values()) >= 50 // 5  # every writer wrote
        before = {i: a["revision"] for i, a in expected.alerts.items()}
        assert lost_updates(lab.url, lab.tokens["analyst"], result, before) == []
        # Every scan's writes landed: its new file, and the last content of the changing one.
        with lab.client("viewer") as client:
            assets = client.get("/api/v1/assets", params={"limit": 500}).json()["items"]
        news = sorted(int(m[1]) for a in assets if (m := NEW.search(a["uri"])))
        assert news == list(range(1, result.scans + 1))
        changing = next(a for a in assets if a["uri"].endswith("changing.csv"))
        assert changing["size"] == (folder / "changing.csv").stat().st_size
        assert httpx.get(f"{lab.url}/healthz").status_code == 200
    finally:
        lab.stop()
