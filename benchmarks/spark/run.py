"""Spark against DuckDB on one generated lake: the whole rule pack (and optionally analytics).

    .venv/bin/python -m benchmarks.spark.run --events 200000 [--analytics] [--engines ...]

A simulated population (``watch.analytics.simulate``) is written once as a lake; each engine
then runs in its own process (so memory is its own): DuckDB, and Spark in local mode with 1 and
2 cores. Time is wall clock of the detections (and analytics); memory is the peak resident set
of the process and its children (Spark's JVM), sampled every 0.2 s. Detections must be identical
(the count and a digest of every detection are compared). Results: ``results.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / ".work" / "spark"


def _rss_tree(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return total


def _child(engine: str, lake: Path, analytics: bool) -> None:
    """Run in a fresh process: one engine over the lake; print a JSON line."""
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _rss_tree(os.getpid()))

    threading.Thread(target=sample, daemon=True).start()
    from labwarden.engines.duckdb import connect
    from labwarden.engines.interface import Engine
    from labwarden.store.analytics import FeatureStore
    from labwarden.watch.analytics.engine import AnalyticsConfig, refresh, score
    from labwarden.watch.detect.run import run_rules
    from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load

    rules = load([bundled_rules_dir()])
    started = time.perf_counter()
    con: Engine
    if engine == "duckdb":
        con = connect()
    else:
        from labwarden.engines.spark_session import connect as spark

        con = spark(engine, conf={"spark.driver.memory": "2g"})
    startup = time.perf_counter() - started
    started = time.perf_counter()
    con.events_view(lake)
    result = run_rules(con, rules.rules)
    detect_s = time.perf_counter() - started
    analytics_s = None
    alerts = None
    if analytics:
        started = time.perf_counter()
        store = FeatureStore(lake)
        days = refresh(con, lake, store)
        alerts = len(score(con, store, days, AnalyticsConfig()))
        analytics_s = time.perf_counter() - started
    con.close()
    done.set()
    digest = hashlib.sha256(
        json.dumps(
            sorted(
                [
                    d.rule.id,
                    d.group,
                    d.first_seen.isoformat(),
                    d.count,
                    [e["event_uid"] for e in d.evidence],
                ]
                for d in result.detections
            ),
            default=str,
        ).encode()
    ).hexdigest()[:16]
    print(
        json.dumps(
            {
                "engine": engine,
                "startup_s": round(startup, 1),
                "detect_s": round(detect_s, 1),
                "analytics_s": round(analytics_s, 1) if analytics_s is not None else None,
                "detections": len(result.detections),
                "analytics_alerts": alerts,
                "digest": digest,
                "problems": len(result.problems),
                "peak_rss_mib": round(peak[0] / 2**20),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--analytics", action="store_true")
    parser.add_argument("--engines", nargs="+", default=["duckdb", "local[1]", "local[2]"])
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "LAKE"))
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]), args.analytics)
        return
    from labwarden.watch.analytics.simulate import Attack, Scenario, write_lake

    scenario = Scenario(
        principals=max(80, args.events // 2500),
        days=args.days,
        events_per_day=args.events // args.days,
        seed=5,
        attacks=[Attack("stolen-key", 10, args.days - 2), Attack("insider", 5, args.days - 1)],
    )
    base = WORK / f"lake-{args.events}"
    if not base.exists():
        write_lake(scenario, base)
    runs = []
    for engine in args.engines:
        lake = WORK / "run"
        shutil.rmtree(lake, ignore_errors=True)
        shutil.copytree(base, lake)  # each engine computes its own aggregates
        command = [sys.executable, "-m", "benchmarks.spark.run", "--child", engine, str(lake)]
        if args.analytics:
            command.append("--analytics")
        load = os.getloadavg()[0]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        run = json.loads(out.strip().splitlines()[-1])
        run["load_avg_1m_at_start"] = round(load, 1)
        print(json.dumps(run), file=sys.stderr)
        runs.append(run)
    results = {"events": args.events, "days": args.days, "cores": os.cpu_count(), "runs": runs}
    results["identical"] = len({r["digest"] for r in runs}) == 1
    (HERE / f"results-{args.events}.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
