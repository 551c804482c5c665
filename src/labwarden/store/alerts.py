"""Alerts: detections and analytics findings over the lake, with the events that prove them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.store.db import Database, utcnow
from labwarden.store.rows import marks

STATUSES = ("open", "acknowledged", "closed")


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


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """What a detection or an analytics run stores as an alert (see :meth:`AlertStore.upsert`)."""

    fingerprint: str
    """The same detection stored again updates its alert instead of adding one."""
    rule_id: str
    rule_title: str
    rule_path: str
    kind: str
    severity: Severity
    tags: Sequence[str]
    group: dict[str, Any]
    principal: str | None
    first_seen: str
    last_seen: str
    event_count: int
    asset_id: int | None
    assets: Sequence[str]
    sensitivity: str | None
    risk: int
    detail: dict[str, Any] = field(default_factory=dict)
    evidence: Sequence[dict[str, Any]] = ()

    def columns(self) -> tuple[Any, ...]:
        """The values of :data:`_FIELDS`, in order."""
        return (
            self.rule_id,
            self.rule_title,
            self.rule_path,
            self.kind,
            self.severity.value,
            json.dumps(list(self.tags)),
            json.dumps(self.group, default=str),
            self.principal,
            self.first_seen,
            self.last_seen,
            self.event_count,
            self.asset_id,
            json.dumps(list(self.assets)),
            self.sensitivity,
            self.risk,
            json.dumps(self.detail, default=str),
        )


_SEVERITY_RANK = (
    "CASE severity "
    + " ".join(f"WHEN '{s.value}' THEN {rank}" for rank, s in enumerate(Severity))
    + " ELSE -1 END"
)
"""SQL ranking a stored severity as :class:`Severity` orders them (``info`` lowest)."""

_COLUMNS = (
    "id, fingerprint, rule_id, rule_title, rule_path, kind, severity, tags, group_key, principal, "
    "first_seen, last_seen, event_count, asset_id, assets, sensitivity, risk, status, detail"
)
_FIELDS = (
    "rule_id, rule_title, rule_path, kind, severity, tags, group_key, principal, first_seen, "
    "last_seen, event_count, asset_id, assets, sensitivity, risk, detail"
)


LEARNED = "learned"
"""The ``detail`` key listing the keys later passes merged in (``grants`` from ``detect
--iam``): a run that refreshes the alert without them keeps them, one that brings them
replaces them."""


def _keep_learned(stored: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    carried = {k: stored[k] for k in stored.get(LEARNED, []) if k in stored and k not in fresh}
    if not carried:
        return fresh
    return {**fresh, **carried, LEARNED: sorted({*carried, *fresh.get(LEARNED, [])})}


def _alert(row: sqlite3.Row) -> StoredAlert:
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


class AlertStore:
    """The ``alerts`` and ``alert_evidence`` tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def upsert(self, records: Sequence[AlertRecord]) -> tuple[int, int]:
        """Insert new alerts and refresh known ones with their evidence, in one transaction;
        returns ``(new, updated)``.

        An evidence event without an ``event_uid`` gets one derived from the alert and its
        position; evidence already stored for an alert is kept.
        """
        new = 0
        now = utcnow()
        with self._db.transaction():
            for record in records:
                new += self._upsert(record, now)
        return new, len(records) - new

    def _upsert(self, record: AlertRecord, now: str) -> bool:
        row = self._db.one(
            "SELECT id, detail FROM alerts WHERE fingerprint = ?", (record.fingerprint,)
        )
        full = record.columns()
        if row is not None:  # context a later pass learned outlives a refresh that lacks it
            kept = _keep_learned(json.loads(row[1] or "{}"), record.detail)
            full = (*full[:-1], json.dumps(kept, default=str))
        if row is None:
            cur = self._db.execute(
                f"INSERT INTO alerts ({_FIELDS}, fingerprint, created_at, updated_at) "
                f"VALUES ({marks(len(full) + 3)})",
                (*full, record.fingerprint, now, now),
            )
            assert cur.lastrowid is not None
            alert_id = cur.lastrowid
        else:
            alert_id = int(row[0])
            sets = ", ".join(f"{name.strip()} = ?" for name in _FIELDS.split(","))
            self._db.execute(
                f"UPDATE alerts SET {sets}, updated_at = ? WHERE id = ?", (*full, now, alert_id)
            )
        self._db.executemany(
            "INSERT OR IGNORE INTO alert_evidence (alert_id, event_uid, event_time, event) "
            "VALUES (?, ?, ?, ?)",
            [
                (
                    alert_id,
                    str(e.get("event_uid") or f"{record.fingerprint}:{i}"),
                    e.get("time"),
                    json.dumps(e, default=str),
                )
                for i, e in enumerate(record.evidence)
            ],
        )
        return row is None

    def find(
        self,
        *,
        min_severity: Severity | None = None,
        status: str | None = "open",
        rule: str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[StoredAlert]:
        """Stored alerts, highest severity first, then highest risk, then most recent: an
        alert never ranks under one of a lower severity, whatever produced their risks."""
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
        rows = self._db.rows(
            f"SELECT {_COLUMNS} FROM alerts WHERE {' AND '.join(where)} "
            f"ORDER BY {_SEVERITY_RANK} DESC, risk DESC, first_seen DESC, id",
            params,
        )
        alerts = [_alert(r) for r in rows]
        if min_severity is not None:
            alerts = [a for a in alerts if a.severity >= min_severity]
        return alerts[:limit] if limit else alerts

    def get(self, alert_id: int) -> StoredAlert:
        """One alert with its evidence; :class:`InputError` when there is none with that id."""
        row = self._db.one(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", (alert_id,))
        if row is None:
            raise InputError(
                f"no alert {alert_id} in {self._db.path}; `labwarden alerts` lists them"
            )
        alert = _alert(row)
        alert.evidence = [
            json.loads(r[0])
            for r in self._db.rows(
                "SELECT event FROM alert_evidence WHERE alert_id = ? "
                "ORDER BY event_time, event_uid",
                (alert_id,),
            )
        ]
        return alert

    def merge_detail(self, fingerprint: str, extra: dict[str, Any]) -> int | None:
        """Add ``extra``'s keys to the ``detail`` of the alert with ``fingerprint`` (context a
        later pass learned, kept when a detection run refreshes the alert without it, see
        :data:`LEARNED`); returns its id, or ``None`` when there is no such alert."""
        with self._db.transaction():
            row = self._db.one(
                "SELECT id, detail FROM alerts WHERE fingerprint = ?", (fingerprint,)
            )
            if row is None:
                return None
            stored = json.loads(row[1] or "{}")
            learned = sorted({*stored.get(LEARNED, []), *extra})
            detail = {**stored, **extra, LEARNED: learned}
            self._db.execute(
                "UPDATE alerts SET detail = ? WHERE id = ?",
                (json.dumps(detail, default=str), int(row[0])),
            )
        return int(row[0])

    def id_of(self, fingerprint: str) -> int | None:
        """The id of the alert with ``fingerprint``, or ``None``."""
        row = self._db.one("SELECT id FROM alerts WHERE fingerprint = ?", (fingerprint,))
        return int(row[0]) if row is not None else None

    def last_id(self) -> int:
        """The highest alert id so far (0 when there is none): later alerts are new."""
        row = self._db.one("SELECT coalesce(max(id), 0) FROM alerts")
        return int(row[0]) if row is not None else 0

    def set_status(self, alert_id: int, status: str) -> None:
        """Acknowledge, close or reopen an alert."""
        if status not in STATUSES:
            raise InputError(f"alert status {status!r} is not one of open, acknowledged, closed")
        with self._db.transaction():
            cur = self._db.execute(
                "UPDATE alerts SET status = ?, updated_at = ? WHERE id = ?",
                (status, utcnow(), alert_id),
            )
            if cur.rowcount == 0:
                raise InputError(f"no alert {alert_id} in {self._db.path}")
