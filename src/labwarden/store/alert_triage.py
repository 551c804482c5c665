"""Alert triage: status, assignee and notes changed by people, with a revision per alert.

Each change is one transaction that reads the alert's revision and writes the next one, so two
people changing the same alert never lose either change; a caller that passes the revision it saw
(``expected``) is refused with :class:`StaleWriteError` when someone changed the alert meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labwarden.core.errors import InputError, LabwardenError
from labwarden.store.alerts import STATUSES
from labwarden.store.db import Database, storable, utcnow

MAX_NOTE = 10_000
"""Characters a note may have."""


class StaleWriteError(LabwardenError):
    """The alert changed since the revision the caller saw."""


@dataclass(frozen=True, slots=True)
class TriageState:
    """Who is on an alert and where it stands."""

    status: str
    assignee: str | None
    revision: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"status": self.status, "assignee": self.assignee, "revision": self.revision}


@dataclass(frozen=True, slots=True)
class TriageNote:
    """One entry of an alert's triage history."""

    id: int
    at: str
    author: str
    kind: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "at": self.at,
            "author": self.author,
            "kind": self.kind,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class TriageChange:
    """What a person asks to change on an alert; ``None`` leaves a field as it is."""

    status: str | None = None
    assignee: str | None = None
    """An empty string unassigns."""
    note: str | None = None
    reason: str | None = None
    """Why the status changes (required to close)."""


class AlertTriageStore:
    """The triage columns of ``alerts`` and the ``alert_notes`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def state(self, alert_id: int) -> TriageState:
        """The triage state of one alert; :class:`InputError` when there is no such alert."""
        row = self._db.one(
            "SELECT status, assignee, revision FROM alerts WHERE id = ?", (alert_id,)
        )
        if row is None:
            raise InputError(f"no alert {alert_id} in {self._db.path}")
        return TriageState(row[0], row[1], int(row[2]))

    def states(self, alert_ids: list[int]) -> dict[int, TriageState]:
        """Triage states of several alerts at once."""
        if not alert_ids:
            return {}
        marks = ", ".join("?" * len(alert_ids))
        rows = self._db.rows(
            f"SELECT id, status, assignee, revision FROM alerts WHERE id IN ({marks})", alert_ids
        )
        return {int(r[0]): TriageState(r[1], r[2], int(r[3])) for r in rows}

    def notes(self, alert_id: int) -> list[TriageNote]:
        """The triage history of one alert, oldest first."""
        rows = self._db.rows(
            "SELECT id, at, author, kind, text FROM alert_notes WHERE alert_id = ? ORDER BY id",
            (alert_id,),
        )
        return [TriageNote(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def change(
        self, alert_id: int, change: TriageChange, author: str, expected: int | None = None
    ) -> tuple[TriageState, TriageState]:
        """Apply ``change`` in one transaction; returns the state before and after."""
        _validate(change)
        with self._db.transaction():
            before = self.state(alert_id)
            if expected is not None and expected != before.revision:
                raise StaleWriteError(
                    f"alert {alert_id} changed since revision {expected} "
                    f"(it is at {before.revision}); reload it and try again"
                )
            status, assignee = before.status, before.assignee
            entries: list[tuple[str, str]] = []
            if change.status is not None and change.status != status:
                status = change.status
                reason = f": {change.reason}" if change.reason else ""
                entries.append(("status", f"{before.status} -> {status}{reason}"))
            if change.assignee is not None and (change.assignee or None) != assignee:
                assignee = change.assignee or None
                entries.append(("assignee", assignee or "(unassigned)"))
            if change.note:
                entries.append(("note", change.note))
            if not entries:
                return before, before
            now = utcnow()
            after = TriageState(status, assignee, before.revision + 1)
            self._db.execute(
                "UPDATE alerts SET status = ?, assignee = ?, revision = ?, updated_at = ? "
                "WHERE id = ?",
                (status, assignee, after.revision, now, alert_id),
            )
            self._db.executemany(
                "INSERT INTO alert_notes (alert_id, at, author, kind, text) VALUES (?, ?, ?, ?, ?)",
                [(alert_id, now, author, kind, storable(text)) for kind, text in entries],
            )
        return before, after


def _validate(change: TriageChange) -> None:
    if change.status is not None and change.status not in STATUSES:
        raise InputError(f"status {change.status!r} is not one of {', '.join(STATUSES)}")
    if change.status == "closed" and not (change.reason or "").strip():
        raise InputError("closing an alert needs a reason (false positive, resolved, ...)")
    for name, text in (("note", change.note), ("reason", change.reason)):
        if text is not None and len(text) > MAX_NOTE:
            raise InputError(f"{name} is longer than {MAX_NOTE} characters")
    if change.assignee is not None and len(change.assignee) > 200:
        raise InputError("assignee is longer than 200 characters")
