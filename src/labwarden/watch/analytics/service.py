"""Analytics over a workspace's lake: bring aggregates up to date, score new days, store alerts.

Analytics alerts sit in the same ``alerts`` table as rule detections (kind ``analytics``), with
their explanation and the baseline they were compared with in ``detail``, and their biggest
events as evidence, so that ``labwarden alerts`` ranks both on one 0-100 risk scale.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from labwarden.core.values import Sensitivity, Severity
from labwarden.core.workspace import Workspace
from labwarden.engines.duckdb import connect
from labwarden.engines.interface import Engine
from labwarden.store.alerts import AlertRecord
from labwarden.store.analytics import FeatureStore
from labwarden.store.catalog import Catalog
from labwarden.watch.alerting import RISK_BANDS
from labwarden.watch.analytics.engine import AnalyticsAlert, AnalyticsConfig, refresh, score

log = logging.getLogger(__name__)

RULE_ID = "labwarden-analytics-behaviour"
RULE_TITLE = "Behaviour anomaly"


@dataclass(slots=True)
class AnalyticsRun:
    """What one analytics run did."""

    aggregated: list[date] = field(default_factory=list)
    scored: list[date] = field(default_factory=list)
    alerts: list[AnalyticsAlert] = field(default_factory=list)
    new_alerts: int = 0
    updated_alerts: int = 0


def severity_of_risk(risk: float) -> Severity:
    """The severity an analytics alert of ``risk`` gets: the band (shared with rule alerts,
    :data:`labwarden.watch.alerting.RISK_BANDS`) its stored, rounded risk falls in, so that
    ranking by risk never puts it above a rule of a higher severity."""
    stored = min(100, max(0, round(risk)))
    return next(s for s, (low, high) in RISK_BANDS.items() if low <= stored <= high)


def run_analytics(
    workspace: Workspace,
    catalog: Catalog,
    config: AnalyticsConfig,
    *,
    days: Sequence[date] | None = None,
    engine: Engine | None = None,
    lake: Path | None = None,
) -> AnalyticsRun:
    """Aggregate what is new in the lake and score ``days`` (default: the days just aggregated).

    ``engine`` runs the queries (default: a DuckDB session; a given engine is left open);
    ``lake`` is another local lake than the workspace's (its aggregates are kept beside it).
    """
    root = lake if lake is not None else workspace.lake_path
    con = engine if engine is not None else connect()
    try:
        if con.events_view(root) == 0:
            return AnalyticsRun()
        store = FeatureStore(root)
        run = AnalyticsRun(aggregated=refresh(con, root, store))
        run.scored = sorted(days) if days is not None else run.aggregated
        run.alerts = score(con, store, run.scored, config)
    finally:
        if engine is None:
            con.close()
    run.new_alerts, run.updated_alerts = store_alerts(catalog, run.alerts)
    return run


def lake_days(workspace: Workspace) -> list[date]:
    """Every day that has events in the workspace's lake."""
    found = set()
    for folder in workspace.lake_path.glob("source=*/day=*"):
        try:
            found.add(date.fromisoformat(folder.name.removeprefix("day=")))
        except ValueError:
            continue
    return sorted(found)


def fingerprint(alert: AnalyticsAlert) -> str:
    """One alert per principal and day: scoring the day again updates it."""
    key = f"analytics|{alert.principal}|{alert.day.isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _sensitivity(alert: AnalyticsAlert) -> Sensitivity | None:
    best: Sensitivity | None = None
    for event in alert.evidence:
        try:
            found = Sensitivity.parse(str(event.get("asset_sensitivity") or ""))
        except ValueError:
            continue
        best = found if best is None or found > best else best
    return best


def record_of(alert: AnalyticsAlert) -> AlertRecord:
    """What an analytics alert stores: its explanation and baseline in ``detail``."""
    times = sorted(str(e["time"]) for e in alert.evidence if e.get("time"))
    first = times[0] if times else f"{alert.day.isoformat()}T00:00:00+00:00"
    sensitivity = _sensitivity(alert)
    return AlertRecord(
        fingerprint=fingerprint(alert),
        rule_id=RULE_ID,
        rule_title=RULE_TITLE,
        rule_path="",
        kind="analytics",
        severity=severity_of_risk(alert.risk),
        tags=["labwarden.analytics"],
        group={"principal": alert.principal, "day": alert.day.isoformat()},
        principal=alert.principal,
        first_seen=first,
        last_seen=times[-1] if times else first,
        event_count=int(alert.baseline.get("events_today") or len(alert.evidence)),
        asset_id=None,
        assets=sorted(
            {str(e["resource_bucket"]) for e in alert.evidence if e.get("resource_bucket")}
        ),
        sensitivity=sensitivity.value if sensitivity else None,
        risk=round(alert.risk),
        detail={
            **({"role": alert.role} if alert.role else {}),
            "title": alert.title,
            "day": alert.day.isoformat(),
            "points": round(alert.points, 2),
            "components": [
                {"component": c, "points": round(p, 2), "explanation": t}
                for c, p, t in alert.components
            ],
            "baseline": alert.baseline,
        },
        evidence=alert.evidence,
    )


def store_alerts(catalog: Catalog, alerts: Sequence[AnalyticsAlert]) -> tuple[int, int]:
    """Insert or refresh analytics alerts with their evidence; returns ``(new, updated)``."""
    new, updated = catalog.alerts.upsert([record_of(a) for a in alerts])
    log.debug("analytics alerts: %d new, %d updated", new, updated)
    return new, updated
