"""Alerts: detections stored in the catalog with their evidence events, ranked by risk.

Risk (0-100, the scale analytics alerts share) is the rule's level weighted by the sensitivity
of the most sensitive asset the evidence touched (a canary counts as restricted): reading a
restricted dataset outranks the same anomaly on a public bucket. Storing the same detection
again (a re-run of ``detect``) updates its alert instead of adding one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from labwarden.core.errors import InputError
from labwarden.core.values import Sensitivity, Severity
from labwarden.store.catalog import Catalog, utcnow

if TYPE_CHECKING:
    from labwarden.watch.detect.run import Detection

LEVEL_WEIGHT = {"informational": 1, "info": 1, "low": 2, "medium": 4, "high": 7, "critical": 10}
SENSITIVITY_WEIGHT = {"public": 1, "internal": 2, "confidential": 3, "restricted": 5}


def severity_of(level: str) -> Severity:
    """A Sigma level as a labwarden severity."""
    if level in ("informational", "info"):
        return Severity.INFO
    try:
        return Severity.parse(level)
    except ValueError:
        return Severity.MEDIUM


def top_sensitivity(evidence: Sequence[dict[str, Any]]) -> Sensitivity | None:
    """The highest sensitivity among the evidence's assets (canaries count as restricted)."""
    best: Sensitivity | None = None
    for event in evidence:
        value = event.get("asset_sensitivity")
        if not value:
            continue
        try:
            found = Sensitivity.parse(str(value))
        except ValueError:
            continue
        if best is None or found > best:
            best = found
    return best


def risk_of(level: str, sensitivity: Sensitivity | None) -> int:
    """Risk on the shared 0-100 scale: level weight (1-10) times sensitivity weight (1-5; 1
    when no asset is known), times 2."""
    weight = SENSITIVITY_WEIGHT.get(sensitivity.value, 1) if sensitivity else 1
    return 2 * LEVEL_WEIGHT.get(level, 4) * weight


@dataclass(slots=True)
class StoredAlert:
    """An alert row, with its evidence when loaded one by one."""

    id: int
    fingerprint: str
    rule_id: str
    rule_title: str
    rule_path: str
    kind: str
    severity: Severity
    tags: list[str]
    group: dict[str, Any]
    principal: str | None
    first_seen: str
    last_seen: str
    event_count: int
    asset_id: int | None
    assets: list[str]
    sensitivity: str | None
    risk: int
    status: str
    detail: dict[str, Any] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "fingerprint": self.fingerprint,
            "rule": {"id": self.rule_id, "title": self.rule_title, "path": self.rule_path},
            "kind": self.kind,
            "severity": self.severity.value,
            "risk": self.risk,
            "status": self.status,
            "tags": self.tags,
            "group": self.group,
            "principal": self.principal,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "event_count": self.event_count,
            "asset_id": self.asset_id,
            "assets": self.assets,
            "sensitivity": self.sensitivity,
            "detail": self.detail,
            "evidence": self.evidence,
        }


_COLUMNS = (
    "id, fingerprint, rule_id, rule_title, rule_path, kind, severity, tags, group_key, principal, "
    "first_seen, last_seen, event_count, asset_id, assets, sensitivity, risk, status, detail"
)


def _from_row(row: sqlite3.Row) -> StoredAlert:
    return StoredAlert(
        id=row["id"],
        fingerprint=row["fingerprint"],
        rule_id=row["rule_id"],
        rule_title=row["rule_title"],
        rule_path=row["rule_path"],
        kind=row["kind"],
        severity=Severity(row["severity"]),
        tags=json.loads(row["tags"]),
        group=json.loads(row["group_key"]),
        principal=row["principal"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        event_count=row["event_count"],
        asset_id=row["asset_id"],
        assets=json.loads(row["assets"]),
        sensitivity=row["sensitivity"],
        risk=row["risk"],
        status=row["status"],
        detail=json.loads(row["detail"] or "{}"),
    )


def _iso(value: datetime) -> str:
    return value.isoformat()


def _principal(detection: Detection) -> str | None:
    for key in ("actor_user", "actor_uid", "access_key", "src_ip"):
        value = detection.group.get(key)
        if value:
            return str(value)
    users = {e.get("actor_user") for e in detection.evidence if e.get("actor_user")}
    return str(next(iter(users))) if len(users) == 1 else None


def _asset_id(catalog: Catalog, evidence: Sequence[dict[str, Any]]) -> int | None:
    ids = {e.get("asset_id") for e in evidence if e.get("asset_id") is not None}
    for asset_id in sorted(int(i) for i in ids if i is not None):
        row = catalog.conn.execute("SELECT 1 FROM assets WHERE id = ?", (asset_id,)).fetchone()
        if row is not None:
            return asset_id
    return None


_FIELDS = (
    "rule_id, rule_title, rule_path, kind, severity, tags, group_key, principal, first_seen, "
    "last_seen, event_count, asset_id, assets, sensitivity, risk, detail"
)


def upsert(
    tx: sqlite3.Connection,
    fingerprint: str,
    values: tuple[Any, ...],
    detail: dict[str, Any],
    evidence: Sequence[dict[str, Any]],
    now: str,
) -> bool:
    """Insert or refresh one alert and add its evidence inside ``tx``; ``True`` when new.

    ``values`` are the columns of :data:`_FIELDS` but ``detail``, in that order. An event
    without an ``event_uid`` gets one derived from the alert and its position.
    """
    row = tx.execute("SELECT id FROM alerts WHERE fingerprint = ?", (fingerprint,)).fetchone()
    full = (*values, json.dumps(detail, default=str))
    if row is None:
        marks = ", ".join("?" * (len(full) + 3))
        cur = tx.execute(
            f"INSERT INTO alerts ({_FIELDS}, fingerprint, created_at, updated_at) "  # noqa: S608
            f"VALUES ({marks})",
            (*full, fingerprint, now, now),
        )
        assert cur.lastrowid is not None
        alert_id = cur.lastrowid
    else:
        alert_id = int(row[0])
        sets = ", ".join(f"{name.strip()} = ?" for name in _FIELDS.split(","))
        tx.execute(
            f"UPDATE alerts SET {sets}, updated_at = ? WHERE id = ?",  # noqa: S608
            (*full, now, alert_id),
        )
    tx.executemany(
        "INSERT OR IGNORE INTO alert_evidence (alert_id, event_uid, event_time, event) "
        "VALUES (?, ?, ?, ?)",
        [
            (
                alert_id,
                str(e.get("event_uid") or f"{fingerprint}:{i}"),
                e.get("time"),
                json.dumps(e, default=str),
            )
            for i, e in enumerate(evidence)
        ],
    )
    return row is None


def store(catalog: Catalog, detections: Sequence[Detection]) -> tuple[int, int]:
    """Insert new alerts and refresh known ones in one transaction; ``(new, updated)``."""
    new = updated = 0
    now = utcnow()
    with catalog.transaction() as tx:
        for detection in detections:
            sensitivity = top_sensitivity(detection.evidence)
            if any(e.get("asset_canary") for e in detection.evidence):
                sensitivity = Sensitivity.RESTRICTED
            level = detection.rule.level
            values = (
                detection.rule.id,
                detection.rule.title,
                detection.rule.path,
                detection.rule.kind,
                severity_of(level).value,
                json.dumps(detection.rule.tags),
                json.dumps(detection.group, sort_keys=True, default=str),
                _principal(detection),
                _iso(detection.first_seen),
                _iso(detection.last_seen),
                detection.count,
                _asset_id(catalog, detection.evidence),
                json.dumps(detection.assets),
                sensitivity.value if sensitivity else None,
                risk_of(level, sensitivity),
            )
            created = upsert(tx, detection.fingerprint, values, {}, detection.evidence, now)
            new += created
            updated += not created
    return new, updated


def list_alerts(
    catalog: Catalog,
    *,
    min_severity: Severity | None = None,
    status: str | None = "open",
    rule: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[StoredAlert]:
    """Stored alerts, highest risk first, then most recent."""
    where, params = ["1 = 1"], []
    if status:
        where.append("status = ?")
        params.append(status)
    if rule:
        where.append("(rule_id = ? OR rule_title LIKE ?)")
        params.extend([rule, f"%{rule}%"])
    if since:
        where.append("last_seen >= ?")
        params.append(since)
    sql = (
        f"SELECT {_COLUMNS} FROM alerts WHERE {' AND '.join(where)} "  # noqa: S608
        "ORDER BY risk DESC, first_seen DESC, id"
    )
    alerts = [_from_row(r) for r in catalog.conn.execute(sql, params)]
    if min_severity is not None:
        alerts = [a for a in alerts if a.severity >= min_severity]
    return alerts[:limit] if limit else alerts


def get_alert(catalog: Catalog, alert_id: int) -> StoredAlert:
    """One alert with its evidence; :class:`InputError` when there is none with that id."""
    sql = f"SELECT {_COLUMNS} FROM alerts WHERE id = ?"  # noqa: S608
    row = catalog.conn.execute(sql, (alert_id,)).fetchone()
    if row is None:
        raise InputError(f"no alert {alert_id} in {catalog.path}; `labwarden alerts` lists them")
    alert = _from_row(row)
    alert.evidence = [
        json.loads(r[0])
        for r in catalog.conn.execute(
            "SELECT event FROM alert_evidence WHERE alert_id = ? ORDER BY event_time, event_uid",
            (alert_id,),
        )
    ]
    return alert


def set_status(catalog: Catalog, alert_id: int, status: str) -> None:
    """Acknowledge, close or reopen an alert."""
    if status not in ("open", "acknowledged", "closed"):
        raise InputError(f"alert status {status!r} is not one of open, acknowledged, closed")
    with catalog.transaction() as tx:
        cur = tx.execute(
            "UPDATE alerts SET status = ?, updated_at = ? WHERE id = ?",
            (status, utcnow(), alert_id),
        )
        if cur.rowcount == 0:
            raise InputError(f"no alert {alert_id} in {catalog.path}")
