"""Azure Activity Log (control plane: ``Administrative``, ``Security``, ``Policy`` ...) as
exported to storage (``{"records": [...]}``) or as JSON Lines."""

from __future__ import annotations

import re
from typing import Any

from labwarden.core.events import Event, EventClass, parse_iso_time
from labwarden.watch.parsers.azure_common import caller_ip, claims_user, resource_parts
from labwarden.watch.parsers.base import (
    JsonRecordParser,
    dig,
    text_or_none,
)

_SNIFF = re.compile(r'"operationName"\s*:\s*"?[^"]*MICROSOFT\.', re.I)
_ACTIVITY = {"READ": "read", "WRITE": "write", "DELETE": "delete", "ACTION": "update"}
STORAGE_CATEGORIES = {"storageread", "storagewrite", "storagedelete"}


def normalize(record: dict[str, Any], raw: str) -> Event:
    """One activity log record as an event; raises ``ValueError`` when it is not one."""
    when = record.get("time") or record.get("eventTimestamp")
    if not isinstance(when, str):
        raise ValueError("record has no time")
    operation = record.get("operationName")
    if isinstance(operation, dict):
        operation = operation.get("value")
    operation = text_or_none(operation)
    if not operation:
        raise ValueError("record has no operationName")
    verb = operation.rsplit("/", 1)[-1].upper()
    result = text_or_none(record.get("resultType")) or text_or_none(dig(record, "status", "value"))
    resource_id = text_or_none(record.get("resourceId"))
    subscription, _group = resource_parts(resource_id)
    user = claims_user(record)
    return {
        "time": parse_iso_time(when),
        "class_uid": int(EventClass.API_ACTIVITY),
        "activity": _ACTIVITY.get(verb, "other"),
        "actor_user": user,
        "actor_uid": text_or_none(
            dig(
                record,
                "identity",
                "claims",
                "http://schemas.microsoft.com/identity/claims/objectidentifier",
            )
        )
        or user,
        "src_ip": caller_ip(record.get("callerIpAddress")),
        "api_service": operation.split("/", 1)[0].lower(),
        "api_operation": operation,
        "api_request_id": text_or_none(record.get("correlationId")),
        "cloud_account": subscription,
        "cloud_region": text_or_none(record.get("location")),
        "resource_type": text_or_none(record.get("category")),
        "resource_uri": resource_id,
        "status": "failure" if result and result.lower().startswith("fail") else "success",
        "status_code": result,
        "event_uid": text_or_none(record.get("eventDataId")),
        "raw": raw,
    }


class AzureActivityParser(JsonRecordParser):
    """Azure Activity Log records."""

    name = "azure_activity"
    description = "Azure Activity Log (JSON)"

    def sniff(self, sample: str) -> bool:
        """An ``operationName`` under ``MICROSOFT.*`` outside the storage log categories."""
        head = sample[:16384]
        return bool(_SNIFF.search(head)) and not re.search(
            r'"category"\s*:\s*"Storage(Read|Write|Delete)"', head
        )

    record_kind = "an Azure Activity Log record"

    def normalize(self, record: dict[str, Any], raw: str) -> Event:
        """The record as an event."""
        return normalize(record, raw)
