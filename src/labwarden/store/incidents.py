"""Incidents: a breach under investigation, its scope, notes and its own audit trail.

``catalog.incidents`` (:class:`IncidentStore`) is the API the CLI, the web server and the trace
and identity capabilities share:

* :meth:`IncidentStore.open` stores an :class:`IncidentDraft` and returns the
  :class:`StoredIncident` with its id;
* :meth:`IncidentStore.get` loads one incident with its scope, notes and changes
  (:class:`~labwarden.core.errors.InputError` for an unknown id); :meth:`IncidentStore.find`
  lists them, filtered by status, linked alert or linked asset;
* :meth:`IncidentStore.add` and :meth:`IncidentStore.remove` widen or narrow the scope
  (:class:`Scope`: selectors of lake events, alerts, assets, pinned events, attachments);
* :meth:`IncidentStore.update`, :meth:`IncidentStore.set_status` (``close`` needs a resolution)
  and :meth:`IncidentStore.note` change the rest.

Every write takes the ``actor`` who made it and records an :class:`IncidentChange` (who, when,
what) in the same transaction, so the incident's history is complete by construction. The
values are defined in :mod:`labwarden.core.incident` and re-exported here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from labwarden.core.errors import InputError
from labwarden.core.incident import (
    ATTACHMENT_KINDS,
    SELECTOR_COLUMNS,
    SELECTOR_KINDS,
    STATUSES,
    Attachment,
    AttachmentRecord,
    IncidentChange,
    IncidentDraft,
    Link,
    Note,
    PinnedEvent,
    Scope,
    Selector,
    StoredIncident,
    event_uid,
    normalize_time,
)
from labwarden.core.values import Severity
from labwarden.store.db import Database, storable, utcnow

_HEAD = (
    "id, title, status, severity, summary, window_start, window_end, aware_at, opened_at, "
    "opened_by, updated_at, closed_at, resolution, fields"
)


def _incident(row: sqlite3.Row) -> StoredIncident:
    return StoredIncident(
        id=row["id"],
        title=row["title"],
        status=row["status"],
        severity=Severity(row["severity"]),
        summary=row["summary"],
        since=row["window_start"],
        until=row["window_end"],
        aware_at=row["aware_at"],
        opened_at=row["opened_at"],
        opened_by=row["opened_by"],
        updated_at=row["updated_at"],
        closed_at=row["closed_at"],
        resolution=row["resolution"],
        fields=json.loads(row["fields"]),
    )


def _check_window(since: str | None, until: str | None) -> None:
    if since and until and since > until:
        raise InputError(f"the incident's window starts ({since}) after it ends ({until})")


class IncidentStore:
    """The ``incidents`` table and the tables of their scope, notes and changes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- reading ---------------------------------------------------------------------------

    def get(self, incident_id: int) -> StoredIncident:
        """One incident with everything linked to it; :class:`InputError` when unknown."""
        row = self._db.one(f"SELECT {_HEAD} FROM incidents WHERE id = ?", (incident_id,))
        if row is None:
            raise InputError(
                f"no incident {incident_id} in {self._db.path}; `labwarden incident list` "
                "lists them"
            )
        incident = _incident(row)
        self._load(incident)
        return incident

    def find(
        self,
        *,
        status: str | None = None,
        alert_id: int | None = None,
        asset_id: int | None = None,
        limit: int | None = None,
    ) -> list[StoredIncident]:
        """Incidents, newest first, with everything linked to them."""
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        if status is not None:
            _check_status(status)
            where.append("status = ?")
            params.append(status)
        if alert_id is not None:
            where.append("id IN (SELECT incident_id FROM incident_alerts WHERE alert_id = ?)")
            params.append(alert_id)
        if asset_id is not None:
            where.append("id IN (SELECT incident_id FROM incident_assets WHERE asset_id = ?)")
            params.append(asset_id)
        sql = f"SELECT {_HEAD} FROM incidents WHERE {' AND '.join(where)} ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        found = [_incident(r) for r in self._db.rows(sql, params)]
        for incident in found:
            self._load(incident)
        return found

    def _load(self, incident: StoredIncident) -> None:
        key = (incident.id,)
        incident.selectors = [
            Selector(r[0], r[1], r[2], r[3])
            for r in self._db.rows(
                "SELECT kind, value, added_at, added_by FROM incident_selectors "
                "WHERE incident_id = ? ORDER BY kind, value",
                key,
            )
        ]
        incident.alerts = self._links("incident_alerts", "alert_id", incident.id)
        incident.assets = self._links("incident_assets", "asset_id", incident.id)
        incident.events = [
            PinnedEvent(r[0], r[1], json.loads(r[2]), r[3], r[4])
            for r in self._db.rows(
                "SELECT event_uid, event_time, event, added_at, added_by FROM incident_events "
                "WHERE incident_id = ? ORDER BY event_time, event_uid",
                key,
            )
        ]
        incident.attachments = [
            Attachment(*r)
            for r in self._db.rows(
                "SELECT id, kind, path, sha256, size, label, added_at, added_by "
                "FROM incident_attachments WHERE incident_id = ? ORDER BY id",
                key,
            )
        ]
        incident.notes = [
            Note(*r)
            for r in self._db.rows(
                "SELECT id, at, author, text FROM incident_notes WHERE incident_id = ? ORDER BY id",
                key,
            )
        ]
        incident.changes = self.changes(incident.id)

    def _links(self, table: str, column: str, incident_id: int) -> list[Link]:
        rows = self._db.rows(
            f"SELECT {column}, added_at, added_by FROM {table} WHERE incident_id = ? "
            f"ORDER BY {column}",
            (incident_id,),
        )
        return [Link(r[0], r[1], r[2]) for r in rows]

    def changes(self, incident_id: int) -> list[IncidentChange]:
        """The incident's audit trail, oldest first."""
        rows = self._db.rows(
            "SELECT id, at, actor, action, detail FROM incident_changes WHERE incident_id = ? "
            "ORDER BY id",
            (incident_id,),
        )
        return [IncidentChange(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows]

    # -- writing ---------------------------------------------------------------------------

    def open(self, draft: IncidentDraft, actor: str) -> StoredIncident:
        """Store a new incident with its initial scope; the stored incident (with its id)."""
        title = draft.title.strip()
        if not title:
            raise InputError("an incident needs a title")
        since = normalize_time(draft.since, "--since")
        until = normalize_time(draft.until, "--until")
        _check_window(since, until)
        now = utcnow()
        aware = normalize_time(draft.aware_at, "--aware-at") or now
        actor = _actor(actor)
        with self._db.transaction():
            cur = self._db.execute(
                "INSERT INTO incidents (title, severity, summary, window_start, window_end, "
                "aware_at, opened_at, opened_by, updated_at, fields) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    storable(title),
                    draft.severity.value,
                    storable(draft.summary),
                    since,
                    until,
                    aware,
                    now,
                    actor,
                    now,
                    json.dumps(_fields({}, draft.fields)),
                ),
            )
            assert cur.lastrowid is not None
            incident_id = cur.lastrowid
            detail: dict[str, Any] = {"title": title, "since": since, "until": until}
            self._record(incident_id, actor, "opened", detail, now)
            if not draft.scope.is_empty():
                self._add(incident_id, draft.scope, actor, now)
        return self.get(incident_id)

    def add(self, incident_id: int, scope: Scope, actor: str) -> dict[str, int]:
        """Widen an incident's scope; how many of each part were new."""
        actor = _actor(actor)
        with self._db.transaction():
            self._require(incident_id)
            now = utcnow()
            added = self._add(incident_id, scope, actor, now)
            self._touch(incident_id, now)
        return added

    def _add(self, incident_id: int, scope: Scope, actor: str, now: str) -> dict[str, int]:
        self._validate(scope)
        stamp = (now, actor)
        added = {
            "selectors": self._insert(
                "INSERT OR IGNORE INTO incident_selectors VALUES (?, ?, ?, ?, ?)",
                [(incident_id, k, v.strip(), *stamp) for k, v in scope.selectors],
            ),
            "alerts": self._insert(
                "INSERT OR IGNORE INTO incident_alerts VALUES (?, ?, ?, ?)",
                [(incident_id, a, *stamp) for a in scope.alerts],
            ),
            "assets": self._insert(
                "INSERT OR IGNORE INTO incident_assets VALUES (?, ?, ?, ?)",
                [(incident_id, a, *stamp) for a in scope.assets],
            ),
            "events": self._insert(
                "INSERT OR IGNORE INTO incident_events VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        incident_id,
                        event_uid(e),
                        normalize_time(str(e["time"]), "event time") if e.get("time") else None,
                        json.dumps(dict(e), default=str),
                        *stamp,
                    )
                    for e in scope.events
                ],
            ),
            "attachments": self._insert(
                "INSERT OR IGNORE INTO incident_attachments (incident_id, kind, path, sha256, "
                "size, label, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (incident_id, a.kind, storable(a.path), a.sha256, a.size, a.label, *stamp)
                    for a in scope.attachments
                ],
            ),
        }
        self._record(incident_id, actor, "scope_added", _scope_detail(scope, added), now)
        return added

    def remove(self, incident_id: int, scope: Scope, actor: str) -> dict[str, int]:
        """Narrow an incident's scope (a false lead); how many of each part were removed."""
        actor = _actor(actor)
        key = incident_id
        with self._db.transaction():
            self._require(incident_id)
            removed = {
                "selectors": self._delete(
                    "DELETE FROM incident_selectors WHERE incident_id = ? AND kind = ? "
                    "AND value = ?",
                    [(key, k, v) for k, v in scope.selectors],
                ),
                "alerts": self._delete(
                    "DELETE FROM incident_alerts WHERE incident_id = ? AND alert_id = ?",
                    [(key, a) for a in scope.alerts],
                ),
                "assets": self._delete(
                    "DELETE FROM incident_assets WHERE incident_id = ? AND asset_id = ?",
                    [(key, a) for a in scope.assets],
                ),
                "events": self._delete(
                    "DELETE FROM incident_events WHERE incident_id = ? AND event_uid = ?",
                    [(key, event_uid(e)) for e in scope.events],
                ),
                "attachments": self._delete(
                    "DELETE FROM incident_attachments WHERE incident_id = ? AND sha256 = ?",
                    [(key, a.sha256) for a in scope.attachments],
                ),
            }
            now = utcnow()
            self._record(incident_id, actor, "scope_removed", _scope_detail(scope, removed), now)
            self._touch(incident_id, now)
        return removed

    def update(
        self,
        incident_id: int,
        actor: str,
        *,
        title: str | None = None,
        severity: Severity | None = None,
        summary: str | None = None,
        since: str | None = None,
        until: str | None = None,
        aware_at: str | None = None,
        fields: Mapping[str, str | None] | None = None,
    ) -> StoredIncident:
        """Change an incident's description; ``fields`` are merged (``None`` removes one).
        Only what actually changes is recorded."""
        actor = _actor(actor)
        with self._db.transaction():
            before = self.get(incident_id)
            wanted: dict[str, Any] = {
                "title": title.strip() if title is not None else None,
                "severity": severity.value if severity is not None else None,
                "summary": summary,
                "window_start": normalize_time(since, "--since"),
                "window_end": normalize_time(until, "--until"),
                "aware_at": normalize_time(aware_at, "--aware-at"),
            }
            if wanted["title"] == "":
                raise InputError("an incident needs a title")
            current = {
                "title": before.title,
                "severity": before.severity.value,
                "summary": before.summary,
                "window_start": before.since,
                "window_end": before.until,
                "aware_at": before.aware_at,
            }
            diff = {
                k: {"from": current[k], "to": v}
                for k, v in wanted.items()
                if v is not None and v != current[k]
            }
            _check_window(
                wanted["window_start"] or before.since, wanted["window_end"] or before.until
            )
            merged = _fields(before.fields, fields or {})
            if merged != before.fields:
                diff["fields"] = {"from": before.fields, "to": merged}
            if diff:
                now = utcnow()
                sets = ", ".join(f"{k} = ?" for k in diff)
                values = [
                    json.dumps(merged) if k == "fields" else storable(d["to"])
                    for k, d in diff.items()
                ]
                self._db.execute(
                    f"UPDATE incidents SET {sets}, updated_at = ? WHERE id = ?",
                    (*values, now, incident_id),
                )
                self._record(incident_id, actor, "updated", diff, now)
        return self.get(incident_id)

    def set_status(
        self, incident_id: int, status: str, actor: str, resolution: str | None = None
    ) -> StoredIncident:
        """Move an incident to ``status``; closing needs a ``resolution``, reopening clears it."""
        _check_status(status)
        actor = _actor(actor)
        if status == "closed" and not (resolution or "").strip():
            raise InputError("closing an incident needs a resolution (--resolution)")
        with self._db.transaction():
            before = self.get(incident_id)
            now = utcnow()
            closed_at = now if status == "closed" else None
            kept = resolution.strip() if status == "closed" and resolution else None
            self._db.execute(
                "UPDATE incidents SET status = ?, closed_at = ?, resolution = ?, updated_at = ? "
                "WHERE id = ?",
                (status, closed_at, storable(kept), now, incident_id),
            )
            detail: dict[str, Any] = {"from": before.status, "to": status}
            if kept:
                detail["resolution"] = kept
            self._record(incident_id, actor, "status", detail, now)
        return self.get(incident_id)

    def note(self, incident_id: int, text: str, actor: str) -> Note:
        """Write a note on an incident."""
        actor = _actor(actor)
        body = text.strip()
        if not body:
            raise InputError("a note needs some text")
        with self._db.transaction():
            self._require(incident_id)
            now = utcnow()
            cur = self._db.execute(
                "INSERT INTO incident_notes (incident_id, at, author, text) VALUES (?, ?, ?, ?)",
                (incident_id, now, actor, storable(body)),
            )
            assert cur.lastrowid is not None
            self._record(incident_id, actor, "noted", {"note_id": cur.lastrowid}, now)
            self._touch(incident_id, now)
        return Note(cur.lastrowid, now, actor, body)

    # -- helpers ---------------------------------------------------------------------------

    def _require(self, incident_id: int) -> None:
        if self._db.one("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)) is None:
            raise InputError(
                f"no incident {incident_id} in {self._db.path}; `labwarden incident list` "
                "lists them"
            )

    def _validate(self, scope: Scope) -> None:
        for kind, value in scope.selectors:
            if kind not in SELECTOR_KINDS:
                raise InputError(
                    f"{kind!r} is not a selector kind: one of {', '.join(SELECTOR_KINDS)}"
                )
            if not value.strip():
                raise InputError(f"an empty {kind} cannot select events")
        self._exist("alerts", scope.alerts, "alert", "`labwarden alerts` lists them")
        self._exist("assets", scope.assets, "asset", "`labwarden assets` lists them")
        for attachment in scope.attachments:
            if attachment.kind not in ATTACHMENT_KINDS:
                raise InputError(f"{attachment.kind!r} is not an attachment kind")

    def _exist(self, table: str, ids: Iterable[int], what: str, hint: str) -> None:
        for item in ids:
            if self._db.one(f"SELECT 1 FROM {table} WHERE id = ?", (item,)) is None:
                raise InputError(f"no {what} {item} in {self._db.path}; {hint}")

    def _insert(self, sql: str, rows: list[tuple[Any, ...]]) -> int:
        count = 0
        for row in rows:
            count += self._db.execute(sql, row).rowcount
        return count

    def _delete(self, sql: str, rows: list[tuple[Any, ...]]) -> int:
        return self._insert(sql, rows)

    def _record(
        self, incident_id: int, actor: str, action: str, detail: dict[str, Any], now: str
    ) -> None:
        self._db.execute(
            "INSERT INTO incident_changes (incident_id, at, actor, action, detail) "
            "VALUES (?, ?, ?, ?, ?)",
            (incident_id, now, actor, action, json.dumps(detail, default=str)),
        )

    def _touch(self, incident_id: int, now: str) -> None:
        self._db.execute("UPDATE incidents SET updated_at = ? WHERE id = ?", (now, incident_id))


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise InputError(f"incident status {status!r} is not one of {', '.join(STATUSES)}")


def _actor(actor: str) -> str:
    name = (storable(actor) or "").strip()
    if not name:
        raise InputError("every change of an incident needs who made it (an actor)")
    return name


def _fields(current: Mapping[str, str], changes: Mapping[str, str | None]) -> dict[str, str]:
    merged = dict(current)
    for key, value in changes.items():
        if not key.strip():
            raise InputError("a report field needs a name")
        if value is None or not value.strip():
            merged.pop(key, None)
        else:
            merged[key.strip()] = storable(value.strip()) or ""
    return merged


def _scope_detail(scope: Scope, counts: dict[str, int]) -> dict[str, Any]:
    detail: dict[str, Any] = {"counts": counts}
    if scope.selectors:
        detail["selectors"] = [[k, v] for k, v in scope.selectors]
    if scope.alerts:
        detail["alerts"] = list(scope.alerts)
    if scope.assets:
        detail["assets"] = list(scope.assets)
    if scope.events:
        detail["events"] = [event_uid(e) for e in scope.events]
    if scope.attachments:
        detail["attachments"] = [
            {"kind": a.kind, "path": a.path, "sha256": a.sha256} for a in scope.attachments
        ]
    return detail


__all__ = [
    "ATTACHMENT_KINDS",
    "SELECTOR_COLUMNS",
    "SELECTOR_KINDS",
    "STATUSES",
    "Attachment",
    "AttachmentRecord",
    "IncidentChange",
    "IncidentDraft",
    "IncidentStore",
    "Link",
    "Note",
    "PinnedEvent",
    "Scope",
    "Selector",
    "StoredIncident",
    "event_uid",
    "normalize_time",
]
