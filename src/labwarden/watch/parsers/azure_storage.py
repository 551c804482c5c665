"""Azure Storage resource logs (``StorageRead``/``StorageWrite``/``StorageDelete``) for blob,
file, queue and table services, as exported by diagnostic settings."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from labwarden.core.events import Event, EventClass, parse_iso_time
from labwarden.watch.parsers.activity import activity_of
from labwarden.watch.parsers.azure_common import caller_ip, resource_parts
from labwarden.watch.parsers.base import (
    JsonRecordParser,
    dig,
    int_or_none,
    text_or_none,
)

_SNIFF = re.compile(r'"category"\s*:\s*"Storage(Read|Write|Delete)"')


def _object(record: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """``(uri, container, blob)`` from ``properties.objectKey`` or the request ``uri``."""
    account = text_or_none(dig(record, "properties", "accountName"))
    key = text_or_none(dig(record, "properties", "objectKey"))
    if key:
        parts = key.strip("/").split("/", 2)
        if len(parts) >= 2:
            account = account or parts[0]
            blob = parts[2] if len(parts) > 2 else None
            return f"azure://{account}/{parts[1]}/{blob or ''}", parts[1], blob
    uri = text_or_none(record.get("uri"))
    if uri:
        split = urlsplit(uri)
        path = unquote(split.path).strip("/")
        container, _, blob = path.partition("/")
        host_account = split.hostname.split(".", 1)[0] if split.hostname else account
        if container:
            return f"azure://{host_account}/{container}/{blob}", container, blob or None
    return None, None, None


def normalize(record: dict[str, Any], raw: str) -> Event:
    """One storage log record as an event; raises ``ValueError`` when it is not one."""
    when = record.get("time")
    if not isinstance(when, str):
        raise ValueError("record has no time")
    operation = text_or_none(record.get("operationName"))
    if not operation:
        raise ValueError("record has no operationName")
    uri, container, blob = _object(record)
    status_text = text_or_none(record.get("statusText"))
    status_code = int_or_none(record.get("statusCode"))
    failed = (status_code is not None and status_code >= 400) or (
        status_text is not None and status_text.lower() != "success"
    )
    requester = dig(record, "identity", "requester")
    requester = requester if isinstance(requester, dict) else {}
    user = (
        text_or_none(requester.get("upn"))
        or text_or_none(requester.get("appId"))
        or text_or_none(requester.get("objectId"))
    )
    subscription, _group = resource_parts(text_or_none(record.get("resourceId")))
    return {
        "time": parse_iso_time(when),
        "class_uid": int(EventClass.API_ACTIVITY),
        "activity": activity_of(operation),
        "actor_user": user,
        "actor_uid": text_or_none(requester.get("objectId")) or user,
        "actor_type": text_or_none(dig(record, "identity", "type")),
        "access_key": text_or_none(dig(record, "identity", "tokenHash")),
        "src_ip": caller_ip(record.get("callerIpAddress")),
        "user_agent": text_or_none(dig(record, "properties", "userAgentHeader")),
        "api_service": text_or_none(dig(record, "properties", "serviceType")) or "storage",
        "api_operation": operation,
        "api_request_id": text_or_none(record.get("correlationId")),
        "cloud_account": subscription,
        "cloud_region": text_or_none(record.get("location")),
        "resource_type": "blob" if blob else ("container" if container else None),
        "resource_uri": uri,
        "resource_bucket": container,
        "resource_key": blob,
        "bytes": int_or_none(dig(record, "properties", "responseBodySize")),
        "status": "failure" if failed else "success",
        "status_code": text_or_none(status_code) or status_text,
        "raw": raw,
    }


class AzureStorageParser(JsonRecordParser):
    """Azure Storage resource logs."""

    name = "azure_storage"
    description = "Azure Storage logs (StorageRead/Write/Delete, JSON)"

    def sniff(self, sample: str) -> bool:
        """Records of a ``Storage*`` category."""
        return bool(_SNIFF.search(sample[:16384]))

    record_kind = "an Azure Storage log record"

    def normalize(self, record: dict[str, Any], raw: str) -> Event:
        """The record as an event."""
        return normalize(record, raw)
