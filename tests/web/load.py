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
from collections.abc import Callable
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
    problems: list[str] = field(default_factory=list)
    """What the run's ``check`` found wrong in answers (wrong, incomplete or torn)."""

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


Check = Callable[[str, str, Any], list[str]]
"""Called with (kind, path, JSON answer) of every 200 answer; returns what is wrong with it."""


@dataclass(slots=True)
class _Run:
    """What every client of one run shares: when to stop, and what stopping waits for."""

    deadline: float
    give_up: float
    min_rounds: int
    min_scans: int
    result: LoadResult
    check: Check | None

    def over(self, rounds: int) -> bool:
        """Whether a client that completed ``rounds`` rounds of the mix may stop."""
        now = time.monotonic()
        if now >= self.give_up:
            return True
        return (
            now >= self.deadline
            and rounds >= self.min_rounds
            and self.result.scans >= self.min_scans
        )


async def _client(
    number: int, url: str, token: str, mix: Mix, alerts: list[int], run: _Run
) -> None:
    result = run.result
    writer = mix.writers and number % WRITER_EVERY == 0
    warm = run.deadline - result.seconds + WARM
    headers = {"Authorization": f"Bearer {token}"}
    reads, writes = number, 0
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        step = number
        while not run.over(_rounds(reads - number, writes, len(mix.reads), writer)):
            alert = alerts[step % len(alerts)]
            if writer and step % 3 == 0:
                kind, method = "patch_alert", "PATCH"
                path, body = f"/api/v1/alerts/{alert}", {"note": f"load c{number} n{step}"}
            else:
                kind, path = mix.reads[reads % len(mix.reads)]
                method, body = "GET", None
                path = path.format(alert=alert)
            step += 1
            started = time.perf_counter()
            try:
                answer = await client.request(method, path, json=body)
            except httpx.HTTPError as exc:
                result.errors.append(f"{method} {path}: {type(exc).__name__}: {exc}")
                continue
            took = time.perf_counter() - started
            result.latencies[kind].append(took)
            if time.monotonic() - took >= warm:
                result.late.append(took)
            result.statuses[answer.status_code] += 1
            if answer.status_code >= 300:
                result.errors.append(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
                continue
            if method == "PATCH":
                result.notes_sent[alert] += 1
                writes += 1
            else:
                reads += 1
                if run.check is not None:
                    result.problems.extend(_checked(run.check, kind, path, answer))
        if time.monotonic() >= run.give_up:
            result.errors.append(f"client {number} gave up before completing its rounds")


def _rounds(reads: int, writes: int, kinds: int, writer: bool) -> int:
    """Complete rounds of the mix: every read kind answered (and one note written) per round."""
    done = reads // kinds
    return min(done, writes) if writer else done


def _checked(check: Check, kind: str, path: str, answer: httpx.Response) -> list[str]:
    try:
        document = answer.json()
    except ValueError:
        return [f"GET {path}: not JSON: {answer.text[:200]}"]
    return [f"GET {path}: {p}" for p in check(kind, path, document)]


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
    check: Check | None = None,
    min_rounds: int = 0,
    give_up: float = 900.0,
) -> LoadResult:
    """``clients`` concurrent clients for ``seconds`` (every ``WRITER_EVERY``-th an analyst
    writing notes), with ``scan=(workspace, folder)`` rescanned meanwhile.

    Clients go on past ``seconds`` until each has completed ``min_rounds`` rounds of the mix and
    (with ``scan``) a scan has finished while they ran, so that what a test checks does not
    depend on how fast the machine is; ``give_up`` seconds bound the whole run (an error).
    ``check`` looks at every 200 answer to a read.
    """
    result = LoadResult(clients, seconds)
    stop = threading.Event()
    scanner = None
    if scan is not None:
        scanner = threading.Thread(target=_scan_loop, args=(*scan, stop, result), daemon=True)
        scanner.start()
    started = time.monotonic()
    run = _Run(
        deadline=started + seconds,
        give_up=started + max(give_up, seconds),
        min_rounds=min_rounds,
        min_scans=1 if scan is not None and min_rounds else 0,
        result=result,
        check=check,
    )
    chosen = mix or Mix()

    async def everyone() -> None:
        await asyncio.gather(
            *(
                _client(
                    i,
                    url,
                    tokens["analyst" if chosen.writers and i % WRITER_EVERY == 0 else "viewer"],
                    chosen,
                    alerts,
                    run,
                )
                for i in range(clients)
            )
        )

    try:
        asyncio.run(everyone())
    finally:
        stop.set()
        if scanner is not None:
            scanner.join(timeout=300)
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
