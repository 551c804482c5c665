"""Google Cloud Audit Logs (``LogEntry`` JSON with an ``AuditLog`` protoPayload), as exported
by ``gcloud logging read --format=json`` (an array), Pub/Sub or sinks (JSON Lines)."""

from __future__ import annotations

import re
from typing import Any

from labwarden.core.events import Event, EventClass, parse_iso_time
from labwarden.watch.parsers.activity import activity_of
from labwarden.watch.parsers.base import (
    JsonRecordParser,
    dig,
    text_or_none,
)

_SNIFF = re.compile(r'"protoPayload"\s*:|"logName"\s*:\s*"[^"]*cloudaudit\.googleapis\.com')
_OBJECT = re.compile(r"^projects/_/buckets/(?P<bucket>[^/]+)(?:/objects/(?P<key>.+))?$")


def normalize(record: dict[str, Any], raw: str) -> Event:
    """One audit log entry as an event; raises ``ValueError`` when it is not one."""
    payload = record.get("protoPayload")
    if not isinstance(payload, dict):
        raise ValueError("entry has no protoPayload")
    when = record.get("timestamp") or record.get("receiveTimestamp")
    if not isinstance(when, str):
        raise ValueError("entry has no timestamp")
    method = text_or_none(payload.get("methodName"))
    resource_name = text_or_none(payload.get("resourceName"))
    bucket = key = None
    uri = resource_name
    resource_type = text_or_none(dig(record, "resource", "type"))
    if resource_name:
        found = _OBJECT.match(resource_name)
        if found:
            bucket, key = found["bucket"], found["key"]
            uri = f"gs://{bucket}/{key or ''}"
    code = dig(payload, "status", "code")
    principal = text_or_none(dig(payload, "authenticationInfo", "principalEmail"))
    return {
        "time": parse_iso_time(when),
        "class_uid": int(EventClass.API_ACTIVITY),
        "activity": activity_of(method),
        "actor_user": principal,
        "actor_uid": principal,
        "actor_type": "service_account"
        if principal and principal.endswith(".gserviceaccount.com")
        else ("user" if principal else None),
        "src_ip": text_or_none(dig(payload, "requestMetadata", "callerIp")),
        "user_agent": text_or_none(dig(payload, "requestMetadata", "callerSuppliedUserAgent")),
        "api_service": text_or_none(payload.get("serviceName")),
        "api_operation": method,
        "api_request_id": text_or_none(record.get("insertId")),
        "cloud_account": text_or_none(dig(record, "resource", "labels", "project_id")),
        "cloud_region": text_or_none(dig(record, "resource", "labels", "location")),
        "resource_type": resource_type,
        "resource_uri": uri,
        "resource_bucket": bucket,
        "resource_key": key,
        "status": "failure" if code not in (None, 0) else "success",
        "status_code": text_or_none(code),
        "event_uid": text_or_none(record.get("insertId")),
        "raw": raw,
    }


class GcpAuditParser(JsonRecordParser):
    """GCP Cloud Audit Logs (admin activity, data access, system event, policy denied)."""

    name = "gcp_audit"
    description = "Google Cloud Audit Logs (JSON)"

    def sniff(self, sample: str) -> bool:
        """Entries with a ``protoPayload`` or an audit ``logName``."""
        return bool(_SNIFF.search(sample[:16384]))

    record_kind = "a Cloud Audit Log entry"

    def normalize(self, record: dict[str, Any], raw: str) -> Event:
        """The record as an event."""
        return normalize(record, raw)
