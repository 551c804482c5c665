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
    """Write, ingest, detect and score the lab; the measures."""
    shutil.rmtree(WORK, ignore_errors=True)
    logs = WORK / "logs"
    started = time.perf_counter()
    truth = write_scenario(scenario, logs)
    workspace = Workspace(WORK / ".labwarden").ensure()
    with Catalog.open(workspace) as catalog:
        ingested = ingest_paths(workspace, catalog, [logs])
        run_detect = detect(workspace, catalog, compile_rules([]))
        days = lake_days(workspace)
        run_analytics(workspace, catalog, AnalyticsConfig(), days=days)
        alerts = catalog.alerts.find(status=None)
    seconds = time.perf_counter() - started
    active = query_events(
        workspace,
        sql="SELECT count(*) AS n FROM "
        "(SELECT DISTINCT actor_user, CAST(time AS DATE) FROM events)",
    ).to_pylist()[0]["n"]
    return _measure(scenario, truth, alerts, int(active), ingested.events, run_detect, seconds)


def _day(alert: Any) -> date:
    return date.fromisoformat(str(alert.first_seen)[:10])


def _measure(
    scenario: RolesScenario,
    truth: RolesTruth,
    alerts: list[Any],
    active: int,
    events: int,
    run_detect: Any,
    seconds: float,
) -> dict[str, Any]:
    warm = scenario.start + timedelta(days=WARMUP_DAYS)
    rows = []
    for alert in alerts:
        if alert.rule_title.startswith(("Object Read", "Failed SSH")):
            continue
        rows.append((alert.principal, _day(alert), alert.rule_title, alert.kind))
    jobs = [r for r in rows if r[0] in truth.jobs]
    false = [r for r in rows if (r[0], r[1]) not in truth.positives]
    found: dict[str, set[date]] = {"insider": set(), "slow-exfil": set()}
    for principal, day, _, _ in rows:
        kind = truth.positives.get((principal, day))
        if kind:
            found[kind].add(day)
    wanted = Counter(truth.positives.values())
    return {
        "days": scenario.days,
        "events": events,
        "principal_days": active,
        "seconds": round(seconds, 1),
        "alerts": len(rows),
        "nightly_job_alerts": len(jobs),
        "nightly_job_alerts_after_warmup": sum(1 for r in jobs if r[1] >= warm),
        "routine_detections_left_out": len(run_detect.routine),
        "insider_days_found": f"{len(found['insider'])}/{wanted['insider']}",
        "slow_exfil_days_found": f"{len(found['slow-exfil'])}/{wanted['slow-exfil']}",
        "false_alerts": len(false),
        "false_per_1000_principal_days": round(1000 * len(false) / max(active, 1), 2),
        "false_by_rule": dict(Counter(r[2] for r in false).most_common()),
        "false_by_rule_after_warmup": dict(
            Counter(r[2] for r in false if r[1] >= warm).most_common()
        ),
    }


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
