"""A bounded load generator for ``labwarden serve``: concurrent API clients on loopback, a
scan writing to the catalog meanwhile, and the check that no triage update was lost.

Used by ``tests/web/test_load.py`` and ``benchmarks/web/load.py``; it only ever talks to the URL
it is given (a server the caller started on 127.0.0.1), and stops after ``seconds``.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

READS = [
    ("alerts", "/api/v1/alerts?status=all&limit=50"),
    ("alert", "/api/v1/alerts/{alert}"),
    ("assets", "/api/v1/assets?limit=50"),
    ("findings", "/api/v1/findings?limit=50"),
    ("overview", "/api/v1/overview"),
    ("events", "/api/v1/events?limit=20"),
]
WARM = 5.0
"""Seconds after the start that :attr:`LoadResult.late` leaves out (connections, first imports)."""
WRITER_EVERY = 5
"""One client in this many is an analyst that also writes notes on alerts."""


@dataclass
class LoadResult:
    """What a load run measured."""

    clients: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    notes_sent: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    scans: int = 0
    scan_failures: list[str] = field(default_factory=list)
    late: list[float] = field(default_factory=list)
    """Latencies of requests sent after the first ``WARM`` seconds."""

    @property
    def requests(self) -> int:
        """Requests answered (any status)."""
        return sum(len(v) for v in self.latencies.values())

    def percentile(self, q: float, kind: str | None = None) -> float:
        """The ``q`` quantile (0..1) of latencies in milliseconds (of one kind, or all)."""
        values = self.latencies[kind] if kind else [x for v in self.latencies.values() for x in v]
        return _quantile(values, q)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        kinds = sorted(self.latencies)
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            "requests_per_second": round(self.requests / self.seconds, 1),
            "errors": len(self.errors),
            "statuses": dict(self.statuses),
            "p50_ms": round(self.percentile(0.5), 1),
            "p99_ms": round(self.percentile(0.99), 1),
            "after_first_5s": {
                "requests": len(self.late),
                "p50_ms": round(_quantile(self.late, 0.5), 1),
                "p99_ms": round(_quantile(self.late, 0.99), 1),
            },
            "by_kind": {
                k: {
                    "requests": len(self.latencies[k]),
                    "p50_ms": round(self.percentile(0.5, k), 1),
                    "p99_ms": round(self.percentile(0.99, k), 1),
                    "mean_ms": round(statistics.fmean(self.latencies[k]) * 1000, 1),
                }
                for k in kinds
            },
            "notes_sent": sum(self.notes_sent.values()),
            "scans_during_load": self.scans,
        }


def _quantile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (seconds) in milliseconds (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index] * 1000


@dataclass(frozen=True, slots=True)
class Mix:
    """What the clients ask: read paths by kind, and whether every ``WRITER_EVERY``-th client
    also writes notes."""

    reads: tuple[tuple[str, str], ...] = tuple(READS)
    writers: bool = True


async def _client(
    number: int,
    url: str,
    token: str,
    mix: Mix,
    alerts: list[int],
    deadline: float,
    result: LoadResult,
) -> None:
    writer = mix.writers and number % WRITER_EVERY == 0
    warm = deadline - result.seconds + WARM
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        step = number
        while time.monotonic() < deadline:
            alert = alerts[step % len(alerts)]
            if writer and step % 3 == 0:
                kind, method = "patch_alert", "PATCH"
                path, body = f"/api/v1/alerts/{alert}", {"note": f"load c{number} n{step}"}
            else:
                kind, path = mix.reads[step % len(mix.reads)]
                method, body = "GET", None
                path = path.format(alert=alert)
            started = time.perf_counter()
            try:
                answer = await client.request(method, path, json=body)
            except httpx.HTTPError as exc:
                result.errors.append(f"{method} {path}: {type(exc).__name__}: {exc}")
                step += 1
                continue
            took = time.perf_counter() - started
            result.latencies[kind].append(took)
            if time.monotonic() - took >= warm:
                result.late.append(took)
            result.statuses[answer.status_code] += 1
            if answer.status_code >= 300:
                result.errors.append(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
            elif method == "PATCH":
                result.notes_sent[alert] += 1
            step += 1


def _scan_loop(workspace: Path, folder: Path, stop: threading.Event, result: LoadResult) -> None:
    """Rescan ``folder`` over and over, changing a file before each scan so the catalog is
    written to while the server answers."""
    n = 0
    while not stop.is_set():
        n += 1
        (folder / "changing.csv").write_text(f"id,value\n{n},{n * 7}\n" * (n % 50 + 1))
        (folder / f"new-{n}.txt").write_text(f"file {n}\n")
        done = subprocess.run(
            [sys.executable, "-m", "labwarden", "--workspace", str(workspace), "scan", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode not in (0, 1):
            result.scan_failures.append(done.stderr[-500:])
        result.scans += 1


def run_load(
    url: str,
    tokens: dict[str, str],
    alerts: list[int],
    *,
    clients: int = 50,
    seconds: float = 30.0,
    scan: tuple[Path, Path] | None = None,
    mix: Mix | None = None,
) -> LoadResult:
    """``clients`` concurrent clients for ``seconds`` (every ``WRITER_EVERY``-th an analyst
    writing notes), with ``scan=(workspace, folder)`` rescanned meanwhile."""
    result = LoadResult(clients, seconds)
    stop = threading.Event()
    scanner = None
    if scan is not None:
        scanner = threading.Thread(target=_scan_loop, args=(*scan, stop, result), daemon=True)
        scanner.start()
    started = time.monotonic()
    deadline = started + seconds

    async def everyone() -> None:
        await asyncio.gather(
            *(
                _client(
                    i,
                    url,
                    tokens["analyst" if i % WRITER_EVERY == 0 else "viewer"],
                    mix or Mix(),
                    alerts,
                    deadline,
                    result,
                )
                for i in range(clients)
            )
        )

    try:
        asyncio.run(everyone())
    finally:
        stop.set()
        if scanner is not None:
            scanner.join(timeout=120)
    result.seconds = time.monotonic() - started
    return result


def lost_updates(url: str, token: str, result: LoadResult, before: dict[int, int]) -> list[str]:
    """Alerts whose stored notes or revision do not account for every note the run sent."""
    problems = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        for alert, sent in sorted(result.notes_sent.items()):
            document = client.get(f"/api/v1/alerts/{alert}").json()
            stored = sum(1 for n in document["notes"] if n["text"].startswith("load c"))
            grew = document["revision"] - before.get(alert, 0)
            if stored != sent or grew != sent:
                problems.append(f"alert {alert}: sent {sent}, stored {stored}, revision +{grew}")
    return problems
