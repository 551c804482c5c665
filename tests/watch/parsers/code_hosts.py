"""Audit events of GitHub and GitLab in their own shapes, for parser and detection tests.

The fields follow the published formats: GitHub's audit log export and streaming events
(``@timestamp``/``created_at`` in milliseconds, ``_document_id``, ``action``, ``actor``,
``actor_ip``, ``repo``...) and GitLab's audit events (``entity_type``, ``entity_path``,
``author_id``, ``details``, and the streaming-only ``event_type``/``target_details``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def millis(minute: float) -> int:
    return int((START + timedelta(minutes=minute)).timestamp() * 1000)


def github(minute: float, action: str, actor: str = "mallory", **extra: Any) -> dict[str, Any]:
    """A GitHub audit log event (streaming shape)."""
    when = millis(minute)
    event: dict[str, Any] = {
        "@timestamp": when,
        "_document_id": f"doc-{action}-{actor}-{minute}",
        "action": action,
        "actor": actor,
        "actor_id": 4242,
        "actor_ip": "203.0.113.50",
        "actor_location": {"country_code": "NL"},
        "business": "acme-enterprise",
        "created_at": when,
        "operation_type": "access",
        "org": "acme-ai",
        "org_id": 77,
        "user_agent": "git/2.43.0",
    }
    event.update(extra)
    return event


def gitlab(minute: float, event_type: str, **extra: Any) -> dict[str, Any]:
    """A GitLab streaming audit event."""
    when = (START + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    event: dict[str, Any] = {
        "id": f"gl-{event_type}-{minute}",
        "author_id": 17,
        "author_name": "Eve Example",
        "entity_id": 301,
        "entity_path": "acme-ai/models/docking",
        "entity_type": "Project",
        "event_type": event_type,
        "ip_address": "198.51.100.23",
        "target_details": "acme-ai/models/docking",
        "target_id": 301,
        "target_type": "Project",
        "created_at": when,
        "details": {"author_name": "Eve Example", "ip_address": "198.51.100.23"},
    }
    event.update(extra)
    return event


def gitlab_api(minute: float, details: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A GitLab audit event as ``GET /audit_events`` returns it (no streaming-only fields)."""
    when = (START + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    event: dict[str, Any] = {
        "id": int(minute * 10) + 1,
        "author_id": 17,
        "entity_id": 301,
        "entity_type": "Project",
        "details": {
            "author_name": "Eve Example",
            "target_id": 301,
            "target_type": "Project",
            "target_details": "acme-ai/models/docking",
            "ip_address": "198.51.100.23",
            "entity_path": "acme-ai/models/docking",
            **details,
        },
        "created_at": when,
    }
    event.update(extra)
    return event
