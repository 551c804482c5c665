"""Noise and recall in a lab whose people share roles, through the whole pipeline.

CloudTrail files of :mod:`labwarden.watch.analytics.shared_roles` (40 researchers in one role,
8 nightly training jobs in another, nothing mapped) are ingested into a workspace; the bundled
rules and the behaviour analytics run as ``labwarden detect`` runs them. Reported: alerts on the
nightly jobs (after a week of warm-up, and in all), recall of the insider and of the slow
exfiltration by principal-day, and false alerts per 1,000 active principal-days, by rule.

Usage: ``python -m benchmarks.analytics.shared_roles [--days N] [--seed S] [--json]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.watch.analytics.engine import AnalyticsConfig
from labwarden.watch.analytics.service import lake_days, run_analytics
from labwarden.watch.analytics.shared_roles import RolesScenario, RolesTruth, write_scenario
from labwarden.watch.service import compile_rules, detect, ingest_paths, query_events

WORK = Path(__file__).resolve().parents[1] / ".work" / "shared-roles"
WARMUP_DAYS = 7


def run(scenario: RolesScenario) -> dict[str, Any]:
    """Write, ingest, detect and score the development lab; the measures."""
    return run_lab(lambda logs: write_scenario(scenario, logs), scenario.start, scenario.days, WORK)


def run_lab(
    write: Callable[[Path], RolesTruth], start: date, days: int, work: Path
) -> dict[str, Any]:
    """Write a lab's CloudTrail files with ``write``, ingest, detect and score; the measures."""
    shutil.rmtree(work, ignore_errors=True)
    logs = work / "logs"
    started = time.perf_counter()
    truth = write(logs)
    workspace = Workspace(work / ".labwarden").ensure()
    with Catalog.open(workspace) as catalog:
        ingested = ingest_paths(workspace, catalog, [logs])
        run_detect = detect(workspace, catalog, compile_rules([]))
        run_analytics(workspace, catalog, AnalyticsConfig(), days=lake_days(workspace))
        alerts = catalog.alerts.find(status=None)
    seconds = time.perf_counter() - started
    active = query_events(
        workspace,
        sql="SELECT CAST(time AS DATE) AS day, count(DISTINCT actor_user) AS n FROM events "
        "GROUP BY 1",
    ).to_pylist()
    lab = _Lab(start, days, {row["day"]: int(row["n"]) for row in active}, truth)
    return _measure(lab, alerts, ingested.events, run_detect, seconds)


@dataclass(frozen=True, slots=True)
class _Lab:
    start: date
    days: int
    active: dict[date, int]
    """Active principals by day."""
    truth: RolesTruth


def _day(alert: Any) -> date:
    return date.fromisoformat(str(alert.first_seen)[:10])


def _per_1000(count: int, principal_days: int) -> float:
    return round(1000 * count / max(principal_days, 1), 2)


def _measure(
    lab: _Lab, alerts: list[Any], events: int, run_detect: Any, seconds: float
) -> dict[str, Any]:
    warm = lab.start + timedelta(days=WARMUP_DAYS)
    truth = lab.truth
    rows = []
    for alert in alerts:
        if alert.rule_title.startswith(("Object Read", "Failed SSH")):
            continue
        rows.append((alert.principal, _day(alert), alert.rule_title, alert.kind))
    jobs = [r for r in rows if r[0] in truth.jobs]
    false = [r for r in rows if (r[0], r[1]) not in truth.positives]
    kinds = sorted(set(truth.positives.values()))
    found: dict[str, set[tuple[str, date]]] = {kind: set() for kind in kinds}
    for principal, day, _, _ in rows:
        kind = truth.positives.get((principal, day))
        if kind:
            found[kind].add((principal, day))
    wanted = Counter(truth.positives.values())
    principal_days = sum(lab.active.values())
    after = sum(n for day, n in lab.active.items() if day >= warm)
    false_after = [r for r in false if r[1] >= warm]
    result: dict[str, Any] = {
        "days": lab.days,
        "events": events,
        "principal_days": principal_days,
        "principal_days_after_warmup": after,
        "seconds": round(seconds, 1),
        "alerts": len(rows),
        "nightly_job_alerts": len(jobs),
        "nightly_job_alerts_after_warmup": sum(1 for r in jobs if r[1] >= warm),
        "job_alerts_by_identity": dict(Counter(r[0] for r in jobs).most_common()),
        "routine_detections_left_out": len(run_detect.routine),
    }
    for kind in kinds:
        result[f"{kind.replace('-', '_')}_days_found"] = f"{len(found[kind])}/{wanted[kind]}"
    result.update(
        {
            "false_alerts": len(false),
            "false_per_1000_principal_days": _per_1000(len(false), principal_days),
            "false_alerts_after_warmup": len(false_after),
            "false_per_1000_principal_days_after_warmup": _per_1000(len(false_after), after),
            "false_by_rule": dict(Counter(r[2] for r in false).most_common()),
            "false_by_rule_after_warmup": dict(Counter(r[2] for r in false_after).most_common()),
            "false_after_warmup": [f"{r[0]} {r[1]} {r[2]}" for r in false_after],
        }
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(RolesScenario(days=args.days, seed=args.seed))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
