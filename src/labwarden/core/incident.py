"""Incident values: what an incident is, what its scope holds, and its audit trail.

The catalog stores them (:mod:`labwarden.store.incidents`, ``catalog.incidents``); the CLI,
the web server and the respond, trace and identity capabilities read and build them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from labwarden.core.errors import InputError
from labwarden.core.events import parse_iso_time
from labwarden.core.values import Severity

STATUSES = ("open", "contained", "closed")
"""Incident states: ``open`` (investigating), ``contained`` (the attacker's access is cut),
``closed`` (with a resolution)."""

SELECTOR_KINDS = ("principal", "access_key", "host", "source_ip", "user_agent", "bucket")
"""What may select lake events for an incident; each maps to one lake column (see
:data:`SELECTOR_COLUMNS`)."""

SELECTOR_COLUMNS = {
    "principal": "actor_user",
    "access_key": "access_key",
    "host": "host",
    "source_ip": "src_ip",
    "user_agent": "user_agent",
    "bucket": "resource_bucket",
}
"""The lake column each selector kind matches."""

ATTACHMENT_KINDS = ("triage", "file")


@dataclass(frozen=True, slots=True)
class Selector:
    """One value that selects lake events: ``kind`` is one of :data:`SELECTOR_KINDS`."""

    kind: str
    value: str
    added_at: str = ""
    added_by: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "kind": self.kind,
            "value": self.value,
            "added_at": self.added_at,
            "added_by": self.added_by,
        }


@dataclass(frozen=True, slots=True)
class Link:
    """An alert or an asset linked to an incident, with who linked it and when."""

    id: int
    added_at: str
    added_by: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"id": self.id, "added_at": self.added_at, "added_by": self.added_by}


@dataclass(frozen=True, slots=True)
class PinnedEvent:
    """An event pinned to an incident (kept as JSON, so it outlives the lake)."""

    event_uid: str
    event_time: str | None
    event: dict[str, Any]
    added_at: str
    added_by: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "event_uid": self.event_uid,
            "event_time": self.event_time,
            "event": self.event,
            "added_at": self.added_at,
            "added_by": self.added_by,
        }


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    """An evidence file to attach: a triage archive (``kind='triage'``) or any other file."""

    kind: str
    path: str
    sha256: str
    size: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    """An attached evidence file."""

    id: int
    kind: str
    path: str
    sha256: str
    size: int
    label: str
    added_at: str
    added_by: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path,
            "sha256": self.sha256,
            "size": self.size,
            "label": self.label,
            "added_at": self.added_at,
            "added_by": self.added_by,
        }


@dataclass(frozen=True, slots=True)
class Note:
    """A note written on an incident."""

    id: int
    at: str
    author: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"id": self.id, "at": self.at, "author": self.author, "text": self.text}


@dataclass(frozen=True, slots=True)
class IncidentChange:
    """One entry of an incident's audit trail: who did what, when."""

    id: int
    at: str
    actor: str
    action: str
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Scope:
    """What to add to (or remove from) an incident's scope; every part is optional.

    ``selectors`` are ``(kind, value)`` pairs; ``events`` are lake events (dictionaries with at
    least ``time``; an ``event_uid`` is derived from the content when missing).
    """

    selectors: Sequence[tuple[str, str]] = ()
    alerts: Sequence[int] = ()
    assets: Sequence[int] = ()
    events: Sequence[Mapping[str, Any]] = ()
    attachments: Sequence[AttachmentRecord] = ()

    def is_empty(self) -> bool:
        """Whether nothing is given."""
        return not (self.selectors or self.alerts or self.assets or self.events or self.attachments)


@dataclass(frozen=True, slots=True)
class IncidentDraft:
    """What :meth:`IncidentStore.open` stores.

    ``since``/``until`` bound the incident's time window (ISO 8601; ``None`` means open-ended);
    ``aware_at`` is when the lab became aware (default: now). ``fields`` are report facts a
    person supplied (``dpo_contact``, ``delay_reason``, ...).
    """

    title: str
    severity: Severity = Severity.HIGH
    summary: str = ""
    since: str | None = None
    until: str | None = None
    aware_at: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    scope: Scope = Scope()


@dataclass(slots=True)
class StoredIncident:
    """An incident with its scope, notes and audit trail."""

    id: int
    title: str
    status: str
    severity: Severity
    summary: str
    since: str | None
    until: str | None
    aware_at: str
    opened_at: str
    opened_by: str
    updated_at: str
    closed_at: str | None
    resolution: str | None
    fields: dict[str, str]
    selectors: list[Selector] = field(default_factory=list)
    alerts: list[Link] = field(default_factory=list)
    assets: list[Link] = field(default_factory=list)
    events: list[PinnedEvent] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    changes: list[IncidentChange] = field(default_factory=list)

    def selected(self, kind: str) -> list[str]:
        """The values of the selectors of one kind (``principal``, ``access_key``, ...)."""
        return [s.value for s in self.selectors if s.kind == kind]

    @property
    def alert_ids(self) -> list[int]:
        """Ids of the linked alerts."""
        return [a.id for a in self.alerts]

    @property
    def asset_ids(self) -> list[int]:
        """Ids of the linked assets."""
        return [a.id for a in self.assets]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "severity": self.severity.value,
            "summary": self.summary,
            "since": self.since,
            "until": self.until,
            "aware_at": self.aware_at,
            "opened_at": self.opened_at,
            "opened_by": self.opened_by,
            "updated_at": self.updated_at,
            "closed_at": self.closed_at,
            "resolution": self.resolution,
            "fields": self.fields,
            "selectors": [s.to_dict() for s in self.selectors],
            "alerts": [a.to_dict() for a in self.alerts],
            "assets": [a.to_dict() for a in self.assets],
            "events": [e.to_dict() for e in self.events],
            "attachments": [a.to_dict() for a in self.attachments],
            "notes": [n.to_dict() for n in self.notes],
            "changes": [c.to_dict() for c in self.changes],
        }


def normalize_time(text: str | None, what: str) -> str | None:
    """An ISO 8601 time as UTC text (``None`` stays ``None``); :class:`InputError` naming
    ``what`` when it is not a time."""
    if text is None or not text.strip():
        return None
    try:
        return parse_iso_time(text.strip()).isoformat()
    except ValueError:
        raise InputError(
            f"{what} {text!r} is not an ISO 8601 time (e.g. 2026-03-01T12:00:00Z)"
        ) from None


def event_uid(event: Mapping[str, Any]) -> str:
    """The event's ``event_uid``, or one derived from its content."""
    uid = event.get("event_uid")
    if uid:
        return str(uid)
    text = json.dumps(dict(event), sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()[:32]
