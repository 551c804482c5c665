"""Canary touches: events in the lake that use a canary key or read a decoy, and canary secrets
found by a scan where they were not planted, stored as critical alerts.

One alert per canary, day and principal; its evidence lists the events (with their
``event_uid``). Running the sweep again refreshes the same alerts instead of adding new ones.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from labwarden.core.values import Severity
from labwarden.core.workspace import Workspace
from labwarden.engines.duckdb import connect
from labwarden.store.alerts import AlertRecord
from labwarden.store.catalog import Catalog
from labwarden.store.trace import Canary
from labwarden.trace.canaries.auditd import path_events
from labwarden.trace.canaries.kinds import RULE_ID, RULE_PATH, CanaryKind

EVIDENCE_LIMIT = 50
_EVIDENCE = (
    "event_uid",
    "time",
    "source",
    "activity",
    "actor_user",
    "access_key",
    "src_ip",
    "user_agent",
    "api_operation",
    "resource_uri",
    "status",
    "host",
    "process",
    "origin_file",
    "origin_line",
)
_RISK = 100


@dataclass(slots=True)
class SweepResult:
    """What a sweep found."""

    events: int
    new_alerts: int
    updated_alerts: int
    alerts: list[AlertRecord]
    incidents: list[int] = field(default_factory=list)
    """The open incidents the alerts were added to."""


def touched(canary: Canary, event: dict[str, Any]) -> bool:
    """Whether ``event`` touches ``canary``."""
    if canary.kind == CanaryKind.AWS_KEY.value:
        return bool(event.get("access_key") == canary.token)
    uri = str(event.get("resource_uri") or "")
    if not uri:
        return False
    for match in canary.matches:
        if match.startswith("/c/") and match in uri:
            return True
        if uri.startswith(match) or uri == match.rstrip("/"):
            return True
    return False


def _where(canaries: Sequence[Canary]) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    keys = [c.token for c in canaries if c.kind == CanaryKind.AWS_KEY.value]
    if keys:
        clauses.append(f"access_key IN ({', '.join('?' * len(keys))})")
        params.extend(keys)
    for canary in canaries:
        for match in canary.matches:
            if match.startswith("/c/"):
                clauses.append("contains(resource_uri, ?)")
            else:
                clauses.append("starts_with(resource_uri, ?)")
            params.append(match)
    return " OR ".join(clauses), params


def _events(lake: Path, canaries: Sequence[Canary]) -> list[dict[str, Any]]:
    where, params = _where(canaries)
    if not where:
        return []
    con = connect()
    try:
        if con.events_view(lake) == 0:
            return []
        columns = set(con.columns("events"))
        wanted = [c for c in _EVIDENCE if c in columns]
        rows: list[dict[str, Any]] = con.table(
            f"SELECT {', '.join(wanted)} FROM events WHERE ({where}) AND NOT "  # noqa: S608
            "(coalesce(api_service, '') = 'auditd' AND coalesce(api_operation, '') = 'PATH')",
            params,
        ).to_pylist()
        if {"raw", "api_service", "api_operation"} <= columns:
            rows += path_events(con, canaries, wanted)
    finally:
        con.close()
    return sorted(rows, key=lambda e: (_iso(e.get("time")), str(e.get("event_uid"))))


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _principal(event: dict[str, Any]) -> str | None:
    for key in ("actor_user", "access_key", "src_ip"):
        if event.get(key):
            return str(event[key])
    return None


def alert_for(canary: Canary, events: Sequence[dict[str, Any]], how: str) -> AlertRecord:
    """The alert of ``events`` touching ``canary`` (one principal, one day)."""
    first, last = _iso(events[0].get("time")), _iso(events[-1].get("time"))
    principal = _principal(events[0])
    key = json.dumps([RULE_ID, canary.id, principal, first[:10], how])
    evidence = [
        {k: (_iso(v) if isinstance(v, datetime) else v) for k, v in e.items()}
        for e in events[:EVIDENCE_LIMIT]
    ]
    return AlertRecord(
        fingerprint=hashlib.sha256(key.encode()).hexdigest()[:32],
        rule_id=RULE_ID,
        rule_title=f"Canary touched: {canary.name} ({canary.kind})",
        rule_path=RULE_PATH,
        kind="detection",
        severity=Severity.CRITICAL,
        tags=["attack.collection", "attack.t1530", "canary"],
        group={"canary": canary.name, "principal": principal},
        principal=principal,
        first_seen=first,
        last_seen=last,
        event_count=len(events),
        asset_id=None,
        assets=[canary.location],
        sensitivity="restricted",
        risk=_RISK,
        detail={
            "canary": canary.to_dict(),
            "how": how,
            "planted_at": canary.location,
            "event_uids": [e.get("event_uid") for e in events[:EVIDENCE_LIMIT]],
        },
        evidence=evidence,
    )


def lake_alerts(lake: Path, canaries: Sequence[Canary]) -> tuple[int, list[AlertRecord]]:
    """Alerts for every canary touched by an event in ``lake``; the number of events."""
    events = _events(lake, canaries)
    groups: dict[tuple[int, str | None, str], list[dict[str, Any]]] = defaultdict(list)
    by_id = {c.id: c for c in canaries}
    for event in events:
        for canary in canaries:
            if touched(canary, event):
                key = (canary.id, _principal(event), _iso(event.get("time"))[:10])
                groups[key].append(event)
    alerts = [
        alert_for(by_id[cid], group, "beacon" if by_id[cid].kind == "beacon" else "lake event")
        for (cid, _, _), group in groups.items()
    ]
    return len(events), alerts


def secret_alerts(catalog: Catalog, canaries: Sequence[Canary]) -> list[AlertRecord]:
    """Canary secrets that a scan's secrets check found somewhere they were not planted."""
    out: list[AlertRecord] = []
    for canary in canaries:
        hashes = [str(h) for h in canary.detail.get("secret_hashes", [])]
        if not hashes:
            continue
        planted = canary.location
        sightings = [
            s
            for s in catalog.canaries.secret_sightings(hashes)
            if s["path"] != planted and not str(s["path"]).startswith(planted + "/")
        ]
        if sightings:
            events = [
                {
                    "event_uid": f"finding:{s['finding_id']}",
                    "time": s["seen_at"],
                    "source": "labwarden-scan",
                    "activity": "secret found",
                    "resource_uri": s["path"],
                }
                for s in sightings
            ]
            out.append(alert_for(canary, events, "secret seen elsewhere"))
    return out


def sweep(workspace: Workspace, catalog: Catalog, *, store: bool = True) -> SweepResult:
    """Look for touches of every active canary and store them as alerts, added to the scope
    of every open incident."""
    canaries = catalog.canaries.find()
    if not canaries:
        return SweepResult(0, 0, 0, [])
    count, alerts = lake_alerts(workspace.lake_path, canaries)
    alerts += secret_alerts(catalog, canaries)
    new = updated = 0
    incidents: list[int] = []
    if store and alerts:
        from labwarden.trace.incidents import attach_alerts

        new, updated = catalog.alerts.upsert(alerts)
        incidents = attach_alerts(catalog, alerts)
    return SweepResult(count, new, updated, alerts, incidents)
