"""Spark against DuckDB on one generated lake: the whole rule pack (and optionally analytics).

    .venv/bin/python -m benchmarks.spark.run --events 200000 [--analytics] [--engines ...]

A simulated population (``watch.analytics.simulate``) is written once as a lake, straight as
Parquet in the lake layout through labwarden's lake writer; its CloudTrail (everyday calls of
200 people and every technique of ``watch.analytics.simulate_trail`` planted on the last day)
goes in through labwarden's own ingest. Each engine then runs in its own process (so memory is
its own): DuckDB (``duckdb``, or ``duckdb:4GB`` for a session capped at 4 GB), and Spark in
local mode with 1 and 2 cores, over the bundled rule pack and SigmaHQ's CloudTrail rules (from
../shared/corpora when present). Time is wall clock of the detections (and analytics); memory is
the peak resident set of the process and its children (Spark's JVM), sampled every 0.2 s, with
the peak size of DuckDB's spill folder. Every engine must return the same alerts (rule,
principal, window, count and evidence events) and at least one; the run fails otherwise.
Results: ``results-<events>.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / ".work" / "spark"
SIGMAHQ = HERE.parents[2] / "shared" / "corpora" / "sigma" / "cloud" / "aws" / "cloudtrail"


def _tree(pid: int) -> tuple[int, float]:
    """Resident bytes of ``pid`` and its descendants, and the CPU seconds they have used."""
    total, cpu, stack = 0, 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            with open(f"/proc/{current}/stat", encoding="ascii") as handle:
                fields = handle.read().rpartition(")")[2].split()
                cpu += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return total, cpu


def _spilled(pid: int) -> int:
    """Bytes in the spill folders of process ``pid``'s DuckDB sessions."""
    total = 0
    for folder in Path(tempfile.gettempdir()).glob(f"labwarden-duckdb-{pid}-*"):
        for file in folder.glob("*"):
            try:
                total += file.stat().st_size
            except OSError:
                continue
    return total


def _child(engine: str, lake: Path, analytics: bool, driver_memory: str) -> None:
    """Run in a fresh process: one engine over the lake; print a JSON line."""
    peak = [0]
    cpu = [0.0]
    spill = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            rss, used = _tree(os.getpid())
            peak[0] = max(peak[0], rss)
            cpu[0] = max(cpu[0], used)
            spill[0] = max(spill[0], _spilled(os.getpid()))

    threading.Thread(target=sample, daemon=True).start()
    from labwarden.engines.duckdb import connect
    from labwarden.engines.interface import Engine
    from labwarden.store.analytics import FeatureStore
    from labwarden.watch.analytics.engine import AnalyticsConfig, refresh, score
    from labwarden.watch.detect.run import run_rules
    from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load

    rules = load([bundled_rules_dir(), *([SIGMAHQ] if SIGMAHQ.is_dir() else [])])
    started = time.perf_counter()
    con: Engine
    if engine.startswith("duckdb"):
        con = connect(memory_limit=engine.partition(":")[2] or None)
    else:
        from labwarden.engines.spark_session import connect as spark

        con = spark(engine, conf={"spark.driver.memory": driver_memory})
    startup = time.perf_counter() - started
    started = time.perf_counter()
    con.events_view(lake)
    result = run_rules(con, rules.rules)
    detect_s = time.perf_counter() - started
    analytics_s = None
    scored = None
    if analytics:
        started = time.perf_counter()
        store = FeatureStore(lake)
        days = refresh(con, lake, store)
        scored = len(score(con, store, days, AnalyticsConfig()))
        analytics_s = time.perf_counter() - started
    cpu_s = max(cpu[0], _tree(os.getpid())[1])  # CPU of the whole run (before the JVM exits)
    con.close()
    done.set()
    alerts = sorted(
        [
            d.rule.id,
            d.rule.title,
            sorted((k, str(v)) for k, v in d.group.items()),
            d.first_seen.isoformat(),
            d.last_seen.isoformat(),
            d.count,
            [str(e["event_uid"]) for e in d.evidence],
        ]
        for d in result.detections
    )
    (lake.parent / f"alerts-{engine}.json").write_text(json.dumps(alerts, default=str))
    digest = hashlib.sha256(json.dumps(alerts, default=str).encode()).hexdigest()[:16]
    print(
        json.dumps(
            {
                "engine": engine,
                "startup_s": round(startup, 1),
                "detect_s": round(detect_s, 1),
                "analytics_s": round(analytics_s, 1) if analytics_s is not None else None,
                "rules": len(rules.rules),
                "detections": len(result.detections),
                "analytics_alerts": scored,
                "digest": digest,
                "problems": len(result.problems),
                "peak_rss_mib": round(peak[0] / 2**20),
                "peak_spill_mib": round(spill[0] / 2**20),
                "cpu_s": round(cpu_s, 1),
            }
        )
    )


def _build(events: int, days: int, base: Path) -> dict[str, Any]:
    """Write the population and its CloudTrail (with every technique planted) as a lake."""
    from labwarden.store.lake import Lake
    from labwarden.watch.analytics.simulate import Attack, Scenario, write_lake
    from labwarden.watch.analytics.simulate_trail import TECHNIQUES, Plant, write_trail
    from labwarden.watch.ingest import ingest
    from labwarden.watch.resources import Resolver

    scenario = Scenario(
        principals=max(80, events // 2500),
        days=days,
        events_per_day=events // days,
        seed=5,
        attacks=[Attack("stolen-key", 10, days - 2), Attack("insider", 5, days - 1)],
    )
    started = time.perf_counter()
    truth = write_lake(scenario, base)
    generated = time.perf_counter() - started
    victim = truth.roles.index("researcher")
    plants = [Plant(name, -1, victim) for name in TECHNIQUES]
    started = time.perf_counter()
    files = write_trail(scenario, truth.principals, plants, base.parent / f"trail-{events}")
    trail = ingest(files, Lake(base), Resolver.empty())
    build = {
        "principals": scenario.principals,
        "population_written_s": round(generated, 1),
        "trail_events": trail.events,
        "trail_ingested_s": round(time.perf_counter() - started, 1),
        "planted": sorted(TECHNIQUES),
    }
    (base / "build.json").write_text(json.dumps(build))
    return build


def _compare(engines: list[str]) -> dict[str, Any]:
    """The engines' alerts side by side: identical or not, and the alerts per rule."""
    found = {e: json.loads((WORK / f"alerts-{e}.json").read_text()) for e in engines}
    first = found[engines[0]]
    per_rule: dict[str, int] = {}
    for alert in first:
        per_rule[alert[1]] = per_rule.get(alert[1], 0) + 1
    same = all(alerts == first for alerts in found.values())
    return {
        "engines_compared": len(engines),
        "identical": same if len(engines) > 1 else None,
        "alerts": len(first),
        "alerts_per_rule": dict(sorted(per_rule.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--analytics", action="store_true")
    parser.add_argument("--engines", nargs="+", default=["duckdb", "local[1]", "local[2]"])
    parser.add_argument("--driver-memory", default="2g")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "LAKE"))
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]), args.analytics, args.driver_memory)
        return
    base = WORK / f"lake-{args.events}"
    if not (base / "build.json").exists():
        shutil.rmtree(base, ignore_errors=True)
        _build(args.events, args.days, base)
    build = json.loads((base / "build.json").read_text())
    runs = []
    for engine in args.engines:
        lake = WORK / "run"
        shutil.rmtree(lake, ignore_errors=True)
        shutil.copytree(base, lake)  # each engine computes its own aggregates
        command = [sys.executable, "-m", "benchmarks.spark.run", "--child", engine, str(lake)]
        command += ["--driver-memory", args.driver_memory]
        if args.analytics:
            command.append("--analytics")
        load = os.getloadavg()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        log = WORK / f"child-{engine}-{args.events}.log"
        log.write_text(done.stderr)  # Spark's own messages; kept to say why a run failed
        if done.returncode:
            sys.exit(f"{engine} failed (exit {done.returncode}); its messages: {log}")
        out = done.stdout
        run = json.loads(out.strip().splitlines()[-1])
        run["load_avg_at_start"] = [round(x, 1) for x in load]
        run["load_avg_at_end"] = [round(x, 1) for x in os.getloadavg()]
        print(json.dumps(run), file=sys.stderr)
        runs.append(run)
    results: dict[str, Any] = {
        "events": args.events,
        "days": args.days,
        "cores": os.cpu_count(),
        "spark_driver_memory": args.driver_memory,
        "build": build,
        "runs": runs,
        **_compare(args.engines),
    }
    (HERE / f"results-{args.events}.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    if results["identical"] is False or not results["alerts"]:
        sys.exit(f"engines disagree or found nothing: {results['alerts']} alerts")


if __name__ == "__main__":
    main()
