"""GitLab audit events: the REST API (``/audit_events`` of the instance, a group or a project),
the CSV-less JSON exports built from it, and audit event streaming (JSON Lines).

Projects map onto the lake like GitHub repositories: ``resource_bucket`` is the top-level group,
``resource_key`` the rest of the path, ``resource_uri`` ``gitlab:group/sub/project``. Git
``upload-pack`` (clone, fetch) and archive downloads are reads, ``receive-pack`` writes.
"""

from __future__ import annotations

import re
from typing import Any

from labwarden.core.events import Event, EventClass, parse_iso_time
from labwarden.watch.parsers.base import dig, text_or_none
from labwarden.watch.parsers.sniffed import SniffedJsonParser

_SNIFF = re.compile(r'"entity_type"\s*:')
_SNIFF_MORE = re.compile(r'"(?:author_id|entity_path|target_details|event_type|event_name)"\s*:')

_READS = ("repository_download_operation", "repository_git_operation:git-upload-pack")
_RESOURCE_TYPES = {"project": "repository", "group": "group", "user": "user", "key": "key"}
_VERBS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("created", "added", "add", "create", "enabled", "granted", "invited"), "create"),
    (("removed", "deleted", "destroyed", "remove", "delete", "revoked", "disabled"), "delete"),
    (("updated", "changed", "change", "transferred", "moved", "renamed", "archived"), "update"),
)


def operation_of(record: dict[str, Any]) -> str:
    """The event's name: ``event_type`` (streaming), ``event_name`` (API), or one built from
    the details of older events (``add:deploy_key``, ``change:visibility``)."""
    details = record.get("details") if isinstance(record.get("details"), dict) else {}
    name = text_or_none(record.get("event_type")) or text_or_none(record.get("event_name"))
    if name == "repository_git_operation":
        action = text_or_none(details.get("action")) if isinstance(details, dict) else None
        return f"{name}:{action}" if action else name
    if name:
        return name
    if isinstance(details, dict):
        for verb in ("add", "remove", "change"):
            what = text_or_none(details.get(verb))
            if what:
                return f"{verb}:{what.lower().replace(' ', '_')}"
        message = text_or_none(details.get("custom_message"))
        if message:
            return message
    raise ValueError("event has no event_type, event_name or details saying what happened")


def activity_of(operation: str) -> str:
    """read for clones and downloads, write for pushes, else by the verb in the name."""
    if operation in _READS or operation.endswith("git-upload-pack"):
        return "read"
    if operation.endswith("git-receive-pack"):
        return "write"
    words = re.split(r"[_:\s]+", operation.lower())
    for names, activity in _VERBS:
        if any(word in names for word in words):
            return activity
    return "other"


def _field(record: dict[str, Any], name: str) -> str | None:
    """A field of the event or, for API events, of its details."""
    return text_or_none(record.get(name)) or text_or_none(dig(record, "details", name))


def _fork_type(operation: str, entity: str | None, target: str | None) -> str | None:
    if "fork" not in operation.lower():
        return None
    if (
        entity
        and target
        and "/" in target
        and entity.split("/", 1)[0].lower() != target.split("/", 1)[0].lower()
    ):
        return "external_fork"
    return "fork"


def normalize(record: dict[str, Any], raw: str) -> Event:
    """One GitLab audit event; ``ValueError`` when it has no time or says nothing."""
    when = record.get("created_at")
    if not isinstance(when, str):
        raise ValueError("event has no created_at")
    operation = operation_of(record)
    entity_type = (_field(record, "entity_type") or "").lower()
    path = _field(record, "entity_path")
    target = _field(record, "target_details")
    if not path and entity_type == "project":
        path = target
    group, _, rest = (path or "").strip("/").partition("/")
    resource_type = _fork_type(operation, path, target) or _RESOURCE_TYPES.get(
        entity_type, entity_type or None
    )
    failed = "fail" in operation.lower()
    return {
        "time": parse_iso_time(when),
        "class_uid": int(EventClass.API_ACTIVITY),
        "activity": activity_of(operation),
        "actor_user": _field(record, "author_name") or _field(record, "author_email"),
        "actor_uid": text_or_none(record.get("author_id")),
        "actor_type": "user" if record.get("author_id") not in (None, -1, "-1") else "system",
        "src_ip": _field(record, "ip_address"),
        "user_agent": None,
        "api_service": "gitlab",
        "api_operation": operation,
        "api_request_id": text_or_none(dig(record, "details", "correlation_id")),
        "cloud_account": group or None,
        "cloud_region": None,
        "resource_type": resource_type,
        "resource_uri": f"gitlab:{path.strip('/')}" if path else None,
        "resource_bucket": group or None,
        "resource_key": rest or None,
        "status": "failure" if failed else "success",
        "status_code": None,
        "event_uid": text_or_none(record.get("id")),
        "raw": raw,
    }


class GitLabAuditParser(SniffedJsonParser):
    """GitLab instance, group and project audit events (API and streaming)."""

    name = "gitlab_audit"
    description = "GitLab audit events (REST API JSON, streaming JSON Lines)"
    sniff_first = _SNIFF
    sniff_second = _SNIFF_MORE
    record_kind = "a GitLab audit event"

    def normalize(self, record: dict[str, Any], raw: str) -> Event:
        """The record as an event."""
        return normalize(record, raw)
