"""Detection quality of the behaviour analytics on labelled simulated populations.

Each run simulates a population for 30 baseline days plus 15 scored days, injects nine attacks
(stolen key, insider, slow exfiltration, each at three intensities) on the scored days, and
reports, per alert budget: attack recall (an attack counts when any of its days is alerted),
principal-day recall, and false alerts per 1,000 active principal-days. A volume-only detector
(the top-N principals by bytes read each day, what a plain threshold rule amounts to) runs on the
same data as baselines, and so does a per-principal one (the top-N principals by bytes read
against their own 30-day median: what a simple per-user threshold amounts to).

Usage: ``python -m benchmarks.analytics.quality [--principals N] [--seeds K]``
"""

from __future__ import annotations

import argparse
import shutil
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from labwarden.engines.duckdb import DuckDBEngine
from labwarden.store.analytics import FeatureStore
from labwarden.watch.analytics.engine import AnalyticsAlert, AnalyticsConfig, refresh, score
from labwarden.watch.analytics.simulate import Attack, Scenario, Truth, write_lake

WORK = Path(__file__).resolve().parents[1] / ".work" / "analytics"
BASELINE_DAYS = 30
SCORED_DAYS = 15
BUDGETS = (3, 5, 10)
INTENSITIES = {"stolen-key": (3, 10, 30), "insider": (2, 5, 10), "slow-exfil": (1.5, 2, 3)}


def attacks() -> list[Attack]:
    """Nine attacks spread over the scored days."""
    found = []
    day = BASELINE_DAYS + 1
    for kind, levels in INTENSITIES.items():
        for level in levels:
            found.append(Attack(kind, level, day))
            day += 1 if kind != "slow-exfil" else 0
    return found


def run(
    principals: int, events: int, seed: int
) -> tuple[Truth, dict[int, list[AnalyticsAlert]], dict[str, list[Any]], int, Scenario]:
    """Simulate, score with labwarden and with the baselines; return what each alerted."""
    scenario = Scenario(
        principals=principals,
        days=BASELINE_DAYS + SCORED_DAYS,
        events_per_day=events,
        seed=seed,
        attacks=attacks(),
    )
    lake = WORK / f"lake-{principals}-{seed}"
    shutil.rmtree(lake, ignore_errors=True)
    truth = write_lake(scenario, lake)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"CREATE VIEW events AS SELECT * FROM read_parquet('{lake}/source=*/day=*/*.parquet', "
        "hive_partitioning = false, union_by_name = true)"
    )
    store = FeatureStore(lake)
    refresh(DuckDBEngine(con), lake, store)
    days = [scenario.start + timedelta(days=BASELINE_DAYS + d) for d in range(SCORED_DAYS)]
    by_budget = {
        b: score(DuckDBEngine(con), store, days, AnalyticsConfig(budget=b, min_risk=40.0))
        for b in BUDGETS
    }
    glob = store.glob("features")
    volume = con.execute(
        f"""
        SELECT day, principal FROM (
          SELECT day, principal, row_number() OVER (PARTITION BY day ORDER BY bytes_read DESC) r
          FROM read_parquet('{glob}') WHERE day >= $lo
        ) WHERE r <= $n
        """,
        {"lo": days[0], "n": max(BUDGETS)},
    ).fetchall()
    ratio = con.execute(
        f"""
        WITH f AS (SELECT * FROM read_parquet('{glob}')),
        r AS (
          SELECT d.day, d.principal, d.bytes_read / greatest((
            SELECT median(w.bytes_read) FROM f w
            WHERE w.principal = d.principal AND w.day < d.day AND w.day >= d.day - 30
          ), 1048576) AS ratio
          FROM f d WHERE d.day >= $lo
        )
        SELECT day, principal FROM (
          SELECT *, row_number() OVER (PARTITION BY day ORDER BY ratio DESC) rn FROM r
        ) WHERE rn <= $n
        """,
        {"lo": days[0], "n": max(BUDGETS)},
    ).fetchall()
    active = con.execute(
        f"SELECT count(*) FROM read_parquet('{glob}') WHERE day >= $lo", {"lo": days[0]}
    ).fetchone()
    shutil.rmtree(lake, ignore_errors=True)
    baselines = {"volume top-N": volume, "own-median ratio top-N": ratio}
    return truth, by_budget, baselines, int(active[0]) if active else 0, scenario


def evaluate(truth: Truth, alerted: set[tuple[str, date]], active: int) -> dict[str, float]:
    """Attack recall per kind, principal-day recall and false alerts per 1,000 principal-days."""
    detected: dict[str, list[bool]] = defaultdict(list)
    for attack, principal, days in truth.attacks:
        hit = any((principal, d) in alerted for d in days)
        detected[attack.kind].append(hit)
    positives = set(truth.positives)
    false = len(alerted - positives)
    out = {f"recall {k}": sum(v) / len(v) for k, v in detected.items()}
    out["attack recall"] = sum(sum(v) for v in detected.values()) / len(truth.attacks)
    out["day recall"] = len(alerted & positives) / len(positives)
    out["false per 1000 pd"] = 1000 * false / max(active, 1)
    return out


def main() -> None:
    """Run the scenarios and write RESULTS.md."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--principals", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    totals: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for seed in range(1, args.seeds + 1):
        truth, by_budget, baselines, active, _ = run(args.principals, args.events, seed)
        for budget, alerts in by_budget.items():
            alerted = {(a.principal, a.day) for a in alerts}
            for key, value in evaluate(truth, alerted, active).items():
                totals[f"labwarden, budget {budget}/day"][key].append(value)
        for name, rows in baselines.items():
            ranked: dict[date, list[str]] = defaultdict(list)
            for day, principal in rows:
                ranked[day].append(principal)
            for budget in BUDGETS:
                alerted = {(p, d) for d, ps in ranked.items() for p in ps[:budget]}
                for key, value in evaluate(truth, alerted, active).items():
                    totals[f"{name}, budget {budget}/day"][key].append(value)
    keys = [
        "attack recall",
        "recall stolen-key",
        "recall insider",
        "recall slow-exfil",
        "day recall",
        "false per 1000 pd",
    ]
    lines = [
        "# Behaviour analytics: detection quality",
        "",
        f"{args.seeds} simulated populations of {args.principals:,} principals "
        f"({args.events:,} events a day), {BASELINE_DAYS} baseline days and {SCORED_DAYS} "
        "scored days, nine attacks each (stolen key at 3x/10x/30x the victim's usual reads, "
        "insider at 2x/5x/10x, slow exfiltration at 1.5x/2x/3x over ten days). Alerts need a "
        "risk of at least 40. Means over the seeds.",
        "",
        "| detector | " + " | ".join(keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    for name, metrics in totals.items():
        cells = []
        for key in keys:
            values = metrics[key]
            mean = sum(values) / len(values)
            cells.append(f"{mean:.2f}" if key.startswith("false") else f"{mean:.0%}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    (Path(__file__).resolve().parent / "QUALITY.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
