"""GitHub audit log: the JSON and JSON Lines exports of an organization or enterprise, the REST
API's pages, and audit log streaming (JSON Lines, often gzipped, to S3, Blob storage, Splunk,
Datadog or Event Hubs).

Repositories map onto the lake like objects in a bucket: ``resource_bucket`` is the owner
(organization or user), ``resource_key`` the repository, ``resource_uri`` ``github:owner/repo``.
Clones, fetches and archive downloads are reads, pushes writes, so that analytics see a
developer copying every repository like any principal copying a bucket.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from labwarden.core.events import Event, EventClass, parse_iso_time
from labwarden.watch.parsers.base import int_or_none, text_or_none
from labwarden.watch.parsers.sniffed import SniffedJsonParser

_SNIFF = re.compile(r'"action"\s*:\s*"[a-z0-9_]+\.[a-z0-9_.]+"')
_SNIFF_MORE = re.compile(
    r'"(?:_document_id|@timestamp|actor_ip|actor_location|org_id|business)"\s*:'
)

READ_ACTIONS = frozenset({"git.clone", "git.fetch", "repo.download_zip"})
WRITE_ACTIONS = frozenset({"git.push"})
_VERBS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("create", "add", "added", "invite", "grant", "enable", "generate", "register"), "create"),
    (("destroy", "delete", "remove", "revoke", "disable", "deauthorize"), "delete"),
    (("update", "change", "rename", "edit", "transfer", "access", "set", "move"), "update"),
)
_FORK_SOURCES = ("fork_source", "forked_from", "fork_parent", "parent", "source_repo")


def event_time(record: dict[str, Any]) -> datetime:
    """``@timestamp`` or ``created_at`` (milliseconds since the epoch, or ISO 8601 text)."""
    for key in ("@timestamp", "created_at", "timestamp"):
        value = record.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            seconds = value / 1000 if value > 1e11 else value
            try:
                return datetime.fromtimestamp(seconds, tz=UTC)
            except (OverflowError, OSError, ValueError) as exc:
                raise ValueError(f"{key} {value} is not a time") from exc
        if isinstance(value, str) and value:
            if value.isdigit():
                return event_time({key: int(value)})
            return parse_iso_time(value)
    raise ValueError("record has no @timestamp or created_at")


def activity_of(action: str) -> str:
    """read for clones and archive downloads, write for pushes, else by the action's verb."""
    if action in READ_ACTIONS:
        return "read"
    if action in WRITE_ACTIONS:
        return "write"
    verb = action.rsplit(".", 1)[-1]
    for prefixes, activity in _VERBS:
        if verb.startswith(prefixes):
            return activity
    return "other"


def repository_of(record: dict[str, Any]) -> str | None:
    """``owner/name`` of the repository an event is about, if any."""
    for key in ("repo", "repository"):
        value = record.get(key)
        if isinstance(value, dict):
            value = value.get("full_name") or value.get("name")
        text = text_or_none(value)
        if text:
            return text.strip("/")
    return None


def _fork_type(record: dict[str, Any], action: str, repo: str | None) -> str | None:
    if "fork" not in action or action.startswith(("private_repository_forking", "business.")):
        return None
    source = next((text_or_none(record.get(k)) for k in _FORK_SOURCES if record.get(k)), None)
    owner = text_or_none(record.get("org"))
    if source and repo:
        owner = source.split("/", 1)[0]
    if repo and owner and repo.split("/", 1)[0].lower() != owner.lower():
        return "external_fork"
    return "fork"


def _resource(record: dict[str, Any], action: str) -> tuple[str | None, str | None, str | None]:
    """``(type, bucket, key)`` of what the event is about."""
    repo = repository_of(record)
    fork = _fork_type(record, action, repo)
    if repo:
        owner, _, name = repo.partition("/")
        return fork or "repository", owner, name or None
    org = text_or_none(record.get("org")) or text_or_none(record.get("business"))
    if text_or_none(record.get("team")):
        return "team", org, text_or_none(record.get("team"))
    if org:
        return "organization", org, None
    return None, None, None


def _actor_type(record: dict[str, Any], actor: str | None) -> str | None:
    if actor and actor.endswith("[bot]"):
        return "bot"
    access = text_or_none(record.get("programmatic_access_type"))
    if access:
        return access  # "OAuth access token", "Fine-grained personal access token", ...
    return "user" if actor else None


def normalize(record: dict[str, Any], raw: str) -> Event:
    """One GitHub audit log event; ``ValueError`` when it has no action or time."""
    action = text_or_none(record.get("action"))
    if not action:
        raise ValueError("record has no action")
    actor = text_or_none(record.get("actor"))
    resource_type, bucket, key = _resource(record, action)
    uri = None
    if bucket:
        uri = f"github:{bucket}/{key}" if key else f"github:{bucket}"
    outcome = str(record.get("outcome") or record.get("result") or "").lower()
    failed = outcome in ("failure", "failed", "denied", "error")
    return {
        "time": event_time(record),
        "class_uid": int(EventClass.API_ACTIVITY),
        "activity": activity_of(action),
        "actor_user": actor,
        "actor_uid": text_or_none(record.get("actor_id")) or actor,
        "actor_type": _actor_type(record, actor),
        "access_key": text_or_none(record.get("hashed_token"))
        or text_or_none(record.get("token_id")),
        "src_ip": text_or_none(record.get("actor_ip")),
        "user_agent": text_or_none(record.get("user_agent")),
        "api_service": "github",
        "api_operation": action,
        "api_request_id": text_or_none(record.get("request_id")),
        "cloud_account": text_or_none(record.get("business")) or text_or_none(record.get("org")),
        "cloud_region": None,
        "resource_type": resource_type,
        "resource_uri": uri,
        "resource_bucket": bucket,
        "resource_key": key,
        "bytes": int_or_none(record.get("bytes")),
        "status": "failure" if failed else "success",
        "status_code": outcome or None,
        "event_uid": text_or_none(record.get("_document_id")),
        "raw": raw,
    }


class GitHubAuditParser(SniffedJsonParser):
    """GitHub organization and enterprise audit log (export, REST API, streaming)."""

    name = "github_audit"
    description = "GitHub audit log (JSON/JSON Lines export, REST API, streaming)"
    sniff_first = _SNIFF
    sniff_second = _SNIFF_MORE
    record_kind = "a GitHub audit log event"

    def normalize(self, record: dict[str, Any], raw: str) -> Event:
        """The record as an event."""
        return normalize(record, raw)
