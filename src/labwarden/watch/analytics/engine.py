"""Run the analytics: bring the daily aggregates up to date, score days, pick alerts."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from labwarden.engines.interface import Engine, EngineError
from labwarden.store.analytics import FeatureStore
from labwarden.watch.analytics import explain
from labwarden.watch.analytics.features import (
    PRINCIPAL,
    compute_day,
    day_source,
    stale_days,
    unlocated_country,
)
from labwarden.watch.analytics.peers import peers_table, roles
from labwarden.watch.analytics.scoring import score_day

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnalyticsConfig:
    """Tuning of the analytics."""

    window_days: int = 30
    budget: int = 10
    """At most this many alerts a day (the highest risks)."""
    min_risk: float = 40.0
    """No alert below this risk, whatever the budget."""
    mapping: dict[str, str] | None = None
    """``principal -> group`` (team or role) from a mapping file."""
    evidence_events: int = 20
    warmup_days: int = 7
    """Days of lake history a day needs before it is scored (earlier days only build baselines)."""


@dataclass(slots=True)
class AnalyticsAlert:
    """One principal-day that made the budget."""

    principal: str
    day: date
    risk: float
    points: float
    title: str
    components: list[tuple[str, float, str]]
    baseline: dict[str, Any]
    evidence: list[dict[str, Any]] = field(default_factory=list)
    role: str | None = None
    """The role the principal acted through (its peer group), when it is a role session."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "principal": self.principal,
            "role": self.role,
            "day": self.day.isoformat(),
            "risk": self.risk,
            "points": round(self.points, 2),
            "title": self.title,
            "components": [
                {"component": c, "points": round(p, 2), "explanation": t}
                for c, p, t in self.components
            ],
            "baseline": self.baseline,
            "evidence": self.evidence,
        }


def refresh(
    con: Engine, lake_root: Path, store: FeatureStore, source: str = "events"
) -> list[date]:
    """Aggregate every lake day whose events changed since its aggregates; return those days."""
    days = stale_days(lake_root, store)
    for day in days:
        compute_day(con, store, day, day_source(lake_root, day) or source)
    return days


def score(
    con: Engine,
    store: FeatureStore,
    days: list[date],
    config: AnalyticsConfig,
    source: str = "events",
) -> list[AnalyticsAlert]:
    """Score ``days`` and return the alerts within the budget, highest risk first per day."""
    if not days or not store.has("features"):
        return []
    for kind in ("features", "facts"):
        glob = store.glob(kind).replace("'", "''")
        con.execute(f"CREATE OR REPLACE VIEW lw_{kind} AS SELECT * FROM read_parquet('{glob}')")
    known = store.days("features")
    first = known[0] if known else None
    alerts: list[AnalyticsAlert] = []
    for day in sorted(days):
        if first is None or (day - first).days < config.warmup_days:
            log.debug("not scoring %s: less than %d days of history", day, config.warmup_days)
            continue
        lo = day - timedelta(days=config.window_days)
        peers = peers_table(con, "lw_facts", lo, day, config.mapping)
        with con.registered("lw_peers", peers):
            scored = score_day(con, "lw_features", "lw_facts", "lw_peers", day, config.window_days)
        rows = [r for r in scored.to_pylist() if r["risk"] >= config.min_risk][: config.budget]
        known_roles = roles(con, "lw_facts", lo, day) if rows else {}
        for row in rows:
            alert = _alert(con, row, day, config, source)
            alert.role = known_roles.get(alert.principal)
            alerts.append(alert)
    return alerts


def _alert(
    con: Engine,
    row: dict[str, Any],
    day: date,
    config: AnalyticsConfig,
    source: str,
) -> AnalyticsAlert:
    principal = str(row["principal"])
    new_values = _new_facts(con, principal, day)
    parts = explain.components(row, new_values)
    evidence = _evidence(con, principal, day, config.evidence_events, source)
    return AnalyticsAlert(
        principal=principal,
        day=day,
        risk=float(row["risk"]),
        points=float(row["points"]),
        title=explain.headline(principal, parts),
        components=parts,
        baseline=explain.baseline(row, config.window_days),
        evidence=evidence,
    )


def _new_facts(con: Engine, principal: str, day: date) -> dict[str, list[str]]:
    rows = con.rows(
        f"""
        SELECT f.kind, f.value FROM lw_facts f
        WHERE f.principal = $p AND f.day = CAST($day AS DATE)
          AND NOT {unlocated_country("f")}
          AND NOT EXISTS (
            SELECT 1 FROM lw_facts k WHERE k.principal = f.principal AND k.kind = f.kind
              AND k.value = f.value AND k.day < CAST($day AS DATE))
        ORDER BY f.bytes DESC, f.value
        """,
        {"p": principal, "day": day},
    )
    found: dict[str, list[str]] = {}
    for kind, value in rows:
        found.setdefault(str(kind), []).append(str(value))
    return found


def _evidence(
    con: Engine, principal: str, day: date, limit: int, source: str
) -> list[dict[str, Any]]:
    """The principal's biggest events of the day (the evidence an analyst opens first).

    Ties (same size, same time) are broken by the event's uid where the source has one, so
    that every engine picks the same events."""
    try:
        tie = ", event_uid" if "event_uid" in con.columns(source) else ""
        table = con.table(
            f"""
            SELECT *
            FROM {source}
            WHERE {PRINCIPAL} = $p AND time >= CAST($day AS TIMESTAMPTZ)
              AND time < CAST($next AS TIMESTAMPTZ)
            ORDER BY coalesce(bytes, 0) DESC, time{tie} LIMIT {int(limit)}
            """,
            {"p": principal, "day": day, "next": day + timedelta(days=1)},
        )
    except EngineError as exc:  # pragma: no cover - every lake has these columns
        log.warning("no evidence for %s on %s: %s", principal, day, exc)
        return []
    rows: list[dict[str, Any]] = table.to_pylist()
    for row in rows:
        for key, value in row.items():
            if hasattr(value, "isoformat"):
                row[key] = value.isoformat()
    return rows
