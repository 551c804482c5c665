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
    auth = payload.get("authenticationInfo")
    who, role = _principal(auth if isinstance(auth, dict) else {})
    principal = text_or_none(auth.get("principalEmail")) if isinstance(auth, dict) else None
    return {
        "time": parse_iso_time(when),
        "class_uid": int(EventClass.API_ACTIVITY),
        "activity": activity_of(method),
        "actor_user": who,
        "actor_uid": principal or who,
        "actor_role": role,
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


def _principal(auth: dict[str, Any]) -> tuple[str | None, str | None]:
    """``(who acted, the service account it acted as)``: a caller impersonating a service
    account (``serviceAccountDelegationInfo``, the original caller first) is who acted, and the
    account is its peer group, as an AWS role session's role is; a workforce or workload identity
    without an e-mail is its ``principalSubject``."""
    email = text_or_none(auth.get("principalEmail")) or text_or_none(auth.get("principalSubject"))
    chain = auth.get("serviceAccountDelegationInfo")
    if isinstance(chain, list) and chain and isinstance(chain[0], dict):
        first = chain[0].get("firstPartyPrincipal") or chain[0].get("thirdPartyPrincipal")
        if isinstance(first, dict):
            original = text_or_none(first.get("principalEmail")) or text_or_none(
                first.get("principalSubject")
            )
            if original:
                return original, email
    return email, None


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
