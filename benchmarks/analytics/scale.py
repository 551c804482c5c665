"""Scale of one daily scoring run: 5,000 principals, 30 days of history, 2 million events a day.

The lake and the aggregates of the first 30 days are prepared once (what earlier daily runs left);
the measured run is what a nightly job does: aggregate the new day's events, learn peers over the
window, score every principal active that day and explain the alerts. It runs in its own process
so that its peak memory is its own.

Usage: ``python -m benchmarks.analytics.scale [--principals N] [--events N] [--days N]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb

from labwarden.engines.duckdb import DuckDBEngine
from labwarden.store.analytics import FeatureStore
from labwarden.watch.analytics.engine import AnalyticsConfig, refresh, score
from labwarden.watch.analytics.simulate import Attack, Scenario, Simulator

WORK = Path(__file__).resolve().parents[1] / ".work" / "analytics-scale"


def prepare(scenario: Scenario, lake: Path) -> float:
    """Write the lake (if needed) and the first days' aggregates; return generation seconds."""
    import pyarrow.parquet as pq

    start = time.perf_counter()
    simulator = Simulator(scenario)
    for index in range(scenario.days):
        when = scenario.start + timedelta(days=index)
        target = lake / "source=sim" / f"day={when.isoformat()}" / "events.parquet"
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(simulator.day(index), target, compression="zstd")
    generated = time.perf_counter() - start
    last = scenario.start + timedelta(days=scenario.days - 1)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    store = FeatureStore(lake)
    # Earlier nightly runs: aggregate every day but the last.
    hide = lake / "source=sim" / f"day={last.isoformat()}"
    parked = hide.with_name(hide.name + ".parked")
    if hide.exists():
        hide.rename(parked)
    try:
        refresh(DuckDBEngine(con), lake, store)
    finally:
        if parked.exists():
            parked.rename(hide)
    return generated


def nightly(lake: Path, day: str) -> None:
    """The measured run (in a child process): refresh the new day, score it, print a summary."""
    from datetime import date

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    store = FeatureStore(lake)
    start = time.perf_counter()
    days = refresh(DuckDBEngine(con), lake, store)
    aggregated = time.perf_counter() - start
    alerts = score(DuckDBEngine(con), store, [date.fromisoformat(day)], AnalyticsConfig())
    total = time.perf_counter() - start
    print(
        json.dumps(
            {
                "aggregated_days": [str(d) for d in days],
                "aggregate_s": aggregated,
                "total_s": total,
                "alerts": [a.title for a in alerts],
            }
        )
    )


def main() -> None:
    """Prepare, then time the nightly run in a child process under GNU time."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--principals", type=int, default=5000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--nightly", nargs=2, metavar=("LAKE", "DAY"))
    args = parser.parse_args()
    if args.nightly:
        nightly(Path(args.nightly[0]), args.nightly[1])
        return
    scenario = Scenario(
        principals=args.principals,
        days=args.days,
        events_per_day=args.events,
        seed=5,
        attacks=[Attack("stolen-key", 10, args.days - 1)],
    )
    lake = WORK / f"lake-{args.principals}-{args.events}-{args.days}"
    generated = prepare(scenario, lake)
    last = scenario.start + timedelta(days=args.days - 1)
    stale = lake / "_analytics" / "features" / f"day={last.isoformat()}.parquet"
    stale.unlink(missing_ok=True)
    done = subprocess.run(
        [
            "/usr/bin/time",
            "-f",
            "%M %e",
            sys.executable,
            "-m",
            "benchmarks.analytics.scale",
            "--nightly",
            str(lake),
            last.isoformat(),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    rss_kib, wall = done.stderr.strip().splitlines()[-1].split()
    import pyarrow.parquet as pq

    events = sum(
        pq.ParquetFile(p).metadata.num_rows
        for p in (lake / "source=sim").glob(f"day={last.isoformat()}/*.parquet")
    )
    lines = [
        "# Behaviour analytics: scale of one daily run",
        "",
        f"{args.principals:,} principals, {args.days - 1} days of history and a new day of "
        f"{events:,} events (simulated; generating the lake took {generated:.0f} s).",
        "The nightly run aggregates the new day's events, learns peers over the 30-day window,",
        "scores every principal active that day and explains the alerts; it runs in its own",
        "process on this 2-core machine.",
        "",
        "| step | result |",
        "|---|---|",
        f"| aggregate the new day ({events:,} events) | {report['aggregate_s']:.1f} s |",
        f"| whole nightly run (aggregate, peers, score, explain) | {report['total_s']:.1f} s "
        f"(process wall time {float(wall):.1f} s) |",
        f"| peak memory (RSS) | {int(rss_kib) / 1024:.0f} MiB |",
        f"| alerts | {len(report['alerts'])} |",
        "",
        "Top alert: " + (report["alerts"][0] if report["alerts"] else "none"),
        "",
    ]
    text = "\n".join(lines)
    (Path(__file__).resolve().parent / "SCALE.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
